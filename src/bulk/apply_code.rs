//! Putting one discount code on the selected products, or one universal code on all of
//! them: the intent from the UI and its validation, the pure planner ([`plan_apply_code`])
//! and its notes, and the re-plan of its steps. A function of (intent, [`Snapshot`]): no
//! I/O, no clock. Parity codes plan through here too (`bulk::parity`).
//!
//! Gumroad's rules that shape the plans (contract §2.2):
//! - codes may contain letters (Latin-1 accents too), digits, `-` and `_`;
//! - a product code must differ from the product's other codes and from the universal
//!   codes that apply to it, compared **case-sensitively**; a universal code must differ
//!   from every live code of the seller **case- and accent-insensitively** (MySQL
//!   `utf8mb4_unicode_ci`). Checkout finds codes in any case, so where the rule allows
//!   two codes differing only in case, the plan says so in a note, and where a universal
//!   code is involved it compares case-insensitively;
//! - after the discount every price a buyer can pay (base, each option, each membership
//!   tier) must be 0 or at least the currency's minimum; for a universal code this holds
//!   for every published product it applies to, or Gumroad refuses the code;
//! - a fixed amount is in the product's currency; only max uses and the minimum amount can
//!   be changed later (`PUT`), never the amount, type, name or universality.
//!
//! Conflicts (the name exists with other terms): with `onConflict: "replace"` the plan
//! deletes and recreates the code (its use count restarts) — except when only max uses
//! and/or the minimum differ, both set on each side, and the new max is not below the uses
//! so far: then it plans an `update`, which keeps the use count. A universal code is never
//! replaced as a side effect of a per-product job (that would change every product).

use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::intent::{parse_intent, product_ids, whole};
use super::plan::{Action, Operation, Plan, Step};
use super::reconcile::reconcile;
use super::snapshot::Snapshot;
use super::steps::{missing_step, product_step, skip, steps_for_products};
use crate::discount::{amount_off, describe_discount, price_problem};
use crate::error::Error;
use crate::model::{
    check_code_name, collation_key, Discount, NewOfferCode, OfferCode, Product, ProductId,
};
use crate::money::{find_currency, format_price, Currency};
use crate::wording::{count, quoted_names, shortlist};

/// Gumroad stores money and counts in 32-bit columns; larger values are refused with
/// "One or more numeric values are out of range.".
const MAX_INT: i64 = 2_147_483_647;

/// What to do where the code already exists with other terms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OnConflict {
    /// Leave the existing code alone (the step is a `conflict`).
    #[default]
    Skip,
    /// Replace it (or update it in place when only max uses / minimum differ).
    Replace,
}

/// The discount as the UI sends it: `{"percent": 10}` or `{"fixed": {"cents": 500}}`.
/// Numbers are kept as sent so the plan's copy of the intent is exactly what was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DiscountInput {
    Percent(Number),
    Fixed { cents: Number },
}

/// "Put this code on these products" (or one universal code for all of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyCodeIntent {
    pub code: String,
    pub discount: DiscountInput,
    /// The currency a fixed amount is in (`"usd"`); required for fixed amounts.
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub max_purchase_count: Option<Number>,
    #[serde(default)]
    pub minimum_amount_cents: Option<Number>,
    #[serde(default)]
    pub universal: bool,
    /// The selected products; ignored for creating a universal code.
    #[serde(default)]
    pub product_ids: Vec<String>,
    #[serde(default)]
    pub on_conflict: OnConflict,
}

/// An [`ApplyCodeIntent`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidApply {
    pub code: NewOfferCode,
    /// The currency of a fixed amount.
    pub currency: Option<&'static Currency>,
    pub product_ids: Vec<ProductId>,
    pub on_conflict: OnConflict,
}

