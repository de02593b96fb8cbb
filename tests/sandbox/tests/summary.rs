//! `GET /v2/sales/summary`: totals and breakdowns equal what the sales the side door lists
//! add up to (each sale's amounts in USD at the store's rates, on its UTC day), for
//! several ranges and every grouping; time buckets zero-filled; every 400; 401/403.

mod common;

use std::collections::BTreeMap;

use bulkroad_sandbox::tokens::{ACCOUNT, FULL, NO_READ_SCOPE, READ_ONLY};
use bulkroad_sandbox::{usd_cents, Config, Sandbox};
use common::Api;
use serde_json::{json, Value};

const GROUPINGS: [&str; 4] = ["day", "week", "month", "product"];
const FIGURES: [&str; 5] = [
    "gross_cents",
    "net_cents",
    "units",
    "refunded_cents",
    "refunded_units",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn start(sales: usize) -> Sandbox {
    Sandbox::start(Config {
        products: 25,
        sales,
        seed: 4,
        ..Config::default()
    })
    .unwrap()
}

/// A calendar date stepped a day at a time (no date arithmetic shared with the sandbox).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Date(i64, u32, u32);

impl Date {
    fn parse(text: &str) -> Date {
        let mut parts = text.split('-');
        let mut next = || parts.next().unwrap().parse::<i64>().unwrap();
        Date(next(), next() as u32, next() as u32)
    }

    fn month_len(self) -> u32 {
        let leap = (self.0 % 4 == 0 && self.0 % 100 != 0) || self.0 % 400 == 0;
        [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ][self.1 as usize - 1]
    }

    fn next(self) -> Date {
        match self {
            Date(y, 12, 31) => Date(y + 1, 1, 1),
            Date(y, m, d) if d == self.month_len() => Date(y, m + 1, 1),
            Date(y, m, d) => Date(y, m, d + 1),
        }
    }

    fn prev(self) -> Date {
        match self {
            Date(y, 1, 1) => Date(y - 1, 12, 31),
            Date(y, m, 1) => {
                let d = Date(y, m - 1, 1).month_len();
                Date(y, m - 1, d)
            }
            Date(y, m, d) => Date(y, m, d - 1),
        }
    }

    /// 0 for Monday … 6 for Sunday (Sakamoto's method).
    fn weekday(self) -> u32 {
        const T: [i64; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
        let y = if self.1 < 3 { self.0 - 1 } else { self.0 };
        let sunday0 =
            (y + y / 4 - y / 100 + y / 400 + T[self.1 as usize - 1] + i64::from(self.2)) % 7;
        ((sunday0 + 6) % 7) as u32
    }

    fn monday(self) -> Date {
        let mut d = self;
        while d.weekday() != 0 {
            d = d.prev();
        }
        d
    }

    fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.0, self.1, self.2)
    }

    fn words(self) -> String {
        format!(
            "{} {}, {}",
            &MONTHS[self.1 as usize - 1][..3],
            self.2,
            self.0
        )
    }

    fn month_key(self) -> String {
        format!("{:04}-{:02}", self.0, self.1)
    }
}

/// The bucket key and label of `day` under `group_by` (products are keyed by the sale).
fn bucket(day: Date, group_by: &str) -> (String, String) {
    match group_by {
        "day" => (day.iso(), day.words()),
        "week" => (
            day.monday().iso(),
            format!("Week of {}", day.monday().words()),
        ),
        "month" => (
            day.month_key(),
            format!("{} {}", MONTHS[day.1 as usize - 1], day.0),
        ),
        other => panic!("{other}"),
    }
}

type Figures = [i64; 5];

fn add(a: &mut Figures, b: Figures) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Minor units of `amount_refundable_in_currency` ("9.99", or "1500" for yen).
fn minor(text: &str, currency: &str) -> i64 {
    if currency == "jpy" {
        return text.parse().unwrap();
    }
    let (units, cents) = text.split_once('.').unwrap();
    assert_eq!(cents.len(), 2, "{text}");
    units.parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap()
}

