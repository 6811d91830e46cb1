//! The secret-leak sentinel: credentials and kubeconfigs of every provider are made of a
//! recognisable sentinel, sent through real requests (successes and errors), and must never
//! appear in `Debug` or `Display` of clients, builders, errors, or in anything `tracing` logs
//! at any level (kaas's own events and those of reqwest, hyper and httpmock).

use crate::common;

#[allow(unused_imports)]
use httpmock::MockServer;
#[allow(unused_imports)]
use serde_json::json;

/// Fails if `SENTINEL` appears in `shown` or in the logs so far.
#[allow(dead_code)]
fn assert_no_sentinel(provider: &str, shown: &str) {
    let logs = common::logs_text(&common::global_logs());
    assert!(
        logs.contains(provider),
        "{provider}: nothing was logged, so the log check proves nothing"
    );
    assert!(
        !shown.contains("SENTINEL"),
        "{provider}: a secret leaked into Debug/Display: {shown}"
    );
    assert!(
        !logs.contains("SENTINEL"),
        "{provider}: a secret leaked into the logs: {logs}"
    );
}

#[cfg(feature = "digitalocean")]
#[tokio::test]
async fn digitalocean_token_and_kubeconfig_stay_secret() {
    use kaas::digitalocean::Client;
    use kaas::digitalocean::mock::MockServerExt as _;
    common::global_logs();
    let server = MockServer::start_async().await;
    server.get_kubeconfig(|when, then| {
        when.cluster_id(&uuid::Uuid::nil());
        // The kubeconfig is YAML; the typed `ok` sends JSON only.
        common::answer_text(
            then.into_inner(),
            200,
            "application/yaml",
            "apiVersion: v1\nkind: Config\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {token: SENTINEL-kubeconfig}\n",
        );
    });
    server.get_cluster(|when, then| {
        when.cluster_id(&uuid::Uuid::nil());
        then.unauthorized(
            &serde_json::from_value(
                json!({"id": "unauthorized", "message": "Unable to authenticate you."}),
            )
            .unwrap(),
        );
    });
    let token = "dop_v1_SENTINEL0123456789abcdef";
    let client = Client::builder()
        .token(token)
        .base_url(server.base_url())
        .retry_policy(kaas::RetryPolicy::none())
        .build()
        .unwrap();
    let id = uuid::Uuid::nil();
    let failed = client
        .get_cluster()
        .cluster_id(id)
        .send()
        .await
        .unwrap_err();
    let shown_generated = format!("{failed} {failed:?}");
    let error: kaas::Error = failed;
    let kubeconfig = client.kubeconfig(id).await.unwrap();
    let builder = Client::builder().token(token);
    let shown =
        format!("{client:?} {error} {error:?} {builder:?} {shown_generated} {kubeconfig:?}");
    assert_no_sentinel("digitalocean", &shown);
}

#[cfg(feature = "oks")]
#[tokio::test]
async fn oks_credentials_tokens_otp_and_the_decrypted_kubeconfig_stay_secret() {
    use kaas::oks::mock::MockServerExt as _;
    use kaas::oks::{Client, nacl};
    common::global_logs();
    let server = MockServer::start_async().await;
    let yaml = "apiVersion: v1\nkind: Config\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {token: SENTINEL-oks-kubeconfig}\n";
    server.get_cluster_kubeconfig_encrypted(move |when, then| {
        when.cluster_id("c1");
        then.respond_with(move |request: &httpmock::HttpMockRequest| {
            let sealed = nacl::seal_for_request(request, yaml.as_bytes()).unwrap();
            http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .header("Access-Token", "SENTINEL-rotated-access")
                .header("Refresh-Token", "SENTINEL-rotated-refresh")
                .body(json!({"Cluster": {"data": {"kubeconfig": sealed}}}).to_string())
                .unwrap()
                .into()
        });
    });
    server.get_cluster(|when, then| {
        when.cluster_id("c1");
        // OKS's live error shape, exactly as sent: the raw responder.
        common::answer_json(
            then.into_inner(),
            401,
            json!({"Errors": [{"Type": "AccessDenied", "Code": "401", "Details": "bad credentials"}]}),
        );
    });
    let mut shown = String::new();
    let builders = [
        Client::builder().access_key("AK-SENTINEL", "SK-SENTINEL"),
        Client::builder().basic_auth("login", "SENTINEL-password"),
        Client::builder().tokens("SENTINEL-access", "SENTINEL-refresh"),
    ];
    for builder in builders {
        let builder = builder
            .otp(|| Some("SENTINEL-otp".to_string().into()))
            .base_url(server.base_url())
            .retry_policy(kaas::RetryPolicy::none());
        shown.push_str(&format!("{builder:?}"));
        let client = builder.build().unwrap();
        let kubeconfig = client.kubeconfig("c1").await.unwrap();
        let failed = client
            .get_cluster()
            .cluster_id("c1")
            .send()
            .await
            .unwrap_err();
        shown.push_str(&format!("{failed} {failed:?}"));
        let error: kaas::Error = failed;
        shown.push_str(&format!("{client:?} {error} {error:?} {kubeconfig:?}"));
        assert!(kubeconfig.expose_yaml().contains("SENTINEL-oks-kubeconfig"));
    }
    assert_no_sentinel("oks", &shown);
}

