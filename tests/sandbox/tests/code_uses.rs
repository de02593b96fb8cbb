//! The side door's offer-code routes: uses recorded as purchases would (a single-use code
//! soft-deleted after its use, no use past the limit) and a default discount that Gumroad
//! refuses to delete.

mod common;

use bulkroad_sandbox::tokens::FULL;
use common::{plain_product, start, Api, Body};
use serde_json::{json, Value};

fn create(api: &Api, product: &str, name: &str, max: Option<&str>) -> Value {
    let mut pairs = vec![
        ("name", name),
        ("amount_off", "10"),
        ("offer_type", "percent"),
    ];
    if let Some(max) = max {
        pairs.push(("max_purchase_count", max));
    }
    let r = api.form(
        "POST",
        &format!("/v2/products/{product}/offer_codes"),
        FULL,
        &pairs,
    );
    assert_eq!(r.json()["success"], true, "{}", r.text);
    r.json()["offer_code"].clone()
}

fn listed(api: &Api, product: &str) -> Vec<Value> {
    api.get(&format!("/v2/products/{product}/offer_codes"), Some(FULL))
        .json()["offer_codes"]
        .as_array()
        .unwrap()
        .clone()
}

fn side_door(api: &Api, route: &str, body: Value) -> (u16, Value) {
    let r = api.send(
        "POST",
        &format!("/__sandbox/offer_codes/{route}"),
        None,
        Body::Json(body),
    );
    (r.status, r.json())
}

#[test]
fn uses_count_up_to_the_limit_and_a_single_use_code_is_deleted_after_its_use() {
    let sb = start(40, 3);
    let api = Api::new(&sb);
    let product = plain_product(&sb.state(), "usd", 0);
    let three = create(&api, &product, "THREE", Some("3"));
    let once = create(&api, &product, "ONCE", Some("1"));
    let open = create(&api, &product, "OPEN", None);

    let (status, answer) = side_door(&api, "use", json!({"id": three["id"], "uses": 2}));
    assert_eq!(
        (status, &answer["times_used"], &answer["deleted"]),
        (200, &json!(2), &json!(false))
    );
    // One use left: two more are refused, and nothing is counted.
    let (status, answer) = side_door(&api, "use", json!({"id": three["id"], "uses": 2}));
    assert_eq!(status, 400);
    assert_eq!(answer["error"], "this code has 1 of its 3 uses left");
    let (status, answer) = side_door(&api, "use", json!({"id": three["id"]}));
    assert_eq!((status, &answer["times_used"]), (200, &json!(3)));
    // Used up, a code with more than one use stays listed (Gumroad keeps it).
    let (status, _) = side_door(&api, "use", json!({"id": three["id"]}));
    assert_eq!(status, 400);

    let (status, answer) = side_door(&api, "use", json!({"id": once["id"]}));
    assert_eq!(
        (status, &answer["times_used"], &answer["deleted"]),
        (200, &json!(1), &json!(true))
    );
    let (status, _) = side_door(&api, "use", json!({"id": once["id"]}));
    assert_eq!(status, 404);

    let (status, answer) = side_door(&api, "use", json!({"id": open["id"], "uses": 40}));
    assert_eq!((status, &answer["times_used"]), (200, &json!(40)));

    let names: Vec<(String, i64)> = listed(&api, &product)
        .iter()
        .filter(|c| !c["universal"].as_bool().unwrap())
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["times_used"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(names, [("THREE".to_owned(), 3), ("OPEN".to_owned(), 40)]);
    let kept = sb.state()["offer_codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == once["id"])
        .cloned()
        .unwrap();
    assert!(!kept["deleted_at"].is_null(), "soft-deleted, kept: {kept}");

    // The same through the Rust door.
    assert_eq!(
        sb.use_offer_code(open["id"].as_str().unwrap(), 2).unwrap()["times_used"],
        42
    );
    assert!(sb.use_offer_code("nope", 1).is_err());
}

#[test]
fn bad_requests_are_refused() {
    let sb = start(20, 3);
    let api = Api::new(&sb);
    let product = plain_product(&sb.state(), "usd", 0);
    let code = create(&api, &product, "X1", None);
    for body in [
        json!({}),
        json!({"id": code["id"], "uses": 0}),
        json!({"id": code["id"], "uses": "2"}),
    ] {
        let (status, _) = side_door(&api, "use", body.clone());
        assert_eq!(status, 400, "{body}");
    }
    let r = api.send(
        "POST",
        "/__sandbox/offer_codes/use?store=7",
        None,
        Body::Json(json!({"id": code["id"]})),
    );
    assert_eq!(r.status, 404);
    assert_eq!(
        listed(&api, &product)
            .iter()
            .find(|c| c["id"] == code["id"])
            .unwrap()["times_used"],
        0
    );
}

#[test]
fn a_default_discount_cannot_be_deleted() {
    let sb = start(40, 3);
    let api = Api::new(&sb);
    let product = plain_product(&sb.state(), "usd", 0);
    let code = create(&api, &product, "AUTO", None);
    let (status, answer) = side_door(&api, "default", json!({"id": code["id"]}));
    assert_eq!((status, &answer["defaultDiscount"]), (200, &json!(true)));
    let path = format!(
        "/v2/products/{product}/offer_codes/{}",
        code["id"].as_str().unwrap()
    );
    let r = api.send("DELETE", &path, Some(FULL), Body::None).json();
    assert_eq!(r["success"], false);
    assert_eq!(
        r["message"],
        "This discount code is currently set as the default discount for one or more active or archived products. Please remove it from all products before deleting."
    );
    assert!(listed(&api, &product).iter().any(|c| c["id"] == code["id"]));
    side_door(&api, "default", json!({"id": code["id"], "default": false}));
    assert_eq!(
        api.send("DELETE", &path, Some(FULL), Body::None).json()["success"],
        true
    );
    assert!(!listed(&api, &product).iter().any(|c| c["id"] == code["id"]));
}
