//! Table tests of the price-change planner: validation, every outcome per product (new
//! price, already there, tiered membership, pay what you want, another currency, limits
//! clamped or skipped, free, options, codes that would go under the minimum, gone), the
//! notes and totals, undo of a price job, re-planning after an interruption, and the JSON
//! shapes JS reads.

use serde_json::{json, Value};

use super::{code, product_with, snapshot, universal, NOW};
use crate::bulk::plan::{Action, Operation, Plan, PriceTotal, Step};
use crate::bulk::prices::{parse_price_intent, plan_price_change, TIERED_REFUSAL};
use crate::bulk::replan::replan_steps;
use crate::bulk::report::{Outcome, Report, ReportRow, ReportSummary, Status};
use crate::bulk::snapshot::Snapshot;
use crate::bulk::undo::plan_undo;
use crate::model::{Discount, Product, ProductId};
use crate::ErrorKind;

fn store() -> Vec<Product> {
    let tier = |name: &str, monthly: i64| {
        json!({"name": name, "price_difference": 0,
            "recurrence_prices": {"monthly": {"price_cents": monthly}}})
    };
    vec![
        product_with("a", "Guide", 1000, "usd", json!({})),
        product_with("b", "Course", 1999, "usd", json!({})),
        product_with("cheap", "Sticker", 199, "usd", json!({})),
        product_with("eur", "Euro Pack", 490, "eur", json!({})),
        product_with("yen", "Yen Book", 1500, "jpy", json!({})),
        product_with(
            "pwyw",
            "Name a Price",
            300,
            "usd",
            json!({"customizable_price": true}),
        ),
        product_with(
            "club",
            "Club",
            500,
            "usd",
            json!({"is_tiered_membership": true, "recurrences": ["monthly"],
                "variants": [{"title": "Tier", "options": [tier("Supporter", 500)]}]}),
        ),
        product_with(
            "formats",
            "Formats",
            1000,
            "usd",
            json!({"variants": [{"title": "Format", "options": [
                {"name": "PDF", "price_difference": 0}, {"name": "Print", "price_difference": 500}]}]}),
        ),
        product_with("free", "Freebie", 0, "usd", json!({})),
        product_with("odd", "Odd Money", 1000, "xyz", json!({})),
        product_with("big", "Masterclass", 1_000_000, "usd", json!({})),
        product_with("edge", "Postcard", 99, "usd", json!({})),
    ]
}

fn plain_snapshot() -> Snapshot {
    snapshot(store().into_iter().map(|p| (p, vec![])).collect())
}

fn plan(intent: Value, snapshot: &Snapshot) -> Plan {
    let intent = parse_price_intent(&intent).unwrap();
    plan_price_change(&intent, snapshot, NOW).unwrap()
}

fn step<'a>(plan: &'a Plan, id: &str) -> &'a Step {
    plan.steps
        .iter()
        .find(|s| s.product_id.as_str() == id)
        .unwrap_or_else(|| panic!("a step for {id}"))
}

/// `"updatePrice 1000→1099"`, `"skip: <reason>"`…
fn summary_of(step: &Step) -> String {
    match &step.action {
        Action::UpdatePrice { before, after, .. } => format!("updatePrice {before}→{after}"),
        Action::VerifiedPrice { before, after, .. } => format!("verifiedPrice {before}→{after}"),
        Action::Skip { reason, .. } => format!("skip: {reason}"),
        other => other.kind().to_owned(),
    }
}

