//! The browser part of a sign-in: the consent page's address (contract §3.3) and the
//! reading of the address the sign-in ends on. Gumroad sends the seller back to the
//! redirect address with `code` and `state`, or with `error` and `error_description` (and
//! `state`); the two errors Gumroad does not send back (unknown application, redirect
//! address not registered) end on Gumroad's own error page, which the browser part reports.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use super::pkce::{state_from_random, Pkce, CHALLENGE_METHOD, RANDOM_BYTES};
use crate::config::{is_client_id, AUTHORIZE_BASE_URL};
use crate::error::{clip, Error};
use crate::http::Request;
use crate::scopes::sign_in_scope;

/// Bytes `start` needs: 32 for the verifier, then 32 for the state.
pub const START_RANDOM_BYTES: usize = 2 * RANDOM_BYTES;

/// Longest redirect address accepted.
const MAX_REDIRECT_URI_LEN: usize = 2000;

/// Longest sign-in code accepted (Gumroad's are 43 characters).
const MAX_CODE_LEN: usize = 2048;

/// Longest piece of Gumroad's own text that goes into a message, in characters.
const MAX_QUOTED_CHARS: usize = 300;

pub const NO_CLIENT_ID: &str =
    "This build of Bulkroad has no Gumroad application id, so it cannot sign in with Gumroad.";
pub const BAD_CLIENT_ID: &str = "This build of Bulkroad has a Gumroad application id that is not \
     valid (letters, digits and punctuation only), so it cannot sign in with Gumroad.";
pub const BAD_REDIRECT_URI: &str = "Bulkroad cannot sign in with the return address it was given: \
     it must be an https address without spaces or a # part.";
pub const NOT_RANDOM: &str =
    "Bulkroad received no randomness for the sign-in, so it did not start.";
pub const NOT_STARTED: &str = "Bulkroad has no sign-in in progress to finish. Sign in again.";
pub const ELSEWHERE: &str = "The sign-in did not come back to Bulkroad's own address, so \
     Bulkroad ignored it. Sign in again.";
pub const FORGED: &str = "This answer did not come from the sign-in Bulkroad started, so \
     Bulkroad ignored it. Sign in again.";
pub const NO_CODE: &str = "Gumroad's answer to the sign-in has no sign-in code, so Bulkroad was \
     not connected. Sign in again.";
pub const DENIED: &str = "You chose Deny on Gumroad, so Bulkroad was not connected.";

/// A sign-in, started: open `authorize_url`; keep `state` and `verifier` (in the worker,
/// for this sign-in only) to read its end and to exchange its code. `Debug` hides the
/// verifier.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    pub authorize_url: String,
    pub state: String,
    pub verifier: String,
}

impl fmt::Debug for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignIn")
            .field("authorize_url", &self.authorize_url)
            .field("state", &self.state)
            .field("verifier", &"…redacted…")
            .finish()
    }
}

/// Starts a sign-in for application `client_id` returning to `redirect_uri`, asking for
/// every feature's scopes or (`read_only`) no write scope. `random`: 64 random bytes (the
/// verifier's, then the state's); refused when either half is one byte repeated (bytes
/// that were never filled in).
pub fn start(
    client_id: &str,
    redirect_uri: &str,
    read_only: bool,
    random: &[u8; START_RANDOM_BYTES],
) -> Result<SignIn, Error> {
    check_client_id(client_id)?;
    check_redirect_uri(redirect_uri)?;
    let (verifier_bytes, state_bytes) = random.split_at(RANDOM_BYTES);
    let halves: [[u8; RANDOM_BYTES]; 2] = [
        verifier_bytes.try_into().expect("32 bytes"),
        state_bytes.try_into().expect("32 bytes"),
    ];
    if halves.iter().any(|half| half.iter().all(|b| *b == half[0])) {
        return Err(Error::invalid_input(NOT_RANDOM));
    }
    let pkce = Pkce::from_random(&halves[0]);
    let state = state_from_random(&halves[1]);
    let scope = sign_in_scope(read_only);
    Ok(SignIn {
        authorize_url: authorize_url(client_id, redirect_uri, &scope, &state, pkce.challenge()),
        state,
        verifier: pkce.verifier().to_owned(),
    })
}

/// `AUTHORIZE_BASE_URL/oauth/authorize?client_id=…&redirect_uri=…&response_type=code&scope=…
/// &state=…&code_challenge=…&code_challenge_method=S256`, form-urlencoded.
pub fn authorize_url(
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    state: &str,
    challenge: &str,
) -> String {
    Request::get("/oauth/authorize")
        .with_query("client_id", client_id)
        .with_query("redirect_uri", redirect_uri)
        .with_query("response_type", "code")
        .with_query("scope", scope)
        .with_query("state", state)
        .with_query("code_challenge", challenge)
        .with_query("code_challenge_method", CHALLENGE_METHOD)
        .url(AUTHORIZE_BASE_URL)
}

