//! Products: cursor pagination, lookups, updates and their validation messages, warnings,
//! enable/disable and delete.

mod common;

use std::collections::HashSet;

use bulkroad_sandbox::tokens::{self, FULL};
use common::{membership, plain_product, start, Api};
use serde_json::{json, Value};

fn put(api: &Api, id: &str, pairs: &[(&str, &str)]) -> Value {
    let r = api.form("PUT", &format!("/v2/products/{id}"), FULL, pairs);
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

#[test]
fn product_pages_cover_every_visible_product_once_newest_first() {
    let sb = start(95, 3);
    let api = Api::new(&sb);
    let mut seen = Vec::new();
    let mut path = "/v2/products".to_string();
    let mut pages = 0;
    loop {
        let r = api.get(&path, Some(FULL));
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/json; charset=utf-8")
        );
        let j = r.json();
        assert_eq!(j["success"], true);
        let items = j["products"].as_array().unwrap();
        pages += 1;
        for p in items {
            seen.push(p["id"].as_str().unwrap().to_string());
            // Slim list items: no files or rich content.
            assert!(p.get("files").is_none() && p.get("rich_content").is_none());
        }
        match j.get("next_page_key") {
            Some(key) => {
                assert_eq!(items.len(), 10);
                let key = key.as_str().unwrap();
                assert_eq!(j["next_page_url"], format!("/v2/products?page_key={key}"));
                path = j["next_page_url"].as_str().unwrap().to_string();
            }
            None => {
                assert!(j.get("next_page_url").is_none());
                break;
            }
        }
    }
    assert_eq!(pages, 10);
    assert_eq!(seen.len(), 95);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 95, "no repeats");

    let mut expected = common::products(&sb.state());
    expected.sort_by_key(|p| {
        std::cmp::Reverse((
            p["created_at"].as_str().unwrap().to_string(),
            p["serial"].as_u64().unwrap(),
        ))
    });
    let expected: Vec<String> = expected
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen, expected);

    let sent: Vec<String> = sb.requests().iter().map(|r| r.query.clone()).collect();
    assert_eq!(sent[0], "");
    assert!(sent[1..].iter().all(|q| q.starts_with("page_key=")));
}

#[test]
fn next_page_url_drops_the_access_token_and_keeps_other_parameters() {
    let sb = start(25, 1);
    let api = Api::new(&sb);
    let j = api
        .get(&format!("/v2/products?zeta=1&access_token={FULL}"), None)
        .json();
    let key = j["next_page_key"].as_str().unwrap();
    assert_eq!(
        j["next_page_url"],
        format!("/v2/products?page_key={key}&zeta=1")
    );
}

#[test]
fn bad_page_keys_get_400_with_status_and_error() {
    let sb = start(25, 1);
    let api = Api::new(&sb);
    for key in [
        "garbage",
        "20250101000000000000-0",
        "2025-1",
        "99999999999999999999-12",
    ] {
        let r = api.get(&format!("/v2/products?page_key={key}"), Some(FULL));
        assert_eq!(r.status, 400, "{key}");
        assert_eq!(
            r.json(),
            json!({"status": 400, "error": "Invalid page_key."})
        );
    }
}

#[test]
fn deleted_products_leave_the_list_but_stay_readable() {
    let sb = start(12, 1);
    let api = Api::new(&sb);
    let id = plain_product(&sb.state(), "usd", 0);
    let r = api.send(
        "DELETE",
        &format!("/v2/products/{id}"),
        Some(FULL),
        common::Body::None,
    );
    assert_eq!(
        r.json(),
        json!({"success": true, "message": "The product was deleted successfully."})
    );
    let first = api.get("/v2/products", Some(FULL)).json();
    let key = first["next_page_key"].as_str().unwrap().to_string();
    let second = api
        .get(&format!("/v2/products?page_key={key}"), Some(FULL))
        .json();
    let listed: Vec<&Value> = first["products"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["products"].as_array().unwrap())
        .collect();
    assert_eq!(listed.len(), 11);
    assert!(listed.iter().all(|p| p["id"] != id.as_str()));
    let shown = api.get(&format!("/v2/products/{id}"), Some(FULL)).json();
    assert_eq!(shown["product"]["deleted"], true);
    assert_eq!(shown["product"]["published"], false);
    assert!(common::product(&sb.state(), &id)["deleted_at"].is_string());
}

