//! Rewrites of the code progenitor generates, applied to its tokens before formatting.

use proc_macro2::TokenStream;
use std::collections::BTreeSet;

/// The generated client, changed so that:
/// - every path parameter goes through `crate::transport::encode_path` right after its own
///   conversion, before any other input is converted and before the URL is formatted: it
///   refuses an empty, `.` or `..` value (raw or percent-encoded) naming the operation and the
///   parameter, and encodes `\` too;
/// - a value refused by a pattern says which value and which pattern
///   (`crate::transport::pattern_mismatch`);
/// - the success body of an operation that answers a secret is decoded by
///   `crate::transport::decode_secret_json`, whose errors quote neither the body nor a value;
///   every other success body by `crate::transport::decode_json`, which moves the answer's
///   headers instead of copying them;
/// - a byte-stream body is `crate::transport::body_stream`: the body the transport already
///   read, in one piece.
pub fn client(tokens: TokenStream, secret_operations: &BTreeSet<String>) -> TokenStream {
    let code = tokens.to_string();
    let import = "use progenitor_client :: { encode_path ,";
    assert!(
        code.contains(import),
        "progenitor no longer imports encode_path as kaas expects; update codegen/src/rewrite.rs"
    );
    let code = code.replacen(
        import,
        "use crate :: transport :: encode_path ; use progenitor_client :: {",
        1,
    );
    let code = patterns_name_the_value(&code);
    let mut out = String::with_capacity(code.len());
    let marker = "pub async fn send";
    let mut pieces = code.split(marker);
    out.push_str(pieces.next().unwrap_or_default());
    for piece in pieces {
        out.push_str(marker);
        let operation = piece
            .split("operation_id : \"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default();
        let piece = &path_parameters_checked_first(piece, operation);
        // The success arm; error arms end in `. await ?` (the transport's `post` hook answers
        // error statuses before they are reached).
        let success = "{ ResponseValue :: from_response (response) . await }";
        if secret_operations.contains(operation) {
            assert!(
                piece.contains(success) || piece.contains("ResponseValue :: stream"),
                "progenitor decodes `{operation}` in a way kaas does not recognise; update codegen/src/rewrite.rs"
            );
            out.push_str(&piece.replace(
                success,
                "{ crate :: transport :: decode_secret_json (response) . await }",
            ));
        } else {
            out.push_str(&piece.replace(
                success,
                "{ crate :: transport :: decode_json (response) . await }",
            ));
        }
    }
    // The transport reads every body inside the attempt and keeps it with the answer.
    let out = out.replace(
        "ResponseValue :: stream (response)",
        "crate :: transport :: body_stream (response)",
    );
    out.parse()
        .expect("the rewritten client is the generated client with paths renamed")
}

/// One `send`: each path parameter `p` of `encode_path (& p . to_string ())` is checked and
/// encoded into `p_segment` right after its own conversion (progenitor converts path
/// parameters first), and the URL takes `p_segment`. A refusal is progenitor's
/// `InvalidRequest`, which kaas reads as `InvalidInput`.
fn path_parameters_checked_first(piece: &str, operation: &str) -> String {
    const CALL: &str = "encode_path (& ";
    const END: &str = " . to_string ())";
    let mut names: Vec<&str> = Vec::new();
    let mut rest = piece;
    while let Some(at) = rest.find(CALL) {
        rest = &rest[at + CALL.len()..];
        let name = rest
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or_default();
        assert!(
            rest[name.len()..].starts_with(END),
            "progenitor encodes a path parameter of `{operation}` in a way kaas does not recognise; update codegen/src/rewrite.rs"
        );
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut out = piece.to_string();
    for name in names {
        let conversion = format!("let {name} = {name} . map_err (Error :: InvalidRequest) ? ;");
        assert_eq!(
            out.matches(&conversion).count(),
            1,
            "progenitor converts path parameter `{name}` of `{operation}` in a way kaas does not recognise; update codegen/src/rewrite.rs"
        );
        out = out.replacen(
            &conversion,
            &format!(
                "{conversion} let {name}_segment = encode_path (& {name} . to_string () , {name:?} , {operation:?}) . map_err (Error :: InvalidRequest) ? ;"
            ),
            1,
        );
        out = out.replace(&format!("{CALL}{name}{END}"), &format!("{name}_segment"));
    }
    out
}

/// typify's check of a pattern says only `doesn't match pattern "…"`: it now names the value
/// too, through `crate::transport::pattern_mismatch`. (Secret schemas are `SecretText`, never
/// a typify type, so no secret is quoted.)
fn patterns_name_the_value(code: &str) -> String {
    const START: &str = "Err (\"doesn't match pattern \\\"";
    const END: &str = "\\\"\" . into ())";
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find(START) {
        let after = &rest[at + START.len()..];
        let Some(end) = after.find(END) else { break };
        out.push_str(&rest[..at]);
        out.push_str("Err (crate :: transport :: pattern_mismatch (value , \"");
        out.push_str(&after[..end]);
        out.push_str("\") . into ())");
        rest = &after[end + END.len()..];
    }
    out.push_str(rest);
    out
}

/// Makes every builder setter's refusal say why: progenitor's `conversion to `T` for p failed`
/// drops the conversion's own error (a pattern and the value, a bad UUID character); it is now
/// appended. The setter's `V` gains the bound `<V as TryInto<T>>::Error: Display`, which every
/// conversion kaas's types offer meets. Returns how many setters changed.
pub fn setter_errors_say_why(file: &mut syn::File) -> Result<usize, String> {
    const DROPPED: &str = "map_err (| _ | \"conversion to ";
    const TAIL: &str = "\" . to_string ())";
    let mut changed = 0;
    for_each_impl(file, Some("builder"), |implementation| {
        for impl_item in &mut implementation.items {
            let syn::ImplItem::Fn(function) = impl_item else {
                continue;
            };
            let block = &function.block;
            let text = quote::quote!(#block).to_string();
            let Some(at) = text.find(DROPPED) else {
                continue;
            };
            let literal_start = at + "map_err (| _ | ".len();
            let Some(literal_len) = text[literal_start..].find(TAIL) else {
                return Err(format!(
                    "setter `{}`: an unexpected conversion error; update codegen/src/rewrite.rs",
                    function.sig.ident
                ));
            };
            let literal = &text[literal_start..=literal_start + literal_len];
            let text = format!(
                "{}map_err (| e | format ! (\"{{}}: {{}}\" , {literal} , e)){}",
                &text[..at],
                &text[literal_start + literal_len + TAIL.len()..]
            );
            function.block = syn::parse_str(&text).map_err(|e| {
                format!(
                    "setter `{}`: {e}; update codegen/src/rewrite.rs",
                    function.sig.ident
                )
            })?;
            let bound = function
                .sig
                .generics
                .where_clause
                .iter()
                .flat_map(|clause| &clause.predicates)
                .find_map(|predicate| {
                    let syn::WherePredicate::Type(predicate) = predicate else {
                        return None;
                    };
                    predicate.bounds.iter().find_map(|bound| {
                        let syn::TypeParamBound::Trait(bound) = bound else {
                            return None;
                        };
                        let last = bound.path.segments.last()?;
                        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                            return None;
                        };
                        (last.ident == "TryInto")
                            .then(|| (predicate.bounded_ty.clone(), args.args.clone()))
                    })
                });
            let Some((input, target)) = bound else {
                return Err(format!(
                    "setter `{}` converts without a `TryInto` bound; update codegen/src/rewrite.rs",
                    function.sig.ident
                ));
            };
            function
                .sig
                .generics
                .make_where_clause()
                .predicates
                .push(syn::parse_quote!(<#input as std::convert::TryInto<#target>>::Error: std::fmt::Display));
            changed += 1;
        }
        Ok(())
    })?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_checked_before_any_other_input_and_the_url() {
        let tokens = quote::quote! {
            use progenitor_client::{encode_path, ClientHooks};
            impl A { pub async fn send(self) {
                let Self { client, stack_id, id, body } = self;
                let stack_id = stack_id.map_err(Error::InvalidRequest)?;
                let id = id.map_err(Error::InvalidRequest)?;
                let body = body.and_then(|v| types::B::try_from(v).map_err(|e| e.to_string())).map_err(Error::InvalidRequest)?;
                let url = format!("{}/stacks/{}/actions/{}", client.baseurl, encode_path(&stack_id.to_string()), encode_path(&id.to_string()),);
                let info = OperationInfo { operation_id: "get_stack_action" };
            } }
        };
        let code = client(tokens, &BTreeSet::new()).to_string();
        let checked = "let stack_id = stack_id . map_err (Error :: InvalidRequest) ? ; let stack_id_segment = encode_path (& stack_id . to_string () , \"stack_id\" , \"get_stack_action\") . map_err (Error :: InvalidRequest) ? ;";
        assert!(code.contains(checked), "{code}");
        assert!(
            code.find(checked) < code.find("let body"),
            "checked before the body is converted: {code}"
        );
        assert!(
            code.contains("client . baseurl , stack_id_segment , id_segment ,"),
            "{code}"
        );
        assert_eq!(code.matches("encode_path (&").count(), 2, "{code}");
    }

    #[test]
    #[should_panic(expected = "path parameter `id` of `get_thing`")]
    fn a_path_parameter_converted_differently_is_noticed() {
        client(
            quote::quote! {
                use progenitor_client::{encode_path, ClientHooks};
                impl A { pub async fn send(self) {
                    let url = format!("{}/things/{}", client.baseurl, encode_path(&id.to_string()),);
                    let info = OperationInfo { operation_id: "get_thing" };
                } }
            },
            &BTreeSet::new(),
        );
    }

    #[test]
    fn a_pattern_mismatch_names_the_value() {
        let tokens = quote::quote! {
            use progenitor_client::{encode_path, ClientHooks};
            impl ::std::str::FromStr for Name {
                fn from_str(value: &str) -> Result<Self, ConversionError> {
                    if PATTERN.find(value).is_none() {
                        return Err("doesn't match pattern \"^[a-z]\\.+$\"".into());
                    }
                    Ok(Self(value.to_string()))
                }
            }
        };
        let code = client(tokens, &BTreeSet::new()).to_string();
        assert!(
            code.contains(r#"return Err (crate :: transport :: pattern_mismatch (value , "^[a-z]\\.+$") . into ()) ;"#),
            "{code}"
        );
    }

    #[test]
    fn setter_refusals_keep_the_conversion_error() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> GetCluster<'a> {
                    pub fn name<V>(mut self, value: V) -> Self
                    where
                        V: std::convert::TryInto<types::ClusterName>,
                    {
                        self.name = value.try_into().map_err(|_| "conversion to `ClusterName` for name failed".to_string());
                        self
                    }
                    pub fn body_map<F>(mut self, f: F) -> Self where F: std::ops::FnOnce(B) -> B { self }
                }
            }
        };
        assert_eq!(setter_errors_say_why(&mut file).unwrap(), 1);
        let code = prettyplease::unparse(&file);
        assert!(
            code.contains(
                "<V as std::convert::TryInto<types::ClusterName>>::Error: std::fmt::Display"
            ),
            "{code}"
        );
        assert!(
            code.contains(r#"format!("{}: {}", "conversion to `ClusterName` for name failed", e)"#),
            "{code}"
        );
    }

    #[test]
    fn paths_use_kaas_encoding_and_answers_kaas_decoders() {
        let tokens = quote::quote! {
            use progenitor_client::{encode_path, ClientHooks};
            impl A { pub async fn send(self) { let info = OperationInfo { operation_id: "get_credentials" }; match s { 200u16 => { ResponseValue::from_response(response).await } 401u16 => { Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)) } } } }
            impl B { pub async fn send(self) { let info = OperationInfo { operation_id: "list_clusters" }; match s { 200u16 => { ResponseValue::from_response(response).await } } } }
            impl C { pub async fn send(self) { let info = OperationInfo { operation_id: "get_kubeconfig" }; match s { 200u16 => Ok(ResponseValue::stream(response)), } } }
        };
        let secret: BTreeSet<String> = ["get_credentials".to_string()].into();
        let code = client(tokens, &secret).to_string();
        assert!(
            code.contains("use crate :: transport :: encode_path ;"),
            "{code}"
        );
        assert!(!code.contains("{ encode_path"), "{code}");
        let (ab, c) = code.split_at(code.find("impl C").unwrap());
        assert!(
            c.contains("Ok (crate :: transport :: body_stream (response))"),
            "a byte stream is the body the transport read: {c}"
        );
        let (a, b) = ab.split_at(ab.find("impl B").unwrap());
        assert!(
            a.contains("crate :: transport :: decode_secret_json (response)"),
            "{a}"
        );
        assert!(
            a.contains("ResponseValue :: from_response (response) . await ?"),
            "error arms are unchanged: {a}"
        );
        assert!(!b.contains("decode_secret_json"), "{b}");
        assert!(
            b.contains("{ crate :: transport :: decode_json (response) . await }"),
            "{b}"
        );
        assert!(!b.contains("ResponseValue :: from_response"), "{b}");
    }

    #[test]
    #[should_panic(expected = "encode_path")]
    fn a_changed_progenitor_output_is_noticed() {
        client(quote::quote! { fn main() {} }, &BTreeSet::new());
    }
}

