//! What a listing step sends and how its outcome reads: `PUT /v2/products/:id` with only
//! the changed fields, Gumroad's answer read back and compared with what was sent, and a
//! lost answer settled by re-reading the product. `writes` runs it and words the outcomes
//! that are not a product (failures, unknowns, a stopped run). No `JsValue` here.
//!
//! Read-back (additions §4: Gumroad has dropped unknown parameters silently): a write
//! whose answered product does not show every field as sent is reported **failed**, with
//! the fields named — the listing is not as the seller asked, which "applied" would hide,
//! and "retry failed" then re-reads the product and sends what is still missing (a field
//! the answer shows as sent is never sent twice in effect: setting a field is
//! idempotent). A description Gumroad re-formatted but whose text is as sent counts as
//! sent, and the report says so.

use super::listing_fields::{describe_now, field_names, Field, ListingFields};
use super::report::{Outcome, Status};
use crate::model::{Product, ProductId, ProductUpdated};
use crate::pacing::{Runner, Written};
use crate::runtime::Clock;
use crate::transport::Transport;

const LOST_LISTING_ANSWER: &str =
    " Gumroad's answer was lost; re-reading the product confirmed the change.";

/// How a listing write ended, as `Runner::write` sees it.
pub(super) enum ListingWritten {
    /// Gumroad answered.
    Answered(ProductUpdated),
    /// The answer was lost and the product now shows every field as wanted.
    Found,
    /// The answer was lost and some field is neither as it was nor as wanted: someone
    /// else changed it meanwhile.
    Elsewhere(Product),
}

/// Sends `after`'s fields while the product still shows each as `before` or `after`;
/// after a lost answer, all at `after` = done, each at `before` or `after` = send again
/// (setting a field twice changes nothing), anything else = someone else's edit (unknown,
/// never overwritten).
pub(super) async fn write_listing<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    product: &ProductId,
    before: &ListingFields,
    after: &ListingFields,
) -> Written<ListingWritten> {
    let fields = before.fields(after);
    let update = after.update();
    runner
        .write(
            || async {
                runner
                    .client()
                    .update_product(product, &update)
                    .await
                    .map(ListingWritten::Answered)
            },
            || async {
                let now = runner.read(|| runner.client().product(product)).await?;
                Ok(if after.not_shown_by(&now, &fields).is_empty() {
                    Some(ListingWritten::Found)
                } else if fields
                    .iter()
                    .all(|f| after.shown_by(&now, *f) || before.shown_by(&now, *f))
                {
                    None
                } else {
                    Some(ListingWritten::Elsewhere(now))
                })
            },
            true,
        )
        .await
}

/// `Name, tags changed.`
fn changed(fields: &[Field]) -> String {
    let names = field_names(fields);
    let mut chars = names.chars();
    match chars.next() {
        Some(first) => format!("{}{} changed.", first.to_ascii_uppercase(), chars.as_str()),
        None => "Changed.".to_owned(),
    }
}

/// The outcome of a listing write that Gumroad answered or that re-reading settled.
pub(super) fn listing_outcome(
    written: ListingWritten,
    before: &ListingFields,
    after: &ListingFields,
) -> Outcome {
    let fields = before.fields(after);
    match written {
        ListingWritten::Answered(updated) => {
            let shown = &updated.product;
            let missing = after.not_shown_by_answer(shown, &fields);
            let warning = updated
                .warning
                .map(|w| w.trim().to_owned())
                .filter(|w| !w.is_empty());
            let mut outcome = if missing.is_empty() {
                let mut message = changed(&fields);
                let reformatted = fields.contains(&Field::Description)
                    && after.description.as_deref() != shown.description.as_deref()
                    && !(after.description.as_deref() == Some("") && shown.description.is_none());
                if reformatted {
                    message.push_str(
                        " Gumroad re-formatted the description's HTML; its text is as sent.",
                    );
                }
                Outcome::new(Status::Applied, message)
            } else if missing == [Field::Category] && no_category_fields(shown) {
                // Older API versions send no category in the product object (contract
                // §2.1 †): nothing to compare with, so say so rather than call it failed.
                let mut outcome = Outcome::new(
                    Status::Applied,
                    "Category sent; Gumroad's answer does not show categories, so the change could not be confirmed.",
                );
                outcome.warning = Some(
                    "Gumroad's answer does not show categories; check the category in the dashboard."
                        .to_owned(),
                );
                outcome
            } else {
                Outcome::new(
                    Status::Failed,
                    format!(
                        "Gumroad accepted the change, but its answer does not show the {} as sent (now {}): the API may have dropped {}. \"Retry failed\" re-reads the product and sends what is missing.",
                        field_names(&missing),
                        describe_now(shown, &missing),
                        if missing.len() == 1 { "it" } else { "them" }
                    ),
                )
            };
            if let Some(warning) = warning {
                outcome
                    .message
                    .push_str(&format!(" Gumroad warns: {warning}"));
                outcome.warning = Some(warning);
            }
            outcome
        }
        ListingWritten::Found => Outcome::new(
            Status::Applied,
            format!("{}{LOST_LISTING_ANSWER}", changed(&fields)),
        ),
        ListingWritten::Elsewhere(now) => {
            let elsewhere: Vec<Field> = fields
                .iter()
                .copied()
                .filter(|f| !after.shown_by(&now, *f) && !before.shown_by(&now, *f))
                .collect();
            Outcome::new(
                Status::Unknown,
                format!(
                    "Gumroad's answer was lost, and the product now shows {}: neither as it was nor as wanted. Someone else changed it meanwhile, so it was not sent again.",
                    describe_now(&now, &elsewhere)
                ),
            )
        }
    }
}

fn no_category_fields(product: &Product) -> bool {
    product.taxonomy_id.is_none() && product.category.is_none() && product.category_label.is_none()
}

/// The outcome of a step found done by an earlier attempt of its job.
pub(super) fn verified_listing_outcome(before: &ListingFields, after: &ListingFields) -> Outcome {
    Outcome::new(
        Status::Applied,
        format!(
            "The change of the {} was found done by an earlier attempt of this job (confirmed by re-reading).",
            field_names(&before.fields(after))
        ),
    )
}
