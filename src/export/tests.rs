//! The export over an in-memory `GET /v2/sales` with the contract's semantics (10 per
//! page, `created_at DESC, id DESC`, cursor `created_at <= t AND id < last_id`, date
//! filters read in the fake seller's time zone, 429s on request), and the CSV tables.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use super::*;
use crate::auth::AccessToken;
use crate::model::{Day, Page, ProductId, Sale, SalesQuery, Subscriber};
use crate::pacing::{Control, ExecOptions};
use crate::runtime::FakeClock;
use crate::transport::{Request, Response, Transport, TransportError};
use crate::{ErrorKind, GumroadClient};

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

fn day(text: &str) -> Day {
    Day::parse(text).unwrap()
}

/// A stored sale: microseconds since the epoch (UTC), id, product.
#[derive(Clone)]
struct Row {
    micros: i64,
    id: u64,
    product: &'static str,
}

/// `GET /v2/sales` over `rows`, filters read at UTC+`offset_hours`; every `throttle_every`th
/// request is a 429.
struct FakeSales {
    rows: Vec<Row>,
    offset_hours: i64,
    throttle_every: usize,
    requests: Cell<usize>,
    sent: RefCell<Vec<Request>>,
}

impl FakeSales {
    /// `count` sales between 2019-03-01 and 2023-12-31 (UTC), clustered: a third on one
    /// launch day, many sharing a second; ids grow with time as database ids do.
    fn seeded(seed: u64, count: usize, offset_hours: i64) -> FakeSales {
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state >> 33
        };
        let start = day("2019-03-01").plus_days(0);
        let start_us = Day::days_until(Day::from_epoch_ms(0.0), start) * 86_400_000_000;
        let span_us = 1_766 * 86_400_000_000_i64;
        let launch_us = start_us + 900 * 86_400_000_000;
        let mut micros: Vec<(i64, &'static str)> = (0..count)
            .map(|i| {
                let r = next() as i64;
                let at = match i % 3 {
                    0 => launch_us + (r % 86_400) * 1_000_000, // one dense day, whole seconds
                    1 => start_us + r % span_us,
                    _ => start_us + span_us - (r % (60 * 86_400_000_000)), // the last two months
                };
                (at, ["p1", "p2", "gone"][(r % 3) as usize])
            })
            .collect();
        micros.sort();
        let rows = micros
            .into_iter()
            .enumerate()
            .map(|(i, (micros, product))| Row {
                micros,
                id: 1000 + i as u64,
                product,
            })
            .rev()
            .collect();
        FakeSales {
            rows,
            offset_hours,
            throttle_every: 0,
            requests: Cell::new(0),
            sent: RefCell::new(Vec::new()),
        }
    }

    fn sale(row: &Row) -> Sale {
        let secs = row.micros.div_euclid(1_000_000);
        let date = Day::from_epoch_ms(secs as f64 * 1000.0);
        let s = secs.rem_euclid(86_400);
        Sale {
            id: format!("sale-{}", row.id),
            created_at: format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60),
            product_id: Some(ProductId::from(row.product)),
            price: Some(100 + (row.id % 7) as i64),
            currency: Some("usd".into()),
            // A few sales carry a custom field of their own: the file's columns must be
            // the union over every page.
            custom_fields: [("Rare", 97), ("Company", 5)]
                .into_iter()
                .filter(|(_, every)| row.id % every == 0)
                .map(|(name, _)| (name.to_owned(), row.id.to_string()))
                .collect(),
            ..Sale::default()
        }
    }

    /// Everything, newest first: what any complete walk must return.
    fn truth(&self, product: Option<&str>) -> Vec<Sale> {
        self.rows
            .iter()
            .filter(|r| product.is_none_or(|p| p == r.product))
            .map(Self::sale)
            .collect()
    }

    /// The start of `day` in the seller's zone, in UTC microseconds.
    fn start_of(&self, text: &str) -> i64 {
        Day::from_epoch_ms(0.0).days_until(day(text)) * 86_400_000_000
            - self.offset_hours * 3_600_000_000
    }

    fn answer(&self, request: &Request) -> Response {
        let param = |name: &str| {
            request
                .query
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let after = param("after").map(|d| self.start_of(&d));
        let before = param("before").map(|d| self.start_of(&d));
        let cursor = param("page_key").map(|key| {
            let (t, id) = key.split_once('-').unwrap();
            (t.parse::<i64>().unwrap(), id.parse::<u64>().unwrap())
        });
        let product = param("product_id");
        let matching: Vec<&Row> = self
            .rows
            .iter()
            .filter(|r| after.is_none_or(|a| r.micros >= a))
            .filter(|r| before.is_none_or(|b| r.micros < b))
            .filter(|r| product.as_deref().is_none_or(|p| p == r.product))
            .filter(|r| cursor.is_none_or(|(t, id)| r.micros <= t && r.id < id))
            .collect();
        let page: Vec<Sale> = matching.iter().take(10).map(|r| Self::sale(r)).collect();
        let mut body = serde_json::json!({"success": true, "sales": page});
        if matching.len() > 10 {
            let last = matching[9];
            body["next_page_key"] = format!("{:020}-{}", last.micros, last.id).into();
        }
        Response {
            status: 200,
            content_type: Some("application/json".into()),
            www_authenticate: None,
            body: body.to_string(),
        }
    }
}

