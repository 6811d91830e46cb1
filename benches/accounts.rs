//! Many accounts at once, against an in-process loopback server (no network): 100 accounts
//! of 1,000 clusters each, half DigitalOcean (pages of 200 with `links` and `meta`), half OKS
//! (pages of 100 with `Pagination`), each account under a path of its own, streamed through
//! `Inventory::clusters()` and looked at one by one, as a program that writes an inventory
//! line by line would.
//!
//! `cargo bench --bench accounts --features accounts` prints, for 10, 50 and 100 accounts
//! and two answer latencies, for an inventory of kaas's file's accounts (`from_accounts`, as
//! the command lists them) and one of clients built by the caller (`with_account`; without
//! the `accounts` feature, only these): the wall time, the peak memory above the start of the
//! listing (and what setting the inventory up took before it), and the most requests in
//! flight for one account and in all (counted by the server from a request's head to its
//! answer's end; with no latency the server answers each at once, so they rarely overlap).
//! It checks that every cluster of every account comes exactly once, with its own account; it
//! asserts nothing about time (machines differ). `-- 100` runs one size alone.

#[path = "support/loopback.rs"]
#[allow(
    dead_code,
    reason = "the single-set server and its page size are the other bench's"
)]
mod loopback;

/// Counts the bytes in use and their peak, for the memory figures.
#[global_allocator]
static ALLOCATOR: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

use std::time::{Duration, Instant};

use futures::StreamExt as _;
use kaas::inventory::{DEFAULT_MAX_CONCURRENT_ACCOUNTS, Inventory, ProviderCluster};
use loopback::{Loopback, Routes};

const CLUSTERS: usize = 1_000;
const ACCOUNTS: [usize; 3] = [10, 50, 100];
const LATENCIES: [u64; 2] = [0, 20];
const DO_PATH: &str = "/v2/kubernetes/clusters";
const DO_PER_PAGE: usize = 200;
const OKS_PATH: &str = "/clusters/all";
const OKS_PER_PAGE: usize = 100;

/// Whether account `n` is DigitalOcean's (the even ones) or OKS's.
fn is_digitalocean(n: usize) -> bool {
    n.is_multiple_of(2)
}

/// Account `n`'s name: even ones are DigitalOcean's, odd ones OKS's.
fn account_name(n: usize) -> String {
    if is_digitalocean(n) {
        format!("do:team-{n}")
    } else {
        format!("oks:team-{n}")
    }
}

/// The id of cluster `index` of account `account`: it says whose it is.
fn do_id(account: usize, index: usize) -> uuid::Uuid {
    uuid::Uuid::from_u128(((account as u128) << 32) | index as u128)
}

fn oks_id(account: usize, index: usize) -> String {
    format!("a{account}-c{index}")
}

fn fixture(provider: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "tests/fixtures/{provider}/get_cluster.response.json"
    ));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Account `n`'s answers.
fn routes(n: usize, templates: &(serde_json::Value, serde_json::Value)) -> Routes {
    let (list_path, per_page) = if is_digitalocean(n) {
        (DO_PATH, DO_PER_PAGE)
    } else {
        (OKS_PATH, OKS_PER_PAGE)
    };
    let clusters: Vec<serde_json::Value> = (0..CLUSTERS)
        .map(|index| {
            if is_digitalocean(n) {
                let mut cluster = templates.0["kubernetes_cluster"].clone();
                cluster["id"] = do_id(n, index).to_string().into();
                cluster["name"] = format!("cluster-{index}").into();
                cluster
            } else {
                let mut cluster = templates.1["Cluster"].clone();
                cluster["id"] = oks_id(n, index).into();
                cluster["name"] = format!("cluster-{index}").into();
                cluster
            }
        })
        .collect();
    let pages = CLUSTERS.div_ceil(per_page);
    let page = |number: usize, items: &[serde_json::Value]| {
        let body = if is_digitalocean(n) {
            let link = |page: usize| format!("{DO_PATH}?page={page}&per_page={DO_PER_PAGE}");
            let mut links = serde_json::Map::new();
            if number < pages {
                links.insert("next".into(), link(number + 1).into());
                links.insert("last".into(), link(pages).into());
            }
            serde_json::json!({
                "kubernetes_clusters": items,
                "links": {"pages": links},
                "meta": {"total": CLUSTERS},
            })
        } else {
            serde_json::json!({
                "ResponseContext": {"RequestId": "loopback"},
                "Pagination": {
                    "cursor": {"next_cursor": null},
                    "offset": {"page": number, "limit": OKS_PER_PAGE, "total": CLUSTERS},
                },
                "Clusters": items,
            })
        };
        loopback::json_answer(&serde_json::to_vec(&body).unwrap())
    };
    Routes {
        list_path: list_path.into(),
        per_page: per_page as u32,
        pages: clusters
            .chunks(per_page)
            .zip(1..)
            .map(|(items, number)| page(number, items))
            .collect(),
        past_last: page(pages + 1, &[]),
        items: Default::default(),
    }
}