#[test]
fn products_are_found_by_id_or_permalink_and_missing_ones_get_success_false() {
    let sb = start(10, 1);
    let api = Api::new(&sb);
    let state = sb.state();
    let p = &common::products(&state)[3];
    let id = p["id"].as_str().unwrap();
    assert_eq!(id.len(), 24);
    assert!(id.ends_with("=="));
    for key in [id, p["unique_permalink"].as_str().unwrap()] {
        let j = api.get(&format!("/v2/products/{key}"), Some(FULL)).json();
        assert_eq!(j["success"], true);
        assert_eq!(j["product"]["id"], id);
        assert!(j["product"]["files"].is_array());
    }
    let r = api.get("/v2/products/doesnotexist", Some(FULL));
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"success": false, "message": "The product was not found."})
    );
}

#[test]
fn price_validation_follows_the_currency_minimum() {
    let sb = start(60, 1);
    let api = Api::new(&sb);
    let state = sb.state();
    let usd = plain_product(&state, "usd", 0);
    let eur = plain_product(&state, "eur", 0);
    let jpy = plain_product(&state, "jpy", 0);
    let cases: [(&str, &str, Result<&str, &str>); 10] = [
        (&usd, "50", Err("Sorry, a product must be at least $0.99.")),
        (&usd, "1", Err("Sorry, a product must be at least $0.99.")),
        (&usd, "0", Ok("$0")),
        (&usd, "99", Ok("99¢")),
        (&usd, "1000", Ok("$10")),
        (&eur, "78", Err("Sorry, a product must be at least €0.79.")),
        (&eur, "790", Ok("€7.90")),
        (&jpy, "98", Err("Sorry, a product must be at least ¥99.")),
        (&jpy, "1500", Ok("¥1,500")),
        (
            &usd,
            "2147483648",
            Err("Sorry, the price entered is too large."),
        ),
    ];
    for (id, price, want) in cases {
        let before = common::product(&sb.state(), id)["price_cents"].clone();
        let j = put(&api, id, &[("price", price)]);
        match want {
            Ok(formatted) => {
                assert_eq!(j["success"], true, "{price}: {j}");
                assert_eq!(j["product"]["price"], price.parse::<i64>().unwrap());
                assert_eq!(j["product"]["formatted_price"], formatted);
            }
            Err(message) => {
                assert_eq!(j, json!({"success": false, "message": message}), "{price}");
                assert_eq!(
                    common::product(&sb.state(), id)["price_cents"],
                    before,
                    "refused update must not apply"
                );
            }
        }
    }
}

#[test]
fn tiered_membership_price_is_refused_but_other_fields_update() {
    let sb = start(10, 1);
    let api = Api::new(&sb);
    let id = membership(&sb.state());
    let j = put(&api, &id, &[("price", "900")]);
    assert_eq!(
        j,
        json!({"success": false, "message": "Price cannot be updated for tiered membership products. Use the variant endpoints to manage tier pricing."})
    );
    let j = put(&api, &id, &[("name", "Circle, Renamed")]);
    assert_eq!(j["product"]["name"], "Circle, Renamed");
    let product = &j["product"];
    assert_eq!(product["is_tiered_membership"], true);
    assert_eq!(product["recurrences"], json!(["monthly", "yearly"]));
    assert_eq!(product["formatted_price"], "$5 a month");
    let tiers = product["variants"][0]["options"].as_array().unwrap();
    assert_eq!(tiers.len(), 3);
    assert_eq!(tiers[0]["recurrence_prices"]["monthly"]["price_cents"], 500);
}

#[test]
fn update_changes_only_the_keys_sent_and_accepts_form_or_json_tags() {
    let sb = start(30, 1);
    let api = Api::new(&sb);
    let id = plain_product(&sb.state(), "usd", 0);
    let before = api.get(&format!("/v2/products/{id}"), Some(FULL)).json()["product"].clone();

    let j = put(
        &api,
        &id,
        &[
            ("tags[]", "Design"),
            ("tags[]", "notion"),
            ("tags[]", "design"),
        ],
    );
    assert_eq!(j["product"]["tags"], json!(["design", "notion"]));
    assert_eq!(j["product"]["name"], before["name"]);
    assert_eq!(j["product"]["price"], before["price"]);

    let r = api.json("PATCH", &format!("/v2/products/{id}"), FULL, json!({"tags": [], "custom_summary": "Short & sweet", "customizable_price": true, "description": "<p>New</p>"}));
    let j = r.json();
    assert_eq!(j["product"]["tags"], json!([]));
    assert_eq!(j["product"]["custom_summary"], "Short & sweet");
    assert_eq!(j["product"]["customizable_price"], true);
    assert_eq!(j["product"]["description"], "<p>New</p>");
    assert!(j["product"]["formatted_price"]
        .as_str()
        .unwrap()
        .ends_with('+'));

    let cases: [&[(&str, &str)]; 2] = [&[("tags", "design")], &[("tags[a]", "design")]];
    for pairs in cases {
        assert_eq!(
            put(&api, &id, pairs),
            json!({"success": false, "message": "tags must be an array of strings."})
        );
    }
    assert_eq!(
        put(&api, &id, &[("name", "  ")]),
        json!({"success": false, "message": "Name can't be blank"})
    );
    assert_eq!(
        put(&api, &id, &[("price_currency_type", "XYZ")]),
        json!({"success": false, "message": "'XYZ' is not a supported currency."})
    );
    assert_eq!(
        put(&api, &id, &[("max_purchase_count", "99999999999")]),
        json!({"success": false, "message": "One or more numeric values are out of range."})
    );
}

