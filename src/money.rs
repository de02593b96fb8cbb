//! Currencies Gumroad sells in (contract §5: lowercase code, minor-unit exponent, minimum
//! non-zero price, and Bulkroad's maximum) and price formatting for when Gumroad sends no
//! `formatted_price`. Amounts are integer minor units; the one float is [`major_units`],
//! what the product filter compares with the amounts a seller types there. No I/O.

use serde::Deserialize;

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

/// `12,345`: whole numbers with a comma between thousands.
pub fn group_thousands(value: u64) -> String {
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

/// The decimal and group separators of the seller's locale, as the page reads them from
/// `Intl.NumberFormat(navigator.language).formatToParts(12345.6)`. Missing or unusable
/// ones fall back to the US convention (`.` and `,`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Separators {
    pub decimal: String,
    pub group: String,
}

impl Separators {
    /// `"."` and `","`.
    pub fn point() -> Self {
        Separators {
            decimal: ".".into(),
            group: ",".into(),
        }
    }

    /// `","` and `"."`, as in much of Europe and South America.
    pub fn comma() -> Self {
        Separators {
            decimal: ",".into(),
            group: ".".into(),
        }
    }

    /// The decimal mark, `.` or `,` (anything else: `.`).
    pub fn decimal_mark(&self) -> char {
        match self.decimal.trim() {
            "," => ',',
            _ => '.',
        }
    }

    /// The group separator when it is a character a seller types (space-like ones are
    /// dropped with the other whitespace anyway).
    fn group_mark(&self) -> Option<char> {
        let mut chars = self.group.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c != self.decimal_mark() && !c.is_ascii_digit() => Some(c),
            (None, _) => Some(if self.decimal_mark() == ',' { '.' } else { ',' }),
            _ => None,
        }
    }
}

/// What a seller typed as an amount of `currency` ("5", "4.99", "4,99", "1,500", "1.500,50",
/// "$12") in minor units, read with the seller's `separators`. A mark with one, two or many
/// digits after it is a decimal mark; both marks: the last one is; "1,000" (one mark, three
/// digits after) is a thousands group only where the locale groups with that mark, and is
/// refused, quoting both readings, elsewhere. Refuses what cannot be meant exactly: more
/// decimals than the currency has (yen have none), negative or empty amounts, text.
pub fn parse_amount(text: &str, currency: &str, separators: &Separators) -> Result<i64, Error> {
    let known = find_currency(currency).ok_or_else(|| {
        Error::invalid_input(format!(
            "Bulkroad does not know the currency '{}'.",
            crate::error::clip(currency.trim(), 12)
        ))
    })?;
    let group = separators.group_mark();
    let cleaned: String = text
        .trim()
        .trim_start_matches(known.prefix.trim())
        .chars()
        .filter(|c| !c.is_whitespace() && (Some(*c) != group || matches!(c, '.' | ',')))
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
    if !cleaned
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(invalid());
    }
    let (whole, fraction) = match split_marks(&cleaned, group) {
        Some(parts) => parts,
        None => {
            let mark = if cleaned.contains(',') { ',' } else { '.' };
            let (whole, fraction) = cleaned.split_once(mark).unwrap_or((&cleaned, ""));
            let grouped = format!("{whole}{fraction}");
            if !grouped.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            match (
                to_minor(&grouped, "", known),
                to_minor(whole, fraction.trim_end_matches('0'), known),
            ) {
                (Some(a), Some(b)) => {
                    return Err(Error::invalid_input(format!(
                        "\"{}\" could mean {} or {}; type {grouped} for the first.",
                        crate::error::clip(text.trim(), 20),
                        format_price(a, known.code),
                        format_price(b, known.code)
                    )))
                }
                // The decimal reading has more decimals than the currency: say so.
                _ => (whole.to_owned(), fraction.to_owned()),
            }
        }
    };
    if whole.is_empty() && fraction.is_empty() {
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
    to_minor(&whole, &fraction, known)
        .ok_or_else(|| Error::invalid_input("That amount is too large."))
}

