//! Walking every page of a list as one [`Stream`](futures::Stream) of items.
//!
//! The first page is fetched alone. When it tells the total number of items (or the number of
//! the last page), the remaining pages are known and fetched concurrently (at most `concurrency` at once, in order of page
//! number), and their items still come out in page order. Otherwise pages are fetched one after
//! another until the provider says there is no next page. Memory stays bounded by the pages in
//! flight; an error ends the stream after it is yielded.
//!
//! A walk trusts no count a server sends: it ends at the first empty page, and it fetches at
//! most [`MAX_PAGES`] pages (past that, the stream ends with an error that says so).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::stream::{self, BoxStream, StreamExt};

use crate::error::Result;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageWalk {
    /// Items asked for per page.
    pub per_page: u32,
    /// Pages fetched at once once the total is known (at least 1).
    pub concurrency: usize,
}

impl PageWalk {
    /// `per_page` items a page, `concurrency` pages at once (both at least 1).
    pub fn new(per_page: u32, concurrency: usize) -> Self {
        PageWalk {
            per_page: per_page.max(1),
            concurrency: concurrency.max(1),
        }
    }
}

/// All items of all pages, in order. `fetch(n)` reads page `n` (1-based).
pub fn all_items<T, F, Fut>(walk: PageWalk, fetch: F) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    F: Fn(u32) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let first = fetch(1);
    let pages = stream::once(first).flat_map(move |first| -> BoxStream<'static, Result<Page<T>>> {
        let fetch = fetch.clone();
        match first {
            Err(error) => stream::iter([Err(error)]).boxed(),
            Ok(page) => {
                let rest = remaining_pages(&page, walk, fetch);
                stream::iter([Ok(page)]).chain(rest).boxed()
            }
        }
    });
    stop_after_error(pages)
        .flat_map(|page| match page {
            Ok(page) => stream::iter(page.items.into_iter().map(Ok).collect::<Vec<_>>()),
            Err(error) => stream::iter(vec![Err(error)]),
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
            let walked = stream::iter(2..=last.min(MAX_PAGES))
                .map(fetch)
                .buffered(walk.concurrency.max(1))
                .take_while(move |page| {
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
                let page = fetch(number).await;
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
fn stop_after_error<T: Send + 'static>(
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
