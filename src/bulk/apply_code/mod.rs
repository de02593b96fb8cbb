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
//! What each product gets (conflicts, replace or update in place) is decided in `decide`,
//! which undo shares to recreate deleted codes.

mod decide;

use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::intent::{parse_intent, product_ids, whole};
use super::plan::{Action, Operation, Plan, Step};
use super::reconcile::reconcile;
use super::snapshot::Snapshot;
use super::steps::{missing_step, product_step, steps_for_products};
use crate::discount::describe_discount;
use crate::error::Error;
use crate::model::{check_code_name, collation_key, Discount, NewOfferCode, Product, ProductId};
use crate::money::{find_currency, format_price, Currency};
use crate::wording::{count, quoted_names};

pub(in crate::bulk) use decide::{apply_on_product, apply_universal, universal_anchor};
use decide::universal_targets;

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
    /// The currency of the minimum order (`"jpy"`): the code goes only on products priced
    /// in it, as Gumroad compares the minimum with the product's own price. Absent in jobs
    /// kept before it was asked (then every product gets the same minor units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_currency: Option<String>,
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
    /// The currency of the minimum order, when one was given.
    pub minimum_currency: Option<&'static Currency>,
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
        let minimum_currency = match self.minimum_currency.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(find_currency(code).ok_or_else(|| {
                Error::invalid_input(format!(
                    "Gumroad does not sell in \"{}\".",
                    crate::error::clip(code, 12)
                ))
            })?),
        };
        if let (Some(amount), Some(minimum)) = (currency, minimum_currency) {
            if amount != minimum {
                return Err(Error::invalid_input(format!(
                    "The minimum order ({}) and the amount off ({}) must be in the same currency.",
                    minimum.code.to_ascii_uppercase(),
                    amount.code.to_ascii_uppercase()
                )));
            }
        }
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
            minimum_currency: minimum_currency.filter(|_| minimum_amount_cents.is_some()),
            product_ids,
            on_conflict: self.on_conflict,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Planners

/// The note every apply plan carries (the API has no expiry dates). It holds with or
/// without an end time: the plan does not know one, and the page adds when Bulkroad
/// removes the codes when the seller set a time.
pub const NO_END_DATE_NOTE: &str =
    "Gumroad codes have no end date: they stay until removed; set an end time to have Bulkroad remove them.";

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
    let amount = match (valid.code.discount, valid.currency) {
        (Discount::Percent(percent), _) => format!("{percent} %"),
        (discount, currency) => describe_discount(discount, currency.map(|c| c.code)),
    };
    let whom = if valid.code.universal {
        "to all products".to_owned()
    } else {
        format!("to {}", count(steps.len(), "product"))
    };
    Ok(Plan::new(
        Operation::ApplyCode,
        format!("Apply {} ({amount}) {whom}", valid.code.name),
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
    if let (Some(minimum), Some(currency)) = (new.minimum_amount_cents, valid.minimum_currency) {
        notes.push(format!(
            "Minimum order: {} on each product priced in {}{}.",
            format_price(minimum, currency.code),
            currency.code.to_ascii_uppercase(),
            if new.universal {
                " (Gumroad compares the same number with the prices of products in other currencies)"
            } else {
                ""
            }
        ));
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
