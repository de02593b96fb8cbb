//! Listings: the fields a listing audit reads, the category taxonomy, comparable prices,
//! and the listing rules `PUT /v2/products/:id` enforces (messages, nothing changed on
//! refusal), plus the seeded variety of listing quality.

mod common;

use bulkroad_sandbox::tokens::{FULL, NO_READ_SCOPE, READ_ONLY};
use common::{plain_product, start, Api};
use serde_json::{json, Value};

fn put(api: &Api, id: &str, pairs: &[(&str, &str)]) -> Value {
    let r = api.form("PUT", &format!("/v2/products/{id}"), FULL, pairs);
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

fn put_json(api: &Api, id: &str, body: Value) -> Value {
    let r = api.json("PUT", &format!("/v2/products/{id}"), FULL, body);
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

fn refused(message: &str) -> Value {
    json!({"success": false, "message": message})
}

fn comps(api: &Api, query: &str) -> Value {
    let r = api.get(&format!("/v2/products/comps?{query}"), Some(READ_ONLY));
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

#[test]
fn categories_list_every_category_with_its_path_and_parent() {
    let sb = start(5, 1);
    let api = Api::new(&sb);
    let j = api.get("/v2/categories", Some(READ_ONLY)).json();
    assert_eq!(j["success"], true);
    let all = j["categories"].as_array().unwrap();
    assert!(all.len() >= 30, "{}", all.len());
    let mut seen = std::collections::HashMap::new();
    for c in all {
        let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "label", "name", "parent_id", "path"], "{c}");
        let id = c["id"].as_i64().unwrap();
        let path = c["path"].as_str().unwrap();
        assert_eq!(path.rsplit('/').next().unwrap(), c["name"]);
        match c["parent_id"].as_i64() {
            None => assert!(!path.contains('/'), "{path}"),
            Some(parent) => {
                let parent_path: &String = seen.get(&parent).expect("parents come first");
                assert_eq!(
                    path,
                    format!("{parent_path}/{}", c["name"].as_str().unwrap())
                );
            }
        }
        seen.insert(id, path.to_string());
    }
    let figma = all
        .iter()
        .find(|c| c["path"] == "design/ui-and-web/figma")
        .unwrap();
    assert_eq!(
        figma,
        &json!({"id": 14, "name": "figma", "label": "Figma", "path": "design/ui-and-web/figma", "parent_id": 13})
    );
    for path in [
        "design",
        "education",
        "writing-and-publishing",
        "software-development",
        "3d",
        "drawing-and-painting/procreate",
    ] {
        assert!(all.iter().any(|c| c["path"] == path), "{path}");
    }
    // Any read scope; none is 401, a token without one 403.
    assert_eq!(api.get("/v2/categories", None).status, 401);
    assert_eq!(api.get("/v2/categories", Some(NO_READ_SCOPE)).status, 403);
    assert_eq!(api.get("/api/v2/categories", Some(FULL)).json(), j);
}

#[test]
fn products_carry_the_listing_fields_in_list_and_show() {
    let sb = start(25, 1);
    let api = Api::new(&sb);
    let listed = api.get("/v2/products", Some(READ_ONLY)).json()["products"].clone();
    for p in listed.as_array().unwrap() {
        let shown = api
            .get(
                &format!("/v2/products/{}", p["id"].as_str().unwrap()),
                Some(READ_ONLY),
            )
            .json()["product"]
            .clone();
        for item in [p, &shown] {
            for key in [
                "description",
                "custom_summary",
                "tags",
                "taxonomy_id",
                "category",
                "category_label",
                "covers",
                "main_cover_id",
                "thumbnail_url",
                "published",
            ] {
                assert!(item.get(key).is_some(), "{key} missing: {item}");
            }
            assert!(item.get("display_product_reviews").is_none());
            // Only with view_sales or account.
            assert!(item.get("sales_count").is_none());
            match item["taxonomy_id"].as_i64() {
                None => assert!(item["category"].is_null() && item["category_label"].is_null()),
                Some(_) => {
                    assert!(item["category"].is_string() && item["category_label"].is_string())
                }
            }
            for cover in item["covers"].as_array().unwrap() {
                let keys: Vec<&String> = cover.as_object().unwrap().keys().collect();
                assert_eq!(
                    keys,
                    [
                        "filetype",
                        "height",
                        "id",
                        "native_height",
                        "native_width",
                        "original_url",
                        "thumbnail",
                        "type",
                        "url",
                        "width"
                    ]
                );
            }
            assert_eq!(
                item["main_cover_id"],
                item["covers"]
                    .get(0)
                    .map_or(Value::Null, |c| c["id"].clone())
            );
        }
    }
    let with_sales = api.get("/v2/products", Some(FULL)).json();
    assert!(with_sales["products"][0]["sales_count"].is_i64());
}

#[test]
fn the_demo_store_has_every_kind_of_listing_problem() {
    let sb = start(25, 1);
    let state = sb.state();
    let products = common::products(&state);
    let count = |f: &dyn Fn(&Value) -> bool| products.iter().filter(|p| f(p)).count();
    assert!(count(&|p| p["taxonomy_id"].is_null()) >= 5);
    assert!(count(&|p| p["taxonomy_id"].is_i64()) >= 10);
    assert!(count(&|p| p["description"].is_null()) >= 3);
    assert!(count(&|p| p["description"] == "<p>Coming soon.</p>") >= 3);
    assert!(
        count(&|p| {
            p["description"].as_str().is_some_and(|d| {
                d.len() > 400 && d.contains("<ul>") && d.contains("<a href=") && d.contains("<p>")
            })
        }) >= 3
    );
    assert!(count(&|p| p["custom_summary"].is_null()) >= 5);
    assert!(
        count(&|p| p["custom_summary"]
            .as_str()
            .is_some_and(|s| s.chars().count() > 160))
            >= 3
    );
    assert!(count(&|p| p["tags"].as_array().unwrap().is_empty()) >= 3);
    assert!(
        count(&|p| {
            let tags = p["tags"].as_array().unwrap();
            tags.len() == 7 && tags.contains(&json!("#art")) && tags.contains(&json!("x"))
        }) >= 3
    );
    assert!(count(&|p| p["display_product_reviews"] == false) >= 2);
    assert!(count(&|p| p["covers"].as_array().unwrap().is_empty()) >= 3);
    // The same every time.
    assert_eq!(start(25, 1).state()["products"], state["products"]);
}

#[test]
fn comps_quartiles_count_descendants_and_leave_out_free_unpublished_and_other_currencies() {
    let sb = start(30, 1);
    let api = Api::new(&sb);
    let state = sb.state();
    let ids: Vec<String> = (0..4).map(|k| plain_product(&state, "usd", k)).collect();
    for (id, price) in ids.iter().zip(["1000", "2000", "3000", "4000"]) {
        let j = put(
            &api,
            id,
            &[
                ("price", price),
                ("category", "design/ui-and-web/figma"),
                ("tags[]", "zqxwidget"),
            ],
        );
        assert_eq!(j["success"], true, "{j}");
    }
    for taxonomy in ["design", "design/ui-and-web", "design/ui-and-web/figma"] {
        let j = comps(
            &api,
            &format!("taxonomy={taxonomy}&query=ZQXWIDGET&price_currency_type=usd"),
        );
        let c = &j["comps"];
        assert_eq!(j["success"], true);
        assert_eq!(c["count"], 4, "{taxonomy}: {j}");
        assert_eq!(c["currency"], "usd");
        assert_eq!(
            c["price_cents"],
            json!({"p25": 1750, "p50": 2500, "p75": 3250})
        );
        let examples = c["examples"].as_array().unwrap();
        assert_eq!(examples.len(), 4);
        for e in examples {
            let keys: Vec<&String> = e.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["name", "price", "url"]);
            assert!(e["url"]
                .as_str()
                .unwrap()
                .starts_with("https://sandboxstudio.gumroad.com/l/"));
        }
    }
    // Another branch of the tree holds none of them: zero, quartiles null.
    let j = comps(&api, "taxonomy=education&query=zqxwidget");
    assert_eq!(
        j["comps"],
        json!({"count": 0, "currency": "usd", "price_cents": {"p25": null, "p50": null, "p75": null}, "examples": []})
    );
    // Free and unpublished products leave the comparison.
    put(&api, &ids[0], &[("price", "0")]);
    let r = api.form(
        "PUT",
        &format!("/v2/products/{}/disable", ids[3]),
        FULL,
        &[],
    );
    assert_eq!(r.json()["success"], true);
    let j = comps(&api, "taxonomy=design&query=zqxwidget");
    assert_eq!(j["comps"]["count"], 2);
    assert_eq!(
        j["comps"]["price_cents"],
        json!({"p25": 2250, "p50": 2500, "p75": 2750})
    );
    // Priced in USD: nothing in EUR.
    let j = comps(
        &api,
        "taxonomy=design&query=zqxwidget&price_currency_type=EUR",
    );
    assert_eq!(j["comps"]["count"], 0);
    assert_eq!(j["comps"]["currency"], "eur");
}

