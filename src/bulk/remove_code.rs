//! Removing one discount code (by exact name) from the selected products, or from every
//! product: the intent and its validation, the pure planner ([`plan_remove_code`]) and the
//! re-plan of its steps. A universal code is deleted once; names that differ only in
//! letter case are left alone. A function of (intent, [`Snapshot`]): no I/O, no clock.

use serde::{Deserialize, Serialize};

use super::intent::{parse_intent, product_ids};
use super::plan::{Action, Operation, Plan, Step};
use super::reconcile::reconcile;
use super::snapshot::Snapshot;
use super::steps::{missing_step, product_step, skip};
use crate::error::Error;
use crate::model::{check_code_name, collation_key, OfferCode, ProductId};
use crate::wording::count;

/// "Remove this code from these products" (no ids = from every product).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveCodeIntent {
    pub code: String,
    #[serde(default)]
    pub product_ids: Vec<String>,
}

/// A [`RemoveCodeIntent`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRemove {
    pub name: String,
    /// Empty = every product.
    pub product_ids: Vec<ProductId>,
}

impl RemoveCodeIntent {
    pub fn validate(&self) -> Result<ValidRemove, Error> {
        Ok(ValidRemove {
            name: check_code_name(&self.code)?,
            product_ids: product_ids(&self.product_ids),
        })
    }
}

/// The plan for removing one code (by exact name) from the selected products, or from
/// every product when none are selected. A universal code is deleted once.
pub fn plan_remove_code(
    intent: &RemoveCodeIntent,
    snapshot: &Snapshot,
    created_at: f64,
) -> Result<Plan, Error> {
    let valid = intent.validate()?;
    let explicit = !valid.product_ids.is_empty();
    let targets: Vec<ProductId> = if explicit {
        valid.product_ids.clone()
    } else {
        snapshot.products.iter().map(|p| p.id.clone()).collect()
    };
    let mut steps = Vec::new();
    let mut universal_via: Option<String> = None;
    for id in &targets {
        let index = steps.len();
        let Some(product) = snapshot.product(id) else {
            steps.push(missing_step(index, id));
            continue;
        };
        let action = remove_on_product(&valid.name, snapshot.codes_of(id), &universal_via);
        if let Action::Delete { offer_code } = &action {
            if offer_code.universal {
                universal_via = Some(product.name.clone());
            }
        }
        let keep = explicit || !matches!(action, Action::Skip { .. });
        if keep {
            steps.push(product_step(index, product, action));
        }
    }
    let mut notes = Vec::new();
    if let Some(via) = &universal_via {
        notes.push(format!(
            "{} is a universal code: removing it (through \"{via}\") removes it from all your products.",
            valid.name
        ));
    }
    let key = collation_key(&valid.name);
    let lookalikes = targets
        .iter()
        .filter(|id| {
            snapshot
                .codes_of(id)
                .iter()
                .any(|c| c.name != valid.name && collation_key(&c.name) == key)
        })
        .count();
    if lookalikes > 0 {
        notes.push(format!(
            "Codes that differ from {} only in letter case (on {}) are left alone.",
            valid.name,
            count(lookalikes, "product")
        ));
    }
    if steps.iter().all(|s| !s.action.writes()) {
        notes.push(format!("No selected product has the code {}.", valid.name));
    }
    let whom = if explicit {
        count(valid.product_ids.len(), "product")
    } else {
        "every product".to_owned()
    };
    Ok(Plan::new(
        Operation::RemoveCode,
        format!("Remove {} from {whom}", valid.name),
        serde_json::to_value(intent).unwrap_or_default(),
        steps,
        notes,
        created_at,
    ))
}

fn remove_on_product(name: &str, codes: &[OfferCode], universal_via: &Option<String>) -> Action {
    match codes.iter().find(|c| c.name == name) {
        Some(code) if code.universal => match universal_via {
            Some(via) => skip(format!(
                "{name} is universal; it is removed once, through \"{via}\"."
            )),
            None => Action::Delete {
                offer_code: code.clone(),
            },
        },
        Some(code) => Action::Delete {
            offer_code: code.clone(),
        },
        None => skip(format!("Has no code {name}.")),
    }
}

/// `replan_steps` for a `removeCode` plan: each target step against the job's intent.
pub(super) fn replan_remove_code(
    plan: &Plan,
    originals: &[&Step],
    snapshot: &Snapshot,
    steps: &mut Vec<Step>,
) -> Result<(), Error> {
    let intent: RemoveCodeIntent = parse_intent(&plan.intent)?;
    let valid = intent.validate()?;
    for original in originals {
        steps.push(match snapshot.product(&original.product_id) {
            Some(product) => {
                let codes = snapshot.codes_of(&product.id);
                let fresh = remove_on_product(&valid.name, codes, &None);
                product_step(
                    original.index,
                    product,
                    reconcile(&original.action, fresh, codes),
                )
            }
            None => missing_step(original.index, &original.product_id),
        });
    }
    Ok(())
}
