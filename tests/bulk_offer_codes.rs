//! The bulk engine and the discount-code operations against the in-process sandbox, with
//! Gumroad's faults injected (10 % 5xx, 5 % 429, 2 % dropped connections before or after
//! the write): the end state is exact, no code is created twice, the report matches the
//! sandbox row for row, resuming after a stop ends exact, and undo restores the store.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use bulkroad::bulk::{
    execute, preview_apply_code, preview_remove_code, preview_undo, replan, Action, Plan,
    ReplanMode, Report, Status,
};
use bulkroad::runtime::NativeClock;
use bulkroad::ErrorKind;
use bulkroad_sandbox::Sandbox;
use common::{client, faults, options, resumed_report, run, start, with_lost_checkpoints, Watch};
use serde_json::{json, Value};

/// Ids of the products not deleted, in the sandbox's order.
fn live_product_ids(state: &Value) -> Vec<String> {
    state["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["deleted_at"].is_null())
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Alive codes (product-specific and universal), as in the sandbox's own state.
fn live_codes(state: &Value) -> Vec<Value> {
    ["offer_codes", "universal_offer_codes"]
        .iter()
        .flat_map(|key| state[*key].as_array().unwrap().clone())
        .filter(|c| c["deleted_at"].is_null())
        .collect()
}

/// product id → ids of the alive product codes named `name` on it.
fn codes_named(state: &Value, name: &str) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for code in live_codes(state) {
        if code["code"] == name && !code["universal"].as_bool().unwrap() {
            map.entry(code["product_id"].as_str().unwrap().to_owned())
                .or_default()
                .push(code["id"].as_str().unwrap().to_owned());
        }
    }
    map
}

/// What a store's codes say, ids and use counts left out: (product, code, terms).
fn terms(state: &Value) -> BTreeSet<String> {
    live_codes(state)
        .iter()
        .map(|c| {
            format!(
                "{}|{}|{}|{}|{}|{}|{}|{}",
                c["product_id"],
                c["code"],
                c["universal"],
                c["amount_cents"],
                c["amount_percentage"],
                c["currency_type"],
                c["max_purchase_count"],
                c["minimum_amount_cents"]
            )
        })
        .collect()
}

fn ids_of(state: &Value) -> BTreeSet<String> {
    live_codes(state)
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

fn apply_intent(code: &str, percent: u32, product_ids: &[String]) -> Value {
    json!({"code": code, "discount": {"percent": percent}, "universal": false,
        "productIds": product_ids, "onConflict": "skip"})
}

/// Every row agrees with the sandbox: an applied create is there exactly once with the
/// reported id; any other row left the product without the code.
fn assert_report_matches_state(report: &Report, state: &Value, code: &str) {
    let on = codes_named(state, code);
    let mut applied = 0;
    for row in &report.rows {
        let here = on.get(row.product_id.as_str()).cloned().unwrap_or_default();
        match (&row.action, row.outcome.status) {
            (Action::Create { .. } | Action::Verified { .. }, Status::Applied) => {
                applied += 1;
                let created = row
                    .outcome
                    .created_offer_code
                    .as_ref()
                    .expect("created code");
                assert_eq!(
                    here,
                    [created.id.to_string()],
                    "row {}: {}",
                    row.index,
                    row.outcome.message
                );
            }
            (_, status) => {
                assert!(
                    here.is_empty(),
                    "row {} ({status:?}) but {code} is there",
                    row.index
                );
            }
        }
    }
    assert_eq!(
        on.values().map(Vec::len).sum::<usize>(),
        applied,
        "no code anywhere else"
    );
}

fn fault_counts(sandbox: &Sandbox) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for request in sandbox.requests() {
        let key = format!(
            "{} {}",
            request.method,
            request.fault.unwrap_or_else(|| "ok".to_owned())
        );
        *counts.entry(key).or_default() += 1;
    }
    counts
}

#[test]
fn applying_a_code_to_200_products_ends_with_exactly_one_on_each_eligible_product() {
    let sandbox = start(200, faults(3));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(1);
    let ids = live_product_ids(&sandbox.state());
    assert_eq!(ids.len(), 200);
    // 90 % off: cheap products would fall under their currency's minimum and are skipped.
    let intent = apply_intent("BULK90", 90, &ids);
    let plan = run(preview_apply_code(&client, &clock, &intent, &options())).expect("a plan");
    assert_eq!(plan.steps.len(), 200);
    assert!(plan.summary.create > 100, "{:?}", plan.summary);
    assert!(plan.summary.skip > 10, "{:?}", plan.summary);
    assert!(
        sandbox.requests().iter().all(|r| r.method == "GET"),
        "a preview only reads"
    );

    let watch = Watch::default();
    let report = run(execute(&client, &clock, &plan, &options(), &watch)).expect("a report");
    assert_eq!(report.rows.len(), 200);
    assert_eq!(
        report.summary.applied, plan.summary.create,
        "{:?}",
        report.summary
    );
    assert_eq!(
        report.summary.failed + report.summary.unknown + report.summary.not_run,
        0
    );
    assert_eq!(watch.finished.get(), 200);
    assert_eq!(watch.started.get(), plan.summary.create);
    assert_report_matches_state(&report, &sandbox.state(), "BULK90");

    let counts = fault_counts(&sandbox);
    eprintln!("requests by method and fault: {counts:?}");
    assert!(counts.keys().any(|k| k.ends_with("429")), "{counts:?}");
    assert!(counts.keys().any(|k| k.ends_with("5xx")), "{counts:?}");
    assert!(counts.keys().any(|k| k.contains("drop")), "{counts:?}");
}

#[test]
fn resuming_after_a_stop_half_way_ends_exact_with_no_duplicate() {
    let sandbox = start(120, faults(5));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(2);
    let ids = live_product_ids(&sandbox.state());
    let plan = run(preview_apply_code(
        &client,
        &clock,
        &apply_intent("HALF15", 15, &ids),
        &options(),
    ))
    .unwrap();
    let watch = Watch {
        cancel_after: Some(plan.steps.len() / 2),
        ..Watch::default()
    };
    let first = run(execute(&client, &clock, &plan, &options(), &watch)).unwrap();
    assert!(first.cancelled);
    assert!(first.summary.not_run > 0, "{:?}", first.summary);
    assert_eq!(first.summary.failed + first.summary.unknown, 0);

    // The worker died: the last checkpoints of five applied steps never reached storage,
    // so the job only knows that they started.
    let (partial, lost) = with_lost_checkpoints(&first, 5);

    let rest: Plan = run(replan(
        &client,
        &clock,
        &plan,
        &partial,
        ReplanMode::Resume,
        &options(),
    ))
    .unwrap();
    for index in &lost {
        let step = rest
            .steps
            .iter()
            .find(|s| s.index == *index)
            .expect("re-planned");
        assert_eq!(
            step.action.kind(),
            "verified",
            "step {index} was done already"
        );
    }
    assert_eq!(rest.steps.len(), lost.len() + first.summary.not_run);
    let second = run(execute(
        &client,
        &clock,
        &rest,
        &options(),
        &Watch::default(),
    ))
    .unwrap();
    assert!(!second.cancelled);
    let merged = resumed_report(&plan, &partial, &second);
    assert_eq!(merged.rows.len(), plan.steps.len());
    assert_eq!(
        merged.summary.not_run + merged.summary.failed + merged.summary.unknown,
        0
    );
    let created = plan
        .steps
        .iter()
        .filter(|s| s.action.kind() == "create")
        .count();
    assert_eq!(merged.summary.applied, created);
    assert_report_matches_state(&merged, &sandbox.state(), "HALF15");

    // "Retry failed" on a clean report has nothing to do.
    let nothing = run(replan(
        &client,
        &clock,
        &plan,
        &merged,
        ReplanMode::RetryFailed,
        &options(),
    ))
    .unwrap();
    assert!(nothing.steps.is_empty());
}

#[test]
fn undo_of_an_apply_and_of_a_remove_leaves_the_sandbox_as_before() {
    let sandbox = start(60, faults(7));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(3);
    let before = sandbox.state();
    let ids = live_product_ids(&before);

    // Apply, then undo: exactly the codes the job created are gone again.
    let plan = run(preview_apply_code(
        &client,
        &clock,
        &apply_intent("UNDO50", 50, &ids),
        &options(),
    ))
    .unwrap();
    let applied = run(execute(&client, &clock, &plan, &options(), &())).unwrap();
    assert_eq!(applied.summary.applied, plan.summary.create);
    let undo = run(preview_undo(&client, &clock, &applied, &options())).unwrap();
    assert_eq!(undo.summary.delete, applied.summary.applied);
    let undone = run(execute(&client, &clock, &undo, &options(), &())).unwrap();
    assert_eq!(undone.summary.applied, undo.summary.delete);
    assert_eq!(ids_of(&sandbox.state()), ids_of(&before));

    // Remove a seeded product code everywhere and the universal WELCOME10, then undo
    // both: the same codes with the same terms are back (new ids, counts restarted).
    let seeded = live_codes(&before)
        .into_iter()
        .filter(|c| !c["universal"].as_bool().unwrap())
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .max_by_key(|name| codes_named(&before, name).len())
        .expect("the store has product codes");
    for name in [seeded.as_str(), "WELCOME10"] {
        let intent = json!({"code": name, "productIds": []});
        let plan = run(preview_remove_code(&client, &clock, &intent, &options())).unwrap();
        assert!(plan.summary.delete >= 1, "{name}: {:?}", plan.summary);
        if name == "WELCOME10" {
            assert_eq!(plan.summary.delete, 1, "a universal code is deleted once");
        }
        let removed = run(execute(&client, &clock, &plan, &options(), &())).unwrap();
        assert_eq!(removed.summary.applied, plan.summary.delete);
        let gone = sandbox.state();
        assert!(
            live_codes(&gone).iter().all(|c| c["code"] != name),
            "{name} removed"
        );
        let undo = run(preview_undo(&client, &clock, &removed, &options())).unwrap();
        assert_eq!(undo.summary.create, removed.summary.applied);
        let undone = run(execute(&client, &clock, &undo, &options(), &())).unwrap();
        assert_eq!(
            undone.summary.applied, undo.summary.create,
            "{:?}",
            undone.rows
        );
    }
    assert_eq!(terms(&sandbox.state()), terms(&before));
}

#[test]
fn a_universal_code_is_created_once_and_undone() {
    let sandbox = start(40, faults(9));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(4);
    let before = sandbox.state();
    let intent = json!({"code": "EVERYONE5", "discount": {"percent": 5}, "universal": true,
        "productIds": [], "onConflict": "skip"});
    let plan = run(preview_apply_code(&client, &clock, &intent, &options())).unwrap();
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(plan.summary.create, 1, "{:?}", plan.steps[0].action);
    let report = run(execute(&client, &clock, &plan, &options(), &())).unwrap();
    assert_eq!(report.summary.applied, 1);
    let state = sandbox.state();
    let universal: Vec<Value> = live_codes(&state)
        .into_iter()
        .filter(|c| c["code"] == "EVERYONE5")
        .collect();
    assert_eq!(universal.len(), 1);
    assert_eq!(universal[0]["universal"], true);
    // Same name in another case is the same universal code: nothing to do.
    let again = json!({"code": "everyone5", "discount": {"percent": 5}, "universal": true,
        "productIds": [], "onConflict": "skip"});
    let plan = run(preview_apply_code(&client, &clock, &again, &options())).unwrap();
    assert_eq!(plan.steps[0].action.kind(), "skip");

    let undo = run(preview_undo(&client, &clock, &report, &options())).unwrap();
    let undone = run(execute(&client, &clock, &undo, &options(), &())).unwrap();
    assert_eq!(undone.summary.applied, 1);
    assert_eq!(ids_of(&sandbox.state()), ids_of(&before));
}

#[test]
fn a_bad_code_or_150_percent_is_refused_before_any_request() {
    let sandbox = start(5, faults(1));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(5);
    let rows = [
        (
            json!({"code": "50% OFF!", "discount": {"percent": 10}, "productIds": ["x"]}),
            "Discount code can only contain numbers, letters, dashes, and underscores",
        ),
        (
            json!({"code": "SAVE", "discount": {"percent": 150}, "productIds": ["x"]}),
            "Please enter a discount amount that is 100% or less.",
        ),
        (
            json!({"code": "SAVE", "discount": {"percent": 10}, "productIds": []}),
            "Select at least one product",
        ),
    ];
    for (intent, message) in rows {
        let error = run(preview_apply_code(&client, &clock, &intent, &options())).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(error.message().contains(message), "{error}");
    }
    let error = run(preview_remove_code(
        &client,
        &clock,
        &json!({"code": "has space"}),
        &options(),
    ))
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(sandbox.requests().is_empty(), "nothing was sent");
}
