//! The sharded sales export against the sandbox's `/v2/sales` (10 per page, page_key
//! cursors, a dense day, empty days, a deleted product's sales), with Gumroad's faults
//! injected: the result equals a sequential page_key walk and the sandbox's own list —
//! same rows, same order, no duplicate at shard borders.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use bulkroad::export::{export_sales, walk_sales_sequentially};
use bulkroad::model::SalesQuery;
use bulkroad::runtime::NativeClock;
use common::{client, faults, options, run, start_with_sales};
use serde_json::Value;

fn sandbox_ids(sales: &Value) -> Vec<String> {
    sales
        .as_array()
        .expect("the sandbox lists its sales")
        .iter()
        .map(|s| s["id"].as_str().expect("every sale has an id").to_owned())
        .collect()
}

#[test]
fn sharded_export_equals_the_sequential_walk_and_the_store_under_faults() {
    let sandbox = start_with_sales(12, 2_000, faults(5));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(3);
    let query = SalesQuery::default();

    let sharded = run(export_sales(&client, &clock, &query, &options())).expect("the export ends");
    let sequential =
        run(walk_sales_sequentially(&client, &clock, &query, &options())).expect("the walk ends");

    let ids =
        |sales: &[bulkroad::model::Sale]| sales.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    let expected = sandbox_ids(&sandbox.sales());
    assert_eq!(expected.len(), 2_000);
    assert_eq!(
        ids(&sequential),
        expected,
        "the sequential walk is the reference"
    );
    assert_eq!(ids(&sharded), expected, "sharded: same rows, same order");
}
