//! Injected failures: latency, 429s, 5xx pages, dropped connections and hostile
//! answers to reads.
//!
//! Only `/v2` and `/oauth` requests are touched, never `/__sandbox`. The draws
//! come from their own seeded generator, re-seeded whenever the faults are
//! set, so a test that sets a seed sees the same sequence of faults each run.
//!
//! A hostile answer replaces the real success answer to a read (`GET /v2/…`) with a
//! 200 that no client should take as data: the answer cut off, a field of the wrong
//! type, a multi-megabyte string where a number or a list belongs, a required field
//! missing, an HTML page, or `{"success": true}` alone. Writes are never garbled, so a
//! write is never both applied and answered with garbage.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::reply::{Reply, JSON};
use crate::rng::SplitMix64;

/// When a dropped connection happens relative to applying the request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DropPhase {
    /// Closed before the request is applied: nothing changed.
    Before,
    /// Applied, then closed without an answer: the write happened but the client cannot know.
    After,
    /// A coin flip per dropped request.
    #[default]
    Either,
}

/// Fault settings; every rate is a probability in `[0, 1]` per request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Added to every request before it is answered.
    pub latency_ms: u64,
    /// Answer `429` `text/plain` `Retry later\n` without `Retry-After` (Rack::Attack's answer).
    pub rate_429: f64,
    /// Answer 500, 502 or 503 with an HTML page.
    pub rate_5xx: f64,
    /// Close the connection without answering.
    pub rate_drop: f64,
    pub drop_phase: DropPhase,
    /// Seed of the fault generator.
    pub seed: u64,
    /// Replace the success answer to a read (`GET /v2/…`) with a hostile 200 (see
    /// [`HostileKind`]). Drawn after the other faults, for requests none of them hit.
    #[serde(skip_serializing_if = "is_zero")]
    pub rate_hostile: f64,
    /// The hostile answers to draw from, each equally likely; empty = all of them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hostile: Vec<HostileKind>,
}

fn is_zero(rate: &f64) -> bool {
    *rate == 0.0
}

/// A hostile answer to a read: always HTTP 200, never usable as data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostileKind {
    /// The real answer cut off after a seeded number of bytes.
    Truncated,
    /// The real answer with a field of the wrong type: an item's `"price": "free"`, or
    /// the list or object itself replaced by the wrong kind (`"products": {}`).
    WrongType,
    /// A string of a few megabytes where a number or a list belongs (an item's `price`,
    /// or the list or object itself).
    HugeString,
    /// The real answer without a required field: an item's `id`, or the list or object.
    MissingField,
    /// An HTML page, as a proxy or a login wall would serve it.
    Html,
    /// `{"success": true}` and nothing else.
    BareSuccess,
}

impl HostileKind {
    pub const ALL: [HostileKind; 6] = [
        HostileKind::Truncated,
        HostileKind::WrongType,
        HostileKind::HugeString,
        HostileKind::MissingField,
        HostileKind::Html,
        HostileKind::BareSuccess,
    ];

    /// The request-log label.
    pub fn label(self) -> &'static str {
        match self {
            HostileKind::Truncated => "hostile_truncated",
            HostileKind::WrongType => "hostile_wrong_type",
            HostileKind::HugeString => "hostile_huge_string",
            HostileKind::MissingField => "hostile_missing_field",
            HostileKind::Html => "hostile_html",
            HostileKind::BareSuccess => "hostile_bare_success",
        }
    }
}

/// The size of [`HostileKind::HugeString`]'s string.
pub const HUGE_STRING_BYTES: usize = 3 * 1024 * 1024;

/// What [`HostileKind::HugeString`]'s string is made of, repeated.
pub const HUGE_STRING_UNIT: &str = "HOSTILE-";

/// A drawn hostile answer; `salt` seeds where it cuts or which item it spoils.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hostile {
    pub kind: HostileKind,
    salt: u64,
}

/// What to do with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Pass,
    TooMany,
    ServerError(u16),
    DropBefore,
    DropAfter,
    /// Handle the request, then answer a success with this instead.
    Hostile(Hostile),
}

