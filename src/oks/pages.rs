//! Every project and cluster over all pages of the OKS lists: `stream()` on each list request
//! (`client.list_project_clusters().project_id(id).status("ready").stream()`), which sends what
//! was set on the request with every page, and the client's short names for the usual walks.
//!
//! The lists take `cursor`, `page` and `limit` (at most [`MAX_PAGE_SIZE`]) and answer a
//! `Pagination` with `cursor.next_cursor` and `offset {page, limit, total}`, every field of
//! which may be null. The shared walk ([`crate::paginate`]) plans from what each answer says:
//! by number, concurrently, when the service served the page size it says and told the total;
//! else by the cursor each page hands to the next, or by number while the total or full pages
//! say more. An answer without `Pagination` is the whole list.

use std::future::Future;

use futures::stream::BoxStream;

use super::{Client, builder, types};
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

/// Walks an OKS list with `pages`: `request` (owning its client, with the caller's filters)
/// is sent once for each page the walk asks, at that page (`at_page`), and read by `send`.
fn walk<R, T, F, Fut>(
    pages: PageWalk,
    request: R,
    key: fn(&T) -> Option<&String>,
    at_page: fn(R, PageRequest) -> R,
    send: F,
) -> BoxStream<'static, Result<T>>
where
    R: Clone + Send + Sync + 'static,
    T: Send + 'static,
    F: Fn(R) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(Vec<T>, Option<types::Pagination>)>> + Send + 'static,
{
    paginate::all_items(pages, key, move |query| {
        let fetch = send(at_page(request.clone(), query));
        async move {
            let (items, pagination) = fetch.await?;
            Ok(page(items, pagination))
        }
    })
}

/// `stream()` for an OKS list request whose answer lists its items in `$items`: the three
/// list requests share their paging parameters but no trait.
macro_rules! stream_over_pages {
    ($(#[$doc:meta])* $request:ident => $item:ty, $items:ident) => {
        impl builder::$request<'_> {
            $(#[$doc])*
            ///
            /// The walk sets `limit` ([`MAX_PAGE_SIZE`]) and the page it asks (`page`, or
            /// `cursor` once it follows one) on every request, starting at the first page:
            /// leave `page` and `cursor` unset. Every other parameter is sent on every page as
            /// it was set. Pages are planned as [`paginate`](crate::paginate) says.
            pub fn stream(self) -> BoxStream<'static, Result<$item>> {
                let request = self.limit(MAX_PAGE_SIZE).into_owned();
                walk(
                    PageWalk::for_client(MAX_PAGE_SIZE, &request.client().inner),
                    request,
                    |item| Some(&item.id),
                    |request, query| match query.cursor {
                        Some(cursor) => request.cursor(cursor),
                        None => request.page(query.number),
                    },
                    |request| async move {
                        let list = request.send().await?;
                        Ok((list.$items, list.pagination))
                    },
                )
            }
        }
    };
}

stream_over_pages! {
    /// Every project over all pages of this request, with the filters set on it, in order,
    /// each once.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let ready: Vec<_> = client.list_projects().status("ready").stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    ListProjects => types::Project, projects
}

stream_over_pages! {
    /// Every cluster of every project over all pages of this request, with the filters set on
    /// it, in order, each once.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let ready: Vec<_> = client.list_clusters().status("ready").stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    ListClusters => types::Cluster, clusters
}

stream_over_pages! {
    /// Every cluster of one project over all pages of this request, with the filters set on
    /// it, in order, each once.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let ready: Vec<_> = client
    ///     .list_project_clusters()
    ///     .project_id("project-id")
    ///     .status("ready")
    ///     .stream()
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ListProjectClusters => types::Cluster, clusters
}

impl Client {
    /// Every project of the account: the [`stream`](builder::ListProjects::stream) of
    /// [`list_projects`](Client::list_projects).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let projects: Vec<_> = client.projects().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn projects(&self) -> BoxStream<'static, Result<types::Project>> {
        self.list_projects().stream()
    }

    /// Every cluster of every project: the [`stream`](builder::ListClusters::stream) of
    /// [`list_clusters`](Client::list_clusters).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let clusters: Vec<_> = client.clusters().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn clusters(&self) -> BoxStream<'static, Result<types::Cluster>> {
        self.list_clusters().stream()
    }

    /// Every cluster of one project: the [`stream`](builder::ListProjectClusters::stream) of
    /// [`list_project_clusters`](Client::list_project_clusters) for the project.
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
        self.list_project_clusters()
            .project_id(project_id.into())
            .stream()
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
