//! How the stand-ins answer, whatever the provider: answers that change from one read to the
//! next, lists in two pages, and resources made as their create request asks.

use std::sync::{Arc, Mutex};

use httpmock::{HttpMockRequest, HttpMockResponse};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Reads, json_answer, json_body};

/// What a stand-in computes its answer with.
pub type Responder = Box<dyn Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static>;

/// What a create request asked for, kept for the reads that follow it.
pub type Kept<I> = Arc<Mutex<Option<I>>>;

/// Answers each request with `answer(n)`, `n` counting the requests from 0: a resource that
/// is pending for a few reads, then ready. Returns the responder and its reads.
pub fn by_read<T: Serialize>(
    answer: impl Fn(usize) -> T + Send + Sync + 'static,
) -> (Responder, Reads) {
    let reads = Reads::default();
    let counter = reads.clone();
    let responder = move |_: &HttpMockRequest| json_answer(200, &answer(counter.next()));
    (Box::new(responder), reads)
}

/// Answers a list in two pages: `first` (which points at `cursor`), then `second` for the
/// request that carries `cursor=<cursor>`. Returns the responder and the pages it served.
pub fn two_pages<T: Serialize + Send + Sync + 'static>(
    first: T,
    second: T,
    cursor: &'static str,
) -> (Responder, Reads) {
    let pages = Reads::default();
    let counter = pages.clone();
    let responder = move |request: &HttpMockRequest| {
        counter.next();
        let asks_second = request
            .query_params()
            .iter()
            .any(|(name, value)| name == "cursor" && value == cursor);
        json_answer(200, if asks_second { &second } else { &first })
    };
    (Box::new(responder), pages)
}

/// Answers a create request with `status` and what `make` builds from its body, which it keeps
/// in `kept` for the reads that follow; a body that is not an `I` is refused.
pub fn creates<I, A>(
    status: u16,
    kept: &Kept<I>,
    make: impl Fn(&I) -> A + Send + Sync + 'static,
) -> Responder
where
    I: DeserializeOwned + Send + 'static,
    A: Serialize,
{
    let kept = Arc::clone(kept);
    Box::new(move |request: &HttpMockRequest| {
        let input: I = match json_body(request) {
            Ok(input) => input,
            Err(refusal) => return refusal,
        };
        let answer = make(&input);
        *kept.lock().expect("not poisoned") = Some(input);
        json_answer(status, &answer)
    })
}

/// What the create request kept in `kept` asked for.
pub fn asked<I: Clone>(kept: &Kept<I>) -> I {
    kept.lock()
        .expect("not poisoned")
        .clone()
        .expect("the stand-in is read after the create request")
}
