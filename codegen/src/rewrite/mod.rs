//! The one pass over progenitor's output: a single `syn::visit_mut` traversal of the parsed
//! file, composed of small rewrites, one per concern and one file each:
//!
//! | rewrite | what it changes |
//! |---|---|
//! | [`facade`] | the client's constructors are the crate's (`from_parts`), its `Debug` the facade's |
//! | [`imports`] | `encode_path` is kaas's, not progenitor's |
//! | [`paths`] | every path parameter is checked and encoded right after its own conversion |
//! | [`patterns`] | a value refused by a `pattern` is named in the message |
//! | [`decoders`] | success bodies go through kaas's decoders (secret-safe where needed), byte streams are the body the transport read |
//! | [`setters`] | a builder setter's refusal keeps the conversion's own error |
//! | [`owned_builders`] | a builder borrows its client or owns a clone (`into_owned()`), so a list walk can keep it |
//! | [`timestamps`] | timestamps are read by kaas's fast RFC 3339 reader |
//! | [`errors`] | progenitor's `send` hands its request to the transport (no hooks) and returns `kaas::Result`: every error is a kaas error where it is made |
//! | [`send`] | `send()` returns `kaas::Result<T>`, `send_with_response()` the status and headers too; no `api-version` header |
//! | [`mocks`](mod@mocks) | typed mocks match and answer per request |
//!
//! Each rewrite matches the shapes progenitor 0.15 emits. When a shape it relies on is not
//! there (a progenitor upgrade), it says so with an [`Unexpected`], and the build fails with
//! one kind of message naming the rewrite, the operation and the file to update. Rewrites
//! never edit token text: they match and build syntax trees.

pub mod decoders;
pub mod errors;
pub mod facade;
pub mod imports;
pub mod mocks;
pub mod owned_builders;
pub mod paths;
pub mod patterns;
pub mod send;
pub mod setters;
pub mod timestamps;

use std::collections::BTreeSet;

use syn::visit_mut::{self, VisitMut};

/// What a rewrite expected in progenitor's output and did not find.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unexpected {
    /// The rewrite, which is also its file: `codegen/src/rewrite/<rewrite>.rs`.
    pub rewrite: &'static str,
    /// The operation being rewritten, when inside one.
    pub operation: Option<String>,
    /// What the rewrite looked for.
    pub expected: String,
}

impl std::fmt::Display for Unexpected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the `{}` rewrite expected {}",
            self.rewrite, self.expected
        )?;
        if let Some(operation) = &self.operation {
            write!(f, " in operation `{operation}`")?;
        }
        write!(
            f,
            "; progenitor's output changed: update codegen/src/rewrite/{}.rs",
            self.rewrite
        )
    }
}

/// Where the pass is, and what the rewrites found missing so far.
#[derive(Debug, Default)]
pub struct Context {
    /// The inline modules around the current node, outermost first.
    pub modules: Vec<String>,
    /// The operation id, inside an operation's `send`.
    pub operation: Option<String>,
    problems: Vec<Unexpected>,
}

impl Context {
    /// Records that `rewrite` expected `expected` here.
    pub fn unexpected(&mut self, rewrite: &'static str, expected: impl Into<String>) {
        self.problems.push(Unexpected {
            rewrite,
            operation: self.operation.clone(),
            expected: expected.into(),
        });
    }

    /// Whether the current node is inside exactly the top-level module `name`.
    pub fn in_module(&self, name: &str) -> bool {
        self.modules.len() == 1 && self.modules[0] == name
    }
}

/// One concern of the pass: the pass calls each hook on every node of its kind, after the
/// node's children (so a hook sees its children rewritten already), in the order the rewrites
/// are given.
pub trait Rewrite {
    /// The whole file, before anything else.
    fn file(&mut self, _cx: &mut Context, _file: &mut syn::File) {}
    /// An expression.
    fn expr(&mut self, _cx: &mut Context, _expr: &mut syn::Expr) {}
    /// A match arm.
    fn arm(&mut self, _cx: &mut Context, _arm: &mut syn::Arm) {}
    /// A method of an `impl` block (`cx.operation` is set inside a builder's `send`).
    fn method(&mut self, _cx: &mut Context, _method: &mut syn::ImplItemFn) {}
    /// An `impl` block.
    fn item_impl(&mut self, _cx: &mut Context, _item: &mut syn::ItemImpl) {}
    /// A struct.
    fn item_struct(&mut self, _cx: &mut Context, _item: &mut syn::ItemStruct) {}
}

/// Runs `rewrites` over `file` in one traversal; every shape a rewrite missed is returned.
pub fn run(file: &mut syn::File, rewrites: &mut [&mut dyn Rewrite]) -> Result<(), Vec<Unexpected>> {
    let mut pass = Pass {
        rewrites,
        cx: Context::default(),
    };
    pass.visit_file_mut(file);
    match pass.cx.problems {
        problems if problems.is_empty() => Ok(()),
        problems => Err(problems),
    }
}

/// The client's rewrites, in order. `secret_operations` answer a secret.
pub fn client(
    file: &mut syn::File,
    secret_operations: &BTreeSet<String>,
) -> Result<(), Vec<Unexpected>> {
    run(
        file,
        &mut [
            &mut facade::Facade,
            &mut imports::Imports,
            &mut paths::Paths,
            &mut patterns::Patterns,
            &mut decoders::Decoders::new(secret_operations),
            &mut setters::Setters::default(),
            &mut owned_builders::OwnedBuilders,
            &mut timestamps::Timestamps,
            &mut errors::Errors,
            &mut send::Sends,
        ],
    )
}

