//! Helpers shared by the provider test files: fixtures, request capture for wire-shape
//! snapshots, and a log capture for the secret-leak tests.
#![allow(dead_code, unused_imports, unused_macros)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use httpmock::MockServer;
use serde::Serialize;
use serde_json::Value;

/// The folder of a provider's fixtures.
pub fn fixture_dir(provider: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(provider)
}

/// An empty folder of its own for one test, `kaas-<suite>-<pid>-<test>` under the temporary
/// folder (emptied first, in case a run before left it).
pub fn scratch_folder(suite: &str, test: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("kaas-{suite}-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// Runs `kubectl args..` on the kubeconfig file `kubeconfig` alone (a cleared environment,
/// HOME in the file's folder), or `None` when kubectl is not on PATH: the tests that use it
/// check what they can without it, and say that they skipped the rest.
pub fn kubectl(kubeconfig: &Path, args: &[&str]) -> Option<std::process::Output> {
    let path = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&path)
        .map(|dir| dir.join("kubectl"))
        .find(|candidate| candidate.is_file());
    let Some(kubectl) = found else {
        eprintln!("kubectl is not on PATH: its part of this test is skipped");
        return None;
    };
    let home = kubeconfig.parent().unwrap_or(Path::new("."));
    Some(
        std::process::Command::new(kubectl)
            .args(args)
            .env_clear()
            .env("HOME", home)
            .env("KUBECONFIG", kubeconfig)
            .output()
            .unwrap(),
    )
}

/// A mock's JSON answer with `status`.
pub fn json_response(status: u16, body: &Value) -> httpmock::HttpMockResponse {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.to_string())
        .unwrap()
        .into()
}

/// Answers `status` with `body` as JSON exactly as given, under a typed mock's matchers (its
/// `then.into_inner()`): for an answer the operation's typed responders cannot send (a field
/// the spec does not know, a shape or a status it does not list, a body a typed value would
/// reshape on the way out).
pub fn answer_json(then: httpmock::Then, status: u16, body: Value) -> httpmock::Then {
    then.status(status)
        .header("content-type", "application/json")
        .json_body(body)
}

/// Answers `status` with `body` as `content_type` text, under a typed mock's matchers: a YAML
/// kubeconfig, a proxy's HTML page, a truncated JSON body.
pub fn answer_text(
    then: httpmock::Then,
    status: u16,
    content_type: &str,
    body: impl Into<String>,
) -> httpmock::Then {
    then.status(status)
        .header("content-type", content_type)
        .body(body.into())
}

