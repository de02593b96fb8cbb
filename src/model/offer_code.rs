//! Offer (discount) codes as `GET|POST|PUT /v2/products/:id/offer_codes` return them
//! (contract §2.2), and the inputs to create and update one.

use serde::{Deserialize, Serialize};

use super::{null_as_default, OfferCodeId};
use crate::error::Error;

/// What a code takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discount {
    /// Percent off (`percent_off`); percent codes have no currency.
    Percent(u8),
    /// Minor units off (`amount_cents`), in the product's currency.
    Fixed { cents: i64 },
}

/// An offer code. On the wire exactly one of `amount_cents` / `percent_off` is set; here
/// that is [`Discount`]. Serializes back to Gumroad's shape, so the UI reads the same keys
/// Gumroad sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OfferCodeWire", into = "OfferCodeWire")]
pub struct OfferCode {
    pub id: OfferCodeId,
    /// The code buyers type.
    pub name: String,
    pub discount: Discount,
    /// `None` = unlimited. Counted per product for product codes.
    pub max_purchase_count: Option<i64>,
    /// Minimum order amount in minor units (current API only).
    pub minimum_amount_cents: Option<i64>,
    /// Applies to all of the seller's products (listed with every product whose currency
    /// matches, or with every product for percent codes).
    pub universal: bool,
    pub times_used: i64,
}

#[derive(Clone, Serialize, Deserialize)]
struct OfferCodeWire {
    id: OfferCodeId,
    #[serde(default, deserialize_with = "null_as_default")]
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    percent_off: Option<u8>,
    #[serde(default)]
    max_purchase_count: Option<i64>,
    #[serde(default)]
    minimum_amount_cents: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    universal: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    times_used: i64,
}

impl TryFrom<OfferCodeWire> for OfferCode {
    type Error = String;

    fn try_from(wire: OfferCodeWire) -> Result<Self, String> {
        // A code whose terms are unclear must not be compared or replaced by a bulk run.
        let discount = match (wire.percent_off, wire.amount_cents) {
            (Some(percent), None) => Discount::Percent(percent),
            (None, Some(cents)) => Discount::Fixed { cents },
            (Some(_), Some(_)) => {
                return Err("offer code has both percent_off and amount_cents".to_owned())
            }
            (None, None) => {
                return Err("offer code has neither percent_off nor amount_cents".to_owned())
            }
        };
        Ok(OfferCode {
            id: wire.id,
            name: wire.name,
            discount,
            max_purchase_count: wire.max_purchase_count,
            minimum_amount_cents: wire.minimum_amount_cents,
            universal: wire.universal,
            times_used: wire.times_used,
        })
    }
}

impl From<OfferCode> for OfferCodeWire {
    fn from(code: OfferCode) -> Self {
        let (percent_off, amount_cents) = match code.discount {
            Discount::Percent(percent) => (Some(percent), None),
            Discount::Fixed { cents } => (None, Some(cents)),
        };
        OfferCodeWire {
            id: code.id,
            name: code.name,
            amount_cents,
            percent_off,
            max_purchase_count: code.max_purchase_count,
            minimum_amount_cents: code.minimum_amount_cents,
            universal: code.universal,
            times_used: code.times_used,
        }
    }
}

/// A code to create with `POST /v2/products/:id/offer_codes`. The API cannot set start or
/// end dates, several products, or a country; a non-universal code belongs to one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOfferCode {
    /// The code buyers type; surrounding whitespace is dropped (as Gumroad does).
    pub name: String,
    pub discount: Discount,
    #[serde(default)]
    pub max_purchase_count: Option<u32>,
    #[serde(default)]
    pub minimum_amount_cents: Option<i64>,
    #[serde(default)]
    pub universal: bool,
}

