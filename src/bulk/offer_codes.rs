//! Discount codes across products: the intents from the UI and their validation, and the
//! pure planners — apply one code ([`plan_apply_code`]), remove one ([`plan_remove_code`]),
//! undo a job ([`plan_undo`]) and re-plan the unfinished part of a job ([`replan_steps`]).
//! Everything here is a function of (intent or report, [`Snapshot`]): no I/O, no clock.
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

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::plan::{Action, Change, Operation, Plan, Step};
use super::prices;
use super::report::{Report, Status};
use super::snapshot::Snapshot;
use crate::error::Error;
use crate::model::{Discount, NewOfferCode, OfferCode, Product, ProductId};
use crate::money::{find_currency, format_price, Currency};

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

/// "Remove this code from these products" (no ids = from every product).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveCodeIntent {
    pub code: String,
    #[serde(default)]
    pub product_ids: Vec<String>,
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

/// A [`RemoveCodeIntent`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRemove {
    pub name: String,
    /// Empty = every product.
    pub product_ids: Vec<ProductId>,
}

/// Reads an intent sent from JS; a wrong shape is `InvalidInput` naming the field.
///
/// Read from the intent's JSON text rather than from the `Value`: errors in text carry a
/// position, which `json_path` turns into the field's name, and one reader per intent type
/// is compiled in rather than two (one for `Value`, one for text: ≈ 20 KB of wasm, ≈ 5 KB
/// gzipped). Intents hold strings, integers and short decimals, which read back exactly.
pub fn parse_intent<I: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<I, Error> {
    // Read from the `Value` itself: serde_path_to_error names the field, and errors from a
    // `Value` carry no line or column to strip.
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = crate::error::field_path(error.path());
        Error::invalid_input(format!(
            "Bulkroad could not read this request ({}{}).",
            if path == "." {
                String::new()
            } else {
                format!("{path}: ")
            },
            error.inner()
        ))
    })
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

impl RemoveCodeIntent {
    pub fn validate(&self) -> Result<ValidRemove, Error> {
        Ok(ValidRemove {
            name: check_code_name(&self.code)?,
            product_ids: product_ids(&self.product_ids),
        })
    }
}

pub(super) fn product_ids(ids: &[String]) -> Vec<ProductId> {
    let mut seen = HashSet::new();
    ids.iter()
        .map(|id| id.trim())
        .filter(|id| !id.is_empty() && seen.insert(*id))
        .map(ProductId::from)
        .collect()
}

/// A JSON number that is a whole number (`10` or `10.0`), else `None`.
pub(super) fn whole(number: &Number) -> Option<i64> {
    if let Some(n) = number.as_i64() {
        return Some(n);
    }
    let f = number.as_f64()?;
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

/// The code trimmed, or why Gumroad would refuse it (its own wording first).
fn check_code_name(raw: &str) -> Result<String, Error> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::invalid_input("Enter a discount code."));
    }
    let mut bad: Vec<char> = Vec::new();
    for c in name.chars() {
        if !is_code_char(c) && !bad.contains(&c) {
            bad.push(c);
        }
    }
    if bad.is_empty() {
        return Ok(name.to_owned());
    }
    let shown: Vec<String> = bad
        .iter()
        .take(5)
        .map(|&c| match c {
            ' ' => "a space".to_owned(),
            c if c.is_whitespace() || c.is_control() => "a blank".to_owned(),
            c => format!("\"{c}\""),
        })
        .collect();
    Err(Error::invalid_input(format!(
        "Discount code can only contain numbers, letters, dashes, and underscores: \"{}\" has {}.",
        crate::error::clip(name, 40),
        sentence(&shown)
    )))
}

/// Letters (ASCII and Latin-1 accented), digits, `-` and `_`, as Gumroad's model allows.
fn is_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '-'
        || c == '_'
        || (('\u{C0}'..='\u{FF}').contains(&c) && c != '\u{D7}' && c != '\u{F7}')
}

