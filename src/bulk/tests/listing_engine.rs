//! The engine running listing steps over the in-memory Gumroad: only the changed fields
//! are sent; every answer is read back (a field Gumroad silently dropped is a failure
//! that names it, never "applied"); a lost answer is settled by re-reading the product
//! (as wanted → applied; as it was → sent again; someone else's edit → unknown, never
//! overwritten); the category preview checks the id against Gumroad's list.

use serde_json::json;

use super::block_on;
use super::fake::{product, FakeGumroad, Fault};
use crate::bulk::engine::execute;
use crate::bulk::listings::{parse_listings_intent, plan_edit_listings};
use crate::bulk::plan::Plan;
use crate::bulk::preview_edit_listings;
use crate::bulk::replan::{replan, ReplanMode};
use crate::bulk::report::{Report, Status};
use crate::pacing::ExecOptions;
use crate::runtime::FakeClock;
use crate::transport::Method;
use crate::ErrorKind;

fn options() -> ExecOptions {
    ExecOptions {
        initial_concurrency: 2,
        max_concurrency: 4,
        max_attempts: 4,
        backoff_base_ms: 100,
        backoff_max_ms: 1_000,
    }
}

fn store() -> FakeGumroad {
    let mut a = product("p0", "Brush Bundle", 1000, "usd");
    a.tags = vec!["procreate".into()];
    a.description = Some("<p>The <b>Bundle</b>.</p>".into());
    let mut b = product("p1", "Font Bundle", 500, "usd");
    b.tags = vec!["fonts".into()];
    let fake = FakeGumroad::with_products(vec![a, b]);
    *fake.categories.borrow_mut() = vec![(3, "Drawing"), (7, "Fonts")];
    fake
}

fn plan_of(fake: &FakeGumroad, edit: serde_json::Value) -> Plan {
    let intent =
        parse_listings_intent(&json!({"productIds": fake.product_ids(), "edit": edit})).unwrap();
    let categories = block_on(fake.client().categories()).unwrap();
    plan_edit_listings(&intent, &fake.snapshot(), &categories, 0.0).unwrap()
}

fn run(fake: &FakeGumroad, plan: &Plan) -> Report {
    block_on(execute(
        &fake.client(),
        &FakeClock::default(),
        plan,
        &options(),
        &(),
    ))
    .unwrap()
}

fn statuses(report: &Report) -> Vec<Status> {
    report.rows.iter().map(|r| r.outcome.status).collect()
}

fn add_tag() -> serde_json::Value {
    json!({"kind": "tags", "mode": "add", "tags": "digital"})
}

#[test]
fn only_the_changed_fields_are_sent_and_read_back() {
    let fake = store();
    let plan = plan_of(&fake, add_tag());
    let report = run(&fake, &plan);
    assert_eq!(statuses(&report), [Status::Applied, Status::Applied]);
    assert_eq!(fake.now("p0").tags, ["procreate", "digital"]);
    assert_eq!(report.rows[0].outcome.message, "Tags changed.");
    assert_eq!(fake.writes().len(), 2);
}

#[test]
fn a_field_gumroad_drops_silently_is_a_failure_that_names_it() {
    let fake = store();
    fake.ignored.borrow_mut().push("tags");
    let plan = plan_of(&fake, add_tag());
    let report = run(&fake, &plan);
    assert_eq!(statuses(&report), [Status::Failed, Status::Failed]);
    let message = &report.rows[0].outcome.message;
    assert!(
        message.starts_with("Gumroad accepted the change, but its answer does not show the tags as sent (now tags “procreate”)"),
        "{message}"
    );
    assert_eq!(report.summary.applied, 0);

    // Once Gumroad takes it, "retry failed" sends it again and it sticks.
    fake.ignored.borrow_mut().clear();
    let retry = block_on(replan(
        &fake.client(),
        &FakeClock::default(),
        &plan,
        &report,
        ReplanMode::RetryFailed,
        &options(),
    ))
    .unwrap();
    assert_eq!(retry.summary.update, 2);
    let again = run(&fake, &retry);
    assert_eq!(statuses(&again), [Status::Applied, Status::Applied]);
}

