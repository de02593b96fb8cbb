//! What sellers type into the extension's forms, turned into bulk intents. The forms send
//! raw text ("4.99", "10", ""), so every amount is read here with its currency's rules and
//! every refusal is a seller-readable `InvalidInput` before any request. Pure; no I/O, no
//! `JsValue`. The intents it builds are validated again by the planners (`bulk`).

use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::Error;
use crate::money::parse_amount;

/// The "Apply a discount code" form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApplyCodeForm {
    pub code: String,
    /// The amount as typed: a whole percent, or an amount of `currency`.
    pub amount: String,
    /// `"percent"` or `"fixed"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The currency of a fixed amount or a minimum order (lowercase ISO code).
    pub currency: Option<String>,
    /// Max uses per product; empty = unlimited.
    pub max_uses: String,
    /// Minimum order amount; empty = none.
    pub minimum_amount: String,
    pub universal: bool,
    pub product_ids: Vec<String>,
    /// `"skip"` or `"replace"`.
    pub on_conflict: String,
}

/// The "Remove a code" form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RemoveCodeForm {
    pub code: String,
    pub product_ids: Vec<String>,
    /// From every product (then `product_ids` is ignored).
    pub everywhere: bool,
}

/// An `ApplyCodeIntent` (as JSON, the planners' input) from the form.
pub fn apply_code_intent(form: &ApplyCodeForm) -> Result<Value, Error> {
    if !form.universal && form.product_ids.is_empty() {
        return Err(Error::invalid_input(
            "Select at least one product, or choose one universal code for all products.",
        ));
    }
    let currency = form
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let discount = match form.kind.as_str() {
        "percent" | "" => json!({ "percent": whole_percent(&form.amount)? }),
        "fixed" => {
            let currency = currency
                .ok_or_else(|| Error::invalid_input("Choose the currency of the amount off."))?;
            json!({ "fixed": { "cents": parse_amount(&form.amount, currency)? } })
        }
        other => {
            return Err(Error::invalid_input(format!(
                "Unknown discount type '{other}'."
            )))
        }
    };
    let max_uses = optional_count(&form.max_uses)?;
    let minimum = match form.minimum_amount.trim() {
        "" => None,
        typed => Some(parse_amount(typed, currency.unwrap_or("usd"))?),
    };
    let on_conflict = match form.on_conflict.as_str() {
        "replace" => "replace",
        _ => "skip",
    };
    Ok(json!({
        "code": form.code,
        "discount": discount,
        "currency": currency,
        "maxPurchaseCount": max_uses,
        "minimumAmountCents": minimum,
        "universal": form.universal,
        "productIds": if form.universal { Vec::new() } else { form.product_ids.clone() },
        "onConflict": on_conflict,
    }))
}

/// A `RemoveCodeIntent` (as JSON) from the form.
pub fn remove_code_intent(form: &RemoveCodeForm) -> Result<Value, Error> {
    if !form.everywhere && form.product_ids.is_empty() {
        return Err(Error::invalid_input(
            "Select the products to remove the code from, or choose every product.",
        ));
    }
    Ok(json!({
        "code": form.code,
        "productIds": if form.everywhere { Vec::new() } else { form.product_ids.clone() },
    }))
}

/// A percent as typed: whole numbers only (Gumroad stores `amount_off.to_i`, so 12.5 would
/// silently become 12). The range (1–100) is the planners' rule, with Gumroad's words.
fn whole_percent(typed: &str) -> Result<u64, Error> {
    let typed = typed.trim().trim_end_matches('%').trim();
    if typed.is_empty() {
        return Err(Error::invalid_input(
            "Enter how many percent the code takes off (1–100).",
        ));
    }
    if typed.starts_with('-') {
        return Err(Error::invalid_input(
            "Please enter a positive discount amount.",
        ));
    }
    if !typed.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid_input(
            "Percent discounts are whole numbers from 1 to 100, like 25.",
        ));
    }
    // Anything past u64 is far over 100 %: keep a value the range check refuses.
    Ok(typed.parse().unwrap_or(u64::MAX))
}

