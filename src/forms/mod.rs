//! What sellers type into the extension's forms, turned into bulk intents. The forms send
//! raw text ("4.99", "10", ""), so every amount is read here with its currency's rules and
//! every refusal is a seller-readable `InvalidInput` before any request. Pure; no I/O, no
//! `JsValue`. The intents it builds are validated again by the planners (`bulk`).

use serde::Deserialize;
use serde_json::{json, Value};

use crate::bulk::option_prices::OptionPrices;
use crate::bulk::{
    ApplyParityIntent, ChangeInput, OnConflict, OnLimit, PriceChangeIntent, RemoveParityIntent,
    Rounding,
};
use crate::error::Error;
use crate::money::{parse_amount, Separators};
use crate::parity::{
    build_table, parity_codes, CodeMode, MinimumPolicy, Overrides, ParityCode, Settings,
};

/// The "Apply a discount code" form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApplyCodeForm {
    pub code: String,
    /// The amount as typed: a whole percent, or an amount of `currency`.
    pub amount: String,
    /// `"percent"` or `"fixed"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The currency of a fixed amount or a minimum order (lowercase ISO code).
    pub currency: Option<String>,
    /// Max uses per product; empty = unlimited.
    pub max_uses: String,
    /// Minimum order amount; empty = none.
    pub minimum_amount: String,
    /// The currency of the minimum order (lowercase ISO code); for a fixed amount, that
    /// of the amount when absent.
    pub minimum_currency: Option<String>,
    pub universal: bool,
    pub product_ids: Vec<String>,
    /// `"skip"` or `"replace"`.
    pub on_conflict: String,
    /// The separators of the seller's locale, for reading the amounts.
    pub separators: Separators,
}

/// The "Unique codes" form: a batch of codes from a prefix and a random suffix.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateCodesForm {
    pub prefix: String,
    /// How many codes, as typed (`2000`, `2,000`).
    pub count: String,
    /// The amount as typed: a whole percent, or an amount of `currency`.
    pub amount: String,
    /// `"percent"` or `"fixed"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The currency of a fixed amount (lowercase ISO code).
    pub currency: Option<String>,
    /// Uses per code; empty = 1.
    pub max_uses: String,
    pub universal: bool,
    /// The one product the codes are for (ignored for universal codes).
    pub product_id: Option<String>,
    /// The separators of the seller's locale, for reading the amount and the count.
    pub separators: Separators,
}

/// The "Remove a code" form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RemoveCodeForm {
    pub code: String,
    pub product_ids: Vec<String>,
    /// From every product (then `product_ids` is ignored).
    pub everywhere: bool,
}

/// The "Change prices" form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PriceChangeForm {
    /// `"percent"`, `"amount"` (± an amount of `currency`) or `"set"` (a fixed price).
    pub mode: String,
    /// As typed: `"10"`, `"-15"`, `"+12.5 %"` (percent); `"-4.99"`, `"+5"` (amount);
    /// `"9.99"` (set). A leading `−` (U+2212) counts as a minus.
    pub amount: String,
    /// The currency of an amount or fixed price (lowercase ISO code); ignored for percent.
    pub currency: Option<String>,
    /// `"none"` (or empty), `"whole"`, `"charm99"`, `"charm49or99"`.
    pub rounding: String,
    pub allow_free: bool,
    /// `"clamp"` or `"skip"` (or empty: skip).
    pub on_limit: String,
    /// Options' price differences: `"keep"` (or empty) or `"scale"` (by a percent change).
    pub options: String,
    pub product_ids: Vec<String>,
    /// The separators of the seller's locale, for reading the amount.
    pub separators: Separators,
}

/// The "Parity codes" form: the seller's table (settings and per-country edits, as kept in
/// extension storage) and how to turn it into codes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ParityForm {
    pub settings: Settings,
    pub overrides: Overrides,
    /// `"perTier"` (or empty) or `"perCountry"`.
    pub mode: String,
    pub prefix: String,
    /// `"clamp"` (or empty): a smaller percent where the code's would go under the currency
    /// minimum; `"skip"`: no code on that product.
    pub on_minimum: String,
    /// `"skip"` (or empty) or `"replace"`: where a code of the same name exists with
    /// another percent.
    pub on_conflict: String,
    pub product_ids: Vec<String>,
}

/// The "Remove parity codes" form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RemoveParityForm {
    pub prefix: String,
    /// Empty = every product.
    pub product_ids: Vec<String>,
}

