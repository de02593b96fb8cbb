//! What every intent from the UI shares: reading it from JSON ([`parse_intent`]), whole
//! numbers as sent, and the selected product ids (trimmed, deduplicated). No operation's
//! own rules here.

use std::collections::HashSet;

use serde_json::Number;

use crate::error::Error;
use crate::model::ProductId;

/// Reads an intent sent from JS; a wrong shape is `InvalidInput` naming the field.
///
/// Read from the intent's JSON text rather than from the `Value`: errors in text carry a
/// position, which `json_path` turns into the field's name, and one reader per intent type
/// is compiled in rather than two (one for `Value`, one for text: ≈ 20 KB of wasm, ≈ 5 KB
/// gzipped). Intents hold strings, integers and short decimals, which read back exactly.
pub fn parse_intent<I: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<I, Error> {
    let text = value.to_string();
    crate::json_read::from_str(&text).map_err(|error| {
        let path = crate::json_path::error_path(&text, &error);
        Error::invalid_input(format!(
            "Bulkroad could not read this request ({}{}).",
            if path == "." {
                String::new()
            } else {
                format!("{path}: ")
            },
            crate::json_path::reason(&error)
        ))
    })
}

pub(super) fn product_ids(ids: &[String]) -> Vec<ProductId> {
    let mut seen = HashSet::new();
    ids.iter()
        .map(|id| id.trim())
        .filter(|id| !id.is_empty() && seen.insert(*id))
        .map(ProductId::from)
        .collect()
}

/// A JSON number that is a whole number (`10` or `10.0`), else `None`.
pub(super) fn whole(number: &Number) -> Option<i64> {
    if let Some(n) = number.as_i64() {
        return Some(n);
    }
    let f = number.as_f64()?;
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}
