//! The API's JSON for products, offer codes and the user, by token scope.
//!
//! Mirrors `Product::AsJson#as_json_for_api`, `OfferCode#as_json_for_api` and
//! `User::AsJson` (contract §2.1, §2.2, §2.11). Key order is not reproduced
//! (serde_json sorts keys); every key and value shape is.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};

use crate::clock;
use crate::ids;
use crate::money;
use crate::seed_sales;
use crate::store::{
    recurrence_long_indicator, Product, Sale, Seller, Store, Subscription, NO_ANSWER,
};
use crate::taxonomy;
use crate::tokens::Bearer;

/// One category as `GET /v2/categories` lists it.
pub fn category(c: &taxonomy::Category) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "label": c.label,
        "path": taxonomy::path(c),
        "parent_id": c.parent_id,
    })
}

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

fn sees_sales(token: &Bearer) -> bool {
    token.has_scope("view_sales") || token.has_scope("account")
}

/// One product as the API shows it. `slim` is the list form (no files, no rich content).
pub fn product(store: &Store, p: &Product, token: &Bearer, slim: bool) -> Value {
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
    // Contract §2.1 †: the category's id, full path and label (the category's own label,
    // not the path's), all null without one.
    let category = p.taxonomy_id.and_then(taxonomy::by_id);
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
        "custom_fields": custom_field_descriptors(p),
        "custom_summary": p.custom_summary,
        "is_tiered_membership": p.is_tiered_membership,
        "recurrences": if p.is_tiered_membership { json!(p.recurrences) } else { Value::Null },
        "covers": covers,
        "main_cover_id": p.covers.first().map(|c| c.id.clone()),
        "taxonomy_id": category.map(|c| c.id),
        "category": category.map(taxonomy::path),
        "category_label": category.map(|c| c.label),
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
pub fn user(store: &Store, token: &Bearer) -> Value {
    let s: &Seller = &store.seller;
    let full = token.scopes.iter().any(|x| {
        [
            "edit_products",
            "view_sales",
            "revenue_share",
            "ifttt",
            "view_profile",
        ]
        .contains(&x.as_str())
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
    if token.has_scope("view_profile") {
        j.insert("display_name".into(), json!(s.display_name));
    }
    Value::Object(j)
}

/// Sale JSON (`Purchase#as_json(version: 2)`, contract §2.6), borrowed from the store
/// and serialized directly so 50 000 of them render quickly. Nil-valued keys are left
/// out, as Gumroad drops them.
#[derive(Serialize)]
pub struct SaleJson<'a> {
    id: String,
    email: &'a str,
    seller_id: &'a str,
    timestamp: String,
    daystamp: String,
    created_at: String,
    product_name: &'a str,
    product_has_variants: bool,
    price: i64,
    gumroad_fee: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_duration: Option<&'a str>,
    formatted_display_price: String,
    formatted_total_price: String,
    currency_symbol: &'static str,
    amount_refundable_in_currency: String,
    product_id: &'a str,
    product_permalink: &'a str,
    refunded: bool,
    partially_refunded: bool,
    chargedback: bool,
    purchase_email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country_iso2: Option<&'a str>,
    paid: bool,
    has_variants: bool,
    variants: Pairs<'a>,
    has_custom_fields: bool,
    custom_fields: Answers<'a>,
    order_id: u64,
    is_product_physical: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    purchaser_id: Option<&'a str>,
    is_recurring_billing: bool,
    can_contact: bool,
    is_following: bool,
    disputed: bool,
    dispute_won: bool,
    is_additional_contribution: bool,
    discover_fee_charged: bool,
    is_gift_sender_purchase: bool,
    is_gift_receiver_purchase: bool,
    referrer: &'static str,
    card: CardJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancelled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dead: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ended: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    free_trial_ended: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recurring_charge: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offer_code: Option<OfferCodeJson<'a>>,
    quantity: u32,
    currency: &'static str,
}

/// `variants`: category title → option name.
pub struct Pairs<'a>(Vec<(&'a str, &'a str)>);

impl Serialize for Pairs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// `custom_fields`: field name → answer (a boolean for checkboxes); unanswered fields left out.
pub struct Answers<'a>(Vec<(&'a str, AnswerJson<'a>)>);

pub enum AnswerJson<'a> {
    Text(&'a str),
    Checked(bool),
}

impl Serialize for Answers<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            match v {
                AnswerJson::Text(t) => m.serialize_entry(k, t)?,
                AnswerJson::Checked(b) => m.serialize_entry(k, b)?,
            }
        }
        m.end()
    }
}

