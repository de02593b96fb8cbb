//! Bulk operations: intent → snapshot → pure plan → preview → execute → report. Owns the
//! job data ([`Plan`], [`Event`], [`Report`]), the planners and the engine; the pacing
//! policy is [`pacing`](crate::pacing)'s. Talks to Gumroad only through
//! [`GumroadClient`](crate::GumroadClient) and waits only through a
//! [`Clock`](crate::runtime::Clock); no `JsValue` here (the wasm layer binds the entry
//! points below).
//!
//! Modules (each imports only the ones listed before it, and the layers below `bulk`):
//! - [`plan`]: `Plan`, `Step`, `Action` (create, delete, replace, update, skip, conflict,
//!   verified; createUnique; updatePrice, verifiedPrice, updateOptionPrice), `PriceTotal`; serde shapes
//!   for JS.
//! - [`report`]: `Outcome`, `Event` + `Progress`, `Report`.
//! - [`job`]: a job between runs — its report from the rows it saved, the steps a stopped
//!   worker left in flight, what a finished job offers, end-time checks.
//! - [`snapshot`]: the read-only stage (`Snapshot`: products + codes per product), read
//!   with the catalogue walk and the code reads overlapping, or from a fresh `ProductList`.
//! - [`intent`]: what every intent shares — `parse_intent`, whole numbers, product ids.
//! - `steps`: per-product steps (`product_step`, `missing_step`, `skip`,
//!   `steps_for_products`); `reconcile`: a fresh step against what the step meant to do.
//! - [`repricing`]: the price arithmetic — change, rounding per currency, limits (pure).
//! - [`option_prices`]: options in a price change — kept or scaled by the percent, their
//!   steps, re-plan, undo and notes; tiered memberships' edit page. Its writes are
//!   `option_writes` (the variant ids looked up by category title and option name).
//! - One file per operation, each with its intent, validation, pure planner, notes and the
//!   re-plan of its steps: [`apply_code`] (`plan_apply_code`; `decide` inside it chooses
//!   per product), [`remove_code`] (`plan_remove_code`), [`prices`] (`plan_price_change`),
//!   [`parity`] (`plan_apply_parity` — one `plan_apply_code` per code and percent, under
//!   the seller's minimum policy — and `plan_remove_parity`).
//! - [`create_codes`] (`plan_create_codes`: a batch of unique codes, prefix + random
//!   suffix, on one product or universal; `batch_codes_csv`: the codes a job made).
//! - [`listings`] (`plan_edit_listings`: tags, summary, find and replace, added text,
//!   category, suggestions), over `listing_edits` (each edit on one product),
//!   `listing_text` (added blocks, a description's opening), [`listing_fields`] (a
//!   step's fields, how a product compares with them, their display) and [`word_diff`];
//!   its writes are `listing_writes`.
//! - [`undo`]: `plan_undo`, the inverse of every operation (prices included).
//! - [`replan`](mod@replan): `ReplanMode`, `replan_targets`, `replan_steps` and the async `replan` —
//!   the one dispatch on `Operation` for re-planning.
//! - [`inventory`](mod@inventory): every code across products (uses per product and in
//!   total, limit, used up, campaign prefix), its CSV, `load_inventory`;
//!   [`campaigns`](mod@campaigns): the codes by prefix and by the batch job that created
//!   them (used, unused, removed); [`clean_up`]: removing used-up codes or a batch's codes
//!   in one job.
//! - `preview`: the async previews re-exported here (each also `_with_list`: from the
//!   product list the extension holds, when it is fresh).
//! - `writes` (what each action sends) and [`engine`] (`execute`, `Observer`) run a plan
//!   through [`pacing`](crate::pacing) (`ExecOptions`, `Control`, re-exported here).
//!
//! Adding an operation (say, variant edits): a new planner file here, one arm in
//! `replan::replan_steps` (and in `replan`'s scope choice), its inverse in `undo`, its
//! `Operation` variant and actions in `plan` (and their writes in `writes` if new), a
//! preview in `preview` — plus its wasm export and panel.
//!
//! Recipes (all async; `client: &GumroadClient<T>`, `clock: &impl Clock`,
//! `options: &ExecOptions` — `ExecOptions::default()` is 4 → 8 in flight):
//! - **Apply a code**: `let plan = preview_apply_code(client, clock, &intent_json, options)?`
//!   (an `InvalidInput` error means nothing was sent); show `plan.steps`, `plan.summary`,
//!   `plan.notes`; on confirm `execute(client, clock, &plan, options, &observer)` → `Report`.
//! - **Remove a code**: the same with `preview_remove_code` (`productIds: []` = every
//!   product).
//! - **Change prices**: `preview_price_change(client, clock, &intent, options)` with a
//!   `PriceChangeIntent` (from `forms::price_change_intent`, or JSON such as
//!   `{"productIds": […], "change": {"percent": 10}, "rounding": "charm99",
//!   "allowFree": false, "onLimit": "clamp", "options": "scale"}` read with
//!   `prices::parse_price_intent`; `options` absent keeps the options' differences), then
//!   `execute` as above. Undo, resume and retry work as for codes.
//! - **Parity codes**: `preview_apply_parity(client, clock, &intent, options)` with an
//!   `ApplyParityIntent` from `forms::parity_intent`; `preview_remove_parity` with a
//!   `RemoveParityIntent` (`productIds: []` = every product). Execute, undo, resume and
//!   retry as for one code.
//! - **Edit listings**: `preview_edit_listings(client, clock, &intent, options)` with an
//!   `EditListingsIntent` (JSON such as `{"productIds": […], "edit": {"kind": "tags",
//!   "mode": "add", "tags": "procreate, brushes"}}` read with `parse_listings_intent`);
//!   each step's `changes` shows before → after. Execute, undo, resume and retry as for
//!   prices; every write is read back from Gumroad's answer.
//! - **Undo a job**: `preview_undo(client, clock, &report, options)` → a plan like any
//!   other (preview, then `execute`).
//! - **Resume an interrupted job**: `job::job_report(&plan, saved_rows, &state)` (a step
//!   without a row is `notRun`), `replan(client, clock, &plan, &partial, ReplanMode::Resume,
//!   options)`, `execute` it, then `job_report` again over the earlier rows and the new.
//! - **Retry failed**: the same with `ReplanMode::RetryFailed` on the finished report.
//! - **Inventory**: `load_inventory(client, clock, options)` → rows; `inventory_csv(&rows)`;
//!   `campaigns(&rows, &kept_jobs)` for the campaign view.
//! - **Clean up codes**: `preview_clean_up_codes(client, clock, &intent, options)` with a
//!   `CleanUpCodesIntent` (`{"criterion": "usedUp"}`, or `"batch"` / `"unusedFor"` with
//!   `"batch": {jobId, createdAt, codes: [{code, productId, offerCodeId}]}` and `"days"`);
//!   execute, undo, resume and retry as for one code.

