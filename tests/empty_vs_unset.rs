//! "Not set" is not "empty": in every request body of every provider, a list or map the caller
//! set to empty is sent as `[]` / `{}`, and a field the caller did not set is not sent. Each
//! test sends both through the real client and asserts the exact body the server received.

mod common;

#[allow(unused_imports)]
use httpmock::MockServer;
#[allow(unused_imports)]
use serde_json::{Value, json};

/// Sends `send(body)` for each case and asserts the server got exactly `expected` as the body.
#[allow(dead_code)]
async fn assert_bodies<B, F, Fut>(
    server: &MockServer,
    path: &str,
    cases: Vec<(Value, Value)>,
    answer: Value,
    send: F,
) where
    B: serde::de::DeserializeOwned,
    F: Fn(B) -> Fut,
    Fut: std::future::Future<Output = kaas::Result<()>>,
{
    for (given, expected) in cases {
        let mock = server
            .mock_async(|when, then| {
                when.path(path).json_body(expected.clone());
                then.status(200).json_body(answer.clone());
            })
            .await;
        let body: B = serde_json::from_value(given.clone()).expect("the case is a valid body");
        send(body).await.unwrap_or_else(|e| panic!("{given}: {e}"));
        assert_eq!(
            mock.calls_async().await,
            1,
            "the server did not receive {expected}"
        );
        mock.delete_async().await;
    }
}

#[cfg(feature = "oks")]
#[tokio::test]
async fn oks_cluster_update_sends_empty_lists_and_maps_and_omits_unset_ones() {
    use kaas::oks::types::ClusterUpdate;
    let server = MockServer::start_async().await;
    let client = kaas::oks::Client::builder()
        .access_key("AK", "SK")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let answer = common::fixture("oks", "update_cluster.response.json");
    let cases = vec![
        // Nothing set: nothing sent, the service keeps every value.
        (json!({"version": "1.31"}), json!({"version": "1.31"})),
        // Set to empty: sent as such, the service clears them.
        (
            json!({"admin_whitelist": [], "quirks": [], "tags": {}}),
            json!({"admin_whitelist": [], "quirks": [], "tags": {}}),
        ),
    ];
    assert_bodies(
        &server,
        "/clusters/c1",
        cases,
        answer,
        |body: ClusterUpdate| {
            let client = client.clone();
            async move {
                client
                    .update_cluster()
                    .cluster_id("c1")
                    .body(body)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(kaas::Error::from)
            }
        },
    )
    .await;
}
