//! A job between runs, as the service worker keeps it: the plan, the rows its runs
//! saved step by step, and what those add up to — the report, the line in the job
//! history and what the seller may do next (undo, retry, keep an end time). The worker
//! stores and relays; every rule about a job's rows and report is here. Pure: no I/O, no
//! clock, no `JsValue`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::plan::{Operation, Plan};
use super::report::{Outcome, Report, ReportRow, ReportSummary, Status};
use crate::error::Error;

/// The outcome of a step whose request was on its way when the worker running it stopped.
pub const INTERRUPTED: &str =
    "Bulkroad was stopped while this change was being sent; it may have been applied.";

/// The outcome of a step no run of the job reached.
pub const NOT_RUN: &str = "Not run.";

/// Where a job stands, as the worker records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum JobStatus {
    Running,
    /// Stopped before its end (the worker was stopped, or Gumroad refused the token):
    /// it can be resumed or discarded.
    Interrupted,
    Finished,
    Cancelled,
    /// The run could not go on (an error other than a refused token).
    Failed,
}

/// How far a job got, for [`job_report`]: what the worker recorded besides the rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobState {
    pub status: JobStatus,
    #[serde(default)]
    pub error: Option<Error>,
    /// Milliseconds since the Unix epoch.
    pub started_at: f64,
    /// Milliseconds since the Unix epoch; for a job not finished, now.
    pub finished_at: f64,
}

/// The rows of the steps in `in_flight` that have no row in `recorded` (their requests were
/// on the way when the worker stopped): `unknown`, which resume, retry and undo settle
/// against a fresh read of Gumroad. Indices not in the plan are ignored.
pub fn interrupted_rows(plan: &Plan, in_flight: &[usize], recorded: &[usize]) -> Vec<ReportRow> {
    plan.steps
        .iter()
        .filter(|step| in_flight.contains(&step.index) && !recorded.contains(&step.index))
        .map(|step| ReportRow::of(step, Outcome::new(Status::Unknown, INTERRUPTED)))
        .collect()
}

/// The report of a job from its plan and the rows its runs saved: one row per step
/// of the plan, in plan order; a later row of the same step replaces an earlier one (a
/// resumed or retried step); a step with no row is `notRun`. Rows of steps the plan does
/// not have are dropped.
pub fn job_report(plan: &Plan, rows: Vec<ReportRow>, state: &JobState) -> Report {
    let mut latest: BTreeMap<usize, ReportRow> = BTreeMap::new();
    for row in rows {
        latest.insert(row.index, row);
    }
    let rows: Vec<ReportRow> = plan
        .steps
        .iter()
        .map(|step| {
            latest
                .remove(&step.index)
                .unwrap_or_else(|| ReportRow::of(step, Outcome::new(Status::NotRun, NOT_RUN)))
        })
        .collect();
    Report::new(
        plan,
        rows,
        state.status == JobStatus::Cancelled,
        state.error.clone(),
        state.started_at,
        state.finished_at,
    )
}

/// What a finished job's line in the history says and offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    pub counts: ReportSummary,
    /// The counts in words (`3 applied · 0 skipped · …`).
    pub counts_text: String,
    /// Undo is offered for a job that changed something and is not itself an undo (an
    /// undo's inverse is the original job, run again from its own preview).
    pub can_undo: bool,
    /// "Retry failed" is offered where steps failed or ended unknown.
    pub can_retry: bool,
    /// The job's end time still has codes to remove: it changed something and did not
    /// fail (a cancelled job may have created codes too).
    pub keeps_end_time: bool,
}

/// The history line of a job that ended as `status` with `report`; `has_end_time` when the
/// seller set one.
pub fn summarize(report: &Report, status: JobStatus, has_end_time: bool) -> JobSummary {
    let counts = report.summary;
    let changed = counts.applied > 0 && status != JobStatus::Failed;
    JobSummary {
        counts,
        counts_text: counts.sentence(),
        can_undo: changed && report.operation != Operation::Undo,
        can_retry: counts.failed + counts.unknown > 0,
        keeps_end_time: changed && has_end_time,
    }
}

