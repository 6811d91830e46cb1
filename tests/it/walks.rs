//! Every provider's list walks against a table of server styles: stand-in servers that page the
//! same list in each way the providers' documents and specs allow (totals, page sizes, links and
//! cursors present or null, pages shorter than asked, totals that lie, a list that changes during
//! the walk). Each walk yields every item exactly once and in order, or ends with
//! `Error::IncompleteListing` after items that are each new and in order.
#![cfg(all(feature = "digitalocean", feature = "oks", feature = "cloud66"))]

use std::sync::{Arc, Mutex};

use futures::stream::BoxStream;
use futures::{StreamExt as _, TryStreamExt as _};
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use serde_json::{Value, json};

use crate::common;

/// What a stand-in server says of the total.
#[derive(Clone, Copy, Debug)]
enum Total {
    /// The true number of items.
    Exact,
    /// `null` (or nothing).
    Null,
    /// The true number plus this (a stale or wrong count).
    Off(i64),
}

/// What else the server does.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Quirk {
    None,
    /// An item is created at the front of the list after page 1 was served: later pages shift
    /// by one (the last item of page 1 comes again) and their total grows by one.
    CreatedAtFront,
    /// Every page's next link or cursor points at page 2.
    NextIsAlwaysPage2,
}

/// How a stand-in server pages a list.
#[derive(Clone, Copy, Debug)]
struct Style {
    name: &'static str,
    /// Items in the list.
    items: usize,
    /// Items a page the server serves (whatever was asked).
    served: usize,
    total: Total,
    /// Says its page size (OKS `offset.limit`, Cloud66 `per_page`).
    size: bool,
    /// Links to the next page (DigitalOcean `links.pages.next`, Cloud66 `next`) or gives its
    /// cursor (OKS `next_cursor`).
    next: bool,
    /// Says the number of pages (Cloud66 `pages`, DigitalOcean `links.pages.last`).
    pages: bool,
    quirk: Quirk,
}

impl Style {
    const fn new(name: &'static str, items: usize, served: usize) -> Self {
        Style {
            name,
            items,
            served,
            total: Total::Exact,
            size: true,
            next: true,
            pages: false,
            quirk: Quirk::None,
        }
    }
    const fn total(mut self, total: Total) -> Self {
        self.total = total;
        self
    }
    const fn size(mut self, size: bool) -> Self {
        self.size = size;
        self
    }
    const fn next(mut self, next: bool) -> Self {
        self.next = next;
        self
    }
    const fn pages(mut self, pages: bool) -> Self {
        self.pages = pages;
        self
    }
    const fn quirk(mut self, quirk: Quirk) -> Self {
        self.quirk = quirk;
        self
    }
}

/// What a walk must end with.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Every item once, in order, and `Ok`.
    Every,
    /// `IncompleteListing` with this `expected`, after items each new and in order.
    Incomplete(Option<u64>),
}

/// The index of the item a [`Quirk::CreatedAtFront`] server creates.
const CREATED: usize = 1_000_000;

/// One page as the stand-in serves it, in provider-neutral terms.
struct Served {
    number: usize,
    ids: Vec<usize>,
    total: Option<i64>,
    size: Option<usize>,
    next: Option<usize>,
    pages: Option<usize>,
}

/// Page `number` of the list in `style`.
fn serve(style: &Style, number: usize) -> Served {
    let created = style.quirk == Quirk::CreatedAtFront && number > 1;
    let list: Vec<usize> = created
        .then_some(CREATED)
        .into_iter()
        .chain(0..style.items)
        .collect();
    let start = (number - 1).saturating_mul(style.served).min(list.len());
    let end = (start + style.served).min(list.len());
    let pages = list.len().div_ceil(style.served);
    let true_total = list.len() as i64;
    let total = match style.total {
        Total::Exact => Some(true_total),
        Total::Null => None,
        Total::Off(by) => Some(true_total + by),
    };
    let next = match style.quirk {
        Quirk::NextIsAlwaysPage2 => Some(2),
        _ => (end < list.len()).then_some(number + 1),
    };
    Served {
        number,
        ids: list[start..end].to_vec(),
        total,
        size: style.size.then_some(style.served),
        next: next.filter(|_| style.next),
        pages: style.pages.then_some(pages),
    }
}

