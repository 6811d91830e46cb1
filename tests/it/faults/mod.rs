//! The fault table: every scenario of `scenarios.rs` × every provider × (a read, a create),
//! against an in-process loopback server that misbehaves on purpose (`server.rs`).
//!
//! Each cell runs its call in a tokio task (so a panic is caught and counted, never fatal),
//! on its own runtime: a paused clock for everything that waits (retries, `Retry-After`,
//! rate-limit windows), a real clock with a 300 ms timeout for the two timeout scenarios. Each
//! cell asserts its outcome (retried to success, or one typed error), the number of requests
//! the server saw (a create is never sent twice), the time taken against the retry policy,
//! that no redirect was followed, and that a huge body was not read whole.
//!
//! Run: `cargo test --all-features --test it faults::` (add `-- --nocapture` for the summary line).

#![cfg(any(
    feature = "digitalocean",
    feature = "oks",
    feature = "cloud66",
    feature = "commissaire"
))]

mod providers;
mod scenarios;
mod server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use providers::{CLUSTER_NAME, Decoded, Kind, PROVIDERS, Provider};
use scenarios::{Clock, Ctx, Expect, Outcome, Scenario, WarmUp};
use server::{Answer, Decoy, FaultServer, Seen};

/// Cells run at once (each mostly waits on loopback I/O or a paused clock).
const WORKERS: usize = 4;
/// A cell that has not finished after this long (real time) has hung: a failure.
const CELL_DEADLINE: Duration = Duration::from_secs(30);

/// What a cell's call did.
struct Observed {
    /// The call's result, or the panic message if the call panicked.
    result: Result<Result<Decoded, kaas::Error>, String>,
    /// Requests on the call's method and path.
    attempts: usize,
    /// Any other request the server received.
    others: Vec<Seen>,
    /// On the cell's clock (paused or real).
    elapsed: Duration,
    body_bytes_sent: u64,
    decoy_connections: usize,
}

/// One line of the table's report.
struct Report {
    cell: String,
    problems: Vec<String>,
    panicked: bool,
    repeated_create: bool,
    /// Real time the cell took.
    wall: Duration,
}

/// A short description of a result: the variant, the status, the message.
fn describe(result: &Result<Result<Decoded, kaas::Error>, String>) -> String {
    match result {
        Err(panic) => format!("PANIC: {panic}"),
        Ok(Ok(decoded)) => format!("success ({})", shorten(&decoded.json.to_string(), 80)),
        Ok(Err(error)) => {
            let debug = format!("{error:?}");
            let variant = debug
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or_default()
                .to_string();
            match error.status() {
                Some(status) => format!(
                    "Error::{variant} {status}: {}",
                    shorten(&error.to_string(), 160)
                ),
                None => format!("Error::{variant}: {}", shorten(&error.to_string(), 160)),
            }
        }
    }
}

fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_string()
    } else {
        text.chars().take(chars).collect::<String>() + "…"
    }
}

/// Whether the result is the expected outcome; if not, why.
fn outcome_problem(
    expected: &Outcome,
    provider: Provider,
    result: &Result<Decoded, kaas::Error>,
) -> Option<String> {
    let name_of = |decoded: &Decoded| {
        decoded
            .json
            .pointer(provider.name_pointer())
            .and_then(|v| v.as_str())
            .map(String::from)
    };
    let ok = match (expected, result) {
        (Outcome::Success, Ok(decoded)) => name_of(decoded).as_deref() == Some(CLUSTER_NAME),
        (Outcome::UnknownKept, Ok(decoded)) => {
            let (pointer, unknown, debug) = provider.unknown_enum();
            name_of(decoded).as_deref() == Some(CLUSTER_NAME)
                && decoded.json.pointer(pointer) == Some(&unknown)
                && decoded.debug.contains(debug)
        }
        (Outcome::Api { status, message }, Err(kaas::Error::Api(api))) => {
            api.status == *status && message.is_none_or(|m| api.message == m)
        }
        (Outcome::RateLimited { status }, Err(error @ kaas::Error::RateLimited(api))) => {
            api.status == *status && error.status() == Some(*status)
        }
        (Outcome::Transport, Err(kaas::Error::Transport { .. })) => true,
        (Outcome::TransportSaying(says), Err(error @ kaas::Error::Transport { .. })) => {
            let shown = error.to_string();
            shown
                .split_once(says)
                .is_some_and(|(_, cause)| cause.len() > 1)
        }
        (Outcome::Timeout, Err(kaas::Error::Timeout { .. })) => true,
        (Outcome::Decode, Err(kaas::Error::Decode { .. })) => true,
        (Outcome::BodyTooLarge { limit }, Err(kaas::Error::BodyTooLarge { limit: actual, .. })) => {
            actual == limit
        }
        _ => false,
    };
    (!ok).then(|| format!("expected {expected:?}"))
}