#[cfg(feature = "cloud66")]
#[tokio::test]
async fn cloud66_token_stays_secret() {
    use kaas::cloud66::Client;
    use kaas::cloud66::mock::MockServerExt as _;
    common::global_logs();
    let server = MockServer::start_async().await;
    server.get_cluster(|when, then| {
        when.id(1);
        then.unauthorized(
            &serde_json::from_value(json!({"error": "invalid_token", "error_description": "The access token is invalid"}))
                .unwrap(),
        );
    });
    let builder = Client::builder()
        .token("c66-SENTINEL-token")
        .base_url(server.base_url())
        .retry_policy(kaas::RetryPolicy::none());
    let shown_builder = format!("{builder:?}");
    let client = builder.build().unwrap();
    let failed = client.get_cluster().id(1).send().await.unwrap_err();
    let shown_generated = format!("{failed} {failed:?}");
    let error: kaas::Error = failed;
    let shown = format!("{shown_builder} {client:?} {error} {error:?} {shown_generated}");
    assert_no_sentinel("cloud66", &shown);
}

#[cfg(feature = "commissaire")]
#[tokio::test]
async fn commissaire_password_token_and_ssh_keys_stay_secret() {
    use kaas::commissaire::mock::MockServerExt as _;
    use kaas::commissaire::{Client, types};
    common::global_logs();
    let server = MockServer::start_async().await;
    server.get_host_creds(|when, then| {
        when.ip(&"10.0.0.1".parse().unwrap());
        then.ok(&serde_json::from_value(
            json!({"address": "10.0.0.1", "ssh_priv_key": "SENTINEL-key", "remote_user": "root"}),
        )
        .unwrap());
    });
    server.create_host(|when, then| {
        when.ip(&"10.0.0.2".parse().unwrap());
        // Commissaire's errors are HTML pages; the typed responders send JSON only.
        common::answer_text(then.into_inner(), 403, "text/html", "Forbidden");
    });
    let mut shown = String::new();
    for builder in [
        Client::builder().basic_auth("admin", "SENTINEL-password"),
        Client::builder().token("SENTINEL-token"),
    ] {
        let builder = builder
            .base_url(server.base_url())
            .retry_policy(kaas::RetryPolicy::none());
        shown.push_str(&format!("{builder:?}"));
        let client = builder.build().unwrap();
        let creds = client.get_host_creds().ip("10.0.0.1").send().await.unwrap();
        let body = types::HostCreate {
            cluster: None,
            remote_user: None,
            ssh_priv_key: Some("SENTINEL-new-key".into()),
        };
        let failed = client
            .create_host()
            .ip("10.0.0.2")
            .body(body.clone())
            .send()
            .await
            .unwrap_err();
        shown.push_str(&format!("{failed} {failed:?}"));
        let error: kaas::Error = failed;
        shown.push_str(&format!("{client:?} {error} {error:?} {creds:?} {body:?}"));
    }
    assert_no_sentinel("commissaire", &shown);
}

