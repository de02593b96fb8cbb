//! Re-planning what is left of a job, or its failed steps: which steps
//! ([`replan_targets`]), what the fresh read must cover, and [`replan_steps`], which hands
//! each step to its operation's own re-plan. The one place that dispatches on
//! [`Operation`] to re-plan: a new operation adds one arm here. [`replan`] takes the
//! snapshot (read-only I/O); the rest is pure.

use serde::{Deserialize, Serialize};

use super::apply_code::{replan_apply_code, ApplyCodeIntent};
use super::create_codes::replan_create_codes;
use super::clean_up::replan_clean_up_codes;
use super::intent::parse_intent;
use super::listings::replan_edit_listings;
use super::parity::replan_apply_parity;
use super::reconcile::replan_deletes;
use super::plan::{Action, Operation, Plan, Step};
use super::prices::replan_price_change;
use super::remove_code::replan_remove_code;
use super::report::{Report, Status};
use super::snapshot::{take, Scope, Snapshot};
use super::undo::replan_undo;
use crate::api::GumroadClient;
use crate::error::Error;
use crate::model::ProductId;
use crate::pacing::{ExecOptions, Runner};
use crate::runtime::Clock;
use crate::transport::Transport;
use crate::wording::count;

/// Which steps of a job to re-plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReplanMode {
    /// Continue an interrupted job: every step without a final outcome (no row, `notRun`,
    /// or `unknown`).
    Resume,
    /// "Retry failed": the steps whose outcome is `failed` or `unknown`.
    RetryFailed,
}

/// The step indices of `plan` that `mode` re-plans, given what `report` recorded so far.
pub fn replan_targets(plan: &Plan, report: &Report, mode: ReplanMode) -> Vec<usize> {
    plan.steps
        .iter()
        .filter(|step| {
            let status = report.row(step.index).map(|row| row.outcome.status);
            match mode {
                ReplanMode::Resume => {
                    matches!(status, None | Some(Status::NotRun | Status::Unknown))
                }
                ReplanMode::RetryFailed => {
                    matches!(status, Some(Status::Failed | Status::Unknown))
                }
            }
        })
        .map(|step| step.index)
        .collect()
}

/// True when re-planning `targets` of `plan` needs every product's codes.
pub fn replan_needs_all_products(plan: &Plan, targets: &[usize]) -> bool {
    plan.steps
        .iter()
        .filter(|s| targets.contains(&s.index))
        .any(|s| match &s.action {
            Action::Create { code }
            | Action::CreateUnique { code, .. }
            | Action::Replace { code, .. } => code.universal,
            Action::Verified { offer_code, .. } => offer_code.universal,
            _ => false,
        })
}

/// Re-plans the steps `targets` of `plan` against a fresh snapshot: against the job's
/// intent (apply, remove) or the step's own desired state (undo). A step whose desired
/// state already holds — and did not when the job was planned — becomes `verified`
/// (applied by an earlier attempt whose answer was lost), so nothing is created twice.
/// Steps keep their original indices.
pub fn replan_steps(
    plan: &Plan,
    targets: &[usize],
    snapshot: &Snapshot,
    created_at: f64,
) -> Result<Plan, Error> {
    let originals: Vec<&Step> = plan
        .steps
        .iter()
        .filter(|s| targets.contains(&s.index))
        .collect();
    let mut steps = Vec::with_capacity(originals.len());
    let mut notes = match plan.operation {
        Operation::ApplyCode => replan_apply_code(plan, &originals, snapshot, &mut steps)?,
        Operation::ApplyParity => replan_apply_parity(plan, &originals, snapshot, &mut steps)?,
        Operation::RemoveParity => {
            replan_deletes(&originals, snapshot, &mut steps);
            Vec::new()
        }
        Operation::RemoveCode => {
            replan_remove_code(plan, &originals, snapshot, &mut steps)?;
            Vec::new()
        }
        Operation::CleanUpCodes => {
            replan_clean_up_codes(plan, &originals, snapshot, &mut steps)?;
            Vec::new()
        }
        Operation::PriceChange => {
            replan_price_change(&originals, snapshot, &mut steps);
            Vec::new()
        }
        Operation::EditListings => {
            replan_edit_listings(&originals, snapshot, &mut steps);
            Vec::new()
        }
        Operation::Undo => {
            replan_undo(&originals, snapshot, &mut steps);
            Vec::new()
        }
        Operation::CreateCodes => {
            replan_create_codes(&originals, snapshot, &mut steps);
            Vec::new()
        }
    };
    let verified = steps
        .iter()
        .filter(|s| {
            matches!(
                s.action,
                Action::Verified { .. }
                    | Action::VerifiedPrice { .. }
                    | Action::VerifiedListing { .. }
                    | Action::UpdateOptionPrice { verified: true, .. }
            )
        })
        .count();
    notes.insert(
        0,
        format!(
            "Re-planned {} from a fresh read of Gumroad{}.",
            count(steps.len(), "step"),
            if verified > 0 {
                format!("; {verified} found already done by this job")
            } else {
                String::new()
            }
        ),
    );
    Ok(Plan::new(
        plan.operation,
        plan.title.clone(),
        plan.intent.clone(),
        steps,
        notes,
        created_at,
    ))
}

