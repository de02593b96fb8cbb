//! The native transport (reqwest), used by integration tests and benchmarks against the
//! sandbox. Not compiled for wasm32. It must not log, and the token goes only into the
//! `Authorization` header (none for the OAuth token endpoints). Wrapped in a [`Stoppable`](super::Stoppable), it honours an
//! account's [`StopFlag`](super::StopFlag) as the browser transport honours its signal.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, WWW_AUTHENTICATE};

use super::{Method, Request, Response, Transport, TransportError, FORM_CONTENT_TYPE};
use crate::auth::AccessToken;

/// Same limit as Gumroad's official CLI.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Sends requests to the origin given at construction with a shared reqwest client.
#[derive(Debug, Clone)]
pub struct NativeTransport {
    client: reqwest::Client,
    base_url: String,
}

impl NativeTransport {
    /// A transport for `base_url`, an origin such as `http://127.0.0.1:8787`.
    pub fn new(base_url: impl Into<String>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // A redirect would be a surprise from this API; following one could turn a
            // POST into a GET or carry the request somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            // Tests talk to a loopback sandbox; an HTTP(S)_PROXY in the environment must
            // not sit in between.
            .no_proxy()
            .user_agent(concat!("bulkroad/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a reqwest client without TLS or proxy settings always builds");
        NativeTransport {
            client,
            base_url: base_url.into(),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl Transport for NativeTransport {
    async fn send(
        &self,
        request: &Request,
        bearer: Option<&AccessToken>,
    ) -> Result<Response, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self
            .client
            .request(method, request.url(&self.base_url))
            .header(ACCEPT, "application/json");
        if let Some(bearer) = bearer {
            builder = builder.bearer_auth(bearer.expose());
        }
        if let Some(body) = request.form_body() {
            builder = builder.header(CONTENT_TYPE, FORM_CONTENT_TYPE).body(body);
        }
        let answer = builder.send().await.map_err(classify)?;
        let header = |name| {
            answer
                .headers()
                .get(name)
                .and_then(|value: &reqwest::header::HeaderValue| value.to_str().ok())
                .map(str::to_owned)
        };
        let status = answer.status().as_u16();
        let content_type = header(CONTENT_TYPE);
        let www_authenticate = header(WWW_AUTHENTICATE);
        let body = answer.text().await.map_err(classify)?;
        Ok(Response {
            status,
            content_type,
            www_authenticate,
            body,
        })
    }
}

fn classify(error: reqwest::Error) -> TransportError {
    if error.is_timeout() {
        TransportError::Timeout
    } else if error.is_connect() || error.is_builder() {
        TransportError::Connect
    } else {
        TransportError::Interrupted
    }
}
