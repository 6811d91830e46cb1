//! Walking every page of a list as one [`Stream`](futures::Stream) of items.
//!
//! A walk plans from what the server answered, never from what it asked for:
//!
//! - The first page is fetched alone. When the server honoured the page size (the first page is
//!   full at the size asked for, or at the size the server says it serves) and the answer tells
//!   the total or the number of the last page, the other pages are known and fetched
//!   concurrently (`concurrency` at once, growing towards `max_concurrency` while the walk waits
//!   on the network, fewer when the provider's rate-limit headers say few requests remain); their
//!   items still come out in page order.
//! - Otherwise, and after the planned pages, the walk goes on one page after another while the
//!   last answer says there is more: a cursor or a link to a next page is followed; else the next
//!   page by number while fewer items came than a stated total, or while the page was full and
//!   nothing was stated.
//! - An empty page ends the walk. When it ends with fewer items than the server's latest total,
//!   or when the pagination contradicts itself (a cursor given twice, a link back to a page
//!   already read), the stream ends with
//!   [`Error::IncompleteListing`](crate::Error::IncompleteListing) after the items it has: never
//!   `Ok` with items missing.
//! - Each item comes out once: an item seen on an earlier page (offset pages shift when the list
//!   changes during the walk) is dropped, by the key the provider gives.
//! - A walk fetches at most [`MAX_PAGES`] pages (past that, the stream ends with an error that
//!   says so). Memory stays bounded by the pages in flight plus 16 bytes an item for the keys.
//!
//! Each page is fetched and decoded as a task of its own on the tokio runtime, so on a
//! multi-threaded runtime pages decode on every core while the stream keeps their order;
//! dropping the stream aborts the pages in flight.

mod concurrent;
mod walker;

use std::future::Future;
use std::hash::Hash;

use futures::stream::{self, BoxStream, StreamExt};

use crate::error::Result;
use crate::transport::Transport;

/// The most pages one walk fetches (two million items at 200 a page).
pub const MAX_PAGES: u32 = 10_000;

/// Which page to fetch: its number (1-based), and the cursor the previous page gave when the
/// walk follows cursors (a provider then asks by cursor, not by number).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageRequest {
    /// The page's number, 1 for the first.
    pub number: u32,
    /// The cursor to ask with, when the previous page gave one and the walk follows it.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// Page `number`, asked by number.
    pub fn number(number: u32) -> Self {
        PageRequest {
            number,
            cursor: None,
        }
    }
}

/// One page of a list, as a provider module reads it from the generated response type: its
/// items and whatever the server said of the other pages.
///
/// ```
/// let page = kaas::paginate::Page::new(vec![1, 2, 3]).total(10).next_cursor("c2");
/// assert_eq!((page.items.len(), page.total, page.has_next), (3, Some(10), true));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// The total number of items over all pages, when the provider tells it.
    pub total: Option<u64>,
    /// Whether the provider says there is a page after this one.
    pub has_next: bool,
    /// The number of the last page, when the provider tells it directly.
    pub last_page: Option<u32>,
    /// The number of items a page the provider says it serves, when it tells.
    pub page_size: Option<u32>,
    /// The number of the next page, when the provider links to it.
    pub next_page: Option<u32>,
    /// The cursor that asks for the next page, when the provider gives one.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page of `items` that says nothing of other pages.
    pub fn new(items: Vec<T>) -> Self {
        Page {
            items,
            total: None,
            has_next: false,
            last_page: None,
            page_size: None,
            next_page: None,
            next_cursor: None,
        }
    }

    /// The total number of items over all pages.
    pub fn total(mut self, total: u64) -> Self {
        self.total = Some(total);
        self
    }

    /// Whether there is a page after this one.
    pub fn has_next(mut self, has_next: bool) -> Self {
        self.has_next = has_next;
        self
    }

    /// The number of the last page, when the provider tells it directly.
    pub fn last_page(mut self, last_page: u32) -> Self {
        self.last_page = Some(last_page);
        self
    }

    /// The number of items a page the provider says it serves (0 says nothing).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = (page_size > 0).then_some(page_size);
        self
    }

    /// The number of the next page, as the provider's link gives it.
    pub fn next_page(mut self, next_page: u32) -> Self {
        self.next_page = Some(next_page);
        self.has_next = true;
        self
    }

    /// The cursor of the next page (an empty cursor says nothing).
    pub fn next_cursor(mut self, cursor: impl Into<String>) -> Self {
        let cursor = cursor.into();
        if !cursor.is_empty() {
            self.next_cursor = Some(cursor);
            self.has_next = true;
        }
        self
    }
}

/// How to walk: page size and how many pages to fetch at once.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PageWalk {
    /// Items asked for per page.
    pub per_page: u32,
    /// Pages fetched at once once the total is known (at least 1), when the walk starts.
    pub concurrency: usize,
    /// The most pages in flight the walk may grow to while it waits on the network
    /// (`concurrency`: it does not grow).
    pub max_concurrency: usize,
    /// The client whose last rate-limit headers cap the pages in flight.
    budget: Option<Transport>,
}

