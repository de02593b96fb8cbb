//! Sales as `GET /v2/sales` returns them (contract §2.6), subscribers as
//! `GET /v2/products/:id/subscribers` returns them (§2.7), the sales filter
//! ([`SalesQuery`]) and the calendar date the filter speaks in ([`Day`]).
//!
//! Decoding is tolerant throughout: Gumroad drops nil-valued keys from a sale, so every
//! field but `id` may be missing, and a missing field is an empty cell in an export, never
//! a failed page. No I/O here.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{lenient_i64, null_as_default, string_or_number, ProductId};
use crate::error::Error;
use crate::money::{find_currency, CURRENCIES};

/// A calendar date (`YYYY-MM-DD`), as the `after`/`before` filters take it. Serialized as
/// that string. Which time zone Gumroad reads it in does not matter to the exporter: it
/// only ever compares dates with dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Day {
    /// Days since 1970-01-01.
    days: i64,
}

impl Day {
    /// The date `year-month-day`, or `None` when there is no such date.
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Day> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Day {
            days: era * 146_097 + doe - 719_468,
        })
    }

    /// `(year, month, day)`.
    pub fn ymd(self) -> (i64, u32, u32) {
        let z = self.days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        (year, month, day)
    }

    /// Reads `YYYY-MM-DD` (what the filters take); anything else is `InvalidInput`.
    pub fn parse(text: &str) -> Result<Day, Error> {
        let text = text.trim();
        let bad = || {
            Error::invalid_input(format!(
                "'{}' is not a date; dates are written YYYY-MM-DD.",
                crate::error::clip(text, 40)
            ))
        };
        let bytes = text.as_bytes();
        if bytes.len() != 10
            || bytes[4] != b'-'
            || bytes[7] != b'-'
            || !text
                .chars()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        {
            return Err(bad());
        }
        let year = text[0..4].parse().map_err(|_| bad())?;
        let month = text[5..7].parse().map_err(|_| bad())?;
        let day = text[8..10].parse().map_err(|_| bad())?;
        Day::from_ymd(year, month, day).ok_or_else(bad)
    }

    /// The UTC date of `ms` milliseconds since the Unix epoch (a JS `Date.now()`).
    pub fn from_epoch_ms(ms: f64) -> Day {
        Day {
            days: (ms / 86_400_000.0).floor() as i64,
        }
    }

    /// The date `n` days later (earlier when negative).
    pub fn plus_days(self, n: i64) -> Day {
        Day {
            days: self.days + n,
        }
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Day) -> i64 {
        later.days - self.days
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Day, D::Error> {
        let text = String::deserialize(deserializer)?;
        Day::parse(&text).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

/// The filters of `GET /v2/sales` the exporter uses: `after` inclusive (created_at ≥ the
/// date), `before` exclusive (created_at < the date), one product. JS shape:
/// `{"after": "2024-01-01", "before": null, "productId": null}` (every key optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SalesQuery {
    pub after: Option<Day>,
    pub before: Option<Day>,
    pub product_id: Option<ProductId>,
}

impl SalesQuery {
    /// Refuses a range that is empty by construction (`after` ≥ `before`) or a blank
    /// product id, before anything is sent.
    pub fn validate(&self) -> Result<(), Error> {
        if let (Some(after), Some(before)) = (self.after, self.before) {
            if after >= before {
                return Err(Error::invalid_input(format!(
                    "The date range is empty: it starts on {after} and ends before {before}."
                )));
            }
        }
        if self
            .product_id
            .as_ref()
            .is_some_and(|p| p.as_str().trim().is_empty())
        {
            return Err(Error::invalid_input("The product filter is empty."));
        }
        Ok(())
    }
}

/// The offer code a sale used (`offer_code` of the v2 sale JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleOfferCode {
    #[serde(default, deserialize_with = "null_as_default")]
    pub code: String,
    #[serde(default)]
    pub displayed_amount_off: Option<String>,
}

