//! `/v2/products/:product_id/variant_categories` and their variants: reading the ids of a
//! product's options (the product object shows only titles and names) and changing an
//! option's price difference.

use serde_json::Value;

use super::{id_segment, GumroadClient};
use crate::error::Error;
use crate::model::{ProductId, Variant};
use crate::scopes::Feature;
use crate::transport::{Request, Transport};

/// The variants in `answer[key]` (a list, or one object). The answers are read as JSON
/// values and picked apart here, not through a derived decoder: the module then carries no
/// decoder of its own for three small shapes. Each item needs a string `id`; its name is
/// `name` (a category's `title`); `price_difference_cents` is a whole number or null.
fn variants_in(answer: &Value, key: &str) -> Result<Vec<Variant>, Error> {
    let items: Vec<&Value> = match answer.get(key) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item @ Value::Object(_)) => vec![item],
        _ => return Err(Error::decode(format!("Gumroad's answer has no {key}."))),
    };
    let wrong = |at: usize, field: &str| {
        Error::decode(format!(
            "Gumroad's answer was not understood: {key}[{at}].{field} is not what the API describes."
        ))
    };
    items
        .into_iter()
        .enumerate()
        .map(|(at, item)| {
            let id = item
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| wrong(at, "id"))?;
            let name = item.get("name").or_else(|| item.get("title"));
            let difference = match item.get("price_difference_cents") {
                None | Some(Value::Null) => None,
                Some(cents) => Some(
                    cents
                        .as_i64()
                        .ok_or_else(|| wrong(at, "price_difference_cents"))?,
                ),
            };
            Ok(Variant {
                id: id.to_owned(),
                name: name.and_then(Value::as_str).unwrap_or_default().to_owned(),
                price_difference_cents: difference,
            })
        })
        .collect()
}

fn categories_path(product: &ProductId) -> Result<String, Error> {
    Ok(format!(
        "/v2/products/{}/variant_categories",
        id_segment(product.as_str(), "product")?
    ))
}

fn variants_path(product: &ProductId, category: &str) -> Result<String, Error> {
    Ok(format!(
        "{}/{}/variants",
        categories_path(product)?,
        id_segment(category, "option category")?
    ))
}

impl<T: Transport> GumroadClient<T> {
    /// `GET /v2/products/:product_id/variant_categories` (`category`: `None`) — the
    /// product's live categories, each as a [`Variant`] whose `name` is its title — or
    /// `GET …/variant_categories/:category_id/variants`: that category's variants. Scope:
    /// any read scope. One method for both, so a bulk run reads them through one retry
    /// loop. Unknown product → `NotFound`; unknown category → HTTP 200 `success:false`
    /// "The variant_category was not found." (`NotFound`).
    pub async fn variants(
        &self,
        product: &ProductId,
        category: Option<&str>,
    ) -> Result<Vec<Variant>, Error> {
        let path = match category {
            None => categories_path(product)?,
            Some(category) => variants_path(product, category)?,
        };
        let answer: Value = self
            .call(Request::get(path), Some(Feature::ReadProducts))
            .await?;
        variants_in(
            &answer,
            if category.is_none() {
                "variant_categories"
            } else {
                "variants"
            },
        )
    }

    /// `PUT …/variant_categories/:category_id/variants/:id` with only
    /// `price_difference_cents` — scope: `edit_products` (or `account`). Setting a
    /// difference is idempotent. A negative one is refused ("Please enter a price that is
    /// equal to or greater than the price of the product."); an unknown variant is HTTP 200
    /// `success:false` "The variant was not found." (`NotFound`). A tier's recurrence
    /// prices cannot be set here (additions §5).
    pub async fn set_price_difference(
        &self,
        product: &ProductId,
        category: &str,
        variant: &str,
        cents: i64,
    ) -> Result<Variant, Error> {
        if cents < 0 {
            return Err(Error::invalid_input(
                "An option's price difference cannot be negative.",
            ));
        }
        let mut request = Request::put(format!(
            "{}/{}",
            variants_path(product, category)?,
            id_segment(variant, "option")?
        ));
        request.form = vec![("price_difference_cents".to_owned(), cents.to_string())];
        let answer: Value = self.call(request, Some(Feature::EditProducts)).await?;
        variants_in(&answer, "variant")?
            .pop()
            .ok_or_else(|| Error::decode("Gumroad's answer has no variant."))
    }
}
