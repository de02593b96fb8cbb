//! The engine over an in-memory Gumroad with scripted faults and a fake clock: stopping on
//! a rejected token, shrinking the window on a 429, never creating a code twice after a
//! lost answer or a silently repeated POST, cancelling after the steps in flight, and the
//! outcome of every kind of step.

use std::cell::RefCell;

use super::block_on;
use super::fake::{percent_code, product, FakeGumroad, Fault};
use crate::bulk::apply_code::{plan_apply_code, ApplyCodeIntent};
use crate::bulk::engine::{execute, Observer};
use crate::bulk::plan::{Action, Change, Operation, Plan};
use crate::bulk::remove_code::{plan_remove_code, RemoveCodeIntent};
use crate::bulk::report::{Event, EventKind, Report, Status};
use crate::model::{OfferCode, Product};
use crate::pacing::{Control, ExecOptions};
use crate::runtime::FakeClock;
use crate::transport::Method;
use crate::ErrorKind;

/// Records events; answers `Cancel` from the `cancel_at`-th `stepFinished` on.
#[derive(Default)]
struct Recorder {
    events: RefCell<Vec<Event>>,
    cancel_at: Option<usize>,
}

impl Observer for Recorder {
    async fn on_event(&self, event: &Event) -> Control {
        self.events.borrow_mut().push(event.clone());
        let finished = self
            .events
            .borrow()
            .iter()
            .filter(|e| e.kind == EventKind::StepFinished)
            .count();
        match self.cancel_at {
            Some(n) if finished >= n => Control::Cancel,
            _ => Control::Continue,
        }
    }
}

fn products(n: usize) -> Vec<Product> {
    (0..n)
        .map(|i| product(&format!("p{i}"), &format!("Product {i}"), 1000, "usd"))
        .collect()
}

/// Plans SAVE10 (10 % off) on every product of `fake`.
fn apply_plan(fake: &FakeGumroad, on_conflict: &str) -> Plan {
    let ids = fake.product_ids();
    let intent: ApplyCodeIntent = serde_json::from_value(serde_json::json!({
        "code": "SAVE10", "discount": {"percent": 10}, "productIds": ids, "onConflict": on_conflict,
    }))
    .unwrap();
    plan_apply_code(&intent, &fake.snapshot(), 0.0).unwrap()
}

fn options(initial: usize) -> ExecOptions {
    ExecOptions {
        initial_concurrency: initial,
        max_concurrency: 8,
        max_attempts: 4,
        backoff_base_ms: 100,
        backoff_max_ms: 1_000,
    }
}

fn run(
    fake: &FakeGumroad,
    plan: &Plan,
    options: &ExecOptions,
    observer: &Recorder,
) -> (Report, FakeClock) {
    let client = fake.client();
    let clock = FakeClock::default();
    let report = block_on(execute(&client, &clock, plan, options, observer)).unwrap();
    (report, clock)
}

fn statuses(report: &Report) -> Vec<Status> {
    report.rows.iter().map(|r| r.outcome.status).collect()
}

fn posts(fake: &FakeGumroad) -> usize {
    fake.writes()
        .iter()
        .filter(|(m, _, _)| *m == Method::Post)
        .count()
}

#[test]
fn applies_a_code_to_every_product_and_reports_each_step() {
    let fake = FakeGumroad::with_products(products(10));
    let plan = apply_plan(&fake, "skip");
    let observer = Recorder::default();
    let (report, _) = run(&fake, &plan, &options(4), &observer);
    assert_eq!(report.summary.applied, 10);
    assert!(!report.cancelled && report.error.is_none());
    for (i, row) in report.rows.iter().enumerate() {
        assert_eq!(row.index, i);
        let created = row
            .outcome
            .created_offer_code
            .as_ref()
            .expect("the created code");
        assert_eq!(
            fake.listed(row.product_id.as_str()),
            std::slice::from_ref(created)
        );
        assert_eq!(row.outcome.message, "Created SAVE10 (10% off).");
    }
    assert_eq!(posts(&fake), 10);
    assert_eq!(
        fake.max_in_flight.get(),
        4 + 1,
        "the window grows by one after a full run"
    );
    let events = observer.events.borrow();
    let started = events
        .iter()
        .filter(|e| e.kind == EventKind::StepStarted)
        .count();
    let finished: Vec<&Event> = events
        .iter()
        .filter(|e| e.kind == EventKind::StepFinished)
        .collect();
    assert_eq!((started, finished.len()), (10, 10));
    assert_eq!(events.last().unwrap().kind, EventKind::Finished);
    assert_eq!(events.last().unwrap().index, None);
    let last = finished.last().unwrap();
    assert_eq!(
        (
            last.progress.done,
            last.progress.total,
            last.progress.applied
        ),
        (10, 10, 10)
    );
    assert_eq!(last.progress.in_flight, 0);
    assert!(last.progress.eta_ms.is_some());
    assert!(finished
        .iter()
        .all(|e| e.outcome.is_some() && e.product_id.is_some()));
    // Each step starts before it finishes.
    for index in 0..10 {
        let position = |kind| {
            events
                .iter()
                .position(|e| e.kind == kind && e.index == Some(index))
                .unwrap()
        };
        assert!(position(EventKind::StepStarted) < position(EventKind::StepFinished));
    }
}