/// One sale. Only `id` is required; every other key may be dropped by Gumroad (nil keys
/// are omitted from `Purchase#as_json`). Serializes in snake_case (Gumroad's keys), so a
/// chunk stored as JSON reads back as the same sale.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sale {
    #[serde(deserialize_with = "required_string")]
    pub id: String,
    /// ISO 8601 UTC (`"2021-01-05T19:38:56Z"`), as sent.
    #[serde(default, deserialize_with = "null_as_default")]
    pub created_at: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub purchase_email: Option<String>,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub product_id: Option<ProductId>,
    #[serde(default)]
    pub product_name: Option<String>,
    #[serde(default)]
    pub product_permalink: Option<String>,
    /// Minor units of [`Sale::currency`] (whole yen for JPY).
    #[serde(default)]
    pub price: Option<i64>,
    /// Minor units.
    #[serde(default)]
    pub gumroad_fee: Option<i64>,
    /// Lowercase ISO code; current Gumroad only. See [`Sale::currency_code`].
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub currency_symbol: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub refunded: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub partially_refunded: bool,
    /// What can still be refunded, as a decimal in the sale's currency (`"9.50"`, `"1000"`
    /// for yen): after a partial refund, what the buyer paid and kept.
    #[serde(default)]
    pub amount_refundable_in_currency: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub chargedback: bool,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub country_iso2: Option<String>,
    /// An obfuscated integer on the wire; kept as text.
    #[serde(default, deserialize_with = "string_or_number")]
    pub order_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub quantity: Option<i64>,
    /// Custom field name → value (checkboxes come as booleans: `"true"`/`"false"`).
    #[serde(default, deserialize_with = "text_map")]
    pub custom_fields: BTreeMap<String, String>,
    /// Variant category → chosen option.
    #[serde(default, deserialize_with = "text_map")]
    pub variants: BTreeMap<String, String>,
    #[serde(default)]
    pub offer_code: Option<SaleOfferCode>,
    #[serde(default)]
    pub subscription_id: Option<String>,
    #[serde(default)]
    pub can_contact: Option<bool>,
    #[serde(default)]
    pub license_key: Option<String>,
    #[serde(default)]
    pub referrer: Option<String>,
}

impl Sale {
    /// The sale's currency (lowercase ISO): the `currency` key when Gumroad sends it (current
    /// API); else the product's currency from `product_currencies` (what the exporter read
    /// from `GET /v2/products`; a sale is priced in its product's currency); else the one
    /// currency whose symbol is `currency_symbol` (`"$"` is read as USD, as Gumroad's own
    /// table gives it); else `None`.
    pub fn currency_code(
        &self,
        product_currencies: &BTreeMap<ProductId, String>,
    ) -> Option<String> {
        if let Some(code) = self
            .currency
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            return Some(code.to_ascii_lowercase());
        }
        if let Some(code) = self
            .product_id
            .as_ref()
            .and_then(|p| product_currencies.get(p))
        {
            return Some(code.trim().to_ascii_lowercase());
        }
        let symbol = self.currency_symbol.as_deref()?.trim();
        if symbol.is_empty() {
            return None;
        }
        find_currency(symbol)
            .or_else(|| CURRENCIES.iter().find(|c| c.prefix.trim() == symbol))
            .map(|c| c.code.to_owned())
    }

    /// The buyer's address for grouping customers: `email`, else `purchase_email`,
    /// trimmed and lowercased.
    pub fn buyer_key(&self) -> Option<String> {
        [self.email.as_deref(), self.purchase_email.as_deref()]
            .into_iter()
            .flatten()
            .map(|e| lowercase(e.trim()))
            .find(|e| !e.is_empty())
    }
}

