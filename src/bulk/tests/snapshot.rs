//! Snapshots over the in-memory Gumroad with its catalogue in pages: the code reads overlap
//! the walk and fill the window, the result is the one a walk-then-read gives, failures
//! fail as before, and a fresh product list stands in for the walk (re-read where a plan's
//! writes carry a price), a stale one never.

use serde_json::json;

use super::block_on;
use super::fake::{percent_code, product, FakeGumroad, Fault};
use crate::bulk::job::JobStatus;
use crate::bulk::parity::{plan_apply_parity, ApplyParityIntent};
use crate::bulk::preview::{
    preview_apply_code, preview_apply_code_with_list, preview_apply_parity_with_list,
    preview_price_change_with_list, preview_remove_code_with_list,
};
use crate::bulk::prices::{parse_price_intent, plan_price_change};
use crate::bulk::snapshot::{
    reread_beats_walk, snapshot_options, take, take_from, Catalogue, JobActivity, ProductList,
    Scope, Snapshot, LIST_FRESH_FOR_MS, SNAPSHOT_READS_IN_FLIGHT,
};
use crate::bulk::{plan_apply_code, ApplyCodeIntent, OnConflict};
use crate::model::{Product, ProductId};
use crate::pacing::{ExecOptions, Runner};
use crate::parity::{CodeMode, MinimumPolicy, ParityCode};
use crate::runtime::{Clock, FakeClock};
use crate::transport::Method;
use crate::ErrorKind;

/// `n` products, 10 to a page, each with one code of its own; a universal code too.
fn store(n: usize) -> FakeGumroad {
    let fake = FakeGumroad::with_products(
        (0..n)
            .map(|i| product(&format!("p{i}"), &format!("Product {i}"), 1000, "usd"))
            .collect(),
    );
    fake.page_size.set(Some(10));
    for i in (0..n).step_by(3) {
        fake.add_code(
            Some(&format!("p{i}")),
            percent_code(&format!("c{i}"), "OLD", 5),
        );
    }
    fake.add_code(None, percent_code("u1", "EVERYONE", 15));
    fake
}

fn window(size: usize) -> ExecOptions {
    ExecOptions {
        initial_concurrency: size,
        max_concurrency: size,
        ..ExecOptions::default()
    }
}

fn ids(fake: &FakeGumroad) -> Vec<ProductId> {
    fake.product_ids()
        .into_iter()
        .map(ProductId::from)
        .collect()
}

fn snap(fake: &FakeGumroad, options: &ExecOptions, scope: Scope<'_>) -> Snapshot {
    let clock = FakeClock::default();
    let client = fake.client();
    let runner = Runner::new(&client, &clock, options);
    block_on(take(&runner, scope)).unwrap()
}

/// Positions in the request log: of the last catalogue page, and of the first code read.
fn last_page_and_first_code_read(fake: &FakeGumroad) -> (usize, usize) {
    let log = fake.log.borrow();
    let last_page = log
        .iter()
        .rposition(|(_, path, _)| path == "/v2/products")
        .unwrap();
    let first_codes = log
        .iter()
        .position(|(_, path, _)| path.ends_with("/offer_codes"))
        .unwrap();
    (last_page, first_codes)
}

fn walked(fake: &FakeGumroad) -> usize {
    fake.log
        .borrow()
        .iter()
        .filter(|(_, path, _)| path == "/v2/products")
        .count()
}

fn product_reads(fake: &FakeGumroad) -> usize {
    fake.log
        .borrow()
        .iter()
        .filter(|(_, path, _)| path.starts_with("/v2/products/") && !path.ends_with("/offer_codes"))
        .count()
}

fn apply_intent(ids: &[String]) -> serde_json::Value {
    json!({"code": "SAVE10", "discount": {"percent": 10}, "productIds": ids, "onConflict": "skip"})
}

fn list_of(fake: &FakeGumroad, fetched_at: f64) -> ProductList {
    ProductList {
        items: fake.products.borrow().clone(),
        fetched_at,
        jobs: Vec::new(),
    }
}

