//! Property tests: whatever a server or a file holds, kaas's decoders answer with a value or a
//! typed error, never a panic (nor a stack overflow, nor a hang).
//!
//! Covered: the OKS sealed-box opener, each provider's error decoder (as the transport runs it),
//! each provider's response types (the main ones with `serde_json::from_slice`, and every
//! request, response and error body of every operation through the generated contract codecs),
//! and the kubeconfig parser. Inputs are arbitrary bytes and strings, and near-valid ones:
//! every fixture with mutated values, re-encoded and then corrupted byte by byte; sealed boxes of
//! the right length; generated kubeconfigs (which must also give back the names they hold);
//! YAML nested thousands deep or built of aliases.
//!
//! Case count: `PROPTEST_CASES` (default 256 per property, so `cargo test` stays quick).
//!
//! **The 100,000-case run** is the ignored test `hundred_thousand_cases_of_every_property`
//! (each property 100,000 times; more if `PROPTEST_CASES` says so). CI does not pay for it on
//! every push; run it before a release:
//!
//! ```text
//! cargo test --release --test it properties:: -- --ignored --nocapture
//! ```

// With no provider compiled in, only the kubeconfig properties run.
#![cfg_attr(
    not(any(
        feature = "digitalocean",
        feature = "oks",
        feature = "cloud66",
        feature = "commissaire"
    )),
    allow(dead_code)
)]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

/// Cases per property when `PROPTEST_CASES` is not set.
const DEFAULT_CASES: u32 = 256;
/// Cases per property in the ignored full run.
const FULL_RUN_CASES: u32 = 100_000;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// Runs `test` on `cases` values of `strategy`; a panic inside is a failure, shrunk and
/// reported with its input.
fn check<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let started = std::time::Instant::now();
    let mut runner = TestRunner::new(config);
    if let Err(error) = runner.run(&strategy, test) {
        panic!("{name}: {error}");
    }
    eprintln!("{name}: {cases} cases in {:.1?}", started.elapsed());
}

// ---------------------------------------------------------------------------------------------
// Inputs

/// Arbitrary bytes, up to 4 KiB.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..4096)
}

/// Bytes drawn from JSON's alphabet, which reach deeper into a JSON parser than noise does.
fn json_ish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: Vec<u8> = b"{}[]\":,0123456789.eE+- \\/truefalsnul\xff\x00".to_vec();
    prop::collection::vec(prop::sample::select(alphabet), 0..1024)
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        any::<String>().prop_map(Value::String),
        "[a-z_]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map("[A-Za-z_]{0,12}", inner, 0..8)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Values that break careless decoders: extremes, wrong types, empties, odd text.
fn nasty_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(null)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(-1)),
        Just(json!(1e308)),
        Just(json!(-0.0)),
        Just(json!(18446744073709551616.0)),
        Just(json!("")),
        Just(json!("\u{0}\u{feff}\u{202e}")),
        Just(json!("2019-08-24T14:15:22Z")),
        Just(json!("not-a-uuid")),
        Just(json!([])),
        Just(json!({})),
        Just(json!(true)),
        Just(json!("x".repeat(10_000))),
        json_value(),
    ]
}

