//! A local stand-in for `https://api.gumroad.com`: Gumroad's API v2 and token info,
//! quirks included, over a deterministic seeded store, with injected faults and a
//! side door for tests.
//!
//! Facts come from `shared/reference/gumroad-api-v2.md` (the contract); comments
//! cite its sections. Used in-process by Rust integration tests ([`Sandbox::start`]),
//! and as the `bulkroad-sandbox` binary by wasm tests, end-to-end specs and the demo.
//!
//! ```no_run
//! use bulkroad_sandbox::{tokens, Config, Sandbox};
//! let sandbox = Sandbox::start(Config::default()).unwrap();
//! let base = sandbox.url(); // http://127.0.0.1:PORT ; send `Authorization: Bearer {tokens::FULL}`
//! ```
//!
//! # Stores
//! With `Config::stores` > 1 the sandbox serves several sellers' stores, each opened by
//! its own tokens (`tokens::FULL_BY_STORE[k]`…): a request is answered from its token's
//! store, as Gumroad answers each token with its owner's data. Store 0 is the one a
//! single-store sandbox serves, byte for byte; `src/accounts.rs` seeds the others
//! so that no id is shared between stores.
//!
//! # Endpoints
//! | method & path | scope | notes |
//! |---|---|---|
//! | `GET /oauth/token/info` | any valid token | `{resource_owner_id, scope:[…], expires_in, application:{uid}, created_at}`; else 401 JSON |
//! | `GET /oauth/authorize` | none | consent page (HTML); `POST` approves, `DELETE` (or `POST` with `_method=delete`) denies; see `src/oauth/authorize.rs` |
//! | `POST /oauth/token` | client | `authorization_code` (PKCE S256/plain) and `refresh_token` grants |
//! | `POST /oauth/revoke` | client | RFC 7009: revokes an issued token pair |
//! | `GET /v2/user` | READ | field set depends on scopes (§2.11) |
//! | `GET /v2/products` | READ | 10 per page, `page_key` cursor, slim items |
//! | `GET /v2/products/:id` | READ | by external id or `unique_permalink`, deleted ones too |
//! | `PUT`/`PATCH /v2/products/:id` | edit_products | throttled 30/min per path and method |
//! | `DELETE /v2/products/:id` | edit_products | soft delete |
//! | `PUT /v2/products/:id/enable`, `/disable` | edit_products | |
//! | `GET`/`POST /v2/products/:id/offer_codes` | public scopes / edit_products | |
//! | `GET`/`PUT`/`PATCH`/`DELETE /v2/products/:id/offer_codes/:code_id` | public scopes / edit_products | |
//! | `GET /v2/sales` | view_sales | filters `after`/`before`/`product_id`/`email`/`order_id`, 10 per page, `page_key` cursor, deprecated `page` |
//! | `GET /v2/sales/summary` | view_sales | `from`/`to` (≤ 366 days), `group_by` product\|day\|week\|month; totals and breakdown in USD (`src/routes/summary.rs`) |
//! | `GET /v2/sales/:id` | view_sales | |
//! | `GET /v2/products/:id/subscribers` | view_sales | active subscriptions; `paginated=true\|1` → 100 per page |
//! | `GET /v2/subscribers/:id` | view_sales | any status |
//! | `GET /v2/categories` | READ | the fixed taxonomy (`src/taxonomy.rs`) |
//! | `GET /v2/products/comps` | READ | price quartiles of comparable paid listings (`src/routes/catalog.rs`) |
//! | `POST /ai/v1/chat/completions` | an AI key, no Gumroad token | the AI stand-in ([`ai`]); no CORS |
//! | `/__sandbox/…` | none | see [`inspect`] |
//!
//! The same API routes answer under the legacy `/api/v2` prefix. Any other route
//! answers 404 `{"success":false,"error":"Not found"}` (JSON). `OPTIONS` anywhere but `/ai`
//! answers a CORS preflight (204).
//!
//! # Modules
//! `server` (HTTP, pipeline, the stores) → `routes` (one file per resource) → `store` (data and
//! model rules) with `views` (API JSON), `auth` (tokens, scopes, 401/403), `params`
//! (Rails-style parameters), `money` (currencies), `accounts` (the stores and their
//! sellers, numbered apart), `seed` (one seeded store) and `seed_sales` (its sales,
//! buyers and subscriptions, dated by `timeline`),
//! `faults` (latency, 429, 5xx, drops, hostile answers to reads) and `throttle`
//! (failures), `inspect` (the side door; `code_uses`: uses of a code, default discounts), `oauth` (the OAuth server: applications,
//! codes and issued tokens, which open the API like the fixed tokens).

mod accounts;
pub mod ai;
mod auth;
mod clock;
mod code_uses;
mod faults;
mod ids;
pub mod inspect;
mod money;
mod oauth;
mod params;
mod reply;
mod rng;
mod routes;
mod seed;
mod seed_sales;
mod server;
mod store;
mod taxonomy;
mod throttle;
pub mod timeline;
pub mod tokens;
mod views;

pub use faults::{DropPhase, Faults, HostileKind, HUGE_STRING_UNIT};
pub use inspect::LoggedRequest;
pub use money::usd_cents;
pub use server::Sandbox;

/// How to start a sandbox.
#[derive(Clone, Debug)]
pub struct Config {
    /// Number of (non-deleted) products in the seeded store; stores under 3 products
    /// hold plain products only (no membership, pay-what-you-want or PPP product).
    pub products: usize,
    /// Number of seeded sales (0 = none: no buyers, subscriptions, custom fields or
    /// deleted product either, so the store is exactly the products-only one).
    pub sales: usize,
    /// The last day of the seeded sales' two years (days since 1970-01-01, UTC), none of
    /// them later than the moment the sandbox starts; `None`: the fixed 2023-10-01 to
    /// 2025-09-30 every test knows. See [`timeline`].
    pub sales_until: Option<i64>,
    /// Seed of the store; the same seed always builds the same store. Store k ≥ 1 is
    /// seeded from `seed + k` (with the same `products` and `sales`).
    pub seed: u64,
    /// Number of stores (seller accounts), 1 to [`tokens::MAX_STORES`]; a request is
    /// served from its token's store. Store 0 is the same whatever this number.
    pub stores: usize,
    /// Faults in force from the start.
    pub faults: Faults,
    /// Gumroad's throttle on `PUT`/`PATCH /v2/products/:id`.
    pub throttle: bool,
    /// 0 = any free port.
    pub port: u16,
    /// Also answer HTTPS (HTTP/2 or HTTP/1.1) on the same port; see [`Sandbox::tls_url`].
    pub tls: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            products: 25,
            sales: 0,
            sales_until: None,
            seed: 1,
            stores: 1,
            faults: Faults::default(),
            throttle: true,
            port: 0,
            tls: false,
        }
    }
}