#[test]
fn code_reads_of_a_selection_start_with_the_walk_and_fill_the_window() {
    let fake = store(500);
    let selected = ids(&fake);
    let snapshot = snap(&fake, &snapshot_options(), Scope::Products(&selected));
    assert_eq!(snapshot, fake.snapshot());
    let (last_page, first_codes) = last_page_and_first_code_read(&fake);
    assert!(
        first_codes < 5,
        "the code reads start at once, not after the walk (first at {first_codes})"
    );
    assert!(first_codes < last_page);
    assert_eq!(fake.max_in_flight.get(), SNAPSHOT_READS_IN_FLIGHT);
    assert_eq!(walked(&fake), 50, "the walk is still one page per request");
}

#[test]
fn code_reads_of_every_product_follow_each_page_as_it_arrives() {
    let fake = store(200);
    let snapshot = snap(&fake, &snapshot_options(), Scope::All);
    assert_eq!(snapshot, fake.snapshot());
    let log = fake.log.borrow();
    let pages: Vec<usize> = (0..log.len())
        .filter(|&i| log[i].1 == "/v2/products")
        .collect();
    // The codes of the first page's products are read before the second page has come.
    let p0_codes = log
        .iter()
        .position(|(_, path, _)| path == "/v2/products/p0/offer_codes")
        .unwrap();
    assert!(p0_codes < pages[2], "{p0_codes} vs {pages:?}");
    assert!(fake.max_in_flight.get() > 2);
}

#[test]
fn one_at_a_time_the_walk_comes_first_and_the_result_is_the_same() {
    let overlapped = store(95);
    let sequential = store(95);
    for scope_all in [false, true] {
        let selected = ids(&overlapped);
        let scope = if scope_all {
            Scope::All
        } else {
            Scope::Products(&selected)
        };
        sequential.log.borrow_mut().clear();
        let fast = snap(&overlapped, &snapshot_options(), scope);
        let slow = snap(&sequential, &window(1), scope);
        assert_eq!(fast, slow);
        assert_eq!(fast, overlapped.snapshot());
        // Window 1 is the old order: every page, then the codes.
        let (last_page, first_codes) = last_page_and_first_code_read(&sequential);
        assert!(last_page < first_codes);
    }
}

#[test]
fn plans_are_the_same_with_and_without_overlap() {
    for universal in [false, true] {
        let plans: Vec<_> = [window(1), snapshot_options()]
            .iter()
            .map(|options| {
                let fake = store(120);
                let mut intent = apply_intent(&fake.product_ids()[7..90]);
                intent["universal"] = json!(universal);
                let clock = FakeClock::default();
                block_on(preview_apply_code(&fake.client(), &clock, &intent, options)).unwrap()
            })
            .collect();
        assert_eq!(plans[0], plans[1], "universal: {universal}");
    }
}

#[test]
fn a_product_seen_on_two_pages_is_kept_once_where_first_seen() {
    let fake = store(30);
    let moved = fake.products.borrow()[3].clone();
    fake.products.borrow_mut().insert(15, moved);
    let snapshot = snap(&fake, &snapshot_options(), Scope::All);
    let p3: Vec<usize> = (0..snapshot.products.len())
        .filter(|&i| snapshot.products[i].id.as_str() == "p3")
        .collect();
    assert_eq!(p3, vec![3]);
    assert_eq!(snapshot.products.len(), 30);
}

