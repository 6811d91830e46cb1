//! One `?` into any error type: a failed `send()` goes through `anyhow` (or any
//! `Box<dyn Error>`) and still prints the provider's own message and the request id.

#[allow(unused_imports)]
use httpmock::MockServer;
#[allow(unused_imports)]
use serde_json::json;

/// A server answering every request with `status`, `body` and an `x-request-id`.
#[allow(dead_code)]
async fn failing_server(status: u16, content_type: &str, body: String) -> MockServer {
    let server = MockServer::start_async().await;
    let content_type = content_type.to_string();
    server
        .mock_async(move |when, then| {
            when.any_request();
            then.status(status)
                .header("content-type", content_type.clone())
                .header("x-request-id", "req-from-header")
                .body(body.clone());
        })
        .await;
    server
}

#[allow(dead_code)]
fn assert_shows(error: anyhow::Error, message: &str, request_id: &str) {
    for shown in [
        format!("{error}"),
        format!("{error:#}"),
        format!("{error:?}"),
    ] {
        assert!(shown.contains(message), "{shown:?} lacks {message:?}");
        assert!(shown.contains(request_id), "{shown:?} lacks {request_id:?}");
    }
}

#[cfg(feature = "digitalocean")]
#[tokio::test]
async fn digitalocean() {
    let server = failing_server(
        404,
        "application/json",
        json!({"id": "not_found", "message": "The resource you were accessing could not be found.", "request_id": "do-req-1"}).to_string(),
    )
    .await;
    let client = kaas::digitalocean::Client::builder()
        .token("t")
        .base_url(server.base_url())
        .build()
        .unwrap();
    async fn call(client: &kaas::digitalocean::Client) -> anyhow::Result<String> {
        let cluster = client
            .get_cluster()
            .cluster_id(uuid::Uuid::nil())
            .send()
            .await?;
        Ok(cluster.kubernetes_cluster.name)
    }
    let error = call(&client).await.unwrap_err();
    assert_shows(error, "could not be found", "do-req-1");
}

#[cfg(feature = "oks")]
#[tokio::test]
async fn oks() {
    let server = failing_server(
        404,
        "application/json",
        json!({"Errors": [{"Type": "NotFound", "Code": "404", "Details": "Cluster c1 not found"}], "ResponseContext": {"RequestId": "oks-req-1"}}).to_string(),
    )
    .await;
    let client = kaas::oks::Client::builder()
        .access_key("AK", "SK")
        .base_url(server.base_url())
        .build()
        .unwrap();
    async fn call(client: &kaas::oks::Client) -> anyhow::Result<String> {
        let cluster = client.get_cluster().cluster_id("c1").send().await?;
        Ok(cluster.cluster.name)
    }
    let error = call(&client).await.unwrap_err();
    assert_shows(error, "Cluster c1 not found", "oks-req-1");
}

#[cfg(feature = "cloud66")]
#[tokio::test]
async fn cloud66() {
    let server = failing_server(
        401,
        "application/json",
        json!({"error": "invalid_token", "error_description": "The access token is invalid"})
            .to_string(),
    )
    .await;
    let client = kaas::cloud66::Client::builder()
        .token("t")
        .base_url(server.base_url())
        .build()
        .unwrap();
    async fn call(
        client: &kaas::cloud66::Client,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        client.get_cluster().id(1).send().await?;
        Ok(())
    }
    let error = call(&client).await.unwrap_err();
    assert_shows(
        anyhow::Error::from_boxed(error),
        "The access token is invalid",
        "req-from-header",
    );
}

#[cfg(feature = "commissaire")]
#[tokio::test]
async fn commissaire() {
    let server = failing_server(409, "text/html", "Conflict".to_string()).await;
    let client = kaas::commissaire::Client::builder()
        .basic_auth("a", "p")
        .base_url(server.base_url())
        .build()
        .unwrap();
    async fn call(client: &kaas::commissaire::Client) -> anyhow::Result<()> {
        client.delete_cluster().name("prod").send().await?;
        Ok(())
    }
    let error = call(&client).await.unwrap_err();
    assert_shows(error, "answered 409: Conflict", "req-from-header");
}