#[test]
fn lowering_a_price_under_a_code_minimum_succeeds_with_a_warning() {
    let sb = start(30, 1);
    let api = Api::new(&sb);
    let id = plain_product(&sb.state(), "usd", 0);
    // WELCOME10 (universal, 10 %) takes 105 to 94, under $0.99; TAKE2 ($2) makes it free, which is fine.
    let j = put(&api, &id, &[("price", "105")]);
    assert_eq!(j["success"], true);
    assert_eq!(
        j["warning"],
        "The following offer code discounts this product below $0.99: WELCOME10. Please update it or it will not work at checkout."
    );
    // A product-specific fixed code in USD, then a switch to EUR: a currency mismatch too.
    let r = api.form(
        "POST",
        &format!("/v2/products/{id}/offer_codes"),
        FULL,
        &[("name", "FIVEOFF"), ("amount_cents", "5")],
    );
    assert_eq!(r.json()["success"], true, "{}", r.text);
    let j = put(
        &api,
        &id,
        &[("price_currency_type", "eur"), ("price", "85")],
    );
    assert_eq!(j["success"], true);
    assert_eq!(
        j["warning"],
        "The following offer codes have currency mismatches or would discount this product below €0.79: FIVEOFF, WELCOME10. Please update them or they will not work at checkout."
    );
    let j = put(
        &api,
        &id,
        &[("price_currency_type", "usd"), ("price", "5000")],
    );
    assert!(j.get("warning").is_none(), "{j}");
}

#[test]
fn enable_is_refused_while_a_code_breaks_the_minimum_and_disable_unpublishes() {
    let sb = start(30, 1);
    let api = Api::new(&sb);
    let id = plain_product(&sb.state(), "usd", 0);
    let j = api
        .form("PUT", &format!("/v2/products/{id}/disable"), FULL, &[])
        .json();
    assert_eq!(j["success"], true);
    assert_eq!(j["product"]["published"], false);
    put(&api, &id, &[("price", "105")]);
    let j = api
        .form("PUT", &format!("/v2/products/{id}/enable"), FULL, &[])
        .json();
    assert_eq!(
        j,
        json!({"success": false, "message": "An existing discount code puts the price of this product below the $0.99 minimum after discount."})
    );
    put(&api, &id, &[("price", "2000")]);
    let j = api
        .form("PUT", &format!("/v2/products/{id}/enable"), FULL, &[])
        .json();
    assert_eq!(j["success"], true);
    assert_eq!(j["product"]["published"], true);
}

#[test]
fn seeded_store_shows_ppp_prices_and_pay_what_you_want() {
    let sb = start(25, 1);
    let api = Api::new(&sb);
    let state = sb.state();
    let ppp = common::products(&state)
        .into_iter()
        .find(|p| p["ppp_enabled"] == true)
        .unwrap();
    let j = api
        .get(
            &format!("/v2/products/{}", ppp["id"].as_str().unwrap()),
            Some(tokens::READ_ONLY),
        )
        .json();
    let prices = j["product"]["purchasing_power_parity_prices"]
        .as_object()
        .unwrap();
    assert!(prices["IN"].as_i64().unwrap() < j["product"]["price"].as_i64().unwrap());
    assert_eq!(prices["US"], j["product"]["price"]);

    let pwyw = common::products(&state)
        .into_iter()
        .find(|p| p["customizable_price"] == true)
        .unwrap();
    let j = api
        .get(
            &format!("/v2/products/{}", pwyw["id"].as_str().unwrap()),
            Some(FULL),
        )
        .json();
    assert_eq!(j["product"]["formatted_price"], "$3+");
}
