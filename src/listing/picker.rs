//! What the product picker shows of each product: one small row per product, so that a
//! page lists thousands of them without holding their descriptions, options and
//! per-country prices (the whole products stay in the worker's cache, for the previews and
//! the parity map). The kind of a product is worded here, as every sentence is.

use serde::Serialize;

use crate::model::{Product, ProductId};
use crate::money::{format_price, major_units};

/// One product as the picker lists, searches, filters and selects it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PickerRow {
    pub id: ProductId,
    pub name: String,
    /// Gumroad's own formatted price, or ours where it sent none.
    pub formatted_price: String,
    /// The price in the currency's major unit (9.99; yen have none), which the price
    /// filter compares with what the seller types.
    pub price_decimal: f64,
    /// Lower case, as Gumroad sends it.
    pub currency: String,
    pub published: bool,
    pub tags: Vec<String>,
    /// `None` when the token may not see sales.
    pub sales_count: Option<i64>,
    /// "Fixed price", "Pay what you want" or "Membership (tiers)".
    pub kind: &'static str,
    /// Whether Gumroad's own parity pricing is on (it does not combine with codes).
    pub native_parity: bool,
}

impl PickerRow {
    pub fn of(product: &Product) -> Self {
        let formatted_price = product
            .formatted_price
            .clone()
            .filter(|shown| !shown.is_empty())
            .unwrap_or_else(|| format_price(product.price, &product.currency));
        PickerRow {
            id: product.id.clone(),
            name: product.name.clone(),
            formatted_price,
            price_decimal: major_units(product.price, &product.currency),
            currency: product.currency.clone(),
            published: product.published,
            tags: product.tags.clone(),
            sales_count: product.sales_count,
            kind: kind(product),
            native_parity: product.purchasing_power_parity_prices.is_some(),
        }
    }
}

/// The picker's rows for `products`, in their order.
pub fn picker_rows(products: &[Product]) -> Vec<PickerRow> {
    products.iter().map(PickerRow::of).collect()
}

fn kind(product: &Product) -> &'static str {
    if product.is_tiered_membership {
        "Membership (tiers)"
    } else if product.customizable_price == Some(true) {
        "Pay what you want"
    } else {
        "Fixed price"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn product(fields: serde_json::Value) -> Product {
        let mut base = json!({ "id": "p1", "name": "Brushes", "price": 1500, "currency": "usd", "published": true });
        base.as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        serde_json::from_value(base).unwrap()
    }

    #[test]
    fn a_row_keeps_what_the_picker_shows_and_drops_the_rest() {
        let full = product(json!({
            "description": "<p>A long description</p>".repeat(200),
            "tags": ["art", "brushes"],
            "sales_count": 12,
            "purchasing_power_parity_prices": { "IN": 500, "BR": 700 },
        }));
        let row = PickerRow::of(&full);
        assert_eq!(row.id, full.id);
        assert_eq!(row.name, "Brushes");
        assert_eq!(row.formatted_price, "$15");
        assert_eq!(row.price_decimal, 15.0);
        assert_eq!(row.tags, vec!["art", "brushes"]);
        assert_eq!(row.sales_count, Some(12));
        assert!(row.native_parity);
        assert_eq!(row.kind, "Fixed price");
        let text = serde_json::to_string(&row).unwrap();
        assert!(!text.contains("description"), "{text}");
        assert!(text.len() < 300, "a row is small: {} bytes", text.len());
    }

    #[test]
    fn gumroads_own_formatted_price_wins_and_yen_have_no_minor_unit() {
        let yen = PickerRow::of(&product(
            json!({ "price": 1500, "currency": "jpy", "formatted_price": "¥1,500" }),
        ));
        assert_eq!(
            (yen.formatted_price.as_str(), yen.price_decimal),
            ("¥1,500", 1500.0)
        );
        let blank = PickerRow::of(&product(json!({ "price": 999, "formatted_price": "" })));
        assert_eq!(blank.formatted_price, "$9.99");
    }

    #[test]
    fn the_kind_is_worded_from_the_product() {
        assert_eq!(
            PickerRow::of(&product(json!({ "is_tiered_membership": true }))).kind,
            "Membership (tiers)"
        );
        assert_eq!(
            PickerRow::of(&product(json!({ "customizable_price": true }))).kind,
            "Pay what you want"
        );
        assert_eq!(
            PickerRow::of(&product(json!({ "customizable_price": false }))).kind,
            "Fixed price"
        );
        let rows = picker_rows(&[product(json!({ "id": "a" })), product(json!({ "id": "b" }))]);
        assert_eq!(
            rows.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(),
            ["a", "b"]
        );
    }
}
