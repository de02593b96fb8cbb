//! Tokens the OAuth server issued: refresh rotation, expiry, revocation (by the client
//! and by the seller removing the app), CORS on the token endpoint, confidential
//! applications and the side door (contract §3.4, §3.5; additions §1).

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bulkroad_sandbox::tokens::APPLICATION_UID;
use common::oauth::{assert_error, pkce_params, start, value, REDIRECT, VERIFIER};
use serde_json::{json, Value};

fn www(description: &str) -> String {
    format!(
        r#"Bearer realm="Doorkeeper", error="invalid_token", error_description="{description}""#
    )
}

fn token(t: &Value, key: &str) -> String {
    t[key].as_str().unwrap().to_string()
}

#[test]
fn refresh_rotates_and_revokes_the_old_pair_at_once() {
    let o = start(2);
    let first = o.sign_in(1);
    let res = o.refresh(&token(&first, "refresh_token"));
    assert_eq!(res.status, 200, "{}", res.text);
    let second = res.json();
    assert_ne!(second["access_token"], first["access_token"]);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(second["scope"], first["scope"]);

    assert_error(
        &o.refresh(&token(&first, "refresh_token")),
        400,
        "invalid_grant",
    );
    let old = o.get("/v2/user", Some(&token(&first, "access_token")));
    assert_eq!((old.status, old.text.as_str()), (401, ""));
    assert_eq!(
        old.header("www-authenticate"),
        Some(www("The access token was revoked"))
    );
    let new = o.get("/v2/user", Some(&token(&second, "access_token")));
    assert_eq!(new.status, 200);
    assert_eq!(
        o.sb.requests().last().unwrap().token.as_deref(),
        Some("issued.2")
    );
    assert_eq!(o.sb.requests().last().unwrap().store, Some(1));

    // A narrower scope may be asked for, a wider one not; the client must be the token's.
    let refresh = token(&second, "refresh_token");
    let form = |extra: &[(&'static str, &'static str)]| {
        let mut f = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ];
        f.extend_from_slice(extra);
        o.post("/oauth/token", &f)
    };
    assert_error(&form(&[]), 400, "invalid_grant");
    assert_error(
        &form(&[("client_id", "unknown-client")]),
        401,
        "invalid_client",
    );
    assert_error(
        &form(&[("client_id", APPLICATION_UID), ("scope", "account")]),
        400,
        "invalid_scope",
    );
    let narrower = form(&[("client_id", APPLICATION_UID), ("scope", "view_profile")]);
    assert_eq!(narrower.json()["scope"], "view_profile");
    assert_error(&o.refresh("never-issued"), 400, "invalid_grant");
}

#[test]
fn of_two_concurrent_refreshes_exactly_one_wins() {
    let o = start(1);
    let refresh = token(&o.sign_in(0), "refresh_token");
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..2)
            .map(|_| s.spawn(|| o.refresh(&refresh).status))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(sorted, [200, 400], "{statuses:?}");
}

#[test]
fn expiring_tokens_say_so_and_expire() {
    let o = start(1);
    let state = o.side(
        "POST",
        "/__sandbox/oauth",
        json!({"access_token_expires_in": 60}),
    );
    assert_eq!(state["access_token_expires_in"], 60);
    let t = o.sign_in(0);
    assert_eq!(t["expires_in"], 60);
    let access = token(&t, "access_token");
    let info = o.get("/oauth/token/info", Some(&access)).json();
    assert!(
        (59..=60).contains(&info["expires_in"].as_i64().unwrap()),
        "{info}"
    );

    o.side("POST", "/__sandbox/oauth", json!({"advance_seconds": 61}));
    let user = o.get("/v2/user", Some(&access));
    assert_eq!(user.status, 401);
    assert_eq!(
        user.header("www-authenticate"),
        Some(www("The access token expired"))
    );
    let info = o.get("/oauth/token/info", Some(&access));
    assert_eq!(info.status, 401);
    assert_eq!(
        info.json(),
        json!({"error": "invalid_token", "error_description": "The access token expired"})
    );
    let listed = o.side("GET", "/__sandbox/oauth", json!(null));
    assert_eq!(
        (
            &listed["issued"][0]["expired"],
            &listed["issued"][0]["revoked"]
        ),
        (&json!(true), &json!(false))
    );

    // The refresh token still works; the new token keeps the old one's lifetime.
    let again = o.refresh(&token(&t, "refresh_token")).json();
    assert_eq!(again["expires_in"], 60);
    assert_eq!(
        o.get("/v2/user", Some(&token(&again, "access_token")))
            .status,
        200
    );

    // Back to tokens that never expire.
    o.side(
        "POST",
        "/__sandbox/oauth",
        json!({"access_token_expires_in": null}),
    );
    assert!(o.sign_in(0).get("expires_in").is_none());
}

