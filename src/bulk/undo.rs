//! Undo of every operation, from a job's report: the inverse plan ([`plan_undo`]) deletes
//! exactly the codes the job created, recreates the ones it deleted, and puts updated
//! codes and changed prices back where they are still what the job left; and the re-plan
//! of an undo step against its own desired state. A new operation adds its inverse here,
//! next to the others, not in its planner file. Pure: a function of (report, [`Snapshot`]).

use super::apply_code::{apply_on_product, apply_universal, OnConflict, ValidApply};
use super::listing_fields::{describe_now, Field};
use super::listings::{is_listing_action, listing_sides, reconcile_listing};
use super::option_prices::{is_option_action, replan_option_step, undo_notes, undo_option_step};
use super::plan::{Action, Change, Operation, Plan, Step};
use super::prices::reconcile_price;
use super::reconcile::reconcile;
use super::report::{Report, ReportRow, Status};
use super::snapshot::Snapshot;
use super::steps::{missing_step, product_step, skip};
use crate::model::{is_created_code, Discount, NewOfferCode, OfferCode, Product, ProductId};
use crate::money::{find_currency, format_price};
use crate::wording::count;

/// True when undoing `report` touches a universal code (its snapshot must then cover every
/// product: a universal code's name is checked against all of them).
pub fn undo_needs_all_products(report: &Report) -> bool {
    report.rows.iter().any(|row| {
        let outcome = &row.outcome;
        let unknown_universal = outcome.status == Status::Unknown
            && match &row.action {
                Action::Create { code }
                | Action::CreateUnique { code, .. }
                | Action::Replace { code, .. } => code.universal,
                Action::Delete { offer_code } => offer_code.universal,
                _ => false,
            };
        unknown_universal
            || outcome
                .created_offer_code
                .iter()
                .chain(&outcome.deleted_offer_code)
                .any(|c| c.universal)
    })
}

/// The inverse of a finished (or partly finished) job, from its report: delete exactly the
/// codes it created (skipping ones already gone), recreate the codes it deleted with the
/// same terms (use counts restart), put updated codes back, and put changed prices back
/// where they are still what the job set (the price steps below).
/// The title of the plan that removes what `report`'s job created when its end time comes.
pub fn end_time_title(report: &Report) -> String {
    format!("End time: {}", job_title(report))
}

/// The title of `report`'s job; reports kept before jobs had titles get a generic one.
fn job_title(report: &Report) -> &str {
    if report.title.is_empty() {
        "an earlier job"
    } else {
        &report.title
    }
}

pub fn plan_undo(report: &Report, snapshot: &Snapshot, created_at: f64) -> Plan {
    let mut steps = Vec::new();
    let mut rows: Vec<&ReportRow> = report.rows.iter().collect();
    rows.sort_by_key(|row| row.index);
    for row in rows {
        let index = steps.len();
        if is_option_action(&row.action) {
            steps.extend(undo_option_step(index, row, snapshot));
            continue;
        }
        if is_price_action(&row.action) {
            steps.extend(undo_price_step(index, row, snapshot));
            continue;
        }
        if is_listing_action(&row.action) {
            steps.extend(undo_listing_step(index, row, snapshot));
            continue;
        }
        let effects = effects(row, snapshot);
        let Some(action) = undo_action(&effects, &row.product_id, snapshot) else {
            continue;
        };
        steps.push(match snapshot.product(&row.product_id) {
            Some(product) => product_step(index, product, action),
            None => missing_step(index, &row.product_id),
        });
    }
    let mut notes = price_undo_notes(&steps);
    notes.extend(undo_notes(&steps));
    notes.extend(listing_undo_notes(&steps));
    let deletes = steps
        .iter()
        .filter(|s| matches!(s.action, Action::Delete { .. }))
        .count();
    let recreates = steps
        .iter()
        .filter(|s| matches!(s.action, Action::Create { .. } | Action::Replace { .. }))
        .count();
    if deletes > 0 {
        notes.push(format!(
            "Deletes the {} this job created, and nothing else.",
            count(deletes, "code")
        ));
    }
    if recreates > 0 {
        notes.push(format!(
            "Recreates {} this job deleted, with the same terms; their use counts restart at 0.",
            count(recreates, "code")
        ));
    }
    if steps.is_empty() {
        notes.push("This job changed nothing that can be undone.".to_owned());
    }
    Plan::new(
        Operation::Undo,
        format!("Undo: {}", job_title(report)),
        serde_json::json!({"undoOf": {"operation": report.operation, "startedAt": report.started_at}}),
        steps,
        notes,
        created_at,
    )
}

