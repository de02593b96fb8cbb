//! The sales-export exports: start an export from the seller's form and the cached
//! products (the core decides the plan, the file name, the currencies, the memberships),
//! run it page by page (the worker stores each chunk with the state after it, from
//! `onChunk`), and turn stored chunks into CSV text a batch of pages at a time
//! (`SalesFile`, in the order `exportPageRuns` gives) so no file is ever held whole. Both
//! files tally the sales per country as they take pages in (`countries()`), for the parity
//! table's buyer columns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::{client, from_js, notify_observer, to_js, to_js_error};
use crate::bulk::Control;
use crate::error::{Error, ErrorKind};
use crate::export::{
    custom_field_names_with, export_options, run_export as drive, start_export, subscribers_csv,
    Chunk, CountryTally, CsvOptions, Customers, ExportObserver, ExportProduct, ExportRequest,
    ExportState, SaleColumn, SalesCsv,
};
use crate::model::{ProductId, Sale};
use crate::runtime::{BrowserClock, Clock};

/// `exportStart(form, products)`: a new export of `form` = `{kind, after, before,
/// productId, bom, columns, storeName}` (`kind` `"sales"`, `"customers"` or
/// `"subscribers"`; dates YYYY-MM-DD, inclusive/exclusive as Gumroad reads them; empty or
/// none = all time / all products) over `products` (the cached `listProducts` list).
/// Resolves to `{kind, query, options, filename, productCurrencies, state, productIds}`:
/// `state` (with the progress hint from the products' `sales_count`) to run for sales
/// and customers, `productIds` (the memberships, or the chosen product) for subscribers,
/// the other one `null`. Rejects with `InvalidInput` for an unknown kind ("Choose what to
/// export."), a bad or empty range, or a store without memberships (subscribers).
#[wasm_bindgen(js_name = exportStart)]
pub fn export_start(form: JsValue, products: JsValue) -> Result<JsValue, JsValue> {
    let form: ExportRequest = from_js(form)?;
    let products: Vec<ExportProduct> = from_js(products)?;
    let now = BrowserClock.now_ms() as u64;
    to_js(&start_export(form, &products, now).map_err(to_js_error)?)
}

/// `runExport(token, state, onChunk, stop?)`: fetches what is left of `state`; after every
/// page `onChunk({chunk, state, progress})` is awaited (resolve `"cancel"` to stop).
/// `chunk` is `{shard, page, json}`: the page's sales as one JSON string, which is what
/// the worker stores and what `SalesFile` and `CustomersFile` read back; `state` is the
/// state after the page as JSON too (`JSON.parse` it when it is stored): one string
/// crosses per value, not a tree of objects built a property at a time, which was most of
/// the worker's time per page.
/// Resolves to the final state; rejects with the failing page's error (the last state
/// handed to `onChunk` is a valid checkpoint to resume from). `stop`: the account's
/// `AbortSignal`; once it aborts no page is asked for or retried, the pages in flight are
/// aborted, and it rejects with `Stopped`.
#[wasm_bindgen(js_name = runExport)]
pub async fn run_export(
    token: JsValue,
    state: JsValue,
    on_chunk: js_sys::Function,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    let mut state: ExportState = from_js(state)?;
    let client = client(token, stop)?;
    let observer = JsChunkObserver { on_chunk };
    match drive(
        &client,
        &BrowserClock,
        &mut state,
        &export_options(),
        &observer,
    )
    .await
    {
        Ok(()) => to_js(&state),
        Err(error) if error.kind() == ErrorKind::Cancelled => to_js(&state),
        Err(error) => Err(to_js_error(error)),
    }
}

/// `exportPageRuns(state)`: the pages taken in so far as `[{shard, pages}]`, in file
/// order: the file is the pages `1..=pages` of each run's shard, run after run. Within a
/// run the keys `[exportId, shard, page]` sort in file order, so a run reads as one key
/// range; across runs they do not (a split shard's lower half has a higher id).
#[wasm_bindgen(js_name = exportPageRuns)]
pub fn export_page_runs(state: JsValue) -> Result<JsValue, JsValue> {
    let state: ExportState = from_js(state)?;
    to_js(&state.page_runs())
}

