//! Bulk price changes against the in-process sandbox, with Gumroad's faults injected
//! (10 % 5xx, 5 % 429, 2 % dropped connections before or after the write): +10 % with .99
//! rounding ends with exactly the planned prices and a report that matches the sandbox row
//! for row; undo brings every price back but leaves a price someone changed since; a
//! resumed job never applies the change twice; the tiered membership is skipped;
//! Gumroad's offer-code `warning` reaches the report; bad input is refused before any
//! request.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeMap;

use bulkroad::bulk::prices::parse_price_intent;
use bulkroad::bulk::{
    execute, preview_price_change, preview_undo, replan, Action, ExecOptions, Operation, Plan,
    ReplanMode, Report, Status,
};
use bulkroad::forms::{price_change_intent, PriceChangeForm};
use bulkroad::model::{Discount, NewOfferCode, ProductId, ProductUpdate};
use bulkroad::runtime::NativeClock;
use bulkroad::transport::NativeTransport;
use bulkroad::{ErrorKind, GumroadClient};
use bulkroad_sandbox::{Faults, Sandbox};
use common::{client, faults, options, resumed_report, run, start, with_lost_checkpoints, Watch};
use serde_json::{json, Value};

/// Live products: id → (price, currency, name).
fn prices(state: &Value) -> BTreeMap<String, (i64, String, String)> {
    state["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["deleted_at"].is_null())
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                (
                    p["price_cents"].as_i64().unwrap(),
                    p["currency"].as_str().unwrap().to_owned(),
                    p["name"].as_str().unwrap().to_owned(),
                ),
            )
        })
        .collect()
}

fn ids(state: &Value) -> Vec<String> {
    prices(state).into_keys().collect()
}

fn raise_intent(ids: &[String]) -> Value {
    json!({"productIds": ids, "change": {"percent": 10}, "rounding": "charm99",
        "allowFree": false, "onLimit": "skip"})
}

fn preview(client: &GumroadClient<NativeTransport>, clock: &NativeClock, intent: &Value) -> Plan {
    let intent = parse_price_intent(intent).unwrap();
    run(preview_price_change(client, clock, &intent, &options())).expect("a plan")
}

/// +10 % to the nearest .99 (yen: ending in 99) for every price the seeded store uses,
/// worked out by hand; `None` = stays (rounds back to itself).
fn raised(price: i64, currency: &str) -> Option<i64> {
    let table: &[(&str, i64, Option<i64>)] = &[
        ("usd", 0, None),
        ("usd", 199, None),      // $2.19 is nearest $1.99
        ("usd", 300, Some(399)), // $3.30 is nearest $2.99: a rise never becomes a cut
        ("usd", 500, Some(599)),
        ("usd", 900, Some(999)),
        ("usd", 999, Some(1099)),
        ("usd", 1200, Some(1299)),
        ("usd", 1500, Some(1699)),
        ("usd", 1999, Some(2199)),
        ("usd", 2500, Some(2799)),
        ("usd", 2900, Some(3199)),
        ("usd", 3900, Some(4299)),
        ("usd", 4900, Some(5399)),
        ("usd", 9900, Some(10899)),
        ("usd", 14900, Some(16399)),
        ("eur", 490, Some(499)),
        ("eur", 790, Some(899)),
        ("eur", 990, Some(1099)),
        ("eur", 1490, Some(1599)),
        ("eur", 1900, Some(2099)),
        ("eur", 2490, Some(2699)),
        ("eur", 3900, Some(4299)),
        ("jpy", 300, Some(399)),
        ("jpy", 500, Some(599)),
        ("jpy", 980, Some(1099)),
        ("jpy", 1500, Some(1699)),
        ("jpy", 2400, Some(2599)),
        ("jpy", 3000, Some(3299)),
        ("jpy", 4800, Some(5299)),
        ("jpy", 9800, Some(10799)),
    ];
    table
        .iter()
        .find(|(c, p, _)| *c == currency && *p == price)
        .unwrap_or_else(|| panic!("no expectation for {price} {currency}"))
        .2
}

