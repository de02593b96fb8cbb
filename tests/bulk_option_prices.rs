//! Options scaled with a price change, against the in-process sandbox: +10 % to .99 with
//! "scale" changes each priced option's difference through the variant endpoint (and only
//! that field), under Gumroad's faults; undo, under faults too, brings back the exact old
//! differences and prices; a write whose answer was lost is settled by re-reading the
//! variants, never sent twice in effect; a resumed job finds done options done.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeMap;

use bulkroad::bulk::prices::parse_price_intent;
use bulkroad::bulk::{
    execute, preview_price_change, preview_undo, replan, Action, Plan, ReplanMode, Status,
};
use bulkroad::runtime::NativeClock;
use bulkroad::transport::NativeTransport;
use bulkroad::GumroadClient;
use bulkroad_sandbox::{DropPhase, Faults, Sandbox};
use common::{client, faults, options, resumed_report, run, start, with_lost_checkpoints, Watch};
use serde_json::{json, Value};

/// Every live product's price and option differences: id → (price, [(category, option, difference)]).
type Prices = BTreeMap<String, (i64, Vec<(String, String, Option<i64>)>)>;

fn prices(state: &Value) -> Prices {
    state["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["deleted_at"].is_null())
        .map(|p| {
            let options = p["variant_categories"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|c| {
                    c["variants"].as_array().unwrap().iter().map(move |v| {
                        (
                            c["title"].as_str().unwrap().to_owned(),
                            v["name"].as_str().unwrap().to_owned(),
                            v["price_difference_cents"].as_i64(),
                        )
                    })
                })
                .collect();
            (
                p["id"].as_str().unwrap().to_owned(),
                (p["price_cents"].as_i64().unwrap(), options),
            )
        })
        .collect()
}

/// The products with a priced option (not memberships), and a few without.
fn selection(state: &Value) -> (Vec<String>, usize) {
    let mut with = Vec::new();
    let mut without = Vec::new();
    for p in state["products"].as_array().unwrap() {
        if !p["deleted_at"].is_null() || p["is_tiered_membership"] == true {
            continue;
        }
        let priced = p["variant_categories"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["variants"].as_array().unwrap())
            .any(|v| v["price_difference_cents"].as_i64().unwrap_or(0) > 0);
        let id = p["id"].as_str().unwrap().to_owned();
        if priced {
            with.push(id);
        } else if p["price_cents"].as_i64().unwrap() >= 500 {
            without.push(id);
        }
    }
    let count = with.len();
    with.extend(without.into_iter().take(3));
    (with, count)
}

fn preview(client: &GumroadClient<NativeTransport>, clock: &NativeClock, ids: &[String]) -> Plan {
    let intent = parse_price_intent(&json!({"productIds": ids, "change": {"percent": 10},
        "rounding": "charm99", "onLimit": "skip", "options": "scale"}))
    .unwrap();
    run(preview_price_change(client, clock, &intent, &options())).expect("a plan")
}

/// The seeded options cost +500; every product's new price ends in 99 (charm99), so
/// +550 makes a whole price ending in 49, which rounds up to the next 99: +600.
fn assert_options_planned(plan: &Plan, options_expected: usize) {
    let options: Vec<&Action> = plan
        .steps
        .iter()
        .map(|s| &s.action)
        .filter(|a| matches!(a, Action::UpdateOptionPrice { .. }))
        .collect();
    assert_eq!(options.len(), options_expected, "{:#?}", plan.steps);
    for action in options {
        let Action::UpdateOptionPrice { before, after, .. } = action else {
            unreachable!()
        };
        assert_eq!((*before, *after), (500, 600));
    }
}

fn sandbox_with_options(faults: Faults) -> (Sandbox, Vec<String>, usize) {
    let sandbox = start(120, faults);
    let (ids, priced) = selection(&sandbox.state());
    assert!(
        priced >= 3,
        "the seeded store has products with options ({priced})"
    );
    (sandbox, ids, priced)
}

#[test]
fn scaling_options_then_undo_restores_the_exact_old_differences_under_faults() {
    let (sandbox, ids, priced) = sandbox_with_options(faults(41));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(41);
    let before = sandbox.state();
    let plan = preview(&client, &clock, &ids);
    assert!(sandbox.requests().iter().all(|r| r.method == "GET"));
    assert_options_planned(&plan, priced);
    assert!(plan
        .notes
        .iter()
        .any(|n| n.contains("each difference changes by the same percent")));

    let report = run(execute(&client, &clock, &plan, &options(), &())).unwrap();
    assert_eq!(
        report.summary.applied, plan.summary.update,
        "{:#?}",
        report.rows
    );
    let after = prices(&sandbox.state());
    let old = prices(&before);
    for step in &plan.steps {
        let id = step.product_id.as_str();
        match &step.action {
            Action::UpdatePrice { after: price, .. } => assert_eq!(after[id].0, *price),
            Action::UpdateOptionPrice {
                category,
                option,
                after: d,
                ..
            } => {
                let now = after[id]
                    .1
                    .iter()
                    .find(|(c, o, _)| c == category && o == option);
                assert_eq!(now.unwrap().2, Some(*d), "{id}");
            }
            _ => assert_eq!(after[id], old[id]),
        }
    }
    // The option writes sent only the difference, to the variant endpoint.
    let option_puts: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.contains("/variants/"))
        .collect();
    assert!(option_puts.len() >= priced);
    assert!(option_puts
        .iter()
        .all(|r| r.body == "price_difference_cents=600"));

    sandbox.set_faults(faults(42));
    let undo = run(preview_undo(&client, &clock, &report, &options())).unwrap();
    assert_eq!(undo.summary.update, report.summary.applied);
    assert!(undo
        .notes
        .iter()
        .any(|n| n == &format!("Puts back the previous price difference of {priced} options.")));
    let undone = run(execute(&client, &clock, &undo, &options(), &())).unwrap();
    assert_eq!(
        undone.summary.applied, undo.summary.update,
        "{:#?}",
        undone.rows
    );
    assert_eq!(prices(&sandbox.state()), old);
}

