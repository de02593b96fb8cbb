//! Timestamps: microseconds since the Unix epoch, and the two text forms the API uses.
//!
//! JSON timestamps are ISO 8601 UTC with whole seconds (`2021-01-05T19:38:56Z`,
//! Rails' default); page keys use `YYYYMMDDHHMMSSuuuuuu` (contract §2.6).

use std::time::{SystemTime, UNIX_EPOCH};

pub const MICROS: i64 = 1_000_000;

pub fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// Days since 1970-01-01 to (year, month, day); Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

struct Parts {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
    micros: i64,
}

fn parts(micros: i64) -> Parts {
    let secs = micros.div_euclid(MICROS);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Parts {
        year,
        month,
        day,
        hour: sod / 3600,
        minute: sod / 60 % 60,
        second: sod % 60,
        micros: micros.rem_euclid(MICROS),
    }
}

/// `2021-01-05T19:38:56Z`
pub fn iso8601(micros: i64) -> String {
    let p = parts(micros);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        p.year, p.month, p.day, p.hour, p.minute, p.second
    )
}

/// `20230119081040000000`: the timestamp half of a page key.
pub fn page_key_stamp(micros: i64) -> String {
    let p = parts(micros);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}{:06}",
        p.year, p.month, p.day, p.hour, p.minute, p.second, p.micros
    )
}

/// Inverse of [`page_key_stamp`]; `None` for anything that is not 20 digits of a real instant.
pub fn parse_page_key_stamp(s: &str) -> Option<i64> {
    if s.len() != 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |a: usize, b: usize| s[a..b].parse::<i64>().ok();
    let (year, month, day) = (num(0, 4)?, num(4, 6)? as u32, num(6, 8)? as u32);
    let (hour, minute, second, micros) = (num(8, 10)?, num(10, 12)?, num(12, 14)?, num(14, 20)?);
    if !(1..=12).contains(&month) || day == 0 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if civil_from_days(days) != (year, month, day) {
        return None;
    }
    Some(((days * 86_400) + hour * 3600 + minute * 60 + second) * MICROS + micros)
}

/// Ruby's `Date.strptime(s, "%Y-%m-%d")` as the sales filters use it, as the micros of
/// that day's midnight UTC (how MySQL compares a datetime with a date). `%Y` takes an
/// optional sign and any number of digits, `%m`/`%d` one or two; anything left over,
/// or a day that does not exist, fails — and so does a year so far out that its
/// midnight is no instant the store can hold (MySQL would refuse it too).
pub fn parse_filter_date(s: &str) -> Option<i64> {
    strptime_day(s)?.checked_mul(86_400 * MICROS)
}

/// A `YYYY-MM-DD` parameter read by the same `Date.strptime` rule as the sales filters,
/// as a day number (days since 1970-01-01), for years 1 to 9999 only: the summary's
/// dates are echoed and bucketed, and a five-digit year has no `YYYY-MM-DD` form.
pub fn parse_day(s: &str) -> Option<i64> {
    let day = strptime_day(s)?;
    (days_from_civil(1, 1, 1)..=days_from_civil(9999, 12, 31))
        .contains(&day)
        .then_some(day)
}

/// The day number of the UTC day `micros` falls on (the day the sales filters put it on).
pub fn day_of(micros: i64) -> i64 {
    micros.div_euclid(86_400 * MICROS)
}

/// Midnight UTC of day number `day`.
pub fn day_start(day: i64) -> i64 {
    day * 86_400 * MICROS
}

/// (year, month, day) of day number `day`.
pub fn ymd(day: i64) -> (i64, u32, u32) {
    civil_from_days(day)
}

/// Day number of a calendar date (which must exist).
pub fn day_number(year: i64, month: u32, day: u32) -> i64 {
    days_from_civil(year, month, day)
}

