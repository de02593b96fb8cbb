//! `GET /v2/sales/summary` (additions §2): a store's sales added up over `from`..=`to`
//! (at most 366 days), with a breakdown by product, day, ISO week or month.
//!
//! The figures come from the same rows `GET /v2/sales` lists, put on days the same way its
//! `after`/`before` filters do (the UTC day of `created_at`), so a test can add up the
//! listing and find the summary's numbers. Per sale, in the product's currency:
//! * gross = `price`; units = `quantity` (free sales count units and no money);
//! * refunded = the refunded part, or the whole price when charged back (the money went
//!   back to the buyer); refunded units = the quantity of a sale refunded in full or
//!   charged back (a partial refund returns money, not the product);
//! * net = gross − Gumroad's fee − refunded (the fee is not given back on a refund), so a
//!   refunded sale's net is minus its fee. Refunds count on the sale's own day.
//!
//! Everything is reported in `"usd"`, the seller's currency: each of a sale's amounts is
//! turned into USD on its own by the store's fixed rates ([`crate::money::usd_cents`]),
//! then added up, so the breakdown always adds up to the totals exactly.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::{Ctx, Outcome};
use crate::clock;
use crate::money;
use crate::reply::Reply;
use crate::store::{Sale, Store};

/// Longest range one call may cover, both ends counted.
pub const MAX_DAYS: i64 = 366;

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GroupBy {
    Product,
    Day,
    Week,
    Month,
}

impl GroupBy {
    fn parse(text: &str) -> Option<GroupBy> {
        match text {
            "product" => Some(GroupBy::Product),
            "day" => Some(GroupBy::Day),
            "week" => Some(GroupBy::Week),
            "month" => Some(GroupBy::Month),
            _ => None,
        }
    }
}

/// The five figures of a total or a breakdown row, in USD cents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Figures {
    gross_cents: i64,
    net_cents: i64,
    units: i64,
    refunded_cents: i64,
    refunded_units: i64,
}

impl Figures {
    fn of(store: &Store, sale: &Sale) -> Figures {
        let code = store.products[sale.product as usize].cur().code;
        let usd = |cents: i64| money::usd_cents(cents, code);
        let refunded = if sale.chargedback {
            sale.price_cents
        } else {
            sale.refunded_cents
        };
        let units = i64::from(sale.quantity);
        let (gross, fee, refunded) = (usd(sale.price_cents), usd(sale.fee_cents), usd(refunded));
        Figures {
            gross_cents: gross,
            net_cents: gross - fee - refunded,
            units,
            refunded_cents: refunded,
            refunded_units: if sale.is_refunded() || sale.chargedback {
                units
            } else {
                0
            },
        }
    }

    fn add(&mut self, other: Figures) {
        self.gross_cents += other.gross_cents;
        self.net_cents += other.net_cents;
        self.units += other.units;
        self.refunded_cents += other.refunded_cents;
        self.refunded_units += other.refunded_units;
    }

    fn json(self, key: &str, label: &str) -> Value {
        json!({
            "key": key,
            "label": label,
            "gross_cents": self.gross_cents,
            "net_cents": self.net_cents,
            "units": self.units,
            "refunded_cents": self.refunded_cents,
            "refunded_units": self.refunded_units,
        })
    }
}

/// 0 for Monday … 6 for Sunday (day 0, 1970-01-01, was a Thursday).
fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

fn monday_of(day: i64) -> i64 {
    day - weekday(day)
}

/// Months since year 0, for counting month buckets.
fn month_index(day: i64) -> i64 {
    let (y, m, _) = clock::ymd(day);
    y * 12 + i64::from(m) - 1
}

