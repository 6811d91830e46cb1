//! The one contract between the generator (`codegen/`) and the crate: everything the code
//! generated from a spec may name, and nothing else.
//!
//! The generator names this module alone (`kaas_codegen::SUPPORT`, one path constant), the way
//! progenitor's output names only `progenitor_client`; a test of the generator checks that the
//! generated files name no other `crate::` path than this module and their own
//! `crate::<provider>::generated` module. To give generated code something new, re-export it
//! here and say why.
//!
//! | item | used by the generated code for |
//! |---|---|
//! | [`Transport`] | the client's inner state (progenitor's `with_inner_type`) |
//! | [`execute`] | sending a request: the path check, then the attempt loop, giving [`Result`] |
//! | [`Error`] | `InvalidInput` for an input refused in `send_progenitor` (a conversion, a path parameter) |
//! | [`classify_reqwest_error`] | a request that could not be built, as the [`Error`] it is |
//! | [`invalid_header_value`] | a header parameter that cannot be sent, refused as [`Error`] |
//! | [`unexpected_answer`] | a success status the spec does not list, as [`Error`] |
//! | [`encode_path`] | checking and encoding every path parameter before any other input |
//! | [`pattern_mismatch`] | the message of a value refused by a schema's `pattern` |
//! | [`decode_json`], [`decode_secret_json`] | decoding a success body (secret-safe for operations answering a secret) |
//! | [`body_stream`] | a body the transport already read, as progenitor's byte stream |
//! | [`finish`], [`finish_body`], [`finish_bytes`] | the decoded answer as `send()`'s body or `send_with_response()`'s [`Response`] |
//! | [`Result`], [`Response`] | the return types of `send()` and `send_with_response()` |
//! | [`SecretText`] | schemas marked `x-secret` |
//! | [`Operation`] | the operation inventory, `OPERATIONS` |
//! | [`utc`], [`utc_option`] | reading RFC 3339 timestamps fast |
//! | [`open_enum!`](open_enum) | the open enums of `x-extensible-enum` schemas |

// A spec needs only part of the contract (no timestamps, no secret answers, no patterns).
#![allow(unused_imports)]

pub(crate) use crate::datetime::{utc, utc_option};
pub(crate) use crate::open_enum::open_enum;
pub(crate) use crate::transport::{
    Transport, body_stream, classify_reqwest_error, decode_json, decode_secret_json, encode_path,
    execute, finish, finish_body, finish_bytes, invalid_header_value, pattern_mismatch,
    unexpected_answer,
};
pub(crate) use crate::{Error, Operation, Response, Result, SecretText};
