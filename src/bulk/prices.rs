//! Bulk price changes: the intent from the UI and its validation, the pure planner
//! ([`plan_price_change`]), and the re-plan of its steps (the inverse is in `undo`, with
//! every other operation's). Everything here is a function of (intent, [`Snapshot`]): no
//! I/O, no clock, no `JsValue`; the arithmetic (rounding, limits) is in
//! [`repricing`](super::repricing).
//!
//! Steps describe the desired state, not a command: an `updatePrice` step carries the
//! price it found (`before`) and the one it wants (`after`), so a resumed job, "retry
//! failed" and undo each compare with the price on Gumroad now and never apply a change
//! twice (+10 % twice would be +21 %) nor overwrite a price someone else set since.
//!
//! Gumroad's rules that shape the plans (contract §2.1, §5):
//! - `PUT /v2/products/:id` takes `price` in minor units of the product's own currency
//!   (whole yen for JPY); a price is 0 (free) or at least the currency's minimum;
//! - a tiered membership refuses a product price ("Price cannot be updated for tiered
//!   membership products…"), and the variant endpoints take no tier (recurrence) prices
//!   either, so tiered memberships are skipped with Gumroad's reason;
//! - pay what you want: `price` is the minimum buyers pay;
//! - Gumroad changes the price even where an existing code (the product's own, or a
//!   universal one that applies) then discounts it below the minimum, and answers with a
//!   `warning`; the plan names those codes first.

use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::intent::{parse_intent, product_ids, whole};
use super::option_prices::{self, is_option_action, replan_option_step, OptionPrices};
use super::plan::{Action, Operation, Plan, Step};
use super::repricing::{reprice, Limit, OnLimit, PriceChange, Rounding, Rules};
use super::snapshot::Snapshot;
use super::steps::{missing_step, product_step, skip, steps_for_products};
use crate::discount::price_problem;
use crate::error::{clip, Error};
use crate::model::{OfferCode, Product, ProductId};
use crate::money::{find_currency, format_price, Currency};
use crate::wording::{count, quoted_names, shortlist};

/// Gumroad's refusal of a price on a tiered membership (contract §2.1), verbatim.
pub const TIERED_REFUSAL: &str = "Price cannot be updated for tiered membership products. Use the variant endpoints to manage tier pricing.";

/// The change as the UI sends it: `{"set": {"amount": 999, "currency": "usd"}}`,
/// `{"percent": 10}` (negative lowers) or `{"amount": {"delta": -500, "currency": "usd"}}`.
/// Amounts are minor units; numbers are kept as sent so the plan's copy of the intent is
/// exactly what was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeInput {
    Set { amount: Number, currency: String },
    Percent(Number),
    Amount { delta: Number, currency: String },
}

/// "Change the prices of these products".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceChangeIntent {
    #[serde(default)]
    pub product_ids: Vec<String>,
    pub change: ChangeInput,
    #[serde(default)]
    pub rounding: Rounding,
    /// A new price of 0 makes the product free; refused (or clamped) without this.
    #[serde(default)]
    pub allow_free: bool,
    #[serde(default)]
    pub on_limit: OnLimit,
    /// Options' price differences: kept (absent) or scaled by a percent change.
    #[serde(default, skip_serializing_if = "OptionPrices::is_keep")]
    pub options: OptionPrices,
}

/// A [`PriceChangeIntent`] that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPriceChange {
    pub product_ids: Vec<ProductId>,
    pub change: PriceChange,
    /// The currency of a fixed price or amount (products in others are skipped).
    pub currency: Option<&'static Currency>,
    pub rules: Rules,
    pub options: OptionPrices,
}

