//! The provider-neutral modules: page walking and waiting (paused tokio time, no real sleeps).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::TryStreamExt as _;
use kaas::paginate::{Page, PageRequest, PageWalk, all_items};
use kaas::wait::{Progress, until};
use kaas::{Error, WaitPolicy};

/// A fake list of `total` numbered items; each page answers after a delay that shrinks with
/// the page number, so concurrent pages finish out of order.
fn fake_pages(
    total: u64,
    tell_total: bool,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
) -> impl Fn(PageRequest) -> futures::future::BoxFuture<'static, kaas::Result<Page<u64>>>
+ Clone
+ Send
+ Sync
+ 'static {
    move |request: PageRequest| {
        let page = request.number;
        let in_flight = in_flight.clone();
        let max_in_flight = max_in_flight.clone();
        Box::pin(async move {
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            max_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(100 / u64::from(page))).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            let start = u64::from(page - 1) * 10;
            let items: Vec<u64> = (start..(start + 10).min(total)).collect();
            let page = Page::new(items).has_next(start + 10 < total);
            Ok(if tell_total { page.total(total) } else { page })
        })
    }
}

#[tokio::test(start_paused = true)]
async fn concurrent_pages_keep_their_order_and_bound_in_flight() {
    for concurrency in [1, 2, 4, 8] {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max = Arc::new(AtomicUsize::new(0));
        let items: Vec<u64> = all_items(
            PageWalk::new(10, concurrency),
            |n| Some(n),
            fake_pages(95, true, in_flight, max.clone()),
        )
        .try_collect()
        .await
        .unwrap();
        assert_eq!(
            items,
            (0..95).collect::<Vec<_>>(),
            "concurrency {concurrency}"
        );
        assert!(
            max.load(Ordering::SeqCst) <= concurrency,
            "concurrency {concurrency}: {} in flight",
            max.load(Ordering::SeqCst)
        );
        if concurrency > 1 {
            assert!(
                max.load(Ordering::SeqCst) > 1,
                "pages were not fetched concurrently"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn without_a_total_pages_are_walked_one_by_one() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    let items: Vec<u64> = all_items(
        PageWalk::new(10, 4),
        |n| Some(n),
        fake_pages(30, false, in_flight, max.clone()),
    )
    .try_collect()
    .await
    .unwrap();
    assert_eq!(items, (0..30).collect::<Vec<_>>());
    assert_eq!(max.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn an_error_ends_the_walk_after_the_items_before_it() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let fetch = move |request: PageRequest| {
        let page = request.number;
        counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if page == 2 {
                return Err(Error::InvalidInput("page 2 is broken".into()));
            }
            Ok(Page::new(vec![page]).has_next(true))
        }
    };
    let results: Vec<kaas::Result<u32>> =
        futures::StreamExt::collect(all_items(PageWalk::new(1, 1), |n| Some(n), fetch)).await;
    assert_eq!(results.len(), 2);
    assert_eq!(*results[0].as_ref().unwrap(), 1);
    assert!(matches!(results[1], Err(Error::InvalidInput(_))));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "no page is fetched after an error"
    );
}

fn quick_policy() -> WaitPolicy {
    WaitPolicy::default()
        .with_initial_interval(Duration::from_secs(5))
        .with_max_interval(Duration::from_secs(20))
        .with_deadline(Duration::from_secs(120))
}

#[tokio::test(start_paused = true)]
async fn wait_returns_the_reading_once_done() {
    let polls = AtomicUsize::new(0);
    let started = tokio::time::Instant::now();
    let value = until("the thing", &quick_policy(), || {
        let n = polls.fetch_add(1, Ordering::SeqCst);
        async move {
            Ok(if n < 3 {
                Progress::Pending {
                    state: format!("step {n}"),
                    reading: Some(n),
                }
            } else {
                Progress::Done(n)
            })
        }
    })
    .await
    .unwrap();
    assert_eq!(value, 3);
    // 5 s, then 7.5 s, then 11.25 s between polls.
    assert_eq!(started.elapsed(), Duration::from_millis(23_750));
}

/// A reading as a provider's wait would keep it.
#[derive(Debug, PartialEq)]
struct Cluster {
    id: u32,
    state: &'static str,
}

#[tokio::test(start_paused = true)]
async fn wait_times_out_naming_the_last_state_and_keeping_the_last_reading() {
    let error = until("cluster 42 to be running", &quick_policy(), || async {
        Ok(Progress::Pending {
            state: "provisioning".into(),
            reading: Some(Cluster {
                id: 42,
                state: "provisioning",
            }),
        })
    })
    .await
    .unwrap_err();
    assert_eq!(
        error.last_reading::<Cluster>(),
        Some(&Cluster {
            id: 42,
            state: "provisioning"
        })
    );
    assert_eq!(error.last_reading::<String>(), None, "typed: no other type");
    match error {
        Error::WaitTimeout {
            what,
            last_state,
            waited,
            ..
        } => {
            assert_eq!(what, "cluster 42 to be running");
            assert_eq!(last_state, "provisioning");
            assert!(waited <= Duration::from_secs(120));
        }
        other => panic!("expected WaitTimeout, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn wait_fails_fast_on_a_failed_state() {
    let error = until::<(), _, _>("cluster 42", &quick_policy(), || async {
        Ok(Progress::Failed {
            state: "error".into(),
            message: Some("quota exceeded".into()),
            reading: None,
        })
    })
    .await
    .unwrap_err();
    assert!(matches!(&error, Error::WaitFailed { state, .. } if state == "error"));
    assert_eq!(
        error.to_string(),
        "cluster 42 failed: state error (quota exceeded)"
    );
}

#[tokio::test(start_paused = true)]
async fn wait_stops_on_a_read_error() {
    let error = until::<(), _, _>("x", &quick_policy(), || async {
        Err(Error::InvalidInput("boom".into()))
    })
    .await
    .unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)));
}

#[test]
fn kubeconfig_debug_is_redacted_and_names_are_readable() {
    let yaml = "apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: c1\n  cluster: {server: 'https://1.2.3.4', certificate-authority-data: Q0FEQVRB}\ncontexts:\n- name: a\n  context: {cluster: c1, user: u}\n- name: b\n  context: {cluster: c1, user: u}\nusers:\n- name: u\n  user: {token: SENTINEL-kubeconfig-token}\n";
    let config = kaas::Kubeconfig::from_yaml(yaml.to_string()).unwrap();
    assert_eq!(config.context_names(), ["a", "b"]);
    assert_eq!(config.current_context(), Some("a"));
    assert_eq!(config.cluster_names(), ["c1"]);
    assert_eq!(config.servers(), ["https://1.2.3.4"]);
    let debug = format!("{config:?} {:?}", config.clone());
    assert!(!debug.contains("SENTINEL"), "{debug}");
    assert!(config.expose_yaml().contains("SENTINEL-kubeconfig-token"));
}

#[test]
fn a_kubeconfig_that_is_not_yaml_is_a_typed_error_without_its_text() {
    for bad in ["token: SENTINEL\n  - : [", "- just\n- a list SENTINEL\n"] {
        let error = kaas::Kubeconfig::from_yaml(bad.to_string()).unwrap_err();
        assert!(matches!(error, Error::Kubeconfig(_)), "{error:?}");
        assert!(!format!("{error} {error:?}").contains("SENTINEL"));
    }
    assert!(matches!(
        kaas::Kubeconfig::from_bytes(vec![0xff, 0xfe]),
        Err(Error::Kubeconfig(_))
    ));
}

#[cfg(feature = "kube")]
#[test]
fn kubeconfig_converts_to_kube_rs() {
    let yaml = "apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: c1\n  cluster: {server: 'https://1.2.3.4'}\ncontexts:\n- name: a\n  context: {cluster: c1, user: u}\nusers:\n- name: u\n  user: {token: t}\n";
    let kube = kaas::Kubeconfig::from_yaml(yaml.to_string())
        .unwrap()
        .to_kube_config()
        .unwrap();
    assert_eq!(kube.current_context.as_deref(), Some("a"));
    assert_eq!(kube.clusters.len(), 1);
}
