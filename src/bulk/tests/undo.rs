//! Table tests of undo: what a job created is deleted, what it deleted is recreated, and
//! codes and prices changed since are left alone.

use serde_json::json;

use super::apply_code::reason;
use super::{code, product_with, snapshot, NOW};
use crate::bulk::plan::{Action, Operation};
use crate::bulk::report::{Outcome, Report, ReportRow, ReportSummary, Status};
use crate::bulk::snapshot::Snapshot;
use crate::bulk::undo::{plan_undo, recreation_of};
use crate::model::{Discount, OfferCode, ProductId};

pub(super) fn row(index: usize, product: &str, action: Action, outcome: Outcome) -> ReportRow {
    ReportRow {
        index,
        product_id: ProductId::from(product),
        product_name: product.to_owned(),
        action,
        outcome,
        description: String::new(),
    }
}

pub(super) fn report(operation: Operation, rows: Vec<ReportRow>) -> Report {
    Report {
        operation,
        title: String::new(),
        intent: json!({}),
        summary_text: String::new(),
        summary: ReportSummary::of(&rows),
        rows,
        cancelled: false,
        error: None,
        started_at: NOW - 5_000.0,
        finished_at: NOW - 1_000.0,
    }
}

#[test]
fn undo_deletes_what_the_job_created_and_recreates_what_it_deleted() {
    let pct = |p| Discount::Percent(p);
    let created = |id: &str| code(id, "SAVE10", pct(10));
    let old3 = OfferCode {
        times_used: 7,
        max_purchase_count: Some(50),
        ..code("old3", "SAVE10", pct(30))
    };
    let before = OfferCode {
        max_purchase_count: Some(5),
        times_used: 2,
        ..code("u4", "SAVE10", pct(10))
    };
    let after = OfferCode {
        max_purchase_count: Some(10),
        ..before.clone()
    };
    let old6 = code("old6", "SAVE10", pct(50));
    let new = || recreation_of(&created("x"));
    let rows = vec![
        row(
            0,
            "a",
            Action::Create { code: new() },
            Outcome::new(Status::Applied, "").created(created("n0")),
        ),
        row(
            1,
            "b",
            Action::Create { code: new() },
            Outcome::new(Status::Applied, "").created(created("n1")),
        ),
        row(
            2,
            "c",
            Action::Replace {
                existing: old3.clone(),
                code: new(),
            },
            Outcome::new(Status::Applied, "")
                .created(created("n2"))
                .deleted(old3.clone()),
        ),
        row(
            3,
            "d",
            Action::Update {
                before: before.clone(),
                after: after.clone(),
            },
            Outcome::new(Status::Applied, ""),
        ),
        row(
            4,
            "e",
            Action::Skip {
                reason: "x".into(),
                existing: None,
            },
            Outcome::new(Status::Skipped, "x"),
        ),
        row(
            5,
            "f",
            Action::Create { code: new() },
            Outcome::new(Status::Failed, "Gumroad said no"),
        ),
        row(
            6,
            "g",
            Action::Replace {
                existing: old6.clone(),
                code: new(),
            },
            Outcome::new(Status::Failed, "half").deleted(old6.clone()),
        ),
    ];
    // Outcomes left unknown are settled against what is there now.
    let mut rows = rows;
    rows.push(row(
        7,
        "h",
        Action::Create { code: new() },
        Outcome::new(Status::Unknown, "?"),
    ));
    rows.push(row(
        8,
        "i",
        Action::Create { code: new() },
        Outcome::new(Status::Unknown, "?"),
    ));
    let apply = report(Operation::ApplyCode, rows);
    let snap = snapshot(vec![
        (
            product_with("a", "A", 1000, "usd", json!({})),
            vec![created("n0")],
        ),
        (product_with("b", "B", 1000, "usd", json!({})), vec![]),
        (
            product_with("c", "C", 1000, "usd", json!({})),
            vec![created("n2")],
        ),
        (
            product_with("d", "D", 1000, "usd", json!({})),
            vec![after.clone()],
        ),
        (product_with("e", "E", 1000, "usd", json!({})), vec![]),
        (product_with("f", "F", 1000, "usd", json!({})), vec![]),
        (product_with("g", "G", 1000, "usd", json!({})), vec![]),
        (
            product_with("h", "H", 1000, "usd", json!({})),
            vec![created("n7")],
        ),
        (product_with("i", "I", 1000, "usd", json!({})), vec![]),
    ]);
    let plan = plan_undo(&apply, &snap, NOW);
    assert_eq!(plan.operation, Operation::Undo);
    assert_eq!(
        plan.intent,
        json!({"undoOf": {"operation": "applyCode", "startedAt": NOW - 5_000.0}})
    );
    let got: Vec<(usize, &str, Action)> = plan
        .steps
        .iter()
        .map(|s| (s.index, s.product_id.as_str(), s.action.clone()))
        .collect();
    let back = OfferCode {
        max_purchase_count: Some(5),
        ..after.clone()
    };
    assert_eq!(
        got,
        [
            (
                0,
                "a",
                Action::Delete {
                    offer_code: created("n0")
                }
            ),
            (
                1,
                "b",
                Action::Skip {
                    reason: "SAVE10 is already gone.".into(),
                    existing: None
                }
            ),
            (
                2,
                "c",
                Action::Replace {
                    existing: created("n2"),
                    code: recreation_of(&old3)
                }
            ),
            (
                3,
                "d",
                Action::Update {
                    before: after.clone(),
                    after: back
                }
            ),
            (
                4,
                "g",
                Action::Create {
                    code: recreation_of(&old6)
                }
            ),
            (
                5,
                "h",
                Action::Delete {
                    offer_code: created("n7")
                }
            ),
        ]
    );
    assert_eq!(recreation_of(&old3).max_purchase_count, Some(50));
    assert_eq!(
        plan.notes,
        [
            "Deletes the 2 codes this job created, and nothing else.",
            "Recreates 2 codes this job deleted, with the same terms; their use counts restart at 0.",
        ]
    );

    // Undo of a remove: recreate, unless the code is back already.
    let d1 = OfferCode {
        times_used: 12,
        ..code("d1", "SAVE10", pct(10))
    };
    let d2 = code("d2", "SAVE10", pct(10));
    let removed = report(
        Operation::RemoveCode,
        vec![
            row(
                0,
                "a",
                Action::Delete {
                    offer_code: d1.clone(),
                },
                Outcome::new(Status::Applied, "").deleted(d1.clone()),
            ),
            row(
                1,
                "b",
                Action::Delete {
                    offer_code: d2.clone(),
                },
                Outcome::new(Status::Applied, "").deleted(d2.clone()),
            ),
        ],
    );
    let snap = snapshot(vec![
        (product_with("a", "A", 1000, "usd", json!({})), vec![]),
        (
            product_with("b", "B", 1000, "usd", json!({})),
            vec![code("again", "SAVE10", pct(10))],
        ),
    ]);
    let plan = plan_undo(&removed, &snap, NOW);
    assert_eq!(
        plan.steps[0].action,
        Action::Create {
            code: recreation_of(&d1)
        }
    );
    assert_eq!(plan.steps[1].action.kind(), "skip");
    assert_eq!(
        reason(&plan.steps[1].action),
        "SAVE10 is back already, with the same terms."
    );
    assert!(plan.notes[0].contains("use counts restart at 0"));

    let nothing = plan_undo(
        &report(Operation::ApplyCode, vec![]),
        &Snapshot::default(),
        NOW,
    );
    assert!(nothing.steps.is_empty());
    assert_eq!(
        nothing.notes,
        ["This job changed nothing that can be undone."]
    );
}