fn note_of(step: &Step) -> String {
    match &step.action {
        Action::UpdatePrice { note, .. } => note.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

#[test]
fn every_outcome_per_product() {
    let snapshot = plain_snapshot();
    let all: Vec<&str> = vec![
        "a", "b", "cheap", "eur", "yen", "pwyw", "club", "formats", "free", "odd", "big", "gone",
    ];
    // (intent overrides, product, expected summary, a piece of the note)
    let rows: &[(Value, &str, &str, &str)] = &[
        // +10 % to .99 on each kind of product
        (json!({}), "a", "updatePrice 1000→1099", ""),
        (json!({}), "b", "updatePrice 1999→2199", ""),
        // nearest rounding can land back on the old price: nothing to do
        (json!({}), "cheap", "skip: Already at that price ($1.99) once rounded.", ""),
        (json!({}), "eur", "updatePrice 490→499", ""),
        (json!({}), "yen", "updatePrice 1500→1699", ""),
        // $3.30 is nearest $2.99, but rounding never turns a rise into a cut
        (json!({}), "pwyw", "updatePrice 300→399", ""),
        (json!({}), "club", "skip: Price cannot be updated for tiered membership products", ""),
        (json!({}), "formats", "updatePrice 1000→1099", "options keep their price differences"),
        (json!({}), "free", "skip: Already at that price ($0).", ""),
        (json!({}), "odd", "skip: Bulkroad does not know this product's currency (xyz).", ""),
        (json!({}), "big", "updatePrice 1000000→1099999", ""),
        (json!({}), "gone", "skip: This product is no longer on Gumroad (deleted?).", ""),
        // pay what you want: the price is the minimum
        (json!({"rounding": "none"}), "pwyw", "updatePrice 300→330", "Pay what you want: this is the minimum buyers pay."),
        // a fixed price or amount applies only in its currency
        (json!({"change": {"set": {"amount": 1499, "currency": "usd"}}}), "eur",
            "skip: The new price is in USD, but this product is priced in EUR; Bulkroad does not convert between currencies.", ""),
        (json!({"change": {"amount": {"delta": 200, "currency": "eur"}}, "rounding": "none"}), "eur", "updatePrice 490→690", ""),
        (json!({"change": {"amount": {"delta": 200, "currency": "eur"}}}), "a",
            "skip: The amount is in EUR, but this product is priced in USD; Bulkroad does not convert between currencies.", ""),
        (json!({"change": {"set": {"amount": 1000, "currency": "usd"}}, "rounding": "none"}), "a",
            "skip: Already at that price ($10).", ""),
        // limits: skipped, or clamped with the reason in the note
        (json!({"change": {"percent": -60}, "rounding": "none"}), "cheap",
            "skip: $0.80 would be under Gumroad's minimum of $0.99 for USD.", ""),
        (json!({"change": {"percent": -60}, "rounding": "none", "onLimit": "clamp"}), "cheap",
            "updatePrice 199→99", "$0.80 would be under Gumroad's minimum of $0.99; set to $0.99."),
        (json!({"change": {"percent": -90}, "rounding": "none", "onLimit": "clamp"}), "eur",
            "updatePrice 490→79", "€0.49 would be under Gumroad's minimum of €0.79; set to €0.79."),
        (json!({"change": {"amount": {"delta": -1500, "currency": "usd"}}, "rounding": "none"}), "a",
            "skip: The change would take it below zero (-$5).", ""),
        (json!({"change": {"amount": {"delta": -1500, "currency": "usd"}}, "rounding": "none", "onLimit": "clamp"}), "a",
            "updatePrice 1000→99", "below zero (-$5); set to the minimum, $0.99."),
        (json!({"change": {"amount": {"delta": -1500, "currency": "usd"}}, "allowFree": true, "onLimit": "clamp"}), "a",
            "updatePrice 1000→0", "below zero (-$5); set to free."),
        (json!({"change": {"amount": {"delta": -1000, "currency": "usd"}}, "rounding": "none"}), "a",
            "skip: The change would make it free ($0); allow a price of 0 to do that.", ""),
        (json!({"change": {"amount": {"delta": -1000, "currency": "usd"}}, "rounding": "none", "allowFree": true}), "a",
            "updatePrice 1000→0", ""),
        (json!({"change": {"amount": {"delta": -1000, "currency": "usd"}}, "onLimit": "clamp"}), "a",
            "updatePrice 1000→99", "set to the minimum, $0.99"),
        (json!({"change": {"percent": 1000}, "rounding": "none"}), "big",
            "skip: $110,000 would be above Bulkroad's highest price in USD, $99,000.", ""),
        (json!({"change": {"percent": 1000}, "onLimit": "clamp"}), "big",
            "updatePrice 1000000→9899999", "$109,999.99 would be above Bulkroad's highest price, $99,000; set to $98,999.99."),
        // half a cent rounds away from zero
        (json!({"change": {"percent": -50}, "onLimit": "clamp", "rounding": "none"}), "cheap", "updatePrice 199→100", ""),
        // a price at the minimum that a cut would take under it stays there
        (json!({"change": {"percent": -40}, "onLimit": "clamp", "rounding": "none", "productIds": ["edge"]}), "edge",
            "skip: Already at the nearest allowed price ($0.99).", ""),
        // rounding only
        (json!({"change": {"percent": 0}, "rounding": "whole"}), "b", "updatePrice 1999→2000", ""),
        (json!({"change": {"percent": 0}, "rounding": "charm99"}), "a", "updatePrice 1000→999", ""),
        (json!({"change": {"percent": 0}, "rounding": "charm99"}), "b", "skip: Already at that price ($19.99) once rounded.", ""),
        // yen: whole yen, charm endings on the last two digits
        (json!({"change": {"percent": 10}, "rounding": "none"}), "yen", "updatePrice 1500→1650", ""),
        (json!({"change": {"percent": 10}, "rounding": "whole"}), "yen", "updatePrice 1500→1700", ""),
        (json!({"change": {"percent": 10}, "rounding": "charm49or99"}), "yen", "updatePrice 1500→1649", ""),
        (json!({"change": {"set": {"amount": 980, "currency": "jpy"}}, "rounding": "charm99"}), "yen", "updatePrice 1500→999", ""),
    ];
    for (i, (overrides, id, want, note)) in rows.iter().enumerate() {
        let mut intent = json!({"productIds": all, "change": {"percent": 10},
            "rounding": "charm99", "allowFree": false, "onLimit": "skip"});
        for (k, v) in overrides.as_object().unwrap() {
            intent[k] = v.clone();
        }
        let plan = plan(intent, &snapshot);
        let step = step(&plan, id);
        let got = summary_of(step);
        assert!(got.starts_with(want), "row {i} ({id}): {got}");
        assert!(
            note_of(step).contains(note),
            "row {i} ({id}) note: {}",
            note_of(step)
        );
        if let Action::UpdatePrice {
            after, currency, ..
        } = &step.action
        {
            assert_eq!(step.price_after, Some(*after), "row {i}");
            assert_eq!(currency, &step.currency, "row {i}");
            assert!(step.formatted_price_after.is_some(), "row {i}");
        } else {
            assert_eq!(step.price_after, None, "row {i}: skips show no new price");
        }
    }
}

#[test]
fn tiered_memberships_are_skipped_with_gumroads_reason() {
    let plan = plan(
        json!({"productIds": ["club"], "change": {"percent": 10}}),
        &plain_snapshot(),
    );
    let Action::Skip { reason, .. } = &plan.steps[0].action else {
        panic!("a skip");
    };
    assert!(reason.starts_with(TIERED_REFUSAL), "{reason}");
    assert!(plan
        .notes
        .iter()
        .any(|n| n.contains("Memberships with tiers are skipped") && n.contains("\"Club\"")));
    assert!(plan
        .notes
        .contains(&"No selected product gets a new price.".to_owned()));
}

#[test]
fn codes_that_would_go_under_the_minimum_are_named_before_applying() {
    let products = store();
    let guide = products[0].clone();
    let course = products[1].clone();
    let welcome = universal("u1", "WELCOME90", Discount::Percent(90));
    let snapshot = snapshot(vec![
        (
            guide,
            vec![
                code("c1", "FIVEOFF", Discount::Fixed { cents: 500 }),
                code("c2", "HALF", Discount::Percent(50)),
                welcome.clone(),
            ],
        ),
        (
            course,
            vec![welcome, code("c3", "ALL", Discount::Percent(100))],
        ),
    ]);
    // $10 → $5.49: FIVEOFF leaves $0.49 and WELCOME90 $0.55; HALF leaves $2.75 (fine).
    let plan = plan(
        json!({"productIds": ["a", "b"], "change": {"set": {"amount": 549, "currency": "usd"}}}),
        &snapshot,
    );
    let guide = step(&plan, "a");
    assert_eq!(summary_of(guide), "updatePrice 1000→549");
    let note = note_of(guide);
    assert!(
        note.contains("FIVEOFF ($5.49 becomes $0.49, minimum $0.99)"),
        "{note}"
    );
    assert!(
        note.contains("WELCOME90 ($5.49 becomes $0.55, minimum $0.99)"),
        "{note}"
    );
    assert!(!note.contains("HALF"), "{note}");
    // 100 % off is free, which Gumroad allows.
    assert_eq!(note_of(step(&plan, "b")), "Existing codes would take it under Gumroad's minimum: WELCOME90 ($5.49 becomes $0.55, minimum $0.99).");
    let warning = plan
        .notes
        .iter()
        .find(|n| n.starts_with("On 2 products, existing discount codes"))
        .expect("a note naming the codes");
    assert!(warning.contains("\"Guide\" (FIVEOFF"), "{warning}");
    assert!(warning.contains("\"Course\" (WELCOME90"), "{warning}");
    assert!(warning.contains("with a warning"), "{warning}");
}

#[test]
fn notes_say_the_rule_the_limits_and_the_totals() {
    let plan = plan(
        json!({"productIds": ["a", "b", "eur", "yen", "pwyw", "big", "cheap"],
            "change": {"percent": 10}, "rounding": "charm99", "onLimit": "clamp"}),
        &plain_snapshot(),
    );
    assert_eq!(
        plan.notes[0],
        "Change: +10 %, then rounded to the nearest price ending in .99 (yen: ending in 99, like ¥1,999); rounding never turns a rise into a cut or a cut into a rise. Where a new price would cross Gumroad's minimum or Bulkroad's maximum, the nearest allowed price is used instead."
    );
    assert!(plan
        .notes
        .iter()
        .any(|n| n
            == "Pay what you want: the new price is the minimum buyers pay (\"Name a Price\")."));
    assert!(
        plan.notes
            .iter()
            .any(|n| n.starts_with("1 new price would be above about USD 5,000")),
        "{:?}",
        plan.notes
    );
    assert_eq!(plan.summary.update, 6);
    assert_eq!(plan.summary.skip, 1, "$1.99 stays $1.99 once rounded");
    assert_eq!(plan.summary.total, 7);
    assert_eq!(
        plan.totals,
        vec![
            PriceTotal {
                currency: "usd".into(),
                products: 4,
                before: 1000 + 1999 + 300 + 1_000_000,
                after: 1099 + 2199 + 399 + 1_099_999,
                formatted_before: "$10,032.99".into(),
                formatted_after: "$11,036.96".into(),
                description: "USD: 4 products, $10,032.99 → $11,036.96 in total.".into(),
            },
            PriceTotal {
                currency: "eur".into(),
                products: 1,
                before: 490,
                after: 499,
                formatted_before: "€4.90".into(),
                formatted_after: "€4.99".into(),
                description: "EUR: 1 product, €4.90 → €4.99 in total.".into(),
            },
            PriceTotal {
                currency: "jpy".into(),
                products: 1,
                before: 1500,
                after: 1699,
                formatted_before: "¥1,500".into(),
                formatted_after: "¥1,699".into(),
                description: "JPY: 1 product, ¥1,500 → ¥1,699 in total.".into(),
            },
        ]
    );
    let cut = self::plan(
        json!({"productIds": ["a", "cheap"], "change": {"amount": {"delta": -150, "currency": "usd"}},
            "onLimit": "clamp", "allowFree": true}),
        &plain_snapshot(),
    );
    assert_eq!(
        cut.notes[0],
        "Change: −$1.50, then not rounded. Where a new price would cross Gumroad's minimum or Bulkroad's maximum, the nearest allowed price is used instead. A price of 0 (free) is allowed."
    );
    assert!(cut
        .notes
        .contains(&"1 price is set to the nearest allowed price; each says why.".to_owned()));
}

#[test]
fn bad_intents_are_refused_before_anything_is_read() {
    let rows: &[(Value, &str)] = &[
        (
            json!({"productIds": [], "change": {"percent": 10}}),
            "Select at least one product",
        ),
        (
            json!({"productIds": ["  "], "change": {"percent": 10}}),
            "Select at least one product",
        ),
        (
            json!({"productIds": ["a"], "change": {"percent": -100}}),
            "−99 % to +1000 %; -100 %",
        ),
        (
            json!({"productIds": ["a"], "change": {"percent": 1000.5}}),
            "−99 % to +1000 %",
        ),
        (
            json!({"productIds": ["a"], "change": {"percent": 0}}),
            "changes nothing",
        ),
        (
            json!({"productIds": ["a"], "change": {"set": {"amount": 50, "currency": "usd"}}}),
            "Sorry, a product must be at least $0.99.",
        ),
        (
            json!({"productIds": ["a"], "change": {"set": {"amount": 78, "currency": "eur"}}}),
            "Sorry, a product must be at least €0.79.",
        ),
        (
            json!({"productIds": ["a"], "change": {"set": {"amount": 98, "currency": "jpy"}}}),
            "Sorry, a product must be at least ¥99.",
        ),
        (
            json!({"productIds": ["a"], "change": {"set": {"amount": 0, "currency": "usd"}}}),
            "A price of $0 makes the products free: allow a price of 0 to do that.",
        ),
        (
            json!({"productIds": ["a"], "change": {"set": {"amount": -5, "currency": "usd"}}}),
            "cannot be negative",
        ),
        (
            json!({"productIds": ["a"], "change": {"set": {"amount": 9.5, "currency": "usd"}}}),
            "whole number",
        ),
        (
            json!({"productIds": ["a"], "change": {"set": {"amount": 10_000_000, "currency": "usd"}}}),
            "Bulkroad's highest price in USD is $99,000.",
        ),
        (
            json!({"productIds": ["a"], "change": {"set": {"amount": 999, "currency": "xyz"}}}),
            "Gumroad does not sell in \"xyz\".",
        ),
        (
            json!({"productIds": ["a"], "change": {"set": {"amount": 999, "currency": " "}}}),
            "Choose the currency",
        ),
        (
            json!({"productIds": ["a"], "change": {"amount": {"delta": 0, "currency": "usd"}}}),
            "changes nothing",
        ),
        (
            json!({"productIds": ["a"], "change": {"amount": {"delta": 10_000_001, "currency": "usd"}}}),
            "more than Bulkroad's highest price",
        ),
    ];
    for (intent, message) in rows {
        let parsed = parse_price_intent(intent).unwrap();
        let error = plan_price_change(&parsed, &Snapshot::default(), NOW).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{intent}");
        assert!(
            error.message().contains(message),
            "{intent}: {}",
            error.message()
        );
    }
    // Allowed: free when asked for, rounding alone.
    for intent in [
        json!({"productIds": ["a"], "change": {"set": {"amount": 0, "currency": "usd"}}, "allowFree": true}),
        json!({"productIds": ["a"], "change": {"percent": 0}, "rounding": "whole"}),
        json!({"productIds": ["a"], "change": {"percent": -99}}),
        json!({"productIds": ["a"], "change": {"percent": 1000}}),
    ] {
        let parsed = parse_price_intent(&intent).unwrap();
        assert!(parsed.validate().is_ok(), "{intent}");
    }
    // A wrong shape names the field.
    let rows = [
        (
            json!({"productIds": ["a"], "change": {"double": 2}}),
            "change",
        ),
        (
            json!({"productIds": ["a"], "change": {"percent": 10}, "rounding": "up"}),
            "rounding",
        ),
        (
            json!({"productIds": ["a"], "change": {"percent": 10}, "onLimit": "ignore"}),
            "onLimit",
        ),
        (
            json!({"productIds": ["a"], "change": {"percent": "ten"}}),
            "change",
        ),
    ];
    for (intent, field) in rows {
        let error = parse_price_intent(&intent).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(error.message().contains(field), "{}", error.message());
    }
}

// ---------------------------------------------------------------------------------------
// Undo and re-planning

fn price_action(before: i64, after: i64, currency: &str) -> Action {
    Action::UpdatePrice {
        before,
        after,
        currency: currency.into(),
        note: None,
    }
}

fn row(index: usize, product: &str, action: Action, status: Status) -> ReportRow {
    ReportRow {
        index,
        product_id: ProductId::from(product),
        product_name: product.to_owned(),
        action,
        outcome: Outcome::new(status, "…"),
        description: String::new(),
    }
}

fn report(rows: Vec<ReportRow>) -> Report {
    Report {
        operation: Operation::PriceChange,
        title: String::new(),
        intent: json!({}),
        summary_text: String::new(),
        summary: ReportSummary::of(&rows),
        rows,
        cancelled: false,
        error: None,
        started_at: NOW,
        finished_at: NOW + 1.0,
    }
}

/// The store with the prices given (the rest as in `store`).
fn prices_now(prices: &[(&str, i64)]) -> Snapshot {
    let products = store()
        .into_iter()
        .map(|mut p| {
            if let Some((_, price)) = prices.iter().find(|(id, _)| p.id.as_str() == *id) {
                p.price = *price;
                p.formatted_price = None;
            }
            (p, vec![])
        })
        .collect();
    snapshot(products)
}

#[test]
fn undo_restores_prices_still_as_the_job_left_them_and_nothing_else() {
    let report = report(vec![
        row(0, "a", price_action(1000, 1099, "usd"), Status::Applied),
        row(1, "b", price_action(1999, 2199, "usd"), Status::Applied),
        row(2, "eur", price_action(490, 499, "eur"), Status::Applied),
        row(
            3,
            "yen",
            Action::VerifiedPrice {
                before: 1500,
                after: 1699,
                currency: "jpy".into(),
            },
            Status::Applied,
        ),
        row(4, "pwyw", price_action(300, 299, "usd"), Status::Unknown),
        row(5, "cheap", price_action(199, 219, "usd"), Status::Unknown),
        row(
            6,
            "formats",
            price_action(1000, 1099, "usd"),
            Status::Failed,
        ),
        row(
            7,
            "club",
            crate::bulk::steps::skip(TIERED_REFUSAL),
            Status::Skipped,
        ),
        row(8, "gone", price_action(500, 599, "usd"), Status::Applied),
        row(9, "free", price_action(0, 99, "usd"), Status::NotRun),
    ]);
    let now = prices_now(&[
        ("a", 1099),    // as the job left it: restored
        ("b", 2499),    // someone changed it since: left alone
        ("eur", 490),   // already back
        ("yen", 1699),  // verified by the job: restored
        ("pwyw", 299),  // unknown, but the job's price is there: restored
        ("cheap", 199), // unknown, and the old price is there: nothing to undo
        ("formats", 1000),
    ]);
    let undo = plan_undo(&report, &now, NOW);
    assert_eq!(undo.operation, Operation::Undo);
    let got: Vec<(&str, String)> = undo
        .steps
        .iter()
        .map(|s| (s.product_id.as_str(), summary_of(s)))
        .collect();
    assert_eq!(
        got,
        vec![
            ("a", "updatePrice 1099→1000".to_owned()),
            (
                "b",
                "skip: Price changed since this job (now $24.99; the job set $21.99); not overwritten."
                    .to_owned()
            ),
            ("eur", "skip: Already back at €4.90.".to_owned()),
            ("yen", "updatePrice 1699→1500".to_owned()),
            ("pwyw", "updatePrice 299→300".to_owned()),
            (
                "gone",
                "skip: This product is no longer on Gumroad (deleted?).".to_owned()
            ),
        ]
    );
    let indices: Vec<usize> = undo.steps.iter().map(|s| s.index).collect();
    assert_eq!(indices, [0, 1, 2, 3, 4, 5]);
    assert_eq!(step(&undo, "a").price, 1099);
    assert_eq!(step(&undo, "a").price_after, Some(1000));
    assert_eq!(
        undo.notes,
        [
            "Puts back the previous price of 3 products.",
            "1 price changed since this job and is left alone."
        ]
    );
    assert_eq!(undo.totals.len(), 2);
    assert_eq!(
        (undo.totals[0].before, undo.totals[0].after),
        (1099 + 299, 1000 + 300)
    );

    // An undo of that undo puts the job's prices back where the undo's are still there.
    let undone = report_of(&undo, Status::Applied);
    let again = plan_undo(
        &undone,
        &prices_now(&[("a", 1000), ("yen", 1500), ("pwyw", 300)]),
        NOW,
    );
    let got: Vec<String> = again
        .steps
        .iter()
        .filter(|s| matches!(s.action, Action::UpdatePrice { .. }))
        .map(summary_of)
        .collect();
    assert_eq!(
        got,
        [
            "updatePrice 1000→1099",
            "updatePrice 1500→1699",
            "updatePrice 300→299"
        ]
    );
}

/// The report of running `plan` with every writing step ending `status`.
fn report_of(plan: &Plan, status: Status) -> Report {
    let rows = plan
        .steps
        .iter()
        .map(|s| {
            let status = if s.action.writes() {
                status
            } else {
                Status::Skipped
            };
            row(s.index, s.product_id.as_str(), s.action.clone(), status)
        })
        .collect();
    Report {
        operation: plan.operation,
        ..report(rows)
    }
}

#[test]
fn replanning_a_price_job_checks_each_price_against_the_desired_state() {
    let original = plan(
        json!({"productIds": ["a", "b", "eur", "yen", "club"], "change": {"percent": 10},
            "rounding": "charm99"}),
        &plain_snapshot(),
    );
    let targets = [0, 1, 2, 3, 4];
    let now = prices_now(&[("a", 1099), ("b", 1999), ("eur", 450)]);
    let mut moved = now.clone();
    moved.products.retain(|p| p.id.as_str() != "yen");
    let fresh = replan_steps(&original, &targets, &moved, NOW).unwrap();
    let got: Vec<String> = fresh.steps.iter().map(summary_of).collect();
    assert_eq!(
        got,
        [
            "verifiedPrice 1000→1099",
            "updatePrice 1999→2199",
            "skip: Price changed since this job was planned (now €4.50, was €4.90); not overwritten.",
            "skip: This product is no longer on Gumroad (deleted?).",
            &format!("skip: {TIERED_REFUSAL} (Those endpoints take no tier prices either, so Bulkroad cannot change them: set them on the product's edit page on Gumroad.)"),
        ]
    );
    assert_eq!(fresh.summary.verified, 1);
    assert_eq!(fresh.summary.update, 1);
    assert_eq!(
        fresh.notes[0],
        "Re-planned 5 steps from a fresh read of Gumroad; 1 found already done by this job."
    );
    // The original intent is never re-applied: +10 % on the new $19.99 is still $21.99.
    assert_eq!(step(&fresh, "b").price_after, Some(2199));
    assert_eq!(step(&fresh, "a").price_after, Some(1099));

    // A currency changed since is left alone too.
    let mut euros = now.clone();
    euros.products[0].currency = "eur".into();
    let fresh = replan_steps(&original, &[0], &euros, NOW).unwrap();
    assert_eq!(
        summary_of(&fresh.steps[0]),
        "skip: Its currency changed since this job was planned (now EUR); not overwritten."
    );

    // The price steps of an undo are re-planned the same way.
    let undo = plan_undo(
        &report_of(&original, Status::Applied),
        &prices_now(&[("a", 1099), ("b", 2199)]),
        NOW,
    );
    let fresh = replan_steps(
        &undo,
        &[0, 1],
        &prices_now(&[("a", 1000), ("b", 2199)]),
        NOW,
    )
    .unwrap();
    let got: Vec<String> = fresh.steps.iter().map(summary_of).collect();
    assert_eq!(got, ["verifiedPrice 1099→1000", "updatePrice 2199→1999"]);
}

#[test]
fn price_plan_and_outcome_have_the_agreed_shapes() {
    let snapshot = snapshot(vec![(
        product_with(
            "p1",
            "Guide",
            1000,
            "usd",
            json!({"formatted_price": "$10"}),
        ),
        vec![code("c1", "BIGOFF", Discount::Fixed { cents: 1050 })],
    )]);
    let intent_json = json!({"productIds": ["p1"], "change": {"percent": 10},
        "rounding": "charm99", "allowFree": false, "onLimit": "clamp"});
    let plan = plan(intent_json.clone(), &snapshot);
    let step_json = json!({"index": 0, "productId": "p1", "productName": "Guide",
        "currency": "usd", "price": 1000, "formattedPrice": "$10",
        "priceAfter": 1099, "formattedPriceAfter": "$10.99",
        "action": {"type": "updatePrice", "before": 1000, "after": 1099, "currency": "usd",
            "note": "Existing codes would take it under Gumroad's minimum: BIGOFF ($10.99 becomes $0.49, minimum $0.99)."},
        "description": "Change the price. Existing codes would take it under Gumroad's minimum: BIGOFF ($10.99 becomes $0.49, minimum $0.99)."});
    let value = serde_json::to_value(&plan).unwrap();
    assert_eq!(value["operation"], "priceChange");
    assert_eq!(value["title"], "Change prices by 10 % on 1 product");
    assert_eq!(value["intent"], intent_json);
    assert_eq!(value["steps"], json!([step_json]));
    assert_eq!(
        value["summary"],
        json!({"create": 0, "delete": 0, "replace": 0, "update": 1, "skip": 0, "conflict": 0,
            "verified": 0, "total": 1})
    );
    assert_eq!(
        value["totals"],
        json!([{"currency": "usd", "products": 1, "before": 1000, "after": 1099,
            "formattedBefore": "$10", "formattedAfter": "$10.99",
            "description": "USD: 1 product, $10 → $10.99 in total."}])
    );
    let back: Plan = serde_json::from_value(value).unwrap();
    assert_eq!(back, plan);
    let verified =
        json!({"type": "verifiedPrice", "before": 1000, "after": 1099, "currency": "usd"});
    let action: Action = serde_json::from_value(verified.clone()).unwrap();
    assert_eq!(serde_json::to_value(&action).unwrap(), verified);
    // Prices may arrive as floats from JS; offer codes still read as codes.
    let floats: Action = serde_json::from_value(
        json!({"type": "updatePrice", "before": 1000.0, "after": 1099.0, "currency": "usd"}),
    )
    .unwrap();
    assert_eq!(floats, price_action(1000, 1099, "usd"));
    for bad in [
        json!({"type": "updatePrice", "before": 10.5, "after": 1099, "currency": "usd"}),
        json!({"type": "updatePrice", "before": 1000, "currency": "usd"}),
        json!({"type": "update", "before": 1000, "after": 1099}),
    ] {
        assert!(
            serde_json::from_value::<Action>(bad.clone()).is_err(),
            "{bad}"
        );
    }
    // An outcome without a warning keeps its old shape; with one, it says it.
    let plain = Outcome::new(Status::Applied, "Price $10 → $10.99.");
    assert_eq!(
        serde_json::to_value(&plain).unwrap(),
        json!({"status": "applied", "message": "Price $10 → $10.99.",
            "createdOfferCode": null, "deletedOfferCode": null})
    );
    let warned = Outcome {
        warning: Some("Heads up.".into()),
        ..plain
    };
    let value = serde_json::to_value(&warned).unwrap();
    assert_eq!(value["warning"], "Heads up.");
    assert_eq!(serde_json::from_value::<Outcome>(value).unwrap(), warned);
}