/// What every CSV call needs besides the rows.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CsvInputs {
    options: CsvOptions,
    custom_fields: Vec<String>,
    product_currencies: BTreeMap<ProductId, String>,
    /// The tally of the pages already written (the write checkpoint's `countries`, as
    /// `countries()` gave it); none at the start of a file.
    countries: Option<String>,
}

/// `exportSaleColumns()`: every sales-file column as `{column, header, default}`.
#[wasm_bindgen(js_name = exportSaleColumns)]
pub fn export_sale_columns() -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Offered {
        column: SaleColumn,
        header: &'static str,
        default: bool,
    }
    let offered: Vec<Offered> = SaleColumn::ALL
        .into_iter()
        .map(|column| Offered {
            column,
            header: column.header(),
            default: SaleColumn::DEFAULT.contains(&column),
        })
        .collect();
    to_js(&offered)
}

/// `exportCustomFields(sales, soFar)`: the custom-field columns of a file read a chunk at
/// a time — the names in `soFar` (what the earlier chunks gave; optional) and in `sales`,
/// in header order and without repeats. Pass the answer back with the next chunk; after
/// the last one it is the `customFields` of the CSV inputs.
#[wasm_bindgen(js_name = exportCustomFields)]
pub fn export_custom_fields(sales: JsValue, so_far: JsValue) -> Result<JsValue, JsValue> {
    let sales: Vec<Sale> = from_js(sales)?;
    let so_far: Vec<String> = from_js::<Option<Vec<String>>>(so_far)?.unwrap_or_default();
    to_js(&custom_field_names_with(so_far, &sales))
}

/// `salesCsvHeader(inputs)`: the first line(s) of a sales file (with the BOM if asked).
#[wasm_bindgen(js_name = salesCsvHeader)]
pub fn sales_csv_header(inputs: JsValue) -> Result<String, JsValue> {
    let inputs: CsvInputs = from_js(inputs)?;
    Ok(SalesCsv::new(
        &inputs.options,
        inputs.custom_fields,
        inputs.product_currencies,
    )
    .header())
}

/// `salesCsvRows(inputs, sales)`: the rows of one chunk.
#[wasm_bindgen(js_name = salesCsvRows)]
pub fn sales_csv_rows(inputs: JsValue, sales: JsValue) -> Result<String, JsValue> {
    let inputs: CsvInputs = from_js(inputs)?;
    let sales: Vec<Sale> = from_js(sales)?;
    Ok(SalesCsv::new(
        &inputs.options,
        inputs.custom_fields,
        inputs.product_currencies,
    )
    .rows(&sales))
}

/// `new SalesFile(inputs)`, `.header()` once, `.rows(pages)` per batch of stored pages
/// (each the `json` of a chunk, in file order): the sales file of fixed columns, its
/// inputs (the currency of every product) read once rather than with every batch.
/// `.countries()` after a batch is the tally to store with that batch's checkpoint; a
/// resumed file passes it back as `inputs.countries`.
#[wasm_bindgen(js_name = SalesFile)]
pub struct SalesFile {
    csv: SalesCsv,
    rows: usize,
    tally: CountryTally,
}

#[wasm_bindgen(js_class = SalesFile)]
impl SalesFile {
    #[wasm_bindgen(constructor)]
    pub fn new(inputs: JsValue) -> Result<SalesFile, JsValue> {
        let inputs: CsvInputs = from_js(inputs)?;
        Ok(SalesFile {
            csv: SalesCsv::new(
                &inputs.options,
                inputs.custom_fields,
                inputs.product_currencies,
            ),
            rows: 0,
            tally: match inputs.countries {
                Some(json) => CountryTally::from_text(&json).map_err(to_js_error)?,
                None => CountryTally::default(),
            },
        })
    }

    /// The first line(s) of the file (with the BOM if asked).
    pub fn header(&self) -> String {
        self.csv.header()
    }

    /// The rows of `pages` (JSON strings of sales, in file order).
    pub fn rows(&mut self, pages: Vec<String>) -> Result<String, JsValue> {
        let mut out = String::new();
        for page in &pages {
            let sales = stored_page(page)?;
            self.rows += sales.len();
            self.tally.add(&sales, self.csv.product_currencies());
            out.push_str(&self.csv.rows(&sales));
        }
        Ok(out)
    }

