//! Gumroad's catalogue around a seller's products: its categories (`GET /v2/categories`)
//! and what comparable products cost (`GET /v2/products/comps`), additions §2. Both are
//! newer than the 2025-04 API, which answers 404 (→ `NotFound`): callers say "unknown".

use serde::Deserialize;

use super::GumroadClient;
use crate::error::Error;
use crate::model::{Category, Comps};
use crate::scopes::Feature;
use crate::transport::{Request, Transport};

#[derive(Deserialize)]
struct CategoriesAnswer {
    categories: Vec<Category>,
}

#[derive(Deserialize)]
struct CompsAnswer {
    comps: Comps,
}

impl<T: Transport> GumroadClient<T> {
    /// `GET /v2/categories` — scope: any read scope. Every category, with its id (what
    /// `PUT /v2/products/:id` takes as `taxonomy_id`), label and path.
    pub async fn categories(&self) -> Result<Vec<Category>, Error> {
        let answer: CategoriesAnswer = self
            .call(Request::get("/v2/categories"), Some(Feature::ReadProducts))
            .await?;
        Ok(answer.categories)
    }

    /// `GET /v2/products/comps?taxonomy=<path>&price_currency_type=<cur>[&query=<text>]` —
    /// scope: any read scope. Price quartiles of published, paid listings in the category
    /// (and its descendants) in `currency`.
    pub async fn comps(
        &self,
        taxonomy: &str,
        currency: &str,
        query: Option<&str>,
    ) -> Result<Comps, Error> {
        let mut request = Request::get("/v2/products/comps")
            .with_query("taxonomy", taxonomy)
            .with_query("price_currency_type", currency);
        if let Some(query) = query.filter(|q| !q.trim().is_empty()) {
            request = request.with_query("query", query);
        }
        let answer: CompsAnswer = self.call(request, Some(Feature::ReadProducts)).await?;
        Ok(answer.comps)
    }
}