/// One listed sale as the README's rule adds it up: gross, net, units, refunded, refunded units.
fn figures(sale: &Value) -> Figures {
    let currency = sale["currency"].as_str().unwrap();
    let price = sale["price"].as_i64().unwrap();
    let fee = sale["gumroad_fee"].as_i64().unwrap();
    let units = sale["quantity"].as_i64().unwrap();
    let charged_back = sale["chargedback"] == true;
    let refunded = if charged_back {
        price
    } else {
        price
            - minor(
                sale["amount_refundable_in_currency"].as_str().unwrap(),
                currency,
            )
    };
    let (gross, fee, refunded) = (
        usd_cents(price, currency),
        usd_cents(fee, currency),
        usd_cents(refunded, currency),
    );
    let refunded_units = if sale["refunded"] == true || charged_back {
        units
    } else {
        0
    };
    [
        gross,
        gross - fee - refunded,
        units,
        refunded,
        refunded_units,
    ]
}

fn day_of(sale: &Value) -> Date {
    Date::parse(&sale["created_at"].as_str().unwrap()[..10])
}

/// What the summary of `from..=to` by `group_by` should say, from the listed sales alone:
/// totals and rows (key, label, figures) in the expected order.
fn expected(
    sales: &[Value],
    from: Date,
    to: Date,
    group_by: &str,
) -> (Figures, Vec<(String, String, Figures)>) {
    let mut totals = [0; 5];
    let mut rows: Vec<(String, String, Figures)> = Vec::new();
    if group_by != "product" {
        let mut day = from;
        while day <= to {
            let (key, label) = bucket(day, group_by);
            if rows.last().is_none_or(|r| r.0 != key) {
                rows.push((key, label, [0; 5]));
            }
            day = day.next();
        }
    }
    let mut by_product: BTreeMap<String, (String, Figures)> = BTreeMap::new();
    for sale in sales {
        let day = day_of(sale);
        if day < from || day > to {
            continue;
        }
        let f = figures(sale);
        add(&mut totals, f);
        if group_by == "product" {
            let id = sale["product_id"].as_str().unwrap().to_owned();
            let name = sale["product_name"].as_str().unwrap().to_owned();
            add(&mut by_product.entry(id).or_insert((name, [0; 5])).1, f);
        } else {
            let (key, _) = bucket(day, group_by);
            let row = rows
                .iter_mut()
                .find(|r| r.0 == key)
                .expect("a bucket for every day");
            add(&mut row.2, f);
        }
    }
    if group_by == "product" {
        rows = by_product
            .into_iter()
            .map(|(id, (name, f))| (id, name, f))
            .collect();
        rows.sort_by(|a, b| b.2[0].cmp(&a.2[0]).then_with(|| a.1.cmp(&b.1)));
    }
    (totals, rows)
}

fn read(v: &Value) -> Figures {
    FIGURES.map(|k| v[k].as_i64().unwrap_or_else(|| panic!("{k} in {v}")))
}

fn summary(api: &Api, prefix: &str, from: Date, to: Date, group_by: &str) -> Value {
    let path = format!(
        "{prefix}/sales/summary?from={}&to={}&group_by={group_by}",
        from.iso(),
        to.iso()
    );
    let r = api.get(&path, Some(FULL));
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    r.json()
}

