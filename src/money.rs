//! Currencies Gumroad sells in (contract §5: lowercase code, minor-unit exponent, minimum
//! non-zero price, and Bulkroad's maximum) and price formatting for when Gumroad sends no
//! `formatted_price`. Amounts are integer minor units; the one float is [`major_units`],
//! what the product filter compares with the amounts a seller types there. No I/O.

use crate::error::Error;

/// One currency. `min_price` is the smallest non-zero price, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    /// Lowercase ISO code, as products carry it (`"usd"`).
    pub code: &'static str,
    /// Digits after the decimal point: 2, or 0 for JPY (Gumroad's only `single_unit`).
    pub exponent: u8,
    pub min_price: i64,
    /// What precedes the amount: Gumroad's symbol (`config/currencies.json`), followed by a
    /// space when the symbol ends in a letter (`"CHF "`).
    pub prefix: &'static str,
}

const fn currency(
    code: &'static str,
    exponent: u8,
    min_price: i64,
    prefix: &'static str,
) -> Currency {
    Currency {
        code,
        exponent,
        min_price,
        prefix,
    }
}

/// The contract's table, in its order.
pub const CURRENCIES: &[Currency] = &[
    currency("usd", 2, 99, "$"),
    currency("gbp", 2, 59, "£"),
    currency("eur", 2, 79, "€"),
    currency("jpy", 0, 99, "¥"),
    currency("inr", 2, 7300, "₹"),
    currency("aud", 2, 99, "A$"),
    currency("cad", 2, 99, "CAD$"),
    currency("hkd", 2, 799, "HK$"),
    currency("sgd", 2, 99, "SGD$"),
    currency("twd", 2, 2999, "NT$"),
    currency("nzd", 2, 99, "NZ$"),
    currency("brl", 2, 533, "R$"),
    currency("zar", 2, 1300, "ZAR "),
    currency("chf", 2, 100, "CHF "),
    currency("ils", 2, 700, "₪"),
    currency("php", 2, 4500, "₱"),
    currency("krw", 2, 111000, "₩"),
    currency("pln", 2, 379, "zł "),
    currency("czk", 2, 2149, "Kč "),
];

/// The largest amount Gumroad can store in a price: its columns are 32-bit ("One or more
/// numeric values are out of range." / "Sorry, the price entered is too large.").
pub const MAX_STORABLE: i64 = 2_147_483_647;

impl Currency {
    /// Bulkroad's highest price in this currency: 100,000 × the minimum, never above what
    /// Gumroad can store. The minimums are about USD 0.99 each (contract §5), so this is
    /// about USD 99,000 everywhere (KRW stops at ₩21,474,836.47, the 32-bit limit). It is
    /// deliberately generous: Gumroad's own cap of USD 5,000-equivalent applies only to
    /// some accounts (contract §2.1) and cannot be read through the API, so those prices
    /// are left for Gumroad to refuse with its own words.
    pub const fn max_price(&self) -> i64 {
        let max = self.min_price * 100_000;
        if max > MAX_STORABLE {
            MAX_STORABLE
        } else {
            max
        }
    }

    /// About USD 5,000 in this currency (500,000 / 99 × the minimum): above it, accounts
    /// with Gumroad's cap get "Sorry, we don't support pricing products above $5,000.".
    pub const fn capped_accounts_limit(&self) -> i64 {
        self.min_price * 500_000 / 99
    }
}

/// The currency with `code`, in any letter case.
pub fn find_currency(code: &str) -> Option<&'static Currency> {
    let code = code.trim();
    CURRENCIES
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
}

/// `minor` units of `currency` for a seller: `"$9.99"`, `"€7.90"`, `"¥1,500"`, `"$10"`
/// (whole amounts without `.00`, as Gumroad shows them), `"CHF 12.50"`; an unknown currency
/// as `"12.34 XYZ"`.
pub fn format_price(minor: i64, currency: &str) -> String {
    let known = find_currency(currency);
    let exponent = known.map_or(2, |c| u32::from(c.exponent));
    let scale = 10u64.pow(exponent);
    let magnitude = minor.unsigned_abs();
    let (major, fraction) = (magnitude / scale, magnitude % scale);
    let mut amount = group_thousands(major);
    if exponent > 0 && (fraction != 0 || known.is_none()) {
        amount.push_str(&format!(".{fraction:0width$}", width = exponent as usize));
    }
    let sign = if minor < 0 { "-" } else { "" };
    match known {
        Some(c) => format!("{sign}{}{amount}", c.prefix),
        None => format!("{sign}{amount} {}", currency.trim().to_ascii_uppercase()),
    }
}

/// `minor` units of `currency` as a number of its major unit: 999 cents → 9.99, ¥1500 →
/// 1500 (yen have no minor unit). An unknown currency is taken to have cents, as in
/// [`format_price`].
pub fn major_units(minor: i64, currency: &str) -> f64 {
    let exponent = find_currency(currency).map_or(2, |c| i32::from(c.exponent));
    minor as f64 / 10f64.powi(exponent)
}

fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// What a seller typed as an amount of `currency` ("5", "4.99", "1,500", "$12") in minor
/// units. Refuses what cannot be meant exactly: more decimals than the currency has (yen
/// have none), negative or empty amounts, text. Messages never guess.
pub fn parse_amount(text: &str, currency: &str) -> Result<i64, Error> {
    let known = find_currency(currency).ok_or_else(|| {
        Error::invalid_input(format!(
            "Bulkroad does not know the currency '{}'.",
            currency.trim()
        ))
    })?;
    let cleaned: String = text
        .trim()
        .trim_start_matches(known.prefix.trim())
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    let invalid = || {
        Error::invalid_input(format!(
            "Enter the amount as a number, like {}.",
            format_price(known.min_price * 5, known.code)
        ))
    };
    if cleaned.is_empty() {
        return Err(invalid());
    }
    if cleaned.starts_with('-') {
        return Err(Error::invalid_input("Enter a positive amount."));
    }
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return Err(invalid());
    }
    let exponent = usize::from(known.exponent);
    if fraction.len() > exponent {
        return Err(Error::invalid_input(if exponent == 0 {
            format!(
                "{} amounts have no decimals.",
                known.code.to_ascii_uppercase()
            )
        } else {
            format!(
                "{} amounts have at most {exponent} decimals.",
                known.code.to_ascii_uppercase()
            )
        }));
    }
    let digits = format!("{whole}{fraction:0<exponent$}");
    digits
        .parse::<i64>()
        .ok()
        .filter(|v| *v <= 100_000_000_000)
        .ok_or_else(|| Error::invalid_input("That amount is too large."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_typed_amounts_per_currency() {
        let rows: &[(&str, &str, Result<i64, &str>)] = &[
            ("5", "usd", Ok(500)),
            ("4.99", "usd", Ok(499)),
            ("4.9", "usd", Ok(490)),
            (" $1,250.5 ", "usd", Ok(125050)),
            (".5", "eur", Ok(50)),
            ("1500", "jpy", Ok(1500)),
            ("1,500", "jpy", Ok(1500)),
            ("15.5", "jpy", Err("no decimals")),
            ("4.999", "usd", Err("at most 2 decimals")),
            ("-5", "usd", Err("positive")),
            ("", "usd", Err("as a number")),
            ("five", "usd", Err("as a number")),
            ("1.2.3", "usd", Err("as a number")),
            ("5", "xyz", Err("does not know")),
            ("99999999999999", "usd", Err("too large")),
        ];
        for (text, currency, expected) in rows {
            match (parse_amount(text, currency), expected) {
                (Ok(v), Ok(want)) => assert_eq!(v, *want, "{text} {currency}"),
                (Err(e), Err(want)) => {
                    assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
                    assert!(e.message().contains(want), "{text}: {}", e.message());
                }
                (got, want) => panic!("{text} {currency}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn major_units_follow_each_currency_exponent() {
        let rows = [
            (999, "usd", 9.99),
            (1500, "jpy", 1500.0),
            (1500, "JPY", 1500.0),
            (790, "eur", 7.9),
            (0, "gbp", 0.0),
            (1234, "xyz", 12.34),
        ];
        for (minor, currency, major) in rows {
            assert_eq!(major_units(minor, currency), major, "{minor} {currency}");
        }
    }

    #[test]
    fn formats_prices() {
        let rows = [
            (999, "usd", "$9.99"),
            (100, "usd", "$1"),
            (1000, "USD", "$10"),
            (123456789, "usd", "$1,234,567.89"),
            (0, "usd", "$0"),
            (-550, "usd", "-$5.50"),
            (790, "eur", "€7.90"),
            (5, "gbp", "£0.05"),
            (1500, "jpy", "¥1,500"),
            (99, "jpy", "¥99"),
            (1250, "chf", "CHF 12.50"),
            (2149, "czk", "Kč 21.49"),
            (1234, "xyz", "12.34 XYZ"),
            (100, "xyz", "1.00 XYZ"),
            (-5, "abc", "-0.05 ABC"),
            (i64::MIN, "usd", "-$92,233,720,368,547,758.08"),
        ];
        for (minor, currency, expected) in rows {
            assert_eq!(
                format_price(minor, currency),
                expected,
                "{minor} {currency}"
            );
        }
    }

    #[test]
    fn table_matches_the_contract() {
        assert_eq!(CURRENCIES.len(), 19);
        let jpy = find_currency("JPY").unwrap();
        assert_eq!((jpy.exponent, jpy.min_price), (0, 99));
        assert_eq!(find_currency("usd").unwrap().min_price, 99);
        assert_eq!(find_currency("krw").unwrap().min_price, 111000);
        assert!(CURRENCIES
            .iter()
            .filter(|c| c.exponent == 0)
            .all(|c| c.code == "jpy"));
        assert!(find_currency("xyz").is_none());
    }

    #[test]
    fn maximums_are_generous_and_storable() {
        // (currency, max, about-USD-5,000 limit)
        let rows = [
            ("usd", 9_900_000, 500_000),
            ("eur", 7_900_000, 398_989),
            ("jpy", 9_900_000, 500_000),
            ("inr", 730_000_000, 36_868_686),
            ("krw", MAX_STORABLE, 560_606_060),
        ];
        for (code, max, capped) in rows {
            let currency = find_currency(code).unwrap();
            assert_eq!(currency.max_price(), max, "{code}");
            assert_eq!(currency.capped_accounts_limit(), capped, "{code}");
        }
        assert!(CURRENCIES.iter().all(|c| c.max_price() <= MAX_STORABLE));
    }
}
