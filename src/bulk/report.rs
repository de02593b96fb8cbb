//! What a run did and how far it is, as it crosses to JS and into storage: [`Event`]
//! (progress after every step), [`Outcome`] per step and [`Report`] per run. Serde only:
//! field names are camelCase, event kinds are tagged by `type`. No I/O and no logic beyond
//! counting and merging; no `JsValue` here.

use serde::{Deserialize, Serialize};

use super::plan::{Action, Operation, Plan, Step};
use crate::error::Error;
use crate::model::{OfferCode, ProductId};

/// How one step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    /// The desired state was reached (by this run, or found reached by an earlier one).
    Applied,
    /// Nothing was sent: the plan said skip or conflict, or the target was already as
    /// desired.
    Skipped,
    /// Gumroad said no, or gave up answering; nothing changed for this step (or, for a
    /// replace, see the message).
    Failed,
    /// A write may or may not have happened and re-reading could not tell: re-plan
    /// ("retry failed") before doing anything else with this target.
    Unknown,
    /// Never started: the run was cancelled or stopped first.
    NotRun,
}

/// The result of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub status: Status,
    /// For the seller: what happened, or Gumroad's own words when it refused.
    pub message: String,
    /// The code this step created (for undo: delete exactly these).
    #[serde(default)]
    pub created_offer_code: Option<OfferCode>,
    /// The code this step deleted (for undo: recreate it).
    #[serde(default)]
    pub deleted_offer_code: Option<OfferCode>,
    /// Gumroad's `warning` from a product update (e.g. offer codes that now discount the
    /// product below the minimum); also quoted in `message`. Absent when there was none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

impl Outcome {
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Outcome {
            status,
            message: message.into(),
            created_offer_code: None,
            deleted_offer_code: None,
            warning: None,
        }
    }

    pub fn created(mut self, code: OfferCode) -> Self {
        self.created_offer_code = Some(code);
        self
    }

    pub fn deleted(mut self, code: OfferCode) -> Self {
        self.deleted_offer_code = Some(code);
        self
    }
}

/// Counts a run's progress (also the shape of the report's counts).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// Steps with an outcome.
    pub done: usize,
    pub total: usize,
    pub in_flight: usize,
    /// The current in-flight window.
    pub concurrency: usize,
    /// Estimated milliseconds left; null until a request step has finished.
    pub eta_ms: Option<f64>,
    /// The estimate in words (`about 12 s left`), null with it.
    #[serde(default)]
    pub eta_text: Option<String>,
    pub applied: usize,
    pub skipped: usize,
    pub failed: usize,
    pub unknown: usize,
}

/// Which moment an [`Event`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventKind {
    /// A step that sends requests is about to send its first one (record it as in flight).
    StepStarted,
    /// A step has its outcome (save its row before answering).
    StepFinished,
    /// The run is over; the report follows as the return value.
    Finished,
}

/// Progress, sent to the [`Observer`](super::engine::Observer). `index`, `productId` and
/// `productName` are null on `finished`; `outcome` is set on `stepFinished` only, and so is
/// `row`: the report row to keep for the step (null for a step that never ran, which a
/// resumed job picks up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: EventKind,
    pub index: Option<usize>,
    pub product_id: Option<ProductId>,
    pub product_name: Option<String>,
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub row: Option<ReportRow>,
    pub progress: Progress,
}

/// One step's line in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    /// The step's [`Step::index`](super::plan::Step::index).
    pub index: usize,
    pub product_id: ProductId,
    pub product_name: String,
    pub action: Action,
    pub outcome: Outcome,
    /// What the step does, in words ([`Action::description`]).
    #[serde(default)]
    pub description: String,
}

/// Rows per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReportSummary {
    pub applied: usize,
    pub skipped: usize,
    pub failed: usize,
    pub unknown: usize,
    pub not_run: usize,
}

impl ReportSummary {
    pub fn of(rows: &[ReportRow]) -> Self {
        let mut summary = ReportSummary::default();
        for row in rows {
            *match row.outcome.status {
                Status::Applied => &mut summary.applied,
                Status::Skipped => &mut summary.skipped,
                Status::Failed => &mut summary.failed,
                Status::Unknown => &mut summary.unknown,
                Status::NotRun => &mut summary.not_run,
            } += 1;
        }
        summary
    }
}

/// What a run did, per step, kept in the job history; the basis of "retry failed" and
/// "undo".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub operation: Operation,
    /// The job's [`Plan::title`](super::plan::Plan::title).
    #[serde(default)]
    pub title: String,
    pub intent: serde_json::Value,
    /// By step index.
    pub rows: Vec<ReportRow>,
    pub summary: ReportSummary,
    /// The counts in words ([`ReportSummary::sentence`]).
    #[serde(default)]
    pub summary_text: String,
    /// The seller cancelled: steps not started are `notRun`.
    pub cancelled: bool,
    /// Why the run stopped early (the token was rejected, or the account was disconnected:
    /// kind `Stopped`), or null. Steps not started are `notRun`; the job can be resumed
    /// once the seller has connected again.
    #[serde(default)]
    pub error: Option<Error>,
    pub started_at: f64,
    pub finished_at: f64,
}

impl Report {
    /// The report of `plan`'s run: `rows` by step index, counted and put in words.
    pub fn new(
        plan: &Plan,
        rows: Vec<ReportRow>,
        cancelled: bool,
        error: Option<Error>,
        started_at: f64,
        finished_at: f64,
    ) -> Report {
        let summary = ReportSummary::of(&rows);
        Report {
            operation: plan.operation,
            title: plan.title.clone(),
            intent: plan.intent.clone(),
            summary_text: summary.sentence(),
            summary,
            rows,
            cancelled,
            error,
            started_at,
            finished_at,
        }
    }

    /// The row of step `index`.
    pub fn row(&self, index: usize) -> Option<&ReportRow> {
        self.rows.iter().find(|row| row.index == index)
    }
}

impl ReportRow {
    /// The row of `step` with `outcome`.
    pub fn of(step: &Step, outcome: Outcome) -> ReportRow {
        ReportRow {
            index: step.index,
            product_id: step.product_id.clone(),
            product_name: step.product_name.clone(),
            action: step.action.clone(),
            outcome,
            description: step.action.description(),
        }
    }
}

impl ReportSummary {
    /// `3 applied · 1 skipped · 0 failed · 0 unknown`, then ` · 2 not run` where some steps
    /// never ran.
    pub fn sentence(&self) -> String {
        let mut text = format!(
            "{} applied · {} skipped · {} failed · {} unknown",
            self.applied, self.skipped, self.failed, self.unknown
        );
        if self.not_run > 0 {
            text.push_str(&format!(" · {} not run", self.not_run));
        }
        text
    }
}