#[test]
fn totals_and_breakdowns_add_up_the_listed_sales_for_every_grouping() {
    let sb = start(3000);
    let api = Api::new(&sb);
    let sales = sb.sales().as_array().unwrap().clone();
    assert_eq!(sales.len(), 3000);
    let ranges = [
        // Two months around the launch day.
        ("2025-02-01", "2025-03-31"),
        // Starts on a Saturday mid-month, holds the ten quiet days.
        ("2024-07-20", "2024-08-31"),
        // 366 days up to the last day with sales.
        ("2024-09-30", "2025-09-30"),
        // Across the first day with sales, starting on a Wednesday.
        ("2023-09-20", "2023-10-05"),
        // One day.
        ("2025-03-14", "2025-03-14"),
    ];
    let mut seen_refunds = false;
    for (from, to) in ranges {
        let (from, to) = (Date::parse(from), Date::parse(to));
        for group_by in GROUPINGS {
            let got = summary(&api, "/v2", from, to, group_by);
            let what = format!("{} to {} by {group_by}", from.iso(), to.iso());
            let (totals, rows) = expected(&sales, from, to, group_by);
            assert!(totals[2] > 0, "{what}: the range has sales");
            seen_refunds |= totals[3] > 0 && totals[4] > 0;
            assert_eq!(got["success"], true, "{what}");
            assert_eq!(got["currency"], "usd", "{what}");
            assert_eq!(
                (got["from"].as_str(), got["to"].as_str()),
                (Some(from.iso().as_str()), Some(to.iso().as_str()))
            );
            assert_eq!(read(&got), totals, "{what}: totals");
            let breakdown = got["breakdown"].as_array().unwrap();
            let mut added = [0; 5];
            for row in breakdown {
                add(&mut added, read(row));
            }
            assert_eq!(added, totals, "{what}: the breakdown adds up to the totals");
            let got_rows: Vec<(String, String, Figures)> = breakdown
                .iter()
                .map(|r| {
                    (
                        r["key"].as_str().unwrap().to_owned(),
                        r["label"].as_str().unwrap().to_owned(),
                        read(r),
                    )
                })
                .collect();
            assert_eq!(got_rows, rows, "{what}: rows");
            if group_by == "product" {
                assert!(
                    breakdown.iter().all(|r| r["units"].as_i64() > Some(0)),
                    "{what}: only products sold in range"
                );
            }
        }
    }
    assert!(seen_refunds, "some range holds refunds");
}

#[test]
fn the_legacy_prefix_answers_the_same() {
    let sb = start(500);
    let api = Api::new(&sb);
    let (from, to) = (Date::parse("2025-01-01"), Date::parse("2025-06-30"));
    for group_by in GROUPINGS {
        assert_eq!(
            summary(&api, "/api/v2", from, to, group_by),
            summary(&api, "/v2", from, to, group_by)
        );
    }
}

#[test]
fn time_buckets_are_zero_filled_and_keyed_by_their_own_start() {
    let sb = start(300);
    let api = Api::new(&sb);
    // Long before the store's first sale: every period is there, all zero.
    let (from, to) = (Date::parse("2019-01-30"), Date::parse("2019-03-02"));
    let zero = [0; 5];
    let cases: [(&str, &[&str], &str); 3] = [
        ("day", &[], "Jan 30, 2019"),
        (
            "week",
            &[
                "2019-01-28",
                "2019-02-04",
                "2019-02-11",
                "2019-02-18",
                "2019-02-25",
            ],
            "Week of Jan 28, 2019",
        ),
        ("month", &["2019-01", "2019-02", "2019-03"], "January 2019"),
    ];
    for (group_by, keys, first_label) in cases {
        let got = summary(&api, "/v2", from, to, group_by);
        assert_eq!(read(&got), zero);
        let rows = got["breakdown"].as_array().unwrap();
        assert!(rows.iter().all(|r| read(r) == zero), "{group_by}");
        assert_eq!(rows[0]["label"], first_label, "{group_by}");
        let got_keys: Vec<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
        if group_by == "day" {
            assert_eq!(got_keys.len(), 32);
            assert_eq!((got_keys[0], got_keys[31]), ("2019-01-30", "2019-03-02"));
        } else {
            assert_eq!(got_keys, keys, "{group_by}");
        }
    }
    let got = summary(&api, "/v2", from, to, "product");
    assert_eq!(got["breakdown"], json!([]));

    // The ten quiet days (2024-08-05 to 08-14) are there as zero rows.
    let got = summary(
        &api,
        "/v2",
        Date::parse("2024-08-01"),
        Date::parse("2024-08-20"),
        "day",
    );
    let rows = got["breakdown"].as_array().unwrap();
    assert_eq!(rows.len(), 20);
    for row in &rows[4..14] {
        assert_eq!(read(row), zero, "{row}");
    }
    assert!(read(&got)[2] > 0);
}

