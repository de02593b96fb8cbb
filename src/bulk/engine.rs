//! Running a plan: [`execute`] sends each step's requests with an adaptive number in flight
//! (all on one thread: a window of futures polled together, nothing spawned, nothing
//! `Send`), retries what is safe to retry, re-reads before deciding what happened to a
//! write whose answer was lost, tells the [`Observer`] about every step, and returns the
//! [`Report`]. It never repeats a write that may have happened without re-reading first
//! (Gumroad has no idempotency keys). No `JsValue` here.
//!
//! Outcomes: a step's definite refusal is `failed` with Gumroad's message and the run goes
//! on; `Unauthorized` stops the run — steps not started become `notRun` and the report
//! comes back as `Ok` with `error` set (so the job keeps its rows and can be resumed after
//! reconnecting); a cancel from the observer starts nothing new, lets the steps in flight
//! finish (a step waiting to retry something that cannot have been applied gives up as
//! `notRun`), and returns the report with `cancelled: true`. `Err` is returned only for a
//! plan that cannot be run as given (duplicate step indices).

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;

use serde::{Deserialize, Serialize};

use super::offer_codes::is_created_code;
use super::plan::{Action, Change, Plan, Step};
use super::report::{
    Event, EventKind, Outcome, Progress, Report, ReportRow, ReportSummary, Status,
};
use super::retry::{verdict, ExecOptions, Pace, Verdict, NOT_UNIQUE};
use crate::api::GumroadClient;
use crate::error::{Error, ErrorKind};
use crate::model::{
    Discount, NewOfferCode, OfferCode, OfferCodeUpdate, Product, ProductId, ProductUpdate,
    ProductUpdated,
};
use crate::money::format_price;
use crate::runtime::Clock;
use crate::transport::Transport;

/// How many times a read whose answer could not be decoded is sent again.
pub const READ_DECODE_RETRIES: u32 = 2;
/// What the observer wants after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Control {
    Continue,
    /// Start nothing new; finish the steps in flight.
    Cancel,
}

/// Receives progress. The engine makes one call at a time from its own loop and awaits it
/// before starting more work, so the service worker can checkpoint the event to storage
/// first. Requests already sent keep going meanwhile; their outcomes are taken in after
/// the call returns.
#[allow(async_fn_in_trait)]
pub trait Observer {
    async fn on_event(&self, event: &Event) -> Control;
}

/// An observer that watches nothing and never cancels.
impl Observer for () {
    async fn on_event(&self, _event: &Event) -> Control {
        Control::Continue
    }
}

impl<O: Observer + ?Sized> Observer for &O {
    async fn on_event(&self, event: &Event) -> Control {
        (**self).on_event(event).await
    }
}

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
    /// unreadable answer [`READ_DECODE_RETRIES`] times.
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
    async fn write<R, S, SFut, V, VFut>(&self, send: S, check: V, stoppable: bool) -> Written<R>
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
                Verdict::Stop => return Written::Stop(error),
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
                    Err(read) if read.kind() == ErrorKind::Unauthorized => {
                        return Written::Stop(read)
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

    /// The product's codes now, with read retries.
    async fn codes_now(&self, product: &ProductId) -> Result<Vec<OfferCode>, Error> {
        self.read(|| self.client.offer_codes(product)).await
    }
}

/// How one write ended.
enum Written<R> {
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
    /// The token was rejected.
    Stop(Error),
}

/// A step's outcome, and the error that stops the run if there is one.
struct Finished {
    outcome: Outcome,
    stop: Option<Error>,
}

impl From<Outcome> for Finished {
    fn from(outcome: Outcome) -> Self {
        Finished {
            outcome,
            stop: None,
        }
    }
}

fn describe(code: &NewOfferCode, currency: &str) -> String {
    let amount = match code.discount {
        Discount::Percent(p) => format!("{p}% off"),
        Discount::Fixed { cents } => format!("{} off", format_price(cents, currency)),
    };
    if code.universal {
        format!("the universal code {} ({amount})", code.name)
    } else {
        format!("{} ({amount})", code.name)
    }
}

const LOST_ANSWER: &str =
    " Gumroad's answer was lost; re-reading the product's codes confirmed it.";

const LOST_PRICE_ANSWER: &str =
    " Gumroad's answer was lost; re-reading the product confirmed the new price.";

