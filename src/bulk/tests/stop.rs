//! A disconnected account (its stop flag set) over the in-memory Gumroad: the run stops at
//! once like on a refused token, nothing more is sent, nothing is retried or backed off,
//! and each step says how far it got — `notRun` when nothing of it was sent, `failed` when
//! the delete of a replace was done but its create never sent, `unknown` when a write of
//! it was on its way or its lost answer could not be re-read.

use std::cell::Cell;

use super::block_on;
use super::fake::{percent_code, product, FakeGumroad, Fault};
use crate::bulk::apply_code::{plan_apply_code, ApplyCodeIntent};
use crate::bulk::engine::{execute, Observer};
use crate::bulk::plan::Plan;
use crate::bulk::preview::preview_apply_code;
use crate::bulk::report::{Event, EventKind, Report, Status};
use crate::error::STOPPED_MESSAGE;
use crate::model::Product;
use crate::pacing::{Control, ExecOptions};
use crate::runtime::FakeClock;
use crate::transport::{Method, StopFlag};
use crate::ErrorKind;

const NOT_RUN: &str = "Not run: the account was disconnected.";

/// Sets the account's stop flag once `after` steps have finished (never when `None`).
struct Disconnect<'a> {
    stop: &'a StopFlag,
    after: Option<usize>,
    finished: Cell<usize>,
}

impl Observer for Disconnect<'_> {
    async fn on_event(&self, event: &Event) -> Control {
        if event.kind == EventKind::StepFinished {
            self.finished.set(self.finished.get() + 1);
        }
        if self.after.is_some_and(|n| self.finished.get() >= n) {
            self.stop.stop();
        }
        Control::Continue
    }
}

fn products(n: usize) -> Vec<Product> {
    (0..n)
        .map(|i| product(&format!("p{i}"), &format!("Product {i}"), 1000, "usd"))
        .collect()
}

/// SAVE10 (10 % off) on every product of `fake`.
fn apply_plan(fake: &FakeGumroad, on_conflict: &str) -> Plan {
    let intent: ApplyCodeIntent = serde_json::from_value(serde_json::json!({
        "code": "SAVE10", "discount": {"percent": 10}, "productIds": fake.product_ids(),
        "onConflict": on_conflict,
    }))
    .unwrap();
    plan_apply_code(&intent, &fake.snapshot(), 0.0).unwrap()
}

/// A window of exactly `size` requests in flight.
fn window(size: usize) -> ExecOptions {
    ExecOptions {
        initial_concurrency: size,
        max_concurrency: size,
        max_attempts: 4,
        backoff_base_ms: 100,
        backoff_max_ms: 1_000,
    }
}

fn run(fake: &FakeGumroad, plan: &Plan, size: usize, after: Option<usize>) -> (Report, FakeClock) {
    let observer = Disconnect {
        stop: &fake.stop,
        after,
        finished: Cell::new(0),
    };
    let clock = FakeClock::default();
    let report = block_on(execute(
        &fake.client(),
        &clock,
        plan,
        &window(size),
        &observer,
    ))
    .unwrap();
    (report, clock)
}

fn statuses(report: &Report) -> Vec<Status> {
    report.rows.iter().map(|r| r.outcome.status).collect()
}

fn assert_stopped_by_the_disconnect(report: &Report) {
    let error = report.error.as_ref().expect("the run was stopped");
    assert_eq!(error.kind(), ErrorKind::Stopped);
    assert_eq!(error.message(), STOPPED_MESSAGE);
    assert!(!report.cancelled);
    for row in &report.rows {
        if row.outcome.status == Status::NotRun {
            assert_eq!(row.outcome.message, NOT_RUN, "row {}", row.index);
        }
    }
}

#[test]
fn a_disconnect_between_steps_sends_nothing_more_and_the_rest_is_not_run() {
    let fake = FakeGumroad::with_products(products(5));
    let plan = apply_plan(&fake, "skip");
    let (report, clock) = run(&fake, &plan, 1, Some(2));
    use Status::*;
    assert_eq!(
        statuses(&report),
        [Applied, Applied, NotRun, NotRun, NotRun]
    );
    assert_stopped_by_the_disconnect(&report);
    assert_eq!(
        fake.log.borrow().len(),
        2,
        "nothing was sent after the disconnect"
    );
    assert!(clock.sleeps().is_empty(), "no retry, no backoff");
    assert_eq!(report.summary.not_run, 3);
    assert_eq!(fake.live_named("SAVE10").len(), 2);
}

