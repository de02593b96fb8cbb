//! Driving the sandbox's OAuth server as a browser and an extension would: the consent
//! page, its form, the redirect (never followed) and the token endpoint.

use bulkroad_sandbox::tokens::APPLICATION_UID;
use bulkroad_sandbox::{Config, Sandbox};
use reqwest::blocking::Client;
use reqwest::redirect::Policy;
use serde_json::{json, Value};

use super::Resp;

/// An extension's redirect URI, as `chrome.identity.getRedirectURL("gumroad")` builds it.
pub const REDIRECT: &str = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/gumroad";
/// RFC 7636 appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const SCOPE: &str = "edit_products view_sales view_profile";

pub struct OAuthClient {
    pub sb: Sandbox,
    client: Client,
}

/// A sandbox of `stores` stores whose default application accepts [`REDIRECT`].
pub fn start(stores: usize) -> OAuthClient {
    let sb = Sandbox::start(Config {
        products: 5,
        stores,
        ..Config::default()
    })
    .unwrap();
    let o = OAuthClient {
        client: Client::builder()
            .no_proxy()
            .redirect(Policy::none())
            .pool_max_idle_per_host(0)
            .build()
            .unwrap(),
        sb,
    };
    let app = o.side(
        "POST",
        "/__sandbox/applications",
        json!({"client_id": APPLICATION_UID, "redirect_uris": [REDIRECT]}),
    );
    assert_eq!(app["redirect_uris"], json!([REDIRECT]));
    o
}

impl OAuthClient {
    /// `method path` with a form body (none when `form` is empty) and extra headers.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self.client.request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}{path}", self.sb.url()),
        );
        if !form.is_empty() {
            req = req.form(form);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        Resp {
            status,
            headers,
            text: res.text().unwrap(),
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Resp {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("authorization", a.as_str())).collect();
        self.send("GET", path, &[], &headers)
    }

    /// A side-door call with a JSON body; its JSON answer (any status but 404).
    pub fn side(&self, method: &str, path: &str, body: Value) -> Value {
        let res = self
            .client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", self.sb.url()),
            )
            .json(&body)
            .send()
            .unwrap();
        assert_ne!(res.status().as_u16(), 404, "{path}");
        res.json().unwrap()
    }

    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.send("POST", path, form, &[])
    }

    /// `GET /oauth/authorize?…`.
    pub fn authorize_page(&self, params: &[(&str, &str)]) -> Resp {
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        self.get(&format!("/oauth/authorize?{query}"), None)
    }

    /// Approves as the consent form would (`store` chosen); the redirect's query pairs.
    pub fn approve(&self, params: &[(&str, &str)], store: usize) -> Vec<(String, String)> {
        let store = store.to_string();
        let mut form = params.to_vec();
        form.extend([("store", store.as_str()), ("commit", "Authorize")]);
        let res = self.post("/oauth/authorize", &form);
        assert_eq!(res.status, 302, "{}", res.text);
        redirect_query(&res)
    }

    /// A code for `store` with the RFC 7636 S256 challenge and state `st`.
    pub fn code(&self, store: usize) -> String {
        let q = self.approve(&pkce_params(), store);
        value(&q, "code").unwrap()
    }

    /// Exchanges `code` (with the RFC 7636 verifier) at the token endpoint.
    pub fn exchange(&self, code: &str) -> Resp {
        self.post(
            "/oauth/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("client_id", APPLICATION_UID),
                ("code_verifier", VERIFIER),
            ],
        )
    }

    /// A fresh token pair for `store`: the token endpoint's JSON.
    pub fn sign_in(&self, store: usize) -> Value {
        let res = self.exchange(&self.code(store));
        assert_eq!(res.status, 200, "{}", res.text);
        res.json()
    }

    pub fn refresh(&self, refresh_token: &str) -> Resp {
        self.post(
            "/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("client_id", APPLICATION_UID),
            ],
        )
    }
}

/// The authorize parameters of an S256 request (state `st`).
pub fn pkce_params() -> Vec<(&'static str, &'static str)> {
    vec![
        ("client_id", APPLICATION_UID),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", SCOPE),
        ("state", "st"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

/// The query of a 302's `Location`, which must be on [`REDIRECT`].
pub fn redirect_query(res: &Resp) -> Vec<(String, String)> {
    let location = res.header("location").expect("a Location header");
    let (base, query) = location.split_once('?').expect("a query");
    assert_eq!(base, REDIRECT);
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

pub fn value(query: &[(String, String)], key: &str) -> Option<String> {
    query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// Asserts a token-endpoint error: status, `error`, and Doorkeeper's headers.
pub fn assert_error(res: &Resp, status: u16, error: &str) {
    assert_eq!(res.status, status, "{}", res.text);
    assert_eq!(res.json()["error"], error, "{}", res.text);
    let www = res.header("www-authenticate").unwrap();
    assert!(
        www.starts_with(&format!(r#"Bearer realm="Doorkeeper", error="{error}""#)),
        "{www}"
    );
    assert_eq!(
        res.header("cache-control").as_deref(),
        Some("no-store, no-cache")
    );
}
