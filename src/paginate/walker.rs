//! One walk's state: what the server has said so far, which page comes next, and the items
//! already yielded.

use std::collections::HashSet;
use std::future::Future;
use std::hash::{BuildHasher, Hash};

use futures::stream::{BoxStream, StreamExt};

use super::concurrent::{in_order, on_worker};
use super::{MAX_PAGES, Page, PageRequest, PageWalk};
use crate::error::{Error, Result};

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
pub(super) struct Walker<T, K: ?Sized, F> {
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
    /// A walk that starts at page 1.
    pub(super) fn new(walk: PageWalk, key: fn(&T) -> Option<&K>, fetch: F) -> Self {
        Walker {
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
        }
    }

    /// The items of the next page, an error that ends the walk, or `None` at its end.
    pub(super) async fn step(&mut self) -> Option<Result<Vec<T>>> {
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
        let fingerprint = self.of(key);
        self.seen.insert(fingerprint)
    }

    /// The key's fingerprint: one hash in the high 64 bits, the other in the low 64.
    fn of<K: Hash + ?Sized>(&self, key: &K) -> u128 {
        let high = u128::from(self.hashers.0.hash_one(key));
        let low = u128::from(self.hashers.1.hash_one(key));
        high << 64 | low
    }
}

#[cfg(test)]
mod tests {
    use futures::{StreamExt as _, TryStreamExt as _};

    use crate::error::{Error, Result};
    use crate::paginate::{MAX_PAGES, Page, PageRequest, PageWalk, all_items};

    /// A server of `pages` pages of one item each, as the number of a page asks for them:
    /// each page links to the next one (`linked`), or every page states the total.
    fn server(
        pages: u32,
        linked: bool,
    ) -> impl Fn(PageRequest) -> std::future::Ready<Result<Page<u32>>> + Clone + Send + Sync + 'static
    {
        move |request| {
            let number = request.number;
            let items = if number <= pages {
                vec![number]
            } else {
                Vec::new()
            };
            let page = Page::new(items);
            std::future::ready(Ok(match linked {
                true if number < pages => page.next_page(number + 1),
                true => page,
                false => page.total(u64::from(pages)),
            }))
        }
    }

    /// The items a walk yields, and the error it ends with, if any. Linked pages are asked
    /// two items at a time (a page of one is not full: only the link says there is more);
    /// pages that state the total, one (each page is full: the others are planned).
    async fn walk(pages: u32, linked: bool) -> (usize, Option<Error>) {
        let per_page = if linked { 2 } else { 1 };
        let walk = PageWalk::new(per_page, 8);
        let mut items = all_items(walk, |n| Some(n), server(pages, linked));
        let mut count = 0;
        while let Some(item) = items.next().await {
            match item {
                Ok(_) => count += 1,
                Err(error) => return (count, Some(error)),
            }
        }
        (count, None)
    }

    /// A server of five items, two a page, that says it serves two a page and nothing else (no
    /// total, no link): only the size it states tells the walk, which asked for 200, that a
    /// page of two is full and may have more after it.
    #[tokio::test]
    async fn a_full_page_is_measured_by_the_page_size_the_server_states() {
        let (items, _) = walk_recording(PageWalk::new(200, 4), |n| {
            let start = (n - 1) * 2;
            Page::new((start..(start + 2).min(5)).collect()).page_size(2)
        })
        .await;
        assert_eq!(items.unwrap(), [0, 1, 2, 3, 4]);
    }

    /// Walks a server whose page `n` is `page_of(n)`: the items, or the error the walk ended
    /// with, and the numbers of the pages it requested, in order.
    async fn walk_recording(
        walk: PageWalk,
        page_of: fn(u32) -> Page<u32>,
    ) -> (Result<Vec<u32>>, Vec<u32>) {
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let fetch = {
            let asked = asked.clone();
            move |request: PageRequest| {
                asked.lock().unwrap().push(request.number);
                std::future::ready(Ok(page_of(request.number)))
            }
        };
        let items = all_items(walk, |n| Some(n), fetch).try_collect().await;
        let asked = asked.lock().unwrap().clone();
        (items, asked)
    }