impl ApplyCodeIntent {
    /// Every check that needs no request, with a message for the seller. Nothing is sent
    /// for an intent that fails here.
    pub fn validate(&self) -> Result<ValidApply, Error> {
        let name = check_code_name(&self.code)?;
        let (discount, currency) = match &self.discount {
            DiscountInput::Percent(number) => {
                let percent = whole(number).ok_or_else(|| {
                    Error::invalid_input(format!(
                        "Gumroad takes whole percentages only (1 to 100); {number}% is not possible."
                    ))
                })?;
                if percent <= 0 {
                    return Err(Error::invalid_input(
                        "Please enter a positive discount amount.",
                    ));
                }
                if percent > 100 {
                    return Err(Error::invalid_input(
                        "Please enter a discount amount that is 100% or less.",
                    ));
                }
                (Discount::Percent(percent as u8), None)
            }
            DiscountInput::Fixed { cents } => {
                let cents = whole(cents).ok_or_else(|| {
                    Error::invalid_input(
                        "The amount off must be a whole number of the currency's smallest unit (cents).",
                    )
                })?;
                if cents <= 0 {
                    return Err(Error::invalid_input(
                        "Please enter a positive discount amount.",
                    ));
                }
                if cents > MAX_INT {
                    return Err(Error::invalid_input(
                        "That amount off is too large for Gumroad.",
                    ));
                }
                let code = self.currency.as_deref().map(str::trim).unwrap_or("");
                if code.is_empty() {
                    return Err(Error::invalid_input(
                        "Choose the currency of the amount off (a fixed amount applies only to products priced in that currency).",
                    ));
                }
                let currency = find_currency(code).ok_or_else(|| {
                    Error::invalid_input(format!(
                        "Gumroad does not sell in \"{}\".",
                        crate::error::clip(code, 12)
                    ))
                })?;
                (Discount::Fixed { cents }, Some(currency))
            }
        };
        let max_purchase_count = match &self.max_purchase_count {
            None => None,
            Some(number) => match whole(number) {
                Some(count @ 1..=MAX_INT) => Some(count as u32),
                _ => return Err(Error::invalid_input(
                    "Max uses must be a whole number, at least 1 (leave it empty for unlimited).",
                )),
            },
        };
        let minimum_amount_cents = match &self.minimum_amount_cents {
            None => None,
            Some(number) => match whole(number) {
                Some(cents @ 0..=MAX_INT) => Some(cents),
                Some(cents) if cents < 0 => {
                    return Err(Error::invalid_input("A minimum amount cannot be negative."))
                }
                _ => {
                    return Err(Error::invalid_input(
                        "The minimum amount must be a whole number of cents.",
                    ))
                }
            },
        };
        let product_ids = product_ids(&self.product_ids);
        if !self.universal && product_ids.is_empty() {
            return Err(Error::invalid_input(
                "Select at least one product (or make the code universal).",
            ));
        }
        let code = NewOfferCode {
            name,
            discount,
            max_purchase_count,
            minimum_amount_cents,
            universal: self.universal,
        };
        code.validate()?;
        Ok(ValidApply {
            code,
            currency,
            product_ids,
            on_conflict: self.on_conflict,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Terms

/// The existing code has exactly the terms of `new` (ignoring universality when
/// `ignore_universal`).
fn same_terms(existing: &OfferCode, new: &NewOfferCode, ignore_universal: bool) -> bool {
    existing.discount == new.discount
        && existing.max_purchase_count == new.max_purchase_count.map(i64::from)
        && existing.minimum_amount_cents == new.minimum_amount_cents
        && (ignore_universal || existing.universal == new.universal)
}

/// "20% off (yours: 10% off), max uses 5 (yours: unlimited)".
fn differences(existing: &OfferCode, new: &NewOfferCode, currency: Option<&str>) -> String {
    let mut parts = Vec::new();
    if existing.discount != new.discount {
        parts.push(format!(
            "{} (yours: {})",
            describe_discount(existing.discount, currency),
            describe_discount(new.discount, currency)
        ));
    }
    let uses = |max: Option<i64>| max.map_or("unlimited".to_owned(), |m| m.to_string());
    let new_max = new.max_purchase_count.map(i64::from);
    if existing.max_purchase_count != new_max {
        parts.push(format!(
            "max uses {} (yours: {})",
            uses(existing.max_purchase_count),
            uses(new_max)
        ));
    }
    let minimum = |cents: Option<i64>| {
        cents.map_or("none".to_owned(), |c| {
            format_price(c, currency.unwrap_or("usd"))
        })
    };
    if existing.minimum_amount_cents != new.minimum_amount_cents {
        parts.push(format!(
            "minimum amount {} (yours: {})",
            minimum(existing.minimum_amount_cents),
            minimum(new.minimum_amount_cents)
        ));
    }
    if existing.universal != new.universal {
        parts.push(if existing.universal {
            "universal (yours: this product only)".to_owned()
        } else {
            "this product only (yours: universal)".to_owned()
        });
    }
    parts.join(", ")
}

/// `existing` with the max uses and minimum of `new`, when `PUT` can get there and back:
/// same amount and type, each differing field set on both sides (the API cannot clear a
/// limit), and a max not below the uses so far.
fn updated_in_place(existing: &OfferCode, new: &NewOfferCode) -> Option<OfferCode> {
    if existing.discount != new.discount || existing.universal != new.universal {
        return None;
    }
    let new_max = new.max_purchase_count.map(i64::from);
    let max_ok = existing.max_purchase_count == new_max
        || matches!((existing.max_purchase_count, new_max), (Some(_), Some(max)) if max >= existing.times_used);
    let min_ok = existing.minimum_amount_cents == new.minimum_amount_cents
        || (existing.minimum_amount_cents.is_some() && new.minimum_amount_cents.is_some());
    (max_ok && min_ok).then(|| OfferCode {
        max_purchase_count: new_max,
        minimum_amount_cents: new.minimum_amount_cents,
        ..existing.clone()
    })
}

/// The plan for one product of a per-product apply.
pub(super) fn apply_on_product(
    valid: &ValidApply,
    product: &Product,
    codes: &[OfferCode],
) -> Action {
    let new = &valid.code;
    let currency = Some(product.currency.as_str());
    if let Some(wanted) = valid.currency {
        if !wanted.code.eq_ignore_ascii_case(&product.currency) {
            return skip(format!(
                "{} takes {} in {}, but this product is priced in {}; Gumroad applies a fixed amount only in the product's own currency.",
                new.name,
                format_price(amount_off(new.discount, 0), wanted.code),
                wanted.code.to_ascii_uppercase(),
                product.currency.to_ascii_uppercase()
            ));
        }
    }
    let key = collation_key(&new.name);
    if let Some(universal) = codes
        .iter()
        .find(|c| c.universal && collation_key(&c.name) == key)
    {
        if same_terms(universal, new, true) {
            return Action::Skip {
                reason: format!(
                    "The universal code {} already gives the same terms on every product, this one included.",
                    universal.name
                ),
                existing: Some(universal.clone()),
            };
        }
        let as_universal = NewOfferCode {
            universal: true,
            ..new.clone()
        };
        return Action::Conflict {
            existing: universal.clone(),
            reason: format!(
                "{} is a universal code (it applies to all your products) with other terms: {}. Replacing it here would change it for every product: remove it first, or choose another name.",
                universal.name,
                differences(universal, &as_universal, currency)
            ),
        };
    }
    let own = codes.iter().find(|c| !c.universal && c.name == new.name);
    if let Some(existing) = own.filter(|c| same_terms(c, new, false)) {
        return Action::Skip {
            reason: format!("Already has {} with the same terms.", existing.name),
            existing: Some(existing.clone()),
        };
    }
    if let Some(problem) = price_problem(new.discount, product) {
        return skip(problem.sentence());
    }
    let Some(existing) = own else {
        return Action::Create { code: new.clone() };
    };
    let update = updated_in_place(existing, new);
    match (valid.on_conflict, update) {
        (OnConflict::Replace, Some(after)) => Action::Update {
            before: existing.clone(),
            after,
        },
        (OnConflict::Replace, None) => Action::Replace {
            existing: existing.clone(),
            code: new.clone(),
        },
        (OnConflict::Skip, update) => Action::Conflict {
            existing: existing.clone(),
            reason: format!(
                "{} already exists here with other terms: {}. {}",
                existing.name,
                differences(existing, new, currency),
                if update.is_some() {
                    "Gumroad can change max uses and the minimum amount in place: choose Replace to update it (its use count is kept)."
                } else if existing.discount != new.discount {
                    "Gumroad cannot change a code's amount or type: choose Replace to delete it and create yours (its use count restarts)."
                } else {
                    "Gumroad cannot remove a limit from a code or lower it below its uses: choose Replace to delete it and create yours (its use count restarts)."
                }
            ),
        },
    }
}

/// The product a universal code is created through: the preferred one if it fits, else
/// the first published product (in the code's currency for a fixed amount), else any.
fn universal_anchor<'a>(
    valid: &ValidApply,
    snapshot: &'a Snapshot,
    preferred: Option<&ProductId>,
) -> Option<&'a Product> {
    let fits = |p: &&Product| {
        valid
            .currency
            .is_none_or(|c| c.code.eq_ignore_ascii_case(&p.currency))
    };
    preferred
        .and_then(|id| snapshot.product(id))
        .filter(fits)
        .or_else(|| snapshot.products.iter().filter(fits).find(|p| p.published))
        .or_else(|| snapshot.products.iter().find(fits))
}

/// The products a universal code applies to (and that Gumroad checks prices of): the
/// published ones, in the code's currency for a fixed amount.
fn universal_targets<'a>(valid: &ValidApply, snapshot: &'a Snapshot) -> Vec<&'a Product> {
    snapshot
        .products
        .iter()
        .filter(|p| p.published && !p.deleted)
        .filter(|p| {
            valid
                .currency
                .is_none_or(|c| c.code.eq_ignore_ascii_case(&p.currency))
        })
        .collect()
}

