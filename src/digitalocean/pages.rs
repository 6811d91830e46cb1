//! Every cluster and node pool over all pages: `stream()` on the list requests, which keeps
//! whatever the caller set on them, and the client's shorter names for the common walks.
//!
//! The cluster list takes `page` and `per_page` (at most [`MAX_PER_PAGE`]) and answers
//! `meta.total` and `links.pages.{next,last}`. The shared walk ([`crate::paginate`]) plans from
//! what each answer says: the other pages concurrently when the first page is full and tells the
//! total, else one after another while `links.pages.next` says more.

use futures::stream::{BoxStream, StreamExt as _};

use super::{Client, IntoUuid, MAX_PER_PAGE, builder, types};
use crate::error::Result;
use crate::paginate::{self, Page, PageWalk};

impl builder::ListClusters<'_> {
    /// Every cluster over all pages of this request, in order, each once: the walk asks pages
    /// of [`MAX_PER_PAGE`] clusters by number (the `page` and `per_page` of the request are
    /// the walk's own; [`Client::clusters_with_page_size`] asks another size). When the first
    /// page is full and tells the total, the other pages are fetched concurrently (see
    /// [`ClientBuilder::page_concurrency`](crate::ClientBuilder::page_concurrency)); else the
    /// walk follows `links.pages.next`. A walk short of `meta.total` ends with
    /// [`Error::IncompleteListing`](crate::Error::IncompleteListing).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::digitalocean::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let clusters: Vec<_> = client.list_clusters().stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> BoxStream<'static, Result<types::Cluster>> {
        self.stream_of_pages(MAX_PER_PAGE)
    }

    /// [`stream`](Self::stream) with pages of `per_page` clusters (1 to [`MAX_PER_PAGE`]).
    fn stream_of_pages(self, per_page: u32) -> BoxStream<'static, Result<types::Cluster>> {
        let per_page = per_page.clamp(1, MAX_PER_PAGE);
        let request = self.per_page(u64::from(per_page)).into_owned();
        let walk = PageWalk::for_client(per_page, &request.client().inner);
        paginate::all_items(
            walk,
            |cluster| Some(&cluster.id),
            move |query| {
                let request = request.clone().page(u64::from(query.number));
                async move { Ok(cluster_page(request.send().await?)) }
            },
        )
    }
}

/// Reads what a cluster list says of its pages into the walk's terms.
fn cluster_page(list: types::ClusterList) -> Page<types::Cluster> {
    let links = list.links.as_ref().and_then(|links| links.pages.as_ref());
    let link = |pick: fn(&types::PageLinksPages) -> &Option<String>| {
        links.and_then(|links| pick(links).as_deref())
    };
    let (next, last) = (link(|l| &l.next), link(|l| &l.last));
    let mut page = Page::new(list.kubernetes_clusters);
    if let Some(last) = last.and_then(paginate::page_in_link) {
        page = page.last_page(last);
    }
    // A plain integer upstream: a negative total says nothing.
    if let Some(total) = list.meta.total.and_then(|total| u64::try_from(total).ok()) {
        page = page.total(total);
    }
    if let Some(next) = next {
        // The link's `page`, when it has one; a link says "more" either way.
        page = match paginate::page_in_link(next) {
            Some(number) => page.next_page(number),
            None => page.has_next(true),
        };
    }
    page
}

impl builder::ListNodePools<'_> {
    /// Every node pool of the request's cluster, as a stream like
    /// [`ListClusters::stream`](builder::ListClusters::stream) (the API answers them in one
    /// page).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::digitalocean::Client, cluster_id: kaas::uuid::Uuid) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let pools: Vec<_> = client.list_node_pools().cluster_id(cluster_id).stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> BoxStream<'static, Result<types::NodePool>> {
        let request = self.into_owned();
        let walk = PageWalk::for_client(MAX_PER_PAGE, &request.client().inner);
        paginate::all_items(
            walk,
            |pool| pool.id.as_ref(),
            move |_page| {
                let request = request.clone();
                async move { Ok(Page::new(request.send().await?.node_pools)) }
            },
        )
    }
}

impl Client {
    /// Every cluster of the account, walking all pages ([`MAX_PER_PAGE`] a page): the
    /// [`stream`](builder::ListClusters::stream) of [`list_clusters`](Client::list_clusters).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::digitalocean::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let names: Vec<String> = client.clusters().map_ok(|c| c.name).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn clusters(&self) -> BoxStream<'static, Result<types::Cluster>> {
        self.list_clusters().stream()
    }

    /// Every cluster, walking pages of `per_page` clusters (1 to [`MAX_PER_PAGE`]), as
    /// [`ListClusters::stream`](builder::ListClusters::stream) walks them.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::digitalocean::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let clusters: Vec<_> = client.clusters_with_page_size(50).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn clusters_with_page_size(
        &self,
        per_page: u32,
    ) -> BoxStream<'static, Result<types::Cluster>> {
        self.list_clusters().stream_of_pages(per_page)
    }

    /// Every node pool of a cluster: the [`stream`](builder::ListNodePools::stream) of
    /// [`list_node_pools`](Client::list_node_pools) for the cluster (text that is not a UUID
    /// fails before anything is sent).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::digitalocean::Client, cluster_id: kaas::uuid::Uuid) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let pools: Vec<_> = client.node_pools(cluster_id).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn node_pools(
        &self,
        cluster_id: impl IntoUuid,
    ) -> BoxStream<'static, Result<types::NodePool>> {
        match cluster_id.into_uuid() {
            Ok(id) => self.list_node_pools().cluster_id(id).stream(),
            Err(error) => futures::stream::once(async { Err(error) }).boxed(),
        }
    }
}
