//! The native clock (not wasm32): tokio's timer, the system time, and a small xorshift
//! generator for jitter. Needs a tokio runtime with the time driver enabled (integration
//! tests build one with `enable_all`).

use std::cell::Cell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::Clock;

/// Real time, for integration tests and benchmarks against the sandbox.
#[derive(Debug, Clone)]
pub struct NativeClock {
    state: Cell<u64>,
}

impl NativeClock {
    /// A clock whose jitter is seeded from the time of day.
    pub fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Self::with_seed(nanos)
    }

    /// A clock whose jitter sequence is fixed by `seed` (timers stay real).
    pub fn with_seed(seed: u64) -> Self {
        NativeClock {
            state: Cell::new(seed | 1),
        }
    }
}

impl Default for NativeClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for NativeClock {
    async fn sleep(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    fn now_ms(&self) -> f64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }

    fn random(&self) -> f64 {
        // xorshift64*: plenty for spreading retries apart.
        let mut x = self.state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state.set(x);
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}
