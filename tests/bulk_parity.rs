//! Parity codes end to end against the in-process sandbox (with injected faults): the
//! seller edits two countries, generates per-tier codes for 3 products; the sandbox then
//! holds exactly the expected codes, the downloadable map agrees with them, undo removes
//! them, and removal by prefix removes exactly the parity codes.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use bulkroad::bulk::{
    execute, preview_apply_code, preview_apply_parity, preview_remove_parity, preview_undo,
    Operation, Status,
};
use bulkroad::forms::{parity_intent, remove_parity_intent, ParityForm, RemoveParityForm};
use bulkroad::parity::{country_map, is_parity_code, map_json, MinimumPolicy};
use bulkroad::runtime::NativeClock;
use bulkroad_sandbox::Faults;
use common::{client, faults, options, run, start, start_seeded};
use serde_json::{json, Value};

/// Alive product codes as (product id, code, percent).
fn live_codes(state: &Value) -> BTreeSet<(String, String, i64)> {
    state["offer_codes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["deleted_at"].is_null())
        .map(|c| {
            (
                c["product_id"].as_str().unwrap().to_owned(),
                c["code"].as_str().unwrap().to_owned(),
                c["amount_percentage"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

#[test]
fn per_tier_codes_for_three_products_match_the_map_and_undo_removes_them() {
    let sandbox = start(40, faults(9));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(3);

    // Three simple products (one price each), so the map's examples hold every price.
    let products = run(client.products()).expect("products");
    let chosen: Vec<_> = products
        .iter()
        .filter(|p| {
            p.published
                && !p.is_tiered_membership
                && p.customizable_price != Some(true)
                && p.variants.iter().all(|v| v.options.is_empty())
        })
        .take(3)
        .cloned()
        .collect();
    assert_eq!(chosen.len(), 3);
    let ids: Vec<String> = chosen.iter().map(|p| p.id.as_str().to_owned()).collect();

    // A seller's own code that must survive everything below.
    let own = json!({"code": "PPPSALE", "discount": {"percent": 15}, "universal": false,
        "productIds": [ids[0].clone()], "onConflict": "skip"});
    let plan = run(preview_apply_code(&client, &clock, &own, &options())).unwrap();
    run(execute(&client, &clock, &plan, &options(), &())).unwrap();
    let before = live_codes(&sandbox.state());

    let form: ParityForm = serde_json::from_value(json!({
        "settings": {}, "overrides": {"IN": 45, "BR": "excluded"},
        "mode": "perTier", "prefix": "PPP", "onMinimum": "clamp", "productIds": ids,
    }))
    .unwrap();
    let intent = parity_intent(&form).unwrap();
    let plan = run(preview_apply_parity(&client, &clock, &intent, &options())).unwrap();
    assert_eq!(plan.operation, Operation::ApplyParity);
    assert_eq!(plan.steps.len(), intent.codes.len() * 3);
    let indices: BTreeSet<usize> = plan.steps.iter().map(|s| s.index).collect();
    assert_eq!(indices, (0..plan.steps.len()).collect());
    let report = run(execute(&client, &clock, &plan, &options(), &())).unwrap();
    assert_eq!(
        report.summary.failed + report.summary.unknown,
        0,
        "{report:?}"
    );

    // Expected: every tier code on every product, at the clamped percent where needed.
    let mut expected = before.clone();
    for code in &intent.codes {
        for product in &chosen {
            if let Some(p) =
                MinimumPolicy::Clamp.percent_for(code.percent, &[product.price], &product.currency)
            {
                expected.insert((product.id.as_str().to_owned(), code.code.clone(), p.into()));
            }
        }
    }
    let after = live_codes(&sandbox.state());
    assert_eq!(after, expected);
    let india = intent.codes.iter().find(|c| c.code == "PPP45").unwrap();
    assert!(india.countries.contains(&"IN".to_owned()));
    assert!(intent
        .codes
        .iter()
        .all(|c| !c.countries.contains(&"BR".to_owned())));

    // The map: every country's code is on each product at the percent it lists there.
    let rows = country_map(&intent.codes, &chosen, MinimumPolicy::Clamp);
    let download: BTreeMap<String, Value> = serde_json::from_str(&map_json(&rows)).unwrap();
    assert_eq!(download["IN"], json!({"code": "PPP45", "percent": 45}));
    assert!(!download.contains_key("BR"));
    for row in &rows {
        assert_eq!(download[&row.country]["code"], row.code);
        for example in &row.example_prices {
            let percent = example.percent.expect("clamped, never skipped here");
            let id = example.product_id.as_str().to_owned();
            assert!(after.contains(&(id, row.code.clone(), percent.into())));
        }
    }

    // Undo removes exactly the parity codes the job created.
    let undo = run(preview_undo(&client, &clock, &report, &options())).unwrap();
    let undone = run(execute(&client, &clock, &undo, &options(), &())).unwrap();
    assert_eq!(undone.summary.failed + undone.summary.unknown, 0);
    assert_eq!(live_codes(&sandbox.state()), before);
}

#[test]
fn removing_by_prefix_removes_exactly_the_parity_codes() {
    let sandbox = start_seeded(12, 5, Faults::default());
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(4);
    let products = run(client.products()).expect("products");
    let ids: Vec<String> = products
        .iter()
        .filter(|p| p.price >= 1000)
        .take(2)
        .map(|p| p.id.as_str().to_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    for (name, percent) in [
        ("PPP30", 30),
        ("PPP-IN", 50),
        ("PPPSALE", 10),
        ("PPP2025", 20),
        ("SUMMER", 5),
    ] {
        let intent = json!({"code": name, "discount": {"percent": percent}, "universal": false,
            "productIds": ids, "onConflict": "skip"});
        let plan = run(preview_apply_code(&client, &clock, &intent, &options())).unwrap();
        run(execute(&client, &clock, &plan, &options(), &())).unwrap();
    }
    let before = live_codes(&sandbox.state());
    let kept: BTreeSet<(String, String, i64)> = before
        .iter()
        .filter(|(_, code, _)| !is_parity_code(code, "PPP"))
        .cloned()
        .collect();
    assert!(kept.len() + 4 <= before.len());

    let form: RemoveParityForm =
        serde_json::from_value(json!({"prefix": "PPP", "productIds": []})).unwrap();
    let intent = remove_parity_intent(&form).unwrap();
    let plan = run(preview_remove_parity(&client, &clock, &intent, &options())).unwrap();
    assert_eq!(plan.operation, Operation::RemoveParity);
    assert_eq!(plan.summary.delete, before.len() - kept.len());
    let report = run(execute(&client, &clock, &plan, &options(), &())).unwrap();
    assert!(report
        .rows
        .iter()
        .all(|r| r.outcome.status == Status::Applied));
    let left = live_codes(&sandbox.state());
    assert_eq!(left, kept);
    for id in &ids {
        let names: BTreeSet<&str> = left
            .iter()
            .filter(|(product, _, _)| product == id)
            .map(|(_, code, _)| code.as_str())
            .collect();
        for name in ["PPPSALE", "PPP2025", "SUMMER"] {
            assert!(names.contains(name), "{name} on {id}");
        }
        assert!(!names.contains("PPP30") && !names.contains("PPP-IN"));
    }

    // Undo puts them back.
    let undo = run(preview_undo(&client, &clock, &report, &options())).unwrap();
    run(execute(&client, &clock, &undo, &options(), &())).unwrap();
    assert_eq!(live_codes(&sandbox.state()), before);
}