/// A fixture's text.
pub fn fixture_text(provider: &str, name: &str) -> String {
    let path = fixture_dir(provider).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// A JSON fixture.
pub fn fixture(provider: &str, name: &str) -> Value {
    serde_json::from_str(&fixture_text(provider, name))
        .unwrap_or_else(|e| panic!("fixture {name} is not JSON: {e}"))
}

/// A JSON fixture as a typed value.
pub fn fixture_as<T: serde::de::DeserializeOwned>(provider: &str, name: &str) -> T {
    serde_json::from_value(fixture(provider, name))
        .unwrap_or_else(|e| panic!("fixture {name} does not decode: {e}"))
}

/// Every fixture file name of a provider (top level only), sorted.
pub fn fixture_names(provider: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixture_dir(provider))
        .expect("fixture folder")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A provider's spec, `specs/<provider>.yaml`, as JSON.
pub fn spec(provider: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("specs/{provider}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// specs/README.md rule 9, checked by the generator's one implementation: the spec's examples
/// and the provider's fixtures are the same set, each fixture named after the operation and
/// status it is an example of. Returns how many examples and fixtures there are.
pub fn assert_examples_are_fixtures(provider: &str) -> (usize, usize) {
    use kaas_codegen::examples;
    let spec = spec(provider);
    let fixtures = examples::read_fixtures(&fixture_dir(provider)).unwrap();
    let problems = examples::check_fixtures(&spec, &fixtures);
    assert!(
        problems.is_empty(),
        "specs/{provider}.yaml and tests/fixtures/{provider}/ break rule 9:\n{}",
        problems.join("\n")
    );
    (examples::examples(&spec).unwrap().len(), fixtures.len())
}

/// A fixture name split as `<operation_id>.<kind>[.<variant>].<ext>`.
#[derive(Debug, Clone)]
pub struct FixtureName {
    pub file: String,
    pub operation: String,
    pub kind: String,
    pub variant: Option<String>,
}

pub fn parse_fixture_name(file: &str) -> FixtureName {
    let parts: Vec<&str> = file.split('.').collect();
    assert!(
        parts.len() >= 3,
        "fixture `{file}` is not named <operation>.<kind>[.<variant>].<ext>"
    );
    let variant = (parts.len() > 3).then(|| parts[2..parts.len() - 1].join("."));
    FixtureName {
        file: file.to_string(),
        operation: parts[0].to_string(),
        kind: parts[1].to_string(),
        variant,
    }
}

/// One request as the server saw it, for snapshots.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WireRequest {
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    pub headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// Headers worth showing in a wire snapshot; the rest (host, content-length, ...) vary or say nothing.
const SHOWN_HEADERS: &[&str] = &[
    "accept",
    "content-type",
    "authorization",
    "user-agent",
    "accesskey",
    "secretkey",
    "accesstoken",
    "refreshtoken",
    "x-otp-code",
    "x-encrypt-nacl",
    "x-real-ip",
    "api-version",
];

/// Headers whose value is a credential or random: shown as `[redacted]`.
const REDACTED_HEADERS: &[&str] = &[
    "authorization",
    "accesskey",
    "secretkey",
    "accesstoken",
    "refreshtoken",
    "x-otp-code",
    "x-encrypt-nacl",
];

impl WireRequest {
    pub fn from_mock(request: &httpmock::HttpMockRequest) -> Self {
        let uri = request.uri();
        let mut headers = BTreeMap::new();
        for (name, value) in request.headers_vec() {
            let name = name.to_ascii_lowercase();
            if !SHOWN_HEADERS.contains(&name.as_str()) {
                continue;
            }
            let shown = if REDACTED_HEADERS.contains(&name.as_str()) {
                "[redacted]".to_string()
            } else if name == "user-agent" {
                value.replace(env!("CARGO_PKG_VERSION"), "<version>")
            } else {
                value.clone()
            };
            headers.insert(name, shown);
        }
        let body = request.body_ref();
        let body = (!body.is_empty()).then(|| {
            serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
        });
        WireRequest {
            method: request.method_str().to_string(),
            path: uri.path().to_string(),
            query: request.query_params().into_iter().collect(),
            headers,
            body,
        }
    }
}

/// Starts a mock server that answers every request with `status` and `body` and records
/// what it receives.
pub async fn recording_server(
    status: u16,
    body: &str,
) -> (MockServer, Arc<Mutex<Vec<WireRequest>>>) {
    let server = MockServer::start_async().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let body = body.to_string();
    // Raw: a catch-all that records the request of whichever operation is sent.
    server
        .mock_async(move |when, then| {
            when.is_true(move |request| {
                sink.lock().unwrap().push(WireRequest::from_mock(request));
                true
            });
            then.status(status)
                .header("content-type", "application/json")
                .body(body);
        })
        .await;
    (server, seen)
}

/// Everything the client side logs through `tracing` in this test binary, at every level, as
/// text (kaas, reqwest, hyper; not the mock server, which sees credentials by design). The
/// subscriber is global (installed once), because a thread-local one misses events whose
/// callsites other threads registered first.
pub fn global_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: std::sync::OnceLock<Arc<Mutex<Vec<u8>>>> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        use tracing_subscriber::Layer as _;
        use tracing_subscriber::layer::SubscriberExt as _;
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || LogWriter(writer.clone()))
            .with_filter(tracing_subscriber::filter::filter_fn(|meta| {
                !meta.target().starts_with("httpmock")
            }));
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::set_global_default(subscriber)
            .expect("one global subscriber per test binary");
        buffer
    })
    .clone()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The logs as text.
pub fn logs_text(buffer: &Arc<Mutex<Vec<u8>>>) -> String {
    String::from_utf8_lossy(&buffer.lock().unwrap()).into_owned()
}

/// Decodes a JSON value into a generated type and encodes it back.
pub type Codec = fn(Value) -> serde_json::Result<Value>;

/// One operation's body codecs, from a provider's generated `contract::BODIES`.
pub struct OperationBodies {
    pub operation: &'static str,
    pub request: Option<Codec>,
    pub response: Option<Codec>,
    pub error: Option<Codec>,
}

/// How many fixtures of each kind were checked.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ContractReport {
    pub requests: usize,
    pub responses: usize,
    pub errors: usize,
    pub other: Vec<String>,
}

