//! Table tests of usage at a glance and clean-up: used-up detection, prefixes, batches
//! (used, unused, removed), the clean-up planner's criteria, its re-plan and its undo.

use serde_json::json;

use super::apply_code::reason;
use super::undo::{report, row};
use super::{code, product_with, snapshot, universal, NOW};
use crate::bulk::campaigns::{campaigns, BatchCode, KeptJob};
use crate::bulk::clean_up::{
    plan_clean_up_codes, BatchRef, CleanUpCodesIntent, Criterion, AGE_NOTE, UNDO_NOTE,
};
use crate::bulk::inventory::{code_prefix, inventory, is_used_up};
use crate::bulk::plan::{Action, Operation};
use crate::bulk::replan::replan_steps;
use crate::bulk::report::{Outcome, Status};
use crate::bulk::snapshot::Snapshot;
use crate::bulk::undo::plan_undo;
use crate::model::{Discount, OfferCode};

const DAY: f64 = 86_400_000.0;
const PCT: Discount = Discount::Percent(10);

fn limited(id: &str, name: &str, max: i64, used: i64) -> OfferCode {
    OfferCode {
        max_purchase_count: Some(max),
        times_used: used,
        ..code(id, name, PCT)
    }
}

fn used(mut code: OfferCode, times: i64) -> OfferCode {
    code.times_used = times;
    code
}

/// Three products: a used-up product code on two of them (one used up), single-use batch
/// codes, a used-up universal code and codes with no limit.
fn store() -> Snapshot {
    let all_in = OfferCode {
        max_purchase_count: Some(3),
        times_used: 3,
        ..universal("u1", "ALLIN", PCT)
    };
    snapshot(vec![
        (
            product_with("a", "Guide", 1000, "usd", json!({})),
            vec![
                all_in.clone(),
                limited("s1", "SAVE10", 5, 5),
                limited("b1", "LAUNCH-7KQ2", 1, 0),
                used(code("o1", "OPEN", PCT), 40),
            ],
        ),
        (
            product_with("b", "Book", 1000, "usd", json!({})),
            vec![
                all_in.clone(),
                limited("s2", "SAVE10", 5, 2),
                limited("b2", "LAUNCH-M3XP", 1, 0),
            ],
        ),
        (
            product_with("c", "Course", 1000, "usd", json!({})),
            vec![
                all_in,
                limited("s3", "SAVE10", 5, 5),
                limited("b3", "LAUNCH-ZZ9", 2, 1),
            ],
        ),
    ])
}

#[test]
fn used_up_means_max_uses_reached_and_a_prefix_is_the_text_before_the_last_dash() {
    assert!(is_used_up(&limited("x", "X", 1, 1)));
    assert!(is_used_up(&limited("x", "X", 5, 6)));
    assert!(!is_used_up(&limited("x", "X", 5, 4)));
    assert!(!is_used_up(&used(code("x", "X", PCT), 1000)));
    let rows = [
        ("LAUNCH-7KQ2", Some("LAUNCH")),
        ("LAUNCH_7KQ2", Some("LAUNCH")),
        ("SPRING-2026-A1", Some("SPRING-2026")),
        ("PPP-IN", Some("PPP")),
        ("SPRING25", None),
        ("-5OFF", None),
        ("SAVE-", None),
        ("A-B_C", Some("A-B")),
    ];
    for (name, prefix) in rows {
        assert_eq!(code_prefix(name), prefix, "{name}");
    }
}

