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
//! | [`encode_path`] | checking and encoding every path parameter before any other input |
//! | [`pattern_mismatch`] | the message of a value refused by a schema's `pattern` |
//! | [`decode_json`], [`decode_secret_json`] | decoding a success body (secret-safe for operations answering a secret) |
//! | [`body_stream`] | a body the transport already read, as progenitor's byte stream |
//! | [`finish`], [`finish_body`], [`finish_bytes`] | turning progenitor's result into [`Result`] in `send()` and `send_with_response()` |
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
    Transport, body_stream, decode_json, decode_secret_json, encode_path, finish, finish_body,
    finish_bytes, pattern_mismatch,
};
pub(crate) use crate::{Operation, Response, Result, SecretText};