/// The effects a report row had: the codes it created and deleted, and an in-place update
/// (before, after).
struct Effects {
    created: Option<OfferCode>,
    deleted: Option<OfferCode>,
    updated: Option<(OfferCode, OfferCode)>,
}

/// What `row` changed. A row whose outcome is `unknown` is settled against `snapshot` the
/// way the engine settles a lost answer: the code it meant to create is there now (the plan
/// only creates where it was not), or the code it meant to delete is gone.
fn effects(row: &ReportRow, snapshot: &Snapshot) -> Effects {
    let codes = snapshot.codes_of(&row.product_id);
    let present = |code: &OfferCode| codes.iter().any(|c| c.id == code.id);
    let found = |new: &NewOfferCode| {
        if new.universal {
            snapshot
                .all_codes()
                .into_iter()
                .find(|c| is_created_code(c, new))
                .cloned()
        } else {
            codes.iter().find(|c| is_created_code(c, new)).cloned()
        }
    };
    if row.outcome.status == Status::Unknown {
        let (created, deleted, updated) = match &row.action {
            Action::Create { code } | Action::CreateUnique { code, .. } => {
                (found(code), None, None)
            }
            Action::Replace { existing, code } => (
                found(code),
                (!present(existing)).then(|| existing.clone()),
                None,
            ),
            Action::Delete { offer_code } => (
                None,
                (!present(offer_code)).then(|| offer_code.clone()),
                None,
            ),
            Action::Update { before, after } => {
                let done = codes.iter().any(|c| {
                    c.id == after.id
                        && c.max_purchase_count == after.max_purchase_count
                        && c.minimum_amount_cents == after.minimum_amount_cents
                });
                (None, None, done.then(|| (before.clone(), after.clone())))
            }
            _ => (None, None, None),
        };
        return Effects {
            created,
            deleted,
            updated,
        };
    }
    let updated = match (&row.action, row.outcome.status) {
        (Action::Update { before, after }, Status::Applied) => {
            Some((before.clone(), after.clone()))
        }
        (
            Action::Verified {
                change: Change::Updated,
                offer_code,
                previous: Some(before),
            },
            Status::Applied,
        ) => Some((before.clone(), offer_code.clone())),
        _ => None,
    };
    Effects {
        created: row.outcome.created_offer_code.clone(),
        deleted: row.outcome.deleted_offer_code.clone(),
        updated,
    }
}

fn undo_action(effects: &Effects, product_id: &ProductId, snapshot: &Snapshot) -> Option<Action> {
    let codes = snapshot.codes_of(product_id);
    let current = |code: &OfferCode| codes.iter().find(|c| c.id == code.id).cloned();
    if let Some((before, after)) = &effects.updated {
        return Some(match current(after) {
            None => skip(format!("{} is gone; nothing to put back.", after.name)),
            Some(now)
                if now.max_purchase_count == before.max_purchase_count
                    && now.minimum_amount_cents == before.minimum_amount_cents =>
            {
                Action::Skip {
                    reason: format!("{} already has its old terms.", now.name),
                    existing: Some(now),
                }
            }
            Some(now) => Action::Update {
                after: OfferCode {
                    max_purchase_count: before.max_purchase_count,
                    minimum_amount_cents: before.minimum_amount_cents,
                    ..now.clone()
                },
                before: now,
            },
        });
    }
    match (&effects.created, &effects.deleted) {
        (Some(created), deleted) => match (current(created), deleted) {
            (Some(now), Some(old)) => Some(Action::Replace {
                existing: now,
                code: recreation_of(old),
            }),
            (Some(now), None) => Some(Action::Delete { offer_code: now }),
            (None, Some(old)) => Some(recreate(old, product_id, snapshot)),
            (None, None) => Some(skip(format!("{} is already gone.", created.name))),
        },
        (None, Some(old)) => Some(recreate(old, product_id, snapshot)),
        (None, None) => None,
    }
}