/// `text` in lower case, as `str::to_lowercase` gives it. In the browser, text with
/// letters beyond ASCII is lowercased by JS `toLowerCase` (the same Unicode mapping, final
/// sigma included): Rust's own would put Unicode's case tables and code (≈ 18 KB, ≈ 8 KB
/// gzipped) into the wasm module for the rare address that needs them.
fn lowercase(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    #[cfg(target_arch = "wasm32")]
    {
        String::from(js_sys::JsString::from(text).to_lower_case())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        text.to_lowercase()
    }
}

/// One active subscription of a product (contract §2.7).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subscriber {
    #[serde(deserialize_with = "required_string")]
    pub id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub product_id: Option<ProductId>,
    #[serde(default)]
    pub product_name: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    pub user_id: Option<String>,
    #[serde(default)]
    pub user_email: Option<String>,
    #[serde(default, deserialize_with = "text_list")]
    pub purchase_ids: Vec<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub user_requested_cancellation_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub charge_occurrence_count: Option<i64>,
    /// `monthly`, `quarterly`, `biannually`, `yearly`, `every_two_years`.
    #[serde(default)]
    pub recurrence: Option<String>,
    #[serde(default)]
    pub cancelled_at: Option<String>,
    #[serde(default)]
    pub ended_at: Option<String>,
    #[serde(default)]
    pub failed_at: Option<String>,
    #[serde(default)]
    pub free_trial_ends_at: Option<String>,
    /// `alive`, `pending_cancellation`, `pending_failure`, `failed_payment`,
    /// `fixed_subscription_period_ended`, `cancelled`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub license_key: Option<String>,
}

/// An id that must be present, as a string or a number.
fn required_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    string_or_number(deserializer)?
        .filter(|id| !id.is_empty())
        .ok_or_else(|| serde::de::Error::custom("an id is missing"))
}

/// A scalar as a cell: text as is, booleans and numbers as JSON writes them; `null` → none.
fn scalar_text(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => Some(text),
        other => Some(other.to_string()),
    }
}

/// A name → value object (or, defensively, a `[{name, value}]` list) as text; `null` → empty.
fn text_map<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    use serde_json::Value;
    let mut map = BTreeMap::new();
    match Value::deserialize(deserializer)? {
        Value::Object(object) => {
            for (name, value) in object {
                if let Some(text) = scalar_text(value) {
                    map.insert(name, text);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                if let Value::Object(mut entry) = item {
                    let name = entry.remove("name").and_then(scalar_text);
                    let value = entry.remove("value").and_then(scalar_text);
                    if let (Some(name), Some(value)) = (name, value) {
                        map.insert(name, value);
                    }
                }
            }
        }
        _ => {}
    }
    Ok(map)
}