/// Every row agrees with the sandbox: applied → the product has the row's new price;
/// anything else → it still has the old one.
fn assert_report_matches_state(report: &Report, before: &Value, after: &Value) {
    let (before, now) = (prices(before), prices(after));
    for row in &report.rows {
        let id = row.product_id.as_str();
        let (old, _, _) = &before[id];
        let (price, _, _) = &now[id];
        match (&row.action, row.outcome.status) {
            (
                Action::UpdatePrice { after, .. } | Action::VerifiedPrice { after, .. },
                Status::Applied,
            ) => assert_eq!(price, after, "row {}: {}", row.index, row.outcome.message),
            (_, status) => assert_eq!(price, old, "row {} ({status:?}) changed", row.index),
        }
    }
    for (id, (price, _, _)) in &now {
        if report.rows.iter().all(|r| r.product_id.as_str() != id) {
            assert_eq!(price, &before[id].0, "{id} was not in the job");
        }
    }
}

/// The bodies of every product PUT: only `price`, in minor units.
fn assert_puts_send_only_the_price(sandbox: &Sandbox) -> usize {
    let puts: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    for put in &puts {
        let body = put.body.strip_prefix("price=").expect("price only");
        assert!(body.bytes().all(|b| b.is_ascii_digit()), "{}", put.body);
    }
    puts.len()
}

