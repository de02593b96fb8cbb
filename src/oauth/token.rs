//! The token endpoint and revocation (contract §3.4, §3.5): `POST /oauth/token` to exchange
//! a sign-in code (with its PKCE verifier) or a refresh token for a [`TokenSet`], and
//! `POST /oauth/revoke`. Both on the build's API origin, form-encoded, with the application
//! id in the form and no `Authorization` header (a public application has no secret).
//!
//! Answers: `200 {access_token, token_type, refresh_token, scope, created_at}` (Gumroad
//! sends no `expires_in`: its tokens never expire; other servers send it); errors as
//! `{error, error_description}` with 400 (`invalid_grant`, `invalid_request`,
//! `invalid_scope`, `unsupported_grant_type`) or 401 (`invalid_client`,
//! `unauthorized_client`); a 429 from the throttle; HTML or nothing at all from a proxy or a
//! failing server. Every code, verifier and token sent is hidden from what is read back.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::authorize::{check_client_id, check_redirect_uri, gumroad_said, hide, is_code};
use super::pkce::is_verifier;
use crate::auth::AccessToken;
use crate::error::Error;
use crate::http::{Method, Request, Response};
use crate::transport::Transport;

const TOKEN_PATH: &str = "/oauth/token";
const REVOKE_PATH: &str = "/oauth/revoke";

/// How long before its expiry a token counts as due for refresh, in milliseconds.
pub const REFRESH_MARGIN_MS: f64 = 5.0 * 60.0 * 1000.0;

/// What the token endpoint granted. `Debug` hides both tokens; it crosses to the service
/// worker (which stores it for the account) and nowhere else.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenSet {
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// The scopes granted (Gumroad sends them space-separated).
    pub scope: Vec<String>,
    /// Unix seconds: Gumroad's `created_at`, or when the answer came if there was none.
    pub created_at: i64,
    /// Seconds from `created_at`; `None` when the token never expires (Gumroad's).
    pub expires_in: Option<i64>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"…redacted…")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "…redacted…"),
            )
            .field("scope", &self.scope)
            .field("created_at", &self.created_at)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// When a token was made and how long it lives, as the worker keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenLife {
    pub created_at: i64,
    #[serde(default)]
    pub expires_in: Option<i64>,
}

/// True when a token of `life` expires within [`REFRESH_MARGIN_MS`] of `now_ms` (or has
/// expired); never for a token without `expires_in`.
pub fn token_needs_refresh(life: TokenLife, now_ms: f64) -> bool {
    match life.expires_in {
        None => false,
        Some(seconds) => {
            let expires_ms = (life.created_at as f64 + seconds as f64) * 1000.0;
            now_ms >= expires_ms - REFRESH_MARGIN_MS
        }
    }
}

/// What the token endpoint was asked, for the wording of its refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grant {
    Code,
    Refresh,
    Revoke,
}

pub const NO_CODE_TO_EXCHANGE: &str = "There is no sign-in code to exchange. Sign in again.";
pub const BAD_VERIFIER: &str =
    "Bulkroad lost the key of this sign-in (its PKCE verifier is not valid). Sign in again.";
pub const NO_REFRESH_TOKEN: &str =
    "This account has no renewal token Bulkroad can use. Sign in with Gumroad again.";
pub const NO_TOKEN_TO_REVOKE: &str = "There is no token to revoke.";
pub const CODE_EXPIRED: &str = "The sign-in code expired or was already used. Sign in again.";
pub const REFRESH_REFUSED: &str = "Gumroad no longer accepts this account's renewal token (it was \
     revoked, or already used). Sign in with Gumroad again.";
pub const UNKNOWN_CLIENT: &str = "Gumroad does not know this application id, or does not let it \
     sign in this way, so Bulkroad cannot sign in. The application may have been deleted.";
pub const NO_ACCESS_TOKEN: &str =
    "Gumroad's sign-in server answered without an access token Bulkroad can use.";

/// `POST /oauth/token` with `grant_type=authorization_code`: the code from the end of the
/// sign-in, the same `redirect_uri` as at its start and the sign-in's PKCE verifier.
/// `now_s`: the time (Unix seconds) to record if the answer has no `created_at`.
pub async fn exchange_code<T: Transport>(
    transport: &T,
    client_id: &str,
    redirect_uri: &str,
    code: &str,
    verifier: &str,
    now_s: i64,
) -> Result<TokenSet, Error> {
    check_client_id(client_id)?;
    check_redirect_uri(redirect_uri)?;
    if !is_code(code) {
        return Err(Error::invalid_input(NO_CODE_TO_EXCHANGE));
    }
    if !is_verifier(verifier) {
        return Err(Error::invalid_input(BAD_VERIFIER));
    }
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
        ("code_verifier", verifier),
    ];
    let answer = post(transport, TOKEN_PATH, &form, Grant::Code, &[code, verifier]).await?;
    token_set(&answer, now_s)
}

/// `POST /oauth/token` with `grant_type=refresh_token`. Gumroad revokes the refresh token
/// at once (keep the new one); two refreshes with the same one: the second is refused.
pub async fn refresh<T: Transport>(
    transport: &T,
    client_id: &str,
    refresh_token: &str,
    now_s: i64,
) -> Result<TokenSet, Error> {
    check_client_id(client_id)?;
    if AccessToken::parse(refresh_token).is_err() {
        return Err(Error::invalid_input(NO_REFRESH_TOKEN));
    }
    let refresh_token = refresh_token.trim();
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", client_id),
    ];
    let answer = post(
        transport,
        TOKEN_PATH,
        &form,
        Grant::Refresh,
        &[refresh_token],
    )
    .await?;
    token_set(&answer, now_s)
}

