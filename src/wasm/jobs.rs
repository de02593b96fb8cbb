//! The bulk-job exports: previews (form → validated intent → snapshot → plan, from the
//! product list the worker holds when the core judges it fresh), execution with an observer
//! that the service worker uses to checkpoint every step, re-planning for resume and retry,
//! undo, and the code inventory. Plans and reports cross as plain JS objects in the shapes
//! of `bulk::plan` and `bulk::report`. Snapshots read with `bulk::snapshot_options()`.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::{client, from_js, notify_observer, to_js, to_js_error};
use crate::bulk::job::{self, JobState, JobStatus};
use crate::bulk::{
    self, inventory_csv, Control, Event, ExecOptions, Observer, Plan, ReplanMode, Report, ReportRow,
};
use crate::bulk::{JobActivity, ProductList};
use crate::error::Error;
use crate::forms::{
    apply_code_intent, create_codes_intent, price_change_intent, remove_code_intent,
    ApplyCodeForm, CreateCodesForm, PriceChangeForm, RemoveCodeForm,
};
use crate::model::Product;
use crate::runtime::BrowserClock;

/// The product list as the worker passes it to a preview: the picker's `{items, fetchedAt}`
/// as kept, plus `jobs`, the account's job records (`{status, finishedAt}`). Times are ISO
/// 8601 strings (or milliseconds since 1970), `null` when unknown.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListedForm {
    items: Vec<Product>,
    fetched_at: Option<Time>,
    #[serde(default)]
    jobs: Vec<JobForm>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobForm {
    status: String,
    finished_at: Option<Time>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Time {
    Ms(f64),
    Iso(String),
}

impl Time {
    /// Milliseconds since 1970; NaN (never fresh) when unreadable.
    fn ms(&self) -> f64 {
        match self {
            Time::Ms(ms) => *ms,
            Time::Iso(iso) => js_sys::Date::parse(iso),
        }
    }
}

/// A job status as the worker keeps it; one this build does not know counts as running
/// (may be writing), so it makes the list stale rather than the preview fail.
fn status_of(status: &str) -> JobStatus {
    serde_json::from_value(serde_json::Value::String(status.to_owned()))
        .unwrap_or(JobStatus::Running)
}

/// `listed` (see [`ListedForm`]; `null`/`undefined`: none) as the core's [`ProductList`].
/// Whether it may be used is the core's decision, in the preview.
pub(crate) fn product_list(listed: JsValue) -> Result<Option<ProductList>, JsValue> {
    let Some(form) = from_js::<Option<ListedForm>>(listed)? else {
        return Ok(None);
    };
    Ok(Some(ProductList {
        items: form.items,
        fetched_at: form.fetched_at.as_ref().map_or(f64::NAN, Time::ms),
        jobs: form
            .jobs
            .iter()
            .map(|job| JobActivity {
                status: status_of(&job.status),
                finished_at: job.finished_at.as_ref().map(Time::ms),
            })
            .collect(),
    }))
}

/// `previewApplyCode(token, form, listed?, stop?)`: the plan for the "Apply a discount code"
/// form. `listed`: the product list the worker holds (see [`ListedForm`]), used instead of
/// walking the catalogue while the core judges it fresh. Bad input rejects with an
/// `InvalidInput` GumroadError before any request. `stop`: the account's `AbortSignal`
/// (rejects with `Stopped` once it aborts).
#[wasm_bindgen(js_name = previewApplyCode)]
pub async fn preview_apply_code(
    token: JsValue,
    form: JsValue,
    listed: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let form: ApplyCodeForm = from_js(form)?;
    let intent = apply_code_intent(&form).map_err(to_js_error)?;
    let listed = product_list(listed)?;
    let client = client(token, stop)?;
    let plan = bulk::preview_apply_code_with_list(
        &client,
        &BrowserClock,
        &intent,
        listed.as_ref(),
        &bulk::snapshot_options(),
    )
    .await
    .map_err(to_js_error)?;
    to_js(&plan)
}

/// `previewCreateCodes(token, form, listed?, stop?)`: the plan for the "Unique codes" form
/// (a batch of codes from a prefix and a random suffix). `listed` as for
/// `previewApplyCode`. Bad input rejects with an `InvalidInput` GumroadError before any
/// request. `stop`: the account's `AbortSignal`.
#[wasm_bindgen(js_name = previewCreateCodes)]
pub async fn preview_create_codes(
    token: JsValue,
    form: JsValue,
    listed: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let form: CreateCodesForm = from_js(form)?;
    let intent = create_codes_intent(&form).map_err(to_js_error)?;
    let listed = product_list(listed)?;
    let client = client(token, stop)?;
    let plan = bulk::preview_create_codes(
        &client,
        &BrowserClock,
        &intent,
        listed.as_ref(),
        &bulk::snapshot_options(),
    )
    .await
    .map_err(to_js_error)?;
    to_js(&plan)
}

/// `batchCodesCsv(plan, report)`: `{csv, count}` — the codes a batch job made so far
/// (code, product, link with the code applied), for the download offered while it runs and
/// after.
#[wasm_bindgen(js_name = batchCodesCsv)]
pub fn batch_codes_csv(plan: JsValue, report: JsValue) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Codes {
        csv: String,
        count: usize,
    }
    let plan: Plan = from_js(plan)?;
    let report: Report = from_js(report)?;
    let (csv, count) = bulk::batch_codes_csv(&plan, &report);
    to_js(&Codes { csv, count })
}

