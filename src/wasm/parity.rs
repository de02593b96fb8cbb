//! The parity exports: the editable table (rows, CSV out and in), the country → code map a
//! seller shows on their own site, and the previews of the parity jobs (executed, undone
//! and re-planned with the ordinary job exports). Settings and overrides cross in the
//! shapes extension storage keeps (`parity::Settings`, `parity::Overrides`).

use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::jobs::product_list;
use super::{client, from_js, to_js, to_js_error};
use crate::bulk;
use crate::error::Error;
use crate::export::{buyer_columns, BuyerColumns, BuyerSource, CountryTally};
use crate::forms::{
    parity_codes_of, parity_intent, remove_parity_intent, ParityForm, RemoveParityForm,
};
use crate::model::Product;
use crate::model::SalesQuery;
use crate::parity::{
    build_table, check_import_size, country_map, export_csv, import_csv, map_csv, map_json,
    map_snippet, ImportProblem, MapRow, Overrides, Row, Settings, DATA_CREDIT,
};
use crate::runtime::BrowserClock;

/// Settings and overrides as JS passes them; `null`/`undefined` = the defaults / no edits.
fn table_inputs(settings: JsValue, overrides: JsValue) -> Result<(Settings, Overrides), JsValue> {
    let settings: Settings = from_js::<Option<Settings>>(settings)?.unwrap_or_default();
    settings.validate().map_err(to_js_error)?;
    let overrides: Overrides = from_js::<Option<Overrides>>(overrides)?.unwrap_or_default();
    Ok((settings, overrides))
}

/// `parityTable(settings, overrides, countries?, query?, madeAt?)`: `{settings, rows,
/// credit, buyers}` — the settings in force (the defaults where none were saved: the page
/// shows these, it keeps no defaults of its own), every country in code order as `{code,
/// name, ratio, suggested, override, effective}`, the data attribution to show with them,
/// and the buyer columns from what the account keeps of its last sales walk (`countries`:
/// the text `SalesFile.countries()` gave, `query`: that export's filter, `madeAt`: when,
/// ISO 8601; no `countries` = no export yet): `{sentence, countries: [{code, name, listed,
/// sales, salesText, share, revenue}]}`, every country with sales in code order, `listed`
/// when the table has its row (the others, unknown included, are rows of their own). Bad
/// settings reject with `InvalidInput`, a kept tally that cannot be read with `Decode`.
#[wasm_bindgen(js_name = parityTable)]
pub fn parity_table(
    settings: JsValue,
    overrides: JsValue,
    countries: Option<String>,
    query: JsValue,
    made_at: Option<String>,
) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Table {
        settings: Settings,
        rows: Vec<Row>,
        credit: &'static str,
        buyers: BuyerColumns,
    }
    let (settings, overrides) = table_inputs(settings, overrides)?;
    let source = match countries {
        Some(text) => Some(BuyerSource {
            countries: CountryTally::from_text(&text).map_err(to_js_error)?,
            query: from_js::<Option<SalesQuery>>(query)?.unwrap_or_default(),
            made_at: made_at.unwrap_or_default(),
        }),
        None => None,
    };
    let rows = build_table(&settings, &overrides);
    to_js(&Table {
        buyers: buyer_columns(&rows, source.as_ref()),
        rows,
        settings,
        credit: DATA_CREDIT,
    })
}

/// `parityExportCsv(settings, overrides)`: the table as CSV for a spreadsheet.
#[wasm_bindgen(js_name = parityExportCsv)]
pub fn parity_export_csv(settings: JsValue, overrides: JsValue) -> Result<String, JsValue> {
    let (settings, overrides) = table_inputs(settings, overrides)?;
    Ok(export_csv(&build_table(&settings, &overrides)))
}

/// `parityImportCheckSize(bytes)`: rejects with an `InvalidInput` GumroadError when a file
/// of `bytes` is too large to be a parity table, so the page need not read it.
#[wasm_bindgen(js_name = parityImportCheckSize)]
pub fn parity_import_check_size(bytes: f64) -> Result<(), JsValue> {
    check_import_size(bytes as u64)
        .map_err(|problem| to_js_error(ImportProblem::as_error(&[problem])))
}

/// `parityImportCsv(text)`: the seller's edits read back from a CSV, as overrides
/// (`{"IN": 40, "CN": "excluded"}`, replacing the stored ones). Any problem rejects with one
/// `InvalidInput` GumroadError whose message has each of the first 20 problems on its own
/// line (`line N: …`), then how many more lines have one; nothing is imported then. A text
/// over 256 KB is refused before it is read as CSV.
#[wasm_bindgen(js_name = parityImportCsv)]
pub fn parity_import_csv(text: &str) -> Result<JsValue, JsValue> {
    match import_csv(text) {
        Ok(overrides) => to_js(&overrides),
        Err(problems) => {
            let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
            Err(to_js_error(Error::invalid_input(format!(
                "Nothing was imported:\n{}",
                lines.join("\n")
            ))))
        }
    }
}

/// `parityMap(form, products)`: `{rows, csv, json, snippet}` for the parity form (its
/// `productIds` are not needed) and the products to show example prices for, as the
/// product list holds them — the same codes and, per product, the same percents a parity
/// job creates under `form.onMinimum` (options and tiers included).
#[wasm_bindgen(js_name = parityMap)]
pub fn parity_map(form: JsValue, products: JsValue) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Map {
        rows: Vec<MapRow>,
        csv: String,
        json: String,
        snippet: String,
    }
    let form: ParityForm = from_js(form)?;
    // The worker passes the whole product list it holds; the map is of the selection.
    let products: Vec<Product> = from_js::<Option<Vec<Product>>>(products)?
        .unwrap_or_default()
        .into_iter()
        .filter(|product| form.product_ids.iter().any(|id| id == product.id.as_str()))
        .collect();
    let (codes, policy) = parity_codes_of(&form).map_err(to_js_error)?;
    let rows = country_map(&codes, &products, policy);
    to_js(&Map {
        csv: map_csv(&rows),
        json: map_json(&rows),
        snippet: map_snippet(&rows),
        rows,
    })
}

/// `previewParityCodes(token, form, listed?, stop?)`: the `applyParity` plan for the parity
/// form. `listed`: the product list the worker holds, as for `previewApplyCode` (the
/// selected products are read again in any case: their prices clamp the percents). Bad
/// input rejects with an `InvalidInput` GumroadError before any request. `stop`: the
/// account's `AbortSignal` (rejects with `Stopped` once it aborts).
#[wasm_bindgen(js_name = previewParityCodes)]
pub async fn preview_parity_codes(
    token: JsValue,
    form: JsValue,
    listed: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let form: ParityForm = from_js(form)?;
    let intent = parity_intent(&form).map_err(to_js_error)?;
    let listed = product_list(listed)?;
    let client = client(token, stop)?;
    let plan = bulk::preview_apply_parity_with_list(
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

/// `previewRemoveParityCodes(token, form, listed?, stop?)`: the `removeParity` plan
/// (`{prefix, productIds}`, no ids = every product). `listed` as for `previewApplyCode`.
/// `stop`: the account's `AbortSignal` (rejects with `Stopped` once it aborts).
#[wasm_bindgen(js_name = previewRemoveParityCodes)]
pub async fn preview_remove_parity_codes(
    token: JsValue,
    form: JsValue,
    listed: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let form: RemoveParityForm = from_js(form)?;
    let intent = remove_parity_intent(&form).map_err(to_js_error)?;
    let listed = product_list(listed)?;
    let client = client(token, stop)?;
    let plan = bulk::preview_remove_parity_with_list(
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
