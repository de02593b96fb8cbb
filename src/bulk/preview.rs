//! The previews the wasm layer binds: validate an intent (before any request), take the
//! snapshot it needs, and hand it to the pure planner; the same for undo. Re-planning
//! (`replan`) and the inventory (`load_inventory`) read their own snapshots next to their
//! pure code. No writes here, and no `JsValue`.

use super::apply_code::{plan_apply_code, ApplyCodeIntent};
use super::intent::{parse_intent, product_ids};
use super::parity::{plan_apply_parity, plan_remove_parity, ApplyParityIntent, RemoveParityIntent};
use super::plan::Plan;
use super::prices::{plan_price_change, PriceChangeIntent};
use super::remove_code::{plan_remove_code, RemoveCodeIntent};
use super::report::Report;
use super::snapshot::{take, Scope};
use super::undo::{is_price_action, plan_undo, undo_needs_all_products};
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
    let ids = product_ids(&intent.product_ids);
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
