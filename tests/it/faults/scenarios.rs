//! The scenarios of the fault table, as data: what the server does, and what a read and a
//! create of each provider must come back with.
//!
//! Policy used everywhere unless a scenario says otherwise: `RetryPolicy::default()` (4
//! attempts, full-jitter backoff capped at 500 ms, 1 s, 2 s for the three retries, 30 s at most
//! for one wait, 120 s in all) on a paused clock. Reads are retried on transport errors and on
//! 429/502/503/504; creates are sent exactly once.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kaas::RetryPolicy;
use serde_json::json;

use super::providers::{CLUSTER_NAME, ClientSettings, Kind, Provider, set};
use super::server::{Answer, Reply};

/// Room for the scheduler on a paused clock (where a call without waits takes no time at all).
const SLACK: Duration = Duration::from_millis(100);
/// The most the first retry of the default policy waits.
const ONE_BACKOFF: Duration = Duration::from_millis(500);
/// The most the three retries of the default policy wait in all (500 ms + 1 s + 2 s).
const THREE_BACKOFFS: Duration = Duration::from_millis(3500);
/// The per-attempt timeout of the real-clock scenarios.
const SHORT_TIMEOUT: Duration = Duration::from_millis(300);
/// Attempts of a read in the real-clock scenarios.
const REAL_CLOCK_ATTEMPTS: usize = 2;
/// The body of the "200 MB" scenario.
const HUGE_BODY: u64 = 200_000_000;
/// The default cap of a success body (32 MiB).
const DEFAULT_BODY_CAP: u64 = 32 * 1024 * 1024;
/// What may be written before a client that stops at the cap closes the connection: the cap
/// plus the kernel's socket buffers on loopback (tcp_rmem/tcp_wmem can reach 32 MB + 4 MB).
const MAX_BYTES_PAST_CAP: u64 = DEFAULT_BODY_CAP + 48 * 1024 * 1024;

/// 2^63 and 2^64-1, as text.
const TWO_POW_63: &str = "9223372036854775808";
const U64_MAX: &str = "18446744073709551615";

/// How a cell's client keeps time.
#[derive(Clone, Copy, Debug)]
pub enum Clock {
    /// Paused tokio clock, `RetryPolicy::default()`, no network timers.
    Paused,
    /// Real clock, a 300 ms timeout and two quick attempts: for the timeout scenarios, where a
    /// paused clock cannot be used with real sockets.
    Real,
}

impl Clock {
    pub fn settings(self) -> ClientSettings {
        match self {
            Clock::Paused => ClientSettings {
                timeout: None,
                retry: RetryPolicy::default(),
                max_response_bytes: None,
            },
            Clock::Real => ClientSettings {
                timeout: Some(SHORT_TIMEOUT),
                retry: RetryPolicy::default()
                    .with_max_attempts(REAL_CLOCK_ATTEMPTS as u32)
                    .with_initial_backoff(Duration::from_millis(10)),
                max_response_bytes: None,
            },
        }
    }
}

/// What one cell sees, to build its script and its expectation.
pub struct Ctx {
    pub provider: Provider,
    pub kind: Kind,
    /// A listener that must never be reached (the target of redirects).
    pub decoy_port: u16,
}

impl Ctx {
    fn success(&self) -> Reply {
        self.provider.success(self.kind)
    }

    fn path(&self) -> String {
        self.provider.request(self.kind).1
    }

    /// `read` for a read, `create` for a create.
    fn pick(&self, read: Expect, create: Expect) -> Expect {
        match self.kind {
            Kind::Read => read,
            Kind::Create => create,
        }
    }
}

/// The outcome a cell must have.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Success, with the cluster name of the body decoded.
    Success,
    /// Success, the unknown enum value kept in its `Unknown` variant, extra fields ignored.
    UnknownKept,
    /// `Error::Api` with this status and, when given, this decoded message.
    Api {
        status: u16,
        message: Option<&'static str>,
    },
    /// `Error::RateLimited` with status 429 (or Cloud66's 503 `throttled`).
    RateLimited {
        status: u16,
    },
    Transport,
    /// `Error::Transport` whose `Display` says this (and names a cause after it).
    TransportSaying(&'static str),
    Timeout,
    Decode,
    /// `Error::BodyTooLarge` with this cap.
    BodyTooLarge {
        limit: u64,
    },
}

