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
mod tests {
    use super::*;
    use crate::money::find_currency;

    use Limit::{Free, Maximum, Minimum, Negative};
    use OnLimit::{Clamp, Skip};
    use PriceChange::{Amount, Percent, Set};
    use Rounding::{Charm49Or99, Charm99, None as Exact, Whole};

    fn rules(rounding: Rounding, allow_free: bool, on_limit: OnLimit) -> Rules {
        Rules {
            rounding,
            allow_free,
            on_limit,
        }
    }

    #[test]
    fn rounding_per_currency() {
        // (currency, raw, rounding, rounded)
        let rows = [
            ("usd", 1100, Exact, 1100),
            ("usd", 1099, Whole, 1100),
            ("usd", 1049, Whole, 1000),
            ("usd", 1050, Whole, 1100), // a tie goes up
            ("usd", 40, Whole, 100),    // a positive price never rounds to 0
            ("usd", 1100, Charm99, 1099),
            ("usd", 1048, Charm99, 999),
            ("usd", 1049, Charm99, 1099), // a tie goes up
            ("usd", 1, Charm99, 99),
            ("usd", 1100, Charm49Or99, 1099),
            ("usd", 1073, Charm49Or99, 1049),
            ("usd", 1074, Charm49Or99, 1099), // a tie goes up
            ("usd", 20, Charm49Or99, 49),
            ("usd", 0, Charm99, 0),
            ("usd", -250, Whole, -250),
            ("eur", 539, Charm99, 499),
            ("eur", 549, Charm49Or99, 549),
            ("eur", 79, Whole, 100),
            // Yen: no minor units; the rounding unit is ¥100.
            ("jpy", 1650, Exact, 1650),
            ("jpy", 1650, Whole, 1700),
            ("jpy", 1649, Whole, 1600),
            ("jpy", 1650, Charm99, 1699),
            ("jpy", 1648, Charm99, 1599),
            ("jpy", 1620, Charm49Or99, 1599),
            ("jpy", 1630, Charm49Or99, 1649),
            ("jpy", 1570, Charm49Or99, 1549),
            ("jpy", 30, Charm99, 99),
            ("jpy", 30, Whole, 100),
            ("krw", 111_000, Charm99, 110_999),
        ];
        for (code, raw, rounding, want) in rows {
            let currency = find_currency(code).unwrap();
            assert_eq!(
                round(raw, currency, rounding),
                want,
                "{code} {raw} {rounding:?}"
            );
        }
    }

    #[test]
    fn percent_changes_round_half_away_from_zero() {
        let rows = [
            (1000, 10.0, 1100),
            (999, 10.0, 1099),  // 1098.9
            (1005, 10.0, 1106), // 1105.5
            (1005, -10.0, 905), // 904.5
            (1000, -99.0, 10),
            (1000, 1000.0, 11_000),
            (1999, 12.5, 2249), // 2248.875
            (980, 10.0, 1078),
            (0, 50.0, 0),
        ];
        for (price, percent, want) in rows {
            assert_eq!(percent_of(price, percent), want, "{price} {percent}");
        }
        assert_eq!(percent_of(1000, f64::NAN), 1000);
    }

    #[test]
    fn lowest_and_highest_keep_the_rounding() {
        // (currency, rounding, lowest, highest)
        let rows = [
            ("usd", Exact, 99, 9_900_000),
            ("usd", Whole, 100, 9_900_000),
            ("usd", Charm99, 99, 9_899_999),
            ("usd", Charm49Or99, 99, 9_899_999),
            ("eur", Exact, 79, 7_900_000),
            ("eur", Whole, 100, 7_900_000),
            ("eur", Charm99, 99, 7_899_999),
            ("eur", Charm49Or99, 99, 7_899_999),
            ("jpy", Exact, 99, 9_900_000),
            ("jpy", Whole, 100, 9_900_000),
            ("jpy", Charm99, 99, 9_899_999),
            ("inr", Charm99, 7399, 729_999_999),
            ("inr", Charm49Or99, 7349, 729_999_999),
            ("krw", Whole, 111_000, 2_147_483_600),
            ("gbp", Charm49Or99, 99, 5_899_999),
        ];
        for (code, rounding, low, high) in rows {
            let currency = find_currency(code).unwrap();
            assert_eq!(lowest(currency, rounding), low, "{code} {rounding:?}");
            assert_eq!(highest(currency, rounding), high, "{code} {rounding:?}");
        }
    }

