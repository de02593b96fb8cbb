//! Table tests of the price arithmetic: every change, rounding and limit per currency.

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
