//! A DigitalOcean stand-in on 127.0.0.1 served by a task of the test's own runtime, so that
//! it keeps to the test's paused clock: it serves the cluster list in pages of 200 (with
//! `meta.total` and links, so the walk fetches the other pages at once), states the
//! rate-limit budget it is given, counts the requests in flight, and can hold its answers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const PER_PAGE: usize = 200;

/// When the stand-in answers.
#[derive(Clone, Copy, Debug)]
pub enum Hold {
    /// At once.
    Never,
    /// Only once [`StandIn::release`] is called.
    UntilReleased,
    /// Pages after the first wait until this many requests have been in flight at once.
    UntilInFlight(usize),
    /// Every answer waits this long (on the test's clock).
    For(Duration),
}

/// A running stand-in; it stops with the test's runtime.
pub struct StandIn {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    state: Arc<State>,
    release: watch::Sender<bool>,
}

struct State {
    pages: Vec<Vec<u8>>,
    remaining: u64,
    hold: Hold,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    requests: AtomicUsize,
}

impl StandIn {
    /// Serves `clusters` clusters named `<prefix>-<n>`, stating `remaining` requests left.
    pub async fn start(prefix: &str, clusters: usize, remaining: u64, hold: Hold) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State {
            pages: pages(prefix, clusters),
            remaining,
            hold,
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
        });
        let (release, released) = watch::channel(false);
        let serving = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, serving.clone(), released.clone()));
            }
        });
        StandIn {
            base_url,
            state,
            release,
        }
    }

    /// Lets held answers go.
    pub fn release(&self) {
        self.release.send_replace(true);
    }

    /// The most requests that were in flight at once.
    pub fn peak(&self) -> usize {
        self.state.peak.load(Ordering::SeqCst)
    }

    /// How many requests came.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// A client of the stand-in, without timers (the test's clock is paused).
    pub fn client(&self) -> kaas::digitalocean::Client {
        kaas::digitalocean::Client::builder()
            .token("t")
            .base_url(&self.base_url)
            .no_timeouts()
            .build()
            .unwrap()
    }
}

/// The list's pages, each a JSON body.
fn pages(prefix: &str, clusters: usize) -> Vec<Vec<u8>> {
    let document = crate::common::fixture("digitalocean", "get_cluster.response.json");
    let template = &document["kubernetes_cluster"];
    let all: Vec<serde_json::Value> = (0..clusters)
        .map(|n| {
            let mut cluster = template.clone();
            cluster["id"] = uuid::Uuid::from_u128(n as u128 + 1).to_string().into();
            cluster["name"] = format!("{prefix}-{n}").into();
            cluster
        })
        .collect();
    let count = clusters.div_ceil(PER_PAGE).max(1);
    (0..count)
        .map(|index| {
            let items = all.iter().skip(index * PER_PAGE).take(PER_PAGE);
            let link = |page: usize| format!("/v2/kubernetes/clusters?page={page}&per_page=200");
            let mut links = serde_json::Map::new();
            if index + 1 < count {
                links.insert("next".into(), link(index + 2).into());
                links.insert("last".into(), link(count).into());
            }
            serde_json::to_vec(&serde_json::json!({
                "kubernetes_clusters": items.collect::<Vec<_>>(),
                "links": {"pages": links},
                "meta": {"total": clusters},
            }))
            .unwrap()
        })
        .collect()
}

/// One connection: request heads in, answers out.
async fn serve(mut stream: TcpStream, state: Arc<State>, mut released: watch::Receiver<bool>) {
    let mut buffer = Vec::new();
    loop {
        let head_end = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        buffer.drain(..head_end);
        let page = page_asked(&head);
        state.requests.fetch_add(1, Ordering::SeqCst);
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.peak.fetch_max(now, Ordering::SeqCst);
        match state.hold {
            Hold::Never => {}
            Hold::UntilReleased => {
                let _ = released.wait_for(|go| *go).await;
            }
            // Once that many were in flight together, the held ones all go.
            Hold::UntilInFlight(wanted) if page > 1 => {
                while state.peak.load(Ordering::SeqCst) < wanted {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            Hold::UntilInFlight(_) => {}
            Hold::For(time) => tokio::time::sleep(time).await,
        }
        let empty = serde_json::to_vec(&serde_json::json!({
            "kubernetes_clusters": [], "links": {}, "meta": {"total": 0}
        }))
        .unwrap();
        let body = state.pages.get(page - 1).unwrap_or(&empty);
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             ratelimit-limit: 5000\r\nratelimit-remaining: {}\r\nratelimit-reset: 4102444800\r\n\r\n",
            body.len(),
            state.remaining
        );
        state.in_flight.fetch_sub(1, Ordering::SeqCst);
        if stream.write_all(answer.as_bytes()).await.is_err()
            || stream.write_all(body).await.is_err()
        {
            return;
        }
    }
}

/// The `page` a request head asks for (1 when it names none).
fn page_asked(head: &str) -> usize {
    let target = head.split(' ').nth(1).unwrap_or_default();
    let query = target.split_once('?').map_or("", |(_, query)| query);
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("page="))
        .and_then(|page| page.parse().ok())
        .filter(|page| *page > 0)
        .unwrap_or(1)
}
