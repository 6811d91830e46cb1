//! A walk started from a list request (`client.list_x().filter(..).stream()`) keeps what the
//! caller set on the request: every page it asks carries the filters, whichever way the server
//! pages, and only the page parameters are the walk's.

use std::sync::{Arc, Mutex};

use futures::{StreamExt as _, TryStreamExt as _};
use httpmock::{HttpMockRequest, MockServer};

use super::providers::{self, Provider, digitalocean, oks};
use super::{Expect, Style, Total, judge, serve};
use crate::common;

/// Every request's query pairs, as the stand-in server saw them.
type Queries = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// A responder serving `provider`'s list in `style` that logs every query into `queries`.
fn logging(provider: &Provider, style: Style, queries: &Queries) -> providers::Responder {
    let (read, render, log) = (provider.asked, provider.render, queries.clone());
    Box::new(move |request: &HttpMockRequest| {
        log.lock().unwrap().push(request.query_params());
        common::json_response(200, &render(&serve(&style, read(request))))
    })
}

/// Whether `query` has `name=value`.
fn has(query: &[(String, String)], name: &str, value: &str) -> bool {
    query.iter().any(|(n, v)| n == name && v == value)
}

#[tokio::test]
async fn an_oks_walk_sends_the_requests_filters_on_every_page() {
    use kaas::oks::mock::MockServerExt as _;
    // 250 clusters, 100 a page: by number (concurrently), by cursor, and by full pages.
    let full = Style::new("cursor and offset", 250, 100);
    let styles = [
        full,
        full.named("cursor only").size(false).total(Total::Null),
        full.named("offset only").next(false),
    ];
    for style in styles {
        let server = MockServer::start_async().await;
        let queries = Queries::default();
        let respond = logging(&oks(), style, &queries);
        let mock = server.list_project_clusters(|_, then| {
            then.respond_with(respond);
        });
        let client = kaas::oks::Client::builder()
            .access_key("AK", "SK")
            .base_url(server.base_url())
            .page_concurrency(3)
            .build()
            .unwrap();
        let outcome: Vec<_> = client
            .list_project_clusters()
            .project_id("p1")
            .status("ready")
            .limit(7)
            .stream()
            .map_ok(|cluster| cluster.id)
            .collect()
            .await;
        judge(&oks(), &style, Expect::Every, &outcome)
            .unwrap_or_else(|e| panic!("{}: {e}", style.name));
        assert_eq!(
            mock.calls_async().await,
            3,
            "{}: one request a page",
            style.name
        );
        for query in queries.lock().unwrap().iter() {
            assert!(
                has(query, "project_id", "p1") && has(query, "status", "ready"),
                "{}: a page without the filters: {query:?}",
                style.name
            );
            assert!(
                has(query, "limit", "100"),
                "{}: the walk's page size: {query:?}",
                style.name
            );
        }
    }
}

#[tokio::test]
async fn a_digitalocean_walk_from_the_request_asks_each_page_once_at_its_own_size() {
    use kaas::digitalocean::mock::MockServerExt as _;
    // 450 clusters, 200 a page, links and total: pages 2 and 3 are fetched concurrently.
    let style = Style::new("links and total", 450, 200).size(false);
    let server = MockServer::start_async().await;
    let queries = Queries::default();
    let respond = logging(&digitalocean(), style, &queries);
    let mock = server.list_clusters(|_, then| {
        then.respond_with(respond);
    });
    let client = kaas::digitalocean::Client::builder()
        .token("token")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let outcome: Vec<_> = client
        .list_clusters()
        .per_page(10)
        .stream()
        .map_ok(|cluster| cluster.id.to_string())
        .collect()
        .await;
    judge(&digitalocean(), &style, Expect::Every, &outcome).unwrap();
    assert_eq!(mock.calls_async().await, 3);
    let queries = queries.lock().unwrap();
    let mut pages: Vec<&str> = queries
        .iter()
        .map(|query| {
            assert!(
                has(query, "per_page", "200"),
                "the walk's page size: {query:?}"
            );
            query
                .iter()
                .find(|(n, _)| n == "page")
                .map(|(_, v)| v.as_str())
                .unwrap()
        })
        .collect();
    pages.sort();
    assert_eq!(pages, ["1", "2", "3"], "each page asked once");
}
