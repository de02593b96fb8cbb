//! Starting an export: the seller's form (what, which dates, which product, which columns)
//! and the worker's cached product list become everything the runner keeps — the sales
//! walk's [`ExportState`] (with Gumroad's sales counts as the progress hint), the file
//! name, each product's currency, or the memberships whose subscribers are read. The
//! worker only stores the result, runs it and relays progress. Pure: the caller passes
//! the time; no I/O, no `JsValue`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::csv::{CsvOptions, Separator};
use super::shards::ExportState;
use crate::error::Error;
use crate::model::{Day, ProductId, SalesQuery};

/// What is exported (the form's `kind`: `"sales"`, `"customers"`, `"subscribers"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExportKind {
    /// One row per sale.
    Sales,
    /// One row per buyer email, from the same sales walk.
    Customers,
    /// The active subscribers of the memberships, read in one go (they are few).
    Subscribers,
}

impl ExportKind {
    /// The form's value; anything else is `InvalidInput` before any request.
    pub fn parse(kind: &str) -> Result<ExportKind, Error> {
        match kind {
            "sales" => Ok(ExportKind::Sales),
            "customers" => Ok(ExportKind::Customers),
            "subscribers" => Ok(ExportKind::Subscribers),
            _ => Err(Error::invalid_input("Choose what to export.")),
        }
    }

    /// As written in the file name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Sales => "sales",
            ExportKind::Customers => "customers",
            ExportKind::Subscribers => "subscribers",
        }
    }
}

/// What an export reads of a cached product (an item of `listProducts`, Gumroad's field
/// names): only these fields are decoded, so the rest of a product costs nothing here.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExportProduct {
    pub id: ProductId,
    #[serde(default)]
    pub currency: Option<String>,
    /// Only with the `view_sales` or `account` scope.
    #[serde(default)]
    pub sales_count: Option<u64>,
    #[serde(default)]
    pub is_tiered_membership: Option<bool>,
    #[serde(default)]
    pub subscription_duration: Option<String>,
}

/// The export form as the page sends it (camelCase, every key optional); an empty field
/// (`""` from a date input or the "All products" choice) means "not set".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExportRequest {
    #[serde(deserialize_with = "blank_as_none")]
    pub kind: Option<String>,
    #[serde(deserialize_with = "blank_as_none")]
    pub after: Option<String>,
    #[serde(deserialize_with = "blank_as_none")]
    pub before: Option<String>,
    #[serde(deserialize_with = "blank_as_none")]
    pub product_id: Option<String>,
    /// Off only when the page says `false`.
    pub bom: Option<bool>,
    /// Between cells: `","`, `";"`, or `"auto"` / none for the one the seller's locale
    /// expects (see `decimal_separator`).
    #[serde(deserialize_with = "blank_as_none")]
    pub separator: Option<String>,
    /// The decimal separator of the browser's locale (`"."`, `","`), for `"auto"`.
    #[serde(deserialize_with = "blank_as_none")]
    pub decimal_separator: Option<String>,
    /// Sales-file columns; none = the default columns.
    pub columns: Option<Vec<super::csv::SaleColumn>>,
    /// The seller's name, for the file name.
    #[serde(deserialize_with = "blank_as_none")]
    pub store_name: Option<String>,
}

/// What the runner keeps of a new export (camelCase JSON, stored in `exports.current`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportStart {
    pub kind: ExportKind,
    pub query: SalesQuery,
    pub options: CsvOptions,
    pub filename: String,
    /// Every cached product's currency, for the amounts of its sales.
    pub product_currencies: BTreeMap<ProductId, String>,
    /// The sales walk to run (sales and customers files); `null` for subscribers.
    pub state: Option<ExportState>,
    /// The products whose subscribers are read (subscribers file); `null` otherwise.
    pub product_ids: Option<Vec<ProductId>>,
}