    #[test]
    fn new_prices_with_rounding_and_limits_per_currency() {
        // (currency, price, change, rules, wanted, limit, after)
        type Row = (
            &'static str,
            i64,
            PriceChange,
            Rules,
            i64,
            Option<Limit>,
            Option<i64>,
        );
        let plain = rules(Exact, false, Skip);
        let rows: &[Row] = &[
            // usd: cents
            ("usd", 1000, Percent(10.0), plain, 1100, None, Some(1100)),
            (
                "usd",
                999,
                Percent(10.0),
                rules(Charm99, false, Skip),
                1099,
                None,
                Some(1099),
            ),
            (
                "usd",
                1999,
                Percent(10.0),
                rules(Charm99, false, Skip),
                2199,
                None,
                Some(2199),
            ),
            (
                "usd",
                1999,
                Percent(-15.0),
                rules(Whole, false, Skip),
                1700,
                None,
                Some(1700),
            ),
            (
                "usd",
                1999,
                Percent(-15.0),
                rules(Charm49Or99, false, Skip),
                1699,
                None,
                Some(1699),
            ),
            ("usd", 1000, Amount(250), plain, 1250, None, Some(1250)),
            (
                "usd",
                1000,
                Amount(-250),
                rules(Charm99, false, Skip),
                799,
                None,
                Some(799),
            ),
            // rounding never reverses the change: the next rounded price in its direction
            (
                "usd",
                1000,
                Percent(2.0),
                rules(Charm99, false, Skip),
                1099,
                None,
                Some(1099),
            ),
            (
                "usd",
                1000,
                Amount(30),
                rules(Whole, false, Skip),
                1000,
                None,
                Some(1000),
            ),
            (
                "usd",
                1060,
                Percent(-1.0),
                rules(Charm99, false, Skip),
                999,
                None,
                Some(999),
            ),
            (
                "usd",
                1060,
                Percent(-1.0),
                rules(Charm49Or99, false, Skip),
                1049,
                None,
                Some(1049),
            ),
            (
                "usd",
                1000,
                Set(1020),
                rules(Charm99, false, Skip),
                999,
                None,
                Some(999),
            ),
            ("usd", 1000, Set(1499), plain, 1499, None, Some(1499)),
            // under the minimum: skipped, or clamped up (never down to free)
            ("usd", 199, Percent(-60.0), plain, 80, Some(Minimum), None),
            (
                "usd",
                199,
                Percent(-60.0),
                rules(Exact, false, Clamp),
                80,
                Some(Minimum),
                Some(99),
            ),
            (
                "usd",
                199,
                Percent(-60.0),
                rules(Exact, true, Clamp),
                80,
                Some(Minimum),
                Some(99),
            ),
            (
                "usd",
                199,
                Percent(-60.0),
                rules(Whole, false, Clamp),
                100,
                None,
                Some(100),
            ),
            // negative results
            ("usd", 500, Amount(-700), plain, -200, Some(Negative), None),
            (
                "usd",
                500,
                Amount(-700),
                rules(Exact, false, Clamp),
                -200,
                Some(Negative),
                Some(99),
            ),
            (
                "usd",
                500,
                Amount(-700),
                rules(Charm99, true, Clamp),
                -200,
                Some(Negative),
                Some(0),
            ),
            (
                "usd",
                500,
                Amount(-700),
                rules(Exact, true, Skip),
                -200,
                Some(Negative),
                None,
            ),
            // exactly 0: free only when allowed
            ("usd", 500, Amount(-500), plain, 0, Some(Free), None),
            (
                "usd",
                500,
                Amount(-500),
                rules(Exact, false, Clamp),
                0,
                Some(Free),
                Some(99),
            ),
            (
                "usd",
                500,
                Amount(-500),
                rules(Exact, true, Skip),
                0,
                None,
                Some(0),
            ),
            (
                "usd",
                500,
                Set(0),
                rules(Charm99, true, Skip),
                0,
                None,
                Some(0),
            ),
            // above the maximum
            (
                "usd",
                5_000_000,
                Percent(100.0),
                plain,
                10_000_000,
                Some(Maximum),
                None,
            ),
            (
                "usd",
                5_000_000,
                Percent(100.0),
                rules(Charm99, false, Clamp),
                9_999_999,
                Some(Maximum),
                Some(9_899_999),
            ),
            // a free product stays free under a percent change
            ("usd", 0, Percent(10.0), plain, 0, Some(Free), None),
            ("usd", 0, Amount(500), plain, 500, None, Some(500)),
            // eur: minimum €0.79
            (
                "eur",
                490,
                Percent(10.0),
                rules(Charm99, false, Skip),
                499,
                None,
                Some(499),
            ),
            ("eur", 100, Percent(-25.0), plain, 75, Some(Minimum), None),
            (
                "eur",
                100,
                Percent(-25.0),
                rules(Exact, false, Clamp),
                75,
                Some(Minimum),
                Some(79),
            ),
            (
                "eur",
                100,
                Percent(-25.0),
                rules(Charm99, false, Clamp),
                99,
                None,
                Some(99),
            ),
            (
                "eur",
                100,
                Percent(-25.0),
                rules(Whole, false, Clamp),
                100,
                None,
                Some(100),
            ),
            (
                "eur",
                90,
                Percent(-25.0),
                rules(Charm49Or99, false, Clamp),
                49,
                Some(Minimum),
                Some(99),
            ),
            // jpy: whole yen, minimum ¥99, rounding unit ¥100
            ("jpy", 1500, Percent(10.0), plain, 1650, None, Some(1650)),
            (
                "jpy",
                1500,
                Percent(10.0),
                rules(Charm99, false, Skip),
                1699,
                None,
                Some(1699),
            ),
            (
                "jpy",
                980,
                Percent(10.0),
                rules(Charm99, false, Skip),
                1099,
                None,
                Some(1099),
            ),
            (
                "jpy",
                980,
                Percent(10.0),
                rules(Whole, false, Skip),
                1100,
                None,
                Some(1100),
            ),
            (
                "jpy",
                980,
                Percent(10.0),
                rules(Charm49Or99, false, Skip),
                1099,
                None,
                Some(1099),
            ),
            ("jpy", 999, Percent(3.3), plain, 1032, None, Some(1032)), // 1031.967
            ("jpy", 300, Amount(-250), plain, 50, Some(Minimum), None),
            (
                "jpy",
                300,
                Amount(-250),
                rules(Exact, false, Clamp),
                50,
                Some(Minimum),
                Some(99),
            ),
            (
                "jpy",
                300,
                Amount(-250),
                rules(Whole, false, Clamp),
                100,
                None,
                Some(100),
            ),
            (
                "jpy",
                300,
                Amount(-400),
                rules(Whole, true, Clamp),
                -100,
                Some(Negative),
                Some(0),
            ),
            (
                "jpy",
                9_000_000,
                Percent(20.0),
                rules(Whole, false, Clamp),
                10_800_000,
                Some(Maximum),
                Some(9_900_000),
            ),
        ];
        for (i, &(code, price, change, rules, wanted, limit, after)) in rows.iter().enumerate() {
            let currency = find_currency(code).unwrap();
            let got = reprice(price, currency, change, &rules);
            assert_eq!(
                got,
                Repriced {
                    wanted,
                    limit,
                    after
                },
                "row {i}: {code} {price} {change:?} {rules:?}"
            );
        }
    }

    #[test]
    fn rounding_and_limit_names_read_from_json() {
        let rows = [
            ("\"none\"", Exact),
            ("\"whole\"", Whole),
            ("\"charm99\"", Charm99),
            ("\"charm49or99\"", Charm49Or99),
        ];
        for (json, rounding) in rows {
            assert_eq!(serde_json::from_str::<Rounding>(json).unwrap(), rounding);
            assert_eq!(serde_json::to_string(&rounding).unwrap(), json);
        }
        assert_eq!(serde_json::from_str::<OnLimit>("\"clamp\"").unwrap(), Clamp);
        assert!(serde_json::from_str::<Rounding>("\"charm49Or99\"").is_err());
    }
}
