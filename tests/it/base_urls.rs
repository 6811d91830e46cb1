//! The one base-URL rule, end to end: a base URL given with the version path that the
//! operation paths already carry (DigitalOcean's `/v2`, Commissaire's `/api/v0`) reaches the
//! same server paths as the bare server. (The
//! table of every provider and form, builder and variable, is a unit test of the inventory's
//! environment; OKS's and Cloud66's own hosts are not reachable offline.)

#![cfg(all(
    feature = "digitalocean",
    feature = "oks",
    feature = "cloud66",
    feature = "commissaire"
))]

use httpmock::MockServer;

#[tokio::test]
async fn a_base_url_with_the_version_path_reaches_the_same_operations() {
    use kaas::digitalocean::mock::MockServerExt as _;
    let server = MockServer::start_async().await;
    let options = server.list_options(|_, then| {
        then.ok(&crate::common::fixture_as(
            "digitalocean",
            "list_options.response.json",
        ));
    });
    let names = kaas::commissaire::mock::MockServerExt::list_clusters(&server, |_, then| {
        then.ok(&kaas::commissaire::types::Names(vec!["mycluster".into()]));
    });
    for form in ["", "/"] {
        let digitalocean = kaas::digitalocean::Client::builder()
            .token("t")
            .base_url(format!("{}/v2{form}", server.base_url()))
            .build()
            .unwrap();
        assert_eq!(digitalocean.base_url(), server.base_url());
        digitalocean.list_options().send().await.unwrap();
        let commissaire = kaas::commissaire::Client::builder()
            .token("t")
            .base_url(format!("{}/api/v0{form}", server.base_url()))
            .build()
            .unwrap();
        assert_eq!(
            commissaire.list_clusters().send().await.unwrap().0,
            ["mycluster"]
        );
    }
    options.assert_calls_async(2).await;
    names.assert_calls_async(2).await;
}

#[test]
fn each_default_is_the_api_root_its_documentation_writes() {
    let digitalocean = kaas::digitalocean::Client::new("t").unwrap();
    assert_eq!(digitalocean.base_url(), "https://api.digitalocean.com");
    let oks = kaas::oks::Client::builder()
        .access_key("a", "s")
        .build()
        .unwrap();
    assert_eq!(
        oks.base_url(),
        "https://api.eu-west-2.oks.outscale.com/api/v2"
    );
    let cloud66 = kaas::cloud66::Client::new("t").unwrap();
    assert_eq!(cloud66.base_url(), "https://app.cloud66.com/api/3");
}
