//! The previews the wasm layer binds: validate an intent (before any request), take the
//! snapshot it needs, and hand it to the pure planner; the same for undo. Each preview
//! (undo aside) also comes `_with_list`: given the product list the extension holds, it
//! decides here, per operation, whether that list may stand in for a walk of the
//! catalogue (see [`list_catalogue`]). Re-planning (`replan`) and the inventory
//! (`load_inventory`) read their own snapshots next to their pure code. No writes here,
//! and no `JsValue`.

use super::apply_code::{plan_apply_code, ApplyCodeIntent};
use super::clean_up::{plan_clean_up_codes, products_to_read, CleanUpCodesIntent};
use super::create_codes::{plan_create_codes, secure_random, CreateCodesIntent};
use super::intent::{parse_intent, product_ids};
use super::listings::{is_listing_action, plan_edit_listings, Edit, EditListingsIntent};
use super::parity::{plan_apply_parity, plan_remove_parity, ApplyParityIntent, RemoveParityIntent};
use super::plan::Plan;
use super::prices::{plan_price_change, PriceChangeIntent};
use super::remove_code::{plan_remove_code, RemoveCodeIntent};
use super::report::Report;
use super::snapshot::{reread_beats_walk, take, take_from, Catalogue, ProductList, Scope};
use super::undo::{is_price_action, plan_undo, undo_needs_all_products};
use crate::api::GumroadClient;
use crate::error::{Error, ErrorKind};
use crate::model::{Product, ProductId};
use crate::pacing::{ExecOptions, Runner};
use crate::runtime::Clock;
use crate::transport::Transport;

/// How an operation's plan may use a fresh product list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListUse {
    /// As it is: the plan's writes do not carry a price as read (a code's create is checked
    /// by Gumroad against the price the product has then; a removal is by code id).
    AsListed,
    /// Only with each product in scope read again: the plan's writes carry the price as
    /// read (a new price computed from the old one, a parity percent clamped by it).
    Reread,
}

/// The catalogue a preview reads from: `listed` when it is fresh at `now_ms`
/// ([`ProductList::is_fresh`]) and `list_use` allows it for `scope` (re-reading only a
/// selection, and only while that is quicker than the walk: [`reread_beats_walk`]), else
/// a walk.
fn list_catalogue<'a>(
    listed: Option<&'a ProductList>,
    now_ms: f64,
    list_use: ListUse,
    scope: Scope<'_>,
    options: &ExecOptions,
) -> Catalogue<'a> {
    let Some(list) = listed.filter(|list| list.is_fresh(now_ms)) else {
        return Catalogue::Walk;
    };
    let items: &'a [Product] = &list.items;
    match (list_use, scope) {
        (ListUse::AsListed, _) => Catalogue::Listed(items),
        (ListUse::Reread, Scope::Products(ids) | Scope::ProductsOnly(ids))
            if reread_beats_walk(ids.len(), items.len(), options.sanitized().max_concurrency) =>
        {
            Catalogue::Reread(items)
        }
        (ListUse::Reread, _) => Catalogue::Walk,
    }
}

/// The plan for an [`ApplyCodeIntent`] given as JSON. A bad intent is `InvalidInput`
/// before anything is sent; otherwise it reads the products and the codes of the selected
/// ones (of every product for a universal code, whose name must be unique among all).
pub async fn preview_apply_code<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &serde_json::Value,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    preview_apply_code_with_list(client, clock, intent, None, options).await
}

/// [`preview_apply_code`] from `listed` when it is fresh, taken as it is (the codes are
/// read in any case, and Gumroad checks each create against the product's price then).
pub async fn preview_apply_code_with_list<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &serde_json::Value,
    listed: Option<&ProductList>,
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
    let catalogue = list_catalogue(listed, clock.now_ms(), ListUse::AsListed, scope, options);
    let snapshot = take_from(&runner, scope, catalogue).await?;
    plan_apply_code(&parsed, &snapshot, clock.now_ms())
}

/// The plan for a [`RemoveCodeIntent`] given as JSON (no product ids = every product).
pub async fn preview_remove_code<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &serde_json::Value,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    preview_remove_code_with_list(client, clock, intent, None, options).await
}

/// [`preview_remove_code`] from `listed` when it is fresh, taken as it is (codes are
/// removed by the ids read now).
pub async fn preview_remove_code_with_list<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &serde_json::Value,
    listed: Option<&ProductList>,
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
    let catalogue = list_catalogue(listed, clock.now_ms(), ListUse::AsListed, scope, options);
    let snapshot = take_from(&runner, scope, catalogue).await?;
    plan_remove_code(&parsed, &snapshot, clock.now_ms())
}

/// The plan for a batch of unique codes ([`CreateCodesIntent`] as JSON): reads the
/// products and the codes every new name must differ from (the chosen product's, or every
/// product's for universal codes), then draws the names from the platform's secure
/// generator. A bad intent is `InvalidInput` before any request.
pub async fn preview_create_codes<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &serde_json::Value,
    listed: Option<&ProductList>,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    let parsed: CreateCodesIntent = parse_intent(intent)?;
    let valid = parsed.validate()?;
    // Make sure the generator works before anything is read.
    secure_random(&mut [0u8; 1])?;
    let runner = Runner::new(client, clock, options);
    let ids: Vec<ProductId> = valid.product_id.iter().cloned().collect();
    let scope = if ids.is_empty() {
        Scope::All
    } else {
        Scope::Products(&ids)
    };
    let catalogue = list_catalogue(listed, clock.now_ms(), ListUse::AsListed, scope, options);
    let snapshot = take_from(&runner, scope, catalogue).await?;
    let mut random = |bytes: &mut [u8]| {
        // Checked above; a generator that stops working midway leaves zeros, which the
        // planner's redraw budget turns into a clear refusal.
        let _ = secure_random(bytes);
    };
    plan_create_codes(
        &parsed,
        &snapshot,
        clock.now_ms(),
        options.sanitized().max_concurrency,
        &mut random,
    )
}