/// A 401 means Gumroad applied nothing: the step that met it is left for Resume (`notRun`),
/// like the steps never started, with the same words.
#[test]
fn unauthorized_stops_the_run_after_the_first_step() {
    let fake = FakeGumroad::with_products(products(5));
    fake.fail(Method::Post, "offer_codes", Fault::Status(401), 100);
    let plan = apply_plan(&fake, "skip");
    let (report, _) = run(&fake, &plan, &options(1), &Recorder::default());
    assert_eq!(statuses(&report), [Status::NotRun; 5]);
    assert_eq!(
        report.error.as_ref().map(|e| e.kind()),
        Some(ErrorKind::Unauthorized)
    );
    assert_eq!(posts(&fake), 1, "nothing else is sent");
    assert!(report.rows[0]
        .outcome
        .message
        .contains("Gumroad rejected the access token"));
    assert!(report.rows[1]
        .outcome
        .message
        .contains("Gumroad rejected the access token"));
    assert_eq!(report.summary.not_run, 5);
    assert!(!report.cancelled);
}

#[test]
fn unauthorized_lets_the_steps_in_flight_end_without_new_attempts() {
    let fake = FakeGumroad::with_products(products(8));
    fake.fail(Method::Post, "p0/offer_codes", Fault::Status(401), 1);
    fake.fail(Method::Post, "p1/offer_codes", Fault::Status(429), 1);
    let plan = apply_plan(&fake, "skip");
    let (report, _) = run(&fake, &plan, &options(4), &Recorder::default());
    assert_eq!(
        report.rows[0].outcome.status,
        Status::NotRun,
        "refused: nothing applied"
    );
    assert_eq!(
        report.rows[1].outcome.status,
        Status::NotRun,
        "throttled, then the run stopped"
    );
    assert!(report.rows[4..]
        .iter()
        .all(|r| r.outcome.status == Status::NotRun));
    assert_eq!(posts(&fake), 4);
}

#[test]
fn a_429_shrinks_the_window_and_backs_off() {
    let fake = FakeGumroad::with_products(products(12));
    fake.fail(Method::Post, "offer_codes", Fault::Status(429), 1);
    let plan = apply_plan(&fake, "skip");
    let observer = Recorder::default();
    let (report, clock) = run(&fake, &plan, &options(4), &observer);
    assert_eq!(report.summary.applied, 12);
    assert_eq!(posts(&fake), 13, "the refused request was sent again");
    let windows: Vec<usize> = observer
        .events
        .borrow()
        .iter()
        .map(|e| e.progress.concurrency)
        .collect();
    assert_eq!(windows[0], 4);
    assert!(windows.contains(&2), "{windows:?}");
    assert!(!clock.sleeps().is_empty(), "it paused after the 429");
    assert!(clock.sleeps().iter().all(|&ms| ms <= 1_000));
    // Every 12 products hold exactly one SAVE10.
    assert_eq!(fake.live_named("SAVE10").len(), 12);
}

