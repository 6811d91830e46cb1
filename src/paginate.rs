//! Walking every page of a list as one [`Stream`](futures::Stream) of items.
//!
//! The first page is fetched alone. When it tells the total number of items (or the number of
//! the last page), the remaining pages are known and fetched concurrently (`concurrency` at
//! once, growing towards `max_concurrency` while the walk waits on the network, fewer when the
//! provider's rate-limit headers say few requests remain, in order of page number), and their
//! items still come out in page order. Otherwise pages are
//! fetched one after another until the provider says there is no next page. Memory stays
//! bounded by the pages in flight; an error ends the stream after it is yielded.
//!
//! Each page is fetched and decoded as a task of its own on the tokio runtime, so on a
//! multi-threaded runtime pages decode on every core while the stream keeps their order;
//! dropping the stream aborts the pages in flight.
//!
//! A walk trusts no count a server sends: it ends at the first empty page, and it fetches at
//! most [`MAX_PAGES`] pages (past that, the stream ends with an error that says so).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, FuturesOrdered, StreamExt};

use crate::error::{Error, Result};
use crate::transport::Transport;

/// The most pages one walk fetches (two million items at 200 a page).
pub const MAX_PAGES: u32 = 10_000;

/// One page of a list, as a provider module reads it from the generated response type.
///
/// ```
/// let page = kaas::paginate::Page::new(vec![1, 2, 3]).total(10).has_next(true);
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
    /// The number of the last page, when the provider tells it directly (it wins over `total`).
    pub last_page: Option<u32>,
}

impl<T> Page<T> {
    /// A page of `items` that says nothing of other pages (the walk ends after it).
    pub fn new(items: Vec<T>) -> Self {
        Page {
            items,
            total: None,
            has_next: false,
            last_page: None,
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

/// All items of all pages, in order. `fetch(n)` reads page `n` (1-based).
pub fn all_items<T, F, Fut>(walk: PageWalk, fetch: F) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    F: Fn(u32) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let first = on_worker(fetch(1));
    let pages = stream::once(first).flat_map(move |first| -> BoxStream<'static, Result<Page<T>>> {
        let fetch = fetch.clone();
        match first {
            Err(error) => stream::iter([Err(error)]).boxed(),
            Ok(page) => {
                let rest = remaining_pages(&page, walk.clone(), fetch);
                stream::iter([Ok(page)]).chain(rest).boxed()
            }
        }
    });
    stop_after_error(pages)
        .flat_map(|page| match page {
            Ok(page) => stream::iter(page.items).map(Ok).left_stream(),
            Err(error) => stream::iter([Err(error)]).right_stream(),
        })
        .boxed()
}

/// Pages 2.. : concurrently when the last page is known (told, or from the total), else one
/// by one while `has_next`.
fn remaining_pages<T, F, Fut>(
    first: &Page<T>,
    walk: PageWalk,
    fetch: F,
) -> BoxStream<'static, Result<Page<T>>>
where
    T: Send + 'static,
    F: Fn(u32) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let per_page = u64::from(walk.per_page.max(1));
    let last = first.last_page.or_else(|| {
        first
            .total
            .map(|total| u32::try_from(total.div_ceil(per_page)).unwrap_or(u32::MAX))
    });
    match last {
        Some(last) => {
            let ended_early = Arc::new(AtomicBool::new(false));
            let seen_empty = ended_early.clone();
            let walked = in_order(2..=last.min(MAX_PAGES), walk, fetch).take_while(move |page| {
                let empty = matches!(page, Ok(page) if page.items.is_empty());
                seen_empty.fetch_or(empty, Ordering::Relaxed);
                futures::future::ready(!empty)
            });
            // Only a walk that found every page it may fetch full says it stopped short.
            let cut_short = stream::once(async move {
                (last > MAX_PAGES && !ended_early.load(Ordering::Relaxed))
                    .then(|| too_many_pages(last))
            })
            .filter_map(futures::future::ready);
            walked.chain(cut_short).boxed()
        }
        None if first.has_next => stream::unfold(Some(2u32), move |next| {
            let fetch = fetch.clone();
            async move {
                let number = next?;
                if number > MAX_PAGES {
                    return Some((too_many_pages(number), None));
                }
                let page = on_worker(fetch(number)).await;
                let following = match &page {
                    Ok(page) if page.has_next && !page.items.is_empty() => number.checked_add(1),
                    _ => None,
                };
                Some((page, following))
            }
        })
        .boxed(),
        None => stream::empty().boxed(),
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
    F: Fn(u32) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let state = (numbers, FuturesOrdered::new(), Pace::default());
    stream::unfold(state, move |(mut numbers, mut in_flight, mut pace)| {
        let window = walk.window(pace.grown);
        while in_flight.len() < window {
            let Some(number) = numbers.next() else { break };
            let started = tokio::time::Instant::now();
            let page = start_on_worker(fetch(number));
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

/// The error that ends a walk longer than [`MAX_PAGES`].
fn too_many_pages<T>(pages: u32) -> Result<Page<T>> {
    Err(crate::Error::Decode {
        message: format!(
            "the provider announces at least {pages} pages; a walk stops after {MAX_PAGES}"
        ),
        body_excerpt: String::new(),
    })
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
    ) -> impl Fn(u32) -> futures::future::BoxFuture<'static, Result<Page<u32>>> + Clone {
        move |number| {
            let threads = threads.clone();
            Box::pin(async move {
                threads.lock().unwrap().push(std::thread::current().id());
                // Later pages answer sooner: the order must still hold.
                for _ in number..50 {
                    tokio::task::yield_now().await;
                }
                Ok(Page::new(vec![number * 10, number * 10 + 1]).total(total))
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pages_are_fetched_on_worker_threads_and_come_out_in_order() {
        let threads = Arc::new(std::sync::Mutex::new(Vec::new()));
        let items: Vec<u32> = all_items(PageWalk::new(2, 4), numbered_pages(20, threads.clone()))
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
    ) -> impl Fn(u32) -> futures::future::BoxFuture<'static, Result<Page<u32>>> + Clone {
        move |number| {
            let (cores, peak) = (cores.clone(), peak.clone());
            Box::pin(async move {
                let now = peak.0.fetch_add(1, Ordering::SeqCst) + 1;
                peak.1.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(network).await;
                let core = cores.acquire().await.unwrap();
                tokio::time::sleep(decode).await;
                drop(core);
                peak.0.fetch_sub(1, Ordering::SeqCst);
                Ok(Page::new(vec![number]).total(pages))
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
        let mut items = all_items(walk, fetch);
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
        let fetch = move |number: u32| {
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
        let mut items = all_items(PageWalk::new(1, 3), fetch);
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
