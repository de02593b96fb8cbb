//! A disconnected account against the in-process sandbox: the native transport wrapped in
//! a `Stoppable` with the account's `StopFlag`, as the browser transport holds the
//! account's `AbortSignal`. Once the flag is set nothing more reaches the sandbox: a job
//! stops at once (the steps not started `notRun`, a write on its way `unknown`) and a read
//! fails as `Stopped` without a request.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::cell::Cell;
use std::time::{Duration, Instant};

use bulkroad::bulk::{
    execute, preview_apply_code, Control, Event, EventKind, ExecOptions, Observer, Status,
};
use bulkroad::runtime::NativeClock;
use bulkroad::transport::{NativeTransport, StopFlag, Stoppable};
use bulkroad::{AccessToken, ErrorKind, GumroadClient};
use bulkroad_sandbox::{tokens, Faults, Sandbox};
use common::{run, start};
use serde_json::{json, Value};

const NOT_RUN: &str = "Not run: the account was disconnected.";

fn stoppable_client(
    sandbox: &Sandbox,
    stop: &StopFlag,
) -> GumroadClient<Stoppable<NativeTransport>> {
    GumroadClient::new(
        Stoppable::new(NativeTransport::new(sandbox.url()), stop.clone()),
        AccessToken::parse(tokens::FULL).unwrap(),
    )
}

/// One request in flight at a time, so "after the n-th step" is exact.
fn one_at_a_time() -> ExecOptions {
    ExecOptions {
        initial_concurrency: 1,
        max_concurrency: 1,
        max_attempts: 6,
        backoff_base_ms: 2,
        backoff_max_ms: 40,
    }
}

fn live_product_ids(sandbox: &Sandbox) -> Vec<String> {
    sandbox.state()["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["deleted_at"].is_null())
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The plan of SAVE5 (5 % off) on every product, read before the test clears the log.
fn plan_on_every_product(
    sandbox: &Sandbox,
    client: &GumroadClient<Stoppable<NativeTransport>>,
) -> bulkroad::bulk::Plan {
    let intent = json!({"code": "SAVE5", "discount": {"percent": 5}, "universal": false,
        "productIds": live_product_ids(sandbox), "onConflict": "skip"});
    let plan = run(preview_apply_code(
        client,
        &NativeClock::with_seed(1),
        &intent,
        &one_at_a_time(),
    ))
    .expect("a plan");
    assert!(plan.steps.iter().all(|s| s.action.kind() == "create"));
    sandbox.clear_requests();
    plan
}

fn live_save5(sandbox: &Sandbox) -> usize {
    let state = sandbox.state();
    state["offer_codes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c: &&Value| c["code"] == "SAVE5" && c["deleted_at"].is_null())
        .count()
}

/// Sets the stop flag once `after` steps have finished, noting the sandbox's log then.
struct Disconnect<'a> {
    sandbox: &'a Sandbox,
    stop: StopFlag,
    after: usize,
    finished: Cell<usize>,
    logged_by_then: Cell<usize>,
}

impl Observer for Disconnect<'_> {
    async fn on_event(&self, event: &Event) -> Control {
        if event.kind == EventKind::StepFinished {
            self.finished.set(self.finished.get() + 1);
            if self.finished.get() == self.after {
                self.logged_by_then.set(self.sandbox.requests().len());
                self.stop.stop();
            }
        }
        Control::Continue
    }
}

#[test]
fn a_job_stops_at_once_when_its_account_is_disconnected_and_sends_nothing_more() {
    let sandbox = start(12, Faults::default());
    let stop = StopFlag::new();
    let client = stoppable_client(&sandbox, &stop);
    let plan = plan_on_every_product(&sandbox, &client);
    let observer = Disconnect {
        sandbox: &sandbox,
        stop,
        after: 3,
        finished: Cell::new(0),
        logged_by_then: Cell::new(0),
    };
    let report = run(execute(
        &client,
        &NativeClock::with_seed(2),
        &plan,
        &one_at_a_time(),
        &observer,
    ))
    .expect("a report");
    let error = report.error.as_ref().expect("stopped");
    assert_eq!(error.kind(), ErrorKind::Stopped);
    assert_eq!(report.summary.applied, 3);
    assert_eq!(report.summary.not_run, plan.steps.len() - 3);
    for row in &report.rows[3..] {
        assert_eq!(row.outcome.status, Status::NotRun);
        assert_eq!(row.outcome.message, NOT_RUN);
    }
    assert_eq!(observer.logged_by_then.get(), 3);
    assert_eq!(
        sandbox.requests().len(),
        3,
        "nothing reached the sandbox afterwards"
    );
    assert_eq!(live_save5(&sandbox), 3);
}

#[test]
fn a_write_on_its_way_is_abandoned_as_unknown_and_nothing_follows_it() {
    let sandbox = start(6, Faults::default());
    let stop = StopFlag::new();
    let client = stoppable_client(&sandbox, &stop);
    let plan = plan_on_every_product(&sandbox, &client);
    sandbox.set_faults(Faults {
        latency_ms: 1_500,
        ..Faults::default()
    });
    let (clock, options) = (NativeClock::with_seed(3), one_at_a_time());
    let started = Instant::now();
    let disconnect = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.stop();
    };
    let (report, ()) =
        run(async { tokio::join!(execute(&client, &clock, &plan, &options, &()), disconnect) });
    let report = report.expect("a report");
    assert!(
        started.elapsed() < Duration::from_millis(1_200),
        "abandoned, not answered: {:?}",
        started.elapsed()
    );
    assert_eq!(
        report.error.as_ref().map(|e| e.kind()),
        Some(ErrorKind::Stopped)
    );
    let first = &report.rows[0].outcome;
    assert_eq!(first.status, Status::Unknown, "{}", first.message);
    assert!(
        first.message.contains("while the request was on its way"),
        "{}",
        first.message
    );
    assert!(report.rows[1..]
        .iter()
        .all(|r| r.outcome.status == Status::NotRun && r.outcome.message == NOT_RUN));
    // Whatever the sandbox makes of the abandoned request, nothing else arrives.
    std::thread::sleep(Duration::from_millis(1_800));
    let logged = sandbox.requests();
    assert!(logged.len() <= 1, "{logged:?}");
    assert!(live_save5(&sandbox) <= 1);
}

#[test]
fn a_read_for_a_disconnected_account_fails_as_stopped_without_a_request() {
    let sandbox = start(5, Faults::default());
    let stop = StopFlag::new();
    stop.stop();
    let client = stoppable_client(&sandbox, &stop);
    let error = run(client.products()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Stopped);
    assert_eq!(
        error.message(),
        "Stopped: this account was disconnected in Bulkroad. Nothing more is sent with its token."
    );
    assert!(!error.retryable() && !error.may_have_applied());
    assert!(sandbox.requests().is_empty(), "nothing was sent");
}