/// The currency of a fixed universal code: that of the products listing it.
fn listed_currency<'a>(snapshot: &'a Snapshot, code: &OfferCode) -> Option<&'a str> {
    snapshot
        .products_listing(code)
        .first()
        .map(|p| p.currency.as_str())
}

/// The one action of a universal apply, on `anchor`.
pub(super) fn apply_universal(valid: &ValidApply, snapshot: &Snapshot, anchor: &Product) -> Action {
    let new = &valid.code;
    let key = collation_key(&new.name);
    let clashes: Vec<&OfferCode> = snapshot
        .all_codes()
        .into_iter()
        .filter(|c| collation_key(&c.name) == key)
        .collect();
    let wanted_currency = valid.currency.map(|c| c.code);
    if let Some(existing) = clashes.iter().find(|c| c.universal) {
        let existing_currency = match existing.discount {
            Discount::Fixed { .. } => listed_currency(snapshot, existing),
            Discount::Percent(_) => None,
        };
        let same_currency = existing_currency.map(str::to_ascii_lowercase)
            == wanted_currency.map(str::to_ascii_lowercase);
        if same_terms(existing, new, false) && same_currency {
            return Action::Skip {
                reason: format!(
                    "The universal code {} already exists with the same terms.",
                    existing.name
                ),
                existing: Some((*existing).clone()),
            };
        }
        let mut what = differences(existing, new, wanted_currency.or(existing_currency));
        if !same_currency {
            let name = |c: Option<&str>| c.map_or("percent".to_owned(), str::to_ascii_uppercase);
            if !what.is_empty() {
                what.push_str(", ");
            }
            what.push_str(&format!(
                "currency {} (yours: {})",
                name(existing_currency),
                name(wanted_currency)
            ));
        }
        let through_anchor = snapshot
            .codes_of(&anchor.id)
            .iter()
            .any(|c| c.id == existing.id);
        return match valid.on_conflict {
            OnConflict::Replace if through_anchor => Action::Replace {
                existing: (*existing).clone(),
                code: new.clone(),
            },
            OnConflict::Replace => Action::Conflict {
                existing: (*existing).clone(),
                reason: format!(
                    "The universal code {} exists with other terms ({what}) and cannot be replaced in one step (it is in another currency): remove it first.",
                    existing.name
                ),
            },
            OnConflict::Skip => Action::Conflict {
                existing: (*existing).clone(),
                reason: format!(
                    "The universal code {} already exists with other terms: {what}. Gumroad cannot change a code's amount or type: choose Replace to delete it and create yours (its use count restarts).",
                    existing.name
                ),
            },
        };
    }
    if let Some(first) = clashes.first() {
        let holders: Vec<String> = snapshot
            .products
            .iter()
            .filter(|p| {
                snapshot
                    .codes_of(&p.id)
                    .iter()
                    .any(|c| !c.universal && collation_key(&c.name) == key)
            })
            .map(|p| format!("\"{}\"", p.name))
            .collect();
        return Action::Conflict {
            existing: (*first).clone(),
            reason: format!(
                "{} is already a code on {} ({}); a universal code needs a name no other code of yours has, in any letter case. Remove those first (Remove code), or choose another name.",
                first.name,
                count(holders.len(), "product"),
                shortlist(&holders)
            ),
        };
    }
    let problems: Vec<String> = universal_targets(valid, snapshot)
        .into_iter()
        .filter_map(|p| {
            price_problem(new.discount, p).map(|why| format!("\"{}\" ({})", p.name, why.short()))
        })
        .collect();
    if !problems.is_empty() {
        return skip(format!(
            "Gumroad refuses a universal code unless every product stays free or at least the minimum price after the discount, and {} would not: {}.",
            count(problems.len(), "product"),
            shortlist(&problems)
        ));
    }
    Action::Create { code: new.clone() }
}

