//! A plan as it crosses to JS and into storage: [`Plan`] = what will be done, per target
//! ([`Step`] + [`Action`]), before anything is written. Serde only: field names are
//! camelCase, actions are tagged by `type`. No I/O and no logic beyond counting and
//! totalling; no `JsValue` here.

use serde::{Deserialize, Serialize};

use super::listing_fields::{changes, FieldChange, ListingFields};
use crate::model::{NewOfferCode, OfferCode, ProductId};
use crate::money::format_price;

/// Which bulk operation a plan or report belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Operation {
    ApplyCode,
    RemoveCode,
    PriceChange,
    Undo,
    /// Parity codes (one per tier or per country) on the selected products.
    ApplyParity,
    /// Every parity code of a prefix, from the selected products (or all).
    RemoveParity,
    /// Names, descriptions, summaries, tags or categories of the selected products.
    EditListings,
    /// A batch of unique codes (prefix + random suffix) on one product, or universal.
    CreateCodes,
    /// Codes that are used up, or of a batch (all, or those unused for N days).
    CleanUpCodes,
}

/// What will be done (or was found done) for one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Action {
    /// `POST …/offer_codes`.
    Create { code: NewOfferCode },
    /// `POST …/offer_codes` of one code of a batch: as `create`, but when Gumroad says the
    /// name is taken, a fresh suffix is drawn by `suffix` and that code is sent instead.
    /// `product_url`: the product's page, for the link with the code applied (null for a
    /// universal code).
    CreateUnique {
        code: NewOfferCode,
        suffix: SuffixRule,
        #[serde(default)]
        product_url: Option<String>,
    },
    /// `DELETE …/offer_codes/:id`.
    Delete { offer_code: OfferCode },
    /// Delete `existing`, then create `code` (the API cannot change a code's amount or
    /// type). The new code starts again at 0 uses.
    Replace {
        existing: OfferCode,
        code: NewOfferCode,
    },
    /// `PUT …/offer_codes/:id`: only max uses and the minimum amount change; the use count
    /// is kept. `after` is `before` with the new terms.
    Update { before: OfferCode, after: OfferCode },
    /// Nothing to do, and why. `existing` is the code already there when the reason is
    /// "the same code with the same terms exists" (null otherwise).
    Skip {
        reason: String,
        #[serde(default)]
        existing: Option<OfferCode>,
    },
    /// A code with this name exists with other terms and will not be touched.
    Conflict { existing: OfferCode, reason: String },
    /// Found already done when a job was resumed or retried: the desired state holds and
    /// was not there when the job was planned, so an earlier attempt of this job did it.
    /// Reported as applied without a request.
    Verified {
        change: Change,
        /// The code as it is now (`created`, `updated`, `replaced`) or as it was before it
        /// disappeared (`deleted`).
        offer_code: OfferCode,
        /// `replaced`: the code that was deleted; `updated`: the code before the update.
        #[serde(default)]
        previous: Option<OfferCode>,
    },
    /// `PUT /v2/products/:id` with only `price`: from `before` (the price read when
    /// planning; the write is sent only while it is still that) to `after`, both in minor
    /// units of `currency` (the product's own). `note`: what the seller should know about
    /// this product (clamped to a limit, pay what you want, codes that would go under the
    /// minimum), or null.
    UpdatePrice {
        #[serde(deserialize_with = "minor_units")]
        before: i64,
        #[serde(deserialize_with = "minor_units")]
        after: i64,
        currency: String,
        #[serde(default)]
        note: Option<String>,
    },
    /// Found already done when a job was resumed or retried: the price is `after`, and it
    /// was `before` when the job was planned. Reported as applied without a request.
    VerifiedPrice {
        #[serde(deserialize_with = "minor_units")]
        before: i64,
        #[serde(deserialize_with = "minor_units")]
        after: i64,
        currency: String,
    },
    /// `PUT /v2/products/:id` with only the fields in `after`: from `before` (the fields as
    /// read when planning; the same fields) to `after`. `note`: what the seller should know
    /// about this product (how many places a find and replace changed…), or null.
    UpdateListing {
        before: ListingFields,
        after: ListingFields,
        #[serde(default)]
        note: Option<String>,
    },
    /// Found already done when a job was resumed or retried: every field shows `after`,
    /// and showed `before` when the job was planned. Reported as applied without a request.
    VerifiedListing {
        before: ListingFields,
        after: ListingFields,
    },
    /// `PUT …/variant_categories/:cid/variants/:id` with only `price_difference_cents`: the
    /// option `option` of the category `category` (matched by title and name: the product
    /// object carries no variant ids) from `before` (as read when planning) to `after`,
    /// minor units of `currency` added to the product's price. `verified`: found already
    /// done when a job was resumed or retried (the difference is `after`, and was `before`
    /// when the job was planned), reported as applied without a request — a flag rather
    /// than a variant of its own, which would be one more shape for the plan's decoder.
    UpdateOptionPrice {
        category: String,
        option: String,
        #[serde(deserialize_with = "minor_units")]
        before: i64,
        #[serde(deserialize_with = "minor_units")]
        after: i64,
        currency: String,
        #[serde(default)]
        verified: bool,
    },
}

