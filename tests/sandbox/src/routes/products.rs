//! `/v2/products`: list (cursor pages), show, update, enable/disable, delete (contract §2.1).

use serde_json::{json, Value};

use super::{fetch_product, Ctx, Outcome};
use crate::auth;
use crate::clock;
use crate::ids;
use crate::money;
use crate::params::IntParam;
use crate::reply::{to_sentence, Reply};
use crate::store::{clean_tag, tag_errors, Product};
use crate::taxonomy;
use crate::views;

const PER_PAGE: usize = 10;
/// `BasePrice::Shared::MAX_PRICE_CENTS`: above it `price_cents=` raises before validation.
const MAX_PRICE_CENTS: i128 = 2_147_483_647;
const INT_RANGE: std::ops::RangeInclusive<i128> = -2_147_483_648..=2_147_483_647;

pub const TIERED_PRICE_REFUSAL: &str =
    "Price cannot be updated for tiered membership products. Use the variant endpoints to manage tier pricing.";

fn encode_page_key(p: &Product) -> String {
    format!(
        "{}-{}",
        clock::page_key_stamp(p.created_at),
        ids::obfuscate_serial(p.serial)
    )
}

/// `(created_at, serial)` of the last row of the previous page. Stricter than Gumroad's
/// lenient parse: anything that is not `<20 digits>-<id>` is "Invalid page_key.".
pub(super) fn decode_page_key(key: &str) -> Option<(i64, u64)> {
    let (stamp, id) = key.split_once('-')?;
    let at = clock::parse_page_key_stamp(stamp)?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((at, ids::deobfuscate_serial(id.parse().ok()?)?))
}

fn encode_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `next_page_url`: relative path + the request's query without `access_token`, `page`
/// and `page_key`, plus the new `page_key`, keys sorted (Addressable's `query_values=`).
pub(super) fn next_page_url(path: &str, query: &str, page_key: &str) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if matches!(k.as_ref(), "access_token" | "page" | "page_key") {
            continue;
        }
        pairs.retain(|(existing, _)| existing != k.as_ref());
        pairs.push((k.into_owned(), v.into_owned()));
    }
    pairs.push(("page_key".into(), page_key.into()));
    pairs.sort();
    let q: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect();
    format!("{path}?{}", q.join("&"))
}

/// `GET /v2/products` (READ): 10 per page, newest first, `page_key` cursor;
/// `next_page_key`/`next_page_url` only when another page exists.
pub fn index(ctx: &mut Ctx) -> Outcome {
    let token = ctx.authorize(auth::READ)?;
    let mut visible: Vec<&Product> = ctx
        .store
        .products
        .iter()
        .filter(|p| !p.is_deleted())
        .collect();
    visible.sort_by_key(|p| std::cmp::Reverse((p.created_at, p.serial)));
    if ctx.params.present("page_key") {
        let key = ctx.params.string("page_key").unwrap_or_default();
        let Some((at, last)) = decode_page_key(&key) else {
            return Ok(Reply::error_400("Invalid page_key."));
        };
        visible.retain(|p| p.created_at < at || (p.created_at == at && p.serial < last));
    }
    let has_next = visible.len() > PER_PAGE;
    visible.truncate(PER_PAGE);
    let products: Vec<Value> = visible
        .iter()
        .map(|p| views::product(ctx.store, p, &token, true))
        .collect();
    let mut body = json!({"success": true, "products": products});
    if has_next {
        let key = encode_page_key(visible.last().expect("a full page"));
        body["next_page_url"] = json!(next_page_url(ctx.path, ctx.query, &key));
        body["next_page_key"] = json!(key);
    }
    Ok(Reply::ok(&body))
}

fn product_reply(
    ctx: &Ctx,
    idx: usize,
    token: &crate::tokens::Bearer,
    warning: Option<String>,
) -> Reply {
    let mut body = json!({"success": true, "product": views::product(ctx.store, &ctx.store.products[idx], token, false)});
    if let Some(w) = warning {
        body["warning"] = json!(w);
    }
    Reply::ok(&body)
}

/// `GET /v2/products/:id` (READ), deleted products included.
pub fn show(ctx: &mut Ctx, id: &str) -> Outcome {
    let token = ctx.authorize(auth::READ)?;
    let idx = fetch_product(ctx, id)?;
    Ok(product_reply(ctx, idx, &token, None))
}

/// The tags as `Tag#clean_name` stores them, in order, repeats dropped. Blank entries are
/// dropped too (Gumroad would try to save a blank tag and refuse it; the sandbox has
/// always let `tags[]=` alone stand for "no tags").
fn normalize_tags(values: &[Value]) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for v in values {
        let t = clean_tag(v.as_str().unwrap_or_default());
        if !t.is_empty() && !tags.contains(&t) {
            tags.push(t);
        }
    }
    tags
}