/// `previewRemoveCode(token, form, listed?, stop?)`: the plan for the "Remove a code" form.
/// `listed` as for `previewApplyCode`. `stop`: the account's `AbortSignal` (rejects with
/// `Stopped` once it aborts).
#[wasm_bindgen(js_name = previewRemoveCode)]
pub async fn preview_remove_code(
    token: JsValue,
    form: JsValue,
    listed: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let form: RemoveCodeForm = from_js(form)?;
    let intent = remove_code_intent(&form).map_err(to_js_error)?;
    let listed = product_list(listed)?;
    let client = client(token, stop)?;
    let plan = bulk::preview_remove_code_with_list(
        &client,
        &BrowserClock,
        &intent,
        listed.as_ref(),
        &bulk::snapshot_options(),
    )
    .await
    .map_err(to_js_error)?;
    to_js(&plan)
}

/// `previewPriceChange(token, form, listed?, stop?)`: the plan for the "Change prices" form
/// (`{mode, amount, currency, rounding, allowFree, onLimit, productIds}`, amounts as
/// typed). `listed` as for `previewApplyCode` (the selected products' prices are read
/// again in any case). Bad input rejects with an `InvalidInput` GumroadError before any
/// request. `stop`: the account's `AbortSignal` (rejects with `Stopped` once it aborts).
#[wasm_bindgen(js_name = previewPriceChange)]
pub async fn preview_price_change(
    token: JsValue,
    form: JsValue,
    listed: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let form: PriceChangeForm = from_js(form)?;
    let intent = price_change_intent(&form).map_err(to_js_error)?;
    let listed = product_list(listed)?;
    let client = client(token, stop)?;
    let plan = bulk::preview_price_change_with_list(
        &client,
        &BrowserClock,
        &intent,
        listed.as_ref(),
        &bulk::snapshot_options(),
    )
    .await
    .map_err(to_js_error)?;
    to_js(&plan)
}

/// `previewUndo(token, report, purpose, stop?)`: the inverse plan of a finished job;
/// `purpose` `"endTime"` titles it as the removal the job's end time runs (anything else,
/// `undefined` too: an undo). `stop`: the account's `AbortSignal` (rejects with `Stopped` once it aborts).
#[wasm_bindgen(js_name = previewUndo)]
pub async fn preview_undo(
    token: JsValue,
    report: JsValue,
    purpose: Option<String>,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let report: Report = from_js(report)?;
    let client = client(token, stop)?;
    let mut plan = bulk::preview_undo(&client, &BrowserClock, &report, &bulk::snapshot_options())
        .await
        .map_err(to_js_error)?;
    if purpose.as_deref() == Some("endTime") {
        plan.title = bulk::undo::end_time_title(&report);
    }
    to_js(&plan)
}

/// `replan(token, plan, report, mode, stop?)`: what is left of a job (`"resume"`) or its
/// failed steps (`"retryFailed"`), re-planned from a fresh read of the targets.
/// `stop`: the account's `AbortSignal` (rejects with `Stopped` once it aborts).
#[wasm_bindgen]
pub async fn replan(
    token: JsValue,
    plan: JsValue,
    report: JsValue,
    mode: String,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let plan: Plan = from_js(plan)?;
    let report: Report = from_js(report)?;
    let mode = match mode.as_str() {
        "resume" => ReplanMode::Resume,
        "retryFailed" => ReplanMode::RetryFailed,
        other => {
            return Err(to_js_error(Error::invalid_input(format!(
                "Unknown re-plan mode '{other}'."
            ))))
        }
    };
    let client = client(token, stop)?;
    let plan = bulk::replan(
        &client,
        &BrowserClock,
        &plan,
        &report,
        mode,
        &bulk::snapshot_options(),
    )
    .await
    .map_err(to_js_error)?;
    to_js(&plan)
}

/// `executePlan(token, plan, onEvent, stop?)`: runs a confirmed plan. `onEvent(event)` is
/// awaited after every step (the worker checkpoints there) and may resolve to `"cancel"`.
/// `stop`: the account's `AbortSignal`; once it aborts the run stops as for a refused
/// token — the report resolves with `error` of kind `Stopped`, the steps not started
/// `notRun` ("Not run: the account was disconnected."), a write that was on its way
/// `unknown`.
#[wasm_bindgen(js_name = executePlan)]
pub async fn execute_plan(
    token: JsValue,
    plan: JsValue,
    on_event: js_sys::Function,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let plan: Plan = from_js(plan)?;
    let client = client(token, stop)?;
    let observer = JsObserver { on_event };
    let report = bulk::execute(
        &client,
        &BrowserClock,
        &plan,
        &ExecOptions::default(),
        &observer,
    )
    .await
    .map_err(to_js_error)?;
    to_js(&report)
}

