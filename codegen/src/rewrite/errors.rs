//! Inside each `send` progenitor wrote (kept, private, as `send_progenitor`), an error is a
//! `kaas::Error` from the moment it is made, and the request goes to the transport without
//! progenitor's hooks:
//!
//! - `client.pre(&mut request, &info).await?; let result = client.exec(request, &info).await;
//!   client.post(&result, &info).await?; let response = result?;` becomes `let response =
//!   execute(&client.inner, &client.client, request, info.operation_id).await?;`: the path
//!   check and the attempt loop, whose error is already the one the caller gets;
//! - the function returns `kaas::Result<ResponseValue<T>>` instead of
//!   `Result<ResponseValue<T>, progenitor_client::Error<E>>`;
//! - each `?` maps its error where it is made: an input refused by its conversion or its path
//!   check (`.map_err(Error::InvalidRequest)?`) is `Error::InvalidInput`, a request that
//!   cannot be built (`.build()?`) goes through `classify_reqwest_error`, a header value that
//!   cannot be sent (`.try_into()?`) through `invalid_header_value`;
//! - the arms for error statuses (`400u16..=499u16 => Err(Error::ErrorResponse(..))`) go: the
//!   attempt loop has made every status that is not a success the error it is before the
//!   match, so they are never reached; `_ => Err(Error::UnexpectedResponse(response))` is
//!   `unexpected_answer(response)`, a success status the spec does not list;
//! - progenitor's check that the client implements `ClientHooks` goes with the hooks: nothing
//!   calls one, and a hook call left behind would not compile.
//!
//! Any other `?` in a `send`, an error arm for a success status or a progenitor `Error` left
//! over is reported, so a progenitor upgrade that changes these shapes fails here.
//!
//! This is its own rewrite, beside [`send`](super::send) (which makes the public
//! `send()`/`send_with_response()` pair around progenitor's function): it rewrites the inside
//! of that function, and the shapes it matches and reports are those of progenitor's body.

use syn::visit_mut::{self, VisitMut};

use super::{Context, Rewrite, call_to, ident_of, path_is};

/// The error route of each `send`.
pub struct Errors;

const NAME: &str = "errors";

const HOOKS: &str = "`client.pre(&mut request, &info).await?; let result = client.exec(request, &info).await; client.post(&result, &info).await?; let response = result?;`";

impl Rewrite for Errors {
    fn file(&mut self, _cx: &mut Context, file: &mut syn::File) {
        file.items.retain(|item| !asserts_client_hooks(item));
    }

    fn method(&mut self, cx: &mut Context, method: &mut syn::ImplItemFn) {
        if cx.operation.is_none() {
            return;
        }
        let support = crate::support();
        match kaas_result(&method.sig.output, &support) {
            Some(output) => method.sig.output = output,
            None => cx.unexpected(
                NAME,
                "`send` to return `Result<ResponseValue<T>, Error<E>>`",
            ),
        }
        if !hand_to_transport(&mut method.block.stmts, &support) {
            cx.unexpected(NAME, HOOKS);
            return;
        }
        let mut sites = Sites {
            support,
            problems: Vec::new(),
        };
        sites.visit_block_mut(&mut method.block);
        let mut leftovers = Leftovers(Vec::new());
        syn::visit::Visit::visit_block(&mut leftovers, &method.block);
        for problem in sites.problems.into_iter().chain(leftovers.0) {
            cx.unexpected(NAME, problem);
        }
    }
}

/// `const _: () = { fn assert_client_hooks() where Client: ClientHooks<..> {} };`.
fn asserts_client_hooks(item: &syn::Item) -> bool {
    let syn::Item::Const(constant) = item else {
        return false;
    };
    let syn::Expr::Block(block) = constant.expr.as_ref() else {
        return false;
    };
    block.block.stmts.iter().any(|statement| {
        matches!(statement, syn::Stmt::Item(syn::Item::Fn(f)) if f.sig.ident == "assert_client_hooks")
    })
}

