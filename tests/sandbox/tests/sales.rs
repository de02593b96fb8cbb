//! Sales and subscribers: cursor walks, date boundaries, filters, the 400s, the seeded
//! mix, determinism, the side door and a 50 000-sale store.

mod common;

use std::collections::HashSet;

use bulkroad_sandbox::tokens::{ACCOUNT, FULL, NO_READ_SCOPE, READ_ONLY};
use bulkroad_sandbox::{Config, Faults, Sandbox};
use common::{membership, Api};
use serde_json::{json, Value};

fn start_with_sales(products: usize, sales: usize, seed: u64) -> Sandbox {
    Sandbox::start(Config {
        products,
        sales,
        seed,
        ..Config::default()
    })
    .unwrap()
}

/// `timestamp` is relative to the clock ("about 2 months ago"); everything else is fixed.
fn without_timestamp(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("timestamp");
    v
}

fn sandbox_sales(sb: &Sandbox) -> Vec<Value> {
    sb.sales()
        .as_array()
        .unwrap()
        .iter()
        .cloned()
        .map(without_timestamp)
        .collect()
}

/// Follows `next_page_url` from `path`; returns every sale and the number of pages.
fn walk(api: &Api, path: &str) -> (Vec<Value>, usize) {
    let mut all = Vec::new();
    let mut pages = 0;
    let mut path = path.to_string();
    loop {
        let r = api.get(&path, Some(FULL));
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        let j = r.json();
        assert_eq!(j["success"], true);
        let items = j["sales"].as_array().unwrap();
        pages += 1;
        assert!(items.len() <= 10);
        all.extend(items.iter().cloned().map(without_timestamp));
        match j.get("next_page_key") {
            Some(key) => {
                assert_eq!(items.len(), 10);
                let key = key.as_str().unwrap();
                let (stamp, id) = key.split_once('-').unwrap();
                assert_eq!(stamp.len(), 20);
                assert!(stamp.bytes().all(|b| b.is_ascii_digit()));
                assert!(!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
                let url = j["next_page_url"].as_str().unwrap();
                assert!(url.contains(&format!("page_key={key}")), "{url}");
                path = url.to_string();
            }
            None => {
                assert!(j.get("next_page_url").is_none());
                break;
            }
        }
    }
    (all, pages)
}

fn ids(sales: &[Value]) -> Vec<String> {
    sales
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

fn assert_400(api: &Api, path: &str, message: &str) {
    let r = api.get(path, Some(FULL));
    assert_eq!(r.status, 400, "{path}: {}", r.text);
    assert_eq!(r.json(), json!({"status": 400, "error": message}), "{path}");
}

#[test]
fn pagination_walks_every_sale_exactly_once_newest_first() {
    let sb = start_with_sales(25, 2000, 1);
    let api = Api::new(&sb);
    let (walked, pages) = walk(&api, "/v2/sales");
    assert_eq!(pages, 200);
    let expected = sandbox_sales(&sb);
    assert_eq!(expected.len(), 2000);
    assert_eq!(ids(&walked).iter().collect::<HashSet<_>>().len(), 2000);
    assert_eq!(walked, expected, "same sales, same order, same JSON");
    // created_at DESC (ids DESC inside equal instants: order_id follows the row id).
    for w in walked.windows(2) {
        assert!(w[0]["created_at"].as_str() >= w[1]["created_at"].as_str());
    }
    assert!(
        walked
            .windows(2)
            .any(|w| w[0]["created_at"] == w[1]["created_at"]),
        "carts share an instant"
    );
}

#[test]
fn next_page_url_keeps_filters_and_drops_token_and_legacy_prefix_is_kept() {
    let sb = start_with_sales(25, 300, 4);
    let api = Api::new(&sb);
    let r = api.get(
        &format!("/api/v2/sales?after=2023-01-01&access_token={FULL}&page=&zeta=1"),
        Some(FULL),
    );
    // `page=` is present and blank: `"".to_i` is 0 → the deprecated-page check answers first.
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error"],
        "Invalid page number. Page numbers start at 1."
    );
    let j = api
        .get(
            &format!("/api/v2/sales?zeta=1&after=2023-01-01&access_token={FULL}"),
            Some(FULL),
        )
        .json();
    let key = j["next_page_key"].as_str().unwrap();
    assert_eq!(
        j["next_page_url"],
        format!("/api/v2/sales?after=2023-01-01&page_key={key}&zeta=1")
    );
}

#[test]
fn after_is_inclusive_and_before_exclusive_at_day_edges() {
    let sb = start_with_sales(25, 3000, 2);
    let api = Api::new(&sb);
    let all = sandbox_sales(&sb);
    let on = |day: &str| -> Vec<Value> {
        all.iter()
            .filter(|s| s["created_at"].as_str().unwrap().starts_with(day))
            .cloned()
            .collect()
    };
    // The launch day: 300+ sales in one day.
    let launch = on("2025-03-14");
    assert!(launch.len() >= 300, "{}", launch.len());
    let (walked, pages) = walk(&api, "/v2/sales?after=2025-03-14&before=2025-03-15");
    assert_eq!(walked, launch);
    assert_eq!(pages, launch.len().div_ceil(10));
    // Adjacent windows meet without overlap or gap.
    let (left, _) = walk(&api, "/v2/sales?after=2025-03-01&before=2025-03-14");
    let (right, _) = walk(&api, "/v2/sales?after=2025-03-14&before=2025-04-01");
    let (whole, _) = walk(&api, "/v2/sales?after=2025-03-01&before=2025-04-01");
    let mut joined = right.clone();
    joined.extend(left.clone());
    assert_eq!(joined, whole);
    assert!(left
        .iter()
        .all(|s| s["created_at"].as_str().unwrap() < "2025-03-14T00:00:00Z"));
    assert!(right
        .iter()
        .all(|s| s["created_at"].as_str().unwrap() >= "2025-03-14T00:00:00Z"));
    // after == before is empty; the quiet days hold nothing; single-digit dates parse.
    assert_eq!(
        walk(&api, "/v2/sales?after=2025-03-14&before=2025-03-14")
            .0
            .len(),
        0
    );
    assert_eq!(
        walk(&api, "/v2/sales?after=2024-08-05&before=2024-08-15")
            .0
            .len(),
        0
    );
    assert_eq!(
        walk(&api, "/v2/sales?after=2025-3-14&before=2025-3-15").0,
        launch
    );
    // Only `before`, only `after`.
    let (older, _) = walk(&api, "/v2/sales?before=2024-01-01");
    let want: Vec<Value> = all
        .iter()
        .filter(|s| s["created_at"].as_str().unwrap() < "2024-01-01")
        .cloned()
        .collect();
    assert!(!want.is_empty());
    assert_eq!(older, want);
}

#[test]
fn product_filter_includes_a_deleted_products_sales() {
    let sb = start_with_sales(25, 2000, 5);
    let api = Api::new(&sb);
    let state = sb.state();
    let deleted = common::products(&state)
        .into_iter()
        .find(|p| !p["deleted_at"].is_null())
        .expect("a deleted product");
    let id = deleted["id"].as_str().unwrap();
    let all = sandbox_sales(&sb);
    let want: Vec<Value> = all
        .iter()
        .filter(|s| s["product_id"] == id)
        .cloned()
        .collect();
    assert!(want.len() > 10, "{}", want.len());
    let (walked, _) = walk(&api, &format!("/v2/sales?product_id={}", enc(id)));
    assert_eq!(walked, want);
    // It is not listed among products, yet its sales are in the unfiltered list too.
    assert!(all.iter().any(|s| s["product_id"] == id));
    // A permalink does not decrypt.
    let permalink = deleted["unique_permalink"].as_str().unwrap();
    assert_400(
        &api,
        &format!("/v2/sales?product_id={permalink}"),
        "Invalid product ID.",
    );
    // Filters combine: product + date window.
    let (windowed, _) = walk(
        &api,
        &format!("/v2/sales?product_id={}&before=2025-01-01", enc(id)),
    );
    let want: Vec<Value> = want
        .into_iter()
        .filter(|s| s["created_at"].as_str().unwrap() < "2025-01-01")
        .collect();
    assert_eq!(windowed, want);
}

fn enc(s: &str) -> String {
    s.replace('=', "%3D").replace('+', "%2B")
}

#[test]
fn email_and_order_id_filters() {
    let sb = start_with_sales(25, 2000, 6);
    let api = Api::new(&sb);
    let all = sandbox_sales(&sb);
    // A returning buyer.
    let mut counts = std::collections::HashMap::new();
    for s in &all {
        *counts
            .entry(s["email"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    let (email, n) = counts.iter().max_by_key(|(_, n)| **n).unwrap();
    assert!(*n >= 3, "{n}");
    let want: Vec<Value> = all
        .iter()
        .filter(|s| s["email"] == **email)
        .cloned()
        .collect();
    let (walked, _) = walk(
        &api,
        &format!("/v2/sales?email=%20{}%20", email.replace('+', "%2B")),
    );
    assert_eq!(walked, want);
    let (walked, _) = walk(&api, &format!("/v2/sales?email={}", email.to_uppercase()));
    assert_eq!(
        walked.len(),
        want.len(),
        "MySQL collation: case-insensitive"
    );

    let sale = &all[17];
    let order = sale["order_id"].as_u64().unwrap();
    let j = api
        .get(&format!("/v2/sales?order_id={order}"), Some(FULL))
        .json();
    assert_eq!(j["sales"].as_array().unwrap().len(), 1);
    assert_eq!(without_timestamp(j["sales"][0].clone()), *sale);
    let j = api.get("/v2/sales?order_id=12345", Some(FULL)).json();
    assert_eq!(j, json!({"success": true, "sales": []}));
}

#[test]
fn bad_parameters_get_the_400s() {
    let sb = start_with_sales(10, 100, 1);
    let api = Api::new(&sb);
    let date = |f: &str| {
        format!(
            "Invalid date format provided in field '{f}'. Dates must be in the format YYYY-MM-DD."
        )
    };
    for bad in [
        "2024-13-01",
        "2024-02-30",
        "01/02/2024",
        "2024-01-01T00:00:00Z",
        "",
        "x",
    ] {
        let q = bad.replace('/', "%2F").replace(':', "%3A");
        assert_400(&api, &format!("/v2/sales?before={q}"), &date("before"));
        assert_400(&api, &format!("/v2/sales?after={q}"), &date("after"));
    }
    // `before` is checked first.
    assert_400(&api, "/v2/sales?after=bad&before=bad", &date("before"));
    assert_400(&api, "/v2/sales?product_id=nope", "Invalid product ID.");
    assert_400(
        &api,
        "/v2/sales?product_id=AAAAAAAAAAAAAAAAAAAAAA%3D%3D",
        "Invalid product ID.",
    );
    for bad in ["abc", "12a", "007", "1.5", "%201"] {
        assert_400(
            &api,
            &format!("/v2/sales?order_id={bad}"),
            "Invalid order ID.",
        );
    }
    for bad in [
        "x",
        "20240101000000000000",
        "2024-1",
        "20241301000000000000-5",
        "20240101000000000000-0",
    ] {
        assert_400(
            &api,
            &format!("/v2/sales?page_key={bad}"),
            "Invalid page_key.",
        );
    }
    assert_400(
        &api,
        "/v2/sales?page=0",
        "Invalid page number. Page numbers start at 1.",
    );
    // Blank filters other than the dates are ignored.
    let j = api
        .get(
            "/v2/sales?email=&product_id=&order_id=&page_key=",
            Some(FULL),
        )
        .json();
    assert_eq!(j["sales"].as_array().unwrap().len(), 10);
}

#[test]
fn deprecated_page_offsets_match_the_cursor_walk() {
    let sb = start_with_sales(25, 120, 8);
    let api = Api::new(&sb);
    let all = sandbox_sales(&sb);
    for page in [1usize, 3, 12] {
        let j = api
            .get(&format!("/v2/sales?page={page}"), Some(FULL))
            .json();
        let got: Vec<Value> = j["sales"]
            .as_array()
            .unwrap()
            .iter()
            .cloned()
            .map(without_timestamp)
            .collect();
        assert_eq!(got, all[(page - 1) * 10..(page * 10).min(120)].to_vec());
        assert_eq!(j.get("next_page_key").is_some(), page < 12, "{page}");
    }
    let j = api.get("/v2/sales?page=13", Some(FULL)).json();
    assert_eq!(j, json!({"success": true, "sales": []}));
}

#[test]
fn show_finds_a_sale_or_says_not_found() {
    let sb = start_with_sales(25, 500, 3);
    let api = Api::new(&sb);
    let all = sandbox_sales(&sb);
    let sale = &all[42];
    let id = sale["id"].as_str().unwrap();
    let j = api
        .get(&format!("/v2/sales/{}", enc(id)), Some(FULL))
        .json();
    assert_eq!(j["success"], true);
    assert_eq!(without_timestamp(j["sale"].clone()), *sale);
    let r = api.get("/v2/sales/AAAAAAAAAAAAAAAAAAAAAA%3D%3D", Some(FULL));
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"success": false, "message": "The sale was not found."})
    );
}

#[test]
fn scopes_on_sales_and_subscribers() {
    let sb = start_with_sales(25, 300, 1);
    let api = Api::new(&sb);
    let m = membership(&sb.state());
    for path in [
        "/v2/sales".to_string(),
        format!("/v2/products/{}/subscribers", enc(&m)),
    ] {
        for token in [READ_ONLY, NO_READ_SCOPE] {
            let r = api.get(&path, Some(token));
            assert_eq!(r.status, 403, "{path}");
            assert_eq!(r.text, "");
        }
        assert_eq!(api.get(&path, Some(ACCOUNT)).status, 200);
        assert_eq!(api.get(&path, None).status, 401);
    }
}

#[test]
fn sale_objects_have_the_contract_fields_and_the_promised_mix() {
    let sb = start_with_sales(25, 5000, 1);
    let all = sb.sales();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 5000);
    for s in all {
        let o = s.as_object().unwrap();
        assert!(
            o.values().all(|v| !v.is_null()),
            "nil keys are dropped: {s}"
        );
        for key in [
            "id",
            "email",
            "seller_id",
            "timestamp",
            "daystamp",
            "created_at",
            "product_name",
            "product_id",
            "product_permalink",
            "price",
            "gumroad_fee",
            "currency_symbol",
            "formatted_display_price",
            "formatted_total_price",
            "refunded",
            "partially_refunded",
            "chargedback",
            "purchase_email",
            "paid",
            "variants",
            "custom_fields",
            "order_id",
            "quantity",
            "can_contact",
            "is_recurring_billing",
            "currency",
            "amount_refundable_in_currency",
            "card",
            "referrer",
        ] {
            assert!(o.contains_key(key), "{key} missing in {s}");
        }
        // A buyer without a country has neither key (Gumroad drops nil keys): both or none.
        assert_eq!(o.contains_key("country"), o.contains_key("country_iso2"), "{s}");
        assert!(s["price"].is_i64() && s["gumroad_fee"].is_i64() && s["order_id"].is_u64());
        assert!(s["amount_refundable_in_currency"].is_string());
        let at = s["created_at"].as_str().unwrap();
        assert_eq!(at.len(), 20);
        assert!(at.ends_with('Z') && at.as_bytes()[10] == b'T');
        assert_eq!(s["id"].as_str().unwrap().len(), 24);
        assert!(s["custom_fields"].is_object() && s["variants"].is_object());
    }
    let unique: HashSet<&str> = all.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(unique.len(), 5000);
    let orders: HashSet<u64> = all
        .iter()
        .map(|s| s["order_id"].as_u64().unwrap())
        .collect();
    assert_eq!(orders.len(), 5000);
    let currencies: HashSet<&str> = all
        .iter()
        .map(|s| s["currency"].as_str().unwrap())
        .collect();
    for c in ["usd", "eur", "jpy", "gbp"] {
        assert!(currencies.contains(c), "{c} in {currencies:?}");
    }
    let names: HashSet<&str> = all.iter().filter_map(|s| s["full_name"].as_str()).collect();
    assert!(names.iter().any(|n| n.contains(',')));
    assert!(names.iter().any(|n| n.contains('"')));
    assert!(names.iter().any(|n| n.contains('\n')));
    assert!(names.iter().any(|n| n.starts_with('=')));
    assert!(all.iter().any(|s| s.get("full_name").is_none()));
    let without_country = all.iter().filter(|s| s.get("country_iso2").is_none()).count();
    assert!(
        without_country > 0 && without_country < all.len() / 10,
        "a few buyers have no country: {without_country}"
    );
    assert!(all.iter().any(|s| s["refunded"] == true));
    assert!(all.iter().any(|s| s["partially_refunded"] == true));
    assert!(all.iter().any(|s| s["chargedback"] == true));
    assert!(all.iter().any(|s| s.get("offer_code").is_some()));
    assert!(all.iter().any(|s| s["quantity"].as_u64() > Some(1)));
    assert!(all
        .iter()
        .any(|s| s.get("subscription_id").is_some() && s["is_recurring_billing"] == true));
    let answers: Vec<&Value> = all
        .iter()
        .flat_map(|s| s["custom_fields"].as_object().unwrap().values())
        .collect();
    assert!(answers.iter().any(|v| v.is_boolean()));
    assert!(answers
        .iter()
        .any(|v| v.as_str().is_some_and(|t| t.starts_with('='))));
    assert!(answers
        .iter()
        .any(|v| v.as_str().is_some_and(|t| t.contains('\n'))));
    // A partial refund leaves a smaller refundable amount.
    let partial = all
        .iter()
        .find(|s| s["partially_refunded"] == true)
        .unwrap();
    assert!(partial["amount_refundable_in_currency"].as_str().unwrap() != "0.00");
}

