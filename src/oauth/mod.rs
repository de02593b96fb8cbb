//! "Sign in with Gumroad": a generic OAuth 2.0 client for a public application — the
//! authorization code grant with PKCE (S256) and `state`, refresh and revocation (contract
//! §3, additions §1). The service worker runs the browser part (`launchWebAuthFlow`) and
//! stores what comes back; every rule and sentence is here. No `JsValue` here.
//!
//! - [`pkce`]: the verifier, its challenge and the `state`, from random bytes the caller
//!   draws (`crypto.getRandomValues` in the browser), so everything here is deterministic.
//! - [`authorize`]: the consent page's address on [`AUTHORIZE_BASE_URL`] and the reading of
//!   the address the sign-in ends on (denied, refused, forged, no code).
//! - [`token`]: `POST /oauth/token` (code exchange, refresh) and `POST /oauth/revoke` on
//!   [`API_BASE_URL`], sent without an `Authorization` header; the [`TokenSet`] and every
//!   refusal as an error with a kind.
//!
//! Recipe: [`start`] → open `authorize_url` → [`code_from_callback`] on the final address
//! → [`exchange_code`] → keep the [`TokenSet`]; when the API refuses the access token,
//! [`refresh`]; on disconnect, [`revoke`]. No message ever holds a code, a verifier or a
//! token.
//!
//! [`AUTHORIZE_BASE_URL`]: crate::config::AUTHORIZE_BASE_URL
//! [`API_BASE_URL`]: crate::config::API_BASE_URL

pub mod authorize;
pub mod pkce;
pub mod token;

pub use authorize::{authorize_url, code_from_callback, start, SignIn};
pub use pkce::{state_from_random, Pkce};
pub use token::{exchange_code, refresh, revoke, token_needs_refresh, TokenSet};

#[cfg(test)]
mod tests;
