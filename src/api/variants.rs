//! `/v2/products/:product_id/variant_categories` and their variants: reading the ids of a
//! product's options (the product object shows only titles and names) and changing an
//! option's price difference.

use serde::Deserialize;

use super::{id_segment, GumroadClient};
use crate::error::Error;
use crate::model::{ProductId, Variant, VariantCategoryRef};
use crate::scopes::Feature;
use crate::transport::{Request, Transport};

#[derive(Deserialize)]
struct CategoriesAnswer {
    variant_categories: Vec<VariantCategoryRef>,
}

#[derive(Deserialize)]
struct VariantsAnswer {
    variants: Vec<Variant>,
}

#[derive(Deserialize)]
struct VariantAnswer {
    variant: Variant,
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
    /// `GET /v2/products/:product_id/variant_categories` — scope: any read scope. The
    /// product's live categories. Unknown product → `NotFound`.
    pub async fn variant_categories(
        &self,
        product: &ProductId,
    ) -> Result<Vec<VariantCategoryRef>, Error> {
        let answer: CategoriesAnswer = self
            .call(
                Request::get(categories_path(product)?),
                Some(Feature::ReadProducts),
            )
            .await?;
        Ok(answer.variant_categories)
    }

    /// `GET …/variant_categories/:category_id/variants` — scope: any read scope. Unknown
    /// category → HTTP 200 `success:false` "The variant_category was not found." (`NotFound`).
    pub async fn variants(
        &self,
        product: &ProductId,
        category: &str,
    ) -> Result<Vec<Variant>, Error> {
        let answer: VariantsAnswer = self
            .call(
                Request::get(variants_path(product, category)?),
                Some(Feature::ReadProducts),
            )
            .await?;
        Ok(answer.variants)
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
        let answer: VariantAnswer = self.call(request, Some(Feature::EditProducts)).await?;
        Ok(answer.variant)
    }
}