/// What a cell must show: outcome, requests sent, time taken (on the cell's clock).
#[derive(Clone, Debug)]
pub struct Expect {
    pub outcome: Outcome,
    pub attempts: usize,
    pub min_elapsed: Duration,
    pub max_elapsed: Duration,
    /// The most body bytes the server may have written (a client must stop reading early).
    pub max_body_bytes_sent: Option<u64>,
}

impl Expect {
    /// This outcome after one request, at once.
    pub fn new(outcome: Outcome) -> Self {
        Expect {
            outcome,
            attempts: 1,
            min_elapsed: Duration::ZERO,
            max_elapsed: SLACK,
            max_body_bytes_sent: None,
        }
    }

    fn attempts(mut self, attempts: usize) -> Self {
        self.attempts = attempts;
        self
    }

    /// Took between `min` and `max` (plus [`SLACK`]).
    fn within(mut self, min: Duration, max: Duration) -> Self {
        self.min_elapsed = min;
        self.max_elapsed = max + SLACK;
        self
    }

    fn max_body_bytes_sent(mut self, bytes: u64) -> Self {
        self.max_body_bytes_sent = Some(bytes);
        self
    }
}

type Script = Box<dyn Fn(&Ctx) -> Vec<Answer> + Send + Sync>;
type Expectation = Box<dyn Fn(&Ctx) -> Expect + Send + Sync>;

/// A first call the cell makes on its client before the call it checks, to leave a
/// connection kept alive in the client's pool; the server then closes it
/// ([`Answer::KeepAlive`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarmUp {
    /// The client has time to see the connection close while it is idle in the pool.
    NoticedWhileIdle,
    /// The client has not seen the close yet when the checked call starts on the connection.
    AsTheRequestStarts,
}

/// One row of the table.
pub struct Scenario {
    pub name: String,
    pub clock: Clock,
    /// `Some`: the scenario only applies to these providers.
    pub only: Option<Vec<Provider>>,
    pub script: Script,
    pub expect: Expectation,
    /// `Some`: the client is built with `.max_response_bytes(..)`.
    pub max_response_bytes: Option<u64>,
    /// `Some`: the cell first reads on the same client (the script's first answer), and that
    /// request is not counted.
    pub warm_up: Option<WarmUp>,
}

impl Scenario {
    /// The settings of a cell's client.
    pub fn settings(&self) -> ClientSettings {
        ClientSettings {
            max_response_bytes: self.max_response_bytes,
            ..self.clock.settings()
        }
    }
}

