//! A `kube::Client` in one call (feature `kube`): DigitalOcean's credentials endpoint hands
//! out a token, and a fake Kubernetes API on loopback accepts it.

use std::time::Duration;

use httpmock::MockServer;
use kaas::digitalocean::mock::MockServerExt as _;
use kaas::digitalocean::types;

use crate::{heading, step, support};

pub async fn tour() -> anyhow::Result<()> {
    heading(
        "kube::Client",
        "offline: DigitalOcean's credentials endpoint and a fake Kubernetes API",
    );
    let kubernetes = MockServer::start_async().await;
    support::kubernetes::serve_version(&kubernetes, "offline-cluster-token");
    let digitalocean = MockServer::start_async().await;
    let id: kaas::uuid::Uuid = "bd5f5959-5e1e-4205-a714-a914373942af".parse()?;
    // The credentials endpoint's answer: the fake API, a token of its own, no CA (the fake API
    // speaks plain HTTP on loopback), an hour to live.
    let credentials = types::Credentials {
        server: Some(kubernetes.base_url()),
        token: Some("offline-cluster-token".into()),
        expires_at: Some(
            chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
                + chrono::Duration::hours(1),
        ),
        ..Default::default()
    };
    digitalocean.get_credentials(|when, then| {
        when.cluster_id(&id).expiry_seconds(3600u64);
        then.ok(&credentials);
    });

    let client = kaas::digitalocean::Client::builder()
        .token("offline-tour-token")
        .base_url(digitalocean.base_url())
        .build()?;
    let kube = client.kube_client(id, Duration::from_secs(3600)).await?;
    step(
        "kube_client(id, 1 h)",
        "a kube::Client; its token is fetched again 5 minutes before it expires",
    );
    let version = kube.apiserver_version().await?;
    step(
        "apiserver_version()",
        format!("Kubernetes {}", version.git_version),
    );
    Ok(())
}
