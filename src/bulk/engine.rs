//! Running a plan: [`execute`] sends each step's requests with an adaptive number in flight
//! (all on one thread: a window of futures polled together, nothing spawned, nothing
//! `Send`), retries what is safe to retry, re-reads before deciding what happened to a
//! write whose answer was lost, tells the [`Observer`] about every step, and returns the
//! [`Report`]. It never repeats a write that may have happened without re-reading first
//! (Gumroad has no idempotency keys). No `JsValue` here.
//!
//! Outcomes: a step's definite refusal is `failed` with Gumroad's message and the run goes
//! on; `Unauthorized` stops the run — steps not started become `notRun` and the report
//! comes back as `Ok` with `error` set (so the job keeps its rows and can be resumed after
//! reconnecting). `Stopped` (the account was disconnected: its transport sends nothing
//! more) stops it the same way, with its own `notRun` wording; a step it caught is
//! `notRun` when nothing of it was sent, `failed` when an earlier part of it (the delete
//! of a replace) was done but the rest was never sent, and `unknown` when a write of it
//! was on its way (or its answer was lost and the re-read was stopped). A cancel from the
//! observer starts nothing new, lets the steps in flight finish (a step waiting to retry
//! something that cannot have been applied gives up as `notRun`), and returns the report
//! with `cancelled: true`. `Err` is returned only for a plan that cannot be run as given
//! (duplicate step indices).

use super::plan::{Plan, Step};
use super::report::{
    Event, EventKind, Outcome, Progress, Report, ReportRow, ReportSummary, Status,
};
use super::writes::{not_run_because, run_step};
use crate::api::GumroadClient;
use crate::error::Error;
use crate::pacing::{Control, ExecOptions, InFlight, Runner};
use crate::runtime::Clock;
use crate::transport::Transport;

/// Receives progress. The engine makes one call at a time from its own loop and awaits it
/// before starting more work, so the service worker can save the event to storage
/// first. Requests already sent keep going meanwhile; their outcomes are taken in after
/// the call returns.
#[allow(async_fn_in_trait)]
pub trait Observer {
    async fn on_event(&self, event: &Event) -> Control;
}

/// An observer that watches nothing and never cancels.
impl Observer for () {
    async fn on_event(&self, _event: &Event) -> Control {
        Control::Continue
    }
}

impl<O: Observer + ?Sized> Observer for &O {
    async fn on_event(&self, event: &Event) -> Control {
        (**self).on_event(event).await
    }
}

/// Running totals for events.
struct Tally {
    started_at: f64,
    total: usize,
    done: usize,
    in_flight: usize,
    /// Steps that send requests: all, and finished.
    request_steps: usize,
    request_steps_done: usize,
    summary: ReportSummary,
}

impl Tally {
    fn record(&mut self, outcome: &Outcome, sent: bool) {
        self.done += 1;
        if sent {
            self.in_flight -= 1;
            self.request_steps_done += 1;
        }
        *match outcome.status {
            Status::Applied => &mut self.summary.applied,
            Status::Skipped => &mut self.summary.skipped,
            Status::Failed => &mut self.summary.failed,
            Status::Unknown => &mut self.summary.unknown,
            Status::NotRun => &mut self.summary.not_run,
        } += 1;
    }

    fn progress(&self, concurrency: usize, now: f64) -> Progress {
        let eta_ms = (self.request_steps_done > 0).then(|| {
            let per_step = (now - self.started_at).max(0.0) / self.request_steps_done as f64;
            per_step * (self.request_steps - self.request_steps_done) as f64
        });
        Progress {
            done: self.done,
            total: self.total,
            in_flight: self.in_flight,
            concurrency,
            eta_text: eta_ms.map(crate::wording::time_left),
            eta_ms,
            applied: self.summary.applied,
            skipped: self.summary.skipped,
            failed: self.summary.failed,
            unknown: self.summary.unknown,
        }
    }
}

