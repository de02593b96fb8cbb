//! What each action of a step sends and how its outcome reads: create, delete, replace,
//! update a code, change a price — each through the [`Runner`], which decides when a write
//! may be sent again. One step at a time; the order of steps, the window and the observer
//! are the engine's. No `JsValue` here.

use super::listing_writes::{
    listing_outcome, verified_listing_outcome, write_listing, ListingWritten,
};
use super::create_codes::{draw_name, secure_random};
use super::option_writes::{option_outcome, verified_option_outcome, write_option, OptionWritten};
use super::plan::{Action, Change, Step, SuffixRule};
use super::report::{Outcome, Status};
use crate::error::{Error, ErrorKind};
use crate::model::{
    is_created_code, Discount, NewOfferCode, OfferCode, OfferCodeUpdate, Product, ProductId,
    ProductUpdate, ProductUpdated,
};
use crate::money::format_price;
use crate::pacing::retry::NOT_UNIQUE;
use crate::pacing::{Reach, Runner, Written};
use crate::runtime::Clock;
use crate::transport::Transport;

/// Why a step that never ran did not: the account was disconnected (an `ErrorKind::Stopped`
/// stopped the run), so nothing was sent for it.
pub(super) const NOT_RUN_DISCONNECTED: &str = "Not run: the account was disconnected.";

/// Why a step did not run: the error that stopped the run, or else a cancel.
pub(super) fn not_run_because(stop: Option<&Error>) -> &'static str {
    match stop {
        Some(error) if error.kind() == ErrorKind::Stopped => NOT_RUN_DISCONNECTED,
        Some(_) => {
            "Not run: Gumroad rejected the access token. Connect again, then resume the job."
        }
        None => "Not run: the job was cancelled.",
    }
}

