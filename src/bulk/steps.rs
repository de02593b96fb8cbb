//! Per-product steps as every planner builds them: a product's step with its price after
//! the discount (or its new price), the step of a product no longer on Gumroad, a skip,
//! and one step per selected product. What a step should do is the planners' decision,
//! never made here.

use super::plan::{Action, Change, Step};
use super::snapshot::Snapshot;
use crate::discount::price_after;
use crate::model::{Discount, OfferCode, Product, ProductId};
use crate::money::format_price;

/// `discount`: the code the step puts on the product (its price after the discount is
/// shown); a price step shows its new price instead.
fn step(index: usize, product: &Product, action: Action, discount: Option<Discount>) -> Step {
    let after = action
        .new_price()
        .or_else(|| discount.map(|d| price_after(d, product.price)));
    Step {
        index,
        product_id: product.id.clone(),
        product_name: product.name.clone(),
        currency: product.currency.clone(),
        price: product.price,
        formatted_price: product
            .formatted_price
            .clone()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| format_price(product.price, &product.currency)),
        price_after: after,
        formatted_price_after: after.map(|a| format_price(a, &product.currency)),
        action,
        description: String::new(),
        changes: Vec::new(),
        link: None,
    }
}

/// A step for a product that is not (or no longer) on Gumroad.
pub(super) fn missing_step(index: usize, id: &ProductId) -> Step {
    Step {
        index,
        product_id: id.clone(),
        product_name: String::new(),
        currency: String::new(),
        price: 0,
        formatted_price: String::new(),
        price_after: None,
        formatted_price_after: None,
        action: skip("This product is no longer on Gumroad (deleted?)."),
        description: String::new(),
        changes: Vec::new(),
        link: None,
    }
}

pub(super) fn skip(reason: impl Into<String>) -> Action {
    Action::Skip {
        reason: reason.into(),
        existing: None,
    }
}

/// The discount an action puts on its product, for the price-after column.
fn discount_of(action: &Action) -> Option<Discount> {
    match action {
        Action::Create { code }
        | Action::CreateUnique { code, .. }
        | Action::Replace { code, .. } => Some(code.discount),
        Action::Update { after, .. } => Some(after.discount),
        Action::Skip {
            existing: Some(existing),
            ..
        } => Some(existing.discount),
        Action::Verified {
            change: Change::Created | Change::Replaced | Change::Updated,
            offer_code,
            ..
        } => Some(offer_code.discount),
        _ => None,
    }
}

pub(super) fn product_step(index: usize, product: &Product, action: Action) -> Step {
    let discount = discount_of(&action);
    step(index, product, action, discount)
}

/// One step per selected product, in the order selected: `plan` decides for each product
/// the snapshot holds (given its codes); one it no longer holds gets the missing step.
pub(super) fn steps_for_products(
    ids: &[ProductId],
    snapshot: &Snapshot,
    mut plan: impl FnMut(&Product, &[OfferCode]) -> Action,
) -> Vec<Step> {
    ids.iter()
        .enumerate()
        .map(|(index, id)| match snapshot.product(id) {
            Some(product) => product_step(index, product, plan(product, snapshot.codes_of(id))),
            None => missing_step(index, id),
        })
        .collect()
}
