//! The JSON shapes JS reads and stores, written out in full, and read back.

use std::cell::RefCell;

use serde_json::json;

use super::block_on;
use super::fake::{percent_code, product, FakeGumroad};
use crate::bulk::apply_code::{plan_apply_code, ApplyCodeIntent};
use crate::bulk::engine::{execute, Observer};
use crate::bulk::plan::Plan;
use crate::bulk::report::{Event, Report};
use crate::pacing::{Control, ExecOptions};
use crate::runtime::FakeClock;

struct Keep(RefCell<Vec<Event>>);

impl Observer for Keep {
    async fn on_event(&self, event: &Event) -> Control {
        self.0.borrow_mut().push(event.clone());
        Control::Continue
    }
}

#[test]
fn plan_event_and_report_have_the_agreed_shapes() {
    let fake = FakeGumroad::with_products(vec![
        product("p1", "Guide", 1000, "usd"),
        product("p2", "Sticker", 400, "usd"),
    ]);
    fake.add_code(Some("p2"), percent_code("oc2", "SAVE10", 10));
    let snapshot = fake.snapshot();
    let intent_json = json!({"code": "SAVE10", "currency": null, "discount": {"percent": 10},
        "maxPurchaseCount": null, "minimumAmountCents": null, "onConflict": "skip",
        "productIds": ["p1", "p2"], "universal": false});
    let intent: ApplyCodeIntent = serde_json::from_value(intent_json.clone()).unwrap();
    let plan = plan_apply_code(&intent, &snapshot, 1_700_000_000_000.0).unwrap();
    let new_code = json!({"name": "SAVE10", "discount": {"percent": 10},
        "max_purchase_count": null, "minimum_amount_cents": null, "universal": false});
    let existing = json!({"id": "oc2", "name": "SAVE10", "percent_off": 10,
        "max_purchase_count": null, "minimum_amount_cents": null, "universal": false, "times_used": 0});
    let plan_json = json!({
        "operation": "applyCode",
        "title": "Apply SAVE10 (10 %) to 2 products",
        "intent": intent_json,
        "steps": [
            {"index": 0, "productId": "p1", "productName": "Guide", "currency": "usd", "price": 1000,
             "formattedPrice": "$10", "priceAfter": 900, "formattedPriceAfter": "$9",
             "action": {"type": "create", "code": new_code}, "description": "Create SAVE10"},
            {"index": 1, "productId": "p2", "productName": "Sticker", "currency": "usd", "price": 400,
             "formattedPrice": "$4", "priceAfter": 360, "formattedPriceAfter": "$3.60",
             "action": {"type": "skip", "reason": "Already has SAVE10 with the same terms.", "existing": existing},
             "description": "Skip: Already has SAVE10 with the same terms."},
        ],
        "summary": {"create": 1, "delete": 0, "replace": 0, "update": 0, "skip": 1, "conflict": 0,
            "verified": 0, "total": 2},
        "summaryText": "1 to create · 1 skipped",
        "confirmLabel": "Apply 1 change",
        "runnable": 1,
        "notes": ["Gumroad codes have no end date: they stay until removed; set an end time to have Bulkroad remove them."],
        "createdAt": 1_700_000_000_000.0,
    });
    assert_eq!(serde_json::to_value(&plan).unwrap(), plan_json);
    let back: Plan = serde_json::from_value(plan_json).unwrap();
    assert_eq!(back, plan);

    let client = fake.client();
    let keep = Keep(RefCell::new(vec![]));
    let clock = FakeClock::default();
    let report = block_on(execute(
        &client,
        &clock,
        &plan,
        &ExecOptions::default(),
        &keep,
    ))
    .unwrap();
    let created = json!({"id": "new1", "name": "SAVE10", "percent_off": 10,
        "max_purchase_count": null, "minimum_amount_cents": null, "universal": false, "times_used": 0});
    let events: Vec<serde_json::Value> = keep
        .0
        .borrow()
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect();
    let progress = |done, in_flight, eta: Option<f64>, applied, skipped| {
        json!({"done": done, "total": 2, "inFlight": in_flight, "concurrency": 4, "etaMs": eta,
            "etaText": eta.map(crate::wording::time_left),
            "applied": applied, "skipped": skipped, "failed": 0, "unknown": 0})
    };
    let applied = json!({"status": "applied", "message": "Created SAVE10 (10% off).",
        "createdOfferCode": created, "deletedOfferCode": null});
    let skipped = json!({"status": "skipped", "message": "Already has SAVE10 with the same terms.",
        "createdOfferCode": null, "deletedOfferCode": null});
    let applied_row = json!({"index": 0, "productId": "p1", "productName": "Guide",
        "action": {"type": "create", "code": new_code}, "outcome": applied,
        "description": "Create SAVE10"});
    let skipped_row = json!({"index": 1, "productId": "p2", "productName": "Sticker",
        "action": {"type": "skip", "reason": "Already has SAVE10 with the same terms.", "existing": existing},
        "outcome": skipped, "description": "Skip: Already has SAVE10 with the same terms."});
    assert_eq!(
        events,
        [
            json!({"type": "stepStarted", "index": 0, "productId": "p1", "productName": "Guide",
                "outcome": null, "row": null, "progress": progress(0, 1, None, 0, 0)}),
            json!({"type": "stepFinished", "index": 1, "productId": "p2", "productName": "Sticker",
                "outcome": skipped, "row": skipped_row, "progress": progress(1, 1, None, 0, 1)}),
            json!({"type": "stepFinished", "index": 0, "productId": "p1", "productName": "Guide",
                "outcome": applied, "row": applied_row, "progress": progress(2, 0, Some(0.0), 1, 1)}),
            json!({"type": "finished", "index": null, "productId": null, "productName": null,
                "outcome": null, "row": null, "progress": progress(2, 0, Some(0.0), 1, 1)}),
        ]
    );
    let report_json = json!({
        "operation": "applyCode",
        "title": "Apply SAVE10 (10 %) to 2 products",
        "intent": plan.intent,
        "rows": [applied_row, skipped_row],
        "summary": {"applied": 1, "skipped": 1, "failed": 0, "unknown": 0, "notRun": 0},
        "summaryText": "1 applied · 1 skipped · 0 failed · 0 unknown",
        "cancelled": false,
        "error": null,
        "startedAt": 1_700_000_000_000.0,
        "finishedAt": 1_700_000_000_000.0,
    });
    assert_eq!(serde_json::to_value(&report).unwrap(), report_json);
    let back: Report = serde_json::from_value(report_json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn other_actions_and_statuses_serialize_tagged_and_camel_case() {
    use crate::bulk::plan::{Action, Change};
    use crate::bulk::report::Status;
    let code = percent_code("c", "X", 5);
    let rows = [
        (
            Action::Delete {
                offer_code: code.clone(),
            },
            json!({"type": "delete", "offerCode": serde_json::to_value(&code).unwrap()}),
        ),
        (
            Action::Verified {
                change: Change::Replaced,
                offer_code: code.clone(),
                previous: None,
            },
            json!({"type": "verified", "change": "replaced", "offerCode": serde_json::to_value(&code).unwrap(), "previous": null}),
        ),
        (
            Action::Update {
                before: code.clone(),
                after: code.clone(),
            },
            json!({"type": "update", "before": serde_json::to_value(&code).unwrap(), "after": serde_json::to_value(&code).unwrap()}),
        ),
    ];
    for (action, expected) in rows {
        assert_eq!(serde_json::to_value(&action).unwrap(), expected);
        assert_eq!(serde_json::from_value::<Action>(expected).unwrap(), action);
    }
    // Read back strictly: an unknown type or a missing field is refused.
    for (bad, why) in [
        (json!({"type": "merge"}), "unknown variant `merge`"),
        (json!({"type": "create"}), "missing field `code`"),
        (
            json!({"type": "conflict", "reason": "x"}),
            "missing field `existing`",
        ),
        (json!({"reason": "x"}), "missing field `type`"),
    ] {
        let error = serde_json::from_value::<Action>(bad)
            .unwrap_err()
            .to_string();
        assert!(error.contains(why), "{error}");
    }
    let skip: Action = serde_json::from_value(json!({"type": "skip", "reason": "x"})).unwrap();
    assert_eq!(
        skip,
        Action::Skip {
            reason: "x".into(),
            existing: None
        }
    );
    assert_eq!(
        serde_json::to_value(Status::NotRun).unwrap(),
        json!("notRun")
    );
    // A report with an error reads back (the error keeps its kind).
    let error = crate::Error::unauthorized("Gumroad rejected the access token.").with_status(401);
    let value = serde_json::to_value(&error).unwrap();
    assert_eq!(
        serde_json::from_value::<crate::Error>(value).unwrap(),
        error
    );
}