/// How a price write ended, as `Runner::write` sees it.
enum PriceWritten {
    /// Gumroad answered.
    Answered(ProductUpdated),
    /// The answer was lost and the product now has the new price.
    Found,
    /// The answer was lost and the product has neither the old nor the new price:
    /// someone else changed it meanwhile.
    Elsewhere(Product),
}

impl<T: Transport, C: Clock> Runner<'_, T, C> {
    async fn run_step(&self, step: &Step) -> Finished {
        let product = &step.product_id;
        match &step.action {
            Action::Create { code } => self.create(product, code, &step.currency, true).await,
            Action::Delete { offer_code } => self.delete(product, offer_code, false).await,
            Action::Replace { existing, code } => {
                let mut deleted = self.delete(product, existing, true).await;
                if deleted.outcome.status != Status::Applied || deleted.stop.is_some() {
                    if deleted.outcome.status != Status::NotRun {
                        deleted.outcome.message = format!(
                            "Could not delete the old {}, so nothing was replaced: {}",
                            existing.name, deleted.outcome.message
                        );
                    }
                    return deleted;
                }
                // The old code is gone: finish the step even if the run is winding down.
                let mut created = self.create(product, code, &step.currency, false).await;
                created.outcome.deleted_offer_code = Some(existing.clone());
                created.outcome.message = match created.outcome.status {
                    Status::Applied => format!(
                        "Replaced {}: deleted the old code ({} uses) and {}",
                        existing.name,
                        existing.times_used,
                        lowercase_first(&created.outcome.message)
                    ),
                    _ => format!(
                        "Deleted the old {}, but creating the new one did not work: {}",
                        existing.name, created.outcome.message
                    ),
                };
                created
            }
            Action::Update { before, after } => self.update(product, before, after).await,
            Action::UpdatePrice {
                before,
                after,
                currency,
                ..
            } => self.update_price(product, *before, *after, currency).await,
            Action::VerifiedPrice {
                before,
                after,
                currency,
            } => Outcome::new(
                Status::Applied,
                format!(
                    "Price {} → {} was found done by an earlier attempt of this job (confirmed by re-reading).",
                    format_price(*before, currency),
                    format_price(*after, currency)
                ),
            )
            .into(),
            Action::Skip { reason, .. } | Action::Conflict { reason, .. } => {
                Outcome::new(Status::Skipped, reason.clone()).into()
            }
            Action::Verified {
                change,
                offer_code,
                previous,
            } => verified_outcome(*change, offer_code, previous.as_ref()).into(),
        }
    }

    async fn create(
        &self,
        product: &ProductId,
        code: &NewOfferCode,
        currency: &str,
        stoppable: bool,
    ) -> Finished {
        let written = self
            .write(
                || self.client.create_offer_code(product, code),
                || async {
                    let codes = self.codes_now(product).await?;
                    Ok(codes.into_iter().find(|c| is_created_code(c, code)))
                },
                stoppable,
            )
            .await;
        let what = describe(code, currency);
        match written {
            Written::Done(created, lost) => Outcome::new(
                Status::Applied,
                format!("Created {what}.{}", if lost { LOST_ANSWER } else { "" }),
            )
            .created(created)
            .into(),
            other => self.not_done(other, &format!("{what} may or may not have been created")),
        }
    }

    /// `tolerate_gone`: for a replace, a code already gone counts as deleted.
    async fn delete(&self, product: &ProductId, code: &OfferCode, tolerate_gone: bool) -> Finished {
        let written = self
            .write(
                || self.client.delete_offer_code(product, &code.id),
                || async {
                    let codes = self.codes_now(product).await?;
                    Ok(codes.iter().all(|c| c.id != code.id).then_some(()))
                },
                true,
            )
            .await;
        let what = if code.universal {
            format!("the universal code {}", code.name)
        } else {
            code.name.clone()
        };
        match written {
            Written::Done((), lost) => Outcome::new(
                Status::Applied,
                format!("Deleted {what}.{}", if lost { LOST_ANSWER } else { "" }),
            )
            .deleted(code.clone())
            .into(),
            Written::NotFound(_, true) => {
                Outcome::new(Status::Applied, format!("Deleted {what}.{LOST_ANSWER}"))
                    .deleted(code.clone())
                    .into()
            }
            Written::NotFound(_, false) if tolerate_gone => {
                Outcome::new(Status::Applied, format!("{what} was already gone."))
                    .deleted(code.clone())
                    .into()
            }
            Written::NotFound(..) => {
                Outcome::new(Status::Skipped, format!("{what} was already gone.")).into()
            }
            other => self.not_done(other, &format!("{what} may or may not have been deleted")),
        }
    }

    async fn update(&self, product: &ProductId, before: &OfferCode, after: &OfferCode) -> Finished {
        let changes = OfferCodeUpdate {
            max_purchase_count: (after.max_purchase_count != before.max_purchase_count)
                .then(|| after.max_purchase_count.and_then(|m| u32::try_from(m).ok()))
                .flatten(),
            minimum_amount_cents: (after.minimum_amount_cents != before.minimum_amount_cents)
                .then_some(after.minimum_amount_cents)
                .flatten(),
        };
        let has_terms = |c: &OfferCode| {
            c.id == after.id
                && c.max_purchase_count == after.max_purchase_count
                && c.minimum_amount_cents == after.minimum_amount_cents
        };
        let written = self
            .write(
                || self.client.update_offer_code(product, &after.id, &changes),
                || async {
                    let codes = self.codes_now(product).await?;
                    Ok(codes.into_iter().find(|c| has_terms(c)))
                },
                true,
            )
            .await;
        match written {
            Written::Done(_, lost) => Outcome::new(
                Status::Applied,
                format!(
                    "Updated {}: {}.{}",
                    after.name,
                    update_summary(before, after),
                    if lost { LOST_ANSWER } else { "" }
                ),
            )
            .into(),
            Written::NotFound(error, _) => Outcome::new(
                Status::Failed,
                format!("{} is gone: {}", after.name, error.message()),
            )
            .into(),
            other => self.not_done(
                other,
                &format!("{} may or may not have been updated", after.name),
            ),
        }
    }

    /// `PUT /v2/products/:id` with only `price`. Setting a price is idempotent, so after a
    /// lost answer the product is re-read only to tell "done" (`after`) and "not yet"
    /// (`before`: send again) from "someone else changed it" (anything else: unknown,
    /// never overwritten).
    async fn update_price(
        &self,
        product: &ProductId,
        before: i64,
        after: i64,
        currency: &str,
    ) -> Finished {
        let update = ProductUpdate {
            price: Some(after),
            ..ProductUpdate::default()
        };
        let written = self
            .write(
                || async {
                    self.client
                        .update_product(product, &update)
                        .await
                        .map(PriceWritten::Answered)
                },
                || async {
                    let now = self.read(|| self.client.product(product)).await?;
                    Ok(if now.price == after {
                        Some(PriceWritten::Found)
                    } else if now.price == before {
                        None
                    } else {
                        Some(PriceWritten::Elsewhere(now))
                    })
                },
                true,
            )
            .await;
        let price = |minor: i64| format_price(minor, currency);
        let change = format!("Price {} → {}.", price(before), price(after));
        match written {
            Written::Done(PriceWritten::Answered(updated), _) => {
                let mut message = change;
                if updated.product.price != after {
                    message.push_str(&format!(
                        " Gumroad shows {} now.",
                        price(updated.product.price)
                    ));
                }
                let warning = updated.warning.filter(|w| !w.trim().is_empty());
                if let Some(warning) = &warning {
                    message.push_str(&format!(" Gumroad warns: {}", warning.trim()));
                }
                let mut outcome = Outcome::new(Status::Applied, message);
                outcome.warning = warning;
                outcome.into()
            }
            Written::Done(PriceWritten::Found, _) => {
                Outcome::new(Status::Applied, format!("{change}{LOST_PRICE_ANSWER}")).into()
            }
            Written::Done(PriceWritten::Elsewhere(now), _) => Outcome::new(
                Status::Unknown,
                format!(
                    "Gumroad's answer was lost, and the price is now {}: neither the old {} nor the new {}. Someone else changed it meanwhile, so it was not sent again.",
                    price(now.price),
                    price(before),
                    price(after)
                ),
            )
            .into(),
            Written::NotFound(error, _) => Outcome::new(
                Status::Failed,
                format!("The product is gone: {}", error.message()),
            )
            .into(),
            other => self.not_done(other, "the price may or may not have been changed"),
        }
    }

    /// The outcome of a write that did not (knowingly) happen.
    fn not_done<R>(&self, written: Written<R>, unknown: &str) -> Finished {
        match written {
            Written::Done(..) => unreachable!("handled by the caller"),
            Written::Failed(error) | Written::NotFound(error, _) => {
                Outcome::new(Status::Failed, error.message()).into()
            }
            Written::Unknown(error, read) => Outcome::new(
                Status::Unknown,
                format!(
                    "{}: {} Re-reading failed too: {}. Use \"Retry failed\" to check and finish.",
                    uppercase_first(unknown),
                    error.message(),
                    read.message().trim_end_matches('.'),
                ),
            )
            .into(),
            Written::NotRun => Outcome::new(Status::NotRun, "Not run: the job was stopped.").into(),
            Written::Stop(error) => Finished {
                outcome: Outcome::new(Status::Failed, error.message()),
                stop: Some(error),
            },
        }
    }
}

