//! Cloud66 (API v3): Kubernetes clusters and the stack actions their operations start.
//!
//! [`Client`] is the generated client for `specs/cloud66.yaml` with a bearer token; every
//! operation of the spec is a method on it, plus [`Client::clusters`] over all pages and
//! [`Client::wait_until_action_finished`] for the asynchronous actions (a cluster is a stack underneath).
//!
//! ```no_run
//! # async fn demo() -> kaas::Result<()> {
//! use kaas::cloud66::{Client, types};
//! let client = Client::new(std::env::var("CLOUD66_TOKEN").unwrap_or_default())?;
//! let cluster = client.get_cluster().id(123).send().await?.response;
//! let action = client
//!     .reboot_cluster_servers()
//!     .id(123)
//!     .body(types::RebootRequest {
//!         strategy: Some(types::RebootStrategy::Serial),
//!         group: Some("web".into()),
//!     })
//!     .send()
//!     .await?
//!     .response;
//! let finished = client.wait_until_action_finished(&cluster.uid, action.id).await?;
//! println!("{:?}", finished.finished_message);
//! # Ok(()) }
//! ```

use futures::stream::BoxStream;

use crate::error::{DecodedErrorBody, Result};
use crate::paginate::{self, Page, PageWalk};
use crate::transport::{ClientBuilder, ProviderProfile};
use crate::wait::{self, Progress, Wait};

crate::generated_provider!("cloud66");

/// The documented base URL.
pub const DEFAULT_BASE_URL: &str = "https://app.cloud66.com/api/3";

/// The page size the API uses when none is asked for.
pub const DEFAULT_PER_PAGE: u32 = 30;

pub(crate) static PROFILE: ProviderProfile = ProviderProfile {
    name: "cloud66",
    default_base_url: Some(DEFAULT_BASE_URL),
    api_root: crate::transport::ApiRoot::InBaseUrl {
        version: "/api/3",
        host: "cloud66.com",
    },
    decode_error,
    operations: OPERATIONS,
};

/// Reads the live `{error, error_description, details}`, the document's
/// `{"response": {"message", "status"}}`, and the plain-text `throttled` some rate-limited
/// answers carry (the same rate limit as the JSON `{"error": "throttled"}`).
fn decode_error(body: &[u8]) -> Option<DecodedErrorBody> {
    if let Some(text) = throttled_text(body) {
        return Some(DecodedErrorBody {
            code: Some(text.to_ascii_lowercase()),
            message: Some(text.to_string()),
            ..DecodedErrorBody::default()
        });
    }
    let error: types::Error = serde_json::from_slice(body).ok()?;
    let details = match error.details {
        Some(serde_json::Value::Null) | None => Vec::new(),
        Some(serde_json::Value::String(text)) => vec![text],
        Some(other) => vec![other.to_string()],
    };
    if error.error.is_some() || error.error_description.is_some() {
        return Some(DecodedErrorBody {
            code: error.error,
            message: error.error_description,
            details,
            request_id: None,
        });
    }
    let status = error.response?;
    Some(DecodedErrorBody {
        code: status.status,
        message: status.message,
        details,
        request_id: None,
    })
}

/// The body when it is the bare word `throttled` (any case, blanks around it).
fn throttled_text(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body).ok()?.trim();
    text.eq_ignore_ascii_case("throttled").then_some(text)
}

crate::bearer_token_client!("Cloud66");

impl Client {
    /// A client for `https://app.cloud66.com/api/3` with this access token.
    ///
    /// ```no_run
    /// let client = kaas::cloud66::Client::new("token")?;
    /// # Ok::<(), kaas::Error>(())
    /// ```
    pub fn new(token: impl Into<String>) -> Result<Self> {
        Self::builder().token(token).build()
    }

