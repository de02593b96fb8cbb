//! [`Runner`]: the shared state of the requests of one job, snapshot or export — pacing
//! (the AIMD window, the pause after a 429), retries of reads, and writes that are sent
//! again only when they cannot have happened. Decides nothing about what a request means:
//! the bulk engine and the export say what to send and how to re-read.

use std::cell::{Cell, RefCell};
use std::future::Future;

use super::retry::{verdict, ExecOptions, Pace, Verdict, NOT_UNIQUE};
use crate::api::GumroadClient;
use crate::error::{Error, ErrorKind};
use crate::runtime::Clock;
use crate::transport::Transport;

/// How many times a read whose answer could not be decoded is sent again.
pub const READ_DECODE_RETRIES: u32 = 2;

/// The shared state of requests made for one job or snapshot: pacing (window, pause
/// after 429s), retries, and whether the run is winding down.
pub(crate) struct Runner<'a, T: Transport, C: Clock> {
    client: &'a GumroadClient<T>,
    clock: &'a C,
    options: ExecOptions,
    pace: RefCell<Pace>,
    winding_down: Cell<bool>,
}

impl<'a, T: Transport, C: Clock> Runner<'a, T, C> {
    pub(crate) fn new(client: &'a GumroadClient<T>, clock: &'a C, options: &ExecOptions) -> Self {
        let options = options.sanitized();
        Runner {
            client,
            clock,
            pace: RefCell::new(Pace::new(&options)),
            options,
            winding_down: Cell::new(false),
        }
    }

