//! Every project and cluster over all pages of the OKS lists.
//!
//! The lists take `cursor`, `page` and `limit` (at most [`MAX_PAGE_SIZE`]) and answer a
//! `Pagination` with `cursor.next_cursor` and `offset {page, limit, total}`. The walk asks for
//! page 1; when the answer tells the total, the other pages are fetched by number, concurrently
//! (as the client's `page_concurrency` allows), and still come out in order. Otherwise it follows
//! `next_cursor` one page after another, and stops on an empty page, on a cursor the service
//! already gave, or when no cursor comes back. An answer without `Pagination` is the whole list.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use futures::stream::BoxStream;

use super::{Client, types};
use crate::error::Result;
use crate::paginate::{self, Page, PageWalk};

/// The largest page the OKS lists serve (`limit` at most 100); the walks ask for it.
pub const MAX_PAGE_SIZE: u32 = 100;

/// What to ask for one page: its number, or the cursor the previous page gave.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PageQuery {
    page: Option<u32>,
    cursor: Option<String>,
}

/// How a walk goes on after the first page: by number when the total is known, else by the
/// cursor each page hands to the next. Shared by the fetches of one walk: pages after the
/// first are asked for only once the first has answered, and, when walking by cursor, one at
/// a time, so the cursor for page `n` is known when page `n` is asked for.
#[derive(Default)]
struct Trail {
    by_number: bool,
    /// The cursor for the page of that number, and every cursor seen so far.
    next: Option<(u32, String)>,
    seen: Vec<String>,
}

impl Trail {
    fn query(&self, number: u32) -> PageQuery {
        match &self.next {
            Some((page, cursor)) if !self.by_number && *page == number => PageQuery {
                page: None,
                cursor: Some(cursor.clone()),
            },
            _ => PageQuery {
                page: Some(number),
                cursor: None,
            },
        }
    }

    /// Reads page `number`'s pagination: whether the walk goes on, and how.
    fn record<T>(
        &mut self,
        number: u32,
        items: Vec<T>,
        pagination: Option<types::Pagination>,
    ) -> Page<T> {
        let pagination = pagination.unwrap_or_default();
        let offset = pagination.offset.unwrap_or_default();
        let total = offset.total.and_then(|t| u64::try_from(t).ok());
        let served = offset
            .limit
            .and_then(|l| u64::try_from(l).ok())
            .filter(|l| *l > 0)
            .unwrap_or(u64::from(MAX_PAGE_SIZE));
        if number == 1 {
            self.by_number = total.is_some();
        }
        let next_cursor = pagination
            .cursor
            .and_then(|c| c.next_cursor)
            .filter(|c| !c.is_empty() && !self.seen.contains(c));
        if let Some(cursor) = &next_cursor {
            self.seen.push(cursor.clone());
            self.next = number.checked_add(1).map(|n| (n, cursor.clone()));
        }
        Page {
            items,
            total,
            has_next: next_cursor.is_some(),
            // The service may serve fewer items a page than asked: count pages with its size.
            last_page: total.map(|t| u32::try_from(t.div_ceil(served)).unwrap_or(u32::MAX)),
        }
    }
}

/// A list request at the page the walk asks for: by number, or by cursor. (The three list
/// builders share these setters but no trait.)
macro_rules! at_page {
    ($request:expr, $query:expr) => {{
        let mut request = $request;
        if let Some(page) = $query.page {
            request = request.page(page);
        }
        if let Some(cursor) = $query.cursor {
            request = request.cursor(cursor);
        }
        request
    }};
}