    /// A builder for other settings (base URL, timeouts, retries, waits).
    ///
    /// ```no_run
    /// let client = kaas::cloud66::Client::builder().token("token").page_concurrency(2).build()?;
    /// # Ok::<(), kaas::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder<Self> {
        ClientBuilder::default()
    }

    /// Every cluster the token can see: the [`stream`](builder::ListClusters::stream) of
    /// [`list_clusters`](Client::list_clusters).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::cloud66::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let clusters: Vec<_> = client.clusters().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn clusters(&self) -> BoxStream<'static, Result<types::Cluster>> {
        self.list_clusters().stream()
    }

    /// Polls a stack action (as the client's [`crate::WaitPolicy`] says, or the call's own
    /// `.deadline(..)` / `.policy(..)`: by default from 5 s, growing to 30 s; Cloud66's own
    /// clients poll every 10-15 s) until `finished_at` is set, and returns it; fails with
    /// [`Error::WaitFailed`](crate::Error::WaitFailed) carrying the server's message when `finished_success` is false.
    /// Accepts the document's shape too (`status`). A failed or timed-out wait keeps the last
    /// `types::StackAction` read ([`Error::last_reading`](crate::Error::last_reading)).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::cloud66::Client) -> kaas::Result<()> {
    /// let action = client
    ///     .wait_until_action_finished("5999b763474b0eafa5fafb64bff0ba80", 789)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_until_action_finished(
        &self,
        stack_id: &str,
        action_id: i64,
    ) -> Wait<'_, types::StackAction> {
        let stack_id = stack_id.to_string();
        Wait::new(self.inner.wait_policy().clone(), move |policy| {
            Box::pin(async move {
                let what = format!("action {action_id} of stack {stack_id}");
                wait::until(&what, &policy, || async {
                    let action = self
                        .get_stack_action()
                        .stack_id(stack_id.as_str())
                        .id(action_id)
                        .send()
                        .await?
                        .response;
                    Ok(judge_action(action))
                })
                .await
            })
        })
    }
}

impl builder::ListClusters<'_> {
    /// Every cluster over all pages of this request, asked by `page` (the walk's own); once
    /// the first page is full at the `per_page` it states and tells how many pages there are,
    /// the others are fetched concurrently and still come out in order, each once.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::cloud66::Client) -> kaas::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let clusters: Vec<_> = client.list_clusters().stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> BoxStream<'static, Result<types::Cluster>> {
        let request = self.into_owned();
        let walk = PageWalk::for_client(DEFAULT_PER_PAGE, &request.client().inner);
        paginate::all_items(
            walk,
            |cluster| Some(&cluster.uid),
            move |query| {
                let request = request.clone().page(u64::from(query.number));
                async move { Ok(cluster_page(request.send().await?)) }
            },
        )
    }
}

/// Reads a cluster list into the walk's terms: the server picks the page size and says it,
/// with the count and the pages.
fn cluster_page(list: types::ClusterList) -> Page<types::Cluster> {
    let said = list.pagination.unwrap_or_default();
    let number = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok());
    let mut page = Page::new(list.response);
    if let Some(total) = said.count.and_then(|n| u64::try_from(n).ok()) {
        page = page.total(total);
    }
    if let Some(size) = number(said.per_page) {
        page = page.page_size(size);
    }
    if let Some(pages) = number(said.pages) {
        page = page.last_page(pages);
    }
    if let Some(next) = number(said.next) {
        page = page.next_page(next);
    }
    page
}

/// Finished when `finished_at` is set; its outcome is `finished_success`. Without those
/// (the document's shape), `status` says it: `failed`/`error` fail, anything else is pending.
fn judge_action(action: types::StackAction) -> Progress<types::StackAction> {
    if action
        .finished_at
        .as_deref()
        .is_some_and(|at| !at.is_empty())
    {
        return match action.finished_success {
            Some(false) => Progress::Failed {
                state: "failed".into(),
                message: action.finished_message.clone(),
                reading: Some(action),
            },
            _ => Progress::Done(action),
        };
    }
    let state = action.status.clone().unwrap_or_else(|| "running".into());
    match state.as_str() {
        "failed" | "error" => Progress::Failed {
            state,
            message: action.finished_message.clone(),
            reading: Some(action),
        },
        _ => Progress::Pending {
            state,
            reading: Some(action),
        },
    }
}