    /// The tally of every page given to `rows` (and of those before, when resumed), as
    /// text: the worker keeps it as it is and hands it back.
    pub fn countries(&self) -> String {
        self.tally.text()
    }

    /// How many rows `rows` has given so far.
    pub fn count(&self) -> usize {
        self.rows
    }
}

/// `new CustomersFile(inputs)`, `.add(pages)` per batch of stored pages (each the `json`
/// of a chunk), `.csv()`: one row per buyer email. It holds one entry per buyer, never the sales, so memory follows the
/// number of customers rather than the size of the store.
#[wasm_bindgen(js_name = CustomersFile)]
pub struct CustomersFile {
    options: CsvOptions,
    customers: Customers,
    tally: CountryTally,
}

#[wasm_bindgen(js_class = CustomersFile)]
impl CustomersFile {
    #[wasm_bindgen(constructor)]
    pub fn new(inputs: JsValue) -> Result<CustomersFile, JsValue> {
        let inputs: CsvInputs = from_js(inputs)?;
        Ok(CustomersFile {
            options: inputs.options,
            customers: Customers::new(inputs.product_currencies),
            tally: CountryTally::default(),
        })
    }

    /// Takes in `pages`; resolves to how many sales they held.
    pub fn add(&mut self, pages: Vec<String>) -> Result<usize, JsValue> {
        let mut sales = 0;
        for page in &pages {
            let page = stored_page(page)?;
            sales += page.len();
            self.customers.add(&page);
            self.tally.add(&page, self.customers.product_currencies());
        }
        Ok(sales)
    }

    /// The tally of every page given to `add` (a customers file is always made from all
    /// of its pages, so it starts from none), as text.
    pub fn countries(&self) -> String {
        self.tally.text()
    }

    pub fn csv(&self) -> String {
        self.customers.csv(&self.options)
    }

    /// How many buyers (rows) the file has.
    pub fn count(&self) -> usize {
        self.customers.list().count()
    }
}

/// `subscribersCsv(token, productIds, options, stop?)`: the active subscribers of each
/// product (`GET /v2/products/:id/subscribers`, paginated), one row each with its status.
/// `stop`: the account's `AbortSignal` (rejects with `Stopped` once it aborts).
#[wasm_bindgen(js_name = subscribersCsv)]
pub async fn subscribers_csv_export(
    token: JsValue,
    product_ids: JsValue,
    options: JsValue,
    stop: Option<AbortSignal>,
) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct File {
        csv: String,
        rows: usize,
    }
    let product_ids: Vec<ProductId> = from_js(product_ids)?;
    let options: CsvOptions = from_js::<Option<CsvOptions>>(options)?.unwrap_or_default();
    let client = client(token, stop)?;
    let mut all = Vec::new();
    for product in &product_ids {
        all.extend(client.subscribers(product).await.map_err(to_js_error)?);
    }
    to_js(&File {
        csv: subscribers_csv(&all, &options),
        rows: all.len(),
    })
}

/// The sales of a page as the worker stored them (a chunk's `json`).
fn stored_page(json: &str) -> Result<Vec<Sale>, JsValue> {
    serde_json::from_str(json)
        .map_err(|_| to_js_error(Error::decode("A stored page of the export cannot be read.")))
}

/// A page as the worker stores it: its key and its sales as JSON.
#[derive(Serialize)]
struct StoredChunk {
    shard: u32,
    page: u32,
    json: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChunkEvent {
    chunk: StoredChunk,
    state: String,
    progress: crate::export::ExportProgress,
}

/// Hands each page to a JS callback and waits for its promise (chunk, then state, stored).
struct JsChunkObserver {
    on_chunk: js_sys::Function,
}

impl ExportObserver for JsChunkObserver {
    async fn on_chunk(&self, chunk: &Chunk, state: &ExportState) -> Control {
        let (Ok(json), Ok(state_json)) = (
            serde_json::to_string(&chunk.sales),
            serde_json::to_string(state),
        ) else {
            return Control::Cancel;
        };
        let event = ChunkEvent {
            chunk: StoredChunk {
                shard: chunk.shard,
                page: chunk.page,
                json,
            },
            state: state_json,
            progress: state.progress_at(BrowserClock.now_ms() as u64),
        };
        notify_observer(&self.on_chunk, &event).await
    }
}
