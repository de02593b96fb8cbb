//! The arithmetic of a bulk price change: one new price from one old price ([`reprice`]) —
//! a fixed price, ± percent or ± an amount, then rounding, then the limits — in integer
//! minor units of one currency. Pure: no I/O, no `JsValue`, no sentences (the planner,
//! `prices`, words the results).
//!
//! The rules, per currency ([`Currency`], contract §5):
//! - A percent change is computed in floating point (exact for prices Gumroad can store
//!   and whole or half percents) and rounded half away from zero to the minor unit —
//!   whole yen for JPY, which has no minor units.
//! - Rounding works on a *rounding unit*: one major unit (100 cents), except for JPY,
//!   where it is ¥100 — a yen has no cents, so ".99" means "ending in 99" (¥1,099, ¥2,999,
//!   as Japanese shelf prices end) and "whole" means whole hundreds of yen. `whole` takes
//!   the nearest multiple of the unit; `charm99` the nearest unit − 1 (x.99); `charm49or99`
//!   the nearest half unit − 1 (x.49 or x.99). Ties go up, a positive price never rounds
//!   to 0, and 0 or less is not rounded. Rounding never turns a rise into a cut or a cut
//!   into a rise: where the nearest rounded price lies beyond the old price, the next one
//!   in the direction of the change is taken (+2 % on $10.00 is $10.99, not $9.99).
//! - The limits, checked after rounding: 0 only with `allow_free`; otherwise at least the
//!   currency's minimum and at most [`Currency::max_price`]. With [`OnLimit::Clamp`] a
//!   price that crosses one becomes the nearest allowed price that keeps the rounding (the
//!   lowest at or above the minimum, the highest at or below the maximum); a result below
//!   zero becomes 0 when free is allowed, else the minimum. A price between 0 and the
//!   minimum is clamped *up*: clamping never turns a paid product into a free one. With
//!   [`OnLimit::Skip`] the product keeps its price.

use serde::{Deserialize, Serialize};

use crate::money::Currency;

/// What happens to each price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PriceChange {
    /// Exactly this price, in minor units.
    Set(i64),
    /// Plus this many percent (negative lowers).
    Percent(f64),
    /// Plus this many minor units (negative lowers).
    Amount(i64),
}

/// How a new price is rounded (see the module notes for JPY).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rounding {
    /// Minor units kept.
    #[default]
    #[serde(rename = "none")]
    None,
    /// The nearest whole unit ($11; ¥1,100).
    #[serde(rename = "whole")]
    Whole,
    /// The nearest price ending in .99 ($10.99; ¥1,099).
    #[serde(rename = "charm99")]
    Charm99,
    /// The nearest price ending in .49 or .99 ($10.49, $10.99; ¥1,049, ¥1,099).
    #[serde(rename = "charm49or99")]
    Charm49Or99,
}

/// What to do with a price that would cross a limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OnLimit {
    /// Use the nearest allowed price instead.
    Clamp,
    /// Leave the product's price as it is.
    #[default]
    Skip,
}

/// The seller's choices that apply to every product.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rules {
    pub rounding: Rounding,
    /// A result of 0 (or below, when clamping) may make the product free.
    pub allow_free: bool,
    pub on_limit: OnLimit,
}

/// A limit a new price would cross.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Below zero.
    Negative,
    /// Exactly 0 without `allow_free`.
    Free,
    /// Between 0 and the currency's minimum.
    Minimum,
    /// Above [`Currency::max_price`].
    Maximum,
}

/// The result for one price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repriced {
    /// What the change and the rounding give, before the limits.
    pub wanted: i64,
    /// The limit `wanted` crosses, if any.
    pub limit: Option<Limit>,
    /// The new price: `wanted`, or the clamped price; `None` when a limit was crossed and
    /// the rule is to skip.
    pub after: Option<i64>,
}

/// The new price of a product priced `price` (minor units of `currency`).
pub fn reprice(price: i64, currency: &Currency, change: PriceChange, rules: &Rules) -> Repriced {
    let raw = match change {
        PriceChange::Set(amount) => amount,
        PriceChange::Percent(percent) => percent_of(price, percent),
        PriceChange::Amount(delta) => price.saturating_add(delta),
    };
    let mut wanted = round(raw, currency, rules.rounding);
    if !matches!(change, PriceChange::Set(_)) && raw > 0 {
        if raw > price && wanted < price {
            wanted = round_toward(raw, currency, rules.rounding, true);
        } else if raw < price && wanted > price {
            wanted = round_toward(raw, currency, rules.rounding, false);
        }
    }
    let limit = limit_of(wanted, currency, rules.allow_free);
    let after = match (limit, rules.on_limit) {
        (None, _) => Some(wanted),
        (Some(_), OnLimit::Skip) => None,
        (Some(Limit::Negative), OnLimit::Clamp) if rules.allow_free => Some(0),
        (Some(Limit::Maximum), OnLimit::Clamp) => Some(highest(currency, rules.rounding)),
        (Some(_), OnLimit::Clamp) => Some(lowest(currency, rules.rounding)),
    };
    Repriced {
        wanted,
        limit,
        after,
    }
}

