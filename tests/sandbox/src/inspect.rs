//! The test-only side door under `/__sandbox`: store state, request log, faults, reset.
//!
//! No auth, no faults, no throttle, not logged. Never part of the Gumroad
//! contract; clients under test must not call it.
//!
//! `state`, `sales` and `subscribers` show one store: `?store=N` (default 0; 400 when N
//! is not a number, 404 when the sandbox serves no store N).
//!
//! | route | answer |
//! |---|---|
//! | `GET /__sandbox/state` | the store without its sales (see [`state_json`]) |
//! | `GET /__sandbox/sales` | every sale as `GET /v2/sales` shows it, in its order (newest first, `created_at DESC, id DESC`) |
//! | `GET /__sandbox/subscribers` | every subscription, any status, as the API shows it, newest first |
//! | `POST /__sandbox/offer_codes/use`, `…/default` | record uses of a code (a single-use code is then soft-deleted); make a code a default discount (see [`crate::code_uses`]) |
//! | `GET /__sandbox/requests` | the request log of every store, oldest first |
//! | `DELETE /__sandbox/requests` | clears the log → `{"cleared": N}` |
//! | `POST /__sandbox/reset` | reseeds every store from the start config (or a body `{"products": N, "sales": N, "seed": S, "stores": N}`, each optional), clears log and throttle, restores the start faults |
//! | `GET /__sandbox/faults` | the current [`Faults`] (one set for all stores) |
//! | `POST /__sandbox/faults` | sets them (missing fields take defaults) → the faults now in force |
//! | `GET /__sandbox/tokens` | store 0's tokens by name plus `stores` (see [`tokens_json`]) |
//! | `GET`/`POST /__sandbox/applications` | the OAuth applications; register or change one (`src/oauth/side_door.rs`) |
//! | `GET`/`POST /__sandbox/oauth` | issued tokens and codes (never their strings); token lifetime, server clock |
//! | `POST /__sandbox/oauth/revoke_all` | revokes every issued token of a store (`{"store": N}`) or of all |
//!
//! A reset also resets the OAuth server: the default application loses its redirect URIs,
//! other applications, codes and issued tokens are gone, tokens never expire again and
//! the server's clock is the real one.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::code_uses;
use crate::faults::Faults;
use crate::oauth::side_door;
use crate::reply::{Reply, JSON};
use crate::routes;
use crate::server::Shared;
use crate::store::Store;
use crate::tokens::{self, MAX_STORES};
use crate::views;

/// Upper bound of `sales` on reset (and of `--sales`).
pub const MAX_SALES: usize = 500_000;

/// One `/v2` or `/oauth` request as the sandbox received it (preflights are not logged),
/// or any request to the AI stand-in under `/ai` (preflights included), whose
/// `authorization` is `"[redacted]"` when the header came: its key is never kept.
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
    /// null, "429", "5xx", "drop_before", "drop_after", "throttled" or "hostile_…".
    pub fault: Option<String>,
    /// The store whose token the request carried (header or `access_token`/`bearer_token`
    /// parameter); null without a token of a store the sandbox serves.
    #[serde(default)]
    pub store: Option<usize>,
    /// That token's label (`full`, `read_only`, `store1.full`…, `issued.<n>` for the n-th
    /// token the OAuth server issued), never the token itself; null likewise.
    #[serde(default)]
    pub token: Option<String>,
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

/// Store 0's tokens by name (the keys `/__sandbox/tokens` always had) plus `stores`: each
/// store served, `{"index", "user_id", "resource_owner_id", "name", "email", "tokens"}`,
/// where `user_id` is the one `GET /v2/user` shows, `resource_owner_id` the one token
/// info shows, and `tokens` that store's tokens by name.
pub fn tokens_json(stores: &[Store]) -> Value {
    let listed: Vec<Value> = stores
        .iter()
        .enumerate()
        .map(|(index, store)| {
            json!({
                "index": index,
                "user_id": store.seller.user_id,
                "resource_owner_id": store.seller.resource_owner_id,
                "name": store.seller.name,
                "email": store.seller.email,
                "tokens": tokens::of_store(index),
            })
        })
        .collect();
    let mut all = tokens::as_json();
    all["stores"] = Value::Array(listed);
    all
}