// ---------------------------------------------------------------------------------------
// Planners

/// The end-time note every apply plan carries (the API has no expiry dates).
pub const NO_END_DATE_NOTE: &str =
    "Gumroad codes have no end date; Bulkroad removes them at the end time you set.";

/// The plan for putting one code on the selected products (or one universal code).
pub fn plan_apply_code(
    intent: &ApplyCodeIntent,
    snapshot: &Snapshot,
    created_at: f64,
) -> Result<Plan, Error> {
    let valid = intent.validate()?;
    let intent_json = serde_json::to_value(intent).unwrap_or_default();
    let steps = if valid.code.universal {
        universal_anchor(&valid, snapshot, None)
            .map(|anchor| {
                let action = apply_universal(&valid, snapshot, anchor);
                vec![product_step(0, anchor, action)]
            })
            .unwrap_or_default()
    } else {
        steps_for_products(&valid.product_ids, snapshot, |product, codes| {
            apply_on_product(&valid, product, codes)
        })
    };
    let notes = apply_notes(&valid, snapshot, &steps);
    Ok(Plan::new(
        Operation::ApplyCode,
        intent_json,
        steps,
        notes,
        created_at,
    ))
}

fn apply_notes(valid: &ValidApply, snapshot: &Snapshot, steps: &[Step]) -> Vec<String> {
    let new = &valid.code;
    let mut notes = Vec::new();
    let placing: Vec<&Product> = steps
        .iter()
        .filter(|s| {
            matches!(
                s.action,
                Action::Create { .. } | Action::Replace { .. } | Action::Update { .. }
            )
        })
        .filter_map(|s| snapshot.product(&s.product_id))
        .collect();
    if new.universal {
        let targets = universal_targets(valid, snapshot);
        let currency = valid.currency.map_or(String::new(), |c| {
            format!(" priced in {}", c.code.to_ascii_uppercase())
        });
        match steps.first() {
            Some(step) => notes.push(format!(
                "A universal code applies to all your published products{currency} ({} now) and to ones you add later. It is created once, through \"{}\".",
                targets.len(),
                step.product_name
            )),
            None => notes.push(format!(
                "You have no product{currency}, so there is nothing a universal code could apply to."
            )),
        }
        if let Some(max) = new.max_purchase_count {
            notes.push(format!("Max uses: {max} in total, across all products."));
        }
    } else if let Some(max) = new.max_purchase_count {
        if !placing.is_empty() {
            notes.push(format!(
                "Max uses count per product: {max} uses on each of {}.",
                count(placing.len(), "product")
            ));
        }
    }
    if steps
        .iter()
        .any(|s| matches!(s.action, Action::Replace { .. }))
    {
        notes.push("Replacing a code restarts its use count.".to_owned());
    }
    if steps
        .iter()
        .any(|s| matches!(s.action, Action::Update { .. }))
    {
        notes.push(
            "Codes that differ only in max uses or minimum amount are updated in place and keep their use count.".to_owned(),
        );
    }
    let checked: Vec<&Product> = if new.universal {
        universal_targets(valid, snapshot)
    } else {
        placing.clone()
    };
    let pwyw: Vec<&Product> = checked
        .iter()
        .copied()
        .filter(|p| p.customizable_price == Some(true))
        .collect();
    if !pwyw.is_empty() {
        notes.push(format!(
            "Pay what you want: the minimum-price check uses the lowest price buyers may pay ({}).",
            quoted_names(pwyw.iter().map(|p| p.name.as_str()))
        ));
    }
    let tiered: Vec<&Product> = checked
        .iter()
        .copied()
        .filter(|p| p.is_tiered_membership)
        .collect();
    if !tiered.is_empty() {
        notes.push(format!(
            "Memberships with tiers: every tier price was checked against the minimum ({}).",
            quoted_names(tiered.iter().map(|p| p.name.as_str()))
        ));
    }
    if !new.universal {
        let key = collation_key(&new.name);
        let lookalikes: Vec<&Product> = steps
            .iter()
            .filter_map(|s| snapshot.product(&s.product_id))
            .filter(|p| {
                snapshot
                    .codes_of(&p.id)
                    .iter()
                    .any(|c| !c.universal && c.name != new.name && collation_key(&c.name) == key)
            })
            .collect();
        if !lookalikes.is_empty() {
            notes.push(format!(
                "{} has a code that differs from {} only in letter case; Gumroad allows both, but buyers may type codes in any case at checkout and get either one.",
                count(lookalikes.len(), "product"),
                new.name
            ));
        }
    }
    notes.push(NO_END_DATE_NOTE.to_owned());
    notes
}