/// `POST /oauth/revoke` with `token` (an access or a refresh token). Gumroad answers
/// `200 {}` also for a token it does not know: revoking twice is fine.
pub async fn revoke<T: Transport>(
    transport: &T,
    client_id: &str,
    token: &str,
) -> Result<(), Error> {
    check_client_id(client_id)?;
    if AccessToken::parse(token).is_err() {
        return Err(Error::invalid_input(NO_TOKEN_TO_REVOKE));
    }
    let token = token.trim();
    let form = [("token", token), ("client_id", client_id)];
    post(transport, REVOKE_PATH, &form, Grant::Revoke, &[token]).await?;
    Ok(())
}

/// Sends the form without `Authorization`; a success answer, or the error its refusal
/// means (read with `secrets` hidden). Not generic over an answer type.
async fn post<T: Transport>(
    transport: &T,
    path: &str,
    form: &[(&str, &str)],
    grant: Grant,
    secrets: &[&str],
) -> Result<Response, Error> {
    let mut request = Request::post(path);
    request.form = form
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    let answer = transport
        .send(&request, None)
        .await
        .map_err(|error| Error::from_transport(error, Method::Post, path))?;
    let status = answer.status;
    // Some servers refuse with 200 and an `error` (never Gumroad).
    if (200..=299).contains(&status) && error_code(&answer.body).is_none() {
        return Ok(answer);
    }
    let body = hide(&answer.body, secrets);
    Err(refusal(grant, status, &body)
        .with_status(status)
        .at(Method::Post, path))
}

/// `{error}` of a JSON body, when it has one.
fn error_code(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    value.get("error")?.as_str().map(str::to_owned)
}

/// The error a refusal from the token endpoint means (`body`: its secrets already hidden).
fn refusal(grant: Grant, status: u16, body: &str) -> Error {
    let value: Option<Value> = serde_json::from_str(body).ok();
    let field = |name: &str| value.as_ref()?.get(name)?.as_str();
    let (error, description) = (field("error"), field("error_description"));
    let said = gumroad_said(description, error, &[]);
    match (status, error) {
        (429, _) => Error::rate_limited(),
        (500..=599, _) => Error::server(format!(
            "Gumroad's sign-in server had a problem (HTTP {status}). Try again in a moment.{said}"
        )),
        (_, Some(error)) => refused(grant, error, &said),
        (400..=499, None) => Error::rejected(format!(
            "Gumroad's sign-in server refused the request without saying why (HTTP {status})."
        )),
        (_, None) => Error::server(format!(
            "Gumroad's sign-in server gave an answer Bulkroad cannot read (HTTP {status}). \
             Try again in a moment."
        )),
    }
}

/// The error for an OAuth `error` code (`said`: Gumroad's description, ready to append).
fn refused(grant: Grant, error: &str, said: &str) -> Error {
    match (error, grant) {
        ("invalid_grant", Grant::Code) => Error::unauthorized(CODE_EXPIRED),
        ("invalid_grant", Grant::Refresh) => Error::unauthorized(REFRESH_REFUSED),
        ("unauthorized_client", Grant::Revoke) => Error::rejected(format!(
            "Gumroad would not let Bulkroad revoke this token: it belongs to another \
             application.{said}"
        )),
        ("invalid_client" | "unauthorized_client", _) => Error::rejected(UNKNOWN_CLIENT),
        ("invalid_request", _) => Error::rejected(format!(
            "Gumroad refused the sign-in request as incomplete. Sign in again.{said}"
        )),
        ("invalid_scope", _) => Error::rejected(format!(
            "Gumroad refused the permissions Bulkroad asked for.{said}"
        )),
        ("unsupported_grant_type", _) => Error::rejected(format!(
            "Gumroad does not let this application sign in this way.{said}"
        )),
        _ => Error::rejected(format!("Gumroad refused the sign-in.{said}")),
    }
}

/// The [`TokenSet`] in a success answer. No message quotes the answer.
fn token_set(answer: &Response, now_s: i64) -> Result<TokenSet, Error> {
    let located = |error: Error| {
        error
            .with_status(answer.status)
            .at(Method::Post, TOKEN_PATH)
    };
    let value: Value = serde_json::from_str(&answer.body).map_err(|_| {
        let said = if answer.body.trim().is_empty() {
            "nothing"
        } else {
            "something that is not JSON"
        };
        located(Error::decode(format!(
            "Gumroad's sign-in server answered with {said} instead of a token."
        )))
    })?;
    let text = |name: &str| value.get(name).and_then(Value::as_str).map(str::trim);
    let token_type = text("token_type").unwrap_or("Bearer");
    let access_token = text("access_token")
        .filter(|token| {
            AccessToken::parse(token).is_ok() && token_type.eq_ignore_ascii_case("bearer")
        })
        .ok_or_else(|| located(Error::decode(NO_ACCESS_TOKEN)))?;
    let refresh_token = text("refresh_token")
        .filter(|token| !token.is_empty())
        .map(str::to_owned);
    if refresh_token
        .as_deref()
        .is_some_and(|t| AccessToken::parse(t).is_err())
    {
        return Err(located(Error::decode(
            "Gumroad's sign-in server answered with a renewal token Bulkroad cannot use.",
        )));
    }
    let scope = match value.get("scope") {
        Some(Value::String(text)) => text.split_whitespace().map(str::to_owned).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .flat_map(str::split_whitespace)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let whole = |name: &str| {
        let number = value.get(name)?;
        number
            .as_i64()
            .or_else(|| number.as_f64().map(|n| n as i64))
    };
    Ok(TokenSet {
        access_token: access_token.to_owned(),
        refresh_token,
        scope,
        created_at: whole("created_at").unwrap_or(now_s),
        expires_in: whole("expires_in"),
    })
}