/// "a", "a and b", "a, b and c".
fn sentence(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// How MySQL's `utf8mb4_unicode_ci` compares codes: case- and accent-insensitive. Codes
/// hold only Latin-1 letters, so folding Latin-1 by hand is complete (and keeps Unicode's
/// case tables, ≈ 13 KB, out of the wasm module).
pub fn collation_key(name: &str) -> String {
    name.chars()
        .map(|c| {
            let lower = match c {
                'A'..='Z' | 'À'..='Þ' if c != '×' => char::from_u32(c as u32 + 32).unwrap_or(c),
                other => other,
            };
            match lower {
                'à'..='å' => 'a',
                'ç' => 'c',
                'è'..='ë' => 'e',
                'ì'..='ï' => 'i',
                'ñ' => 'n',
                'ò'..='ö' | 'ø' => 'o',
                'ù'..='ü' => 'u',
                'ý' | 'ÿ' => 'y',
                other => other,
            }
        })
        .collect()
}

#[cfg(test)]
mod collation_tests {
    #[test]
    fn folds_case_and_latin_1_accents() {
        let rows = [
            ("SAVE10", "save10"),
            ("Été-2025_X", "ete-2025_x"),
            ("ÀÁÂÃÄÅàáâãäå", "aaaaaaaaaaaa"),
            ("ÇÑØÙÝÞßÿ", "cnouyþßy"),
            ("a×b÷c", "a×b÷c"),
        ];
        for (name, key) in rows {
            assert_eq!(super::collation_key(name), key, "{name}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Prices

/// `OfferCode#amount_off`: fixed cents, or the percentage of the price rounded half away
/// from zero — computed in floating point exactly as Ruby does, so borderline cents agree.
pub fn amount_off(discount: Discount, price: i64) -> i64 {
    match discount {
        Discount::Fixed { cents } => cents,
        Discount::Percent(percent) => (price as f64 * (f64::from(percent) / 100.0)).round() as i64,
    }
}

/// The price after `discount`, never below 0.
pub fn price_after(discount: Discount, price: i64) -> i64 {
    (price - amount_off(discount, price)).max(0)
}

/// One price a buyer can pay for a product, and what it is (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
struct PricePoint {
    cents: i64,
    /// `None` for the base price, else e.g. `the "PDF" option` / `the "Gold" tier (monthly)`.
    label: Option<String>,
}

/// `Link#available_price_cents`: for a tiered membership every tier price per enabled
/// recurrence; otherwise the price and the price of each option (price + difference).
fn price_points(product: &Product) -> Vec<PricePoint> {
    let mut points = Vec::new();
    if product.is_tiered_membership {
        let recurrences = product.recurrences.clone().unwrap_or_default();
        for option in product.variants.iter().flat_map(|c| &c.options) {
            let Some(prices) = option.recurrence_prices.as_ref() else {
                continue;
            };
            for recurrence in &recurrences {
                if let Some(cents) = prices
                    .get(recurrence)
                    .and_then(|p| p.get("price_cents"))
                    .and_then(serde_json::Value::as_i64)
                {
                    points.push(PricePoint {
                        cents,
                        label: Some(format!("the \"{}\" tier ({recurrence})", option.name)),
                    });
                }
            }
        }
    }
    if points.is_empty() {
        points.push(PricePoint {
            cents: product.price,
            label: None,
        });
        for option in product.variants.iter().flat_map(|c| &c.options) {
            if let Some(difference) = option.price_difference.filter(|d| *d != 0) {
                points.push(PricePoint {
                    cents: product.price + difference,
                    label: Some(format!("the \"{}\" option", option.name)),
                });
            }
        }
    }
    points
}

/// Every price a buyer can pay for `product` (minor units), as the minimum-price rule
/// checks them.
pub(super) fn price_cents(product: &Product) -> Vec<i64> {
    price_points(product).into_iter().map(|p| p.cents).collect()
}

/// "10% off", "$5 off".
fn describe_discount(discount: Discount, currency: Option<&str>) -> String {
    match discount {
        Discount::Percent(percent) => format!("{percent}% off"),
        Discount::Fixed { cents } => {
            format!("{} off", format_price(cents, currency.unwrap_or("usd")))
        }
    }
}

/// A price that would end up between 0 and the currency's minimum.
pub(super) struct PriceProblem {
    /// `$4`, or `the "PDF" option at $10.50`.
    what: String,
    after: String,
    off: String,
    minimum: String,
    zero: String,
}

impl PriceProblem {
    /// The reason of a skipped step.
    pub(super) fn sentence(&self) -> String {
        format!(
            "{} becomes {} after {}, under Gumroad's {} minimum (a discounted price must be {} or at least {}).",
            self.what, self.after, self.off, self.minimum, self.zero, self.minimum
        )
    }

    /// One item of a list: `$4 becomes $0.40, minimum $0.99`.
    pub(super) fn short(&self) -> String {
        format!(
            "{} becomes {}, minimum {}",
            self.what, self.after, self.minimum
        )
    }
}

/// Why `discount` cannot go on `product` under the minimum-price rule, or `None`.
pub(super) fn price_problem(discount: Discount, product: &Product) -> Option<PriceProblem> {
    let currency = find_currency(&product.currency)?;
    let code = currency.code;
    price_points(product).into_iter().find_map(|point| {
        let after = point.cents - amount_off(discount, point.cents);
        if after <= 0 || after >= currency.min_price {
            return None;
        }
        Some(PriceProblem {
            what: match &point.label {
                None => format_price(point.cents, code),
                Some(label) => format!("{label} at {}", format_price(point.cents, code)),
            },
            after: format_price(after, code),
            off: describe_discount(discount, Some(code)),
            minimum: format_price(currency.min_price, code),
            zero: format_price(0, code),
        })
    })
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
// Steps

/// `discount`: the code the step puts on the product (its price after the discount is
/// shown); a price step shows its new price instead.
fn step(index: usize, product: &Product, action: Action, discount: Option<Discount>) -> Step {
    let after = action
        .new_price()
        .or_else(|| discount.map(|d| price_after(d, product.price)));
    Step {
        index,
        product_id: product.id.clone(),
        product_name: product.name.clone(),
        currency: product.currency.clone(),
        price: product.price,
        formatted_price: product
            .formatted_price
            .clone()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| format_price(product.price, &product.currency)),
        price_after: after,
        formatted_price_after: after.map(|a| format_price(a, &product.currency)),
        action,
    }
}

/// A step for a product that is not (or no longer) on Gumroad.
pub(super) fn missing_step(index: usize, id: &ProductId) -> Step {
    Step {
        index,
        product_id: id.clone(),
        product_name: String::new(),
        currency: String::new(),
        price: 0,
        formatted_price: String::new(),
        price_after: None,
        formatted_price_after: None,
        action: skip("This product is no longer on Gumroad (deleted?)."),
    }
}

pub(super) fn skip(reason: impl Into<String>) -> Action {
    Action::Skip {
        reason: reason.into(),
        existing: None,
    }
}

/// The discount an action puts on its product, for the price-after column.
fn discount_of(action: &Action) -> Option<Discount> {
    match action {
        Action::Create { code } | Action::Replace { code, .. } => Some(code.discount),
        Action::Update { after, .. } => Some(after.discount),
        Action::Skip {
            existing: Some(existing),
            ..
        } => Some(existing.discount),
        Action::Verified {
            change: Change::Created | Change::Replaced | Change::Updated,
            offer_code,
            ..
        } => Some(offer_code.discount),
        _ => None,
    }
}

pub(super) fn product_step(index: usize, product: &Product, action: Action) -> Step {
    let discount = discount_of(&action);
    step(index, product, action, discount)
}

/// One step per selected product, in the order selected: `plan` decides for each product
/// the snapshot holds (given its codes); one it no longer holds gets the missing step.
pub(super) fn steps_for_products(
    ids: &[ProductId],
    snapshot: &Snapshot,
    mut plan: impl FnMut(&Product, &[OfferCode]) -> Action,
) -> Vec<Step> {
    ids.iter()
        .enumerate()
        .map(|(index, id)| match snapshot.product(id) {
            Some(product) => product_step(index, product, plan(product, snapshot.codes_of(id))),
            None => missing_step(index, id),
        })
        .collect()
}

/// The plan for one product of a per-product apply.
fn apply_on_product(valid: &ValidApply, product: &Product, codes: &[OfferCode]) -> Action {
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
fn apply_universal(valid: &ValidApply, snapshot: &Snapshot, anchor: &Product) -> Action {
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

pub(super) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The first three, then "and N more".
pub(super) fn shortlist(items: &[String]) -> String {
    let shown: Vec<String> = items.iter().take(3).cloned().collect();
    if items.len() > 3 {
        format!("{} and {} more", shown.join("; "), items.len() - 3)
    } else {
        shown.join("; ")
    }
}

pub(super) fn quoted_names(products: &[&Product]) -> String {
    let names: Vec<String> = products.iter().map(|p| format!("\"{}\"", p.name)).collect();
    shortlist(&names)
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
            quoted_names(&pwyw)
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
            quoted_names(&tiered)
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

/// The plan for removing one code (by exact name) from the selected products, or from
/// every product when none are selected. A universal code is deleted once.
pub fn plan_remove_code(
    intent: &RemoveCodeIntent,
    snapshot: &Snapshot,
    created_at: f64,
) -> Result<Plan, Error> {
    let valid = intent.validate()?;
    let explicit = !valid.product_ids.is_empty();
    let targets: Vec<ProductId> = if explicit {
        valid.product_ids.clone()
    } else {
        snapshot.products.iter().map(|p| p.id.clone()).collect()
    };
    let mut steps = Vec::new();
    let mut universal_via: Option<String> = None;
    for id in &targets {
        let index = steps.len();
        let Some(product) = snapshot.product(id) else {
            steps.push(missing_step(index, id));
            continue;
        };
        let action = remove_on_product(&valid.name, snapshot.codes_of(id), &universal_via);
        if let Action::Delete { offer_code } = &action {
            if offer_code.universal {
                universal_via = Some(product.name.clone());
            }
        }
        let keep = explicit || !matches!(action, Action::Skip { .. });
        if keep {
            steps.push(product_step(index, product, action));
        }
    }
    let mut notes = Vec::new();
    if let Some(via) = &universal_via {
        notes.push(format!(
            "{} is a universal code: removing it (through \"{via}\") removes it from all your products.",
            valid.name
        ));
    }
    let key = collation_key(&valid.name);
    let lookalikes = targets
        .iter()
        .filter(|id| {
            snapshot
                .codes_of(id)
                .iter()
                .any(|c| c.name != valid.name && collation_key(&c.name) == key)
        })
        .count();
    if lookalikes > 0 {
        notes.push(format!(
            "Codes that differ from {} only in letter case (on {}) are left alone.",
            valid.name,
            count(lookalikes, "product")
        ));
    }
    if steps.iter().all(|s| !s.action.writes()) {
        notes.push(format!("No selected product has the code {}.", valid.name));
    }
    Ok(Plan::new(
        Operation::RemoveCode,
        serde_json::to_value(intent).unwrap_or_default(),
        steps,
        notes,
        created_at,
    ))
}

fn remove_on_product(name: &str, codes: &[OfferCode], universal_via: &Option<String>) -> Action {
    match codes.iter().find(|c| c.name == name) {
        Some(code) if code.universal => match universal_via {
            Some(via) => skip(format!(
                "{name} is universal; it is removed once, through \"{via}\"."
            )),
            None => Action::Delete {
                offer_code: code.clone(),
            },
        },
        Some(code) => Action::Delete {
            offer_code: code.clone(),
        },
        None => skip(format!("Has no code {name}.")),
    }
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
fn effects(row: &super::report::ReportRow, snapshot: &Snapshot) -> Effects {
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
            Action::Create { code } => (found(code), None, None),
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

/// Whether `found` is the code a create of `code` makes: the name as sent (Gumroad trims
/// it) and the same terms. Plans only create where no such code exists, so one found after
/// the create was sent is the one this job created.
pub(crate) fn is_created_code(found: &OfferCode, code: &NewOfferCode) -> bool {
    found.name == code.name.trim()
        && found.discount == code.discount
        && found.max_purchase_count == code.max_purchase_count.map(i64::from)
        && found.minimum_amount_cents == code.minimum_amount_cents
        && found.universal == code.universal
}

/// True when undoing `report` touches a universal code (its snapshot must then cover every
/// product: a universal code's name is checked against all of them).
pub fn undo_needs_all_products(report: &Report) -> bool {
    report.rows.iter().any(|row| {
        let outcome = &row.outcome;
        let unknown_universal = outcome.status == Status::Unknown
            && match &row.action {
                Action::Create { code } | Action::Replace { code, .. } => code.universal,
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
/// where they are still what the job set (see `prices`).
pub fn plan_undo(report: &Report, snapshot: &Snapshot, created_at: f64) -> Plan {
    let mut steps = Vec::new();
    let mut rows: Vec<&super::report::ReportRow> = report.rows.iter().collect();
    crate::stable_sort::sort_by_key(&mut rows, |row| row.index);
    for row in rows {
        let index = steps.len();
        if prices::is_price_action(&row.action) {
            steps.extend(prices::undo_price_step(index, row, snapshot));
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
    let mut notes = prices::undo_notes(&steps);
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
        serde_json::json!({"undoOf": {"operation": report.operation, "startedAt": report.started_at}}),
        steps,
        notes,
        created_at,
    )
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

// ---------------------------------------------------------------------------------------
// Re-planning

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
            Action::Create { code } | Action::Replace { code, .. } => code.universal,
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
    let mut notes = Vec::new();
    match plan.operation {
        Operation::ApplyCode => {
            let intent: ApplyCodeIntent = parse_intent(&plan.intent)?;
            let valid = intent.validate()?;
            for original in &originals {
                steps.push(replan_apply_step(&valid, original, snapshot));
            }
            notes = apply_notes(&valid, snapshot, &steps);
        }
        Operation::ApplyParity => {
            notes = super::parity::replan_apply_parity(plan, &originals, snapshot, &mut steps)?;
        }
        Operation::RemoveParity => {
            super::parity::replan_remove_parity(&originals, snapshot, &mut steps);
        }
        Operation::RemoveCode => {
            let intent: RemoveCodeIntent = parse_intent(&plan.intent)?;
            let valid = intent.validate()?;
            for original in &originals {
                steps.push(match snapshot.product(&original.product_id) {
                    Some(product) => {
                        let codes = snapshot.codes_of(&product.id);
                        let fresh = remove_on_product(&valid.name, codes, &None);
                        product_step(
                            original.index,
                            product,
                            reconcile(&original.action, fresh, codes),
                        )
                    }
                    None => missing_step(original.index, &original.product_id),
                });
            }
        }
        Operation::PriceChange => {
            for original in &originals {
                steps.push(match snapshot.product(&original.product_id) {
                    Some(product) => product_step(
                        original.index,
                        product,
                        prices::reconcile_price(&original.action, product),
                    ),
                    None => missing_step(original.index, &original.product_id),
                });
            }
        }
        Operation::Undo => {
            for original in &originals {
                steps.push(match snapshot.product(&original.product_id) {
                    Some(product) => {
                        let action = reconcile_desired(&original.action, product, snapshot);
                        product_step(original.index, product, action)
                    }
                    None => missing_step(original.index, &original.product_id),
                });
            }
        }
    }
    let verified = steps
        .iter()
        .filter(|s| {
            matches!(
                s.action,
                Action::Verified { .. } | Action::VerifiedPrice { .. }
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
        plan.intent.clone(),
        steps,
        notes,
        created_at,
    ))
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

/// The fresh plan of a step, knowing what the job meant to do there: a fresh "already
/// there with the same terms" (or "nothing to remove") where the job meant to write means
/// an earlier attempt did it.
pub(super) fn reconcile(original: &Action, fresh: Action, codes: &[OfferCode]) -> Action {
    let present = |code: &OfferCode| codes.iter().any(|c| c.id == code.id);
    match (original, fresh) {
        (Action::Verified { .. }, _) => original.clone(),
        // Only the very code the step creates counts (not, say, a universal code with the
        // same terms that someone else made: undo would delete it).
        (
            Action::Create { code },
            Action::Skip {
                existing: Some(found),
                ..
            },
        ) if is_created_code(&found, code) => Action::Verified {
            change: Change::Created,
            offer_code: found,
            previous: None,
        },
        (
            Action::Replace {
                existing: old,
                code,
            },
            Action::Skip {
                existing: Some(found),
                ..
            },
        ) if !present(old) && is_created_code(&found, code) => Action::Verified {
            change: Change::Replaced,
            offer_code: found,
            previous: Some(old.clone()),
        },
        (
            Action::Update { before, after },
            Action::Skip {
                existing: Some(found),
                ..
            },
        ) if found.id == after.id => Action::Verified {
            change: Change::Updated,
            offer_code: found,
            previous: Some(before.clone()),
        },
        // The old code is gone but the new one is not there yet: keep it a replace, so
        // the report still says which code was deleted (the engine takes a "not found"
        // on the delete as done).
        (
            Action::Replace {
                existing: old,
                code,
            },
            Action::Create { .. },
        ) if !present(old) => Action::Replace {
            existing: old.clone(),
            code: code.clone(),
        },
        (Action::Delete { offer_code }, Action::Skip { existing: None, .. })
            if !present(offer_code) =>
        {
            Action::Verified {
                change: Change::Deleted,
                offer_code: offer_code.clone(),
                previous: None,
            }
        }
        (_, fresh) => fresh,
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
        Action::UpdatePrice { .. } => prices::reconcile_price(original, product),
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
        product_ids: vec![product.id.clone()],
        on_conflict: OnConflict::Skip,
    };
    if code.universal {
        apply_universal(&valid, snapshot, product)
    } else {
        apply_on_product(&valid, product, snapshot.codes_of(&product.id))
    }
}
