//! Setup shared by the integration tests against the in-process sandbox: the fault mix,
//! starting a store, a client with the full token, fast execution options, a runtime to
//! block on, and an observer that counts steps and can cancel half way.
//!
//! Each test target includes this module (`mod common;`) and uses only part of it.
#![cfg(not(target_arch = "wasm32"))]
#![allow(dead_code)]

use std::cell::Cell;
use std::future::Future;

use bulkroad::bulk::job::{job_report, JobState, JobStatus};
use bulkroad::bulk::{Control, Event, EventKind, ExecOptions, Observer, Plan, Report, Status};
use bulkroad::transport::NativeTransport;
use bulkroad::{AccessToken, GumroadClient};
use bulkroad_sandbox::{tokens, Config, DropPhase, Faults, Sandbox};

/// Gumroad's faults: 10 % 5xx, 5 % 429, 2 % dropped connections before or after the write.
pub fn faults(seed: u64) -> Faults {
    Faults {
        latency_ms: 0,
        rate_429: 0.05,
        rate_5xx: 0.10,
        rate_drop: 0.02,
        drop_phase: DropPhase::Either,
        seed,
        ..Faults::default()
    }
}

/// A throttled sandbox whose store is seeded with `store_seed`.
pub fn start_seeded(products: usize, store_seed: u64, faults: Faults) -> Sandbox {
    Sandbox::start(Config {
        products,
        seed: store_seed,
        faults,
        throttle: true,
        ..Default::default()
    })
    .expect("the sandbox starts")
}

/// A sandbox of `products` products and `sales` sales (seed 11) with `faults`.
pub fn start_with_sales(products: usize, sales: usize, faults: Faults) -> Sandbox {
    Sandbox::start(Config {
        products,
        sales,
        seed: 11,
        faults,
        throttle: true,
        ..Default::default()
    })
    .expect("the sandbox starts")
}

/// A throttled sandbox with the usual store (seed 11).
pub fn start(products: usize, faults: Faults) -> Sandbox {
    start_seeded(products, 11, faults)
}

/// The native client with the full-scope token.
pub fn client(sandbox: &Sandbox) -> GumroadClient<NativeTransport> {
    GumroadClient::new(
        NativeTransport::new(sandbox.url()),
        AccessToken::parse(tokens::FULL).unwrap(),
    )
}

/// Fast: backoff in milliseconds, and enough attempts that injected faults never win.
pub fn options() -> ExecOptions {
    ExecOptions {
        initial_concurrency: 4,
        max_concurrency: 8,
        max_attempts: 12,
        backoff_base_ms: 2,
        backoff_max_ms: 40,
    }
}

/// Runs the client outside the sandbox's own threads, on a runtime of its own.
pub fn run<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// Counts events; cancels once `cancel_after` steps have finished.
#[derive(Default)]
pub struct Watch {
    pub finished: Cell<usize>,
    pub started: Cell<usize>,
    pub cancel_after: Option<usize>,
}

impl Observer for Watch {
    async fn on_event(&self, event: &Event) -> Control {
        match event.kind {
            EventKind::StepStarted => self.started.set(self.started.get() + 1),
            EventKind::StepFinished => self.finished.set(self.finished.get() + 1),
            EventKind::Finished => {}
        }
        match self.cancel_after {
            Some(n) if self.finished.get() >= n => Control::Cancel,
            _ => Control::Continue,
        }
    }
}

/// What a job knows after its worker died: the checkpoints of the last `lost` applied
/// steps never reached storage, and steps never run have no row. Also returns the indices
/// of the steps whose checkpoints were lost.
pub fn with_lost_checkpoints(report: &Report, lost: usize) -> (Report, Vec<usize>) {
    let mut partial = report.clone();
    let dropped: Vec<usize> = partial
        .rows
        .iter()
        .filter(|r| r.outcome.status == Status::Applied)
        .map(|r| r.index)
        .rev()
        .take(lost)
        .collect();
    partial
        .rows
        .retain(|r| !dropped.contains(&r.index) && r.outcome.status != Status::NotRun);
    (partial, dropped)
}

/// The report of `plan`'s job after a later run of it (resumed or retried), as the
/// extension builds it: the rows of the earlier run, then those of the later one, which win
/// for the steps it re-planned.
pub fn resumed_report(plan: &Plan, earlier: &Report, later: &Report) -> Report {
    let rows = earlier.rows.iter().chain(&later.rows).cloned().collect();
    let status = if later.cancelled {
        JobStatus::Cancelled
    } else if later.error.is_some() {
        JobStatus::Interrupted
    } else {
        JobStatus::Finished
    };
    let state = JobState {
        status,
        error: later.error.clone(),
        started_at: earlier.started_at.min(later.started_at),
        finished_at: earlier.finished_at.max(later.finished_at),
    };
    job_report(plan, rows, &state)
}