#[test]
fn a_create_whose_answer_was_lost_is_found_by_rereading_not_created_twice() {
    let fake = FakeGumroad::with_products(products(3));
    fake.fail(Method::Post, "p1/offer_codes", Fault::DropAfter, 1);
    let plan = apply_plan(&fake, "skip");
    let (report, _) = run(&fake, &plan, &options(2), &Recorder::default());
    assert_eq!(report.summary.applied, 3);
    let row = &report.rows[1];
    assert!(
        row.outcome
            .message
            .contains("re-reading the product's codes confirmed it"),
        "{}",
        row.outcome.message
    );
    let live = fake.live_named("SAVE10");
    assert_eq!(live.len(), 3);
    assert_eq!(
        row.outcome.created_offer_code.as_ref(),
        fake.listed("p1").first()
    );
    assert_eq!(posts(&fake), 3, "the lost create was not sent again");
    let reads = fake
        .log
        .borrow()
        .iter()
        .filter(|(m, p, _)| *m == Method::Get && p.ends_with("p1/offer_codes"))
        .count();
    assert_eq!(reads, 1);
}

#[test]
fn must_be_unique_after_a_repeated_post_is_applied() {
    let fake = FakeGumroad::with_products(products(2));
    fake.fail(Method::Post, "p0/offer_codes", Fault::Repeated, 1);
    let plan = apply_plan(&fake, "skip");
    let (report, _) = run(&fake, &plan, &options(2), &Recorder::default());
    assert_eq!(statuses(&report), [Status::Applied, Status::Applied]);
    assert_eq!(fake.live_named("SAVE10").len(), 2);
    assert!(report.rows[0].outcome.created_offer_code.is_some());
}

#[test]
fn must_be_unique_for_someone_elses_code_is_a_failure() {
    let fake = FakeGumroad::with_products(products(2));
    let plan = apply_plan(&fake, "skip");
    // Between preview and run, another SAVE10 with other terms appears on p0.
    fake.add_code(Some("p0"), percent_code("theirs", "SAVE10", 50));
    let (report, _) = run(&fake, &plan, &options(2), &Recorder::default());
    assert_eq!(statuses(&report), [Status::Failed, Status::Applied]);
    assert_eq!(
        report.rows[0].outcome.message,
        "Discount code must be unique."
    );
    assert_eq!(fake.listed("p0").len(), 1);
}

#[test]
fn a_create_lost_before_it_applied_is_sent_again_after_rereading() {
    let fake = FakeGumroad::with_products(products(2));
    fake.fail(Method::Post, "p0/offer_codes", Fault::DropBefore, 1);
    fake.fail(Method::Post, "p1/offer_codes", Fault::Status(502), 2);
    let plan = apply_plan(&fake, "skip");
    let (report, _) = run(&fake, &plan, &options(2), &Recorder::default());
    assert_eq!(statuses(&report), [Status::Applied, Status::Applied]);
    assert_eq!(posts(&fake), 2 + 3);
    assert_eq!(fake.live_named("SAVE10").len(), 2);
}

#[test]
fn a_write_nobody_can_confirm_is_unknown() {
    let fake = FakeGumroad::with_products(products(1));
    fake.fail(Method::Post, "p0/offer_codes", Fault::DropAfter, 1);
    fake.fail(Method::Get, "p0/offer_codes", Fault::Status(503), 100);
    let plan = apply_plan(&fake, "skip");
    let (report, _) = run(&fake, &plan, &options(1), &Recorder::default());
    let outcome = &report.rows[0].outcome;
    assert_eq!(outcome.status, Status::Unknown);
    assert!(
        outcome.message.contains("may or may not have been created"),
        "{}",
        outcome.message
    );
    assert!(outcome.message.contains("Retry failed"));
    assert_eq!(posts(&fake), 1, "never sent blindly again");
    assert_eq!(report.summary.unknown, 1);
}

#[test]
fn a_definite_refusal_fails_that_step_and_the_run_goes_on() {
    let fake = FakeGumroad::with_products(products(3));
    fake.fail(Method::Post, "p1/offer_codes", Fault::Status(500), 100);
    let plan = apply_plan(&fake, "skip");
    let (report, _) = run(&fake, &plan, &options(1), &Recorder::default());
    // A 500 on every attempt (each re-read says "not there"): gives up after max attempts.
    assert_eq!(
        statuses(&report),
        [Status::Applied, Status::Failed, Status::Applied]
    );
    assert!(report.rows[1].outcome.message.contains("HTTP 500"));
    assert_eq!(posts(&fake), 1 + 4 + 1);
}

