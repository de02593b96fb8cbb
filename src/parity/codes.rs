//! Which parity codes to create: [`parity_codes`] turns the table into codes, one per
//! distinct percent (`PPP25`) or one per country (`PPP-IN`); [`clamp_for_minimum`] /
//! [`clamp_for_prices`] and [`MinimumPolicy`] decide what a product whose discounted price
//! would fall under its currency's minimum gets; [`is_parity_code`] finds them again for
//! removal. Pure: no I/O, and nothing from `bulk` (which turns a code into its apply
//! intent, `bulk::parity::apply_intent`).
//!
//! Gumroad's rules (contract §2.2): a code holds letters (Latin-1 accents too), digits,
//! `-` and `_`; a percent code is a whole 1–100; every price a buyer can pay must be 0 or
//! at least the currency's minimum after the discount, or Gumroad refuses the code.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::find_country;
use super::overrides::Row;
use crate::discount::{amount_off, price_cents};
use crate::error::{clip, Error};
use crate::model::{collation_key, is_code_char, Discount, Product};
use crate::money::find_currency;

/// How countries share codes. JSON `"perTier"` / `"perCountry"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CodeMode {
    /// One code per distinct percent: prefix + percent (`PPP25`). Few codes.
    #[default]
    PerTier,
    /// One code per country: prefix + `-` + alpha-2 code (`PPP-IN`; no extra `-` when the
    /// prefix already ends in `-` or `_`).
    PerCountry,
}

/// What a product gets when a code's percent would take one of its prices under the
/// currency's minimum. JSON `"clamp"` / `"skip"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MinimumPolicy {
    /// The largest whole percent below the code's that keeps every price valid.
    Clamp,
    /// No code on that product.
    Skip,
}

impl MinimumPolicy {
    /// The percent `product` gets for a code of `percent`, checked against every price a
    /// buyer can pay for it (base, options, tiers: [`price_cents`]); `None` = no code on
    /// it. The parity job and the country map both decide with this.
    pub fn percent_on(self, percent: u8, product: &Product) -> Option<u8> {
        self.percent_for(percent, &price_cents(product), &product.currency)
    }

    /// The percent a product priced `prices` (every price a buyer can pay: base, options,
    /// tiers) in `currency` gets for a code of `percent`; `None` = no code on it.
    pub fn percent_for(self, percent: u8, prices: &[i64], currency: &str) -> Option<u8> {
        let valid = clamp_for_prices(percent, prices, currency)?;
        match self {
            MinimumPolicy::Clamp => Some(valid),
            MinimumPolicy::Skip => (valid == percent).then_some(valid),
        }
    }
}

/// One parity code to create on the selected products.
///
/// JSON: `{"code": "PPP25", "percent": 25, "countries": ["IN", "PK"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParityCode {
    /// What buyers type.
    pub code: String,
    /// 1 to 100.
    pub percent: u8,
    /// Alpha-2 codes of the countries this code is meant for, sorted.
    pub countries: Vec<String>,
}

/// The codes for every row with an effective percent, per tier (by percent, ascending) or
/// per country (by country code). Rows without a percent get no code; an empty result
/// means no country gets one. `InvalidInput` for an empty or invalid `prefix` (trimmed, as
/// Gumroad trims codes), a per-tier prefix ending in a digit (`X1` + 25 would read
/// `X125`), a row that is not a country of the table, or a percent over 100.
pub fn parity_codes(table: &[Row], mode: CodeMode, prefix: &str) -> Result<Vec<ParityCode>, Error> {
    let prefix = check_prefix(prefix, mode)?;
    // percent → countries, indexed by percent rather than a `BTreeMap` (whose code for
    // these types would be its own copy in the wasm module).
    let mut tiers: Vec<Vec<String>> = vec![Vec::new(); usize::from(u8::MAX) + 1];
    let mut seen = HashSet::new();
    for row in table {
        let Some(percent) = row.effective.filter(|p| *p > 0) else {
            continue;
        };
        let country = find_country(&row.code).ok_or_else(|| {
            Error::invalid_input(format!(
                "'{}' is not a country of the parity table.",
                clip(&row.code, 12)
            ))
        })?;
        if percent > 100 {
            return Err(Error::invalid_input(format!(
                "{}: {percent} % is over 100 %.",
                country.name
            )));
        }
        if seen.insert(country.code) {
            tiers[usize::from(percent)].push(country.code.to_owned());
        }
    }
    // Ascending percent, as the map's order was.
    let tiers = (0..=u8::MAX)
        .zip(tiers)
        .filter(|(_, countries)| !countries.is_empty());
    let mut codes: Vec<ParityCode> = match mode {
        CodeMode::PerTier => tiers
            .map(|(percent, mut countries)| {
                countries.sort();
                ParityCode {
                    code: format!("{prefix}{percent}"),
                    percent,
                    countries,
                }
            })
            .collect(),
        CodeMode::PerCountry => tiers
            .flat_map(|(percent, countries)| {
                countries.into_iter().map(move |country| (percent, country))
            })
            .map(|(percent, country)| ParityCode {
                code: per_country_code(prefix, &country),
                percent,
                countries: vec![country],
            })
            .collect(),
    };
    if mode == CodeMode::PerCountry {
        codes.sort_by(|a, b| a.countries.cmp(&b.countries));
    }
    Ok(codes)
}

