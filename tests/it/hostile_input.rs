//! Hostile input from a careless caller or a misbehaving server, on the shared request path:
//! ids that would steer a request elsewhere, unusable builder settings, error answers that must
//! keep their URL, bodies past the cap, list walks a server tries to make endless, and retries
//! that must not come in a burst. Each test failed before the fix it guards.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use futures::StreamExt as _;
use httpmock::MockServer;
use kaas::paginate::{MAX_PAGES, Page, PageRequest, PageWalk, all_items};

/// A server that answers every request with `status` and `body`, and counts them.
#[allow(dead_code)]
async fn server_answering(
    status: u16,
    body: &str,
) -> (&'static MockServer, httpmock::Mock<'static>) {
    let server = Box::leak(Box::new(MockServer::start_async().await));
    let body = body.to_string();
    // Raw: a catch-all for any request of any operation, which must see none.
    let mock = server
        .mock_async(move |when, then| {
            when.any_request();
            then.status(status)
                .header("content-type", "application/json")
                .body(body.clone());
        })
        .await;
    (server, mock)
}

#[cfg(feature = "oks")]
#[tokio::test]
async fn dot_segments_and_empty_ids_are_refused_before_sending() {
    let (server, mock) = server_answering(200, "{}").await;
    let client = kaas::oks::Client::builder()
        .access_key("AK", "SK")
        .base_url(server.base_url())
        .retry_policy(kaas::RetryPolicy::none())
        .build()
        .unwrap();
    for id in ["..", ".", "", " "] {
        let error = client
            .delete_cluster()
            .cluster_id(id)
            .send()
            .await
            .map(|_| ())
            .unwrap_err();
        assert!(
            matches!(error, kaas::Error::InvalidInput(_)),
            "{id:?}: {error:?}"
        );
    }
    assert_eq!(mock.calls_async().await, 0, "nothing may reach the server");
}

#[cfg(feature = "oks")]
#[tokio::test]
async fn a_backslash_stays_inside_its_segment() {
    let server = MockServer::start_async().await;
    let escaped = {
        use kaas::oks::mock::MockServerExt as _;
        server.delete_cluster(|when, then| {
            // The exact encoding is the test: the raw path (the typed setter takes the id).
            when.into_inner().path("/clusters/..%5Cprojects%5Cp1");
            crate::common::answer_json(
                then.into_inner(),
                404,
                serde_json::json!({"detail": "no such cluster"}),
            );
        })
    };
    let client = kaas::oks::Client::builder()
        .access_key("AK", "SK")
        .base_url(server.base_url())
        .retry_policy(kaas::RetryPolicy::none())
        .build()
        .unwrap();
    let outcome = client
        .delete_cluster()
        .cluster_id(r"..\projects\p1")
        .send()
        .await
        .map(|_| ());
    match outcome {
        // An id pattern in the spec may refuse it first; either way it never leaves its segment.
        Err(kaas::Error::InvalidInput(_)) => assert_eq!(escaped.calls_async().await, 0),
        other => {
            assert_eq!(escaped.calls_async().await, 1, "{other:?}");
            assert_eq!(other.unwrap_err().status(), Some(404));
        }
    }
}

#[cfg(feature = "cloud66")]
#[tokio::test]
async fn error_answers_keep_the_url_they_came_from() {
    use kaas::cloud66::mock::MockServerExt as _;
    let server = MockServer::start_async().await;
    server.get_stack_action(|when, then| {
        when.stack_id("stack-1").id(7);
        then.not_found(&serde_json::from_str(r#"{"error": "not_found"}"#).unwrap());
    });
    let client = kaas::cloud66::Client::builder()
        .token("t")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let error = client
        .get_stack_action()
        .stack_id("stack-1")
        .id(7)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert_eq!(
        error.api().unwrap().url.as_deref(),
        Some(format!("{}/stacks/stack-1/actions/7", server.base_url()).as_str()),
        "the error names the URL it came from, not a placeholder"
    );
}

#[cfg(feature = "digitalocean")]
#[test]
fn unusable_builder_settings_are_invalid_input() {
    use kaas::digitalocean::Client;
    let cases = [
        (
            "user agent with CR/LF",
            Client::builder()
                .token("t")
                .user_agent("app/1\r\nX-Evil: 1")
                .build(),
        ),
        (
            "a PEM that is not a certificate",
            Client::builder()
                .token("t")
                .root_certificate_pem(
                    "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n",
                )
                .build(),
        ),
        (
            "base URL with a query",
            Client::builder()
                .token("t")
                .base_url("https://api.example.com/?x=1")
                .build(),
        ),
        (
            "base URL with a fragment",
            Client::builder()
                .token("t")
                .base_url("https://api.example.com/#top")
                .build(),
        ),
    ];
    for (what, outcome) in cases {
        let error = outcome.expect_err(what);
        assert!(
            matches!(error, kaas::Error::InvalidInput(_)),
            "{what}: {error:?}"
        );
    }
}

#[cfg(feature = "oks")]
#[tokio::test]
async fn a_one_time_code_with_a_line_break_is_an_error_not_dropped() {
    let (server, mock) = server_answering(200, "{}").await;
    let client = kaas::oks::Client::builder()
        .access_key("AK", "SK")
        .otp(|| Some("123456\r\nX-Evil: 1".to_string().into()))
        .base_url(server.base_url())
        .build()
        .unwrap();
    let error = client.get_quotas().send().await.unwrap_err();
    assert!(
        matches!(&error, kaas::Error::InvalidInput(m) if m.contains("one-time code")),
        "{error:?}"
    );
    assert_eq!(mock.calls_async().await, 0);
}

#[cfg(feature = "cloud66")]
#[tokio::test]
async fn success_bodies_past_the_cap_are_refused() {
    let big = format!(
        r#"{{"response": {{"id": 1, "padding": "{}"}}}}"#,
        "x".repeat(10_000)
    );
    use kaas::cloud66::mock::MockServerExt as _;
    let server = MockServer::start_async().await;
    server.get_stack_action(|when, then| {
        when.stack_id("s").id(1);
        // A body past the cap, padding and all: the raw responder.
        crate::common::answer_text(then.into_inner(), 200, "application/json", big);
    });
    let client = kaas::cloud66::Client::builder()
        .token("t")
        .base_url(server.base_url())
        .max_response_bytes(4096)
        .build()
        .unwrap();
    let error = client
        .get_stack_action()
        .stack_id("s")
        .id(1)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, kaas::Error::BodyTooLarge { limit: 4096 }),
        "{error:?}"
    );
}

