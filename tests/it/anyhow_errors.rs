//! One `?` into any error type: a failed `send()` goes through `anyhow` (or any
//! `Box<dyn Error>`) and still prints the provider's own message and the request id.

#[allow(unused_imports)]
use crate::common;
#[allow(unused_imports)]
use httpmock::MockServer;
#[allow(unused_imports)]
use serde_json::json;

/// Answers `status` with `body` and an `x-request-id`, under a typed mock's matchers (each
/// provider's error exactly as sent, and a header the typed responders do not set).
#[allow(dead_code)]
fn failing(then: httpmock::Then, status: u16, content_type: &str, body: String) {
    common::answer_text(then, status, content_type, body).header("x-request-id", "req-from-header");
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
    use kaas::digitalocean::mock::MockServerExt as _;
    let server = MockServer::start_async().await;
    server.get_cluster(|when, then| {
        when.cluster_id(&uuid::Uuid::nil());
        failing(
            then.into_inner(),
            404,
            "application/json",
            json!({"id": "not_found", "message": "The resource you were accessing could not be found.", "request_id": "do-req-1"}).to_string(),
        );
    });
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
    use kaas::oks::mock::MockServerExt as _;
    let server = MockServer::start_async().await;
    server.get_cluster(|when, then| {
        when.cluster_id("c1");
        failing(
            then.into_inner(),
            404,
            "application/json",
            json!({"Errors": [{"Type": "NotFound", "Code": "404", "Details": "Cluster c1 not found"}], "ResponseContext": {"RequestId": "oks-req-1"}}).to_string(),
        );
    });
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
    use kaas::cloud66::mock::MockServerExt as _;
    let server = MockServer::start_async().await;
    server.get_cluster(|when, then| {
        when.id(1);
        failing(
            then.into_inner(),
            401,
            "application/json",
            json!({"error": "invalid_token", "error_description": "The access token is invalid"})
                .to_string(),
        );
    });
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
    use kaas::commissaire::mock::MockServerExt as _;
    let server = MockServer::start_async().await;
    server.delete_cluster(|when, then| {
        when.name(&"prod".parse().unwrap());
        failing(then.into_inner(), 409, "text/html", "Conflict".to_string());
    });
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
