//! The test-only side door under `/__sandbox`: store state, request log, faults, reset.
//!
//! No auth, no faults, no throttle, not logged. Never part of the Gumroad
//! contract; clients under test must not call it.
//!
//! | route | answer |
//! |---|---|
//! | `GET /__sandbox/state` | the store without its sales (see [`state_json`]) |
//! | `GET /__sandbox/sales` | every sale as `GET /v2/sales` shows it, in its order (newest first, `created_at DESC, id DESC`) |
//! | `GET /__sandbox/subscribers` | every subscription, any status, as the API shows it, newest first |
//! | `GET /__sandbox/requests` | the request log, oldest first |
//! | `DELETE /__sandbox/requests` | clears the log → `{"cleared": N}` |
//! | `POST /__sandbox/reset` | reseeds the store from the start config (or a body `{"products": N, "sales": N, "seed": S}`, each optional), clears log and throttle, restores the start faults |
//! | `GET /__sandbox/faults` | the current [`Faults`] |
//! | `POST /__sandbox/faults` | sets them (missing fields take defaults) → the faults now in force |
//! | `GET /__sandbox/tokens` | the tokens object the binary prints at start |

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::faults::Faults;
use crate::reply::{Reply, JSON};
use crate::routes;
use crate::server::Shared;
use crate::store::Store;
use crate::tokens;
use crate::views;

/// Upper bound of `sales` on reset (and of `--sales`).
pub const MAX_SALES: usize = 500_000;

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

/// `{"seller", "products", "offer_codes", "universal_offer_codes", "sales_count",
/// "subscribers_count"}`: every product and code including deleted ones (`deleted_at`),
/// with internal fields (`serial`, `currency_type`, `ppp_enabled`, `custom_fields`…)
/// that the API does not show. Sales stay out (see [`sales_json`]) so this stays fast.
pub fn state_json(store: &Store) -> Value {
    let (universal, specific): (Vec<_>, Vec<_>) =
        store.offer_codes.iter().partition(|c| c.universal);
    json!({
        "seller": store.seller,
        "products": store.products,
        "offer_codes": specific,
        "universal_offer_codes": universal,
        "sales_count": store.sales.len(),
        "subscribers_count": store.subscriptions.len(),
    })
}

/// Every sale, newest first, as a JSON array of the API's sale objects (serialized
/// straight to bytes: 50 000 sales are a big answer).
pub fn sales_json(store: &Store) -> Vec<u8> {
    let now = crate::clock::now_micros();
    let all: Vec<views::SaleJson> = store
        .sales
        .iter()
        .rev()
        .map(|s| views::sale(store, s, now))
        .collect();
    serde_json::to_vec(&all).expect("sale JSON always serializes")
}

/// Every subscription (any status), newest first, as the API shows it.
pub fn subscribers_json(store: &Store) -> Value {
    Value::Array(
        routes::subscribers::all(store)
            .into_iter()
            .map(|s| views::subscriber(store, s))
            .collect(),
    )
}

pub(crate) fn handle(shared: &Shared, method: &str, path: &str, body: &[u8]) -> Reply {
    let route = path.trim_start_matches("/__sandbox").trim_end_matches('/');
    match (method, route) {
        ("GET", "/state") => Reply::ok(&shared.state()),
        ("GET", "/sales") => Reply::text(200, JSON, shared.sales_json()),
        ("GET", "/subscribers") => Reply::ok(&shared.subscribers_json()),
        ("GET", "/requests") => Reply::ok(&json!(shared.requests())),
        ("DELETE", "/requests") => Reply::ok(&json!({"cleared": shared.clear_requests()})),
        ("POST", "/reset") => {
            // An optional body `{"products": N, "sales": N, "seed": S}` reseeds another store.
            let wanted: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let products = wanted["products"]
                .as_u64()
                .map_or(shared.config.products, |n| n as usize);
            let seed = wanted["seed"].as_u64().unwrap_or(shared.config.seed);
            let sales = wanted["sales"]
                .as_u64()
                .map_or(shared.config.sales, |n| n as usize);
            if sales > MAX_SALES {
                return Reply::json(
                    400,
                    &json!({"error": format!("sales must be between 0 and {MAX_SALES}")}),
                );
            }
            if !(1..=5000).contains(&products) {
                return Reply::json(
                    400,
                    &json!({"error": "products must be between 1 and 5000"}),
                );
            }
            shared.reset_with(products, sales, seed);
            Reply::ok(&json!({"reset": true, "products": products, "sales": sales, "seed": seed}))
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