fn assert_400(api: &Api, query: &str, message: &str) {
    let path = format!("/v2/sales/summary?{query}");
    let r = api.get(&path, Some(FULL));
    assert_eq!(r.status, 400, "{path}: {}", r.text);
    assert_eq!(r.json(), json!({"status": 400, "error": message}), "{path}");
}

#[test]
fn bad_parameters_get_the_400s_in_order() {
    let sb = start(100);
    let api = Api::new(&sb);
    let from = "Invalid date format for 'from'. Use YYYY-MM-DD.";
    let to = "Invalid date format for 'to'. Use YYYY-MM-DD.";
    let order = "'from' must be on or before 'to'.";
    let long = "Date range cannot exceed 366 days.";
    let grouping = "Invalid group_by. Use one of: product, day, week, month.";
    let cases = [
        ("to=2025-01-31&group_by=day", from),
        ("from=&to=2025-01-31&group_by=day", from),
        ("from=2025-02-30&to=2025-03-31&group_by=day", from),
        ("from=2025%2F01%2F01&to=2025-03-31&group_by=day", from),
        ("from=2025-01-01T00%3A00&to=2025-03-31&group_by=day", from),
        ("from=10000-01-01&to=10000-01-02&group_by=day", from),
        ("from=999999999-01-01&to=999999999-01-02&group_by=day", from),
        ("from=-2025-01-01&to=2025-01-02&group_by=day", from),
        (
            "from=99999999999999999999-01-01&to=2025-01-02&group_by=day",
            from,
        ),
        ("from[]=2025-01-01&to=2025-01-31&group_by=day", from),
        // `from` is read before `to`.
        ("from=x&to=y&group_by=nope", from),
        ("from=2025-01-01&group_by=day", to),
        ("from=2025-01-01&to=2025-13-01&group_by=day", to),
        ("from=2025-01-01&to=9999999999-01-01&group_by=day", to),
        ("from=2025-02-01&to=2025-01-31&group_by=day", order),
        ("from=2025-02-01&to=2025-01-31&group_by=nope", order),
        // 2024 is a leap year: Jan 1 to Dec 31 is 366 days, one more is too many.
        ("from=2024-01-01&to=2025-01-01&group_by=month", long),
        ("from=2020-01-01&to=2025-01-01&group_by=nope", long),
        ("from=2025-01-01&to=2025-01-31", grouping),
        ("from=2025-01-01&to=2025-01-31&group_by=", grouping),
        ("from=2025-01-01&to=2025-01-31&group_by=hour", grouping),
        ("from=2025-01-01&to=2025-01-31&group_by=Day", grouping),
    ];
    for (query, message) in cases {
        assert_400(&api, query, message);
    }
    for (from, to) in [("2024-01-01", "2024-12-31"), ("2025-01-01", "2026-01-01")] {
        let path = format!("/v2/sales/summary?from={from}&to={to}&group_by=month");
        assert_eq!(
            api.get(&path, Some(FULL)).status,
            200,
            "{path}: 366 days is allowed"
        );
    }
}

#[test]
fn needs_a_token_with_view_sales() {
    let sb = start(100);
    let api = Api::new(&sb);
    let path = "/v2/sales/summary?from=2025-01-01&to=2025-01-31&group_by=day";
    for token in [READ_ONLY, NO_READ_SCOPE] {
        let r = api.get(path, Some(token));
        assert_eq!(r.status, 403, "{token}");
        assert_eq!(r.text, "");
    }
    let r = api.get(path, None);
    assert_eq!(r.status, 401);
    assert_eq!(r.text, "");
    assert!(r.header("www-authenticate").is_some());
    assert_eq!(api.get(path, Some("not-a-token")).status, 401);
    // Auth comes before the parameters, as for the sales list.
    assert_eq!(api.get("/v2/sales/summary", None).status, 401);
    assert_eq!(api.get("/v2/sales/summary", Some(READ_ONLY)).status, 403);
    assert_eq!(api.get(path, Some(ACCOUNT)).status, 200);
    assert_eq!(api.get(path, Some(FULL)).status, 200);
}