#[test]
fn failures_fail_the_snapshot_as_before_and_a_gone_product_is_dropped() {
    // A product selected but not on Gumroad: its code read says "not found", it is dropped.
    let fake = store(40);
    let mut selected = ids(&fake);
    selected.push(ProductId::from("ghost"));
    let snapshot = snap(&fake, &snapshot_options(), Scope::Products(&selected));
    assert!(snapshot.product(&ProductId::from("ghost")).is_none());
    assert!(!snapshot.codes.contains_key(&ProductId::from("ghost")));
    assert_eq!(snapshot.products.len(), 40);

    // 5xx and lost answers are retried, on pages and code reads alike.
    let fake = store(40);
    fake.fail(Method::Get, "/offer_codes", Fault::Status(502), 3);
    fake.fail(Method::Get, "/v2/products", Fault::DropBefore, 1);
    fake.fail(Method::Get, "/v2/products", Fault::Status(429), 1);
    assert_eq!(
        snap(&fake, &snapshot_options(), Scope::All),
        fake.snapshot()
    );

    // Anything else fails the whole snapshot: a refused code read, a refused page.
    for suffix in ["/p17/offer_codes", "/v2/products"] {
        let fake = store(40);
        fake.fail(Method::Get, suffix, Fault::Status(403), 1);
        let selected = ids(&fake);
        let client = fake.client();
        let clock = FakeClock::default();
        let runner = Runner::new(&client, &clock, &snapshot_options());
        let error = block_on(take(&runner, Scope::Products(&selected))).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Forbidden, "{suffix}");
    }
    // A page that never comes right fails it after its retries.
    let fake = store(40);
    fake.fail(Method::Get, "/v2/products", Fault::Status(500), 100);
    let client = fake.client();
    let clock = FakeClock::default();
    let runner = Runner::new(&client, &clock, &snapshot_options());
    let error = block_on(take(&runner, Scope::All)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
}

#[test]
fn freshness_of_a_product_list() {
    let now = 1_700_000_000_000.0;
    let minute = 60_000.0;
    let done = |status, finished: Option<f64>| JobActivity {
        status,
        finished_at: finished,
    };
    // (fetched minutes ago, jobs, fresh)
    let rows: Vec<(f64, Vec<JobActivity>, bool)> = vec![
        (0.0, vec![], true),
        (1.0, vec![], true),
        (4.9, vec![], true),
        (5.0, vec![], false),
        (60.0, vec![], false),
        (-1.0, vec![], false), // fetched "in the future": the clock went back
        (f64::NAN, vec![], false),
        // A job that finished before the list was fetched changes nothing.
        (
            2.0,
            vec![done(JobStatus::Finished, Some(now - 3.0 * minute))],
            true,
        ),
        (
            2.0,
            vec![done(JobStatus::Cancelled, Some(now - 3.0 * minute))],
            true,
        ),
        // One that finished after it (or as it was fetched) may have written since.
        (
            2.0,
            vec![done(JobStatus::Finished, Some(now - minute))],
            false,
        ),
        (
            2.0,
            vec![done(JobStatus::Failed, Some(now - 2.0 * minute))],
            false,
        ),
        // Running or interrupted: writing now, or stopped at a time no record keeps.
        (2.0, vec![done(JobStatus::Running, None)], false),
        (
            2.0,
            vec![done(JobStatus::Interrupted, Some(now - 9.0 * minute))],
            false,
        ),
        // A finished job whose end time is unknown or unreadable.
        (2.0, vec![done(JobStatus::Finished, None)], false),
        (2.0, vec![done(JobStatus::Finished, Some(f64::NAN))], false),
        // Every job counts.
        (
            2.0,
            vec![
                done(JobStatus::Finished, Some(now - 9.0 * minute)),
                done(JobStatus::Finished, Some(now - minute)),
            ],
            false,
        ),
    ];
    for (i, (ago, jobs, fresh)) in rows.into_iter().enumerate() {
        let list = ProductList {
            items: Vec::new(),
            fetched_at: now - ago * minute,
            jobs,
        };
        assert_eq!(list.is_fresh(now), fresh, "row {i}: {list:?}");
    }
    assert_eq!(LIST_FRESH_FOR_MS, 5.0 * minute);
}

#[test]
fn rereading_a_selection_only_while_it_beats_the_walk() {
    // (selected, listed, reads in flight, re-read) — two reads per product; pages of 10.
    let rows = [
        (1, 1, 16, true),
        (8, 10, 16, true),
        (9, 10, 16, false),
        (10, 5_000, 16, true),
        (400, 500, 16, true),
        (401, 500, 16, false),
        (500, 500, 16, false),
        (5_000, 5_000, 16, false),
        (0, 0, 16, true),
        (20, 10, 4, false),
        (10, 10, 1, false),
        (500, 500, 32, true),
        (5_000, 5_000, 32, true),
        (10, 5, 0, false), // a window of nothing reads one at a time
    ];
    for (selected, listed, window, reread) in rows {
        assert_eq!(
            reread_beats_walk(selected, listed, window),
            reread,
            "{selected} of {listed}, {window} in flight"
        );
    }
}

