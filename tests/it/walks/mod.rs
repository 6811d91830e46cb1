//! Every provider's list walks against a table of server styles: stand-in servers that page the
//! same list in each way the providers' documents and specs allow (totals, page sizes, links and
//! cursors present or null, pages shorter than asked, totals that lie, a list that changes during
//! the walk). Each walk yields every item exactly once and in order, or ends with
//! `Error::IncompleteListing` after items that are each new and in order.
#![cfg(all(feature = "digitalocean", feature = "oks", feature = "cloud66"))]

mod filters;
mod providers;

use std::sync::{Arc, Mutex};

use futures::StreamExt as _;
use httpmock::{HttpMockRequest, MockServer};

use crate::common;
use providers::{Provider, cloud66, digitalocean, oks};

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
    const fn named(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }
    const fn items(mut self, items: usize) -> Self {
        self.items = items;
        self
    }
    const fn served(mut self, served: usize) -> Self {
        self.served = served;
        self
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
    use Expect::{Every, Incomplete};
    use Total::{Null, Off};
    // The walk asks for 10 a page; 25 clusters.
    let full = Style::new("links and total", 25, 10).size(false);
    #[rustfmt::skip]
    let table = [
        (full, Every),
        (full.named("links, last link and total").pages(true), Every),
        (full.named("links only (null total)").total(Null), Every),
        (full.named("total only (no links)").next(false), Every),
        (full.named("neither: full pages until a short one").next(false).total(Null), Every),
        (full.named("2 a page of 10 asked, links and total").served(2), Every),
        (full.named("2 a page, total only").served(2).next(false), Every),
        (full.named("2 a page, links only").served(2).total(Null), Every),
        (full.named("2 a page, last link only").served(2).next(false).total(Null).pages(true), Every),
        (full.named("whole list in one page").items(7), Every),
        (full.named("empty list").items(0), Every),
        (full.named("total lies high, links").total(Off(5)), Incomplete(Some(30))),
        (full.named("total lies high, no links").total(Off(5)).next(false), Incomplete(Some(30))),
        (full.named("total lies low, links").total(Off(-5)), Every),
        (full.named("total lies low, no links").total(Off(-3)).next(false), Every),
        (full.named("a cluster created at the front mid-walk").quirk(Quirk::CreatedAtFront), Incomplete(Some(26))),
        (full.named("every next link points at page 2").quirk(Quirk::NextIsAlwaysPage2), Incomplete(Some(25))),
    ];
    run(digitalocean(), &table).await;
}

#[tokio::test]
async fn oks_walks_every_server_style() {
    use Expect::{Every, Incomplete};
    use Total::{Null, Off};
    // The walk asks for 100 a page (the most OKS serves); 250 clusters.
    let full = Style::new("cursor and offset", 250, 100);
    #[rustfmt::skip]
    let table = [
        (full, Every),
        (full.named("cursor only").size(false).total(Null), Every),
        (full.named("offset only").next(false), Every),
        (full.named("null total").total(Null), Every),
        (full.named("null limit, 40 a page, cursor and total").served(40).size(false), Every),
        (full.named("null limit, 40 a page, total only").served(40).size(false).next(false), Every),
        (full.named("null cursor, null total: full pages until a short one").next(false).total(Null), Every),
        (full.named("40 a page as its limit says, no cursor").served(40).next(false), Every),
        (full.named("40 a page, cursor only").served(40).size(false).total(Null), Every),
        (full.named("whole list in one page").items(30), Every),
        (full.named("empty list").items(0), Every),
        (full.named("total lies high").total(Off(20)), Incomplete(Some(270))),
        (full.named("total lies high, no cursor").total(Off(20)).next(false), Incomplete(Some(270))),
        (full.named("total lies low").total(Off(-20)), Every),
        (full.named("total lies low, no cursor").total(Off(-20)).next(false), Every),
        (full.named("a cluster created at the front mid-walk").quirk(Quirk::CreatedAtFront), Incomplete(Some(251))),
        (full.named("created at the front, no cursor").next(false).quirk(Quirk::CreatedAtFront), Incomplete(Some(251))),
        (full.named("every cursor points at page 2").total(Null).quirk(Quirk::NextIsAlwaysPage2), Incomplete(None)),
    ];
    run(oks(), &table).await;
}

#[tokio::test]
async fn cloud66_walks_every_server_style() {
    use Expect::{Every, Incomplete};
    use Total::{Null, Off};
    // The server picks the page size (the walk assumes 30); 75 clusters.
    let full = Style::new("next, per_page, count and pages", 75, 30).pages(true);
    #[rustfmt::skip]
    let table = [
        (full, Every),
        (full.named("next only").size(false).total(Null).pages(false), Every),
        (full.named("count and per_page only").next(false).pages(false), Every),
        (full.named("pages only").next(false).size(false).total(Null), Every),
        (full.named("nothing: full pages until a short one").next(false).size(false).total(Null).pages(false), Every),
        (full.named("10 a page, all fields").served(10), Every),
        (full.named("10 a page, pages only").served(10).next(false).size(false).total(Null), Every),
        (full.named("10 a page, count only").served(10).next(false).size(false).pages(false), Every),
        (full.named("whole list in one page").items(12), Every),
        (full.named("count lies high").total(Off(10)), Incomplete(Some(85))),
        (full.named("count lies low").total(Off(-10)).pages(false), Every),
        (full.named("count lies low, no next").total(Off(-10)).next(false).pages(false), Every),
        (full.named("every next points at page 2").quirk(Quirk::NextIsAlwaysPage2), Incomplete(Some(75))),
    ];
    run(cloud66(), &table).await;
}
