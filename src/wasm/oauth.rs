//! "Sign in with Gumroad" for the service worker, which runs it with
//! `chrome.identity.launchWebAuthFlow` and keeps what comes back per account:
//!
//! 1. `oauthStart(clientId, redirectUri, readOnly, random)` with 64 bytes from
//!    `crypto.getRandomValues` → `{authorizeUrl, state, verifier}`;
//! 2. `launchWebAuthFlow({url: authorizeUrl, interactive: true})` → the final address;
//! 3. `oauthCallback(finalUrl, redirectUri, state)` → `{code}`, or a `GumroadError`
//!    (`Denied`: the seller chose Deny; `Rejected`/`Server`: Gumroad refused or failed;
//!    `InvalidInput`: not this sign-in's answer, or no code);
//! 4. `oauthExchange(clientId, redirectUri, code, verifier, stop?)` → a token set
//!    `{accessToken, refreshToken, scope, createdAt, expiresIn}`;
//! 5. later, `oauthRefresh(clientId, refreshToken, stop?)` (inside the account's `renew`,
//!    see `credential`) and `oauthRevoke(clientId, token, stop?)` on disconnect.
//!
//! `clientId` is normally `buildClientId()`; a `null` one is refused as "no application
//! id". The token endpoints are on the build's API origin; the consent page on
//! `authorizeOrigin()`.

use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::{from_js, to_js, to_js_error, transport};
use crate::config::{AUTHORIZE_BASE_URL, CLIENT_ID};
use crate::error::Error;
use crate::oauth::authorize::START_RANDOM_BYTES;
use crate::oauth::token::TokenLife;
use crate::oauth::{self, code_from_callback};

/// `buildClientId()`: the Gumroad application id this build signs in with, or `null` when
/// it was built without one (then only a pasted token connects).
#[wasm_bindgen(js_name = buildClientId)]
pub fn build_client_id() -> Option<String> {
    CLIENT_ID.map(str::to_owned)
}

/// `authorizeOrigin()`: the origin of Gumroad's consent page for this build
/// (`https://app.gumroad.com` in release builds).
#[wasm_bindgen(js_name = authorizeOrigin)]
pub fn authorize_origin() -> String {
    AUTHORIZE_BASE_URL.to_owned()
}

/// `oauthStart(clientId, redirectUri, readOnly, random)`: `random` is a `Uint8Array` of 64
/// bytes from `crypto.getRandomValues`. Returns `{authorizeUrl, state, verifier}`; throws
/// `InvalidInput` for a missing or malformed id, a redirect address that is not https
/// (or loopback http), or bytes that are not random.
#[wasm_bindgen(js_name = oauthStart)]
pub fn oauth_start(
    client_id: Option<String>,
    redirect_uri: &str,
    read_only: bool,
    random: JsValue,
) -> Result<JsValue, JsValue> {
    let bytes: [u8; START_RANDOM_BYTES] = random
        .dyn_into::<js_sys::Uint8Array>()
        .ok()
        .filter(|array| array.length() as usize == START_RANDOM_BYTES)
        .map(|array| {
            let mut bytes = [0u8; START_RANDOM_BYTES];
            array.copy_to(&mut bytes);
            bytes
        })
        .ok_or_else(|| {
            to_js_error(Error::invalid_input(
                "Bulkroad needs 64 random bytes (a Uint8Array from crypto.getRandomValues) to \
                 start a sign-in.",
            ))
        })?;
    let sign_in = oauth::start(
        client_id.as_deref().unwrap_or_default(),
        redirect_uri,
        read_only,
        &bytes,
    )
    .map_err(to_js_error)?;
    to_js(&sign_in)
}

/// `oauthCallback(finalUrl, redirectUri, state)`: `{code}` from the address the sign-in
/// ended on; throws a `GumroadError` otherwise (see the module's list).
#[wasm_bindgen(js_name = oauthCallback)]
pub fn oauth_callback(
    final_url: &str,
    redirect_uri: &str,
    state: &str,
) -> Result<JsValue, JsValue> {
    #[derive(serde::Serialize)]
    struct Code {
        code: String,
    }
    let code = code_from_callback(final_url, redirect_uri, state).map_err(to_js_error)?;
    to_js(&Code { code })
}

/// `oauthExchange(clientId, redirectUri, code, verifier, stop?)`: the token set for the
/// sign-in's code (`POST /oauth/token`). Rejects with `Unauthorized` when the code expired
/// or was used, `Rejected` when Gumroad does not know the application, `Network`
/// (`mayHaveApplied`: the code may be used up) when the answer was lost, `Stopped` once
/// `stop` aborts.
#[wasm_bindgen(js_name = oauthExchange)]
pub async fn oauth_exchange(
    client_id: Option<String>,
    redirect_uri: String,
    code: String,
    verifier: String,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let transport = transport(stop)?;
    let client_id = client_id.unwrap_or_default();
    let set = oauth::exchange_code(
        &transport,
        &client_id,
        &redirect_uri,
        &code,
        &verifier,
        now_s(),
    )
    .await
    .map_err(to_js_error)?;
    to_js(&set)
}

/// `oauthRefresh(clientId, refreshToken, stop?)`: a new token set for the account's
/// refresh token (Gumroad revokes the old one at once: store the new set). Rejects with
/// `Unauthorized` when Gumroad no longer accepts it (sign in again).
#[wasm_bindgen(js_name = oauthRefresh)]
pub async fn oauth_refresh(
    client_id: Option<String>,
    refresh_token: String,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let transport = transport(stop)?;
    let client_id = client_id.unwrap_or_default();
    let set = oauth::refresh(&transport, &client_id, &refresh_token, now_s())
        .await
        .map_err(to_js_error)?;
    to_js(&set)
}

/// `oauthRevoke(clientId, token, stop?)`: revokes an access or refresh token
/// (`POST /oauth/revoke`); resolves to `undefined`, also for a token Gumroad does not know.
#[wasm_bindgen(js_name = oauthRevoke)]
pub async fn oauth_revoke(
    client_id: Option<String>,
    token: String,
    stop: Option<AbortSignal>,
) -> Result<(), JsValue> {
    let transport = transport(stop)?;
    let client_id = client_id.unwrap_or_default();
    oauth::revoke(&transport, &client_id, &token)
        .await
        .map_err(to_js_error)
}

/// `tokenNeedsRefresh(tokenSet, nowMs)`: true when the token set (`{createdAt,
/// expiresIn}`; other fields are ignored) expires within 5 minutes of `nowMs` or has
/// expired; false when it never expires (`expiresIn` null, as Gumroad's).
#[wasm_bindgen(js_name = tokenNeedsRefresh)]
pub fn token_needs_refresh(token_set: JsValue, now_ms: f64) -> Result<bool, JsValue> {
    let life: TokenLife = from_js(token_set)?;
    Ok(oauth::token_needs_refresh(life, now_ms))
}

/// Now, in Unix seconds: what a token set records when the answer has no `created_at`.
fn now_s() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}