#[test]
fn comps_of_a_category_include_its_descendants_and_are_the_same_every_time() {
    let sb = start(10, 1);
    let api = Api::new(&sb);
    let count = |taxonomy: &str| {
        comps(&api, &format!("taxonomy={taxonomy}"))["comps"]["count"]
            .as_u64()
            .unwrap()
    };
    let figma = count("design/ui-and-web/figma");
    let ui = count("design/ui-and-web");
    let design = count("design");
    assert!(figma > 0);
    assert!(ui > figma + count("design/ui-and-web/webflow"));
    assert!(design > ui + count("design/fonts") + count("design/graphics") + count("design/icons"));
    let all = count("");
    assert!(all > design);

    let j = comps(
        &api,
        "taxonomy=design/ui-and-web/figma&price_currency_type=usd",
    );
    let c = &j["comps"];
    let (p25, p50, p75) = (
        c["price_cents"]["p25"].as_i64().unwrap(),
        c["price_cents"]["p50"].as_i64().unwrap(),
        c["price_cents"]["p75"].as_i64().unwrap(),
    );
    assert!(0 < p25 && p25 <= p50 && p50 <= p75, "{c}");
    let examples = c["examples"].as_array().unwrap();
    assert!(!examples.is_empty() && examples.len() <= 5);
    assert!(examples.iter().all(|e| e["price"].as_i64().unwrap() > 0));
    assert_eq!(
        comps(
            &api,
            "taxonomy=design/ui-and-web/figma&price_currency_type=usd"
        ),
        j
    );
    // Another store, the same market.
    let other = start(10, 1);
    assert_eq!(
        comps(
            &Api::new(&other),
            "taxonomy=design/ui-and-web/figma&price_currency_type=usd"
        ),
        j
    );
    // A currency nobody prices in: nothing to compare.
    let j = comps(&api, "taxonomy=design&price_currency_type=czk");
    assert_eq!(
        j["comps"]["price_cents"],
        json!({"p25": null, "p50": null, "p75": null})
    );
}

