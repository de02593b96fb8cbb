//! Variant categories and variants: the reads, the update of a price difference (and what
//! the product object then shows), the refusals and the not-found answers.

mod common;

use bulkroad_sandbox::tokens::{FULL, READ_ONLY};
use common::{products, start, Api};
use serde_json::Value;

/// A product with a "Format" category (options PDF +0 and PDF + Workbook +500), as seeded.
fn product_with_options(state: &Value) -> String {
    products(state)
        .into_iter()
        .find(|p| {
            p["is_tiered_membership"] == false
                && p["deleted_at"].is_null()
                && p["variant_categories"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|c| c["title"] == "Format"))
        })
        .expect("a seeded product with options")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn option_differences(api: &Api, product: &str) -> Vec<(String, Value)> {
    let j = api
        .get(&format!("/v2/products/{product}"), Some(FULL))
        .json();
    j["product"]["variants"][0]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap().to_string(),
                o["price_difference"].clone(),
            )
        })
        .collect()
}

#[test]
fn a_price_difference_changes_through_the_variant_and_shows_in_the_product() {
    let sb = start(80, 3);
    let api = Api::new(&sb);
    let product = product_with_options(&sb.state());
    let categories = api
        .get(
            &format!("/v2/products/{product}/variant_categories"),
            Some(FULL),
        )
        .json();
    assert_eq!(categories["success"], true);
    let category = categories["variant_categories"][0].clone();
    assert_eq!(category["title"], "Format");
    let cid = category["id"].as_str().unwrap();
    let variants = api
        .get(
            &format!("/v2/products/{product}/variant_categories/{cid}/variants"),
            Some(FULL),
        )
        .json();
    let workbook = variants["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "PDF + Workbook")
        .unwrap()
        .clone();
    assert_eq!(workbook["price_difference_cents"], 500);
    let vid = workbook["id"].as_str().unwrap();
    let path = format!("/v2/products/{product}/variant_categories/{cid}/variants/{vid}");

    let r = api
        .form("PUT", &path, FULL, &[("price_difference_cents", "550")])
        .json();
    assert_eq!(r["success"], true, "{r}");
    assert_eq!(r["variant"]["price_difference_cents"], 550);
    assert_eq!(r["variant"]["name"], "PDF + Workbook");
    assert_eq!(
        api.get(&path, Some(FULL)).json()["variant"]["price_difference_cents"],
        550
    );
    let shown = option_differences(&api, &product);
    assert_eq!(shown[0].1, 0);
    assert_eq!(shown[1], ("PDF + Workbook".to_string(), Value::from(550)));

    // A negative difference is refused, and nothing changes.
    let r = api
        .form("PUT", &path, FULL, &[("price_difference_cents", "-1")])
        .json();
    assert_eq!(r["success"], false);
    assert_eq!(
        r["message"],
        "Please enter a price that is equal to or greater than the price of the product."
    );
    assert_eq!(option_differences(&api, &product)[1].1, 550);
}

#[test]
fn unknown_categories_and_variants_are_not_found_with_http_200() {
    let sb = start(80, 3);
    let api = Api::new(&sb);
    let product = product_with_options(&sb.state());
    let categories = api
        .get(
            &format!("/v2/products/{product}/variant_categories"),
            Some(FULL),
        )
        .json();
    let cid = categories["variant_categories"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cases = [
        (
            "GET",
            format!("/v2/products/{product}/variant_categories/nope/variants"),
            "The variant_category was not found.",
        ),
        (
            "PUT",
            format!("/v2/products/{product}/variant_categories/{cid}/variants/nope"),
            "The variant was not found.",
        ),
        (
            "GET",
            "/v2/products/nope/variant_categories".to_string(),
            "The product was not found.",
        ),
    ];
    for (method, path, message) in cases {
        let r = api.form(method, &path, FULL, &[("price_difference_cents", "1")]);
        assert_eq!(r.status, 200, "{path}");
        let j = r.json();
        assert_eq!(j["success"], false, "{path}");
        assert_eq!(j["message"], message, "{path}");
    }
}

#[test]
fn reading_variants_needs_a_token_and_writing_needs_edit_products() {
    let sb = start(80, 3);
    let api = Api::new(&sb);
    let product = product_with_options(&sb.state());
    let r = api.get(&format!("/v2/products/{product}/variant_categories"), None);
    assert_eq!(r.status, 401);
    let categories = api
        .get(
            &format!("/v2/products/{product}/variant_categories"),
            Some(READ_ONLY),
        )
        .json();
    let cid = categories["variant_categories"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let variants = api
        .get(
            &format!("/v2/products/{product}/variant_categories/{cid}/variants"),
            Some(READ_ONLY),
        )
        .json();
    let vid = variants["variants"][1]["id"].as_str().unwrap();
    let r = api.form(
        "PUT",
        &format!("/v2/products/{product}/variant_categories/{cid}/variants/{vid}"),
        READ_ONLY,
        &[("price_difference_cents", "700")],
    );
    assert_eq!(r.status, 403);
}