    pub(crate) fn client(&self) -> &'a GumroadClient<T> {
        self.client
    }

    /// Set once the run winds down (cancelled, or the token was rejected): a stoppable
    /// write not yet sent then gives up as `NotRun`.
    pub(crate) fn wind_down(&self, winding_down: bool) {
        self.winding_down.set(winding_down);
    }

    /// Requests allowed in flight now.
    pub(crate) fn window(&self) -> usize {
        self.pace.borrow().window.size()
    }

    /// Waits out any pause after a 429; returns the window epoch to send in.
    async fn turn(&self) -> u64 {
        loop {
            let wait = self.pace.borrow().wait_ms(self.clock.now_ms());
            if wait == 0 {
                return self.pace.borrow().window.epoch();
            }
            self.clock.sleep(wait).await;
        }
    }

    fn succeeded(&self) {
        self.pace.borrow_mut().on_success();
    }

    fn throttled(&self, epoch: u64) {
        let (now, random) = (self.clock.now_ms(), self.clock.random());
        self.pace
            .borrow_mut()
            .on_throttle(&self.options, epoch, now, random);
    }

    async fn back_off(&self, retry: u32) {
        let wait = self.options.backoff_ms(retry, self.clock.random());
        if wait > 0 {
            self.clock.sleep(wait).await;
        }
    }

    /// A read, retried on 429, 5xx and lost answers up to the attempt limit, and on an
    /// unreadable answer [`READ_DECODE_RETRIES`] times; a refused token or a disconnected
    /// account (`Stopped`) ends it at once, with no retry and no backoff.
    pub(crate) async fn read<R, F, Fut>(&self, request: F) -> Result<R, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<R, Error>>,
    {
        let mut attempt = 0;
        loop {
            let epoch = self.turn().await;
            attempt += 1;
            let error = match request().await {
                Ok(value) => {
                    self.succeeded();
                    return Ok(value);
                }
                Err(error) => error,
            };
            match verdict(&error, false) {
                Verdict::Throttled if attempt < self.options.max_attempts => self.throttled(epoch),
                Verdict::Retry if attempt < self.options.max_attempts => {
                    self.back_off(attempt - 1).await
                }
                // An unreadable answer to a read (cut off, a proxy's page instead of JSON)
                // is most likely trouble on the way and safe to ask again; only a few
                // times, since an answer that is always malformed will not get better.
                _ if error.kind() == ErrorKind::Decode
                    && attempt <= READ_DECODE_RETRIES
                    && attempt < self.options.max_attempts =>
                {
                    self.back_off(attempt - 1).await
                }
                _ => {
                    if error.kind() == ErrorKind::RateLimited {
                        self.throttled(epoch);
                    }
                    return Err(error);
                }
            }
        }
    }

    /// A write, sent again only when it cannot have happened; after an answer that leaves
    /// it open (or a duplicate refusal on a create) `check` re-reads: `Some` = it
    /// happened, `None` = it did not (so sending again is safe).
    /// `stoppable`: may give up as `NotRun` when the run winds down (false once an earlier
    /// part of the step has changed something, e.g. the delete of a replace).
    pub(crate) async fn write<R, S, SFut, V, VFut>(
        &self,
        send: S,
        check: V,
        stoppable: bool,
    ) -> Written<R>
    where
        S: Fn() -> SFut,
        SFut: Future<Output = Result<R, Error>>,
        V: Fn() -> VFut,
        VFut: Future<Output = Result<Option<R>, Error>>,
    {
        let mut attempt = 0;
        // Whether an earlier attempt may have reached Gumroad (its answer was lost).
        let mut maybe_sent = false;
        loop {
            // Everything sent so far is known not to have happened: safe to stop here.
            if stoppable && self.winding_down.get() {
                return Written::NotRun;
            }
            let epoch = self.turn().await;
            if stoppable && self.winding_down.get() {
                return Written::NotRun;
            }
            attempt += 1;
            let error = match send().await {
                Ok(value) => {
                    self.succeeded();
                    return Written::Done(value, false);
                }
                Err(error) => error,
            };
            let last_attempt = attempt >= self.options.max_attempts;
            match verdict(&error, true) {
                Verdict::Stop => {
                    let reach = if error.may_have_applied() {
                        Reach::Maybe
                    } else if stoppable
                        && matches!(error.kind(), ErrorKind::Stopped | ErrorKind::Unauthorized)
                    {
                        // Stopped before sending, or refused with 401 (nothing applied): the
                        // step is left for Resume, like the steps never started.
                        Reach::NotSent
                    } else {
                        Reach::NotDone
                    };
                    return Written::Stop(error, reach);
                }
                Verdict::Throttled => {
                    self.throttled(epoch);
                    if last_attempt {
                        return Written::Failed(error);
                    }
                }
                Verdict::Retry if last_attempt => return Written::Failed(error),
                Verdict::Retry => self.back_off(attempt - 1).await,
                Verdict::Verify => match check().await {
                    Ok(Some(value)) => return Written::Done(value, true),
                    Ok(None) if error.message() == NOT_UNIQUE || last_attempt => {
                        return Written::Failed(error)
                    }
                    Ok(None) => {
                        maybe_sent = true;
                        self.back_off(attempt - 1).await;
                    }
                    // The write's answer was lost and the run must stop before the re-read
                    // could tell: a stopped re-read leaves the write open.
                    Err(read) if read.kind() == ErrorKind::Stopped => {
                        return Written::Stop(read, Reach::Maybe)
                    }
                    Err(read) if read.kind() == ErrorKind::Unauthorized => {
                        return Written::Stop(read, Reach::NotDone)
                    }
                    Err(read) => return Written::Unknown(error, read),
                },
                Verdict::Fail if error.kind() == ErrorKind::NotFound => {
                    return Written::NotFound(error, maybe_sent)
                }
                Verdict::Fail => return Written::Failed(error),
            }
        }
    }
}

/// How one write ended.
pub(crate) enum Written<R> {
    /// Done; `true` when found done by re-reading after a lost answer.
    Done(R, bool),
    Failed(Error),
    /// Gumroad says the object is not there; `true` when an earlier attempt whose answer
    /// was lost may have been what removed it (Gumroad can apply a write after the
    /// re-read that found it not yet done).
    NotFound(Error, bool),
    /// It may have happened and re-reading failed too: (the write's error, the read's).
    Unknown(Error, Error),
    /// Cancelled before anything that could have happened was sent.
    NotRun,
    /// The run must stop: the token was rejected (`Unauthorized`) or the account was
    /// disconnected (`Stopped`). The error, and how far this write got.
    Stop(Error, Reach),
}

/// How far a write got when its run had to stop ([`Written::Stop`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// The account was disconnected before it was sent, and nothing of its step has
    /// happened yet (a stoppable write): it may be left for a later run.
    NotSent,
    /// It did not happen: Gumroad refused the token, or the account was disconnected
    /// before it was sent while an earlier part of its step had already changed something.
    NotDone,
    /// It may have happened: the account was disconnected while it was on its way, or while
    /// re-reading after its answer was lost.
    Maybe,
}
