//! The read-only stage of a bulk job: [`Snapshot`] = the seller's products and the offer
//! codes listed for some or all of them, and `take`, which reads it with bounded
//! concurrency and read retries. Never writes; no `JsValue` here.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::api::PageKeys;
use crate::error::{Error, ErrorKind};
use crate::model::{OfferCode, Product, ProductId};
use crate::pacing::{InFlight, Runner};
use crate::runtime::Clock;
use crate::transport::Transport;

/// Products and, for the products that were read, their offer codes as
/// `GET /v2/products/:id/offer_codes` lists them: the product's own codes plus the
/// seller's universal codes that apply to it (same currency, or percent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Every product (`GET /v2/products`, all pages), in Gumroad's order (newest first).
    pub products: Vec<Product>,
    /// Codes per product, for the products whose codes were read.
    pub codes: BTreeMap<ProductId, Vec<OfferCode>>,
}

impl Snapshot {
    pub fn product(&self, id: &ProductId) -> Option<&Product> {
        self.products.iter().find(|product| &product.id == id)
    }

    /// The codes listed for `id` (empty when not read).
    pub fn codes_of(&self, id: &ProductId) -> &[OfferCode] {
        self.codes.get(id).map_or(&[], Vec::as_slice)
    }

    /// Every code read, each once (universal codes are listed under many products), in
    /// product order.
    pub fn all_codes(&self) -> Vec<&OfferCode> {
        let mut seen = HashSet::new();
        self.products
            .iter()
            .flat_map(|product| self.codes_of(&product.id))
            .filter(|code| seen.insert(code.id.clone()))
            .collect()
    }

    /// The products whose list shows the code with id `code`.
    pub fn products_listing(&self, code: &OfferCode) -> Vec<&Product> {
        self.products
            .iter()
            .filter(|product| self.codes_of(&product.id).iter().any(|c| c.id == code.id))
            .collect()
    }
}

/// Which products' codes to read.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    All,
    Products(&'a [ProductId]),
    /// None: the products alone (re-planning or undoing price changes).
    NoCodes,
}

/// Reads every product, then the codes of the products in `scope` (those that exist),
/// a window of them at a time, retrying reads on 429, 5xx and lost answers. A product
/// that disappears between the two reads is dropped; any other failure fails the whole
/// snapshot (a plan must not be made from half the facts).
pub(crate) async fn take<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    scope: Scope<'_>,
) -> Result<Snapshot, Error> {
    let mut products = all_products(runner).await?;
    let wanted: Vec<ProductId> = match scope {
        Scope::All => products.iter().map(|p| p.id.clone()).collect(),
        Scope::NoCodes => Vec::new(),
        Scope::Products(ids) => {
            let known: HashSet<&ProductId> = products.iter().map(|p| &p.id).collect();
            let mut seen = HashSet::new();
            ids.iter()
                .filter(|id| known.contains(id) && seen.insert(*id))
                .cloned()
                .collect()
        }
    };
    let mut codes = BTreeMap::new();
    let mut gone = HashSet::new();
    let mut pending = wanted.iter();
    let mut in_flight = InFlight::new();
    loop {
        while in_flight.len() < runner.window() {
            let Some(id) = pending.next() else { break };
            in_flight.push(async move {
                let listed = runner.read(|| runner.client().offer_codes(id)).await;
                (id, listed)
            });
        }
        let Some((id, listed)) = in_flight.next().await else {
            break;
        };
        match listed {
            Ok(list) => {
                codes.insert(id.clone(), list);
            }
            Err(error) if error.kind() == ErrorKind::NotFound => {
                gone.insert(id.clone());
            }
            Err(error) => return Err(error),
        }
    }
    products.retain(|product| !gone.contains(&product.id));
    Ok(Snapshot { products, codes })
}

/// `GET /v2/products`, page by page, each page with read retries.
async fn all_products<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
) -> Result<Vec<Product>, Error> {
    let mut keys = PageKeys::new("/v2/products");
    let mut products: Vec<Product> = Vec::new();
    let mut key: Option<String> = None;
    loop {
        let page = runner
            .read(|| runner.client().products_page(key.as_deref()))
            .await?;
        products.extend(page.items);
        key = keys.follow(page.next_page_key)?;
        if key.is_none() {
            break;
        }
    }
    // A product can move between pages while they are read (a new one pushes the rest
    // down); keep the first sighting.
    let mut seen = HashSet::new();
    products.retain(|product| seen.insert(product.id.clone()));
    Ok(products)
}
