//! Bulkroad's core: a Gumroad API v2 client that compiles to WebAssembly for the extension
//! and natively for tests. This file is the module map only; no logic lives here.
//!
//! Layers, bottom up:
//! - [`config`]: the API origin, fixed at build time.
//! - [`http`]: HTTP as plain data (request, response, "no answer"); imports nothing above it.
//! - [`error`]: the one error type every layer returns ([`Error`] + [`ErrorKind`]).
//! - [`auth`] and [`scopes`]: the access token (never printed) and which features need
//!   which OAuth scopes.
//! - [`model`]: Gumroad's wire types (serde only) and typed ids.
//! - [`money`]: currencies, minimum prices and price formatting.
//! - `spreadsheet_csv`: the `csv` crate set up for the downloads (CRLF, formula cells
//!   defused) and for reading the parity table import.
//! - `stable_sort`: `sort_by` through one shared copy of the standard sort.
//! - [`transport`]: the [`transport::Transport`] seam over [`http`]'s requests — `fetch`
//!   in the browser (wasm32), `reqwest` natively.
//! - [`api`]: [`api::GumroadClient`], one file per Gumroad resource, with every answer
//!   shape decoded in one place (`api::envelope`).
//! - [`runtime`]: the [`runtime::Clock`] seam (timers in the browser, tokio natively, a
//!   fake one for tests).
//! - [`bulk`]: bulk jobs — intent → snapshot → pure plan → preview → execute → report;
//!   see its recipes.
//! - `wasm` (wasm32 only): the JavaScript boundary, the only place with `JsValue`.
//!
//! Recipe for a read: `GumroadClient::new(transport, AccessToken::parse(pasted)?)`, then
//! `client.user().await`, `client.token_info().await`, `client.products().await`.

pub mod api;
pub mod auth;
pub mod bulk;
pub mod config;
pub mod error;
pub mod export;
pub mod forms;
pub mod http;
pub mod model;
pub mod money;
pub mod parity;
pub mod runtime;
pub mod scopes;
mod spreadsheet_csv;
mod stable_sort;
pub mod transport;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use api::GumroadClient;
pub use auth::AccessToken;
pub use error::{Error, ErrorKind};