/// One change to a JSON document, at the node `path` leads to (each step picks a child by
/// index, modulo the number of children; the walk stops at a leaf).
#[derive(Clone, Debug)]
enum Mutation {
    Replace(Vec<usize>, Value),
    Remove(Vec<usize>),
    Insert(Vec<usize>, String, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let path = || prop::collection::vec(any::<usize>(), 0..8);
    prop_oneof![
        4 => (path(), nasty_value()).prop_map(|(p, v)| Mutation::Replace(p, v)),
        2 => path().prop_map(Mutation::Remove),
        1 => (path(), "[A-Za-z_]{1,12}", nasty_value()).prop_map(|(p, k, v)| Mutation::Insert(p, k, v)),
    ]
}

/// The child of `value` a path step picks, if it has children.
fn child(value: &mut Value, step: usize) -> Option<&mut Value> {
    match value {
        Value::Array(items) if !items.is_empty() => {
            let at = step % items.len();
            items.get_mut(at)
        }
        Value::Object(map) if !map.is_empty() => {
            let at = step % map.len();
            map.values_mut().nth(at)
        }
        _ => None,
    }
}

fn apply(document: &mut Value, mutation: &Mutation) {
    let (path, remove_last) = match mutation {
        Mutation::Replace(path, _) | Mutation::Insert(path, _, _) => (path.as_slice(), false),
        Mutation::Remove(path) => (path.as_slice(), true),
    };
    let mut at = document;
    let steps = path.len().saturating_sub(usize::from(remove_last));
    for &step in &path[..steps] {
        if child(at, step).is_none() {
            break;
        }
        at = child(at, step).expect("checked above");
    }
    match mutation {
        Mutation::Replace(_, value) => *at = value.clone(),
        Mutation::Insert(_, key, value) => {
            if let Value::Object(map) = at {
                map.insert(key.clone(), value.clone());
            } else if let Value::Array(items) = at {
                items.push(value.clone());
            }
        }
        Mutation::Remove(path) => {
            let step = path.last().copied().unwrap_or(0);
            match at {
                Value::Array(items) if !items.is_empty() => {
                    let at = step % items.len();
                    items.remove(at);
                }
                Value::Object(map) if !map.is_empty() => {
                    let key = map.keys().nth(step % map.len()).cloned();
                    if let Some(key) = key {
                        map.remove(&key);
                    }
                }
                _ => *at = Value::Null,
            }
        }
    }
}

/// A change to the bytes of a document.
#[derive(Clone, Debug)]
enum Corruption {
    None,
    Truncate(usize),
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
}

fn corruption() -> impl Strategy<Value = Corruption> {
    prop_oneof![
        3 => Just(Corruption::None),
        1 => any::<usize>().prop_map(Corruption::Truncate),
        1 => (any::<usize>(), 1u8..).prop_map(|(at, bits)| Corruption::Flip(at, bits)),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(at, b)| Corruption::Insert(at, b)),
    ]
}

fn corrupt(mut bytes: Vec<u8>, corruption: &Corruption) -> Vec<u8> {
    let len = bytes.len().max(1);
    match corruption {
        Corruption::None => {}
        Corruption::Truncate(at) => bytes.truncate(at % len),
        Corruption::Flip(at, bits) => {
            if let Some(byte) = bytes.get_mut(at % len) {
                *byte ^= bits;
            }
        }
        Corruption::Insert(at, extra) => {
            let at = (at % len).min(bytes.len());
            bytes.splice(at..at, extra.iter().copied());
        }
    }
    bytes
}