#[test]
fn a_category_the_answer_does_not_show_is_applied_with_a_warning() {
    let fake = store();
    let plan = plan_of(&fake, json!({"kind": "category", "taxonomyId": 7}));
    assert_eq!(plan.title, "Set the category of 2 products to Fonts");
    // An older API: accepts the id, sends no category back.
    fake.ignored.borrow_mut().push("taxonomy_id");
    let report = run(&fake, &plan);
    assert_eq!(statuses(&report), [Status::Applied, Status::Applied]);
    assert!(report.rows[0].outcome.warning.is_some());
    // A product that shows another category answers as failed.
    fake.ignored.borrow_mut().clear();
    fake.edit("p0", |p| {
        p.taxonomy_id = Some(3);
        p.category_label = Some("Drawing".into());
    });
    fake.ignored.borrow_mut().push("taxonomy_id");
    let report = run(&fake, &plan);
    assert_eq!(report.rows[0].outcome.status, Status::Failed);
}

#[test]
fn a_lost_answer_is_settled_by_re_reading_the_product() {
    // Applied, answer lost: the re-read finds it done; nothing is sent twice.
    let fake = store();
    let plan = plan_of(&fake, add_tag());
    fake.fail(Method::Put, "/p0", Fault::DropAfter, 1);
    let report = run(&fake, &plan);
    assert_eq!(statuses(&report), [Status::Applied, Status::Applied]);
    assert!(report.rows[0]
        .outcome
        .message
        .contains("re-reading the product confirmed"));
    let puts = |fake: &FakeGumroad| {
        fake.writes()
            .iter()
            .filter(|(_, path, _)| path.ends_with("/p0"))
            .count()
    };
    assert_eq!(puts(&fake), 1);

    // Lost before Gumroad got it: still as it was, so it is sent again.
    let fake = store();
    fake.fail(Method::Put, "/p0", Fault::DropBefore, 1);
    let report = run(&fake, &plan);
    assert_eq!(report.rows[0].outcome.status, Status::Applied);
    assert_eq!(puts(&fake), 2);
    assert_eq!(fake.now("p0").tags, ["procreate", "digital"]);

    // Someone else renamed it meanwhile: unknown, not sent again.
    let fake = store();
    let rename = plan_of(
        &fake,
        json!({"kind": "addText", "field": "name", "position": "append", "text": "v2"}),
    );
    fake.fail(Method::Put, "/p0", Fault::LostThenNamed("Hand Edited"), 1);
    let report = run(&fake, &rename);
    assert_eq!(report.rows[0].outcome.status, Status::Unknown);
    assert!(
        report.rows[0]
            .outcome
            .message
            .contains("name “Hand Edited”"),
        "{}",
        report.rows[0].outcome.message
    );
    assert_eq!(puts(&fake), 1);
    assert_eq!(fake.now("p0").name, "Hand Edited");
}

#[test]
fn the_category_preview_checks_the_id_against_gumroads_list() {
    let fake = store();
    let intent = |id: i64| {
        parse_listings_intent(
            &json!({"productIds": ["p0"], "edit": {"kind": "category", "taxonomyId": id}}),
        )
        .unwrap()
    };
    let clock = FakeClock::default();
    let plan = block_on(preview_edit_listings(
        &fake.client(),
        &clock,
        &intent(3),
        &options(),
    ))
    .unwrap();
    assert_eq!(plan.steps[0].changes[0].after, "Drawing");
    let error = block_on(preview_edit_listings(
        &fake.client(),
        &clock,
        &intent(42),
        &options(),
    ))
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.message().contains("no category with id 42"));
    assert!(fake.writes().is_empty());
}