#[test]
fn the_inventory_shows_uses_per_product_the_limit_and_what_is_used_up() {
    let rows = inventory(&store());
    let save = rows.iter().find(|r| r.code == "SAVE10").unwrap();
    let per_product: Vec<(&str, i64, bool)> = save
        .uses
        .iter()
        .map(|u| (u.product.as_str(), u.times_used, u.used_up))
        .collect();
    assert_eq!(
        per_product,
        [("Guide", 5, true), ("Book", 2, false), ("Course", 5, true)]
    );
    assert_eq!(save.times_used, 12);
    assert_eq!(save.limit_text, "5 per product");
    assert!(!save.used_up);
    assert_eq!(save.used_up_text, "Used up on 2 of 3 products");
    let all_in = rows.iter().find(|r| r.code == "ALLIN").unwrap();
    assert!(all_in.used_up && all_in.uses.is_empty());
    assert_eq!(
        (all_in.limit_text.as_str(), all_in.used_up_text.as_str()),
        ("3 in total", "Used up")
    );
    let open = rows.iter().find(|r| r.code == "OPEN").unwrap();
    assert_eq!(
        (
            open.limit_text.as_str(),
            open.used_up,
            open.used_up_text.as_str()
        ),
        ("No limit", false, "")
    );
    assert_eq!(rows.iter().filter(|r| r.used_up).count(), 1);
    assert_eq!(
        rows.iter()
            .find(|r| r.code == "LAUNCH-ZZ9")
            .unwrap()
            .prefix
            .as_deref(),
        Some("LAUNCH")
    );
}

/// A kept `createCodes` job that created `codes` (product, code) and a clean-up job that
/// deleted `deleted`.
fn kept(
    id: &str,
    operation: &str,
    created: &[(&str, OfferCode)],
    deleted: &[(&str, OfferCode)],
) -> KeptJob {
    let rows: Vec<serde_json::Value> = created
        .iter()
        .map(|(p, c)| json!({"productId": p, "outcome": {"status": "applied", "createdOfferCode": c}}))
        .chain(deleted.iter().map(
            |(p, c)| json!({"productId": p, "outcome": {"status": "applied", "deletedOfferCode": c}}),
        ))
        .collect();
    serde_json::from_value(json!({"id": id, "report": {"operation": operation,
        "title": format!("Job {id}"), "startedAt": NOW - 10.0 * DAY,
        "finishedAt": NOW - 9.0 * DAY, "rows": rows, "summary": {}}}))
    .unwrap()
}

#[test]
fn campaigns_group_by_prefix_and_count_what_became_of_a_batch() {
    let snap = store();
    let rows = inventory(&snap);
    // The batch created five codes: two are unused (b1, b2), one used once of two (b3);
    // LAUNCH-GONE1 (single use) is gone after its use; LAUNCH-GONE2 was deleted by our
    // clean-up; LAUNCH-GONE3 (two uses) was deleted elsewhere.
    let gone = |id: &str, name: &str, max| limited(id, name, max, 0);
    let batch = kept(
        "job1",
        "createCodes",
        &[
            ("a", limited("b1", "LAUNCH-7KQ2", 1, 0)),
            ("b", limited("b2", "LAUNCH-M3XP", 1, 0)),
            ("c", limited("b3", "LAUNCH-ZZ9", 2, 0)),
            ("a", gone("g1", "LAUNCH-GONE1", 1)),
            ("b", gone("g2", "LAUNCH-GONE2", 1)),
            ("c", gone("g3", "LAUNCH-GONE3", 2)),
        ],
        &[],
    );
    let cleanup = kept(
        "job2",
        "cleanUpCodes",
        &[],
        &[("b", gone("g2", "LAUNCH-GONE2", 1))],
    );
    let other = kept(
        "job0",
        "applyCode",
        &[("a", limited("s1", "SAVE10", 5, 0))],
        &[],
    );
    let view = campaigns(&rows, &[other, batch, cleanup]);
    assert_eq!(view.batches.len(), 1);
    let b = &view.batches[0];
    assert_eq!(
        (b.job_id.as_str(), b.created, b.used, b.unused, b.removed),
        ("job1", 6, 2, 2, 2)
    );
    assert_eq!(b.text, "6 codes: 2 used, 2 unused, 2 removed.");
    assert_eq!(b.created_at, NOW - 9.0 * DAY);
    let names: Vec<&str> = b.codes.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(names, ["LAUNCH-7KQ2", "LAUNCH-M3XP", "LAUNCH-ZZ9"]);
    assert_eq!(
        b.codes[0].offer_code_id.as_ref().map(|i| i.as_str()),
        Some("b1")
    );

    let groups: Vec<(&str, usize, i64, usize, &str)> = view
        .prefixes
        .iter()
        .map(|g| {
            (
                g.prefix.as_str(),
                g.codes,
                g.times_used,
                g.used_up,
                g.text.as_str(),
            )
        })
        .collect();
    assert_eq!(groups, [("LAUNCH", 3, 1, 0, "3 codes · 1 use")]);
}