/// `Display` and `Debug` of the error a failed `send()` returns, and of that error through
/// `anyhow` (whose `{:#}` and `{:?}` walk the whole source chain).
#[allow(dead_code)]
fn shown(error: kaas::Error) -> String {
    let direct = format!("{error} {error:?}");
    let chained = anyhow::Error::from(error);
    format!("{direct} {chained:#} {chained:?}")
}

/// Asserts that `error`, shown every way ([`shown`]), says `expected` and holds no sentinel.
#[allow(dead_code)]
fn assert_says_without_secret(error: kaas::Error, expected: &str) {
    let shown = shown(error);
    assert!(shown.contains(expected), "{shown}");
    assert!(!shown.contains("SENTINEL"), "{shown}");
}

/// Answers `status` with the JSON text `body` and the given headers, under a typed mock's
/// matchers (a body cut short or of the wrong type is no typed value).
#[allow(dead_code)]
fn answer(then: httpmock::Then, status: u16, body: &str, headers: &[(&str, &str)]) {
    let then = common::answer_text(then, status, "application/json", body);
    headers
        .iter()
        .fold(then, |then, (name, value)| then.header(*name, *value));
}

/// Bodies of secret-holding answers that do not match the spec: cut short, or with a value of
/// the wrong type. The error must say where, and quote nothing.
#[allow(dead_code)]
const BROKEN_SECRET_BODIES: &[&str] = &[
    r#"{"server": "https://k8s.example.com", "token": "SENTINEL-token", "expires_at": "#,
    r#"{"server": "https://k8s.example.com", "token": "SENTINEL-token", "expires_at": "SENTINEL-not-a-date"}"#,
];

#[cfg(feature = "digitalocean")]
#[tokio::test]
async fn digitalocean_credentials_that_fail_to_decode_are_not_quoted() {
    use kaas::digitalocean::mock::MockServerExt as _;
    for body in BROKEN_SECRET_BODIES {
        let server = MockServer::start_async().await;
        server.get_credentials(|when, then| {
            when.cluster_id(&uuid::Uuid::nil());
            answer(then.into_inner(), 200, body, &[]);
        });
        let client = kaas::digitalocean::Client::builder()
            .token("t")
            .base_url(server.base_url())
            .build()
            .unwrap();
        let failed = client
            .get_credentials()
            .cluster_id(uuid::Uuid::nil())
            .send()
            .await
            .unwrap_err();
        assert_says_without_secret(failed, "holds a secret");
    }
}

#[cfg(feature = "oks")]
#[tokio::test]
async fn oks_plain_kubeconfigs_that_fail_to_decode_are_not_quoted() {
    for body in [
        r#"{"Cluster": {"data": {"kubeconfig": "apiVersion: v1 SENTINEL-yaml"#,
        r#"{"Cluster": "SENTINEL-kubeconfig"}"#,
    ] {
        use kaas::oks::mock::MockServerExt as _;
        let server = MockServer::start_async().await;
        server.get_cluster_kubeconfig(|when, then| {
            when.cluster_id("c1");
            answer(then.into_inner(), 200, body, &[]);
        });
        let client = kaas::oks::Client::builder()
            .access_key("AK", "SK")
            .base_url(server.base_url())
            .build()
            .unwrap();
        let failed = client
            .get_cluster_kubeconfig()
            .cluster_id("c1")
            .send()
            .await
            .unwrap_err();
        assert_says_without_secret(failed, "holds a secret");
    }
}

#[cfg(feature = "oks")]
#[tokio::test]
async fn oks_rotated_tokens_on_an_error_answer_are_not_shown() {
    use kaas::oks::mock::MockServerExt as _;
    let server = MockServer::start_async().await;
    server.get_cluster(|when, then| {
        when.cluster_id("c1");
        answer(
            then.into_inner(),
            404,
            r#"{"Errors": [{"Type": "NotFound", "Code": "404", "Details": "no such cluster"}]}"#,
            &[
                ("Access-Token", "SENTINEL-rotated-access"),
                ("Refresh-Token", "SENTINEL-rotated-refresh"),
            ],
        );
    });
    let client = kaas::oks::Client::builder()
        .tokens("access", "refresh")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let failed = client
        .get_cluster()
        .cluster_id("c1")
        .send()
        .await
        .unwrap_err();
    assert_says_without_secret(failed, "no such cluster");
}