/// Runs every JSON fixture of a provider through the generated types: responses and errors
/// must decode; requests must decode and encode back to exactly the fixture (so the typed
/// request the client sends is the documented one). Non-JSON fixtures are listed in `other`
/// for the provider's own test. Any fixture naming an unknown operation fails.
pub fn check_contract(provider: &str, bodies: &[OperationBodies]) -> ContractReport {
    let mut report = ContractReport::default();
    let mut failures = Vec::new();
    for file in fixture_names(provider) {
        if !file.ends_with(".json") {
            report.other.push(file);
            continue;
        }
        let name = parse_fixture_name(&file);
        let value = fixture(provider, &file);
        let codecs: Vec<&OperationBodies> = if name.operation == "common" {
            bodies
                .iter()
                .filter(|b| b.error.is_some())
                .take(1)
                .collect()
        } else {
            bodies
                .iter()
                .filter(|b| b.operation == name.operation)
                .collect()
        };
        let Some(op) = codecs.first() else {
            failures.push(format!(
                "{file}: no operation `{}` in the spec",
                name.operation
            ));
            continue;
        };
        let (codec, counter) = match name.kind.as_str() {
            "request" => (op.request, &mut report.requests),
            "response" => (op.response, &mut report.responses),
            "error" => (op.error, &mut report.errors),
            other => {
                failures.push(format!("{file}: unknown fixture kind `{other}`"));
                continue;
            }
        };
        let Some(codec) = codec else {
            failures.push(format!(
                "{file}: operation `{}` has no JSON {} body in the spec",
                op.operation, name.kind
            ));
            continue;
        };
        match codec(value.clone()) {
            Err(e) => failures.push(format!("{file}: does not decode: {e}")),
            Ok(encoded) if name.kind == "request" && !same_request(&encoded, &value) => failures.push(format!(
                "{file}: the typed request does not encode back to the example:\n  example: {value}\n  encoded: {encoded}"
            )),
            Ok(_) => *counter += 1,
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) break the contract:\n{}",
        failures.len(),
        failures.join("\n")
    );
    report
}

/// Whether a request body sent equals the documented one, to the letter: an empty list or map
/// the document shows is sent as such (providers give `[]` a meaning of its own).
pub fn same_request(sent: &Value, documented: &Value) -> bool {
    sent == documented
}

/// The body codecs of a provider's generated `contract::BODIES`, as [`OperationBodies`].
macro_rules! contract_bodies {
    ($bodies:expr) => {
        $bodies
            .iter()
            .map(|b| common::OperationBodies {
                operation: b.operation,
                request: b.request.map(|(_, codec)| codec),
                response: b.response.map(|(_, codec)| codec),
                error: b.error.map(|(_, codec)| codec),
            })
            .collect::<Vec<_>>()
    };
}
pub(crate) use contract_bodies;

/// Sends one operation's request to a recording server and keeps what arrived under the
/// operation's name; a documented request example must be what was sent.
macro_rules! record_wire {
    ($shapes:ident, $seen:ident, $provider:expr, $op:literal, $call:expr) => {{
        // The recording server answers 200 `{}` to everything; only the request matters here.
        let _ = $call.send().await;
        let request = $seen
            .lock()
            .unwrap()
            .pop()
            .expect(concat!($op, " sent nothing"));
        if common::fixture_dir($provider)
            .join(concat!($op, ".request.json"))
            .exists()
        {
            let documented = common::fixture($provider, concat!($op, ".request.json"));
            let sent = request.body.clone().unwrap_or_default();
            assert!(
                common::same_request(&sent, &documented),
                "{}: sent {sent}, documented {documented}",
                $op
            );
        }
        assert!(
            $shapes.insert($op, request).is_none(),
            concat!($op, " called twice")
        );
    }};
}
pub(crate) use record_wire;

/// One line of an operation inventory snapshot.
#[derive(Serialize)]
pub struct InventoryEntry {
    operation_id: &'static str,
    method: &'static str,
    path: &'static str,
    tag: &'static str,
    rust_method: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    deprecated: bool,
}

/// A provider's generated operations, as the inventory snapshot shows them.
pub fn inventory(module: &str, operations: &[kaas::Operation]) -> Vec<InventoryEntry> {
    operations
        .iter()
        .map(|op| InventoryEntry {
            operation_id: op.id,
            method: op.method,
            path: op.path,
            tag: op.tag,
            rust_method: format!("kaas::{module}::Client::{}()", op.id),
            deprecated: op.deprecated,
        })
        .collect()
}

/// Every operation of the spec was recorded once, and each request shows its credential
/// headers only as `[redacted]`.
pub fn assert_every_operation_recorded(
    shapes: &BTreeMap<&str, WireRequest>,
    operations: &[kaas::Operation],
    credential_headers: &[&str],
) {
    let recorded: Vec<&str> = shapes.keys().copied().collect();
    let mut all: Vec<&str> = operations.iter().map(|op| op.id).collect();
    all.sort();
    assert_eq!(
        recorded, all,
        "every operation of the spec has a wire shape"
    );
    for (op, shape) in shapes {
        for header in credential_headers {
            assert_eq!(
                shape.headers.get(*header).map(String::as_str),
                Some("[redacted]"),
                "{op}: {header}"
            );
        }
    }
}
