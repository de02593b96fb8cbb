//! Tokens, scopes and the exact shapes of 401/403, token info, user, CORS and unknown routes.

mod common;

use bulkroad_sandbox::tokens;
use common::{start, Api, Body};
use serde_json::Value;

const INVALID: &str = r#"Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token is invalid""#;
const REVOKED: &str = r#"Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token was revoked""#;

#[test]
fn bad_tokens_get_401_with_empty_body_and_doorkeeper_headers() {
    let sb = start(5, 1);
    let api = Api::new(&sb);
    let cases: [(Option<&str>, &str); 4] = [
        (None, INVALID),
        (Some("not-a-token"), INVALID),
        (Some(""), INVALID),
        (Some(tokens::REVOKED), REVOKED),
    ];
    for (token, www) in cases {
        let r = api.get("/v2/products", token);
        assert_eq!(r.status, 401, "{token:?}");
        assert_eq!(r.text, "", "{token:?}");
        assert_eq!(
            r.header("www-authenticate").as_deref(),
            Some(www),
            "{token:?}"
        );
        assert_eq!(
            r.header("cache-control").as_deref(),
            Some("no-store, no-cache")
        );
        assert_eq!(
            r.header("access-control-allow-origin").as_deref(),
            Some("*")
        );
        assert_eq!(
            r.header("access-control-expose-headers").as_deref(),
            Some("WWW-Authenticate")
        );
    }
}

