//! An HTTP/1.1 server on loopback that misbehaves on purpose.
//!
//! Written by hand over a raw `TcpListener` (not a mock library) so that it can do what real
//! servers and proxies do on a bad day: reset the connection before or in the middle of an
//! answer, close a body short of its `Content-Length`, stall, never answer, or stream 200 MB.
//! Each [`FaultServer`] follows a script: the n-th request gets the n-th [`Answer`], the last one
//! repeating forever; a connection serves one request, or is kept alive idle after it until the
//! test closes it ([`Answer::KeepAlive`]). It records every request (method and path) and counts the body bytes it
//! managed to write.
//!
//! The servers run on one shared multi-threaded runtime of their own, in real time, so a cell's
//! client can run on a paused clock without the server's I/O moving that clock.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// The most a request head may take before the server gives up on it.
const MAX_REQUEST_HEAD: usize = 64 * 1024;

/// A connection is abandoned after this long whatever happens, so a client bug cannot leave
/// server tasks behind forever. No cell comes close to it.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);

/// The runtime every fault server runs on, apart from the cells' own runtimes.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fault-server")
            .enable_all()
            .build()
            .expect("the fault servers' runtime")
    })
}

/// One complete HTTP answer: status, headers and body. `Content-Length` and
/// `Connection: close` are added when written.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// An answer with this status, content type and body.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// A JSON answer.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Reply::new(status, "application/json", body.to_string())
    }

    /// An answer without a body or a content type.
    pub fn empty(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// The same answer with one more header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The status line and headers, announcing a body of `content_length` bytes, or a chunked
    /// body for `None`, and that the connection closes after it.
    fn head(&self, content_length: Option<u64>) -> Vec<u8> {
        self.head_keeping(content_length, false)
    }

    /// [`Reply::head`], saying `connection: keep-alive` instead when `keep_alive`.
    fn head_keeping(&self, content_length: Option<u64>, keep_alive: bool) -> Vec<u8> {
        let reason = http::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Whatever");
        let mut head = format!("HTTP/1.1 {} {reason}\r\n", self.status);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        match content_length {
            Some(length) => head.push_str(&format!("content-length: {length}\r\n")),
            None => head.push_str("transfer-encoding: chunked\r\n"),
        }
        head.push_str(if keep_alive {
            "connection: keep-alive\r\n\r\n"
        } else {
            "connection: close\r\n\r\n"
        });
        head.into_bytes()
    }
}

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Answer {
    /// Answers in full, then closes.
    Reply(Reply),
    /// Reads the request, then resets the connection (TCP RST) without a byte of answer.
    ResetBeforeHeaders,
    /// Sends the head and half the body, then resets the connection.
    ResetMidBody(Reply),
    /// Announces the whole body, sends half of it, then closes normally (FIN).
    Truncated(Reply),
    /// Sends the head and half the body, then sends nothing more until the client leaves.
    StallMidBody(Reply),
    /// Reads the request and never answers.
    Silent,
    /// Answers in full and keeps the connection open (`connection: keep-alive`), reading
    /// nothing more, until told to close it ([`IdleCloser::close`]): a server closing an idle
    /// keep-alive connection.
    KeepAlive(Reply),
    /// A body of `total` bytes, streamed as `prefix`, then `fill` bytes, then `suffix` (so it is
    /// valid JSON when read whole), written until the client stops reading. `chunked`: sent
    /// with `Transfer-Encoding: chunked` and no `Content-Length`, so the size is not known
    /// before it is read.
    Huge {
        reply: Reply,
        prefix: Vec<u8>,
        fill: u8,
        suffix: Vec<u8>,
        total: u64,
        chunked: bool,
    },
}

/// A request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    /// The path, without the query.
    pub path: String,
}

#[derive(Debug, Default)]
struct Record {
    requests: Mutex<Vec<Seen>>,
    /// Body bytes written to clients (heads not counted).
    body_bytes_sent: AtomicU64,
    /// Tells a connection kept alive ([`Answer::KeepAlive`]) to close.
    close_idle: tokio::sync::Notify,
    /// Set once a connection kept alive is closed.
    idle_closed: AtomicBool,
}

/// Closes the connection a [`FaultServer`] keeps alive ([`Answer::KeepAlive`]).
#[derive(Clone)]
pub struct IdleCloser(Arc<Record>);

