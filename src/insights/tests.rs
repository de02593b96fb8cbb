use super::chart::{chart, Metric, HEIGHT};
use super::range::{bucket_count, check_grouping, default_grouping, slices, weekday, windows, RangeChoice, Span};
use super::revenue::revenue;
use super::series::merge;
use super::view::view;
use crate::error::ErrorKind;
use crate::model::{Day, Figures, GroupBy, SalesSummary, SummaryRow, SUMMARY_MAX_DAYS};

fn day(text: &str) -> Day {
    Day::parse(text).unwrap()
}

fn span(from: &str, to: &str) -> Span {
    Span { from: day(from), to: day(to), all_time: false }
}

fn figures(gross: i64, units: i64) -> Figures {
    Figures { gross_cents: gross, net_cents: gross * 9 / 10, units, refunded_cents: 0, refunded_units: 0 }
}

fn answer(currency: &str, rows: &[(&str, i64, i64)]) -> SalesSummary {
    let breakdown: Vec<SummaryRow> = rows
        .iter()
        .map(|&(key, gross, units)| SummaryRow { key: key.into(), label: None, figures: figures(gross, units) })
        .collect();
    let totals = breakdown.iter().fold(Figures::default(), |t, r| t.plus(r.figures));
    SalesSummary { totals, currency: currency.into(), breakdown }
}

