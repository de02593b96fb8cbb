//! Gumroad's wire types (serde only) and typed ids. Decoding is tolerant where Gumroad is
//! loose — nil keys are dropped, unknown fields are ignored, `null` stands for "empty" —
//! and strict where a wrong value could lead to a wrong write (a product's `price` and
//! `currency`, an offer code's terms). Types serialize in snake_case for the UI as-is.
//! Gumroad's rules for code names and terms sit next to the types (`offer_code_rules`).
//! No I/O and no envelope handling here (that is `api::envelope`); no `JsValue`.

mod catalog;
mod ids;
mod offer_code;
mod offer_code_rules;
mod product;
mod sale;
mod summary;
mod token_info;
mod user;
mod variant;

pub use catalog::{Category, Comps, Quartiles};
pub use ids::{OfferCodeId, ProductId};
pub use offer_code::{Discount, NewOfferCode, OfferCode, OfferCodeUpdate};
pub use offer_code_rules::{
    check_code_name, collation_key, is_code_char, is_created_code, MAX_CODE_LENGTH,
};
pub use product::{Cover, Product, ProductUpdate, ProductUpdated, VariantCategory, VariantOption};
pub use sale::{Day, Sale, SaleOfferCode, SalesQuery, Subscriber};
pub use summary::{Figures, SUMMARY_MAX_DAYS, GroupBy, SalesSummary, SummaryRow};
pub use token_info::{TokenApplication, TokenInfo};
pub use user::User;
pub use variant::Variant;

use serde::{Deserialize, Deserializer, Serialize};

/// One page of a `page_key`-paginated list. `next_page_key` is present only when another
/// page exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    #[serde(default)]
    pub next_page_key: Option<String>,
}

/// `null` (or a missing key, with `#[serde(default)]`) becomes `T::default()`.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A next-page key; an empty string means "no more pages", as Gumroad's CLI reads it.
pub(crate) fn page_key<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(Option::<String>::deserialize(deserializer)?.filter(|key| !key.is_empty()))
}

/// An id-like value Gumroad may send as a string or as a number.
pub(crate) fn string_or_number<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Integer(i64),
        Unsigned(u64),
    }
    Ok(Option::<Raw>::deserialize(deserializer)
        .map_err(|_| serde::de::Error::custom("expected a string or a number"))?
        .map(|raw| match raw {
            Raw::Text(text) => text,
            Raw::Integer(n) => n.to_string(),
            Raw::Unsigned(n) => n.to_string(),
        }))
}

/// An informational integer (a count, a timestamp): anything that is not a whole number
/// becomes `None` rather than failing the whole answer.
pub(crate) fn lenient_i64<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                .map(|f| f as i64)
        }),
        serde_json::Value::String(text) => text.trim().parse().ok(),
        _ => None,
    })
}
