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
//!   already read), the stream ends with [`Error::IncompleteListing`] after the items it has:
//!   never `Ok` with items missing.
//! - Each item comes out once: an item seen on an earlier page (offset pages shift when the list
//!   changes during the walk) is dropped, by the key the provider gives.
//! - A walk fetches at most [`MAX_PAGES`] pages (past that, the stream ends with an error that
//!   says so). Memory stays bounded by the pages in flight plus 16 bytes an item for the keys.
//!
//! Each page is fetched and decoded as a task of its own on the tokio runtime, so on a
//! multi-threaded runtime pages decode on every core while the stream keeps their order;
//! dropping the stream aborts the pages in flight.

use std::collections::HashSet;
use std::future::Future;
use std::hash::{BuildHasher, Hash};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, FuturesOrdered, StreamExt};

use crate::error::{Error, Result};
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

    /// How many pages may be in flight now, `grown` pages past the start.
    fn window(&self, grown: usize) -> usize {
        let remaining = self
            .budget
            .as_ref()
            .and_then(|transport| transport.rate_limit())
            .and_then(|limit| limit.remaining);
        let wanted = self
            .concurrency
            .saturating_add(grown)
            .min(self.max_concurrency);
        in_flight(wanted, remaining)
    }
}

/// How a walk decides to add a page in flight: a page whose items reached the walk little
/// later than the fastest page's did (at most half as long again after its request) spent its
/// time on the network, not queueing for a core or for the caller, so one more page in flight
/// shortens the walk. Where pages queue for decoding (a fast network, few cores) or the caller
/// reads slower than pages arrive (a page's time runs until the walk takes it), the walk keeps
/// its size, and its memory. Like TCP's slow start, a window whose pages all come back fast
/// doubles each round trip.
#[derive(Debug, Default)]
struct Pace {
    fastest: Option<Duration>,
    grown: usize,
}

impl Pace {
    /// Notes a page that took `took` from its request until the walk took its items.
    fn observe(&mut self, took: Duration) {
        let fastest = *self.fastest.get_or_insert(took);
        self.fastest = Some(fastest.min(took));
        if took <= fastest.saturating_add(fastest / 2) {
            self.grown = self.grown.saturating_add(1);
        }
    }
}

/// Pages in flight: the configured concurrency, but never more than half the requests the
/// provider's rate-limit headers say remain in the window (at least one), so a walk started
/// near the limit slows down instead of spending the program's whole budget in one burst.
fn in_flight(concurrency: usize, remaining: Option<u64>) -> usize {
    let concurrency = concurrency.max(1);
    match remaining {
        Some(remaining) => {
            let half = usize::try_from(remaining / 2).unwrap_or(usize::MAX);
            concurrency.min(half).max(1)
        }
        None => concurrency,
    }
}

/// A page fetched (request and decoding) as a task of its own when a tokio runtime is at
/// hand, so pages decode on every worker thread; without a runtime, it runs in place. Nothing
/// starts before the first poll.
async fn on_worker<T, Fut>(fetch: Fut) -> Result<Page<T>>
where
    T: Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    start_on_worker(fetch).await
}

/// [`on_worker`], started now: a page of a concurrent walk is requested as soon as the walk
/// has room for it, even while the caller is still busy with earlier items.
fn start_on_worker<T, Fut>(fetch: Fut) -> BoxFuture<'static, Result<Page<T>>>
where
    T: Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return fetch.boxed();
    };
    let task = PageTask(runtime.spawn(fetch));
    async move {
        match task.await {
            Ok(page) => page,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(_) => Err(Error::Transport {
                message: "the page's task was cancelled: its runtime is shutting down".into(),
                source: None,
            }),
        }
    }
    .boxed()
}

/// A spawned page that is aborted when dropped: dropping the walk's stream cancels the
/// requests it started.
struct PageTask<T>(tokio::task::JoinHandle<T>);

