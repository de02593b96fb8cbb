//! The test-only side door under `/__sandbox`: store state, request log, faults, reset.
//!
//! No auth, no faults, no throttle, not logged. Never part of the Gumroad
//! contract; clients under test must not call it.
//!
//! | route | answer |
//! |---|---|
//! | `GET /__sandbox/state` | the whole store (see [`state_json`]) |
//! | `GET /__sandbox/requests` | the request log, oldest first |
//! | `DELETE /__sandbox/requests` | clears the log → `{"cleared": N}` |
//! | `POST /__sandbox/reset` | reseeds the store from the start config (or a body `{"products": N, "seed": S}`), clears log and throttle, restores the start faults |
//! | `GET /__sandbox/faults` | the current [`Faults`] |
//! | `POST /__sandbox/faults` | sets them (missing fields take defaults) → the faults now in force |
//! | `GET /__sandbox/tokens` | the tokens object the binary prints at start |

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::faults::Faults;
use crate::reply::Reply;
use crate::server::Shared;
use crate::store::Store;
use crate::tokens;

/// One `/v2` or `/oauth` request as the sandbox received it (preflights are not logged).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoggedRequest {
    /// Arrival order, from 1; survives `clear_requests` (it is not reset).
    pub seq: u64,
    pub method: String,
    /// Path as sent, percent-encoding intact.
    pub path: String,
    /// Raw query string ("" when none).
    pub query: String,
    /// `path` plus `?query` when there is one.
    pub url: String,
    /// Raw body (lossy UTF-8).
    pub body: String,
    /// The `Authorization` header as sent, or null.
    pub authorization: Option<String>,
    /// Status the client received; null when the connection was dropped.
    pub status: Option<u16>,
    /// null, "429", "5xx", "drop_before", "drop_after" or "throttled".
    pub fault: Option<String>,
}

/// `{"seller", "products", "offer_codes", "universal_offer_codes"}`: every product and
/// code including deleted ones (`deleted_at`), with internal fields (`serial`,
/// `currency_type`, `ppp_enabled`…) that the API does not show.
pub fn state_json(store: &Store) -> Value {
    let (universal, specific): (Vec<_>, Vec<_>) =
        store.offer_codes.iter().partition(|c| c.universal);
    json!({
        "seller": store.seller,
        "products": store.products,
        "offer_codes": specific,
        "universal_offer_codes": universal,
    })
}

pub(crate) fn handle(shared: &Shared, method: &str, path: &str, body: &[u8]) -> Reply {
    let route = path.trim_start_matches("/__sandbox").trim_end_matches('/');
    match (method, route) {
        ("GET", "/state") => Reply::ok(&shared.state()),
        ("GET", "/requests") => Reply::ok(&json!(shared.requests())),
        ("DELETE", "/requests") => Reply::ok(&json!({"cleared": shared.clear_requests()})),
        ("POST", "/reset") => {
            // An optional body `{"products": N, "seed": S}` reseeds another store size.
            let wanted: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let products = wanted["products"]
                .as_u64()
                .map_or(shared.config.products, |n| n as usize);
            let seed = wanted["seed"].as_u64().unwrap_or(shared.config.seed);
            if !(1..=5000).contains(&products) {
                return Reply::json(
                    400,
                    &json!({"error": "products must be between 1 and 5000"}),
                );
            }
            shared.reset_with(products, seed);
            Reply::ok(&json!({"reset": true, "products": products, "seed": seed}))
        }
        ("GET", "/faults") => Reply::ok(&json!(shared.faults())),
        ("POST" | "PUT", "/faults") => {
            let parsed = if body.iter().all(u8::is_ascii_whitespace) {
                Ok(Faults::default())
            } else {
                serde_json::from_slice::<Faults>(body)
            };
            match parsed {
                Ok(f) => {
                    shared.set_faults(f);
                    Reply::ok(&json!(shared.faults()))
                }
                Err(e) => Reply::json(400, &json!({"error": format!("invalid faults JSON: {e}")})),
            }
        }
        ("GET", "/tokens") => Reply::ok(&tokens::as_json()),
        _ => Reply::json(404, &json!({"error": "unknown sandbox route"})),
    }
}
