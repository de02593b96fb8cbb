//! Several stores in one sandbox (`Config::stores`): each token sees and changes its own
//! store only, token info and `/v2/user` name its owner, the side door shows any store,
//! the request log says whose request it was, and store 0 is the one-store sandbox's.

mod common;

use std::collections::HashSet;

use bulkroad_sandbox::tokens::{self, FULL, READ_ONLY, STORE1_FULL, STORE1_READ_ONLY, STORE2_FULL};
use bulkroad_sandbox::{Config, Faults, Sandbox};
use common::{plain_product, products, Api, Body};
use serde_json::{json, Value};

fn start(stores: usize, sales: usize) -> Sandbox {
    Sandbox::start(Config {
        products: 25,
        sales,
        seed: 4,
        stores,
        ..Config::default()
    })
    .unwrap()
}

/// `timestamp` ("about 2 months ago") moves with the clock; everything else is fixed.
fn without_timestamps(sales: Value) -> Vec<Value> {
    let mut all = sales.as_array().unwrap().clone();
    for s in &mut all {
        s.as_object_mut().unwrap().remove("timestamp");
    }
    all
}

fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every product `/v2/products` lists for `token`, following the page keys.
fn listed_products(api: &Api, token: &str) -> Vec<String> {
    let mut all = Vec::new();
    let mut path = "/v2/products".to_string();
    loop {
        let page = api.get(&path, Some(token)).json();
        all.extend(ids(&page["products"]));
        match page["next_page_key"].as_str() {
            Some(key) => path = format!("/v2/products?page_key={key}"),
            None => return all,
        }
    }
}

fn side_door(sb: &Sandbox, path: &str) -> (u16, Value) {
    let res = Api::new(sb).get(path, None);
    (res.status, res.json())
}

#[test]
fn store_0_of_two_is_the_one_store_sandbox_store() {
    let alone = start(1, 1500);
    let two = start(2, 1500);
    assert_eq!(two.state(), alone.state());
    assert_eq!(two.state_of(0), alone.state());
    assert_eq!(
        without_timestamps(two.sales_of(0)),
        without_timestamps(alone.sales())
    );
    assert_eq!(two.subscribers(), alone.subscribers());
    // What store 0's tokens are answered is the same too.
    let (a, b) = (Api::new(&alone), Api::new(&two));
    for path in ["/v2/user", "/oauth/token/info", "/v2/products"] {
        assert_eq!(
            a.get(path, Some(FULL)).text,
            b.get(path, Some(FULL)).text,
            "{path}"
        );
    }
    // The tokens object keeps its one-store keys.
    let listed = two.tokens();
    for (name, token) in tokens::as_json().as_object().unwrap() {
        assert_eq!(&listed[name], token, "{name}");
    }
    assert_eq!(alone.tokens()["stores"].as_array().unwrap().len(), 1);
}

#[test]
fn a_store_1_token_sees_store_1_only() {
    let sb = start(2, 600);
    let api = Api::new(&sb);
    let (zero, one) = (sb.state_of(0), sb.state_of(1));
    let live = |state: &Value| -> HashSet<String> {
        products(state)
            .iter()
            .filter(|p| p["deleted_at"].is_null())
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    };
    let seen: HashSet<String> = listed_products(&api, STORE1_FULL).into_iter().collect();
    assert_eq!(seen, live(&one));
    assert!(seen.is_disjoint(&live(&zero)));
    assert_eq!(
        listed_products(&api, FULL)
            .into_iter()
            .collect::<HashSet<_>>(),
        live(&zero)
    );

    // Sales: the first page is store 1's newest ten.
    let page = api.get("/v2/sales", Some(STORE1_FULL)).json();
    let store_1_sales = sb.sales_of(1);
    let newest: Vec<String> = ids(&store_1_sales).into_iter().take(10).collect();
    assert_eq!(ids(&page["sales"]), newest);
    let store_0_sales: HashSet<String> = ids(&sb.sales_of(0)).into_iter().collect();
    assert!(ids(&store_1_sales)
        .iter()
        .all(|id| !store_0_sales.contains(id)));

    // Store 0's objects are not found with store 1's token, and the other way round.
    let product_0 = products(&zero)[0]["id"].as_str().unwrap().to_string();
    let answer = api
        .get(&format!("/v2/products/{product_0}"), Some(STORE1_FULL))
        .json();
    assert_eq!(answer["message"], "The product was not found.");
    let sale_0 = ids(&sb.sales_of(0))[0].clone();
    let answer = api
        .get(&format!("/v2/sales/{sale_0}"), Some(STORE1_FULL))
        .json();
    assert_eq!(answer["success"], false);
    let sale_1 = &newest[0];
    let answer = api.get(&format!("/v2/sales/{sale_1}"), Some(FULL)).json();
    assert_eq!(answer["success"], false);
    let answer = api
        .get(&format!("/v2/sales/{sale_1}"), Some(STORE1_FULL))
        .json();
    assert_eq!(answer["sale"]["id"], sale_1.as_str());
}