#[derive(Serialize)]
pub struct CardJson {
    visual: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    bin: Option<()>,
    expiry_month: Option<()>,
    expiry_year: Option<()>,
}

#[derive(Serialize)]
pub struct OfferCodeJson<'a> {
    code: &'a str,
    name: &'a str,
    displayed_amount_off: String,
}

/// `9.99`, `1500` (JPY): an amount in the currency's units, without symbol.
fn plain_amount(cents: i64, cur: &money::Currency) -> String {
    if cur.single_unit {
        cents.to_string()
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

pub fn sale_external_id(store: &Store, sale: &Sale) -> String {
    ids::row_external_id(store.id_key, seed_sales::SALES_TABLE, sale.serial)
}

pub fn subscription_external_id(store: &Store, sub: &Subscription) -> String {
    ids::row_external_id(store.id_key, seed_sales::SUBSCRIPTIONS_TABLE, sub.serial)
}

pub fn sale<'a>(store: &'a Store, s: &Sale, now: i64) -> SaleJson<'a> {
    let p = &store.products[s.product as usize];
    let b = &store.buyers[s.buyer as usize];
    let cur = p.cur();
    let sub = s.subscription.map(|i| &store.subscriptions[i as usize]);
    let variants: Vec<(&str, &str)> = match (s.variant, p.variant_categories.first()) {
        (Some(v), Some(cat)) => cat
            .variants
            .get(v as usize)
            .map(|o| vec![(cat.title.as_str(), o.name.as_str())])
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let answers: Vec<(&str, AnswerJson)> = p
        .custom_fields
        .iter()
        .zip(s.answers.iter())
        .filter(|(_, &a)| a != NO_ANSWER)
        .map(|(f, &a)| {
            let v = if f.kind == "checkbox" {
                AnswerJson::Checked(a == 1)
            } else {
                AnswerJson::Text(store.answers.get(a as usize).map_or("", String::as_str))
            };
            (f.name.as_str(), v)
        })
        .collect();
    let total = money::format(s.price_cents, cur);
    let display = match sub {
        Some(x) => format!("{total} {}", recurrence_long_indicator(x.recurrence)),
        None => total.clone(),
    };
    let offer_code = s
        .offer_code
        .and_then(|i| store.offer_codes.get(i as usize))
        .map(|c| OfferCodeJson {
            code: &c.code,
            name: &c.code,
            displayed_amount_off: match (c.amount_percentage, c.amount_cents) {
                (Some(pct), _) => format!("{pct}%"),
                (None, Some(cents)) => money::format(
                    cents,
                    money::currency_or_usd(c.currency_type.as_deref().unwrap_or(&p.currency)),
                ),
                _ => String::new(),
            },
        });
    let (card_type, card_visual) = seed_sales::card(s.card);
    let has_variants = !p.variant_categories.is_empty();
    SaleJson {
        id: sale_external_id(store, s),
        email: &b.email,
        seller_id: &store.seller.id,
        timestamp: clock::time_ago(s.created_at, now),
        daystamp: clock::daystamp(s.created_at),
        created_at: clock::iso8601(s.created_at),
        product_name: &p.name,
        product_has_variants: has_variants,
        price: s.price_cents,
        gumroad_fee: s.fee_cents,
        subscription_duration: sub.map(|x| x.recurrence),
        formatted_display_price: display,
        formatted_total_price: total,
        currency_symbol: cur.symbol,
        amount_refundable_in_currency: plain_amount((s.price_cents - s.refunded_cents).max(0), cur),
        product_id: &p.id,
        product_permalink: &p.unique_permalink,
        refunded: s.is_refunded(),
        partially_refunded: s.is_partially_refunded(),
        chargedback: s.chargedback,
        purchase_email: &b.email,
        full_name: b.full_name.as_deref(),
        country: b.country,
        country_iso2: b.country_iso2,
        paid: s.price_cents > 0,
        has_variants,
        variants: Pairs(variants),
        has_custom_fields: !answers.is_empty(),
        custom_fields: Answers(answers),
        order_id: ids::obfuscate_serial(s.serial),
        is_product_physical: false,
        purchaser_id: b.purchaser_id.as_deref(),
        is_recurring_billing: s.is_recurring_billing,
        can_contact: b.can_contact,
        is_following: false,
        disputed: s.chargedback,
        dispute_won: false,
        is_additional_contribution: false,
        discover_fee_charged: s.referrer == seed_sales::DISCOVER_REFERRER,
        is_gift_sender_purchase: false,
        is_gift_receiver_purchase: false,
        referrer: seed_sales::referrer(s.referrer),
        card: CardJson {
            visual: card_visual,
            kind: card_type,
            bin: None,
            expiry_month: None,
            expiry_year: None,
        },
        subscription_id: sub.map(|x| subscription_external_id(store, x)),
        cancelled: sub.map(|x| x.cancelled_at.is_some_and(|c| c <= now)),
        dead: sub.map(|x| x.deactivated_at.is_some()),
        ended: sub.map(|x| x.ended_at.is_some()),
        free_trial_ended: sub.and_then(|x| x.free_trial_ends_at).map(|t| t <= now),
        recurring_charge: sub.map(|_| s.is_recurring_billing),
        offer_code,
        quantity: s.quantity,
        currency: cur.code,
    }
}

/// Subscriber JSON (contract §2.7); nulls are kept.
pub fn subscriber(store: &Store, x: &Subscription) -> Value {
    let p = &store.products[x.product as usize];
    let b = &store.buyers[x.buyer as usize];
    let t = |m: Option<i64>| m.map(clock::iso8601);
    let purchase_ids: Vec<String> = x
        .purchases
        .iter()
        .filter_map(|serial| {
            // Sales are numbered consecutively from the store's first one.
            let i = serial.checked_sub(store.sales.first()?.serial)? as usize;
            store.sales.get(i).map(|s| sale_external_id(store, s))
        })
        .collect();
    json!({
        "id": subscription_external_id(store, x),
        "email": b.email,
        "product_id": p.id,
        "product_name": p.name,
        "user_id": b.purchaser_id,
        "user_email": b.email,
        "purchase_ids": purchase_ids,
        "created_at": clock::iso8601(x.created_at),
        "user_requested_cancellation_at": t(x.user_requested_cancellation_at),
        "charge_occurrence_count": x.charge_occurrence_count,
        "recurrence": x.recurrence,
        "cancelled_at": t(x.cancelled_at),
        "ended_at": t(x.ended_at),
        "failed_at": t(x.failed_at),
        "free_trial_ends_at": t(x.free_trial_ends_at),
        "status": x.status,
    })
}

/// A product's custom fields as the product JSON lists them (contract §2.4 object).
pub fn custom_field_descriptors(p: &Product) -> Value {
    Value::Array(
        p.custom_fields
            .iter()
            .map(|f| {
                json!({
                    "id": f.id,
                    "type": f.kind,
                    "name": f.name,
                    "required": f.required,
                    "global": false,
                    "collect_per_product": false,
                    "products": [p.id],
                })
            })
            .collect(),
    )
}