fn optional_count(typed: &str) -> Result<Option<u64>, Error> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    match typed.parse::<u64>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(Error::invalid_input(
            "Max uses must be a whole number of at least 1, or empty for unlimited.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn form(amount: &str, kind: &str) -> ApplyCodeForm {
        ApplyCodeForm {
            code: "SPRING".into(),
            amount: amount.into(),
            kind: kind.into(),
            currency: Some("usd".into()),
            product_ids: vec!["p1".into()],
            on_conflict: "skip".into(),
            ..ApplyCodeForm::default()
        }
    }

    #[test]
    fn amounts_become_percent_or_minor_units() {
        let rows: &[(&str, &str, Value)] = &[
            ("25", "percent", json!({"percent": 25})),
            (" 25 % ", "percent", json!({"percent": 25})),
            ("150", "percent", json!({"percent": 150})),
            ("5", "fixed", json!({"fixed": {"cents": 500}})),
            ("4.99", "fixed", json!({"fixed": {"cents": 499}})),
        ];
        for (amount, kind, want) in rows {
            let intent = apply_code_intent(&form(amount, kind)).unwrap();
            assert_eq!(&intent["discount"], want, "{amount} {kind}");
        }
    }

    #[test]
    fn typed_values_a_seller_could_mean_two_ways_are_refused() {
        let rows: &[(ApplyCodeForm, &str)] = &[
            (form("12.5", "percent"), "whole numbers"),
            (form("", "percent"), "how many percent"),
            (form("-5", "percent"), "positive"),
            (form("ten", "percent"), "whole numbers"),
            (form("4.999", "fixed"), "at most 2 decimals"),
            (
                ApplyCodeForm {
                    currency: None,
                    ..form("5", "fixed")
                },
                "currency",
            ),
            (
                ApplyCodeForm {
                    max_uses: "0".into(),
                    ..form("5", "percent")
                },
                "Max uses",
            ),
            (
                ApplyCodeForm {
                    max_uses: "2.5".into(),
                    ..form("5", "percent")
                },
                "Max uses",
            ),
            (
                ApplyCodeForm {
                    minimum_amount: "abc".into(),
                    ..form("5", "percent")
                },
                "as a number",
            ),
            (
                ApplyCodeForm {
                    product_ids: vec![],
                    ..form("5", "percent")
                },
                "Select at least one product",
            ),
        ];
        for (input, want) in rows {
            let error = apply_code_intent(input).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput);
            assert!(
                error.message().contains(want),
                "{input:?}: {}",
                error.message()
            );
        }
    }

    #[test]
    fn a_universal_code_needs_no_selection_and_sends_none() {
        let intent = apply_code_intent(&ApplyCodeForm {
            universal: true,
            product_ids: vec![],
            ..form("10", "percent")
        })
        .unwrap();
        assert_eq!(intent["productIds"], json!([]));
        assert_eq!(intent["universal"], json!(true));
    }

    #[test]
    fn optional_fields_stay_null_when_empty() {
        let intent = apply_code_intent(&form("10", "percent")).unwrap();
        assert_eq!(intent["maxPurchaseCount"], Value::Null);
        assert_eq!(intent["minimumAmountCents"], Value::Null);
        let limited = apply_code_intent(&ApplyCodeForm {
            max_uses: "5".into(),
            minimum_amount: "20".into(),
            ..form("10", "percent")
        })
        .unwrap();
        assert_eq!(limited["maxPurchaseCount"], json!(5));
        assert_eq!(limited["minimumAmountCents"], json!(2000));
    }

    #[test]
    fn removing_needs_a_selection_or_every_product() {
        let none = RemoveCodeForm {
            code: "X".into(),
            ..RemoveCodeForm::default()
        };
        assert_eq!(
            remove_code_intent(&none).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        let all = RemoveCodeForm {
            everywhere: true,
            product_ids: vec!["p".into()],
            ..none.clone()
        };
        assert_eq!(remove_code_intent(&all).unwrap()["productIds"], json!([]));
    }
}