#[test]
fn same_seed_same_sales_other_seed_other_sales_and_reset_reseeds() {
    let a = start_with_sales(25, 1500, 11);
    let b = start_with_sales(25, 1500, 11);
    let c = start_with_sales(25, 1500, 12);
    assert_eq!(sandbox_sales(&a), sandbox_sales(&b));
    assert_eq!(a.subscribers(), b.subscribers());
    assert_ne!(sandbox_sales(&a), sandbox_sales(&c));
    // Products are those of the products-only store (plus the deleted one).
    let plain = common::start(25, 11);
    let with = common::products(&a.state());
    let without = common::products(&plain.state());
    assert_eq!(with.len(), without.len() + 1);
    for (x, y) in with.iter().zip(&without) {
        assert_eq!(x["id"], y["id"]);
        assert_eq!(x["name"], y["name"]);
    }
    assert_eq!(plain.state()["sales_count"], 0);

    // Reset with a body switches store sizes, and back.
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let reset = |body: Value| -> Value {
        client
            .post(format!("{}/__sandbox/reset", plain.url()))
            .json(&body)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    assert_eq!(
        reset(json!({"sales": 1500, "seed": 11})),
        json!({"reset": true, "products": 25, "sales": 1500, "seed": 11})
    );
    assert_eq!(sandbox_sales(&plain), sandbox_sales(&a));
    let over = client
        .post(format!("{}/__sandbox/reset", plain.url()))
        .json(&json!({"sales": 10_000_000}))
        .send()
        .unwrap();
    assert_eq!(over.status().as_u16(), 400);
    reset(json!({}));
    assert_eq!(plain.state()["sales_count"], 0);
    assert_eq!(plain.sales(), json!([]));
}

#[test]
fn fifty_thousand_sales_seed_and_serve() {
    let sb = start_with_sales(25, 50_000, 1);
    let api = Api::new(&sb);
    let state = sb.state();
    assert_eq!(state["sales_count"], 50_000);
    assert!(state.get("sales").is_none(), "state stays small");
    let j = api.get("/v2/sales", Some(FULL)).json();
    assert_eq!(j["sales"].as_array().unwrap().len(), 10);
    let key = j["next_page_key"].as_str().unwrap().to_string();
    let j2 = api
        .get(&format!("/v2/sales?page_key={key}"), Some(FULL))
        .json();
    assert_ne!(j["sales"][9]["id"], j2["sales"][0]["id"]);
    let raw = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{}/__sandbox/sales", sb.url()))
        .send()
        .unwrap();
    assert_eq!(raw.status().as_u16(), 200);
    let all: Value = raw.json().unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 50_000);
    assert_eq!(all[0]["id"], j["sales"][0]["id"]);
    // The densest day holds several hundred sales.
    let launch = all
        .iter()
        .filter(|s| s["created_at"].as_str().unwrap().starts_with("2025-03-14"))
        .count();
    assert!(launch >= 300, "{launch}");
}

