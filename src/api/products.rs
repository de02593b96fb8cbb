//! `/v2/products`: listing (paginated), reading and updating products.

use serde::Deserialize;

use super::{id_segment, GumroadClient, PageKeys};
use crate::error::Error;
use crate::model::{page_key, Page, Product, ProductId, ProductUpdate, ProductUpdated};
use crate::scopes::Feature;
use crate::transport::{Request, Transport};

const PRODUCTS: &str = "/v2/products";

#[derive(Deserialize)]
struct ProductsAnswer {
    products: Vec<Product>,
    #[serde(default, deserialize_with = "page_key")]
    next_page_key: Option<String>,
}

#[derive(Deserialize)]
struct ProductAnswer {
    product: Product,
}

impl<T: Transport> GumroadClient<T> {
    /// `GET /v2/products[?page_key=…]` — scope: any read scope.
    ///
    /// Current Gumroad returns 10 products per page, newest first, with `next_page_key`
    /// only when another page exists; the 2025-04 API returned everything at once without
    /// a key (both work here). Unpublished products are listed, soft-deleted ones are not.
    /// `sales_count`/`sales_usd_cents` come only with `view_sales` or `account`. A bad key
    /// is refused with `400 {"status":400,"error":"Invalid page_key."}` (→ `Rejected`).
    pub async fn products_page(&self, page_key: Option<&str>) -> Result<Page<Product>, Error> {
        let mut request = Request::get(PRODUCTS);
        if let Some(key) = page_key {
            request = request.with_query("page_key", key);
        }
        let answer: ProductsAnswer = self.call(request, Some(Feature::ReadProducts)).await?;
        Ok(Page {
            items: answer.products,
            next_page_key: answer.next_page_key,
        })
    }

    /// Every product: [`GumroadClient::products_page`] following `next_page_key` until it
    /// is absent. Stops with a `Decode` error ("pagination cycle") if Gumroad repeats a key.
    pub async fn products(&self) -> Result<Vec<Product>, Error> {
        let mut keys = PageKeys::new(PRODUCTS);
        let mut products = Vec::new();
        let mut key: Option<String> = None;
        loop {
            let page = self.products_page(key.as_deref()).await?;
            products.extend(page.items);
            key = keys.follow(page.next_page_key)?;
            if key.is_none() {
                return Ok(products);
            }
        }
    }

    /// `GET /v2/products/:id` — scope: any read scope.
    ///
    /// Accepts the external id or the short permalink. Finds soft-deleted products too
    /// (`deleted: true`). Unknown id → HTTP 200 `success:false` "The product was not
    /// found." (→ `NotFound`).
    pub async fn product(&self, id: &ProductId) -> Result<Product, Error> {
        let path = format!("{PRODUCTS}/{}", id_segment(id.as_str(), "product")?);
        let answer: ProductAnswer = self
            .call(Request::get(path), Some(Feature::ReadProducts))
            .await?;
        Ok(answer.product)
    }

    /// `PUT /v2/products/:id` — scope: `edit_products` (or `account`).
    ///
    /// Only the fields set in `update` change. Current API only (the 2025-04 API answers
    /// 404). Refusals come as HTTP 200 `success:false` with Gumroad's sentence (e.g. price
    /// on a tiered membership, price under the currency minimum). Throttled at 30 PUTs per
    /// minute per product path (contract §4). The answer may carry a `warning`.
    pub async fn update_product(
        &self,
        id: &ProductId,
        update: &ProductUpdate,
    ) -> Result<ProductUpdated, Error> {
        update.validate()?;
        let path = format!("{PRODUCTS}/{}", id_segment(id.as_str(), "product")?);
        let mut request = Request::put(path);
        request.form = update.form();
        self.call(request, Some(Feature::EditProducts)).await
    }
}