#[test]
fn ranges_resolve_against_the_sellers_today() {
    let today = day("2025-03-30");
    let cases = [
        (RangeChoice::Last30, "2025-03-01", "2025-03-30"),
        (RangeChoice::Last90, "2024-12-31", "2025-03-30"),
        (RangeChoice::Last365, "2024-03-31", "2025-03-30"),
        (RangeChoice::ThisYear, "2025-01-01", "2025-03-30"),
        (RangeChoice::LastYear, "2024-01-01", "2024-12-31"),
        (RangeChoice::All, "2011-04-01", "2025-03-30"),
    ];
    for (choice, from, to) in cases {
        let s = choice.resolve(today).unwrap();
        assert_eq!((s.from.to_string(), s.to.to_string()), (from.into(), to.into()), "{choice:?}");
        assert_eq!(s.all_time, choice == RangeChoice::All);
    }
    let backwards = RangeChoice::Custom { from: Some(day("2025-03-02")), to: Some(day("2025-03-01")) };
    assert_eq!(backwards.resolve(today).unwrap_err().kind(), ErrorKind::InvalidInput);
    let future = RangeChoice::Custom { from: Some(day("2025-03-02")), to: Some(day("2025-04-01")) };
    assert!(future.resolve(today).unwrap_err().message().contains("after today"));
    // An empty date field arrives as null: a sentence, not a parser's complaint.
    let open: RangeChoice = serde_json::from_str(r#"{"kind":"custom","from":"2025-03-01","to":null}"#).unwrap();
    assert!(open.resolve(today).unwrap_err().message().contains("first and the last day"));
}

#[test]
fn windows_cover_the_range_exactly_within_the_cap_and_end_on_bucket_edges() {
    let all = span("2011-04-01", "2026-12-03");
    for group_by in [GroupBy::Day, GroupBy::Week, GroupBy::Month, GroupBy::Product] {
        let parts = windows(&all, group_by);
        assert_eq!(parts.first().unwrap().0, all.from);
        assert_eq!(parts.last().unwrap().1, all.to);
        for pair in parts.windows(2) {
            assert_eq!(pair[0].1.plus_days(1), pair[1].0, "{group_by:?}: no gap, no overlap");
        }
        for &(from, to) in &parts {
            let days = from.days_until(to) + 1;
            assert!((1..=SUMMARY_MAX_DAYS).contains(&days), "{group_by:?} {from}..{to}");
        }
        let inner = &parts[..parts.len() - 1];
        match group_by {
            GroupBy::Week => assert!(inner.iter().all(|&(_, to)| weekday(to) == 6)),
            GroupBy::Month => assert!(inner.iter().all(|&(_, to)| to.plus_days(1).ymd().2 == 1)),
            _ => {}
        }
    }
    assert_eq!(windows(&span("2025-01-01", "2025-01-01"), GroupBy::Day).len(), 1);
    assert_eq!(windows(&span("2024-01-01", "2024-12-31"), GroupBy::Day).len(), 1, "366 days is one call");
    assert_eq!(windows(&span("2023-01-01", "2024-01-01"), GroupBy::Day).len(), 1);
    assert_eq!(windows(&span("2023-01-01", "2024-01-02"), GroupBy::Day).len(), 2);
}

#[test]
fn slices_are_equal_whole_days_and_never_longer_than_one_call() {
    for (from, to, want) in [("2025-03-01", "2025-03-30", 12), ("2025-03-01", "2025-03-05", 5), ("2011-04-01", "2026-12-03", 16)] {
        let s = span(from, to);
        let parts = slices(&s, 12);
        assert_eq!(parts.len(), want, "{from}..{to}");
        assert_eq!(parts[0].0, s.from);
        assert_eq!(parts.last().unwrap().1, s.to);
        for pair in parts.windows(2) {
            assert_eq!(pair[0].1.plus_days(1), pair[1].0);
        }
        assert!(parts.iter().all(|&(a, b)| a <= b && a.days_until(b) < SUMMARY_MAX_DAYS));
    }
}

#[test]
fn groupings_that_would_draw_too_many_bars_are_refused_with_one_that_fits() {
    let two_years = span("2023-10-01", "2025-09-30");
    assert!(check_grouping(&two_years, GroupBy::Day).unwrap_err().message().contains("week or month"));
    assert!(check_grouping(&two_years, GroupBy::Week).is_ok());
    assert!(check_grouping(&two_years, GroupBy::Product).is_ok());
    assert_eq!(bucket_count(&span("2024-11-15", "2025-02-01"), GroupBy::Month), 4);
    // Sunday to Monday is two ISO weeks in eight days; Monday to Sunday is one in seven.
    assert_eq!(bucket_count(&span("2025-03-02", "2025-03-10"), GroupBy::Week), 3);
    assert_eq!(bucket_count(&span("2025-03-02", "2025-03-03"), GroupBy::Week), 2);
    assert_eq!(bucket_count(&span("2025-03-03", "2025-03-09"), GroupBy::Week), 1);
    assert_eq!(default_grouping(&span("2025-03-01", "2025-03-30")), GroupBy::Day);
    assert_eq!(default_grouping(&span("2024-03-31", "2025-03-30")), GroupBy::Week);
    assert_eq!(default_grouping(&two_years), GroupBy::Month);
}

#[test]
fn rows_cut_by_a_window_edge_are_added_up_and_gaps_filled() {
    let s = span("2025-01-01", "2025-03-31");
    let answers = [
        answer("usd", &[("2025-01", 1000, 1), ("2025-02", 500, 1)]),
        answer("USD", &[("2025-02", 700, 2)]),
    ];
    let series = merge(&answers, GroupBy::Month, &s);
    assert_eq!(series.len(), 1);
    let keys: Vec<&str> = series[0].buckets.iter().map(|b| b.key.as_str()).collect();
    assert_eq!(keys, ["2025-01", "2025-02", "2025-03"], "March had no row and is put back");
    assert_eq!(series[0].buckets[1].figures.gross_cents, 1200);
    assert_eq!(series[0].buckets[1].label, "February 2025");
    assert_eq!(series[0].buckets[2].figures, Figures::default());
    assert_eq!(series[0].totals.gross_cents, 2200);
    assert!(!series[0].mismatch);
}

#[test]
fn keys_that_are_not_dates_stay_as_sent_and_currencies_stay_apart() {
    let s = span("2025-01-01", "2025-01-14");
    let answers = [answer("usd", &[("W1", 100, 1), ("W2", 300, 1)]), answer("eur", &[("W1", 50, 1)])];
    let series = merge(&answers, GroupBy::Week, &s);
    assert_eq!(series.iter().map(|s| s.currency.as_str()).collect::<Vec<_>>(), ["eur", "usd"]);
    assert_eq!(series[1].buckets.iter().map(|b| b.label.as_str()).collect::<Vec<_>>(), ["W1", "W2"]);
    let shown = view(series, &s, GroupBy::Week, 2);
    assert!(shown.notes.iter().any(|n| n.contains("2 currencies")));
}

#[test]
fn all_time_starts_at_the_first_period_with_a_sale() {
    let s = Span { from: day("2011-04-01"), to: day("2012-03-31"), all_time: true };
    let series = merge(&[answer("usd", &[("2011-09", 100, 1)])], GroupBy::Month, &s);
    assert_eq!(series[0].buckets.first().unwrap().key, "2011-09");
    assert_eq!(series[0].buckets.len(), 7);
    let shown = view(series, &s, GroupBy::Month, 1);
    assert_eq!(shown.range, "all time (since September 2011)");
}

#[test]
fn products_are_ordered_by_gross_and_the_chart_draws_the_top_twenty() {
    let s = span("2025-01-01", "2025-03-31");
    let rows: Vec<(String, i64, i64)> = (0..25).map(|i| (format!("p{i:02}"), 100 * (i + 1), 1)).collect();
    let rows: Vec<(&str, i64, i64)> = rows.iter().map(|(k, g, u)| (k.as_str(), *g, *u)).collect();
    let shown = view(merge(&[answer("usd", &rows)], GroupBy::Product, &s), &s, GroupBy::Product, 1);
    let section = &shown.sections[0];
    assert_eq!(section.points.len(), 20);
    assert_eq!(section.points[0].key, "p24");
    assert_eq!(section.table.rows.len(), 25);
    assert!(section.chart_note.as_deref().unwrap().contains("all 25"));
    assert_eq!(section.csv.lines().count(), 27, "header, 25 products, total");
}

#[test]
fn a_breakdown_that_does_not_add_up_is_said() {
    let s = span("2025-01-01", "2025-01-31");
    let mut lying = answer("usd", &[("2025-01", 100, 1)]);
    lying.totals.gross_cents = 999;
    let shown = view(merge(&[lying], GroupBy::Month, &s), &s, GroupBy::Month, 1);
    assert!(shown.notes.iter().any(|n| n.contains("do not add up")));
    assert_eq!(shown.sections[0].totals[0].text, "$9.99");
}

#[test]
fn bars_are_proportional_and_ticks_round() {
    let s = span("2025-01-01", "2025-01-03");
    let series = merge(&[answer("usd", &[("2025-01-01", 10_000, 1), ("2025-01-02", 5_000, 3)])], GroupBy::Day, &s);
    let buckets = &series[0].buckets;
    let gross = chart(Metric::Gross, buckets, "usd", "x");
    assert_eq!(gross.bars.len(), 3);
    assert!((gross.bars[0].h - 2.0 * gross.bars[1].h).abs() < 0.2, "{:?}", gross.bars);
    assert_eq!(gross.bars[2].h, 0.0);
    assert!(gross.bars.iter().all(|b| b.y >= 0.0 && b.y + b.h <= HEIGHT));
    assert_eq!(gross.ticks.first().unwrap().text, "$0");
    assert!(gross.ticks.iter().all(|t| !t.text.contains('.')), "{:?}", gross.ticks);
    assert!(gross.summary.contains("$150 in total"), "{}", gross.summary);
    assert!(gross.summary.contains("highest: Jan 1, 2025 ($100)"), "{}", gross.summary);
    let units = chart(Metric::Units, buckets, "usd", "x");
    assert!(units.bars[1].h > units.bars[0].h);
    // Net can be below zero (refunds and fees): bars then hang under the baseline.
    let mut negative = buckets.clone();
    negative[0].figures.net_cents = -2_000;
    let net = chart(Metric::Net, &negative, "usd", "x");
    assert!(net.bars[0].y >= net.zero_y - 0.01 && net.bars[0].h > 0.0);
    assert!(net.ticks.iter().any(|t| t.text.starts_with('-')));
}

#[test]
fn each_point_reads_out_every_figure_and_the_csv_has_plain_numbers() {
    let s = span("2025-03-14", "2025-03-14");
    let mut a = answer("jpy", &[("2025-03-14", 1500, 2)]);
    a.breakdown[0].figures.refunded_cents = 500;
    a.breakdown[0].figures.refunded_units = 1;
    a.totals = a.breakdown[0].figures;
    let shown = view(merge(&[a], GroupBy::Day, &s), &s, GroupBy::Day, 1);
    let section = &shown.sections[0];
    assert_eq!(
        section.points[0].readout,
        "Mar 14, 2025: ¥1,500 gross, ¥1,350 net, 2 units, ¥500 (1 unit) refunded."
    );
    let csv: Vec<&str> = section.csv.lines().collect();
    assert_eq!(csv[0], "period,label,currency,gross,net,units,refunded,refunded_units");
    assert_eq!(csv[1], "2025-03-14,\"Mar 14, 2025\",jpy,1500,1350,2,500,1");
    assert_eq!(section.file_name, "bulkroad-sales-day-2025-03-14-to-2025-03-14-jpy.csv");
}

#[test]
fn revenue_per_product_sums_slices_and_draws_a_spark_line() {
    let s = span("2025-03-01", "2025-03-03");
    let slices = [
        answer("usd", &[("a", 100, 1), ("b", 50, 1)]),
        answer("usd", &[("a", 300, 2)]),
        answer("usd", &[("b", 500, 1)]),
    ];
    let r = revenue(&s, &slices);
    assert_eq!(r.currency.as_deref(), Some("usd"));
    let ids: Vec<&str> = r.products.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["b", "a"]);
    assert_eq!(r.products[0].gross_cents, 550);
    assert_eq!(r.products[0].text, "$5.50");
    assert_eq!(r.products[1].units, 3);
    assert_eq!(r.products[1].spark.split(' ').count(), 3);
    assert!(r.products[1].spark_label.contains("highest in period 2 ($3)"), "{}", r.products[1].spark_label);
    assert_eq!(revenue(&s, &[answer("usd", &[])]).note.as_deref(), Some("No sales from Mar 1, 2025 to Mar 3, 2025."));
}