/// `%Y-%m-%d` as `Date.strptime` reads it, as a day number; `None` when it does not read.
fn strptime_day(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let mut i = 0;
    let neg = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let digits = |from: usize, max: usize| -> usize {
        b[from..]
            .iter()
            .take(max)
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let ny = digits(i, 9);
    if ny == 0 {
        return None;
    }
    let mut year: i64 = s[i..i + ny].parse().ok()?;
    if neg {
        year = -year;
    }
    i += ny;
    if b.get(i) != Some(&b'-') {
        return None;
    }
    i += 1;
    let nm = digits(i, 2);
    if nm == 0 {
        return None;
    }
    let month: u32 = s[i..i + nm].parse().ok()?;
    i += nm;
    if b.get(i) != Some(&b'-') {
        return None;
    }
    i += 1;
    let nd = digits(i, 2);
    if nd == 0 || i + nd != b.len() {
        return None;
    }
    let day: u32 = s[i..i + nd].parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if civil_from_days(days) != (year, month, day) {
        return None;
    }
    Some(days)
}

/// `1 Oct 2025 9:05 AM`: the sale's `daystamp` (the seller's time zone is UTC here).
pub fn daystamp(micros: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let p = parts(micros);
    let (h12, ampm) = match p.hour {
        0 => (12, "AM"),
        h if h < 12 => (h, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    format!(
        "{} {} {} {}:{:02} {}",
        p.day,
        MONTHS[(p.month - 1) as usize],
        p.year,
        h12,
        p.minute,
        ampm
    )
}

/// Rails' `time_ago_in_words(t) + " ago"`: the sale's `timestamp` ("about 2 months ago").
pub fn time_ago(micros: i64, now: i64) -> String {
    let minutes = ((now - micros).max(0) as f64 / 60e6).round() as i64;
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    let words = match minutes {
        0 => "less than a minute".to_string(),
        1..=44 => plural(minutes, "minute"),
        45..=89 => "about 1 hour".to_string(),
        90..=1439 => format!("about {} hours", (minutes as f64 / 60.0).round() as i64),
        1440..=2519 => "1 day".to_string(),
        2520..=43_199 => format!("{} days", (minutes as f64 / 1440.0).round() as i64),
        43_200..=86_399 => {
            let n = (minutes as f64 / 43_200.0).round() as i64;
            format!("about {}", plural(n, "month"))
        }
        86_400..=525_599 => format!("{} months", (minutes as f64 / 43_200.0).round() as i64),
        _ => {
            let years = minutes / 525_600;
            let rest = minutes % 525_600;
            if rest < 131_400 {
                format!("about {}", plural(years, "year"))
            } else if rest < 394_200 {
                format!("over {}", plural(years, "year"))
            } else {
                format!("almost {}", plural(years + 1, "year"))
            }
        }
    };
    format!("{words} ago")
}

/// Micros for a UTC calendar instant; used to anchor the seeded store.
pub fn micros_at(year: i64, month: u32, day: u32, hour: i64, minute: i64, second: i64) -> i64 {
    (days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * MICROS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        let cases = [
            (0i64, "1970-01-01T00:00:00Z", "19700101000000000000"),
            (
                1_609_875_536 * MICROS,
                "2021-01-05T19:38:56Z",
                "20210105193856000000",
            ),
            (
                1_674_116_240 * MICROS + 123,
                "2023-01-19T08:17:20Z",
                "20230119081720000123",
            ),
            (
                951_782_400 * MICROS,
                "2000-02-29T00:00:00Z",
                "20000229000000000000",
            ),
        ];
        for (micros, iso, stamp) in cases {
            assert_eq!(iso8601(micros), iso);
            assert_eq!(page_key_stamp(micros), stamp);
            assert_eq!(parse_page_key_stamp(stamp), Some(micros));
        }
    }

    #[test]
    fn rejects_malformed_stamps() {
        for bad in [
            "",
            "2023011908104000000",
            "2023011908104000000x",
            "20231319081040000000",
            "20230230081040000000",
            "20230119250000000000",
        ] {
            assert_eq!(parse_page_key_stamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn filter_dates_parse_like_date_strptime() {
        let jan5 = Some(micros_at(2024, 1, 5, 0, 0, 0));
        for ok in ["2024-01-05", "2024-1-5", "+2024-01-05"] {
            assert_eq!(parse_filter_date(ok), jan5, "{ok}");
        }
        for bad in [
            "",
            "2024",
            "2024-01",
            "2024-01-05 ",
            "2024-01-05T00:00",
            "2024-02-30",
            "2024-13-01",
            "05/01/2024",
            "2024/01/05",
            "2024-001-05",
            "abc",
            // Midnight of that year is far past what micros since 1970 can count.
            "999999999-01-01",
            "-999999999-01-01",
        ] {
            assert_eq!(parse_filter_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn summary_days_read_like_filter_dates_for_four_digit_years() {
        let cases = [
            ("2025-03-14", Some(day_number(2025, 3, 14))),
            ("2025-3-4", Some(day_number(2025, 3, 4))),
            ("0001-01-01", Some(day_number(1, 1, 1))),
            ("9999-12-31", Some(day_number(9999, 12, 31))),
            ("10000-01-01", None),
            ("0000-12-31", None),
            ("-2025-01-01", None),
            ("999999999-01-01", None),
            ("99999999999999999999-01-01", None),
            ("2025-02-29", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_day(text), want, "{text:?}");
        }
        assert_eq!(
            ymd(day_of(micros_at(2025, 3, 14, 23, 59, 59) + 999_999)),
            (2025, 3, 14)
        );
        assert_eq!(
            day_start(day_number(2025, 3, 14)),
            micros_at(2025, 3, 14, 0, 0, 0)
        );
        assert_eq!(day_of(-1), -1);
    }

    #[test]
    fn human_stamps() {
        let t = micros_at(2025, 10, 1, 9, 5, 0);
        assert_eq!(daystamp(t), "1 Oct 2025 9:05 AM");
        assert_eq!(
            daystamp(micros_at(2025, 1, 2, 0, 0, 0)),
            "2 Jan 2025 12:00 AM"
        );
        let min = 60 * MICROS;
        let cases = [
            (0, "less than a minute ago"),
            (5 * min, "5 minutes ago"),
            (60 * min, "about 1 hour ago"),
            (3 * 1440 * min, "3 days ago"),
            (45 * 1440 * min, "about 2 months ago"),
            (60 * 1440 * min, "2 months ago"),
            (200 * 1440 * min, "7 months ago"),
            (400 * 1440 * min, "about 1 year ago"),
            (700 * 1440 * min, "almost 2 years ago"),
        ];
        for (ago, want) in cases {
            assert_eq!(time_ago(t - ago, t), want);
        }
    }

    #[test]
    fn micros_at_matches_iso() {
        assert_eq!(
            iso8601(micros_at(2025, 10, 1, 12, 30, 5)),
            "2025-10-01T12:30:05Z"
        );
    }
}