fn check(expect: &Expect, observed: &Observed, provider: Provider) -> Vec<String> {
    let mut problems = Vec::new();
    match &observed.result {
        Err(_) => problems.push("panicked".to_string()),
        Ok(result) => problems.extend(outcome_problem(&expect.outcome, provider, result)),
    }
    if observed.attempts != expect.attempts {
        problems.push(format!(
            "{} requests, expected {}",
            observed.attempts, expect.attempts
        ));
    }
    if !observed.others.is_empty() {
        problems.push(format!("unexpected requests {:?}", observed.others));
    }
    if observed.elapsed < expect.min_elapsed || observed.elapsed > expect.max_elapsed {
        problems.push(format!(
            "took {:?}, expected {:?} to {:?}",
            observed.elapsed, expect.min_elapsed, expect.max_elapsed
        ));
    }
    if let Some(max) = expect.max_body_bytes_sent
        && observed.body_bytes_sent > max
    {
        problems.push(format!(
            "read {} body bytes, expected at most {max}",
            observed.body_bytes_sent
        ));
    }
    if observed.decoy_connections > 0 {
        problems.push(format!(
            "followed a redirect ({} connection(s) to its target)",
            observed.decoy_connections
        ));
    }
    problems
}

/// Runs one cell on its own runtime and reports what happened.
fn run_cell(scenario: &Scenario, provider: Provider, kind: Kind) -> (Expect, Observed) {
    let decoy = Decoy::start();
    let ctx = Ctx {
        provider,
        kind,
        decoy_port: decoy.port(),
    };
    let server = FaultServer::start((scenario.script)(&ctx));
    let expect = (scenario.expect)(&ctx);
    let settings = scenario.settings();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(matches!(scenario.clock, Clock::Paused))
        .build()
        .expect("a cell runtime");
    let url = server.url().to_string();
    let warm_up = scenario.warm_up;
    let closer = server.idle_closer();
    // The client is built inside the task too (a panic there counts), but only the call is
    // timed: building a client takes real CPU time that a deadline must not be charged for.
    let task = runtime.spawn(async move {
        let client = match provider.connect(&url, &settings) {
            Ok(client) => client,
            Err(error) => return (Err(error), Duration::ZERO),
        };
        if let Some(warm_up) = warm_up {
            if let Err(error) = client.call(Kind::Read).await {
                return (Err(error), Duration::ZERO);
            }
            // Blocks this runtime's thread until the server has closed the connection.
            closer.close();
            if warm_up == WarmUp::NoticedWhileIdle {
                // Each yield lets the runtime read its sockets: the pool sees the close.
                for _ in 0..16 {
                    tokio::task::yield_now().await;
                }
            }
        }
        let started = tokio::time::Instant::now();
        let result = client.call(kind).await;
        (result, started.elapsed())
    });
    let joined = runtime.block_on(task);
    let (result, elapsed) = match joined {
        Ok((result, elapsed)) => (Ok(result), elapsed),
        Err(error) => (Err(error), Duration::ZERO),
    };
    let result = result.map_err(|error: tokio::task::JoinError| {
        if error.is_panic() {
            let payload = error.into_panic();
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into())
        } else {
            format!("the task was cancelled: {error}")
        }
    });
    let (method, path) = provider.request(kind);
    let warm_ups = usize::from(scenario.warm_up.is_some());
    let (attempts, others): (Vec<Seen>, Vec<Seen>) = server
        .requests()
        .into_iter()
        .skip(warm_ups)
        .partition(|seen| seen.method == method && seen.path == path);
    let observed = Observed {
        result,
        attempts: attempts.len(),
        others,
        elapsed,
        body_bytes_sent: server.body_bytes_sent(),
        decoy_connections: decoy.connections(),
    };
    (expect, observed)
}