/// How the codes of a batch are named: `prefix` (separator included, may be empty)
/// followed by `length` characters drawn from an alphabet without look-alikes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuffixRule {
    pub prefix: String,
    pub length: u8,
}

/// A price in minor units. A plan that went through JS may hold it as a whole float
/// (`1099.0`); anything that is not a whole number is refused.
fn minor_units<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let number = f64::deserialize(deserializer)?;
    if number.is_finite() && number.fract() == 0.0 && number.abs() < 9.0e15 {
        Ok(number as i64)
    } else {
        Err(serde::de::Error::custom(
            "a price must be a whole number of minor units",
        ))
    }
}

/// What a [`Action::Verified`] step found done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Change {
    Created,
    Deleted,
    Replaced,
    Updated,
}

impl Action {
    /// True when the step sends requests.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Action::Create { .. }
                | Action::CreateUnique { .. }
                | Action::Delete { .. }
                | Action::Replace { .. }
                | Action::Update { .. }
                | Action::UpdatePrice { .. }
                | Action::UpdateListing { .. }
                | Action::UpdateOptionPrice {
                    verified: false,
                    ..
                }
        )
    }

    /// A listing step's changes, field by field (empty for other steps).
    pub fn changes(&self) -> Vec<FieldChange> {
        match self {
            Action::UpdateListing { before, after, .. }
            | Action::VerifiedListing { before, after } => changes(before, after),
            _ => Vec::new(),
        }
    }

    /// The product's price once the step is done (price steps only).
    pub fn new_price(&self) -> Option<i64> {
        match self {
            Action::UpdatePrice { after, .. } | Action::VerifiedPrice { after, .. } => Some(*after),
            _ => None,
        }
    }

    /// What the step does, for the seller: `Create SPRING25`, `Skip: <why>`, `Change the
    /// price. <note>`.
    pub fn description(&self) -> String {
        match self {
            Action::Create { code } | Action::CreateUnique { code, .. } => {
                format!("Create {}", code.name)
            }
            Action::Delete { offer_code } => format!("Remove {}", offer_code.name),
            Action::Replace { existing, .. } => {
                format!("Replace {} (its use count restarts)", existing.name)
            }
            Action::Update { before, .. } => format!("Update {}", before.name),
            Action::Skip { reason, .. } => format!("Skip: {reason}"),
            Action::Conflict { reason, .. } => format!("Conflict: {reason}"),
            Action::Verified { offer_code, .. } => format!("Already applied: {}", offer_code.name),
            Action::UpdatePrice {
                note: Some(note), ..
            } => format!("Change the price. {note}"),
            Action::UpdatePrice { note: None, .. } => "Change the price".to_owned(),
            Action::VerifiedPrice { .. } => "Already at the new price".to_owned(),
            Action::UpdateListing {
                before,
                after,
                note,
            } => {
                let labels: Vec<&str> = before
                    .fields(after)
                    .into_iter()
                    .map(|f| f.label())
                    .collect();
                let what = format!("Change {}", labels.join(", ").to_lowercase());
                match note {
                    Some(note) => format!("{what}. {note}"),
                    None => what,
                }
            }
            Action::VerifiedListing { .. } => "Already changed".to_owned(),
            Action::UpdateOptionPrice {
                category,
                option,
                verified: true,
                ..
            } => format!("The option \"{category}: {option}\" is already at its new price"),
            Action::UpdateOptionPrice {
                category,
                option,
                before,
                after,
                currency,
                ..
            } => format!(
                "Change the option \"{category}: {option}\" from +{} to +{}",
                format_price(*before, currency),
                format_price(*after, currency)
            ),
        }
    }

    /// `"create"`, `"skip"`…: the serialized `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Create { .. } => "create",
            Action::CreateUnique { .. } => "createUnique",
            Action::Delete { .. } => "delete",
            Action::Replace { .. } => "replace",
            Action::Update { .. } => "update",
            Action::Skip { .. } => "skip",
            Action::Conflict { .. } => "conflict",
            Action::Verified { .. } => "verified",
            Action::UpdatePrice { .. } => "updatePrice",
            Action::VerifiedPrice { .. } => "verifiedPrice",
            Action::UpdateListing { .. } => "updateListing",
            Action::VerifiedListing { .. } => "verifiedListing",
            Action::UpdateOptionPrice { .. } => "updateOptionPrice",
        }
    }
}