/// Which store `?store=N` names (0 without it), or the answer refusing it.
fn chosen_store(shared: &Shared, query: &str) -> Result<usize, Reply> {
    let Some((_, raw)) = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "store")
    else {
        return Ok(0);
    };
    let count = shared.store_count();
    match raw.parse::<usize>() {
        Ok(n) if n < count => Ok(n),
        Ok(n) => Err(Reply::json(
            404,
            &json!({"error": format!("no store {n}: this sandbox serves stores 0 to {}", count - 1)}),
        )),
        Err(_) => Err(Reply::json(
            400,
            &json!({"error": format!("store must be a store index, not {raw:?}")}),
        )),
    }
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

pub(crate) fn handle(shared: &Shared, method: &str, path: &str, query: &str, body: &[u8]) -> Reply {
    let route = path.trim_start_matches("/__sandbox").trim_end_matches('/');
    // `?store=N` is only read by the routes that show one store.
    let store = || chosen_store(shared, query);
    match (method, route) {
        ("GET", "/state") => match store() {
            Ok(n) => shared.state(n).map_or_else(gone, |v| Reply::ok(&v)),
            Err(refused) => refused,
        },
        ("GET", "/sales") => match store() {
            Ok(n) => shared
                .sales_json(n)
                .map_or_else(gone, |bytes| Reply::text(200, JSON, bytes)),
            Err(refused) => refused,
        },
        ("GET", "/subscribers") => match store() {
            Ok(n) => shared
                .subscribers_json(n)
                .map_or_else(gone, |v| Reply::ok(&v)),
            Err(refused) => refused,
        },
        ("POST", "/offer_codes/use") => match store() {
            Ok(n) => shared
                .with_store(n, |s| code_uses::record_uses(s, body))
                .unwrap_or_else(gone),
            Err(refused) => refused,
        },
        ("POST", "/offer_codes/default") => match store() {
            Ok(n) => shared
                .with_store(n, |s| code_uses::set_default(s, body))
                .unwrap_or_else(gone),
            Err(refused) => refused,
        },
        ("GET", "/requests") => Reply::ok(&json!(shared.requests())),
        ("DELETE", "/requests") => Reply::ok(&json!({"cleared": shared.clear_requests()})),
        ("POST", "/reset") => reset(shared, body),
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
        ("GET", "/tokens") => Reply::ok(&shared.tokens_json()),
        ("GET", "/applications") => side_door::applications(&shared.oauth()),
        ("POST" | "PUT", "/applications") => side_door::register(&mut shared.oauth(), body),
        ("GET", "/oauth") => Reply::ok(&side_door::state_json(&shared.oauth())),
        ("POST" | "PUT", "/oauth") => side_door::configure(&mut shared.oauth(), body),
        ("POST", "/oauth/revoke_all") => side_door::revoke_all(&mut shared.oauth(), body),
        _ => Reply::json(404, &json!({"error": "unknown sandbox route"})),
    }
}

/// A store removed by a reset between the check and the lookup.
fn gone() -> Reply {
    Reply::json(404, &json!({"error": "no such store"}))
}

/// `POST /__sandbox/reset`: an optional body `{"products": N, "sales": N, "seed": S,
/// "stores": N}` reseeds other stores; each missing key keeps the start config's value.
/// Answers `{"reset": true, "products", "sales", "seed"}`, plus `"stores"` when more
/// than one store is served. The OAuth server goes back to its start state too.
fn reset(shared: &Shared, body: &[u8]) -> Reply {
    let wanted: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let config = &shared.config;
    let count = |key: &str, default: usize| wanted[key].as_u64().map_or(default, |n| n as usize);
    let products = count("products", config.products);
    let sales = count("sales", config.sales);
    let stores = count("stores", config.stores);
    let seed = wanted["seed"].as_u64().unwrap_or(config.seed);
    let refuse = |error: String| Reply::json(400, &json!({ "error": error }));
    if sales > MAX_SALES {
        return refuse(format!("sales must be between 0 and {MAX_SALES}"));
    }
    if !(1..=5000).contains(&products) {
        return refuse("products must be between 1 and 5000".into());
    }
    if !(1..=MAX_STORES).contains(&stores) {
        return refuse(format!("stores must be between 1 and {MAX_STORES}"));
    }
    shared.reset_with(products, sales, seed, stores);
    let mut answer = json!({"reset": true, "products": products, "sales": sales, "seed": seed});
    // A one-store answer keeps the shape it had before there were several stores.
    if stores > 1 {
        answer["stores"] = stores.into();
    }
    Reply::ok(&answer)
}