#[cfg(feature = "commissaire")]
#[tokio::test]
async fn commissaire_host_credentials_that_fail_to_decode_are_not_quoted() {
    for body in [
        r#"{"ssh_priv_key": "-----BEGIN SENTINEL KEY-----", "remote_user": "#,
        r#"{"ssh_priv_key": "SENTINEL-key", "remote_user": {"SENTINEL": 1}}"#,
    ] {
        use kaas::commissaire::mock::MockServerExt as _;
        let server = MockServer::start_async().await;
        server.get_host_creds(|when, then| {
            when.ip(&"10.0.0.1".parse().unwrap());
            answer(then.into_inner(), 200, body, &[]);
        });
        let client = kaas::commissaire::Client::builder()
            .basic_auth("a", "p")
            .base_url(server.base_url())
            .build()
            .unwrap();
        let failed = client
            .get_host_creds()
            .ip("10.0.0.1")
            .send()
            .await
            .unwrap_err();
        assert_says_without_secret(failed, "holds a secret");
    }
}

/// A base URL is checked when the client is built; a refused one is never echoed with its
/// password, for any provider.
#[test]
fn base_urls_with_a_password_are_refused_without_echoing_it() {
    let urls = [
        "https://admin:SENTINEL-password@host:99999/",
        "https://admin:SENTINEL-password@api.example.com/",
        "http://admin:SENTINEL-password@example.com/?q=1",
    ];
    let mut shown = Vec::new();
    for url in urls {
        #[cfg(feature = "digitalocean")]
        shown.push(
            kaas::digitalocean::Client::builder()
                .token("t")
                .base_url(url)
                .build()
                .map(|_| ()),
        );
        #[cfg(feature = "oks")]
        shown.push(
            kaas::oks::Client::builder()
                .access_key("a", "s")
                .base_url(url)
                .build()
                .map(|_| ()),
        );
        #[cfg(feature = "cloud66")]
        shown.push(
            kaas::cloud66::Client::builder()
                .token("t")
                .base_url(url)
                .build()
                .map(|_| ()),
        );
        #[cfg(feature = "commissaire")]
        shown.push(
            kaas::commissaire::Client::builder()
                .basic_auth("a", "p")
                .base_url(url)
                .build()
                .map(|_| ()),
        );
    }
    for outcome in shown {
        let error = outcome.expect_err("a base URL with credentials is refused");
        assert!(matches!(error, kaas::Error::InvalidInput(_)), "{error:?}");
        let text = format!("{error} {error:?}");
        assert!(!text.contains("SENTINEL"), "{text}");
    }
}

/// Answer headers that carry a credential (OKS rotates its tokens through `Access-Token` and
/// `Refresh-Token`; others are cookies, API keys, sessions), each with a sentinel value.
#[allow(dead_code)]
const CREDENTIAL_HEADERS: &[(&str, &str)] = &[
    ("Authorization", "Bearer SENTINEL-authorization"),
    ("Proxy-Authorization", "Basic SENTINEL-proxy"),
    ("Cookie", "session=SENTINEL-cookie"),
    ("Set-Cookie", "session=SENTINEL-set-cookie; HttpOnly"),
    ("Access-Token", "SENTINEL-access-token"),
    ("Refresh-Token", "SENTINEL-refresh-token"),
    ("X-Auth-Token", "SENTINEL-x-auth-token"),
    ("X-Client-Secret", "SENTINEL-client-secret"),
    ("X-Api-Key", "SENTINEL-api-key"),
    ("X-Password", "SENTINEL-password-header"),
    ("X-Session-Id", "SENTINEL-session"),
];

/// Answers `provider`'s `get_cluster.response.json` fixture with every header of
/// [`CREDENTIAL_HEADERS`], plus a harmless request id, under a typed `get_cluster` mock's
/// matchers (the typed responders set no headers).
#[allow(dead_code)]
fn answer_with_credential_headers(then: httpmock::Then, provider: &str) {
    let body = common::fixture_text(provider, "get_cluster.response.json");
    let mut headers = vec![("x-request-id", "req-visible")];
    headers.extend_from_slice(CREDENTIAL_HEADERS);
    answer(then, 200, &body, &headers);
}

