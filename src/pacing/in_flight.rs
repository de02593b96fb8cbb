//! A window of futures polled together on the current task: how a job, a snapshot and an
//! export keep several requests in flight on one thread (browser futures are not `Send`,
//! so nothing is spawned). Knows nothing of Gumroad or of what the futures do.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;

/// Futures polled together on the current task; finished ones come out in completion
/// order. A handful at a time, so polling all of them on each wake costs nothing.
pub(crate) struct InFlight<'a, O> {
    futures: Vec<Pin<Box<dyn Future<Output = O> + 'a>>>,
}

impl<'a, O> InFlight<'a, O> {
    pub(crate) fn new() -> Self {
        InFlight {
            futures: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.futures.len()
    }

    pub(crate) fn push(&mut self, future: impl Future<Output = O> + 'a) {
        self.futures.push(Box::pin(future));
    }

    /// The next output, or `None` when nothing is in flight.
    pub(crate) async fn next(&mut self) -> Option<O> {
        if self.futures.is_empty() {
            return None;
        }
        poll_fn(|cx| {
            for i in 0..self.futures.len() {
                if let Poll::Ready(output) = self.futures[i].as_mut().poll(cx) {
                    drop(self.futures.swap_remove(i));
                    return Poll::Ready(Some(output));
                }
            }
            Poll::Pending
        })
        .await
    }
}