/// One target of a plan: a product (for a universal code, the product the request goes
/// through) and what happens to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// The step's position in the job's first plan. A re-planned job (resume, retry
    /// failed) keeps the original numbers, so events and report rows of every run of one
    /// job line up.
    pub index: usize,
    pub product_id: ProductId,
    pub product_name: String,
    /// Lowercase ISO code of the product's price ("" when the product is gone).
    pub currency: String,
    /// Minor units (an option step: the option's price difference, before and after).
    pub price: i64,
    pub formatted_price: String,
    /// The product's price with the code applied, when a code will be (or is) on it; for
    /// a price step, its new price.
    #[serde(default)]
    pub price_after: Option<i64>,
    #[serde(default)]
    pub formatted_price_after: Option<String>,
    pub action: Action,
    /// What the step does, in words ([`Action::description`]; set by [`Plan::new`]).
    #[serde(default)]
    pub description: String,
    /// A listing step's changes, field by field ([`Action::changes`]; set by
    /// [`Plan::new`]); absent for other steps. Shown, never read back: a plan coming back
    /// from JS gets them again from its actions (and skips a deserializer for them).
    #[serde(default, skip_serializing_if = "Vec::is_empty", skip_deserializing)]
    pub changes: Vec<FieldChange>,
    /// Where on Gumroad the seller can do what the API cannot (a tiered membership's
    /// edit page, for its tier prices); absent for most steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// Steps per action type; price and listing steps count as `update` / `verified`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlanSummary {
    pub create: usize,
    pub delete: usize,
    pub replace: usize,
    pub update: usize,
    pub skip: usize,
    pub conflict: usize,
    pub verified: usize,
    pub total: usize,
}

impl PlanSummary {
    /// Steps that run when the seller confirms (writes, and steps found done that the report
    /// records as applied).
    pub fn runnable(&self) -> usize {
        self.create + self.delete + self.replace + self.update + self.verified
    }

    /// `5 to create · 1 skipped`, or `Nothing to change.`
    pub fn sentence(&self) -> String {
        let parts: Vec<String> = [
            (self.create, "to create"),
            (self.replace, "to replace"),
            (self.update, "to update"),
            (self.delete, "to remove"),
            (self.skip, "skipped"),
            (self.conflict, "in conflict"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, words)| format!("{n} {words}"))
        .collect();
        if parts.is_empty() {
            "Nothing to change.".to_owned()
        } else {
            parts.join(" · ")
        }
    }

    /// The confirm button: `Apply 5 changes`, `Apply 1 change`, or `Nothing to apply`.
    pub fn confirm_label(&self) -> String {
        match self.runnable() {
            0 => "Nothing to apply".to_owned(),
            1 => "Apply 1 change".to_owned(),
            n => format!("Apply {n} changes"),
        }
    }

    pub fn of(steps: &[Step]) -> Self {
        let mut summary = PlanSummary {
            total: steps.len(),
            ..PlanSummary::default()
        };
        for step in steps {
            *match step.action {
                Action::Create { .. } | Action::CreateUnique { .. } => &mut summary.create,
                Action::Delete { .. } => &mut summary.delete,
                Action::Replace { .. } => &mut summary.replace,
                Action::Update { .. }
                | Action::UpdatePrice { .. }
                | Action::UpdateListing { .. }
                | Action::UpdateOptionPrice {
                    verified: false, ..
                } => &mut summary.update,
                Action::Skip { .. } => &mut summary.skip,
                Action::Conflict { .. } => &mut summary.conflict,
                Action::Verified { .. }
                | Action::VerifiedPrice { .. }
                | Action::VerifiedListing { .. }
                | Action::UpdateOptionPrice { verified: true, .. } => &mut summary.verified,
            } += 1;
        }
        summary
    }
}

/// The price changes of a plan in one currency: how many, and the prices before and after
/// summed (minor units).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceTotal {
    pub currency: String,
    pub products: usize,
    pub before: i64,
    pub after: i64,
    pub formatted_before: String,
    pub formatted_after: String,
    /// `USD: 3 products, $30 → $33 in total.`
    #[serde(default)]
    pub description: String,
}