fn iso_day(day: i64) -> String {
    let (y, m, d) = clock::ymd(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `Mar 14, 2025`.
fn day_words(day: i64) -> String {
    let (y, m, d) = clock::ymd(day);
    format!("{} {d}, {y}", &MONTHS[m as usize - 1][..3])
}

/// The time buckets of `from..=to`, oldest first, as (key, label, first day counted);
/// a week or month that starts before `from` is keyed by its own start.
fn time_buckets(group_by: GroupBy, from: i64, to: i64) -> Vec<(String, String, i64)> {
    let mut out = Vec::new();
    match group_by {
        GroupBy::Day => {
            for day in from..=to {
                out.push((iso_day(day), day_words(day), day));
            }
        }
        GroupBy::Week => {
            let mut monday = monday_of(from);
            while monday <= to {
                out.push((
                    iso_day(monday),
                    format!("Week of {}", day_words(monday)),
                    monday.max(from),
                ));
                monday += 7;
            }
        }
        GroupBy::Month => {
            for index in month_index(from)..=month_index(to) {
                let (y, m) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
                let first = clock::day_number(y, m, 1);
                out.push((
                    format!("{y:04}-{m:02}"),
                    format!("{} {y}", MONTHS[m as usize - 1]),
                    first.max(from),
                ));
            }
        }
        GroupBy::Product => {}
    }
    out
}

/// The sales of days `from..=to` (stored sorted by `created_at`: two binary searches).
fn sales_in(store: &Store, from: i64, to: i64) -> &[Sale] {
    let (start, end) = (clock::day_start(from), clock::day_start(to + 1));
    let lo = store.sales.partition_point(|s| s.created_at < start);
    let hi = store.sales.partition_point(|s| s.created_at < end);
    &store.sales[lo..hi.max(lo)]
}

fn breakdown(store: &Store, group_by: GroupBy, from: i64, to: i64) -> (Figures, Vec<Value>) {
    let sales = sales_in(store, from, to);
    let mut totals = Figures::default();
    if group_by == GroupBy::Product {
        let mut by_product: HashMap<u32, Figures> = HashMap::new();
        for sale in sales {
            let f = Figures::of(store, sale);
            totals.add(f);
            by_product.entry(sale.product).or_default().add(f);
        }
        let mut rows: Vec<(u32, Figures)> = by_product.into_iter().collect();
        rows.sort_by(|(a, fa), (b, fb)| {
            let (pa, pb) = (&store.products[*a as usize], &store.products[*b as usize]);
            fb.gross_cents
                .cmp(&fa.gross_cents)
                .then_with(|| pa.name.cmp(&pb.name))
                .then_with(|| pa.id.cmp(&pb.id))
        });
        let rows = rows
            .into_iter()
            .map(|(i, f)| {
                let p = &store.products[i as usize];
                f.json(&p.id, &p.name)
            })
            .collect();
        return (totals, rows);
    }
    let buckets = time_buckets(group_by, from, to);
    let mut figures = vec![Figures::default(); buckets.len()];
    for sale in sales {
        let day = clock::day_of(sale.created_at);
        // Buckets are in day order, each counting from its first day in range.
        let i = buckets.partition_point(|(_, _, first)| *first <= day) - 1;
        let f = Figures::of(store, sale);
        totals.add(f);
        figures[i].add(f);
    }
    let rows = buckets
        .iter()
        .zip(figures)
        .map(|((key, label, _), f)| f.json(key, label))
        .collect();
    (totals, rows)
}

fn day_param(ctx: &Ctx, key: &str) -> Result<i64, Reply> {
    ctx.params
        .string(key)
        .and_then(|text| clock::parse_day(&text))
        .ok_or_else(|| {
            Reply::error_400(&format!("Invalid date format for '{key}'. Use YYYY-MM-DD."))
        })
}

/// `GET /v2/sales/summary` (view_sales).
pub fn show(ctx: &mut Ctx) -> Outcome {
    ctx.authorize(&["view_sales"])?;
    let from = day_param(ctx, "from")?;
    let to = day_param(ctx, "to")?;
    if from > to {
        return Err(Reply::error_400("'from' must be on or before 'to'."));
    }
    if to - from + 1 > MAX_DAYS {
        return Err(Reply::error_400("Date range cannot exceed 366 days."));
    }
    let group_by = ctx
        .params
        .string("group_by")
        .and_then(|text| GroupBy::parse(&text))
        .ok_or_else(|| {
            Reply::error_400("Invalid group_by. Use one of: product, day, week, month.")
        })?;
    let (totals, rows) = breakdown(ctx.store, group_by, from, to);
    Ok(Reply::ok(&json!({
        "success": true,
        "gross_cents": totals.gross_cents,
        "net_cents": totals.net_cents,
        "units": totals.units,
        "refunded_cents": totals.refunded_cents,
        "refunded_units": totals.refunded_units,
        "currency": "usd",
        "from": iso_day(from),
        "to": iso_day(to),
        "breakdown": rows,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i64, m: u32, d: u32) -> i64 {
        clock::day_number(y, m, d)
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first_even_before_the_range() {
        // 2025-03-14 was a Friday.
        let weeks = time_buckets(GroupBy::Week, day(2025, 3, 14), day(2025, 3, 24));
        let keys: Vec<(&str, &str)> = weeks
            .iter()
            .map(|(k, l, _)| (k.as_str(), l.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("2025-03-10", "Week of Mar 10, 2025"),
                ("2025-03-17", "Week of Mar 17, 2025"),
                ("2025-03-24", "Week of Mar 24, 2025"),
            ]
        );
        assert_eq!(
            weeks[0].2,
            day(2025, 3, 14),
            "the first week counts from `from`"
        );
        let months = time_buckets(GroupBy::Month, day(2024, 12, 20), day(2025, 2, 1));
        let keys: Vec<(&str, &str)> = months
            .iter()
            .map(|(k, l, _)| (k.as_str(), l.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("2024-12", "December 2024"),
                ("2025-01", "January 2025"),
                ("2025-02", "February 2025"),
            ]
        );
        let days = time_buckets(GroupBy::Day, day(2024, 2, 28), day(2024, 3, 1));
        let labels: Vec<&str> = days.iter().map(|(_, l, _)| l.as_str()).collect();
        assert_eq!(labels, ["Feb 28, 2024", "Feb 29, 2024", "Mar 1, 2024"]);
    }

    #[test]
    fn iso_weeks_run_monday_to_sunday_utc_across_a_new_year() {
        // 2025-12-29 is the Monday of ISO week 2026-W01 (it holds January 1).
        let (from, to) = (day(2025, 12, 28), day(2026, 1, 5));
        let mut store =
            crate::accounts::store(0, 5, 30, 2, &crate::timeline::Timeline::fixed(), &[]);
        let last_micro = |d: i64| clock::day_start(d + 1) - 1;
        let instants = [
            last_micro(day(2025, 12, 27)), // Saturday before the range: not counted
            last_micro(day(2025, 12, 28)), // Sunday: the week of Dec 22
            clock::day_start(day(2025, 12, 29)), // Monday midnight: the next week
            clock::day_start(day(2026, 1, 1)),
            last_micro(day(2026, 1, 4)),       // Sunday: still 2026-W01
            clock::day_start(day(2026, 1, 5)), // Monday: 2026-W02
            clock::day_start(day(2026, 1, 6)), // after the range
        ];
        store.sales.truncate(instants.len());
        for (sale, t) in store.sales.iter_mut().zip(instants) {
            sale.created_at = t;
            sale.quantity = 1;
        }
        let (totals, rows) = breakdown(&store, GroupBy::Week, from, to);
        let got: Vec<(&str, i64)> = rows
            .iter()
            .map(|r| (r["key"].as_str().unwrap(), r["units"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            got,
            [("2025-12-22", 1), ("2025-12-29", 3), ("2026-01-05", 1)]
        );
        assert_eq!(totals.units, 5);
        assert_eq!(rows[1]["label"], "Week of Dec 29, 2025");
    }

    #[test]
    fn weekdays() {
        assert_eq!(weekday(day(2025, 3, 10)), 0);
        assert_eq!(weekday(day(2025, 3, 16)), 6);
        assert_eq!(monday_of(day(2023, 10, 1)), day(2023, 9, 25));
    }
}