/// The codes the form's table makes and the minimum policy, whatever the selection (the
/// map needs no products). `InvalidInput` for bad settings, a bad prefix, an unknown mode
/// or policy, or a table where no country has a discount.
pub fn parity_codes_of(form: &ParityForm) -> Result<(Vec<ParityCode>, MinimumPolicy), Error> {
    form.settings.validate()?;
    let mode = match form.mode.trim() {
        "" | "perTier" => CodeMode::PerTier,
        "perCountry" => CodeMode::PerCountry,
        other => {
            return Err(Error::invalid_input(format!(
                "Unknown kind of parity codes '{}' (per tier or per country).",
                crate::error::clip(other, 20)
            )))
        }
    };
    let policy = match form.on_minimum.trim() {
        "" | "clamp" => MinimumPolicy::Clamp,
        "skip" => MinimumPolicy::Skip,
        other => {
            return Err(Error::invalid_input(format!(
                "Unknown choice for the currency minimum '{}' (clamp or skip).",
                crate::error::clip(other, 20)
            )))
        }
    };
    let table = build_table(&form.settings, &form.overrides);
    let codes = parity_codes(&table, mode, &form.prefix)?;
    if codes.is_empty() {
        return Err(Error::invalid_input(
            "No country has a discount in your parity table, so there is no code to create.",
        ));
    }
    Ok((codes, policy))
}

/// An [`ApplyParityIntent`] from the form: [`parity_codes_of`] plus a selection.
pub fn parity_intent(form: &ParityForm) -> Result<ApplyParityIntent, Error> {
    if form.product_ids.iter().all(|id| id.trim().is_empty()) {
        return Err(Error::invalid_input(
            "Select the products to put the parity codes on.",
        ));
    }
    let (codes, on_minimum) = parity_codes_of(form)?;
    let mode = if form.mode.trim() == "perCountry" {
        CodeMode::PerCountry
    } else {
        CodeMode::PerTier
    };
    Ok(ApplyParityIntent {
        codes,
        mode,
        prefix: form.prefix.trim().to_owned(),
        on_minimum,
        on_conflict: match form.on_conflict.trim() {
            "replace" => OnConflict::Replace,
            _ => OnConflict::Skip,
        },
        product_ids: form.product_ids.clone(),
    })
}

/// A [`RemoveParityIntent`] from the form; `InvalidInput` for a bad prefix.
pub fn remove_parity_intent(form: &RemoveParityForm) -> Result<RemoveParityIntent, Error> {
    let intent = RemoveParityIntent {
        prefix: form.prefix.trim().to_owned(),
        product_ids: form.product_ids.clone(),
    };
    intent.validate()?;
    Ok(intent)
}

/// An `ApplyCodeIntent` (as JSON, the planners' input) from the form.
pub fn apply_code_intent(form: &ApplyCodeForm) -> Result<Value, Error> {
    if !form.universal && form.product_ids.is_empty() {
        return Err(Error::invalid_input(
            "Select at least one product, or choose one universal code for all products.",
        ));
    }
    let currency = form
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let discount = match form.kind.as_str() {
        "percent" | "" => json!({ "percent": whole_percent(&form.amount)? }),
        "fixed" => {
            let currency = currency
                .ok_or_else(|| Error::invalid_input("Choose the currency of the amount off."))?;
            json!({ "fixed": { "cents": parse_amount(&form.amount, currency, &form.separators)? } })
        }
        other => {
            return Err(Error::invalid_input(format!(
                "Unknown discount type '{}'.",
                crate::error::clip(other, 20)
            )))
        }
    };
    let max_uses = optional_count(&form.max_uses)?;
    let (minimum, minimum_currency) = match form.minimum_amount.trim() {
        "" => (None, None),
        typed => {
            let of = form
                .minimum_currency
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .or(currency.filter(|_| form.kind == "fixed"))
                .ok_or_else(|| Error::invalid_input("Choose the currency of the minimum order."))?;
            (Some(parse_amount(typed, of, &form.separators)?), Some(of))
        }
    };
    let on_conflict = match form.on_conflict.as_str() {
        "replace" => "replace",
        _ => "skip",
    };
    Ok(json!({
        "code": form.code,
        "discount": discount,
        "currency": currency,
        "maxPurchaseCount": max_uses,
        "minimumAmountCents": minimum,
        "minimumCurrency": minimum_currency,
        "universal": form.universal,
        "productIds": if form.universal { Vec::new() } else { form.product_ids.clone() },
        "onConflict": on_conflict,
    }))
}

