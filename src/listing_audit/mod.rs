//! The listing audit's reads: the products (a fresh product list, else a walk of
//! `GET /v2/products`), Gumroad's categories once, and comparable prices once per distinct
//! (category, currency), all through the pacing runner (retries, the 429 pause, several in
//! flight); then the pure audit of `listing::audit`. Never writes; no `JsValue` here.
//!
//! Only the products are needed: categories and comparable prices are newer endpoints
//! (additions §2) that an older API answers with 404, so any failure of theirs makes the
//! audit say "unknown" with a note, never fail — except a refused token or a disconnected
//! account, which stop everything as they do elsewhere.

use std::collections::HashSet;

use crate::api::GumroadClient;
use crate::bulk::snapshot::{take_from, Catalogue, ProductList, Scope};
use crate::error::{Error, ErrorKind};
use crate::listing::audit::{audit, category_path, Audit, Market};
use crate::model::{Category, Comps, Product};
use crate::pacing::{ExecOptions, InFlight, Runner};
use crate::runtime::Clock;
use crate::transport::Transport;
use crate::wording::count;

/// The audit of every product: from `listed` when it is fresh ([`ProductList::is_fresh`]),
/// else from a walk of the catalogue.
pub async fn load_audit<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    listed: Option<&ProductList>,
    options: &ExecOptions,
) -> Result<Audit, Error> {
    let runner = Runner::new(client, clock, options);
    let products = match listed.filter(|list| list.is_fresh(clock.now_ms())) {
        Some(list) => {
            let mut seen = HashSet::new();
            list.items
                .iter()
                .filter(|p| !p.deleted && seen.insert(p.id.clone()))
                .cloned()
                .collect()
        }
        None => {
            take_from(&runner, Scope::NoCodes, Catalogue::Walk)
                .await?
                .products
        }
    };
    let market = load_market(&runner, &products).await?;
    Ok(audit(&products, &market))
}

/// A failure that must stop the audit rather than make part of it unknown.
fn stops(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::Unauthorized | ErrorKind::Stopped | ErrorKind::Cancelled
    )
}

/// Why a newer endpoint gave nothing, for the notes.
fn why(error: &Error) -> String {
    if error.kind() == ErrorKind::NotFound {
        "Gumroad's API answered that it does not have it".to_owned()
    } else {
        format!("it failed: {}", error.message())
    }
}

/// The categories and the comparable prices the products need.
async fn load_market<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    products: &[Product],
) -> Result<Market, Error> {
    let mut market = Market::default();
    if products.is_empty() {
        return Ok(market);
    }
    match runner.read(|| runner.client().categories()).await {
        Ok(categories) => market.categories = Some(categories),
        Err(error) if stops(&error) => return Err(error),
        Err(error) => market.notes.push(format!(
            "Gumroad's categories could not be read ({}), so whether a product has a category \
             is unknown unless it says so.",
            why(&error)
        )),
    }
    let wanted = comps_wanted(products, market.categories.as_deref());
    let total = wanted.len();
    let mut waiting = wanted;
    waiting.reverse();
    let mut failed: Vec<Error> = Vec::new();
    let mut in_flight = InFlight::new();
    loop {
        while in_flight.len() < runner.window() {
            let Some((path, currency)) = waiting.pop() else {
                break;
            };
            in_flight.push(async move {
                let read: Result<Comps, Error> = runner
                    .read(|| runner.client().comps(&path, &currency, None))
                    .await;
                (path, currency, read)
            });
        }
        let Some((path, currency, read)) = in_flight.next().await else {
            break;
        };
        match read {
            Ok(comps) => {
                market.comps.push(((path, currency), comps));
            }
            Err(error) if stops(&error) => return Err(error),
            Err(error) => failed.push(error),
        }
    }
    if let Some(first) = failed.first() {
        market.notes.push(format!(
            "Comparable prices could not be read for {} of {} ({}), so those products' \
             pricing is unknown and scored as neutral.",
            failed.len(),
            count(total, "category and currency pair"),
            why(first)
        ));
    }
    Ok(market)
}

/// Each (category path, currency) whose comparable prices an audited product needs: paid
/// (or pay-what-you-want) products with a category, tiered memberships left out (their
/// prices are on the tiers). Currencies lower-cased, each pair once, in order.
pub fn comps_wanted(
    products: &[Product],
    categories: Option<&[Category]>,
) -> Vec<(String, String)> {
    // A store has a handful of these pairs: a list is all the set that is needed.
    let mut wanted: Vec<(String, String)> = Vec::new();
    for product in products
        .iter()
        .filter(|p| !p.is_tiered_membership)
        .filter(|p| p.price > 0 || p.customizable_price == Some(true))
    {
        let Some(path) = category_path(product, categories) else {
            continue;
        };
        let pair = (path.to_owned(), product.currency.to_lowercase());
        if !wanted.contains(&pair) {
            wanted.push(pair);
        }
    }
    wanted
}

#[cfg(test)]
mod tests;