#[test]
fn a_lost_answer_is_settled_by_re_reading_the_variants() {
    let (sandbox, ids, priced) = sandbox_with_options(Faults::default());
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(43);
    let plan = preview(&client, &clock, &ids);
    // Half the requests are applied and then lose their answer.
    sandbox.set_faults(Faults {
        rate_drop: 0.5,
        drop_phase: DropPhase::After,
        seed: 44,
        ..Faults::default()
    });
    let report = run(execute(&client, &clock, &plan, &options(), &())).unwrap();
    sandbox.set_faults(Faults::default());
    let settled = report
        .rows
        .iter()
        .filter(|r| {
            r.outcome
                .message
                .contains("re-reading the option confirmed")
        })
        .count();
    assert!(settled > 0, "{:#?}", report.rows);
    let now = prices(&sandbox.state());
    for row in &report.rows {
        if let Action::UpdateOptionPrice {
            category,
            option,
            after,
            ..
        } = &row.action
        {
            let id = row.product_id.as_str();
            let shown = now[id]
                .1
                .iter()
                .find(|(c, o, _)| c == category && o == option)
                .unwrap()
                .2;
            match row.outcome.status {
                Status::Applied => assert_eq!(shown, Some(*after)),
                status => panic!("{status:?}: {}", row.outcome.message),
            }
        }
    }
    assert_eq!(
        report
            .rows
            .iter()
            .filter(|r| r.action.kind() == "updateOptionPrice")
            .count(),
        priced
    );
}

#[test]
fn a_resumed_job_finds_done_options_done() {
    let (sandbox, ids, _) = sandbox_with_options(faults(45));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(45);
    let before = sandbox.state();
    let plan = preview(&client, &clock, &ids);
    let watch = Watch {
        cancel_after: Some(plan.steps.len() / 2),
        ..Watch::default()
    };
    let first = run(execute(&client, &clock, &plan, &options(), &watch)).unwrap();
    assert!(first.cancelled);
    let (partial, lost) = with_lost_checkpoints(&first, 4);
    let rest = run(replan(
        &client,
        &clock,
        &plan,
        &partial,
        ReplanMode::Resume,
        &options(),
    ))
    .unwrap();
    for index in &lost {
        let step = rest.steps.iter().find(|s| s.index == *index).unwrap();
        assert!(
            matches!(
                step.action,
                Action::VerifiedPrice { .. } | Action::UpdateOptionPrice { verified: true, .. }
            ),
            "step {index} was done already: {:?}",
            step.action
        );
    }
    let second = run(execute(&client, &clock, &rest, &options(), &())).unwrap();
    let merged = resumed_report(&plan, &partial, &second);
    assert_eq!(
        merged.summary.applied, plan.summary.update,
        "{:#?}",
        merged.rows
    );
    // +10 % once: every option at +600, every price as planned.
    let now = prices(&sandbox.state());
    let old = prices(&before);
    for step in &plan.steps {
        let id = step.product_id.as_str();
        match &step.action {
            Action::UpdatePrice { after, .. } => assert_eq!(now[id].0, *after),
            Action::UpdateOptionPrice {
                category,
                option,
                after,
                ..
            } => {
                let shown = now[id]
                    .1
                    .iter()
                    .find(|(c, o, _)| c == category && o == option)
                    .unwrap()
                    .2;
                assert_eq!(shown, Some(*after));
            }
            _ => assert_eq!(now[id], old[id]),
        }
    }
}
