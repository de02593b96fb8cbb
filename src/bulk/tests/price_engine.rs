//! The engine running price steps over the in-memory Gumroad: each price is set once,
//! Gumroad's `warning` is kept, a lost or unclear answer is settled by re-reading the
//! product (the new price → applied; the old one → sent again; anything else → unknown,
//! never overwritten), refusals fail one product only, and verified steps send nothing.

use super::block_on;
use super::fake::{percent_code, product, FakeGumroad, Fault};
use crate::bulk::engine::execute;
use crate::bulk::plan::{Action, Operation, Plan, Step};
use crate::bulk::prices::{parse_price_intent, plan_price_change, TIERED_REFUSAL};
use crate::bulk::report::{Report, Status};
use crate::model::{Discount, OfferCode, OfferCodeId, Product};
use crate::pacing::ExecOptions;
use crate::runtime::FakeClock;
use crate::transport::Method;

fn options() -> ExecOptions {
    ExecOptions {
        initial_concurrency: 4,
        max_concurrency: 8,
        max_attempts: 4,
        backoff_base_ms: 100,
        backoff_max_ms: 1_000,
    }
}

fn store() -> FakeGumroad {
    FakeGumroad::with_products(vec![
        product("p0", "Guide", 1000, "usd"),
        product("p1", "Course", 1999, "usd"),
        product("p2", "Euro Pack", 490, "eur"),
        product("p3", "Yen Book", 1500, "jpy"),
    ])
}

/// +10 % to .99 on every product of `fake`.
fn raise_plan(fake: &FakeGumroad) -> Plan {
    let ids = fake.product_ids();
    let intent = parse_price_intent(&serde_json::json!({
        "productIds": ids, "change": {"percent": 10}, "rounding": "charm99", "onLimit": "skip",
    }))
    .unwrap();
    plan_price_change(&intent, &fake.snapshot(), 0.0).unwrap()
}

fn run(fake: &FakeGumroad, plan: &Plan) -> Report {
    let client = fake.client();
    let clock = FakeClock::default();
    block_on(execute(&client, &clock, plan, &options(), &())).unwrap()
}

fn prices(fake: &FakeGumroad) -> Vec<i64> {
    fake.products.borrow().iter().map(|p| p.price).collect()
}

/// The requests to `path` (method, fault).
fn sent(fake: &FakeGumroad, method: Method, path: &str) -> usize {
    fake.log
        .borrow()
        .iter()
        .filter(|(m, p, _)| *m == method && p == path)
        .count()
}

fn price_step(index: usize, product: &Product, action: Action) -> Step {
    Step {
        index,
        product_id: product.id.clone(),
        product_name: product.name.clone(),
        currency: product.currency.clone(),
        price: product.price,
        formatted_price: String::new(),
        price_after: action.new_price(),
        formatted_price_after: None,
        action,
        description: String::new(),
        changes: Vec::new(),
        link: None,
    }
}

#[test]
fn raises_every_price_once_and_keeps_gumroads_warning() {
    let fake = store();
    fake.add_code(
        Some("p1"),
        OfferCode {
            id: OfferCodeId::from("big"),
            name: "BIG".into(),
            discount: Discount::Fixed { cents: 2150 },
            max_purchase_count: None,
            minimum_amount_cents: None,
            universal: false,
            times_used: 0,
        },
    );
    fake.add_code(Some("p0"), percent_code("c0", "HALF", 50));
    let plan = raise_plan(&fake);
    assert_eq!(plan.summary.update, 4);
    assert!(
        plan.notes.iter().any(|n| n.contains("BIG")),
        "{:?}",
        plan.notes
    );
    let report = run(&fake, &plan);
    assert_eq!(report.operation, Operation::PriceChange);
    assert_eq!(report.summary.applied, 4, "{:?}", report.rows);
    assert_eq!(prices(&fake), [1099, 2199, 499, 1699]);
    for path in [
        "/v2/products/p0",
        "/v2/products/p1",
        "/v2/products/p2",
        "/v2/products/p3",
    ] {
        assert_eq!(sent(&fake, Method::Put, path), 1, "{path}");
        assert_eq!(
            sent(&fake, Method::Get, path),
            0,
            "{path}: no re-read needed"
        );
    }
    let messages: Vec<&str> = report
        .rows
        .iter()
        .map(|r| r.outcome.message.as_str())
        .collect();
    assert_eq!(messages[0], "Price $10 → $10.99.");
    assert_eq!(messages[3], "Price ¥1,500 → ¥1,699.");
    let warned = &report.rows[1].outcome;
    assert_eq!(
        warned.warning.as_deref(),
        Some("The following offer code discounts this product below $0.99: BIG. Please update it or it will not work at checkout.")
    );
    assert!(
        warned
            .message
            .starts_with("Price $19.99 → $21.99. Gumroad warns: The following offer code"),
        "{}",
        warned.message
    );
    assert_eq!(report.rows[0].outcome.warning, None);
}

#[test]
fn a_price_whose_answer_was_lost_after_applying_is_confirmed_by_rereading() {
    let fake = store();
    fake.fail(Method::Put, "/products/p0", Fault::DropAfter, 1);
    let report = run(&fake, &raise_plan(&fake));
    assert_eq!(report.summary.applied, 4);
    assert_eq!(
        report.rows[0].outcome.message,
        "Price $10 → $10.99. Gumroad's answer was lost; re-reading the product confirmed the new price."
    );
    assert_eq!(
        sent(&fake, Method::Put, "/v2/products/p0"),
        1,
        "not sent again"
    );
    assert_eq!(sent(&fake, Method::Get, "/v2/products/p0"), 1);
    assert_eq!(prices(&fake)[0], 1099);
}