/// The plan for a clean-up of codes ([`CleanUpCodesIntent`], as JSON): reads the codes of
/// the selected products, of a batch's products, or of every product.
pub async fn preview_clean_up_codes<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &serde_json::Value,
    listed: Option<&ProductList>,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    let parsed: CleanUpCodesIntent = parse_intent(intent)?;
    // Checked before any request.
    plan_clean_up_codes(&parsed, &Default::default(), clock.now_ms())?;
    let runner = Runner::new(client, clock, options);
    let ids = products_to_read(&parsed);
    let scope = ids.as_deref().map_or(Scope::All, Scope::Products);
    let catalogue = list_catalogue(listed, clock.now_ms(), ListUse::AsListed, scope, options);
    let snapshot = take_from(&runner, scope, catalogue).await?;
    plan_clean_up_codes(&parsed, &snapshot, clock.now_ms())
}

/// The plan for an [`ApplyParityIntent`] (from `forms::parity_intent`): reads the products
/// and the codes of the selected ones. A bad intent is `InvalidInput` before any request.
pub async fn preview_apply_parity<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &ApplyParityIntent,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    preview_apply_parity_with_list(client, clock, intent, None, options).await
}

/// [`preview_apply_parity`] from `listed` when it is fresh, with the selected products read
/// again: each product's percent is clamped by its price, and that percent is what the
/// code is created with.
pub async fn preview_apply_parity_with_list<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &ApplyParityIntent,
    listed: Option<&ProductList>,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    let ids = intent.validate()?;
    let runner = Runner::new(client, clock, options);
    let scope = Scope::Products(&ids);
    let catalogue = list_catalogue(listed, clock.now_ms(), ListUse::Reread, scope, options);
    let snapshot = take_from(&runner, scope, catalogue).await?;
    plan_apply_parity(intent, &snapshot, clock.now_ms())
}

/// The plan for a [`RemoveParityIntent`] (no product ids = every product).
pub async fn preview_remove_parity<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &RemoveParityIntent,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    preview_remove_parity_with_list(client, clock, intent, None, options).await
}

/// [`preview_remove_parity`] from `listed` when it is fresh, taken as it is (codes are
/// removed by the ids read now).
pub async fn preview_remove_parity_with_list<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &RemoveParityIntent,
    listed: Option<&ProductList>,
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
    let catalogue = list_catalogue(listed, clock.now_ms(), ListUse::AsListed, scope, options);
    let snapshot = take_from(&runner, scope, catalogue).await?;
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
    preview_price_change_with_list(client, clock, intent, None, options).await
}

/// [`preview_price_change`] from `listed` when it is fresh, with the selected products read
/// again: the job sends the new price computed from the price read here, and does not
/// check the old one before its `PUT`, so a cached price must never be that price.
pub async fn preview_price_change_with_list<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &PriceChangeIntent,
    listed: Option<&ProductList>,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    let valid = intent.validate()?;
    let runner = Runner::new(client, clock, options);
    let scope = Scope::Products(&valid.product_ids);
    let catalogue = list_catalogue(listed, clock.now_ms(), ListUse::Reread, scope, options);
    let snapshot = take_from(&runner, scope, catalogue).await?;
    plan_price_change(intent, &snapshot, clock.now_ms())
}

/// The plan for an [`EditListingsIntent`] (JSON read with
/// [`parse_listings_intent`](super::listings::parse_listings_intent)). A bad intent is
/// `InvalidInput` before anything is sent; a category edit then reads Gumroad's categories
/// (`GET /v2/categories`) and refuses an id not among them; then it reads the selected
/// products (not their codes: a listing edit writes none).
pub async fn preview_edit_listings<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &EditListingsIntent,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    preview_edit_listings_with_list(client, clock, intent, None, options).await
}

/// [`preview_edit_listings`] from `listed` when it is fresh, with the selected products
/// read again: each step carries the fields as read (a whole tag list, a whole
/// description) and the write sends the new ones in full, so a cached listing must never
/// be what an edit starts from.
pub async fn preview_edit_listings_with_list<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    intent: &EditListingsIntent,
    listed: Option<&ProductList>,
    options: &ExecOptions,
) -> Result<Plan, Error> {
    let valid = intent.validate(None)?;
    let runner = Runner::new(client, clock, options);
    let categories = if matches!(intent.edit, Edit::Category { .. }) {
        runner
            .read(|| client.categories())
            .await
            .map_err(|error| match error.kind() {
                // Older API versions have no categories endpoint (additions §2).
                ErrorKind::NotFound => Error::invalid_input(
                    "Gumroad did not list its categories for this account, so a category cannot be checked or set here; nothing was sent.",
                ),
                _ => error,
            })?
    } else {
        Vec::new()
    };
    let scope = Scope::ProductsOnly(&valid.product_ids);
    let catalogue = list_catalogue(listed, clock.now_ms(), ListUse::Reread, scope, options);
    let snapshot = take_from(&runner, scope, catalogue).await?;
    plan_edit_listings(intent, &snapshot, &categories, clock.now_ms())
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
    } else if report
        .rows
        .iter()
        .all(|row| is_price_action(&row.action) || is_listing_action(&row.action))
    {
        Scope::NoCodes
    } else {
        Scope::Products(&ids)
    };
    let snapshot = take(&runner, scope).await?;
    Ok(plan_undo(report, &snapshot, clock.now_ms()))
}