/// A `CreateCodesIntent` (as JSON) from the form; the planner checks the rest (range,
/// prefix, terms).
pub fn create_codes_intent(form: &CreateCodesForm) -> Result<Value, Error> {
    let typed = form.count.trim();
    let group = form.separators.group.as_str();
    let digits: String = if group.is_empty() { typed.to_owned() } else { typed.replace(group, "") };
    let count: u64 = match digits.parse() {
        Ok(n) if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) => n,
        _ => {
            return Err(Error::invalid_input(
                "Enter how many codes to make, as a whole number (up to 10,000).",
            ))
        }
    };
    let currency = form.currency.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let discount = match form.kind.as_str() {
        "percent" | "" => json!({ "percent": whole_percent(&form.amount)? }),
        "fixed" => {
            let currency = currency
                .ok_or_else(|| Error::invalid_input("Choose the currency of the amount off."))?;
            json!({ "fixed": { "cents": parse_amount(&form.amount, currency, &form.separators)? } })
        }
        other => {
            return Err(Error::invalid_input(format!(
                "Unknown discount type '{}'.",
                crate::error::clip(other, 20)
            )))
        }
    };
    let max_uses = optional_count(&form.max_uses)
        .map_err(|_| {
            Error::invalid_input(
                "Uses per code must be a whole number of at least 1 (empty for single use).",
            )
        })?
        .unwrap_or(1);
    Ok(json!({
        "prefix": form.prefix,
        "count": count,
        "discount": discount,
        "currency": currency.filter(|_| form.kind == "fixed"),
        "maxPurchaseCount": max_uses,
        "universal": form.universal,
        "productId": if form.universal { None } else { form.product_id.clone() },
    }))
}

/// A `RemoveCodeIntent` (as JSON) from the form.
pub fn remove_code_intent(form: &RemoveCodeForm) -> Result<Value, Error> {
    if !form.everywhere && form.product_ids.is_empty() {
        return Err(Error::invalid_input(
            "Select the products to remove the code from, or choose every product.",
        ));
    }
    Ok(json!({
        "code": form.code,
        "productIds": if form.everywhere { Vec::new() } else { form.product_ids.clone() },
    }))
}

/// A [`PriceChangeIntent`] from the form. The ranges (−99 % to +1000 %, the currency's
/// minimum and Bulkroad's maximum) are the planner's rules. Typed rather than JSON like
/// the code intents: a price job is never re-planned from its intent (its steps carry
/// their prices), so the wasm module needs no JSON reader for it.
pub fn price_change_intent(form: &PriceChangeForm) -> Result<PriceChangeIntent, Error> {
    if form.product_ids.is_empty() {
        return Err(Error::invalid_input(
            "Select the products whose prices should change.",
        ));
    }
    let currency = form
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let need_currency =
        || currency.ok_or_else(|| Error::invalid_input("Choose the currency of the amount."));
    let change = match form.mode.as_str() {
        "percent" => ChangeInput::Percent(signed_percent(&form.amount, &form.separators)?),
        "amount" => {
            let currency = need_currency()?;
            let (negative, typed) = split_sign(&form.amount);
            if typed.is_empty() {
                return Err(Error::invalid_input(
                    "Enter the amount to add (or, with a minus, to take off).",
                ));
            }
            let minor = parse_amount(typed, currency, &form.separators)?;
            ChangeInput::Amount {
                delta: (if negative { -minor } else { minor }).into(),
                currency: currency.to_owned(),
            }
        }
        "set" => {
            let currency = need_currency()?;
            let (negative, typed) = split_sign(&form.amount);
            if negative {
                return Err(Error::invalid_input("A price cannot be negative."));
            }
            if typed.is_empty() {
                return Err(Error::invalid_input("Enter the new price."));
            }
            ChangeInput::Set {
                amount: parse_amount(typed, currency, &form.separators)?.into(),
                currency: currency.to_owned(),
            }
        }
        other => {
            return Err(Error::invalid_input(format!(
                "Unknown kind of price change '{}'.",
                crate::error::clip(other, 20)
            )))
        }
    };
    let rounding = match form.rounding.trim() {
        "" | "none" => Rounding::None,
        "whole" => Rounding::Whole,
        "charm99" => Rounding::Charm99,
        "charm49or99" => Rounding::Charm49Or99,
        other => {
            return Err(Error::invalid_input(format!(
                "Unknown rounding '{}'.",
                crate::error::clip(other, 20)
            )))
        }
    };
    let on_limit = match form.on_limit.trim() {
        "clamp" => OnLimit::Clamp,
        _ => OnLimit::Skip,
    };
    let options = match form.options.trim() {
        "scale" => OptionPrices::Scale,
        _ => OptionPrices::Keep,
    };
    Ok(PriceChangeIntent {
        product_ids: form.product_ids.clone(),
        change,
        rounding,
        allow_free: form.allow_free,
        on_limit,
        options,
    })
}