fn batch_ref(created_at: f64) -> BatchRef {
    let code = |name: &str, product: &str| BatchCode {
        code: name.into(),
        product_id: Some(product.into()),
        offer_code_id: None,
    };
    BatchRef {
        job_id: "job1".into(),
        title: "40 LAUNCH codes".into(),
        created_at,
        codes: vec![
            code("LAUNCH-7KQ2", "a"),
            code("LAUNCH-M3XP", "b"),
            code("LAUNCH-ZZ9", "c"),
            // Same name on another product: not this batch's.
            code("SAVE10", "b"),
        ],
    }
}

fn intent(
    criterion: Criterion,
    batch: Option<BatchRef>,
    days: Option<u32>,
    ids: &[&str],
) -> CleanUpCodesIntent {
    CleanUpCodesIntent {
        criterion,
        batch,
        days,
        product_ids: ids.iter().map(|s| s.to_string()).collect(),
    }
}

fn deleted(plan: &crate::bulk::plan::Plan) -> Vec<(&str, &str)> {
    plan.steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Delete { offer_code } => Some((s.product_id.as_str(), offer_code.id.as_str())),
            _ => None,
        })
        .collect()
}

#[test]
fn clean_up_plans_one_delete_per_chosen_code() {
    let snap = store();
    // Used up: the two used-up SAVE10s and the universal code once.
    let plan =
        plan_clean_up_codes(&intent(Criterion::UsedUp, None, None, &[]), &snap, NOW).unwrap();
    assert_eq!(deleted(&plan), [("a", "u1"), ("a", "s1"), ("c", "s3")]);
    assert_eq!(plan.operation, Operation::CleanUpCodes);
    assert_eq!(plan.title, "Remove used-up codes");
    assert_eq!(
        plan.notes,
        [
            "A universal code is deleted once, which removes it from all your products.",
            UNDO_NOTE
        ]
    );
    // Only on the selected products (the universal code is listed there too).
    let plan = plan_clean_up_codes(
        &intent(Criterion::UsedUp, None, None, &["c", "gone"]),
        &snap,
        NOW,
    )
    .unwrap();
    assert_eq!(deleted(&plan), [("c", "u1"), ("c", "s3")]);
    assert_eq!(
        reason(&plan.steps[2].action),
        "This product is no longer on Gumroad (deleted?)."
    );
    assert_eq!(plan.title, "Remove used-up codes from 2 products");

    // A batch: its codes, matched by name on their own product.
    let plan = plan_clean_up_codes(
        &intent(Criterion::Batch, Some(batch_ref(NOW)), None, &[]),
        &snap,
        NOW,
    )
    .unwrap();
    assert_eq!(
        deleted(&plan),
        [("a", "b1"), ("b", "s2"), ("b", "b2"), ("c", "b3")]
    );
    assert_eq!(plan.title, "Remove the codes of 40 LAUNCH codes");

    // Unused for 7 days: a batch 8 days old, its never-used codes.
    let old = Some(batch_ref(NOW - 8.0 * DAY));
    let plan = plan_clean_up_codes(
        &intent(Criterion::UnusedFor, old.clone(), Some(7), &[]),
        &snap,
        NOW,
    )
    .unwrap();
    assert_eq!(deleted(&plan), [("a", "b1"), ("b", "b2")]);
    assert_eq!(plan.notes, [AGE_NOTE, UNDO_NOTE]);
    assert_eq!(
        plan.title,
        "Remove codes of 40 LAUNCH codes unused for 7 days"
    );
    // … limited to a product.
    let plan = plan_clean_up_codes(
        &intent(Criterion::UnusedFor, old, Some(7), &["b"]),
        &snap,
        NOW,
    )
    .unwrap();
    assert_eq!(deleted(&plan), [("b", "b2")]);
    // A batch 3 days old has no code unused for 7 days yet.
    let young = Some(batch_ref(NOW - 3.5 * DAY));
    let plan = plan_clean_up_codes(
        &intent(Criterion::UnusedFor, young, Some(7), &[]),
        &snap,
        NOW,
    )
    .unwrap();
    assert!(deleted(&plan).is_empty());
    assert_eq!(
        plan.notes,
        [
            AGE_NOTE,
            "This batch was created 3 days ago: none of its codes has been unused for 7 days yet.",
            "No code of this batch qualifies."
        ]
    );
    assert_eq!(plan.runnable, 0);
}

