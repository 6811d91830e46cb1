//! The generator behind kaas: turns a hand-curated OpenAPI 3.0.3 spec into a typed client.
//!
//! kaas's `build.rs` calls [`generate`] once per enabled provider. For a spec it:
//! 1. checks it against the curation rules of `specs/README.md` ([`spec_check`]), failing with
//!    a message that names the file, the operation and the fix instead of letting progenitor
//!    panic;
//! 2. rewrites what progenitor cannot express: `x-extensible-enum` schemas become open enums
//!    ([`enums`]), defaults on optional properties become documentation, optional lists and
//!    maps of request bodies become `Option` so `[]` can be sent ([`request_bodies`]);
//! 3. runs progenitor (Builder interface) and rewrites its output in one syntax-tree pass
//!    ([`rewrite`]): kaas's path checks and encoding, refusals that say why, secret-safe
//!    decoding, every request handed to kaas's transport in place of progenitor's hooks, and
//!    `send()` returning `kaas::Result`, with every error a kaas error where it is made;
//! 4. returns the client and the operation inventory ([`inventory`]), and, for kaas's `mock`
//!    feature, the typed httpmock helpers (a second progenitor run), the body codecs of the
//!    contract tests ([`contract`]) and the path probe of the hostile-input tests ([`probes`]).
//!
//! Everything it writes is built as syntax (`quote!`, `syn`), never by editing text, and names
//! only two paths of kaas: the support module [`SUPPORT`] and the provider's own
//! [`own_module`].

pub mod contract;
pub mod enums;
pub mod examples;
pub mod inventory;
pub mod probes;
pub mod refs;
pub mod request_bodies;
pub mod rewrite;
pub mod secrets;
pub mod spec_check;

use std::path::Path;

use serde_json::Value;

/// Providers with a spec and a module, each behind the cargo feature of the same name.
pub const PROVIDERS: &[&str] = &["digitalocean", "oks", "cloud66", "commissaire"];

/// The one module of kaas the generated code may name (`src/generated_support.rs`), besides
/// its own module ([`own_module`]).
pub const SUPPORT: &str = "crate::generated_support";

/// [`SUPPORT`] as a path, for `quote!`.
pub fn support() -> syn::Path {
    syn::parse_str(SUPPORT).expect("SUPPORT is a path")
}

/// The module the provider's generated client is included in (`crate::<provider>::generated`):
/// the open enums' home, and what the typed mocks import.
pub fn own_module(provider: &str) -> String {
    format!("crate::{provider}::generated")
}

/// What one spec generates: Rust source for the files kaas includes.
#[derive(Debug)]
pub struct Generated {
    /// The client, its types and builders, and the open enums (`<provider>.rs`).
    pub client: String,
    /// `OPERATIONS`, the operation inventory (`<provider>_operations.rs`).
    pub operations: String,
    /// With mocks: the typed httpmock helpers (`<provider>_mock.rs`), and `BODIES`, the body
    /// codecs of the contract tests, with the path probe of the hostile-input tests
    /// (`<provider>_contract.rs`).
    pub mocks: Option<Mocks>,
}

/// The files of the `mock` feature.
#[derive(Debug)]
pub struct Mocks {
    /// The typed httpmock helpers (`<provider>_mock.rs`).
    pub mock: String,
    /// The body codecs and the path probe (`<provider>_contract.rs`).
    pub contract: String,
}

/// Whether [`generate`] wrote the provider's files or found them up to date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generation {
    /// The spec or the generator changed since the last run: the files were written anew.
    Written,
    /// The files in `out_dir` came from this spec text and this generator: left as they are.
    UpToDate,
}

