//! Time and chance for code that waits: the [`Clock`] seam, so the bulk engine runs the
//! same in the browser (timers of the service worker), natively (tokio) and in unit tests
//! (`FakeClock`, compiled only for them, where time only moves when someone sleeps). No
//! I/O other than timers, and no `JsValue` here.

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(test)]
mod fake;
#[cfg(not(target_arch = "wasm32"))]
mod native;

#[cfg(target_arch = "wasm32")]
pub use browser::BrowserClock;
#[cfg(test)]
pub use fake::FakeClock;
#[cfg(not(target_arch = "wasm32"))]
pub use native::NativeClock;

/// Sleeping, reading the time and drawing jitter.
///
/// Futures are not `Send` (browser futures never are), so no `Send` bounds and no `dyn`:
/// code that waits is generic over its clock.
#[allow(async_fn_in_trait)]
pub trait Clock {
    /// Resolves after about `ms` milliseconds (0 = at the next turn).
    async fn sleep(&self, ms: u64);

    /// Milliseconds since the Unix epoch (a JS `Date.now()`).
    fn now_ms(&self) -> f64;

    /// A number in `[0, 1)` for jitter; not for anything secret.
    fn random(&self) -> f64;
}

impl<C: Clock + ?Sized> Clock for &C {
    async fn sleep(&self, ms: u64) {
        (**self).sleep(ms).await
    }

    fn now_ms(&self) -> f64 {
        (**self).now_ms()
    }

    fn random(&self) -> f64 {
        (**self).random()
    }
}