#[test]
fn clean_up_refuses_what_it_cannot_judge() {
    let snap = store();
    let refusals = [
        (
            intent(Criterion::Batch, None, None, &[]),
            "Choose the batch of codes to clean up.",
        ),
        (
            intent(Criterion::UnusedFor, Some(batch_ref(NOW)), None, &[]),
            "Unused for how many days? A whole number from 1 to 3650.",
        ),
        (
            intent(Criterion::UnusedFor, Some(batch_ref(NOW)), Some(0), &[]),
            "Unused for how many days? A whole number from 1 to 3650.",
        ),
    ];
    for (intent, message) in refusals {
        assert_eq!(
            plan_clean_up_codes(&intent, &snap, NOW)
                .unwrap_err()
                .message(),
            message
        );
    }
    let parsed: CleanUpCodesIntent =
        serde_json::from_value(json!({"criterion": "usedUp"})).unwrap();
    assert!(parsed.product_ids.is_empty());
}

#[test]
fn a_clean_up_re_plans_against_the_codes_now_and_undo_re_creates_with_the_same_terms() {
    let snap = store();
    let plan =
        plan_clean_up_codes(&intent(Criterion::UsedUp, None, None, &[]), &snap, NOW).unwrap();
    // s1 went meanwhile (an earlier attempt deleted it): found done.
    let mut later = snap.clone();
    later
        .codes
        .get_mut(&"a".into())
        .unwrap()
        .retain(|c| c.id.as_str() != "s1");
    let replanned = replan_steps(&plan, &[0, 1, 2], &later, NOW).unwrap();
    let kinds: Vec<&str> = replanned.steps.iter().map(|s| s.action.kind()).collect();
    assert_eq!(kinds, ["delete", "verified", "delete"]);

    // The job ran: undo re-creates each code with its terms, its use count at 0.
    let rows = plan
        .steps
        .iter()
        .map(|s| {
            let Action::Delete { offer_code } = &s.action else {
                unreachable!()
            };
            row(
                s.index,
                s.product_id.as_str(),
                s.action.clone(),
                Outcome::new(Status::Applied, "").deleted(offer_code.clone()),
            )
        })
        .collect();
    let job = report(Operation::CleanUpCodes, rows);
    let mut after = snap.clone();
    for codes in after.codes.values_mut() {
        codes.retain(|c| !is_used_up(c));
    }
    let undo = plan_undo(&job, &after, NOW);
    let created: Vec<(&str, &str, Option<u32>, bool)> = undo
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Create { code } => Some((
                s.product_id.as_str(),
                code.name.as_str(),
                code.max_purchase_count,
                code.universal,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        created,
        [
            ("a", "ALLIN", Some(3), true),
            ("a", "SAVE10", Some(5), false),
            ("c", "SAVE10", Some(5), false)
        ]
    );
    assert!(undo
        .notes
        .iter()
        .any(|n| n == "Recreates 3 codes this job deleted, with the same terms; their use counts restart at 0."));
}

#[test]
fn batches_are_read_from_reports_kept_under_the_batch_operation_name() {
    // The campaign view reads a kept report's operation as text (so a report of an
    // operation this build does not know is still read): the text must be how a batch's
    // `Operation` is kept.
    assert_eq!(
        serde_json::to_value(crate::bulk::Operation::CreateCodes).unwrap(),
        serde_json::json!(crate::bulk::campaigns::BATCH_OPERATION)
    );
}