// ASCII only: messages start with ASCII text, and `char::to_uppercase` would pull
// Unicode's case tables (≈ 14 KB) into the wasm module.
fn uppercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => std::iter::once(first.to_ascii_uppercase())
            .chain(chars)
            .collect(),
        None => String::new(),
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => std::iter::once(first.to_ascii_lowercase())
            .chain(chars)
            .collect(),
        None => String::new(),
    }
}

fn update_summary(before: &OfferCode, after: &OfferCode) -> String {
    let uses = |m: Option<i64>| m.map_or("unlimited".to_owned(), |m| m.to_string());
    let mut parts = Vec::new();
    if before.max_purchase_count != after.max_purchase_count {
        parts.push(format!(
            "max uses {} → {}",
            uses(before.max_purchase_count),
            uses(after.max_purchase_count)
        ));
    }
    if before.minimum_amount_cents != after.minimum_amount_cents {
        let cents = |c: Option<i64>| c.map_or("none".to_owned(), |c| c.to_string());
        parts.push(format!(
            "minimum {} → {} (minor units)",
            cents(before.minimum_amount_cents),
            cents(after.minimum_amount_cents)
        ));
    }
    parts.join(", ")
}

fn verified_outcome(change: Change, code: &OfferCode, previous: Option<&OfferCode>) -> Outcome {
    const FOUND: &str = "found done by an earlier attempt of this job (confirmed by re-reading).";
    match change {
        Change::Created => Outcome::new(Status::Applied, format!("{} was {FOUND}", code.name))
            .created(code.clone()),
        Change::Deleted => Outcome::new(
            Status::Applied,
            format!("Removing {} was {FOUND}", code.name),
        )
        .deleted(code.clone()),
        Change::Replaced => {
            let outcome = Outcome::new(
                Status::Applied,
                format!("Replacing {} was {FOUND}", code.name),
            )
            .created(code.clone());
            match previous {
                Some(old) => outcome.deleted(old.clone()),
                None => outcome,
            }
        }
        Change::Updated => Outcome::new(
            Status::Applied,
            format!("Updating {} was {FOUND}", code.name),
        ),
    }
}

