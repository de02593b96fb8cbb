//! Cleaning up discount codes in one job: the codes that are used up, the codes of a
//! batch Bulkroad created, or a batch's codes still unused N days after it was created.
//! The intent and its validation, the pure planner ([`plan_clean_up_codes`]: one delete
//! per code, a universal code once) and the re-plan of its steps (each delete against the
//! code as it is now). Gumroad gives no creation date for a code, so "unused for N days"
//! is judged only for codes of a batch whose creation time the batch job kept. Undo
//! re-creates the codes with the same terms (see `undo.rs`); their use counts restart.
//! A function of (intent, [`Snapshot`], now): no I/O, no clock.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::campaigns::BatchCode;
use super::intent::{parse_intent, product_ids};
use super::inventory::is_used_up;
use super::plan::{Action, Operation, Plan, Step};
use super::reconcile::replan_deletes;
use super::snapshot::Snapshot;
use super::steps::{missing_step, product_step};
use crate::error::Error;
use crate::model::{OfferCode, OfferCodeId, ProductId};
use crate::wording::count;

const DAY_MS: f64 = 86_400_000.0;
/// The longest "unused for" a seller can ask for.
pub const MAX_DAYS: u32 = 3650;

/// Which codes a clean-up removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Criterion {
    /// Codes with a max uses that have been used that many times.
    UsedUp,
    /// Every code of `batch` still on Gumroad.
    Batch,
    /// The codes of `batch` never used, when the batch is at least `days` days old.
    UnusedFor,
}

/// A batch as the campaign view shows it: the job that created it, when, and its codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchRef {
    pub job_id: String,
    #[serde(default)]
    pub title: String,
    /// When the batch job finished (ms since 1970).
    pub created_at: f64,
    pub codes: Vec<BatchCode>,
}

/// "Remove these codes", optionally only from the selected products (none = all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CleanUpCodesIntent {
    pub criterion: Criterion,
    #[serde(default)]
    pub batch: Option<BatchRef>,
    #[serde(default)]
    pub days: Option<u32>,
    #[serde(default)]
    pub product_ids: Vec<String>,
}

/// What a [`CleanUpCodesIntent`] asks for, checked.
struct Valid<'a> {
    criterion: Criterion,
    batch: Option<&'a BatchRef>,
    days: u32,
    /// Empty = every product.
    product_ids: Vec<ProductId>,
}

impl CleanUpCodesIntent {
    fn validate(&self) -> Result<Valid<'_>, Error> {
        let batch = match (self.criterion, &self.batch) {
            (Criterion::UsedUp, _) => None,
            (_, Some(batch)) => Some(batch),
            (_, None) => {
                return Err(Error::invalid_input(
                    "Choose the batch of codes to clean up.",
                ))
            }
        };
        let days = match (self.criterion, self.days) {
            (Criterion::UnusedFor, Some(days)) if (1..=MAX_DAYS).contains(&days) => days,
            (Criterion::UnusedFor, _) => {
                return Err(Error::invalid_input(format!(
                    "Unused for how many days? A whole number from 1 to {MAX_DAYS}."
                )))
            }
            _ => 0,
        };
        Ok(Valid {
            criterion: self.criterion,
            batch,
            days,
            product_ids: product_ids(&self.product_ids),
        })
    }
}

/// The note every clean-up preview carries: what undo can and cannot give back.
pub const UNDO_NOTE: &str =
    "Undo re-creates the removed codes with the same terms, but their use counts restart at 0.";
/// Why only batch codes can be judged by age.
pub const AGE_NOTE: &str = "Gumroad does not tell when a code was created: only codes of a batch Bulkroad created, whose creation time it kept, can be judged unused for a number of days.";

