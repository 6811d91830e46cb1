//! Rate limits: an answer that says the limit is reached for longer than retrying can wait is
//! returned at once as `Error::RateLimited`, saying when the window resets, instead of
//! burning the retry budget.

#[cfg(any(feature = "cloud66", feature = "digitalocean"))]
use httpmock::MockServer;

#[cfg(feature = "cloud66")]
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[cfg(feature = "cloud66")]
fn in_seconds(seconds: u64) -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + seconds
}

#[cfg(feature = "cloud66")]
#[tokio::test(start_paused = true)]
async fn cloud66_throttled_until_the_next_window_is_a_typed_error_without_retries() {
    let server = MockServer::start_async().await;
    let reset = in_seconds(1800);
    use kaas::cloud66::mock::MockServerExt as _;
    let throttled = server.get_stack_action(|when, then| {
        when.stack_id("s").id(1);
        // Rate-limit headers have no typed responder: added on the raw `Then`.
        then.service_unavailable(
            &serde_json::from_value(serde_json::json!({
                "error": "throttled",
                "error_description": "Rate limit exceeded"
            }))
            .unwrap(),
        )
        .into_inner()
        .header("X-RateLimit-Limit", "3000")
        .header("X-RateLimit-Remaining", "0")
        .header("X-RateLimit-Reset", reset.to_string());
    });
    let client = kaas::cloud66::Client::builder()
        .token("t")
        .base_url(server.base_url())
        .no_timeouts()
        .build()
        .unwrap();
    let error = client
        .get_stack_action()
        .stack_id("s")
        .id(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        throttled.calls_async().await,
        1,
        "a 30-minute window is not retried"
    );
    let kaas::Error::RateLimited(api) = &error else {
        panic!("expected RateLimited, got {error:?}");
    };
    let retry_at = api.retry_at().expect("the reset header says when");
    let wait = retry_at.duration_since(SystemTime::now()).unwrap();
    assert!(
        wait > Duration::from_secs(1700) && wait <= Duration::from_secs(1800),
        "{wait:?}"
    );
    let shown = error.to_string();
    assert!(
        shown.contains("rate limit reached") && shown.contains("retry after"),
        "{shown}"
    );
}

#[cfg(feature = "cloud66")]
#[tokio::test(start_paused = true)]
async fn cloud66_throttled_without_a_reset_is_not_retried_either() {
    let server = MockServer::start_async().await;
    use kaas::cloud66::mock::MockServerExt as _;
    let throttled = server.get_stack_action(|when, then| {
        when.stack_id("s").id(1);
        then.service_unavailable(
            &serde_json::from_value(serde_json::json!({"error": "throttled"})).unwrap(),
        );
    });
    let client = kaas::cloud66::Client::builder()
        .token("t")
        .base_url(server.base_url())
        .no_timeouts()
        .build()
        .unwrap();
    let error = client
        .get_stack_action()
        .stack_id("s")
        .id(1)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, kaas::Error::RateLimited(_)), "{error:?}");
    assert_eq!(throttled.calls_async().await, 1);
}

#[cfg(feature = "digitalocean")]
#[tokio::test(start_paused = true)]
async fn a_retry_after_longer_than_the_policy_allows_is_returned_at_once() {
    let server = MockServer::start_async().await;
    use kaas::digitalocean::mock::MockServerExt as _;
    let limited = server.list_options(|_, then| {
        // A `retry-after` header has no typed responder: added on the raw `Then`.
        then.too_many_requests(
            &serde_json::from_value(serde_json::json!({"id": "too_many_requests", "message": "API rate limit exceeded"}))
                .unwrap(),
        )
        .into_inner()
        .header("retry-after", "18446744073709551615");
    });
    let client = kaas::digitalocean::Client::builder()
        .token("t")
        .base_url(server.base_url())
        .no_timeouts()
        .build()
        .unwrap();
    let error = client.list_options().send().await.unwrap_err();
    assert_eq!(limited.calls_async().await, 1);
    let kaas::Error::RateLimited(api) = &error else {
        panic!("expected RateLimited, got {error:?}");
    };
    assert_eq!(api.message, "API rate limit exceeded");
    assert_eq!(error.status(), Some(429));
}
