//! The browser transport: the service worker's `fetch` through gloo-net (wasm32 only). It
//! must not log, must not send cookies, and puts the token only into the `Authorization`
//! header. No `JsValue` here: gloo-net and web-sys types only.

use gloo_net::http::{Method as FetchMethod, RequestBuilder};
use web_sys::{AbortSignal, RequestCache, RequestCredentials, RequestRedirect};

use super::{Method, Request, Response, Transport, TransportError, FORM_CONTENT_TYPE};
use crate::auth::AccessToken;
use crate::config::API_BASE_URL;

/// Chrome stops an extension service worker whose fetch takes longer than 30 s; giving up
/// a little earlier turns that into an ordinary `Network` error the job can record.
const TIMEOUT_MS: u32 = 25_000;

/// Sends requests with `fetch` to the origin given at construction.
#[derive(Debug, Clone)]
pub struct FetchTransport {
    base_url: String,
}

impl FetchTransport {
    pub fn new(base_url: impl Into<String>) -> Self {
        FetchTransport {
            base_url: base_url.into(),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

/// The build's API origin ([`API_BASE_URL`]).
impl Default for FetchTransport {
    fn default() -> Self {
        Self::new(API_BASE_URL)
    }
}

impl Transport for FetchTransport {
    async fn send(
        &self,
        request: &Request,
        bearer: &AccessToken,
    ) -> Result<Response, TransportError> {
        let method = match request.method {
            Method::Get => FetchMethod::GET,
            Method::Post => FetchMethod::POST,
            Method::Put => FetchMethod::PUT,
            Method::Patch => FetchMethod::PATCH,
            Method::Delete => FetchMethod::DELETE,
        };
        let signal = AbortSignal::timeout_with_u32(TIMEOUT_MS);
        let builder = RequestBuilder::new(&request.url(&self.base_url))
            .method(method)
            .header("Authorization", &format!("Bearer {}", bearer.expose()))
            .header("Accept", "application/json")
            // No Gumroad session cookies ride along: the token is the only credential.
            .credentials(RequestCredentials::Omit)
            // A list read after a write must be fresh, never the HTTP cache's copy.
            .cache(RequestCache::NoStore)
            // A redirect would be a surprise from this API; following one could carry the
            // request somewhere else.
            .redirect(RequestRedirect::Error)
            .abort_signal(Some(&signal));
        // Failing to build means nothing left the worker.
        let built = match request.form_body() {
            Some(body) => builder.header("Content-Type", FORM_CONTENT_TYPE).body(body),
            None => builder.build(),
        }
        .map_err(|_| TransportError::Connect)?;
        let answer = built.send().await.map_err(classify)?;
        let headers = answer.headers();
        let status = answer.status();
        let content_type = headers.get("content-type");
        let www_authenticate = headers.get("www-authenticate");
        let body = answer.text().await.map_err(classify)?;
        Ok(Response {
            status,
            content_type,
            www_authenticate,
            body,
        })
    }
}

/// `fetch` rejects with a `TypeError` both when it cannot connect and when the connection
/// drops, so those count as "may have been sent"; the abort signal rejects with a
/// `TimeoutError` (or `AbortError`).
fn classify(error: gloo_net::Error) -> TransportError {
    match error {
        gloo_net::Error::JsError(js) if js.name == "TimeoutError" || js.name == "AbortError" => {
            TransportError::Timeout
        }
        _ => TransportError::Interrupted,
    }
}