fn per_country_code(prefix: &str, country: &str) -> String {
    if prefix.ends_with(['-', '_']) {
        format!("{prefix}{country}")
    } else {
        format!("{prefix}-{country}")
    }
}

/// The trimmed prefix, if codes made from it satisfy Gumroad's rule.
pub(crate) fn check_prefix(raw: &str, mode: CodeMode) -> Result<&str, Error> {
    let prefix = raw.trim();
    if prefix.is_empty() {
        return Err(Error::invalid_input(
            "Enter a prefix for the parity codes, for example PPP.",
        ));
    }
    let mut bad: Vec<String> = Vec::new();
    for c in prefix.chars().filter(|c| !is_code_char(*c)) {
        let shown = match c {
            ' ' => "a space".to_owned(),
            c if c.is_whitespace() || c.is_control() => "a blank".to_owned(),
            c => format!("\"{c}\""),
        };
        if !bad.contains(&shown) {
            bad.push(shown);
        }
    }
    if !bad.is_empty() {
        bad.truncate(5);
        return Err(Error::invalid_input(format!(
            "A code prefix can only contain numbers, letters, dashes, and underscores: \"{}\" has {}.",
            clip(prefix, 40),
            bad.join(", ")
        )));
    }
    if mode == CodeMode::PerTier && prefix.ends_with(|c: char| c.is_ascii_digit()) {
        return Err(Error::invalid_input(format!(
            "The prefix \"{}\" ends in a digit, which would run into the percent ({}25); end it with a letter, - or _.",
            clip(prefix, 40),
            clip(prefix, 40)
        )));
    }
    Ok(prefix)
}

/// Whether `name` is a code [`parity_codes`] makes from `prefix`, in either mode: prefix +
/// a percent 1–100 (`PPP25`), or prefix + `-` + a country of the table (`PPP-IN`; no `-`
/// added after a prefix ending in `-`/`_`). Compared as checkout finds codes: ignoring
/// case and Latin-1 accents. A seller's other codes with the same start (`PPPSALE`,
/// `PPP2025`) do not match.
pub fn is_parity_code(name: &str, prefix: &str) -> bool {
    let prefix = collation_key(prefix.trim());
    let name = collation_key(name.trim());
    if prefix.is_empty() {
        return false;
    }
    let Some(rest) = name.strip_prefix(&prefix) else {
        return false;
    };
    let is_percent = !rest.starts_with('0')
        && (1..=3).contains(&rest.len())
        && rest.bytes().all(|b| b.is_ascii_digit())
        && rest.parse::<u8>().is_ok_and(|p| (1..=100).contains(&p));
    let country = if prefix.ends_with(['-', '_']) {
        Some(rest)
    } else {
        rest.strip_prefix('-')
    };
    let is_country =
        country.is_some_and(|c| c.len() == 2 && c.is_ascii() && find_country(c).is_some());
    is_percent || is_country
}

/// The largest whole percent ≤ `percent` (at most 100) that leaves `price` (minor units of
/// `currency`) either 0 or at least the currency's minimum, as Gumroad computes the
/// discounted price (`OfferCode#amount_off`, rounded half away from zero). `None` when no
/// percent from 1 up works — skip the product — and for `percent` 0, a negative price or
/// a currency Gumroad does not sell in.
pub fn clamp_for_minimum(percent: u8, price: i64, currency: &str) -> Option<u8> {
    clamp_for_prices(percent, &[price], currency)
}