/// Plans the export `request` asks for over the cached `products`, at `now_ms` (ms since
/// the epoch; "today" in UTC for the shards, and the start of the time-left estimate).
/// `InvalidInput` for an unknown kind, a date that is not one, an empty range, or a
/// subscribers export in a store without memberships.
pub fn start_export(
    request: ExportRequest,
    products: &[ExportProduct],
    now_ms: u64,
) -> Result<ExportStart, Error> {
    let kind = ExportKind::parse(request.kind.as_deref().unwrap_or(""))?;
    let product_id = request.product_id.map(ProductId::from);
    let separator = match request.separator.as_deref().map(str::trim) {
        None | Some("auto") => {
            Separator::for_decimal_separator(request.decimal_separator.as_deref().unwrap_or("."))
        }
        Some(",") => Separator::Comma,
        Some(";") => Separator::Semicolon,
        Some(_) => {
            return Err(Error::invalid_input(
                "Choose a comma or a semicolon to separate the cells.",
            ))
        }
    };
    let options = CsvOptions {
        bom: request.bom != Some(false),
        columns: request.columns.unwrap_or_default(),
        separator,
        ..CsvOptions::default()
    };
    let store_name = request.store_name.as_deref();
    if kind == ExportKind::Subscribers {
        // The date range does not apply to subscribers, so it is neither read nor checked.
        let query = SalesQuery {
            product_id,
            ..SalesQuery::default()
        };
        let product_ids = match &query.product_id {
            Some(id) => vec![id.clone()],
            None => memberships(products),
        };
        if product_ids.is_empty() {
            return Err(Error::invalid_input(
                "No product of this store has subscribers (no memberships).",
            ));
        }
        return Ok(ExportStart {
            kind,
            filename: export_filename(store_name, kind, &query),
            query,
            options,
            product_currencies: BTreeMap::new(),
            state: None,
            product_ids: Some(product_ids),
        });
    }
    let query = SalesQuery {
        after: request.after.as_deref().map(Day::parse).transpose()?,
        before: request.before.as_deref().map(Day::parse).transpose()?,
        product_id,
    };
    let mut state = ExportState::new(query.clone(), Day::from_epoch_ms(now_ms as f64))?;
    state.expected_total = expected_total(products, query.product_id.as_ref());
    state.started_ms = Some(now_ms);
    Ok(ExportStart {
        kind,
        filename: export_filename(store_name, kind, &query),
        query,
        options,
        product_currencies: product_currencies(products),
        state: Some(state),
        product_ids: None,
    })
}

/// The sum of Gumroad's `sales_count` over the products the export covers (one, or all),
/// when every one of them has it (it needs the `view_sales` scope); a hint for progress.
pub fn expected_total(products: &[ExportProduct], only: Option<&ProductId>) -> Option<u64> {
    let mut counted = products
        .iter()
        .filter(|p| only.is_none_or(|id| &p.id == id))
        .map(|p| p.sales_count)
        .peekable();
    counted.peek()?;
    counted.sum()
}

/// The memberships (tiered, or with a subscription duration): the products that can have
/// subscribers.
pub fn memberships(products: &[ExportProduct]) -> Vec<ProductId> {
    products
        .iter()
        .filter(|p| {
            p.is_tiered_membership == Some(true)
                || p.subscription_duration
                    .as_deref()
                    .is_some_and(|d| !d.is_empty())
        })
        .map(|p| p.id.clone())
        .collect()
}

/// Product id → its currency, for the amounts in the file.
pub fn product_currencies(products: &[ExportProduct]) -> BTreeMap<ProductId, String> {
    // One insert at a time: collecting would compile in a sort and a bulk build of its own.
    let mut currencies = BTreeMap::new();
    for product in products {
        if let Some(currency) = &product.currency {
            currencies.insert(product.id.clone(), currency.clone());
        }
    }
    currencies
}

/// `<store>-<kind>-<range>.csv`: the store name lowercased with every run of other than
/// `a-z0-9` made one `-` (`gumroad` when nothing is left), and the range as
/// `<after|start>-to-<before|today>` or `all-time`.
pub fn export_filename(store_name: Option<&str>, kind: ExportKind, query: &SalesQuery) -> String {
    let mut store = String::new();
    // Lowercased as Unicode says, without its case table in the module (≈ 11 KB): the only
    // characters besides A-Z whose lowercase holds a-z or 0-9 are U+0130 (an i and a
    // combining dot) and the Kelvin sign (a k); every other one becomes a separator anyway.
    for c in store_name
        .unwrap_or("")
        .replace('\u{130}', "i\u{307}")
        .chars()
    {
        match c {
            'a'..='z' | '0'..='9' => store.push(c),
            'A'..='Z' => store.push(c.to_ascii_lowercase()),
            '\u{212A}' => store.push('k'),
            _ if !store.is_empty() && !store.ends_with('-') => store.push('-'),
            _ => {}
        }
    }
    let store = match store.trim_end_matches('-') {
        "" => "gumroad",
        slug => slug,
    };
    let range = match (query.after, query.before) {
        (None, None) => "all-time".to_owned(),
        (after, before) => format!(
            "{}-to-{}",
            after.map_or("start".to_owned(), |d| d.to_string()),
            before.map_or("today".to_owned(), |d| d.to_string())
        ),
    };
    format!("{store}-{}-{range}.csv", kind.as_str())
}

/// `null`, a missing key and `""` are all "not set".
fn blank_as_none<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.filter(|text| !text.is_empty()))
}
