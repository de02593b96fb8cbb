//! Currencies, minimum prices and Gumroad's price strings.
//!
//! Table from the contract §5 (`config/currencies.json`): lowercase codes, the
//! minimum non-zero price in minor units, and JPY as the only single-unit
//! currency (its "cents" are whole yen). Formatting follows
//! `MoneyFormatter.format(..., no_cents_if_whole: true, symbol: true)` for the
//! shapes the contract quotes (`$1`, `$9.99`, `€7.90`, `¥1,500`); symbols are
//! always put in front, which is exact for $, €, £ and ¥.

#[derive(Debug, PartialEq, Eq)]
pub struct Currency {
    pub code: &'static str,
    pub symbol: &'static str,
    pub min_price: i64,
    pub single_unit: bool,
}

const fn cur(
    code: &'static str,
    symbol: &'static str,
    min_price: i64,
    single_unit: bool,
) -> Currency {
    Currency {
        code,
        symbol,
        min_price,
        single_unit,
    }
}

pub static CURRENCIES: &[Currency] = &[
    cur("usd", "$", 99, false),
    cur("gbp", "£", 59, false),
    cur("eur", "€", 79, false),
    cur("jpy", "¥", 99, true),
    cur("inr", "₹", 7300, false),
    cur("aud", "A$", 99, false),
    cur("cad", "CAD$", 99, false),
    cur("hkd", "HK$", 799, false),
    cur("sgd", "SGD$", 99, false),
    cur("twd", "NT$", 2999, false),
    cur("nzd", "NZ$", 99, false),
    cur("brl", "R$", 533, false),
    cur("zar", "ZAR", 1300, false),
    cur("chf", "CHF", 100, false),
    cur("ils", "₪", 700, false),
    cur("php", "₱", 4500, false),
    cur("krw", "₩", 111_000, false),
    cur("pln", "zł", 379, false),
    cur("czk", "Kč", 2149, false),
];

pub fn currency(code: &str) -> Option<&'static Currency> {
    CURRENCIES.iter().find(|c| c.code == code)
}

/// A known currency, falling back to USD so a corrupt store never panics a handler.
pub fn currency_or_usd(code: &str) -> &'static Currency {
    currency(code).unwrap_or(&CURRENCIES[0])
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `$9.99`, `$10` (no cents when whole), `¥1,500`.
pub fn format(cents: i64, cur: &Currency) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    if cur.single_unit {
        return format!("{sign}{}{}", cur.symbol, group_thousands(abs));
    }
    let (units, minor) = (abs / 100, abs % 100);
    if minor == 0 {
        format!("{sign}{}{}", cur.symbol, group_thousands(units))
    } else {
        format!("{sign}{}{}.{minor:02}", cur.symbol, group_thousands(units))
    }
}

/// `Link#min_price_formatted`: `$0.99`, `€0.79`, `¥99`.
pub fn min_price_formatted(cur: &Currency) -> String {
    format(cur.min_price, cur)
}

/// Gumroad's price-after-discount and product-price rule: free, or at least the minimum.
pub fn is_valid_price(cents: i64, cur: &Currency) -> bool {
    cents <= 0 || cents >= cur.min_price
}

/// The store's USD value of an amount in currency `code` (lowercase; an unknown code is
/// read as USD): what `sales_usd_cents` and `GET /v2/sales/summary` report, so tests can
/// add up the sales they list the same way.
pub fn usd_cents(cents: i64, code: &str) -> i64 {
    approx_usd_cents(cents, currency_or_usd(code))
}

/// Rough USD value for `sales_usd_cents` of the seeded store; not an exchange-rate service.
/// Fixed rates, truncated toward zero: 1 EUR = 1.08 USD, 1 GBP = 1.27 USD, 150 JPY = 1 USD,
/// any other currency at par.
pub fn approx_usd_cents(cents: i64, cur: &Currency) -> i64 {
    match cur.code {
        "usd" => cents,
        "eur" => cents * 108 / 100,
        "gbp" => cents * 127 / 100,
        "jpy" => cents * 100 / 150,
        _ => cents,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_money_formatter_with_no_cents_if_whole() {
        let usd = currency("usd").unwrap();
        let eur = currency("eur").unwrap();
        let jpy = currency("jpy").unwrap();
        let cases = [
            (100, usd, "$1"),
            (999, usd, "$9.99"),
            (99, usd, "$0.99"),
            (123_450, usd, "$1,234.50"),
            (790, eur, "€7.90"),
            (79, eur, "€0.79"),
            (1500, jpy, "¥1,500"),
            (99, jpy, "¥99"),
            (0, usd, "$0"),
        ];
        for (cents, cur, want) in cases {
            assert_eq!(format(cents, cur), want, "{cents} {}", cur.code);
        }
    }

    #[test]
    fn usd_values_at_the_stores_fixed_rates() {
        let cases = [
            (999, "usd", 999),
            (1000, "eur", 1080),
            (1200, "gbp", 1524),
            (1500, "jpy", 1000),
            (99, "jpy", 66),
            (500, "nope", 500),
            (0, "eur", 0),
        ];
        for (cents, code, want) in cases {
            assert_eq!(usd_cents(cents, code), want, "{cents} {code}");
        }
    }

    #[test]
    fn minimums_per_currency() {
        let cases = [
            ("usd", "$0.99"),
            ("eur", "€0.79"),
            ("jpy", "¥99"),
            ("gbp", "£0.59"),
            ("inr", "₹73"),
        ];
        for (code, want) in cases {
            assert_eq!(min_price_formatted(currency(code).unwrap()), want);
        }
    }

    #[test]
    fn valid_prices_are_free_or_at_least_the_minimum() {
        let usd = currency("usd").unwrap();
        let cases = [
            (0, true),
            (-5, true),
            (1, false),
            (98, false),
            (99, true),
            (10_000, true),
        ];
        for (cents, want) in cases {
            assert_eq!(is_valid_price(cents, usd), want, "{cents}");
        }
    }
}
