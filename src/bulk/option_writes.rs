//! What an option step sends and how its outcome reads: the option's ids looked up by
//! category title and option name (`GET …/variant_categories`, then that category's
//! `variants`: the product object carries no ids), then `PUT …/variants/:id` with only
//! `price_difference_cents`, and a lost answer settled by re-reading the category's
//! variants. `writes` runs it and words the outcomes that are not an answer (failures,
//! unknowns, a stopped run). No `JsValue` here.

use super::report::{Outcome, Status};
use crate::error::Error;
use crate::model::{ProductId, Variant};
use crate::money::format_price;
use crate::pacing::{Runner, Written};
use crate::runtime::Clock;
use crate::transport::Transport;

/// How an option write ended, as `Runner::write` sees it.
pub(super) enum OptionWritten {
    /// Gumroad answered with the variant.
    Answered(Variant),
    /// The answer was lost and the option now has the new difference.
    Found,
    /// The answer was lost and the option has neither the old nor the new difference:
    /// someone else changed it meanwhile.
    Elsewhere(i64),
}

/// The product's categories (`None`) or a category's variants, with read retries.
async fn read_variants<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    product: &ProductId,
    category: Option<&str>,
) -> Result<Vec<Variant>, Error> {
    runner
        .read(|| runner.client().variants(product, category))
        .await
}

/// The option `option` of the category `category`: (category id, variant). `Err` when it
/// could not be read, or Gumroad lists no such option (or two of them: `NotFound` /
/// `Rejected`, nothing sent).
async fn find_option<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    product: &ProductId,
    category: &str,
    option: &str,
) -> Result<(String, Variant), Error> {
    let categories = read_variants(runner, product, None).await?;
    let mut found = Vec::new();
    for c in categories.iter().filter(|c| c.name == category) {
        let variants = read_variants(runner, product, Some(&c.id)).await?;
        found.extend(
            variants
                .into_iter()
                .filter(|v| v.name == option)
                .map(|v| (c.id.clone(), v)),
        );
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Error::not_found(format!(
            "Gumroad lists no option \"{category}: {option}\" on this product any more; nothing was sent."
        ))),
        _ => Err(Error::rejected(format!(
            "This product has more than one option \"{category}: {option}\", so Bulkroad cannot tell which to change; nothing was sent."
        ))),
    }
}

/// Sets the option's difference to `after`. Setting a difference is idempotent, so after a
/// lost answer the category's variants are re-read only to tell "done" (`after`) and "not
/// yet" (`before`: send again) from "someone else changed it" (never overwritten). `Err`:
/// the option's ids could not be found, and nothing was sent.
pub(super) async fn write_option<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    product: &ProductId,
    category: &str,
    option: &str,
    before: i64,
    after: i64,
) -> Result<Written<OptionWritten>, Error> {
    let (category_id, variant) = find_option(runner, product, category, option).await?;
    Ok(runner
        .write(
            || async {
                runner
                    .client()
                    .set_price_difference(product, &category_id, &variant.id, after)
                    .await
                    .map(OptionWritten::Answered)
            },
            || async {
                let variants = read_variants(runner, product, Some(&category_id)).await?;
                let now = variants
                    .iter()
                    .find(|v| v.id == variant.id)
                    .map(|v| v.price_difference_cents.unwrap_or(0));
                Ok(match now {
                    Some(now) if now == after => Some(OptionWritten::Found),
                    Some(now) if now == before => None,
                    Some(now) => Some(OptionWritten::Elsewhere(now)),
                    None => Some(OptionWritten::Elsewhere(-1)),
                })
            },
            true,
        )
        .await)
}

/// The outcome of an option write Gumroad answered (or that a re-read settled).
pub(super) fn option_outcome(
    written: OptionWritten,
    category: &str,
    option: &str,
    before: i64,
    after: i64,
    currency: &str,
) -> Outcome {
    let price = |minor: i64| format!("+{}", format_price(minor, currency));
    let change = format!(
        "Option \"{category}: {option}\" {} → {}.",
        price(before),
        price(after)
    );
    match written {
        OptionWritten::Answered(variant) => {
            let now = variant.price_difference_cents.unwrap_or(0);
            if now == after {
                Outcome::new(Status::Applied, change)
            } else {
                Outcome::new(
                    Status::Failed,
                    format!("{change} Gumroad shows {} now.", price(now)),
                )
            }
        }
        OptionWritten::Found => Outcome::new(
            Status::Applied,
            format!("{change} Gumroad's answer was lost; re-reading the option confirmed the new difference."),
        ),
        OptionWritten::Elsewhere(now) if now < 0 => Outcome::new(
            Status::Unknown,
            format!("{change} Gumroad's answer was lost, and the option is gone now, so nothing was sent again."),
        ),
        OptionWritten::Elsewhere(now) => Outcome::new(
            Status::Unknown,
            format!(
                "Gumroad's answer was lost, and the option \"{category}: {option}\" is now {}: neither the old {} nor the new {}. Someone else changed it meanwhile, so it was not sent again.",
                price(now),
                price(before),
                price(after)
            ),
        ),
    }
}

/// `+$1.50 → +$1.65`: a verified option step's outcome.
pub(super) fn verified_option_outcome(
    category: &str,
    option: &str,
    before: i64,
    after: i64,
    currency: &str,
) -> Outcome {
    Outcome::new(
        Status::Applied,
        format!(
            "Option \"{category}: {option}\" +{} → +{} was found done by an earlier attempt of this job (confirmed by re-reading).",
            format_price(before, currency),
            format_price(after, currency)
        ),
    )
}