impl PageWalk {
    /// `per_page` items a page, `concurrency` pages at once (both at least 1).
    pub fn new(per_page: u32, concurrency: usize) -> Self {
        PageWalk {
            per_page: per_page.max(1),
            concurrency: concurrency.max(1),
            max_concurrency: concurrency.max(1),
            budget: None,
        }
    }

    /// Lets the walk add pages in flight while it waits on the network, up to `max`: one
    /// page more for each page that reached the walk at most half as long again after its
    /// request as the fastest page so far (its time went to the network, not to queueing for
    /// a core or for the caller).
    ///
    /// ```
    /// let walk = kaas::paginate::PageWalk::new(200, 16).growing_to(64);
    /// assert_eq!((walk.concurrency, walk.max_concurrency), (16, 64));
    /// ```
    pub fn growing_to(mut self, max: usize) -> Self {
        self.max_concurrency = max.max(self.concurrency);
        self
    }

    /// A walk with the client's page concurrency (growing when the caller did not fix it),
    /// which also keeps to the requests its provider says remain ([`in_flight`]).
    #[cfg_attr(
        not(any(feature = "digitalocean", feature = "oks", feature = "cloud66")),
        allow(dead_code)
    )]
    pub(crate) fn for_client(per_page: u32, transport: &Transport) -> Self {
        PageWalk {
            budget: Some(transport.clone()),
            ..PageWalk::new(per_page, transport.page_concurrency())
                .growing_to(transport.max_page_concurrency())
        }
    }
}
/// All items of all pages, in order, each once. `fetch` reads the page a [`PageRequest`] asks
/// for; `key` gives an item's identity (its id), or `None` for an item that is never taken for
/// another.
///
/// ```
/// # async fn demo() -> kaas::Result<()> {
/// use futures::TryStreamExt as _;
/// use kaas::paginate::{Page, PageRequest, PageWalk, all_items};
/// // A server of 5 items that serves 2 a page and links to the next one.
/// let fetch = |request: PageRequest| async move {
///     let start = (request.number - 1) * 2;
///     let page = Page::new((start..(start + 2).min(5)).collect::<Vec<u32>>());
///     Ok(if start + 2 < 5 { page.next_page(request.number + 1) } else { page })
/// };
/// let items: Vec<u32> = all_items(PageWalk::new(2, 4), |n| Some(n), fetch).try_collect().await?;
/// assert_eq!(items, [0, 1, 2, 3, 4]);
/// # Ok(()) }
/// ```
pub fn all_items<T, K, F, Fut>(
    walk: PageWalk,
    key: fn(&T) -> Option<&K>,
    fetch: F,
) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    K: Hash + ?Sized + 'static,
    F: Fn(PageRequest) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let walker = walker::Walker::new(walk, key, fetch);
    stream::unfold(walker, |mut walker| async move {
        let items = walker.step().await?;
        Some((items, walker))
    })
    .flat_map(|items| match items {
        Ok(items) => stream::iter(items).map(Ok).left_stream(),
        Err(error) => stream::iter([Err(error)]).right_stream(),
    })
    .boxed()
}

/// The page number a provider's next-page link asks for (its `page` query parameter), for
/// providers that link pages (`https://api.example.com/v2/items?page=3&per_page=20` is 3).
/// `None` for a link without one, or with one that is not a page number.
#[cfg_attr(not(feature = "digitalocean"), allow(dead_code))]
pub(crate) fn page_in_link(link: &str) -> Option<u32> {
    let base = url::Url::parse("http://link.invalid/").ok()?;
    let link = base.join(link).ok()?;
    let (_, page) = link.query_pairs().find(|(name, _)| name == "page")?;
    page.parse().ok().filter(|page| *page > 0)
}

/// Ends a stream right after its first error.
pub(crate) fn stop_after_error<T: Send + 'static>(
    pages: impl futures::Stream<Item = Result<T>> + Send + 'static,
) -> BoxStream<'static, Result<T>> {
    pages
        .scan(false, |failed, item| {
            if *failed {
                return futures::future::ready(None);
            }
            *failed = item.is_err();
            futures::future::ready(Some(item))
        })
        .boxed()
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_gives_its_page_number() {
        let link = "https://api.digitalocean.com/v2/kubernetes/clusters?page=3&per_page=20";
        assert_eq!(page_in_link(link), Some(3));
        assert_eq!(page_in_link("/v2/things?per_page=2&page=12"), Some(12));
        for no_number in [
            "https://x/y",
            "https://x/y?page=0",
            "?page=-1",
            "?page=9999999999",
        ] {
            assert_eq!(page_in_link(no_number), None, "{no_number}");
        }
    }
}
