//! Injected faults, Gumroad's throttle, the inspection endpoints, reset and determinism.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use bulkroad_sandbox::tokens::FULL;
use bulkroad_sandbox::{Config, DropPhase, Faults, HostileKind, Sandbox};
use common::{plain_product, start, Api, Body};
use serde_json::json;

fn rename(api: &Api, id: &str, name: &str) -> Result<common::Resp, reqwest::Error> {
    api.try_send(
        "PUT",
        &format!("/v2/products/{id}"),
        Some(FULL),
        Body::Form(&[("name", name)]),
    )
}

fn name_of(sb: &Sandbox, id: &str) -> String {
    common::product(&sb.state(), id)["name"]
        .as_str()
        .unwrap()
        .to_string()
}

fn assert_rack_attack_429(r: &common::Resp) {
    assert_eq!(r.status, 429);
    assert_eq!(r.header("content-type").as_deref(), Some("text/plain"));
    assert_eq!(r.text, "Retry later\n");
    assert_eq!(r.header("retry-after"), None);
}

#[test]
fn thirty_first_put_on_a_product_within_a_minute_is_throttled() {
    let sb = start(10, 1);
    let api = Api::new(&sb);
    let id = plain_product(&sb.state(), "usd", 0);
    for i in 0..30 {
        let r = rename(&api, &id, &format!("Name {i}")).unwrap();
        assert_eq!(r.status, 200, "request {i}");
    }
    let r = rename(&api, &id, "Name 30").unwrap();
    assert_rack_attack_429(&r);
    assert_eq!(
        name_of(&sb, &id),
        "Name 29",
        "the throttled request was not applied"
    );
    let last = sb.requests().last().unwrap().clone();
    assert_eq!(
        (last.status, last.fault.as_deref()),
        (Some(429), Some("throttled"))
    );

    // PATCH is counted separately, other products and other endpoints are unaffected.
    let r = api.form(
        "PATCH",
        &format!("/v2/products/{id}"),
        FULL,
        &[("name", "Patched")],
    );
    assert_eq!(r.status, 200);
    let other = plain_product(&sb.state(), "usd", 1);
    assert_eq!(rename(&api, &other, "Other").unwrap().status, 200);
    assert_eq!(
        api.get(&format!("/v2/products/{id}"), Some(FULL)).status,
        200
    );

    // A reset clears the counters.
    sb.reset();
    assert_eq!(rename(&api, &id, "After reset").unwrap().status, 200);
}