#[test]
fn cancel_stops_after_the_steps_in_flight() {
    let fake = FakeGumroad::with_products(products(10));
    let plan = apply_plan(&fake, "skip");
    let observer = Recorder {
        cancel_at: Some(1),
        ..Recorder::default()
    };
    let (report, _) = run(&fake, &plan, &options(4), &observer);
    assert!(report.cancelled);
    assert_eq!(report.summary.applied, 4, "the 4 in flight finished");
    assert_eq!(report.summary.not_run, 6);
    assert_eq!(posts(&fake), 4);
    assert_eq!(fake.live_named("SAVE10").len(), 4);
    assert!(report.rows[9].outcome.message.contains("cancelled"));
    let started = observer
        .events
        .borrow()
        .iter()
        .filter(|e| e.kind == EventKind::StepStarted)
        .count();
    assert_eq!(started, 4);
}

#[test]
fn cancel_drops_a_step_waiting_to_retry_something_that_cannot_have_happened() {
    let fake = FakeGumroad::with_products(products(3));
    fake.fail(Method::Post, "p1/offer_codes", Fault::Status(429), 1);
    let plan = apply_plan(&fake, "skip");
    let observer = Recorder {
        cancel_at: Some(1),
        ..Recorder::default()
    };
    let (report, _) = run(&fake, &plan, &options(2), &observer);
    assert_eq!(
        statuses(&report),
        [Status::Applied, Status::NotRun, Status::NotRun]
    );
    assert!(fake.listed("p1").is_empty());
}

#[test]
fn replace_update_delete_skip_and_verified_steps() {
    let fake = FakeGumroad::with_products(products(5));
    let old = OfferCode {
        times_used: 3,
        ..percent_code("old", "SAVE10", 30)
    };
    fake.add_code(Some("p0"), old.clone());
    fake.add_code(
        Some("p1"),
        OfferCode {
            max_purchase_count: Some(5),
            ..percent_code("limited", "SAVE10", 10)
        },
    );
    fake.add_code(Some("p2"), percent_code("same", "SAVE10", 10));
    let ids = ["p0", "p1", "p2", "p3"];
    let intent: ApplyCodeIntent = serde_json::from_value(serde_json::json!({
        "code": "SAVE10", "discount": {"percent": 10}, "maxPurchaseCount": null,
        "productIds": ids, "onConflict": "replace"}))
    .unwrap();
    let mut plan = plan_apply_code(&intent, &fake.snapshot(), 0.0).unwrap();
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action.kind()).collect();
    // p1 cannot be updated in place (the API cannot clear a limit): replaced.
    assert_eq!(kinds, ["replace", "replace", "skip", "create"]);
    // A step found done by an earlier attempt costs no request.
    let found = percent_code("found", "SAVE10", 10);
    plan.steps[3].action = Action::Verified {
        change: Change::Created,
        offer_code: found.clone(),
        previous: None,
    };
    let (report, _) = run(&fake, &plan, &options(2), &Recorder::default());
    assert_eq!(
        statuses(&report),
        [
            Status::Applied,
            Status::Applied,
            Status::Skipped,
            Status::Applied
        ]
    );
    let first = &report.rows[0].outcome;
    assert_eq!(first.deleted_offer_code.as_ref(), Some(&old));
    assert_eq!(first.created_offer_code.as_ref(), fake.listed("p0").first());
    assert!(
        first.message.starts_with(
            "Replaced SAVE10: deleted the old code (3 uses) and created SAVE10 (10% off)."
        ),
        "{}",
        first.message
    );
    assert_eq!(
        report.rows[3].outcome.created_offer_code.as_ref(),
        Some(&found)
    );
    assert!(fake.writes().iter().all(|(_, p, _)| !p.contains("/p3/")));

    // Update in place, then remove everything again (one code already gone).
    let before = fake.listed("p0")[0].clone();
    let after = OfferCode {
        max_purchase_count: Some(9),
        ..before.clone()
    };
    let mut update = plan.clone();
    update.steps.truncate(1);
    update.steps[0].action = Action::Update {
        before: before.clone(),
        after: after.clone(),
    };
    let (report, _) = run(&fake, &update, &options(1), &Recorder::default());
    assert_eq!(report.rows[0].outcome.status, Status::Applied);
    assert_eq!(
        report.rows[0].outcome.message,
        "Updated SAVE10: max uses unlimited → 9."
    );
    assert_eq!(fake.listed("p0")[0].max_purchase_count, Some(9));

    let remove: RemoveCodeIntent =
        serde_json::from_value(serde_json::json!({"code": "SAVE10", "productIds": ids})).unwrap();
    let plan = plan_remove_code(&remove, &fake.snapshot(), 0.0).unwrap();
    assert_eq!(plan.summary.delete, 3);
    let gone = fake.listed("p2")[0].clone();
    fake.codes
        .borrow_mut()
        .iter_mut()
        .filter(|s| s.code.id == gone.id)
        .for_each(|s| s.deleted = true);
    let (report, _) = run(&fake, &plan, &options(4), &Recorder::default());
    assert_eq!(
        statuses(&report),
        [
            Status::Applied,
            Status::Applied,
            Status::Skipped,
            Status::Skipped
        ]
    );
    assert_eq!(report.rows[2].outcome.message, "SAVE10 was already gone.");
    assert!(fake.live_named("SAVE10").is_empty());
    assert_eq!(report.operation, Operation::RemoveCode);
}

