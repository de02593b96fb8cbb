//! Revenue per product for the picker: gross sales of each product over the seller's
//! range, and a spark line of how they went — the range cut into equal slices, one
//! by-product summary call per slice, so "my 20 best sellers" is one sort away.

use std::collections::HashMap;

use serde::Serialize;

use super::chart::group;
use super::range::Span;
use super::view::range_words;
use crate::model::{GroupBy, SalesSummary};
use crate::money::format_price;

/// Slices a spark line is drawn from (a range shorter than this many days has fewer).
pub const SPARK_SLICES: i64 = 12;
const SPARK_WIDTH: f64 = 60.0;
const SPARK_HEIGHT: f64 = 16.0;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Revenue {
    /// "over the last 30 days" style words: "from Mar 1, 2025 to Mar 30, 2025".
    pub range: String,
    /// The currency the revenue is in (Gumroad's summary names one); null with no sales.
    pub currency: Option<String>,
    /// `0 0 60 16`, the spark lines' viewBox.
    pub spark_box: [f64; 4],
    /// Only products that sold in the range; the picker shows the others as none.
    pub products: Vec<ProductRevenue>,
    pub note: Option<String>,
    pub requests: usize,
    /// The column's caption: "Gross sales from … to … (12 requests to Gumroad)."
    pub status: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRevenue {
    pub id: String,
    /// What the column sorts by.
    pub gross_cents: i64,
    pub text: String,
    pub units: i64,
    /// SVG polyline points in `spark_box`.
    pub spark: String,
    /// The spark line in words.
    pub spark_label: String,
}

/// The by-product answers of consecutive slices (oldest first) made into the picker's
/// column. Figures in a currency other than the main one (the one with the most gross)
/// are left out and said in the note: the column sorts one currency.
pub fn revenue(span: &Span, slices: &[SalesSummary]) -> Revenue {
    let mut gross_by_currency: HashMap<String, i64> = HashMap::new();
    for answer in slices {
        *gross_by_currency
            .entry(answer.currency.trim().to_ascii_lowercase())
            .or_default() += answer.totals.gross_cents;
    }
    let mut currencies: Vec<(String, i64)> = gross_by_currency.into_iter().collect();
    currencies.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let main = currencies
        .iter()
        .find(|(_, gross)| *gross > 0)
        .map(|(c, _)| c.clone());
    let range = range_words(span, None, GroupBy::Product);
    let Some(currency) = main else {
        return Revenue {
            range: range.clone(),
            currency: None,
            spark_box: [0.0, 0.0, SPARK_WIDTH, SPARK_HEIGHT],
            products: Vec::new(),
            note: Some(format!("No sales {range}.")),
            requests: slices.len(),
            status: status(&range, slices.len()),
        };
    };
    let kept: Vec<&SalesSummary> = slices
        .iter()
        .filter(|a| a.currency.trim().eq_ignore_ascii_case(&currency))
        .collect();
    // All time starts at the first slice with a sale.
    let first = if span.all_time {
        kept.iter().position(|a| a.totals.gross_cents != 0 || a.totals.units != 0).unwrap_or(0)
    } else {
        0
    };
    let kept = &kept[first..];
    let mut rows: HashMap<String, (i64, i64, Vec<i64>)> = HashMap::new();
    for (i, answer) in kept.iter().enumerate() {
        for row in &answer.breakdown {
            let entry = rows
                .entry(row.key.clone())
                .or_insert_with(|| (0, 0, vec![0; kept.len()]));
            entry.0 = entry.0.saturating_add(row.figures.gross_cents);
            entry.1 = entry.1.saturating_add(row.figures.units);
            entry.2[i] = entry.2[i].saturating_add(row.figures.gross_cents);
        }
    }
    let mut products: Vec<ProductRevenue> = rows
        .into_iter()
        .map(|(id, (gross, units, series))| ProductRevenue {
            text: format_price(gross, &currency),
            spark: spark(&series),
            spark_label: spark_words(&series, &currency),
            id,
            gross_cents: gross,
            units,
        })
        .collect();
    products.sort_by(|a, b| b.gross_cents.cmp(&a.gross_cents).then(a.id.cmp(&b.id)));
    let others: Vec<String> = currencies
        .iter()
        .filter(|(c, gross)| *c != currency && *gross != 0)
        .map(|(c, _)| c.to_ascii_uppercase())
        .collect();
    Revenue {
        status: status(&range, slices.len()),
        range,
        note: (!others.is_empty()).then(|| {
            format!(
                "Revenue is shown in {}; sales Gumroad reported in {} are not added in.",
                currency.to_ascii_uppercase(),
                others.join(", ")
            )
        }),
        currency: Some(currency),
        spark_box: [0.0, 0.0, SPARK_WIDTH, SPARK_HEIGHT],
        products,
        requests: slices.len(),
    }
}

fn status(range: &str, requests: usize) -> String {
    format!(
        "Gross sales {range} ({requests} {} to Gumroad).",
        if requests == 1 { "request" } else { "requests" }
    )
}

fn spark(series: &[i64]) -> String {
    let high = series.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = if series.len() > 1 {
        SPARK_WIDTH / (series.len() - 1) as f64
    } else {
        0.0
    };
    let round = |v: f64| (v * 10.0).round() / 10.0;
    series
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let y = SPARK_HEIGHT - 1.0 - (SPARK_HEIGHT - 2.0) * (v.max(0) as f64 / high);
            format!("{},{}", round(step * i as f64), round(y))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// "Highest in slice 3 of 12 ($120); last slice $40."
fn spark_words(series: &[i64], currency: &str) -> String {
    let (best, high) = series
        .iter()
        .enumerate()
        .max_by_key(|&(i, &v)| (v, std::cmp::Reverse(i)))
        .map_or((0, 0), |(i, &v)| (i, v));
    format!(
        "Over {} equal periods: highest in period {} ({}), last period {}.",
        group(series.len() as i64),
        best + 1,
        format_price(high, currency),
        format_price(series.last().copied().unwrap_or(0), currency)
    )
}