/// Reads, checks, rewrites and generates one provider's spec into `out_dir`. The error is a
/// complete, user-facing message naming the file.
///
/// Cargo reruns the build script when any spec changes; a provider whose spec text and
/// generator are those of the last run (its fingerprint file in `out_dir` says so) is not
/// generated again, so a one-line edit of one spec regenerates only that provider.
///
/// `mock` (kaas's `mock` feature) adds the typed httpmock helpers, a second progenitor run, and
/// the contract tests' codecs; without it they are neither generated nor written.
pub fn generate(
    provider: &str,
    spec_path: &Path,
    out_dir: &Path,
    mock: bool,
) -> Result<Generation, String> {
    let file = spec_path.display().to_string();
    let text = std::fs::read_to_string(spec_path).map_err(|e| {
        format!("{file}: cannot read the spec ({e}); the `{provider}` feature needs it")
    })?;
    let mut outputs = vec![
        format!("{provider}.rs"),
        format!("{provider}_operations.rs"),
    ];
    if mock {
        outputs.push(format!("{provider}_mock.rs"));
        outputs.push(format!("{provider}_contract.rs"));
    }
    let fingerprint_path = out_dir.join(format!("{provider}.fingerprint"));
    let fingerprint = fingerprint(&text, &format!("{} mock={mock}", generator_identity()));
    let up_to_date = std::fs::read_to_string(&fingerprint_path).is_ok_and(|f| f == fingerprint)
        && outputs.iter().all(|name| out_dir.join(name).is_file());
    if up_to_date {
        return Ok(Generation::UpToDate);
    }
    let generated = generate_from_text(provider, &file, &text, mock)?;
    let mut contents = vec![&generated.client, &generated.operations];
    if let Some(mocks) = &generated.mocks {
        contents.push(&mocks.mock);
        contents.push(&mocks.contract);
    }
    // The fingerprint goes last and only after every file is written: an interrupted run
    // leaves no fingerprint that vouches for half-written files.
    let _ = std::fs::remove_file(&fingerprint_path);
    for (name, contents) in outputs.iter().zip(contents) {
        std::fs::write(out_dir.join(name), contents)
            .map_err(|e| format!("cannot write OUT_DIR/{name}: {e}"))?;
    }
    std::fs::write(&fingerprint_path, fingerprint)
        .map_err(|e| format!("cannot write OUT_DIR/{provider}.fingerprint: {e}"))?;
    Ok(Generation::Written)
}

/// What the generated files depend on besides the spec: the generator itself. The running
/// build script is rebuilt whenever this crate, its pinned dependencies or `build.rs` change,
/// so its size and modification time identify the generator.
fn generator_identity() -> String {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| format!("{} {:?}", m.len(), m.modified().ok()))
        .unwrap_or_else(|_| "unknown generator".into())
}

/// A fingerprint of one generation's inputs (FNV-1a over the spec text and the generator's
/// identity; the text itself is kept out of `OUT_DIR`).
fn fingerprint(spec_text: &str, generator: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in spec_text.bytes().chain([0]).chain(generator.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x} {} {generator}", spec_text.len())
}

