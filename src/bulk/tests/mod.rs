//! Tests of the bulk module in place: planner and validation tables, the engine over an
//! in-memory Gumroad with scripted faults, and the JSON shapes JS relies on.

mod apply_code;
mod clean_up;
mod engine;
mod fake;
mod listing_engine;
mod listings;
mod option_prices;
mod parity;
mod price_engine;
mod prices;
mod remove_code;
mod replan;
mod shapes;
mod snapshot;
mod stop;
mod undo;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use serde_json::json;

use crate::bulk::snapshot::Snapshot;
use crate::model::{Discount, OfferCode, OfferCodeId, Product, ProductId};

/// The planners' "now" (epoch milliseconds) in the table tests.
pub(super) const NOW: f64 = 1_700_000_000_000.0;

/// Drives a future to completion on this thread (the fake transport and clock never
/// wait for anything outside).
pub(super) fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// A product from a few fields plus any extra JSON fields.
pub(super) fn product_with(
    id: &str,
    name: &str,
    price: i64,
    currency: &str,
    extra: serde_json::Value,
) -> Product {
    let mut value = json!({"id": id, "name": name, "price": price, "currency": currency,
        "published": true});
    if let (Some(base), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(value).unwrap()
}

pub(super) fn code(id: &str, name: &str, discount: Discount) -> OfferCode {
    OfferCode {
        id: OfferCodeId::from(id),
        name: name.to_owned(),
        discount,
        max_purchase_count: None,
        minimum_amount_cents: None,
        universal: false,
        times_used: 0,
    }
}

pub(super) fn universal(id: &str, name: &str, discount: Discount) -> OfferCode {
    OfferCode {
        universal: true,
        ..code(id, name, discount)
    }
}

/// A snapshot of `products`, each with the codes given for it.
pub(super) fn snapshot(products: Vec<(Product, Vec<OfferCode>)>) -> Snapshot {
    let mut snapshot = Snapshot::default();
    for (product, codes) in products {
        snapshot.codes.insert(product.id.clone(), codes);
        snapshot.products.push(product);
    }
    snapshot
}

pub(super) fn ids(ids: &[&str]) -> Vec<ProductId> {
    ids.iter().map(|id| ProductId::from(*id)).collect()
}
