//! What every intent from the UI shares: reading it from JSON ([`parse_intent`]), whole
//! numbers as sent, and the selected product ids (trimmed, deduplicated). No operation's
//! own rules here.

use std::collections::HashSet;

use serde_json::Number;

use crate::error::Error;
use crate::model::ProductId;

/// Reads an intent kept in a plan (`Plan::intent`); a wrong shape is `InvalidInput` naming
/// the field.
pub fn parse_intent<I: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<I, Error> {
    // Read from the `Value` itself: serde_path_to_error names the field, and errors from a
    // `Value` carry no line or column to strip.
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = crate::error::field_path(error.path());
        Error::invalid_input(format!(
            "Bulkroad could not read this request ({}{}).",
            if path == "." {
                String::new()
            } else {
                format!("{path}: ")
            },
            error.inner()
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