#[test]
fn a_one_second_token_expires_in_real_time() {
    let o = start(1);
    o.side(
        "POST",
        "/__sandbox/oauth",
        json!({"access_token_expires_in": 1}),
    );
    let access = token(&o.sign_in(0), "access_token");
    assert_eq!(o.get("/v2/user", Some(&access)).status, 200);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let user = o.get("/v2/user", Some(&access));
    assert_eq!(
        user.header("www-authenticate"),
        Some(www("The access token expired"))
    );
}

#[test]
fn revoking_either_token_revokes_the_pair() {
    let o = start(1);
    for (which, hint) in [
        ("access_token", None),
        ("refresh_token", Some("refresh_token")),
        ("refresh_token", None),
    ] {
        let t = o.sign_in(0);
        let mut form = vec![
            ("token", t[which].as_str().unwrap()),
            ("client_id", APPLICATION_UID),
        ];
        form.extend(hint.map(|h| ("token_type_hint", h)));
        let res = o.post("/oauth/revoke", &form);
        assert_eq!(
            (res.status, res.json()),
            (200, json!({})),
            "{which} {hint:?}"
        );
        assert_eq!(
            res.header("access-control-allow-origin").as_deref(),
            Some("*")
        );
        let user = o.get("/v2/user", Some(&token(&t, "access_token")));
        assert_eq!(
            user.header("www-authenticate"),
            Some(www("The access token was revoked"))
        );
        assert_error(
            &o.refresh(&token(&t, "refresh_token")),
            400,
            "invalid_grant",
        );
    }
    // The hint restricts the lookup: an access token is not found among refresh tokens.
    let t = o.sign_in(0);
    let access = token(&t, "access_token");
    let hinted = [
        ("token", access.as_str()),
        ("client_id", APPLICATION_UID),
        ("token_type_hint", "refresh_token"),
    ];
    assert_eq!(o.post("/oauth/revoke", &hinted).json(), json!({}));
    assert_eq!(o.get("/v2/user", Some(&access)).status, 200);
    // Unknown tokens are fine; a request without a client is not.
    let unknown = o.post(
        "/oauth/revoke",
        &[("token", "never-issued"), ("client_id", APPLICATION_UID)],
    );
    assert_eq!((unknown.status, unknown.json()), (200, json!({})));
    let anonymous = o.post("/oauth/revoke", &[("token", &access)]);
    assert_eq!(anonymous.status, 403);
    assert_eq!(
        anonymous.json(),
        json!({"error": "unauthorized_client", "error_description": "You are not authorized to revoke this token"})
    );
    assert_eq!(o.get("/v2/user", Some(&access)).status, 200);
}