#[test]
fn comps_refuse_unknown_categories_and_currencies() {
    let sb = start(5, 1);
    let api = Api::new(&sb);
    for taxonomy in ["nope", "design/", "Design", "design/figma"] {
        assert_eq!(
            comps(&api, &format!("taxonomy={taxonomy}")),
            refused("Invalid category."),
            "{taxonomy}"
        );
    }
    assert_eq!(
        comps(&api, "taxonomy=design&price_currency_type=XYZ"),
        refused("'XYZ' is not a supported currency.")
    );
    assert_eq!(api.get("/v2/products/comps", None).status, 401);
    assert_eq!(
        api.get("/v2/products/comps", Some(NO_READ_SCOPE)).status,
        403
    );
}

#[test]
fn category_updates_by_path_or_id_and_their_refusals() {
    let sb = start(12, 1);
    let api = Api::new(&sb);
    let id = plain_product(&sb.state(), "usd", 0);

    let j = put(&api, &id, &[("category", "drawing-and-painting/procreate")]);
    assert_eq!(j["success"], true);
    assert_eq!(j["product"]["taxonomy_id"], 18);
    assert_eq!(j["product"]["category"], "drawing-and-painting/procreate");
    assert_eq!(j["product"]["category_label"], "Procreate");

    let j = put_json(&api, &id, json!({"taxonomy_id": 14}));
    assert_eq!(j["product"]["category"], "design/ui-and-web/figma");
    let j = put(&api, &id, &[("taxonomy_id", "9")]);
    assert_eq!(
        (
            j["product"]["taxonomy_id"].clone(),
            j["product"]["category_label"].clone()
        ),
        (json!(9), json!("Design"))
    );

    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[("category", "design"), ("taxonomy_id", "9")],
            "Specify either category or taxonomy_id, not both.",
        ),
        (&[("category", "design/nope")], "Invalid category."),
        (&[("category", "Design")], "Invalid category."),
        (&[("taxonomy_id", "9999")], "Invalid taxonomy_id."),
        (&[("taxonomy_id", "abc")], "Invalid taxonomy_id."),
        (
            &[("category[]", "design")],
            "category must be a scalar value.",
        ),
    ];
    for (pairs, message) in cases {
        assert_eq!(put(&api, &id, pairs), refused(message), "{pairs:?}");
        assert_eq!(
            common::product(&sb.state(), &id)["taxonomy_id"],
            9,
            "{pairs:?}"
        );
    }
    // Checked before the product is looked up, as Gumroad's before_action does.
    assert_eq!(
        put(&api, "no-such-product", &[("category", "nope")]),
        refused("Invalid category.")
    );
    assert_eq!(
        put(&api, "no-such-product", &[("category", "design")]),
        refused("The product was not found.")
    );
    // A blank category alone changes nothing; a blank taxonomy_id clears the category.
    let j = put(&api, &id, &[("category", "")]);
    assert_eq!(j["product"]["taxonomy_id"], 9);
    let j = put(&api, &id, &[("taxonomy_id", "")]);
    assert_eq!(
        (
            j["product"]["taxonomy_id"].clone(),
            j["product"]["category"].clone(),
            j["product"]["category_label"].clone()
        ),
        (Value::Null, Value::Null, Value::Null)
    );
}