/// A step's outcome, and the error that stops the run if there is one.
pub(super) struct Finished {
    pub(super) outcome: Outcome,
    pub(super) stop: Option<Error>,
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

pub(super) async fn run_step<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    step: &Step,
) -> Finished {
    let product = &step.product_id;
    match &step.action {
        Action::Create { code } => create(runner, product, code, &step.currency, true).await,
        Action::CreateUnique { code, suffix, .. } => {
            create_unique(runner, product, code, suffix, &step.currency).await
        }
        Action::Delete { offer_code } => delete(runner, product, offer_code, false).await,
        Action::Replace { existing, code } => {
            let mut deleted = delete(runner, product, existing, true).await;
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
            let mut created = create(runner, product, code, &step.currency, false).await;
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
        Action::Update { before, after } => update(runner, product, before, after).await,
        Action::UpdatePrice {
            before,
            after,
            currency,
            ..
        } => update_price(runner, product, *before, *after, currency).await,
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
        Action::UpdateListing { before, after, .. } => {
            match write_listing(runner, product, before, after).await {
                Written::Done(written, _) => listing_outcome(written, before, after).into(),
                Written::NotFound(error, _) => Outcome::new(
                    Status::Failed,
                    format!("The product is gone: {}", error.message()),
                )
                .into(),
                other => not_done::<ListingWritten>(other, "the listing may or may not have been changed"),
            }
        }
        Action::VerifiedListing { before, after } => {
            verified_listing_outcome(before, after).into()
        }
        Action::UpdateOptionPrice {
            category,
            option,
            before,
            after,
            currency,
            verified: true,
        } => verified_option_outcome(category, option, *before, *after, currency).into(),
        Action::UpdateOptionPrice {
            category,
            option,
            before,
            after,
            currency,
            verified: false,
        } => match write_option(runner, product, category, option, *before, *after).await {
            Ok(Written::Done(written, _)) => {
                option_outcome(written, category, option, *before, *after, currency).into()
            }
            Ok(other) => not_done::<OptionWritten>(
                other,
                "the option's price difference may or may not have been changed",
            ),
            // The ids could not be read: nothing was sent.
            Err(error) if matches!(error.kind(), ErrorKind::Unauthorized | ErrorKind::Stopped) => {
                not_done::<()>(Written::Stop(error, Reach::NotSent), "")
            }
            Err(error) => Outcome::new(Status::Failed, error.message()).into(),
        },
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

async fn create<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    product: &ProductId,
    code: &NewOfferCode,
    currency: &str,
    stoppable: bool,
) -> Finished {
    let written = runner
        .write(
            || runner.client().create_offer_code(product, code),
            || async {
                let codes = codes_now(runner, product).await?;
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
        other => not_done(other, &format!("{what} may or may not have been created")),
    }
}

/// How many fresh names a batch step tries after Gumroad says its name is taken.
const FRESH_NAMES: usize = 3;

/// A batch code: created like any code, but a name Gumroad refuses as taken (someone made
/// that code after the preview; a lost answer of our own create is told apart by the
/// re-read in `create`) is replaced by a freshly drawn one.
async fn create_unique<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    product: &ProductId,
    planned: &NewOfferCode,
    suffix: &SuffixRule,
    currency: &str,
) -> Finished {
    let mut code = planned.clone();
    let mut taken: Vec<String> = Vec::new();
    loop {
        let mut finished = create(runner, product, &code, currency, true).await;
        let refused_as_taken = finished.outcome.status == Status::Failed
            && finished.outcome.message == NOT_UNIQUE;
        if refused_as_taken && taken.len() < FRESH_NAMES {
            let mut failed = None;
            let fresh = draw_name(suffix, &mut |bytes| {
                if let Err(error) = secure_random(bytes) {
                    failed = Some(error);
                }
            });
            if let Some(error) = failed {
                return Outcome::new(Status::Failed, error.message()).into();
            }
            taken.push(std::mem::replace(&mut code.name, fresh));
            continue;
        }
        if !taken.is_empty() && finished.outcome.status == Status::Applied {
            finished.outcome.message = format!(
                "{} {} was taken by then, so a fresh code was drawn.",
                finished.outcome.message,
                taken.join(", ")
            );
        }
        return finished;
    }
}

/// `tolerate_gone`: for a replace, a code already gone counts as deleted.
async fn delete<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    product: &ProductId,
    code: &OfferCode,
    tolerate_gone: bool,
) -> Finished {
    let written = runner
        .write(
            || runner.client().delete_offer_code(product, &code.id),
            || async {
                let codes = codes_now(runner, product).await?;
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
        other => not_done(other, &format!("{what} may or may not have been deleted")),
    }
}

async fn update<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    product: &ProductId,
    before: &OfferCode,
    after: &OfferCode,
) -> Finished {
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
    let written = runner
        .write(
            || {
                runner
                    .client()
                    .update_offer_code(product, &after.id, &changes)
            },
            || async {
                let codes = codes_now(runner, product).await?;
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
        other => not_done(
            other,
            &format!("{} may or may not have been updated", after.name),
        ),
    }
}

/// `PUT /v2/products/:id` with only `price`. Setting a price is idempotent, so after a
/// lost answer the product is re-read only to tell "done" (`after`) and "not yet"
/// (`before`: send again) from "someone else changed it" (anything else: unknown,
/// never overwritten).
async fn update_price<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    product: &ProductId,
    before: i64,
    after: i64,
    currency: &str,
) -> Finished {
    let update = ProductUpdate {
        price: Some(after),
        ..ProductUpdate::default()
    };
    let written = runner
        .write(
            || async {
                runner
                    .client()
                    .update_product(product, &update)
                    .await
                    .map(PriceWritten::Answered)
            },
            || async {
                let now = runner.read(|| runner.client().product(product)).await?;
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
        other => not_done(other, "the price may or may not have been changed"),
    }
}

/// The outcome of a write that did not (knowingly) happen.
fn not_done<R>(written: Written<R>, unknown: &str) -> Finished {
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
        Written::Stop(error, reach) => Finished {
            outcome: match reach {
                Reach::NotSent => Outcome::new(Status::NotRun, not_run_because(Some(&error))),
                Reach::NotDone => Outcome::new(Status::Failed, error.message()),
                // Only a disconnected account leaves a write open this way.
                Reach::Maybe => Outcome::new(
                    Status::Unknown,
                    format!(
                        "{}: the account was disconnected in Bulkroad while the request was on its way. Connect it again and use \"Retry failed\" to check and finish.",
                        uppercase_first(unknown)
                    ),
                ),
            },
            stop: Some(error),
        },
    }
}

/// The product's codes now, with read retries.
async fn codes_now<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    product: &ProductId,
) -> Result<Vec<OfferCode>, Error> {
    runner.read(|| runner.client().offer_codes(product)).await
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
