//! The async entry points the wasm layer binds: validate an intent (before any request),
//! take the snapshot it needs, and hand it to the pure planners; the same for undo,
//! re-planning and the inventory. No writes here, and no `JsValue`.

use super::inventory::{inventory, InventoryRow};
use super::offer_codes::{
    parse_intent, plan_apply_code, plan_remove_code, plan_undo, replan_needs_all_products,
    replan_steps, replan_targets, undo_needs_all_products, ApplyCodeIntent, RemoveCodeIntent,
    ReplanMode,
};
use super::parity::{plan_apply_parity, plan_remove_parity, ApplyParityIntent, RemoveParityIntent};
use super::plan::{Action, Operation, Plan};
use super::prices::{is_price_action, plan_price_change, PriceChangeIntent};
use super::report::Report;
use super::snapshot::{take, Scope, Snapshot};
use crate::api::GumroadClient;
use crate::error::Error;
use crate::model::ProductId;
use crate::pacing::{ExecOptions, Runner};
use crate::runtime::Clock;
use crate::transport::Transport;

/// The plan for an [`ApplyCodeIntent`] given as JSON. A bad intent is `InvalidInput`
/// before anything is sent; otherwise it reads the products and the codes of the selected
/// ones (of every product for a universal code, whose name must be unique among all).
pub async fn preview_apply_code<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &serde_json::Value,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    let parsed: ApplyCodeIntent = parse_intent(intent)?;
    let valid = parsed.validate()?;
    let runner = Runner::new(client, clock, options);
    let scope = if valid.code.universal {
        Scope::All
    } else {
        Scope::Products(&valid.product_ids)
    };
    let snapshot = take(&runner, scope).await?;
    plan_apply_code(&parsed, &snapshot, clock.now_ms())
}

/// The plan for a [`RemoveCodeIntent`] given as JSON (no product ids = every product).
pub async fn preview_remove_code<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &serde_json::Value,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    let parsed: RemoveCodeIntent = parse_intent(intent)?;
    let valid = parsed.validate()?;
    let runner = Runner::new(client, clock, options);
    let scope = if valid.product_ids.is_empty() {
        Scope::All
    } else {
        Scope::Products(&valid.product_ids)
    };
    let snapshot = take(&runner, scope).await?;
    plan_remove_code(&parsed, &snapshot, clock.now_ms())
}

/// The plan for an [`ApplyParityIntent`] (from `forms::parity_intent`): reads the products
/// and the codes of the selected ones. A bad intent is `InvalidInput` before any request.
pub async fn preview_apply_parity<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &ApplyParityIntent,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    let ids = intent.validate()?;
    let runner = Runner::new(client, clock, options);
    let snapshot = take(&runner, Scope::Products(&ids)).await?;
    plan_apply_parity(intent, &snapshot, clock.now_ms())
}

/// The plan for a [`RemoveParityIntent`] (no product ids = every product).
pub async fn preview_remove_parity<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &RemoveParityIntent,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    intent.validate()?;
    let ids = super::offer_codes::product_ids(&intent.product_ids);
    let runner = Runner::new(client, clock, options);
    let scope = if ids.is_empty() {
        Scope::All
    } else {
        Scope::Products(&ids)
    };
    let snapshot = take(&runner, scope).await?;
    plan_remove_parity(intent, &snapshot, clock.now_ms())
}

/// The plan for a [`PriceChangeIntent`] (from `forms::price_change_intent`, or JSON read
/// with [`parse_price_intent`](super::prices::parse_price_intent)). A bad intent (an empty
/// selection, a percent out of range, a fixed price under the currency's minimum…) is
/// `InvalidInput` before anything is sent; otherwise it reads the products and the codes
/// of the selected ones (to warn where a code would take a new price under the minimum).
pub async fn preview_price_change<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &PriceChangeIntent,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    let valid = intent.validate()?;
    let runner = Runner::new(client, clock, options);
    let snapshot = take(&runner, Scope::Products(&valid.product_ids)).await?;
    plan_price_change(intent, &snapshot, clock.now_ms())
}

/// The inverse plan of a job, from its report, against what is on Gumroad now.
pub async fn preview_undo<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    report: &Report,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    let runner = Runner::new(client, clock, options);
    let ids: Vec<ProductId> = report
        .rows
        .iter()
        .map(|row| row.product_id.clone())
        .collect();
    let scope = if undo_needs_all_products(report) {
        Scope::All
    } else if report.rows.iter().all(|row| is_price_action(&row.action)) {
        Scope::NoCodes
    } else {
        Scope::Products(&ids)
    };
    let snapshot = take(&runner, scope).await?;
    Ok(plan_undo(report, &snapshot, clock.now_ms()))
}

/// Re-plans what is left of a job (`Resume`: steps without a final outcome) or its failed
/// steps (`RetryFailed`), from a fresh read of the targets. Execute the result, then lay
/// its report over the earlier one with [`Report::merged`] (indices line up).
pub async fn replan<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    plan: &Plan,
    report: &Report,
    mode: ReplanMode,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    let targets = replan_targets(plan, report, mode);
    if targets.is_empty() {
        return replan_steps(plan, &targets, &Snapshot::default(), clock.now_ms());
    }
    let ids: Vec<ProductId> = plan
        .steps
        .iter()
        .filter(|s| targets.contains(&s.index))
        .map(|s| s.product_id.clone())
        .collect();
    let universal = match plan.operation {
        Operation::ApplyCode => parse_intent::<ApplyCodeIntent>(&plan.intent)?.universal,
        Operation::RemoveCode
        | Operation::PriceChange
        | Operation::Undo
        | Operation::ApplyParity
        | Operation::RemoveParity => false,
    } || replan_needs_all_products(plan, &targets);
    // Price steps (and an undo's other steps that write no code) are re-planned from the
    // products alone.
    let needs_codes = match plan.operation {
        Operation::PriceChange => false,
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
        | Operation::ApplyParity
        | Operation::RemoveParity => true,
    };
    let runner = Runner::new(client, clock, options);
    let scope = if universal {
        Scope::All
    } else if !needs_codes {
        Scope::NoCodes
    } else {
        Scope::Products(&ids)
    };
    let snapshot = take(&runner, scope).await?;
    replan_steps(plan, &targets, &snapshot, clock.now_ms())
}

/// Every code across every product (reads all products' codes).
pub async fn load_inventory<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    options: &ExecOptions,
) -> Result<Vec<InventoryRow>, Error> {
    let runner = Runner::new(client, clock, options);
    let snapshot = take(&runner, Scope::All).await?;
    Ok(inventory(&snapshot))
}