    /// A server that serves 50 a page whatever was asked, and states the total: the walk
    /// asked for 20, so the total does not say how many pages there are. It reads on one page
    /// at a time (three pages), and never plans six pages from the size it asked for.
    #[tokio::test]
    async fn a_page_size_the_server_did_not_honour_plans_no_pages() {
        let (items, asked) = walk_recording(PageWalk::new(20, 4), |n| {
            let start = (n - 1) * 50;
            Page::new((start..(start + 50).min(120)).collect()).total(120)
        })
        .await;
        assert_eq!(items.unwrap(), (0..120).collect::<Vec<u32>>());
        assert_eq!(asked, [1, 2, 3], "the pages requested");
    }

    /// A server of four items, two a page, that answers its last page for any later number:
    /// the first page of items all seen before ends the walk (a full page would otherwise
    /// lead on to the page cap).
    #[tokio::test]
    async fn a_page_of_items_already_seen_ends_the_walk() {
        let (items, asked) = walk_recording(PageWalk::new(2, 4), |n| {
            let start = (n.min(2) - 1) * 2;
            Page::new(vec![start, start + 1])
        })
        .await;
        assert_eq!(items.unwrap(), [0, 1, 2, 3]);
        assert_eq!(asked, [1, 2, 3]);
    }

    /// Pages of one item when ten were asked for, the last page's number stated: the walk
    /// reads up to that page and asks for no page after it.
    #[tokio::test]
    async fn the_last_page_the_server_states_is_the_last_read() {
        let (items, asked) = walk_recording(PageWalk::new(10, 4), |n| {
            Page::new(if n <= 3 { vec![n] } else { Vec::new() }).last_page(3)
        })
        .await;
        assert_eq!(items.unwrap(), [1, 2, 3]);
        assert_eq!(asked, [1, 2, 3]);
    }

    /// A total that is too low (3, for five items two a page): once the walk has gone past
    /// it, full pages lead on, and the fifth item is not lost.
    #[tokio::test]
    async fn a_total_the_walk_went_past_leaves_full_pages_to_lead_on() {
        let (items, asked) = walk_recording(PageWalk::new(2, 4), |n| {
            let start = (n - 1) * 2;
            Page::new((start..(start + 2).min(5)).collect()).total(3)
        })
        .await;
        assert_eq!(items.unwrap(), [0, 1, 2, 3, 4]);
        assert_eq!(asked, [1, 2, 3]);
    }

    /// A fingerprint keeps all 128 bits of its two hashes: two keys are taken for one only
    /// when both hashes collide.
    #[test]
    fn a_fingerprint_is_both_hashes_side_by_side() {
        use std::hash::BuildHasher as _;
        let fingerprints = super::Fingerprints::default();
        for key in ["bd5f5959-5e1e-4205-a714-a914373942af", "", "a"] {
            let fingerprint = fingerprints.of(key);
            let high = fingerprints.hashers.0.hash_one(key);
            let low = fingerprints.hashers.1.hash_one(key);
            assert_eq!(fingerprint >> 64, u128::from(high), "{key:?}");
            assert_eq!(
                fingerprint & u128::from(u64::MAX),
                u128::from(low),
                "{key:?}"
            );
        }
    }

    /// A page size of zero written to the field (the builder already drops it) says nothing:
    /// the walk plans from the page size it asked for, and never divides by zero.
    #[tokio::test]
    async fn a_stated_page_size_of_zero_is_no_page_size() {
        let (items, _) = walk_recording(PageWalk::new(1, 2), |n| {
            let mut page = Page::new(if n <= 3 { vec![n] } else { Vec::new() }).total(3);
            page.page_size = Some(0);
            page
        })
        .await;
        assert_eq!(items.unwrap(), [1, 2, 3]);
    }

    #[tokio::test]
    async fn a_walk_reads_max_pages_exactly_and_refuses_the_page_after() {
        for linked in [true, false] {
            let (read, error) = walk(MAX_PAGES, linked).await;
            assert_eq!(read, MAX_PAGES as usize, "linked: {linked}");
            assert!(error.is_none(), "linked: {linked}: {error:?}");

            let (read, error) = walk(MAX_PAGES + 1, linked).await;
            assert_eq!(read, MAX_PAGES as usize, "linked: {linked}");
            match error {
                Some(Error::IncompleteListing { got, reason, .. }) => {
                    assert_eq!(got, u64::from(MAX_PAGES));
                    assert!(reason.contains("more than 10000 pages"), "{reason}");
                }
                other => panic!("linked: {linked}: {other:?}"),
            }
        }
    }
}