#[test]
fn writes_on_their_way_at_the_disconnect_are_unknown_and_nothing_more_starts() {
    let fake = FakeGumroad::with_products(products(8));
    fake.fail(Method::Post, "p1/offer_codes", Fault::StopOnTheWay, 1);
    let plan = apply_plan(&fake, "skip");
    let (report, clock) = run(&fake, &plan, 4, None);
    use Status::*;
    assert_eq!(
        statuses(&report),
        [Applied, Unknown, Unknown, Unknown, NotRun, NotRun, NotRun, NotRun]
    );
    assert_stopped_by_the_disconnect(&report);
    for row in &report.rows[1..4] {
        assert_eq!(
            row.outcome.message,
            "SAVE10 (10% off) may or may not have been created: the account was disconnected in Bulkroad while the request was on its way. Connect it again and use \"Retry failed\" to check and finish.",
        );
    }
    let log = fake.log.borrow();
    assert_eq!(log.len(), 4, "the four in flight, then nothing: {log:?}");
    assert!(log[1..]
        .iter()
        .all(|(_, _, fault)| *fault == Some(Fault::StopOnTheWay)));
    assert!(clock.sleeps().is_empty(), "no retry, no backoff");
    assert_eq!(fake.listed("p0").len(), 1);
    assert_eq!(fake.live_named("SAVE10").len(), 1);
}

#[test]
fn a_replace_whose_delete_was_done_fails_its_unsent_create_and_stops_the_run() {
    let fake = FakeGumroad::with_products(products(3));
    let old = percent_code("old", "SAVE10", 30);
    fake.add_code(Some("p0"), old.clone());
    fake.fail(Method::Delete, "p0/offer_codes/old", Fault::StopAfter, 1);
    let plan = apply_plan(&fake, "replace");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action.kind()).collect();
    assert_eq!(kinds, ["replace", "create", "create"]);
    let (report, _) = run(&fake, &plan, 1, None);
    use Status::*;
    assert_eq!(statuses(&report), [Failed, NotRun, NotRun]);
    assert_stopped_by_the_disconnect(&report);
    let outcome = &report.rows[0].outcome;
    assert_eq!(
        outcome.message,
        format!("Deleted the old SAVE10, but creating the new one did not work: {STOPPED_MESSAGE}")
    );
    assert_eq!(outcome.deleted_offer_code.as_ref(), Some(&old));
    assert_eq!(fake.writes().len(), 1, "only the delete was sent");
    assert!(fake.live_named("SAVE10").is_empty());
}

#[test]
fn a_lost_answer_whose_re_read_is_stopped_is_unknown() {
    let fake = FakeGumroad::with_products(products(3));
    fake.fail(Method::Post, "p0/offer_codes", Fault::DropAfter, 1);
    fake.fail(Method::Get, "p0/offer_codes", Fault::StopOnTheWay, 1);
    let plan = apply_plan(&fake, "skip");
    let (report, clock) = run(&fake, &plan, 1, None);
    use Status::*;
    assert_eq!(statuses(&report), [Unknown, NotRun, NotRun]);
    assert_stopped_by_the_disconnect(&report);
    assert!(report.rows[0].outcome.message.starts_with(
        "SAVE10 (10% off) may or may not have been created: the account was disconnected"
    ));
    assert_eq!(fake.log.borrow().len(), 2, "the POST and its re-read");
    assert!(clock.sleeps().is_empty());
    assert_eq!(
        fake.live_named("SAVE10").len(),
        1,
        "it was applied after all"
    );
}

#[test]
fn a_preview_is_stopped_before_sending_and_a_read_on_its_way_is_not_retried() {
    let intent = serde_json::json!({"code": "SAVE10", "discount": {"percent": 10},
        "productIds": ["p0", "p1"], "onConflict": "skip"});
    let preview = |fake: &FakeGumroad| {
        let clock = FakeClock::default();
        let result = block_on(preview_apply_code(
            &fake.client(),
            &clock,
            &intent,
            &window(4),
        ));
        (result.unwrap_err(), clock)
    };

    let stopped = FakeGumroad::with_products(products(2));
    stopped.stop.stop();
    let (error, _) = preview(&stopped);
    assert_eq!(error.kind(), ErrorKind::Stopped);
    assert!(!error.may_have_applied());
    assert!(stopped.log.borrow().is_empty(), "nothing was sent");

    let on_its_way = FakeGumroad::with_products(products(2));
    on_its_way.fail(Method::Get, "products", Fault::StopOnTheWay, 1);
    let (error, clock) = preview(&on_its_way);
    assert_eq!(error.kind(), ErrorKind::Stopped);
    assert!(!error.may_have_applied(), "a read applies nothing");
    // The code reads go out with the first page (they overlap the walk): each of the
    // three was on its way when the account was disconnected, and none is sent again.
    let log = on_its_way.log.borrow();
    let mut paths: Vec<&str> = log.iter().map(|(_, path, _)| path.as_str()).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/v2/products",
            "/v2/products/p0/offer_codes",
            "/v2/products/p1/offer_codes"
        ],
        "not retried"
    );
    assert!(log
        .iter()
        .all(|(_, _, fault)| *fault == Some(Fault::StopOnTheWay)));
    assert!(clock.sleeps().is_empty(), "no backoff");
}