#[test]
fn tokens_without_an_accepted_scope_get_403_with_empty_body_and_no_www_authenticate() {
    let sb = start(5, 1);
    let api = Api::new(&sb);
    let id = common::products(&sb.state())[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cases = [
        ("GET", "/v2/products".to_string(), tokens::NO_READ_SCOPE),
        ("GET", "/v2/user".to_string(), tokens::NO_READ_SCOPE),
        ("PUT", format!("/v2/products/{id}"), tokens::READ_ONLY),
        (
            "POST",
            format!("/v2/products/{id}/offer_codes"),
            tokens::READ_ONLY,
        ),
        (
            "PUT",
            format!("/v2/products/{id}/disable"),
            tokens::READ_ONLY,
        ),
    ];
    for (method, path, token) in cases {
        let r = api.send(
            method,
            &path,
            Some(token),
            Body::Form(&[("name", "x"), ("amount_off", "1")]),
        );
        assert_eq!(r.status, 403, "{method} {path}");
        assert_eq!(r.text, "");
        assert_eq!(r.header("www-authenticate"), None);
        assert_eq!(
            r.header("cache-control").as_deref(),
            Some("no-store, no-cache")
        );
    }
}

#[test]
fn account_scope_passes_every_check_and_offer_code_reads_accept_edit_emails() {
    let sb = start(5, 1);
    let api = Api::new(&sb);
    let id = common::products(&sb.state())[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = api.form(
        "PUT",
        &format!("/v2/products/{id}"),
        tokens::ACCOUNT,
        &[("name", "Renamed")],
    );
    assert_eq!(r.json()["success"], true);
    // The offer-code controller accepts all public scopes, edit_emails included (contract §2.2).
    let r = api.get(
        &format!("/v2/products/{id}/offer_codes"),
        Some(tokens::NO_READ_SCOPE),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["success"], true);
}

#[test]
fn access_token_parameter_works_like_the_header_and_is_logged() {
    let sb = start(5, 1);
    let api = Api::new(&sb);
    let r = api.get(&format!("/v2/user?access_token={}", tokens::FULL), None);
    assert_eq!(r.status, 200);
    let log = sb.requests();
    let last = log.last().unwrap();
    assert_eq!(last.authorization, None);
    assert!(last.query.contains(tokens::FULL));
    assert_eq!(last.url, format!("/v2/user?access_token={}", tokens::FULL));

    api.get("/v2/user", Some(tokens::FULL));
    let last = sb.requests().last().unwrap().clone();
    assert_eq!(last.authorization, Some(format!("Bearer {}", tokens::FULL)));
    assert_eq!(last.status, Some(200));
    assert_eq!(last.fault, None);
}

#[test]
fn token_info_reports_scopes_and_answers_401_json_for_bad_tokens() {
    let sb = start(5, 1);
    let api = Api::new(&sb);
    let r = api.get("/oauth/token/info", Some(tokens::FULL));
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json; charset=utf-8")
    );
    let j = r.json();
    assert_eq!(
        j["scope"],
        serde_json::json!(["edit_products", "view_sales", "view_profile"])
    );
    assert!(j["resource_owner_id"].is_i64());
    assert!(j["expires_in"].is_null());
    assert_eq!(j["application"]["uid"].as_str().unwrap().len(), 43);
    assert!(j["created_at"].is_i64());

    for (token, description) in [
        (tokens::REVOKED, "The access token was revoked"),
        ("junk", "The access token is invalid"),
    ] {
        let r = api.get("/oauth/token/info", Some(token));
        assert_eq!(r.status, 401);
        assert_eq!(
            r.json(),
            serde_json::json!({"error": "invalid_token", "error_description": description})
        );
        assert!(r.header("www-authenticate").unwrap().contains(description));
    }
}

#[test]
fn user_fields_depend_on_scopes() {
    let sb = start(5, 1);
    let api = Api::new(&sb);
    let user = |token| -> Value { api.get("/v2/user", Some(token)).json()["user"].clone() };

    let full = user(tokens::FULL);
    for key in [
        "name",
        "bio",
        "twitter_handle",
        "currency_type",
        "id",
        "user_id",
        "url",
        "links",
        "profile_url",
        "email",
        "display_name",
    ] {
        assert!(full.get(key).is_some(), "FULL lacks {key}");
    }
    // Full set keeps nil values; the reduced set compacts name/bio/twitter_handle.
    assert!(full["twitter_handle"].is_null());

    let account = user(tokens::ACCOUNT);
    for key in [
        "email",
        "currency_type",
        "profile_url",
        "display_name",
        "twitter_handle",
    ] {
        assert!(account.get(key).is_none(), "ACCOUNT shows {key}");
    }
    for key in ["name", "bio", "id", "user_id", "url", "links"] {
        assert!(account.get(key).is_some(), "ACCOUNT lacks {key}");
    }

    let read_only = user(tokens::READ_ONLY);
    assert!(read_only.get("email").is_some() && read_only.get("display_name").is_some());
}

#[test]
fn sales_fields_appear_only_for_view_sales_or_account() {
    let sb = start(5, 1);
    let api = Api::new(&sb);
    let cases = [
        (tokens::FULL, true),
        (tokens::ACCOUNT, true),
        (tokens::READ_ONLY, false),
    ];
    for (token, shown) in cases {
        let list = api.get("/v2/products", Some(token)).json();
        let first = &list["products"][0];
        assert_eq!(first.get("sales_count").is_some(), shown, "{token}");
        assert_eq!(first.get("sales_usd_cents").is_some(), shown, "{token}");
    }
}

#[test]
fn preflights_are_answered_and_unknown_routes_are_json_404() {
    let sb = start(5, 1);
    let api = Api::new(&sb);
    let r = api.send("OPTIONS", "/v2/products/abc", None, Body::None);
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    let methods = r.header("access-control-allow-methods").unwrap();
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(m), "{m}");
    }
    let headers = r
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    assert!(headers.contains("authorization") && headers.contains("content-type"));

    for path in ["/v2/nope", "/v2/products/abc/nope", "/elsewhere"] {
        let r = api.get(path, Some(tokens::FULL));
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(
            r.json(),
            serde_json::json!({"success": false, "error": "Not found"})
        );
    }
    let r = api.send("POST", "/v2/user", Some(tokens::FULL), Body::None);
    assert_eq!(r.status, 404);
}

#[test]
fn tokens_endpoint_matches_the_public_constants() {
    let sb = start(1, 1);
    let api = Api::new(&sb);
    let j = api.get("/__sandbox/tokens", None).json();
    assert_eq!(j["full"], tokens::FULL);
    assert_eq!(j["read_only"], tokens::READ_ONLY);
    assert_eq!(j["account"], tokens::ACCOUNT);
    assert_eq!(j["no_read_scope"], tokens::NO_READ_SCOPE);
    assert_eq!(j["revoked"], tokens::REVOKED);
}
