//! The pages of a walk planned in advance: fetched concurrently, each as a task of its own on
//! the tokio runtime, as many at once as the walk's window allows (growing while the walk waits
//! on the network, never past half the requests the rate-limit headers say remain), and yielded
//! in order.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use futures::stream::{self, FuturesOrdered, StreamExt};

use super::{Page, PageRequest, PageWalk};
use crate::error::{Error, Result};

impl PageWalk {
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
pub(super) async fn on_worker<T, Fut>(fetch: Fut) -> Result<Page<T>>
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
/// The pages `numbers`, fetched concurrently on workers (as many at once as the walk's
/// [`PageWalk::window`] allows when each is started, growing at the [`Pace`] the pages
/// come), yielded in order.
pub(super) fn in_order<T, F, Fut>(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paginate::all_items;
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

    /// The text a caught panic carries.
    fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
        payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn a_panic_in_a_page_is_the_walks_panic_not_a_transport_error() {
        let page = on_worker(async {
            let items: Vec<u32> = Vec::new();
            assert!(!items.is_empty(), "a decoder bug");
            Ok(Page::new(items))
        });
        use futures::FutureExt as _;
        let payload = std::panic::AssertUnwindSafe(page)
            .catch_unwind()
            .await
            .expect_err("the page's panic reaches the caller as a panic");
        assert_eq!(panic_text(payload.as_ref()), "a decoder bug");
    }

    #[test]
    fn a_page_whose_runtime_shut_down_is_a_transport_error() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let entered = runtime.enter();
        let mut page = start_on_worker(futures::future::pending::<Result<Page<u32>>>());
        drop(entered);
        drop(runtime);
        let mut context = Context::from_waker(std::task::Waker::noop());
        match page.as_mut().poll(&mut context) {
            Poll::Ready(Err(Error::Transport { message, .. })) => {
                assert!(message.contains("cancelled"), "{message}");
            }
            Poll::Ready(other) => panic!("not a transport error: {other:?}"),
            Poll::Pending => panic!("a page of a runtime that shut down is over"),
        }
    }

    /// A client's walk keeps to half the requests its provider's last answer says remain.
    #[cfg(feature = "digitalocean")]
    #[tokio::test]
    async fn a_client_walk_keeps_half_the_requests_its_provider_says_remain() {
        let server = httpmock::MockServer::start_async().await;
        server
            .mock_async(|_, then| {
                then.status(404)
                    .header("content-type", "application/json")
                    .header("ratelimit-limit", "5000")
                    .header("ratelimit-remaining", "6")
                    .body(r#"{"id":"not_found","message":"no such cluster"}"#);
            })
            .await;
        let client = crate::digitalocean::Client::builder()
            .token("token")
            .base_url(server.base_url())
            .build()
            .unwrap();
        let transport = &client.inner;
        let fresh = PageWalk::for_client(200, transport);
        assert_eq!(
            fresh.window(0),
            crate::transport::DEFAULT_PAGE_CONCURRENCY,
            "no rate limit known yet"
        );
        assert!(client.list_clusters().send().await.is_err());
        let walk = PageWalk::for_client(200, transport);
        assert_eq!(walk.window(0), 3, "half of the 6 requests left");
        assert_eq!(walk.window(1_000), 3, "growing never passes it");
    }
}