/// A list of ids that may be strings or numbers; `null` → empty.
fn text_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Array(items) => items.into_iter().filter_map(scalar_text).collect(),
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_print_and_count() {
        // (text, valid)
        let rows = [
            ("2024-02-29", true),
            ("2023-02-29", false),
            ("2011-04-01", true),
            ("1970-01-01", true),
            ("2024-13-01", false),
            ("2024-1-01", false),
            ("20240101", false),
            ("2024-01-32", false),
            ("２024-01-01", false),
            ("", false),
        ];
        for (text, valid) in rows {
            let parsed = Day::parse(text);
            assert_eq!(parsed.is_ok(), valid, "{text}");
            if let Ok(day) = parsed {
                assert_eq!(day.to_string(), text);
            }
        }
        let day = Day::parse("2023-12-31").unwrap();
        assert_eq!(day.plus_days(1).to_string(), "2024-01-01");
        assert_eq!(day.plus_days(60).to_string(), "2024-02-29");
        assert_eq!(Day::parse("1970-01-01").unwrap().days, 0);
        assert_eq!(day.days_until(Day::parse("2024-12-31").unwrap()), 366);
        assert_eq!(
            Day::from_epoch_ms(1_700_000_000_000.0).to_string(),
            "2023-11-14"
        );
        assert_eq!(serde_json::to_string(&day).unwrap(), r#""2023-12-31""#);
    }

    #[test]
    fn a_sale_with_most_keys_dropped_still_reads() {
        let sale: Sale = serde_json::from_str(r#"{"id":"s1"}"#).unwrap();
        assert_eq!(sale.id, "s1");
        assert_eq!(sale.price, None);
        assert!(!sale.refunded);
        let full: Sale = serde_json::from_value(serde_json::json!({
            "id": "s2", "created_at": "2024-01-02T03:04:05Z", "email": "A@B.c",
            "price": 1200, "gumroad_fee": 130, "currency_symbol": "€", "order_id": 123456,
            "quantity": "2", "refunded": null, "custom_fields": {"Company": "ACME", "Agree": true,
            "Empty": null}, "variants": {"Size": "L"}, "offer_code": {"code": "SAVE", "name": "SAVE",
            "displayed_amount_off": "10%"}, "can_contact": false, "unknown": [1, 2]
        }))
        .unwrap();
        assert_eq!(full.order_id.as_deref(), Some("123456"));
        assert_eq!(full.quantity, Some(2));
        assert_eq!(
            full.custom_fields.get("Agree").map(String::as_str),
            Some("true")
        );
        assert!(!full.custom_fields.contains_key("Empty"));
        assert_eq!(full.currency_code(&BTreeMap::new()).as_deref(), Some("eur"));
        assert_eq!(full.buyer_key().as_deref(), Some("a@b.c"));
        let again: Sale = serde_json::from_str(&serde_json::to_string(&full).unwrap()).unwrap();
        assert_eq!(again, full, "a stored chunk reads back as the same sale");
        assert!(serde_json::from_str::<Sale>(r#"{"email":"x"}"#).is_err());
    }

    #[test]
    fn currency_comes_from_the_sale_then_the_product_then_the_symbol() {
        let products = BTreeMap::from([(ProductId::from("p"), "GBP".to_owned())]);
        let sale = |json: serde_json::Value| serde_json::from_value::<Sale>(json).unwrap();
        // (sale, expected)
        let rows = [
            (
                serde_json::json!({"id":"1","currency":"JPY","product_id":"p"}),
                Some("jpy"),
            ),
            (
                serde_json::json!({"id":"1","product_id":"p","currency_symbol":"$"}),
                Some("gbp"),
            ),
            (
                serde_json::json!({"id":"1","currency_symbol":"$"}),
                Some("usd"),
            ),
            (
                serde_json::json!({"id":"1","currency_symbol":"CHF"}),
                Some("chf"),
            ),
            (serde_json::json!({"id":"1","currency_symbol":"?"}), None),
            (serde_json::json!({"id":"1"}), None),
        ];
        for (json, expected) in rows {
            assert_eq!(
                sale(json.clone()).currency_code(&products).as_deref(),
                expected,
                "{json}"
            );
        }
    }

    #[test]
    fn subscribers_read_loosely() {
        let subscriber: Subscriber = serde_json::from_value(serde_json::json!({
            "id": "sub1", "purchase_ids": ["a", 7], "user_id": null, "status": "alive",
            "charge_occurrence_count": null
        }))
        .unwrap();
        assert_eq!(subscriber.purchase_ids, ["a", "7"]);
        assert_eq!(subscriber.status.as_deref(), Some("alive"));
    }

    #[test]
    fn queries_refuse_empty_ranges() {
        let day = |t| Some(Day::parse(t).unwrap());
        let ok = SalesQuery {
            after: day("2024-01-01"),
            before: day("2024-01-02"),
            product_id: None,
        };
        assert!(ok.validate().is_ok());
        let empty = SalesQuery {
            after: day("2024-01-02"),
            ..ok.clone()
        };
        assert!(empty.validate().is_err());
        let q: SalesQuery = serde_json::from_str(r#"{"after":"2024-01-01"}"#).unwrap();
        assert_eq!(q.after, day("2024-01-01"));
        assert!(serde_json::from_str::<SalesQuery>(r#"{"after":"2024-1-1"}"#).is_err());
    }
}
