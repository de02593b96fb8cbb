//! Batches of unique codes against the in-process sandbox, with Gumroad's faults injected
//! (10 % 5xx, 5 % 429, 2 % dropped connections before or after the write): 2 000 codes end
//! as exactly 2 000 distinct codes on Gumroad and in the job's CSV; a job stopped half way
//! (with its last checkpoints lost) resumes with no duplicate and no missing code; a name
//! taken after the preview is replaced by a fresh one; undo deletes exactly the batch.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeSet;

use bulkroad::bulk::{
    batch_codes_csv, execute, preview_create_codes, preview_undo, replan, Plan, ReplanMode,
    Report, Status,
};
use bulkroad::model::{Discount, NewOfferCode, ProductId};
use bulkroad::runtime::NativeClock;
use bulkroad_sandbox::Sandbox;
use common::{client, faults, options, resumed_report, run, start, with_lost_checkpoints, Watch};
use serde_json::{json, Value};

/// The first live product of the sandbox.
fn first_product(sandbox: &Sandbox) -> String {
    sandbox.state()["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["deleted_at"].is_null())
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .unwrap()
}

/// The live codes on `product` whose name starts with `prefix`, as (name, max uses).
fn batch_in_sandbox(sandbox: &Sandbox, product: &str, prefix: &str) -> Vec<(String, Value)> {
    sandbox.state()["offer_codes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["deleted_at"].is_null() && c["product_id"] == product)
        .filter(|c| c["code"].as_str().unwrap().starts_with(prefix))
        .map(|c| (c["code"].as_str().unwrap().to_owned(), c["max_purchase_count"].clone()))
        .collect()
}

/// The codes column of the job's CSV (quoted cells never occur: codes hold no comma).
fn csv_codes(plan: &Plan, report: &Report) -> Vec<String> {
    let (csv, count) = batch_codes_csv(plan, report);
    let codes: Vec<String> = csv
        .split("\r\n")
        .skip(1)
        .filter(|line| !line.is_empty())
        .map(|line| line.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), count);
    codes
}

fn batch(prefix: &str, count: usize, product: &str) -> Value {
    json!({"prefix": prefix, "count": count, "discount": {"percent": 100}, "productId": product})
}

#[test]
fn two_thousand_codes_under_faults_end_as_exactly_two_thousand_and_the_csv_lists_them() {
    let sandbox = start(5, faults(21));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(21);
    let product = first_product(&sandbox);
    let plan = run(preview_create_codes(
        &client,
        &clock,
        &batch("LAUNCH", 2000, &product),
        None,
        &options(),
    ))
    .expect("a plan");
    assert_eq!(plan.summary.create, 2000);
    assert!(sandbox.requests().iter().all(|r| r.method == "GET"), "a preview only reads");

    let report = run(execute(&client, &clock, &plan, &options(), &Watch::default())).unwrap();
    assert_eq!(report.summary.applied, 2000, "{:?}", report.summary);

    let made = batch_in_sandbox(&sandbox, &product, "LAUNCH-");
    let names: BTreeSet<&String> = made.iter().map(|(name, _)| name).collect();
    assert_eq!(made.len(), 2000, "no code twice");
    assert_eq!(names.len(), 2000, "every code distinct");
    assert!(made.iter().all(|(_, max)| max == 1), "single use");
    let listed: BTreeSet<String> = csv_codes(&plan, &report).into_iter().collect();
    assert_eq!(listed, names.into_iter().cloned().collect::<BTreeSet<_>>());

    let posts = sandbox.requests().iter().filter(|r| r.method == "POST").count();
    let faulted = sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.fault.is_some())
        .count();
    eprintln!("{posts} POSTs for 2000 codes, {faulted} of them met a fault");
    assert!(faulted > 100, "faults were injected: {faulted}");
}