#[test]
fn a_replace_whose_old_code_is_already_gone_still_creates() {
    let fake = FakeGumroad::with_products(products(1));
    let old = percent_code("old", "SAVE10", 30);
    let plan = {
        let mut plan = apply_plan(&fake, "replace");
        let Action::Create { code } = plan.steps[0].action.clone() else {
            panic!()
        };
        plan.steps[0].action = Action::Replace {
            existing: old.clone(),
            code,
        };
        plan
    };
    let (report, _) = run(&fake, &plan, &options(1), &Recorder::default());
    let outcome = &report.rows[0].outcome;
    assert_eq!(outcome.status, Status::Applied);
    assert_eq!(outcome.deleted_offer_code.as_ref(), Some(&old));
    assert!(outcome.created_offer_code.is_some());
    assert_eq!(fake.live_named("SAVE10").len(), 1);
}

#[test]
fn a_plan_with_a_repeated_index_is_refused() {
    let fake = FakeGumroad::with_products(products(2));
    let mut plan = apply_plan(&fake, "skip");
    plan.steps[1].index = 0;
    let client = fake.client();
    let error = block_on(execute(
        &client,
        &FakeClock::default(),
        &plan,
        &options(1),
        &(),
    ))
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(fake.log.borrow().is_empty());
}

#[test]
fn a_delete_gumroad_applies_late_is_reported_as_this_jobs_delete() {
    let fake = FakeGumroad::with_products(products(1));
    fake.add_code(Some("p0"), percent_code("c0", "SAVE10", 10));
    let remove: RemoveCodeIntent =
        serde_json::from_value(serde_json::json!({"code": "SAVE10", "productIds": ["p0"]}))
            .unwrap();
    let plan = plan_remove_code(&remove, &fake.snapshot(), 0.0).unwrap();
    fake.fail(Method::Delete, "/c0", Fault::AppliedLater, 1);
    let (report, _) = run(&fake, &plan, &options(1), &Recorder::default());
    let outcome = &report.rows[0].outcome;
    assert_eq!(outcome.status, Status::Applied, "{}", outcome.message);
    assert_eq!(
        outcome.deleted_offer_code.as_ref().map(|c| c.id.as_str()),
        Some("c0")
    );
    assert!(fake.listed("p0").is_empty());
    let deletes = fake.writes().len();
    assert_eq!(deletes, 2, "502, re-read (still there), again: not found");
}

#[test]
fn a_read_whose_answer_is_cut_off_is_asked_again_a_few_times_then_fails_clearly() {
    use crate::pacing::{Runner, READ_DECODE_RETRIES};
    let fake = FakeGumroad::with_products(products(1));
    let id = crate::model::ProductId::from("p0");
    let gets = || {
        fake.log
            .borrow()
            .iter()
            .filter(|(m, _, _)| *m == Method::Get)
            .count()
    };
    let clock = FakeClock::new(0.0);
    let client = fake.client();
    let runner = Runner::new(&client, &clock, &options(4));

    fake.fail(
        Method::Get,
        "p0/offer_codes",
        Fault::Truncated,
        READ_DECODE_RETRIES as usize,
    );
    let codes = block_on(runner.read(|| client.offer_codes(&id)));
    assert!(codes.is_ok(), "{codes:?}");
    assert_eq!(gets(), 1 + READ_DECODE_RETRIES as usize);

    fake.log.borrow_mut().clear();
    fake.fail(Method::Get, "p0/offer_codes", Fault::Truncated, 100);
    let error = block_on(runner.read(|| client.offer_codes(&id))).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(
        gets(),
        1 + READ_DECODE_RETRIES as usize,
        "no more tries than the few"
    );
}