impl<T> Future for PageTask<T> {
    type Output = std::result::Result<T, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for PageTask<T> {
    fn drop(&mut self) {
        self.0.abort();
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
    let walker = Walker {
        walk,
        fetch,
        key,
        next: Next::Request(PageRequest::number(1)),
        number: 0,
        last: Said::default(),
        size: None,
        total: None,
        yielded: 0,
        items_seen: Fingerprints::default(),
        cursors_followed: HashSet::new(),
    };
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

/// What a page said of the list, apart from its items.
#[derive(Debug, Default)]
struct Said {
    /// The items the page held (before items seen earlier were dropped).
    items: usize,
    /// The items of the page not seen earlier.
    fresh: usize,
    total: Option<u64>,
    has_next: bool,
    last_page: Option<u32>,
    page_size: Option<u32>,
    next_page: Option<u32>,
    next_cursor: Option<String>,
}

impl Said {
    fn of<T>(page: &Page<T>) -> Self {
        Said {
            items: page.items.len(),
            fresh: 0,
            total: page.total,
            has_next: page.has_next,
            last_page: page.last_page,
            page_size: page.page_size.filter(|size| *size > 0),
            next_page: page.next_page,
            next_cursor: page.next_cursor.clone().filter(|c| !c.is_empty()),
        }
    }
}

/// What the walk does next.
enum Next<T> {
    /// Fetch this page, alone.
    Request(PageRequest),
    /// Take the next of the pages planned from the first page's total, up to page `last`.
    Planned {
        pages: BoxStream<'static, Result<Page<T>>>,
        last: u32,
    },
    /// Nothing more to fetch: say whether items are missing.
    Check,
    /// End the walk with this error (after the items of the page that showed it).
    Fail(Error),
    /// The stream has ended.
    Done,
}

/// The state of one walk: what the server has said so far, and what came out.
struct Walker<T, K: ?Sized, F> {
    walk: PageWalk,
    fetch: F,
    key: fn(&T) -> Option<&K>,
    next: Next<T>,
    /// The number of the last page fetched (0 before the first).
    number: u32,
    /// What the last page fetched said.
    last: Said,
    /// The page size the server serves, once known.
    size: Option<u32>,
    /// The latest total the server stated.
    total: Option<u64>,
    /// Items that came out (each once).
    yielded: u64,
    items_seen: Fingerprints,
    cursors_followed: HashSet<String>,
}

impl<T, K, F, Fut> Walker<T, K, F>
where
    T: Send + 'static,
    K: Hash + ?Sized,
    F: Fn(PageRequest) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    /// The items of the next page, an error that ends the walk, or `None` at its end.
    async fn step(&mut self) -> Option<Result<Vec<T>>> {
        loop {
            match std::mem::replace(&mut self.next, Next::Done) {
                Next::Done => return None,
                Next::Check => return self.shortfall().map(Err),
                Next::Fail(error) => return Some(Err(error)),
                Next::Request(request) => {
                    if request.number > MAX_PAGES {
                        return Some(Err(self.too_many_pages()));
                    }
                    let number = request.number;
                    let page = match on_worker((self.fetch)(request)).await {
                        Ok(page) => page,
                        Err(error) => return Some(Err(error)),
                    };
                    let first = self.number == 0;
                    let items = self.take(number, page);
                    let next = if first { self.plan() } else { self.after() };
                    self.next = next.unwrap_or_else(Next::Fail);
                    return Some(Ok(items));
                }
                Next::Planned { mut pages, last } => match pages.next().await {
                    // Only a plan cut at `MAX_PAGES` runs out before its last page.
                    None => self.next = self.after().unwrap_or_else(Next::Fail),
                    Some(Err(error)) => return Some(Err(error)),
                    Some(Ok(page)) => {
                        let number = self.number.saturating_add(1);
                        let items = self.take(number, page);
                        if number >= last || self.last.items == 0 {
                            self.next = self.after().unwrap_or_else(Next::Fail);
                        } else {
                            self.next = Next::Planned { pages, last };
                        }
                        return Some(Ok(items));
                    }
                },
            }
        }
    }

    /// Notes what page `number` said and keeps the items not seen before.
    fn take(&mut self, number: u32, page: Page<T>) -> Vec<T> {
        self.number = number;
        self.last = Said::of(&page);
        if let Some(size) = self.last.page_size {
            self.size = Some(size);
        }
        if let Some(total) = self.last.total {
            self.total = Some(total);
        }
        let key = self.key;
        let seen = &mut self.items_seen;
        let items: Vec<T> = page
            .items
            .into_iter()
            .filter(|item| key(item).is_none_or(|key| seen.first_time(key)))
            .collect();
        self.last.fresh = items.len();
        self.yielded = self.yielded.saturating_add(items.len() as u64);
        items
    }

    /// After the first page: the other pages at once when the server honoured the page size
    /// and said how many there are, else one after another.
    fn plan(&mut self) -> Result<Next<T>> {
        let asked = self.walk.per_page;
        let said = &self.last;
        let size = said.page_size.unwrap_or(asked);
        let honoured = said.items == size as usize;
        let last = said.last_page.or_else(|| {
            let total = said.total?;
            Some(u32::try_from(total.div_ceil(u64::from(size))).unwrap_or(u32::MAX))
        });
        match last {
            Some(last) if honoured && last >= 2 => {
                self.size = Some(size);
                let pages = in_order(
                    2..=last.min(MAX_PAGES),
                    self.walk.clone(),
                    self.fetch.clone(),
                );
                Ok(Next::Planned {
                    pages: pages.boxed(),
                    last,
                })
            }
            _ => self.after(),
        }
    }

    /// After a page read on its own or the last planned page: which page comes next, as the
    /// server's answers say. A cursor or a link is followed; else the next page by number while
    /// the last page says there are more, fewer items came than the latest total, or (with no
    /// total, or one the walk has gone past) the page was full. A page that is empty, or holds
    /// only items seen before (a server that answers its last page for any later number), ends
    /// the walk.
    fn after(&mut self) -> Result<Next<T>> {
        let said = &self.last;
        if said.items == 0 || said.fresh == 0 {
            return Ok(Next::Check);
        }
        let following = PageRequest::number(self.number.saturating_add(1));
        if let Some(cursor) = &said.next_cursor {
            if !self.cursors_followed.insert(cursor.clone()) {
                return Err(self.contradiction("the provider gave the same cursor twice"));
            }
            return Ok(Next::Request(PageRequest {
                cursor: Some(cursor.clone()),
                ..following
            }));
        }
        if let Some(next) = said.next_page {
            if next <= self.number {
                let reason = format!(
                    "page {} links back to page {next} as the next one",
                    self.number
                );
                return Err(self.contradiction(&reason));
            }
            return Ok(Next::Request(PageRequest::number(next)));
        }
        let size = self.size.unwrap_or(self.walk.per_page) as usize;
        let more = said.has_next
            || said.last_page.is_some_and(|last| self.number < last)
            || match self.total {
                // A total the walk has gone past was low: the page size decides.
                Some(total) if self.yielded <= total => self.yielded < total,
                _ => said.items >= size,
            };
        Ok(if more {
            Next::Request(following)
        } else {
            Next::Check
        })
    }

    /// The error that ends a walk with fewer items than the server's latest total.
    fn shortfall(&self) -> Option<Error> {
        let expected = self.total?;
        (self.yielded < expected).then(|| Error::IncompleteListing {
            expected: Some(expected),
            got: self.yielded,
            reason: "the pages ended before the total the provider stated".into(),
        })
    }

    fn contradiction(&self, reason: &str) -> Error {
        Error::IncompleteListing {
            expected: self.total,
            got: self.yielded,
            reason: reason.into(),
        }
    }

    /// The error that ends a walk longer than [`MAX_PAGES`].
    fn too_many_pages(&self) -> Error {
        self.contradiction(&format!(
            "the list has more than {MAX_PAGES} pages; a walk stops there"
        ))
    }
}

/// The keys of the items a walk has yielded, as 128-bit fingerprints (two independently,
/// randomly keyed hashes): 16 bytes an item whatever the key's length, and a server cannot
/// make two keys collide.
struct Fingerprints {
    hashers: (std::hash::RandomState, std::hash::RandomState),
    seen: HashSet<u128>,
}

impl Default for Fingerprints {
    fn default() -> Self {
        Fingerprints {
            hashers: (std::hash::RandomState::new(), std::hash::RandomState::new()),
            seen: HashSet::new(),
        }
    }
}

impl Fingerprints {
    /// Whether `key` is new (it is then remembered).
    fn first_time<K: Hash + ?Sized>(&mut self, key: &K) -> bool {
        let high = u128::from(self.hashers.0.hash_one(key));
        let low = u128::from(self.hashers.1.hash_one(key));
        self.seen.insert(high << 64 | low)
    }
}

/// The pages `numbers`, fetched concurrently on workers (as many at once as the walk's
/// [`PageWalk::window`] allows when each is started, growing at the [`Pace`] the pages
/// come), yielded in order.
fn in_order<T, F, Fut>(
    numbers: std::ops::RangeInclusive<u32>,
    walk: PageWalk,
    fetch: F,
) -> impl futures::Stream<Item = Result<Page<T>>> + Send + 'static
where
    T: Send + 'static,
    F: Fn(PageRequest) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let state = (numbers, FuturesOrdered::new(), Pace::default());
    stream::unfold(state, move |(mut numbers, mut in_flight, mut pace)| {
        let window = walk.window(pace.grown);
        while in_flight.len() < window {
            let Some(number) = numbers.next() else { break };
            let started = tokio::time::Instant::now();
            let page = start_on_worker(fetch(PageRequest::number(number)));
            in_flight.push_back(async move {
                let page = page.await;
                (page, started.elapsed())
            });
        }
        async move {
            let (page, took) = in_flight.next().await?;
            pace.observe(took);
            Some((page, (numbers, in_flight, pace)))
        }
    })
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
    use futures::TryStreamExt as _;
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    #[test]
    fn pages_in_flight_keep_half_the_remaining_requests() {
        assert_eq!(
            in_flight(16, None),
            16,
            "no rate-limit headers: as configured"
        );
        assert_eq!(in_flight(16, Some(5_000)), 16);
        assert_eq!(in_flight(16, Some(20)), 10);
        assert_eq!(in_flight(16, Some(3)), 1);
        assert_eq!(in_flight(16, Some(0)), 1, "one at a time, never none");
        assert_eq!(in_flight(0, None), 1);
        assert_eq!(in_flight(4, Some(u64::MAX)), 4);
    }

    /// Pages of `n` items numbered by page, each fetch noting the thread it ran on.
    fn numbered_pages(
        total: u64,
        threads: Arc<std::sync::Mutex<Vec<std::thread::ThreadId>>>,
    ) -> impl Fn(PageRequest) -> futures::future::BoxFuture<'static, Result<Page<u32>>> + Clone
    {
        move |request| {
            let number = request.number;
            let threads = threads.clone();
            Box::pin(async move {
                threads.lock().unwrap().push(std::thread::current().id());
                // Later pages answer sooner: the order must still hold.
                for _ in number..50 {
                    tokio::task::yield_now().await;
                }
                let items = if u64::from(number) * 2 <= total {
                    vec![number * 10, number * 10 + 1]
                } else {
                    Vec::new()
                };
                Ok(Page::new(items).total(total))
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pages_are_fetched_on_worker_threads_and_come_out_in_order() {
        let threads = Arc::new(std::sync::Mutex::new(Vec::new()));
        let items: Vec<u32> = all_items(
            PageWalk::new(2, 4),
            |n| Some(n),
            numbered_pages(20, threads.clone()),
        )
        .try_collect()
        .await
        .unwrap();
        let expected: Vec<u32> = (1..=10).flat_map(|n| [n * 10, n * 10 + 1]).collect();
        assert_eq!(items, expected);
        let driver = std::thread::current().id();
        let threads = threads.lock().unwrap();
        assert_eq!(threads.len(), 10);
        assert!(
            threads.iter().all(|thread| *thread != driver),
            "every page ran as a task of the runtime, not on the task driving the stream"
        );
    }

    /// Page `n` holds item `n`: it answers after `network`, then holds one of `cores` for
    /// `decode` (standing for decoding); `peak` keeps the most pages in flight at once.
    fn paced_pages(
        pages: u64,
        network: Duration,
        decode: Duration,
        cores: Arc<tokio::sync::Semaphore>,
        peak: Arc<(
            std::sync::atomic::AtomicUsize,
            std::sync::atomic::AtomicUsize,
        )>,
    ) -> impl Fn(PageRequest) -> futures::future::BoxFuture<'static, Result<Page<u32>>> + Clone
    {
        move |request| {
            let number = request.number;
            let (cores, peak) = (cores.clone(), peak.clone());
            Box::pin(async move {
                let now = peak.0.fetch_add(1, Ordering::SeqCst) + 1;
                peak.1.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(network).await;
                let core = cores.acquire().await.unwrap();
                tokio::time::sleep(decode).await;
                drop(core);
                peak.0.fetch_sub(1, Ordering::SeqCst);
                let items = if u64::from(number) <= pages {
                    vec![number]
                } else {
                    Vec::new()
                };
                Ok(Page::new(items).total(pages))
            })
        }
    }

    /// Walks 60 pages of one item and returns the most pages in flight at once; with
    /// `read_each`, the caller takes that long over every item.
    async fn peak_in_flight(
        walk: PageWalk,
        network: Duration,
        decode: Duration,
        read_each: Duration,
    ) -> usize {
        let peak = Arc::new(Default::default());
        let cores = Arc::new(tokio::sync::Semaphore::new(2));
        let fetch = paced_pages(60, network, decode, cores, Arc::clone(&peak));
        let mut items = all_items(walk, |n| Some(n), fetch);
        let mut seen = Vec::new();
        while let Some(item) = items.try_next().await.unwrap() {
            seen.push(item);
            tokio::time::sleep(read_each).await;
        }
        assert_eq!(seen, (1..=60).collect::<Vec<u32>>(), "every page, in order");
        peak.1.load(Ordering::SeqCst)
    }

    #[tokio::test(start_paused = true)]
    async fn a_walk_waiting_on_the_network_grows_to_its_maximum() {
        // 100 ms on the network, 1 ms on one of two cores.
        let (network, decode, fast_reader) = (
            Duration::from_millis(100),
            Duration::from_millis(1),
            Duration::ZERO,
        );
        let growing = PageWalk::new(1, 4).growing_to(16);
        assert_eq!(
            peak_in_flight(growing, network, decode, fast_reader).await,
            16
        );
        let fixed = PageWalk::new(1, 4);
        assert_eq!(
            peak_in_flight(fixed, network, decode, fast_reader).await,
            4,
            "a fixed concurrency stays fixed"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn pages_queueing_for_cores_or_a_slow_reader_keep_the_walk_small() {
        let growing = || PageWalk::new(1, 4).growing_to(16);
        // 1 ms on the network, 10 ms on one of two cores: pages soon wait for a core.
        let busy_cores = peak_in_flight(
            growing(),
            Duration::from_millis(1),
            Duration::from_millis(10),
            Duration::ZERO,
        )
        .await;
        assert!(
            busy_cores <= 6,
            "grew to {busy_cores} of 16 pages while queueing for cores"
        );
        // Pages are there before the reader asks for them: more in flight buys nothing.
        let slow_reader = peak_in_flight(
            growing(),
            Duration::from_millis(100),
            Duration::from_millis(1),
            Duration::from_secs(1),
        )
        .await;
        assert_eq!(slow_reader, 4, "a slow reader keeps the walk at its start");
    }

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

    #[test]
    fn the_pace_grows_only_for_pages_near_the_fastest() {
        let mut pace = Pace::default();
        pace.observe(Duration::from_millis(100));
        assert_eq!(pace.grown, 1, "the first page is the fastest so far");
        pace.observe(Duration::from_millis(150));
        assert_eq!(pace.grown, 2, "half as long again still counts");
        pace.observe(Duration::from_millis(151));
        assert_eq!(pace.grown, 2, "longer: the page queued somewhere");
        pace.observe(Duration::from_millis(90));
        assert_eq!(pace.grown, 3);
        assert_eq!(pace.fastest, Some(Duration::from_millis(90)));
        pace.observe(Duration::from_millis(140));
        assert_eq!(pace.grown, 3, "measured against the new fastest");
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_stream_aborts_the_pages_in_flight() {
        struct Alive(Arc<std::sync::atomic::AtomicUsize>);
        impl Drop for Alive {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let alive = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = alive.clone();
        let fetch = move |request: PageRequest| {
            let number = request.number;
            let counter = counter.clone();
            async move {
                if number == 1 {
                    return Ok(Page::new(vec![1]).total(100));
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let _alive = Alive(counter);
                futures::future::pending::<()>().await;
                Ok(Page::new(vec![number]))
            }
        };
        let mut items = all_items(PageWalk::new(1, 3), |n| Some(n), fetch);
        assert_eq!(items.next().await.unwrap().unwrap(), 1);
        let stuck = tokio::time::timeout(std::time::Duration::from_millis(20), items.next()).await;
        assert!(stuck.is_err(), "page 2 never answers");
        assert_eq!(alive.load(Ordering::SeqCst), 3, "three pages in flight");
        drop(items);
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert_eq!(alive.load(Ordering::SeqCst), 0, "all three aborted");
    }

    #[test]
    fn without_a_runtime_a_page_is_fetched_in_place() {
        // Polled by hand, outside any runtime: the page is ready at the first poll.
        let mut page = std::pin::pin!(on_worker(async { Ok(Page::new(vec![7])) }));
        let mut context = Context::from_waker(std::task::Waker::noop());
        match page.as_mut().poll(&mut context) {
            Poll::Ready(page) => assert_eq!(page.unwrap().items, [7]),
            Poll::Pending => panic!("a page without a runtime runs in place"),
        }
    }
}