/// `Debug` of a `kaas::Response` shows its headers but not one credential value: for every
/// provider and every auth scheme, the answer carries each of [`CREDENTIAL_HEADERS`].
#[tokio::test]
#[allow(unused_mut, unused_variables)]
async fn response_debug_redacts_credential_headers_for_every_provider_and_auth_scheme() {
    let mut shown: Vec<(String, String)> = Vec::new();
    #[cfg(feature = "digitalocean")]
    {
        use kaas::digitalocean::mock::MockServerExt as _;
        let server = MockServer::start_async().await;
        server.get_cluster(|when, then| {
            when.cluster_id(&uuid::Uuid::nil());
            answer_with_credential_headers(then.into_inner(), "digitalocean");
        });
        let client = kaas::digitalocean::Client::builder()
            .token("t")
            .base_url(server.base_url())
            .build()
            .unwrap();
        let response = client
            .get_cluster()
            .cluster_id(uuid::Uuid::nil())
            .send_with_response()
            .await
            .unwrap();
        shown.push(("digitalocean token".into(), format!("{response:?}")));
    }
    #[cfg(feature = "oks")]
    {
        use kaas::oks::Client;
        use kaas::oks::mock::MockServerExt as _;
        let server = MockServer::start_async().await;
        server.get_cluster(|when, then| {
            when.cluster_id("c1");
            answer_with_credential_headers(then.into_inner(), "oks");
        });
        for (scheme, builder) in [
            ("access key", Client::builder().access_key("AK", "SK")),
            ("basic", Client::builder().basic_auth("login", "password")),
            ("tokens", Client::builder().tokens("access", "refresh")),
        ] {
            let client = builder.base_url(server.base_url()).build().unwrap();
            let response = client
                .get_cluster()
                .cluster_id("c1")
                .send_with_response()
                .await
                .unwrap();
            shown.push((format!("oks {scheme}"), format!("{response:?}")));
        }
    }
    #[cfg(feature = "cloud66")]
    {
        use kaas::cloud66::mock::MockServerExt as _;
        let server = MockServer::start_async().await;
        server.get_cluster(|when, then| {
            when.id(1);
            answer_with_credential_headers(then.into_inner(), "cloud66");
        });
        let client = kaas::cloud66::Client::builder()
            .token("t")
            .base_url(server.base_url())
            .build()
            .unwrap();
        let response = client
            .get_cluster()
            .id(1)
            .send_with_response()
            .await
            .unwrap();
        shown.push(("cloud66 token".into(), format!("{response:?}")));
    }
    #[cfg(feature = "commissaire")]
    {
        use kaas::commissaire::Client;
        use kaas::commissaire::mock::MockServerExt as _;
        let server = MockServer::start_async().await;
        server.get_cluster(|when, then| {
            when.name(&"mycluster".parse().unwrap());
            answer_with_credential_headers(then.into_inner(), "commissaire");
        });
        for (scheme, builder) in [
            ("basic", Client::builder().basic_auth("admin", "password")),
            ("token", Client::builder().token("token")),
        ] {
            let client = builder.base_url(server.base_url()).build().unwrap();
            let response = client
                .get_cluster()
                .name("mycluster")
                .send_with_response()
                .await
                .unwrap();
            shown.push((format!("commissaire {scheme}"), format!("{response:?}")));
        }
    }
    let mut checks = 0;
    let mut hits = Vec::new();
    for (label, text) in &shown {
        assert!(
            text.contains("req-visible"),
            "{label}: Debug no longer shows headers, so the check proves nothing: {text}"
        );
        for (name, value) in CREDENTIAL_HEADERS {
            checks += 1;
            let secret = value.split_once("SENTINEL").map(|(_, rest)| rest).unwrap();
            if text.contains(&format!("SENTINEL{secret}")) {
                hits.push(format!("{label}: {name}"));
            }
        }
    }
    assert!(
        hits.is_empty(),
        "{} of {checks} leaked: {hits:#?}",
        hits.len()
    );
    for (label, text) in &shown {
        assert!(!text.contains("SENTINEL"), "{label}: {text}");
    }
    eprintln!(
        "{checks} sentinel checks over {} answers, 0 hits",
        shown.len()
    );
}
