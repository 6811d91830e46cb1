//! The request path at scale, against an in-process loopback server (no network): listing
//! 10,000 DigitalOcean clusters (50 pages of 200) with `client.clusters()` at several page
//! concurrencies and answer latencies, next to the floor (raw reqwest + serde_json fetching
//! page 1, then pages 2..=50 all at once, into the same generated types); and 2,000 single
//! GETs with `client.get_cluster()` next to raw reqwest GETs.
//!
//! `cargo bench --bench list` prints the median wall time of each over several rounds and the
//! ratio kaas/floor, the streamed walk's peak memory at several page concurrencies, and the
//! single GETs (`-- get` or `-- memory` runs those alone). It checks that every walk returns
//! every cluster in order, and asserts nothing about time (machines differ); the figures go
//! into closing notes and choose the default page concurrency.

#[path = "support/loopback.rs"]
mod loopback;

/// Counts the bytes in use and their peak, for the streamed walk's memory figure.
#[global_allocator]
static ALLOCATOR: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

use std::future::Future;
use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use kaas::digitalocean::types::{Cluster, ClusterList, ClusterResponse};
use kaas::{DEFAULT_PAGE_CONCURRENCY, MAX_PAGE_CONCURRENCY};
use loopback::{Loopback, Routes};

const CLUSTERS: u32 = 10_000;
const PER_PAGE: u32 = 200;
const PAGES: u32 = CLUSTERS / PER_PAGE;
const SINGLE_GETS: usize = 2_000;
const LIST_PATH: &str = "/v2/kubernetes/clusters";
/// The page concurrencies measured for `client.clusters()`.
const CONCURRENCIES: [usize; 7] = [1, 2, 4, 8, 16, 32, 50];
/// Answer latency, unmeasured warm-up rounds, measured rounds (fewer where a walk is slow).
const LATENCIES: [(u64, usize, usize); 3] = [(0, 1, 7), (20, 1, 5), (100, 0, 3)];

/// The id of the `n`th cluster (distinct, in list order).
fn cluster_id(n: u32) -> uuid::Uuid {
    uuid::Uuid::from_u128(0xbd5f5959_5e1e_4205_a714_000000000000 | u128::from(n))
}

/// The server's answers: the fixture cluster 10,000 times with distinct ids and names, in
/// pages of 200 with DigitalOcean's `links` and `meta`, and each cluster alone.
fn routes(base_url: &str) -> Routes {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/digitalocean/get_cluster.response.json");
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    let template = &document["kubernetes_cluster"];
    let clusters: Vec<serde_json::Value> = (0..CLUSTERS)
        .map(|n| {
            let mut cluster = template.clone();
            let id = cluster_id(n).to_string();
            cluster["endpoint"] = format!("https://{id}.k8s.ondigitalocean.com").into();
            cluster["id"] = id.into();
            cluster["name"] = format!("cluster-{n:05}").into();
            cluster
        })
        .collect();
    let link = |page: u32| format!("{base_url}{LIST_PATH}?page={page}&per_page={PER_PAGE}");
    let page = |number: u32, items: &[serde_json::Value]| {
        let mut pages = serde_json::Map::new();
        if number > 1 {
            pages.insert("first".into(), link(1).into());
            pages.insert("prev".into(), link(number - 1).into());
        }
        if number < PAGES {
            pages.insert("next".into(), link(number + 1).into());
            pages.insert("last".into(), link(PAGES).into());
        }
        let body = serde_json::json!({
            "kubernetes_clusters": items,
            "links": {"pages": pages},
            "meta": {"total": CLUSTERS},
        });
        loopback::json_answer(&serde_json::to_vec(&body).unwrap())
    };
    let pages = clusters
        .chunks(PER_PAGE as usize)
        .zip(1..)
        .map(|(items, number)| page(number, items))
        .collect();
    let items = clusters
        .iter()
        .map(|cluster| {
            let body = serde_json::json!({ "kubernetes_cluster": cluster });
            (
                cluster["id"].as_str().unwrap().to_string(),
                loopback::json_answer(&serde_json::to_vec(&body).unwrap()),
            )
        })
        .collect();
    Routes {
        list_path: LIST_PATH.into(),
        per_page: PER_PAGE,
        pages,
        past_last: page(PAGES + 1, &[]),
        items,
    }
}