impl Transport for FakeSales {
    async fn send(
        &self,
        request: &Request,
        _: Option<&AccessToken>,
    ) -> Result<Response, TransportError> {
        let n = self.requests.get() + 1;
        self.requests.set(n);
        self.sent.borrow_mut().push(request.clone());
        // Let other requests in flight be polled in between, as real ones would.
        crate::runtime::Clock::sleep(&FakeClock::new(0.0), 0).await;
        if self.throttle_every > 0 && n % self.throttle_every == 0 {
            return Ok(Response {
                status: 429,
                content_type: Some("text/plain".into()),
                www_authenticate: None,
                body: "Retry later\n".into(),
            });
        }
        Ok(self.answer(request))
    }
}

fn client(fake: FakeSales) -> GumroadClient<FakeSales> {
    GumroadClient::new(
        fake,
        AccessToken::parse("tok_0123456789abcdefghijklmnopqrstuvwxyzABCD").unwrap(),
    )
}

fn ids(sales: &[Sale]) -> Vec<&str> {
    sales.iter().map(|s| s.id.as_str()).collect()
}

/// 2024-06-15 noon UTC.
const NOW: f64 = 1_718_452_800_000.0;

#[test]
fn sharded_export_equals_the_sequential_walk_and_the_store() {
    // (seed, sales, zone, product, 429 every, concurrency)
    type Case = (u64, usize, i64, Option<&'static str>, usize, usize);
    let rows: [Case; 7] = [
        (1, 0, 0, None, 0, 4),
        (2, 7, 0, None, 0, 4),
        (3, 600, 0, None, 0, 1),
        (4, 600, 9, None, 0, 8),
        (5, 600, -8, None, 5, 4),
        (6, 1_500, 14, Some("gone"), 0, 16),
        (7, 1_500, -11, None, 7, 64),
    ];
    for (seed, count, zone, product, throttle, concurrency) in rows {
        let mut fake = FakeSales::seeded(seed, count, zone);
        fake.throttle_every = throttle;
        let truth = fake.truth(product);
        let client = client(fake);
        let clock = FakeClock::new(NOW);
        let options = ExecOptions {
            initial_concurrency: concurrency,
            max_concurrency: concurrency,
            max_attempts: 20,
            ..ExecOptions::default()
        };
        let query = SalesQuery {
            product_id: product.map(ProductId::from),
            ..SalesQuery::default()
        };
        let sharded = block_on(export_sales(&client, &clock, &query, &options)).unwrap();
        let sharded_requests = client.transport().requests.get();
        let sequential =
            block_on(walk_sales_sequentially(&client, &clock, &query, &options)).unwrap();
        assert_eq!(
            ids(&sequential),
            ids(&truth),
            "seed {seed}: sequential walk"
        );
        assert_eq!(sharded, sequential, "seed {seed}: sharded = sequential");
        let pages = count.div_ceil(10);
        assert!(
            sharded_requests <= pages * 2 + 40 + throttle.min(1) * pages,
            "seed {seed}: {sharded_requests} requests for {pages} pages"
        );
        if throttle > 0 {
            assert!(!clock.sleeps().is_empty(), "429s were waited out");
        }
        if let Some(p) = product {
            let sent = client.transport().sent.borrow();
            assert!(sent
                .iter()
                .all(|r| r.query.contains(&("product_id".into(), p.into()))));
        }
    }
}

#[test]
fn any_order_of_splits_gives_the_same_file() {
    let fake = FakeSales::seeded(11, 800, 3);
    let truth = fake.truth(None);
    let client = client(fake);
    for target in [1, 2, 3, 5, 8, 13, 100] {
        let mut state = ExportState::new(SalesQuery::default(), Day::from_epoch_ms(NOW)).unwrap();
        state.target_shards = target;
        let mut chunks = BTreeMap::new();
        // Apply pages one shard at a time, rotating, to vary when splits happen.
        let mut turn = 0usize;
        while !state.is_done() {
            let requests = state.next_requests();
            let fetch = &requests[turn % requests.len()];
            turn += 7;
            let page =
                block_on(client.sales_page(&fetch.query, fetch.page_key.as_deref())).unwrap();
            let chunk = state.apply_page(fetch, page).unwrap();
            chunks.insert(chunk.key(), chunk.sales);
        }
        let sales = assemble(&state, &chunks).unwrap();
        assert_eq!(ids(&sales), ids(&truth), "target {target}");
        // The runs of pages name the same keys in the same order.
        let from_runs: Vec<ChunkKey> = state
            .page_runs()
            .into_iter()
            .flat_map(|run| {
                (1..=run.pages).map(move |page| ChunkKey {
                    shard: run.shard,
                    page,
                })
            })
            .collect();
        assert_eq!(from_runs, state.chunk_order(), "target {target}");
        // The columns collected as pages came in, in whatever order, are the file's.
        assert_eq!(
            state.custom_fields,
            Some(custom_field_names(&truth)),
            "target {target}"
        );
        let initial = ExportState::new(SalesQuery::default(), Day::from_epoch_ms(NOW)).unwrap();
        if target == 100 {
            assert!(
                state.shards.len() > initial.shards.len() + 10,
                "dense shards were split"
            );
        }
        // The shards still partition the range, newest first.
        for pair in state.shards.windows(2) {
            assert_eq!(pair[0].after, pair[1].before, "target {target}");
        }
    }
}

/// Cancels after `after` chunks; stores chunks as the worker would.
struct Checkpointing {
    chunks: RefCell<BTreeMap<ChunkKey, Vec<Sale>>>,
    states: RefCell<Vec<String>>,
    cancel_after: usize,
}

impl ExportObserver for Checkpointing {
    async fn on_chunk(&self, chunk: &Chunk, state: &ExportState) -> Control {
        self.chunks
            .borrow_mut()
            .insert(chunk.key(), chunk.sales.clone());
        self.states
            .borrow_mut()
            .push(serde_json::to_string(state).unwrap());
        if self.chunks.borrow().len() >= self.cancel_after {
            Control::Cancel
        } else {
            Control::Continue
        }
    }
}

#[test]
fn a_resumed_export_loses_and_repeats_nothing() {
    let fake = FakeSales::seeded(21, 900, -5);
    let truth = fake.truth(None);
    let client = client(fake);
    let clock = FakeClock::new(NOW);
    let options = ExecOptions::default();
    let observer = Checkpointing {
        chunks: RefCell::default(),
        states: RefCell::default(),
        cancel_after: 25,
    };
    let mut state = ExportState::new(SalesQuery::default(), Day::from_epoch_ms(NOW)).unwrap();
    let error = block_on(run_export(&client, &clock, &mut state, &options, &observer)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    // The worker died after storing the chunks but before the last two states: resume from
    // an older checkpoint; the pages fetched again land on the same keys.
    let states = observer.states.borrow().clone();
    let mut resumed: ExportState = serde_json::from_str(&states[states.len() - 3]).unwrap();
    let observer = Checkpointing {
        chunks: RefCell::new(observer.chunks.into_inner()),
        states: RefCell::default(),
        cancel_after: usize::MAX,
    };
    block_on(run_export(
        &client,
        &clock,
        &mut resumed,
        &options,
        &observer,
    ))
    .unwrap();
    let sales = assemble(&resumed, &observer.chunks.borrow()).unwrap();
    assert_eq!(ids(&sales), ids(&truth));
    assert!(resumed.progress().done);
    assert_eq!(resumed.progress().rows, truth.len() as u64);
    // The checkpoint's columns cover the pages stored with it, the resumed ones included.
    assert_eq!(
        resumed.custom_fields.as_deref(),
        Some(&["Company".to_owned(), "Rare".to_owned()][..])
    );
}

#[test]
fn a_dense_single_day_is_walked_by_its_cursor_not_split() {
    let fake = FakeSales::seeded(31, 300, 0);
    let launch = day("2019-03-01").plus_days(900);
    let query = SalesQuery {
        after: Some(launch),
        before: Some(launch.plus_days(1)),
        product_id: None,
    };
    let expected = fake
        .truth(None)
        .into_iter()
        .filter(|s| s.created_at.starts_with(&launch.to_string()))
        .count();
    assert!(expected > 50);
    let client = client(fake);
    let sales = block_on(export_sales(
        &client,
        &FakeClock::new(NOW),
        &query,
        &ExecOptions::default(),
    ))
    .unwrap();
    assert_eq!(sales.len(), expected);
    assert_eq!(client.transport().requests.get(), expected.div_ceil(10));
}

#[test]
fn initial_shards_cover_the_range_coarsely() {
    let today = day("2024-06-15");
    let q = |after: Option<&str>, before: Option<&str>| SalesQuery {
        after: after.map(day),
        before: before.map(day),
        product_id: None,
    };
    let show = |state: &ExportState| -> Vec<String> {
        state
            .shards
            .iter()
            .map(|s| {
                format!(
                    "{}..{}",
                    s.after.map_or("*".into(), |d| d.to_string()),
                    s.before.map_or("*".into(), |d| d.to_string())
                )
            })
            .collect()
    };
    // (query, shard count, first, last)
    let rows = [
        (q(None, None), 16, "2024-06-17..*", "*..2011-04-01"),
        (
            q(Some("2024-01-10"), Some("2024-04-02")),
            4,
            "2024-04-01..2024-04-02",
            "2024-01-10..2024-02-01",
        ),
        (
            q(Some("2024-03-05"), Some("2024-03-20")),
            1,
            "2024-03-05..2024-03-20",
            "2024-03-05..2024-03-20",
        ),
        (
            q(Some("2020-07-01"), None),
            6,
            "2024-06-17..*",
            "2020-07-01..2021-01-01",
        ),
        (
            q(None, Some("2010-01-01")),
            1,
            "*..2010-01-01",
            "*..2010-01-01",
        ),
    ];
    for (query, count, first, last) in rows {
        let state = ExportState::new(query.clone(), today).unwrap();
        let shown = show(&state);
        assert_eq!(shown.len(), count, "{shown:?}");
        assert_eq!(
            (shown[0].as_str(), shown[count - 1].as_str()),
            (first, last),
            "{shown:?}"
        );
        assert_eq!(state.shards[0].before, query.before);
        assert_eq!(state.shards[count - 1].after, query.after);
        for pair in state.shards.windows(2) {
            assert_eq!(pair[0].after, pair[1].before, "{shown:?}");
        }
    }
    assert!(ExportState::new(q(Some("2024-01-02"), Some("2024-01-02")), today).is_err());
}

#[test]
fn state_json_shape_is_camel_case() {
    // A state kept before the columns were collected reads as "not collected".
    let mut old =
        serde_json::to_value(ExportState::new(SalesQuery::default(), day("2024-06-15")).unwrap())
            .unwrap();
    old.as_object_mut().unwrap().remove("customFields");
    let old: ExportState = serde_json::from_value(old).unwrap();
    assert_eq!(old.custom_fields, None);

    let mut state = ExportState::new(
        SalesQuery {
            after: Some(day("2024-03-05")),
            before: Some(day("2024-03-20")),
            product_id: None,
        },
        day("2024-06-15"),
    )
    .unwrap();
    let fetch = state.next_requests().remove(0);
    let page = Page {
        items: vec![
            Sale {
                id: "s".into(),
                ..Sale::default()
            };
            10
        ],
        next_page_key: Some("k1".into()),
    };
    let chunk = state.apply_page(&fetch, page).unwrap();
    assert_eq!(
        serde_json::to_value(&state).unwrap(),
        serde_json::json!({
            "query": {"after": "2024-03-05", "before": "2024-03-20", "productId": null},
            "shards": [
                {"id": 0, "after": "2024-03-12", "before": "2024-03-20", "pageKey": "k1",
                 "done": false, "pages": 1, "rows": 10},
                {"id": 1, "after": "2024-03-05", "before": "2024-03-12", "pageKey": "k1",
                 "done": false, "pages": 0, "rows": 0}
            ],
            "nextShardId": 2, "targetShards": DEFAULT_TARGET_SHARDS, "expectedTotal": null,
            "startedMs": null, "customFields": []
        })
    );
    assert_eq!((chunk.shard, chunk.page), (0, 1));
    assert_eq!(
        serde_json::to_value(&state.next_requests()[1]).unwrap(),
        serde_json::json!({"shard": 1, "page": 1, "pageKey": "k1",
            "query": {"after": "2024-03-05", "before": "2024-03-12", "productId": null}})
    );
    assert_eq!(state.progress().estimated_total, 30);
    // The same answer again is refused rather than stored twice.
    let again = Page {
        items: vec![],
        next_page_key: None,
    };
    assert_eq!(
        state.apply_page(&fetch, again).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    // A cursor that does not move is a cycle.
    let fetch = state.next_requests().remove(0);
    let stuck = Page {
        items: vec![Sale {
            id: "t".into(),
            ..Sale::default()
        }],
        next_page_key: Some("k1".into()),
    };
    assert_eq!(
        state.apply_page(&fetch, stuck).unwrap_err().kind(),
        ErrorKind::Decode
    );
}

// ---- CSV ----

fn sale(json: serde_json::Value) -> Sale {
    serde_json::from_value(json).unwrap()
}

#[test]
fn cells_are_quoted_and_formulas_defused() {
    // (buyer-supplied name, cell as written)
    let rows = [
        ("Ada Lovelace", "Ada Lovelace"),
        ("Lovelace, Ada", "\"Lovelace, Ada\""),
        ("Ada \"The Countess\"", "\"Ada \"\"The Countess\"\"\""),
        ("Ada\nLovelace", "\"Ada\nLovelace\""),
        ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "\"'\tTab\""),
        ("\rCR", "\"'\rCR\""),
        ("=1,2", "\"'=1,2\""),
        ("a=b", "a=b"),
        ("x;=1+1;", "\"x;'=1+1;\""),
        ("x\t-1", "\"x\t'-1\""),
    ];
    let options = CsvOptions {
        bom: false,
        columns: vec![SaleColumn::Id, SaleColumn::FullName],
        custom_fields: true,
        ..CsvOptions::default()
    };
    for (name, cell) in rows {
        let s = sale(
            serde_json::json!({"id": "s1", "full_name": name, "custom_fields": {"Note": name}}),
        );
        let csv = sales_csv(&[s], &options, BTreeMap::new());
        assert_eq!(
            csv,
            format!("id,full_name,custom: Note\r\ns1,{cell},{cell}\r\n"),
            "{name:?}"
        );
    }
    let s = sale(serde_json::json!({"id": "s1", "custom_fields": {"=cmd": "x"}}));
    assert!(sales_csv(&[s], &options, BTreeMap::new()).starts_with("id,full_name,custom: =cmd\r\n"));
}

#[test]
fn sales_file_has_amounts_currencies_and_custom_columns() {
    let sales = [
        sale(
            serde_json::json!({"id": "a", "created_at": "2024-02-01T10:00:00Z", "email": "x@y.z",
            "product_id": "p", "product_name": "Book", "price": 1299, "gumroad_fee": 130,
            "currency": "usd", "custom_fields": {"Company": "ACME"}, "variants": {"Size": "L"},
            "offer_code": {"code": "SAVE10"}, "can_contact": true, "quantity": 1}),
        ),
        sale(
            serde_json::json!({"id": "b", "created_at": "2024-01-01T00:00:00Z", "product_id": "j",
            "price": 1500, "refunded": true, "custom_fields": {"Agree": true}}),
        ),
    ];
    let products = BTreeMap::from([(ProductId::from("j"), "jpy".to_owned())]);
    let csv = sales_csv(&sales, &CsvOptions::default(), products);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines[0], "\u{FEFF}id,created_at,order_id,email,full_name,country,product_id,product_name,variants,quantity,price,gumroad_fee,currency,offer_code,refunded,partially_refunded,can_contact,custom: Agree,custom: Company");
    assert_eq!(lines[1], "a,2024-02-01T10:00:00Z,,x@y.z,,,p,Book,Size: L,1,12.99,1.30,USD,SAVE10,false,false,true,,ACME");
    assert_eq!(
        lines[2],
        "b,2024-01-01T00:00:00Z,,,,,j,,,,1500,,JPY,,true,false,,true,"
    );
    assert_eq!(lines.len(), 4);
    // Written in chunks, it is the same file.
    let writer = SalesCsv::new(
        &CsvOptions::default(),
        custom_field_names(&sales),
        BTreeMap::from([(ProductId::from("j"), "jpy".to_owned())]),
    );
    assert_eq!(
        writer.header() + &writer.rows(&sales[..1]) + &writer.rows(&sales[1..]),
        csv
    );
    // (minor, currency, text)
    for (minor, currency, text) in [
        (0, Some("usd"), "0.00"),
        (5, Some("eur"), "0.05"),
        (-250, Some("gbp"), "-2.50"),
        (123456789, Some("usd"), "1234567.89"),
        (1500, Some("JPY"), "1500"),
        (7, None, "0.07"),
        (7, Some("xyz"), "0.07"),
    ] {
        assert_eq!(decimal_amount(minor, currency), text);
    }
}

#[test]
fn customers_group_by_email_with_totals_per_currency() {
    let sales = [
        sale(
            serde_json::json!({"id": "1", "email": "Ann@x.com", "full_name": "Ann", "country": "France",
            "created_at": "2024-03-01T00:00:00Z", "product_name": "B", "price": 500, "currency": "eur", "can_contact": false}),
        ),
        sale(
            serde_json::json!({"id": "2", "email": "ann@x.com ", "full_name": "Ann, Smith", "created_at": "2024-01-01T00:00:00Z",
            "product_name": "A", "price": 1200, "currency": "usd", "can_contact": true}),
        ),
        sale(
            serde_json::json!({"id": "3", "email": "ann@x.com", "created_at": "2024-02-01T00:00:00Z",
            "product_name": "A", "price": 999, "currency": "usd", "refunded": true}),
        ),
        sale(
            serde_json::json!({"id": "4", "email": "=evil@x.com", "full_name": "@bob", "created_at": "2024-02-01T00:00:00Z",
            "price": 100, "currency": "usd", "partially_refunded": true}),
        ),
        sale(serde_json::json!({"id": "5", "created_at": "2024-02-01T00:00:00Z", "price": 100})),
    ];
    let mut forward = Customers::default();
    forward.add(&sales);
    let mut backward = Customers::default();
    for s in sales.iter().rev() {
        backward.add(std::slice::from_ref(s));
    }
    let options = CsvOptions {
        bom: false,
        ..CsvOptions::default()
    };
    let csv = forward.csv(&options);
    assert_eq!(
        csv,
        backward.csv(&options),
        "order of chunks does not matter"
    );
    assert_eq!(
        csv,
        "email,name,country,orders,total_spent,first_purchase,last_purchase,products,refunded,can_contact\r\n\
         '=evil@x.com,'@bob,,1,USD 1.00,2024-02-01T00:00:00Z,2024-02-01T00:00:00Z,,1,\r\n\
         ann@x.com,Ann,France,3,\"EUR 5.00; USD 12.00\",2024-01-01T00:00:00Z,2024-03-01T00:00:00Z,\"A; B\",1,false\r\n"
    );
}

#[test]
fn subscribers_file_lists_status() {
    let subscribers: Vec<crate::model::Subscriber> = serde_json::from_value(serde_json::json!([
        {"id": "s1", "email": "a@b.c", "status": "alive", "product_id": "p", "product_name": "Club",
         "recurrence": "monthly", "created_at": "2024-01-01T00:00:00Z", "charge_occurrence_count": 3,
         "purchase_ids": ["x", "y"]},
        {"id": "s2", "user_email": "-d@e.f", "status": "pending_cancellation"}
    ]))
    .unwrap();
    let csv = subscribers_csv(&subscribers, &CsvOptions::default());
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert!(lines[0].starts_with("\u{FEFF}id,email,status,"));
    assert_eq!(
        lines[1],
        "s1,a@b.c,alive,p,Club,monthly,2024-01-01T00:00:00Z,3,,,,,,\"x; y\","
    );
    assert_eq!(lines[2], "s2,'-d@e.f,pending_cancellation,,,,,,,,,,,,");
}

/// Two pages of subscribers, then none; records the queries.
struct FakeSubscribers(RefCell<Vec<Request>>);

impl Transport for FakeSubscribers {
    async fn send(
        &self,
        request: &Request,
        _: Option<&AccessToken>,
    ) -> Result<Response, TransportError> {
        self.0.borrow_mut().push(request.clone());
        let body = if request.query.iter().any(|(n, _)| n == "page_key") {
            r#"{"success":true,"subscribers":[{"id":"s2","status":"cancelled"}]}"#
        } else {
            r#"{"success":true,"subscribers":[{"id":"s1","status":"alive"}],"next_page_key":"k"}"#
        };
        Ok(Response {
            status: 200,
            content_type: Some("application/json".into()),
            www_authenticate: None,
            body: body.into(),
        })
    }
}

#[test]
fn subscribers_are_read_paginated_until_the_key_is_absent() {
    let client = GumroadClient::new(
        FakeSubscribers(RefCell::default()),
        AccessToken::parse("tok_0123456789abcdefghijklmnopqrstuvwxyzABCD").unwrap(),
    );
    let all = block_on(client.subscribers(&ProductId::from("a/b"))).unwrap();
    assert_eq!(
        all.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["s1", "s2"]
    );
    let sent = client.transport().0.borrow();
    assert_eq!(sent[0].path, "/v2/products/a%2Fb/subscribers");
    assert_eq!(sent[0].query, [("paginated".to_owned(), "true".to_owned())]);
    assert_eq!(
        sent[1].query,
        [
            ("paginated".to_owned(), "true".to_owned()),
            ("page_key".to_owned(), "k".to_owned())
        ]
    );
}

#[test]
fn every_default_sales_column_is_offered_once() {
    use crate::export::SaleColumn;
    let all: std::collections::HashSet<_> = SaleColumn::ALL.into_iter().collect();
    assert_eq!(all.len(), SaleColumn::ALL.len(), "no column offered twice");
    assert!(SaleColumn::DEFAULT.iter().all(|c| all.contains(c)));
}

// ---- Starting an export ----

/// A cached product as `listProducts` gives it, with `json`'s fields.
fn product(json: serde_json::Value) -> ExportProduct {
    let mut full = serde_json::json!({"name": "P", "price": 100, "currency": "usd",
        "published": true, "variants": [], "tags": ["x"]});
    full.as_object_mut()
        .unwrap()
        .extend(json.as_object().unwrap().clone());
    serde_json::from_value(full).unwrap()
}

fn request(json: serde_json::Value) -> ExportRequest {
    serde_json::from_value(json).unwrap()
}

/// 2024-06-15T12:00:00Z.
const NOON_MS: u64 = 1_718_452_800_000;

#[test]
fn export_file_names_slug_the_store_and_name_the_range() {
    // (store name, kind, after, before, file name) — as the worker named files before.
    for (store, kind, after, before, name) in [
        (
            Some("Sandbox Studio"),
            ExportKind::Sales,
            None,
            None,
            "sandbox-studio-sales-all-time.csv",
        ),
        (
            Some("  Ünïcode -- Shop!! "),
            ExportKind::Customers,
            Some("2024-01-01"),
            None,
            "n-code-shop-customers-2024-01-01-to-today.csv",
        ),
        (
            None,
            ExportKind::Sales,
            None,
            Some("2024-06-01"),
            "gumroad-sales-start-to-2024-06-01.csv",
        ),
        (
            Some(""),
            ExportKind::Subscribers,
            None,
            None,
            "gumroad-subscribers-all-time.csv",
        ),
        (
            Some("!!!"),
            ExportKind::Sales,
            Some("2024-01-01"),
            Some("2024-02-01"),
            "gumroad-sales-2024-01-01-to-2024-02-01.csv",
        ),
        (
            Some("ACME_2"),
            ExportKind::Sales,
            None,
            None,
            "acme-2-sales-all-time.csv",
        ),
        (
            Some("İstanbul \u{212A}"),
            ExportKind::Sales,
            None,
            None,
            "i-stanbul-k-sales-all-time.csv",
        ),
        (
            Some("-a-"),
            ExportKind::Sales,
            None,
            None,
            "a-sales-all-time.csv",
        ),
    ] {
        let query = SalesQuery {
            after: after.map(day),
            before: before.map(day),
            product_id: None,
        };
        assert_eq!(export_filename(store, kind, &query), name, "{store:?}");
    }
}

#[test]
fn the_progress_hint_sums_sales_counts_only_when_every_counted_product_has_one() {
    let a = product(serde_json::json!({"id": "a", "sales_count": 120}));
    let b = product(serde_json::json!({"id": "b", "sales_count": 3}));
    let unknown = product(serde_json::json!({"id": "u", "sales_count": null}));
    let (id_a, id_u, id_x) = (
        ProductId::from("a"),
        ProductId::from("u"),
        ProductId::from("x"),
    );
    // (products, product filter, hint)
    for (products, only, hint) in [
        (vec![a.clone(), b.clone()], None, Some(123)),
        (vec![a.clone(), b.clone()], Some(&id_a), Some(120)),
        (vec![a.clone(), unknown.clone()], None, None),
        (vec![a.clone(), unknown.clone()], Some(&id_a), Some(120)),
        (vec![a.clone(), unknown.clone()], Some(&id_u), None),
        (vec![a.clone()], Some(&id_x), None),
        (vec![], None, None),
    ] {
        assert_eq!(expected_total(&products, only), hint, "{only:?}");
    }
}

#[test]
fn starting_a_sales_export_plans_the_walk_the_hint_the_currencies_and_the_name() {
    let products = [
        product(serde_json::json!({"id": "a", "currency": "usd", "sales_count": 7})),
        product(serde_json::json!({"id": "j", "currency": "jpy", "sales_count": 5})),
    ];
    let start = start_export(
        request(serde_json::json!({"kind": "customers", "after": "2024-01-01", "before": "",
            "productId": "", "bom": false, "columns": ["id", "email"], "storeName": "Sandbox Studio"})),
        &products,
        NOON_MS,
    )
    .unwrap();
    assert_eq!(start.kind, ExportKind::Customers);
    assert_eq!(
        start.filename,
        "sandbox-studio-customers-2024-01-01-to-today.csv"
    );
    assert_eq!(
        start.query,
        SalesQuery {
            after: Some(day("2024-01-01")),
            before: None,
            product_id: None,
        }
    );
    assert!(!start.options.bom);
    assert_eq!(start.options.columns, [SaleColumn::Id, SaleColumn::Email]);
    assert_eq!(
        start.product_currencies,
        BTreeMap::from([
            (ProductId::from("a"), "usd".to_owned()),
            (ProductId::from("j"), "jpy".to_owned()),
        ])
    );
    assert_eq!(start.product_ids, None);
    let state = start.state.expect("a sales walk");
    assert_eq!(state.expected_total, Some(12));
    assert_eq!(state.started_ms, Some(NOON_MS));
    assert_eq!(state, {
        let mut plain = ExportState::new(start.query.clone(), day("2024-06-15")).unwrap();
        plain.expected_total = Some(12);
        plain.started_ms = Some(NOON_MS);
        plain
    });

    // Nothing said: the byte-order mark and the default columns.
    let start = start_export(
        request(serde_json::json!({"kind": "sales", "columns": null})),
        &[],
        NOON_MS,
    )
    .unwrap();
    assert!(start.options.bom && start.options.columns.is_empty());
    assert_eq!(start.filename, "gumroad-sales-all-time.csv");
    assert_eq!(start.state.unwrap().expected_total, None);
}

#[test]
fn a_bad_start_is_refused_before_any_request() {
    // (form, message)
    for (form, message) in [
        (serde_json::json!({}), "Choose what to export."),
        (
            serde_json::json!({"kind": "orders"}),
            "Choose what to export.",
        ),
        (serde_json::json!({"kind": ""}), "Choose what to export."),
        (
            serde_json::json!({"kind": "sales", "after": "2024-02-01", "before": "2024-01-01"}),
            "The date range is empty: it starts on 2024-02-01 and ends before 2024-01-01.",
        ),
        (
            serde_json::json!({"kind": "sales", "after": "soon"}),
            "'soon' is not a date; dates are written YYYY-MM-DD.",
        ),
        (
            serde_json::json!({"kind": "subscribers"}),
            "No product of this store has subscribers (no memberships).",
        ),
    ] {
        let products = [product(
            serde_json::json!({"id": "a", "subscription_duration": ""}),
        )];
        let error = start_export(request(form.clone()), &products, NOON_MS).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{form}");
        assert_eq!(error.message(), message, "{form}");
    }
}

#[test]
fn subscribers_are_read_from_the_memberships_or_the_chosen_product() {
    let products = [
        product(serde_json::json!({"id": "book"})),
        product(serde_json::json!({"id": "club", "is_tiered_membership": true})),
        product(serde_json::json!({"id": "news", "subscription_duration": "monthly"})),
        product(serde_json::json!({"id": "blank", "subscription_duration": ""})),
    ];
    assert_eq!(
        memberships(&products),
        [ProductId::from("club"), ProductId::from("news")]
    );
    // The date range does not apply to subscribers: neither in the file name nor checked.
    let start = start_export(
        request(
            serde_json::json!({"kind": "subscribers", "after": "2024-02-01",
            "before": "2024-01-01", "storeName": "Club"}),
        ),
        &products,
        NOON_MS,
    )
    .unwrap();
    assert_eq!(start.filename, "club-subscribers-all-time.csv");
    assert_eq!(start.state, None);
    assert_eq!(start.query, SalesQuery::default());
    assert_eq!(
        start.product_ids,
        Some(vec![ProductId::from("club"), ProductId::from("news")])
    );
    let chosen = start_export(
        request(serde_json::json!({"kind": "subscribers", "productId": "book"})),
        &products,
        NOON_MS,
    )
    .unwrap();
    assert_eq!(chosen.product_ids, Some(vec![ProductId::from("book")]));
}

#[test]
fn custom_field_columns_unite_the_chunks_in_code_point_order() {
    let chunk = |names: &[&str]| {
        let fields: serde_json::Map<String, serde_json::Value> = names
            .iter()
            .map(|name| ((*name).to_owned(), serde_json::Value::from("x")))
            .collect();
        vec![sale(
            serde_json::json!({"id": "s", "custom_fields": fields}),
        )]
    };
    let mut so_far = Vec::new();
    for names in [
        &["company", "Company", "_note"][..],
        &["a b", "a", "Zeta", "company"][..],
        &[][..],
        &["10", "9", "ab", "a-b", "~x", "Ünï"][..],
    ] {
        so_far = custom_field_names_with(so_far, &chunk(names));
    }
    // What JS's `sort()` gave for these (UTF-16 order, the same as code points here).
    assert_eq!(
        so_far,
        ["10", "9", "Company", "Zeta", "_note", "a", "a b", "a-b", "ab", "company", "~x", "Ünï"]
    );
    // Where the two orders part: an emoji (beyond U+FFFF) after a full-width letter.
    assert_eq!(
        custom_field_names_with(vec!["\u{1F600} mood".to_owned()], &chunk(&["\u{FF5A}eta"])),
        ["\u{FF5A}eta", "\u{1F600} mood"]
    );
}

#[test]
fn time_left_is_worded_from_the_pace_so_far() {
    let progress = |rows, estimated_total| ExportProgress {
        rows,
        pages: 1,
        shards: 1,
        shards_done: 0,
        estimated_total,
        done: false,
        time_left: None,
    };
    // (rows, estimated total, ms since the start, text)
    for (rows, total, elapsed, text) in [
        (100, 200, 10_000, Some("about 10 s left")),
        (100, 101, 10_000, Some("about 1 s left")),
        (1000, 1001, 100, Some("about 1 s left")),
        (100, 989, 10_000, Some("about 89 s left")),
        (100, 1000, 10_000, Some("about 2 min left")),
        (10, 2_000, 60_000, Some("about 199 min left")),
        (0, 2_000, 60_000, None),
        (2_000, 2_000, 60_000, None),
        (2_100, 2_000, 60_000, None),
    ] {
        assert_eq!(
            progress(rows, total).time_left_after(elapsed).as_deref(),
            text,
            "{rows} of {total} after {elapsed} ms"
        );
    }
    // From the state: only with a start time.
    let mut state = ExportState::new(SalesQuery::default(), day("2024-06-15")).unwrap();
    state.expected_total = Some(40);
    state.shards[0].rows = 10;
    assert_eq!(state.progress_at(NOON_MS).time_left, None);
    state.started_ms = Some(NOON_MS - 5_000);
    assert_eq!(
        state.progress_at(NOON_MS).time_left.as_deref(),
        Some("about 15 s left")
    );
    assert_eq!(state.progress().time_left, None);
}

#[test]
fn a_partially_refunded_sale_counts_what_the_buyer_kept() {
    let sales = [
        sale(
            serde_json::json!({"id": "1", "email": "ann@x.com", "created_at": "2024-01-01T00:00:00Z",
            "price": 1200, "currency": "usd", "partially_refunded": true,
            "amount_refundable_in_currency": "9.50"}),
        ),
        sale(
            serde_json::json!({"id": "2", "email": "ann@x.com", "created_at": "2024-01-02T00:00:00Z",
            "price": 1500, "currency": "jpy", "partially_refunded": true,
            "amount_refundable_in_currency": "1000"}),
        ),
        sale(
            serde_json::json!({"id": "3", "email": "ann@x.com", "created_at": "2024-01-03T00:00:00Z",
            "price": 300, "currency": "usd", "amount_refundable_in_currency": "3.00"}),
        ),
    ];
    let mut customers = Customers::default();
    customers.add(&sales);
    let ann = customers.list().next().unwrap();
    assert_eq!(
        ann.spent,
        BTreeMap::from([("jpy".to_owned(), 1000), ("usd".to_owned(), 1250)])
    );
    assert_eq!(ann.refunded, 2);
}

#[test]
fn every_file_follows_the_chosen_separator() {
    let options = CsvOptions {
        bom: false,
        columns: vec![SaleColumn::Id, SaleColumn::FullName, SaleColumn::Price],
        custom_fields: false,
        separator: Separator::Semicolon,
    };
    let sales = [sale(
        serde_json::json!({"id": "s1", "email": "a@b.c", "full_name": "x;=1+1;",
        "created_at": "2024-01-01T00:00:00Z", "price": 1250, "currency": "eur", "product_name": "A, B"}),
    )];
    assert_eq!(
        sales_csv(&sales, &options, BTreeMap::new()),
        "id;full_name;price\r\ns1;\"x;'=1+1;\";12.50\r\n"
    );
    let mut customers = Customers::default();
    customers.add(&sales);
    assert_eq!(
        customers.csv(&options),
        "email;name;country;orders;total_spent;first_purchase;last_purchase;products;refunded;can_contact\r\n\
         a@b.c;\"x;'=1+1;\";;1;EUR 12.50;2024-01-01T00:00:00Z;2024-01-01T00:00:00Z;\"A, B\";0;\r\n"
    );
    let subscribers = subscribers_csv(&[Subscriber::default()], &options);
    assert!(subscribers.starts_with("id;email;status;"), "{subscribers}");
    assert!(
        subscribers.ends_with("\r\n;;;;;;;;;;;;;;\r\n"),
        "{subscribers}"
    );
}

#[test]
fn the_separator_is_the_one_chosen_or_follows_the_decimal_comma() {
    let products = [product(serde_json::json!({"id": "p1"}))];
    // (separator, decimal separator the page read, separator of the files)
    let rows = [
        (None, None, Separator::Comma),
        (None, Some("."), Separator::Comma),
        (None, Some(","), Separator::Semicolon),
        (Some("auto"), Some(","), Separator::Semicolon),
        (Some(""), Some(","), Separator::Semicolon),
        (Some(","), Some(","), Separator::Comma),
        (Some(";"), Some("."), Separator::Semicolon),
    ];
    for (separator, decimal, expected) in rows {
        let start = start_export(
            request(serde_json::json!({"kind": "sales", "separator": separator,
                "decimalSeparator": decimal})),
            &products,
            NOON_MS,
        )
        .unwrap();
        assert_eq!(
            start.options.separator, expected,
            "{separator:?} {decimal:?}"
        );
    }
    let error = start_export(
        request(serde_json::json!({"kind": "sales", "separator": "|"})),
        &products,
        NOON_MS,
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        serde_json::to_value(
            &start_export(
                request(serde_json::json!({"kind": "sales", "separator": ";"})),
                &products,
                NOON_MS
            )
            .unwrap()
            .options
        )
        .unwrap()["separator"],
        ";"
    );
}

/// Disconnects the account (sets its stop flag) at the `at`-th chunk, noting how many
/// requests the store had received by then.
struct DisconnectAt<'a> {
    client: &'a GumroadClient<crate::transport::Stoppable<FakeSales>>,
    stop: crate::transport::StopFlag,
    at: usize,
    chunks: Cell<usize>,
    sent_by_then: Cell<usize>,
}