#[test]
fn a_fresh_list_skips_the_walk_and_a_stale_one_does_not() {
    let clock = FakeClock::default();
    let now = clock.now_ms();
    let jobs_after = vec![JobActivity {
        status: JobStatus::Finished,
        finished_at: Some(now - 1_000.0),
    }];
    // (list fetched ms ago, jobs, walks)
    let rows = [
        (10_000.0, vec![], false),
        (LIST_FRESH_FOR_MS + 1.0, vec![], true),
        (10_000.0, jobs_after, true),
    ];
    for (ago, jobs, walks) in rows {
        let fake = store(60);
        let list = ProductList {
            jobs,
            ..list_of(&fake, now - ago)
        };
        fake.log.borrow_mut().clear();
        let intent = apply_intent(&fake.product_ids()[..30]);
        let plan = block_on(preview_apply_code_with_list(
            &fake.client(),
            &clock,
            &intent,
            Some(&list),
            &snapshot_options(),
        ))
        .unwrap();
        let expected = plan_apply_code(
            &serde_json::from_value::<ApplyCodeIntent>(intent).unwrap(),
            &fake.snapshot(),
            now,
        )
        .unwrap();
        assert_eq!(plan, expected, "{ago}");
        assert_eq!(walked(&fake) > 0, walks, "{ago}");
        assert_eq!(product_reads(&fake), 0, "codes need no product re-read");
    }
}

#[test]
fn a_product_deleted_since_the_list_is_dropped_and_never_written() {
    let clock = FakeClock::default();
    let fake = store(30);
    let list = list_of(&fake, clock.now_ms() - 1_000.0);
    let selected = fake.product_ids();
    fake.products.borrow_mut().retain(|p| p.id.as_str() != "p4");
    let plan = block_on(preview_apply_code_with_list(
        &fake.client(),
        &clock,
        &apply_intent(&selected),
        Some(&list),
        &snapshot_options(),
    ))
    .unwrap();
    assert_eq!(walked(&fake), 0);
    let p4 = plan
        .steps
        .iter()
        .find(|s| s.product_id.as_str() == "p4")
        .unwrap();
    assert_eq!(p4.action.kind(), "skip");
    assert!(!p4.action.writes());
    assert_eq!(
        plan.steps
            .iter()
            .filter(|s| s.action.kind() == "create")
            .count(),
        29
    );
}

#[test]
fn removing_a_code_from_every_product_uses_a_fresh_list_for_every_code_read() {
    let clock = FakeClock::default();
    let fake = store(45);
    let list = list_of(&fake, clock.now_ms() - 1_000.0);
    let intent = json!({"code": "OLD", "productIds": []});
    let plan = block_on(preview_remove_code_with_list(
        &fake.client(),
        &clock,
        &intent,
        Some(&list),
        &snapshot_options(),
    ))
    .unwrap();
    assert_eq!(walked(&fake), 0);
    assert_eq!(fake.log.borrow().len(), 45, "one code read per product");
    assert_eq!(
        plan.steps
            .iter()
            .filter(|s| s.action.kind() == "delete")
            .count(),
        15
    );
}

/// A fresh list whose prices are out of date: the seller changed them on Gumroad since.
fn repriced_since_listed(fake: &FakeGumroad, clock: &FakeClock) -> ProductList {
    let list = list_of(fake, clock.now_ms() - 1_000.0);
    fake.set_price("p1", 200);
    fake.set_price("p2", 5000);
    fake.log.borrow_mut().clear();
    list
}