/// A provider's side of the table: how its server answers and how its walk reads.
/// What a stand-in list server answers a request with.
type Responder = Box<dyn Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync>;

struct Provider {
    name: &'static str,
    /// Mocks the provider's `list_clusters` with a responder.
    list_clusters: fn(&MockServer, Responder),
    /// The page a request asks for (by `page`, or by the cursor `k<n>`).
    asked: fn(&HttpMockRequest) -> usize,
    render: fn(&Served) -> Value,
    id: fn(usize) -> String,
    walk: fn(String) -> BoxStream<'static, kaas::Result<String>>,
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

fn digitalocean() -> Provider {
    fn id(index: usize) -> String {
        format!("00000000-0000-0000-0000-{index:012}")
    }
    fn render(page: &Served) -> Value {
        let template =
            common::fixture("digitalocean", "get_cluster.response.json")["kubernetes_cluster"]
                .clone();
        let clusters: Vec<Value> = page
            .ids
            .iter()
            .map(|index| {
                let mut cluster = template.clone();
                cluster["id"] = id(*index).into();
                cluster["name"] = format!("c{index}").into();
                cluster
            })
            .collect();
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

fn oks() -> Provider {
    fn id(index: usize) -> String {
        format!("c{index}")
    }
    fn render(page: &Served) -> Value {
        let template = common::fixture("oks", "get_cluster.response.json")["Cluster"].clone();
        let clusters: Vec<Value> = page
            .ids
            .iter()
            .map(|index| {
                let mut cluster = template.clone();
                cluster["id"] = id(*index).into();
                cluster
            })
            .collect();
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

fn cloud66() -> Provider {
    fn id(index: usize) -> String {
        format!("u{index}")
    }
    fn render(page: &Served) -> Value {
        let template =
            common::fixture("cloud66", "list_clusters.response.json")["response"][0].clone();
        let clusters: Vec<Value> = page
            .ids
            .iter()
            .map(|index| {
                let mut cluster = template.clone();
                cluster["uid"] = id(*index).into();
                cluster
            })
            .collect();
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

/// Walks `provider`'s list served in `style`; returns what came out and the pages asked for.
async fn walk(provider: &Provider, style: Style) -> (Vec<kaas::Result<String>>, Vec<usize>) {
    let server = MockServer::start_async().await;
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    let (read, render) = (provider.asked, provider.render);
    (provider.list_clusters)(
        &server,
        Box::new(move |request: &HttpMockRequest| {
            let number = read(request);
            log.lock().unwrap().push(number);
            common::json_response(200, &render(&serve(&style, number)))
        }),
    );
    let outcome = (provider.walk)(server.base_url()).collect().await;
    let asked = asked.lock().unwrap().clone();
    (outcome, asked)
}

/// Checks one walk against what it must end with; returns a description of the failure.
fn judge(
    provider: &Provider,
    style: &Style,
    expect: Expect,
    outcome: &[kaas::Result<String>],
) -> Result<(), String> {
    let ids: Vec<&String> = outcome
        .iter()
        .filter_map(|item| item.as_ref().ok())
        .collect();
    let every: Vec<String> = (0..style.items).map(provider.id).collect();
    let error = outcome.iter().find_map(|item| item.as_ref().err());
    match expect {
        Expect::Every => {
            if let Some(error) = error {
                return Err(format!("ended with {error}"));
            }
            let ids: Vec<String> = ids.into_iter().cloned().collect();
            if ids != every {
                return Err(format!(
                    "{} items, not each of the {} once in order",
                    ids.len(),
                    every.len()
                ));
            }
        }
        Expect::Incomplete(expected) => {
            match outcome.last() {
                Some(Err(kaas::Error::IncompleteListing {
                    expected: said,
                    got,
                    ..
                })) if *said == expected && *got == ids.len() as u64 => {}
                other => {
                    return Err(format!(
                        "must end with IncompleteListing(expected {expected:?}), ended with {other:?}"
                    ));
                }
            }
            // Items that came are each new and in the list's order.
            let mut positions = Vec::new();
            for id in &ids {
                match every.iter().position(|known| known == *id) {
                    Some(position) => positions.push(position),
                    None => return Err(format!("an item not in the list: {id}")),
                }
            }
            if !positions.windows(2).all(|pair| pair[0] < pair[1]) {
                return Err("items came twice or out of order".into());
            }
        }
    }
    Ok(())
}

/// Runs `table` for `provider`; panics listing every style that failed.
async fn run(provider: Provider, table: &[(Style, Expect)]) -> usize {
    let mut failures = Vec::new();
    for (style, expect) in table {
        let (outcome, asked) = walk(&provider, *style).await;
        if let Err(failure) = judge(&provider, style, *expect, &outcome) {
            failures.push(format!(
                "{} / {}: {failure} (pages asked {asked:?})",
                provider.name, style.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    table.len()
}

#[tokio::test]
async fn digitalocean_walks_every_server_style() {
    // The walk asks for 10 a page; 25 clusters.
    let full = Style::new("links and total", 25, 10).size(false);
    let table = [
        (full, Expect::Every),
        (
            Style {
                name: "links, last link and total",
                ..full
            }
            .pages(true),
            Expect::Every,
        ),
        (
            Style {
                name: "links only (null total)",
                ..full
            }
            .total(Total::Null),
            Expect::Every,
        ),
        (
            Style {
                name: "total only (no links)",
                ..full
            }
            .next(false),
            Expect::Every,
        ),
        (
            Style {
                name: "neither: full pages until a short one",
                ..full
            }
            .next(false)
            .total(Total::Null),
            Expect::Every,
        ),
        (
            Style {
                name: "2 a page of 10 asked, links and total",
                served: 2,
                ..full
            },
            Expect::Every,
        ),
        (
            Style {
                name: "2 a page, total only",
                served: 2,
                ..full
            }
            .next(false),
            Expect::Every,
        ),
        (
            Style {
                name: "2 a page, links only",
                served: 2,
                ..full
            }
            .total(Total::Null),
            Expect::Every,
        ),
        (
            Style {
                name: "2 a page, last link only",
                served: 2,
                ..full
            }
            .next(false)
            .total(Total::Null)
            .pages(true),
            Expect::Every,
        ),
        (
            Style {
                name: "whole list in one page",
                items: 7,
                ..full
            },
            Expect::Every,
        ),
        (
            Style {
                name: "empty list",
                items: 0,
                ..full
            },
            Expect::Every,
        ),
        (
            Style {
                name: "total lies high, links",
                ..full
            }
            .total(Total::Off(5)),
            Expect::Incomplete(Some(30)),
        ),
        (
            Style {
                name: "total lies high, no links",
                ..full
            }
            .total(Total::Off(5))
            .next(false),
            Expect::Incomplete(Some(30)),
        ),
        (
            Style {
                name: "total lies low, links",
                ..full
            }
            .total(Total::Off(-5)),
            Expect::Every,
        ),
        (
            Style {
                name: "total lies low, no links",
                ..full
            }
            .total(Total::Off(-3))
            .next(false),
            Expect::Every,
        ),
        (
            Style {
                name: "a cluster created at the front mid-walk",
                ..full
            }
            .quirk(Quirk::CreatedAtFront),
            Expect::Incomplete(Some(26)),
        ),
        (
            Style {
                name: "every next link points at page 2",
                ..full
            }
            .quirk(Quirk::NextIsAlwaysPage2),
            Expect::Incomplete(Some(25)),
        ),
    ];
    run(digitalocean(), &table).await;
}

#[tokio::test]
async fn oks_walks_every_server_style() {
    // The walk asks for 100 a page (the most OKS serves); 250 clusters.
    let full = Style::new("cursor and offset", 250, 100);
    let table = [
        (full, Expect::Every),
        (
            Style {
                name: "cursor only",
                ..full
            }
            .size(false)
            .total(Total::Null),
            Expect::Every,
        ),
        (
            Style {
                name: "offset only",
                ..full
            }
            .next(false),
            Expect::Every,
        ),
        (
            Style {
                name: "null total",
                ..full
            }
            .total(Total::Null),
            Expect::Every,
        ),
        (
            Style {
                name: "null limit, 40 a page, cursor and total",
                served: 40,
                ..full
            }
            .size(false),
            Expect::Every,
        ),
        (
            Style {
                name: "null limit, 40 a page, total only",
                served: 40,
                ..full
            }
            .size(false)
            .next(false),
            Expect::Every,
        ),
        (
            Style {
                name: "null cursor, null total: full pages until a short one",
                ..full
            }
            .next(false)
            .total(Total::Null),
            Expect::Every,
        ),
        (
            Style {
                name: "40 a page as its limit says, no cursor",
                served: 40,
                ..full
            }
            .next(false),
            Expect::Every,
        ),
        (
            Style {
                name: "40 a page, cursor only",
                served: 40,
                ..full
            }
            .size(false)
            .total(Total::Null),
            Expect::Every,
        ),
        (
            Style {
                name: "whole list in one page",
                items: 30,
                ..full
            },
            Expect::Every,
        ),
        (
            Style {
                name: "empty list",
                items: 0,
                ..full
            },
            Expect::Every,
        ),
        (
            Style {
                name: "total lies high",
                ..full
            }
            .total(Total::Off(20)),
            Expect::Incomplete(Some(270)),
        ),
        (
            Style {
                name: "total lies high, no cursor",
                ..full
            }
            .total(Total::Off(20))
            .next(false),
            Expect::Incomplete(Some(270)),
        ),
        (
            Style {
                name: "total lies low",
                ..full
            }
            .total(Total::Off(-20)),
            Expect::Every,
        ),
        (
            Style {
                name: "total lies low, no cursor",
                ..full
            }
            .total(Total::Off(-20))
            .next(false),
            Expect::Every,
        ),
        (
            Style {
                name: "a cluster created at the front mid-walk",
                ..full
            }
            .quirk(Quirk::CreatedAtFront),
            Expect::Incomplete(Some(251)),
        ),
        (
            Style {
                name: "created at the front, no cursor",
                ..full
            }
            .next(false)
            .quirk(Quirk::CreatedAtFront),
            Expect::Incomplete(Some(251)),
        ),
        (
            Style {
                name: "every cursor points at page 2",
                ..full
            }
            .total(Total::Null)
            .quirk(Quirk::NextIsAlwaysPage2),
            Expect::Incomplete(None),
        ),
    ];
    run(oks(), &table).await;
}

#[tokio::test]
async fn cloud66_walks_every_server_style() {
    // The server picks the page size (the walk assumes 30); 75 clusters.
    let full = Style::new("next, per_page, count and pages", 75, 30).pages(true);
    let table = [
        (full, Expect::Every),
        (
            Style {
                name: "next only",
                ..full
            }
            .size(false)
            .total(Total::Null)
            .pages(false),
            Expect::Every,
        ),
        (
            Style {
                name: "count and per_page only",
                ..full
            }
            .next(false)
            .pages(false),
            Expect::Every,
        ),
        (
            Style {
                name: "pages only",
                ..full
            }
            .next(false)
            .size(false)
            .total(Total::Null),
            Expect::Every,
        ),
        (
            Style {
                name: "nothing: full pages until a short one",
                ..full
            }
            .next(false)
            .size(false)
            .total(Total::Null)
            .pages(false),
            Expect::Every,
        ),
        (
            Style {
                name: "10 a page, all fields",
                served: 10,
                ..full
            },
            Expect::Every,
        ),
        (
            Style {
                name: "10 a page, pages only",
                served: 10,
                ..full
            }
            .next(false)
            .size(false)
            .total(Total::Null),
            Expect::Every,
        ),
        (
            Style {
                name: "10 a page, count only",
                served: 10,
                ..full
            }
            .next(false)
            .size(false)
            .pages(false),
            Expect::Every,
        ),
        (
            Style {
                name: "whole list in one page",
                items: 12,
                ..full
            },
            Expect::Every,
        ),
        (
            Style {
                name: "count lies high",
                ..full
            }
            .total(Total::Off(10)),
            Expect::Incomplete(Some(85)),
        ),
        (
            Style {
                name: "count lies low",
                ..full
            }
            .total(Total::Off(-10))
            .pages(false),
            Expect::Every,
        ),
        (
            Style {
                name: "count lies low, no next",
                ..full
            }
            .total(Total::Off(-10))
            .next(false)
            .pages(false),
            Expect::Every,
        ),
        (
            Style {
                name: "every next points at page 2",
                ..full
            }
            .quirk(Quirk::NextIsAlwaysPage2),
            Expect::Incomplete(Some(75)),
        ),
    ];
    run(cloud66(), &table).await;
}