/// `Product::Tags#save_tags!` after the product saved: each tag new to the product is
/// created (`tag!`), so the first new one failing `Tag`'s validations raises and the whole
/// update rolls back with that tag's errors as a sentence. Tags the product already has
/// are not validated again (Gumroad only adds the missing ones), so a product keeps an
/// old tag that breaks today's rules when the list sent still holds it.
fn tags_error(before: &[String], after: &[String]) -> Option<String> {
    after
        .iter()
        .filter(|t| !before.contains(t))
        .map(|t| tag_errors(t))
        .find(|errors| !errors.is_empty())
        .map(|errors| to_sentence(&errors))
}

/// `resolve_category_param` (a before_action, so it answers before the product is even
/// looked up): `Some(new taxonomy)` to assign, `None` to leave the category alone.
/// `category` is a path (`design/ui-and-web/figma`), `taxonomy_id` an id; both non-blank
/// → refused; a blank `taxonomy_id` sent clears the category (Rails assigns nil), a
/// blank `category` alone changes nothing.
fn resolve_category(p: &crate::params::Params) -> Result<Option<Option<i64>>, Reply> {
    let scalar = |key: &str| !matches!(p.get(key), Some(Value::Array(_) | Value::Object(_)));
    if p.has("category") {
        if !scalar("category") {
            return Err(Reply::failure("category must be a scalar value."));
        }
        if p.present("category") {
            if p.present("taxonomy_id") {
                return Err(Reply::failure(
                    "Specify either category or taxonomy_id, not both.",
                ));
            }
            let path = p.string("category").unwrap_or_default();
            return match taxonomy::by_path(&path) {
                Some(c) => Ok(Some(Some(c.id))),
                None => Err(Reply::failure("Invalid category.")),
            };
        }
    }
    if !p.present("taxonomy_id") {
        return Ok(p.has("taxonomy_id").then_some(None));
    }
    if !scalar("taxonomy_id") {
        return Err(Reply::failure("taxonomy_id must be a scalar value."));
    }
    // `Taxonomy.exists?(params[:taxonomy_id])`, the id cast as ActiveModel casts integers.
    match p.int("taxonomy_id") {
        IntParam::Int(v) => match i64::try_from(v).ok().and_then(taxonomy::by_id) {
            Some(c) => Ok(Some(Some(c.id))),
            None => Err(Reply::failure("Invalid taxonomy_id.")),
        },
        IntParam::Nil => Err(Reply::failure("Invalid taxonomy_id.")),
    }
}

/// Reads an integer attribute: `Ok(None)` for nil, `Err` when it cannot be stored.
fn int_attr(value: IntParam, out_of_range: &mut bool) -> Option<i64> {
    match value {
        IntParam::Nil => None,
        IntParam::Int(v) if INT_RANGE.contains(&v) => Some(v as i64),
        IntParam::Int(_) => {
            *out_of_range = true;
            None
        }
    }
}