/// Re-plans what is left of a job (`Resume`: steps without a final outcome) or its failed
/// steps (`RetryFailed`), from a fresh read of the targets. Execute the result, then lay
/// its rows over the earlier ones with [`job_report`](super::job::job_report) (indices line
/// up). A retry is titled as one (`Retry: …`); a resumed job keeps its title.
pub async fn replan<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    plan: &Plan,
    report: &Report,
    mode: ReplanMode,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    let targets = replan_targets(plan, report, mode);
    let snapshot = if targets.is_empty() {
        Snapshot::default()
    } else {
        read_targets(client, clock, plan, &targets, options).await?
    };
    let mut replanned = replan_steps(plan, &targets, &snapshot, clock.now_ms())?;
    if mode == ReplanMode::RetryFailed {
        replanned.title = format!("Retry: {}", plan.title);
    }
    Ok(replanned)
}

/// The snapshot re-planning `targets` of `plan` needs: every product's codes where a
/// universal code is involved, none for price and listing steps, else the targets' codes.
async fn read_targets<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    plan: &Plan,
    targets: &[usize],
    options: &ExecOptions,
) -> Result<Snapshot, Error> {
    let ids: Vec<ProductId> = plan
        .steps
        .iter()
        .filter(|s| targets.contains(&s.index))
        .map(|s| s.product_id.clone())
        .collect();
    // A batch has thousands of steps on one product: read each product once.
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<ProductId> = ids.into_iter().filter(|id| seen.insert(id.clone())).collect();
    let universal = match plan.operation {
        Operation::ApplyCode => parse_intent::<ApplyCodeIntent>(&plan.intent)?.universal,
        Operation::RemoveCode
        | Operation::CleanUpCodes
        | Operation::PriceChange
        | Operation::EditListings
        | Operation::Undo
        | Operation::ApplyParity
        | Operation::RemoveParity
        | Operation::CreateCodes => false,
    } || replan_needs_all_products(plan, targets);
    // Price and listing steps (and an undo's other steps that write no code) are
    // re-planned from the products alone.
    let needs_codes = match plan.operation {
        Operation::PriceChange | Operation::EditListings => false,
        Operation::Undo => plan
            .steps
            .iter()
            .filter(|s| targets.contains(&s.index))
            .any(|s| {
                matches!(
                    s.action,
                    Action::Create { .. }
                        | Action::Delete { .. }
                        | Action::Replace { .. }
                        | Action::Update { .. }
                )
            }),
        Operation::ApplyCode
        | Operation::RemoveCode
        | Operation::CleanUpCodes
        | Operation::ApplyParity
        | Operation::RemoveParity
        | Operation::CreateCodes => true,
    };
    let runner = Runner::new(client, clock, options);
    let scope = if universal {
        Scope::All
    } else if !needs_codes {
        Scope::NoCodes
    } else {
        Scope::Products(&ids)
    };
    take(&runner, scope).await
}
