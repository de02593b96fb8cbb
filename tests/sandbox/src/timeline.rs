//! When a seeded store's sales happen: the fixed two years the tests know
//! (2023-10-01 to 2025-09-30 UTC), or the same two years moved to end on a chosen day
//! (`Config::sales_until`, `--sales-until`; the demo's "today").
//!
//! A moved calendar keeps every fixed date's distance to the end (the launch day, the
//! ten quiet days, the deleted product's retirement), puts the weekend dip on real
//! weekends, and adds the seasons (a November–December peak, a summer dip). Nothing is
//! dated after `not_after`, the moment the sandbox started: on the last day, which is
//! usually today, the sales fall in the hours already past. The fixed calendar has no
//! seasons, so the stores the tests pin stay what they were, byte for byte.

use crate::clock::{self, MICROS};

const DAY: i64 = 86_400 * MICROS;

/// How much each month sells, January first (the moved calendar only).
const SEASONS: [f64; 12] = [
    0.85, 0.9, 1.0, 1.0, 0.95, 0.85, 0.75, 0.8, 1.0, 1.05, 1.4, 1.25,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeline {
    /// How far every fixed date moves (whole days; 0 for the fixed calendar).
    shift: i64,
    /// No seeded instant is later than this.
    not_after: i64,
}

impl Timeline {
    /// 2023-10-01 to 2025-09-30, the calendar every test knows.
    pub fn fixed() -> Timeline {
        Timeline {
            shift: 0,
            not_after: i64::MAX,
        }
    }

    /// Two years of sales whose last day is `last_day` (days since 1970-01-01), none
    /// later than `not_after`.
    pub fn ending_on(last_day: i64, not_after: i64) -> Timeline {
        let fixed_end = clock::day_of(Timeline::fixed().window().1);
        Timeline {
            shift: (last_day + 1 - fixed_end) * DAY,
            not_after,
        }
    }

    pub fn is_fixed(&self) -> bool {
        self.shift == 0 && self.not_after == i64::MAX
    }

    /// The fixed-calendar instant `micros`, moved onto this calendar.
    pub fn at(&self, micros: i64) -> i64 {
        micros + self.shift
    }

    /// `clock::micros_at` on this calendar.
    pub fn micros_at(&self, year: i64, month: u32, day: u32, h: i64, m: i64, s: i64) -> i64 {
        self.at(clock::micros_at(year, month, day, h, m, s))
    }

    /// Midnight UTC of the first day with sales, and of the day after the last.
    pub fn window(&self) -> (i64, i64) {
        (
            self.micros_at(2023, 10, 1, 0, 0, 0),
            self.micros_at(2025, 10, 1, 0, 0, 0),
        )
    }

    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// 0 for Monday … 6 for Sunday, of the day `d` days after the window's start.
    pub fn weekday(&self, d: usize) -> usize {
        (clock::day_of(self.window().0) + d as i64 + 3).rem_euclid(7) as usize
    }

    /// How much the day `d` days after the window's start sells for its season.
    pub fn season(&self, d: usize) -> f64 {
        if self.is_fixed() {
            return 1.0;
        }
        let (_, month, _) = clock::ymd(clock::day_of(self.window().0) + d as i64);
        SEASONS[month as usize - 1]
    }

    /// `t` if it is not later than `not_after`; a later instant of the last day is put
    /// in the part of that day already past, in proportion (order kept).
    pub fn squeeze(&self, t: i64) -> i64 {
        if t <= self.not_after {
            return t;
        }
        let day = clock::day_start(clock::day_of(self.not_after));
        if t < day {
            return t;
        }
        let elapsed = (self.not_after - day) as i128;
        let offset = ((t - day).min(DAY - 1) as i128 * elapsed / DAY as i128) as i64;
        day + offset
    }
}

/// Reads `--sales-until`: `today` or a `YYYY-MM-DD` day from 1972-01-01 (the window's
/// first day must be after 1970) to `today` (day number, UTC); answers the day number.
pub fn parse_last_day(text: &str, today: i64) -> Result<i64, String> {
    let earliest = clock::day_number(1972, 1, 1);
    if text == "today" {
        return Ok(today);
    }
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    let day = shaped
        .then(|| clock::parse_day(text))
        .flatten()
        .ok_or_else(|| {
            format!("--sales-until: expected a day as YYYY-MM-DD, or today; got {text:?}")
        })?;
    if day > today {
        return Err(format!(
            "--sales-until: {text} is after today (UTC); sales cannot lie in the future"
        ));
    }
    if day < earliest {
        return Err(format!(
            "--sales-until: {text} is too early; the two years of sales must start after 1970"
        ));
    }
    Ok(day)
}

/// `YYYY-MM-DD` of day number `day`.
pub fn day_text(day: i64) -> String {
    let (y, m, d) = clock::ymd(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today's day number (UTC) and the instant now.
pub fn today() -> (i64, i64) {
    let now = clock::now_micros();
    (clock::day_of(now), now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_calendar_is_the_known_one() {
        let t = Timeline::fixed();
        assert_eq!(
            t.window(),
            (
                clock::micros_at(2023, 10, 1, 0, 0, 0),
                clock::micros_at(2025, 10, 1, 0, 0, 0)
            )
        );
        assert_eq!(t.weekday(0), 6, "2023-10-01 was a Sunday");
        assert_eq!(t.season(40), 1.0);
        assert_eq!(t.squeeze(i64::MAX - 1), i64::MAX - 1);
    }

    #[test]
    fn a_moved_calendar_ends_on_its_day_and_nothing_is_later_than_now() {
        let last = clock::day_number(2026, 12, 4);
        let now = clock::micros_at(2026, 12, 4, 15, 0, 0);
        let t = Timeline::ending_on(last, now);
        let (start, end) = t.window();
        assert_eq!(end, clock::micros_at(2026, 12, 5, 0, 0, 0));
        // As many days as the fixed two years (2024-02-29 among them): 731.
        assert_eq!(start, clock::micros_at(2024, 12, 4, 0, 0, 0));
        // 2024-12-04 was a Wednesday; December sells more than July.
        assert_eq!(t.weekday(0), 2);
        assert!(t.season(0) > t.season(220));
        let late = clock::micros_at(2026, 12, 4, 23, 0, 0);
        let early = clock::micros_at(2026, 12, 4, 1, 0, 0);
        assert!(t.squeeze(late) <= now && t.squeeze(late) >= t.squeeze(early));
        assert!(t.squeeze(late) >= clock::micros_at(2026, 12, 4, 0, 0, 0));
        assert_eq!(t.squeeze(now - 1), now - 1);
        assert_eq!(t.squeeze(end - 1), t.squeeze(end - 1).min(now));
    }

    #[test]
    fn the_last_day_reads_strictly() {
        let today = clock::day_number(2026, 12, 4);
        assert_eq!(parse_last_day("today", today), Ok(today));
        assert_eq!(
            parse_last_day("2026-01-31", today),
            Ok(clock::day_number(2026, 1, 31))
        );
        for bad in [
            "",
            "Today",
            "2026-1-31",
            "2026-02-30",
            "2026-13-01",
            "20261201",
            "2026-12-05",
            "1971-12-31",
            "+2026-01-01",
            "2026-01-01x",
        ] {
            assert!(parse_last_day(bad, today).is_err(), "{bad}");
        }
    }
}
