//! Bulkroad's core: a Gumroad API v2 client that compiles to WebAssembly for the extension
//! and natively for tests. This file is the module map only; no logic lives here.
//!
//! Layers, bottom up:
//! - [`config`]: the API origin, the sign-in origin and the Gumroad application id, fixed at
//!   build time.
//! - [`http`]: HTTP as plain data (request, response, "no answer"); imports nothing above it.
//! - [`error`]: the one error type every layer returns ([`Error`] + [`ErrorKind`]).
//! - [`auth`] and [`scopes`]: the access token (never printed) and which features need
//!   which OAuth scopes.
//! - `wording`: how lists, counts and times read in notes and progress ("a, b and c",
//!   "3 products", "about 2 min left"); a leaf.
//! - [`model`]: Gumroad's wire types (serde only), typed ids, and Gumroad's rules for
//!   code names and terms (`collation_key`, `check_code_name`, `is_created_code`).
//! - [`money`]: currencies, minimum prices and price formatting.
//! - [`listing`]: listings, pure — the picker's small row per product, Gumroad's field
//!   rules (name, summary, tags) and descriptions read as text (edits touch text only),
//!   the audit's scores and findings, and AI suggestions (request built, answer checked).
//! - [`discount`]: what a discount does to a product's prices (amount off, every price a
//!   buyer can pay, the minimum-price problem); below `bulk` and `parity`.
//! - `spreadsheet_csv`: the `csv` crate set up for the downloads (CRLF, formula cells
//!   defused) and for reading the parity table import.
//! - [`transport`]: the [`transport::Transport`] seam over [`http`]'s requests — `fetch`
//!   in the browser (wasm32), `reqwest` natively.
//! - [`api`]: [`api::GumroadClient`], one file per Gumroad resource, with every answer
//!   shape decoded in one place (`api::envelope`); after a 401 it asks the account's
//!   [`auth::Renew`] (if any) for a fresh token and sends the request once more.
//! - [`oauth`]: "Sign in with Gumroad" — PKCE and state, the consent page's address, the
//!   end of the sign-in, the token endpoint (code exchange, refresh) and revocation.
//! - [`runtime`]: the [`runtime::Clock`] seam (timers in the browser, tokio natively, a
//!   fake one for tests).
//! - [`pacing`]: the runner shared by snapshots, jobs and exports — retry policy, AIMD
//!   window, futures in flight, the observer's [`pacing::Control`].
//! - [`parity`]: the pure parity table, formula and codes (never imports `bulk`).
//! - [`bulk`]: bulk jobs — intent → snapshot → pure plan → preview → execute → report;
//!   one file per operation, see its recipes.
//! - [`listing_audit`]: the listing audit's reads (products, categories, comparable prices
//!   once per category and currency) over the same pacing, then `listing::audit`.
//! - [`export`]: the sales export (shards, CSV) over the same pacing.
//! - [`insights`]: sales over time and revenue per product from Gumroad's sales summary,
//!   one call per 366-day window over the same pacing, drawn as charts the page places.
//! - [`forms`]: what sellers type, turned into bulk intents.
//! - `wasm` (wasm32 only): the JavaScript boundary, the only place with `JsValue`.
//!
//! Recipe for a read: `GumroadClient::new(transport, AccessToken::parse(pasted)?)`, then
//! `client.user().await`, `client.token_info().await`, `client.products().await`.

pub mod api;
pub mod auth;
pub mod bulk;
pub mod config;
pub mod discount;
pub mod error;
pub mod export;
pub mod forms;
pub mod http;
pub mod insights;
pub mod listing;
pub mod listing_audit;
pub mod model;
pub mod money;
pub mod oauth;
pub mod pacing;
pub mod parity;
pub mod runtime;
pub mod scopes;
mod spreadsheet_csv;
pub mod transport;
mod wording;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use api::GumroadClient;
pub use auth::AccessToken;
pub use error::{Error, ErrorKind};