/// A cluster as a program that reads only its id and name would declare it.
#[derive(serde::Deserialize)]
struct MinimalCluster {
    id: uuid::Uuid,
    #[allow(
        dead_code,
        reason = "decoded like a real program's field, never read here"
    )]
    name: String,
}

#[derive(serde::Deserialize)]
struct MinimalList {
    kubernetes_clusters: Vec<MinimalCluster>,
}

/// The floor of the target: every page on its own task, decoded into a minimal struct.
async fn floor_walk_minimal(http: &reqwest::Client, base_url: &str) -> Vec<MinimalCluster> {
    let tasks = (1..=PAGES).map(|n| {
        let (http, base_url) = (http.clone(), base_url.to_string());
        tokio::spawn(async move {
            let body = http
                .get(format!("{base_url}{LIST_PATH}"))
                .query(&[("page", n), ("per_page", PER_PAGE)])
                .bearer_auth("t")
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            serde_json::from_slice::<MinimalList>(&body)
                .unwrap()
                .kubernetes_clusters
        })
    });
    let mut clusters = Vec::new();
    for page in futures::future::join_all(tasks).await {
        clusters.extend(page.unwrap());
    }
    clusters
}

/// The peak memory of a streamed walk: each cluster is looked at and dropped, as a program
/// that writes an inventory line by line would.
async fn streamed_walk_peak(client: &kaas::digitalocean::Client) -> (usize, usize) {
    ALLOCATOR.reset_peak_usage();
    let baseline = ALLOCATOR.current_usage();
    let mut seen = 0;
    let mut clusters = client.clusters();
    while let Some(cluster) = clusters.try_next().await.unwrap() {
        assert_eq!(
            cluster.id,
            cluster_id(seen as u32),
            "cluster {seen} out of order"
        );
        seen += 1;
    }
    (seen, ALLOCATOR.peak_usage().saturating_sub(baseline))
}

/// Walk A: what a user writes.
async fn kaas_walk(client: &kaas::digitalocean::Client) -> Vec<Cluster> {
    client.clusters().try_collect().await.unwrap()
}

/// Walk B, the floor: page 1, then every other page at once, decoded into the same types.
async fn floor_walk(http: &reqwest::Client, base_url: &str) -> Vec<Cluster> {
    let first = floor_page(http, base_url, 1).await;
    let total = u32::try_from(first.meta.total.unwrap()).unwrap();
    let rest = futures::future::join_all(
        (2..=total.div_ceil(PER_PAGE)).map(|n| floor_page(http, base_url, n)),
    )
    .await;
    let mut clusters = first.kubernetes_clusters;
    for page in rest {
        clusters.extend(page.kubernetes_clusters);
    }
    clusters
}

/// The floor with every page on its own tokio task, so that pages decode on every core.
async fn floor_walk_spawned(http: &reqwest::Client, base_url: &str) -> Vec<Cluster> {
    let first = floor_page(http, base_url, 1).await;
    let total = u32::try_from(first.meta.total.unwrap()).unwrap();
    let tasks = (2..=total.div_ceil(PER_PAGE)).map(|n| {
        let (http, base_url) = (http.clone(), base_url.to_string());
        tokio::spawn(async move { floor_page(&http, &base_url, n).await })
    });
    let rest = futures::future::join_all(tasks).await;
    let mut clusters = first.kubernetes_clusters;
    for page in rest {
        clusters.extend(page.unwrap().kubernetes_clusters);
    }
    clusters
}