impl PriceChangeIntent {
    /// Every check that needs no request, with a message for the seller. Nothing is sent
    /// for an intent that fails here.
    pub fn validate(&self) -> Result<ValidPriceChange, Error> {
        let product_ids = product_ids(&self.product_ids);
        if product_ids.is_empty() {
            return Err(Error::invalid_input(
                "Select at least one product to change the price of.",
            ));
        }
        let rules = Rules {
            rounding: self.rounding,
            allow_free: self.allow_free,
            on_limit: self.on_limit,
        };
        let rounds = self.rounding != Rounding::None;
        let (change, currency) = match &self.change {
            ChangeInput::Percent(number) => {
                let percent = number.as_f64().filter(|p| p.is_finite()).ok_or_else(|| {
                    Error::invalid_input("Enter the change as a number of percent.")
                })?;
                if !(-99.0..=1000.0).contains(&percent) {
                    return Err(Error::invalid_input(format!(
                        "Bulkroad changes prices by −99 % to +1000 %; {number} % is outside that."
                    )));
                }
                if percent == 0.0 && !rounds {
                    return Err(Error::invalid_input(
                        "A change of 0 % changes nothing (choose a rounding to only round prices).",
                    ));
                }
                (PriceChange::Percent(percent), None)
            }
            ChangeInput::Set { amount, currency } => {
                let currency = known_currency(currency)?;
                let amount = whole(amount).ok_or_else(|| {
                    Error::invalid_input(
                        "The new price must be a whole number of the currency's smallest unit (cents).",
                    )
                })?;
                if amount < 0 {
                    return Err(Error::invalid_input("A price cannot be negative."));
                }
                if amount == 0 && !self.allow_free {
                    return Err(Error::invalid_input(format!(
                        "A price of {} makes the products free: allow a price of 0 to do that.",
                        format_price(0, currency.code)
                    )));
                }
                if amount > 0 && amount < currency.min_price {
                    // Gumroad's own words for a price under the minimum (contract §2.1).
                    return Err(Error::invalid_input(format!(
                        "Sorry, a product must be at least {}.",
                        format_price(currency.min_price, currency.code)
                    )));
                }
                if amount > currency.max_price() {
                    return Err(Error::invalid_input(format!(
                        "Bulkroad's highest price in {} is {}.",
                        currency.code.to_ascii_uppercase(),
                        format_price(currency.max_price(), currency.code)
                    )));
                }
                (PriceChange::Set(amount), Some(currency))
            }
            ChangeInput::Amount { delta, currency } => {
                let currency = known_currency(currency)?;
                let delta = whole(delta).ok_or_else(|| {
                    Error::invalid_input(
                        "The amount must be a whole number of the currency's smallest unit (cents).",
                    )
                })?;
                if delta == 0 && !rounds {
                    return Err(Error::invalid_input(
                        "A change of 0 changes nothing (choose a rounding to only round prices).",
                    ));
                }
                if delta.unsigned_abs() > currency.max_price().unsigned_abs() {
                    return Err(Error::invalid_input(format!(
                        "That amount is more than Bulkroad's highest price in {} ({}).",
                        currency.code.to_ascii_uppercase(),
                        format_price(currency.max_price(), currency.code)
                    )));
                }
                (PriceChange::Amount(delta), Some(currency))
            }
        };
        Ok(ValidPriceChange {
            product_ids,
            change,
            currency,
            rules,
            options: self.options,
        })
    }
}

fn known_currency(code: &str) -> Result<&'static Currency, Error> {
    let code = code.trim();
    if code.is_empty() {
        return Err(Error::invalid_input(
            "Choose the currency of the amount (it applies only to products priced in that currency).",
        ));
    }
    find_currency(code).ok_or_else(|| {
        Error::invalid_input(format!("Gumroad does not sell in \"{}\".", clip(code, 12)))
    })
}

// ---------------------------------------------------------------------------------------
// Planning

/// The plan for changing the prices of the selected products.
pub fn plan_price_change(
    intent: &PriceChangeIntent,
    snapshot: &Snapshot,
    created_at: f64,
) -> Result<Plan, Error> {
    let valid = intent.validate()?;
    let steps: Vec<Step> = steps_for_products(&valid.product_ids, snapshot, |product, codes| {
        plan_product(&valid, product, codes)
    });
    let steps = option_prices::with_option_steps(
        steps,
        snapshot,
        valid.change,
        &valid.rules,
        valid.options,
    );
    let mut notes = notes(&valid, snapshot, &steps);
    notes.extend(option_prices::notes(
        &steps,
        snapshot,
        valid.change,
        valid.options,
    ));
    Ok(Plan::new(
        Operation::PriceChange,
        title(
            &valid,
            steps
                .iter()
                .filter(|s| !is_option_action(&s.action))
                .count(),
        ),
        serde_json::to_value(intent).unwrap_or_default(),
        steps,
        notes,
        created_at,
    ))
}