/// [`clamp_for_minimum`] for a product with several prices a buyer can pay (options,
/// membership tiers): the largest percent valid for all of them.
pub fn clamp_for_prices(percent: u8, prices: &[i64], currency: &str) -> Option<u8> {
    let currency = find_currency(currency)?;
    if prices.iter().any(|price| *price < 0) {
        return None;
    }
    (1..=percent.min(100)).rev().find(|&p| {
        prices.iter().all(|&price| {
            let after = price - amount_off(Discount::Percent(p), price);
            after <= 0 || after >= currency.min_price
        })
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::parity::{build_table, Override, Overrides, Settings};
    use crate::ErrorKind;

    fn table(edits: &[(&str, Override)]) -> Vec<Row> {
        let mut overrides = Overrides::new();
        for (code, choice) in edits {
            overrides.set(code, *choice).unwrap();
        }
        build_table(&Settings::default(), &overrides)
    }

    /// A table row with only what `parity_codes` reads (bulk's parity tests use it too).
    pub(crate) fn row(code: &str, effective: Option<u8>) -> Row {
        Row {
            code: code.to_owned(),
            name: code.to_owned(),
            ratio: 0.5,
            suggested: effective,
            override_: Override::Default,
            effective,
        }
    }

    #[test]
    fn per_tier_one_code_per_distinct_percent() {
        let rows = [
            row("IN", Some(60)),
            row("PK", Some(60)),
            row("BR", Some(40)),
            row("DE", None),
            row("MX", Some(40)),
            row("TR", Some(25)),
            row("in", Some(60)),
        ];
        let codes = parity_codes(&rows, CodeMode::PerTier, " PPP ").unwrap();
        let got: Vec<(&str, u8, Vec<&str>)> = codes
            .iter()
            .map(|c| {
                (
                    c.code.as_str(),
                    c.percent,
                    c.countries.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("PPP25", 25, vec!["TR"]),
                ("PPP40", 40, vec!["BR", "MX"]),
                ("PPP60", 60, vec!["IN", "PK"]),
            ]
        );
        assert_eq!(
            serde_json::to_value(&codes[0]).unwrap(),
            serde_json::json!({"code": "PPP25", "percent": 25, "countries": ["TR"]})
        );
    }

    #[test]
    fn per_country_one_code_each() {
        let rows = [row("PK", Some(60)), row("IN", Some(40)), row("DE", None)];
        // (prefix, expected codes)
        let cases: &[(&str, &[(&str, u8)])] = &[
            ("PPP", &[("PPP-IN", 40), ("PPP-PK", 60)]),
            ("PPP-", &[("PPP-IN", 40), ("PPP-PK", 60)]),
            ("ppp_", &[("ppp_IN", 40), ("ppp_PK", 60)]),
            ("Été2025", &[("Été2025-IN", 40), ("Été2025-PK", 60)]),
        ];
        for (prefix, expected) in cases {
            let codes = parity_codes(&rows, CodeMode::PerCountry, prefix).unwrap();
            let got: Vec<(&str, u8)> = codes.iter().map(|c| (c.code.as_str(), c.percent)).collect();
            assert_eq!(got, *expected, "{prefix}");
            assert!(codes.iter().all(|c| c.countries.len() == 1));
        }
    }

    #[test]
    fn the_default_table_with_two_edits() {
        let rows = table(&[("IN", Override::Percent(40)), ("CN", Override::Excluded)]);
        let codes = parity_codes(&rows, CodeMode::PerTier, "PPP").unwrap();
        let forty = codes.iter().find(|c| c.code == "PPP40").unwrap();
        assert!(forty.countries.contains(&"IN".to_owned()));
        assert!(codes
            .iter()
            .all(|c| !c.countries.contains(&"CN".to_owned())));
        assert!(codes
            .iter()
            .all(|c| c.percent % 5 == 0 && (5..=60).contains(&c.percent)));
        let countries: usize = codes.iter().map(|c| c.countries.len()).sum();
        assert_eq!(
            countries,
            rows.iter().filter(|r| r.effective.is_some()).count()
        );

        let everything_excluded: Vec<Row> = rows
            .iter()
            .cloned()
            .map(|mut r| {
                r.effective = None;
                r
            })
            .collect();
        assert_eq!(
            parity_codes(&everything_excluded, CodeMode::PerTier, "PPP"),
            Ok(vec![])
        );
    }

    #[test]
    fn prefixes_and_rows_that_are_refused() {
        let rows = [row("IN", Some(40))];
        // (rows, mode, prefix, message part)
        let cases: &[(&[Row], CodeMode, &str, &str)] = &[
            (&rows, CodeMode::PerTier, "", "Enter a prefix"),
            (&rows, CodeMode::PerCountry, "   ", "Enter a prefix"),
            (&rows, CodeMode::PerTier, "P P", "has a space"),
            (&rows, CodeMode::PerTier, "PPP!", "has \"!\""),
            (&rows, CodeMode::PerTier, "a×b", "has \"×\""),
            (&rows, CodeMode::PerTier, "PPP€", "has \"€\""),
            (&rows, CodeMode::PerTier, "SALE2025", "ends in a digit"),
            (
                &[row("XX", Some(40))],
                CodeMode::PerTier,
                "PPP",
                "'XX' is not a country",
            ),
            (
                &[row("IN", Some(150))],
                CodeMode::PerTier,
                "PPP",
                "150 % is over 100 %",
            ),
        ];
        for (rows, mode, prefix, want) in cases {
            let error = parity_codes(rows, *mode, prefix).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput);
            assert!(
                error.message().contains(want),
                "{prefix}: {}",
                error.message()
            );
        }
        assert!(parity_codes(&rows, CodeMode::PerCountry, "SALE2025").is_ok());
        assert!(
            parity_codes(&[row("XX", None)], CodeMode::PerTier, "PPP").is_ok(),
            "rows without a code are not checked"
        );
    }

    #[test]
    fn recognises_its_own_codes_only() {
        // (name, prefix, is a parity code)
        let rows = [
            ("PPP25", "PPP", true),
            ("ppp25", "PPP", true),
            ("PPP100", "PPP", true),
            ("PPP-IN", "PPP", true),
            ("ppp-in", "ppp", true),
            ("PPP-XK", "PPP", true),
            ("PPP-", "PPP-", false),
            ("PPP-25", "PPP-", true),
            ("PPP-IN", "PPP-", true),
            ("PPP_IN", "PPP_", true),
            ("ÉTÉ-IN", "été", true),
            ("PPP0", "PPP", false),
            ("PPP05", "PPP", false),
            ("PPP101", "PPP", false),
            ("PPP2025", "PPP", false),
            ("PPPSALE", "PPP", false),
            ("PPP-XX", "PPP", false),
            ("PPP-IND", "PPP", false),
            ("PPPIN", "PPP", false),
            ("PPP-25", "PPP", false),
            ("PPP", "PPP", false),
            ("SAVE25", "PPP", false),
            ("25", "", false),
        ];
        for (name, prefix, expected) in rows {
            assert_eq!(is_parity_code(name, prefix), expected, "{name} {prefix}");
        }
    }

    #[test]
    fn clamps_to_the_currency_minimum() {
        // (percent, price, currency, expected)
        let rows: &[(u8, i64, &str, Option<u8>)] = &[
            (40, 1000, "usd", Some(40)), // $6.00
            (60, 200, "usd", Some(50)),  // 60 % → $0.80 < $0.99; 50 % → $1.00
            (60, 150, "usd", Some(34)),  // 34 % → $0.99 (51 off); 35 % → $0.97 (52.5 → 53 off)
            (60, 99, "usd", None),       // any 1..60 % takes $0.99 under the minimum
            (100, 99, "usd", Some(100)), // free is allowed
            (60, 0, "usd", Some(60)),    // a free product stays free
            (0, 1000, "usd", None),
            (150, 1000, "usd", Some(100)), // never above 100
            (60, 250, "eur", Some(60)),    // €1.00 ≥ €0.79
            (70, 250, "eur", Some(68)),    // 68 % → €0.80; 69 % → €0.775 → 78 cents
            (60, 15000, "inr", Some(51)),  // ₹73 minimum: 51 % → ₹73.50
            (60, 200, "jpy", Some(50)),    // ¥99 minimum, no decimals: 50 % → ¥100
            (60, 200, "JPY", Some(50)),
            (60, 1000, "xyz", None), // not a Gumroad currency
            (60, -100, "usd", None),
        ];
        for (percent, price, currency, expected) in rows {
            assert_eq!(
                clamp_for_minimum(*percent, *price, currency),
                *expected,
                "{percent}% of {price} {currency}"
            );
        }
    }

    #[test]
    fn every_price_of_a_product_counts() {
        assert_eq!(clamp_for_prices(60, &[1000, 200], "usd"), Some(50));
        assert_eq!(clamp_for_prices(60, &[1000, 150, 200], "usd"), Some(34));
        assert_eq!(clamp_for_prices(60, &[], "usd"), Some(60));
        assert_eq!(clamp_for_prices(60, &[1000, -1], "usd"), None);
        // (policy, prices, expected)
        let rows: &[(MinimumPolicy, &[i64], Option<u8>)] = &[
            (MinimumPolicy::Clamp, &[1000], Some(60)),
            (MinimumPolicy::Skip, &[1000], Some(60)),
            (MinimumPolicy::Clamp, &[1000, 200], Some(50)),
            (MinimumPolicy::Skip, &[1000, 200], None),
            (MinimumPolicy::Clamp, &[99], None),
            (MinimumPolicy::Skip, &[99], None),
        ];
        for (policy, prices, expected) in rows {
            assert_eq!(
                policy.percent_for(60, prices, "usd"),
                *expected,
                "{policy:?} {prices:?}"
            );
        }
    }
}
