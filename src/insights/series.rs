//! Summary answers (one per window) made into the series a chart draws: rows added up by
//! key across windows, one series per currency, periods in time order with the empty ones
//! Gumroad left out put back, products by gross, and every row labelled in words.

use std::collections::{BTreeMap, HashMap};

use super::range::{weekday, Span};
use crate::model::{Day, Figures, GroupBy, SalesSummary};

/// One bar: a period or a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    /// Gumroad's key (`2025-03-14`, `2025-03`, a product id).
    pub key: String,
    /// In words: "Mar 14, 2025", "Week of Mar 10, 2025", "March 2025", a product's name.
    pub label: String,
    /// Under the bar: "Mar 14", "Mar 2025", a clipped name.
    pub short: String,
    pub figures: Figures,
}

/// Everything in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub currency: String,
    pub totals: Figures,
    pub buckets: Vec<Bucket>,
    /// The answers' totals and their breakdowns do not add up to the same figures.
    pub mismatch: bool,
}

/// The answers of every window merged: rows with the same key (a week or month cut by a
/// window's edge, a product sold in several windows) added up.
pub fn merge(answers: &[SalesSummary], group_by: GroupBy, span: &Span) -> Vec<Series> {
    type Rows = Vec<(String, Option<String>, Figures)>;
    let mut by_currency: BTreeMap<String, (Figures, Rows, HashMap<String, usize>)> =
        BTreeMap::new();
    for answer in answers {
        let (totals, rows, index) = by_currency
            .entry(answer.currency.trim().to_ascii_lowercase())
            .or_default();
        *totals = totals.plus(answer.totals);
        for row in &answer.breakdown {
            match index.get(&row.key) {
                Some(&i) => {
                    let (_, label, figures) = &mut rows[i];
                    *figures = figures.plus(row.figures);
                    if row.label.is_some() {
                        label.clone_from(&row.label);
                    }
                }
                None => {
                    index.insert(row.key.clone(), rows.len());
                    rows.push((row.key.clone(), row.label.clone(), row.figures));
                }
            }
        }
    }
    by_currency
        .into_iter()
        .map(|(currency, (totals, rows, _))| {
            let added = rows
                .iter()
                .fold(Figures::default(), |sum, (_, _, f)| sum.plus(*f));
            let mut buckets: Vec<Bucket> = rows
                .into_iter()
                .map(|(key, label, figures)| labelled(key, label, figures, group_by))
                .collect();
            if group_by.is_time() {
                buckets.sort_by(|a, b| a.key.cmp(&b.key));
                fill_gaps(&mut buckets, group_by, span);
                if span.all_time {
                    let first = buckets.iter().position(|b| !b.figures.is_empty());
                    buckets.drain(..first.unwrap_or(buckets.len()));
                }
            } else {
                buckets.sort_by(|a, b| {
                    (b.figures.gross_cents, &a.label).cmp(&(a.figures.gross_cents, &b.label))
                });
            }
            Series {
                currency,
                totals,
                buckets,
                mismatch: added != totals,
            }
        })
        .collect()
}

const MONTHS: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];

fn month_name(month: u32) -> &'static str {
    MONTHS[(month as usize).clamp(1, 12) - 1]
}

/// `Mar 14, 2025`.
pub(crate) fn day_words(day: Day) -> String {
    let (y, m, d) = day.ymd();
    format!("{} {d}, {y}", &month_name(m)[..3])
}

/// `YYYY-MM` read as (year, month).
fn parse_month(key: &str) -> Option<(i64, u32)> {
    let (year, month) = key.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let (year, month): (i64, u32) = (year.parse().ok()?, month.parse().ok()?);
    (1..=12).contains(&month).then_some((year, month))
}

fn labelled(key: String, label: Option<String>, figures: Figures, group_by: GroupBy) -> Bucket {
    let words = |long: String, short: String| (long, short);
    let (label, short) = match group_by {
        GroupBy::Day | GroupBy::Week => match Day::parse(&key) {
            Ok(day) => {
                let (_, m, d) = day.ymd();
                let short = format!("{} {d}", &month_name(m)[..3]);
                if group_by == GroupBy::Week {
                    words(format!("Week of {}", day_words(day)), short)
                } else {
                    words(day_words(day), short)
                }
            }
            Err(_) => as_sent(&key, label),
        },
        GroupBy::Month => match parse_month(&key) {
            Some((y, m)) => words(
                format!("{} {y}", month_name(m)),
                format!("{} {y}", &month_name(m)[..3]),
            ),
            None => as_sent(&key, label),
        },
        GroupBy::Product => as_sent(&key, label),
    };
    Bucket {
        key,
        label,
        short,
        figures,
    }
}

/// Gumroad's own label (else the key), and a clipped copy of it for under a bar.
fn as_sent(key: &str, label: Option<String>) -> (String, String) {
    let label = label
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| key.to_owned());
    let short = if label.chars().count() > 14 {
        format!("{}…", label.chars().take(13).collect::<String>().trim_end())
    } else {
        label.clone()
    };
    (label, short)
}

/// Puts back the periods of `span` that have no row (Gumroad may list only periods with
/// sales), when every key reads as the grouping's period; otherwise the rows stay as sent.
fn fill_gaps(buckets: &mut Vec<Bucket>, group_by: GroupBy, span: &Span) {
    let keys: Vec<String> = match group_by {
        GroupBy::Day => day_keys(span.from, span.to, 1),
        GroupBy::Week => {
            // Weeks start on whatever weekday Gumroad's keys start on (Monday by default).
            let Some(first) = buckets.first().and_then(|b| Day::parse(&b.key).ok()) else {
                return;
            };
            let back = (weekday(span.from) - weekday(first)).rem_euclid(7);
            day_keys(span.from.plus_days(-back), span.to, 7)
        }
        GroupBy::Month => {
            let ((mut y, mut m, _), (y2, m2, _)) = (span.from.ymd(), span.to.ymd());
            let mut keys = Vec::new();
            while (y, m) <= (y2, m2) {
                keys.push(format!("{y:04}-{m:02}"));
                (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            }
            keys
        }
        GroupBy::Product => return,
    };
    if !buckets.iter().all(|b| keys.binary_search(&b.key).is_ok()) {
        return;
    }
    let mut filled = Vec::with_capacity(keys.len());
    let mut sent = std::mem::take(buckets).into_iter().peekable();
    for key in keys {
        match sent.next_if(|b| b.key == key) {
            Some(bucket) => filled.push(bucket),
            None => filled.push(labelled(key, None, Figures::default(), group_by)),
        }
    }
    *buckets = filled;
}

fn day_keys(from: Day, to: Day, step: i64) -> Vec<String> {
    let mut keys = Vec::new();
    let mut day = from;
    while day <= to {
        keys.push(day.to_string());
        day = day.plus_days(step);
    }
    keys
}
