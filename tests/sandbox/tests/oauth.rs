//! The OAuth server's authorization code flow: the consent page, its errors (shown or
//! redirected), approving and denying, and exchanging the code with PKCE (contract §3.3,
//! §3.4; additions §1).

mod common;

use bulkroad_sandbox::tokens::{self, APPLICATION_UID};
use common::oauth::{
    assert_error, pkce_params, redirect_query, start, value, CHALLENGE, REDIRECT, SCOPE, VERIFIER,
};
use serde_json::json;

/// Extra or replacing parameters of one case.
type Pairs = &'static [(&'static str, &'static str)];

const INVALID_CLIENT: &str = "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.";

#[test]
fn the_consent_page_names_app_and_scopes_and_carries_every_parameter() {
    let o = start(2);
    let mut params = pkce_params();
    params.retain(|(k, _)| *k != "state");
    params.push(("state", r#"a"b<c>&d"#));
    let page = o.authorize_page(&params);
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    let html = &page.text;
    for expected in [
        "Authorize <strong>Bulkroad</strong> to use your account?",
        "<code>edit_products</code>",
        "<code>view_sales</code>",
        "<code>view_profile</code>",
        r#"<form action="/oauth/authorize" method="post">"#,
        r#"<label for="store">Account</label>"#,
        r#"<select id="store" name="store">"#,
        r#"<option value="0" selected>Sandbox Studio</option>"#,
        r#"<option value="1">Second Store</option>"#,
        r#"<button type="submit" name="commit" value="Authorize">Authorize</button>"#,
        r#"<button type="submit" name="_method" value="delete">Deny</button>"#,
        &format!(r#"<input type="hidden" name="client_id" value="{APPLICATION_UID}">"#),
        &format!(r#"<input type="hidden" name="redirect_uri" value="{REDIRECT}">"#),
        r#"<input type="hidden" name="state" value="a&quot;b&lt;c&gt;&amp;d">"#,
        r#"<input type="hidden" name="response_type" value="code">"#,
        &format!(r#"<input type="hidden" name="scope" value="{SCOPE}">"#),
        &format!(r#"<input type="hidden" name="code_challenge" value="{CHALLENGE}">"#),
        r#"<input type="hidden" name="code_challenge_method" value="S256">"#,
    ] {
        assert!(html.contains(expected), "missing {expected}\n{html}");
    }
    // Gumroad defaults a missing response_type to code; the form then says code.
    params.retain(|(k, _)| *k != "response_type");
    let page = o.authorize_page(&params);
    assert_eq!(page.status, 200);
    assert!(page
        .text
        .contains(r#"<input type="hidden" name="response_type" value="code">"#));
    assert_eq!(o.sb.requests().last().unwrap().path, "/oauth/authorize");
}

#[test]
fn client_and_redirect_errors_show_an_html_page_and_never_redirect() {
    let o = start(1);
    fn with<'a>(
        client_id: Option<&'a str>,
        redirect_uri: Option<&'a str>,
    ) -> Vec<(&'a str, &'a str)> {
        let mut p = vec![("scope", SCOPE), ("state", "st")];
        p.extend(client_id.map(|c| ("client_id", c)));
        p.extend(redirect_uri.map(|r| ("redirect_uri", r)));
        p
    }
    let other = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/other";
    let cases = [
        (
            with(None, Some(REDIRECT)),
            400,
            "Missing required parameter: client_id.",
        ),
        (
            with(Some("unknown-client"), Some(REDIRECT)),
            401,
            INVALID_CLIENT,
        ),
        (
            with(Some(APPLICATION_UID), None),
            400,
            "The requested redirect uri is malformed or doesn&#39;t match client redirect URI.",
        ),
        (
            with(Some(APPLICATION_UID), Some(other)),
            400,
            "The requested redirect uri is malformed or doesn&#39;t match client redirect URI.",
        ),
    ];
    for (params, status, description) in cases {
        let page = o.authorize_page(&params);
        assert_eq!(page.status, status, "{params:?}");
        assert_eq!(page.header("location"), None);
        assert!(page
            .header("content-type")
            .unwrap()
            .starts_with("text/html"));
        assert!(page.text.contains("<h1>An error has occurred</h1>"));
        assert!(
            page.text.contains(&format!("<pre>{description}</pre>")),
            "{}",
            page.text
        );
        // Approving the same request is refused too (as JSON, like Doorkeeper's form answer).
        let posted = o.post("/oauth/authorize", &params);
        assert_eq!((posted.status, posted.header("location")), (status, None));
    }
}

#[test]
fn other_errors_redirect_with_error_description_and_state() {
    let o = start(1);
    let base = [
        ("client_id", APPLICATION_UID),
        ("redirect_uri", REDIRECT),
        ("state", "xyz"),
    ];
    let cases: [(Pairs, &str, &str); 6] = [
        (
            &[("scope", "view_public")],
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed.",
        ),
        (
            &[],
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed.",
        ),
        (
            &[("scope", "view_sales mobile_api")],
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed.",
        ),
        (
            &[("scope", SCOPE), ("response_type", "token")],
            "unsupported_response_type",
            "The authorization server does not support this response type.",
        ),
        (
            &[
                ("scope", SCOPE),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S512"),
            ],
            "invalid_code_challenge_method",
            "The code challenge method must be plain or S256.",
        ),
        (
            &[("scope", SCOPE), ("code_challenge", CHALLENGE)],
            "invalid_code_challenge_method",
            "The code challenge method must be plain or S256.",
        ),
    ];
    for (extra, error, description) in cases {
        let mut params = base.to_vec();
        params.extend_from_slice(extra);
        let res = o.authorize_page(&params);
        assert_eq!(res.status, 302, "{extra:?}");
        let q = redirect_query(&res);
        assert_eq!(
            q,
            [
                ("error", error),
                ("error_description", description),
                ("state", "xyz")
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .to_vec(),
            "{extra:?}"
        );
    }
}

#[test]
fn deny_redirects_with_access_denied_and_the_state() {
    let o = start(1);
    let want = format!("{REDIRECT}?error=access_denied&error_description=The+resource+owner+or+authorization+server+denied+the+request.&state=st");
    let mut form = pkce_params();
    form.push(("_method", "delete"));
    let by_button = o.post("/oauth/authorize", &form);
    let by_delete = o.send("DELETE", "/oauth/authorize", &pkce_params(), &[]);
    for res in [by_button, by_delete] {
        assert_eq!(res.status, 302);
        assert_eq!(res.header("location").as_deref(), Some(want.as_str()));
    }
    // Without a state the redirect has none.
    let mut form: Vec<_> = pkce_params()
        .into_iter()
        .filter(|(k, _)| *k != "state")
        .collect();
    form.push(("_method", "delete"));
    let q = redirect_query(&o.post("/oauth/authorize", &form));
    assert_eq!(value(&q, "state"), None);
    assert_eq!(value(&q, "error").as_deref(), Some("access_denied"));
    assert!(o.side("GET", "/__sandbox/oauth", json!(null))["grants"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn an_s256_code_gives_a_token_of_the_chosen_store_that_opens_the_api() {
    let o = start(2);
    let q = o.approve(&pkce_params(), 1);
    assert_eq!(q[0].0, "code");
    assert_eq!(value(&q, "state").as_deref(), Some("st"));
    let code = value(&q, "code").unwrap();
    assert_eq!(code.len(), 43);
    let res = o.exchange(&code);
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.header("cache-control").as_deref(),
        Some("no-store, no-cache")
    );
    assert_eq!(
        res.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    let t = res.json();
    let access = t["access_token"].as_str().unwrap();
    assert_eq!(access.len(), 43);
    assert!(access
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert_eq!(t["refresh_token"].as_str().unwrap().len(), 43);
    assert_eq!(
        (t["token_type"].as_str(), t["scope"].as_str()),
        (Some("Bearer"), Some(SCOPE))
    );
    assert!(t["created_at"].is_i64());
    assert!(
        t.get("expires_in").is_none(),
        "tokens never expire by default"
    );

    // Store 1's user, exactly as store 1's fixed token sees it.
    let user = o.get("/v2/user", Some(access));
    assert_eq!(user.status, 200);
    assert_eq!(
        user.json(),
        o.get("/v2/user", Some(tokens::STORE1_FULL)).json()
    );
    let info = o.get("/oauth/token/info", Some(access)).json();
    let fixed = o.get("/oauth/token/info", Some(tokens::STORE1_FULL)).json();
    assert_eq!(info["resource_owner_id"], fixed["resource_owner_id"]);
    assert_eq!(
        info["scope"],
        json!(["edit_products", "view_sales", "view_profile"])
    );
    assert_eq!(info["expires_in"], json!(null));
    assert_eq!(info["application"], json!({"uid": APPLICATION_UID}));
    assert_eq!(info["created_at"], t["created_at"]);
    let products = o.get("/v2/products", Some(access)).json();
    assert_eq!(
        products,
        o.get("/v2/products", Some(tokens::STORE1_FULL)).json()
    );

    // The log labels the issued token with its store, and shows no token string of its own.
    let log = o.sb.requests();
    let user_request = log.iter().find(|r| r.path == "/v2/user").unwrap();
    assert_eq!(
        (user_request.store, user_request.token.as_deref()),
        (Some(1), Some("issued.1"))
    );
    let grant = &o.side("GET", "/__sandbox/oauth", json!(null))["grants"][0];
    assert_eq!(
        (
            &grant["store"],
            &grant["code_challenge_method"],
            &grant["revoked"]
        ),
        (&json!(1), &json!("S256"), &json!(true))
    );
}

#[test]
fn plain_challenges_and_no_challenge_work_too() {
    let o = start(1);
    let mut params = pkce_params();
    params.retain(|(k, _)| !k.starts_with("code_challenge"));
    params.extend([
        (
            "code_challenge",
            "plain-verifier-0123456789-abcdefghijklmnopq",
        ),
        ("code_challenge_method", "plain"),
    ]);
    let code = value(&o.approve(&params, 0), "code").unwrap();
    let base = [
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("client_id", APPLICATION_UID),
    ];
    let mut form = base.to_vec();
    form.push((
        "code_verifier",
        "plain-verifier-0123456789-abcdefghijklmnopq",
    ));
    let res = o.post("/oauth/token", &form);
    assert_eq!(res.status, 200, "{}", res.text);

    // No challenge, no verifier; grant_type missing means authorization_code.
    params.retain(|(k, _)| !k.starts_with("code_challenge"));
    let code = value(&o.approve(&params, 0), "code").unwrap();
    let res = o.post(
        "/oauth/token",
        &[
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", APPLICATION_UID),
        ],
    );
    assert_eq!(res.status, 200, "{}", res.text);
}

#[test]
fn verifier_redirect_and_client_mistakes_at_the_token_endpoint() {
    let o = start(1);
    let exchange = |code: &str, skip: &str, replace: &[(&'static str, &'static str)]| {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", APPLICATION_UID),
            ("code_verifier", VERIFIER),
        ];
        form.retain(|(k, _)| *k != skip && !replace.iter().any(|(r, _)| r == k));
        form.extend_from_slice(replace);
        o.post("/oauth/token", &form)
    };
    const OTHER_REDIRECT: &str = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/other";
    o.side(
        "POST",
        "/__sandbox/applications",
        json!({"client_id": APPLICATION_UID, "redirect_uris": [REDIRECT, OTHER_REDIRECT]}),
    );
    let cases: [(&str, Pairs, u16, &str, &str); 8] = [
        (
            "code_verifier",
            &[],
            400,
            "invalid_request",
            "Missing required parameter: code_verifier.",
        ),
        (
            "",
            &[(
                "code_verifier",
                "wrong-verifier-wrong-verifier-wrong-verifier",
            )],
            400,
            "invalid_grant",
            "",
        ),
        (
            "redirect_uri",
            &[],
            400,
            "invalid_request",
            "Missing required parameter: redirect_uri.",
        ),
        (
            "",
            &[("redirect_uri", OTHER_REDIRECT)],
            400,
            "invalid_grant",
            "",
        ),
        ("client_id", &[], 401, "invalid_client", INVALID_CLIENT),
        (
            "",
            &[("client_id", "unknown-client")],
            401,
            "invalid_client",
            INVALID_CLIENT,
        ),
        (
            "",
            &[("client_secret", "a-public-app-sends-none")],
            401,
            "invalid_client",
            INVALID_CLIENT,
        ),
        (
            "",
            &[("grant_type", "password")],
            400,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        ),
    ];
    for (skip, replace, status, error, description) in cases {
        let code = o.code(0);
        let res = exchange(&code, skip, replace);
        assert_error(&res, status, error);
        let description = if description.is_empty() {
            "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."
        } else {
            description
        };
        assert_eq!(
            res.json()["error_description"],
            description,
            "{skip} {replace:?}"
        );
        // None of these used the code up.
        assert_eq!(exchange(&code, "", &[]).status, 200, "{skip} {replace:?}");
    }
    // A verifier for a code that had no challenge is a mismatch too.
    let mut params = pkce_params();
    params.retain(|(k, _)| !k.starts_with("code_challenge"));
    let code = value(&o.approve(&params, 0), "code").unwrap();
    assert_error(&exchange(&code, "", &[]), 400, "invalid_grant");
    assert_error(
        &o.post("/oauth/token", &[("client_id", APPLICATION_UID)]),
        400,
        "invalid_request",
    );
}

#[test]
fn codes_are_single_use_and_live_ten_minutes() {
    let o = start(1);
    let code = o.code(0);
    assert_eq!(o.exchange(&code).status, 200);
    assert_error(&o.exchange(&code), 400, "invalid_grant");

    let fresh = o.code(0);
    let stale = o.code(0);
    o.side("POST", "/__sandbox/oauth", json!({"advance_seconds": 599}));
    assert_eq!(o.exchange(&fresh).status, 200, "still within ten minutes");
    o.side("POST", "/__sandbox/oauth", json!({"advance_seconds": 2}));
    assert_error(&o.exchange(&stale), 400, "invalid_grant");
    assert_error(&o.exchange("never-issued"), 400, "invalid_grant");
}

#[test]
fn a_code_of_another_application_is_invalid_grant() {
    let o = start(1);
    let app = o.side(
        "POST",
        "/__sandbox/applications",
        json!({"redirect_uris": [REDIRECT]}),
    );
    let other = app["client_id"].as_str().unwrap();
    assert_eq!(other.len(), 43);
    let mut params = pkce_params();
    params[0] = ("client_id", other);
    let code = value(&o.approve(&params, 0), "code").unwrap();
    assert_error(&o.exchange(&code), 400, "invalid_grant");
    let res = o.post(
        "/oauth/token",
        &[
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", other),
            ("code_verifier", VERIFIER),
        ],
    );
    assert_eq!(res.status, 200, "{}", res.text);
}

#[test]
fn an_account_the_sandbox_does_not_serve_is_refused() {
    let o = start(2);
    let mut form = pkce_params();
    form.push(("store", "2"));
    let res = o.post("/oauth/authorize", &form);
    assert_eq!((res.status, res.header("location")), (400, None));
    assert!(res.text.contains("No such account"));
}
