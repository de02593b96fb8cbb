//! A clock for tests: virtual time that advances only when something sleeps, a fixed
//! jitter value, and a record of every sleep. A sleep still yields once, so other
//! futures polled by the same task get their turn.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::Clock;

/// Virtual time in milliseconds, starting at `start_ms`.
#[derive(Debug)]
pub struct FakeClock {
    now: Cell<f64>,
    random: Cell<f64>,
    sleeps: RefCell<Vec<u64>>,
}

impl FakeClock {
    /// Time starts at `start_ms`; jitter draws are 0.5.
    pub fn new(start_ms: f64) -> Self {
        FakeClock {
            now: Cell::new(start_ms),
            random: Cell::new(0.5),
            sleeps: RefCell::new(Vec::new()),
        }
    }

    /// Every later [`Clock::random`] returns `value` (clamped into `[0, 1)`).
    pub fn set_random(&self, value: f64) {
        self.random.set(value.clamp(0.0, 0.999_999));
    }

    /// Moves time forward without sleeping.
    pub fn advance(&self, ms: f64) {
        self.now.set(self.now.get() + ms);
    }

    /// The durations slept so far, in order.
    pub fn sleeps(&self) -> Vec<u64> {
        self.sleeps.borrow().clone()
    }
}

impl Default for FakeClock {
    fn default() -> Self {
        Self::new(1_700_000_000_000.0)
    }
}

impl Clock for FakeClock {
    async fn sleep(&self, ms: u64) {
        self.sleeps.borrow_mut().push(ms);
        self.advance(ms as f64);
        YieldOnce(false).await;
    }

    fn now_ms(&self) -> f64 {
        self.now.get()
    }

    fn random(&self) -> f64 {
        self.random.get()
    }
}

/// Pending once (after asking to be polled again), then ready.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}
