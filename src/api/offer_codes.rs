//! `/v2/products/:product_id/offer_codes`: listing, creating, updating and deleting a
//! product's offer (discount) codes.

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::{id_segment, GumroadClient};
use crate::error::Error;
use crate::model::{NewOfferCode, OfferCode, OfferCodeId, OfferCodeUpdate, ProductId};
use crate::scopes::Feature;
use crate::transport::{Request, Transport};

#[derive(Deserialize)]
struct OfferCodesAnswer {
    offer_codes: Vec<OfferCode>,
}

#[derive(Deserialize)]
struct OfferCodeAnswer {
    offer_code: OfferCode,
}

fn codes_path(product: &ProductId) -> Result<String, Error> {
    Ok(format!(
        "/v2/products/{}/offer_codes",
        id_segment(product.as_str(), "product")?
    ))
}

fn code_path(product: &ProductId, code: &OfferCodeId) -> Result<String, Error> {
    Ok(format!(
        "{}/{}",
        codes_path(product)?,
        id_segment(code.as_str(), "discount code")?
    ))
}

impl<T: Transport> GumroadClient<T> {
    /// `GET /v2/products/:product_id/offer_codes` — scope: any read scope.
    ///
    /// The product's own live codes **plus** the seller's universal codes that apply to it
    /// (same currency, or percent codes), oldest first, unpaginated. Unknown product →
    /// HTTP 200 `success:false` "The product was not found." (→ `NotFound`).
    pub async fn offer_codes(&self, product: &ProductId) -> Result<Vec<OfferCode>, Error> {
        let answer: OfferCodesAnswer = self
            .call(
                Request::get(codes_path(product)?),
                Some(Feature::ReadProducts),
            )
            .await?;
        Ok(answer.offer_codes)
    }

    /// `POST /v2/products/:product_id/offer_codes` — scope: `edit_products` (or `account`).
    ///
    /// Quirks: `universal` must be the string `"true"` (form-encoded, see
    /// [`NewOfferCode`]); duplicates are refused with HTTP 200 `success:false` "Discount
    /// code must be unique." — which is also what a silently repeated POST gets after the
    /// first one created the code, so after a `Network` error or that refusal re-read the
    /// product's codes before deciding what happened.
    pub async fn create_offer_code(
        &self,
        product: &ProductId,
        code: &NewOfferCode,
    ) -> Result<OfferCode, Error> {
        code.validate()?;
        let mut request = Request::post(codes_path(product)?);
        request.form = code.form();
        let answer: OfferCodeAnswer = self.call(request, Some(Feature::EditProducts)).await?;
        Ok(answer.offer_code)
    }

    /// `PUT /v2/products/:product_id/offer_codes/:id` — scope: `edit_products` (or
    /// `account`). Only `max_purchase_count` and `minimum_amount_cents` can change.
    pub async fn update_offer_code(
        &self,
        product: &ProductId,
        code: &OfferCodeId,
        update: &OfferCodeUpdate,
    ) -> Result<OfferCode, Error> {
        update.validate()?;
        let mut request = Request::put(code_path(product, code)?);
        request.form = update.form();
        let answer: OfferCodeAnswer = self.call(request, Some(Feature::EditProducts)).await?;
        Ok(answer.offer_code)
    }

    /// `DELETE /v2/products/:product_id/offer_codes/:id` — scope: `edit_products` (or
    /// `account`). A soft delete; refused (HTTP 200 `success:false`) while the code is
    /// some product's default discount.
    pub async fn delete_offer_code(
        &self,
        product: &ProductId,
        code: &OfferCodeId,
    ) -> Result<(), Error> {
        let request = Request::delete(code_path(product, code)?);
        let _: IgnoredAny = self.call(request, Some(Feature::EditProducts)).await?;
        Ok(())
    }
}