/// Every top-level fixture file of a provider: (file name, bytes).
fn fixture_files(provider: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(provider);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_file())
        .map(|entry| {
            let bytes = std::fs::read(entry.path()).expect("a readable fixture");
            (entry.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

/// The JSON fixtures of a provider, parsed.
fn json_fixtures(provider: &str) -> Vec<Value> {
    let fixtures: Vec<Value> = fixture_files(provider)
        .into_iter()
        .filter(|(name, _)| name.ends_with(".json"))
        .map(|(name, bytes)| {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{provider}/{name}: {e}"))
        })
        .collect();
    assert!(!fixtures.is_empty(), "{provider} has JSON fixtures");
    fixtures
}

/// Every JSON fixture of every provider compiled in, with its provider.
fn all_json_fixtures() -> Vec<(&'static str, Value)> {
    PROVIDERS
        .iter()
        .flat_map(|&provider| {
            json_fixtures(provider)
                .into_iter()
                .map(move |f| (provider, f))
        })
        .collect()
}

/// A fixture with mutated values, re-encoded, then maybe corrupted: its provider, the mutated
/// value, and the near-valid JSON bytes.
fn near_valid(
    fixtures: Vec<(&'static str, Value)>,
) -> impl Strategy<Value = (&'static str, Value, Vec<u8>)> {
    (
        prop::sample::select(fixtures),
        prop::collection::vec(mutation(), 0..4),
        corruption(),
    )
        .prop_map(|((provider, mut document), mutations, corruption)| {
            for mutation in &mutations {
                apply(&mut document, mutation);
            }
            let bytes = corrupt(serde_json::to_vec(&document).expect("JSON"), &corruption);
            (provider, document, bytes)
        })
}

/// JSON nested `depth` deep, in the middle of an otherwise fine object.
fn deep_json() -> impl Strategy<Value = Vec<u8>> {
    (1usize..20_000, any::<bool>()).prop_map(|(depth, objects)| {
        let (open, close) = if objects {
            (r#"{"a":"#.repeat(depth), "}".repeat(depth))
        } else {
            ("[".repeat(depth), "]".repeat(depth))
        };
        format!(r#"{{"name":"x","deep":{open}1{close}}}"#).into_bytes()
    })
}

// ---------------------------------------------------------------------------------------------
// Decoders

/// Every error decoder: the transport's reading of an error answer never panics, and keeps the
/// status and provider it was given.
fn decode_error(provider: &str, status: u16, body: &[u8]) -> Result<(), TestCaseError> {
    let decoded = kaas::fuzzing::decode_error_answer(provider, status, body);
    if (100..=999).contains(&status) {
        let api = decoded.ok_or_else(|| {
            TestCaseError::fail(format!("{provider}: no ApiError for status {status}"))
        })?;
        prop_assert_eq!(api.status, status);
        prop_assert_eq!(api.provider, provider);
        // A body excerpt is for diagnosis: bounded whatever the body.
        if let Some(excerpt) = &api.body_excerpt {
            prop_assert!(
                excerpt.chars().count() <= 1024,
                "excerpt of {} chars",
                excerpt.chars().count()
            );
        }
    }
    Ok(())
}

/// The providers compiled in.
const PROVIDERS: &[&str] = &[
    #[cfg(feature = "digitalocean")]
    "digitalocean",
    #[cfg(feature = "oks")]
    "oks",
    #[cfg(feature = "cloud66")]
    "cloud66",
    #[cfg(feature = "commissaire")]
    "commissaire",
];

/// `serde_json::from_slice` into each provider's main response types.
fn decode_main_types(provider: &str, bytes: &[u8]) {
    macro_rules! decode {
        ($($ty:ty),* $(,)?) => {
            $(let _ = serde_json::from_slice::<$ty>(bytes);)*
        };
    }
    match provider {
        #[cfg(feature = "digitalocean")]
        "digitalocean" => {
            use kaas::digitalocean::types::*;
            decode!(
                ClusterResponse,
                ClusterList,
                NodePoolResponse,
                NodePoolList,
                Credentials,
                AvailableUpgrades,
                ClusterlintResults,
                AssociatedResources,
                KubernetesOptions,
                Error,
            );
        }
        #[cfg(feature = "oks")]
        "oks" => {
            use kaas::oks::types::*;
            decode!(
                ClusterResponse,
                ClusterResponseList,
                ProjectResponse,
                ProjectResponseList,
                KubeconfigResponse,
                QuotasResponse,
                ErrorResponse,
            );
        }
        #[cfg(feature = "cloud66")]
        "cloud66" => {
            use kaas::cloud66::types::*;
            decode!(ClusterResponse, ClusterList, StackActionResponse, Error);
        }
        #[cfg(feature = "commissaire")]
        "commissaire" => {
            use kaas::commissaire::types::*;
            decode!(
                Cluster,
                ClusterDeploy,
                Host,
                HostList,
                HostStatus,
                Network,
                Names
            );
        }
        _ => {}
    }
}

/// Every request, response and error codec of every operation of the provider.
fn codecs(provider: &str) -> Vec<fn(Value) -> serde_json::Result<Value>> {
    macro_rules! all {
        ($bodies:expr) => {
            $bodies
                .iter()
                .flat_map(|b| [b.request, b.response, b.error])
                .flatten()
                .map(|(_, codec)| codec)
                .collect()
        };
    }
    match provider {
        #[cfg(feature = "digitalocean")]
        "digitalocean" => all!(kaas::digitalocean::contract::BODIES),
        #[cfg(feature = "oks")]
        "oks" => all!(kaas::oks::contract::BODIES),
        #[cfg(feature = "cloud66")]
        "cloud66" => all!(kaas::cloud66::contract::BODIES),
        #[cfg(feature = "commissaire")]
        "commissaire" => all!(kaas::commissaire::contract::BODIES),
        _ => Vec::new(),
    }
}

/// A value through every codec of the provider: decoded, and re-encoded when it decodes.
fn through_codecs(codecs: &[fn(Value) -> serde_json::Result<Value>], value: &Value) {
    for codec in codecs {
        let _ = codec(value.clone());
    }
}

// ---------------------------------------------------------------------------------------------
// Properties (each takes its case count, for the quick and the full run)

fn error_decoders(cases: u32) {
    let statuses = prop_oneof![
        prop::sample::select(vec![
            400u16, 401, 403, 404, 409, 422, 429, 500, 501, 502, 503, 504
        ]),
        any::<u16>(),
    ];
    let providers = prop::sample::select(
        PROVIDERS
            .iter()
            .copied()
            .chain(["unknown"])
            .collect::<Vec<_>>(),
    );
    let error_fixtures: Vec<Vec<u8>> = PROVIDERS
        .iter()
        .flat_map(|p| fixture_files(p))
        .filter(|(name, _)| name.contains(".error."))
        .map(|(_, bytes)| bytes)
        .collect();
    let bodies = prop_oneof![
        bytes(),
        json_ish_bytes(),
        deep_json(),
        (prop::sample::select(error_fixtures), corruption()).prop_map(|(b, c)| corrupt(b, &c)),
        json_value().prop_map(|v| serde_json::to_vec(&v).expect("JSON")),
        near_valid(all_json_fixtures()).prop_map(|(_, _, bytes)| bytes),
    ];
    check(
        "error decoders",
        cases,
        (providers, statuses, bodies),
        |(provider, status, body)| {
            if provider == "unknown" {
                prop_assert!(kaas::fuzzing::decode_error_answer(provider, status, &body).is_none());
                return Ok(());
            }
            decode_error(provider, status, &body)
        },
    );
}

fn response_types_from_bytes(cases: u32) {
    let bodies = prop_oneof![bytes(), json_ish_bytes(), deep_json()];
    check(
        "response types from arbitrary bytes",
        cases,
        (prop::sample::select(PROVIDERS.to_vec()), bodies),
        |(provider, body)| {
            decode_main_types(provider, &body);
            Ok(())
        },
    );
}

fn response_types_from_near_valid_json(cases: u32) {
    let codecs: Vec<(&str, Vec<_>)> = PROVIDERS.iter().map(|p| (*p, codecs(p))).collect();
    check(
        "response types from mutated fixtures",
        cases,
        near_valid(all_json_fixtures()),
        |(provider, value, bytes)| {
            decode_main_types(provider, &bytes);
            let codecs = &codecs
                .iter()
                .find(|(p, _)| *p == provider)
                .expect("a provider")
                .1;
            through_codecs(codecs, &value);
            if let Ok(reparsed) = serde_json::from_slice::<Value>(&bytes) {
                through_codecs(codecs, &reparsed);
            }
            Ok(())
        },
    );
}

fn every_codec_from_any_json(cases: u32) {
    let codecs: Vec<_> = PROVIDERS.iter().flat_map(|p| codecs(p)).collect();
    check(
        "every codec from any JSON value",
        cases,
        json_value(),
        |value| {
            through_codecs(&codecs, &value);
            Ok(())
        },
    );
}

#[cfg(feature = "oks")]
fn sealed_box_opener(cases: u32) {
    use base64::Engine as _;
    use kaas::oks::{KubeconfigKey, nacl};
    use kaas::{CryptoError, Error};

    const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
    /// A sealed box's overhead: the ephemeral public key and the tag.
    const OVERHEAD: usize = 48;

    #[derive(Clone, Debug)]
    enum Input {
        /// Any text as the server's field.
        Text(String),
        /// Base64 of random bytes (a box of the right length when long enough), with
        /// whitespace inserted.
        RandomBox(Vec<u8>, Vec<usize>),
        /// A real box for the key around random bytes: it opens; the content decides the rest.
        Sealed(Vec<u8>),
        /// A real box with one bit flipped.
        Tampered(Vec<u8>, usize, u8),
    }

    let key = KubeconfigKey::generate();
    let public = key.public_key_base64();
    let crypto = |result: kaas::Result<kaas::Kubeconfig>| match result {
        Err(Error::Crypto(e)) => Some(e),
        _ => None,
    };
    let plaintext = || {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..512),
            kubeconfig_document().prop_map(|k| k.yaml.into_bytes()),
        ]
    };
    let inputs = prop_oneof![
        any::<String>().prop_map(Input::Text),
        "[A-Za-z0-9+/= \n]{0,200}".prop_map(Input::Text),
        (
            prop::collection::vec(any::<u8>(), 0..OVERHEAD + 256),
            prop::collection::vec(any::<usize>(), 0..4)
        )
            .prop_map(|(b, w)| Input::RandomBox(b, w)),
        plaintext().prop_map(Input::Sealed),
        (plaintext(), any::<usize>(), 1u8..).prop_map(|(p, at, bits)| Input::Tampered(p, at, bits)),
    ];
    check("sealed-box opener", cases, inputs, |input| {
        match input {
            Input::Text(text) => {
                let _ = key.open(&text);
            }
            Input::RandomBox(bytes, spaces) => {
                let mut text = B64.encode(&bytes);
                for at in spaces {
                    let at = at % (text.len() + 1);
                    text.insert(at, if at % 2 == 0 { '\n' } else { ' ' });
                }
                let expected = if bytes.len() < OVERHEAD {
                    CryptoError::TooShort { len: bytes.len() }
                } else {
                    CryptoError::Unauthenticated
                };
                prop_assert_eq!(crypto(key.open(&text)), Some(expected));
            }
            Input::Sealed(plaintext) => {
                let sealed = nacl::seal_for(&public, &plaintext).expect("sealed");
                let opened = key.open(&sealed);
                match std::str::from_utf8(&plaintext) {
                    Err(_) => prop_assert_eq!(crypto(opened), Some(CryptoError::NotUtf8)),
                    Ok(text) => match opened {
                        Ok(config) => prop_assert_eq!(config.expose_yaml(), text),
                        Err(Error::Kubeconfig(_)) => {}
                        Err(other) => {
                            return Err(TestCaseError::fail(format!("unexpected error {other}")));
                        }
                    },
                }
            }
            Input::Tampered(plaintext, at, bits) => {
                let mut sealed = B64
                    .decode(nacl::seal_for(&public, &plaintext).expect("sealed"))
                    .expect("base64");
                let at = at % sealed.len();
                sealed[at] ^= bits;
                prop_assert_eq!(
                    crypto(key.open(&B64.encode(&sealed))),
                    Some(CryptoError::Unauthenticated)
                );
            }
        }
        Ok(())
    });
}

/// A generated kubeconfig and the names it holds.
#[derive(Clone, Debug)]
struct KubeconfigDocument {
    yaml: String,
    contexts: Vec<String>,
    clusters: Vec<String>,
    servers: Vec<String>,
    current: Option<String>,
}

/// YAML double-quoted scalar of any text (JSON's escaping is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string")
}

/// Kubeconfigs with arbitrary names (no control or line-separator characters, which YAML 1.1
/// folds), in block or flow style, with or without the optional parts.
fn kubeconfig_document() -> impl Strategy<Value = KubeconfigDocument> {
    let name = "[^\\p{C}\\p{Zl}\\p{Zp}]{0,24}";
    let clusters = prop::collection::vec((name, prop::option::of(name)), 0..4);
    let contexts = prop::collection::vec(name, 0..4);
    (clusters, contexts, prop::option::of(name), any::<bool>()).prop_map(
        |(clusters, contexts, current, flow)| {
            let mut yaml = String::from("apiVersion: v1\nkind: Config\n");
            if let Some(current) = &current {
                yaml.push_str(&format!("current-context: {}\n", quoted(current)));
            }
            yaml.push_str("clusters:\n");
            for (name, server) in &clusters {
                let cluster = match server {
                    Some(server) => format!(
                        "{{server: {}, certificate-authority-data: QUJD}}",
                        quoted(server)
                    ),
                    None => "{insecure-skip-tls-verify: true}".to_string(),
                };
                if flow {
                    yaml.push_str(&format!(
                        "- {{name: {}, cluster: {cluster}}}\n",
                        quoted(name)
                    ));
                } else {
                    yaml.push_str(&format!("- name: {}\n  cluster: {cluster}\n", quoted(name)));
                }
            }
            yaml.push_str("contexts:\n");
            for name in &contexts {
                yaml.push_str(&format!(
                    "- name: {}\n  context:\n    cluster: c\n    user: u\n",
                    quoted(name)
                ));
            }
            yaml.push_str("users:\n- name: u\n  user:\n    token: s3cr3t\n");
            KubeconfigDocument {
                yaml,
                servers: clusters
                    .iter()
                    .map(|(_, server)| server.clone().unwrap_or_default())
                    .collect(),
                clusters: clusters.into_iter().map(|(name, _)| name).collect(),
                contexts,
                current: current.filter(|c| !c.is_empty()),
            }
        },
    )
}

/// YAML nested thousands deep, flow or block, as a kubeconfig's value or a whole document.
fn deep_yaml() -> impl Strategy<Value = String> {
    (1usize..20_000, 0u8..3).prop_map(|(depth, style)| match style {
        0 => format!("contexts: {}x{}\n", "[".repeat(depth), "]".repeat(depth)),
        1 => format!("clusters: {}x{}\n", "{a: ".repeat(depth), "}".repeat(depth)),
        _ => {
            // Block style: indentation grows with depth, so keep it to a few hundred levels.
            let depth = depth % 400 + 1;
            let mut yaml = String::from("contexts:\n");
            for level in 0..depth {
                yaml.push_str(&format!("{}- \n", "  ".repeat(level + 1)));
            }
            yaml
        }
    })
}

/// "Billion laughs": each level refers `fanout` times to the one below.
fn alias_bomb() -> impl Strategy<Value = String> {
    (
        1usize..12,
        1usize..12,
        prop::sample::select(vec!["contexts", "clusters", "ignored"]),
    )
        .prop_map(|(levels, fanout, key)| {
            let mut yaml = String::from("l0: &l0 [lol]\n");
            for level in 1..levels {
                let refs = vec![format!("*l{}", level - 1); fanout].join(", ");
                yaml.push_str(&format!("l{level}: &l{level} [{refs}]\n"));
            }
            yaml.push_str(&format!("{key}: *l{}\n", levels - 1));
            yaml
        })
}

fn kubeconfig_parser(cases: u32) {
    check(
        "kubeconfig parser, arbitrary input",
        cases,
        prop_oneof![
            bytes(),
            any::<String>().prop_map(String::into_bytes),
            deep_yaml().prop_map(String::into_bytes),
            alias_bomb().prop_map(String::into_bytes),
            (kubeconfig_document(), corruption())
                .prop_map(|(k, c)| corrupt(k.yaml.into_bytes(), &c)),
        ],
        |input| {
            let from_bytes = kaas::Kubeconfig::from_bytes(input.clone());
            if let Ok(text) = String::from_utf8(input) {
                let from_yaml = kaas::Kubeconfig::from_yaml(text);
                prop_assert_eq!(from_bytes.is_ok(), from_yaml.is_ok());
            } else {
                prop_assert!(matches!(from_bytes, Err(kaas::Error::Kubeconfig(_))));
            }
            if let Err(error) = &from_bytes {
                prop_assert!(matches!(error, kaas::Error::Kubeconfig(_)), "{error:?}");
            }
            Ok(())
        },
    );
    check(
        "kubeconfig parser, generated kubeconfigs",
        cases,
        kubeconfig_document(),
        |document| {
            let config = kaas::Kubeconfig::from_yaml(document.yaml.clone())
                .map_err(|e| TestCaseError::fail(format!("{e}\n{}", document.yaml)))?;
            prop_assert_eq!(config.context_names(), document.contexts.as_slice());
            prop_assert_eq!(config.cluster_names(), document.clusters.as_slice());
            prop_assert_eq!(config.servers(), document.servers.as_slice());
            prop_assert_eq!(config.current_context(), document.current.as_deref());
            prop_assert_eq!(config.expose_yaml(), document.yaml.as_str());
            let debug = format!("{config:?}");
            prop_assert!(!debug.contains("s3cr3t"), "the token in Debug: {}", debug);
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Tests

#[cfg(any(
    feature = "digitalocean",
    feature = "oks",
    feature = "cloud66",
    feature = "commissaire"
))]
#[test]
fn error_decoders_never_panic() {
    error_decoders(cases());
}

#[cfg(any(
    feature = "digitalocean",
    feature = "oks",
    feature = "cloud66",
    feature = "commissaire"
))]
#[test]
fn response_types_never_panic_on_arbitrary_bytes() {
    response_types_from_bytes(cases());
}