#[test]
fn revoke_all_removes_one_stores_tokens_as_the_seller_removing_the_app_does() {
    let o = start(2);
    let zero = token(&o.sign_in(0), "access_token");
    let one = o.sign_in(1);
    let pending = o.code(1);
    let res = o.side("POST", "/__sandbox/oauth/revoke_all", json!({"store": 1}));
    assert_eq!(res, json!({"revoked": 1}));
    assert_eq!(
        o.get("/v2/user", Some(&token(&one, "access_token"))).status,
        401
    );
    assert_error(
        &o.refresh(&token(&one, "refresh_token")),
        400,
        "invalid_grant",
    );
    assert_error(&o.exchange(&pending), 400, "invalid_grant");
    assert_eq!(o.get("/v2/user", Some(&zero)).status, 200);

    let state = o.side("GET", "/__sandbox/oauth", json!(null));
    let issued: Vec<(Value, Value, Value)> = state["issued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["label"].clone(), t["store"].clone(), t["revoked"].clone()))
        .collect();
    assert_eq!(
        issued,
        [
            (json!("issued.1"), json!(0), json!(false)),
            (json!("issued.2"), json!(1), json!(true))
        ]
    );
    assert_eq!(
        state["issued"][0]["scope"],
        "edit_products view_sales view_profile"
    );
    assert_eq!(state["issued"][0]["expires_at"], json!(null));
    let text = state.to_string();
    assert!(!text.contains(&zero) && !text.contains(one["refresh_token"].as_str().unwrap()));

    assert_eq!(
        o.side("POST", "/__sandbox/oauth/revoke_all", json!(null)),
        json!({"revoked": 1})
    );
    assert_eq!(o.get("/v2/user", Some(&zero)).status, 401);
}

#[test]
fn the_token_endpoint_answers_cors_and_its_preflight() {
    let o = start(1);
    for path in ["/oauth/token", "/oauth/revoke"] {
        let pre = o.send(
            "OPTIONS",
            path,
            &[],
            &[
                ("origin", "chrome-extension://abc"),
                ("access-control-request-method", "POST"),
            ],
        );
        assert!(pre.status == 200 || pre.status == 204, "{path}");
        assert_eq!(
            pre.header("access-control-allow-origin").as_deref(),
            Some("*")
        );
        assert_eq!(
            pre.header("access-control-allow-methods").as_deref(),
            Some("GET, POST, PUT, DELETE")
        );
    }
    let error = o.post("/oauth/token", &[("code", "x")]);
    assert_eq!(
        error.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    let ok = o.exchange(&o.code(0));
    assert_eq!(
        ok.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(
        ok.header("cache-control").as_deref(),
        Some("no-store, no-cache")
    );
    assert_eq!(
        o.get("/oauth/token", None).status,
        404,
        "the token endpoint is POST only"
    );
}

#[test]
fn confidential_applications_need_their_secret_and_basic_auth_carries_it() {
    let o = start(1);
    let app = o.side(
        "POST",
        "/__sandbox/applications",
        json!({"redirect_uris": [REDIRECT], "confidential": true, "name": "Back Office"}),
    );
    let (id, secret) = (token(&app, "client_id"), token(&app, "client_secret"));
    let mut params = pkce_params();
    params[0] = ("client_id", &id);
    assert!(o
        .authorize_page(&params)
        .text
        .contains("<strong>Back Office</strong>"));
    let form = |code: &str| {
        vec![
            ("code", code.to_string()),
            ("redirect_uri", REDIRECT.into()),
            ("client_id", id.clone()),
            ("code_verifier", VERIFIER.into()),
        ]
    };
    let post = |pairs: Vec<(&str, String)>, basic: Option<String>| {
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let headers: Vec<(&str, &str)> = basic
            .iter()
            .map(|b| ("authorization", b.as_str()))
            .collect();
        o.send("POST", "/oauth/token", &pairs, &headers)
    };
    let code = value(&o.approve(&params, 0), "code").unwrap();
    assert_error(&post(form(&code), None), 401, "invalid_client");
    let mut with_secret = form(&code);
    with_secret.push(("client_secret", secret.clone()));
    let t = post(with_secret, None);
    assert_eq!(t.status, 200, "{}", t.text);

    let code = value(&o.approve(&params, 0), "code").unwrap();
    let basic = format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
    let mut no_id = form(&code);
    no_id.retain(|(k, _)| *k != "client_id");
    assert_eq!(post(no_id, Some(basic)).status, 200);

    // Its tokens can only be revoked by itself.
    let access = token(&t.json(), "access_token");
    let by_other = o.post(
        "/oauth/revoke",
        &[("token", &access), ("client_id", APPLICATION_UID)],
    );
    assert_eq!(by_other.status, 403);
    let by_itself = o.post(
        "/oauth/revoke",
        &[
            ("token", &access),
            ("client_id", &id),
            ("client_secret", &secret),
        ],
    );
    assert_eq!(by_itself.status, 200);
    assert_eq!(o.get("/v2/user", Some(&access)).status, 401);
}

#[test]
fn the_applications_side_door_and_reset() {
    let o = start(1);
    let listed = o.side("GET", "/__sandbox/applications", json!(null));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["client_id"], APPLICATION_UID);
    assert_eq!(listed[0]["confidential"], false);
    let mine = o.side(
        "POST",
        "/__sandbox/applications",
        json!({"client_id": "my-client", "redirect_uris": "https://a.test/cb https://b.test/cb"}),
    );
    assert_eq!(
        mine["redirect_uris"],
        json!(["https://a.test/cb", "https://b.test/cb"])
    );
    assert_eq!(
        o.side("GET", "/__sandbox/applications", json!(null))
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let bad = o.side(
        "POST",
        "/__sandbox/applications",
        json!({"redirect_uris": ["https://a.test/cb#fragment"]}),
    );
    assert!(bad["error"].as_str().unwrap().contains("fragment"), "{bad}");
    let zero = o.side(
        "POST",
        "/__sandbox/oauth",
        json!({"access_token_expires_in": 0}),
    );
    assert!(zero["error"].is_string(), "{zero}");

    let access = token(&o.sign_in(0), "access_token");
    o.side(
        "POST",
        "/__sandbox/oauth",
        json!({"access_token_expires_in": 30, "advance_seconds": 5}),
    );
    o.sb.reset();
    // Every issued token is gone, the default application has no redirect URI again.
    let user = o.get("/v2/user", Some(&access));
    assert_eq!(
        user.header("www-authenticate"),
        Some(www("The access token is invalid"))
    );
    let page = o.authorize_page(&pkce_params());
    assert_eq!(page.status, 400);
    let state = o.side("GET", "/__sandbox/oauth", json!(null));
    assert_eq!(
        state,
        json!({"access_token_expires_in": null, "code_expires_in": 600, "clock_offset_seconds": 0, "issued": [], "grants": []})
    );
    let apps = o.side("GET", "/__sandbox/applications", json!(null));
    assert_eq!(apps.as_array().unwrap().len(), 1);
    assert_eq!(apps[0]["redirect_uris"], json!([]));
}
