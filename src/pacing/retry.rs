//! How hard and how fast a run of requests (a bulk job, a snapshot, an export) pushes:
//! which failures are retried, how long to wait (exponential backoff with full jitter:
//! Gumroad's 429 carries no `Retry-After`, contract §4), and how many requests may be in flight (AIMD). Pure: no clock, no I/O; the
//! runner feeds in times and random draws.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

/// Knobs of a run, from JS (camelCase, every field optional).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExecOptions {
    /// Requests in flight at the start.
    pub initial_concurrency: usize,
    /// The most requests in flight after growing.
    pub max_concurrency: usize,
    /// Requests per step, counting the first, before giving up (re-reads not counted).
    pub max_attempts: u32,
    /// The first backoff ceiling; doubled per attempt.
    pub backoff_base_ms: u64,
    /// Backoff never exceeds this.
    pub backoff_max_ms: u64,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            initial_concurrency: 4,
            max_concurrency: 8,
            max_attempts: 6,
            backoff_base_ms: 500,
            backoff_max_ms: 30_000,
        }
    }
}

impl ExecOptions {
    /// The same options with nonsense (0 in flight, 0 attempts) made usable.
    pub fn sanitized(&self) -> ExecOptions {
        let max_concurrency = self.max_concurrency.clamp(1, 64);
        ExecOptions {
            initial_concurrency: self.initial_concurrency.clamp(1, max_concurrency),
            max_concurrency,
            max_attempts: self.max_attempts.clamp(1, 20),
            backoff_base_ms: self.backoff_base_ms,
            backoff_max_ms: self.backoff_max_ms.max(self.backoff_base_ms),
        }
    }

    /// The wait before retry number `retry` (0 for the first retry): a uniform draw in
    /// `[0, min(max, base · 2^retry))` ("full jitter"), so clients that were throttled
    /// together do not come back together.
    pub fn backoff_ms(&self, retry: u32, random: f64) -> u64 {
        let ceiling = self
            .backoff_base_ms
            .saturating_mul(1u64 << retry.min(32))
            .min(self.backoff_max_ms);
        (ceiling as f64 * random.clamp(0.0, 1.0)).floor() as u64
    }
}

/// What to do after a failed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Gumroad's throttle answered: shrink the window, pause, then send again (a 429 is
    /// refused before Gumroad's app runs, so even a write cannot have happened).
    Throttled,
    /// Nothing can have happened and trying again may help: wait, then send again.
    Retry,
    /// A write may have happened (no answer, a 5xx, an unreadable answer) or a create was
    /// refused as a duplicate (a silently resent POST gets that answer after the first one
    /// created the code, see `shared/design/toolchain.md`): re-read before deciding.
    Verify,
    /// The token is no longer valid, or the account was disconnected (`Stopped`): stop the
    /// whole run, with no retry, backoff or re-read.
    Stop,
    /// A definite answer: record it and go on.
    Fail,
}

/// The message Gumroad answers to a second create of the same code (contract §2.2).
pub const NOT_UNIQUE: &str = "Discount code must be unique.";

/// The verdict for `error` on a read (`write == false`) or a write.
pub fn verdict(error: &Error, write: bool) -> Verdict {
    match error.kind() {
        ErrorKind::Unauthorized | ErrorKind::Stopped => Verdict::Stop,
        ErrorKind::RateLimited => Verdict::Throttled,
        _ if write && error.may_have_applied() => Verdict::Verify,
        ErrorKind::Rejected if write && error.message() == NOT_UNIQUE => Verdict::Verify,
        // Reads are never `may_have_applied`, so `retryable` covers every 5xx and lost answer.
        _ if error.retryable() => Verdict::Retry,
        _ => Verdict::Fail,
    }
}

/// The in-flight window: additive increase (one more after as many successes in a row as
/// the window holds, up to the maximum), multiplicative decrease (halved on a 429, at
/// least 1). Requests remember the window's epoch when sent, so a burst of 429s from
/// requests sent together halves the window once, not once per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    size: usize,
    max: usize,
    streak: usize,
    epoch: u64,
}

impl Window {
    pub fn new(initial: usize, max: usize) -> Self {
        let max = max.max(1);
        Window {
            size: initial.clamp(1, max),
            max,
            streak: 0,
            epoch: 0,
        }
    }

    /// Requests allowed in flight now.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Changes each time the window shrinks.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// A request answered without throttling.
    pub fn on_success(&mut self) {
        self.streak += 1;
        if self.streak >= self.size {
            self.streak = 0;
            if self.size < self.max {
                self.size += 1;
            }
        }
    }