/// The sign of a typed change, and the rest: `"+5"`, `"-5"`, `"−5"` (U+2212), `"5"`.
fn split_sign(typed: &str) -> (bool, &str) {
    let typed = typed.trim();
    if let Some(rest) = typed.strip_prefix('-').or_else(|| typed.strip_prefix('−')) {
        (true, rest.trim_start())
    } else {
        (false, typed.strip_prefix('+').unwrap_or(typed).trim_start())
    }
}

/// A signed percent as typed (`"10"`, `"-15"`, `"+12.5 %"`, `"12,5"`), as a JSON number
/// (whole percents stay integers). Either mark is a decimal mark: a percent never needs a
/// thousands group (the planner's range ends at 1000), so `"12,5"` is 12.5 in every
/// locale, and `"1,000"` (three decimals) is refused rather than read as 1.
fn signed_percent(typed: &str, separators: &Separators) -> Result<serde_json::Number, Error> {
    let trimmed = typed.trim().trim_end_matches('%').trim_end();
    let (negative, digits) = split_sign(trimmed);
    if digits.is_empty() {
        return Err(Error::invalid_input(
            "Enter by how many percent prices change, like 10 or -15.",
        ));
    }
    let example = format!("12{}5", separators.decimal_mark());
    let not_a_percent = || {
        Error::invalid_input(format!(
            "Enter the percent as a number with at most two decimals and no thousands \
             separator, like 10, -15 or {example}."
        ))
    };
    let mut marks = digits.match_indices(['.', ',']);
    let (whole, fraction) = match (marks.next(), marks.next()) {
        (None, _) => (digits, ""),
        (Some((at, _)), None) => (&digits[..at], &digits[at + 1..]),
        (Some(_), Some(_)) => return Err(not_a_percent()),
    };
    let plain = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || !plain(whole)
        || !plain(fraction)
        || fraction.len() > 2
    {
        return Err(not_a_percent());
    }
    if fraction.is_empty() || fraction.chars().all(|c| c == '0') {
        // Past i64 is far outside the planner's range: keep a value it refuses.
        let value: i64 = whole.parse().unwrap_or(i64::MAX / 2);
        return Ok((if negative { -value } else { value }).into());
    }
    let value = hundredths_as_f64(whole, fraction).ok_or_else(not_a_percent)?;
    serde_json::Number::from_f64(if negative { -value } else { value }).ok_or_else(not_a_percent)
}

/// `whole.fraction` (ASCII digits, at most two after the point) as the nearest `f64`: the
/// same value `str::parse::<f64>` gives. Up to 2^53 hundredths convert exactly and one
/// division rounds correctly. Beyond (a percent over 90 trillion, which the planner
/// refuses, quoting it) serde_json reads the text, within one unit in the last place.
/// `str::parse::<f64>` would bring its power-of-five table and code (≈ 15 KB) into the
/// wasm module for this one field.
fn hundredths_as_f64(whole: &str, fraction: &str) -> Option<f64> {
    const EXACT: u64 = 1 << 53;
    let hundredths = format!("{whole}{fraction:0<2}")
        .bytes()
        .try_fold(0u64, |n, digit| {
            n.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
        })
        .filter(|n| *n <= EXACT);
    match hundredths {
        Some(n) => Some(n as f64 / 100.0),
        None => {
            let text = format!("{}.{fraction}", if whole.is_empty() { "0" } else { whole });
            text.parse::<serde_json::Number>().ok()?.as_f64()
        }
    }
}

/// A percent as typed: whole numbers only (Gumroad stores `amount_off.to_i`, so 12.5 would
/// silently become 12). The range (1–100) is the planners' rule, with Gumroad's words.
fn whole_percent(typed: &str) -> Result<u64, Error> {
    let typed = typed.trim().trim_end_matches('%').trim();
    if typed.is_empty() {
        return Err(Error::invalid_input(
            "Enter how many percent the code takes off (1–100).",
        ));
    }
    if typed.starts_with('-') {
        return Err(Error::invalid_input(
            "Please enter a positive discount amount.",
        ));
    }
    if !typed.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid_input(
            "Percent discounts are whole numbers from 1 to 100, like 25.",
        ));
    }
    // Anything past u64 is far over 100 %: keep a value the range check refuses.
    Ok(typed.parse().unwrap_or(u64::MAX))
}

fn optional_count(typed: &str) -> Result<Option<u64>, Error> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    match typed.parse::<u64>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(Error::invalid_input(
            "Max uses must be a whole number of at least 1, or empty for unlimited.",
        )),
    }
}

#[cfg(test)]
mod tests;

// proptest is a native dev-dependency only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod prop_tests;
