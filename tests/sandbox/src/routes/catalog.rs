//! `GET /v2/categories` and `GET /v2/products/comps` (READ, additions §2).

use serde_json::{json, Value};

use super::{Ctx, Outcome};
use crate::auth;
use crate::money;
use crate::reply::Reply;
use crate::store::html_text;
use crate::taxonomy::{self, CATEGORIES};
use crate::views;

/// How many listings `examples` shows at most.
pub const EXAMPLES: usize = 5;

/// `GET /v2/categories`: every category, by id.
pub fn categories(ctx: &mut Ctx) -> Outcome {
    ctx.authorize(auth::READ)?;
    let all: Vec<Value> = CATEGORIES.iter().map(views::category).collect();
    Ok(Reply::ok(&json!({"success": true, "categories": all})))
}

/// Lower-cased runs of letters and digits: what a query word has to equal.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Gumroad's search matches with AND (additions §3): every query word is a word of the
/// listing's name, tags or description.
fn matches(query: &[String], haystack: &str) -> bool {
    let have = words(haystack);
    query.iter().all(|q| have.contains(q))
}

struct Comp {
    name: String,
    price_cents: i64,
    url: String,
    sales: i64,
}

/// `GET /v2/products/comps?taxonomy=<path>&query=<text>&price_currency_type=<cur>`.
///
/// Listings compared: other sellers' (`taxonomy::market`, per category and currency) in
/// the category and its descendants, plus the seller's own published products there;
/// only those priced in the currency asked for, only paid ones, and only those matching
/// every word of `query`. Where the contract is silent: no `taxonomy` (or a blank one)
/// compares every category; an unknown path is `success:false` "Invalid category." (the
/// product endpoints' message for an unknown path); no `price_currency_type` means the
/// seller's currency, an unknown one answers as the product endpoints do; quartiles
/// interpolate (`taxonomy::quartile`) and are null when nothing compares; `examples` are
/// the best-selling five, highest sales first.
pub fn comps(ctx: &mut Ctx) -> Outcome {
    ctx.authorize(auth::READ)?;
    let p = &ctx.params;
    let root = if p.present("taxonomy") {
        let path = p.string("taxonomy").unwrap_or_default();
        match taxonomy::by_path(&path) {
            Some(c) => Some(c),
            None => return Ok(Reply::failure("Invalid category.")),
        }
    } else {
        None
    };
    let currency = if p.has("price_currency_type") {
        let sent = p.string("price_currency_type").unwrap_or_default();
        match money::currency(sent.trim().to_lowercase().as_str()) {
            Some(c) => c.code.to_string(),
            None => {
                return Ok(Reply::failure(&format!(
                    "'{sent}' is not a supported currency."
                )))
            }
        }
    } else {
        ctx.store.seller.currency_type.to_lowercase()
    };
    let query = words(&p.string("query").unwrap_or_default());
    let within = |id: Option<i64>| match root {
        None => true,
        Some(r) => id
            .and_then(taxonomy::by_id)
            .is_some_and(|c| taxonomy::is_within(c, r)),
    };

    let mut found: Vec<Comp> = Vec::new();
    for c in CATEGORIES.iter().filter(|c| within(Some(c.id))) {
        for l in taxonomy::market(c, &currency) {
            if l.price_cents > 0 && matches(&query, &format!("{} {}", l.name, l.tags.join(" "))) {
                found.push(Comp {
                    name: l.name,
                    price_cents: l.price_cents,
                    url: l.url,
                    sales: l.sales,
                });
            }
        }
    }
    let store = &*ctx.store;
    for own in store.products.iter().filter(|x| {
        x.is_alive() && x.currency == currency && x.price_cents > 0 && within(x.taxonomy_id)
    }) {
        let text = format!(
            "{} {} {}",
            own.name,
            own.tags.join(" "),
            html_text(own.description.as_deref().unwrap_or_default())
        );
        if matches(&query, &text) {
            found.push(Comp {
                name: own.name.clone(),
                price_cents: own.price_cents,
                url: own.short_url(&store.seller),
                sales: own.sales_count,
            });
        }
    }

    let mut prices: Vec<i64> = found.iter().map(|c| c.price_cents).collect();
    prices.sort_unstable();
    found.sort_by(|a, b| b.sales.cmp(&a.sales).then_with(|| a.name.cmp(&b.name)));
    let examples: Vec<Value> = found
        .iter()
        .take(EXAMPLES)
        .map(|c| json!({"name": c.name, "price": c.price_cents, "url": c.url}))
        .collect();
    Ok(Reply::ok(&json!({
        "success": true,
        "comps": {
            "count": found.len(),
            "currency": currency,
            "price_cents": {
                "p25": taxonomy::quartile(&prices, 0.25),
                "p50": taxonomy::quartile(&prices, 0.5),
                "p75": taxonomy::quartile(&prices, 0.75),
            },
            "examples": examples,
        }
    })))
}
