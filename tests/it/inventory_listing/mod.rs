//! Listing many accounts at once, on the test's paused clock: a slow account holds up only
//! its own items, a failing one is one failure item, at most `max_concurrent_accounts` are
//! listed at the same time, and each account keeps to its own rate-limit budget.
#![cfg(feature = "digitalocean")]

mod stand_in;

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt as _;
use kaas::inventory::{ClusterSummary, Inventory, ProviderFailure};
use stand_in::{Hold, StandIn};

/// The inventory of `stand_ins`, the account of each named after its index.
fn inventory(stand_ins: &[&StandIn]) -> Inventory {
    stand_ins
        .iter()
        .enumerate()
        .fold(Inventory::new(), |inventory, (n, stand_in)| {
            inventory
                .with_account(format!("team-{n}"), stand_in.client())
                .unwrap()
        })
}

type Item = Result<ClusterSummary, ProviderFailure>;

/// Items per account, counted.
fn per_account(items: &[Item]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for item in items {
        let account = match item {
            Ok(cluster) => &cluster.account,
            Err(failure) => &failure.account,
        };
        *counts.entry(account.clone()).or_default() += 1;
    }
    counts
}

/// The next `count` items, failing the test if they do not come within a minute of the
/// test's clock (which runs ahead whenever every task waits).
async fn next_items(
    items: &mut (impl futures::Stream<Item = Item> + Unpin),
    count: usize,
) -> Vec<Item> {
    let mut taken = Vec::new();
    while taken.len() < count {
        match tokio::time::timeout(Duration::from_secs(60), items.next()).await {
            Ok(Some(item)) => taken.push(item),
            Ok(None) => panic!("the listing ended after {} items", taken.len()),
            Err(_) => panic!(
                "stuck after {} items: {:?}",
                taken.len(),
                per_account(&taken)
            ),
        }
    }
    taken
}

#[tokio::test(start_paused = true)]
async fn a_slow_account_never_delays_the_others_items() {
    let slow = StandIn::start("slow", 3, 4999, Hold::UntilReleased).await;
    let fast_a = StandIn::start("a", 450, 4999, Hold::Never).await;
    let fast_b = StandIn::start("b", 2, 4999, Hold::Never).await;
    let inventory = inventory(&[&slow, &fast_a, &fast_b]);
    let mut items = inventory.clusters();
    let first = next_items(&mut items, 452).await;
    assert_eq!(
        per_account(&first),
        BTreeMap::from([("team-1".into(), 450), ("team-2".into(), 2)]),
        "every fast account's items while the slow one has not answered"
    );
    assert_eq!(slow.requests(), 1, "the slow account is being listed");
    assert!(
        tokio::time::timeout(Duration::from_secs(60), items.next())
            .await
            .is_err(),
        "nothing more until the slow account answers"
    );
    slow.release();
    let rest: Vec<Item> = items.collect().await;
    assert_eq!(per_account(&rest), BTreeMap::from([("team-0".into(), 3)]));
}

#[tokio::test(start_paused = true)]
async fn a_failing_account_is_one_failure_and_the_others_complete() {
    let fast_a = StandIn::start("a", 3, 4999, Hold::Never).await;
    let fast_b = StandIn::start("b", 201, 4999, Hold::Never).await;
    // Nothing listens there any more: the connection is refused.
    let gone = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let failing = kaas::digitalocean::Client::builder()
        .token("t")
        .base_url(gone)
        .no_timeouts()
        .retry_policy(kaas::RetryPolicy::none())
        .build()
        .unwrap();
    let inventory = inventory(&[&fast_a, &fast_b])
        .with_account("gone", failing)
        .unwrap();
    let items: Vec<Item> = inventory.clusters().collect().await;
    assert_eq!(
        per_account(&items),
        BTreeMap::from([
            ("gone".into(), 1),
            ("team-0".into(), 3),
            ("team-1".into(), 201)
        ])
    );
    let failure = items.iter().find_map(|item| item.as_ref().err()).unwrap();
    assert_eq!(failure.account, "gone");
    assert!(
        failure.to_string().starts_with("gone: transport error"),
        "{failure}"
    );
}

#[tokio::test(start_paused = true)]
async fn at_most_max_concurrent_accounts_are_listed_at_once() {
    let slow = StandIn::start("slow", 1, 4999, Hold::UntilReleased).await;
    let next = StandIn::start("next", 1, 4999, Hold::Never).await;
    let inventory = inventory(&[&slow, &next]).max_concurrent_accounts(1);
    let mut items = inventory.clusters();
    assert!(
        tokio::time::timeout(Duration::from_secs(60), items.next())
            .await
            .is_err(),
        "the one account listed at a time is the slow one"
    );
    assert_eq!((slow.requests(), next.requests()), (1, 0));
    slow.release();
    let all = next_items(&mut items, 2).await;
    assert_eq!(
        all.iter()
            .map(|item| item.as_ref().unwrap().account.as_str())
            .collect::<Vec<_>>(),
        ["team-0", "team-1"]
    );
    assert!(items.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn two_accounts_of_one_provider_each_keep_their_own_rate_limit_budget() {
    // 1,000 clusters: page 1, then pages 2 to 5 at once, as far as the budget allows. The
    // throttled account says 2 requests remain: one page in flight at a time (half of them),
    // each answer held a while so that more would pile up if the walk sent them.
    let throttled = StandIn::start("t", 1_000, 2, Hold::For(Duration::from_millis(200))).await;
    // The other holds its pages until four are in flight: it never answers a walk that would
    // take the other account's budget for its own.
    let free = StandIn::start("f", 1_000, 4999, Hold::UntilInFlight(4)).await;
    let inventory = inventory(&[&throttled, &free]);
    let mut items = inventory.clusters();
    let all = next_items(&mut items, 2_000).await;
    assert!(items.next().await.is_none());
    assert_eq!(
        per_account(&all),
        BTreeMap::from([("team-0".into(), 1_000), ("team-1".into(), 1_000)])
    );
    assert_eq!(
        throttled.peak(),
        1,
        "the throttled account, one page at a time"
    );
    assert_eq!(free.peak(), 4, "the other, its four pages at once");
    assert_eq!((throttled.requests(), free.requests()), (5, 5));
}
