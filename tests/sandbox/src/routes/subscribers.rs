//! `/v2/products/:product_id/subscribers` and `/v2/subscribers/:id` (contract §2.7,
//! `Api::V2::SubscribersController`).

use serde_json::{json, Value};

use super::products::{decode_page_key, next_page_url};
use super::sales::page_key;
use super::{fetch_product, Ctx, Outcome};
use crate::reply::Reply;
use crate::store::{Store, Subscription};
use crate::views;

const PER_PAGE: usize = 100;

/// `Subscription…active`: not yet deactivated (alive, pending cancellation, pending
/// failure), newest first (`created_at DESC, id DESC`).
pub fn active_of(store: &Store, product: usize) -> Vec<&Subscription> {
    let mut subs: Vec<&Subscription> = store
        .subscriptions
        .iter()
        .filter(|s| s.product as usize == product && s.deactivated_at.is_none())
        .collect();
    subs.sort_by_key(|s| std::cmp::Reverse((s.created_at, s.serial)));
    subs
}

/// Every subscription, any status, newest first (for `/__sandbox/subscribers`).
pub fn all(store: &Store) -> Vec<&Subscription> {
    let mut subs: Vec<&Subscription> = store.subscriptions.iter().collect();
    subs.sort_by_key(|s| std::cmp::Reverse((s.created_at, s.serial)));
    subs
}

/// `GET /v2/products/:product_id/subscribers` (view_sales).
pub fn index(ctx: &mut Ctx, product_id: &str) -> Outcome {
    ctx.authorize(&["view_sales"])?;
    let product = fetch_product(ctx, product_id)?;
    let mut subs = active_of(ctx.store, product);
    if ctx.params.present("email") {
        let email = ctx.params.string("email").unwrap_or_default();
        let email = email.trim();
        // `where(purchases: { email: })`: every purchase of a subscription has its buyer's email.
        subs.retain(|s| {
            ctx.store.buyers[s.buyer as usize]
                .email
                .eq_ignore_ascii_case(email)
        });
    }
    let has_key = ctx.params.present("page_key");
    if has_key {
        let key = ctx.params.string("page_key").unwrap_or_default();
        let Some((t, last)) = decode_page_key(&key) else {
            return Ok(Reply::error_400("Invalid page_key."));
        };
        subs.retain(|s| s.created_at <= t && s.serial < last);
    }
    let paginated =
        ctx.params.equals_str("paginated", "1") || ctx.params.equals_str("paginated", "true");
    let mut body = json!({"success": true});
    if paginated || has_key {
        let has_next = subs.len() > PER_PAGE;
        subs.truncate(PER_PAGE);
        let items: Vec<Value> = subs
            .iter()
            .map(|s| views::subscriber(ctx.store, s))
            .collect();
        body["subscribers"] = Value::Array(items);
        if has_next {
            let last = subs.last().expect("a full page");
            let key = page_key(last.created_at, last.serial);
            body["next_page_url"] = json!(next_page_url(ctx.path, ctx.query, &key));
            body["next_page_key"] = json!(key);
        }
    } else {
        let items: Vec<Value> = subs
            .iter()
            .map(|s| views::subscriber(ctx.store, s))
            .collect();
        body["subscribers"] = Value::Array(items);
    }
    Ok(Reply::ok(&body))
}

/// `GET /v2/subscribers/:id` (view_sales): any status.
pub fn show(ctx: &mut Ctx, id: &str) -> Outcome {
    ctx.authorize(&["view_sales"])?;
    let found = ctx
        .store
        .subscriptions
        .iter()
        .find(|s| views::subscription_external_id(ctx.store, s) == id);
    match found {
        Some(s) => Ok(Reply::ok(
            &json!({"success": true, "subscriber": views::subscriber(ctx.store, s)}),
        )),
        None => Ok(Reply::failure("The subscriber was not found.")),
    }
}
