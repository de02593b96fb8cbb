//! Options in a price change: kept or scaled, the rounding of a scaled difference (never
//! below 0, never a rise turned into a cut), tiered memberships skipped with their edit
//! page, and the re-plan and undo of option steps.

use serde_json::{json, Value};

use super::{product_with, snapshot, NOW};
use crate::bulk::option_prices::edit_page;
use crate::bulk::plan::{Action, Operation, Plan, Step};
use crate::bulk::prices::{parse_price_intent, plan_price_change};
use crate::bulk::replan::replan_steps;
use crate::bulk::report::{Outcome, Report, ReportRow, ReportSummary, Status};
use crate::bulk::repricing::{scale_difference, Rounding};
use crate::bulk::snapshot::Snapshot;
use crate::bulk::undo::plan_undo;
use crate::model::{Product, ProductId};
use crate::money::find_currency;

fn with_options(id: &str, price: i64, currency: &str, print: i64, extra: i64) -> Product {
    product_with(
        id,
        id,
        price,
        currency,
        json!({"short_url": format!("https://seller.gumroad.com/l/{id}perm"),
            "variants": [
            {"title": "Format", "options": [
                {"name": "PDF", "price_difference": 0}, {"name": "Print", "price_difference": print}]},
            {"title": "Support", "options": [{"name": "Call", "price_difference": extra}]}]}),
    )
}

fn store() -> Vec<Product> {
    vec![
        with_options("book", 1000, "usd", 500, 2500),
        with_options("manga", 1500, "jpy", 300, 1000),
        product_with("plain", "plain", 1000, "usd", json!({})),
        product_with(
            "club",
            "Club",
            500,
            "usd",
            json!({"is_tiered_membership": true, "recurrences": ["monthly"],
                "short_url": "https://seller.gumroad.com/l/clubx",
                "variants": [{"title": "Tier", "options": [{"name": "Gold", "price_difference": 0,
                    "recurrence_prices": {"monthly": {"price_cents": 500}}}]}]}),
        ),
    ]
}

fn snap(products: Vec<Product>) -> Snapshot {
    snapshot(products.into_iter().map(|p| (p, vec![])).collect())
}

fn plan(intent: Value, snapshot: &Snapshot) -> Plan {
    let intent = parse_price_intent(&intent).unwrap();
    plan_price_change(&intent, snapshot, NOW).unwrap()
}

/// `"book updatePrice 1000→1099"`, `"book Format: Print 500→600"`, `"club skip"`.
fn lines(plan: &Plan) -> Vec<String> {
    plan.steps
        .iter()
        .map(|s| {
            let what = match &s.action {
                Action::UpdatePrice { before, after, .. } => {
                    format!("updatePrice {before}→{after}")
                }
                Action::UpdateOptionPrice {
                    category,
                    option,
                    verified: true,
                    ..
                } => format!("verified {category}: {option}"),
                Action::UpdateOptionPrice {
                    category,
                    option,
                    before,
                    after,
                    ..
                } => format!("{category}: {option} {before}→{after}"),
                other => other.kind().to_owned(),
            };
            format!("{} {what}", s.product_id.as_str())
        })
        .collect()
}

