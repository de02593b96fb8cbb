//! The first parameter of every export that talks to Gumroad: the account's credential.
//! Either the access token itself (a string, as pasted), or, for an account signed in with
//! Gumroad, `{accessToken, renew}`: `renew(staleToken)` returns (a promise of) a fresh
//! access token, or `null` when there is none. The client asks it at most once per request,
//! after Gumroad refused that request with 401, and sends the request once more with the
//! new token (`api::GumroadClient::with_renewer`). The worker makes `renew` single-flight
//! per account: requests refused together all call it, and one refresh serves them all.
//!
//! A `renew` that throws or rejects: its `GumroadError`'s kind and message become the
//! request's error (say `Network` when the refresh could not reach Gumroad), anything else
//! reads as `Unauthorized` (sign in again).

use std::future::Future;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::auth::{AccessToken, Renew, Renewal};
use crate::error::{Error, ErrorKind};

/// The message of a credential that is neither a token nor `{accessToken, renew}`.
const NOT_A_CREDENTIAL: &str = "Bulkroad received a token it cannot read: pass the access \
     token, or {accessToken, renew} for an account signed in with Gumroad.";

/// The message of a `renew` whose answer is neither a token nor `null`.
const NOT_A_RENEWED_TOKEN: &str =
    "Bulkroad's renewal of the access token gave something that is not a token.";

/// The message when `renew` failed without a `GumroadError`.
const RENEWAL_FAILED: &str = "Gumroad refused the access token and Bulkroad could not renew it. \
     Sign in with Gumroad again.";

/// The account's token, and its renewer if it has one.
pub(crate) fn credential(value: &JsValue) -> Result<(AccessToken, Option<JsRenewer>), Error> {
    if let Some(token) = value.as_string() {
        return Ok((AccessToken::parse(&token)?, None));
    }
    if !value.is_object() {
        return Err(Error::invalid_input(NOT_A_CREDENTIAL));
    }
    let field = |name: &str| Reflect::get(value, &JsValue::from_str(name)).ok();
    let token = field("accessToken")
        .and_then(|token| token.as_string())
        .ok_or_else(|| Error::invalid_input(NOT_A_CREDENTIAL))?;
    let token = AccessToken::parse(&token)?;
    let renewer = match field("renew") {
        None => None,
        Some(renew) if renew.is_undefined() || renew.is_null() => None,
        Some(renew) => Some(JsRenewer(
            renew
                .dyn_into::<Function>()
                .map_err(|_| Error::invalid_input(NOT_A_CREDENTIAL))?,
        )),
    };
    Ok((token, renewer))
}

/// The worker's `renew(staleToken)`.
pub(crate) struct JsRenewer(Function);

impl Renew for JsRenewer {
    fn renew<'a>(&'a self, stale: &'a AccessToken) -> Renewal<'a> {
        Box::pin(renewed(&self.0, stale))
    }
}

fn renewed(
    renew: &Function,
    stale: &AccessToken,
) -> impl Future<Output = Result<Option<AccessToken>, Error>> {
    let answer = renew.call1(&JsValue::NULL, &JsValue::from_str(stale.expose()));
    async move {
        let answer = answer.map_err(|reason| renewal_failed(&reason))?;
        let settled = match answer.dyn_into::<Promise>() {
            Ok(promise) => JsFuture::from(promise)
                .await
                .map_err(|reason| renewal_failed(&reason))?,
            Err(plain) => plain,
        };
        if settled.is_null() || settled.is_undefined() {
            return Ok(None);
        }
        settled
            .as_string()
            .and_then(|token| AccessToken::parse(&token).ok())
            .map(Some)
            .ok_or_else(|| Error::invalid_input(NOT_A_RENEWED_TOKEN))
    }
}

/// What a `renew` that threw or rejected with `reason` means for the request.
fn renewal_failed(reason: &JsValue) -> Error {
    let field = |name: &str| {
        reason
            .is_object()
            .then(|| Reflect::get(reason, &JsValue::from_str(name)).ok())
            .flatten()
            .and_then(|value| value.as_string())
    };
    let kind = field("kind").and_then(|kind| ErrorKind::from_name(&kind));
    match (kind, field("message")) {
        (Some(kind), Some(message)) if !message.trim().is_empty() => Error::new(kind, message),
        _ => Error::unauthorized(RENEWAL_FAILED),
    }
}