/// Runs a cell on its own thread, so a cell that hangs is reported instead of hanging the table.
fn report_cell(
    scenarios: &Arc<Vec<Scenario>>,
    index: usize,
    provider: Provider,
    kind: Kind,
) -> Report {
    let cell = format!(
        "{} × {} × {}",
        scenarios[index].name,
        provider.name(),
        match kind {
            Kind::Read => "read",
            Kind::Create => "create",
        }
    );
    let started = std::time::Instant::now();
    let (sender, receiver) = mpsc::channel();
    let shared = scenarios.clone();
    std::thread::spawn(move || {
        let _ = sender.send(run_cell(&shared[index], provider, kind));
    });
    match receiver.recv_timeout(CELL_DEADLINE) {
        Ok((expect, observed)) => {
            let problems = check(&expect, &observed, provider);
            let mut report = Report {
                cell,
                problems,
                panicked: observed.result.is_err(),
                repeated_create: kind == Kind::Create && observed.attempts > 1,
                wall: started.elapsed(),
            };
            if !report.problems.is_empty() {
                report.problems.insert(
                    0,
                    format!(
                        "got {} after {} request(s) in {:?}",
                        describe(&observed.result),
                        observed.attempts,
                        observed.elapsed
                    ),
                );
            }
            report
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Report {
            cell,
            problems: vec![format!("hung: no outcome after {CELL_DEADLINE:?}")],
            panicked: false,
            repeated_create: false,
            wall: started.elapsed(),
        },
        Err(mpsc::RecvTimeoutError::Disconnected) => Report {
            cell,
            problems: vec!["the cell's own harness panicked (see the output above)".into()],
            panicked: false,
            repeated_create: false,
            wall: started.elapsed(),
        },
    }
}

#[test]
fn fault_table() {
    let scenarios = Arc::new(scenarios::scenarios());
    let mut cells = Vec::new();
    for (index, scenario) in scenarios.iter().enumerate() {
        for &provider in PROVIDERS {
            if scenario
                .only
                .as_ref()
                .is_some_and(|only| !only.contains(&provider))
            {
                continue;
            }
            for kind in [Kind::Read, Kind::Create] {
                cells.push((index, provider, kind));
            }
        }
    }
    // The cells that take real time first, so the quick ones fill in around them.
    cells.sort_by_key(|&(index, _, _)| {
        let slow =
            matches!(scenarios[index].clock, Clock::Real) || scenarios[index].name.contains("MB");
        !slow
    });
    let cells = Arc::new(cells);
    let next = Arc::new(AtomicUsize::new(0));
    let reports = Arc::new(Mutex::new(Vec::new()));
    let started = std::time::Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (scenarios, cells, next, reports) = (
                scenarios.clone(),
                cells.clone(),
                next.clone(),
                reports.clone(),
            );
            std::thread::spawn(move || {
                loop {
                    let at = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&(index, provider, kind)) = cells.get(at) else {
                        break;
                    };
                    let report = report_cell(&scenarios, index, provider, kind);
                    reports.lock().unwrap().push((at, report));
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a worker thread");
    }
    let mut reports = std::mem::take(&mut *reports.lock().unwrap());
    reports.sort_by_key(|(at, _)| *at);
    let reports: Vec<Report> = reports.into_iter().map(|(_, report)| report).collect();

    let failed: Vec<&Report> = reports.iter().filter(|r| !r.problems.is_empty()).collect();
    let summary = format!(
        "fault table: {} cells, {} passed, {} failed, {} panics, {} repeated creates ({:.1} s)",
        reports.len(),
        reports.len() - failed.len(),
        failed.len(),
        reports.iter().filter(|r| r.panicked).count(),
        reports.iter().filter(|r| r.repeated_create).count(),
        started.elapsed().as_secs_f64(),
    );
    println!("{summary}");
    let mut slowest: Vec<&Report> = reports.iter().collect();
    slowest.sort_by_key(|r| std::cmp::Reverse(r.wall));
    for report in slowest.iter().take(5) {
        println!("  slowest: {} ({:?})", report.cell, report.wall);
    }
    if !failed.is_empty() {
        let lines: Vec<String> = failed
            .iter()
            .map(|r| format!("- {}: {}", r.cell, r.problems.join("; ")))
            .collect();
        panic!("{summary}\nfailed cells:\n{}", lines.join("\n"));
    }
}

/// A request whose connection was refused never reached the server, so it is sent again, even
/// a create: for every provider, the first attempt finds no listener, the server starts before
/// the retry, and the call succeeds with one request received.
#[test]
fn a_request_whose_connection_was_refused_is_sent_again_even_a_create() {
    for &provider in PROVIDERS {
        for kind in [Kind::Read, Kind::Create] {
            let cell = format!("{} × {kind:?}", provider.name());
            // A free port, left without a listener: a connection to it is refused.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|listener| listener.local_addr())
                .expect("a free loopback port")
                .port();
            let url = format!("http://127.0.0.1:{port}");
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .start_paused(true)
                .build()
                .expect("a runtime");
            let (result, server) = runtime.block_on(async move {
                let client = provider
                    .connect(&url, &Clock::Paused.settings())
                    .expect("a client");
                let call = tokio::spawn(async move { client.call(kind).await });
                // The first attempt is refused at once; the retry waits at least 250 ms.
                tokio::time::sleep(Duration::from_millis(100)).await;
                let listener =
                    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port again");
                let server =
                    FaultServer::start_on(listener, vec![Answer::Reply(provider.success(kind))]);
                (call.await.expect("the call's task"), server)
            });
            let decoded = result.unwrap_or_else(|error| panic!("{cell}: {error}"));
            assert!(
                outcome_problem(&Outcome::Success, provider, &Ok(decoded)).is_none(),
                "{cell}"
            );
            let (method, path) = provider.request(kind);
            let requests = server.requests();
            assert_eq!(
                requests,
                [Seen {
                    method: method.to_string(),
                    path
                }],
                "{cell}"
            );
        }
    }
}

/// A transport error's `Display` says whether the request was sent, when that is known, and
/// names the source chain down to its root cause, never a bare "the request failed".
#[test]
fn transport_errors_say_whether_the_request_was_sent_and_name_the_root_cause() {
    let settings = providers::ClientSettings {
        retry: kaas::RetryPolicy::none(),
        ..Clock::Paused.settings()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let provider = PROVIDERS[0];
    let refused_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port();
    let refused = format!("http://127.0.0.1:{refused_port}");
    let reset = FaultServer::start(vec![Answer::ResetBeforeHeaders]);
    let truncated = FaultServer::start(vec![Answer::Truncated(provider.success(Kind::Read))]);
    for (url, kind, expected) in [
        (
            refused.as_str(),
            Kind::Create,
            &[
                "transport error: could not connect; the request was not sent (client error (Connect): tcp connect error: Connection refused",
            ][..],
        ),
        (
            reset.url(),
            Kind::Create,
            &[
                "transport error: the request failed, and whether the server received it cannot be known (client error (SendRequest): connection error: Connection reset by peer",
            ][..],
        ),
        (
            truncated.url(),
            Kind::Read,
            &[
                "transport error: the answer could not be read whole (",
                "end of file before message length reached",
            ][..],
        ),
    ] {
        let error = runtime
            .block_on(async {
                let client = provider.connect(url, &settings).expect("a client");
                client.call(kind).await
            })
            .expect_err("a transport error");
        let shown = error.to_string();
        eprintln!("{shown}");
        assert!(matches!(error, kaas::Error::Transport { .. }), "{error:?}");
        for part in expected {
            assert!(shown.contains(part), "{shown}\nmissing: {part}");
        }
        assert!(!shown.contains(url), "no URL: {shown}");
    }
}
