//! Table tests of re-planning after an interruption: which steps, and what an earlier
//! attempt already did.

use serde_json::{json, Value};

use super::apply_code::intent;
use super::undo::{report, row};
use super::{code, product_with, snapshot, universal, NOW};
use crate::bulk::plan::{Action, Change, Operation, Plan, Step};
use crate::bulk::replan::{replan_steps, replan_targets, ReplanMode};
use crate::bulk::report::{Outcome, Status};
use crate::bulk::undo::recreation_of;
use crate::model::{Discount, ProductId};

fn plan_of(operation: Operation, intent: Value, steps: Vec<(&str, Action)>) -> Plan {
    let steps: Vec<Step> = steps
        .into_iter()
        .enumerate()
        .map(|(index, (product, action))| Step {
            index,
            product_id: ProductId::from(product),
            product_name: product.to_owned(),
            currency: "usd".into(),
            price: 1000,
            formatted_price: "$10".into(),
            price_after: None,
            formatted_price_after: None,
            action,
            description: String::new(),
            changes: Vec::new(),
            link: None,
        })
        .collect();
    Plan::new(operation, "A job".into(), intent, steps, vec![], NOW)
}

#[test]
fn replan_targets_follow_the_mode() {
    let create = || Action::Create {
        code: recreation_of(&code("x", "SAVE10", Discount::Percent(10))),
    };
    let plan = plan_of(
        Operation::ApplyCode,
        json!({}),
        vec![
            ("a", create()),
            ("b", create()),
            ("c", create()),
            ("d", create()),
            ("e", create()),
            ("f", create()),
        ],
    );
    let rows = vec![
        row(0, "a", create(), Outcome::new(Status::Applied, "")),
        row(2, "c", create(), Outcome::new(Status::Failed, "")),
        row(3, "d", create(), Outcome::new(Status::Unknown, "")),
        row(4, "e", create(), Outcome::new(Status::NotRun, "")),
        row(5, "f", create(), Outcome::new(Status::Skipped, "")),
    ];
    let partial = report(Operation::ApplyCode, rows);
    assert_eq!(
        replan_targets(&plan, &partial, ReplanMode::Resume),
        [1, 3, 4]
    );
    assert_eq!(
        replan_targets(&plan, &partial, ReplanMode::RetryFailed),
        [2, 3]
    );
}

#[test]
fn replanning_an_apply_recognises_what_an_earlier_attempt_did() {
    let pct = Discount::Percent(10);
    let intent_json = serde_json::to_value(intent(
        json!({"productIds": ["a", "b", "c", "d"], "onConflict": "replace"}),
    ))
    .unwrap();
    let new = recreation_of(&code("x", "SAVE10", pct));
    let old = code("old", "SAVE10", Discount::Percent(30));
    let plan = plan_of(
        Operation::ApplyCode,
        intent_json,
        vec![
            ("a", Action::Create { code: new.clone() }),
            ("b", Action::Create { code: new.clone() }),
            (
                "c",
                Action::Replace {
                    existing: old.clone(),
                    code: new.clone(),
                },
            ),
            (
                "d",
                Action::Replace {
                    existing: old.clone(),
                    code: new.clone(),
                },
            ),
        ],
    );
    let mine = code("mine", "SAVE10", pct);
    let snap = snapshot(vec![
        (
            product_with("a", "A", 1000, "usd", json!({})),
            vec![mine.clone()],
        ),
        (product_with("b", "B", 1000, "usd", json!({})), vec![]),
        (
            product_with("c", "C", 1000, "usd", json!({})),
            vec![mine.clone()],
        ),
        (product_with("d", "D", 1000, "usd", json!({})), vec![]),
    ]);
    let again = replan_steps(&plan, &[0, 1, 2, 3], &snap, NOW).unwrap();
    let got: Vec<(usize, Action)> = again
        .steps
        .iter()
        .map(|s| (s.index, s.action.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (
                0,
                Action::Verified {
                    change: Change::Created,
                    offer_code: mine.clone(),
                    previous: None
                }
            ),
            (1, Action::Create { code: new.clone() }),
            (
                2,
                Action::Verified {
                    change: Change::Replaced,
                    offer_code: mine.clone(),
                    previous: Some(old.clone())
                }
            ),
            (
                3,
                Action::Replace {
                    existing: old.clone(),
                    code: new.clone()
                }
            ),
        ]
    );
    assert_eq!(again.summary.verified, 2);
    assert!(again.notes[0].starts_with(
        "Re-planned 4 steps from a fresh read of Gumroad; 2 found already done by this job."
    ));
    // A universal code with the same terms that appeared meanwhile is not this job's.
    let theirs = universal("theirs", "SAVE10", pct);
    let snap = snapshot(vec![
        (
            product_with("a", "A", 1000, "usd", json!({})),
            vec![theirs.clone()],
        ),
        (product_with("b", "B", 1000, "usd", json!({})), vec![]),
        (product_with("c", "C", 1000, "usd", json!({})), vec![]),
        (product_with("d", "D", 1000, "usd", json!({})), vec![]),
    ]);
    let again = replan_steps(&plan, &[0], &snap, NOW).unwrap();
    assert_eq!(again.steps[0].action.kind(), "skip");
    // Only the targets, with their original indices.
    let some = replan_steps(&plan, &[3], &snap, NOW).unwrap();
    assert_eq!(some.steps.len(), 1);
    assert_eq!(some.steps[0].index, 3);
}