#[cfg(feature = "digitalocean")]
#[tokio::test(start_paused = true)]
async fn a_rate_limit_reset_in_the_past_still_waits_the_backoff() {
    use std::time::Duration;
    let server = MockServer::start_async().await;
    use kaas::digitalocean::mock::MockServerExt as _;
    let limited = server.list_options(|_, then| {
        // Rate-limit headers have no typed responder: added on the raw `Then`.
        then.too_many_requests(
            &serde_json::from_value(
                serde_json::json!({"id": "too_many_requests", "message": "slow down"}),
            )
            .unwrap(),
        )
        .into_inner()
        .header("ratelimit-remaining", "0")
        .header("ratelimit-reset", "1444931833");
    });
    let policy = kaas::RetryPolicy::default()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_millis(200));
    let client = kaas::digitalocean::Client::builder()
        .token("t")
        .base_url(server.base_url())
        .no_timeouts()
        .retry_policy(policy)
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let error = client.list_options().send().await.unwrap_err();
    let waited = started.elapsed();
    assert!(matches!(error, kaas::Error::RateLimited(_)), "{error:?}");
    assert_eq!(limited.calls_async().await, 4);
    // Three waits of at least half of 200, 400 and 800 ms.
    assert!(waited >= Duration::from_millis(700), "{waited:?}");
}

/// A fake list that claims `total` items but answers `per_page` items on pages up to
/// `full_pages` and nothing after, counting fetches.
fn lying_pages(
    total: u64,
    full_pages: u32,
    fetches: Arc<AtomicU32>,
) -> impl Fn(PageRequest) -> futures::future::BoxFuture<'static, kaas::Result<Page<u32>>>
+ Clone
+ Send
+ Sync
+ 'static {
    move |request: PageRequest| {
        let page = request.number;
        let fetches = fetches.clone();
        Box::pin(async move {
            fetches.fetch_add(1, Ordering::SeqCst);
            let items = if page <= full_pages {
                vec![page]
            } else {
                Vec::new()
            };
            Ok(Page::new(items).total(total).has_next(true))
        })
    }
}

#[tokio::test]
async fn a_walk_ends_on_an_empty_page_and_says_what_the_total_claimed() {
    let fetches = Arc::new(AtomicU32::new(0));
    let walk = PageWalk::new(1, 8);
    let outcome: Vec<kaas::Result<u32>> = all_items(
        walk,
        |n| Some(n),
        lying_pages(1_000_000_000_000, 3, fetches.clone()),
    )
    .collect()
    .await;
    let items: Vec<u32> = outcome
        .iter()
        .filter_map(|item| item.as_ref().ok().copied())
        .collect();
    assert_eq!(items, [1, 2, 3], "the items that came, then the error");
    match outcome.last() {
        Some(Err(kaas::Error::IncompleteListing {
            expected: Some(1_000_000_000_000),
            got: 3,
            ..
        })) => {}
        other => panic!("a walk short of its total must end with IncompleteListing, not {other:?}"),
    }
    let fetched = fetches.load(Ordering::SeqCst);
    assert!(fetched <= 3 + 1 + 8, "{fetched} pages fetched");
}

#[tokio::test]
async fn a_walk_fetches_at_most_max_pages_and_says_so() {
    let fetches = Arc::new(AtomicU32::new(0));
    let walk = PageWalk::new(1, 16);
    let outcome: Vec<kaas::Result<u32>> = all_items(
        walk,
        |n| Some(n),
        lying_pages(u64::MAX, u32::MAX, fetches.clone()),
    )
    .collect::<Vec<_>>()
    .await;
    assert_eq!(outcome.len(), MAX_PAGES as usize + 1);
    assert!(
        outcome[..MAX_PAGES as usize]
            .iter()
            .all(|item| item.is_ok())
    );
    let last = outcome.last().unwrap().as_ref().unwrap_err();
    assert!(
        matches!(last, kaas::Error::IncompleteListing { .. }),
        "{last:?}"
    );
    assert!(last.to_string().contains("pages"), "{last}");
    assert!(fetches.load(Ordering::SeqCst) <= MAX_PAGES + 16);
}
