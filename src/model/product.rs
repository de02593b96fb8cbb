//! Products as `GET /v2/products` and `GET /v2/products/:id` return them (contract §2.1),
//! and the input of `PUT /v2/products/:id`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{lenient_i64, null_as_default, ProductId};
use crate::error::Error;

/// A product. `price` and `currency` are required: a bulk price change must never act on a
/// price it did not actually read. List items are "slim" (no files or rich content); those
/// fields are not modelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// HTML.
    #[serde(default)]
    pub description: Option<String>,
    /// Minor units (cents; whole yen for JPY).
    pub price: i64,
    /// Lowercase ISO code (`"usd"`).
    pub currency: String,
    /// Gumroad's display string (`"$1"`); when absent use [`crate::money::format_price`].
    #[serde(default)]
    pub formatted_price: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub published: bool,
    /// Soft-deleted: only shown by `GET /v2/products/:id`, never in the list.
    #[serde(default, deserialize_with = "null_as_default")]
    pub deleted: bool,
    /// Pay what you want; `price` is then the minimum.
    #[serde(default)]
    pub customizable_price: Option<bool>,
    /// Memberships with tiers keep their prices on the tiers (`variants`), not in `price`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_tiered_membership: bool,
    /// Only for tiered memberships (`"monthly"`, `"yearly"`…).
    #[serde(default)]
    pub recurrences: Option<Vec<String>>,
    #[serde(default)]
    pub subscription_duration: Option<String>,
    #[serde(default)]
    pub max_purchase_count: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<String>,
    /// Only with the `view_sales` or `account` scope.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub sales_count: Option<i64>,
    /// Only with the `view_sales` or `account` scope; always USD cents.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub sales_usd_cents: Option<i64>,
    #[serde(default)]
    pub custom_permalink: Option<String>,
    #[serde(default)]
    pub custom_summary: Option<String>,
    #[serde(default)]
    pub short_url: Option<String>,
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    #[serde(default)]
    pub preview_url: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub require_shipping: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_preorder: bool,
    /// `{country_code: minor units}`, only when the seller has Gumroad's own PPP enabled
    /// for this product (native PPP and discount codes do not stack).
    #[serde(default)]
    pub purchasing_power_parity_prices: Option<BTreeMap<String, i64>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub variants: Vec<VariantCategory>,
    /// The category (Gumroad's taxonomy) id; Discover lists only products that have one.
    /// Sent by newer Gumroad versions only (contract §2.1 †): `None` when absent.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub taxonomy_id: Option<i64>,
    /// The category's full path (`design/ui-and-web/figma`), newer versions only.
    #[serde(default)]
    pub category: Option<String>,
    /// The category as shown (`Figma`), newer versions only.
    #[serde(default)]
    pub category_label: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub covers: Vec<Cover>,
    #[serde(default)]
    pub main_cover_id: Option<String>,
    /// Whether the product page shows its reviews (Discover needs it). The product object
    /// does not carry it in the versions read: `None` means "not told", never "no".
    #[serde(default)]
    pub display_product_reviews: Option<bool>,
}

/// A product's cover (image, video or embed), as listed in `covers`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Cover {
    #[serde(deserialize_with = "null_as_default")]
    pub id: String,
    pub url: Option<String>,
    /// `image`, `video`, `oembed` or `unsplash`.
    #[serde(rename = "type", deserialize_with = "null_as_default")]
    pub kind: String,
    pub width: Option<serde_json::Value>,
    pub height: Option<serde_json::Value>,
}

/// A variant category (`"Tier"`, `"Size"`) and its options.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VariantCategory {
    #[serde(deserialize_with = "null_as_default")]
    pub title: String,
    #[serde(deserialize_with = "null_as_default")]
    pub options: Vec<VariantOption>,
}

/// One option of a variant category, as embedded in the product object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VariantOption {
    #[serde(deserialize_with = "null_as_default")]
    pub name: String,
    /// Minor units added to the product's price.
    pub price_difference: Option<i64>,
    #[serde(deserialize_with = "null_as_default")]
    pub is_pay_what_you_want: bool,
    /// Memberships only: per recurrence `{price_cents, suggested_price_cents, …}`. Kept as
    /// sent because its shape varies between Gumroad versions.
    pub recurrence_prices: Option<serde_json::Value>,
    pub purchasing_power_parity_prices: Option<BTreeMap<String, i64>>,
}

/// The answer to `PUT /v2/products/:id`: the product after the change and Gumroad's
/// optional warning (e.g. offer codes that now discount it below the minimum price).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductUpdated {
    pub product: Product,
    #[serde(default)]
    pub warning: Option<String>,
}

/// Changes for `PUT /v2/products/:id`: only the fields that are `Some` are sent, and only
/// those change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductUpdate {
    pub name: Option<String>,
    /// HTML.
    pub description: Option<String>,
    /// Minor units in the product's currency. Gumroad refuses it for tiered memberships.
    pub price: Option<i64>,
    pub customizable_price: Option<bool>,
    pub suggested_price_cents: Option<i64>,
    pub max_purchase_count: Option<u32>,
    pub custom_summary: Option<String>,
    /// Replaces all tags.
    pub tags: Option<Vec<String>>,
    /// The category, by id (from `GET /v2/categories`).
    pub taxonomy_id: Option<i64>,
}