impl ExportObserver for DisconnectAt<'_> {
    async fn on_chunk(&self, _chunk: &Chunk, _state: &ExportState) -> Control {
        self.chunks.set(self.chunks.get() + 1);
        if self.chunks.get() == self.at {
            self.sent_by_then
                .set(self.client.transport().inner().requests.get());
            self.stop.stop();
        }
        Control::Continue
    }
}

#[test]
fn a_disconnected_account_ends_the_export_with_stopped_and_asks_for_no_more_pages() {
    let stop = crate::transport::StopFlag::new();
    let client = GumroadClient::new(
        crate::transport::Stoppable::new(FakeSales::seeded(41, 600, 0), stop.clone()),
        AccessToken::parse("tok_0123456789abcdefghijklmnopqrstuvwxyzABCD").unwrap(),
    );
    let clock = FakeClock::new(NOW);
    let observer = DisconnectAt {
        client: &client,
        stop,
        at: 5,
        chunks: Cell::new(0),
        sent_by_then: Cell::new(0),
    };
    let mut state = ExportState::new(SalesQuery::default(), Day::from_epoch_ms(NOW)).unwrap();
    let error = block_on(run_export(
        &client,
        &clock,
        &mut state,
        &export_options(),
        &observer,
    ))
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Stopped);
    assert!(!error.retryable() && !error.may_have_applied());
    assert!(!state.is_done());
    assert!(
        observer.sent_by_then.get() > observer.at,
        "pages were on their way at the disconnect"
    );
    assert_eq!(
        client.transport().inner().requests.get(),
        observer.sent_by_then.get(),
        "no page was asked for after the disconnect"
    );
    assert!(clock.sleeps().is_empty(), "no retry, no backoff");

    // The sequential walk stops the same way.
    let stopped = GumroadClient::new(
        crate::transport::Stoppable::new(FakeSales::seeded(41, 600, 0), {
            let flag = crate::transport::StopFlag::new();
            flag.stop();
            flag
        }),
        AccessToken::parse("tok_0123456789abcdefghijklmnopqrstuvwxyzABCD").unwrap(),
    );
    let error = block_on(walk_sales_sequentially(
        &stopped,
        &clock,
        &SalesQuery::default(),
        &export_options(),
    ))
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Stopped);
    assert_eq!(stopped.transport().inner().requests.get(), 0);
}
