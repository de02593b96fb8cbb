//! Currencies Gumroad sells in (contract §5: lowercase code, minor-unit exponent, minimum
//! non-zero price) and price formatting for when Gumroad sends no `formatted_price`.
//! Amounts are always integer minor units; no floating point here, and no I/O.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