#[test]
fn a_price_change_never_takes_a_price_from_the_list() {
    let clock = FakeClock::default();
    // A few of many: each selected product is read again, and no walk.
    let fake = store(200);
    let list = repriced_since_listed(&fake, &clock);
    let intent =
        parse_price_intent(&json!({"productIds": ["p1", "p2", "p3"], "change": {"percent": 10}}))
            .unwrap();
    let plan = block_on(preview_price_change_with_list(
        &fake.client(),
        &clock,
        &intent,
        Some(&list),
        &snapshot_options(),
    ))
    .unwrap();
    assert_eq!(
        plan,
        plan_price_change(&intent, &fake.snapshot(), clock.now_ms()).unwrap()
    );
    assert_eq!(walked(&fake), 0);
    assert_eq!(product_reads(&fake), 3);
    let before: Vec<i64> = plan.steps.iter().map(|s| s.price).collect();
    assert_eq!(before, vec![200, 5000, 1000]);

    // Most of a store with few reads in flight: walking is quicker than reading each again.
    let fake = store(20);
    let list = repriced_since_listed(&fake, &clock);
    let all = fake.product_ids();
    let intent =
        parse_price_intent(&json!({"productIds": all, "change": {"percent": 10}})).unwrap();
    let plan = block_on(preview_price_change_with_list(
        &fake.client(),
        &clock,
        &intent,
        Some(&list),
        &window(4),
    ))
    .unwrap();
    assert_eq!(
        plan,
        plan_price_change(&intent, &fake.snapshot(), clock.now_ms()).unwrap()
    );
    assert_eq!(walked(&fake), 2);
    assert_eq!(product_reads(&fake), 0);
}

#[test]
fn parity_percents_are_clamped_by_the_price_read_now() {
    let clock = FakeClock::default();
    let fake = store(100);
    let list = repriced_since_listed(&fake, &clock);
    let intent = ApplyParityIntent {
        mode: CodeMode::PerTier,
        codes: vec![ParityCode {
            code: "PPP60".into(),
            percent: 60,
            countries: vec!["IN".into()],
        }],
        prefix: "PPP".into(),
        on_minimum: MinimumPolicy::Clamp,
        on_conflict: OnConflict::Skip,
        product_ids: vec!["p1".into(), "p2".into()],
    };
    let plan = block_on(preview_apply_parity_with_list(
        &fake.client(),
        &clock,
        &intent,
        Some(&list),
        &snapshot_options(),
    ))
    .unwrap();
    let expected = plan_apply_parity(&intent, &fake.snapshot(), clock.now_ms()).unwrap();
    assert_eq!(plan, expected);
    assert_eq!(walked(&fake), 0);
    assert_eq!(product_reads(&fake), 2);
    // At $2.00 a 60 % code would leave $0.80, under the $0.99 minimum: clamped.
    let stale = plan_apply_parity(&intent, &snapshot_from(&list), clock.now_ms()).unwrap();
    assert_ne!(
        plan.steps, stale.steps,
        "the listed price would have given another percent"
    );
}

/// The snapshot the list alone would give (codes as Gumroad has them).
fn snapshot_from(list: &ProductList) -> Snapshot {
    Snapshot {
        products: list.items.clone(),
        codes: list
            .items
            .iter()
            .map(|p| (p.id.clone(), Vec::new()))
            .collect(),
    }
}

#[test]
fn a_reread_drops_products_deleted_since_and_adds_selected_ones_not_listed() {
    let clock = FakeClock::default();
    let fake = store(12);
    let list = list_of(&fake, clock.now_ms());
    fake.products.borrow_mut().retain(|p| p.id.as_str() != "p5");
    fake.products
        .borrow_mut()
        .push(product("new", "New product", 700, "usd"));
    let mut deleted: Product = product("p6", "Product 6", 1000, "usd");
    deleted.deleted = true;
    // Gumroad shows a soft-deleted product by its id, with `deleted: true`.
    fake.products.borrow_mut().retain(|p| p.id.as_str() != "p6");
    fake.products.borrow_mut().push(deleted);
    let selected: Vec<ProductId> = ["p5", "p6", "p7", "new"].map(ProductId::from).to_vec();
    let client = fake.client();
    let runner = Runner::new(&client, &clock, &snapshot_options());
    let snapshot = block_on(take_from(
        &runner,
        Scope::Products(&selected),
        Catalogue::Reread(&list.items),
    ))
    .unwrap();
    let has = |id: &str| snapshot.product(&ProductId::from(id)).is_some();
    assert!(!has("p5") && !has("p6"));
    assert!(has("p7") && has("new"));
    assert_eq!(snapshot.codes.len(), 2, "codes of p7 and new only");
}