#[test]
fn a_write_with_a_store_1_token_changes_store_1_only() {
    let sb = start(2, 0);
    let api = Api::new(&sb);
    let zero_before = sb.state_of(0);
    let one = sb.state_of(1);
    let target = plain_product(&one, "usd", 0);

    let put = api.form(
        "PUT",
        &format!("/v2/products/{target}"),
        STORE1_FULL,
        &[("name", "Renamed in store 1")],
    );
    assert_eq!(put.json()["product"]["name"], "Renamed in store 1");
    let code = api.form(
        "POST",
        &format!("/v2/products/{target}/offer_codes"),
        STORE1_FULL,
        &[
            ("name", "STOREONE"),
            ("amount_off", "10"),
            ("offer_type", "percent"),
        ],
    );
    assert_eq!(code.json()["success"], true, "{}", code.text);

    let one_after = sb.state_of(1);
    assert_eq!(
        common::product(&one_after, &target)["name"],
        "Renamed in store 1"
    );
    assert!(one_after["offer_codes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "STOREONE"));
    assert_eq!(sb.state_of(0), zero_before);

    // Store 0's products are beyond store 1's tokens, and a read-only token writes nothing.
    let target_0 = plain_product(&zero_before, "usd", 0);
    let put = api.form(
        "PUT",
        &format!("/v2/products/{target_0}"),
        STORE1_FULL,
        &[("name", "Nope")],
    );
    assert_eq!(put.json()["message"], "The product was not found.");
    let put = api.form(
        "PUT",
        &format!("/v2/products/{target}"),
        STORE1_READ_ONLY,
        &[("name", "Nope")],
    );
    assert_eq!(put.status, 403);
    assert_eq!(sb.state_of(0), zero_before);
    assert_eq!(
        common::product(&sb.state_of(1), &target)["name"],
        "Renamed in store 1"
    );
}

#[test]
fn token_info_and_user_name_the_store_owner() {
    let sb = start(2, 0);
    let api = Api::new(&sb);
    let listed = sb.tokens()["stores"].clone();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[1]["index"], 1);
    assert_eq!(listed[1]["name"], "Second Store");
    assert_eq!(
        listed[1]["tokens"],
        json!({"full": STORE1_FULL, "read_only": STORE1_READ_ONLY})
    );
    assert_eq!(listed[0]["tokens"], tokens::as_json());

    for (store, token) in [(0, FULL), (1, STORE1_FULL), (1, STORE1_READ_ONLY)] {
        let info = api.get("/oauth/token/info", Some(token)).json();
        assert_eq!(
            info["resource_owner_id"],
            listed[store]["resource_owner_id"]
        );
        let user = api.get("/v2/user", Some(token)).json();
        assert_eq!(user["user"]["user_id"], listed[store]["user_id"], "{store}");
        assert_eq!(user["user"]["name"], listed[store]["name"]);
    }
    assert_ne!(listed[0]["user_id"], listed[1]["user_id"]);
    assert_ne!(
        listed[0]["resource_owner_id"],
        listed[1]["resource_owner_id"]
    );
    let user = api.get("/v2/user", Some(STORE1_FULL)).json();
    assert_eq!(user["user"]["email"], "second@example.com");
    assert_eq!(user["user"]["url"], "https://secondstore.gumroad.com");

    // A store the sandbox does not serve: its tokens are unknown.
    let info = api.get("/oauth/token/info", Some(STORE2_FULL));
    assert_eq!(info.status, 401);
    assert_eq!(
        info.json()["error_description"],
        "The access token is invalid"
    );
}

#[test]
fn the_request_log_names_store_and_token_label() {
    let sb = start(2, 0);
    let api = Api::new(&sb);
    api.get("/v2/user", Some(FULL));
    api.get("/v2/user", Some(STORE1_FULL));
    api.get("/v2/user", Some(STORE1_READ_ONLY));
    api.get(&format!("/v2/user?access_token={STORE1_FULL}"), None);
    api.get("/v2/user", Some(tokens::REVOKED));
    api.get("/v2/user", Some(STORE2_FULL));
    api.get("/v2/user", Some("not-a-token"));
    api.get("/v2/user", None);
    let log = sb.requests();
    let seen: Vec<(Option<usize>, Option<&str>, Option<u16>)> = log
        .iter()
        .map(|r| (r.store, r.token.as_deref(), r.status))
        .collect();
    assert_eq!(
        seen,
        vec![
            (Some(0), Some("full"), Some(200)),
            (Some(1), Some("store1.full"), Some(200)),
            (Some(1), Some("store1.read_only"), Some(200)),
            (Some(1), Some("store1.full"), Some(200)),
            (Some(0), Some("revoked"), Some(401)),
            (None, None, Some(401)),
            (None, None, Some(401)),
            (None, None, Some(401)),
        ]
    );
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));

    // Over HTTP: labels, never the tokens themselves.
    let (status, served) = side_door(&sb, "/__sandbox/requests");
    assert_eq!(status, 200);
    assert_eq!(served[1]["store"], 1);
    assert_eq!(served[1]["token"], "store1.full");
    assert_eq!(served[7]["store"], Value::Null);
    assert_eq!(served[7]["token"], Value::Null);
}