/// Creating `old` again on `product_id`, unless it (or a clash) is there now.
fn recreate(old: &OfferCode, product_id: &ProductId, snapshot: &Snapshot) -> Action {
    let new = recreation_of(old);
    let currency = snapshot
        .product(product_id)
        .filter(|_| matches!(new.discount, Discount::Fixed { .. }))
        .and_then(|p| find_currency(&p.currency));
    let valid = ValidApply {
        code: new,
        currency,
        minimum_currency: None,
        product_ids: vec![product_id.clone()],
        on_conflict: OnConflict::Skip,
    };
    match snapshot.product(product_id) {
        None => skip("This product is no longer on Gumroad (deleted?)."),
        Some(product) if valid.code.universal => {
            back_already(apply_universal(&valid, snapshot, product))
        }
        Some(product) => back_already(apply_on_product(
            &valid,
            product,
            snapshot.codes_of(product_id),
        )),
    }
}

/// A re-creation that finds the same code with the same terms says it is back already.
fn back_already(action: Action) -> Action {
    match action {
        Action::Skip {
            existing: Some(existing),
            ..
        } => Action::Skip {
            reason: format!("{} is back already, with the same terms.", existing.name),
            existing: Some(existing),
        },
        other => other,
    }
}

/// What a code that existed looks like as a code to create again.
pub fn recreation_of(code: &OfferCode) -> NewOfferCode {
    NewOfferCode {
        name: code.name.clone(),
        discount: code.discount,
        max_purchase_count: code
            .max_purchase_count
            .and_then(|max| u32::try_from(max).ok()),
        minimum_amount_cents: code.minimum_amount_cents,
        universal: code.universal,
    }
}

// ---------------------------------------------------------------------------------------
// Prices

/// True for the actions of a price step (an option's included).
pub fn is_price_action(action: &Action) -> bool {
    matches!(
        action,
        Action::UpdatePrice { .. } | Action::VerifiedPrice { .. }
    ) || is_option_action(action)
}

/// The price change a report row made: (before, after, currency). A row whose outcome is
/// `unknown` counts when the product's price is now its `after`.
fn price_effect<'a>(row: &'a ReportRow, snapshot: &Snapshot) -> Option<(i64, i64, &'a str)> {
    let (before, after, currency) = match &row.action {
        Action::UpdatePrice {
            before,
            after,
            currency,
            ..
        }
        | Action::VerifiedPrice {
            before,
            after,
            currency,
        } => (*before, *after, currency.as_str()),
        _ => return None,
    };
    match row.outcome.status {
        Status::Applied => Some((before, after, currency)),
        Status::Unknown => snapshot
            .product(&row.product_id)
            .filter(|p| p.price == after && p.currency.eq_ignore_ascii_case(currency))
            .map(|_| (before, after, currency)),
        _ => None,
    }
}