impl Client {
    /// Every project of the account, over all pages of [`list_projects`](super::GeneratedClient::list_projects).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let projects: Vec<_> = client.projects().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn projects(&self) -> BoxStream<'static, Result<types::Project>> {
        let api = self.api.clone();
        self.walk(move |query| {
            let api = api.clone();
            async move {
                let request = at_page!(api.list_projects().limit(MAX_PAGE_SIZE), query);
                let list = request.send().await?;
                Ok((list.projects, list.pagination))
            }
        })
    }

    /// Every cluster of every project, over all pages of [`list_clusters`](super::GeneratedClient::list_clusters).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let clusters: Vec<_> = client.clusters().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn clusters(&self) -> BoxStream<'static, Result<types::Cluster>> {
        let api = self.api.clone();
        self.walk(move |query| {
            let api = api.clone();
            async move {
                let request = at_page!(api.list_clusters().limit(MAX_PAGE_SIZE), query);
                let list = request.send().await?;
                Ok((list.clusters, list.pagination))
            }
        })
    }

    /// Every cluster of one project, over all pages of [`list_project_clusters`](super::GeneratedClient::list_project_clusters).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let clusters: Vec<_> = client.project_clusters("project-id").try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn project_clusters(
        &self,
        project_id: impl Into<String>,
    ) -> BoxStream<'static, Result<types::Cluster>> {
        let api = self.api.clone();
        let project_id = project_id.into();
        self.walk(move |query| {
            let api = api.clone();
            let project_id = project_id.clone();
            async move {
                let request = api
                    .list_project_clusters()
                    .project_id(project_id)
                    .limit(MAX_PAGE_SIZE);
                let list = at_page!(request, query).send().await?;
                Ok((list.clusters, list.pagination))
            }
        })
    }

    /// Walks a list with the shared paginator, asking each page by number or by cursor.
    fn walk<T, F, Fut>(&self, fetch: F) -> BoxStream<'static, Result<T>>
    where
        T: Send + 'static,
        F: Fn(PageQuery) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<(Vec<T>, Option<types::Pagination>)>> + Send + 'static,
    {
        use progenitor_client::ClientInfo as _;
        let walk = PageWalk::for_client(MAX_PAGE_SIZE, self.api.inner());
        let trail = Arc::new(Mutex::new(Trail::default()));
        paginate::all_items(walk, move |number| {
            let fetch = fetch.clone();
            let trail = trail.clone();
            async move {
                let query = lock(&trail).query(number);
                let (items, pagination) = fetch(query).await?;
                Ok(lock(&trail).record(number, items, pagination))
            }
        })
    }
}

fn lock(trail: &Mutex<Trail>) -> std::sync::MutexGuard<'_, Trail> {
    trail.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pagination(next: Option<&str>, total: Option<i64>, limit: Option<i64>) -> types::Pagination {
        types::Pagination {
            cursor: Some(types::Cursor {
                next_cursor: next.map(String::from),
            }),
            offset: Some(types::Offset {
                page: None,
                limit,
                total,
            }),
        }
    }

    #[test]
    fn a_known_total_walks_by_number_with_the_served_page_size() {
        let mut trail = Trail::default();
        let page = trail.record(
            1,
            vec![1; 50],
            Some(pagination(Some("c2"), Some(120), Some(50))),
        );
        assert_eq!(page.last_page, Some(3), "120 items, 50 a page");
        assert_eq!(
            trail.query(2),
            PageQuery {
                page: Some(2),
                cursor: None
            }
        );
    }

    #[test]
    fn without_a_total_the_cursor_leads_and_a_repeated_cursor_ends_the_walk() {
        let mut trail = Trail::default();
        assert_eq!(
            trail.query(1),
            PageQuery {
                page: Some(1),
                cursor: None
            }
        );
        let page = trail.record(1, vec![1], Some(pagination(Some("c2"), None, None)));
        assert!(page.has_next && page.last_page.is_none());
        assert_eq!(
            trail.query(2),
            PageQuery {
                page: None,
                cursor: Some("c2".into())
            }
        );
        let page = trail.record(2, vec![2], Some(pagination(Some("c2"), None, None)));
        assert!(!page.has_next, "the service gave this cursor already");
        let page = trail.record(3, vec![3], Some(pagination(Some(""), None, None)));
        assert!(!page.has_next);
    }

    #[test]
    fn an_answer_without_pagination_is_the_whole_list() {
        let page = Trail::default().record(1, vec![1, 2], None);
        assert!(!page.has_next && page.total.is_none() && page.last_page.is_none());
    }

    #[test]
    fn absurd_numbers_do_not_panic() {
        let mut trail = Trail::default();
        let page = trail.record(
            u32::MAX,
            vec![0],
            Some(pagination(Some("x"), Some(i64::MAX), Some(-5))),
        );
        assert_eq!(page.last_page, Some(u32::MAX));
        assert!(trail.next.is_none(), "no page after u32::MAX");
        let page = Trail::default().record(1, vec![0], Some(pagination(None, Some(-1), Some(0))));
        assert_eq!(page.total, None);
    }
}