impl ProductUpdate {
    /// Refuses an update that cannot be sent as meant. Currency minimums depend on the
    /// product and are checked by the planners that know it.
    pub fn validate(&self) -> Result<(), Error> {
        if *self == ProductUpdate::default() {
            return Err(Error::invalid_input("Nothing to change."));
        }
        if self
            .name
            .as_deref()
            .is_some_and(|name| name.trim().is_empty())
        {
            return Err(Error::invalid_input("A product needs a name."));
        }
        if self.price.is_some_and(|price| price < 0)
            || self.suggested_price_cents.is_some_and(|p| p < 0)
        {
            return Err(Error::invalid_input("A price cannot be negative."));
        }
        // Form encoding has no way to say "an empty list": `tags[]=` would set one empty tag.
        if self.tags.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::invalid_input(
                "Removing every tag at once is not possible through Gumroad's API; keep at least one.",
            ));
        }
        Ok(())
    }

    /// The form fields, in a stable order. Arrays use Rails' `name[]` convention.
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        let mut form = Vec::new();
        let mut put = |name: &str, value: String| form.push((name.to_owned(), value));
        if let Some(name) = &self.name {
            put("name", name.trim().to_owned());
        }
        if let Some(description) = &self.description {
            put("description", description.clone());
        }
        if let Some(price) = self.price {
            put("price", price.to_string());
        }
        if let Some(flag) = self.customizable_price {
            put("customizable_price", flag.to_string());
        }
        if let Some(cents) = self.suggested_price_cents {
            put("suggested_price_cents", cents.to_string());
        }
        if let Some(count) = self.max_purchase_count {
            put("max_purchase_count", count.to_string());
        }
        if let Some(summary) = &self.custom_summary {
            put("custom_summary", summary.clone());
        }
        for tag in self.tags.iter().flatten() {
            put("tags[]", tag.clone());
        }
        if let Some(id) = self.taxonomy_id {
            put("taxonomy_id", id.to_string());
        }
        form
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_item_with_nulls_and_unknown_fields_decodes() {
        let json = r#"{"id":"A-m3CDDC5dlrSdKZp0RFhA==","name":"Guide","description":null,
            "price":990,"currency":"eur","formatted_price":"€9.90","published":true,
            "deleted":false,"customizable_price":null,"tags":null,"variants":null,
            "recurrences":null,"sales_count":"12","sales_usd_cents":1234.0,
            "purchasing_power_parity_prices":{"IN":300,"BR":450},"file_info":{},
            "covers":[],"url":null,"brand_new_field":{"x":1}}"#;
        let product: Product = serde_json::from_str(json).unwrap();
        assert_eq!(product.id.as_str(), "A-m3CDDC5dlrSdKZp0RFhA==");
        assert_eq!(product.price, 990);
        assert!(product.tags.is_empty() && product.variants.is_empty());
        assert_eq!(product.sales_count, Some(12));
        assert_eq!(product.sales_usd_cents, Some(1234));
        assert_eq!(product.purchasing_power_parity_prices.unwrap()["IN"], 300);
    }

    #[test]
    fn tiered_membership_variants_decode() {
        let json = r#"{"id":"m","name":"Club","price":500,"currency":"usd",
            "is_tiered_membership":true,"recurrences":["monthly","yearly"],
            "variants":[{"title":"Tier","options":[{"name":"Gold","price_difference":0,
              "is_pay_what_you_want":false,
              "recurrence_prices":{"monthly":{"price_cents":500,"suggested_price_cents":null}},
              "url":null}]}]}"#;
        let product: Product = serde_json::from_str(json).unwrap();
        assert!(product.is_tiered_membership);
        assert_eq!(product.variants[0].options[0].name, "Gold");
        assert_eq!(
            product.variants[0].options[0]
                .recurrence_prices
                .as_ref()
                .unwrap()["monthly"]["price_cents"],
            500
        );
    }

    #[test]
    fn update_sends_only_what_is_set() {
        let update = ProductUpdate {
            price: Some(1200),
            tags: Some(vec!["a".into(), "b c".into()]),
            customizable_price: Some(false),
            ..ProductUpdate::default()
        };
        update.validate().unwrap();
        let form = update.form();
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            form,
            [
                ("price", "1200"),
                ("customizable_price", "false"),
                ("tags[]", "a"),
                ("tags[]", "b c")
            ]
        );
    }

    #[test]
    fn update_validation() {
        let rows = [
            (ProductUpdate::default(), Some("Nothing to change.")),
            (
                ProductUpdate {
                    price: Some(-1),
                    ..Default::default()
                },
                Some("negative"),
            ),
            (
                ProductUpdate {
                    name: Some("  ".into()),
                    ..Default::default()
                },
                Some("name"),
            ),
            (
                ProductUpdate {
                    tags: Some(vec![]),
                    ..Default::default()
                },
                Some("tag"),
            ),
            (
                ProductUpdate {
                    price: Some(0),
                    ..Default::default()
                },
                None,
            ),
        ];
        for (update, error) in rows {
            match (update.validate(), error) {
                (Ok(()), None) => {}
                (Err(e), Some(needle)) => assert!(e.message().contains(needle), "{e}"),
                (result, expected) => panic!("{update:?}: {result:?}, expected {expected:?}"),
            }
        }
    }
}