// ---------------------------------------------------------------------------------------
// Re-planning

/// `replan_steps` for an `applyCode` plan: each target step against the job's intent.
pub(super) fn replan_apply_code(
    plan: &Plan,
    originals: &[&Step],
    snapshot: &Snapshot,
    steps: &mut Vec<Step>,
) -> Result<Vec<String>, Error> {
    let intent: ApplyCodeIntent = parse_intent(&plan.intent)?;
    let valid = intent.validate()?;
    for original in originals {
        steps.push(replan_apply_step(&valid, original, snapshot));
    }
    Ok(apply_notes(&valid, snapshot, steps))
}

/// The fresh plan of one step of an apply job (`valid`: its intent), reconciled with what
/// the step meant to do.
pub(super) fn replan_apply_step(valid: &ValidApply, original: &Step, snapshot: &Snapshot) -> Step {
    let fresh = if valid.code.universal {
        universal_anchor(valid, snapshot, Some(&original.product_id))
            .map(|anchor| (anchor, apply_universal(valid, snapshot, anchor)))
    } else {
        snapshot.product(&original.product_id).map(|product| {
            (
                product,
                apply_on_product(valid, product, snapshot.codes_of(&product.id)),
            )
        })
    };
    match fresh {
        Some((product, action)) => {
            let codes = snapshot.codes_of(&product.id);
            let action = reconcile(&original.action, action, codes);
            product_step(original.index, product, action)
        }
        None => missing_step(original.index, &original.product_id),
    }
}