#[test]
fn faults_are_global_and_the_side_door_picks_a_store() {
    let sb = start(2, 300);
    let api = Api::new(&sb);

    assert_eq!(side_door(&sb, "/__sandbox/state?store=1").1, sb.state_of(1));
    assert_eq!(side_door(&sb, "/__sandbox/state").1, sb.state_of(0));
    assert_ne!(sb.state_of(1), sb.state_of(0));
    let (_, sales) = side_door(&sb, "/__sandbox/sales?store=1");
    assert_eq!(ids(&sales), ids(&sb.sales_of(1)));
    let (_, subscribers) = side_door(&sb, "/__sandbox/subscribers?store=1");
    assert_eq!(subscribers, sb.subscribers_of(1));
    for (path, want) in [
        ("/__sandbox/state?store=2", 404),
        ("/__sandbox/sales?store=9", 404),
        ("/__sandbox/subscribers?store=one", 400),
    ] {
        assert_eq!(side_door(&sb, path).0, want, "{path}");
    }

    // One set of faults for every store.
    sb.set_faults(Faults {
        rate_429: 1.0,
        ..Faults::default()
    });
    assert_eq!(api.get("/v2/user", Some(STORE1_FULL)).status, 429);
    assert_eq!(api.get("/v2/user", Some(FULL)).status, 429);
    sb.set_faults(Faults::default());

    // Reset: more stores, then back to the start config's two.
    let reset = |body: Value| {
        api.send("POST", "/__sandbox/reset", None, Body::Json(body))
            .json()
    };
    assert_eq!(
        reset(json!({"stores": 3, "sales": 0})),
        json!({"reset": true, "products": 25, "sales": 0, "seed": 4, "stores": 3})
    );
    assert_eq!(sb.stores(), 3);
    assert_eq!(
        api.get("/v2/user", Some(STORE2_FULL)).json()["user"]["name"],
        "Third Store"
    );
    assert_eq!(sb.tokens()["stores"].as_array().unwrap().len(), 3);
    let answer = api.send(
        "POST",
        "/__sandbox/reset",
        None,
        Body::Json(json!({"stores": 5})),
    );
    assert_eq!(answer.status, 400);
    reset(json!({}));
    assert_eq!(sb.stores(), 2);
    assert_eq!(api.get("/v2/user", Some(STORE2_FULL)).status, 401);
    assert_eq!(sb.state_of(1)["sales_count"], 300);
}

#[test]
fn stores_outside_one_to_four_do_not_start() {
    for stores in [0, tokens::MAX_STORES + 1] {
        let err = Sandbox::start(Config {
            stores,
            ..Config::default()
        })
        .err()
        .expect("refused");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
    // Every store's tokens differ from every other's.
    let all: HashSet<&str> = tokens::FULL_BY_STORE
        .iter()
        .chain(tokens::READ_ONLY_BY_STORE.iter())
        .copied()
        .collect();
    assert_eq!(all.len(), 2 * tokens::MAX_STORES);
    assert!(all.contains(READ_ONLY));
}

#[test]
fn the_binary_lists_its_stores_beside_store_0s_tokens() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_bulkroad-sandbox"))
        .args(["--products", "5", "--stores", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let started: Value = serde_json::from_str(line.trim()).unwrap();
    // `tokens` keeps its one-store shape (store 0's five tokens); `stores` sits beside it.
    assert_eq!(started["tokens"], tokens::as_json());
    let stores = started["stores"].as_array().unwrap();
    assert_eq!(stores.len(), 2);
    assert_eq!(stores[1]["tokens"]["full"], STORE1_FULL);
    assert_eq!(stores[1]["name"], "Second Store");
}
