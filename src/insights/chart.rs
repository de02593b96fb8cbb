//! A series drawn as a bar chart, as numbers the page turns into SVG: bar positions in the
//! chart's own coordinates (a fixed viewBox the page scales), round axis ticks with their
//! labels, the labels under the bars, and one sentence per metric for readers who cannot
//! see it. The page computes nothing; it places what is here.

use serde::Serialize;

use super::series::Bucket;
use crate::model::Figures;
use crate::money::{find_currency, format_price};

/// The viewBox: `0 0 WIDTH HEIGHT`.
pub const WIDTH: f64 = 720.0;
pub const HEIGHT: f64 = 260.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 30.0;
/// Labels under the bars at most (more would overlap).
const MAX_X_LABELS: usize = 8;

/// What a chart measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Metric {
    Gross,
    Net,
    Units,
    Refunds,
}

impl Metric {
    pub const ALL: [Metric; 4] = [Metric::Gross, Metric::Net, Metric::Units, Metric::Refunds];

    pub fn label(self) -> &'static str {
        match self {
            Metric::Gross => "Gross sales",
            Metric::Net => "Net sales",
            Metric::Units => "Units sold",
            Metric::Refunds => "Refunds",
        }
    }

    pub fn of(self, figures: &Figures) -> i64 {
        match self {
            Metric::Gross => figures.gross_cents,
            Metric::Net => figures.net_cents,
            Metric::Units => figures.units,
            Metric::Refunds => figures.refunded_cents,
        }
    }

    fn is_money(self) -> bool {
        self != Metric::Units
    }

    /// `value` as a seller reads it: money in `currency`, units as a count.
    pub fn text(self, value: i64, currency: &str) -> String {
        if self.is_money() {
            format_price(value, currency)
        } else {
            group(value)
        }
    }
}

/// `12,345`.
pub(crate) fn group(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Where the page puts the axes and labels, in viewBox units: grid lines run from `left` to
/// `right`, tick labels end at `tick_x`, labels under the bars sit on `label_y`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Frame {
    pub left: f64,
    pub right: f64,
    pub tick_x: f64,
    pub label_y: f64,
}

pub const FRAME: Frame = Frame {
    left: LEFT - 6.0,
    right: WIDTH - RIGHT,
    tick_x: LEFT - 10.0,
    label_y: HEIGHT - 10.0,
};

/// Where one bucket's bar stands across the chart (the same in every metric's chart).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slot {
    pub x: f64,
    pub w: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bar {
    pub y: f64,
    pub h: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tick {
    pub y: f64,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct XLabel {
    pub x: f64,
    pub text: String,
}

/// One metric's chart over the shared slots.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Chart {
    pub metric: Metric,
    pub label: &'static str,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
    /// The baseline (value 0).
    pub zero_y: f64,
    /// The chart in one sentence: total, highest bar, how many bars.
    pub summary: String,
}

/// The bars' slots across the plot, left to right.
pub fn slots(count: usize) -> Vec<Slot> {
    let plot = WIDTH - LEFT - RIGHT;
    let slot = plot / count.max(1) as f64;
    let gap = if count > 120 { 0.0 } else { slot * 0.2 };
    (0..count)
        .map(|i| Slot {
            x: round(LEFT + slot * i as f64 + gap / 2.0),
            w: round((slot - gap).max(0.5)),
        })
        .collect()
}

/// Labels under at most [`MAX_X_LABELS`] evenly spaced bars, centred on them.
pub fn x_labels(buckets: &[Bucket], slots: &[Slot]) -> Vec<XLabel> {
    let every = buckets.len().div_ceil(MAX_X_LABELS).max(1);
    buckets
        .iter()
        .zip(slots)
        .step_by(every)
        .map(|(bucket, slot)| XLabel {
            x: round(slot.x + slot.w / 2.0),
            text: bucket.short.clone(),
        })
        .collect()
}

/// `metric`'s chart of `buckets` (the caller's own order) in `currency`, over `range`
/// (words, for the summary).
pub fn chart(metric: Metric, buckets: &[Bucket], currency: &str, range: &str) -> Chart {
    let values: Vec<i64> = buckets.iter().map(|b| metric.of(&b.figures)).collect();
    let low = values.iter().copied().min().unwrap_or(0).min(0);
    let high = values.iter().copied().max().unwrap_or(0).max(0);
    let step = tick_step(high - low, metric, currency);
    let bottom = (low as f64 / step).floor() * step;
    let top = ((high as f64 / step).ceil() * step).max(bottom + step);
    let plot = HEIGHT - TOP - BOTTOM;
    let y_of = |value: f64| round(TOP + plot * (top - value) / (top - bottom));
    let zero_y = y_of(0.0);
    let bars = values
        .iter()
        .map(|&v| {
            let y = y_of(v as f64);
            Bar {
                y: y.min(zero_y),
                h: round((y - zero_y).abs()),
            }
        })
        .collect();
    let mut ticks = Vec::new();
    let mut value = bottom;
    while value <= top + step / 2.0 {
        ticks.push(Tick {
            y: y_of(value),
            text: metric.text(value.round() as i64, currency),
        });
        value += step;
    }
    Chart {
        metric,
        label: metric.label(),
        bars,
        ticks,
        zero_y,
        summary: summary(metric, buckets, &values, currency, range),
    }
}

/// A round step (1, 2 or 5 × a power of ten, in the currency's whole units for money) that
/// cuts `span` into about four.
fn tick_step(span: i64, metric: Metric, currency: &str) -> f64 {
    let unit = if metric.is_money() {
        10f64.powi(find_currency(currency).map_or(2, |c| i32::from(c.exponent)))
    } else {
        1.0
    };
    let rough = (span as f64 / unit / 4.0).max(1.0);
    let power = 10f64.powf(rough.log10().floor());
    let nice = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= rough)
        .unwrap_or(10.0 * power);
    nice * unit
}

fn summary(metric: Metric, buckets: &[Bucket], values: &[i64], currency: &str, range: &str) -> String {
    let total: i64 = values.iter().sum();
    let best = values
        .iter()
        .enumerate()
        .max_by_key(|&(i, &v)| (v, std::cmp::Reverse(i)))
        .filter(|&(_, &v)| v > 0);
    let mut text = format!(
        "{} {range}: {} in total over {} bars",
        metric.label(),
        metric.text(total, currency),
        group(values.len() as i64)
    );
    match best {
        Some((i, &v)) => text.push_str(&format!(
            "; highest: {} ({}).",
            buckets[i].label,
            metric.text(v, currency)
        )),
        None => text.push('.'),
    }
    text
}

fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}
