//! The listing exports: the audit (read with `bulk::snapshot_options()`, from the product
//! list the worker holds when the core judges it fresh) and its CSV, Gumroad's categories
//! for the category select, and the pure halves of AI suggestions — the service worker
//! sends the request to the seller's endpoint itself, with the seller's key, which never
//! crosses into the core.

use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::jobs::product_list;
use super::{client, from_js, to_js, to_js_error};
use crate::bulk;
use crate::listing::audit::{audit_csv as csv_of, Audit};
use crate::listing::suggest;
use crate::listing_audit::load_audit;
use crate::model::Product;
use crate::runtime::BrowserClock;

/// `auditListings(token, listed?, stop?)`: `{audit, csv}` — the audit of every product and
/// the same as CSV text (one row per product, a header row). `audit`:
/// `{rows, findingKinds, notes, summary}`. Each row: `{productId, name, formattedPrice,
/// published, score (0–100), band ("good"|"ok"|"weak"|"poor"), bandLabel, parts: [{id
/// ("name"|"description"|"cover"|"pricing"|"socialProof"), label, weight, score}],
/// findings: [{id, severity ("problem"|"advice"|"unknown"), rule, message, fix}],
/// discover: {eligible (true|false|null), reasons}, snippet, categoryLabel (or null),
/// comps: {count, p25, p50, p75} (formatted; null with compsNote saying why), compsNote}`.
/// `findingKinds`: `[{id, label, severity, count}]`, most frequent first. `listed` as for
/// `previewApplyCode`. Categories or comparable prices that cannot be read make parts
/// unknown (said in `notes`), not a failure. `stop`: the account's `AbortSignal` (rejects
/// with `Stopped` once it aborts).
#[wasm_bindgen(js_name = auditListings)]
pub async fn audit_listings(
    token: JsValue,
    listed: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let listed = product_list(listed)?;
    let client = client(token, stop)?;
    let audit = load_audit(
        &client,
        &BrowserClock,
        listed.as_ref(),
        &bulk::snapshot_options(),
    )
    .await
    .map_err(to_js_error)?;
    // The CSV is made now, from the audit itself: reading an audit back from JS later
    // would cost a deserializer for every part of it.
    #[derive(Serialize)]
    struct AuditAndCsv<'a> {
        audit: &'a Audit,
        csv: String,
    }
    to_js(&AuditAndCsv {
        csv: csv_of(&audit),
        audit: &audit,
    })
}

/// `listingCategories(token, stop?)`: Gumroad's categories for the category select —
/// `[{id, label, path}]`, sorted by path. Rejects with `NotFound` where Gumroad's API has
/// no categories. `stop`: the account's `AbortSignal`.
#[wasm_bindgen(js_name = listingCategories)]
pub async fn listing_categories(
    token: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Choice {
        id: i64,
        label: String,
        path: String,
    }
    let client = client(token, stop)?;
    let mut categories = client.categories().await.map_err(to_js_error)?;
    // Paths are unique: no order among equals to keep.
    categories.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    let choices: Vec<Choice> = categories
        .into_iter()
        .map(|c| Choice {
            id: c.id,
            label: if c.label.is_empty() { c.name } else { c.label },
            path: c.path,
        })
        .collect();
    to_js(&choices)
}

/// `aiEndpoint(url)`: `{url, origin, permission}` — the address as it will be called, its
/// origin, and the pattern to pass to `chrome.permissions.request({origins: [permission]})`.
/// Throws an `InvalidInput` GumroadError unless it is `https://…` or
/// `http://localhost[:port]/…` / `http://127.0.0.1[:port]/…`, without credentials or
/// fragment.
#[wasm_bindgen(js_name = aiEndpoint)]
pub fn ai_endpoint(url: &str) -> Result<JsValue, JsValue> {
    to_js(&suggest::ai_endpoint(url).map_err(to_js_error)?)
}

/// `suggestionRequest(model, product, instruction)`: `{body, timeoutMs}` — the JSON text to
/// POST (with `Content-Type: application/json` and the seller's key) to the AI endpoint, and
/// how long to wait for its answer. `product`: a product as `listProducts` gave it. Throws
/// `InvalidInput` for an empty model.
#[wasm_bindgen(js_name = suggestionRequest)]
pub fn suggestion_request(
    model: &str,
    product: JsValue,
    instruction: Option<String>,
) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        body: String,
        timeout_ms: u32,
    }
    let product: Product = from_js(product)?;
    let body =
        suggest::suggestion_request(model, &product, instruction.as_deref().unwrap_or_default())
            .map_err(to_js_error)?;
    to_js(&Body {
        body,
        timeout_ms: crate::listing::ai_settings::ANSWER_TIMEOUT_MS,
    })
}

/// `readSuggestion(status, bodyText, product)`: the AI endpoint's answer as
/// `{productId, productName, name, summary, descriptionOpening, tags, problems}` — each
/// field `null` unless suggested and within Gumroad's rules; `problems` says why one was
/// dropped. Throws a GumroadError: `Rejected` (key refused, 401/403, or the model
/// declined), `InvalidInput` (unknown model), `NotFound`, `RateLimited`, `Server`, or
/// `Decode` (not the JSON asked for).
#[wasm_bindgen(js_name = readSuggestion)]
pub fn read_suggestion(status: u16, body_text: &str, product: JsValue) -> Result<JsValue, JsValue> {
    let product: Product = from_js(product)?;
    let suggestion = suggest::read_suggestion(status, body_text, &product).map_err(to_js_error)?;
    to_js(&suggestion)
}