/// How the bench's inventory gets its accounts.
#[derive(Clone, Copy)]
enum Mode {
    /// Clients the caller built and keeps (`with_account`): their connections outlive each
    /// account's listing, in the caller's clients.
    Clients,
    /// Accounts of kaas's file (`from_accounts`), as the command lists them: a client built
    /// for each listing, dropped with it.
    #[cfg(feature = "accounts")]
    Configured,
}

/// The inventory of the first `accounts` accounts of `server`.
fn inventory(server: &Loopback, accounts: usize, mode: Mode) -> Inventory {
    match mode {
        Mode::Clients => with_clients(server, accounts),
        #[cfg(feature = "accounts")]
        Mode::Configured => Inventory::from_accounts(&configured(server, accounts)),
    }
}

/// The first `accounts` accounts of `server`, as kaas's file describes them (their secrets in
/// variables).
#[cfg(feature = "accounts")]
fn configured(server: &Loopback, accounts: usize) -> kaas::accounts::Accounts {
    use std::fmt::Write as _;
    let mut file = String::new();
    for n in 0..accounts {
        let url = server.set_url(n);
        let credential = if is_digitalocean(n) {
            "provider = \"digitalocean\"\ntoken = { env = \"TOKEN\" }"
        } else {
            "provider = \"oks\"\naccess_key = { env = \"AK\" }\nsecret_key = { env = \"SK\" }"
        };
        let name = account_name(n);
        writeln!(
            file,
            "[accounts.\"{name}\"]\n{credential}\nbase_url = \"{url}\"\n"
        )
        .unwrap();
    }
    let folder = std::env::temp_dir().join(format!("kaas-bench-accounts-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("config.toml");
    std::fs::write(&path, file).unwrap();
    let environment =
        kaas::accounts::Environment::from_pairs([("TOKEN", "t"), ("AK", "AK"), ("SK", "SK")]);
    let mut paths = kaas::accounts::ConfigPaths::default();
    paths.kaas = Some(path);
    let sources = kaas::accounts::Sources::new(environment).with_paths(paths);
    let loaded = kaas::accounts::Accounts::load(&sources).unwrap();
    let _ = std::fs::remove_dir_all(folder);
    assert_eq!(loaded.as_slice().len(), accounts);
    loaded
}

/// The first `accounts` accounts of `server`, with clients built here.
fn with_clients(server: &Loopback, accounts: usize) -> Inventory {
    (0..accounts).fold(Inventory::new(), |inventory, n| {
        let url = server.set_url(n);
        let inventory = if is_digitalocean(n) {
            let client = kaas::digitalocean::Client::builder()
                .token("t")
                .base_url(url)
                .build()
                .unwrap();
            inventory.with_account(account_name(n), client)
        } else {
            let client = kaas::oks::Client::builder()
                .access_key("AK", "SK")
                .base_url(url)
                .build()
                .unwrap();
            inventory.with_account(account_name(n), client)
        };
        inventory.unwrap()
    })
}

/// Which account and cluster a listed cluster's id says it is.
fn whose(cluster: &kaas::inventory::ClusterSummary) -> (usize, usize) {
    match &cluster.object {
        ProviderCluster::DigitalOcean(object) => {
            let id = object.id.as_u128();
            ((id >> 32) as usize, (id & 0xffff_ffff) as usize)
        }
        ProviderCluster::Oks(object) => {
            let (account, index) = object.id.split_once("-c").unwrap();
            (
                account.trim_start_matches('a').parse().unwrap(),
                index.parse().unwrap(),
            )
        }
        other => panic!("no such provider here: {other:?}"),
    }
}

/// One measured listing.
struct Figures {
    wall: Duration,
    peak_bytes: usize,
    clients_bytes: usize,
    most_in_flight_one_account: usize,
    most_in_flight_in_all: usize,
}

/// Lists the first `accounts` accounts, checking that every cluster comes once.
async fn list(server: &Loopback, accounts: usize, mode: Mode) -> Figures {
    // Marks of the clusters seen, one bit each, allocated before the measure starts.
    let mut seen: Vec<Vec<u64>> = vec![vec![0; CLUSTERS.div_ceil(64)]; accounts];
    let names: Vec<String> = (0..accounts).map(account_name).collect();
    let before_clients = ALLOCATOR.current_usage();
    let inventory = inventory(server, accounts, mode);
    let clients_bytes = ALLOCATOR.current_usage().saturating_sub(before_clients);
    server.reset_in_flight();
    ALLOCATOR.reset_peak_usage();
    let baseline = ALLOCATOR.current_usage();
    let start = Instant::now();
    let mut items = inventory.clusters();
    let mut count = 0;
    while let Some(item) = items.next().await {
        let cluster = item.unwrap_or_else(|failure| panic!("{failure}"));
        let (account, index) = whose(&cluster);
        assert_eq!(
            cluster.account, names[account],
            "listed with its own account"
        );
        let (word, bit) = (index / 64, 1u64 << (index % 64));
        assert_eq!(
            seen[account][word] & bit,
            0,
            "cluster {index} of {account} twice"
        );
        seen[account][word] |= bit;
        count += 1;
    }
    let wall = start.elapsed();
    let peak_bytes = ALLOCATOR.peak_usage().saturating_sub(baseline);
    assert_eq!(count, accounts * CLUSTERS, "every cluster of every account");
    let (in_all, per_account) = server.peak_in_flight();
    Figures {
        wall,
        peak_bytes,
        clients_bytes,
        most_in_flight_one_account: per_account.into_iter().max().unwrap_or(0),
        most_in_flight_in_all: in_all,
    }
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|arg| arg.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        ACCOUNTS.to_vec()
    } else {
        sizes
    };
    let most = sizes.iter().copied().max().unwrap_or(0);
    let templates = (fixture("digitalocean"), fixture("oks"));
    let started = Instant::now();
    let server = Loopback::start_many(most, |n, _| routes(n, &templates));
    println!(
        "{most} accounts of {CLUSTERS} clusters on a loopback server (DigitalOcean and OKS, half \
         each) built in {:.1} s; Inventory::clusters(), at most {DEFAULT_MAX_CONCURRENT_ACCOUNTS} \
         accounts at once, every cluster looked at and dropped",
        started.elapsed().as_secs_f64()
    );
    println!(
        "{:<22} {:>8} {:>8} {:>10} {:>11} {:>16} {:>14} {:>7}",
        "inventory",
        "accounts",
        "latency",
        "wall",
        "peak mem",
        "(before: setup)",
        "in flight/acct",
        "in all"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let modes = [
            #[cfg(feature = "accounts")]
            (Mode::Configured, "from_accounts (file)"),
            (Mode::Clients, "with_account (clients)"),
        ];
        for (mode, label) in modes {
            for latency in LATENCIES {
                server.set_latency(Duration::from_millis(latency));
                for &accounts in &sizes {
                    let figures = list(&server, accounts, mode).await;
                    println!(
                        "{label:<22} {accounts:>8} {:>5} ms {:>7.0} ms {:>11} {:>16} {:>14} {:>7}",
                        latency,
                        figures.wall.as_secs_f64() * 1e3,
                        mib(figures.peak_bytes),
                        mib(figures.clients_bytes),
                        figures.most_in_flight_one_account,
                        figures.most_in_flight_in_all,
                    );
                }
            }
        }
    });
    println!(
        "\n{} answers served in {:.1} s",
        server.answered(),
        started.elapsed().as_secs_f64()
    );
}
