//! The API's JSON for products, offer codes and the user, by token scope.
//!
//! Mirrors `Product::AsJson#as_json_for_api`, `OfferCode#as_json_for_api` and
//! `User::AsJson` (contract §2.1, §2.2, §2.11). Key order is not reproduced
//! (serde_json sorts keys); every key and value shape is.

use serde_json::{json, Map, Value};

use crate::store::{Product, Seller, Store};
use crate::tokens::KnownToken;

/// Gumroad's PPP factors per country, already clamped the way its service does
/// (at most 60 % off; 0.8 and above means no discount, stored as 1.0).
pub const PPP_FACTORS: &[(&str, f64)] = &[
    ("AR", 0.46),
    ("BR", 0.46),
    ("CL", 0.46),
    ("CN", 0.49),
    ("CO", 0.4),
    ("DE", 1.0),
    ("EG", 0.4),
    ("ES", 0.61),
    ("GB", 1.0),
    ("ID", 0.4),
    ("IN", 0.4),
    ("KE", 0.4),
    ("KR", 0.59),
    ("MX", 0.54),
    ("MY", 0.4),
    ("NG", 0.4),
    ("PE", 0.47),
    ("PH", 0.4),
    ("PL", 0.49),
    ("PT", 0.56),
    ("RO", 0.41),
    ("TH", 0.4),
    ("TR", 0.4),
    ("UA", 0.4),
    ("US", 1.0),
    ("VN", 0.4),
    ("ZA", 0.41),
];

/// `compute_ppp_prices`: free stays free; otherwise factor × price, never under the minimum.
pub fn ppp_prices(price_cents: i64, min_price: i64) -> Value {
    let mut m = Map::new();
    for (country, factor) in PPP_FACTORS {
        let v = if price_cents == 0 {
            0
        } else {
            (factor * price_cents as f64).max(min_price as f64).round() as i64
        };
        m.insert((*country).to_string(), json!(v));
    }
    Value::Object(m)
}

fn sees_sales(token: &KnownToken) -> bool {
    token
        .scopes
        .iter()
        .any(|s| *s == "view_sales" || *s == "account")
}

/// One product as the API shows it. `slim` is the list form (no files, no rich content).
pub fn product(store: &Store, p: &Product, token: &KnownToken, slim: bool) -> Value {
    let cur = p.cur();
    let ppp = p.ppp_enabled;
    let variants: Vec<Value> = p
        .variant_categories
        .iter()
        .map(|cat| {
            let options: Vec<Value> = cat
                .variants
                .iter()
                .map(|v| {
                    let recurrence_prices = if p.is_tiered_membership {
                        let mut m = Map::new();
                        for r in &p.recurrences {
                            if let Some(rp) = v.recurrence_prices.get(r) {
                                let mut entry = json!({
                                    "price_cents": rp.price_cents,
                                    "suggested_price_cents": rp.suggested_price_cents,
                                });
                                if ppp {
                                    entry["purchasing_power_parity_prices"] =
                                        ppp_prices(rp.price_cents, cur.min_price);
                                }
                                m.insert(r.clone(), entry);
                            }
                        }
                        Value::Object(m)
                    } else {
                        Value::Null
                    };
                    let mut o = json!({
                        "name": v.name,
                        "price_difference": v.price_difference_cents,
                        "is_pay_what_you_want": v.customizable_price,
                        "recurrence_prices": recurrence_prices,
                        "url": null,
                    });
                    if ppp {
                        o["purchasing_power_parity_prices"] = match v.price_difference_cents {
                            Some(d) => ppp_prices(d + p.price_cents, cur.min_price),
                            None => Value::Null,
                        };
                    }
                    if !slim {
                        o["rich_content"] = json!([]);
                    }
                    o
                })
                .collect();
            json!({"title": cat.title, "options": options})
        })
        .collect();

    let covers: Vec<Value> = p
        .covers
        .iter()
        .map(|c| serde_json::to_value(c).unwrap_or(Value::Null))
        .collect();
    let short_url = p.short_url(&store.seller);
    let mut j = json!({
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "require_shipping": p.require_shipping,
        "preview_url": p.preview_url,
        "custom_receipt": p.custom_receipt,
        "customizable_price": p.customizable_price,
        "custom_permalink": p.custom_permalink,
        "subscription_duration": p.subscription_duration,
        "custom_html": null,
        "url": null,
        "price": p.price_cents,
        "currency": p.currency,
        "short_url": short_url,
        "landing_url": short_url,
        "thumbnail_url": p.thumbnail_url,
        "tags": p.tags,
        "formatted_price": p.formatted_price(),
        "published": p.is_alive(),
        "file_info": {},
        "max_purchase_count": p.max_purchase_count,
        "deleted": p.is_deleted(),
        "custom_fields": [],
        "custom_summary": p.custom_summary,
        "is_tiered_membership": p.is_tiered_membership,
        "recurrences": if p.is_tiered_membership { json!(p.recurrences) } else { Value::Null },
        "covers": covers,
        "main_cover_id": p.covers.first().map(|c| c.id.clone()),
        "bundle_products": [],
        "variants": variants,
    });
    if !slim {
        j["rich_content"] = json!([]);
        j["has_same_rich_content_for_all_variants"] = json!(false);
        j["files"] = serde_json::to_value(&p.files).unwrap_or(Value::Array(Vec::new()));
    }
    if ppp {
        j["purchasing_power_parity_prices"] = ppp_prices(p.price_cents, cur.min_price);
    }
    if sees_sales(token) {
        j["custom_delivery_url"] = Value::Null;
        j["sales_count"] = json!(p.sales_count);
        j["sales_usd_cents"] = json!(p.sales_usd_cents);
    }
    j
}