impl NewOfferCode {
    /// Gumroad's own model rules (messages verbatim where Gumroad has one), checked before
    /// anything is sent. Whether the discounted price stays above the currency minimum
    /// depends on the products and is the planner's job.
    pub fn validate(&self) -> Result<(), Error> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(Error::invalid_input("Enter a discount code."));
        }
        if !name.chars().all(is_code_char) {
            return Err(Error::invalid_input(
                "Discount code can only contain numbers, letters, dashes, and underscores.",
            ));
        }
        match self.discount {
            Discount::Percent(0)
            | Discount::Fixed {
                cents: i64::MIN..=0,
            } => {
                return Err(Error::invalid_input(
                    "Please enter a positive discount amount.",
                ))
            }
            Discount::Percent(101..) => {
                return Err(Error::invalid_input(
                    "Please enter a discount amount that is 100% or less.",
                ))
            }
            _ => {}
        }
        if self.minimum_amount_cents.is_some_and(|cents| cents < 0) {
            return Err(Error::invalid_input("A minimum amount cannot be negative."));
        }
        Ok(())
    }

    /// The form fields. `offer_type` + `amount_off` is understood by every API version
    /// (`amount_cents` is a newer alternative); `universal` is sent as the string `"true"`
    /// because Gumroad compares it to that string — a JSON `true` would mean false.
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        let (offer_type, amount) = match self.discount {
            Discount::Percent(percent) => ("percent", i64::from(percent)),
            Discount::Fixed { cents } => ("cents", cents),
        };
        let mut form = vec![
            ("name".to_owned(), self.name.trim().to_owned()),
            ("offer_type".to_owned(), offer_type.to_owned()),
            ("amount_off".to_owned(), amount.to_string()),
        ];
        if let Some(count) = self.max_purchase_count {
            form.push(("max_purchase_count".to_owned(), count.to_string()));
        }
        if let Some(cents) = self.minimum_amount_cents {
            form.push(("minimum_amount_cents".to_owned(), cents.to_string()));
        }
        if self.universal {
            form.push(("universal".to_owned(), "true".to_owned()));
        }
        form
    }
}

/// Letters (ASCII and Latin-1 accented), digits, `-` and `_`, as Gumroad's model allows.
fn is_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '-'
        || c == '_'
        || (('\u{C0}'..='\u{FF}').contains(&c) && c != '\u{D7}' && c != '\u{F7}')
}

/// Changes for `PUT /v2/products/:id/offer_codes/:id`. Gumroad lets only these change: the
/// code, its amount, its type and its universality are fixed once created.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OfferCodeUpdate {
    pub max_purchase_count: Option<u32>,
    /// Current API only.
    pub minimum_amount_cents: Option<i64>,
}

impl OfferCodeUpdate {
    pub fn validate(&self) -> Result<(), Error> {
        if *self == OfferCodeUpdate::default() {
            return Err(Error::invalid_input("Nothing to change."));
        }
        if self.minimum_amount_cents.is_some_and(|cents| cents < 0) {
            return Err(Error::invalid_input("A minimum amount cannot be negative."));
        }
        Ok(())
    }

