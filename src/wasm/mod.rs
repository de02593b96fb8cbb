//! The JavaScript boundary: the only module with `#[wasm_bindgen]` and `JsValue`.
//!
//! Exports are functions (most of them async) that take the token on each call: the service
//! worker owns it in `chrome.storage`, and nothing here keeps it. That first parameter is
//! the access token (a string), or `{accessToken, renew}` for an account signed in with
//! Gumroad: after a 401 the request asks `renew(staleToken)` once for a fresh token and is
//! sent once more with it (see `credential`). "Sign in with Gumroad" itself is in `oauth`. The one class,
//! `CustomersFile`, holds a customer file while the worker feeds it stored chunks; it
//! lives only as long as one download, so a restarted worker has nothing to rebuild.
//! Values cross as JSON text (serde_json on this side, `JSON.stringify`/`JSON.parse` on
//! the other): plain objects, `null` for `None`, read by the same decoder as Gumroad's
//! answers.
//! Failures cross as a JS `Error` named `GumroadError` with `kind`, `status`, `retryable`
//! and `mayHaveApplied`, so JS branches on `kind`, never on message text. The API origin is fixed at build time
//! (`config::API_BASE_URL`); nothing here accepts another one.
//!
//! Every export that sends requests takes one more parameter, last and optional: `stop`,
//! the account's `AbortSignal` (the worker passes its `AbortController.signal`, or
//! nothing). Once it aborts, nothing more is sent with that token: a request not yet sent
//! fails before sending, one on its way is aborted, and the call rejects with a
//! `GumroadError` of kind `Stopped` (never retried; `mayHaveApplied` only for a write that
//! was on its way) — except `executePlan`, which resolves to its report with `error` set
//! and the steps it did not run `notRun`, as for a refused token. A `stop` that is not an
//! `AbortSignal` rejects with `InvalidInput` before any request.

mod ai_settings;
mod credential;
mod export;
mod insights;
mod jobs;
mod listing_edits;
mod listings;
mod oauth;
mod parity;

pub use ai_settings::*;
pub use export::*;
pub use insights::*;
pub use jobs::*;
pub use listing_edits::*;
pub use listings::*;
pub use oauth::*;
pub use parity::*;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::api::GumroadClient;
use crate::config::API_BASE_URL;
use crate::error::{Error, ErrorKind, Saving};
use crate::model::{Product, User};
use crate::money::{format_price, major_units};
use crate::scopes::{missing_features, Feature};
use crate::transport::fetch::FetchTransport;

/// The origin this build talks to (`https://api.gumroad.com` in release builds).
#[wasm_bindgen(js_name = apiOrigin)]
pub fn api_origin() -> String {
    API_BASE_URL.to_owned()
}

/// `storageError(name, message, saving)`: the `GumroadError` (kind `Storage`) for a write the
/// browser's storage refused — `name` and `message` of what IndexedDB or `chrome.storage`
/// threw, `saving` what was being kept (`"jobProgress"`, `"jobStart"`, `"preview"`, `"report"`,
/// `"export"`). Returned, not thrown: the worker throws it, or keeps its kind and message
/// on the job it stopped. A full storage reads `storage full: …`.
#[wasm_bindgen(js_name = storageError)]
pub fn storage_error(name: String, message: String, saving: JsValue) -> Result<JsValue, JsValue> {
    let saving: Saving = from_js(saving)?;
    Ok(to_js_error(Error::storage(&name, &message, saving)))
}

/// What the popup shows once a token is verified.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    /// The token as it will be stored (trimmed; a renewed one if `renew` gave one on the
    /// way); the worker keeps it and never shows it.
    token: String,
    user: User,
    /// Null when Gumroad would not say (see `connect`).
    scopes: Option<Vec<String>>,
    missing_features: Vec<MissingFeature>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MissingFeature {
    feature: Feature,
    description: &'static str,
    scopes: &'static [&'static str],
    explanation: String,
}