impl Decision {
    /// The request-log label.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Decision::Pass => None,
            Decision::TooMany => Some("429"),
            Decision::ServerError(_) => Some("5xx"),
            Decision::DropBefore => Some("drop_before"),
            Decision::DropAfter => Some("drop_after"),
            Decision::Hostile(hostile) => Some(hostile.kind.label()),
        }
    }
}

pub struct FaultState {
    pub faults: Faults,
    rng: SplitMix64,
}

impl FaultState {
    pub fn new(faults: Faults) -> FaultState {
        let rng = SplitMix64::derive(faults.seed, "faults");
        FaultState { faults, rng }
    }

    /// 429 is drawn first, then 5xx, then a drop: with every rate at 1.0 a request gets a 429.
    pub fn decide(&mut self) -> Decision {
        let f = &self.faults;
        if self.rng.chance(f.rate_429) {
            return Decision::TooMany;
        }
        if self.rng.chance(f.rate_5xx) {
            let status = *self.rng.pick(&[500u16, 502, 503]);
            return Decision::ServerError(status);
        }
        if self.rng.chance(f.rate_drop) {
            let after = match f.drop_phase {
                DropPhase::Before => false,
                DropPhase::After => true,
                DropPhase::Either => self.rng.chance(0.5),
            };
            return if after {
                Decision::DropAfter
            } else {
                Decision::DropBefore
            };
        }
        Decision::Pass
    }

    /// [`FaultState::decide`] for `method path`, then, for a read that no other fault
    /// hit, a hostile answer at `rate_hostile`.
    pub fn decide_for(&mut self, method: &str, path: &str) -> Decision {
        let decision = self.decide();
        let read = method == "GET" && (path.starts_with("/v2/") || path.starts_with("/api/v2/"));
        if decision != Decision::Pass || !read || !self.rng.chance(self.faults.rate_hostile) {
            return decision;
        }
        let kinds = if self.faults.hostile.is_empty() {
            &HostileKind::ALL[..]
        } else {
            &self.faults.hostile[..]
        };
        let kind = *self.rng.pick(kinds);
        Decision::Hostile(Hostile {
            kind,
            salt: self.rng.next_u64(),
        })
    }
}

/// Rack::Attack's throttled answer (contract §4): no `Retry-After`, plain text.
pub fn too_many_requests() -> Reply {
    Reply::text(429, "text/plain", "Retry later\n")
}

/// An HTML error page of the kind a proxy or Rails' `public/50x.html` serves.
pub fn server_error(status: u16) -> Reply {
    let (title, text) = match status {
        502 => (
            "502 Bad Gateway",
            "The server received an invalid response from upstream.",
        ),
        503 => (
            "503 Service Temporarily Unavailable",
            "The service is temporarily unavailable. Please try again.",
        ),
        _ => (
            "We're sorry, but something went wrong (500)",
            "We're sorry, but something went wrong.",
        ),
    };
    let body = format!(
        "<!DOCTYPE html>\n<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<p>{text}</p>\n</body>\n</html>\n"
    );
    Reply::text(status, "text/html; charset=utf-8", body)
}

/// `reply` garbled as `hostile` says (`Ok`), or `reply` itself (`Err`) when it is not a
/// success answer (`2xx` with a JSON object whose `success` is `true`): error answers are
/// left alone, so the fault only ever hides data.
pub fn garble(hostile: Hostile, reply: Reply) -> Result<Reply, Reply> {
    let body = match serde_json::from_slice::<Value>(&reply.body) {
        Ok(Value::Object(body))
            if (200..300).contains(&reply.status) && body.get("success") == Some(&json!(true)) =>
        {
            body
        }
        _ => return Err(reply),
    };
    let mut rng = SplitMix64::derive(hostile.salt, "hostile");
    Ok(match hostile.kind {
        HostileKind::Truncated => truncated(&reply.body, &mut rng),
        HostileKind::Html => Reply::text(
            200,
            "text/html; charset=utf-8",
            "<!DOCTYPE html>\n<html>\n<head><title>Sign in</title></head>\n<body>\n<h1>Please sign in to continue.</h1>\n</body>\n</html>\n",
        ),
        HostileKind::BareSuccess => Reply::ok(&json!({"success": true})),
        kind => match spoiled(body, kind, &mut rng) {
            Some(body) => Reply::ok(&Value::Object(body)),
            // Nothing to spoil (no list or object in the answer): cut it off instead.
            None => truncated(&reply.body, &mut rng),
        },
    })
}

