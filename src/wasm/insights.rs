//! The Insights exports: the panel's view (totals, charts, readouts, table, CSV) and the
//! picker's revenue column, both read from Gumroad's sales summaries with
//! `bulk::snapshot_options()` (reads only, several windows in flight).

use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::{client, from_js, to_js, to_js_error};
use crate::bulk;
use crate::insights::{load_insights, load_revenue, InsightsRequest};
use crate::runtime::BrowserClock;

/// `insightsView(token, request, stop?)`: the Insights panel for `request` —
/// `{range: {kind: "last30"|"last90"|"last365"|"thisYear"|"lastYear"|"all"|"custom",
/// from?, to?}, groupBy: "day"|"week"|"month"|"product"|null, today: "YYYY-MM-DD"}`
/// (`today` is the seller's own date; a null `groupBy` takes the range's default). Resolves
/// to `{range, groupBy, viewBox, frame: {left, right, tickX, labelY}, sections: [{currency, title, totals: [{label, text}],
/// points: [{key, label, x, w, readout}], xLabels, charts: [{metric, label, bars: [{y, h}],
/// ticks: [{y, text}], zeroY, summary}], chartNote, table: {caption, columns, rows, total},
/// csv, fileName}], notes, requests, status}` — every number placed, every sentence written; the page
/// draws it. A range or grouping that cannot be shown rejects with `InvalidInput` before
/// any request. `stop`: the account's `AbortSignal`.
#[wasm_bindgen(js_name = insightsView)]
pub async fn insights_view(
    token: JsValue,
    request: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let request: InsightsRequest = from_js(request)?;
    let client = client(token, stop)?;
    let view = load_insights(&client, &BrowserClock, &request, &bulk::snapshot_options())
        .await
        .map_err(to_js_error)?;
    to_js(&view)
}

/// `productRevenue(token, request, stop?)`: revenue per product over `request`'s range (as
/// for `insightsView`; `groupBy` is not used) for the picker — `{range, currency, sparkBox,
/// products: [{id, grossCents, text, units, spark, sparkLabel}], note, requests,
/// status}`; only
/// products that sold are listed. `stop`: the account's `AbortSignal`.
#[wasm_bindgen(js_name = productRevenue)]
pub async fn product_revenue(
    token: JsValue,
    request: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let request: InsightsRequest = from_js(request)?;
    let client = client(token, stop)?;
    let revenue = load_revenue(&client, &BrowserClock, &request, &bulk::snapshot_options())
        .await
        .map_err(to_js_error)?;
    to_js(&revenue)
}
