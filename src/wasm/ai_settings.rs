//! The seller's AI endpoint settings and what stops a suggestion, for the worker
//! (`extension/ai-suggestions.js`): no request here, and never the key itself — only
//! whether one is kept.

use wasm_bindgen::prelude::*;

use super::{from_js, to_js, to_js_error};
use crate::listing::ai_settings::{check_batch, check_settings, settings_view, AiFailure, SavedAi};

/// `aiSettingsCheck(url, model, keyTyped, savedKeyOrigin)`: the settings to save once Chrome
/// allows `permission` — `{url, origin, permission, model, refusedMessage}` — or an
/// `InvalidInput` GumroadError. `keyTyped`: a key was typed now; `savedKeyOrigin`: the
/// origin the kept key belongs to (null when none), which alone may keep it.
#[wasm_bindgen(js_name = aiSettingsCheck)]
pub fn ai_settings_check(
    url: String,
    model: String,
    key_typed: bool,
    saved_key_origin: Option<String>,
) -> Result<JsValue, JsValue> {
    let checked = check_settings(&url, &model, key_typed, saved_key_origin.as_deref())
        .map_err(to_js_error)?;
    to_js(&checked)
}

/// `aiSettingsView(saved, allowed)`: what the settings form shows of the kept settings
/// (`null`: none) — `{configured, url, model, hasKey, allowed, status}`.
#[wasm_bindgen(js_name = aiSettingsView)]
pub fn ai_settings_view(saved: JsValue, allowed: bool) -> Result<JsValue, JsValue> {
    let saved: Option<SavedAi> = from_js(saved)?;
    to_js(&settings_view(saved.as_ref(), allowed))
}

/// `aiSuggestCheck(saved, count)`: throws an `InvalidInput` GumroadError unless a
/// suggestion round of `count` products may start.
#[wasm_bindgen(js_name = aiSuggestCheck)]
pub fn ai_suggest_check(saved: JsValue, count: usize) -> Result<(), JsValue> {
    let saved: Option<SavedAi> = from_js(saved)?;
    check_batch(saved.as_ref(), count).map_err(to_js_error)
}

/// `aiFailure(reason, origin)`: the GumroadError for what stopped a suggestion before the
/// model answered (`"permission"`, `"timeout"`, `"unreachable"`, `"notAsked"`,
/// `"stopped"`). Returned, not thrown.
#[wasm_bindgen(js_name = aiFailure)]
pub fn ai_failure(reason: JsValue, origin: String) -> Result<JsValue, JsValue> {
    let reason: AiFailure = from_js(reason)?;
    Ok(to_js_error(reason.error(&origin)))
}
