//! Gumroad's categories (`GET /v2/categories`) and the prices of comparable products
//! (`GET /v2/products/comps`), additions §2.

use serde::{Deserialize, Serialize};

use super::{lenient_i64, null_as_default};

/// One category of Gumroad's taxonomy. `path` is what `taxonomy=` and a product's
/// `category` name (`design/ui-and-web/figma`); `label` is what the seller reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    #[serde(deserialize_with = "required_i64")]
    pub id: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub label: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub path: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub parent_id: Option<i64>,
}

fn required_i64<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    lenient_i64(deserializer)?.ok_or_else(|| serde::de::Error::custom("a category needs an id"))
}

/// What comparable listings cost: quartiles of their prices in minor units of `currency`
/// (free listings left out; a category includes its descendants). `None` quartiles when
/// there are none to compare. The answer's `examples` (a few of those listings) are not
/// read: nothing shows them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Comps {
    #[serde(deserialize_with = "null_as_default")]
    pub count: u64,
    #[serde(deserialize_with = "null_as_default")]
    pub currency: String,
    #[serde(deserialize_with = "null_as_default")]
    pub price_cents: Quartiles,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Quartiles {
    #[serde(deserialize_with = "lenient_i64")]
    pub p25: Option<i64>,
    #[serde(deserialize_with = "lenient_i64")]
    pub p50: Option<i64>,
    #[serde(deserialize_with = "lenient_i64")]
    pub p75: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_and_comps_decode_leniently() {
        let category: Category = serde_json::from_str(
            r#"{"id":"12","name":"figma","label":"Figma","path":"design/ui-and-web/figma","parent_id":null}"#,
        )
        .unwrap();
        assert_eq!((category.id, category.parent_id), (12, None));
        assert!(serde_json::from_str::<Category>(r#"{"id":null,"name":"x"}"#).is_err());
        let comps: Comps = serde_json::from_str(
            r#"{"count":3,"currency":"usd","price_cents":{"p25":900,"p50":"1500","p75":null},"examples":null}"#,
        )
        .unwrap();
        assert_eq!(comps.price_cents.p50, Some(1500));
        assert_eq!(comps.price_cents.p75, None);
    }
}