impl IdleCloser {
    /// Tells the server to close the idle connection and blocks the calling thread (without
    /// letting its runtime run: the client must not see the close yet) until it is closed.
    /// Panics if the server has not closed it within 10 s of real time.
    pub fn close(&self) {
        self.0.close_idle.notify_one();
        let started = std::time::Instant::now();
        while !self.0.idle_closed.load(Ordering::SeqCst) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the server did not close its idle connection"
            );
            std::thread::yield_now();
        }
    }
}

/// A scripted fault server on `127.0.0.1`, stopped when dropped.
pub struct FaultServer {
    url: String,
    record: Arc<Record>,
    accept: AbortHandle,
}

impl FaultServer {
    /// Starts a server answering the n-th request with `script[n]` (the last answer repeats).
    pub fn start(script: Vec<Answer>) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        Self::start_on(listener, script)
    }

    /// [`FaultServer::start`] on a listener the caller bound (a port chosen beforehand).
    pub fn start_on(listener: std::net::TcpListener, script: Vec<Answer>) -> Self {
        assert!(
            !script.is_empty(),
            "a fault server needs at least one answer"
        );
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let record = Arc::new(Record::default());
        let script = Arc::new(script);
        let next = Arc::new(AtomicUsize::new(0));
        let server_record = record.clone();
        let accept = runtime()
            .spawn(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                while let Ok((stream, _)) = listener.accept().await {
                    let (record, script, next) =
                        (server_record.clone(), script.clone(), next.clone());
                    tokio::spawn(async move {
                        let _ = tokio::time::timeout(
                            CONNECTION_LIFETIME,
                            serve(stream, &record, &script, &next),
                        )
                        .await;
                    });
                }
            })
            .abort_handle();
        FaultServer {
            url,
            record,
            accept,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.record
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// What closes the connection the server keeps alive.
    pub fn idle_closer(&self) -> IdleCloser {
        IdleCloser(self.record.clone())
    }

    /// Body bytes written to clients so far.
    pub fn body_bytes_sent(&self) -> u64 {
        self.record.body_bytes_sent.load(Ordering::SeqCst)
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// A listener that only counts the connections made to it: the target of redirects, which a
/// client must never follow.
pub struct Decoy {
    port: u16,
    connections: Arc<AtomicUsize>,
    accept: AbortHandle,
}

impl Decoy {
    /// Starts the decoy on a loopback port.
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().expect("local address").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        let accept = runtime()
            .spawn(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                while let Ok((stream, _)) = listener.accept().await {
                    counter.fetch_add(1, Ordering::SeqCst);
                    drop(stream);
                }
            })
            .abort_handle();
        Decoy {
            port,
            connections,
            accept,
        }
    }

    /// The decoy's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// How many connections reached the decoy.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Decoy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Serves one connection: one request, one scripted answer, then the connection ends.
async fn serve(mut stream: TcpStream, record: &Record, script: &[Answer], next: &AtomicUsize) {
    let Some(seen) = read_request(&mut stream).await else {
        return;
    };
    record
        .requests
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(seen);
    let index = next.fetch_add(1, Ordering::SeqCst).min(script.len() - 1);
    let sent = &record.body_bytes_sent;
    match &script[index] {
        Answer::Reply(reply) => {
            let _ = write_all(&mut stream, &reply.head(Some(reply.body.len() as u64))).await;
            if write_all(&mut stream, &reply.body).await.is_ok() {
                sent.fetch_add(reply.body.len() as u64, Ordering::SeqCst);
            }
            let _ = stream.shutdown().await;
            drain(&mut stream).await;
        }
        Answer::ResetBeforeHeaders => reset(stream),
        Answer::ResetMidBody(reply) => {
            let half = &reply.body[..reply.body.len() / 2];
            let _ = write_all(&mut stream, &reply.head(Some(reply.body.len() as u64))).await;
            if write_all(&mut stream, half).await.is_ok() {
                sent.fetch_add(half.len() as u64, Ordering::SeqCst);
            }
            reset(stream);
        }
        Answer::Truncated(reply) => {
            let half = &reply.body[..reply.body.len() / 2];
            let _ = write_all(&mut stream, &reply.head(Some(reply.body.len() as u64))).await;
            if write_all(&mut stream, half).await.is_ok() {
                sent.fetch_add(half.len() as u64, Ordering::SeqCst);
            }
            let _ = stream.shutdown().await;
            drain(&mut stream).await;
        }
        Answer::StallMidBody(reply) => {
            let half = &reply.body[..reply.body.len() / 2];
            let _ = write_all(&mut stream, &reply.head(Some(reply.body.len() as u64))).await;
            if write_all(&mut stream, half).await.is_ok() {
                sent.fetch_add(half.len() as u64, Ordering::SeqCst);
            }
            drain(&mut stream).await;
        }
        Answer::Silent => drain(&mut stream).await,
        Answer::KeepAlive(reply) => {
            let head = reply.head_keeping(Some(reply.body.len() as u64), true);
            let _ = write_all(&mut stream, &head).await;
            if write_all(&mut stream, &reply.body).await.is_ok() {
                sent.fetch_add(reply.body.len() as u64, Ordering::SeqCst);
            }
            record.close_idle.notified().await;
            drop(stream);
            record.idle_closed.store(true, Ordering::SeqCst);
        }
        Answer::Huge {
            reply,
            prefix,
            fill,
            suffix,
            total,
            chunked,
        } => {
            let length = (!chunked).then_some(*total);
            if write_all(&mut stream, &reply.head(length)).await.is_err() {
                return;
            }
            let body = HugeBody {
                prefix,
                fill: *fill,
                suffix,
                total: *total,
                chunked: *chunked,
            };
            body.stream(&mut stream, sent).await;
            let _ = stream.shutdown().await;
        }
    }
}

/// The body of [`Answer::Huge`].
struct HugeBody<'a> {
    prefix: &'a [u8],
    fill: u8,
    suffix: &'a [u8],
    total: u64,
    chunked: bool,
}