/// `Change prices by 10 % on 5 products`, `Change prices by -$1.50 on …`, `Set prices to
/// $4.99 on …`.
fn title(valid: &ValidPriceChange, products: usize) -> String {
    let code = valid.currency.map_or("usd", |c| c.code);
    let change = match valid.change {
        PriceChange::Percent(p) => format!("Change prices by {p} %"),
        PriceChange::Amount(d) if d < 0 => format!("Change prices by -{}", format_price(-d, code)),
        PriceChange::Amount(d) => format!("Change prices by +{}", format_price(d, code)),
        PriceChange::Set(amount) => format!("Set prices to {}", format_price(amount, code)),
    };
    format!("{change} on {}", count(products, "product"))
}

/// What happens to one product's price.
fn plan_product(valid: &ValidPriceChange, product: &Product, codes: &[OfferCode]) -> Action {
    if product.is_tiered_membership {
        return skip(format!(
            "{TIERED_REFUSAL} (Those endpoints take no tier prices either, so Bulkroad cannot change them: set them on the product's edit page on Gumroad.)"
        ));
    }
    let Some(currency) = find_currency(&product.currency) else {
        return skip(format!(
            "Bulkroad does not know this product's currency ({}).",
            clip(&product.currency, 12)
        ));
    };
    if let Some(wanted) = valid.currency.filter(|c| c.code != currency.code) {
        return skip(format!(
            "The {} is in {}, but this product is priced in {}; Bulkroad does not convert between currencies.",
            if matches!(valid.change, PriceChange::Set(_)) { "new price" } else { "amount" },
            wanted.code.to_ascii_uppercase(),
            currency.code.to_ascii_uppercase()
        ));
    }
    let before = product.price;
    let repriced = reprice(before, currency, valid.change, &valid.rules);
    let price = |minor: i64| format_price(minor, currency.code);
    if repriced.wanted == before || repriced.after == Some(before) {
        return skip(if repriced.wanted != before {
            format!("Already at the nearest allowed price ({}).", price(before))
        } else if valid.rules.rounding != Rounding::None && before > 0 {
            format!("Already at that price ({}) once rounded.", price(before))
        } else {
            format!("Already at that price ({}).", price(before))
        });
    }
    let (after, limit) = match (repriced.after, repriced.limit) {
        (Some(after), limit) => (after, limit),
        (None, limit) => {
            return skip(limit_reason(
                repriced.wanted,
                limit.unwrap_or(Limit::Minimum),
                currency,
            ))
        }
    };
    let mut notes = Vec::new();
    if let Some(limit) = limit {
        notes.push(clamp_note(repriced.wanted, after, limit, currency));
    }
    if product.customizable_price == Some(true) {
        notes.push("Pay what you want: this is the minimum buyers pay.".to_owned());
    }
    if let Some(note) = option_prices::product_note(product, valid.change, valid.options) {
        notes.push(note.to_owned());
    }
    let problems = code_problems(product, after, codes);
    if !problems.is_empty() {
        notes.push(format!(
            "Existing codes would take it under Gumroad's minimum: {}.",
            shortlist(&problems)
        ));
    }
    Action::UpdatePrice {
        before,
        after,
        currency: product.currency.clone(),
        note: (!notes.is_empty()).then(|| notes.join(" ")),
    }
}

/// Why a product is skipped at a limit (`onLimit: "skip"`).
fn limit_reason(wanted: i64, limit: Limit, currency: &Currency) -> String {
    let price = |minor: i64| format_price(minor, currency.code);
    match limit {
        Limit::Negative => format!("The change would take it below zero ({}).", price(wanted)),
        Limit::Free => format!(
            "The change would make it free ({}); allow a price of 0 to do that.",
            price(0)
        ),
        Limit::Minimum => format!(
            "{} would be under Gumroad's minimum of {} for {}.",
            price(wanted),
            price(currency.min_price),
            currency.code.to_ascii_uppercase()
        ),
        Limit::Maximum => format!(
            "{} would be above Bulkroad's highest price in {}, {}.",
            price(wanted),
            currency.code.to_ascii_uppercase(),
            price(currency.max_price())
        ),
    }
}

