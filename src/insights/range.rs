//! Which days an Insights view covers: the seller's choice of range resolved against
//! today, the grouping that suits it, the 366-day windows one summary call may cover, and
//! the equal slices a spark line is drawn from.

use serde::Deserialize;

use crate::error::Error;
use crate::model::{Day, GroupBy, SUMMARY_MAX_DAYS};

/// Gumroad opened to sellers in April 2011: "all time" starts here, so a store's first
/// sale is always inside it.
pub fn first_possible_day() -> Day {
    Day::from_ymd(2011, 4, 1).expect("a real date")
}

/// More bars than this do not fit a chart (or a table a seller reads): a longer range is
/// shown by a coarser grouping.
pub const MAX_BUCKETS: i64 = 400;

/// A range as the seller picks it. JSON: `{"kind": "last30"}`, …, `{"kind": "custom",
/// "from": "2025-01-01", "to": "2025-03-31"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RangeChoice {
    Last30,
    Last90,
    Last365,
    ThisYear,
    LastYear,
    All,
    /// Either end may be missing (an empty date field): refused with a sentence saying so.
    Custom {
        #[serde(default)]
        from: Option<Day>,
        #[serde(default)]
        to: Option<Day>,
    },
}

/// A resolved range, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: Day,
    pub to: Day,
    /// "all time": leading days without a sale are not shown.
    pub all_time: bool,
}

impl Span {
    pub fn days(&self) -> i64 {
        self.from.days_until(self.to) + 1
    }
}

impl RangeChoice {
    /// The days this choice covers when today is `today` (the seller's own date).
    pub fn resolve(self, today: Day) -> Result<Span, Error> {
        let (year, _, _) = today.ymd();
        let span = |from: Day, to: Day| Span {
            from,
            to,
            all_time: false,
        };
        Ok(match self {
            RangeChoice::Last30 => span(today.plus_days(-29), today),
            RangeChoice::Last90 => span(today.plus_days(-89), today),
            RangeChoice::Last365 => span(today.plus_days(-364), today),
            RangeChoice::ThisYear => span(jan_first(year), today),
            RangeChoice::LastYear => span(
                jan_first(year - 1),
                jan_first(year).plus_days(-1),
            ),
            RangeChoice::All => Span {
                from: first_possible_day(),
                to: today,
                all_time: true,
            },
            RangeChoice::Custom { from, to } => {
                let (Some(from), Some(to)) = (from, to) else {
                    return Err(Error::invalid_input(
                        "Choose the first and the last day of the range.",
                    ));
                };
                if from > to {
                    return Err(Error::invalid_input(format!(
                        "The range starts on {from}, after its end on {to}: choose a start on or before the end."
                    )));
                }
                if to > today {
                    return Err(Error::invalid_input(format!(
                        "The range ends on {to}, after today ({today}): there are no sales to show there yet."
                    )));
                }
                span(from.max(first_possible_day()), to)
            }
        })
    }
}

fn jan_first(year: i64) -> Day {
    Day::from_ymd(year, 1, 1).expect("January 1st exists")
}

/// The grouping a range is first shown by: days up to two months, weeks up to a year and
/// a half, months beyond.
pub fn default_grouping(span: &Span) -> GroupBy {
    match span.days() {
        ..=62 => GroupBy::Day,
        ..=550 if !span.all_time => GroupBy::Week,
        _ => GroupBy::Month,
    }
}

/// How many bars `group_by` makes of `span` (products: unknown until read, never refused).
pub fn bucket_count(span: &Span, group_by: GroupBy) -> i64 {
    match group_by {
        GroupBy::Day => span.days(),
        // Every ISO week the span touches, partial ones at either end included: Monday of
        // the first day's week to Monday of the last day's, plus one.
        GroupBy::Week => {
            let monday = |day: Day| day.plus_days(-weekday(day));
            monday(span.from).days_until(monday(span.to)) / 7 + 1
        }
        GroupBy::Month => {
            let ((y1, m1, _), (y2, m2, _)) = (span.from.ymd(), span.to.ymd());
            (y2 - y1) * 12 + i64::from(m2) - i64::from(m1) + 1
        }
        GroupBy::Product => 0,
    }
}

/// Refuses a grouping that would draw more than [`MAX_BUCKETS`] bars, naming one that fits.
pub fn check_grouping(span: &Span, group_by: GroupBy) -> Result<(), Error> {
    if bucket_count(span, group_by) <= MAX_BUCKETS {
        return Ok(());
    }
    let coarser = if group_by == GroupBy::Day { "week or month" } else { "month" };
    Err(Error::invalid_input(format!(
        "That range has more than {MAX_BUCKETS} {}s to draw: group it by {coarser}, or choose a shorter range.",
        group_by.as_param()
    )))
}

/// The range cut into consecutive windows of at most [`SUMMARY_MAX_DAYS`] days (one
/// summary call each), oldest first. Windows for weeks start on a Monday and windows for
/// months on the 1st where the range allows, so a window's edge rarely splits a bar (a
/// split bar is still added up whole, by its key).
pub fn windows(span: &Span, group_by: GroupBy) -> Vec<(Day, Day)> {
    let mut out = Vec::new();
    let mut from = span.from;
    while from <= span.to {
        let mut to = from.plus_days(SUMMARY_MAX_DAYS - 1).min(span.to);
        if to < span.to {
            to = aligned_end(from, to, group_by);
        }
        out.push((from, to));
        from = to.plus_days(1);
    }
    out
}

/// The last day at or before `to` (and after `from`) that ends a week or a month.
fn aligned_end(from: Day, to: Day, group_by: GroupBy) -> Day {
    let ends_bucket = |day: Day| match group_by {
        GroupBy::Week => weekday(day) == 6,
        GroupBy::Month => day.plus_days(1).ymd().2 == 1,
        GroupBy::Day | GroupBy::Product => true,
    };
    let mut end = to;
    while end > from && !ends_bucket(end) {
        end = end.plus_days(-1);
    }
    if end > from {
        end
    } else {
        to
    }
}

/// 0 for Monday … 6 for Sunday.
pub fn weekday(day: Day) -> i64 {
    // 1970-01-01 was a Thursday.
    (Day::from_ymd(1970, 1, 1).expect("epoch").days_until(day) + 3).rem_euclid(7)
}

/// `span` cut into at most `slices` consecutive, equal-as-possible slices of whole days
/// (each at most [`SUMMARY_MAX_DAYS`] long, so one call each), oldest first.
pub fn slices(span: &Span, slices: i64) -> Vec<(Day, Day)> {
    let days = span.days();
    let count = slices
        .max(1)
        .min(days)
        .max((days + SUMMARY_MAX_DAYS - 1) / SUMMARY_MAX_DAYS);
    (0..count)
        .map(|i| {
            let start = span.from.plus_days(days * i / count);
            let end = span.from.plus_days(days * (i + 1) / count - 1);
            (start, end)
        })
        .collect()
}