    pub(crate) fn form(&self) -> Vec<(String, String)> {
        let mut form = Vec::new();
        if let Some(count) = self.max_purchase_count {
            form.push(("max_purchase_count".to_owned(), count.to_string()));
        }
        if let Some(cents) = self.minimum_amount_cents {
            form.push(("minimum_amount_cents".to_owned(), cents.to_string()));
        }
        form
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
        form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    #[test]
    fn wire_shapes_decode_to_discount() {
        let rows = [
            (
                r#"{"id":"o1","name":"SAVE10","percent_off":10,"universal":false,"times_used":3}"#,
                Some(Discount::Percent(10)),
            ),
            (
                r#"{"id":"o2","name":"FIVE","amount_cents":500,"percent_off":null,"universal":true}"#,
                Some(Discount::Fixed { cents: 500 }),
            ),
            (r#"{"id":"o3","name":"X"}"#, None),
            (
                r#"{"id":"o4","name":"X","amount_cents":1,"percent_off":1}"#,
                None,
            ),
            (r#"{"id":"o5","name":"X","percent_off":-5}"#, None),
        ];
        for (json, discount) in rows {
            let decoded = serde_json::from_str::<OfferCode>(json);
            assert_eq!(
                decoded.as_ref().ok().map(|code| code.discount),
                discount,
                "{json}"
            );
        }
    }

    #[test]
    fn serializes_back_to_gumroads_shape() {
        let json = serde_json::json!({"id":"o2","name":"FIVE","amount_cents":500,
            "max_purchase_count":null,"minimum_amount_cents":null,"universal":true,"times_used":0});
        let code: OfferCode = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&code).unwrap(), json);
    }

    #[test]
    fn new_code_form_sends_universal_as_the_string_true() {
        let code = NewOfferCode {
            name: " SPRING_25 ".into(),
            discount: Discount::Percent(25),
            max_purchase_count: Some(100),
            minimum_amount_cents: None,
            universal: true,
        };
        code.validate().unwrap();
        assert_eq!(
            pairs(&code.form()),
            [
                ("name", "SPRING_25"),
                ("offer_type", "percent"),
                ("amount_off", "25"),
                ("max_purchase_count", "100"),
                ("universal", "true"),
            ]
        );
        let fixed = NewOfferCode {
            discount: Discount::Fixed { cents: 500 },
            universal: false,
            max_purchase_count: None,
            ..code
        };
        assert_eq!(
            pairs(&fixed.form()),
            [
                ("name", "SPRING_25"),
                ("offer_type", "cents"),
                ("amount_off", "500")
            ]
        );
    }

    #[test]
    fn new_code_validation() {
        let base = NewOfferCode {
            name: "OK".into(),
            discount: Discount::Percent(10),
            max_purchase_count: None,
            minimum_amount_cents: None,
            universal: false,
        };
        let rows = [
            (
                NewOfferCode {
                    name: "Été-2025_x".into(),
                    ..base.clone()
                },
                None,
            ),
            (
                NewOfferCode {
                    name: " ".into(),
                    ..base.clone()
                },
                Some("Enter a discount code."),
            ),
            (
                NewOfferCode {
                    name: "SAVE 10".into(),
                    ..base.clone()
                },
                Some("only contain"),
            ),
            (
                NewOfferCode {
                    name: "SAVE%".into(),
                    ..base.clone()
                },
                Some("only contain"),
            ),
            (
                NewOfferCode {
                    name: "a×b".into(),
                    ..base.clone()
                },
                Some("only contain"),
            ),
            (
                NewOfferCode {
                    discount: Discount::Percent(0),
                    ..base.clone()
                },
                Some("positive"),
            ),
            (
                NewOfferCode {
                    discount: Discount::Percent(100),
                    ..base.clone()
                },
                None,
            ),
            (
                NewOfferCode {
                    discount: Discount::Percent(150),
                    ..base.clone()
                },
                Some("100% or less"),
            ),
            (
                NewOfferCode {
                    discount: Discount::Fixed { cents: -1 },
                    ..base.clone()
                },
                Some("positive"),
            ),
            (
                NewOfferCode {
                    minimum_amount_cents: Some(-1),
                    ..base.clone()
                },
                Some("negative"),
            ),
        ];
        for (code, error) in rows {
            match (code.validate(), error) {
                (Ok(()), None) => {}
                (Err(e), Some(needle)) => assert!(e.message().contains(needle), "{code:?}: {e}"),
                (result, expected) => panic!("{code:?}: {result:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn discount_serializes_for_the_ui() {
        assert_eq!(
            serde_json::to_value(Discount::Percent(10)).unwrap(),
            serde_json::json!({"percent":10})
        );
        assert_eq!(
            serde_json::to_value(Discount::Fixed { cents: 500 }).unwrap(),
            serde_json::json!({"fixed":{"cents":500}})
        );
    }
}