/// The undo of a price row, or `None` when the row changed no price: put `before` back
/// where the price is still the job's `after`; leave any other price alone.
fn undo_price_step(index: usize, row: &ReportRow, snapshot: &Snapshot) -> Option<Step> {
    let (before, after, currency) = price_effect(row, snapshot)?;
    let Some(product) = snapshot.product(&row.product_id) else {
        return Some(missing_step(index, &row.product_id));
    };
    let price = |minor: i64| format_price(minor, currency);
    let action = if !product.currency.eq_ignore_ascii_case(currency) {
        skip(format!(
            "Its currency changed since this job (now {}); not overwritten.",
            product.currency.to_ascii_uppercase()
        ))
    } else if product.price == after {
        Action::UpdatePrice {
            before: after,
            after: before,
            currency: currency.to_owned(),
            note: None,
        }
    } else if product.price == before {
        skip(format!("Already back at {}.", price(before)))
    } else {
        skip(format!(
            "Price changed since this job (now {}; the job set {}); not overwritten.",
            price(product.price),
            price(after)
        ))
    };
    Some(product_step(index, product, action))
}

/// What the seller should know about the price steps of an undo.
fn price_undo_notes(steps: &[Step]) -> Vec<String> {
    let restores = steps
        .iter()
        .filter(|s| matches!(s.action, Action::UpdatePrice { .. }))
        .count();
    let changed = steps
        .iter()
        .filter(|s| match &s.action {
            Action::Skip { reason, .. } => {
                reason.starts_with("Price changed since") || reason.starts_with("Its currency")
            }
            _ => false,
        })
        .count();
    let mut notes = Vec::new();
    if restores > 0 {
        notes.push(format!(
            "Puts back the previous price of {}.",
            count(restores, "product")
        ));
    }
    if changed > 0 {
        notes.push(format!(
            "{} changed since this job and {} left alone.",
            count(changed, "price"),
            if changed == 1 { "is" } else { "are" }
        ));
    }
    notes
}

// ---------------------------------------------------------------------------------------
// Listings

const LISTING_CHANGED_SINCE: &str = "Changed since this job";

/// The undo of a listing row, or `None` when the row changed nothing: put every field
/// back where the product still shows what the job set, field by field as it was. A row
/// that failed or ended unknown may have changed some fields (a write whose answer did
/// not show every field): those the product shows as the job set are put back. A field
/// someone changed since leaves the whole product alone. Two things the API cannot put
/// back: no category (it cannot remove one) and no tags (it cannot send an empty list).
fn undo_listing_step(index: usize, row: &ReportRow, snapshot: &Snapshot) -> Option<Step> {
    let (before, after) = listing_sides(&row.action)?;
    let applied = row.outcome.status == Status::Applied;
    if !matches!(
        row.outcome.status,
        Status::Applied | Status::Unknown | Status::Failed
    ) {
        return None;
    }
    let Some(product) = snapshot.product(&row.product_id) else {
        return applied.then(|| missing_step(index, &row.product_id));
    };
    let fields = before.fields(after);
    let set_by_job: Vec<Field> = fields
        .iter()
        .copied()
        .filter(|f| after.shown_by(product, *f) && !before.shown_by(product, *f))
        .collect();
    if !applied && set_by_job.is_empty() {
        return None;
    }
    let elsewhere: Vec<Field> = fields
        .iter()
        .copied()
        .filter(|f| !after.shown_by(product, *f) && !before.shown_by(product, *f))
        .collect();
    let action = if !elsewhere.is_empty() {
        skip(format!(
            "{LISTING_CHANGED_SINCE} (now {}); not overwritten.",
            describe_now(product, &elsewhere)
        ))
    } else if set_by_job.is_empty() {
        skip("Already back as it was.")
    } else {
        let mut reasons = Vec::new();
        let mut back = Vec::new();
        for field in set_by_job {
            match field {
                Field::Category if before.taxonomy_id.is_none() => reasons.push(
                    "Its category stays: it had none before this job, and Gumroad's API cannot remove a category.",
                ),
                Field::Tags if before.tags.as_deref().unwrap_or_default().is_empty() => reasons.push(
                    "Its tags stay: it had none before this job, and Gumroad's API cannot set an empty tag list.",
                ),
                field => back.push(field),
            }
        }
        if back.is_empty() {
            skip(reasons.join(" "))
        } else {
            Action::UpdateListing {
                before: after.only(&back),
                after: before.only(&back),
                note: (!reasons.is_empty()).then(|| reasons.join(" ")),
            }
        }
    };
    Some(product_step(index, product, action))
}

