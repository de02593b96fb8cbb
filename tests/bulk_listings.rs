//! Bulk listing edits against the in-process sandbox, with Gumroad's faults injected:
//! a tag added to products ends with exactly the planned tag lists, a find and replace in
//! descriptions changes their text and keeps their markup, each PUT carries only the
//! changed field, and undo puts every listing back byte for byte except one someone
//! edited since. (Categories are not in the sandbox's update endpoint: they are tested
//! over the in-memory Gumroad in `src/bulk/tests/listing_engine.rs`.)
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeMap;

use bulkroad::bulk::{
    execute, parse_listings_intent, preview_edit_listings, preview_undo, Action, Plan, Status,
};
use bulkroad::model::{ProductId, ProductUpdate};
use bulkroad::runtime::NativeClock;
use bulkroad::transport::NativeTransport;
use bulkroad::GumroadClient;
use bulkroad_sandbox::Faults;
use common::{client, faults, options, run, start};
use serde_json::{json, Value};

/// Live products: id → (name, description, tags).
fn listings(state: &Value) -> BTreeMap<String, (String, Option<String>, Vec<String>)> {
    state["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["deleted_at"].is_null())
        .map(|p| {
            let tags = p["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_owned())
                .collect();
            (
                p["id"].as_str().unwrap().to_owned(),
                (
                    p["name"].as_str().unwrap().to_owned(),
                    p["description"].as_str().map(str::to_owned),
                    tags,
                ),
            )
        })
        .collect()
}

fn preview(
    client: &GumroadClient<NativeTransport>,
    clock: &NativeClock,
    ids: &[String],
    edit: Value,
) -> Plan {
    let intent = parse_listings_intent(&json!({"productIds": ids, "edit": edit})).unwrap();
    run(preview_edit_listings(client, clock, &intent, &options())).expect("a plan")
}

/// The form fields of every product PUT.
fn put_keys(sandbox: &bulkroad_sandbox::Sandbox) -> Vec<String> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .flat_map(|r| {
            r.body
                .split('&')
                .filter_map(|pair| pair.split('=').next())
                .map(|key| key.replace("%5B%5D", "[]"))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn a_tag_edit_and_a_find_and_replace_apply_as_planned_and_undo_restores_them() {
    let sandbox = start(40, faults(31));
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(3);
    let before = listings(&sandbox.state());
    let ids: Vec<String> = before.keys().cloned().collect();

    // Tags: added where there is room; a product with five keeps them (skipped).
    let tags = preview(
        &client,
        &clock,
        &ids,
        json!({"kind": "tags", "mode": "add", "tags": "Bulkroad"}),
    );
    assert!(
        sandbox.requests().iter().all(|r| r.method == "GET"),
        "a preview only reads"
    );
    assert!(
        sandbox
            .requests()
            .iter()
            .all(|r| !r.path.contains("offer_codes")),
        "a listing edit writes no code, so its preview reads none"
    );
    for step in &tags.steps {
        let (_, _, now) = &before[step.product_id.as_str()];
        match &step.action {
            Action::UpdateListing { after, .. } => {
                let mut want = now.clone();
                want.push("bulkroad".into());
                assert_eq!(after.tags.as_ref(), Some(&want));
            }
            // A list already full, or one that keeps a tag breaking Gumroad's rules (the
            // seeded store has some: "#art", a one-letter tag, seven tags).
            Action::Skip { reason, .. } => assert!(
                now.len() >= 5
                    || now.contains(&"bulkroad".to_owned())
                    || reason.starts_with("Its tags would break a rule"),
                "{reason}"
            ),
            other => panic!("{other:?}"),
        }
    }
    assert!(tags.summary.update >= 15, "{:?}", tags.summary);
    let report = run(execute(&client, &clock, &tags, &options(), &())).unwrap();
    assert_eq!(
        report.summary.applied, tags.summary.update,
        "{:?}",
        report.rows
    );
    assert!(
        put_keys(&sandbox).iter().all(|k| k == "tags[]"),
        "only tags are sent"
    );
    let tagged = listings(&sandbox.state());
    for row in &report.rows {
        let (_, _, now) = &tagged[row.product_id.as_str()];
        assert_eq!(
            now.contains(&"bulkroad".to_owned()),
            row.outcome.status == Status::Applied
                || before[row.product_id.as_str()]
                    .2
                    .contains(&"bulkroad".to_owned()),
            "{}",
            row.outcome.message
        );
    }

    // Find and replace in descriptions: text only, markup kept.
    let find = preview(
        &client,
        &clock,
        &ids,
        json!({"kind": "findReplace", "field": "description", "find": "and", "replace": "AND", "caseSensitive": true}),
    );
    assert!(find.summary.update > 0, "{:?}", find.summary);
    let replaced = run(execute(&client, &clock, &find, &options(), &())).unwrap();
    assert_eq!(
        replaced.summary.applied, find.summary.update,
        "{:?}",
        replaced.rows
    );
    let after = listings(&sandbox.state());
    for row in replaced
        .rows
        .iter()
        .filter(|r| r.outcome.status == Status::Applied)
    {
        let (_, old, _) = &before[row.product_id.as_str()];
        let (_, new, _) = &after[row.product_id.as_str()];
        let (old, new) = (old.as_deref().unwrap(), new.as_deref().unwrap());
        assert_eq!(new.matches("<p>").count(), old.matches("<p>").count());
        assert!(new.contains("AND") && !new.contains(" and "), "{new}");
    }

    // Someone edits one of the changed descriptions by hand.
    sandbox.set_faults(Faults::default());
    let edited = replaced
        .rows
        .iter()
        .find(|r| r.outcome.status == Status::Applied)
        .unwrap()
        .product_id
        .clone();
    run(client.update_product(
        &edited,
        &ProductUpdate {
            description: Some("<p>Written by hand.</p>".into()),
            ..ProductUpdate::default()
        },
    ))
    .unwrap();

    // Undo both jobs, the later first, under the same faults.
    sandbox.set_faults(faults(32));
    let undo_find = run(preview_undo(&client, &clock, &replaced, &options())).unwrap();
    assert_eq!(undo_find.summary.skip, 1, "{:?}", undo_find.steps);
    let kept = undo_find
        .steps
        .iter()
        .find(|s| s.product_id == edited)
        .unwrap();
    assert!(
        kept.description
            .contains("Changed since this job (now description “Written by hand.”)"),
        "{}",
        kept.description
    );
    let undone = run(execute(&client, &clock, &undo_find, &options(), &())).unwrap();
    assert_eq!(undone.summary.applied, undo_find.summary.update);
    let undo_tags = run(preview_undo(&client, &clock, &report, &options())).unwrap();
    let undone = run(execute(&client, &clock, &undo_tags, &options(), &())).unwrap();
    // A product that had no tags keeps the new one: the API cannot send an empty list.
    let untagged = report
        .rows
        .iter()
        .filter(|r| {
            r.outcome.status == Status::Applied && before[r.product_id.as_str()].2.is_empty()
        })
        .count();
    assert!(untagged > 0);
    assert_eq!(undo_tags.summary.skip, untagged);
    assert_eq!(
        undone.summary.applied,
        report.summary.applied - untagged,
        "{:?}",
        undone.rows
    );

    let now = listings(&sandbox.state());
    for (id, listing) in &before {
        if ProductId::from(id.as_str()) == edited {
            assert_eq!(now[id].1.as_deref(), Some("<p>Written by hand.</p>"));
            assert_eq!(now[id].2, listing.2);
        } else if listing.2.is_empty() {
            assert_eq!((&now[id].0, &now[id].1), (&listing.0, &listing.1));
            assert_eq!(now[id].2, ["bulkroad"]);
        } else {
            assert_eq!(&now[id], listing, "{id} is back byte for byte");
        }
    }
}

#[test]
fn bad_input_is_refused_before_any_request() {
    let sandbox = start(5, Faults::default());
    let client = client(&sandbox);
    let clock = NativeClock::with_seed(4);
    let ids: Vec<String> = listings(&sandbox.state()).into_keys().collect();
    for edit in [
        json!({"kind": "tags", "mode": "add", "tags": "#nope"}),
        json!({"kind": "findReplace", "field": "name", "find": "", "replace": "x"}),
        json!({"kind": "summary", "mode": "set", "text": "x".repeat(161)}),
    ] {
        let intent = parse_listings_intent(&json!({"productIds": ids, "edit": edit})).unwrap();
        let error = run(preview_edit_listings(&client, &clock, &intent, &options())).unwrap_err();
        assert_eq!(error.kind(), bulkroad::ErrorKind::InvalidInput, "{edit}");
    }
    assert!(sandbox.requests().is_empty());
}