#[test]
fn throttle_can_be_switched_off() {
    let sb = Sandbox::start(Config {
        products: 5,
        throttle: false,
        ..Config::default()
    })
    .unwrap();
    let api = Api::new(&sb);
    let id = common::products(&sb.state())[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 0..40 {
        assert_eq!(rename(&api, &id, &format!("N{i}")).unwrap().status, 200);
    }
}

#[test]
fn rate_429_of_one_answers_every_api_request_with_rack_attack_429_and_spares_the_side_door() {
    let sb = start(5, 1);
    let api = Api::new(&sb);
    sb.set_faults(Faults {
        rate_429: 1.0,
        ..Faults::default()
    });
    for path in ["/v2/products", "/v2/user", "/oauth/token/info"] {
        assert_rack_attack_429(&api.get(path, Some(FULL)));
    }
    assert_eq!(api.get("/__sandbox/state", None).status, 200);
    let log = sb.requests();
    assert_eq!(log.len(), 3);
    assert!(log
        .iter()
        .all(|r| r.fault.as_deref() == Some("429") && r.status == Some(429)));
}

#[test]
fn rate_5xx_of_one_answers_html_server_errors_without_applying() {
    let sb = start(5, 1);
    let api = Api::new(&sb);
    let id = common::products(&sb.state())[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = name_of(&sb, &id);
    sb.set_faults(Faults {
        rate_5xx: 1.0,
        seed: 9,
        ..Faults::default()
    });
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..30 {
        let r = rename(&api, &id, &format!("x{i}")).unwrap();
        assert!([500, 502, 503].contains(&r.status), "{}", r.status);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert!(r.text.contains("<html>"));
        seen.insert(r.status);
    }
    assert_eq!(seen.len(), 3, "all three statuses show up");
    assert_eq!(name_of(&sb, &id), before);
    assert!(sb
        .requests()
        .iter()
        .all(|r| r.fault.as_deref() == Some("5xx")));
}

#[test]
fn dropped_connections_get_no_answer_and_apply_only_after_the_drop_point() {
    let sb = start(5, 1);
    let api = Api::new(&sb);
    let id = common::products(&sb.state())[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = name_of(&sb, &id);

    sb.set_faults(Faults {
        rate_drop: 1.0,
        drop_phase: DropPhase::Before,
        ..Faults::default()
    });
    assert!(rename(&api, &id, "Before drop").is_err());
    assert_eq!(name_of(&sb, &id), before, "dropped before: nothing applied");

    sb.set_faults(Faults {
        rate_drop: 1.0,
        drop_phase: DropPhase::After,
        ..Faults::default()
    });
    assert!(rename(&api, &id, "After drop").is_err());
    assert_eq!(
        name_of(&sb, &id),
        "After drop",
        "dropped after: the write happened"
    );

    let log = sb.requests();
    let faults: Vec<_> = log.iter().map(|r| (r.fault.clone(), r.status)).collect();
    assert_eq!(
        faults,
        vec![
            (Some("drop_before".into()), None),
            (Some("drop_after".into()), None)
        ]
    );

    // At the socket level: not a single byte comes back before the close.
    sb.set_faults(Faults {
        rate_drop: 1.0,
        drop_phase: DropPhase::Before,
        ..Faults::default()
    });
    let mut raw = TcpStream::connect(sb.url().trim_start_matches("http://")).unwrap();
    raw.write_all(b"GET /v2/user HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        .unwrap();
    let mut received = Vec::new();
    let _ = raw.read_to_end(&mut received);
    assert!(
        received.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&received)
    );

    sb.set_faults(Faults::default());
    assert_eq!(rename(&api, &id, "Healthy").unwrap().status, 200);
}

#[test]
fn either_phase_mixes_both_kinds_of_drop() {
    let sb = start(3, 1);
    let api = Api::new(&sb);
    sb.set_faults(Faults {
        rate_drop: 1.0,
        seed: 4,
        ..Faults::default()
    });
    for _ in 0..20 {
        assert!(api
            .try_send("GET", "/v2/user", Some(FULL), Body::None)
            .is_err());
    }
    let kinds: std::collections::BTreeSet<_> = sb
        .requests()
        .iter()
        .filter_map(|r| r.fault.clone())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        vec!["drop_after", "drop_before"]
    );
}

#[test]
fn hostile_answers_replace_successful_reads_only_and_are_logged() {
    let sb = start(12, 1);
    let api = Api::new(&sb);
    let id = plain_product(&sb.state(), "usd", 0);
    let healthy = api.get("/v2/products", Some(FULL)).text;
    sb.set_faults(Faults {
        rate_hostile: 1.0,
        seed: 5,
        ..Faults::default()
    });
    let mut labels = std::collections::BTreeSet::new();
    for _ in 0..40 {
        let r = api.get("/v2/products", Some(FULL));
        assert_eq!(r.status, 200);
        assert_ne!(r.text, healthy);
        // Whatever it is, it is not a list of ten products with their prices.
        let listed = serde_json::from_str::<serde_json::Value>(&r.text)
            .ok()
            .and_then(|j| j["products"].as_array().cloned())
            .unwrap_or_default();
        assert!(
            listed.len() < 10
                || listed
                    .iter()
                    .any(|p| !p["price"].is_i64() || p["id"].is_null()),
            "{}",
            &r.text[..r.text.len().min(200)]
        );
        labels.insert(sb.requests().last().unwrap().fault.clone().unwrap());
    }
    assert_eq!(labels.len(), HostileKind::ALL.len(), "{labels:?}");

    // Writes are applied and answered as usual; error answers are left as they are.
    let r = rename(&api, &id, "Still written").unwrap();
    assert_eq!(
        (r.status, r.json()["product"]["name"].clone()),
        (200, json!("Still written"))
    );
    assert_eq!(name_of(&sb, &id), "Still written");
    let missing = api.get("/v2/products/nope", Some(FULL)).json();
    assert_eq!(
        missing,
        json!({"success": false, "message": "The product was not found."})
    );
    assert_eq!(api.get("/v2/products", Some("bad-token")).status, 401);
    let log = sb.requests();
    let tail: Vec<_> = log[log.len() - 3..]
        .iter()
        .map(|r| (r.method.as_str(), r.fault.clone()))
        .collect();
    assert_eq!(tail, [("PUT", None), ("GET", None), ("GET", None)]);

    // Narrowed to one kind, over HTTP like the other faults.
    let r = api.send(
        "POST",
        "/__sandbox/faults",
        None,
        Body::Json(json!({"rate_hostile": 1.0, "hostile": ["bare_success"]})),
    );
    assert_eq!(r.json()["hostile"], json!(["bare_success"]));
    assert_eq!(
        api.get("/v2/user", Some(FULL)).json(),
        json!({"success": true})
    );
    assert_eq!(
        sb.requests().last().unwrap().fault.as_deref(),
        Some("hostile_bare_success")
    );
}

#[test]
fn latency_delays_api_answers() {
    let sb = start(3, 1);
    let api = Api::new(&sb);
    sb.set_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    });
    let t = Instant::now();
    assert_eq!(api.get("/v2/user", Some(FULL)).status, 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[test]
fn faults_can_be_read_and_set_over_http() {
    let sb = start(3, 1);
    let api = Api::new(&sb);
    let r = api.send(
        "POST",
        "/__sandbox/faults",
        None,
        Body::Json(json!({"rate_429": 1.0, "latency_ms": 1})),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["rate_429"], 1.0);
    assert_eq!(sb.faults().rate_429, 1.0);
    assert_eq!(api.get("/v2/user", Some(FULL)).status, 429);
    let got = api.get("/__sandbox/faults", None).json();
    assert_eq!(
        got,
        json!({"latency_ms": 1, "rate_429": 1.0, "rate_5xx": 0.0, "rate_drop": 0.0, "drop_phase": "either", "seed": 0})
    );
    assert_eq!(
        api.send(
            "POST",
            "/__sandbox/faults",
            None,
            Body::Json(json!({"rate_429": "lots"}))
        )
        .status,
        400
    );
}

#[test]
fn request_log_records_requests_and_can_be_cleared_over_http() {
    let sb = start(3, 1);
    let api = Api::new(&sb);
    let id = common::products(&sb.state())[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.form(
        "PUT",
        &format!("/v2/products/{id}?x=1"),
        FULL,
        &[("name", "A & B")],
    );
    let log = api.get("/__sandbox/requests", None).json();
    let entry = &log[0];
    assert_eq!(entry["seq"], 1);
    assert_eq!(entry["method"], "PUT");
    assert_eq!(entry["path"], format!("/v2/products/{id}"));
    assert_eq!(entry["query"], "x=1");
    assert_eq!(entry["url"], format!("/v2/products/{id}?x=1"));
    assert_eq!(entry["body"], "name=A+%26+B");
    assert_eq!(entry["authorization"], format!("Bearer {FULL}"));
    assert_eq!(entry["status"], 200);
    assert!(entry["fault"].is_null());
    assert_eq!(
        api.send("DELETE", "/__sandbox/requests", None, Body::None)
            .json(),
        json!({"cleared": 1})
    );
    assert_eq!(api.get("/__sandbox/requests", None).json(), json!([]));
    api.get("/v2/user", Some(FULL));
    assert_eq!(sb.requests()[0].seq, 2, "sequence numbers keep counting");
}

#[test]
fn reset_restores_the_seeded_store_and_clears_the_log() {
    let sb = start(20, 5);
    let api = Api::new(&sb);
    let initial = sb.state();
    let id = plain_product(&initial, "usd", 0);
    rename(&api, &id, "Changed").unwrap();
    api.form(
        "POST",
        &format!("/v2/products/{id}/offer_codes"),
        FULL,
        &[
            ("name", "NEWCODE"),
            ("amount_off", "10"),
            ("offer_type", "percent"),
        ],
    );
    sb.set_faults(Faults {
        rate_429: 1.0,
        ..Faults::default()
    });
    assert_ne!(sb.state(), initial);
    let r = api.send("POST", "/__sandbox/reset", None, Body::None);
    assert_eq!(r.status, 200);
    assert_eq!(sb.state(), initial);
    assert!(sb.requests().is_empty());
    assert_eq!(
        sb.faults(),
        Faults::default(),
        "reset restores the start faults"
    );
}

#[test]
fn same_seed_builds_the_same_store_and_another_seed_a_different_one() {
    let a = start(50, 7);
    let b = start(50, 7);
    let c = start(50, 8);
    assert_eq!(a.state(), b.state());
    assert_ne!(a.state(), c.state());
    let api_a = Api::new(&a);
    let api_b = Api::new(&b);
    assert_eq!(
        api_a.get("/v2/products", Some(FULL)).text,
        api_b.get("/v2/products", Some(FULL)).text
    );
}

#[test]
fn a_thousand_products_seed_and_page_quickly() {
    let t = Instant::now();
    let sb = start(1000, 2);
    let api = Api::new(&sb);
    let mut path = "/v2/products".to_string();
    let mut count = 0;
    loop {
        let j = api.get(&path, Some(FULL)).json();
        count += j["products"].as_array().unwrap().len();
        match j["next_page_url"].as_str() {
            Some(next) => path = next.to_string(),
            None => break,
        }
    }
    assert_eq!(count, 1000);
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
}

#[test]
fn stopping_frees_the_port() {
    let sb = start(1, 1);
    let port = sb.port();
    drop(sb);
    let again = Sandbox::start(Config {
        products: 1,
        port,
        ..Config::default()
    })
    .unwrap();
    assert_eq!(again.url(), format!("http://127.0.0.1:{port}"));
}
