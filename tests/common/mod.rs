//! Helpers shared by the provider test files: fixtures, request capture for wire-shape
//! snapshots, and a log capture for the secret-leak tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use httpmock::MockServer;
use serde::Serialize;
use serde_json::Value;

/// The folder of a provider's fixtures.
pub fn fixture_dir(provider: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(provider)
}

/// A fixture's text.
pub fn fixture_text(provider: &str, name: &str) -> String {
    let path = fixture_dir(provider).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// A JSON fixture.
pub fn fixture(provider: &str, name: &str) -> Value {
    serde_json::from_str(&fixture_text(provider, name)).unwrap_or_else(|e| panic!("fixture {name} is not JSON: {e}"))
}

/// A JSON fixture as a typed value.
pub fn fixture_as<T: serde::de::DeserializeOwned>(provider: &str, name: &str) -> T {
    serde_json::from_value(fixture(provider, name)).unwrap_or_else(|e| panic!("fixture {name} does not decode: {e}"))
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
    assert!(parts.len() >= 3, "fixture `{file}` is not named <operation>.<kind>[.<variant>].<ext>");
    let variant = (parts.len() > 3).then(|| parts[2..parts.len() - 1].join("."));
    FixtureName { file: file.to_string(), operation: parts[0].to_string(), kind: parts[1].to_string(), variant }
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
    "api-version",
];

/// Headers whose value is a credential or random: shown as `[redacted]`.
const REDACTED_HEADERS: &[&str] = &["authorization", "accesskey", "secretkey", "accesstoken", "refreshtoken", "x-otp-code", "x-encrypt-nacl"];

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
            serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
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
pub async fn recording_server(status: u16, body: &str) -> (MockServer, Arc<Mutex<Vec<WireRequest>>>) {
    let server = MockServer::start_async().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let body = body.to_string();
    server
        .mock_async(move |when, then| {
            when.is_true(move |request| {
                sink.lock().unwrap().push(WireRequest::from_mock(request));
                true
            });
            then.status(status).header("content-type", "application/json").body(body);
        })
        .await;
    (server, seen)
}

/// Collects everything `tracing` logs (at every level) while `f` runs, as text.
pub fn capture_logs() -> (tracing::subscriber::DefaultGuard, Arc<Mutex<Vec<u8>>>) {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || LogWriter(writer.clone()))
        .finish();
    (tracing::subscriber::set_default(subscriber), buffer)
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