/// Running totals for events.
struct Tally {
    started_at: f64,
    total: usize,
    done: usize,
    in_flight: usize,
    /// Steps that send requests: all, and finished.
    request_steps: usize,
    request_steps_done: usize,
    summary: ReportSummary,
}

impl Tally {
    fn record(&mut self, outcome: &Outcome, sent: bool) {
        self.done += 1;
        if sent {
            self.in_flight -= 1;
            self.request_steps_done += 1;
        }
        *match outcome.status {
            Status::Applied => &mut self.summary.applied,
            Status::Skipped => &mut self.summary.skipped,
            Status::Failed => &mut self.summary.failed,
            Status::Unknown => &mut self.summary.unknown,
            Status::NotRun => &mut self.summary.not_run,
        } += 1;
    }

    fn progress(&self, concurrency: usize, now: f64) -> Progress {
        let eta_ms = (self.request_steps_done > 0).then(|| {
            let per_step = (now - self.started_at).max(0.0) / self.request_steps_done as f64;
            per_step * (self.request_steps - self.request_steps_done) as f64
        });
        Progress {
            done: self.done,
            total: self.total,
            in_flight: self.in_flight,
            concurrency,
            eta_ms,
            applied: self.summary.applied,
            skipped: self.summary.skipped,
            failed: self.summary.failed,
            unknown: self.summary.unknown,
        }
    }
}

