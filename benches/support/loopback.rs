//! A small HTTP/1.1 server on 127.0.0.1 for the request-path benchmarks: keep-alive,
//! `Content-Length` bodies, answers serialized once up front, and a per-answer latency that
//! can change between measurements. Written by hand so that the server costs little and the
//! same on every request; it runs on its own thread and tokio runtime.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// The largest request head read; a longer one closes the connection.
const MAX_HEAD: usize = 16 * 1024;

/// What the server answers, each answer a complete HTTP response (head and body).
pub struct Routes {
    /// `GET {list_path}?page=N&per_page={per_page}`: `pages[N - 1]`, and `past_last` after.
    pub list_path: String,
    /// The only page size served (another one is answered 400).
    pub per_page: u32,
    /// The pages, first to last.
    pub pages: Vec<Bytes>,
    /// The answer to a page past the last (an empty list).
    pub past_last: Bytes,
    /// `GET {list_path}/{id}`: the answer for that id.
    pub items: HashMap<String, Bytes>,
}

/// A running server; it stops when the process ends.
pub struct Loopback {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// The size of the first page's answer, head included, in bytes.
    pub first_page_bytes: usize,
    latency_ms: Arc<AtomicU64>,
    answered: Arc<AtomicU64>,
}

impl Loopback {
    /// Binds 127.0.0.1 on a free port, builds the routes for that address and serves them.
    pub fn start(routes: impl FnOnce(&str) -> Routes) -> Loopback {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        std_listener.set_nonblocking(true).expect("non-blocking");
        let address: SocketAddr = std_listener.local_addr().expect("local address");
        let base_url = format!("http://{address}");
        let routes = Arc::new(routes(&base_url));
        let first_page_bytes = routes.pages.first().map_or(0, Bytes::len);
        let latency_ms = Arc::new(AtomicU64::new(0));
        let answered = Arc::new(AtomicU64::new(0));
        let (latency, count) = (latency_ms.clone(), answered.clone());
        std::thread::Builder::new()
            .name("loopback-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                runtime.block_on(async move {
                    let listener = TcpListener::from_std(std_listener).expect("listener");
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            continue;
                        };
                        let _ = stream.set_nodelay(true);
                        let (routes, latency, count) =
                            (routes.clone(), latency.clone(), count.clone());
                        tokio::spawn(async move {
                            let _ = serve(stream, &routes, &latency, &count).await;
                        });
                    }
                });
            })
            .expect("server thread");
        Loopback {
            base_url,
            first_page_bytes,
            latency_ms,
            answered,
        }
    }

    /// Every answer from now on waits this long before it is written.
    pub fn set_latency(&self, latency: Duration) {
        self.latency_ms.store(
            u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// How many answers the server has written so far.
    pub fn answered(&self) -> u64 {
        self.answered.load(Ordering::Relaxed)
    }
}

/// One connection: request heads in, answers out, until the client closes it.
async fn serve(
    mut stream: TcpStream,
    routes: &Routes,
    latency_ms: &AtomicU64,
    answered: &AtomicU64,
) -> std::io::Result<()> {
    let mut buffer = BytesMut::with_capacity(4096);
    loop {
        let head_end = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            if buffer.len() > MAX_HEAD || stream.read_buf(&mut buffer).await? == 0 {
                return Ok(());
            }
        };
        let head = buffer.split_to(head_end);
        let (answer, keep_alive) = answer(&head, routes);
        let latency = latency_ms.load(Ordering::Relaxed);
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        stream.write_all(&answer).await?;
        answered.fetch_add(1, Ordering::Relaxed);
        if !keep_alive {
            return Ok(());
        }
    }
}

/// The answer to one request head, and whether the connection stays open. Only GETs without
/// a body are served.
fn answer(head: &[u8], routes: &Routes) -> (Bytes, bool) {
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (method, target) = (request_line.next(), request_line.next().unwrap_or_default());
    let close = lines.any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("connection:") && line.contains("close")
            || line.starts_with("content-length:") && line.trim_end() != "content-length: 0"
            || line.starts_with("transfer-encoding:")
    });
    if method != Some("GET") {
        return (
            error(405, "method_not_allowed", "only GET is served"),
            false,
        );
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let answer = if path == routes.list_path {
        list_page(query, routes)
    } else if let Some(id) = path
        .strip_prefix(routes.list_path.as_str())
        .and_then(|rest| rest.strip_prefix('/'))
    {
        routes.items.get(id).cloned().unwrap_or_else(|| {
            error(
                404,
                "not_found",
                "The resource you requested could not be found.",
            )
        })
    } else {
        error(
            404,
            "not_found",
            "The resource you requested could not be found.",
        )
    };
    (answer, !close)
}

fn list_page(query: &str, routes: &Routes) -> Bytes {
    let mut page = 1u64;
    let mut per_page = 20u64;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("page", value)) => page = value.parse().unwrap_or(0),
            Some(("per_page", value)) => per_page = value.parse().unwrap_or(0),
            _ => {}
        }
    }
    if per_page != u64::from(routes.per_page) || page == 0 {
        return error(400, "bad_request", "this server serves per_page=200 only");
    }
    usize::try_from(page - 1)
        .ok()
        .and_then(|index| routes.pages.get(index))
        .unwrap_or(&routes.past_last)
        .clone()
}

/// A complete `200 OK` answer with this JSON body and DigitalOcean's rate-limit headers.
pub fn json_answer(body: &[u8]) -> Bytes {
    answer_with_status(200, "OK", body)
}

fn error(status: u16, id: &str, message: &str) -> Bytes {
    let body = serde_json::json!({"id": id, "message": message, "request_id": "loopback"});
    let reason = match status {
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    answer_with_status(status, reason, body.to_string().as_bytes())
}

fn answer_with_status(status: u16, reason: &str, body: &[u8]) -> Bytes {
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\n\
         content-type: application/json; charset=utf-8\r\n\
         content-length: {}\r\n\
         ratelimit-limit: 5000\r\n\
         ratelimit-remaining: 4999\r\n\
         ratelimit-reset: 4102444800\r\n\
         \r\n",
        body.len()
    );
    let mut answer = BytesMut::with_capacity(head.len() + body.len());
    answer.extend_from_slice(head.as_bytes());
    answer.extend_from_slice(body);
    answer.freeze()
}
