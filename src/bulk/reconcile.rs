//! A fresh plan of one step, set against what the step meant to do: a fresh "already
//! there with the same terms" (or "nothing to remove") where the job meant to write means
//! an earlier attempt did it, so re-planning never writes twice. Shared by the re-planning
//! of every code operation and of undo; it plans nothing on its own.

use super::plan::{Action, Change, Step};
use super::snapshot::Snapshot;
use super::steps::{missing_step, product_step, skip};
use crate::model::{is_created_code, OfferCode};

/// The fresh plan of a step, knowing what the job meant to do there: a fresh "already
/// there with the same terms" (or "nothing to remove") where the job meant to write means
/// an earlier attempt did it.
pub(super) fn reconcile(original: &Action, fresh: Action, codes: &[OfferCode]) -> Action {
    let present = |code: &OfferCode| codes.iter().any(|c| c.id == code.id);
    match (original, fresh) {
        (Action::Verified { .. }, _) => original.clone(),
        // Only the very code the step creates counts (not, say, a universal code with the
        // same terms that someone else made: undo would delete it).
        (
            Action::Create { code },
            Action::Skip {
                existing: Some(found),
                ..
            },
        ) if is_created_code(&found, code) => Action::Verified {
            change: Change::Created,
            offer_code: found,
            previous: None,
        },
        (
            Action::Replace {
                existing: old,
                code,
            },
            Action::Skip {
                existing: Some(found),
                ..
            },
        ) if !present(old) && is_created_code(&found, code) => Action::Verified {
            change: Change::Replaced,
            offer_code: found,
            previous: Some(old.clone()),
        },
        (
            Action::Update { before, after },
            Action::Skip {
                existing: Some(found),
                ..
            },
        ) if found.id == after.id => Action::Verified {
            change: Change::Updated,
            offer_code: found,
            previous: Some(before.clone()),
        },
        // The old code is gone but the new one is not there yet: keep it a replace, so
        // the report still says which code was deleted (the engine takes a "not found"
        // on the delete as done).
        (
            Action::Replace {
                existing: old,
                code,
            },
            Action::Create { .. },
        ) if !present(old) => Action::Replace {
            existing: old.clone(),
            code: code.clone(),
        },
        (Action::Delete { offer_code }, Action::Skip { existing: None, .. })
            if !present(offer_code) =>
        {
            Action::Verified {
                change: Change::Deleted,
                offer_code: offer_code.clone(),
                previous: None,
            }
        }
        (_, fresh) => fresh,
    }
}

/// The re-plan of delete steps (removing parity codes, cleaning up codes): each delete
/// against the code as it is now — gone means an earlier attempt did it (or, for a
/// single-use code, Gumroad removed it after its use). Other steps stay as they were.
pub(super) fn replan_deletes(
    originals: &[&Step],
    snapshot: &Snapshot,
    steps: &mut Vec<Step>,
) {
    for original in originals {
        let Action::Delete { offer_code } = &original.action else {
            steps.push((*original).clone());
            continue;
        };
        steps.push(match snapshot.product(&original.product_id) {
            Some(product) => {
                let codes = snapshot.codes_of(&product.id);
                let fresh = match codes.iter().find(|c| c.id == offer_code.id) {
                    Some(now) => Action::Delete {
                        offer_code: now.clone(),
                    },
                    None => skip(format!("{} is already gone.", offer_code.name)),
                };
                product_step(
                    original.index,
                    product,
                    reconcile(&original.action, fresh, codes),
                )
            }
            None => missing_step(original.index, &original.product_id),
        });
    }
}