/// What the seller should know about the listing steps of an undo.
fn listing_undo_notes(steps: &[Step]) -> Vec<String> {
    let restores = steps
        .iter()
        .filter(|s| matches!(s.action, Action::UpdateListing { .. }))
        .count();
    let changed = steps
        .iter()
        .filter(|s| matches!(&s.action, Action::Skip { reason, .. } if reason.starts_with(LISTING_CHANGED_SINCE)))
        .count();
    let mut notes = Vec::new();
    if restores > 0 {
        notes.push(format!(
            "Puts back the earlier listing text, tags or category of {}, exactly as they were.",
            count(restores, "product")
        ));
    }
    if changed > 0 {
        notes.push(format!(
            "{} changed since this job and {} left alone.",
            count(changed, "listing"),
            if changed == 1 { "is" } else { "are" }
        ));
    }
    notes
}

// ---------------------------------------------------------------------------------------
// Re-planning an undo

/// `replan_steps` for an undo plan: each target step against its own desired state.
pub(super) fn replan_undo(originals: &[&Step], snapshot: &Snapshot, steps: &mut Vec<Step>) {
    for original in originals {
        if is_option_action(&original.action) {
            steps.push(replan_option_step(original, snapshot));
            continue;
        }
        steps.push(match snapshot.product(&original.product_id) {
            Some(product) => {
                let action = reconcile_desired(&original.action, product, snapshot);
                product_step(original.index, product, action)
            }
            None => missing_step(original.index, &original.product_id),
        });
    }
}

/// The fresh plan of an undo step: its own desired state checked against the codes now.
fn reconcile_desired(original: &Action, product: &Product, snapshot: &Snapshot) -> Action {
    let codes = snapshot.codes_of(&product.id);
    let current = |code: &OfferCode| codes.iter().find(|c| c.id == code.id).cloned();
    match original {
        Action::Delete { offer_code } => match current(offer_code) {
            Some(now) => Action::Delete { offer_code: now },
            None => Action::Verified {
                change: Change::Deleted,
                offer_code: offer_code.clone(),
                previous: None,
            },
        },
        Action::Create { code } => {
            let fresh = recreate_new(code, product, snapshot);
            reconcile(original, fresh, codes)
        }
        Action::Replace { existing, code } => match current(existing) {
            Some(now) => Action::Replace {
                existing: now,
                code: code.clone(),
            },
            None => {
                let fresh = recreate_new(code, product, snapshot);
                reconcile(original, fresh, codes)
            }
        },
        Action::Update { before, after } => match current(after) {
            None => skip(format!("{} is gone.", after.name)),
            Some(now)
                if now.max_purchase_count == after.max_purchase_count
                    && now.minimum_amount_cents == after.minimum_amount_cents =>
            {
                Action::Verified {
                    change: Change::Updated,
                    offer_code: now,
                    previous: Some(before.clone()),
                }
            }
            Some(now) => Action::Update {
                after: OfferCode {
                    max_purchase_count: after.max_purchase_count,
                    minimum_amount_cents: after.minimum_amount_cents,
                    ..now.clone()
                },
                before: now,
            },
        },
        Action::UpdatePrice { .. } => reconcile_price(original, product),
        Action::UpdateListing { .. } => reconcile_listing(original, product),
        other => other.clone(),
    }
}

fn recreate_new(code: &NewOfferCode, product: &Product, snapshot: &Snapshot) -> Action {
    let currency = matches!(code.discount, Discount::Fixed { .. })
        .then(|| find_currency(&product.currency))
        .flatten();
    let valid = ValidApply {
        code: code.clone(),
        currency,
        minimum_currency: None,
        product_ids: vec![product.id.clone()],
        on_conflict: OnConflict::Skip,
    };
    if code.universal {
        apply_universal(&valid, snapshot, product)
    } else {
        apply_on_product(&valid, product, snapshot.codes_of(&product.id))
    }
}