pub mod apply_code;
pub mod create_codes;
pub mod campaigns;
pub mod clean_up;
pub mod engine;
pub mod intent;
pub mod inventory;
pub mod job;
mod listing_edits;
pub mod listing_fields;
mod listing_text;
mod listing_writes;
pub mod listings;
pub mod option_prices;
mod option_writes;
pub mod parity;
pub mod plan;
mod preview;
pub mod prices;
mod reconcile;
pub mod remove_code;
pub mod replan;
pub mod report;
pub mod repricing;
pub mod snapshot;
mod steps;
pub mod undo;
pub mod word_diff;
mod writes;

pub use crate::pacing::{Control, ExecOptions};
pub use apply_code::{plan_apply_code, ApplyCodeIntent, DiscountInput, OnConflict};
pub use create_codes::{batch_codes_csv, plan_create_codes, CreateCodesIntent};
pub use campaigns::{campaigns, Campaigns, KeptJob};
pub use clean_up::{plan_clean_up_codes, CleanUpCodesIntent};
pub use engine::{execute, Observer};
pub use inventory::{inventory, inventory_csv, load_inventory, InventoryRow};
pub use listing_fields::{FieldChange, ListingFields};
pub use listings::{parse_listings_intent, plan_edit_listings, Edit, EditListingsIntent};
pub use parity::{
    apply_intent, plan_apply_parity, plan_remove_parity, ApplyParityIntent, ParityApply,
    ParityPlanIntent, RemoveParityIntent, NOT_GEO_LOCKED_NOTE,
};
pub use plan::{Action, Change, Operation, Plan, PlanSummary, PriceTotal, Step};
pub use preview::preview_clean_up_codes;
pub use preview::{
    preview_apply_code, preview_apply_code_with_list, preview_apply_parity, preview_create_codes,
    preview_apply_parity_with_list, preview_edit_listings, preview_edit_listings_with_list,
    preview_price_change, preview_price_change_with_list, preview_remove_code,
    preview_remove_code_with_list, preview_remove_parity, preview_remove_parity_with_list,
    preview_undo,
};
pub use prices::{plan_price_change, ChangeInput, PriceChangeIntent};
pub use remove_code::{plan_remove_code, RemoveCodeIntent};
pub use replan::{replan, replan_steps, ReplanMode};
pub use report::{Event, EventKind, Outcome, Progress, Report, ReportRow, ReportSummary, Status};
pub use repricing::{OnLimit, PriceChange, Rounding};
pub use snapshot::{snapshot_options, JobActivity, ProductList, Snapshot};
pub use undo::plan_undo;
pub use word_diff::{DiffKind, DiffPart};

#[cfg(test)]
mod tests;