/// The plan for a clean-up over `snapshot` (read with the codes of every product in scope),
/// at `now` (ms since 1970; also the plan's creation time).
pub fn plan_clean_up_codes(
    intent: &CleanUpCodesIntent,
    snapshot: &Snapshot,
    now: f64,
) -> Result<Plan, Error> {
    let valid = intent.validate()?;
    let explicit = !valid.product_ids.is_empty();
    let in_scope = |id: &ProductId| !explicit || valid.product_ids.contains(id);
    let mut notes = Vec::new();
    let mut too_young = false;
    if let Some(batch) = valid.batch {
        if valid.criterion == Criterion::UnusedFor {
            notes.push(AGE_NOTE.to_owned());
            let age_days = ((now - batch.created_at) / DAY_MS).floor().max(0.0);
            too_young = age_days < f64::from(valid.days);
            if too_young {
                notes.push(format!(
                    "This batch was created {} ago: none of its codes has been unused for {} yet.",
                    count(age_days as usize, "day"),
                    count(valid.days as usize, "day")
                ));
            }
        }
    }
    let wanted = |product: &ProductId, code: &OfferCode| -> bool {
        match valid.criterion {
            Criterion::UsedUp => is_used_up(code),
            Criterion::Batch | Criterion::UnusedFor => {
                let of_batch = valid
                    .batch
                    .is_some_and(|batch| in_batch(batch, product, code));
                of_batch
                    && (valid.criterion == Criterion::Batch || (!too_young && code.times_used == 0))
            }
        }
    };
    let mut steps: Vec<Step> = Vec::new();
    let mut universal_seen: HashSet<OfferCodeId> = HashSet::new();
    let targets: Vec<ProductId> = if explicit {
        valid.product_ids.clone()
    } else {
        snapshot.products.iter().map(|p| p.id.clone()).collect()
    };
    for id in targets.iter().filter(|id| in_scope(id)) {
        let Some(product) = snapshot.product(id) else {
            if explicit {
                steps.push(missing_step(steps.len(), id));
            }
            continue;
        };
        for code in snapshot.codes_of(id) {
            if !wanted(id, code) || (code.universal && !universal_seen.insert(code.id.clone())) {
                continue;
            }
            let action = Action::Delete {
                offer_code: code.clone(),
            };
            steps.push(product_step(steps.len(), product, action));
        }
    }
    let deletes = steps.iter().filter(|s| s.action.writes()).count();
    if deletes == 0 {
        notes.push(match valid.criterion {
            Criterion::UsedUp => "No code is used up.".to_owned(),
            Criterion::Batch => "None of this batch's codes is on Gumroad any more.".to_owned(),
            Criterion::UnusedFor => "No code of this batch qualifies.".to_owned(),
        });
    } else {
        if !universal_seen.is_empty() {
            notes.push(format!(
                "{} deleted once, which removes it from all your products.",
                if universal_seen.len() == 1 {
                    "A universal code is".to_owned()
                } else {
                    format!("{} universal codes are each", universal_seen.len())
                }
            ));
        }
        notes.push(UNDO_NOTE.to_owned());
    }
    let whom = if explicit {
        format!(" from {}", count(valid.product_ids.len(), "product"))
    } else {
        String::new()
    };
    let batch_title = valid
        .batch
        .map(|b| {
            if b.title.is_empty() {
                "a batch"
            } else {
                &b.title
            }
        })
        .unwrap_or_default();
    let title = match valid.criterion {
        Criterion::UsedUp => format!("Remove used-up codes{whom}"),
        Criterion::Batch => format!("Remove the codes of {batch_title}{whom}"),
        Criterion::UnusedFor => format!(
            "Remove codes of {batch_title} unused for {}{whom}",
            count(valid.days as usize, "day")
        ),
    };
    Ok(Plan::new(
        Operation::CleanUpCodes,
        title,
        serde_json::to_value(intent).unwrap_or_default(),
        steps,
        notes,
        now,
    ))
}

/// True when `code` (listed on `product`) is one of `batch`'s codes: by Gumroad's id, or
/// by name on the same product (a universal code: by name alone).
fn in_batch(batch: &BatchRef, product: &ProductId, code: &OfferCode) -> bool {
    batch.codes.iter().any(|b| {
        b.offer_code_id.as_ref() == Some(&code.id)
            || (b.code == code.name
                && match &b.product_id {
                    Some(on) => !code.universal && on == product,
                    None => code.universal,
                })
    })
}

/// `replan_steps` for a `cleanUpCodes` plan: each delete against the code as it is now
/// (gone = done by an earlier attempt, or used and soft-deleted meanwhile).
pub(super) fn replan_clean_up_codes(
    plan: &Plan,
    originals: &[&Step],
    snapshot: &Snapshot,
    steps: &mut Vec<Step>,
) -> Result<(), Error> {
    let _: CleanUpCodesIntent = parse_intent(&plan.intent)?;
    replan_deletes(originals, snapshot, steps);
    Ok(())
}

/// The products whose codes a clean-up reads: the selected ones; else a batch's own
/// products (unless it has a universal code); else `None`, every product.
pub fn products_to_read(intent: &CleanUpCodesIntent) -> Option<Vec<ProductId>> {
    let selected = product_ids(&intent.product_ids);
    if !selected.is_empty() {
        return Some(selected);
    }
    let batch = intent
        .batch
        .as_ref()
        .filter(|_| intent.criterion != Criterion::UsedUp)?;
    let mut seen = HashSet::new();
    batch
        .codes
        .iter()
        .map(|c| c.product_id.clone().filter(|id| seen.insert(id.clone())))
        .collect::<Option<Vec<ProductId>>>()
}