/// The new price difference of an option when its product's price changes by `percent`
/// to `price_after` (options scaled with the product). The difference is scaled by the
/// same percent (to the minor unit, half away from zero); then `rounding` applies to the
/// option's whole price (`price_after` + the difference), so an option ends as its
/// product does ($10.99 and $15.99, not $15.98); as for prices, rounding never turns a
/// rise into a cut or a cut into a rise of the difference. Never below 0: Gumroad refuses
/// a negative difference.
pub fn scale_difference(
    difference: i64,
    price_after: i64,
    currency: &Currency,
    percent: f64,
    rounding: Rounding,
) -> i64 {
    let raw = percent_of(difference, percent);
    if rounding == Rounding::None || raw <= 0 {
        return raw.max(0);
    }
    let whole_raw = price_after.saturating_add(raw);
    let mut whole = round(whole_raw, currency, rounding);
    if percent > 0.0 && whole - price_after < difference {
        whole = round_toward(whole_raw, currency, rounding, true);
    } else if percent < 0.0 && whole - price_after > difference {
        whole = round_toward(whole_raw, currency, rounding, false);
    }
    (whole - price_after).max(0)
}

/// `price` plus `percent` %, rounded half away from zero to the minor unit. Multiplying
/// before dividing keeps whole and half percents exact (1005 × 110 / 100 = 1105.5 → 1106).
pub fn percent_of(price: i64, percent: f64) -> i64 {
    let exact = price as f64 * (100.0 + percent) / 100.0;
    if exact.is_finite() {
        // `as` saturates at the i64 bounds; the maximum check catches that.
        exact.round() as i64
    } else {
        price
    }
}

/// One major unit in minor units, or ¥100 for JPY (see the module notes).
pub fn rounding_unit(currency: &Currency) -> i64 {
    if currency.exponent == 0 {
        100
    } else {
        10i64.pow(u32::from(currency.exponent))
    }
}

/// The prices `rounding` allows are `k · step − offset` for k ≥ 1; `None` for no rounding.
fn grid(currency: &Currency, rounding: Rounding) -> Option<(i64, i64)> {
    let unit = rounding_unit(currency);
    match rounding {
        Rounding::None => None,
        Rounding::Whole => Some((unit, 0)),
        Rounding::Charm99 => Some((unit, 1)),
        Rounding::Charm49Or99 => Some((unit / 2, 1)),
    }
}

/// `raw` rounded to the nearest allowed price (ties up); 0 and below are left alone.
pub fn round(raw: i64, currency: &Currency, rounding: Rounding) -> i64 {
    match grid(currency, rounding) {
        Some((step, offset)) if raw > 0 => {
            let k = (raw.saturating_add(offset).saturating_add(step / 2) / step).max(1);
            k.saturating_mul(step) - offset
        }
        _ => raw,
    }
}

/// `raw` rounded up (or down) to an allowed price; at least the first one.
fn round_toward(raw: i64, currency: &Currency, rounding: Rounding, up: bool) -> i64 {
    match grid(currency, rounding) {
        Some((step, offset)) => {
            let shifted = raw.saturating_add(offset);
            let k = if up {
                shifted.saturating_add(step - 1) / step
            } else {
                shifted / step
            };
            k.max(1).saturating_mul(step) - offset
        }
        None => raw,
    }
}

fn limit_of(price: i64, currency: &Currency, allow_free: bool) -> Option<Limit> {
    match price {
        p if p < 0 => Some(Limit::Negative),
        0 if allow_free => None,
        0 => Some(Limit::Free),
        p if p < currency.min_price => Some(Limit::Minimum),
        p if p > currency.max_price() => Some(Limit::Maximum),
        _ => None,
    }
}

/// The lowest non-zero price allowed in `currency` that keeps the rounding.
pub fn lowest(currency: &Currency, rounding: Rounding) -> i64 {
    match grid(currency, rounding) {
        None => currency.min_price,
        Some((step, offset)) => {
            let k = (currency.min_price + offset + step - 1) / step;
            k.max(1) * step - offset
        }
    }
}

/// The highest price allowed in `currency` that keeps the rounding.
pub fn highest(currency: &Currency, rounding: Rounding) -> i64 {
    let max = currency.max_price();
    match grid(currency, rounding) {
        None => max,
        Some((step, offset)) => (max + offset) / step * step - offset,
    }
}

#[cfg(test)]
mod tests;