/// `OfferCode#as_json_for_api`: exactly one of `amount_cents` / `percent_off`.
pub fn offer_code(c: &crate::store::OfferCode) -> Value {
    let mut j = json!({
        "id": c.id,
        "name": c.code,
        "max_purchase_count": c.max_purchase_count,
        "minimum_amount_cents": c.minimum_amount_cents,
        "universal": c.universal,
        "times_used": c.times_used,
    });
    match c.amount_percentage {
        Some(p) => j["percent_off"] = json!(p),
        None => j["amount_cents"] = json!(c.amount_cents),
    }
    j
}

/// `User::AsJson`: the full field set needs one of edit_products, view_sales,
/// revenue_share, ifttt, view_profile (`account` is not in that list); otherwise
/// name/bio/twitter_handle are compacted and email/currency_type/profile_url left out.
pub fn user(store: &Store, token: &KnownToken) -> Value {
    let s: &Seller = &store.seller;
    let full = token.scopes.iter().any(|x| {
        [
            "edit_products",
            "view_sales",
            "revenue_share",
            "ifttt",
            "view_profile",
        ]
        .contains(x)
    });
    let alive_permalinks: Vec<String> = store
        .products
        .iter()
        .filter(|p| p.is_alive())
        .map(|p| {
            p.custom_permalink
                .clone()
                .unwrap_or_else(|| p.unique_permalink.clone())
        })
        .collect();
    let links = if alive_permalinks.is_empty() {
        Value::Null
    } else {
        json!(alive_permalinks)
    };
    let mut j = Map::new();
    if full {
        j.insert("name".into(), json!(s.name));
        j.insert("bio".into(), json!(s.bio));
        j.insert("twitter_handle".into(), json!(s.twitter_handle));
        j.insert("currency_type".into(), json!(s.currency_type));
    } else {
        j.insert("name".into(), json!(s.name));
        if let Some(b) = &s.bio {
            j.insert("bio".into(), json!(b));
        }
        if let Some(t) = &s.twitter_handle {
            j.insert("twitter_handle".into(), json!(t));
        }
    }
    j.insert("id".into(), json!(s.id));
    j.insert("user_id".into(), json!(s.user_id));
    j.insert("url".into(), json!(s.profile_url()));
    j.insert("links".into(), links);
    if full {
        j.insert("profile_url".into(), json!(s.avatar_url));
        j.insert("email".into(), json!(s.email));
    }
    if token.scopes.contains(&"view_profile") {
        j.insert("display_name".into(), json!(s.display_name));
    }
    Value::Object(j)
}