/// The sign-in code in `final_url`, the address the sign-in ended on, for the sign-in that
/// returns to `redirect_uri` with `state`. In order: the address must be the redirect
/// address; it must carry exactly that `state` (before anything else is read, so that
/// nothing of an address the sign-in did not produce, not even an error text, reaches the
/// seller); Gumroad's `error` (the seller chose Deny: `Denied`; anything else: `Rejected`,
/// or `Server` when Gumroad could not answer); and exactly one `code`.
pub fn code_from_callback(
    final_url: &str,
    redirect_uri: &str,
    state: &str,
) -> Result<String, Error> {
    check_redirect_uri(redirect_uri)?;
    if state.is_empty() {
        return Err(Error::invalid_input(NOT_STARTED));
    }
    let returned = final_url.strip_prefix(redirect_uri).is_some_and(|rest| {
        rest.is_empty()
            || rest.starts_with(['?', '#'])
            || (redirect_uri.contains('?') && rest.starts_with('&'))
    });
    if !returned {
        return Err(Error::invalid_input(ELSEWHERE));
    }
    let without_fragment = final_url.split('#').next().unwrap_or_default();
    let query = without_fragment
        .split_once('?')
        .map_or("", |(_, query)| query);
    let params: Vec<(Cow<str>, Cow<str>)> = form_urlencoded::parse(query.as_bytes()).collect();
    let values = |name: &str| -> Vec<&str> {
        params
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_ref())
            .collect()
    };
    if values("state") != [state] {
        return Err(Error::invalid_input(FORGED));
    }
    let codes = values("code");
    if let Some(error) = values("error").first() {
        let description = values("error_description").first().copied();
        return Err(refused(error, description, &codes));
    }
    match codes.as_slice() {
        [code] if is_code(code) => Ok((*code).to_owned()),
        _ => Err(Error::invalid_input(NO_CODE)),
    }
}

/// The error for Gumroad's `error` at the end of a sign-in (RFC 6749 §4.1.2.1).
fn refused(error: &str, description: Option<&str>, secrets: &[&str]) -> Error {
    let said = gumroad_said(description, Some(error), secrets);
    match error {
        "access_denied" => Error::denied(DENIED),
        "server_error" | "temporarily_unavailable" => Error::server(format!(
            "Gumroad could not finish the sign-in just now, so Bulkroad was not connected. \
             Try again in a moment.{said}"
        )),
        "invalid_scope" => Error::rejected(format!(
            "Gumroad refused the permissions Bulkroad asked for, so Bulkroad was not \
             connected.{said}"
        )),
        _ => Error::rejected(format!(
            "Gumroad refused the sign-in, so Bulkroad was not connected.{said}"
        )),
    }
}

/// `" Gumroad said: <description>"` (clipped, with every secret in `secrets` hidden), or
/// `" (Gumroad's error: <error>)"` when there is no description and `error` is a plain
/// error code, or nothing.
pub(crate) fn gumroad_said(
    description: Option<&str>,
    error: Option<&str>,
    secrets: &[&str],
) -> String {
    let description = description
        .map(|text| clip(&hide(text, secrets), MAX_QUOTED_CHARS))
        .filter(|text| !text.is_empty());
    match (description, error) {
        (Some(text), _) => format!(" Gumroad said: {text}"),
        (None, Some(code)) if is_error_code(code) => format!(" (Gumroad's error: {code})"),
        (None, _) => String::new(),
    }
}

/// `text` with each of `secrets` (a code, a token…) replaced.
pub(crate) fn hide<'a>(text: &'a str, secrets: &[&str]) -> Cow<'a, str> {
    let mut text = Cow::Borrowed(text);
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if text.contains(secret) {
            text = Cow::Owned(text.replace(secret, "[hidden]"));
        }
    }
    text
}

/// An OAuth error code such as `invalid_grant`: 1 to 64 of `a-z 0-9 _`.
pub(crate) fn is_error_code(code: &str) -> bool {
    (1..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A sign-in code's shape: printable ASCII, no spaces, not too long.
pub(crate) fn is_code(code: &str) -> bool {
    (1..=MAX_CODE_LEN).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_graphic())
}

/// `InvalidInput` unless `client_id` has an application id's shape.
pub(crate) fn check_client_id(client_id: &str) -> Result<(), Error> {
    if client_id.trim().is_empty() {
        return Err(Error::invalid_input(NO_CLIENT_ID));
    }
    if !is_client_id(client_id) {
        return Err(Error::invalid_input(BAD_CLIENT_ID));
    }
    Ok(())
}

/// `InvalidInput` unless `uri` is an https address with a host, no spaces and no fragment —
/// what Gumroad accepts as a redirect address (additions §1). An extension's is always
/// `https://<extension id>.chromiumapp.org/<path>`, so plain http (which Gumroad allows on
/// the loopback host, for command-line tools) is refused: a build names no local host.
pub(crate) fn check_redirect_uri(uri: &str) -> Result<(), Error> {
    let host_and_rest = uri.strip_prefix("https://");
    let ok = uri.len() <= MAX_REDIRECT_URI_LEN
        && !uri.contains('#')
        && uri.bytes().all(|b| b.is_ascii_graphic())
        && host_and_rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with(['/', '?', ':']));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(BAD_REDIRECT_URI))
    }
}