/// `connect(token, stop?)`: verifies a pasted token (or a signed-in account's
/// `{accessToken, renew}`) with `GET /v2/user` and reads its scopes with
/// `GET /oauth/token/info`. Resolves to `{token, user, scopes, missingFeatures}`; rejects
/// with a `GumroadError` (`InvalidInput` for a malformed token, before any request;
/// `Stopped` once `stop` aborts).
#[wasm_bindgen]
pub async fn connect(token: JsValue, stop: Option<AbortSignal>) -> Result<JsValue, JsValue> {
    let client = client(token, stop)?;
    let user = client.user().await.map_err(to_js_error)?;
    // `GET /v2/user` has already proved the token. The scopes come from Doorkeeper's
    // token-info route, outside `/v2`: if only that read fails (other than a refused token),
    // the seller is still connected, with the scopes shown as unknown rather than refused.
    let scopes = match client.token_info().await {
        Ok(info) => Some(info.scopes),
        Err(error) if matches!(error.kind(), ErrorKind::Unauthorized | ErrorKind::Stopped) => {
            return Err(to_js_error(error))
        }
        Err(_) => None,
    };
    let missing_features = scopes
        .as_deref()
        .map(missing_features)
        .unwrap_or_default()
        .into_iter()
        .map(|feature| MissingFeature {
            feature,
            description: feature.description(),
            scopes: feature.accepted_scopes(),
            explanation: feature.explanation(),
        })
        .collect();
    to_js(&Connection {
        token: client.token().expose().to_owned(),
        user,
        scopes,
        missing_features,
    })
}

/// A product as the picker lists it: Gumroad's fields, a `formatted_price` (Gumroad's own,
/// or ours where it sent none) and `price_decimal`, the price in the currency's major unit
/// (9.99; yen have no minor unit), which the picker's price filter compares with what the
/// seller types.
#[derive(Serialize)]
struct ListedProduct {
    #[serde(flatten)]
    product: Product,
    price_decimal: f64,
}

/// `listProducts(token, stop?)`: every product, all `GET /v2/products` pages, as
/// `ListedProduct`s. `stop`: the account's `AbortSignal` (rejects with `Stopped` once it
/// aborts).
#[wasm_bindgen(js_name = listProducts)]
pub async fn list_products(token: JsValue, stop: Option<AbortSignal>) -> Result<JsValue, JsValue> {
    let products = client(token, stop)?.products().await.map_err(to_js_error)?;
    let listed: Vec<ListedProduct> = products
        .into_iter()
        .map(|product| ListedProduct {
            price_decimal: major_units(product.price, &product.currency),
            product: with_formatted_price(product),
        })
        .collect();
    to_js(&listed)
}

/// `pickerRows(products)`: the picker's small row for each listed product (from
/// `listProducts`), in order — what a page holds of a catalogue of thousands.
#[wasm_bindgen(js_name = pickerRows)]
pub fn picker_rows(products: JsValue) -> Result<JsValue, JsValue> {
    let products: Vec<Product> = from_js(products)?;
    to_js(&crate::listing::picker_rows(&products))
}

/// A client for `token` — the access token, or `{accessToken, renew}` (`InvalidInput` when
/// malformed) — whose requests `stop` stops.
pub(crate) fn client(
    token: JsValue,
    stop: Option<AbortSignal>,
) -> Result<GumroadClient<FetchTransport>, JsValue> {
    let (token, renewer) = credential::credential(&token).map_err(to_js_error)?;
    let client = GumroadClient::new(transport(stop)?, token);
    Ok(match renewer {
        Some(renewer) => client.with_renewer(renewer),
        None => client,
    })
}

/// The build's origin, stopped for good once `stop` (the account's signal) aborts. JS
/// types are not checked when they cross, so a `stop` that is not an `AbortSignal` is
/// refused here, before any request.
fn transport(stop: Option<AbortSignal>) -> Result<FetchTransport, JsValue> {
    if stop.as_ref().is_some_and(|s| !s.has_type::<AbortSignal>()) {
        return Err(to_js_error(Error::invalid_input(
            "Bulkroad received a stop signal that is not an AbortSignal.",
        )));
    }
    Ok(FetchTransport::new(API_BASE_URL).with_stop(stop))
}

fn with_formatted_price(mut product: Product) -> Product {
    if product.formatted_price.as_deref().is_none_or(str::is_empty) {
        product.formatted_price = Some(format_price(product.price, &product.currency));
    }
    product
}

