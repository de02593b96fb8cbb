//! Table tests of removing a code: the exact name only, universal codes once.

use serde_json::json;

use super::apply_code::reason;
use super::{code, product_with, snapshot, universal, NOW};
use crate::bulk::plan::{Action, Operation};
use crate::bulk::remove_code::{plan_remove_code, RemoveCodeIntent};
use crate::model::Discount;

#[test]
fn remove_plans_a_delete_where_the_exact_code_is() {
    let pct = Discount::Percent(10);
    let snap = snapshot(vec![
        (
            product_with("a", "Guide", 1000, "usd", json!({})),
            vec![code("c1", "SAVE10", pct)],
        ),
        (product_with("b", "Book", 1000, "usd", json!({})), vec![]),
        (
            product_with("c", "Course", 1000, "usd", json!({})),
            vec![code("c3", "save10", pct)],
        ),
        (
            product_with("d", "Deck", 1000, "usd", json!({})),
            vec![code("c4", "SAVE10", pct)],
        ),
    ]);
    let remove = |ids: &[&str]| RemoveCodeIntent {
        code: "SAVE10".into(),
        product_ids: ids.iter().map(|s| s.to_string()).collect(),
    };
    let plan = plan_remove_code(&remove(&["a", "b", "c", "gone"]), &snap, NOW).unwrap();
    let got: Vec<(&str, &str, String)> = plan
        .steps
        .iter()
        .map(|s| (s.product_id.as_str(), s.action.kind(), reason(&s.action)))
        .collect();
    assert_eq!(
        got,
        [
            ("a", "delete", String::new()),
            ("b", "skip", "Has no code SAVE10.".into()),
            ("c", "skip", "Has no code SAVE10.".into()),
            (
                "gone",
                "skip",
                "This product is no longer on Gumroad (deleted?).".into()
            ),
        ]
    );
    assert_eq!(plan.operation, Operation::RemoveCode);
    assert_eq!(
        plan.notes,
        ["Codes that differ from SAVE10 only in letter case (on 1 product) are left alone."]
    );
    // No selection = every product, and only those that have it.
    let plan = plan_remove_code(&remove(&[]), &snap, NOW).unwrap();
    let got: Vec<(&str, &str)> = plan
        .steps
        .iter()
        .map(|s| (s.product_id.as_str(), s.action.kind()))
        .collect();
    assert_eq!(got, [("a", "delete"), ("d", "delete")]);
    assert_eq!(plan.summary.delete, 2);
    assert_eq!(plan.steps[1].index, 1);

    // A universal code is deleted once, and the plan says it affects every product.
    let everywhere = universal("u", "SAVE10", pct);
    let snap = snapshot(vec![
        (
            product_with("a", "Guide", 1000, "usd", json!({})),
            vec![everywhere.clone()],
        ),
        (
            product_with("b", "Book", 1000, "usd", json!({})),
            vec![everywhere.clone()],
        ),
    ]);
    let plan = plan_remove_code(&remove(&["a", "b"]), &snap, NOW).unwrap();
    assert_eq!(
        plan.steps[0].action,
        Action::Delete {
            offer_code: everywhere.clone()
        }
    );
    assert_eq!(
        reason(&plan.steps[1].action),
        "SAVE10 is universal; it is removed once, through \"Guide\"."
    );
    assert_eq!(
        plan.notes,
        ["SAVE10 is a universal code: removing it (through \"Guide\") removes it from all your products."]
    );
    let plan = plan_remove_code(&remove(&[]), &snap, NOW).unwrap();
    assert_eq!(plan.steps.len(), 1);
}