/// An end time the seller set, in milliseconds since the Unix epoch (NaN when what was
/// given is no date), checked against `now_ms`.
pub fn check_end_time(end_ms: f64, now_ms: f64) -> Result<(), Error> {
    if !end_ms.is_finite() {
        return Err(Error::invalid_input(
            "Enter the end time as a date and a time.",
        ));
    }
    if end_ms <= now_ms {
        return Err(Error::invalid_input("The end time must be in the future."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::plan::{Action, Step};
    use crate::model::ProductId;

    fn plan(indices: &[usize], operation: Operation) -> Plan {
        let steps = indices
            .iter()
            .map(|&index| Step {
                index,
                product_id: ProductId::from(format!("p{index}")),
                product_name: format!("Product {index}"),
                currency: "usd".into(),
                price: 1000,
                formatted_price: "$10".into(),
                price_after: None,
                formatted_price_after: None,
                action: Action::Skip {
                    reason: "x".into(),
                    existing: None,
                },
                description: String::new(),
                changes: Vec::new(),
                link: None,
            })
            .collect();
        Plan::new(
            operation,
            "A job".into(),
            serde_json::json!({}),
            steps,
            Vec::new(),
            0.0,
        )
    }

    fn row(plan: &Plan, index: usize, status: Status) -> ReportRow {
        let step = plan.steps.iter().find(|s| s.index == index).unwrap();
        ReportRow::of(step, Outcome::new(status, format!("{status:?}")))
    }

    fn state(status: JobStatus) -> JobState {
        JobState {
            status,
            error: None,
            started_at: 1.0,
            finished_at: 2.0,
        }
    }

    #[test]
    fn steps_in_flight_without_a_row_become_unknown() {
        let plan = plan(&[0, 1, 2, 3], Operation::ApplyCode);
        let rows = interrupted_rows(&plan, &[1, 2, 9], &[0, 2]);
        let shown: Vec<(usize, Status, &str)> = rows
            .iter()
            .map(|r| (r.index, r.outcome.status, r.outcome.message.as_str()))
            .collect();
        assert_eq!(shown, [(1, Status::Unknown, INTERRUPTED)]);
        assert_eq!(rows[0].product_name, "Product 1");
    }

    #[test]
    fn a_report_has_one_row_per_step_the_latest_winning_and_the_rest_not_run() {
        let plan = plan(&[0, 1, 2, 5], Operation::ApplyCode);
        let rows = vec![
            row(&plan, 5, Status::Failed),
            row(&plan, 0, Status::Unknown),
            row(&plan, 0, Status::Applied),
            row(&plan, 2, Status::Skipped),
        ];
        let mut strays = rows.clone();
        strays.push(ReportRow {
            index: 7,
            ..row(&plan, 2, Status::Applied)
        });
        let report = job_report(&plan, strays, &state(JobStatus::Interrupted));
        let shown: Vec<(usize, Status)> = report
            .rows
            .iter()
            .map(|r| (r.index, r.outcome.status))
            .collect();
        assert_eq!(
            shown,
            [
                (0, Status::Applied),
                (1, Status::NotRun),
                (2, Status::Skipped),
                (5, Status::Failed)
            ]
        );
        assert_eq!(report.rows[1].outcome.message, NOT_RUN);
        assert_eq!(
            report.summary,
            ReportSummary {
                applied: 1,
                skipped: 1,
                failed: 1,
                unknown: 0,
                not_run: 1
            }
        );
        assert!(!report.cancelled);
        assert_eq!((report.started_at, report.finished_at), (1.0, 2.0));
        let cancelled = job_report(&plan, rows, &state(JobStatus::Cancelled));
        assert!(cancelled.cancelled);
    }

    #[test]
    fn what_a_finished_job_offers() {
        let rows = [
            // (operation, statuses, job status, end time) → (undo, retry, keeps end time)
            (
                Operation::ApplyCode,
                vec![Status::Applied],
                JobStatus::Finished,
                true,
                (true, false, true),
            ),
            (
                Operation::ApplyCode,
                vec![Status::Applied, Status::Failed],
                JobStatus::Finished,
                false,
                (true, true, false),
            ),
            (
                Operation::ApplyCode,
                vec![Status::Skipped],
                JobStatus::Finished,
                true,
                (false, false, false),
            ),
            (
                Operation::ApplyCode,
                vec![Status::Applied, Status::NotRun],
                JobStatus::Cancelled,
                true,
                (true, false, true),
            ),
            (
                Operation::ApplyCode,
                vec![Status::Applied],
                JobStatus::Failed,
                true,
                (false, false, false),
            ),
            (
                Operation::PriceChange,
                vec![Status::Unknown],
                JobStatus::Finished,
                false,
                (false, true, false),
            ),
            (
                Operation::Undo,
                vec![Status::Applied],
                JobStatus::Finished,
                false,
                (false, false, false),
            ),
        ];
        for (operation, statuses, status, end_time, expected) in rows {
            let indices: Vec<usize> = (0..statuses.len()).collect();
            let plan = plan(&indices, operation);
            let rows = statuses
                .iter()
                .enumerate()
                .map(|(i, s)| row(&plan, i, *s))
                .collect();
            let report = job_report(&plan, rows, &state(status));
            let summary = summarize(&report, status, end_time);
            assert_eq!(
                (summary.can_undo, summary.can_retry, summary.keeps_end_time),
                expected,
                "{operation:?} {statuses:?} {status:?}"
            );
            assert_eq!(summary.counts, report.summary);
        }
    }

    #[test]
    fn counts_in_words_mention_steps_not_run_only_when_there_are_some() {
        let mut summary = ReportSummary {
            applied: 3,
            skipped: 1,
            failed: 0,
            unknown: 2,
            not_run: 0,
        };
        assert_eq!(
            summary.sentence(),
            "3 applied · 1 skipped · 0 failed · 2 unknown"
        );
        summary.not_run = 4;
        assert_eq!(
            summary.sentence(),
            "3 applied · 1 skipped · 0 failed · 2 unknown · 4 not run"
        );
    }

    #[test]
    fn an_end_time_must_be_a_time_in_the_future() {
        assert!(check_end_time(2_000.0, 1_000.0).is_ok());
        for (end, why) in [
            (1_000.0, "in the future"),
            (500.0, "in the future"),
            (f64::NAN, "a date and a time"),
        ] {
            let error = check_end_time(end, 1_000.0).unwrap_err();
            assert_eq!(error.kind(), crate::ErrorKind::InvalidInput);
            assert!(error.message().contains(why), "{end}: {}", error.message());
        }
    }
}