async fn floor_page(http: &reqwest::Client, base_url: &str, page: u32) -> ClusterList {
    let body = http
        .get(format!("{base_url}{LIST_PATH}"))
        .query(&[("page", page), ("per_page", PER_PAGE)])
        .bearer_auth("t")
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// How long decoding every page takes alone, one after another: the CPU floor of any walk
/// that decodes on one task.
async fn decode_only(http: &reqwest::Client, base_url: &str) -> Duration {
    let mut bodies = Vec::new();
    for page in 1..=PAGES {
        let answer = http
            .get(format!("{base_url}{LIST_PATH}"))
            .query(&[("page", page), ("per_page", PER_PAGE)])
            .send()
            .await
            .unwrap();
        bodies.push(answer.bytes().await.unwrap());
    }
    let times = (0..5)
        .map(|_| {
            let start = Instant::now();
            let mut clusters = Vec::new();
            for body in &bodies {
                let page: ClusterList = serde_json::from_slice(body).unwrap();
                clusters.extend(page.kubernetes_clusters);
            }
            let time = start.elapsed();
            check_walk(&clusters);
            time
        })
        .collect();
    median(times)
}

async fn kaas_get(client: &kaas::digitalocean::Client, id: uuid::Uuid) -> Cluster {
    client
        .get_cluster()
        .cluster_id(id)
        .send()
        .await
        .unwrap()
        .kubernetes_cluster
}

async fn floor_get(http: &reqwest::Client, base_url: &str, id: uuid::Uuid) -> Cluster {
    let body = http
        .get(format!("{base_url}{LIST_PATH}/{id}"))
        .bearer_auth("t")
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap();
    serde_json::from_slice::<ClusterResponse>(&body)
        .unwrap()
        .kubernetes_cluster
}

/// Checks a walk's result (every cluster, in order) so that a fast wrong walk cannot pass.
fn check_walk(clusters: &[Cluster]) {
    assert_eq!(clusters.len(), CLUSTERS as usize, "clusters walked");
    for (n, cluster) in (0..).zip(clusters) {
        assert_eq!(cluster.id, cluster_id(n), "cluster {n} out of order");
    }
}

async fn timed<T>(work: impl Future<Output = T>) -> (Duration, T) {
    let start = Instant::now();
    let out = work.await;
    (start.elapsed(), out)
}

/// The time of a walk whose result [`check_walk`] accepts.
fn checked((time, clusters): (Duration, Vec<Cluster>)) -> Duration {
    check_walk(&clusters);
    time
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// How a row of the list table walks.
enum Walk {
    /// The floor the ratios are taken against.
    Floor,
    /// The floor with each page fetched and decoded on its own task (for reference).
    FloorSpawned,
    /// Each page on its own task, decoded into a minimal struct (the floor).
    FloorMinimal,
    /// `client.clusters()` with this page concurrency, fixed.
    Kaas(usize, kaas::digitalocean::Client),
    /// `client.clusters()` with the default settings (a concurrency that grows).
    KaasDefault(kaas::digitalocean::Client),
}

/// One row of the list table.
struct Walker {
    label: String,
    walk: Walk,
    times: Vec<Duration>,
}

fn kaas_client(base_url: &str, page_concurrency: Option<usize>) -> kaas::digitalocean::Client {
    let mut builder = kaas::digitalocean::Client::builder()
        .token("t")
        .base_url(base_url);
    if let Some(pages) = page_concurrency {
        builder = builder.page_concurrency(pages);
    }
    builder.build().unwrap()
}

async fn list_bench(server: &Loopback, http: &reqwest::Client) -> Vec<(u64, Vec<(usize, f64)>)> {
    let base = server.base_url.as_str();
    println!(
        "list {CLUSTERS} clusters ({PAGES} pages of {PER_PAGE}, {} KiB a page) from a loopback \
         server; floor = raw reqwest + serde_json, page 1 then pages 2..={PAGES} at once",
        server.first_page_bytes / 1024
    );
    println!(
        "{:>8}  {:<34} {:>10} {:>10} {:>11}  {:>6}",
        "latency", "walker", "median", "min", "max", "kaas/floor"
    );
    let decode = decode_only(http, base).await;
    println!(
        "{:>8}  {:<34} {:>10}",
        "-",
        format!("decode {PAGES} pages only, no HTTP"),
        ms(decode)
    );
    let mut walkers = vec![
        Walker {
            label: format!("floor: reqwest, {} pages at once", PAGES - 1),
            walk: Walk::Floor,
            times: Vec::new(),
        },
        Walker {
            label: "(floor, each page on its own task)".into(),
            walk: Walk::FloorSpawned,
            times: Vec::new(),
        },
        Walker {
            label: "(floor, own tasks, minimal struct)".into(),
            walk: Walk::FloorMinimal,
            times: Vec::new(),
        },
    ];
    walkers.extend(CONCURRENCIES.iter().map(|&k| Walker {
        label: format!("kaas page_concurrency {k}"),
        walk: Walk::Kaas(k, kaas_client(base, Some(k))),
        times: Vec::new(),
    }));
    walkers.push(Walker {
        label: format!(
            "kaas default ({DEFAULT_PAGE_CONCURRENCY}, growing to {MAX_PAGE_CONCURRENCY})"
        ),
        walk: Walk::KaasDefault(kaas_client(base, None)),
        times: Vec::new(),
    });
    let mut ratios = Vec::new();
    for (latency, warmups, rounds) in LATENCIES {
        server.set_latency(Duration::from_millis(latency));
        for walker in &mut walkers {
            walker.times.clear();
        }
        // Rounds interleave the walkers, so a slow moment of the machine hits them all.
        for round in 0..warmups + rounds {
            for walker in &mut walkers {
                let time = match &walker.walk {
                    Walk::Floor => checked(timed(floor_walk(http, base)).await),
                    Walk::FloorSpawned => checked(timed(floor_walk_spawned(http, base)).await),
                    Walk::FloorMinimal => {
                        let (time, clusters) = timed(floor_walk_minimal(http, base)).await;
                        let ids: Vec<_> = clusters.iter().map(|c| c.id).collect();
                        assert_eq!(ids, (0..CLUSTERS).map(cluster_id).collect::<Vec<_>>());
                        time
                    }
                    Walk::Kaas(_, client) | Walk::KaasDefault(client) => {
                        checked(timed(kaas_walk(client)).await)
                    }
                };
                if round >= warmups {
                    walker.times.push(time);
                }
            }
        }
        let floor = median(walkers[0].times.clone());
        let mut at_latency = Vec::new();
        for walker in &walkers {
            let time = median(walker.times.clone());
            let ratio = time.as_secs_f64() / floor.as_secs_f64();
            if let Walk::Kaas(k, _) = walker.walk {
                at_latency.push((k, ratio));
            }
            println!(
                "{:>5} ms  {:<34} {:>10} {:>10} {:>11}  {:>6}",
                latency,
                walker.label,
                ms(time),
                ms(*walker.times.iter().min().unwrap()),
                ms(*walker.times.iter().max().unwrap()),
                match walker.walk {
                    Walk::Floor => String::new(),
                    _ => format!("{ratio:.2}"),
                },
            );
        }
        let minimal = median(walkers[2].times.clone());
        let default = median(walkers[walkers.len() - 1].times.clone());
        println!(
            "         ({rounds} rounds after {warmups} warm-up; default / minimal-struct floor: {:.2})",
            default.as_secs_f64() / minimal.as_secs_f64()
        );
        ratios.push((latency, at_latency));
    }
    ratios
}

async fn memory_bench(server: &Loopback) {
    let base = server.base_url.as_str();
    println!("\nstreamed walk of {CLUSTERS} clusters: peak memory above the start");
    for latency in [0, 20, 100] {
        server.set_latency(Duration::from_millis(latency));
        for concurrency in [None, Some(16), Some(32), Some(50)] {
            let client = kaas_client(base, concurrency);
            let (seen, peak) = streamed_walk_peak(&client).await;
            assert_eq!(seen, CLUSTERS as usize);
            println!(
                "  {latency:>3} ms, {:<32} {:>5.1} MiB",
                match concurrency {
                    Some(k) => format!("page_concurrency {k}:"),
                    None => format!(
                        "default ({DEFAULT_PAGE_CONCURRENCY}, growing to {MAX_PAGE_CONCURRENCY}):"
                    ),
                },
                peak as f64 / (1024.0 * 1024.0)
            );
        }
    }
}

async fn get_bench(server: &Loopback, http: &reqwest::Client) {
    let base = server.base_url.as_str();
    server.set_latency(Duration::ZERO);
    let client = kaas_client(base, None);
    let ids: Vec<uuid::Uuid> = (0..SINGLE_GETS as u32).map(cluster_id).collect();
    // The same raw GETs through the reqwest client kaas built (its timeouts, no redirects):
    // what kaas's own steps cost, apart from how its HTTP client is set up.
    let kaas_http = {
        use progenitor_client::ClientInfo as _;
        client.client().clone()
    };
    let (mut kaas_times, mut floor_times, mut same_client_times) =
        (Vec::new(), Vec::new(), Vec::new());
    for round in 0..6 {
        let (kaas_time, ()) = timed(async {
            for &id in &ids {
                assert_eq!(kaas_get(&client, id).await.id, id);
            }
        })
        .await;
        let (floor_time, ()) = timed(async {
            for &id in &ids {
                assert_eq!(floor_get(http, base, id).await.id, id);
            }
        })
        .await;
        let (same_client_time, ()) = timed(async {
            for &id in &ids {
                assert_eq!(floor_get(&kaas_http, base, id).await.id, id);
            }
        })
        .await;
        if round > 0 {
            kaas_times.push(kaas_time / SINGLE_GETS as u32);
            floor_times.push(floor_time / SINGLE_GETS as u32);
            same_client_times.push(same_client_time / SINGLE_GETS as u32);
        }
    }
    let (kaas_time, floor_time) = (median(kaas_times), median(floor_times));
    let same_client_time = median(same_client_times);
    println!(
        "\n{SINGLE_GETS} sequential single GETs (0 ms latency), median of 5 rounds after 1 warm-up"
    );
    println!(
        "  kaas get_cluster().send(): {:>7.1} µs a call\n  reqwest + serde_json:      {:>7.1} µs a call\n  \
         (the same on kaas's reqwest client: {:.1} µs)\n  kaas/floor: {:.2}",
        kaas_time.as_secs_f64() * 1e6,
        floor_time.as_secs_f64() * 1e6,
        same_client_time.as_secs_f64() * 1e6,
        kaas_time.as_secs_f64() / floor_time.as_secs_f64()
    );
}

fn ms(time: Duration) -> String {
    format!("{:.1} ms", time.as_secs_f64() * 1e3)
}

fn main() {
    let started = Instant::now();
    let server = Loopback::start(routes);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // `cargo bench --bench list -- get` runs the single GETs only (cargo adds `--bench`).
    let only_gets = std::env::args().skip(1).any(|arg| arg == "get");
    runtime.block_on(async {
        let http = reqwest::Client::builder().build().unwrap();
        if only_gets {
            get_bench(&server, &http).await;
            return;
        }
        let ratios = list_bench(&server, &http).await;
        println!("\nsmallest page_concurrency within 10% / 25% of the floor:");
        for (latency, at_latency) in &ratios {
            let within = |limit: f64| {
                at_latency
                    .iter()
                    .find(|(_, ratio)| *ratio <= limit)
                    .map_or("none".to_string(), |(k, _)| k.to_string())
            };
            println!("  {latency:>3} ms: {} / {}", within(1.10), within(1.25));
        }
        memory_bench(&server).await;
        get_bench(&server, &http).await;
    });
    println!(
        "\n{} answers served in {:.1} s",
        server.answered(),
        started.elapsed().as_secs_f64()
    );
}