/// Runs `plan`: skip/conflict/verified steps are reported at once without a request (a
/// `stepFinished` only); the others are sent in plan order with at most the current window
/// in flight. The observer hears `stepStarted` before a step's first request,
/// `stepFinished` after its outcome (awaited before anything new starts) and `finished` at
/// the end. A `Cancel` answered to `stepStarted` keeps that step from starting (it
/// finishes as `notRun`).
pub async fn execute<T: Transport, C: Clock, O: Observer>(
    client: &GumroadClient<T>,
    clock: &C,
    plan: &Plan,
    options: &ExecOptions,
    observer: &O,
) -> Result<Report, Error> {
    let mut indices: Vec<usize> = plan.steps.iter().map(|s| s.index).collect();
    crate::stable_sort::sort(&mut indices);
    if indices.windows(2).any(|pair| pair[0] == pair[1]) {
        return Err(Error::invalid_input(
            "This plan lists the same step twice; preview it again.",
        ));
    }
    let runner = Runner::new(client, clock, options);
    let steps = &plan.steps;
    let mut tally = Tally {
        started_at: clock.now_ms(),
        total: steps.len(),
        done: 0,
        in_flight: 0,
        request_steps: steps.iter().filter(|s| s.action.writes()).count(),
        request_steps_done: 0,
        summary: ReportSummary::default(),
    };
    let mut outcomes: Vec<Option<Outcome>> = vec![None; steps.len()];
    let mut stop: Option<Error> = None;
    let mut cancelled = false;
    let mut next = 0;
    let mut in_flight = InFlight::new();

    let event =
        |kind: EventKind, step: Option<&Step>, outcome: Option<Outcome>, tally: &Tally| Event {
            kind,
            index: step.map(|s| s.index),
            product_id: step.map(|s| s.product_id.clone()),
            product_name: step.map(|s| s.product_name.clone()),
            outcome,
            progress: tally.progress(runner.window(), clock.now_ms()),
        };

    loop {
        while !cancelled && stop.is_none() && next < steps.len() {
            let step = &steps[next];
            if !step.action.writes() {
                let outcome = runner.run_step(step).await.outcome;
                tally.record(&outcome, false);
                outcomes[next] = Some(outcome.clone());
                next += 1;
                let e = event(EventKind::StepFinished, Some(step), Some(outcome), &tally);
                cancelled |= observer.on_event(&e).await == Control::Cancel;
                continue;
            }
            if in_flight.len() >= runner.window() {
                break;
            }
            tally.in_flight += 1;
            let e = event(EventKind::StepStarted, Some(step), None, &tally);
            if observer.on_event(&e).await == Control::Cancel {
                cancelled = true;
                let outcome = Outcome::new(Status::NotRun, "Not run: the job was cancelled.");
                tally.record(&outcome, true);
                outcomes[next] = Some(outcome.clone());
                next += 1;
                let e = event(EventKind::StepFinished, Some(step), Some(outcome), &tally);
                observer.on_event(&e).await;
                break;
            }
            let position = next;
            let runner = &runner;
            in_flight.push(async move { (position, runner.run_step(step).await) });
            next += 1;
        }
        runner.winding_down.set(cancelled || stop.is_some());
        let Some((position, finished)) = in_flight.next().await else {
            break;
        };
        if let Some(error) = finished.stop {
            stop.get_or_insert(error);
            runner.winding_down.set(true);
        }
        tally.record(&finished.outcome, true);
        outcomes[position] = Some(finished.outcome.clone());
        let e = event(
            EventKind::StepFinished,
            Some(&steps[position]),
            Some(finished.outcome),
            &tally,
        );
        cancelled |= observer.on_event(&e).await == Control::Cancel;
    }

    let why_not = if stop.is_some() {
        "Not run: Gumroad rejected the access token. Connect again, then resume the job."
    } else {
        "Not run: the job was cancelled."
    };
    let rows: Vec<ReportRow> = steps
        .iter()
        .zip(outcomes)
        .map(|(step, outcome)| ReportRow {
            index: step.index,
            product_id: step.product_id.clone(),
            product_name: step.product_name.clone(),
            action: step.action.clone(),
            outcome: outcome.unwrap_or_else(|| Outcome::new(Status::NotRun, why_not)),
        })
        .collect();
    let e = event(EventKind::Finished, None, None, &tally);
    observer.on_event(&e).await;
    Ok(Report {
        operation: plan.operation,
        intent: plan.intent.clone(),
        summary: ReportSummary::of(&rows),
        rows,
        cancelled,
        error: stop,
        started_at: tally.started_at,
        finished_at: clock.now_ms(),
    })
}