#[test]
fn ten_percent_to_99_ends_with_exactly_the_planned_prices_and_undo_restores_them() {
    let sandbox = start(60, faults(21));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(1);
    let before = sandbox.state();
    let ids = ids(&before);
    let plan = preview(&client, &clock, &raise_intent(&ids));
    assert!(
        sandbox.requests().iter().all(|r| r.method == "GET"),
        "a preview only reads"
    );
    assert_eq!(plan.operation, Operation::PriceChange);
    assert_eq!(plan.steps.len(), ids.len());

    // The preview shows the right numbers for every product.
    let table = prices(&before);
    let mut tiered = 0;
    let mut pwyw = 0;
    for step in &plan.steps {
        let (price, currency, _) = &table[step.product_id.as_str()];
        assert_eq!(step.price, *price);
        match &step.action {
            Action::UpdatePrice {
                before,
                after,
                note,
                ..
            } => {
                assert_eq!(*before, *price);
                assert_eq!(
                    Some(*after),
                    raised(*price, currency),
                    "{}",
                    step.product_name
                );
                assert_eq!(step.price_after, Some(*after));
                if note
                    .as_deref()
                    .is_some_and(|n| n.contains("Pay what you want"))
                {
                    pwyw += 1;
                }
            }
            Action::Skip { reason, .. }
                if reason
                    .starts_with("Price cannot be updated for tiered membership products.") =>
            {
                tiered += 1
            }
            Action::Skip { reason, .. } => {
                assert!(reason.starts_with("Already at that price"), "{reason}");
                assert_eq!(raised(*price, currency), None, "{}", step.product_name);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(tiered, 1, "the membership is skipped");
    assert_eq!(
        pwyw, 1,
        "the pay-what-you-want product says its price is the minimum"
    );
    assert!(plan.summary.update > 40, "{:?}", plan.summary);
    assert!(!plan.totals.is_empty());

    let report = run(execute(&client, &clock, &plan, &options(), &())).expect("a report");
    assert_eq!(
        report.summary.applied, plan.summary.update,
        "{:?}",
        report.summary
    );
    assert_eq!(
        report.summary.failed + report.summary.unknown + report.summary.not_run,
        0
    );
    let applied = sandbox.state();
    assert_report_matches_state(&report, &before, &applied);
    let puts = assert_puts_send_only_the_price(&sandbox);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for request in sandbox.requests() {
        let key = format!(
            "{} {}",
            request.method,
            request.fault.unwrap_or_else(|| "ok".into())
        );
        *counts.entry(key).or_default() += 1;
    }
    eprintln!("{puts} PUTs; requests by method and fault: {counts:?}");
    assert!(
        counts
            .keys()
            .any(|k| k.starts_with("PUT") && k.ends_with("5xx")),
        "{counts:?}"
    );
    assert!(counts.keys().any(|k| k.ends_with("429")), "{counts:?}");
    assert!(counts.keys().any(|k| k.contains("drop")), "{counts:?}");

    // Undo, under the same faults: every price is back.
    let undo = run(preview_undo(&client, &clock, &report, &options())).unwrap();
    assert_eq!(undo.summary.update, report.summary.applied);
    assert_eq!(undo.summary.skip, 0);
    let undone = run(execute(&client, &clock, &undo, &options(), &())).unwrap();
    assert_eq!(
        undone.summary.applied, undo.summary.update,
        "{:?}",
        undone.summary
    );
    assert_report_matches_state(&undone, &applied, &sandbox.state());
    assert_eq!(prices(&sandbox.state()), prices(&before));
}

#[test]
fn undo_leaves_a_price_someone_changed_since() {
    let sandbox = start(30, Faults::default());
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(2);
    let before = sandbox.state();
    let five: Vec<String> = before["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["currency"] == "usd" && p["price_cents"].as_i64().unwrap() >= 500)
        .filter(|p| p["is_tiered_membership"] == false && p["deleted_at"].is_null())
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .take(5)
        .collect();
    assert_eq!(five.len(), 5);
    let plan = preview(&client, &clock, &raise_intent(&five));
    assert_eq!(plan.summary.update, 5);
    let report = run(execute(&client, &clock, &plan, &options(), &())).unwrap();
    assert_eq!(report.summary.applied, 5);

    // The seller edits one of them by hand.
    let edited = ProductId::from(five[2].as_str());
    run(client.update_product(
        &edited,
        &ProductUpdate {
            price: Some(4242),
            ..ProductUpdate::default()
        },
    ))
    .unwrap();

    sandbox.set_faults(faults(22));
    let undo = run(preview_undo(&client, &clock, &report, &options())).unwrap();
    assert_eq!((undo.summary.update, undo.summary.skip), (4, 1));
    let kept = undo.steps.iter().find(|s| s.product_id == edited).unwrap();
    let Action::Skip { reason, .. } = &kept.action else {
        panic!("{:?}", kept.action)
    };
    assert!(
        reason.starts_with("Price changed since this job (now $42.42;"),
        "{reason}"
    );
    assert!(undo
        .notes
        .contains(&"1 price changed since this job and is left alone.".to_owned()));
    let undone = run(execute(&client, &clock, &undo, &options(), &())).unwrap();
    assert_eq!(undone.summary.applied, 4, "{:?}", undone.rows);
    let now = prices(&sandbox.state());
    for id in &five {
        let want = if *id == five[2] {
            4242
        } else {
            prices(&before)[id].0
        };
        assert_eq!(now[id].0, want, "{id}");
    }
}

#[test]
fn resuming_a_stopped_price_job_never_applies_the_change_twice() {
    let sandbox = start(80, faults(23));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(3);
    let before = sandbox.state();
    let plan = preview(&client, &clock, &raise_intent(&ids(&before)));
    let watch = Watch {
        cancel_after: Some(plan.steps.len() / 2),
        ..Watch::default()
    };
    let first = run(execute(&client, &clock, &plan, &options(), &watch)).unwrap();
    assert!(first.cancelled);
    assert!(first.summary.not_run > 0, "{:?}", first.summary);

    // The worker died: the last checkpoints of five applied steps never reached storage.
    let (partial, lost) = with_lost_checkpoints(&first, 5);
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
        assert_eq!(
            step.action.kind(),
            "verifiedPrice",
            "step {index} was done already"
        );
    }
    let second = run(execute(&client, &clock, &rest, &options(), &())).unwrap();
    let merged = resumed_report(&plan, &partial, &second);
    assert_eq!(merged.rows.len(), plan.steps.len());
    assert_eq!(
        merged.summary.not_run + merged.summary.failed + merged.summary.unknown,
        0
    );
    assert_eq!(merged.summary.applied, plan.summary.update);
    assert_report_matches_state(&merged, &before, &sandbox.state());
    // Every product is at the planned price: +10 % once, not twice.
    let now = prices(&sandbox.state());
    for step in &plan.steps {
        if let Action::UpdatePrice { after, .. } = step.action {
            assert_eq!(now[step.product_id.as_str()].0, after);
        }
    }
}

#[test]
fn gumroads_warning_about_codes_is_in_the_plan_and_in_the_report() {
    let sandbox = start(20, Faults::default());
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(4);
    let before = prices(&sandbox.state());
    let (id, (price, _, _)) = before
        .iter()
        .find(|(_, (price, currency, _))| currency == "usd" && *price >= 1000)
        .expect("a USD product of $10 or more");
    let product = ProductId::from(id.as_str());
    // A code that leaves exactly $1 now, and $0.50 once the price is $0.50 lower.
    run(client.create_offer_code(
        &product,
        &NewOfferCode {
            name: "LOYAL".into(),
            discount: Discount::Fixed { cents: price - 100 },
            max_purchase_count: None,
            minimum_amount_cents: None,
            universal: false,
        },
    ))
    .unwrap();
    let intent = json!({"productIds": [id],
        "change": {"set": {"amount": price - 50, "currency": "usd"}}});
    let plan = preview(&client, &clock, &intent);
    assert_eq!(plan.summary.update, 1);
    let Action::UpdatePrice { note, .. } = &plan.steps[0].action else {
        panic!("{:?}", plan.steps[0].action)
    };
    assert!(
        note.as_deref().unwrap_or("").contains("LOYAL ("),
        "{note:?}"
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("existing discount codes") && n.contains("LOYAL")),
        "{:?}",
        plan.notes
    );
    let report = run(execute(&client, &clock, &plan, &options(), &())).unwrap();
    let outcome = &report.rows[0].outcome;
    assert_eq!(outcome.status, Status::Applied);
    let warning = outcome.warning.as_deref().expect("Gumroad's warning");
    assert!(warning.contains("LOYAL"), "{warning}");
    assert!(
        outcome.message.contains("Gumroad warns:"),
        "{}",
        outcome.message
    );
    assert_eq!(prices(&sandbox.state())[id].0, price - 50);
}

#[test]
fn a_fixed_price_below_the_minimum_and_other_bad_input_are_refused_before_any_request() {
    let sandbox = start(5, Faults::default());
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(5);
    let rows = [
        (
            json!({"productIds": ["x"], "change": {"set": {"amount": 50, "currency": "usd"}}}),
            "Sorry, a product must be at least $0.99.",
        ),
        (
            json!({"productIds": ["x"], "change": {"set": {"amount": 50, "currency": "jpy"}}}),
            "Sorry, a product must be at least ¥99.",
        ),
        (
            json!({"productIds": ["x"], "change": {"percent": -100}}),
            "−99 % to +1000 %",
        ),
        (
            json!({"productIds": [], "change": {"percent": 10}}),
            "Select at least one product",
        ),
    ];
    for (intent, message) in rows {
        let intent = parse_price_intent(&intent).unwrap();
        let error = run(preview_price_change(&client, &clock, &intent, &options())).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(error.message().contains(message), "{error}");
    }
    // The same through the extension's form, as typed.
    let form = PriceChangeForm {
        mode: "set".into(),
        amount: "0.50".into(),
        currency: Some("usd".into()),
        rounding: "none".into(),
        allow_free: false,
        on_limit: "clamp".into(),
        product_ids: vec!["x".into()],
        ..Default::default()
    };
    let intent = price_change_intent(&form).unwrap();
    let error = run(preview_price_change(&client, &clock, &intent, &options())).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(error.message(), "Sorry, a product must be at least $0.99.");
    assert!(sandbox.requests().is_empty(), "nothing was sent");
}

#[test]
fn a_product_over_gumroads_put_throttle_backs_off_then_fails_alone_and_unchanged() {
    let sandbox = start(10, Faults::default());
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(6);
    let before = sandbox.state();
    let usd: Vec<String> = prices(&before)
        .into_iter()
        .filter(|(_, (price, currency, _))| currency == "usd" && *price >= 500)
        .map(|(id, _)| id)
        .take(2)
        .collect();
    let plan = preview(&client, &clock, &raise_intent(&usd));
    // Someone used up this minute's 30 PUTs on the first product (contract §4).
    let busy = ProductId::from(usd[0].as_str());
    let price = prices(&before)[&usd[0]].0;
    for _ in 0..30 {
        let update = ProductUpdate {
            price: Some(price),
            ..ProductUpdate::default()
        };
        run(client.update_product(&busy, &update)).unwrap();
    }
    let options = ExecOptions {
        max_attempts: 3,
        ..options()
    };
    let report = run(execute(&client, &clock, &plan, &options, &())).unwrap();
    let throttled: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.fault.as_deref() == Some("throttled"))
        .collect();
    assert_eq!(throttled.len(), 3, "three attempts, each answered 429");
    let row = report.row(0).unwrap();
    assert_eq!(
        row.outcome.status,
        Status::Failed,
        "{}",
        row.outcome.message
    );
    assert_eq!(report.row(1).unwrap().outcome.status, Status::Applied);
    assert_eq!(prices(&sandbox.state())[&usd[0]].0, price);
}
