//! The three paged providers as the walks table sees them: how each one's stand-in server
//! renders a page, reads the page a request asks for, and how each one's walk is called.

use futures::stream::BoxStream;
use futures::{StreamExt as _, TryStreamExt as _};
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use serde_json::{Value, json};

use super::Served;
use crate::common;

impl Served {
    /// The page's items: `template` once for each index, as `identify` marks it.
    fn items(&self, template: &Value, identify: impl Fn(&mut Value, usize)) -> Vec<Value> {
        let item = |index: &usize| {
            let mut item = template.clone();
            identify(&mut item, *index);
            item
        };
        self.ids.iter().map(item).collect()
    }
}

/// What a stand-in list server answers a request with.
pub(super) type Responder = Box<dyn Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync>;

/// A provider's side of the table: how its server answers and how its walk reads.
pub(super) struct Provider {
    pub(super) name: &'static str,
    /// Mocks the provider's `list_clusters` with a responder.
    pub(super) list_clusters: fn(&MockServer, Responder),
    /// The page a request asks for (by `page`, or by the cursor `k<n>`).
    pub(super) asked: fn(&HttpMockRequest) -> usize,
    pub(super) render: fn(&Served) -> Value,
    pub(super) id: fn(usize) -> String,
    pub(super) walk: fn(String) -> BoxStream<'static, kaas::Result<String>>,
}

fn query(request: &HttpMockRequest, name: &str) -> Option<String> {
    request
        .query_params()
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

fn page_number(request: &HttpMockRequest) -> usize {
    query(request, "page").map_or(1, |page| page.parse().unwrap())
}

fn page_or_cursor(request: &HttpMockRequest) -> usize {
    match query(request, "cursor") {
        Some(cursor) => cursor.trim_start_matches('k').parse().unwrap(),
        None => page_number(request),
    }
}

pub(super) fn digitalocean() -> Provider {
    fn id(index: usize) -> String {
        format!("00000000-0000-0000-0000-{index:012}")
    }
    fn render(page: &Served) -> Value {
        let template =
            common::fixture("digitalocean", "get_cluster.response.json")["kubernetes_cluster"]
                .clone();
        let clusters = page.items(&template, |cluster, index| {
            cluster["id"] = id(index).into();
            cluster["name"] = format!("c{index}").into();
        });
        let link = |n: usize| {
            format!("https://api.digitalocean.com/v2/kubernetes/clusters?page={n}&per_page=10")
        };
        let mut pages = json!({});
        if let Some(next) = page.next {
            pages["next"] = link(next).into();
        }
        if let Some(last) = page.pages {
            pages["last"] = link(last).into();
        }
        json!({"kubernetes_clusters": clusters, "links": {"pages": pages}, "meta": {"total": page.total}})
    }
    fn walk(base_url: String) -> BoxStream<'static, kaas::Result<String>> {
        let client = kaas::digitalocean::Client::builder()
            .token("token")
            .base_url(base_url)
            .page_concurrency(4)
            .build()
            .unwrap();
        client
            .clusters_with_page_size(10)
            .map_ok(|cluster| cluster.id.to_string())
            .boxed()
    }
    Provider {
        name: "digitalocean",
        list_clusters: |server, respond| {
            use kaas::digitalocean::mock::MockServerExt as _;
            server.list_clusters(|_, then| {
                then.respond_with(respond);
            });
        },
        asked: page_number,
        render,
        id,
        walk,
    }
}

pub(super) fn oks() -> Provider {
    fn id(index: usize) -> String {
        format!("c{index}")
    }
    fn render(page: &Served) -> Value {
        let template = common::fixture("oks", "get_cluster.response.json")["Cluster"].clone();
        let clusters = page.items(&template, |cluster, index| cluster["id"] = id(index).into());
        json!({
            "ResponseContext": {"RequestId": "req-list"},
            "Pagination": {
                "cursor": {"next_cursor": page.next.map(|n| format!("k{n}"))},
                "offset": {"page": page.number, "limit": page.size, "total": page.total},
            },
            "Clusters": clusters,
        })
    }
    fn walk(base_url: String) -> BoxStream<'static, kaas::Result<String>> {
        let client = kaas::oks::Client::builder()
            .access_key("AK", "SK")
            .base_url(base_url)
            .page_concurrency(4)
            .build()
            .unwrap();
        client.clusters().map_ok(|cluster| cluster.id).boxed()
    }
    Provider {
        name: "oks",
        list_clusters: |server, respond| {
            use kaas::oks::mock::MockServerExt as _;
            server.list_clusters(|_, then| {
                then.respond_with(respond);
            });
        },
        asked: page_or_cursor,
        render,
        id,
        walk,
    }
}

pub(super) fn cloud66() -> Provider {
    fn id(index: usize) -> String {
        format!("u{index}")
    }
    fn render(page: &Served) -> Value {
        let template =
            common::fixture("cloud66", "list_clusters.response.json")["response"][0].clone();
        let clusters = page.items(&template, |cluster, index| {
            cluster["uid"] = id(index).into()
        });
        json!({
            "response": clusters,
            "count": page.ids.len(),
            "pagination": {
                "previous": (page.number > 1).then(|| page.number - 1),
                "next": page.next,
                "current": page.number,
                "per_page": page.size,
                "count": page.total,
                "pages": page.pages,
            },
        })
    }
    fn walk(base_url: String) -> BoxStream<'static, kaas::Result<String>> {
        let client = kaas::cloud66::Client::builder()
            .token("token")
            .base_url(base_url)
            .page_concurrency(4)
            .build()
            .unwrap();
        client.clusters().map_ok(|cluster| cluster.uid).boxed()
    }
    Provider {
        name: "cloud66",
        list_clusters: |server, respond| {
            use kaas::cloud66::mock::MockServerExt as _;
            server.list_clusters(|_, then| {
                then.respond_with(respond);
            });
        },
        asked: page_number,
        render,
        id,
        walk,
    }
}
