//! Generates one typed client per enabled provider from `specs/<provider>.yaml`, with the
//! generator in `codegen/` (see its crate docs for the steps and `specs/README.md` for the rules).

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // Typed mocks (a second progenitor run per provider) and the contract tests' codecs are
    // only for the `mock` feature.
    let mock = std::env::var_os("CARGO_FEATURE_MOCK").is_some();
    let mut failures = Vec::new();
    for provider in kaas_codegen::PROVIDERS {
        let feature = format!("CARGO_FEATURE_{}", provider.to_uppercase());
        if std::env::var_os(feature).is_none() {
            continue;
        }
        let spec_path = Path::new("specs").join(format!("{provider}.yaml"));
        println!("cargo:rerun-if-changed={}", spec_path.display());
        // Cargo reruns this script when any spec changes; a provider whose spec did not
        // change is left as it is (`Generation::UpToDate`).
        if let Err(message) = kaas_codegen::generate(provider, &spec_path, &out_dir, mock) {
            failures.push(message);
        }
    }
    if !failures.is_empty() {
        for message in &failures {
            eprintln!("error: {message}\n");
        }
        eprintln!(
            "kaas: {} spec(s) could not be turned into a client; see specs/README.md for the rules.",
            failures.len()
        );
        std::process::exit(1);
    }
}