#[cfg(any(
    feature = "digitalocean",
    feature = "oks",
    feature = "cloud66",
    feature = "commissaire"
))]
#[test]
fn response_types_never_panic_on_mutated_fixtures() {
    response_types_from_near_valid_json(cases());
}

#[cfg(any(
    feature = "digitalocean",
    feature = "oks",
    feature = "cloud66",
    feature = "commissaire"
))]
#[test]
fn every_operation_body_codec_never_panics() {
    every_codec_from_any_json(cases());
}

#[cfg(feature = "oks")]
#[test]
fn the_sealed_box_opener_never_panics_and_types_every_failure() {
    sealed_box_opener(cases());
}

#[test]
fn the_kubeconfig_parser_never_panics_and_keeps_the_names() {
    kubeconfig_parser(cases());
}

/// The full run: every property above, 100,000 cases each.
#[test]
#[ignore = "the 100,000-case run: cargo test --release --test it properties:: -- --ignored"]
fn hundred_thousand_cases_of_every_property() {
    let cases = cases().max(FULL_RUN_CASES);
    #[cfg(any(
        feature = "digitalocean",
        feature = "oks",
        feature = "cloud66",
        feature = "commissaire"
    ))]
    {
        error_decoders(cases);
        response_types_from_bytes(cases);
        response_types_from_near_valid_json(cases);
        every_codec_from_any_json(cases);
    }
    #[cfg(feature = "oks")]
    sealed_box_opener(cases);
    kubeconfig_parser(cases);
}