/// `-> support::Result<ResponseValue<T>>` for `-> Result<ResponseValue<T>, Error<E>>`.
fn kaas_result(output: &syn::ReturnType, support: &syn::Path) -> Option<syn::ReturnType> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let syn::Type::Path(result) = ty.as_ref() else {
        return None;
    };
    let last = result.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut args = args.args.iter();
    let (Some(syn::GenericArgument::Type(value)), Some(syn::GenericArgument::Type(error)), None) =
        (args.next(), args.next(), args.next())
    else {
        return None;
    };
    let is_error = matches!(error, syn::Type::Path(e)
        if e.path.segments.last().is_some_and(|s| s.ident == "Error"));
    (last.ident == "Result" && is_error).then(|| syn::parse_quote!(-> #support::Result<#value>))
}

/// The receiver and arguments of `<receiver>.<hook>(..)`, under any `.await` and `?`.
fn hook_call<'e>(
    mut expr: &'e syn::Expr,
    hook: &str,
) -> Option<(&'e syn::Ident, Vec<&'e syn::Expr>)> {
    loop {
        match expr {
            syn::Expr::Try(tried) => expr = &tried.expr,
            syn::Expr::Await(awaited) => expr = &awaited.base,
            syn::Expr::MethodCall(call) if call.method == hook => {
                return Some((ident_of(&call.receiver)?, call.args.iter().collect()));
            }
            _ => return None,
        }
    }
}

/// The identifier `let <name> = ..;` binds, and what it is bound to.
fn local(statement: &syn::Stmt) -> Option<(&syn::Ident, &syn::Expr)> {
    let syn::Stmt::Local(local) = statement else {
        return None;
    };
    let syn::Pat::Ident(name) = &local.pat else {
        return None;
    };
    Some((&name.ident, &local.init.as_ref()?.expr))
}

/// `<client>.<hook>(..).await?;`.
fn hook_statement<'s>(statement: &'s syn::Stmt, hook: &str) -> Option<&'s syn::Ident> {
    match statement {
        syn::Stmt::Expr(expr, Some(_)) => hook_call(expr, hook).map(|(client, _)| client),
        _ => None,
    }
}

/// Replaces the four statements of [`HOOKS`] with the call to the transport; false when they
/// are not there.
fn hand_to_transport(statements: &mut Vec<syn::Stmt>, support: &syn::Path) -> bool {
    let found = statements.windows(4).enumerate().find_map(|(at, four)| {
        let client = hook_statement(&four[0], "pre")?;
        let (result, exec) = local(&four[1])?;
        let (exec_client, args) = hook_call(exec, "exec")?;
        let &[request, info] = args.as_slice() else {
            return None;
        };
        let request = ident_of(request)?;
        let syn::Expr::Reference(info) = info else {
            return None;
        };
        let info = ident_of(&info.expr)?;
        let post_client = hook_statement(&four[2], "post")?;
        let (response, taken) = local(&four[3])?;
        let syn::Expr::Try(taken) = taken else {
            return None;
        };
        let same = exec_client == client
            && post_client == client
            && ident_of(&taken.expr) == Some(result);
        let call: syn::Stmt = syn::parse_quote! {
            let #response = #support::execute(&#client.inner, &#client.client, #request, #info.operation_id).await?;
        };
        same.then_some((at, call))
    });
    let Some((at, call)) = found else {
        return false;
    };
    statements.splice(at..at + 4, [call]);
    true
}

/// The `?` sites and the status arms of a `send`.
struct Sites {
    support: syn::Path,
    problems: Vec<String>,
}

impl Sites {
    /// Whether `expr` is `support::execute(..).await`, which [`hand_to_transport`] made.
    fn is_execute(&self, expr: &syn::Expr) -> bool {
        let syn::Expr::Await(awaited) = expr else {
            return false;
        };
        let names: Vec<String> = self
            .support
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .chain(["execute".to_string()])
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        call_to(&awaited.base, &names).is_some()
    }
}

