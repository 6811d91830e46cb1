//! A small HTTP/1.1 server on 127.0.0.1 for the request-path benchmarks: keep-alive,
//! `Content-Length` bodies, answers serialized once up front, and a per-answer latency that
//! can change between measurements. Written by hand so that the server costs little and the
//! same on every request; it runs on its own thread and tokio runtime. It can stand in for
//! many accounts at once ([`Loopback::start_many`]), each under a path of its own, and counts
//! the requests in flight, per account and in all.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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

/// Requests in flight now, and the most there were at once.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl InFlight {
    fn start(&self) {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
    }

    fn end(&self) {
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The route sets served, each under its path prefix (`""` for a single set), with their
/// requests in flight, and the requests in flight in all.
struct Served {
    sets: Vec<(String, Routes, InFlight)>,
    all: InFlight,
}

/// A running server; it stops when the process ends.
pub struct Loopback {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// The size of the first page's answer, head included, in bytes.
    pub first_page_bytes: usize,
    latency_ms: Arc<AtomicU64>,
    answered: Arc<AtomicU64>,
    served: Arc<Served>,
}

impl Loopback {
    /// Binds 127.0.0.1 on a free port, builds the routes for that address and serves them.
    pub fn start(routes: impl FnOnce(&str) -> Routes) -> Loopback {
        Loopback::serve_sets(|base_url| vec![(String::new(), routes(base_url))])
    }

    /// Serves `count` route sets, set `n` under `/a<n>` (its base URL is
    /// [`set_url`](Self::set_url)): `routes(n, set_url)` builds each.
    #[allow(dead_code, reason = "not every bench stands in for many accounts")]
    pub fn start_many(count: usize, routes: impl Fn(usize, &str) -> Routes) -> Loopback {
        Loopback::serve_sets(|base_url| {
            (0..count)
                .map(|n| {
                    let prefix = format!("/a{n}");
                    let routes = routes(n, &format!("{base_url}{prefix}"));
                    (prefix, routes)
                })
                .collect()
        })
    }

    /// The base URL of route set `n` of [`start_many`](Self::start_many).
    #[allow(dead_code, reason = "not every bench stands in for many accounts")]
    pub fn set_url(&self, n: usize) -> String {
        format!("{}/a{n}", self.base_url)
    }

    /// The most requests that were in flight at once in all, and for each route set, since
    /// the start or the last [`reset_in_flight`](Self::reset_in_flight).
    #[allow(dead_code, reason = "not every bench counts requests in flight")]
    pub fn peak_in_flight(&self) -> (usize, Vec<usize>) {
        let sets = self.served.sets.iter();
        (
            self.served.all.peak.load(Ordering::SeqCst),
            sets.map(|(_, _, set)| set.peak.load(Ordering::SeqCst))
                .collect(),
        )
    }

    /// Starts counting the peaks of requests in flight afresh.
    #[allow(dead_code, reason = "not every bench counts requests in flight")]
    pub fn reset_in_flight(&self) {
        for counter in self
            .served
            .sets
            .iter()
            .map(|(_, _, set)| set)
            .chain([&self.served.all])
        {
            counter
                .peak
                .store(counter.now.load(Ordering::SeqCst), Ordering::SeqCst);
        }
    }

    /// Binds 127.0.0.1 on a free port, builds the route sets for that address and serves them.
    fn serve_sets(sets: impl FnOnce(&str) -> Vec<(String, Routes)>) -> Loopback {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        std_listener.set_nonblocking(true).expect("non-blocking");
        let address: SocketAddr = std_listener.local_addr().expect("local address");
        let base_url = format!("http://{address}");
        let served = Arc::new(Served {
            sets: sets(&base_url)
                .into_iter()
                .map(|(prefix, routes)| (prefix, routes, InFlight::default()))
                .collect(),
            all: InFlight::default(),
        });
        let first_page_bytes = served
            .sets
            .first()
            .and_then(|(_, routes, _)| routes.pages.first())
            .map_or(0, Bytes::len);
        let latency_ms = Arc::new(AtomicU64::new(0));
        let answered = Arc::new(AtomicU64::new(0));
        let (latency, count) = (latency_ms.clone(), answered.clone());
        let routes = served.clone();
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
            served,
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
    served: &Served,
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
        let (answer, keep_alive, set) = answer(&head, served);
        let counters = [Some(&served.all), set.map(|n| &served.sets[n].2)];
        counters
            .iter()
            .flatten()
            .for_each(|counter| counter.start());
        let latency = latency_ms.load(Ordering::Relaxed);
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        let written = stream.write_all(&answer).await;
        counters.iter().flatten().for_each(|counter| counter.end());
        written?;
        answered.fetch_add(1, Ordering::Relaxed);
        if !keep_alive {
            return Ok(());
        }
    }
}

/// The answer to one request head, whether the connection stays open, and the route set it
/// went to. Only GETs without a body are served.
fn answer(head: &[u8], served: &Served) -> (Bytes, bool, Option<usize>) {
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
            None,
        );
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let Some((set, path, routes)) =
        served
            .sets
            .iter()
            .enumerate()
            .find_map(|(n, (prefix, routes, _))| {
                let rest = path.strip_prefix(prefix.as_str())?;
                (prefix.is_empty() || rest.starts_with('/')).then_some((n, rest, routes))
            })
    else {
        return (error(404, "not_found", "no such account"), !close, None);
    };
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
    (answer, !close, Some(set))
}

fn list_page(query: &str, routes: &Routes) -> Bytes {
    let mut page = 1u64;
    let mut per_page = 20u64;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("page", value)) => page = value.parse().unwrap_or(0),
            // DigitalOcean's `per_page`, OKS's `limit`.
            Some(("per_page" | "limit", value)) => per_page = value.parse().unwrap_or(0),
            _ => {}
        }
    }
    if per_page != u64::from(routes.per_page) || page == 0 {
        return error(400, "bad_request", "this server serves one page size only");
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