fn scenario(
    name: impl Into<String>,
    script: impl Fn(&Ctx) -> Vec<Answer> + Send + Sync + 'static,
    expect: impl Fn(&Ctx) -> Expect + Send + Sync + 'static,
) -> Scenario {
    Scenario {
        name: name.into(),
        clock: Clock::Paused,
        only: None,
        script: Box::new(script),
        expect: Box::new(expect),
        max_response_bytes: None,
        warm_up: None,
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

fn rate_limited(ctx: &Ctx) -> Reply {
    ctx.provider
        .error_reply(429, "too_many_requests", "API rate limit exceeded.")
}

/// A 429 with `ratelimit-remaining: 0` and this `ratelimit-reset`.
fn window_exhausted(ctx: &Ctx, reset: &str) -> Reply {
    rate_limited(ctx)
        .header("ratelimit-limit", "5000")
        .header("ratelimit-remaining", "0")
        .header("ratelimit-reset", reset)
}

fn proxy_page(status: u16) -> Reply {
    let title = format!(
        "{status} {}",
        http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or_default()
    );
    Reply::new(
        status,
        "text/html",
        format!(
            "<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center><hr><center>nginx</center></body></html>"
        ),
    )
}

fn unavailable(ctx: &Ctx) -> Reply {
    ctx.provider.error_reply(
        503,
        "service_unavailable",
        "The service is temporarily unavailable.",
    )
}

/// The success body's JSON text.
fn success_text(ctx: &Ctx) -> String {
    String::from_utf8(ctx.success().body).expect("the success body is UTF-8")
}

/// A read retried once to success after at most one backoff; a create's one error.
fn retried_once(ctx: &Ctx, create: Outcome) -> Expect {
    ctx.pick(
        Expect::new(Outcome::Success)
            .attempts(2)
            .within(Duration::ZERO, ONE_BACKOFF),
        Expect::new(create),
    )
}

/// A read retried to the attempt limit, then `outcome`; a create sent once with `outcome`.
fn retried_to_the_limit(ctx: &Ctx, outcome: Outcome) -> Expect {
    ctx.pick(
        Expect::new(outcome.clone())
            .attempts(4)
            .within(Duration::ZERO, THREE_BACKOFFS),
        Expect::new(outcome),
    )
}

const RATE_LIMITED: Outcome = Outcome::RateLimited { status: 429 };

/// Every scenario of the table.
pub fn scenarios() -> Vec<Scenario> {
    let mut all = Vec::new();
    all.extend(rate_limit_scenarios());
    all.extend(server_error_scenarios());
    all.extend(transport_scenarios());
    all.extend(idle_close_scenarios());
    all.extend(body_scenarios());
    all.extend(redirect_scenarios());
    all.extend(error_shape_scenarios());
    all
}

fn rate_limit_scenarios() -> Vec<Scenario> {
    let mut all = vec![
        scenario(
            "429 Retry-After 3 (seconds), then 200",
            |ctx| {
                vec![
                    Answer::Reply(rate_limited(ctx).header("retry-after", "3")),
                    Answer::Reply(ctx.success()),
                ]
            },
            |ctx| {
                ctx.pick(
                    Expect::new(Outcome::Success)
                        .attempts(2)
                        .within(Duration::from_secs(3), Duration::from_secs(3)),
                    Expect::new(RATE_LIMITED),
                )
            },
        ),
        scenario(
            "429 Retry-After an HTTP date 5 s ahead, then 200",
            |ctx| {
                let at = SystemTime::now() + Duration::from_secs(5);
                vec![
                    Answer::Reply(
                        rate_limited(ctx).header("retry-after", httpdate::fmt_http_date(at)),
                    ),
                    Answer::Reply(ctx.success()),
                ]
            },
            // The date has a one-second resolution: the wait is between 4 and 5 s.
            |ctx| {
                ctx.pick(
                    Expect::new(Outcome::Success)
                        .attempts(2)
                        .within(Duration::from_secs(3), Duration::from_secs(5)),
                    Expect::new(RATE_LIMITED),
                )
            },
        ),
        scenario(
            "429 Retry-After garbage, then 200",
            |ctx| {
                vec![
                    Answer::Reply(rate_limited(ctx).header("retry-after", "soon, maybe")),
                    Answer::Reply(ctx.success()),
                ]
            },
            |ctx| retried_once(ctx, RATE_LIMITED),
        ),
    ];
    for huge in ["99999999999999999999", TWO_POW_63, U64_MAX] {
        all.push(scenario(
            format!("429 Retry-After {huge} (huge), forever"),
            move |ctx| vec![Answer::Reply(rate_limited(ctx).header("retry-after", huge))],
            // Longer than the policy's longest wait: not retried, the caller decides.
            |_| Expect::new(RATE_LIMITED),
        ));
    }
    all.push(scenario(
        "429 bare, then 200",
        |ctx| {
            vec![
                Answer::Reply(rate_limited(ctx)),
                Answer::Reply(ctx.success()),
            ]
        },
        |ctx| retried_once(ctx, RATE_LIMITED),
    ));
    all.push(scenario(
        "429 bare, forever",
        |ctx| vec![Answer::Reply(rate_limited(ctx))],
        |ctx| retried_to_the_limit(ctx, RATE_LIMITED),
    ));
    all.push(scenario(
        "429 ratelimit-reset in the past, forever",
        |ctx| {
            let past = (unix_now() - 60).to_string();
            vec![Answer::Reply(window_exhausted(ctx, &past))]
        },
        // A reset already past asks for no wait: each retry still waits its backoff, so the
        // three retries do not all go out at once.
        |ctx| {
            let mut expect = retried_to_the_limit(ctx, RATE_LIMITED);
            if ctx.kind == Kind::Read {
                expect.min_elapsed = Duration::from_millis(1);
            }
            expect
        },
    ));
    all.push(scenario(
        "429 ratelimit-reset 4 s ahead, then 200",
        |ctx| {
            let soon = (unix_now() + 4).to_string();
            vec![
                Answer::Reply(window_exhausted(ctx, &soon)),
                Answer::Reply(ctx.success()),
            ]
        },
        // Epoch seconds: the wait is between 3 and 4 s.
        |ctx| {
            ctx.pick(
                Expect::new(Outcome::Success)
                    .attempts(2)
                    .within(Duration::from_secs(2), Duration::from_secs(4)),
                Expect::new(RATE_LIMITED),
            )
        },
    ));
    for huge in [TWO_POW_63, U64_MAX, "1000000000000000000000000000000"] {
        all.push(scenario(
            format!("429 ratelimit-reset {huge} (huge), forever"),
            move |ctx| vec![Answer::Reply(window_exhausted(ctx, huge))],
            |_| Expect::new(RATE_LIMITED),
        ));
    }
    for huge in [TWO_POW_63, U64_MAX] {
        all.push(scenario(
            format!("200 with ratelimit-remaining 0 and ratelimit-reset {huge}"),
            move |ctx| {
                vec![Answer::Reply(
                    ctx.success()
                        .header("ratelimit-limit", "5000")
                        .header("ratelimit-remaining", "0")
                        .header("ratelimit-reset", huge),
                )]
            },
            |_| Expect::new(Outcome::Success),
        ));
    }
    all
}

/// Cloud66's rate limit: a 503 whose body says `throttled`, as JSON or as plain text. With no
/// word on when the window ends, it is not retried.
fn cloud66_throttled(name: &str, reply: Reply) -> Scenario {
    let mut throttled = scenario(
        name,
        move |_| vec![Answer::Reply(reply.clone())],
        |_| Expect::new(Outcome::RateLimited { status: 503 }),
    );
    #[cfg(feature = "cloud66")]
    {
        throttled.only = Some(vec![Provider::Cloud66]);
    }
    #[cfg(not(feature = "cloud66"))]
    {
        throttled.only = Some(Vec::new());
    }
    throttled
}

fn server_error_scenarios() -> Vec<Scenario> {
    let throttled = cloud66_throttled(
        "503 throttled (Cloud66's rate limit), forever",
        Reply::json(
            503,
            &json!({"error": "throttled", "error_description": "Rate limit exceeded: 3000 requests per hour", "details": {"retry_in": 120}}),
        ),
    );
    let throttled_text = cloud66_throttled(
        "503 plain text throttled (Cloud66's rate limit), forever",
        Reply::new(503, "text/plain", "throttled\n"),
    );
    vec![
        scenario(
            "503 forever",
            |ctx| vec![Answer::Reply(unavailable(ctx))],
            |ctx| {
                retried_to_the_limit(
                    ctx,
                    Outcome::Api {
                        status: 503,
                        message: None,
                    },
                )
            },
        ),
        scenario(
            "502 (proxy page), then 200",
            |ctx| vec![Answer::Reply(proxy_page(502)), Answer::Reply(ctx.success())],
            |ctx| {
                retried_once(
                    ctx,
                    Outcome::Api {
                        status: 502,
                        message: None,
                    },
                )
            },
        ),
        scenario(
            "504 (proxy page), then 200",
            |ctx| vec![Answer::Reply(proxy_page(504)), Answer::Reply(ctx.success())],
            |ctx| {
                retried_once(
                    ctx,
                    Outcome::Api {
                        status: 504,
                        message: None,
                    },
                )
            },
        ),
        throttled,
        throttled_text,
    ]
}

/// The server closes an idle keep-alive connection the client keeps in its pool.
fn idle_close_scenarios() -> Vec<Scenario> {
    let keep_alive = |ctx: &Ctx| {
        vec![
            Answer::KeepAlive(ctx.provider.success(Kind::Read)),
            Answer::Reply(ctx.success()),
        ]
    };
    let mut noticed = scenario(
        "server closes an idle keep-alive connection",
        keep_alive,
        // The pool drops the closed connection: one request on a new one.
        |_| Expect::new(Outcome::Success),
    );
    noticed.warm_up = Some(WarmUp::NoticedWhileIdle);
    let mut racing = scenario(
        "server closes an idle keep-alive connection as a request starts on it",
        keep_alive,
        // The request was written to the closed connection: the server never read it, but the
        // client cannot know. A read is sent again; a create is not, and its error says so,
        // with the cause.
        |ctx| {
            ctx.pick(
                Expect::new(Outcome::Success).within(Duration::ZERO, ONE_BACKOFF),
                Expect::new(Outcome::TransportSaying(
                    "the request failed, and whether the server received it cannot be known (",
                ))
                .attempts(0),
            )
        },
    );
    racing.warm_up = Some(WarmUp::AsTheRequestStarts);
    vec![noticed, racing]
}

fn transport_scenarios() -> Vec<Scenario> {
    let mut all = vec![
        scenario(
            "reset before headers, then 200",
            |ctx| vec![Answer::ResetBeforeHeaders, Answer::Reply(ctx.success())],
            |ctx| retried_once(ctx, Outcome::Transport),
        ),
        scenario(
            "reset before headers, forever",
            |_| vec![Answer::ResetBeforeHeaders],
            |ctx| retried_to_the_limit(ctx, Outcome::Transport),
        ),
        scenario(
            "reset mid-body, then 200",
            |ctx| {
                vec![
                    Answer::ResetMidBody(ctx.success()),
                    Answer::Reply(ctx.success()),
                ]
            },
            |ctx| retried_once(ctx, Outcome::Transport),
        ),
        scenario(
            "reset mid-body, forever",
            |ctx| vec![Answer::ResetMidBody(ctx.success())],
            |ctx| retried_to_the_limit(ctx, Outcome::Transport),
        ),
        scenario(
            "body shorter than its Content-Length, then 200",
            |ctx| {
                vec![
                    Answer::Truncated(ctx.success()),
                    Answer::Reply(ctx.success()),
                ]
            },
            |ctx| retried_once(ctx, Outcome::Transport),
        ),
        scenario(
            "body shorter than its Content-Length, forever",
            |ctx| vec![Answer::Truncated(ctx.success())],
            |ctx| retried_to_the_limit(ctx, Outcome::Transport),
        ),
    ];
    // Real clock: each attempt times out after 300 ms; a read makes two attempts 10 ms apart.
    let timed_out = |ctx: &Ctx| {
        let attempts = match ctx.kind {
            Kind::Read => REAL_CLOCK_ATTEMPTS,
            Kind::Create => 1,
        };
        let min = SHORT_TIMEOUT.mul_f64(0.9) * attempts as u32;
        let max = SHORT_TIMEOUT * attempts as u32 + Duration::from_millis(900);
        Expect::new(Outcome::Timeout)
            .attempts(attempts)
            .within(min, max)
    };
    let mut slow = scenario(
        "slow body past the timeout",
        |ctx| vec![Answer::StallMidBody(ctx.success())],
        timed_out,
    );
    slow.clock = Clock::Real;
    let mut silent = scenario("never answering", |_| vec![Answer::Silent], timed_out);
    silent.clock = Clock::Real;
    all.push(slow);
    all.push(silent);
    all
}

/// A valid success answer padded to 200 MB by a leading extra field: not retried (it would be as
/// large again), and not read much past the cap.
fn huge_body(name: &str, chunked: bool) -> Scenario {
    scenario(
        name,
        move |ctx| {
            let success = ctx.success();
            let mut suffix = b"\",".to_vec();
            suffix.extend_from_slice(&success.body[1..]);
            vec![Answer::Huge {
                reply: Reply {
                    body: Vec::new(),
                    ..success
                },
                prefix: br#"{"padding":""#.to_vec(),
                fill: b'a',
                suffix,
                total: HUGE_BODY,
                chunked,
            }]
        },
        |_| {
            Expect::new(Outcome::BodyTooLarge {
                limit: DEFAULT_BODY_CAP,
            })
            .max_body_bytes_sent(MAX_BYTES_PAST_CAP)
        },
    )
}

/// An ordinary success answer against a client whose cap is smaller than it.
fn over_a_custom_cap() -> Scenario {
    const CAP: u64 = 64;
    let mut over = scenario(
        format!("success body over a {CAP}-byte max_response_bytes"),
        |ctx| vec![Answer::Reply(ctx.success())],
        |_| Expect::new(Outcome::BodyTooLarge { limit: CAP }),
    );
    over.max_response_bytes = Some(CAP);
    over
}

/// A 500 whose HTML page is 200 MB (chunked): an error body is read only as far as its own
/// bound, and the status is what the caller gets.
fn huge_error_page() -> Scenario {
    scenario(
        "500 with a 200 MB chunked HTML page",
        |_| {
            vec![Answer::Huge {
                reply: Reply::new(500, "text/html", ""),
                prefix: b"<html><body><h1>Internal Server Error</h1><pre>".to_vec(),
                fill: b'a',
                suffix: b"</pre></body></html>".to_vec(),
                total: HUGE_BODY,
                chunked: true,
            }]
        },
        |_| {
            Expect::new(Outcome::Api {
                status: 500,
                message: None,
            })
            .max_body_bytes_sent(MAX_BYTES_PAST_CAP)
        },
    )
}

fn body_scenarios() -> Vec<Scenario> {
    vec![
        huge_body("200 MB body with its Content-Length", false),
        huge_body("200 MB chunked body (no Content-Length)", true),
        over_a_custom_cap(),
        huge_error_page(),
        scenario(
            "invalid JSON (cut in half)",
            |ctx| {
                let text = success_text(ctx);
                let half = text[..text.len() / 2].to_string();
                vec![Answer::Reply(Reply::new(
                    ctx.provider.success_status(ctx.kind),
                    "application/json",
                    half,
                ))]
            },
            |_| Expect::new(Outcome::Decode),
        ),
        // An unknown field is skipped without recursion (serde_json ignores values with a loop),
        // so a deep one costs time linear in its size, bounded by the body cap: the answer is
        // accepted, as any unknown field is.
        scenario(
            "10,000-deep JSON (a valid answer plus one deep extra field)",
            |ctx| {
                let depth = 10_000;
                let success = success_text(ctx);
                let body = format!(
                    r#"{{"deep":{}{},{}"#,
                    "[".repeat(depth),
                    "]".repeat(depth),
                    &success[1..]
                );
                vec![Answer::Reply(Reply::new(
                    ctx.provider.success_status(ctx.kind),
                    "application/json",
                    body,
                ))]
            },
            |_| Expect::new(Outcome::Success),
        ),
        // Where the types must descend into it, the parser's depth limit (128) refuses it.
        scenario(
            "10,000-deep JSON (the whole answer)",
            |ctx| {
                let depth = 10_000;
                let body = format!(r#"{}{}"#, "[".repeat(depth), "]".repeat(depth));
                vec![Answer::Reply(Reply::new(
                    ctx.provider.success_status(ctx.kind),
                    "application/json",
                    body,
                ))]
            },
            |_| Expect::new(Outcome::Decode),
        ),
        scenario(
            "invalid UTF-8 in the cluster's name",
            |ctx| {
                let text = success_text(ctx);
                let mut body = Vec::new();
                let (before, after) = text
                    .split_once(CLUSTER_NAME)
                    .expect("the success body names the cluster");
                body.extend_from_slice(before.as_bytes());
                body.extend_from_slice(b"fault-\xff\xfe-cluster");
                body.extend_from_slice(after.as_bytes());
                vec![Answer::Reply(Reply::new(
                    ctx.provider.success_status(ctx.kind),
                    "application/json",
                    body,
                ))]
            },
            |_| Expect::new(Outcome::Decode),
        ),
        scenario(
            "HTML page with a success status",
            |ctx| {
                vec![Answer::Reply(Reply::new(
                    ctx.provider.success_status(ctx.kind),
                    "text/html",
                    "<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>",
                ))]
            },
            |_| Expect::new(Outcome::Decode),
        ),
        scenario(
            "empty body with a success status",
            |ctx| {
                vec![Answer::Reply(Reply::new(
                    ctx.provider.success_status(ctx.kind),
                    "application/json",
                    "",
                ))]
            },
            |_| Expect::new(Outcome::Decode),
        ),
        scenario(
            "JSON labelled text/plain",
            |ctx| {
                let success = ctx.success();
                vec![Answer::Reply(Reply::new(
                    success.status,
                    "text/plain; charset=utf-8",
                    success.body,
                ))]
            },
            |_| Expect::new(Outcome::Success),
        ),
        scenario(
            "unknown enum value and extra fields",
            |ctx| {
                let mut body = ctx.provider.success_body(ctx.kind);
                let (pointer, unknown, _) = ctx.provider.unknown_enum();
                set(&mut body, pointer, unknown);
                set(
                    &mut body,
                    "/x_added_next_year",
                    json!({"nested": [1, {"deep": true}], "text": "more"}),
                );
                set(
                    &mut body,
                    &format!("{}/isolated_workers", ctx.provider.cluster_pointer()),
                    json!(true),
                );
                vec![Answer::Reply(Reply::json(
                    ctx.provider.success_status(ctx.kind),
                    &body,
                ))]
            },
            |_| Expect::new(Outcome::UnknownKept),
        ),
        scenario(
            "400 with a 10,000-deep JSON body",
            |_| {
                let depth = 10_000;
                let body = format!(r#"{{"errors":{}{}}}"#, "[".repeat(depth), "]".repeat(depth));
                vec![Answer::Reply(Reply::new(400, "application/json", body))]
            },
            |_| {
                Expect::new(Outcome::Api {
                    status: 400,
                    message: None,
                })
            },
        ),
        scenario(
            "400 with invalid UTF-8 in its body",
            |_| {
                vec![Answer::Reply(Reply::new(
                    400,
                    "application/json",
                    b"{\"id\": \"bad_request\", \"message\": \"caf\xe9 \xff\"}".to_vec(),
                ))]
            },
            |_| {
                Expect::new(Outcome::Api {
                    status: 400,
                    message: None,
                })
            },
        ),
    ]
}

fn redirect_scenarios() -> Vec<Scenario> {
    let mut all = Vec::new();
    for status in [301u16, 302, 307] {
        all.push(scenario(
            format!("{status} to another host"),
            move |ctx| {
                let location = format!("https://localhost:{}{}", ctx.decoy_port, ctx.path());
                vec![Answer::Reply(
                    Reply::empty(status).header("location", location),
                )]
            },
            move |_| {
                Expect::new(Outcome::Api {
                    status,
                    message: None,
                })
            },
        ));
        all.push(scenario(
            format!("{status} to plain http"),
            move |ctx| {
                let location = format!("http://127.0.0.1:{}{}", ctx.decoy_port, ctx.path());
                vec![Answer::Reply(
                    Reply::empty(status).header("location", location),
                )]
            },
            move |_| {
                Expect::new(Outcome::Api {
                    status,
                    message: None,
                })
            },
        ));
    }
    all
}

fn error_shape_scenarios() -> Vec<Scenario> {
    [401u16, 403, 404]
        .into_iter()
        .map(|status| {
            scenario(
                format!("{status} in the provider's documented shape"),
                move |ctx| vec![Answer::Reply(ctx.provider.documented_error(status).0)],
                move |ctx| {
                    Expect::new(Outcome::Api {
                        status,
                        message: Some(ctx.provider.documented_error(status).1),
                    })
                },
            )
        })
        .collect()
}
