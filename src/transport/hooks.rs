//! The `ClientHooks` of every generated client: the one place progenitor's generated code
//! hands a request to kaas (`pre`: the path check; `exec`: the attempt loop; `post`: the
//! refusal carried back, see [`super::refusal`]).

/// Implements progenitor's `ClientHooks` for a generated client so that every request goes
/// through [`exec_hook`](super::refusal::exec_hook) (the attempt loop) and every error it
/// ends with through [`error_hook`](super::refusal::error_hook).
macro_rules! transport_hooks {
    ($client:ty) => {
        impl progenitor_client::ClientHooks<$crate::transport::Transport> for $client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> std::result::Result<(), progenitor_client::Error<E>> {
                $crate::transport::check_path(request.url(), info.operation_id)
                    .map_err(progenitor_client::Error::InvalidRequest)
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                use progenitor_client::ClientInfo as _;
                $crate::transport::exec_hook(
                    self.inner(),
                    self.client(),
                    request,
                    info.operation_id,
                )
                .await
            }

            async fn post<E>(
                &self,
                result: &reqwest::Result<reqwest::Response>,
                _info: &progenitor_client::OperationInfo,
            ) -> std::result::Result<(), progenitor_client::Error<E>> {
                $crate::transport::error_hook(result)
            }
        }
    };
}
pub(crate) use transport_hooks;