impl PriceTotal {
    /// Per currency, in order of first appearance, over the `updatePrice` steps.
    pub fn of(steps: &[Step]) -> Vec<PriceTotal> {
        let mut totals: Vec<PriceTotal> = Vec::new();
        for step in steps {
            let Action::UpdatePrice {
                before,
                after,
                currency,
                ..
            } = &step.action
            else {
                continue;
            };
            let at = match totals.iter().position(|t| &t.currency == currency) {
                Some(at) => at,
                None => {
                    totals.push(PriceTotal {
                        currency: currency.clone(),
                        products: 0,
                        before: 0,
                        after: 0,
                        formatted_before: String::new(),
                        formatted_after: String::new(),
                        description: String::new(),
                    });
                    totals.len() - 1
                }
            };
            let total = &mut totals[at];
            total.products += 1;
            total.before = total.before.saturating_add(*before);
            total.after = total.after.saturating_add(*after);
        }
        for total in &mut totals {
            total.formatted_before = format_price(total.before, &total.currency);
            total.formatted_after = format_price(total.after, &total.currency);
            total.description = format!(
                "{}: {}, {} → {} in total.",
                total.currency.to_ascii_uppercase(),
                crate::wording::count(total.products, "product"),
                total.formatted_before,
                total.formatted_after
            );
        }
        totals
    }
}

/// What a job will do, shown to the seller before anything is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub operation: Operation,
    /// What the job is, for the seller: `Apply SPRING25 (25 %) to 5 products`.
    #[serde(default)]
    pub title: String,
    /// The intent as given (apply/remove), or `{"undoOf": {operation, startedAt}}` for an
    /// undo; kept so the job can be re-planned when resumed.
    pub intent: serde_json::Value,
    pub steps: Vec<Step>,
    pub summary: PlanSummary,
    /// The summary in words ([`PlanSummary::sentence`]).
    #[serde(default)]
    pub summary_text: String,
    /// What the confirm button says ([`PlanSummary::confirm_label`]).
    #[serde(default)]
    pub confirm_label: String,
    /// Steps that run on confirm ([`PlanSummary::runnable`]); 0: nothing to confirm.
    #[serde(default)]
    pub runnable: usize,
    /// Things the seller should know before confirming.
    pub notes: Vec<String>,
    /// Price plans: the changes per currency (absent from other plans).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub totals: Vec<PriceTotal>,
    /// Milliseconds since the Unix epoch.
    pub created_at: f64,
}

impl Plan {
    /// A plan over `steps`, with the summary counted and every step described.
    pub fn new(
        operation: Operation,
        title: String,
        intent: serde_json::Value,
        mut steps: Vec<Step>,
        notes: Vec<String>,
        created_at: f64,
    ) -> Self {
        for step in &mut steps {
            step.description = step.action.description();
            step.changes = step.action.changes();
        }
        let summary = PlanSummary::of(&steps);
        Plan {
            operation,
            title,
            intent,
            summary_text: summary.sentence(),
            confirm_label: summary.confirm_label(),
            runnable: summary.runnable(),
            summary,
            totals: PriceTotal::of(&steps),
            steps,
            notes,
            created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PlanSummary;

    #[test]
    fn a_summary_in_words_and_its_confirm_button() {
        let rows = [
            (
                PlanSummary {
                    create: 5,
                    skip: 1,
                    total: 6,
                    ..Default::default()
                },
                "5 to create · 1 skipped",
                "Apply 5 changes",
            ),
            (
                PlanSummary {
                    delete: 1,
                    conflict: 2,
                    total: 3,
                    ..Default::default()
                },
                "1 to remove · 2 in conflict",
                "Apply 1 change",
            ),
            (
                PlanSummary {
                    replace: 1,
                    update: 2,
                    verified: 1,
                    total: 4,
                    ..Default::default()
                },
                "1 to replace · 2 to update",
                "Apply 4 changes",
            ),
            (
                PlanSummary {
                    skip: 3,
                    total: 3,
                    ..Default::default()
                },
                "3 skipped",
                "Nothing to apply",
            ),
            (
                PlanSummary::default(),
                "Nothing to change.",
                "Nothing to apply",
            ),
        ];
        for (summary, sentence, button) in rows {
            assert_eq!(summary.sentence(), sentence);
            assert_eq!(summary.confirm_label(), button);
        }
    }
}