#[test]
fn tags_are_replaced_cleaned_and_refused_whole_when_a_new_one_breaks_the_rules() {
    let sb = start(12, 1);
    let api = Api::new(&sb);
    let id = plain_product(&sb.state(), "usd", 0);
    let j = put_json(
        &api,
        &id,
        json!({"tags": ["  Procreate ", "BRUSHES", "brushes", "digital   art"]}),
    );
    assert_eq!(
        j["product"]["tags"],
        json!(["procreate", "brushes", "digital art"])
    );
    let before = common::product(&sb.state(), &id);

    let too_short =
        "Name A tag is too short. Please try again with a longer one, above 2 characters.";
    let format = "Name A tag cannot start with hashes or contain commas.";
    let too_long =
        "Name A tag is too long. Please try again with a shorter one, under 20 characters.";
    let cases: [(Value, String); 5] = [
        (json!(["ok", "#art"]), format.to_string()),
        (json!(["a"]), format!("{too_short} and {format}")),
        (json!(["a,b"]), format.to_string()),
        (json!(["twenty-one-characters"]), too_long.to_string()),
        (json!(["fine", "#"]), format!("{too_short} and {format}")),
    ];
    for (tags, message) in cases {
        // Sent with a name change: the whole update is refused.
        let j = put_json(&api, &id, json!({"tags": tags, "name": "Renamed"}));
        assert_eq!(j, refused(&message), "{tags}");
        let now = common::product(&sb.state(), &id);
        assert_eq!(now["tags"], before["tags"]);
        assert_eq!(now["name"], before["name"]);
    }
    // 2 and 20 characters are fine.
    let j = put_json(&api, &id, json!({"tags": ["ui", "exactly-twenty-chars"]}));
    assert_eq!(j["product"]["tags"], json!(["ui", "exactly-twenty-chars"]));
}