/// The typed mocks' rewrites.
pub fn mocks(file: &mut syn::File) -> Result<(), Vec<Unexpected>> {
    run(file, &mut [&mut mocks::Mocks])
}

struct Pass<'r, 'a> {
    rewrites: &'r mut [&'a mut dyn Rewrite],
    cx: Context,
}

impl Pass<'_, '_> {
    fn each(&mut self, mut hook: impl FnMut(&mut dyn Rewrite, &mut Context)) {
        for rewrite in self.rewrites.iter_mut() {
            hook(&mut **rewrite, &mut self.cx);
        }
    }
}

impl VisitMut for Pass<'_, '_> {
    fn visit_file_mut(&mut self, file: &mut syn::File) {
        self.each(|r, cx| r.file(cx, file));
        visit_mut::visit_file_mut(self, file);
    }

    fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
        self.cx.modules.push(module.ident.to_string());
        visit_mut::visit_item_mod_mut(self, module);
        self.cx.modules.pop();
    }

    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        visit_mut::visit_item_impl_mut(self, item);
        self.each(|r, cx| r.item_impl(cx, item));
    }

    fn visit_impl_item_fn_mut(&mut self, method: &mut syn::ImplItemFn) {
        let sends = self.cx.in_module("builder")
            && method.sig.ident == "send"
            && method.sig.asyncness.is_some();
        self.cx.operation = sends.then(|| operation_id(&method.block)).flatten();
        if sends && self.cx.operation.is_none() {
            self.cx.problems.push(Unexpected {
                rewrite: "mod",
                operation: None,
                expected: format!(
                    "`OperationInfo {{ operation_id: \"..\" }}` in the `send` of an impl in `builder` (method `{}`)",
                    method.sig.ident
                ),
            });
        }
        visit_mut::visit_impl_item_fn_mut(self, method);
        self.each(|r, cx| r.method(cx, method));
        self.cx.operation = None;
    }

    fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
        visit_mut::visit_item_struct_mut(self, item);
        self.each(|r, cx| r.item_struct(cx, item));
    }

    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        visit_mut::visit_arm_mut(self, arm);
        self.each(|r, cx| r.arm(cx, arm));
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        visit_mut::visit_expr_mut(self, expr);
        self.each(|r, cx| r.expr(cx, expr));
    }
}

/// The `"…"` of `OperationInfo { operation_id: "…" }` in a `send`'s body.
fn operation_id(block: &syn::Block) -> Option<String> {
    struct Find(Option<String>);
    impl<'ast> syn::visit::Visit<'ast> for Find {
        fn visit_expr_struct(&mut self, node: &'ast syn::ExprStruct) {
            if path_is(&node.path, &["OperationInfo"]) {
                for field in &node.fields {
                    if let (syn::Member::Named(name), Some(value)) =
                        (&field.member, string_literal(&field.expr))
                        && name == "operation_id"
                    {
                        self.0 = Some(value);
                    }
                }
            }
            syn::visit::visit_expr_struct(self, node);
        }
    }
    let mut find = Find(None);
    syn::visit::Visit::visit_block(&mut find, block);
    find.0
}

/// Whether `path`'s segments are the identifiers `names` (any leading `::` aside).
pub fn path_is(path: &syn::Path, names: &[&str]) -> bool {
    path.segments.len() == names.len() && path.segments.iter().zip(names).all(|(s, n)| s.ident == n)
}

/// The arguments of a call to the function at `names` (`ResponseValue::stream(..)`).
pub fn call_to<'e>(
    expr: &'e syn::Expr,
    names: &[&str],
) -> Option<&'e syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>> {
    match expr {
        syn::Expr::Call(call) => match call.func.as_ref() {
            syn::Expr::Path(func) if path_is(&func.path, names) => Some(&call.args),
            _ => None,
        },
        _ => None,
    }
}

/// The identifier an expression is, when it is a bare one (`response`).
pub fn ident_of(expr: &syn::Expr) -> Option<&syn::Ident> {
    match expr {
        syn::Expr::Path(path) if path.qself.is_none() => path.path.get_ident(),
        _ => None,
    }
}

/// The value of a string literal expression.
pub fn string_literal(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => Some(text.value()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unexpected_shape_names_the_rewrite_the_operation_and_the_file() {
        let problem = Unexpected {
            rewrite: "paths",
            operation: Some("get_thing".into()),
            expected: "`let id = id.map_err(Error::InvalidRequest)?;`".into(),
        };
        assert_eq!(
            problem.to_string(),
            "the `paths` rewrite expected `let id = id.map_err(Error::InvalidRequest)?;` in operation `get_thing`; progenitor's output changed: update codegen/src/rewrite/paths.rs"
        );
    }

    #[test]
    fn a_send_without_an_operation_id_is_noticed() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder { impl A { pub async fn send(self) { let x = 1; } } }
        };
        let problems = run(&mut file, &mut []).unwrap_err();
        assert!(
            problems[0].to_string().contains("operation_id"),
            "{problems:?}"
        );
    }

    #[test]
    fn the_operation_id_is_known_inside_send_only() {
        struct Seen(Vec<Option<String>>);
        impl Rewrite for Seen {
            fn method(&mut self, cx: &mut Context, _: &mut syn::ImplItemFn) {
                self.0.push(cx.operation.clone());
            }
        }
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder { impl A {
                pub fn id(self) -> Self { self }
                pub async fn send(self) { let info = OperationInfo { operation_id: "get_a" }; }
            } }
        };
        let mut seen = Seen(Vec::new());
        run(&mut file, &mut [&mut seen]).unwrap();
        assert_eq!(seen.0, [None, Some("get_a".to_string())]);
    }
}
