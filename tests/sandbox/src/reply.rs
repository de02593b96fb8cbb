//! What a handler answers: status, headers and body, before CORS and transport.
//!
//! Kept independent of hyper so handlers stay plain functions over the store.

use bytes::Bytes;
use serde_json::{json, Value};

pub const JSON: &str = "application/json; charset=utf-8";

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
}

impl Reply {
    pub fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", JSON.to_string())],
            body: Bytes::from(
                serde_json::to_vec(value).expect("serde_json::Value always serializes"),
            ),
        }
    }

    pub fn ok(value: &Value) -> Reply {
        Reply::json(200, value)
    }

    /// `{"success": false, "message": …}` with HTTP 200: Gumroad's usual not-found and
    /// validation answer (contract §1.4, shape 1).
    pub fn failure(message: &str) -> Reply {
        Reply::ok(&json!({"success": false, "message": message}))
    }

    /// `{"status": 400, "error": …}` (contract §1.4, shape 2): `error`, not `message`, and no `success`.
    pub fn error_400(message: &str) -> Reply {
        Reply::json(400, &json!({"status": 400, "error": message}))
    }

    /// A body-less answer such as Doorkeeper's `head :unauthorized`.
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    pub fn text(status: u16, content_type: &str, body: impl Into<Bytes>) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", content_type.to_string())],
            body: body.into(),
        }
    }

    pub fn not_found_route() -> Reply {
        Reply::json(404, &json!({"success": false, "error": "Not found"}))
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// `Array#to_sentence`: "A", "A and B", "A, B, and C" (how Gumroad joins model errors).
pub fn to_sentence(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_sentence_joins_like_rails() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cases: [(&[&str], &str); 4] = [
            (&[], ""),
            (&["A"], "A"),
            (&["A", "B"], "A and B"),
            (&["A", "B", "C"], "A, B, and C"),
        ];
        for (items, want) in cases {
            assert_eq!(to_sentence(&s(items)), want);
        }
    }
}