/// The whole digits and decimal digits of `cleaned` (digits, `.` and `,` only), or `None`
/// when it reads two ways or is no number (then the caller words which). Groups after the
/// first hold exactly three digits.
fn split_marks(cleaned: &str, group: Option<char>) -> Option<(String, String)> {
    let last_mark = cleaned.rfind(['.', ',']);
    let Some(at) = last_mark else {
        return Some((cleaned.to_owned(), String::new()));
    };
    let mark = cleaned[at..].chars().next()?;
    let other = if mark == '.' { ',' } else { '.' };
    let marks = cleaned.matches(mark).count();
    let after = &cleaned[at + 1..];
    let grouped = |whole: &str, sep: char| -> Option<String> {
        let mut parts = whole.split(sep);
        let first = parts.next()?;
        let rest: Vec<&str> = parts.collect();
        if rest.is_empty() {
            return Some(whole.to_owned());
        }
        (!first.is_empty() && first.len() <= 3 && rest.iter().all(|p| p.len() == 3))
            .then(|| whole.replace(sep, ""))
    };
    if cleaned.contains(other) {
        // Both marks: the last one is the decimal mark, the other groups.
        if marks > 1 || cleaned.rfind(other)? > at {
            return None;
        }
        return Some((grouped(&cleaned[..at], other)?, after.to_owned()));
    }
    if marks > 1 {
        // "1.000.000": only groups.
        return Some((grouped(cleaned, mark)?, String::new()));
    }
    let before = &cleaned[..at];
    if after.len() == 3 && !before.is_empty() {
        // "1,000": a group where the locale groups with this mark, else two readings.
        return (group == Some(mark) && before.len() <= 3)
            .then(|| (format!("{before}{after}"), String::new()));
    }
    Some((before.to_owned(), after.to_owned()))
}

/// `whole.fraction` (ASCII digits, `fraction` at most the currency's decimals) in minor
/// units, up to a hundred billion.
fn to_minor(whole: &str, fraction: &str, currency: &Currency) -> Option<i64> {
    let exponent = usize::from(currency.exponent);
    if fraction.len() > exponent
        || !format!("{whole}{fraction}")
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    format!("{whole}{fraction:0<exponent$}")
        .parse::<i64>()
        .ok()
        .filter(|v| *v <= 100_000_000_000)
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
        let point = Separators::point();
        let rows: Vec<_> = rows
            .iter()
            .map(|(t, c, want)| (*t, *c, &point, *want))
            .collect();
        assert_reads(&rows);
    }

    /// Each row's text reads as its amount, or is refused with a message containing its text.
    fn assert_reads(rows: &[(&str, &str, &Separators, Result<i64, &str>)]) {
        for (text, currency, separators, expected) in rows {
            match (parse_amount(text, currency, separators), expected) {
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
    fn reads_both_separator_conventions_and_refuses_two_readings() {
        let (point, comma) = (Separators::point(), Separators::comma());
        let rows: &[(&str, &str, &Separators, Result<i64, &str>)] = &[
            ("4,99", "eur", &comma, Ok(499)),
            ("4,99", "usd", &point, Ok(499)),
            ("1.234,56", "eur", &comma, Ok(123456)),
            ("1.234,56", "eur", &point, Ok(123456)),
            ("1,234.56", "eur", &comma, Ok(123456)),
            ("1.000.000", "jpy", &comma, Ok(1_000_000)),
            ("1.000", "jpy", &comma, Ok(1000)),
            ("1,000", "jpy", &point, Ok(1000)),
            ("0,5", "eur", &comma, Ok(50)),
            ("€ 2,50", "eur", &comma, Ok(250)),
            ("1,000", "eur", &comma, Err("could mean €1,000 or €1")),
            ("1.000", "usd", &point, Err("could mean $1,000 or $1")),
            ("1,000", "jpy", &comma, Err("could mean ¥1,000 or ¥1")),
            ("4,999", "eur", &comma, Err("at most 2 decimals")),
            ("1,5", "jpy", &comma, Err("no decimals")),
            ("1.2,3,4", "eur", &comma, Err("as a number")),
            ("1,2345.6", "eur", &point, Err("as a number")),
        ];
        assert_reads(rows);
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