#[test]
fn replanning_a_remove_or_an_undo_checks_each_desired_state() {
    let pct = Discount::Percent(10);
    let gone = code("gone", "SAVE10", pct);
    let here = code("here", "SAVE10", pct);
    let remove = plan_of(
        Operation::RemoveCode,
        json!({"code": "SAVE10", "productIds": []}),
        vec![
            (
                "a",
                Action::Delete {
                    offer_code: gone.clone(),
                },
            ),
            (
                "b",
                Action::Delete {
                    offer_code: here.clone(),
                },
            ),
        ],
    );
    let snap = snapshot(vec![
        (product_with("a", "A", 1000, "usd", json!({})), vec![]),
        (
            product_with("b", "B", 1000, "usd", json!({})),
            vec![here.clone()],
        ),
    ]);
    let again = replan_steps(&remove, &[0, 1], &snap, NOW).unwrap();
    assert_eq!(
        again.steps[0].action,
        Action::Verified {
            change: Change::Deleted,
            offer_code: gone.clone(),
            previous: None
        }
    );
    assert_eq!(
        again.steps[1].action,
        Action::Delete {
            offer_code: here.clone()
        }
    );

    let recreated = code("back", "SAVE10", pct);
    let undo = plan_of(
        Operation::Undo,
        json!({"undoOf": {}}),
        vec![
            (
                "a",
                Action::Delete {
                    offer_code: gone.clone(),
                },
            ),
            (
                "b",
                Action::Create {
                    code: recreation_of(&here),
                },
            ),
            (
                "c",
                Action::Create {
                    code: recreation_of(&here),
                },
            ),
        ],
    );
    let snap = snapshot(vec![
        (product_with("a", "A", 1000, "usd", json!({})), vec![]),
        (
            product_with("b", "B", 1000, "usd", json!({})),
            vec![recreated.clone()],
        ),
        (product_with("c", "C", 1000, "usd", json!({})), vec![]),
    ]);
    let again = replan_steps(&undo, &[0, 1, 2], &snap, NOW).unwrap();
    let kinds: Vec<Action> = again.steps.iter().map(|s| s.action.clone()).collect();
    assert_eq!(
        kinds,
        [
            Action::Verified {
                change: Change::Deleted,
                offer_code: gone,
                previous: None
            },
            Action::Verified {
                change: Change::Created,
                offer_code: recreated,
                previous: None
            },
            Action::Create {
                code: recreation_of(&here)
            },
        ]
    );
}