/// What clamping did (`onLimit: "clamp"`).
fn clamp_note(wanted: i64, after: i64, limit: Limit, currency: &Currency) -> String {
    let price = |minor: i64| format_price(minor, currency.code);
    match limit {
        Limit::Negative if after == 0 => {
            format!(
                "The change would take it below zero ({}); set to free.",
                price(wanted)
            )
        }
        Limit::Negative => format!(
            "The change would take it below zero ({}); set to the minimum, {}.",
            price(wanted),
            price(after)
        ),
        Limit::Free => format!(
            "The change would make it free, which was not allowed; set to the minimum, {}.",
            price(after)
        ),
        Limit::Minimum => format!(
            "{} would be under Gumroad's minimum of {}; set to {}.",
            price(wanted),
            price(currency.min_price),
            price(after)
        ),
        Limit::Maximum => format!(
            "{} would be above Bulkroad's highest price, {}; set to {}.",
            price(wanted),
            price(currency.max_price()),
            price(after)
        ),
    }
}

/// The codes listed for `product` (its own and the universal ones that apply) that would
/// take a price of `after` (or an option's price) under the minimum: `SAVE90 ($12
/// becomes $1.20, minimum $0.99)`.
fn code_problems(product: &Product, after: i64, codes: &[OfferCode]) -> Vec<String> {
    let repriced = Product {
        price: after,
        ..product.clone()
    };
    codes
        .iter()
        .filter_map(|code| {
            price_problem(code.discount, &repriced)
                .map(|problem| format!("{} ({})", code.name, problem.short()))
        })
        .collect()
}

/// `+10 %`, `−15 %`, `+$5`, `set to $9.99`: the change in a few words.
pub fn describe_change(change: PriceChange, currency: Option<&Currency>) -> String {
    let code = currency.map_or("usd", |c| c.code);
    match change {
        PriceChange::Set(amount) => format!("set to {}", format_price(amount, code)),
        PriceChange::Percent(p) if p < 0.0 => format!("−{} %", -p),
        PriceChange::Percent(p) => format!("+{p} %"),
        PriceChange::Amount(d) if d < 0 => format!("−{}", format_price(-d, code)),
        PriceChange::Amount(d) => format!("+{}", format_price(d, code)),
    }
}

/// The rounding rule in words; `yen`: also say what it means for JPY.
pub fn describe_rounding(rounding: Rounding, yen: bool) -> String {
    let (rule, in_yen) = match rounding {
        Rounding::None => ("not rounded", ""),
        Rounding::Whole => (
            "rounded to the nearest whole unit",
            " (yen: the nearest ¥100)",
        ),
        Rounding::Charm99 => (
            "rounded to the nearest price ending in .99",
            " (yen: ending in 99, like ¥1,999)",
        ),
        Rounding::Charm49Or99 => (
            "rounded to the nearest price ending in .49 or .99",
            " (yen: ending in 49 or 99, like ¥1,049)",
        ),
    };
    if yen {
        format!("{rule}{in_yen}")
    } else {
        rule.to_owned()
    }
}

