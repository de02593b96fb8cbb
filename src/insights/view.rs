//! What the Insights panel shows for one range and grouping: per currency, the totals in
//! words, the four charts (gross, net, units, refunds) over shared bar slots with a
//! readout sentence per bar, the same figures as a table, and as a CSV download.

use serde::Serialize;

use super::chart::{
    chart, group, slots, x_labels, Chart, Frame, Metric, Slot, XLabel, FRAME, HEIGHT, WIDTH,
};
use super::series::{day_words, Bucket, Series};
use super::range::Span;
use crate::model::{Figures, GroupBy};
use crate::money::{find_currency, format_price};
use crate::spreadsheet_csv::{neutralised, CsvWriter};

/// Products drawn in a by-product chart at most (the table lists every one).
pub const CHART_PRODUCTS: usize = 20;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InsightsView {
    /// "from Mar 1, 2025 to Mar 30, 2025".
    pub range: String,
    pub group_by: GroupBy,
    /// `[0, 0, WIDTH, HEIGHT]`.
    pub view_box: [f64; 4],
    /// Where the axes and labels go inside it.
    pub frame: Frame,
    /// One per currency Gumroad reported in (usually one).
    pub sections: Vec<Section>,
    /// Said once, above everything (nothing sold, figures that do not add up, …).
    pub notes: Vec<String>,
    /// Summary calls made.
    pub requests: usize,
    /// What was read, in one line: "Sales from … to …, by day: 2 requests to Gumroad."
    pub status: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Section {
    pub currency: String,
    pub title: String,
    pub totals: Vec<Total>,
    pub points: Vec<Point>,
    pub x_labels: Vec<XLabel>,
    pub charts: Vec<Chart>,
    /// Why fewer bars are drawn than the table lists, if they are.
    pub chart_note: Option<String>,
    pub table: Table,
    pub csv: String,
    pub file_name: String,
}

/// One headline figure.
#[derive(Debug, Serialize)]
pub struct Total {
    pub label: &'static str,
    pub text: String,
}

/// One bar, wherever it is drawn: its slot and what a reader hears on it.
#[derive(Debug, Serialize)]
pub struct Point {
    pub key: String,
    pub label: String,
    #[serde(flatten)]
    pub slot: Slot,
    pub readout: String,
}

#[derive(Debug, Serialize)]
pub struct Table {
    pub caption: String,
    pub columns: [&'static str; 6],
    pub rows: Vec<[String; 6]>,
    pub total: [String; 6],
}

pub fn range_words(span: &Span, first_shown: Option<&Bucket>, group_by: GroupBy) -> String {
    if span.all_time {
        return match first_shown.filter(|_| group_by.is_time()) {
            Some(first) => format!("all time (since {})", first.label.trim_start_matches("Week of ")),
            None => "all time".to_owned(),
        };
    }
    format!("from {} to {}", day_words(span.from), day_words(span.to))
}

pub fn view(series: Vec<Series>, span: &Span, group_by: GroupBy, requests: usize) -> InsightsView {
    let range = range_words(
        span,
        series.first().and_then(|s| s.buckets.first()),
        group_by,
    );
    let mut notes = Vec::new();
    if series.iter().all(|s| s.totals.is_empty() && s.buckets.iter().all(|b| b.figures.is_empty())) {
        notes.push(format!("No sales {range}."));
    }
    if series.len() > 1 {
        notes.push(format!(
            "Gumroad reported these figures in {} currencies; each is shown on its own, never converted.",
            series.len()
        ));
    }
    for s in series.iter().filter(|s| s.mismatch) {
        notes.push(format!(
            "Gumroad's {} totals and the rows it broke them into do not add up to the same figures; the headline shows its totals, the chart and table its rows.",
            s.currency.to_ascii_uppercase()
        ));
    }
    let sections = series
        .iter()
        .map(|s| section(s, span, group_by, &range))
        .collect();
    let status = format!(
        "Sales {range}, {}: {requests} {} to Gumroad.",
        by_words(group_by),
        if requests == 1 { "request" } else { "requests" }
    );
    InsightsView {
        range,
        group_by,
        view_box: [0.0, 0.0, WIDTH, HEIGHT],
        frame: FRAME,
        sections,
        notes,
        requests,
        status,
    }
}

fn by_words(group_by: GroupBy) -> &'static str {
    match group_by {
        GroupBy::Day => "by day",
        GroupBy::Week => "by week",
        GroupBy::Month => "by month",
        GroupBy::Product => "by product",
    }
}

fn section(series: &Series, span: &Span, group_by: GroupBy, range: &str) -> Section {
    let currency = series.currency.as_str();
    let drawn = if group_by.is_time() {
        &series.buckets[..]
    } else {
        &series.buckets[..series.buckets.len().min(CHART_PRODUCTS)]
    };
    let slots = slots(drawn.len());
    let points = drawn
        .iter()
        .zip(&slots)
        .map(|(bucket, slot)| Point {
            key: bucket.key.clone(),
            label: bucket.label.clone(),
            slot: slot.clone(),
            readout: readout(bucket, currency),
        })
        .collect();
    let charts = Metric::ALL
        .iter()
        .map(|&m| chart(m, drawn, currency, &format!("{} {range}", by_words(group_by))))
        .collect();
    let chart_note = (drawn.len() < series.buckets.len()).then(|| {
        format!(
            "The chart shows the {} products with the highest gross sales; the table lists all {}.",
            drawn.len(),
            series.buckets.len()
        )
    });
    let t = &series.totals;
    let totals = vec![
        Total { label: "Gross", text: format_price(t.gross_cents, currency) },
        Total { label: "Net", text: format_price(t.net_cents, currency) },
        Total { label: "Units", text: group(t.units) },
        Total { label: "Refunded", text: refunds(t, currency) },
    ];
    let (from, to) = (span.from, span.to);
    Section {
        currency: currency.to_owned(),
        title: format!(
            "Sales in {} {} {range}",
            currency.to_ascii_uppercase(),
            by_words(group_by)
        ),
        totals,
        points,
        x_labels: x_labels(drawn, &slots),
        charts,
        chart_note,
        table: table(series, group_by, range),
        csv: csv(series, group_by),
        file_name: format!(
            "bulkroad-sales-{}-{from}-to-{to}-{}.csv",
            group_by.as_param(),
            currency
        ),
    }
}

fn refunds(f: &Figures, currency: &str) -> String {
    format!(
        "{} ({} {})",
        format_price(f.refunded_cents, currency),
        group(f.refunded_units),
        if f.refunded_units == 1 { "unit" } else { "units" }
    )
}

fn units(n: i64) -> String {
    format!("{} {}", group(n), if n == 1 { "unit" } else { "units" })
}

/// "March 2025: $1,234.50 gross, $1,100 net, 42 units, $12 refunded (1 unit)."
fn readout(bucket: &Bucket, currency: &str) -> String {
    let f = &bucket.figures;
    format!(
        "{}: {} gross, {} net, {}, {} refunded.",
        bucket.label,
        format_price(f.gross_cents, currency),
        format_price(f.net_cents, currency),
        units(f.units),
        refunds(f, currency)
    )
}

fn table(series: &Series, group_by: GroupBy, range: &str) -> Table {
    let currency = series.currency.as_str();
    let cells = |label: String, f: &Figures| {
        [
            label,
            format_price(f.gross_cents, currency),
            format_price(f.net_cents, currency),
            group(f.units),
            format_price(f.refunded_cents, currency),
            group(f.refunded_units),
        ]
    };
    let first = if group_by == GroupBy::Product { "Product" } else { "Period" };
    Table {
        caption: format!(
            "Sales {} {range}, in {}",
            by_words(group_by),
            currency.to_ascii_uppercase()
        ),
        columns: [first, "Gross", "Net", "Units", "Refunded", "Refunded units"],
        rows: series
            .buckets
            .iter()
            .map(|b| cells(b.label.clone(), &b.figures))
            .collect(),
        total: cells("Total".to_owned(), &series.totals),
    }
}

/// An amount in major units with all its decimals (`1234.50`, `1500` for yen): a number a
/// spreadsheet reads whatever its locale's symbol.
fn plain_amount(minor: i64, currency: &str) -> String {
    let exponent = find_currency(currency).map_or(2, |c| u32::from(c.exponent));
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10i64.pow(exponent);
    let sign = if minor < 0 { "-" } else { "" };
    let magnitude = minor.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        magnitude / scale as u64,
        magnitude % scale as u64,
        width = exponent as usize
    )
}

/// One row per bar (every product for the by-product view), totals last.
fn csv(series: &Series, group_by: GroupBy) -> String {
    let currency = series.currency.as_str();
    let mut out = CsvWriter::new();
    let key_column = if group_by == GroupBy::Product { "product_id" } else { "period" };
    out.record([
        key_column, "label", "currency", "gross", "net", "units", "refunded", "refunded_units",
    ]);
    let row = |out: &mut CsvWriter, key: &str, label: &str, f: &Figures| {
        out.record([
            neutralised(key),
            neutralised(label),
            currency.to_owned(),
            plain_amount(f.gross_cents, currency),
            plain_amount(f.net_cents, currency),
            f.units.to_string(),
            plain_amount(f.refunded_cents, currency),
            f.refunded_units.to_string(),
        ]);
    };
    for b in &series.buckets {
        row(&mut out, &b.key, &b.label, &b.figures);
    }
    row(&mut out, "total", "Total", &series.totals);
    out.finish()
}
