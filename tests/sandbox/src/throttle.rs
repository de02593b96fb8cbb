//! Gumroad's real throttle on product updates (Rack::Attack, contract §4).
//!
//! `PUT /v2/products/:id` and, counted separately, `PATCH`: 30 per 60 s per
//! request path, plus the backoff tiers level 2…5 with limit `level × 30` per
//! `8^level` s. Rack::Attack uses fixed windows; here the windows start when the
//! sandbox (or its last reset) started rather than at the Unix epoch, so a test
//! that begins right after a reset never straddles a window edge. Every
//! request counts, throttled ones included, and the first tier that trips
//! stops the count (Rack::Attack's `any?`). Gumroad safelists 127.0.0.1; the
//! sandbox does not, since it stands in for a remote server.
//!
//! One throttle for every store: Gumroad keys these rules by client IP and path, not by
//! token or seller, and all sandbox clients share one IP. Stores never share a product
//! id or permalink, so one store's updates still never count against another's products.

use std::collections::HashMap;
use std::time::Instant;

const BASE_LIMIT: u64 = 30;
const BASE_PERIOD_SECS: u64 = 60;

pub struct Throttle {
    epoch: Instant,
    counts: HashMap<(String, u32, u64), u64>,
}

/// The discriminator for a request if a rule applies to it: method + product path.
fn rule_key(method: &str, path: &str) -> Option<String> {
    if method != "PUT" && method != "PATCH" {
        return None;
    }
    let rest = path
        .strip_prefix("/v2/products/")
        .or_else(|| path.strip_prefix("/api/v2/products/"))?;
    if rest.is_empty() || rest.contains('/') {
        return None;
    }
    Some(format!("{method} {path}"))
}

/// (limit, period in seconds) per level: level 1 is the base rule.
fn tiers() -> impl Iterator<Item = (u32, u64, u64)> {
    let per_minute = BASE_LIMIT * 60 / BASE_PERIOD_SECS;
    std::iter::once((1, BASE_LIMIT, BASE_PERIOD_SECS))
        .chain((2..=5u32).map(move |level| (level, u64::from(level) * per_minute, 8u64.pow(level))))
}

impl Throttle {
    pub fn new() -> Throttle {
        Throttle {
            epoch: Instant::now(),
            counts: HashMap::new(),
        }
    }

    /// Counts the request; true when it must be answered with 429.
    pub fn hit(&mut self, method: &str, path: &str) -> bool {
        self.hit_at(method, path, Instant::now())
    }

    fn hit_at(&mut self, method: &str, path: &str, now: Instant) -> bool {
        let Some(key) = rule_key(method, path) else {
            return false;
        };
        let elapsed = now.saturating_duration_since(self.epoch).as_secs();
        if self.counts.len() > 50_000 {
            // Drop windows that can no longer matter; memory stays bounded in long benchmarks.
            self.counts
                .retain(|(_, level, window), _| *window + 1 >= elapsed / 8u64.pow(*level).max(60));
        }
        for (level, limit, period) in tiers() {
            let count = self
                .counts
                .entry((key.clone(), level, elapsed / period))
                .or_insert(0);
            *count += 1;
            if *count > limit {
                return true;
            }
        }
        false
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn only_put_and_patch_on_a_product_path_are_counted() {
        let cases = [
            ("PUT", "/v2/products/abc", true),
            ("PATCH", "/v2/products/abc", true),
            ("PUT", "/api/v2/products/abc", true),
            ("GET", "/v2/products/abc", false),
            ("PUT", "/v2/products/abc/enable", false),
            ("PUT", "/v2/products/", false),
            ("POST", "/v2/products/abc/offer_codes", false),
        ];
        for (method, path, counted) in cases {
            assert_eq!(rule_key(method, path).is_some(), counted, "{method} {path}");
        }
    }

    #[test]
    fn thirty_first_put_in_a_minute_is_throttled_per_path_and_method() {
        let mut t = Throttle::new();
        let now = t.epoch;
        for i in 0..30 {
            assert!(!t.hit_at("PUT", "/v2/products/a", now), "{i}");
        }
        assert!(t.hit_at("PUT", "/v2/products/a", now));
        assert!(!t.hit_at("PATCH", "/v2/products/a", now));
        assert!(!t.hit_at("PUT", "/v2/products/b", now));
        // The next minute opens a new base window, but the 64 s tier (60) still counts.
        let later = now + Duration::from_secs(61);
        assert!(!t.hit_at("PUT", "/v2/products/a", later));
    }

    #[test]
    fn backoff_tier_trips_when_each_minute_stays_under_the_base_limit() {
        let mut t = Throttle::new();
        let start = t.epoch;
        // 30 a minute for three minutes: never over the base rule, 90 inside the 512 s tier.
        for minute in 0..3u64 {
            for _ in 0..30 {
                assert!(!t.hit_at(
                    "PUT",
                    "/v2/products/a",
                    start + Duration::from_secs(minute * 60)
                ));
            }
        }
        assert!(
            t.hit_at("PUT", "/v2/products/a", start + Duration::from_secs(180)),
            "91st within 512 s"
        );
    }
}
