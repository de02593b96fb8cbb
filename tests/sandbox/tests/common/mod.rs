//! A tiny blocking HTTP client and store lookups shared by the sandbox's own tests.
#![allow(dead_code)]

pub mod oauth;

use bulkroad_sandbox::{Config, Sandbox};
use reqwest::blocking::Client;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }
}

pub struct Api {
    pub base: String,
    client: Client,
}

pub enum Body<'a> {
    None,
    Form(&'a [(&'a str, &'a str)]),
    Json(Value),
}

impl Api {
    pub fn new(sandbox: &Sandbox) -> Api {
        // No pooling: every request gets a fresh connection, so a dropped one never leaks into the next.
        let client = Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap();
        Api {
            base: sandbox.url(),
            client,
        }
    }

    pub fn try_send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Body,
    ) -> Result<Resp, reqwest::Error> {
        let mut req = self.client.request(
            Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}{path}", self.base),
        );
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req = match body {
            Body::None => req,
            Body::Form(pairs) => req.form(pairs),
            Body::Json(v) => req.json(&v),
        };
        let res = req.send()?;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text()?;
        Ok(Resp {
            status,
            headers,
            text,
        })
    }

    pub fn send(&self, method: &str, path: &str, token: Option<&str>, body: Body) -> Resp {
        self.try_send(method, path, token, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send("GET", path, token, Body::None)
    }

    pub fn form(&self, method: &str, path: &str, token: &str, pairs: &[(&str, &str)]) -> Resp {
        self.send(method, path, Some(token), Body::Form(pairs))
    }

    pub fn json(&self, method: &str, path: &str, token: &str, body: Value) -> Resp {
        self.send(method, path, Some(token), Body::Json(body))
    }
}

pub fn start(products: usize, seed: u64) -> Sandbox {
    Sandbox::start(Config {
        products,
        seed,
        ..Config::default()
    })
    .unwrap()
}

pub fn products(state: &Value) -> Vec<Value> {
    state["products"].as_array().unwrap().clone()
}

pub fn product(state: &Value, id: &str) -> Value {
    products(state)
        .into_iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no product {id}"))
}

/// A published, non-deleted, non-membership, non-PWYW product in `currency`, without
/// variants and without codes of its own: a clean target for validation tests.
pub fn plain_product(state: &Value, currency: &str, skip: usize) -> String {
    let has_own_code = |id: &Value| {
        state["offer_codes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| &c["product_id"] == id)
    };
    products(state)
        .into_iter()
        .filter(|p| {
            p["currency"] == currency
                && p["published"] == true
                && p["deleted_at"].is_null()
                && p["is_tiered_membership"] == false
                && p["customizable_price"] != true
                && p["variant_categories"].as_array().unwrap().is_empty()
                && !has_own_code(&p["id"])
        })
        .nth(skip)
        .unwrap_or_else(|| panic!("no plain {currency} product #{skip}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn membership(state: &Value) -> String {
    products(state)
        .into_iter()
        .find(|p| p["is_tiered_membership"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}