    /// A 429 to a request sent during `sent_in_epoch`; true when the window shrank.
    pub fn on_throttle(&mut self, sent_in_epoch: u64) -> bool {
        self.streak = 0;
        if sent_in_epoch != self.epoch {
            return false;
        }
        self.size = (self.size / 2).max(1);
        self.epoch += 1;
        true
    }
}

/// The shared pacing state of a run: the window plus a pause that every request honours
/// after a 429 (Gumroad's throttle counts per IP, so all slots must back off, not just the
/// one that was refused).
#[derive(Debug, Clone)]
pub struct Pace {
    pub window: Window,
    throttles_in_a_row: u32,
    pause_until_ms: f64,
}

impl Pace {
    pub fn new(options: &ExecOptions) -> Self {
        Pace {
            window: Window::new(options.initial_concurrency, options.max_concurrency),
            throttles_in_a_row: 0,
            pause_until_ms: 0.0,
        }
    }

    /// How long a request about to be sent at `now_ms` must still wait.
    pub fn wait_ms(&self, now_ms: f64) -> u64 {
        (self.pause_until_ms - now_ms).max(0.0).ceil() as u64
    }

    pub fn on_success(&mut self) {
        self.throttles_in_a_row = 0;
        self.window.on_success();
    }

    /// A 429 at `now_ms` to a request sent in `sent_in_epoch`: shrink the window (once per
    /// burst) and pause everyone by a backoff that grows with consecutive 429s.
    pub fn on_throttle(
        &mut self,
        options: &ExecOptions,
        sent_in_epoch: u64,
        now_ms: f64,
        random: f64,
    ) {
        self.window.on_throttle(sent_in_epoch);
        let pause = options.backoff_ms(self.throttles_in_a_row, random);
        self.throttles_in_a_row = self.throttles_in_a_row.saturating_add(1);
        self.pause_until_ms = self.pause_until_ms.max(now_ms + pause as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{Method, TransportError};

    #[test]
    fn backoff_is_full_jitter_under_a_doubling_capped_ceiling() {
        let options = ExecOptions {
            backoff_base_ms: 500,
            backoff_max_ms: 30_000,
            ..ExecOptions::default()
        };
        // (retry, random, wait)
        let rows = [
            (0, 0.0, 0),
            (0, 0.5, 250),
            (0, 0.999, 499),
            (1, 0.5, 500),
            (2, 0.5, 1_000),
            (5, 0.5, 8_000),
            (6, 0.5, 15_000),
            (7, 0.5, 15_000),
            (7, 0.999, 29_970),
            (40, 0.5, 15_000),
            (u32::MAX, 1.0, 30_000),
            (3, -1.0, 0),
            (3, 7.0, 4_000),
        ];
        for (retry, random, wait) in rows {
            assert_eq!(options.backoff_ms(retry, random), wait, "{retry} {random}");
        }
        let zero = ExecOptions {
            backoff_base_ms: 0,
            ..options
        };
        assert_eq!(zero.backoff_ms(10, 0.9), 0);
    }

    #[test]
    fn verdict_per_error_and_direction() {
        let lost_write = Error::from_transport(TransportError::Interrupted, Method::Post, "/x");
        let lost_read = Error::from_transport(TransportError::Interrupted, Method::Get, "/x");
        let refused = Error::from_transport(TransportError::Connect, Method::Post, "/x");
        let server_write = Error::server("HTTP 502").at(Method::Delete, "/x");
        let server_read = Error::server("HTTP 502").at(Method::Get, "/x");
        let unreadable_write = Error::decode("cut off").at(Method::Post, "/x");
        let unreadable_read = Error::decode("cut off").at(Method::Get, "/x");
        let unique = Error::rejected(NOT_UNIQUE).at(Method::Post, "/x");
        let other_refusal =
            Error::rejected("Please enter a positive discount amount.").at(Method::Post, "/x");
        let stopped_write = Error::from_transport(TransportError::Stopped, Method::Post, "/x");
        let abandoned_write =
            Error::from_transport(TransportError::StoppedInFlight, Method::Post, "/x");
        let abandoned_read =
            Error::from_transport(TransportError::StoppedInFlight, Method::Get, "/x");
        let rows = [
            (stopped_write, true, Verdict::Stop),
            (abandoned_write, true, Verdict::Stop),
            (abandoned_read, false, Verdict::Stop),
            (Error::unauthorized("revoked"), false, Verdict::Stop),
            (Error::unauthorized("revoked"), true, Verdict::Stop),
            (
                Error::rate_limited().at(Method::Get, "/x"),
                false,
                Verdict::Throttled,
            ),
            (
                Error::rate_limited().at(Method::Post, "/x"),
                true,
                Verdict::Throttled,
            ),
            (lost_write, true, Verdict::Verify),
            (lost_read, false, Verdict::Retry),
            (refused, true, Verdict::Retry),
            (server_write, true, Verdict::Verify),
            (server_read, false, Verdict::Retry),
            (unreadable_write, true, Verdict::Verify),
            (unreadable_read, false, Verdict::Fail),
            (unique.clone(), true, Verdict::Verify),
            (unique, false, Verdict::Fail),
            (other_refusal, true, Verdict::Fail),
            (
                Error::not_found("The offer code was not found."),
                true,
                Verdict::Fail,
            ),
            (Error::forbidden("scope"), false, Verdict::Fail),
        ];
        for (error, write, expected) in rows {
            assert_eq!(verdict(&error, write), expected, "{error:?} write={write}");
        }
    }

    #[test]
    fn window_grows_by_one_per_full_run_and_halves_once_per_burst() {
        let mut window = Window::new(4, 8);
        // (event, size after): "s" success, "t<epoch>" a 429 to a request sent in <epoch>.
        let rows: [(&str, usize); 16] = [
            ("s", 4),
            ("s", 4),
            ("s", 4),
            ("s", 5),
            ("t0", 2),
            ("t0", 2), // sent before the first halving: same burst
            ("t0", 2),
            ("s", 2),
            ("s", 3),
            ("t1", 1),
            ("t2", 1), // never below one
            ("s", 2),
            ("s", 2),
            ("s", 3),
            ("s", 3),
            ("s", 3),
        ];
        for (i, (event, size)) in rows.into_iter().enumerate() {
            match event.strip_prefix('t') {
                Some(epoch) => {
                    window.on_throttle(epoch.parse().unwrap());
                }
                None => window.on_success(),
            }
            assert_eq!(window.size(), size, "row {i}: {event}");
        }
        let mut full = Window::new(8, 8);
        for _ in 0..100 {
            full.on_success();
        }
        assert_eq!(full.size(), 8);
        assert_eq!(Window::new(0, 0).size(), 1);
        assert_eq!(Window::new(20, 8).size(), 8);
    }

    #[test]
    fn a_429_pauses_everyone_with_growing_backoff_until_a_success() {
        let options = ExecOptions {
            backoff_base_ms: 100,
            backoff_max_ms: 1_000,
            ..ExecOptions::default()
        };
        let mut pace = Pace::new(&options);
        assert_eq!(pace.wait_ms(0.0), 0);
        // (now, epoch sent, wait at now afterwards, window)
        pace.on_throttle(&options, 0, 1_000.0, 0.5);
        assert_eq!((pace.wait_ms(1_000.0), pace.window.size()), (50, 2));
        pace.on_throttle(&options, 0, 1_000.0, 0.5);
        assert_eq!((pace.wait_ms(1_000.0), pace.window.size()), (100, 2));
        pace.on_throttle(&options, 1, 1_100.0, 0.5);
        assert_eq!((pace.wait_ms(1_100.0), pace.window.size()), (200, 1));
        assert_eq!(pace.wait_ms(1_300.0), 0);
        pace.on_success();
        pace.on_throttle(&options, 2, 2_000.0, 0.5);
        assert_eq!(pace.wait_ms(2_000.0), 50, "a success resets the backoff");
    }

    #[test]
    fn options_read_from_partial_json_and_are_sanitized() {
        let options: ExecOptions =
            serde_json::from_str(r#"{"initialConcurrency":2,"backoffBaseMs":1}"#).unwrap();
        assert_eq!(options.initial_concurrency, 2);
        assert_eq!(options.max_concurrency, 8);
        assert_eq!(options.backoff_base_ms, 1);
        let silly = ExecOptions {
            initial_concurrency: 0,
            max_concurrency: 0,
            max_attempts: 0,
            backoff_base_ms: 10,
            backoff_max_ms: 1,
        }
        .sanitized();
        assert_eq!(
            (
                silly.initial_concurrency,
                silly.max_concurrency,
                silly.max_attempts
            ),
            (1, 1, 1)
        );
        assert_eq!(silly.backoff_max_ms, 10);
        assert_eq!(
            serde_json::to_value(ExecOptions::default()).unwrap(),
            serde_json::json!({"initialConcurrency":4,"maxConcurrency":8,"maxAttempts":6,
                "backoffBaseMs":500,"backoffMaxMs":30000})
        );
    }
}