/// `value` as a JS value: plain objects (not `Map`s) and `null` for `None`, as the
/// extension's JS expects. It crosses as JSON text, written by serde_json and read by
/// `JSON.parse` (see [`from_js`] for why text). 64-bit integers become JS numbers; every
/// one that crosses (cents, counts, milliseconds since 1970) is far below 2^53.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|_| cannot_pass_on())?;
    js_sys::JSON::parse(&text).map_err(|_| cannot_pass_on())
}

/// The part of [`to_js`]'s failure that does not depend on the type, compiled once.
fn cannot_pass_on() -> JsValue {
    to_js_error(Error::decode(
        "Bulkroad could not pass Gumroad's answer on.",
    ))
}

/// Calls a JS observer callback with `value` and waits for its promise: `"cancel"` stops
/// the run, anything else lets it go on. A value that cannot be passed, a callback that
/// throws or a promise that rejects could not record the step, so the run must not go on
/// unrecorded: all three cancel.
pub(crate) async fn notify_observer<T: Serialize>(
    callback: &js_sys::Function,
    value: &T,
) -> crate::bulk::Control {
    use crate::bulk::Control;
    let Ok(value) = to_js(value) else {
        return Control::Cancel;
    };
    let Ok(answer) = callback.call1(&JsValue::NULL, &value) else {
        return Control::Cancel;
    };
    let settled = match answer.dyn_into::<js_sys::Promise>() {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await,
        Err(plain) => Ok(plain),
    };
    match settled {
        Ok(reply) if reply.as_string().as_deref() == Some("cancel") => Control::Cancel,
        Ok(_) => Control::Continue,
        Err(_) => Control::Cancel,
    }
}

/// A JS value (a form, a plan, a report) as the Rust type; a wrong shape is `InvalidInput`
/// naming where it is wrong. `undefined` (an argument left out) reads as `null`, and an
/// object key whose value is `undefined` as a key left out.
///
/// The value crosses as JSON text (`JSON.stringify`) and is read by the same decoder as
/// Gumroad's answers (`api::envelope`): one decoder with one way of naming a wrong field,
/// compiled once per type rather than once per source, which keeps the wasm ≈ 10 % smaller
/// than reading JS values field by field. `NaN` and `Infinity` become `null`, so a number
/// field holding one is refused rather than read.
pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    let text = if value.is_undefined() {
        None
    } else {
        let json = js_sys::JSON::stringify(&value).map_err(|_| unreadable(None))?;
        json.as_string()
    };
    let mut deserializer = serde_json::Deserializer::from_str(text.as_deref().unwrap_or("null"));
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| unreadable(Some(&error)))
}

/// The `InvalidInput` error for a value [`from_js`] cannot read, naming where it is wrong
/// (`None`: a value JSON cannot hold, such as a `BigInt` or a cycle).
fn unreadable(error: Option<&serde_path_to_error::Error<serde_json::Error>>) -> JsValue {
    let Some(error) = error else {
        return to_js_error(Error::invalid_input(
            "Bulkroad received data it cannot read: it is not plain data.",
        ));
    };
    let path = crate::error::field_path(error.path());
    // serde_json places its errors in the text ("… at line 1 column 40"): the text was made
    // here, so the place means nothing to a seller; the path says where.
    let inner = error.inner();
    let reason = inner.to_string();
    let place = format!(" at line {} column {}", inner.line(), inner.column());
    let reason = reason.strip_suffix(&place).unwrap_or(&reason);
    to_js_error(Error::invalid_input(if path == "." {
        format!("Bulkroad received data it cannot read: {reason}")
    } else {
        format!("Bulkroad received data it cannot read at {path}: {reason}")
    }))
}

/// A real JS `Error` named `GumroadError` with `kind`, `status`, `retryable` and
/// `mayHaveApplied`; its message is the seller-readable one (it never holds the token).
pub(crate) fn to_js_error(error: Error) -> JsValue {
    let js = js_sys::Error::new(error.message());
    js.set_name("GumroadError");
    let status = error.status().map_or(JsValue::NULL, JsValue::from);
    let fields: [(&str, JsValue); 4] = [
        ("kind", error.kind().as_str().into()),
        ("status", status),
        ("retryable", error.retryable().into()),
        ("mayHaveApplied", error.may_have_applied().into()),
    ];
    for (name, value) in fields {
        // Setting a property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(&js, &name.into(), &value);
    }
    js.into()
}
