//! Table tests of the listing-edit planner: every edit kind per product (tags added,
//! removed and replaced under Gumroad's rules, summaries set or filled, find and replace
//! in names and in descriptions' text only, with and without case, text added, a category
//! checked against Gumroad's list, suggestions), validation, re-planning against the
//! product now, undo field by field, and the JSON shapes JS reads.

use serde_json::{json, Value};

use super::{product_with, snapshot, NOW};
use crate::bulk::listing_fields::ListingFields;
use crate::bulk::listings::{parse_listings_intent, plan_edit_listings};
use crate::bulk::plan::{Action, Operation, Plan, Step};
use crate::bulk::replan::replan_steps;
use crate::bulk::report::{Outcome, Report, ReportRow, Status};
use crate::bulk::snapshot::Snapshot;
use crate::bulk::undo::plan_undo;
use crate::model::{Category, Product};
use crate::ErrorKind;

fn store() -> Vec<Product> {
    vec![
        product_with(
            "a",
            "Brush Bundle",
            1000,
            "usd",
            json!({"tags": ["procreate", "brushes"], "custom_summary": "Forty brushes.",
                "description": r#"<p>The <a href="https://x.test/bundle">Bundle</a> has forty brushes.</p><p>Bundle up!</p>"#,
                "taxonomy_id": 3, "category_label": "Drawing"}),
        ),
        product_with(
            "b",
            "Font bundle",
            500,
            "usd",
            json!({"tags": [], "description": null, "custom_summary": null}),
        ),
        product_with(
            "full",
            "Five Tags",
            500,
            "usd",
            json!({"tags": ["aa", "bb", "cc", "dd", "ee"], "description": "<h2>Title</h2><p>Body</p>"}),
        ),
        product_with("one", "Single", 500, "usd", json!({"tags": ["solo"]})),
    ]
}

fn categories() -> Vec<Category> {
    vec![
        Category {
            id: 3,
            name: "Drawing".into(),
            label: "Drawing".into(),
            path: "design/drawing".into(),
            parent_id: None,
        },
        Category {
            id: 7,
            name: "Fonts".into(),
            label: "Fonts".into(),
            path: "design/fonts".into(),
            parent_id: None,
        },
    ]
}

fn snap() -> Snapshot {
    snapshot(store().into_iter().map(|p| (p, vec![])).collect())
}

fn plan_of(edit: Value, ids: &[&str], snapshot: &Snapshot) -> Plan {
    let intent = parse_listings_intent(&json!({"productIds": ids, "edit": edit})).unwrap();
    plan_edit_listings(&intent, snapshot, &categories(), NOW).unwrap()
}

fn step<'a>(plan: &'a Plan, id: &str) -> &'a Step {
    plan.steps
        .iter()
        .find(|s| s.product_id.as_str() == id)
        .unwrap_or_else(|| panic!("a step for {id}"))
}

/// `"update <after as JSON>"` or `"skip: <reason>"`.
fn summary_of(step: &Step) -> String {
    match &step.action {
        Action::UpdateListing { after, .. } => {
            format!("update {}", serde_json::to_string(after).unwrap())
        }
        Action::VerifiedListing { .. } => "verified".to_owned(),
        Action::Skip { reason, .. } => format!("skip: {reason}"),
        other => other.kind().to_owned(),
    }
}

