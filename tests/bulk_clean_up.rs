//! Cleaning up codes against the in-process sandbox, with Gumroad's faults injected: the
//! sandbox records uses of some codes (single-use ones are soft-deleted after their use,
//! as Gumroad does), the clean-up of used-up codes removes exactly the codes that are used
//! up — a default discount fails with Gumroad's refusal — and undo re-creates them with
//! the same terms, their use counts at 0.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeSet;

use bulkroad::bulk::clean_up::UNDO_NOTE;
use bulkroad::bulk::{execute, preview_apply_code, preview_clean_up_codes, preview_undo, Status};
use bulkroad::runtime::NativeClock;
use common::{client, faults, options, run, start};
use serde_json::{json, Value};

/// Alive codes (product-specific and universal), as in the sandbox's own state.
fn live_codes(state: &Value) -> Vec<Value> {
    ["offer_codes", "universal_offer_codes"]
        .iter()
        .flat_map(|key| state[*key].as_array().unwrap().clone())
        .filter(|c| c["deleted_at"].is_null())
        .collect()
}

fn ids(codes: &[Value]) -> BTreeSet<String> {
    codes
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

fn used_up(code: &Value) -> bool {
    code["max_purchase_count"]
        .as_i64()
        .is_some_and(|max| code["times_used"].as_i64().unwrap() >= max)
}

/// (product, code, terms) of each code, ids and use counts left out.
fn terms(code: &Value) -> String {
    format!(
        "{}|{}|{}|{}|{}|{}|{}",
        code["product_id"],
        code["code"],
        code["universal"],
        code["amount_cents"],
        code["amount_percentage"],
        code["max_purchase_count"],
        code["minimum_amount_cents"]
    )
}

#[test]
fn clean_up_of_used_up_codes_removes_exactly_those_and_undo_re_creates_them() {
    let sandbox = start(40, faults(21));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(5);
    let products: Vec<String> = sandbox.state()["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["deleted_at"].is_null() && p["is_tiered_membership"] == false)
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .take(12)
        .collect();
    // Two campaigns: a two-use code and a single-use code on twelve products.
    for (name, max) in [("TWICE", 2), ("ONCE", 1)] {
        let intent = json!({"code": name, "discount": {"percent": 10}, "maxPurchaseCount": max,
            "productIds": products, "onConflict": "skip"});
        let plan = run(preview_apply_code(&client, &clock, &intent, &options())).unwrap();
        let report = run(execute(&client, &clock, &plan, &options(), &())).unwrap();
        assert_eq!(report.summary.applied, plan.summary.create, "{name}");
    }
    // Buyers use some: TWICE up on four products, once on two more; ONCE on three products
    // (Gumroad then deletes them).
    let state = sandbox.state();
    let on = |name: &str| -> Vec<String> {
        live_codes(&state)
            .iter()
            .filter(|c| c["code"] == name)
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (twice, once) = (on("TWICE"), on("ONCE"));
    assert!(twice.len() >= 6 && once.len() >= 3);
    for id in &twice[..4] {
        sandbox.use_offer_code(id, 2).unwrap();
    }
    for id in &twice[4..6] {
        sandbox.use_offer_code(id, 1).unwrap();
    }
    for id in &once[..3] {
        assert_eq!(sandbox.use_offer_code(id, 1).unwrap()["deleted"], true);
    }
    // One used-up code is some product's default discount: Gumroad refuses to delete it.
    assert!(sandbox.set_default_discount(&twice[3], true));

    let before = live_codes(&sandbox.state());
    let expected: BTreeSet<String> = ids(&before
        .iter()
        .filter(|c| used_up(c))
        .cloned()
        .collect::<Vec<_>>());
    assert!(
        expected.len() >= 4,
        "the store has used-up codes: {expected:?}"
    );

    let intent = json!({"criterion": "usedUp"});
    let plan = run(preview_clean_up_codes(
        &client,
        &clock,
        &intent,
        None,
        &options(),
    ))
    .unwrap();
    assert_eq!(plan.summary.delete, expected.len());
    assert!(
        plan.notes.iter().any(|n| n == UNDO_NOTE),
        "{:?}",
        plan.notes
    );
    let report = run(execute(&client, &clock, &plan, &options(), &())).unwrap();
    let failed: Vec<_> = report
        .rows
        .iter()
        .filter(|r| r.outcome.status == Status::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{:?}", report.rows);
    assert_eq!(
        failed[0].outcome.message,
        "This discount code is currently set as the default discount for one or more active or archived products. Please remove it from all products before deleting."
    );
    assert_eq!(report.summary.applied, expected.len() - 1);

    // Exactly the used-up codes are gone (the default discount stays).
    let after = live_codes(&sandbox.state());
    let removed: BTreeSet<String> = ids(&before).difference(&ids(&after)).cloned().collect();
    let mut wanted = expected.clone();
    wanted.remove(&twice[3]);
    assert_eq!(removed, wanted);

    // Undo re-creates them with the same terms, uses at 0.
    let undo = run(preview_undo(&client, &clock, &report, &options())).unwrap();
    assert_eq!(undo.summary.create, removed.len());
    let undone = run(execute(&client, &clock, &undo, &options(), &())).unwrap();
    assert_eq!(undone.summary.applied, removed.len(), "{:?}", undone.rows);
    let back = live_codes(&sandbox.state());
    let terms_of = |codes: &[Value]| -> Vec<String> {
        let mut all: Vec<String> = codes.iter().map(terms).collect();
        all.sort();
        all
    };
    assert_eq!(terms_of(&back), terms_of(&before));
    let recreated: Vec<&Value> = back
        .iter()
        .filter(|c| !ids(&before).contains(c["id"].as_str().unwrap()))
        .collect();
    assert_eq!(recreated.len(), removed.len());
    assert!(recreated.iter().all(|c| c["times_used"] == 0));
}