impl HugeBody<'_> {
    /// Writes the body, counting the body bytes written, until done or the client goes away.
    async fn stream(&self, stream: &mut TcpStream, sent: &AtomicU64) {
        const CHUNK: usize = 256 * 1024;
        if self.write(stream, sent, self.prefix).await.is_err() {
            return;
        }
        let chunk = vec![self.fill; CHUNK];
        let mut left = self
            .total
            .saturating_sub((self.prefix.len() + self.suffix.len()) as u64);
        while left > 0 {
            let n = usize::try_from(left).map_or(CHUNK, |left| left.min(CHUNK));
            if self.write(stream, sent, &chunk[..n]).await.is_err() {
                return;
            }
            left -= n as u64;
        }
        if self.write(stream, sent, self.suffix).await.is_ok() && self.chunked {
            let _ = write_all(stream, b"0\r\n\r\n").await;
        }
    }

    async fn write(
        &self,
        stream: &mut TcpStream,
        sent: &AtomicU64,
        bytes: &[u8],
    ) -> std::io::Result<()> {
        if self.chunked {
            write_all(stream, format!("{:x}\r\n", bytes.len()).as_bytes()).await?;
            write_all(stream, bytes).await?;
            write_all(stream, b"\r\n").await?;
        } else {
            write_all(stream, bytes).await?;
        }
        sent.fetch_add(bytes.len() as u64, Ordering::SeqCst);
        Ok(())
    }
}

async fn write_all(stream: &mut TcpStream, bytes: &[u8]) -> std::io::Result<()> {
    stream.write_all(bytes).await?;
    stream.flush().await
}

/// Closes with a TCP RST: `SO_LINGER` zero, then close.
fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}

/// Reads until the client closes its side (or resets), discarding what it sends.
async fn drain(stream: &mut TcpStream) {
    let mut buffer = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buffer).await {
        if n == 0 {
            break;
        }
    }
}

/// Reads one request head and its `Content-Length` body. `None` if the client left first or
/// sent something that is not HTTP/1.1.
async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buffer = Vec::with_capacity(4096);
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > MAX_REQUEST_HEAD {
            return None;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buffer[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_string();
    let target = request_line.next()?;
    let path = target.split('?').next().unwrap_or_default().to_string();
    let content_length = lines
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body_read = buffer.len() - head_end;
    while body_read < content_length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body_read += n;
    }
    Some(Seen { method, path })
}