#[test]
fn every_edit_kind_per_product() {
    let snapshot = snap();
    let html_a =
        r#"<p>The <a href="https://x.test/bundle">Pack</a> has forty brushes.</p><p>Pack up!</p>"#;
    // (edit, product, expected)
    let rows: Vec<(Value, &str, String)> = vec![
        // Tags: the full new list is sent.
        (json!({"kind": "tags", "mode": "add", "tags": "Digital, brushes"}), "a",
            r#"update {"tags":["procreate","brushes","digital"]}"#.into()),
        (json!({"kind": "tags", "mode": "add", "tags": "digital"}), "b",
            r#"update {"tags":["digital"]}"#.into()),
        (json!({"kind": "tags", "mode": "add", "tags": "brushes"}), "a",
            "skip: Already has these tags.".into()),
        (json!({"kind": "tags", "mode": "add", "tags": "ff"}), "full",
            "skip: Its tags would break a rule: 6 tags; Gumroad's dashboard allows 5.".into()),
        (json!({"kind": "tags", "mode": "remove", "tags": "BRUSHES"}), "a",
            r#"update {"tags":["procreate"]}"#.into()),
        (json!({"kind": "tags", "mode": "remove", "tags": "zz"}), "a",
            "skip: Has none of these tags.".into()),
        (json!({"kind": "tags", "mode": "remove", "tags": "solo"}), "one",
            "skip: This would remove its last tag: Gumroad's API cannot set an empty tag list, so remove it in the dashboard.".into()),
        (json!({"kind": "tags", "mode": "replace", "tags": "x1, x2"}), "a",
            r#"update {"tags":["x1","x2"]}"#.into()),
        (json!({"kind": "tags", "mode": "replace", "tags": "brushes, procreate"}), "a",
            "skip: Already has exactly these tags.".into()),
        // Summary: set, or fill where empty.
        (json!({"kind": "summary", "mode": "set", "text": " New summary. "}), "a",
            r#"update {"customSummary":"New summary."}"#.into()),
        (json!({"kind": "summary", "mode": "set", "text": "Forty brushes."}), "a",
            "skip: Already has this summary.".into()),
        (json!({"kind": "summary", "mode": "fillEmpty", "text": "Filled."}), "a",
            "skip: Already has a summary (kept).".into()),
        (json!({"kind": "summary", "mode": "fillEmpty", "text": "Filled."}), "b",
            r#"update {"customSummary":"Filled."}"#.into()),
        // Find and replace: names are plain text; descriptions change text, never markup.
        (json!({"kind": "findReplace", "field": "name", "find": "Bundle", "replace": "Pack", "caseSensitive": true}), "a",
            r#"update {"name":"Brush Pack"}"#.into()),
        (json!({"kind": "findReplace", "field": "name", "find": "Bundle", "replace": "Pack", "caseSensitive": true}), "b",
            "skip: “Bundle” is not in its name.".into()),
        (json!({"kind": "findReplace", "field": "name", "find": "Bundle", "replace": "Pack", "caseSensitive": false}), "b",
            r#"update {"name":"Font Pack"}"#.into()),
        (json!({"kind": "findReplace", "field": "name", "find": "Brush Bundle", "replace": " ", "caseSensitive": true}), "a",
            "skip: The new name would break a rule: A product needs a name.".into()),
        (json!({"kind": "findReplace", "field": "description", "find": "bundle", "replace": "Pack", "caseSensitive": false}), "a",
            format!("update {}", json!({"description": html_a}))),
        (json!({"kind": "findReplace", "field": "description", "find": "bundle", "replace": "Pack", "caseSensitive": true}), "a",
            "skip: “bundle” is not in its description's text.".into()),
        (json!({"kind": "findReplace", "field": "description", "find": "x.test", "replace": "y.test", "caseSensitive": false}), "a",
            "skip: “x.test” is not in its description's text.".into()),
        // Added text: a name gets a space, a description a paragraph of its own.
        (json!({"kind": "addText", "field": "name", "position": "append", "text": "(2025)"}), "a",
            r#"update {"name":"Brush Bundle (2025)"}"#.into()),
        (json!({"kind": "addText", "field": "name", "position": "prepend", "text": "Brush"}), "a",
            "skip: Its name already starts with “Brush”.".into()),
        (json!({"kind": "addText", "field": "name", "position": "append", "text": "x".repeat(250)}), "a",
            "skip: The new name would break a rule: The name has 263 characters; Gumroad allows 255.".into()),
        (json!({"kind": "addText", "field": "description", "position": "prepend", "text": "New & <b>"}), "full",
            r#"update {"description":"<p>New &amp; &lt;b&gt;</p><h2>Title</h2><p>Body</p>"}"#.into()),
        (json!({"kind": "addText", "field": "description", "position": "append", "text": "Body"}), "full",
            "skip: Its description already ends with “Body”.".into()),
        // Category: checked against Gumroad's list, shown by its label.
        (json!({"kind": "category", "taxonomyId": 7}), "a",
            r#"update {"taxonomyId":7,"categoryLabel":"Fonts"}"#.into()),
        (json!({"kind": "category", "taxonomyId": 3.0}), "a", "skip: Already in “Drawing”.".into()),
        // A product no longer on Gumroad.
        (json!({"kind": "summary", "mode": "set", "text": "x"}), "gone",
            "skip: This product is no longer on Gumroad (deleted?).".into()),
    ];
    for (edit, id, want) in rows {
        let plan = plan_of(edit.clone(), &[id], &snapshot);
        assert_eq!(plan.operation, Operation::EditListings);
        assert_eq!(summary_of(step(&plan, id)), want, "{edit} on {id}");
    }
}

#[test]
fn before_holds_exactly_the_changed_fields_as_read() {
    let snapshot = snap();
    let plan = plan_of(
        json!({"kind": "category", "taxonomyId": 7}),
        &["a", "b"],
        &snapshot,
    );
    let Action::UpdateListing { before, .. } = &step(&plan, "b").action else {
        panic!()
    };
    // No category before: the field is in the step through `after` only.
    assert_eq!(*before, ListingFields::default());
    let Action::UpdateListing { before, .. } = &step(&plan, "a").action else {
        panic!()
    };
    assert_eq!(
        (before.taxonomy_id, before.name.as_deref()),
        (Some(3), None)
    );
    let tags = plan_of(
        json!({"kind": "tags", "mode": "add", "tags": "x1"}),
        &["b"],
        &snapshot,
    );
    let Action::UpdateListing { before, .. } = &tags.steps[0].action else {
        panic!()
    };
    assert_eq!(before.tags, Some(vec![]));
    assert_eq!(tags.title, "Add tags x1 to 1 product");
}

#[test]
fn suggestions_are_checked_again_and_the_opening_keeps_the_rest() {
    let snapshot = snap();
    let intent = parse_listings_intent(&json!({"edit": {"kind": "suggestions", "items": [
        {"productId": "a", "name": "Forty Procreate Brushes", "descriptionOpening": "Forty brushes for Procreate.",
            "tags": ["procreate", "brushes"]},
        {"productId": "b", "summary": "x".repeat(161)},
        {"productId": "full", "tags": ["aa", "bb", "cc", "dd", "ee", "ff"]},
        {"productId": "one", "name": "Single", "summary": "One file."},
    ]}}))
    .unwrap();
    let plan = plan_edit_listings(&intent, &snapshot, &[], NOW).unwrap();
    assert_eq!(plan.title, "Apply suggestions to 4 products");
    let Action::UpdateListing { before, after, .. } = &step(&plan, "a").action else {
        panic!("{:?}", step(&plan, "a").action)
    };
    // The same tags are no change; the opening replaces the first paragraph only.
    assert_eq!(after.tags, None);
    assert_eq!(after.name.as_deref(), Some("Forty Procreate Brushes"));
    assert_eq!(
        after.description.as_deref(),
        Some("<p>Forty brushes for Procreate.</p><p>Bundle up!</p>")
    );
    assert_eq!(before.name.as_deref(), Some("Brush Bundle"));
    assert!(summary_of(step(&plan, "b"))
        .starts_with("skip: The suggested summary breaks a rule: The summary has 161 characters"));
    assert_eq!(
        summary_of(step(&plan, "full")),
        "skip: The suggested tags break a rule: 6 tags; Gumroad's dashboard allows 5."
    );
    assert_eq!(
        summary_of(step(&plan, "one")),
        r#"update {"customSummary":"One file."}"#
    );
}

#[test]
fn bad_intents_are_refused_before_anything_is_read() {
    let rows: Vec<(Value, &str)> = vec![
        (
            json!({"productIds": [], "edit": {"kind": "summary", "mode": "set", "text": "x"}}),
            "Select at least one product",
        ),
        (
            json!({"productIds": ["a"], "edit": {"kind": "findReplace", "field": "name", "find": " ", "replace": "x"}}),
            "Type the text to find.",
        ),
        (
            json!({"productIds": ["a"], "edit": {"kind": "findReplace", "field": "name", "find": "a", "replace": "a"}}),
            "the same as the text to find",
        ),
        (
            json!({"productIds": ["a"], "edit": {"kind": "tags", "mode": "add", "tags": "#art"}}),
            "starts with #",
        ),
        (
            json!({"productIds": ["a"], "edit": {"kind": "tags", "mode": "replace", "tags": "a1, a2, a3, a4, a5, a6"}}),
            "6 tags",
        ),
        (
            json!({"productIds": ["a"], "edit": {"kind": "tags", "mode": "add", "tags": " , "}}),
            "Type at least one tag",
        ),
        (
            json!({"productIds": ["a"], "edit": {"kind": "summary", "mode": "set", "text": "x".repeat(161)}}),
            "161 characters",
        ),
        (
            json!({"productIds": ["a"], "edit": {"kind": "addText", "field": "name", "position": "append", "text": "  "}}),
            "Type the text to add.",
        ),
        (
            json!({"productIds": ["a"], "edit": {"kind": "category", "taxonomyId": 99}}),
            "no category with id 99",
        ),
        (
            json!({"productIds": ["a"], "edit": {"kind": "category", "taxonomyId": 2.5}}),
            "Choose a category",
        ),
        (
            json!({"edit": {"kind": "suggestions", "items": []}}),
            "no suggestions",
        ),
        (
            json!({"edit": {"kind": "suggestions", "items": [{"productId": "a", "name": "X"}, {"productId": "a", "name": "Y"}]}}),
            "same product",
        ),
        (
            json!({"edit": {"kind": "suggestions", "items": [{"productId": "a", "name": " "}]}}),
            "nothing to change",
        ),
        (
            json!({"productIds": ["a"], "edit": {"kind": "rename"}}),
            "could not read",
        ),
    ];
    for (intent, want) in rows {
        let error = parse_listings_intent(&intent)
            .and_then(|i| plan_edit_listings(&i, &snap(), &categories(), NOW))
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{intent}");
        assert!(
            error.message().contains(want),
            "{intent}: {}",
            error.message()
        );
    }
    // Removing a tag that breaks today's rules is allowed: it is there to be removed.
    let ok = parse_listings_intent(
        &json!({"productIds": ["a"], "edit": {"kind": "tags", "mode": "remove", "tags": "#old"}}),
    )
    .unwrap();
    assert!(plan_edit_listings(&ok, &snap(), &[], NOW).is_ok());
}

// ---------------------------------------------------------------------------------------
// Re-planning and undo

fn with(id: &str, change: impl FnOnce(&mut Product)) -> Snapshot {
    let mut products = store();
    change(products.iter_mut().find(|p| p.id.as_str() == id).unwrap());
    snapshot(products.into_iter().map(|p| (p, vec![])).collect())
}

fn report_of(plan: &Plan, status: Status) -> Report {
    let rows: Vec<ReportRow> = plan
        .steps
        .iter()
        .map(|s| ReportRow::of(s, Outcome::new(status, "x")))
        .collect();
    Report::new(plan, rows, false, None, NOW, NOW)
}

#[test]
fn replanning_checks_each_field_against_the_desired_state() {
    let find = json!({"kind": "findReplace", "field": "name", "find": "Bundle", "replace": "Pack", "caseSensitive": true});
    let plan = plan_of(find, &["a"], &snap());
    let rows = [
        // (the product now, expected)
        (snap(), "update"),
        (with("a", |p| p.name = "Brush Pack".into()), "verified"),
        (with("a", |p| p.name = " Brush Pack ".into()), "verified"),
        (
            with("a", |p| p.name = "Brush Set".into()),
            "skip: Changed since this job was planned (now name “Brush Set”); not overwritten.",
        ),
    ];
    for (now, want) in rows {
        let again = replan_steps(&plan, &[0], &now, NOW).unwrap();
        let got = summary_of(&again.steps[0]);
        assert!(got.starts_with(want), "{got}");
    }
    // Tags in another order or case are the same tags.
    let tags = plan_of(
        json!({"kind": "tags", "mode": "add", "tags": "digital"}),
        &["a"],
        &snap(),
    );
    let now = with("a", |p| {
        p.tags = vec!["Digital".into(), "procreate".into(), "brushes".into()]
    });
    let again = replan_steps(&tags, &[0], &now, NOW).unwrap();
    assert_eq!(summary_of(&again.steps[0]), "verified");
    assert_eq!(again.summary.verified, 1);
}

#[test]
fn undo_restores_exactly_what_was_there_and_leaves_later_edits() {
    let edit = json!({"kind": "findReplace", "field": "description", "find": "bundle", "replace": "Pack", "caseSensitive": false});
    let plan = plan_of(edit, &["a"], &snap());
    let Action::UpdateListing { before, after, .. } = plan.steps[0].action.clone() else {
        panic!()
    };
    let report = report_of(&plan, Status::Applied);
    let applied = with("a", |p| p.description = after.description.clone());
    let undo = plan_undo(&report, &applied, NOW);
    let Action::UpdateListing {
        before: undo_before,
        after: undo_after,
        ..
    } = &undo.steps[0].action
    else {
        panic!("{:?}", undo.steps[0].action)
    };
    assert_eq!(undo_after.description, before.description, "byte for byte");
    assert_eq!(undo_before.description, after.description);
    assert!(undo.notes[0].starts_with("Puts back the earlier listing text"));

    // Someone edited it since: left alone, and said so.
    let edited = with("a", |p| p.description = Some("<p>Rewritten.</p>".into()));
    let undo = plan_undo(&report, &edited, NOW);
    assert_eq!(
        summary_of(&undo.steps[0]),
        "skip: Changed since this job (now description “Rewritten.”); not overwritten."
    );
    assert!(undo
        .notes
        .contains(&"1 listing changed since this job and is left alone.".to_owned()));

    // Markup added since, the text the same: still someone else's edit, left alone.
    let bolded = with("a", |p| {
        p.description = after.description.as_ref().map(|d| {
            d.replacen("<p>", "<p><b>", 1)
                .replacen("</p>", "</b></p>", 1)
        })
    });
    assert_ne!(
        bolded.product(&"a".into()).unwrap().description,
        after.description
    );
    let undo = plan_undo(&report, &bolded, NOW);
    assert!(
        summary_of(&undo.steps[0]).starts_with("skip: Changed since this job"),
        "{}",
        summary_of(&undo.steps[0])
    );

    // Already back: nothing to do. A failed row that changed nothing has no undo step.
    let undo = plan_undo(&report, &snap(), NOW);
    assert_eq!(summary_of(&undo.steps[0]), "skip: Already back as it was.");
    assert!(plan_undo(&report_of(&plan, Status::Failed), &snap(), NOW)
        .steps
        .is_empty());
    // An unknown row that did happen is undone.
    let undo = plan_undo(&report_of(&plan, Status::Unknown), &applied, NOW);
    assert!(matches!(undo.steps[0].action, Action::UpdateListing { .. }));

    // Re-planning the undo finds it done.
    let undo = plan_undo(&report, &applied, NOW);
    let again = replan_steps(&undo, &[0], &snap(), NOW).unwrap();
    assert_eq!(summary_of(&again.steps[0]), "verified");
}

#[test]
fn undo_cannot_remove_a_category_or_every_tag() {
    let category = plan_of(
        json!({"kind": "category", "taxonomyId": 7}),
        &["a", "b"],
        &snap(),
    );
    let mut products = store();
    for p in &mut products {
        p.taxonomy_id = Some(7);
    }
    let now = snapshot(products.into_iter().map(|p| (p, vec![])).collect());
    let undo = plan_undo(&report_of(&category, Status::Applied), &now, NOW);
    let Action::UpdateListing { after, .. } = &step(&undo, "a").action else {
        panic!()
    };
    assert_eq!(
        (after.taxonomy_id, after.category_label.as_deref()),
        (Some(3), Some("Drawing"))
    );
    assert_eq!(
        summary_of(step(&undo, "b")),
        "skip: Its category stays: it had none before this job, and Gumroad's API cannot remove a category."
    );

    let tags = plan_of(
        json!({"kind": "tags", "mode": "add", "tags": "x1"}),
        &["b"],
        &snap(),
    );
    let now = with("b", |p| p.tags = vec!["x1".into()]);
    let undo = plan_undo(&report_of(&tags, Status::Applied), &now, NOW);
    assert!(
        summary_of(&undo.steps[0]).starts_with("skip: Its tags stay: it had none before this job")
    );
}

#[test]
fn a_listing_step_shows_each_change_before_and_after() {
    let edit = json!({"kind": "findReplace", "field": "description", "find": "forty", "replace": "fifty", "caseSensitive": false});
    let plan = plan_of(edit, &["a", "b"], &snap());
    let value = serde_json::to_value(&plan).unwrap();
    let step = &value["steps"][0];
    assert_eq!(step["action"]["type"], "updateListing");
    assert_eq!(
        step["description"],
        "Change description. Replaced in 1 place."
    );
    assert_eq!(
        step["changes"],
        json!([{"field": "description", "label": "Description",
            "before": "The Bundle has forty brushes. Bundle up!",
            "after": "The Bundle has fifty brushes. Bundle up!",
            "diff": [{"kind": "same", "text": "The Bundle has"}, {"kind": "removed", "text": "forty"},
                {"kind": "added", "text": "fifty"}, {"kind": "same", "text": "brushes. Bundle up!"}]}])
    );
    // `before`/`after` hold only the changed field; a skip has no changes.
    assert_eq!(
        step["action"]["before"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["description"]
    );
    assert!(value["steps"][1].get("changes").is_none());
    assert_eq!(plan.summary.update, 1);

    let tags = plan_of(
        json!({"kind": "tags", "mode": "add", "tags": "x1"}),
        &["b"],
        &snap(),
    );
    let change = &tags.steps[0].changes[0];
    assert_eq!(
        (
            change.label.as_str(),
            change.before.as_str(),
            change.after.as_str()
        ),
        ("Tags", "(none)", "x1")
    );
    assert!(change.diff.is_empty());
    let category = plan_of(
        json!({"kind": "category", "taxonomyId": 7}),
        &["a"],
        &snap(),
    );
    let change = &category.steps[0].changes[0];
    assert_eq!(
        (change.before.as_str(), change.after.as_str()),
        ("Drawing", "Fonts")
    );
    // A plan read back from JS (numbers as floats) has the same actions; the changes are
    // for showing only and are not read back.
    let back: Plan = serde_json::from_str(
        &serde_json::to_string(&category)
            .unwrap()
            .replace("\"taxonomyId\":7", "\"taxonomyId\":7.0"),
    )
    .unwrap();
    let actions = |plan: &Plan| {
        plan.steps
            .iter()
            .map(|s| s.action.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(actions(&back), actions(&category));
    assert!(back.steps[0].changes.is_empty());
}
