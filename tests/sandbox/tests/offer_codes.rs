//! Offer codes: listing with universal codes, every create/update validation message,
//! the case rules of uniqueness, deletion and not-found answers.

mod common;

use bulkroad_sandbox::tokens::FULL;
use bulkroad_sandbox::Sandbox;
use common::{plain_product, start, Api};
use serde_json::{json, Value};

const PRICE_RULE_USD: &str =
    "The price after discount for all of your products must be either $0 or at least $0.99.";

fn create(api: &Api, product: &str, pairs: &[(&str, &str)]) -> Value {
    let r = api.form(
        "POST",
        &format!("/v2/products/{product}/offer_codes"),
        FULL,
        pairs,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

fn names(api: &Api, product: &str) -> Vec<String> {
    let j = api
        .get(&format!("/v2/products/{product}/offer_codes"), Some(FULL))
        .json();
    j["offer_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

/// A USD product priced at exactly $10.00, plus a sandbox to hold it.
fn usd_product_at_ten_dollars() -> (Sandbox, Api, String) {
    let sb = start(40, 1);
    let api = Api::new(&sb);
    let id = plain_product(&sb.state(), "usd", 0);
    let r = api.form(
        "PUT",
        &format!("/v2/products/{id}"),
        FULL,
        &[("price", "1000")],
    );
    assert_eq!(r.json()["success"], true);
    (sb, api, id)
}

#[test]
fn list_shows_own_codes_and_universal_codes_of_the_same_currency() {
    let sb = start(60, 1);
    let api = Api::new(&sb);
    let state = sb.state();
    let usd = plain_product(&state, "usd", 0);
    let eur = plain_product(&state, "eur", 0);
    assert_eq!(names(&api, &usd), vec!["WELCOME10", "TAKE2"]);
    // TAKE2 is a fixed USD code: it does not apply to a EUR product; percent codes always do.
    assert_eq!(names(&api, &eur), vec!["WELCOME10"]);
    let j = api
        .get(&format!("/v2/products/{usd}/offer_codes"), Some(FULL))
        .json();
    assert_eq!(
        j["offer_codes"][1],
        json!({"id": j["offer_codes"][1]["id"], "name": "TAKE2", "max_purchase_count": 100, "minimum_amount_cents": null, "universal": true, "times_used": 12, "amount_cents": 200})
    );
    assert_eq!(j["offer_codes"][0]["percent_off"], 10);
    assert!(j["offer_codes"][0].get("amount_cents").is_none());
}

#[test]
fn create_rejects_bad_codes_with_gumroads_messages() {
    let (_sb, api, id) = usd_product_at_ten_dollars();
    let missing = "You are missing required offer code parameters. Please refer to https://gumroad.com/api#offer-codes for the correct parameters.";
    let cases: [(&[(&str, &str)], &str); 12] = [
        (&[("name", "NOAMOUNT")], missing),
        (&[("name", "BLANKAMOUNT"), ("amount_off", " ")], missing),
        (&[("name", ""), ("amount_off", "100")], "Discount code can't be blank"),
        (&[("name", "   "), ("amount_off", "100")], "Discount code can't be blank"),
        (&[("name", "bad code!"), ("amount_off", "100")], "Discount code can only contain numbers, letters, dashes, and underscores."),
        (&[("name", "NEG"), ("amount_off", "-5")], "Please enter a positive discount amount."),
        (&[("name", "NEGPCT"), ("amount_off", "-5"), ("offer_type", "percent")], "Please enter a positive discount amount."),
        (&[("name", "BIG"), ("amount_off", "150"), ("offer_type", "percent")], "Please enter a discount amount that is 100% or less."),
        (&[("name", "NEARLY"), ("amount_cents", "950")], PRICE_RULE_USD),
        (&[("name", "PCT95"), ("amount_off", "95"), ("offer_type", "percent")], PRICE_RULE_USD),
        (
            &[("name", "MAXNEG"), ("amount_off", "100"), ("max_purchase_count", "-1")],
            "You have chosen a discount code quantity that is less that the number already used. Please enter an amount no less than 0.",
        ),
        (
            &[("name", "bad code!"), ("amount_cents", "950")],
            "Discount code can only contain numbers, letters, dashes, and underscores. and The price after discount for all of your products must be either $0 or at least $0.99.",
        ),
    ];
    for (pairs, message) in cases {
        assert_eq!(
            create(&api, &id, pairs),
            json!({"success": false, "message": message}),
            "{pairs:?}"
        );
    }
    assert_eq!(
        names(&api, &id),
        vec!["WELCOME10", "TAKE2"],
        "nothing was created"
    );
}

#[test]
fn create_accepts_valid_codes_and_returns_them() {
    let (sb, api, id) = usd_product_at_ten_dollars();
    let cases: [(&[(&str, &str)], Value); 5] = [
        (
            &[("name", "FREEBIE"), ("amount_cents", "1000")],
            json!({"name": "FREEBIE", "amount_cents": 1000, "universal": false}),
        ),
        (
            &[("name", "  SPACED  "), ("amount_off", "100")],
            json!({"name": "SPACED", "amount_cents": 100}),
        ),
        (
            &[
                ("name", "HALF"),
                ("amount_off", "50"),
                ("offer_type", "percent"),
                ("max_purchase_count", "5"),
            ],
            json!({"name": "HALF", "percent_off": 50, "max_purchase_count": 5, "times_used": 0}),
        ),
        (
            &[
                ("name", "MIN20"),
                ("amount_off", "300"),
                ("minimum_amount_cents", "2000"),
            ],
            json!({"name": "MIN20", "minimum_amount_cents": 2000}),
        ),
        (
            &[("name", "Café-2024_x"), ("amount_off", "100")],
            json!({"name": "Café-2024_x"}),
        ),
    ];
    for (pairs, expected) in cases {
        let j = create(&api, &id, pairs);
        assert_eq!(j["success"], true, "{pairs:?}: {j}");
        let code = &j["offer_code"];
        assert_eq!(code["id"].as_str().unwrap().len(), 24);
        for (k, v) in expected.as_object().unwrap() {
            assert_eq!(&code[k], v, "{pairs:?} {k}");
        }
    }
    // `offer_type=percent` with only amount_cents reads amount_off.to_i: a 0 % code (Gumroad quirk).
    let j = create(
        &api,
        &id,
        &[
            ("name", "ZERO"),
            ("amount_cents", "300"),
            ("offer_type", "percent"),
        ],
    );
    assert_eq!(j["offer_code"]["percent_off"], 0);
    let state = sb.state();
    let stored: Vec<&Value> = state["offer_codes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["product_id"] == id.as_str())
        .collect();
    assert_eq!(stored.len(), 6);
    assert!(stored
        .iter()
        .all(|c| c["universal"] == false && c["deleted_at"].is_null()));
}

#[test]
fn universal_codes_are_checked_against_every_product_in_their_currency() {
    let (sb, api, id) = usd_product_at_ten_dollars();
    let other = plain_product(&sb.state(), "usd", 1);
    api.form(
        "PUT",
        &format!("/v2/products/{other}"),
        FULL,
        &[("price", "150")],
    );
    // $1 off is fine for the $10 product but takes the $1.50 one to $0.50.
    let j = create(
        &api,
        &id,
        &[
            ("name", "ONEOFF"),
            ("amount_cents", "100"),
            ("universal", "true"),
        ],
    );
    assert_eq!(j, json!({"success": false, "message": PRICE_RULE_USD}));
    let j = create(&api, &id, &[("name", "ONEOFF"), ("amount_cents", "100")]);
    assert_eq!(
        j["success"], true,
        "the same code on the one product is fine"
    );

    let eur = plain_product(&sb.state(), "eur", 0);
    let j = create(
        &api,
        &eur,
        &[
            ("name", "EURO1"),
            ("amount_cents", "100"),
            ("universal", "true"),
        ],
    );
    assert_eq!(j["offer_code"]["universal"], true);
    assert!(names(&api, &eur).contains(&"EURO1".to_string()));
    assert!(
        !names(&api, &id).contains(&"EURO1".to_string()),
        "a EUR universal code stays off USD products"
    );
}

#[test]
fn universal_only_when_the_string_true_is_sent() {
    let (sb, api, id) = usd_product_at_ten_dollars();
    let r = api.json(
        "POST",
        &format!("/v2/products/{id}/offer_codes"),
        FULL,
        json!({"name": "JSONTRUE", "amount_off": 100, "universal": true}),
    );
    assert_eq!(r.json()["offer_code"]["universal"], false);
    let r = api.json(
        "POST",
        &format!("/v2/products/{id}/offer_codes"),
        FULL,
        json!({"name": "JSONSTR", "amount_off": 100, "universal": "true"}),
    );
    assert_eq!(r.json()["offer_code"]["universal"], true);
    let j = create(
        &api,
        &id,
        &[
            ("name", "FORMONE"),
            ("amount_off", "100"),
            ("universal", "1"),
        ],
    );
    assert_eq!(j["offer_code"]["universal"], false);
    let universal: Vec<String> = sb.state()["universal_offer_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(universal, vec!["WELCOME10", "TAKE2", "JSONSTR"]);
}

#[test]
fn uniqueness_is_case_sensitive_per_product_and_case_insensitive_for_universal_codes() {
    let (sb, api, id) = usd_product_at_ten_dollars();
    let other = plain_product(&sb.state(), "usd", 1);
    let taken = json!({"success": false, "message": "Discount code must be unique."});
    let ok = |j: Value| assert_eq!(j["success"], true, "{j}");

    ok(create(
        &api,
        &id,
        &[("name", "SAVE10"), ("amount_off", "100")],
    ));
    // Product-specific codes compare with Ruby `==`: another case coexists, the same text does not.
    ok(create(
        &api,
        &id,
        &[("name", "save10"), ("amount_off", "100")],
    ));
    assert_eq!(
        create(&api, &id, &[("name", "SAVE10"), ("amount_off", "200")]),
        taken
    );
    // The same text on a different product is fine.
    ok(create(
        &api,
        &other,
        &[("name", "SAVE10"), ("amount_off", "100")],
    ));
    // Against universal codes too: exact text clashes, another case does not.
    assert_eq!(
        create(&api, &id, &[("name", "WELCOME10"), ("amount_off", "100")]),
        taken
    );
    ok(create(
        &api,
        &id,
        &[("name", "welcome10"), ("amount_off", "100")],
    ));
    // Universal codes use the case-insensitive collation against every alive code of the seller.
    assert_eq!(
        create(
            &api,
            &id,
            &[
                ("name", "Welcome10"),
                ("amount_off", "10"),
                ("offer_type", "percent"),
                ("universal", "true")
            ]
        ),
        taken
    );
    assert_eq!(
        create(
            &api,
            &id,
            &[
                ("name", "Save10"),
                ("amount_off", "10"),
                ("offer_type", "percent"),
                ("universal", "true")
            ]
        ),
        taken
    );
    ok(create(
        &api,
        &id,
        &[
            ("name", "BRANDNEW"),
            ("amount_off", "10"),
            ("offer_type", "percent"),
            ("universal", "true"),
        ],
    ));
    assert_eq!(
        create(&api, &other, &[("name", "BRANDNEW"), ("amount_off", "100")]),
        taken
    );
}

#[test]
fn update_changes_only_limits_and_refuses_a_limit_below_uses() {
    let sb = start(40, 1);
    let api = Api::new(&sb);
    let state = sb.state();
    let used = state["offer_codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["deleted_at"].is_null() && c["times_used"].as_i64().unwrap() > 1)
        .unwrap()
        .clone();
    let (product, code, times_used) = (
        used["product_id"].as_str().unwrap(),
        used["id"].as_str().unwrap(),
        used["times_used"].as_i64().unwrap(),
    );
    let path = format!("/v2/products/{product}/offer_codes/{code}");

    let below = (times_used - 1).to_string();
    let j = api
        .form("PUT", &path, FULL, &[("max_purchase_count", &below)])
        .json();
    let expected = format!("You have chosen a discount code quantity that is less that the number already used. Please enter an amount no less than {times_used}.");
    assert_eq!(j, json!({"success": false, "message": expected}));

    let at = times_used.to_string();
    let j = api
        .form(
            "PUT",
            &path,
            FULL,
            &[
                ("max_purchase_count", &at),
                ("minimum_amount_cents", "500"),
                ("name", "RENAMED"),
                ("amount_off", "1"),
            ],
        )
        .json();
    assert_eq!(j["success"], true);
    assert_eq!(j["offer_code"]["max_purchase_count"], times_used);
    assert_eq!(j["offer_code"]["minimum_amount_cents"], 500);
    assert_eq!(
        j["offer_code"]["name"], used["code"],
        "the code text never changes"
    );

    let j = api
        .form("PUT", &path, FULL, &[("max_purchase_count", "")])
        .json();
    assert!(
        j["offer_code"]["max_purchase_count"].is_null(),
        "blank means unlimited"
    );
}

#[test]
fn delete_is_soft_and_deleted_codes_are_not_found() {
    let (sb, api, id) = usd_product_at_ten_dollars();
    let code = create(&api, &id, &[("name", "GONE"), ("amount_off", "100")])["offer_code"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v2/products/{id}/offer_codes/{code}");
    assert_eq!(
        api.get(&path, Some(FULL)).json()["offer_code"]["name"],
        "GONE"
    );
    let r = api.send("DELETE", &path, Some(FULL), common::Body::None);
    assert_eq!(
        r.json(),
        json!({"success": true, "message": "The offer_code was deleted successfully."})
    );
    let not_found = json!({"success": false, "message": "The offer_code was not found."});
    assert_eq!(api.get(&path, Some(FULL)).json(), not_found);
    assert_eq!(
        api.send("DELETE", &path, Some(FULL), common::Body::None)
            .json(),
        not_found
    );
    assert!(!names(&api, &id).contains(&"GONE".to_string()));
    let state = sb.state();
    let stored = state["offer_codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == code.as_str())
        .unwrap();
    assert!(stored["deleted_at"].is_string());
    // A deleted code frees its name.
    assert_eq!(
        create(&api, &id, &[("name", "GONE"), ("amount_off", "100")])["success"],
        true
    );
}

#[test]
fn unknown_products_and_codes_get_success_false_and_the_amount_check_comes_first() {
    let (_sb, api, id) = usd_product_at_ten_dollars();
    let product_missing = json!({"success": false, "message": "The product was not found."});
    assert_eq!(
        api.get("/v2/products/nope/offer_codes", Some(FULL)).json(),
        product_missing
    );
    assert_eq!(
        create(&api, "nope", &[("name", "X"), ("amount_off", "1")]),
        product_missing
    );
    // check_offer_code_params runs before fetch_product.
    assert!(create(&api, "nope", &[("name", "X")])["message"]
        .as_str()
        .unwrap()
        .starts_with("You are missing"));
    assert_eq!(
        api.get(&format!("/v2/products/{id}/offer_codes/nope"), Some(FULL))
            .json(),
        json!({"success": false, "message": "The offer_code was not found."})
    );
}