impl VisitMut for Sites {
    fn visit_expr_try_mut(&mut self, tried: &mut syn::ExprTry) {
        let support = self.support.clone();
        let operand = tried.expr.as_mut();
        let wrap = match &*operand {
            syn::Expr::MethodCall(call) if call.args.is_empty() && call.method == "build" => {
                Some(syn::parse_quote!(#support::classify_reqwest_error))
            }
            syn::Expr::MethodCall(call) if call.args.is_empty() && call.method == "try_into" => {
                Some(syn::parse_quote!(#support::invalid_header_value))
            }
            _ => None,
        };
        let known = if let Some(map) = wrap {
            let map: syn::Path = map;
            let inner = operand.clone();
            *operand = syn::parse_quote!(#inner.map_err(#map));
            true
        } else if let syn::Expr::MethodCall(call) = operand
            && call.method == "map_err"
            && call.args.len() == 1
            && matches!(&call.args[0], syn::Expr::Path(p) if path_is(&p.path, &["Error", "InvalidRequest"]))
        {
            call.args[0] = syn::parse_quote!(#support::Error::InvalidInput);
            true
        } else {
            self.is_execute(operand)
        };
        if !known {
            self.problems.push(
                "`?` only on `.map_err(Error::InvalidRequest)`, `.build()` or `.try_into()` (a header value)".into(),
            );
        }
        visit_mut::visit_expr_try_mut(self, tried);
    }

    fn visit_expr_match_mut(&mut self, expr_match: &mut syn::ExprMatch) {
        let support = &self.support;
        let mut arms = Vec::with_capacity(expr_match.arms.len());
        for mut arm in std::mem::take(&mut expr_match.arms) {
            match error_arm(&arm.body) {
                Some(ErrorArm::Response) if error_statuses(&arm.pat) => continue,
                Some(ErrorArm::Response) => self.problems.push(
                    "`Error::ErrorResponse` arms only for statuses of 300 and more (`4XX`/`5XX` in the spec)".into(),
                ),
                Some(ErrorArm::Unexpected(response)) => {
                    *arm.body = syn::parse_quote!(Err(#support::unexpected_answer(#response)));
                }
                None => {}
            }
            arms.push(arm);
        }
        expr_match.arms = arms;
        visit_mut::visit_expr_match_mut(self, expr_match);
    }
}

/// What an arm of the status match answers when it answers progenitor's error.
enum ErrorArm {
    /// `Err(Error::ErrorResponse(..))`: a typed error answer.
    Response,
    /// `Err(Error::UnexpectedResponse(response))`: a status the spec does not list.
    Unexpected(syn::Ident),
}

fn error_arm(body: &syn::Expr) -> Option<ErrorArm> {
    let body = match body {
        syn::Expr::Block(block) => match block.block.stmts.as_slice() {
            [syn::Stmt::Expr(expr, None)] => expr,
            _ => return None,
        },
        body => body,
    };
    let error = single(call_to(body, &["Err"])?)?;
    if call_to(error, &["Error", "ErrorResponse"]).is_some() {
        return Some(ErrorArm::Response);
    }
    let response = single(call_to(error, &["Error", "UnexpectedResponse"])?)?;
    Some(ErrorArm::Unexpected(ident_of(response)?.clone()))
}

/// The one argument of a call.
fn single(args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>) -> Option<&syn::Expr> {
    args.first().filter(|_| args.len() == 1)
}

/// Whether a status pattern (`401u16`, `400u16..=499u16`) holds only statuses of 300 and more.
fn error_statuses(pattern: &syn::Pat) -> bool {
    fn status(expr: &syn::Expr) -> Option<u16> {
        match expr {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(int),
                ..
            }) => int.base10_parse().ok(),
            _ => None,
        }
    }
    let lowest = match pattern {
        syn::Pat::Lit(literal) => status(&syn::Expr::Lit(literal.clone())),
        syn::Pat::Range(range) => range.start.as_deref().and_then(status),
        _ => None,
    };
    lowest.is_some_and(|lowest| lowest >= 300)
}

/// Every progenitor `Error::…` still named in a `send`.
struct Leftovers(Vec<String>);

impl<'ast> syn::visit::Visit<'ast> for Leftovers {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.segments.len() == 2 && path.segments[0].ident == "Error" {
            self.0.push(format!(
                "no progenitor `Error::{}` but those it maps",
                path.segments[1].ident
            ));
        }
        syn::visit::visit_path(self, path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(file: &mut syn::File) -> Result<(), Vec<super::super::Unexpected>> {
        super::super::run(file, &mut [&mut Errors])
    }

    #[test]
    fn a_send_hands_its_request_to_the_transport_and_its_errors_are_kaas_errors() {
        let mut file: syn::File = syn::parse_quote! {
            const _: () = {
                #[allow(dead_code)]
                fn assert_client_hooks() where Client: ClientHooks<crate::generated_support::Transport> {}
            };
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Error>> {
                        let Self { client, id, x_real_ip } = self;
                        let id = id.map_err(Error::InvalidRequest)?;
                        let url = format!("{}/things/{}", client.baseurl, encode_path(&id.to_string()));
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        if let Some(value) = x_real_ip {
                            header_map.append("X-Real-IP", value.to_string().try_into()?);
                        }
                        let mut request = client.client.get(url).headers(header_map).build()?;
                        let info = OperationInfo { operation_id: "get_thing" };
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        client.post(&result, &info).await?;
                        let response = result?;
                        match response.status().as_u16() {
                            200u16 => crate::generated_support::decode_json(response).await,
                            204u16 => Ok(ResponseValue::empty(response)),
                            400u16..=499u16 => {
                                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
                            }
                            401u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
            }
        };
        rewritten(&mut file).unwrap();
        let expected: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub async fn send(self) -> crate::generated_support::Result<ResponseValue<types::Thing>> {
                        let Self { client, id, x_real_ip } = self;
                        let id = id.map_err(crate::generated_support::Error::InvalidInput)?;
                        let url = format!("{}/things/{}", client.baseurl, encode_path(&id.to_string()));
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        if let Some(value) = x_real_ip {
                            header_map.append(
                                "X-Real-IP",
                                value.to_string().try_into().map_err(crate::generated_support::invalid_header_value)?,
                            );
                        }
                        let mut request = client
                            .client
                            .get(url)
                            .headers(header_map)
                            .build()
                            .map_err(crate::generated_support::classify_reqwest_error)?;
                        let info = OperationInfo { operation_id: "get_thing" };
                        let response = crate::generated_support::execute(
                            &client.inner,
                            &client.client,
                            request,
                            info.operation_id,
                        )
                        .await?;
                        match response.status().as_u16() {
                            200u16 => crate::generated_support::decode_json(response).await,
                            204u16 => Ok(ResponseValue::empty(response)),
                            _ => Err(crate::generated_support::unexpected_answer(response)),
                        }
                    }
                }
            }
        };
        assert_eq!(
            prettyplease::unparse(&file),
            prettyplease::unparse(&expected)
        );
    }

    #[test]
    fn a_send_in_another_shape_is_noticed_and_named() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl A {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Error>> {
                        let info = OperationInfo { operation_id: "get_thing" };
                        let response = client.exec(request, &info).await?;
                        match response.status().as_u16() { _ => Err(Error::UnexpectedResponse(response)) }
                    }
                }
            }
        };
        let problems = rewritten(&mut file).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].to_string(),
            format!(
                "the `errors` rewrite expected {HOOKS} in operation `get_thing`; progenitor's output changed: update codegen/src/rewrite/errors.rs"
            )
        );
    }