/// Runs `plan`: skip/conflict/verified steps are reported at once without a request (a
/// `stepFinished` only); the others are sent in plan order with at most the current window
/// in flight. The observer hears `stepStarted` before a step's first request,
/// `stepFinished` after its outcome (awaited before anything new starts) and `finished` at
/// the end. A `Cancel` answered to `stepStarted` keeps that step from starting (it
/// finishes as `notRun`).
pub async fn execute<T: Transport, C: Clock, O: Observer>(
    client: &GumroadClient<T>,
    clock: &C,
    plan: &Plan,
    options: &ExecOptions,
    observer: &O,
) -> Result<Report, Error> {
    let mut indices: Vec<usize> = plan.steps.iter().map(|s| s.index).collect();
    indices.sort();
    if indices.windows(2).any(|pair| pair[0] == pair[1]) {
        return Err(Error::invalid_input(
            "This plan lists the same step twice; preview it again.",
        ));
    }
    let runner = Runner::new(client, clock, options);
    let steps = &plan.steps;
    let mut tally = Tally {
        started_at: clock.now_ms(),
        total: steps.len(),
        done: 0,
        in_flight: 0,
        request_steps: steps.iter().filter(|s| s.action.writes()).count(),
        request_steps_done: 0,
        summary: ReportSummary::default(),
    };
    let mut outcomes: Vec<Option<Outcome>> = vec![None; steps.len()];
    let mut stop: Option<Error> = None;
    let mut cancelled = false;
    let mut next = 0;
    let mut in_flight = InFlight::new();

    let event =
        |kind: EventKind, step: Option<&Step>, outcome: Option<Outcome>, tally: &Tally| Event {
            kind,
            index: step.map(|s| s.index),
            product_id: step.map(|s| s.product_id.clone()),
            product_name: step.map(|s| s.product_name.clone()),
            // The row to keep; a step that never ran has none (a resumed job runs it).
            row: step
                .zip(outcome.as_ref())
                .filter(|(_, outcome)| outcome.status != Status::NotRun)
                .map(|(step, outcome)| ReportRow::of(step, outcome.clone())),
            outcome,
            progress: tally.progress(runner.window(), clock.now_ms()),
        };

    loop {
        while !cancelled && stop.is_none() && next < steps.len() {
            let step = &steps[next];
            if !step.action.writes() {
                let outcome = run_step(&runner, step).await.outcome;
                tally.record(&outcome, false);
                outcomes[next] = Some(outcome.clone());
                next += 1;
                let e = event(EventKind::StepFinished, Some(step), Some(outcome), &tally);
                cancelled |= observer.on_event(&e).await == Control::Cancel;
                continue;
            }
            if in_flight.len() >= runner.window() {
                break;
            }
            tally.in_flight += 1;
            let e = event(EventKind::StepStarted, Some(step), None, &tally);
            if observer.on_event(&e).await == Control::Cancel {
                cancelled = true;
                let outcome = Outcome::new(Status::NotRun, "Not run: the job was cancelled.");
                tally.record(&outcome, true);
                outcomes[next] = Some(outcome.clone());
                next += 1;
                let e = event(EventKind::StepFinished, Some(step), Some(outcome), &tally);
                observer.on_event(&e).await;
                break;
            }
            let position = next;
            let runner = &runner;
            in_flight.push(async move { (position, run_step(runner, step).await) });
            next += 1;
        }
        runner.wind_down(cancelled || stop.is_some());
        let Some((position, finished)) = in_flight.next().await else {
            break;
        };
        if let Some(error) = finished.stop {
            stop.get_or_insert(error);
            runner.wind_down(true);
        }
        let mut outcome = finished.outcome;
        if outcome.status == Status::NotRun && stop.is_some() {
            // Wound down by the stop: it says why, as the steps never started do.
            outcome.message = not_run_because(stop.as_ref()).to_owned();
        }
        tally.record(&outcome, true);
        outcomes[position] = Some(outcome.clone());
        let e = event(
            EventKind::StepFinished,
            Some(&steps[position]),
            Some(outcome),
            &tally,
        );
        cancelled |= observer.on_event(&e).await == Control::Cancel;
    }

    let why_not = not_run_because(stop.as_ref());
    let rows: Vec<ReportRow> = steps
        .iter()
        .zip(outcomes)
        .map(|(step, outcome)| {
            ReportRow::of(
                step,
                outcome.unwrap_or_else(|| Outcome::new(Status::NotRun, why_not)),
            )
        })
        .collect();
    let e = event(EventKind::Finished, None, None, &tally);
    observer.on_event(&e).await;
    Ok(Report::new(
        plan,
        rows,
        cancelled,
        stop,
        tally.started_at,
        clock.now_ms(),
    ))
}