/// [`generate`] on a spec's text; `file` names it in messages.
pub fn generate_from_text(
    provider: &str,
    file: &str,
    text: &str,
    mock: bool,
) -> Result<Generated, String> {
    let mut doc: Value =
        serde_yaml_ng::from_str(text).map_err(|e| format!("{file}: not valid YAML: {e}"))?;

    let problems = spec_check::check(&doc);
    if !problems.is_empty() {
        let list = problems
            .iter()
            .map(|p| format!("  - {p}"))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(format!("{file}: {} problem(s):\n{list}", problems.len()));
    }

    let extensible = enums::collect(&doc).map_err(|e| format!("{file}: {e}"))?;
    let secret_operations = secrets::operations_answering_secrets(&doc);
    spec_check::document_property_defaults(&mut doc);
    request_bodies::keep_empty_collections(&mut doc);

    let spec: openapiv3::OpenAPI = serde_json::from_value(doc.clone())
        .map_err(|e| format!("{file}: not an OpenAPI 3.0.3 document: {e}"))?;

    let support = support();
    let own_module = own_module(provider);
    let mut settings = progenitor_impl::GenerationSettings::default();
    settings
        .with_interface(progenitor_impl::InterfaceStyle::Builder)
        .with_tag(progenitor_impl::TagStyle::Merged)
        .with_inner_type(quote::quote! { #support::Transport })
        // No `ClientHooks` is implemented (the `errors` rewrite calls the transport instead and
        // drops progenitor's check), so a hook call the rewrite missed does not compile.
        .with_hooks(progenitor_impl::HooksMode::Expected)
        .with_derive("PartialEq");
    for (name, schema) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        if schema["x-secret"] == Value::Bool(true) {
            settings.with_replacement(name, format!("{SUPPORT}::SecretText"), std::iter::empty());
        }
    }
    for e in &extensible {
        settings.with_replacement(
            &e.name,
            format!("{own_module}::extensible::{}", e.name),
            [
                progenitor_impl::TypeImpl::Display,
                progenitor_impl::TypeImpl::FromStr,
            ]
            .into_iter(),
        );
    }

    let client = run_generator(
        file,
        "client",
        || {
            let mut generator = progenitor_impl::Generator::new(&settings);
            let tokens = generator.generate_tokens(&spec)?;
            let open_enums = enums::module(&extensible);
            Ok(quote::quote!(#tokens #open_enums))
        },
        |code| rewrite::client(code, &secret_operations),
    )?;
    let mocks = if mock {
        let mock = run_generator(
            file,
            "httpmock helpers",
            || {
                let mut generator = progenitor_impl::Generator::new(&settings);
                generator.httpmock(&spec, &own_module)
            },
            rewrite::mocks,
        )?;
        let bodies = contract::bodies(&doc);
        let probe = probes::path_probe(&doc);
        Some(Mocks {
            mock,
            contract: unparse(quote::quote!(#bodies #probe)),
        })
    } else {
        None
    };

    Ok(Generated {
        client,
        operations: unparse(inventory::operations(&doc)),
        mocks,
    })
}

/// Formats code the generator emitted with `quote!`.
fn unparse(tokens: proc_macro2::TokenStream) -> String {
    let file = syn::parse2::<syn::File>(tokens).expect("the generator emits items");
    prettyplease::unparse(&file)
}

/// Runs one progenitor step, turning both its errors and its panics into a message, then
/// `rewrite` on the parsed code.
fn run_generator(
    file: &str,
    what: &str,
    step: impl FnOnce() -> Result<proc_macro2::TokenStream, progenitor_impl::Error>
    + std::panic::UnwindSafe,
    rewrite: impl FnOnce(&mut syn::File) -> Result<(), Vec<rewrite::Unexpected>>,
) -> Result<String, String> {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(step);
    std::panic::set_hook(previous_hook);
    let tokens = match outcome {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(e)) => {
            return Err(format!(
                "{file}: progenitor could not generate the {what}: {e}\n  fix: the spec uses a construct outside the rules of specs/README.md"
            ));
        }
        Err(panic) => {
            let reason = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown reason".into());
            return Err(format!(
                "{file}: progenitor stopped while generating the {what}: {reason}\n  fix: the spec uses a construct progenitor does not support; keep to the rules in specs/README.md"
            ));
        }
    };
    let mut syntax = syn::parse2::<syn::File>(tokens).map_err(|e| {
        format!("{file}: generated {what} is not valid Rust ({e}); this is a kaas bug")
    })?;
    rewrite(&mut syntax).map_err(|problems| {
        let list = problems
            .iter()
            .map(|p| format!("  - {p}"))
            .collect::<Vec<_>>()
            .join("\n");
        format!(
            "{file}: the {what} progenitor generated is not in the shape kaas rewrites ({} problem(s)):\n{list}",
            problems.len()
        )
    })?;
    Ok(prettyplease::unparse(&syntax))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things/{id}:
    get:
      operationId: get_thing
      tags: [things]
      summary: Get a thing
      parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
components:
  schemas:
    Thing:
      type: object
      properties:
        state: {$ref: '#/components/schemas/State'}
    State: {type: string, x-extensible-enum: true, enum: [ready]}
"##;

    /// Every `crate::…` path in `tokens`, macro bodies and serde's string paths included.
    fn crate_paths(tokens: proc_macro2::TokenStream, found: &mut BTreeSet<String>) {
        use proc_macro2::TokenTree;
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        for (at, token) in tokens.iter().enumerate() {
            match token {
                TokenTree::Group(group) => crate_paths(group.stream(), found),
                TokenTree::Ident(ident)
                    if ident == "crate"
                        && matches!(tokens.get(at + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':') =>
                {
                    // `crate` `::` `name` (`::` `name`)*: the path up to its last identifier.
                    let mut path = vec!["crate".to_string()];
                    let mut rest = &tokens[at + 1..];
                    while let [
                        TokenTree::Punct(a),
                        TokenTree::Punct(b),
                        TokenTree::Ident(name),
                        tail @ ..,
                    ] = rest
                        && a.as_char() == ':'
                        && b.as_char() == ':'
                    {
                        path.push(name.to_string());
                        rest = tail;
                    }
                    found.insert(path.join("::"));
                }
                TokenTree::Literal(literal) => {
                    if let Ok(text) =
                        syn::parse2::<syn::LitStr>(TokenTree::Literal(literal.clone()).into())
                        && let Ok(path) = syn::parse_str::<syn::Path>(&text.value())
                        && path.segments.first().is_some_and(|s| s.ident == "crate")
                    {
                        crate_paths(quote::quote!(#path), found);
                    }
                }
                _ => {}
            }
        }
    }

    #[test]
    fn generated_code_names_only_the_support_module_and_its_own() {
        for provider in PROVIDERS {
            let file = format!("../specs/{provider}.yaml");
            let text = std::fs::read_to_string(&file).unwrap();
            let generated = generate_from_text(provider, &file, &text, true).unwrap();
            let mocks = generated.mocks.unwrap();
            let mut found = BTreeSet::new();
            for code in [
                &generated.client,
                &generated.operations,
                &mocks.mock,
                &mocks.contract,
            ] {
                crate_paths(code.parse().unwrap(), &mut found);
            }
            let own = own_module(provider);
            let strays: Vec<&String> = found
                .iter()
                .filter(|p| {
                    !p.starts_with(&format!("{SUPPORT}::"))
                        && **p != own
                        && !p.starts_with(&format!("{own}::"))
                })
                .collect();
            assert!(strays.is_empty(), "{provider}: {strays:?}");
            assert!(
                found.contains(&format!("{SUPPORT}::encode_path")),
                "{found:?}"
            );
        }
    }

    #[test]
    fn a_spec_generates_client_inventory_and_with_mocks_mocks_and_codecs() {
        let generated = generate_from_text("demo", "specs/demo.yaml", SPEC, true).unwrap();
        let client: syn::File = syn::parse_str(&generated.client).unwrap();
        let names: Vec<String> = client
            .items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Mod(m) => Some(m.ident.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(
            names,
            ["types", "builder", "prelude", "extensible"],
            "{}",
            generated.client
        );
        let mocks = generated.mocks.unwrap();
        let operations: syn::File = syn::parse_str(&generated.operations).unwrap();
        assert_eq!(operations.items.len(), 1, "OPERATIONS");
        let _: syn::File = syn::parse_str(&mocks.mock).unwrap();
        let _: syn::File = syn::parse_str(&mocks.contract).unwrap();

        let without = generate_from_text("demo", "specs/demo.yaml", SPEC, false).unwrap();
        assert!(without.mocks.is_none());
        assert_eq!(without.client, generated.client);
    }

    #[test]
    fn a_broken_spec_is_a_message_naming_the_file_not_a_panic() {
        let broken = SPEC.replace("operationId: get_thing", "operationId: GetThing");
        let error = generate_from_text("demo", "specs/demo.yaml", &broken, false).unwrap_err();
        assert!(
            error.starts_with("specs/demo.yaml: 1 problem(s):"),
            "{error}"
        );
        assert!(error.contains("rename it to `get_thing`"), "{error}");
        let error = generate_from_text("demo", "specs/demo.yaml", "openapi: [", false).unwrap_err();
        assert!(error.contains("not valid YAML"), "{error}");
    }

    #[test]
    fn an_unchanged_spec_is_not_generated_again_and_a_changed_one_is() {
        let dir = std::env::temp_dir().join(format!("kaas-codegen-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let spec = dir.join("demo.yaml");
        std::fs::write(&spec, SPEC).unwrap();
        assert_eq!(generate("demo", &spec, &dir, true), Ok(Generation::Written));
        let client = std::fs::read_to_string(dir.join("demo.rs")).unwrap();
        assert_eq!(
            generate("demo", &spec, &dir, true),
            Ok(Generation::UpToDate)
        );

        // A one-line edit regenerates; a missing output regenerates too.
        std::fs::write(&spec, SPEC.replace("summary: Get", "summary: Read")).unwrap();
        assert_eq!(generate("demo", &spec, &dir, true), Ok(Generation::Written));
        assert_ne!(
            std::fs::read_to_string(dir.join("demo.rs")).unwrap(),
            client
        );
        std::fs::remove_file(dir.join("demo_mock.rs")).unwrap();
        assert_eq!(generate("demo", &spec, &dir, true), Ok(Generation::Written));
        assert!(dir.join("demo_mock.rs").is_file());

        // A broken edit is an error; restoring the first text generates it again.
        std::fs::write(&spec, "openapi: [").unwrap();
        assert!(generate("demo", &spec, &dir, true).is_err());
        std::fs::write(&spec, SPEC).unwrap();
        assert_eq!(generate("demo", &spec, &dir, true), Ok(Generation::Written));
        // Turning mocks off is a change too.
        assert_eq!(
            generate("demo", &spec, &dir, false),
            Ok(Generation::Written)
        );
        assert_eq!(
            generate("demo", &spec, &dir, false),
            Ok(Generation::UpToDate)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_fingerprint_changes_with_the_spec_and_with_the_generator() {
        let base = fingerprint("openapi: 3.0.3", "gen 1");
        assert_eq!(base, fingerprint("openapi: 3.0.3", "gen 1"));
        assert_ne!(base, fingerprint("openapi: 3.0.4", "gen 1"));
        assert_ne!(base, fingerprint("openapi: 3.0.3", "gen 2"));
    }
}