/// `loadInventory(token, jobs?, stop?)`: `{rows, csv, campaigns}` — every code across every
/// product, and the campaign view: codes by prefix, and the batches among `jobs` (the
/// account's kept jobs, `[{id, report}]`; `null`/`undefined`: none) with what became of
/// their codes. `stop`: the account's `AbortSignal` (rejects with `Stopped` once it aborts).
#[wasm_bindgen(js_name = loadInventory)]
pub async fn load_inventory(
    token: JsValue,
    jobs: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Inventory {
        rows: Vec<bulk::InventoryRow>,
        csv: String,
        campaigns: bulk::Campaigns,
    }
    let jobs: Vec<bulk::KeptJob> = from_js::<Option<_>>(jobs)?.unwrap_or_default();
    let client = client(token, stop)?;
    let rows = bulk::load_inventory(&client, &BrowserClock, &bulk::snapshot_options())
        .await
        .map_err(to_js_error)?;
    let csv = inventory_csv(&rows);
    let campaigns = bulk::campaigns(&rows, &jobs);
    to_js(&Inventory {
        rows,
        csv,
        campaigns,
    })
}

/// `previewCleanUpCodes(token, intent, listed?, stop?)`: the plan that removes used-up
/// codes or a batch's codes — `{criterion: "usedUp"|"batch"|"unusedFor", batch?: {jobId,
/// title, createdAt, codes: [{code, productId, offerCodeId}]}, days?, productIds}` (a
/// batch as `loadInventory`'s campaigns give it). `listed` as for `previewApplyCode`. Bad
/// input rejects with an `InvalidInput` GumroadError before any request.
#[wasm_bindgen(js_name = previewCleanUpCodes)]
pub async fn preview_clean_up_codes(
    token: JsValue,
    intent: JsValue,
    listed: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let intent: serde_json::Value = from_js(intent)?;
    let listed = product_list(listed)?;
    let client = client(token, stop)?;
    let plan = bulk::preview_clean_up_codes(
        &client,
        &BrowserClock,
        &intent,
        listed.as_ref(),
        &bulk::snapshot_options(),
    )
    .await
    .map_err(to_js_error)?;
    to_js(&plan)
}

/// Hands each engine event to a JS callback and waits for its promise (the checkpoint).
struct JsObserver {
    on_event: js_sys::Function,
}

impl Observer for JsObserver {
    async fn on_event(&self, event: &Event) -> Control {
        notify_observer(&self.on_event, event).await
    }
}

/// `interruptedRows(plan, inFlight, recorded)`: the rows of the steps in `inFlight` (step
/// indices) that have no row among `recorded` (indices): `unknown`, since their requests
/// were on the way when the worker running the job stopped.
#[wasm_bindgen(js_name = interruptedRows)]
pub fn interrupted_rows(
    plan: JsValue,
    in_flight: JsValue,
    recorded: JsValue,
) -> Result<JsValue, JsValue> {
    let plan: Plan = from_js(plan)?;
    let in_flight: Vec<usize> = from_js(in_flight)?;
    let recorded: Vec<usize> = from_js(recorded)?;
    to_js(&job::interrupted_rows(&plan, &in_flight, &recorded))
}

/// `jobReport(plan, rows, {status, error, startedAt, finishedAt})`: the report of a job
/// from its plan and the rows its runs saved (one row per step; `notRun` where none).
#[wasm_bindgen(js_name = jobReport)]
pub fn job_report(plan: JsValue, rows: JsValue, state: JsValue) -> Result<JsValue, JsValue> {
    let plan: Plan = from_js(plan)?;
    let rows: Vec<ReportRow> = from_js(rows)?;
    let state: JobState = from_js(state)?;
    to_js(&job::job_report(&plan, rows, &state))
}

/// `summarizeJob(report, status, hasEndTime)`: what the finished job's history line says
/// and offers — `{counts, countsText, canUndo, canRetry, keepsEndTime}`.
#[wasm_bindgen(js_name = summarizeJob)]
pub fn summarize_job(
    report: JsValue,
    status: JsValue,
    has_end_time: bool,
) -> Result<JsValue, JsValue> {
    let report: Report = from_js(report)?;
    let status: JobStatus = from_js(status)?;
    to_js(&job::summarize(&report, status, has_end_time))
}

/// `checkEndTime(endAt)`: throws an `InvalidInput` GumroadError unless `endAt` (an ISO 8601
/// date and time) is in the future.
#[wasm_bindgen(js_name = checkEndTime)]
pub fn check_end_time(end_at: &str) -> Result<(), JsValue> {
    job::check_end_time(js_sys::Date::parse(end_at), js_sys::Date::now()).map_err(to_js_error)
}
