//! [`StopFlag`]: an account's stop switch in plain Rust, and [`Stoppable`], any transport
//! made to honour one — the native transport and test transports (the browser transport
//! honours the account's `AbortSignal` the same way). Once the flag is set it stays set:
//! nothing more is sent ([`TransportError::Stopped`]) and what is on its way is abandoned
//! ([`TransportError::StoppedInFlight`]).

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

use super::{Request, Response, Transport, TransportError};
use crate::auth::AccessToken;

/// A shared switch: clones see the same state. Starts unset.
#[derive(Debug, Clone, Default)]
pub struct StopFlag(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    stopped: AtomicBool,
    /// Tasks waiting in [`StopFlag::unless_stopped`].
    waiting: Mutex<Vec<Waker>>,
}

impl StopFlag {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the switch for good and wakes every request waiting on it.
    pub fn stop(&self) {
        self.0.stopped.store(true, Ordering::SeqCst);
        let waiting = std::mem::take(&mut *self.waiting());
        for waker in waiting {
            waker.wake();
        }
    }

    pub fn is_stopped(&self) -> bool {
        self.0.stopped.load(Ordering::SeqCst)
    }

    /// `future`'s output, or `None` if the switch is set first (then `future` is dropped:
    /// what it was doing is abandoned).
    pub async fn unless_stopped<F: Future>(&self, future: F) -> Option<F::Output> {
        let mut future = pin!(future);
        let mut registered: Option<Waker> = None;
        let output = poll_fn(|cx| {
            if self.is_stopped() {
                return Poll::Ready(None);
            }
            if let Poll::Ready(output) = future.as_mut().poll(cx) {
                return Poll::Ready(Some(output));
            }
            if registered.as_ref().is_none_or(|w| !w.will_wake(cx.waker())) {
                let mut waiting = self.waiting();
                if let Some(old) = &registered {
                    waiting.retain(|w| !w.will_wake(old));
                }
                waiting.push(cx.waker().clone());
                registered = Some(cx.waker().clone());
            }
            // Set between the first check and the registration: nobody will wake us.
            if self.is_stopped() {
                return Poll::Ready(None);
            }
            Poll::Pending
        })
        .await;
        if let Some(mine) = registered {
            self.waiting().retain(|w| !w.will_wake(&mine));
        }
        output
    }

    fn waiting(&self) -> std::sync::MutexGuard<'_, Vec<Waker>> {
        // A panic while holding the lock leaves only a list of wakers behind: still usable.
        self.0
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// `T`, stopped for good once its flag is set: nothing is sent after that, and a request on
/// its way is abandoned (dropped unanswered: it may have reached Gumroad).
#[derive(Debug, Clone)]
pub struct Stoppable<T> {
    inner: T,
    stop: StopFlag,
}

impl<T: Transport> Stoppable<T> {
    pub fn new(inner: T, stop: StopFlag) -> Self {
        Stoppable { inner, stop }
    }

    pub fn inner(&self) -> &T {
        &self.inner
    }
}

impl<T: Transport> Transport for Stoppable<T> {
    async fn send(
        &self,
        request: &Request,
        bearer: Option<&AccessToken>,
    ) -> Result<Response, TransportError> {
        if self.stop.is_stopped() {
            return Err(TransportError::Stopped);
        }
        match self
            .stop
            .unless_stopped(self.inner.send(request, bearer))
            .await
        {
            // A failure once the flag is set is the stop's doing.
            Some(Err(_)) if self.stop.is_stopped() => Err(TransportError::StoppedInFlight),
            Some(answer) => answer,
            None => Err(TransportError::StoppedInFlight),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Context;

    /// Pending until `ready` is set.
    fn gate(ready: &std::cell::Cell<bool>) -> impl Future<Output = u8> + '_ {
        poll_fn(move |_| {
            if ready.get() {
                Poll::Ready(7)
            } else {
                Poll::Pending
            }
        })
    }

    #[test]
    fn the_future_wins_until_the_flag_is_set_and_then_it_is_abandoned() {
        let flag = StopFlag::new();
        let ready = std::cell::Cell::new(false);
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);

        let mut raced = Box::pin(flag.unless_stopped(gate(&ready)));
        assert!(raced.as_mut().poll(&mut cx).is_pending());
        ready.set(true);
        assert_eq!(raced.as_mut().poll(&mut cx), Poll::Ready(Some(7)));
        assert!(flag.waiting().is_empty(), "the finished race left no waker");

        let shared = flag.clone();
        let ready = std::cell::Cell::new(false);
        let mut raced = Box::pin(flag.unless_stopped(gate(&ready)));
        assert!(raced.as_mut().poll(&mut cx).is_pending());
        assert_eq!(flag.waiting().len(), 1);
        shared.stop();
        assert!(flag.is_stopped());
        assert_eq!(raced.as_mut().poll(&mut cx), Poll::Ready(None));

        ready.set(true);
        let mut after = Box::pin(flag.unless_stopped(gate(&ready)));
        assert_eq!(
            after.as_mut().poll(&mut cx),
            Poll::Ready(None),
            "a set flag stops even a future that is ready"
        );
    }

    /// Answers 204 once `open` is set; counts the requests it got.
    struct Gate<'a> {
        open: &'a std::cell::Cell<bool>,
        got: std::cell::Cell<usize>,
    }

    impl Transport for Gate<'_> {
        async fn send(
            &self,
            _: &Request,
            _: Option<&AccessToken>,
        ) -> Result<Response, TransportError> {
            self.got.set(self.got.get() + 1);
            gate(self.open).await;
            Ok(Response {
                status: 204,
                ..Response::default()
            })
        }
    }

    #[test]
    fn a_stoppable_transport_sends_nothing_once_stopped_and_abandons_what_is_on_its_way() {
        let open = std::cell::Cell::new(false);
        let flag = StopFlag::new();
        let transport = Stoppable::new(
            Gate {
                open: &open,
                got: std::cell::Cell::new(0),
            },
            flag.clone(),
        );
        let token = AccessToken::parse("tok_0123456789abcdefghijklmnopqrstuvwxyzABCD").unwrap();
        let request = Request::get("/v2/products");
        let mut cx = Context::from_waker(Waker::noop());

        let mut on_its_way = Box::pin(transport.send(&request, Some(&token)));
        assert!(on_its_way.as_mut().poll(&mut cx).is_pending());
        flag.stop();
        assert_eq!(
            on_its_way.as_mut().poll(&mut cx),
            Poll::Ready(Err(TransportError::StoppedInFlight))
        );
        open.set(true);
        let mut next = Box::pin(transport.send(&request, None));
        assert_eq!(
            next.as_mut().poll(&mut cx),
            Poll::Ready(Err(TransportError::Stopped))
        );
        assert_eq!(transport.inner().got.get(), 1, "the second one never left");
    }
}