#[test]
fn faults_and_the_request_log_apply_to_sales_and_subscribers() {
    let sb = start_with_sales(25, 300, 1);
    let api = Api::new(&sb);
    let m = membership(&sb.state());
    sb.set_faults(Faults {
        rate_429: 1.0,
        ..Faults::default()
    });
    assert_eq!(api.get("/v2/sales", Some(FULL)).status, 429);
    assert_eq!(
        api.get(&format!("/v2/products/{}/subscribers", enc(&m)), Some(FULL))
            .status,
        429
    );
    sb.set_faults(Faults::default());
    assert_eq!(
        api.get("/v2/sales?after=2024-01-01", Some(FULL)).status,
        200
    );
    let log = sb.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].fault.as_deref(), Some("429"));
    assert_eq!(log[2].url, "/v2/sales?after=2024-01-01");
    assert_eq!(log[2].status, Some(200));
}

#[test]
fn subscribers_unpaginated_paginated_by_email_and_one() {
    let sb = start_with_sales(25, 20_000, 1);
    let api = Api::new(&sb);
    let m = membership(&sb.state());
    let path = format!("/v2/products/{}/subscribers", enc(&m));
    let everyone = sb.subscribers();
    let everyone = everyone.as_array().unwrap();
    let active: Vec<Value> = everyone
        .iter()
        .filter(|s| {
            ["alive", "pending_cancellation", "pending_failure"]
                .contains(&s["status"].as_str().unwrap())
        })
        .cloned()
        .collect();
    assert!(active.len() > 100, "{}", active.len());
    let statuses: HashSet<&str> = everyone
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    for st in [
        "alive",
        "pending_cancellation",
        "pending_failure",
        "failed_payment",
        "fixed_subscription_period_ended",
        "cancelled",
    ] {
        assert!(statuses.contains(st), "{st}");
    }

    // Unpaginated: the whole active list, no cursor.
    let j = api.get(&path, Some(FULL)).json();
    assert_eq!(j["subscribers"].as_array().unwrap(), &active);
    assert!(j.get("next_page_key").is_none());
    let j = api.get(&format!("{path}?paginated=yes"), Some(FULL)).json();
    assert_eq!(j["subscribers"].as_array().unwrap().len(), active.len());

    // Paginated: 100 per page, same order, every one once.
    for flag in ["true", "1"] {
        let mut got = Vec::new();
        let mut next = format!("{path}?paginated={flag}");
        let mut pages = 0;
        loop {
            let j = api.get(&next, Some(FULL)).json();
            let items = j["subscribers"].as_array().unwrap();
            pages += 1;
            got.extend(items.iter().cloned());
            match j.get("next_page_url") {
                Some(url) => {
                    assert_eq!(items.len(), 100);
                    next = url.as_str().unwrap().to_string();
                    assert!(next.contains("paginated="));
                }
                None => break,
            }
        }
        assert_eq!(pages, active.len().div_ceil(100));
        assert_eq!(got, active);
    }

    // Email filter.
    let email = active[0]["email"].as_str().unwrap();
    let j = api.get(&format!("{path}?email={email}"), Some(FULL)).json();
    let want: Vec<&Value> = active.iter().filter(|s| s["email"] == email).collect();
    assert_eq!(
        j["subscribers"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        want
    );

    // Bad key, unknown product.
    let r = api.get(&format!("{path}?page_key=nope"), Some(FULL));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"status": 400, "error": "Invalid page_key."})
    );
    assert_eq!(
        api.get("/v2/products/nope/subscribers", Some(FULL)).json(),
        json!({"success": false, "message": "The product was not found."})
    );

    // One subscriber, any status, with its purchases.
    let cancelled = everyone
        .iter()
        .find(|s| s["status"] == "cancelled")
        .unwrap();
    let id = cancelled["id"].as_str().unwrap();
    let j = api
        .get(&format!("/v2/subscribers/{}", enc(id)), Some(FULL))
        .json();
    assert_eq!(j["success"], true);
    assert_eq!(&j["subscriber"], cancelled);
    let purchase_ids: Vec<&str> = cancelled["purchase_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(!purchase_ids.is_empty());
    let sales = sb.sales();
    let first = sales
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == purchase_ids[0])
        .unwrap();
    assert_eq!(first["subscription_id"], id);
    assert_eq!(first["is_recurring_billing"], false);
    assert_eq!(
        api.get("/v2/subscribers/AAAAAAAAAAAAAAAAAAAAAA%3D%3D", Some(FULL))
            .json(),
        json!({"success": false, "message": "The subscriber was not found."})
    );
}
