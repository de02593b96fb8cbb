//! Injected failures: latency, 429s, 5xx pages and dropped connections.
//!
//! Only `/v2` and `/oauth` requests are touched, never `/__sandbox`. The draws
//! come from their own seeded generator, re-seeded whenever the faults are
//! set, so a test that sets a seed sees the same sequence of faults each run.

use serde::{Deserialize, Serialize};

use crate::reply::Reply;
use crate::rng::SplitMix64;

/// When a dropped connection happens relative to applying the request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DropPhase {
    /// Closed before the request is applied: nothing changed.
    Before,
    /// Applied, then closed without an answer: the write happened but the client cannot know.
    After,
    /// A coin flip per dropped request.
    #[default]
    Either,
}

/// Fault settings; every rate is a probability in `[0, 1]` per request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Added to every request before it is answered.
    pub latency_ms: u64,
    /// Answer `429` `text/plain` `Retry later\n` without `Retry-After` (Rack::Attack's answer).
    pub rate_429: f64,
    /// Answer 500, 502 or 503 with an HTML page.
    pub rate_5xx: f64,
    /// Close the connection without answering.
    pub rate_drop: f64,
    pub drop_phase: DropPhase,
    /// Seed of the fault generator.
    pub seed: u64,
}

/// What to do with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Pass,
    TooMany,
    ServerError(u16),
    DropBefore,
    DropAfter,
}

impl Decision {
    /// The request-log label.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Decision::Pass => None,
            Decision::TooMany => Some("429"),
            Decision::ServerError(_) => Some("5xx"),
            Decision::DropBefore => Some("drop_before"),
            Decision::DropAfter => Some("drop_after"),
        }
    }
}

pub struct FaultState {
    pub faults: Faults,
    rng: SplitMix64,
}

impl FaultState {
    pub fn new(faults: Faults) -> FaultState {
        let rng = SplitMix64::derive(faults.seed, "faults");
        FaultState { faults, rng }
    }

    /// 429 is drawn first, then 5xx, then a drop: with every rate at 1.0 a request gets a 429.
    pub fn decide(&mut self) -> Decision {
        let f = &self.faults;
        if self.rng.chance(f.rate_429) {
            return Decision::TooMany;
        }
        if self.rng.chance(f.rate_5xx) {
            let status = *self.rng.pick(&[500u16, 502, 503]);
            return Decision::ServerError(status);
        }
        if self.rng.chance(f.rate_drop) {
            let after = match f.drop_phase {
                DropPhase::Before => false,
                DropPhase::After => true,
                DropPhase::Either => self.rng.chance(0.5),
            };
            return if after {
                Decision::DropAfter
            } else {
                Decision::DropBefore
            };
        }
        Decision::Pass
    }
}

/// Rack::Attack's throttled answer (contract §4): no `Retry-After`, plain text.
pub fn too_many_requests() -> Reply {
    Reply::text(429, "text/plain", "Retry later\n")
}

/// An HTML error page of the kind a proxy or Rails' `public/50x.html` serves.
pub fn server_error(status: u16) -> Reply {
    let (title, text) = match status {
        502 => (
            "502 Bad Gateway",
            "The server received an invalid response from upstream.",
        ),
        503 => (
            "503 Service Temporarily Unavailable",
            "The service is temporarily unavailable. Please try again.",
        ),
        _ => (
            "We're sorry, but something went wrong (500)",
            "We're sorry, but something went wrong.",
        ),
    };
    let body = format!(
        "<!DOCTYPE html>\n<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<p>{text}</p>\n</body>\n</html>\n"
    );
    Reply::text(status, "text/html; charset=utf-8", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decisions(f: Faults, n: usize) -> Vec<Decision> {
        let mut s = FaultState::new(f);
        (0..n).map(|_| s.decide()).collect()
    }

    #[test]
    fn rates_of_one_always_fire_in_priority_order() {
        let cases = [
            (
                Faults {
                    rate_429: 1.0,
                    rate_5xx: 1.0,
                    rate_drop: 1.0,
                    ..Faults::default()
                },
                "429",
            ),
            (
                Faults {
                    rate_5xx: 1.0,
                    rate_drop: 1.0,
                    ..Faults::default()
                },
                "5xx",
            ),
            (
                Faults {
                    rate_drop: 1.0,
                    drop_phase: DropPhase::Before,
                    ..Faults::default()
                },
                "drop_before",
            ),
            (
                Faults {
                    rate_drop: 1.0,
                    drop_phase: DropPhase::After,
                    ..Faults::default()
                },
                "drop_after",
            ),
        ];
        for (faults, want) in cases {
            assert!(
                decisions(faults, 50)
                    .iter()
                    .all(|d| d.label() == Some(want)),
                "{want}"
            );
        }
        assert!(decisions(Faults::default(), 50)
            .iter()
            .all(|d| *d == Decision::Pass));
    }

    #[test]
    fn same_seed_same_faults() {
        let f = Faults {
            rate_429: 0.3,
            rate_5xx: 0.3,
            rate_drop: 0.3,
            seed: 42,
            ..Faults::default()
        };
        assert_eq!(decisions(f.clone(), 200), decisions(f, 200));
    }

    #[test]
    fn faults_json_accepts_partial_objects() {
        let f: Faults =
            serde_json::from_str(r#"{"rate_429": 1.0, "drop_phase": "after"}"#).unwrap();
        assert_eq!(f.rate_429, 1.0);
        assert_eq!(f.drop_phase, DropPhase::After);
        assert_eq!(f.latency_ms, 0);
    }
}