#[test]
fn a_price_that_did_not_apply_is_sent_again_after_rereading() {
    for fault in [Fault::DropBefore, Fault::Status(502), Fault::AppliedLater] {
        let fake = store();
        fake.fail(Method::Put, "/products/p1", fault, 1);
        let report = run(&fake, &raise_plan(&fake));
        assert_eq!(report.summary.applied, 4, "{fault:?}: {:?}", report.rows[1]);
        assert_eq!(prices(&fake), [1099, 2199, 499, 1699], "{fault:?}");
        assert_eq!(sent(&fake, Method::Get, "/v2/products/p1"), 1, "{fault:?}");
        if fault == Fault::AppliedLater {
            // Whether the re-read saw it depends on what else was answered first; either
            // way setting the same price again changes nothing.
            assert!(sent(&fake, Method::Put, "/v2/products/p1") <= 2);
            continue;
        }
        assert_eq!(
            report.rows[1].outcome.message, "Price $19.99 → $21.99.",
            "{fault:?}"
        );
        assert_eq!(sent(&fake, Method::Put, "/v2/products/p1"), 2, "{fault:?}");
    }
}

#[test]
fn someone_elses_price_after_a_lost_answer_is_unknown_and_not_overwritten() {
    let fake = store();
    fake.fail(Method::Put, "/products/p2", Fault::LostThenPriced(1290), 1);
    let report = run(&fake, &raise_plan(&fake));
    let row = &report.rows[2];
    assert_eq!(row.outcome.status, Status::Unknown);
    assert_eq!(
        row.outcome.message,
        "Gumroad's answer was lost, and the price is now €12.90: neither the old €4.90 nor the new €4.99. Someone else changed it meanwhile, so it was not sent again."
    );
    assert_eq!(fake.price("p2"), 1290);
    assert_eq!(sent(&fake, Method::Put, "/v2/products/p2"), 1);
    assert_eq!(report.summary.applied, 3);
}

#[test]
fn a_lost_answer_nobody_can_confirm_is_unknown() {
    let fake = store();
    fake.fail(Method::Put, "/products/p0", Fault::DropAfter, 1);
    fake.fail(Method::Get, "/products/p0", Fault::Status(500), 10);
    let report = run(&fake, &raise_plan(&fake));
    let outcome = &report.rows[0].outcome;
    assert_eq!(outcome.status, Status::Unknown);
    assert!(
        outcome
            .message
            .starts_with("The price may or may not have been changed:"),
        "{}",
        outcome.message
    );
    assert!(
        outcome.message.contains("Re-reading failed too"),
        "{}",
        outcome.message
    );
    assert_eq!(sent(&fake, Method::Put, "/v2/products/p0"), 1);
}

#[test]
fn throttled_price_writes_back_off_and_finish() {
    let fake = store();
    fake.fail(Method::Put, "/products/p3", Fault::Status(429), 2);
    let report = run(&fake, &raise_plan(&fake));
    assert_eq!(report.summary.applied, 4);
    assert_eq!(sent(&fake, Method::Put, "/v2/products/p3"), 3);
    assert_eq!(
        sent(&fake, Method::Get, "/v2/products/p3"),
        0,
        "a 429 never applied"
    );
    assert_eq!(prices(&fake)[3], 1699);
}

#[test]
fn refusals_and_missing_products_fail_one_step_and_verified_steps_send_nothing() {
    let mut club = product("club", "Club", 500, "usd");
    club.is_tiered_membership = true;
    let fake = FakeGumroad::with_products(vec![product("p0", "Guide", 1000, "usd"), club.clone()]);
    let guide = fake.products.borrow()[0].clone();
    let gone = product("gone", "Old", 700, "usd");
    let price = |before, after| Action::UpdatePrice {
        before,
        after,
        currency: "usd".into(),
        note: None,
    };
    let steps = vec![
        // A stale plan: the product became a tiered membership after it was planned.
        price_step(0, &club, price(500, 599)),
        price_step(1, &gone, price(700, 799)),
        price_step(
            2,
            &guide,
            Action::VerifiedPrice {
                before: 900,
                after: 1000,
                currency: "usd".into(),
            },
        ),
        price_step(3, &guide, price(1000, 50)),
    ];
    let plan = Plan::new(
        Operation::PriceChange,
        "Change prices".into(),
        serde_json::json!({}),
        steps,
        vec![],
        0.0,
    );
    let report = run(&fake, &plan);
    let outcomes: Vec<(Status, &str)> = report
        .rows
        .iter()
        .map(|r| (r.outcome.status, r.outcome.message.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (Status::Failed, TIERED_REFUSAL),
            (
                Status::Failed,
                "The product is gone: The product was not found."
            ),
            (
                Status::Applied,
                "Price $9 → $10 was found done by an earlier attempt of this job (confirmed by re-reading)."
            ),
            (Status::Failed, "Sorry, a product must be at least $0.99."),
        ]
    );
    assert_eq!(
        sent(&fake, Method::Put, "/v2/products/p0"),
        1,
        "only the refused one"
    );
    assert_eq!(fake.price("p0"), 1000);
    assert_eq!(fake.price("club"), 500);
}