#[test]
fn tags_a_product_already_has_are_not_validated_again() {
    let sb = start(25, 1);
    let api = Api::new(&sb);
    let state = sb.state();
    let old = common::products(&state)
        .into_iter()
        .find(|p| p["tags"].as_array().unwrap().contains(&json!("#art")))
        .unwrap();
    let id = old["id"].as_str().unwrap();
    let mut tags = old["tags"].clone();
    tags.as_array_mut().unwrap().push(json!("newtag"));
    let j = put_json(&api, id, json!({"tags": tags}));
    assert_eq!(j["success"], true, "{j}");
    assert_eq!(j["product"]["tags"], tags);
    // Dropping a bad tag is always possible.
    let j = put_json(&api, id, json!({"tags": ["design"]}));
    assert_eq!(j["product"]["tags"], json!(["design"]));
}

#[test]
fn names_summaries_adult_keywords_and_the_reviews_flag() {
    let sb = start(12, 1);
    let api = Api::new(&sb);
    let id = plain_product(&sb.state(), "usd", 0);
    let before = common::product(&sb.state(), &id);

    assert_eq!(
        put(&api, &id, &[("name", " ")]),
        refused("Name can't be blank")
    );
    let long = "é".repeat(256);
    assert_eq!(
        put(&api, &id, &[("name", &long)]),
        refused("Name is too long (maximum is 255 characters)")
    );
    for (key, value) in [
        ("name", "Free XXX pack"),
        ("name", "nsfw brushes"),
        ("description", "<p>The best <b>porn</b> ever</p>"),
    ] {
        assert_eq!(
            put(&api, &id, &[(key, value), ("custom_summary", "changed")]),
            refused("Adult keywords are not allowed"),
            "{value}"
        );
    }
    assert_eq!(
        put(&api, &id, &[("name", "")]),
        refused("Name can't be blank")
    );
    let now = common::product(&sb.state(), &id);
    for key in ["name", "description", "custom_summary"] {
        assert_eq!(now[key], before[key], "{key}");
    }
    // Whole words only: "Sussex" and "pornography-free" … the latter holds "pornography", not "porn".
    let j = put(
        &api,
        &id,
        &[("name", "Sussex Pornography-free Watercolors")],
    );
    assert_eq!(j["success"], true, "{j}");
    let j = put(&api, &id, &[("name", &"é".repeat(255))]);
    assert_eq!(j["product"]["name"], "é".repeat(255));

    let summary = "s".repeat(200);
    let j = put(&api, &id, &[("custom_summary", &summary)]);
    assert_eq!(j["product"]["custom_summary"], summary);
    let j = put_json(&api, &id, json!({"custom_summary": null}));
    assert!(j["product"]["custom_summary"].is_null());

    let j = put(&api, &id, &[("display_product_reviews", "false")]);
    assert_eq!(j["success"], true);
    assert!(j["product"].get("display_product_reviews").is_none());
    assert_eq!(
        common::product(&sb.state(), &id)["display_product_reviews"],
        false
    );
    put_json(&api, &id, json!({"display_product_reviews": true}));
    assert_eq!(
        common::product(&sb.state(), &id)["display_product_reviews"],
        true
    );
}
