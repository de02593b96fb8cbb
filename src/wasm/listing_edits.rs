//! The listing-edit export: the preview of a bulk edit of names, descriptions, summaries,
//! tags or categories (executed, undone and re-planned with the ordinary job exports).
//! The form is the intent itself, `{productIds, edit: {kind, …}}` (see
//! `bulk::listings::EditListingsIntent`); the plan crosses in the shapes of `bulk::plan`,
//! each listing step with its `changes` (before → after per field, a word diff for names
//! and descriptions).

use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::jobs::product_list;
use super::{client, from_js, to_js, to_js_error};
use crate::bulk::{self, parse_listings_intent};
use crate::runtime::BrowserClock;

/// `previewEditListings(token, form, listed?, stop?)`: the plan for the "Edit listings"
/// form — `{productIds, edit}` where `edit` is one of `{kind: "tags", mode:
/// "add"|"remove"|"replace", tags: "a, b"}`, `{kind: "summary", mode: "set"|"fillEmpty",
/// text}`, `{kind: "findReplace", field: "name"|"description", find, replace,
/// caseSensitive}`, `{kind: "addText", field, position: "prepend"|"append", text}`,
/// `{kind: "category", taxonomyId}` or `{kind: "suggestions", items: [{productId, name?,
/// summary?, descriptionOpening?, tags?}]}`. `listed` as for `previewApplyCode` (the
/// selected products are read again in any case). Bad input rejects with an
/// `InvalidInput` GumroadError before any request. `stop`: the account's `AbortSignal`
/// (rejects with `Stopped` once it aborts).
#[wasm_bindgen(js_name = previewEditListings)]
pub async fn preview_edit_listings(
    token: JsValue,
    form: JsValue,
    listed: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let form: serde_json::Value = from_js(form)?;
    let intent = parse_listings_intent(&form).map_err(to_js_error)?;
    let listed = product_list(listed)?;
    let client = client(token, stop)?;
    let plan = bulk::preview_edit_listings_with_list(
        &client,
        &BrowserClock,
        &intent,
        listed.as_ref(),
        &bulk::snapshot_options(),
    )
    .await
    .map_err(to_js_error)?;
    to_js(&plan)
}
