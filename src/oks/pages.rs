//! Every project and cluster over all pages of the OKS lists.
//!
//! The lists take `cursor`, `page` and `limit` (at most [`MAX_PAGE_SIZE`]) and answer a
//! `Pagination` with `cursor.next_cursor` and `offset {page, limit, total}`, every field of
//! which may be null. The shared walk ([`crate::paginate`]) plans from what each answer says:
//! by number, concurrently, when the service served the page size it says and told the total;
//! else by the cursor each page hands to the next, or by number while the total or full pages
//! say more. An answer without `Pagination` is the whole list.

use std::future::Future;

use futures::stream::BoxStream;

use super::{Client, types};
use crate::error::Result;
use crate::paginate::{self, Page, PageRequest, PageWalk};

/// The largest page the OKS lists serve (`limit` at most 100); the walks ask for it.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Reads what an OKS `Pagination` says into the walk's terms.
fn page<T>(items: Vec<T>, pagination: Option<types::Pagination>) -> Page<T> {
    let pagination = pagination.unwrap_or_default();
    let offset = pagination.offset.unwrap_or_default();
    let mut page = Page::new(items);
    if let Some(total) = offset.total.and_then(|t| u64::try_from(t).ok()) {
        page = page.total(total);
    }
    if let Some(limit) = offset.limit.and_then(|l| u32::try_from(l).ok()) {
        page = page.page_size(limit);
    }
    match pagination.cursor.and_then(|c| c.next_cursor) {
        Some(cursor) => page.next_cursor(cursor),
        None => page,
    }
}

/// A list request at the page the walk asks for: by number, or by cursor. (The three list
/// builders share these setters but no trait.)
macro_rules! at_page {
    ($request:expr, $query:expr) => {{
        let mut request = $request;
        let query: PageRequest = $query;
        match query.cursor {
            Some(cursor) => request = request.cursor(cursor),
            None => request = request.page(query.number),
        }
        request
    }};
}

impl Client {
    /// Every project of the account, over all pages of [`list_projects`](Client::list_projects).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let projects: Vec<_> = client.projects().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn projects(&self) -> BoxStream<'static, Result<types::Project>> {
        let client = self.clone();
        self.walk(
            |project| Some(&project.id),
            move |query| {
                let client = client.clone();
                async move {
                    let request = at_page!(client.list_projects().limit(MAX_PAGE_SIZE), query);
                    let list = request.send().await?;
                    Ok((list.projects, list.pagination))
                }
            },
        )
    }

    /// Every cluster of every project, over all pages of [`list_clusters`](Client::list_clusters).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let clusters: Vec<_> = client.clusters().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn clusters(&self) -> BoxStream<'static, Result<types::Cluster>> {
        let client = self.clone();
        self.walk(
            |cluster| Some(&cluster.id),
            move |query| {
                let client = client.clone();
                async move {
                    let request = at_page!(client.list_clusters().limit(MAX_PAGE_SIZE), query);
                    let list = request.send().await?;
                    Ok((list.clusters, list.pagination))
                }
            },
        )
    }

    /// Every cluster of one project, over all pages of [`list_project_clusters`](Client::list_project_clusters).
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
        let client = self.clone();
        let project_id = project_id.into();
        self.walk(
            |cluster| Some(&cluster.id),
            move |query| {
                let client = client.clone();
                let project_id = project_id.clone();
                async move {
                    let request = client
                        .list_project_clusters()
                        .project_id(project_id)
                        .limit(MAX_PAGE_SIZE);
                    let list = at_page!(request, query).send().await?;
                    Ok((list.clusters, list.pagination))
                }
            },
        )
    }

    /// Walks a list with the shared paginator, asking each page by number or by cursor.
    fn walk<T, F, Fut>(
        &self,
        key: fn(&T) -> Option<&String>,
        fetch: F,
    ) -> BoxStream<'static, Result<T>>
    where
        T: Send + 'static,
        F: Fn(PageRequest) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<(Vec<T>, Option<types::Pagination>)>> + Send + 'static,
    {
        let walk = PageWalk::for_client(MAX_PAGE_SIZE, &self.inner);
        paginate::all_items(walk, key, move |request| {
            let fetch = fetch.clone();
            async move {
                let (items, pagination) = fetch(request).await?;
                Ok(page(items, pagination))
            }
        })
    }
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
    fn every_pagination_field_is_read_and_nulls_say_nothing() {
        let full = page(
            vec![1; 50],
            Some(pagination(Some("c2"), Some(120), Some(50))),
        );
        assert_eq!(
            (
                full.total,
                full.page_size,
                full.next_cursor.as_deref(),
                full.has_next
            ),
            (Some(120), Some(50), Some("c2"), true)
        );
        let nulls = page(vec![1], Some(pagination(None, None, None)));
        assert_eq!(
            (nulls.total, nulls.page_size, nulls.has_next),
            (None, None, false)
        );
        let empty_cursor = page(vec![1], Some(pagination(Some(""), None, None)));
        assert!(!empty_cursor.has_next, "an empty cursor says nothing");
        let whole = page(vec![1, 2], None);
        assert!(!whole.has_next && whole.total.is_none());
    }

    #[test]
    fn absurd_numbers_say_nothing() {
        let page = page(vec![0], Some(pagination(Some("x"), Some(-1), Some(-5))));
        assert_eq!((page.total, page.page_size), (None, None));
        let zero = super::page(vec![0], Some(pagination(None, Some(i64::MAX), Some(0))));
        assert_eq!((zero.total, zero.page_size), (Some(i64::MAX as u64), None));
    }
}
