//! Sales, customers and subscribers exports: the sharded, resumable walk over
//! `GET /v2/sales` ([`shards`], pure), its driver ([`run`]: bounded adaptive concurrency
//! through the bulk engine's pacing), the CSV files ([`csv`], pure) and the tally of sales
//! per country that the files' write pass keeps ([`countries`], pure). No `JsValue` here.
//!
//! Recipe (the worker): `start_export(form, products, now)` ([`start`]: the state, the
//! file name, the currencies, or the memberships for subscribers) → checkpoint it →
//! `run_export(client, clock, &mut state, options, &observer)`, where the observer stores
//! each [`Chunk`] under its (shard, page) key and then the state; after a restart, read
//! the state back and call `run_export` again. When done, for each key of
//! `state.chunk_order()` read the chunk and append `SalesCsv::rows` (after
//! `SalesCsv::header`; custom-field columns from a first pass with
//! `csv::custom_field_names_with`), or feed `Customers::add` and write `Customers::csv`;
//! feed the same pages to a [`CountryTally`] ([`countries`]) for the parity table's
//! buyer columns, keeping it with the write checkpoint.

pub mod countries;
pub mod csv;
pub mod run;
pub mod shards;
pub mod start;

pub use countries::{buyer_columns, BuyerColumns, BuyerSource, CountryTally};
pub use csv::{
    custom_field_names, custom_field_names_with, decimal_amount, sales_csv, subscribers_csv,
    CsvOptions, Customer, Customers, SaleColumn, SalesCsv, Separator,
};
pub use run::{
    assemble, export_options, export_sales, run_export, walk_sales_sequentially, ExportObserver,
};
pub use shards::{
    earliest_sale_day, Chunk, ChunkKey, ExportProgress, ExportState, Shard, ShardFetch,
    DEFAULT_TARGET_SHARDS, PAGE_SIZE,
};
pub use start::{
    expected_total, export_filename, memberships, product_currencies, start_export, ExportKind,
    ExportProduct, ExportRequest, ExportStart,
};

#[cfg(test)]
mod tests;
