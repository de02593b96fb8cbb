//! `/v2/products/:product_id/offer_codes` (contract §2.2).
//!
//! The controller order matters for which message wins: scope check, then the
//! missing-amount check (before the product is even looked up), then the product,
//! then the code.

use serde_json::{json, Value};

use super::{fetch_product, Ctx, Outcome};
use crate::auth;
use crate::params::IntParam;
use crate::reply::{to_sentence, Reply};
use crate::store::{OfferCode, OfferCodeChange};
use crate::views;

const MISSING_PARAMS: &str = "You are missing required offer code parameters. Please refer to https://gumroad.com/api#offer-codes for the correct parameters.";
const OUT_OF_RANGE: &str = "One or more numeric values are out of range.";
const INT_RANGE: std::ops::RangeInclusive<i128> = -2_147_483_648..=2_147_483_647;

/// `find_offer_code_by_external_id`: among the codes that apply to the product.
fn fetch_offer_code(ctx: &Ctx, product_idx: usize, id: &str) -> Result<u64, Reply> {
    let product = &ctx.store.products[product_idx];
    ctx.store
        .product_and_universal_offer_codes(product)
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.serial)
        .ok_or_else(|| Reply::failure("The offer_code was not found."))
}

fn code_index(ctx: &Ctx, serial: u64) -> usize {
    ctx.store
        .offer_codes
        .iter()
        .position(|c| c.serial == serial)
        .expect("fetched codes exist")
}

fn offer_code_reply(code: &OfferCode) -> Reply {
    Reply::ok(&json!({"success": true, "offer_code": views::offer_code(code)}))
}

fn stored_int(v: Option<i128>, out_of_range: &mut bool) -> Option<i64> {
    let v = v?;
    if INT_RANGE.contains(&v) {
        Some(v as i64)
    } else {
        *out_of_range = true;
        None
    }
}

/// `GET …/offer_codes` (public scopes + view_public): own alive codes + matching universal codes.
pub fn index(ctx: &mut Ctx, product_id: &str) -> Outcome {
    ctx.authorize(auth::OFFER_CODE_READ)?;
    let idx = fetch_product(ctx, product_id)?;
    let product = &ctx.store.products[idx];
    let codes: Vec<Value> = ctx
        .store
        .product_and_universal_offer_codes(product)
        .into_iter()
        .map(views::offer_code)
        .collect();
    Ok(Reply::ok(&json!({"success": true, "offer_codes": codes})))
}

/// `GET …/offer_codes/:id`
pub fn show(ctx: &mut Ctx, product_id: &str, id: &str) -> Outcome {
    ctx.authorize(auth::OFFER_CODE_READ)?;
    let idx = fetch_product(ctx, product_id)?;
    let serial = fetch_offer_code(ctx, idx, id)?;
    Ok(offer_code_reply(
        &ctx.store.offer_codes[code_index(ctx, serial)],
    ))
}

