//! HTTP as plain data, below everything else in the crate: a [`Request`] (method, path,
//! query, form body) as the endpoints build it, the [`Response`] as a transport received it,
//! and [`TransportError`] for "no answer". It imports nothing of this crate, so `auth`,
//! `error` and `transport` can all name these types without importing each other; no
//! sending, no token and no `JsValue` here.

use serde::{Deserialize, Serialize};

/// The `Content-Type` of every request body: Gumroad compares some flags to the *string*
/// `"true"` (offer code `universal`), which a JSON boolean would never equal, so bodies
/// are form-encoded as the official CLI does.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// HTTP methods the Gumroad API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// True for methods that change something at Gumroad.
    pub fn is_write(self) -> bool {
        !matches!(self, Method::Get)
    }
}

/// One API call as plain data. `path` starts with `/` and is appended to the transport's
/// origin; path segments taken from ids are already percent-encoded ([`path_segment`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            form: Vec::new(),
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::Get, path)
    }

    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::Post, path)
    }

    pub fn put(path: impl Into<String>) -> Self {
        Self::new(Method::Put, path)
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::Delete, path)
    }

    /// Adds a query-string parameter.
    pub fn with_query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a form-body parameter. Endpoints build their bodies from the model's `form()`;
    /// this is for tests that build a request by hand.
    #[cfg(test)]
    pub fn with_form(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.form.push((name.into(), value.into()));
        self
    }

    /// The full URL under `base_url` (an origin without trailing slash), with the query
    /// form-urlencoded. Shared by every transport so they cannot disagree.
    pub fn url(&self, base_url: &str) -> String {
        let mut url = String::with_capacity(base_url.len() + self.path.len() + 32);
        url.push_str(base_url.trim_end_matches('/'));
        url.push_str(&self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&encode_pairs(&self.query));
        }
        url
    }

    /// The `application/x-www-form-urlencoded` body, or `None` when there is nothing to send.
    pub fn form_body(&self) -> Option<String> {
        (!self.form.is_empty()).then(|| encode_pairs(&self.form))
    }
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// `value` percent-encoded for use as one path segment: ids normally need nothing (URL-safe
/// base64 such as `A-m3CDDC5dlrSdKZp0RFhA==`), but a pasted id with `/`, `?` or `#` must
/// not change which endpoint is called. `None` for `""`, `"."` and `".."`, which no
/// encoding keeps in place: URL parsers drop or climb them (`%2E%2E` too), so
/// `DELETE /v2/products/P/offer_codes/..` would become `DELETE /v2/products/P/`.
pub fn path_segment(value: &str) -> Option<String> {
    if matches!(value, "" | "." | "..") {
        return None;
    }
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'=') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Some(out)
}

/// One HTTP answer, as received. `body` is the whole body as text (lossy UTF-8).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    /// Gumroad's 401 has an empty body and explains itself only in this header.
    pub www_authenticate: Option<String>,
    pub body: String,
}

/// No answer was received (the error layer reports it as `ErrorKind::Network`, or
/// `ErrorKind::Stopped` for the two `Stopped…` variants). Messages are fixed,
/// seller-readable text: they never carry a URL or a library's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The connection could not be established: nothing reached Gumroad.
    #[error("Could not connect to Gumroad. Check your internet connection and try again.")]
    Connect,
    /// No complete answer in time: the request may have reached Gumroad.
    #[error("Gumroad did not answer in time.")]
    Timeout,
    /// The connection failed after the request may have been sent.
    #[error("The connection to Gumroad was lost before its answer arrived.")]
    Interrupted,
    /// The account's stop signal was set before sending: nothing left the worker.
    #[error("The account was disconnected before the request was sent.")]
    Stopped,
    /// The account's stop signal was set while the request was on its way: it was abandoned
    /// without an answer, so it may have reached Gumroad.
    #[error("The account was disconnected while the request was on its way.")]
    StoppedInFlight,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encodes_query_and_keeps_path() {
        let rows = [
            (Request::get("/v2/user"), "https://api.gumroad.com/v2/user"),
            (
                Request::get("/v2/products").with_query("page_key", "20230119081040000000-123456"),
                "https://api.gumroad.com/v2/products?page_key=20230119081040000000-123456",
            ),
            (
                Request::get("/v2/sales")
                    .with_query("email", "a+b@c.d")
                    .with_query("q", "x y&z"),
                "https://api.gumroad.com/v2/sales?email=a%2Bb%40c.d&q=x+y%26z",
            ),
        ];
        for (request, url) in rows {
            assert_eq!(request.url("https://api.gumroad.com"), url);
        }
        assert_eq!(
            Request::get("/v2/user").url("http://127.0.0.1:8787/"),
            "http://127.0.0.1:8787/v2/user"
        );
    }

    #[test]
    fn form_body_is_urlencoded_and_absent_when_empty() {
        assert_eq!(Request::delete("/v2/x").form_body(), None);
        let request = Request::post("/v2/products/p/offer_codes")
            .with_form("name", "SAVE 10")
            .with_form("universal", "true");
        assert_eq!(request.form_body().unwrap(), "name=SAVE+10&universal=true");
    }

    #[test]
    fn path_segment_keeps_ids_and_escapes_separators() {
        let rows = [
            ("A-m3CDDC5dlrSdKZp0RFhA==", "A-m3CDDC5dlrSdKZp0RFhA=="),
            ("abc_DEF~1.2", "abc_DEF~1.2"),
            ("a/b?c#d", "a%2Fb%3Fc%23d"),
            ("../user", "..%2Fuser"),
            ("é ", "%C3%A9%20"),
            ("...", "..."),
        ];
        for (value, encoded) in rows {
            assert_eq!(path_segment(value).as_deref(), Some(encoded));
        }
    }

    #[test]
    fn dot_segments_have_no_path_segment() {
        for value in [".", "..", ""] {
            assert_eq!(path_segment(value), None, "{value:?}");
        }
    }

    #[test]
    fn only_get_is_not_a_write() {
        assert!(!Method::Get.is_write());
        for method in [Method::Post, Method::Put, Method::Patch, Method::Delete] {
            assert!(method.is_write());
        }
    }
}