/// The first 1..len-1 bytes of `body`: a strict prefix of a JSON object is never JSON.
fn truncated(body: &Bytes, rng: &mut SplitMix64) -> Reply {
    let cut = 1 + rng.below(body.len().saturating_sub(1).max(1) as u64) as usize;
    Reply::text(200, JSON, body.slice(..cut.min(body.len())))
}

/// `body` with its payload (the list or object next to `success`, the first by name if
/// there are several) spoiled as `kind` says, or `None` when there is no payload.
fn spoiled(
    mut body: Map<String, Value>,
    kind: HostileKind,
    rng: &mut SplitMix64,
) -> Option<Map<String, Value>> {
    let key = body
        .iter()
        .filter(|(key, value)| *key != "success" && (value.is_array() || value.is_object()))
        .map(|(key, _)| key.clone())
        .min()?;
    let payload = body.get_mut(&key)?;
    let in_list = payload.is_array();
    // The object to spoil: a seeded item of a list, or the object itself.
    let item = match payload {
        Value::Array(items) if !items.is_empty() => {
            let at = rng.below(items.len() as u64) as usize;
            items[at].as_object_mut()
        }
        Value::Array(_) => None,
        Value::Object(object) => Some(object),
        _ => None,
    };
    let (field, value) = match kind {
        HostileKind::WrongType => ("price", json!("free")),
        HostileKind::HugeString => (
            "price",
            Value::String(HUGE_STRING_UNIT.repeat(HUGE_STRING_BYTES / HUGE_STRING_UNIT.len())),
        ),
        _ => ("id", Value::Null),
    };
    match item.filter(|item| item.contains_key(field) && (in_list || field == "price")) {
        Some(item) if kind == HostileKind::MissingField => {
            item.remove(field);
        }
        Some(item) => {
            item.insert(field.to_owned(), value);
        }
        None => match kind {
            HostileKind::MissingField => {
                body.remove(&key);
            }
            HostileKind::WrongType => {
                *payload = if in_list { json!({}) } else { json!("free") };
            }
            _ => *payload = value,
        },
    }
    Some(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decisions(f: Faults, n: usize) -> Vec<Decision> {
        let mut s = FaultState::new(f);
        (0..n).map(|_| s.decide()).collect()
    }

    #[test]
    fn rates_of_one_always_fire_in_priority_order() {
        let cases = [
            (
                Faults {
                    rate_429: 1.0,
                    rate_5xx: 1.0,
                    rate_drop: 1.0,
                    ..Faults::default()
                },
                "429",
            ),
            (
                Faults {
                    rate_5xx: 1.0,
                    rate_drop: 1.0,
                    ..Faults::default()
                },
                "5xx",
            ),
            (
                Faults {
                    rate_drop: 1.0,
                    drop_phase: DropPhase::Before,
                    ..Faults::default()
                },
                "drop_before",
            ),
            (
                Faults {
                    rate_drop: 1.0,
                    drop_phase: DropPhase::After,
                    ..Faults::default()
                },
                "drop_after",
            ),
        ];
        for (faults, want) in cases {
            assert!(
                decisions(faults, 50)
                    .iter()
                    .all(|d| d.label() == Some(want)),
                "{want}"
            );
        }
        assert!(decisions(Faults::default(), 50)
            .iter()
            .all(|d| *d == Decision::Pass));
    }

    #[test]
    fn same_seed_same_faults() {
        let f = Faults {
            rate_429: 0.3,
            rate_5xx: 0.3,
            rate_drop: 0.3,
            seed: 42,
            ..Faults::default()
        };
        assert_eq!(decisions(f.clone(), 200), decisions(f, 200));
    }

    #[test]
    fn faults_json_accepts_partial_objects() {
        let f: Faults =
            serde_json::from_str(r#"{"rate_429": 1.0, "drop_phase": "after"}"#).unwrap();
        assert_eq!(f.rate_429, 1.0);
        assert_eq!(f.drop_phase, DropPhase::After);
        assert_eq!(f.latency_ms, 0);
        let f: Faults =
            serde_json::from_str(r#"{"rate_hostile": 0.5, "hostile": ["html", "bare_success"]}"#)
                .unwrap();
        assert_eq!(f.rate_hostile, 0.5);
        assert_eq!(f.hostile, [HostileKind::Html, HostileKind::BareSuccess]);
        // Unset, they stay out of the JSON (older readers compare it whole).
        let unset = serde_json::to_value(Faults::default()).unwrap();
        assert!(unset.get("rate_hostile").is_none() && unset.get("hostile").is_none());
    }

    fn hostile_only(kinds: &[HostileKind]) -> FaultState {
        FaultState::new(Faults {
            rate_hostile: 1.0,
            hostile: kinds.to_vec(),
            seed: 3,
            ..Faults::default()
        })
    }

    #[test]
    fn hostile_answers_are_drawn_for_reads_of_v2_only_and_after_the_other_faults() {
        // (method, path, hostile)
        let rows = [
            ("GET", "/v2/products", true),
            ("GET", "/v2/products/p1/offer_codes", true),
            ("GET", "/api/v2/sales", true),
            ("POST", "/v2/products/p1/offer_codes", false),
            ("PUT", "/v2/products/p1", false),
            ("DELETE", "/v2/products/p1/offer_codes/c1", false),
            ("GET", "/oauth/token/info", false),
        ];
        let mut state = hostile_only(&[]);
        for (method, path, hostile) in rows {
            let decision = state.decide_for(method, path);
            assert_eq!(
                matches!(decision, Decision::Hostile(_)),
                hostile,
                "{method} {path}: {decision:?}"
            );
        }
        let mut throttled = FaultState::new(Faults {
            rate_429: 1.0,
            rate_hostile: 1.0,
            ..Faults::default()
        });
        assert_eq!(
            throttled.decide_for("GET", "/v2/products"),
            Decision::TooMany
        );
    }

    #[test]
    fn hostile_kinds_are_all_drawn_unless_narrowed_and_a_zero_rate_draws_nothing() {
        let labels = |mut state: FaultState| {
            (0..300)
                .filter_map(|_| state.decide_for("GET", "/v2/sales").label())
                .collect::<std::collections::BTreeSet<_>>()
        };
        let all: std::collections::BTreeSet<_> =
            HostileKind::ALL.iter().map(|k| k.label()).collect();
        assert_eq!(labels(hostile_only(&[])), all);
        assert_eq!(
            labels(hostile_only(&[HostileKind::Html])),
            ["hostile_html"].into()
        );
        // rate_hostile 0 leaves the other faults' sequence as it was.
        let f = Faults {
            rate_429: 0.3,
            rate_5xx: 0.3,
            seed: 42,
            ..Faults::default()
        };
        let mut plain = FaultState::new(f.clone());
        let mut for_reads = FaultState::new(f);
        for _ in 0..200 {
            assert_eq!(plain.decide(), for_reads.decide_for("GET", "/v2/products"));
        }
    }

    fn products_answer() -> Reply {
        Reply::ok(&json!({"success": true, "products": [
            {"id": "p1", "name": "A", "price": 100, "currency": "usd"},
            {"id": "p2", "name": "B", "price": 200, "currency": "usd"},
            {"id": "p3", "name": "C", "price": 300, "currency": "eur"},
        ], "next_page_key": "k2", "next_page_url": "/v2/products?page_key=k2"}))
    }

    fn garbled(kind: HostileKind, salt: u64, real: Reply) -> Reply {
        garble(Hostile { kind, salt }, real).expect("a success answer is garbled")
    }

    fn body_json(reply: &Reply) -> Option<Value> {
        serde_json::from_slice(&reply.body).ok()
    }

    fn huge(value: &Value) -> bool {
        value
            .as_str()
            .is_some_and(|s| s.len() >= HUGE_STRING_BYTES - HUGE_STRING_UNIT.len())
    }

    #[test]
    fn each_hostile_kind_spoils_the_answer_as_documented() {
        let user = || Reply::ok(&json!({"success": true, "user": {"id": "u1", "name": "Ann"}}));
        let empty = || Reply::ok(&json!({"success": true, "offer_codes": []}));
        type Check = fn(&Value) -> bool;
        // (kind, real answer, what the garbled JSON shows)
        let rows: [(HostileKind, Reply, Check); 9] = [
            (HostileKind::WrongType, products_answer(), |j| {
                let prices: Vec<&Value> = j["products"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| &p["price"])
                    .collect();
                prices.iter().filter(|p| **p == "free").count() == 1
                    && prices.iter().filter(|p| p.is_i64()).count() == 2
            }),
            (HostileKind::WrongType, user(), |j| j["user"] == "free"),
            (HostileKind::WrongType, empty(), |j| {
                j["offer_codes"] == json!({})
            }),
            (HostileKind::HugeString, products_answer(), |j| {
                j["products"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|p| huge(&p["price"]))
                    .count()
                    == 1
            }),
            (HostileKind::HugeString, empty(), |j| {
                huge(&j["offer_codes"])
            }),
            (HostileKind::MissingField, products_answer(), |j| {
                let products = j["products"].as_array().unwrap();
                products.len() == 3
                    && products.iter().filter(|p| p.get("id").is_none()).count() == 1
            }),
            (HostileKind::MissingField, user(), |j| {
                j.get("user").is_none() && j["success"] == true
            }),
            (HostileKind::MissingField, empty(), |j| {
                *j == json!({"success": true})
            }),
            (HostileKind::BareSuccess, products_answer(), |j| {
                *j == json!({"success": true})
            }),
        ];
        for (kind, real, check) in rows {
            let reply = garbled(kind, 7, real);
            assert_eq!(reply.status, 200, "{kind:?}");
            let json = body_json(&reply).unwrap_or_else(|| panic!("{kind:?}: JSON"));
            let shown = json.to_string();
            assert!(check(&json), "{kind:?}: {}", &shown[..shown.len().min(300)]);
        }

        let real = products_answer();
        let cut = garbled(HostileKind::Truncated, 7, real.clone());
        assert!(cut.body.len() < real.body.len() && !cut.body.is_empty());
        assert!(real.body.starts_with(&cut.body));
        assert_eq!(body_json(&cut), None, "a cut-off answer is not JSON");

        let page = garbled(HostileKind::Html, 7, products_answer());
        assert_eq!(page.status, 200);
        assert!(page
            .headers
            .iter()
            .any(|(name, value)| *name == "content-type" && value.starts_with("text/html")));
        assert!(page.body.starts_with(b"<!DOCTYPE html>"));
    }

    #[test]
    fn truncation_points_and_spoiled_items_follow_the_salt() {
        let cuts: std::collections::BTreeSet<usize> = (0..50)
            .map(|salt| {
                garbled(HostileKind::Truncated, salt, products_answer())
                    .body
                    .len()
            })
            .collect();
        assert!(cuts.len() > 10, "cuts spread over the answer: {cuts:?}");
        for kind in HostileKind::ALL {
            assert_eq!(
                garbled(kind, 11, products_answer()).body,
                garbled(kind, 11, products_answer()).body,
                "{kind:?}"
            );
        }
    }

    #[test]
    fn answers_that_are_not_successes_are_left_alone() {
        let rows = [
            Reply::failure("The product was not found."),
            Reply::error_400("Invalid page_key."),
            too_many_requests(),
            Reply::empty(401),
            server_error(502),
            Reply::json(201, &json!(["not", "an", "object"])),
        ];
        for real in rows {
            for kind in HostileKind::ALL {
                let kept = garble(Hostile { kind, salt: 1 }, real.clone()).expect_err("left alone");
                assert_eq!(
                    (kept.status, &kept.body),
                    (real.status, &real.body),
                    "{kind:?}"
                );
            }
        }
    }
}
