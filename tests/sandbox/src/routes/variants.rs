//! `/v2/products/:product_id/variant_categories` and their variants (contract §2.3,
//! additions §5): the reads, and the update of a variant. The update takes only
//! `price_difference_cents`, `name`, `description` and `max_purchase_count`; a tier's
//! recurrence prices are not among them, so a tiered membership's prices cannot change
//! here either. What a PUT changes shows in the product object's
//! `variants[].options[].price_difference`, which is read from the same variants.

use serde_json::{json, Value};

use super::{fetch_product, Ctx, Outcome};
use crate::auth;
use crate::reply::Reply;
use crate::store::{Variant, VariantCategory};

const NEGATIVE_DIFFERENCE: &str =
    "Please enter a price that is equal to or greater than the price of the product.";
const OUT_OF_RANGE: &str = "One or more numeric values are out of range.";

fn category_view(category: &VariantCategory) -> Value {
    json!({"id": category.id, "title": category.title})
}

fn variant_view(variant: &Variant) -> Value {
    json!({
        "id": variant.id,
        "name": variant.name,
        "description": variant.description,
        "price_difference_cents": variant.price_difference_cents,
        "max_purchase_count": variant.max_purchase_count,
    })
}

/// `fetch_variant_category`: among the product's categories.
fn fetch_category(ctx: &Ctx, product: usize, id: &str) -> Result<usize, Reply> {
    ctx.store.products[product]
        .variant_categories
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| Reply::failure("The variant_category was not found."))
}

fn fetch_variant(ctx: &Ctx, product: usize, category: usize, id: &str) -> Result<usize, Reply> {
    ctx.store.products[product].variant_categories[category]
        .variants
        .iter()
        .position(|v| v.id == id)
        .ok_or_else(|| Reply::failure("The variant was not found."))
}

/// `GET …/variant_categories` (READ).
pub fn categories(ctx: &mut Ctx, product_id: &str) -> Outcome {
    ctx.authorize(auth::READ)?;
    let p = fetch_product(ctx, product_id)?;
    let list: Vec<Value> = ctx.store.products[p]
        .variant_categories
        .iter()
        .map(category_view)
        .collect();
    Ok(Reply::ok(
        &json!({"success": true, "variant_categories": list}),
    ))
}

/// `GET …/variant_categories/:variant_category_id/variants` (READ).
pub fn index(ctx: &mut Ctx, product_id: &str, category_id: &str) -> Outcome {
    ctx.authorize(auth::READ)?;
    let p = fetch_product(ctx, product_id)?;
    let c = fetch_category(ctx, p, category_id)?;
    let list: Vec<Value> = ctx.store.products[p].variant_categories[c]
        .variants
        .iter()
        .map(variant_view)
        .collect();
    Ok(Reply::ok(&json!({"success": true, "variants": list})))
}

/// `GET …/variants/:id` (READ).
pub fn show(ctx: &mut Ctx, product_id: &str, category_id: &str, id: &str) -> Outcome {
    ctx.authorize(auth::READ)?;
    let p = fetch_product(ctx, product_id)?;
    let c = fetch_category(ctx, p, category_id)?;
    let v = fetch_variant(ctx, p, c, id)?;
    let variant = &ctx.store.products[p].variant_categories[c].variants[v];
    Ok(Reply::ok(
        &json!({"success": true, "variant": variant_view(variant)}),
    ))
}

/// `PUT …/variants/:id` (edit_products): only the keys sent change; nothing is saved when
/// a value is refused.
pub fn update(ctx: &mut Ctx, product_id: &str, category_id: &str, id: &str) -> Outcome {
    ctx.authorize(&["edit_products"])?;
    let p = fetch_product(ctx, product_id)?;
    let c = fetch_category(ctx, p, category_id)?;
    let v = fetch_variant(ctx, p, c, id)?;
    let params = &ctx.params;
    let mut next = ctx.store.products[p].variant_categories[c].variants[v].clone();
    if params.has("price_difference_cents") {
        match params.int("price_difference_cents").value() {
            Some(cents) if cents < 0 => return Ok(Reply::failure(NEGATIVE_DIFFERENCE)),
            Some(cents) if cents > i128::from(i32::MAX) => return Ok(Reply::failure(OUT_OF_RANGE)),
            cents => next.price_difference_cents = cents.map(|c| c as i64),
        }
    }
    if let Some(name) = params.string("name") {
        if name.trim().is_empty() {
            return Ok(Reply::failure("Name can't be blank"));
        }
        next.name = name;
    }
    if params.has("description") {
        next.description = params.string("description");
    }
    if params.has("max_purchase_count") {
        next.max_purchase_count = params.int("max_purchase_count").value().map(|m| m as i64);
    }
    ctx.store.products[p].variant_categories[c].variants[v] = next;
    let variant = &ctx.store.products[p].variant_categories[c].variants[v];
    Ok(Reply::ok(
        &json!({"success": true, "variant": variant_view(variant)}),
    ))
}