    #[test]
    fn an_unknown_question_mark_an_error_arm_for_a_success_and_a_stray_error_are_noticed() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl A {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Error>> {
                        let body = body.map_err(|e| e.to_string())?;
                        let info = OperationInfo { operation_id: "get_thing" };
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        client.post(&result, &info).await?;
                        let response = result?;
                        match response.status().as_u16() {
                            202u16 => Err(Error::ErrorResponse(ResponseValue::empty(response))),
                            _ => Err(Error::Custom(String::new())),
                        }
                    }
                }
            }
        };
        let problems = rewritten(&mut file).unwrap_err();
        let expected: Vec<String> = problems.iter().map(|p| p.expected.clone()).collect();
        assert!(problems.iter().all(|p| p.rewrite == "errors"));
        assert_eq!(expected.len(), 4, "{expected:?}");
        assert!(expected[0].starts_with("`?` only on"), "{expected:?}");
        assert!(expected[1].contains("300 and more"), "{expected:?}");
        assert!(
            expected.contains(&"no progenitor `Error::ErrorResponse` but those it maps".into())
        );
        assert!(expected.contains(&"no progenitor `Error::Custom` but those it maps".into()));
    }

    #[test]
    fn a_method_outside_send_is_left_alone() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder { impl A { pub fn id(self) -> Result<u8, Error<()>> { x.build()? } } }
        };
        let before = file.clone();
        rewritten(&mut file).unwrap();
        assert_eq!(file, before);
    }
}