/// `POST …/offer_codes` (edit_products).
pub fn create(ctx: &mut Ctx, product_id: &str) -> Outcome {
    ctx.authorize(&["edit_products"])?;
    let p = &ctx.params;
    if !(p.present("amount_off") || p.present("amount_cents")) {
        return Ok(Reply::failure(MISSING_PARAMS));
    }
    let idx = fetch_product(ctx, product_id)?;
    let (product_ext_id, product_currency) = {
        let product = &ctx.store.products[idx];
        (product.id.clone(), product.currency.clone())
    };

    let mut out_of_range = false;
    // `offer_type == "percent"` is a string comparison; anything else is a fixed amount.
    let percent = p.equals_str("offer_type", "percent");
    let (amount_cents, amount_percentage, currency_type) = if percent {
        // `amount_off.to_i`: with only amount_cents sent this is a 0 % code (sic).
        (
            None,
            stored_int(Some(p.to_i("amount_off")), &mut out_of_range),
            None,
        )
    } else {
        let key = if p.present("amount_cents") {
            "amount_cents"
        } else {
            "amount_off"
        };
        (
            stored_int(p.int(key).value(), &mut out_of_range),
            None,
            Some(product_currency),
        )
    };
    // `universal: params[:universal] == "true"`: a JSON boolean true does not count.
    let universal = p.is_string_true("universal");
    let minimum = if p.present("minimum_amount_cents") {
        p.int("minimum_amount_cents")
    } else {
        IntParam::Nil
    };
    let serial = ctx.store.mint.serial();
    let code = OfferCode {
        serial,
        id: String::new(),
        // stripped_fields :code
        code: p
            .string("name")
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        product_id: (!universal).then_some(product_ext_id),
        universal,
        amount_cents,
        amount_percentage,
        currency_type,
        max_purchase_count: stored_int(p.int("max_purchase_count").value(), &mut out_of_range),
        minimum_amount_cents: stored_int(minimum.value(), &mut out_of_range),
        times_used: 0,
        created_at: 0,
        deleted_at: None,
        default_discount: false,
    };
    let change = OfferCodeChange {
        max_purchase_count: code.max_purchase_count.is_some(),
    };
    let errors = ctx.store.offer_code_errors(&code, change);
    if !errors.is_empty() {
        return Ok(Reply::failure(&to_sentence(&errors)));
    }
    if out_of_range {
        return Ok(Reply::failure(OUT_OF_RANGE));
    }
    let mut code = code;
    code.id = ctx.store.mint.external_id();
    code.created_at = ctx.store.now();
    let reply = offer_code_reply(&code);
    ctx.store.offer_codes.push(code);
    Ok(reply)
}

/// `PUT …/offer_codes/:id` (edit_products): only `max_purchase_count` and
/// `minimum_amount_cents` are permitted; code, amount and universality never change.
pub fn update(ctx: &mut Ctx, product_id: &str, id: &str) -> Outcome {
    ctx.authorize(&["edit_products"])?;
    let idx = fetch_product(ctx, product_id)?;
    let serial = fetch_offer_code(ctx, idx, id)?;
    let ci = code_index(ctx, serial);
    let p = &ctx.params;
    let mut next = ctx.store.offer_codes[ci].clone();
    let mut out_of_range = false;
    if p.has("max_purchase_count")
        && !p
            .get("max_purchase_count")
            .is_some_and(|v| v.is_array() || v.is_object())
    {
        next.max_purchase_count =
            stored_int(p.int("max_purchase_count").value(), &mut out_of_range);
    }
    if p.has("minimum_amount_cents")
        && !p
            .get("minimum_amount_cents")
            .is_some_and(|v| v.is_array() || v.is_object())
    {
        next.minimum_amount_cents =
            stored_int(p.int("minimum_amount_cents").value(), &mut out_of_range);
    }
    let change = OfferCodeChange {
        max_purchase_count: next.max_purchase_count != ctx.store.offer_codes[ci].max_purchase_count,
    };
    let errors = ctx.store.offer_code_errors(&next, change);
    if !errors.is_empty() {
        return Ok(Reply::failure(&to_sentence(&errors)));
    }
    if out_of_range {
        return Ok(Reply::failure(OUT_OF_RANGE));
    }
    ctx.store.offer_codes[ci] = next;
    Ok(offer_code_reply(&ctx.store.offer_codes[ci]))
}

/// Gumroad's refusal to delete a code that is some product's default discount.
pub const DEFAULT_DISCOUNT: &str = "This discount code is currently set as the default discount for one or more active or archived products. Please remove it from all products before deleting.";

/// `DELETE …/offer_codes/:id` (edit_products): soft delete; refused for a code that is
/// some product's default discount.
pub fn destroy(ctx: &mut Ctx, product_id: &str, id: &str) -> Outcome {
    ctx.authorize(&["edit_products"])?;
    let idx = fetch_product(ctx, product_id)?;
    let serial = fetch_offer_code(ctx, idx, id)?;
    let ci = code_index(ctx, serial);
    if ctx.store.offer_codes[ci].default_discount {
        return Ok(Reply::failure(DEFAULT_DISCOUNT));
    }
    let now = ctx.store.now();
    ctx.store.offer_codes[ci].deleted_at = Some(now);
    Ok(Reply::ok(
        &json!({"success": true, "message": "The offer_code was deleted successfully."}),
    ))
}