/// Makes every operation's `send()` return `crate::Result<T>` with `T` the typed body, and adds
/// `send_with_response()` returning `crate::Result<crate::Response<T>>` (status, headers and
/// body). progenitor's own `send` stays, private, as `send_progenitor`. A non-JSON success body
/// (progenitor's `ByteStream`) comes back as `bytes::Bytes`, read whole. Returns how many
/// operations were rewritten.
pub fn send_returns_kaas_result(file: &mut syn::File) -> Result<usize, String> {
    let mut rewritten = 0;
    for_each_impl(file, Some("builder"), |implementation| {
        let mut added = Vec::new();
        for impl_item in &mut implementation.items {
            let syn::ImplItem::Fn(function) = impl_item else {
                continue;
            };
            if function.sig.ident != "send" || function.sig.asyncness.is_none() {
                continue;
            }
            let body_type = success_type(&function.sig.output).ok_or_else(|| {
                    format!(
                        "a `send` returns `{}`, not progenitor's `Result<ResponseValue<T>, Error<E>>`; update codegen/src/rewrite.rs",
                        quote::quote!(#function.sig.output)
                    )
                })?;
            let docs: Vec<syn::Attribute> = function
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .cloned()
                .collect();
            function.sig.ident = syn::Ident::new("send_progenitor", function.sig.ident.span());
            function.vis = syn::Visibility::Inherited;
            function.attrs.retain(|a| !a.path().is_ident("doc"));
            // progenitor sends the spec's version as an `api-version` header, which no
            // provider reads: it is not added, rather than removed from every request.
            function.block.stmts.retain(|statement| {
                !quote::quote!(#statement)
                    .to_string()
                    .contains("\"api-version\"")
            });
            function.attrs.push(syn::parse_quote!(#[allow(unused_mut)]));
            let is_stream = matches!(&body_type, syn::Type::Path(p)
                    if p.path.segments.last().is_some_and(|s| s.ident == "ByteStream"));
            // `send` keeps the body alone: a typed body is taken without copying the headers.
            let (body, finish, send) = if is_stream {
                (
                    quote::quote!(::bytes::Bytes),
                    quote::quote!(
                        crate::transport::finish_bytes(self.send_progenitor().await).await
                    ),
                    quote::quote!(
                        self.send_with_response()
                            .await
                            .map(crate::Response::into_body)
                    ),
                )
            } else {
                (
                    quote::quote!(#body_type),
                    quote::quote!(crate::transport::finish(self.send_progenitor().await)),
                    quote::quote!(crate::transport::finish_body(self.send_progenitor().await)),
                )
            };
            added.push(syn::parse_quote! {
                #(#docs)*
                ///
                /// Returns the typed body; [`send_with_response`](Self::send_with_response)
                /// also gives the status and headers.
                pub async fn send(self) -> crate::Result<#body> {
                    #send
                }
            });
            added.push(syn::parse_quote! {
                /// Sends the request, like [`send`](Self::send); the answer's status and
                /// headers come with the typed body.
                pub async fn send_with_response(self) -> crate::Result<crate::Response<#body>> {
                    #finish
                }
            });
            rewritten += 1;
        }
        implementation.items.extend(added);
        Ok(())
    })?;
    Ok(rewritten)
}

/// Calls `visit` on every `impl` block inside the file's inline modules (only the module
/// named `only`, when given); stops at the first error.
fn for_each_impl(
    file: &mut syn::File,
    only: Option<&str>,
    mut visit: impl FnMut(&mut syn::ItemImpl) -> Result<(), String>,
) -> Result<(), String> {
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if only.is_some_and(|name| module.ident != name) {
            continue;
        }
        let Some((_, items)) = &mut module.content else {
            continue;
        };
        for item in items {
            if let syn::Item::Impl(implementation) = item {
                visit(implementation)?;
            }
        }
    }
    Ok(())
}

/// Gives every typed mock what tests of sequences need without leaving the typed API:
/// `When::is_true(predicate)` (match only some requests, "the first two reads") and
/// `Then::respond_with(responder)` (an answer computed per request). Returns how many
/// wrappers gained them.
pub fn mocks_match_and_respond_per_request(file: &mut syn::File) -> usize {
    let mut extended = 0;
    let _ = for_each_impl(file, None, |implementation| {
        let syn::Type::Path(self_type) = implementation.self_ty.as_ref() else {
            return Ok(());
        };
        let Some(name) = self_type.path.segments.last().map(|s| s.ident.to_string()) else {
            return Ok(());
        };
        if name.ends_with("When") {
            implementation.items.push(syn::parse_quote! {
                    /// Matches only the requests for which `predicate` is true (a sequence:
                    /// "the first two reads"), keeping the operation's typed matchers.
                    pub fn is_true(
                        self,
                        predicate: impl Fn(&::httpmock::HttpMockRequest) -> bool + Send + Sync + 'static,
                    ) -> Self {
                        Self(self.0.is_true(predicate))
                    }
                });
            extended += 1;
        } else if name.ends_with("Then") {
            implementation.items.push(syn::parse_quote! {
                /// Answers each request with what `responder` computes from it.
                pub fn respond_with(
                    self,
                    responder: impl Fn(&::httpmock::HttpMockRequest) -> ::httpmock::HttpMockResponse
                        + Send
                        + Sync
                        + 'static,
                ) -> Self {
                    Self(self.0.respond_with(responder))
                }
            });
            extended += 1;
        }
        Ok(())
    });
    extended
}

/// Gives every timestamp field of a deserializable struct kaas's RFC 3339 reader
/// (`crate::datetime::utc` / `utc_option`), which is several times faster than chrono's
/// generic parser behind `DateTime`'s own `Deserialize`. An optional timestamp also gets
/// `default`, so a missing field stays `None` as before. Returns how many fields changed.
pub fn timestamps_parse_fast(file: &mut syn::File) -> usize {
    fn visit(items: &mut [syn::Item]) -> usize {
        let mut changed = 0;
        for item in items {
            match item {
                syn::Item::Mod(module) => {
                    if let Some((_, items)) = &mut module.content {
                        changed += visit(items);
                    }
                }
                syn::Item::Struct(structure) => {
                    let derives_deserialize = structure.attrs.iter().any(|a| {
                        a.path().is_ident("derive")
                            && quote::quote!(#a).to_string().contains("Deserialize")
                    });
                    if !derives_deserialize {
                        continue;
                    }
                    for field in structure.fields.iter_mut() {
                        let ty = &field.ty;
                        let ty = quote::quote!(#ty).to_string().replace(' ', "");
                        let reader = match ty.as_str() {
                            "::chrono::DateTime<::chrono::offset::Utc>" => "crate::datetime::utc",
                            "::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>" => {
                                "crate::datetime::utc_option"
                            }
                            _ => continue,
                        };
                        let has_default = field.attrs.iter().any(|a| {
                            a.path().is_ident("serde")
                                && a.parse_args_with(
                                    syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
                                )
                                .is_ok_and(|metas| metas.iter().any(|m| m.path().is_ident("default")))
                        });
                        field
                            .attrs
                            .push(if reader.ends_with("option") && !has_default {
                                syn::parse_quote!(#[serde(default, deserialize_with = #reader)])
                            } else {
                                syn::parse_quote!(#[serde(deserialize_with = #reader)])
                            });
                        changed += 1;
                    }
                }
                _ => {}
            }
        }
        changed
    }
    visit(&mut file.items)
}

/// `T` of `Result<ResponseValue<T>, Error<E>>`.
fn success_type(output: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let syn::Type::Path(result) = ty.as_ref() else {
        return None;
    };
    let last = result.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let Some(syn::GenericArgument::Type(syn::Type::Path(value))) = args.args.first() else {
        return None;
    };
    let value = value.path.segments.last()?;
    if value.ident != "ResponseValue" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(inner) = &value.arguments else {
        return None;
    };
    match inner.args.first() {
        Some(syn::GenericArgument::Type(body)) => Some(body.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod send_tests {
    use super::*;

    #[test]
    fn send_returns_the_typed_body_and_send_with_response_the_rest() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub fn id(self) -> Self { self }
                    ///Sends a `GET` request to `/things/{id}`
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Error>> {
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        header_map.append(
                            ::reqwest::header::HeaderName::from_static("api-version"),
                            ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                        );
                        todo()
                    }
                }
                impl<'a> GetFile<'a> {
                    pub async fn send(self) -> Result<ResponseValue<ByteStream>, Error<types::Error>> { todo() }
                }
            }
        };
        assert_eq!(send_returns_kaas_result(&mut file).unwrap(), 2);
        let code = prettyplease::unparse(&file);
        assert!(code.contains("async fn send_progenitor("), "{code}");
        assert!(!code.contains("pub async fn send_progenitor"), "{code}");
        assert!(
            code.contains("pub async fn send(self) -> crate::Result<types::Thing>"),
            "{code}"
        );
        assert!(code.contains("pub async fn send_with_response(\n            self,\n        ) -> crate::Result<crate::Response<types::Thing>>"), "{code}");
        assert!(
            code.contains("pub async fn send(self) -> crate::Result<::bytes::Bytes>"),
            "{code}"
        );
        assert!(
            code.contains("crate::transport::finish_bytes(self.send_progenitor().await).await"),
            "{code}"
        );
        assert!(
            code.contains("crate::transport::finish_body(self.send_progenitor().await)"),
            "a typed send() takes the body without copying the headers: {code}"
        );
        assert!(
            code.contains("///Sends a `GET` request to `/things/{id}`"),
            "{code}"
        );
        assert!(
            !code.contains("api-version"),
            "no api-version header: {code}"
        );
        assert!(code.contains("HeaderMap::with_capacity"), "{code}");
    }

    #[test]
    fn typed_mocks_gain_per_request_matching_and_answers() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod operations {
                pub struct GetThingWhen(::httpmock::When);
                impl GetThingWhen { pub fn into_inner(self) -> ::httpmock::When { self.0 } }
                pub struct GetThingThen(::httpmock::Then);
                impl GetThingThen { pub fn into_inner(self) -> ::httpmock::Then { self.0 } }
                impl Other { fn x() {} }
            }
        };
        assert_eq!(mocks_match_and_respond_per_request(&mut file), 2);
        let code = prettyplease::unparse(&file);
        let (when, then) = code.split_at(code.find("impl GetThingThen").unwrap());
        assert!(when.contains("pub fn is_true("), "{code}");
        assert!(then.contains("pub fn respond_with("), "{code}");
        assert!(!then.contains("pub fn is_true("), "{code}");
    }

    #[test]
    fn timestamp_fields_of_deserializable_structs_get_the_fast_reader() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Thing {
                    pub at: ::chrono::DateTime<::chrono::offset::Utc>,
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub maybe: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                    pub defaulted: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                    pub name: ::std::string::String,
                }
                pub mod builder {
                    pub struct Thing {
                        at: Result<::chrono::DateTime<::chrono::offset::Utc>, String>,
                    }
                }
            }
        };
        assert_eq!(timestamps_parse_fast(&mut file), 3);
        let code = prettyplease::unparse(&file);
        assert!(
            code.contains("#[serde(deserialize_with = \"crate::datetime::utc\")]\n        pub at"),
            "{code}"
        );
        assert!(code.contains("#[serde(default, deserialize_with = \"crate::datetime::utc_option\")]\n        pub maybe"), "{code}");
        assert!(code.contains("#[serde(deserialize_with = \"crate::datetime::utc_option\")]\n        pub defaulted"), "{code}");
        assert!(
            code.contains("pub defaulted: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,\n        pub name"),
            "a field of another type is left alone: {code}"
        );
    }

    #[test]
    fn an_unexpected_send_signature_is_a_message() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub async fn send(self) -> u8 { 0 }
                }
            }
        };
        let error = send_returns_kaas_result(&mut file).unwrap_err();
        assert!(error.contains("update codegen/src/rewrite.rs"), "{error}");
    }
}
