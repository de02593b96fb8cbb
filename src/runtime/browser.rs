//! The browser clock (wasm32 only): `setTimeout` through gloo-timers, which binds the
//! global function and therefore works in a service worker (there is no `window`), and
//! `Date.now()` / `Math.random()` through js-sys. No `JsValue` here.

use super::Clock;

/// The clock of the page or worker the module runs in.
#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserClock;

impl Clock for BrowserClock {
    async fn sleep(&self, ms: u64) {
        // setTimeout takes a 32-bit delay; longer waits are not something a job asks for.
        let ms = u32::try_from(ms).unwrap_or(u32::MAX);
        gloo_timers::future::TimeoutFuture::new(ms).await;
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }
}