/// `PUT|PATCH /v2/products/:id` (edit_products; throttled in the server). Only keys
/// present change; the whole update is refused on any model error.
pub fn update(ctx: &mut Ctx, id: &str) -> Outcome {
    let token = ctx.authorize(&["edit_products"])?;
    let category = resolve_category(&ctx.params)?;
    let idx = fetch_product(ctx, id)?;
    let p = &ctx.params;
    let original = &ctx.store.products[idx];

    if original.is_tiered_membership && p.has("price") {
        return Ok(Reply::failure(TIERED_PRICE_REFUSAL));
    }
    let currency = p
        .string("price_currency_type")
        .map(|c| c.trim().to_lowercase());
    if p.has("price_currency_type") && currency.as_deref().and_then(money::currency).is_none() {
        let sent = p.string("price_currency_type").unwrap_or_default();
        return Ok(Reply::failure(&format!(
            "'{sent}' is not a supported currency."
        )));
    }
    if p.has("tags") {
        let ok = matches!(p.get("tags"), Some(Value::Array(a)) if a.iter().all(Value::is_string));
        if !ok {
            return Ok(Reply::failure("tags must be an array of strings."));
        }
    }

    let mut next = original.clone();
    let mut out_of_range = false;
    if p.has("name") {
        next.name = p.string("name").unwrap_or_default();
    }
    if p.has("custom_permalink") {
        next.custom_permalink = p
            .string("custom_permalink")
            .filter(|s| !s.trim().is_empty());
    }
    if p.has("price") {
        match p.int("price") {
            // A blank price fails on the price row, not the product: Gumroad's generic answer.
            IntParam::Nil => return Ok(Reply::failure("The product was unable to be modified.")),
            IntParam::Int(v) if v > MAX_PRICE_CENTS => {
                return Ok(Reply::failure("Sorry, the price entered is too large."));
            }
            v => next.price_cents = int_attr(v, &mut out_of_range).unwrap_or(next.price_cents),
        }
    }
    if let (true, Some(c)) = (p.has("price_currency_type"), currency) {
        next.currency = c;
    }
    if p.has("customizable_price") {
        next.customizable_price = p.boolean("customizable_price");
    }
    if p.has("suggested_price_cents") {
        next.suggested_price_cents = int_attr(p.int("suggested_price_cents"), &mut out_of_range);
    }
    if p.has("max_purchase_count") {
        next.max_purchase_count = int_attr(p.int("max_purchase_count"), &mut out_of_range);
    }
    if p.has("description") {
        next.description = p.string("description");
    }
    if p.has("custom_summary") {
        next.custom_summary = p.string("custom_summary");
    }
    if p.has("custom_receipt") {
        next.custom_receipt = p.string("custom_receipt");
    }
    if let Some(Value::Array(tags)) = p.get("tags") {
        next.tags = normalize_tags(tags);
    }
    if let Some(taxonomy_id) = category {
        next.taxonomy_id = taxonomy_id;
    }
    if p.has("display_product_reviews") {
        // A boolean column: nil (blank) is stored as false.
        next.display_product_reviews = p.boolean("display_product_reviews").unwrap_or(false);
    }

    let errors = ctx.store.product_errors(&next);
    if !errors.is_empty() {
        return Ok(Reply::failure(&to_sentence(&errors)));
    }
    if out_of_range {
        return Ok(Reply::failure(
            "One or more numeric values are out of range.",
        ));
    }
    if let Some(message) = tags_error(&original.tags, &next.tags) {
        return Ok(Reply::failure(&message));
    }
    ctx.store.products[idx] = next;
    let warning = ctx.store.offer_code_warning(&ctx.store.products[idx]);
    Ok(product_reply(ctx, idx, &token, warning))
}

/// `PUT /v2/products/:id/enable` (edit_products): refused while an attached code would
/// take the price under the minimum.
pub fn enable(ctx: &mut Ctx, id: &str) -> Outcome {
    let token = ctx.authorize(&["edit_products"])?;
    let idx = fetch_product(ctx, id)?;
    if let Some(message) = ctx.store.enable_error(&ctx.store.products[idx]) {
        return Ok(Reply::failure(&message));
    }
    ctx.store.products[idx].published = true;
    Ok(product_reply(ctx, idx, &token, None))
}

/// `PUT /v2/products/:id/disable` (edit_products).
pub fn disable(ctx: &mut Ctx, id: &str) -> Outcome {
    let token = ctx.authorize(&["edit_products"])?;
    let idx = fetch_product(ctx, id)?;
    ctx.store.products[idx].published = false;
    Ok(product_reply(ctx, idx, &token, None))
}

/// `DELETE /v2/products/:id` (edit_products): soft delete.
pub fn destroy(ctx: &mut Ctx, id: &str) -> Outcome {
    ctx.authorize(&["edit_products"])?;
    let idx = fetch_product(ctx, id)?;
    let now = ctx.store.now();
    ctx.store.products[idx].deleted_at.get_or_insert(now);
    Ok(Reply::ok(
        &json!({"success": true, "message": "The product was deleted successfully."}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_keys_round_trip_and_junk_is_rejected() {
        let at = clock::micros_at(2024, 5, 6, 7, 8, 9) + 42;
        let key = format!(
            "{}-{}",
            clock::page_key_stamp(at),
            ids::obfuscate_serial(17)
        );
        assert_eq!(decode_page_key(&key), Some((at, 17)));
        for bad in [
            "",
            "abc",
            "20240506070809000042",
            "20240506070809000042-",
            "20240506070809000042-x",
            "2024-1",
            "20240506070809000042-0",
        ] {
            assert_eq!(decode_page_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn next_page_url_drops_token_and_old_keys_and_sorts() {
        let cases = [
            ("", "/v2/products?page_key=K-1"),
            (
                "access_token=secret&page_key=old&page=2",
                "/v2/products?page_key=K-1",
            ),
            (
                "zeta=1&alpha=a%20b",
                "/v2/products?alpha=a%20b&page_key=K-1&zeta=1",
            ),
        ];
        for (query, want) in cases {
            assert_eq!(next_page_url("/v2/products", query, "K-1"), want, "{query}");
        }
    }
}