fn notes(valid: &ValidPriceChange, snapshot: &Snapshot, steps: &[Step]) -> Vec<String> {
    let products: Vec<(&Step, &Product)> = steps
        .iter()
        .filter_map(|s| snapshot.product(&s.product_id).map(|p| (s, p)))
        .collect();
    let yen = products
        .iter()
        .any(|(_, p)| p.currency.eq_ignore_ascii_case("jpy"));
    let mut notes = vec![format!(
        "Change: {}, then {}{}. Where a new price would cross Gumroad's minimum or Bulkroad's maximum, {}.{}",
        describe_change(valid.change, valid.currency),
        describe_rounding(valid.rules.rounding, yen),
        if valid.rules.rounding == Rounding::None {
            ""
        } else {
            "; rounding never turns a rise into a cut or a cut into a rise"
        },
        match valid.rules.on_limit {
            OnLimit::Clamp => "the nearest allowed price is used instead",
            OnLimit::Skip => "the product is skipped",
        },
        if valid.rules.allow_free {
            " A price of 0 (free) is allowed."
        } else {
            ""
        }
    )];
    let changing: Vec<(&Step, &Product, i64)> = products
        .iter()
        .filter_map(|(s, p)| match &s.action {
            Action::UpdatePrice { after, .. } => Some((*s, *p, *after)),
            _ => None,
        })
        .collect();
    let clamped = changing
        .iter()
        .filter(|(_, p, _)| {
            find_currency(&p.currency).is_some_and(|c| {
                reprice(p.price, c, valid.change, &valid.rules)
                    .limit
                    .is_some()
            })
        })
        .count();
    if clamped > 0 {
        notes.push(format!(
            "{} set to the nearest allowed price; each says why.",
            if clamped == 1 {
                "1 price is".to_owned()
            } else {
                format!("{clamped} prices are")
            }
        ));
    }
    let pwyw: Vec<&Product> = changing
        .iter()
        .filter(|(_, p, _)| p.customizable_price == Some(true))
        .map(|(_, p, _)| *p)
        .collect();
    if !pwyw.is_empty() {
        notes.push(format!(
            "Pay what you want: the new price is the minimum buyers pay ({}).",
            quoted_names(pwyw.iter().map(|p| p.name.as_str()))
        ));
    }
    let with_codes: Vec<String> = changing
        .iter()
        .filter_map(|(_, p, after)| {
            let problems = code_problems(p, *after, snapshot.codes_of(&p.id));
            (!problems.is_empty()).then(|| format!("\"{}\" ({})", p.name, problems.join(", ")))
        })
        .collect();
    if !with_codes.is_empty() {
        notes.push(format!(
            "On {}, existing discount codes would take the new price under Gumroad's minimum: {}. Gumroad changes the price anyway, with a warning, and those codes stop working at checkout until they are changed.",
            count(with_codes.len(), "product"),
            shortlist(&with_codes)
        ));
    }
    let tiered: Vec<&Product> = products
        .iter()
        .filter(|(_, p)| p.is_tiered_membership)
        .map(|(_, p)| *p)
        .collect();
    if !tiered.is_empty() {
        notes.push(format!(
            "Memberships with tiers are skipped: their prices are on the tiers, which Gumroad's API cannot change; each links to its edit page on Gumroad, where tier prices are set ({}).",
            quoted_names(tiered.iter().map(|p| p.name.as_str()))
        ));
    }
    let capped = changing
        .iter()
        .filter(|(_, p, after)| {
            find_currency(&p.currency).is_some_and(|c| *after > c.capped_accounts_limit())
        })
        .count();
    if capped > 0 {
        notes.push(format!(
            "{} would be above about USD 5,000. Gumroad caps prices there on some accounts and then refuses with \"Sorry, we don't support pricing products above $5,000.\"; the report will say so.",
            if capped == 1 {
                "1 new price".to_owned()
            } else {
                format!("{capped} new prices")
            }
        ));
    }
    if changing.is_empty() {
        notes.push("No selected product gets a new price.".to_owned());
    }
    notes
}

// ---------------------------------------------------------------------------------------
// Re-planning

/// The fresh plan of a price step against the product now: done already (`verified`),
/// still to do, or changed by someone else since (left alone).
pub(super) fn reconcile_price(original: &Action, product: &Product) -> Action {
    match original {
        Action::UpdatePrice {
            before,
            after,
            currency,
            ..
        } => {
            let price = |minor: i64| format_price(minor, currency);
            if !product.currency.eq_ignore_ascii_case(currency) {
                skip(format!(
                    "Its currency changed since this job was planned (now {}); not overwritten.",
                    product.currency.to_ascii_uppercase()
                ))
            } else if product.price == *after {
                Action::VerifiedPrice {
                    before: *before,
                    after: *after,
                    currency: currency.clone(),
                }
            } else if product.price == *before {
                original.clone()
            } else {
                skip(format!(
                    "Price changed since this job was planned (now {}, was {}); not overwritten.",
                    price(product.price),
                    price(*before)
                ))
            }
        }
        other => other.clone(),
    }
}

/// `replan_steps` for a `priceChange` plan: each target step against the product's price now.
pub(super) fn replan_price_change(originals: &[&Step], snapshot: &Snapshot, steps: &mut Vec<Step>) {
    for original in originals {
        if is_option_action(&original.action) {
            steps.push(replan_option_step(original, snapshot));
            continue;
        }
        steps.push(match snapshot.product(&original.product_id) {
            Some(product) => product_step(
                original.index,
                product,
                reconcile_price(&original.action, product),
            ),
            None => missing_step(original.index, &original.product_id),
        });
    }
}

/// Reads a [`PriceChangeIntent`] given as JSON; a wrong shape is `InvalidInput`.
pub fn parse_price_intent(value: &serde_json::Value) -> Result<PriceChangeIntent, Error> {
    parse_intent(value)
}