#[test]
fn keep_leaves_options_alone_and_scale_adds_a_step_per_changed_option() {
    let snapshot = snap(store());
    let base =
        json!({"productIds": ["book", "plain"], "change": {"percent": 10}, "rounding": "none"});
    let kept = plan(base.clone(), &snapshot);
    assert_eq!(
        lines(&kept),
        ["book updatePrice 1000→1100", "plain updatePrice 1000→1100"]
    );
    assert!(kept
        .notes
        .iter()
        .any(|n| n.contains("keep their differences")));
    assert!(
        kept.intent.get("options").is_none(),
        "keep is the default, not written"
    );

    let mut intent = base;
    intent["options"] = json!("scale");
    let scaled = plan(intent, &snapshot);
    assert_eq!(
        lines(&scaled),
        [
            "book updatePrice 1000→1100",
            "book Format: Print 500→550",
            "book Support: Call 2500→2750",
            "plain updatePrice 1000→1100",
        ]
    );
    assert_eq!(
        scaled.steps.iter().map(|s| s.index).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    assert_eq!(scaled.title, "Change prices by 10 % on 2 products");
    assert_eq!(scaled.summary.update, 4);
    assert_eq!(scaled.confirm_label, "Apply 4 changes");
    let option = &scaled.steps[1];
    assert_eq!(option.formatted_price, "+$5");
    assert_eq!(option.formatted_price_after.as_deref(), Some("+$5.50"));
    assert_eq!(
        option.description,
        "Change the option \"Format: Print\" from +$5 to +$5.50"
    );
    assert!(scaled
        .notes
        .iter()
        .any(|n| n.contains("each difference changes by the same percent, 2 options in all")));
    assert!(scaled.steps[0]
        .description
        .contains("options' price differences change by the same percent"));
    // Totals count products' prices only.
    assert_eq!(scaled.totals[0].products, 2);
}

#[test]
fn rounding_applies_to_each_options_whole_price() {
    let snapshot = snap(store());
    let scaled = plan(
        json!({"productIds": ["book", "manga"], "change": {"percent": 50}, "rounding": "charm99",
            "options": "scale"}),
        &snapshot,
    );
    // $10 → $14.99; Print $5 × 1.5 = $7.50 → $22.49 whole → $22.99 → +$8.00.
    // ¥1,500 → ¥2,299; ¥300 × 1.5 = ¥450 → ¥2,749 → ¥2,799 → +¥500.
    assert_eq!(
        lines(&scaled),
        [
            "book updatePrice 1000→1499",
            "book Format: Print 500→800",
            "book Support: Call 2500→3800",
            "manga updatePrice 1500→2299",
            "manga Format: Print 300→500",
            "manga Support: Call 1000→1500",
        ]
    );
}

#[test]
fn a_scaled_difference_is_never_negative_nor_turned_the_other_way() {
    let usd = find_currency("usd").unwrap();
    let jpy = find_currency("jpy").unwrap();
    // (difference, new product price, currency, percent, rounding, expected)
    let rows = [
        (500, 1100, usd, 10.0, Rounding::None, 550),
        (333, 900, usd, -10.0, Rounding::None, 300),
        (1, 10, usd, -99.0, Rounding::None, 0),
        (100, 999, usd, -99.0, Rounding::Charm99, 0),
        // +2 %: $11.42 whole is nearest $11.99 - $10.99 = $1.00, a cut: up to $12.99 instead.
        (140, 1099, usd, 2.0, Rounding::Charm99, 200),
        // −10 %: $4.50 on $8.99 is $13.49, nearest $12.99… or $13.99: never above the old.
        (500, 899, usd, -10.0, Rounding::Charm99, 500),
        (500, 1100, usd, 10.0, Rounding::Whole, 600),
        (300, 2299, jpy, 50.0, Rounding::Charm99, 500),
        (0, 1100, usd, 10.0, Rounding::Charm99, 0),
    ];
    for (difference, price_after, currency, percent, rounding, want) in rows {
        let got = scale_difference(difference, price_after, currency, percent, rounding);
        assert_eq!(
            got, want,
            "{difference} on {price_after} {} {percent} % {rounding:?}",
            currency.code
        );
        assert!(got >= 0);
        if percent > 0.0 {
            assert!(got >= difference);
        } else {
            assert!(got <= difference);
        }
    }
}

#[test]
fn a_fixed_amount_keeps_the_differences_and_says_so() {
    let snapshot = snap(store());
    let scaled = plan(
        json!({"productIds": ["book"], "change": {"amount": {"delta": 200, "currency": "usd"}},
            "options": "scale"}),
        &snapshot,
    );
    assert_eq!(lines(&scaled), ["book updatePrice 1000→1200"]);
    assert!(scaled.notes.iter().any(|n| n.contains(
        "keep their differences: only a percent change scales them, and a fixed price or amount has no percent to scale by"
    )));
}

#[test]
fn tiered_memberships_are_skipped_with_a_link_to_their_edit_page() {
    let snapshot = snap(store());
    let scaled = plan(
        json!({"productIds": ["club"], "change": {"percent": 10}, "options": "scale"}),
        &snapshot,
    );
    assert_eq!(lines(&scaled), ["club skip"]);
    let step = &scaled.steps[0];
    assert_eq!(
        step.link.as_deref(),
        Some("https://gumroad.com/products/clubx/edit")
    );
    assert!(step
        .description
        .contains("set them on the product's edit page on Gumroad"));
    assert!(scaled
        .notes
        .iter()
        .any(|n| n.contains("each links to its edit page on Gumroad") && n.contains("\"Club\"")));
    let json = serde_json::to_value(step).unwrap();
    assert_eq!(json["link"], "https://gumroad.com/products/clubx/edit");
    // Without a short link, the product's id.
    let mut bare = store().remove(3);
    bare.short_url = None;
    assert_eq!(edit_page(&bare), "https://gumroad.com/products/club/edit");
}

fn with_print(print: i64) -> Snapshot {
    let mut products = store();
    products[0].variants[0].options[1].price_difference = Some(print);
    products[0].price = 1100;
    snap(products)
}

fn scaled_book() -> Plan {
    plan(
        json!({"productIds": ["book"], "change": {"percent": 10}, "rounding": "none",
            "options": "scale"}),
        &snap(store()),
    )
}

#[test]
fn replanning_checks_each_option_against_the_desired_state() {
    let original = scaled_book();
    let targets: Vec<usize> = original.steps.iter().map(|s| s.index).collect();
    // Print done by a lost answer; Call still to do.
    let replanned = replan_steps(&original, &targets, &with_print(550), NOW).unwrap();
    assert_eq!(
        lines(&replanned),
        [
            "book verifiedPrice",
            "book verified Format: Print",
            "book Support: Call 2500→2750",
        ]
    );
    assert_eq!(
        (replanned.summary.verified, replanned.summary.update),
        (2, 1)
    );
    assert!(!replanned.steps[1].action.writes());
    assert!(replanned.steps[2].action.writes());
    assert_eq!(
        replanned.steps[1].description,
        "The option \"Format: Print\" is already at its new price"
    );
    // Someone set Print to $7 meanwhile: left alone.
    let replanned = replan_steps(&original, &targets, &with_print(700), NOW).unwrap();
    assert!(
        matches!(&replanned.steps[1].action, Action::Skip { reason, .. }
        if reason == "The option \"Format: Print\" changed since this job was planned (now +$7, was +$5); not overwritten.")
    );
}

fn report_of(plan: &Plan, status: Status) -> Report {
    let rows: Vec<ReportRow> = plan
        .steps
        .iter()
        .map(|s| ReportRow {
            index: s.index,
            product_id: s.product_id.clone(),
            product_name: s.product_name.clone(),
            action: s.action.clone(),
            outcome: Outcome::new(status, "…"),
            description: String::new(),
        })
        .collect();
    Report {
        operation: Operation::PriceChange,
        title: plan.title.clone(),
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

#[test]
fn undo_puts_back_the_old_differences_where_they_are_still_the_jobs() {
    let job = scaled_book();
    let report = report_of(&job, Status::Applied);
    // Print still as the job set it; Call changed by someone since.
    let mut products = store();
    products[0].price = 1100;
    products[0].variants[0].options[1].price_difference = Some(550);
    products[0].variants[1].options[0].price_difference = Some(3000);
    let undo = plan_undo(&report, &snap(products), NOW);
    assert_eq!(
        lines(&undo),
        [
            "book updatePrice 1100→1000",
            "book Format: Print 550→500",
            "book skip",
        ]
    );
    assert!(undo
        .notes
        .iter()
        .any(|n| n == "Puts back the previous price difference of 1 option."));
    assert!(undo
        .notes
        .iter()
        .any(|n| n == "1 option changed since this job and is left alone."));
    // An unknown outcome counts only where the option shows the job's difference.
    let unknown = report_of(&job, Status::Unknown);
    let undo = plan_undo(&unknown, &snap(store()), NOW);
    assert!(lines(&undo).is_empty(), "{:?}", lines(&undo));
    let undo = plan_undo(&unknown, &with_print(550), NOW);
    assert_eq!(
        lines(&undo),
        ["book updatePrice 1100→1000", "book Format: Print 550→500"]
    );
}

#[test]
fn an_option_step_survives_the_trip_through_json() {
    let plan = scaled_book();
    let text = serde_json::to_string(&plan).unwrap();
    let back: Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(back.steps[1].action, plan.steps[1].action);
    let step: &Step = &back.steps[1];
    assert_eq!(step.action.kind(), "updateOptionPrice");
    assert_eq!(step.product_id, ProductId::from("book"));
}