#[test]
fn a_batch_stopped_half_way_resumes_with_no_duplicate_and_no_missing_code() {
    let sandbox = start(5, faults(22));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(22);
    let product = first_product(&sandbox);
    let plan = run(preview_create_codes(
        &client,
        &clock,
        &batch("GIFT_", 300, &product),
        None,
        &options(),
    ))
    .unwrap();
    let watch = Watch {
        cancel_after: Some(150),
        ..Watch::default()
    };
    let first = run(execute(&client, &clock, &plan, &options(), &watch)).unwrap();
    assert!(first.cancelled && first.summary.not_run > 0, "{:?}", first.summary);
    // The codes made before the stop are already in the CSV.
    assert_eq!(csv_codes(&plan, &first).len(), first.summary.applied);

    // The worker died: the checkpoints of five made codes never reached storage.
    let (partial, lost) = with_lost_checkpoints(&first, 5);
    let rest = run(replan(&client, &clock, &plan, &partial, ReplanMode::Resume, &options())).unwrap();
    for index in &lost {
        let step = rest.steps.iter().find(|s| s.index == *index).unwrap();
        assert_eq!(step.action.kind(), "verified", "step {index} was made already");
    }
    let second = run(execute(&client, &clock, &rest, &options(), &Watch::default())).unwrap();
    let merged = resumed_report(&plan, &partial, &second);
    assert_eq!(merged.summary.applied, 300, "{:?}", merged.summary);

    let made = batch_in_sandbox(&sandbox, &product, "GIFT_");
    let names: BTreeSet<String> = made.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(made.len(), 300);
    assert_eq!(names.len(), 300);
    let listed = csv_codes(&plan, &merged);
    assert_eq!(listed.len(), 300, "every code once in the CSV");
    assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), names);

    // Undo deletes the batch and nothing else.
    let others_before = sandbox.state()["offer_codes"].as_array().unwrap().len() - 300;
    let undo = run(preview_undo(&client, &clock, &merged, &options())).unwrap();
    assert_eq!(undo.summary.delete, 300);
    let undone = run(execute(&client, &clock, &undo, &options(), &Watch::default())).unwrap();
    assert_eq!(undone.summary.applied, 300, "{:?}", undone.summary);
    assert!(batch_in_sandbox(&sandbox, &product, "GIFT_").is_empty());
    let alive = sandbox.state()["offer_codes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["deleted_at"].is_null())
        .count();
    assert!(alive <= others_before);
}

#[test]
fn a_name_taken_after_the_preview_is_replaced_by_a_fresh_one() {
    let sandbox = start(3, Default::default());
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(23);
    let product = first_product(&sandbox);
    let plan = run(preview_create_codes(
        &client,
        &clock,
        &batch("VIP", 20, &product),
        None,
        &options(),
    ))
    .unwrap();
    let bulkroad::bulk::Action::CreateUnique { code, .. } = &plan.steps[7].action else {
        panic!("a batch step")
    };
    // Someone makes step 7's code by hand meanwhile, with other terms.
    let intruder = NewOfferCode {
        name: code.name.clone(),
        discount: Discount::Percent(10),
        max_purchase_count: None,
        minimum_amount_cents: None,
        universal: false,
    };
    run(client.create_offer_code(&ProductId::from(product.as_str()), &intruder)).unwrap();

    let report = run(execute(&client, &clock, &plan, &options(), &Watch::default())).unwrap();
    assert_eq!(report.summary.applied, 20, "{:?}", report.summary);
    let row = report.rows.iter().find(|r| r.index == 7).unwrap();
    assert_eq!(row.outcome.status, Status::Applied);
    assert!(
        row.outcome.message.contains(&format!("{} was taken by then", code.name)),
        "{}",
        row.outcome.message
    );
    let fresh = row.outcome.created_offer_code.as_ref().unwrap();
    assert_ne!(fresh.name, code.name);
    assert!(fresh.name.starts_with("VIP-"));

    let made = batch_in_sandbox(&sandbox, &product, "VIP-");
    let ours: Vec<&(String, Value)> = made.iter().filter(|(_, max)| max == 1).collect();
    assert_eq!(ours.len(), 20);
    let listed: BTreeSet<String> = csv_codes(&plan, &report).into_iter().collect();
    assert_eq!(listed, ours.iter().map(|(n, _)| n.clone()).collect());
    assert!(!listed.contains(&code.name));
}

#[test]
fn a_bad_batch_is_refused_before_any_request() {
    let sandbox = start(3, Default::default());
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(24);
    for intent in [
        json!({"prefix": "BLACK FRIDAY", "count": 5, "discount": {"percent": 10}, "productId": "x"}),
        json!({"prefix": "A", "count": 10001, "discount": {"percent": 10}, "productId": "x"}),
        json!({"prefix": "A", "count": 5, "discount": {"percent": 150}, "productId": "x"}),
    ] {
        let error = run(preview_create_codes(&client, &clock, &intent, None, &options())).unwrap_err();
        assert_eq!(error.kind(), bulkroad::ErrorKind::InvalidInput, "{intent}");
    }
    assert!(sandbox.requests().is_empty(), "nothing was sent");
}
