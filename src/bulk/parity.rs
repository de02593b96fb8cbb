//! Parity codes through the bulk engine: [`plan_apply_parity`] puts every
//! [`ParityCode`] on the selected products (the union of one [`plan_apply_code`] per code
//! and percent, each from [`apply_intent`]), [`plan_remove_parity`] deletes every code of a
//! prefix, and the re-plans of both. `parity` (the pure table) never imports this. Pure, like the
//! other planners; the codes themselves come from `parity` (`forms::parity_intent` turns
//! the seller's table into an [`ApplyParityIntent`]).
//!
//! **The currency minimum.** A code's percent may take a product's price (or one of its
//! options or tiers) under the currency's minimum. With [`MinimumPolicy::Skip`] that
//! product gets no copy of the code. With [`MinimumPolicy::Clamp`] it gets the code **under
//! the same name** with the largest percent that fits ([`clamp_for_prices`]): a buyer from
//! the code's countries types the same code on every product and always gets a discount,
//! never more than the table's percent. The plan notes every lowered percent, and
//! `parity::country_map` (with the same policy) shows, per country and product, the percent
//! and price a buyer actually gets — the map never promises a percent a product does not
//! give. (Falling back to a lower tier's code instead would make the country's code
//! silently not work on that product.)
//!
//! **Re-planning.** The plan's `intent` keeps the parity intent and `applies`: one
//! [`ApplyCodeIntent`] per (code, percent) with the indices of its steps, so `replan`
//! re-plans each step against its own code exactly as for `applyCode`. Steps in no apply
//! (skipped for the minimum, product gone) are kept as they were.
//!
//! [`clamp_for_prices`]: crate::parity::clamp_for_prices

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::apply_code::{
    plan_apply_code, replan_apply_step, ApplyCodeIntent, DiscountInput, OnConflict,
    NO_END_DATE_NOTE,
};
use super::intent::{parse_intent, product_ids};
use super::plan::{Action, Operation, Plan, Step};
use super::snapshot::Snapshot;
use super::steps::{missing_step, product_step, skip};
use crate::discount::price_problem;
use crate::error::Error;
use crate::model::{Discount, Product, ProductId};
use crate::parity::codes::check_prefix;
use crate::parity::{is_parity_code, CodeMode, MinimumPolicy, ParityCode};
use crate::wording::{count, shortlist};

/// Said on every parity plan (and in the UI): a code is not tied to a country.
pub const NOT_GEO_LOCKED_NOTE: &str = "Gumroad codes work for anyone who types them (not geo-locked); show each visitor their country's code on your own site.";

/// "Put these parity codes on these products". JSON:
/// `{"codes": [ParityCode…], "mode": "perTier", "prefix": "PPP", "onMinimum": "clamp",
/// "onConflict": "skip", "productIds": ["…"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyParityIntent {
    /// From `parity::parity_codes` (the table as it was when the job was planned).
    pub codes: Vec<ParityCode>,
    pub mode: CodeMode,
    pub prefix: String,
    pub on_minimum: MinimumPolicy,
    #[serde(default)]
    pub on_conflict: OnConflict,
    pub product_ids: Vec<String>,
}

/// One (code, percent) of a parity plan: the apply intent of its products and the indices
/// of their steps, in the same order as `intent.productIds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParityApply {
    pub intent: ApplyCodeIntent,
    pub steps: Vec<usize>,
}

/// What an `applyParity` plan keeps as its `intent`: the [`ApplyParityIntent`] fields plus
/// `applies` ([`ParityApply`]…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParityPlanIntent {
    pub codes: Vec<ParityCode>,
    pub mode: CodeMode,
    pub prefix: String,
    pub on_minimum: MinimumPolicy,
    #[serde(default)]
    pub on_conflict: OnConflict,
    pub product_ids: Vec<String>,
    pub applies: Vec<ParityApply>,
}

/// "Remove every parity code of `prefix`" from the selected products (none = every
/// product). JSON `{"prefix": "PPP", "productIds": []}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveParityIntent {
    pub prefix: String,
    #[serde(default)]
    pub product_ids: Vec<String>,
}

impl ApplyParityIntent {
    /// The selected products (trimmed, deduplicated); `InvalidInput` for an empty selection,
    /// no codes, or a prefix Gumroad would refuse.
    pub fn validate(&self) -> Result<Vec<ProductId>, Error> {
        check_prefix(&self.prefix, self.mode)?;
        if self.codes.is_empty() {
            return Err(Error::invalid_input(
                "No country has a discount in the parity table, so there is no code to create.",
            ));
        }
        let ids = product_ids(&self.product_ids);
        if ids.is_empty() {
            return Err(Error::invalid_input(
                "Select the products to put the parity codes on.",
            ));
        }
        Ok(ids)
    }
}

impl RemoveParityIntent {
    /// The trimmed prefix; `InvalidInput` when empty or not a valid code start.
    pub fn validate(&self) -> Result<&str, Error> {
        check_prefix(&self.prefix, CodeMode::PerCountry)
    }
}

/// The engine's intent for putting `code` on `product_ids` at `percent` — the code's own,
/// or what [`MinimumPolicy::percent_for`] gave for those products. A product code, never
/// universal: each product gets its own copy, so a clamped product can carry the same code
/// at a smaller percent.
pub fn apply_intent(
    code: &ParityCode,
    percent: u8,
    product_ids: Vec<String>,
    on_conflict: OnConflict,
) -> ApplyCodeIntent {
    ApplyCodeIntent {
        code: code.code.clone(),
        discount: DiscountInput::Percent(Number::from(percent)),
        currency: None,
        max_purchase_count: None,
        minimum_amount_cents: None,
        minimum_currency: None,
        universal: false,
        product_ids,
        on_conflict,
    }
}

/// The plan for an [`ApplyParityIntent`]: per code (in the intent's order), per selected
/// product, the step [`plan_apply_code`] makes for that code at the product's percent
/// under the minimum policy (see the module). Indices run 0.. across the whole plan.
pub fn plan_apply_parity(
    intent: &ApplyParityIntent,
    snapshot: &Snapshot,
    created_at: f64,
) -> Result<Plan, Error> {
    let ids = intent.validate()?;
    let mut steps: Vec<Step> = Vec::new();
    let mut applies: Vec<ParityApply> = Vec::new();
    let mut code_notes: Vec<String> = Vec::new();
    let mut clamped: Vec<String> = Vec::new();
    let mut skipped_for_minimum = 0;
    for code in &intent.codes {
        let mut slots: Vec<Option<Step>> = vec![None; ids.len()];
        let mut apply_of: Vec<Option<usize>> = vec![None; ids.len()];
        // percent → positions in `ids`; read from the highest percent down, so the code's
        // own percent comes first. Indexed by percent rather than a `BTreeMap`, whose code
        // for these types would be its own copy in the wasm module.
        let mut groups: Vec<Vec<usize>> = vec![Vec::new(); usize::from(u8::MAX) + 1];
        for (position, id) in ids.iter().enumerate() {
            let Some(product) = snapshot.product(id) else {
                slots[position] = Some(missing_step(0, id));
                continue;
            };
            match percent_on(code, product, intent.on_minimum) {
                Ok(percent) => {
                    if percent != code.percent {
                        clamped.push(format!(
                            "{} is {percent}% on \"{}\"",
                            code.code, product.name
                        ));
                    }
                    groups[usize::from(percent)].push(position);
                }
                Err(reason) => {
                    skipped_for_minimum += 1;
                    slots[position] = Some(product_step(0, product, skip(reason)));
                }
            }
        }
        let groups = (0..=u8::MAX).rev().zip(groups.into_iter().rev());
        for (percent, positions) in groups.filter(|(_, positions)| !positions.is_empty()) {
            let selected: Vec<String> = positions
                .iter()
                .map(|&p| ids[p].as_str().to_owned())
                .collect();
            let apply = apply_intent(code, percent, selected, intent.on_conflict);
            let plan = plan_apply_code(&apply, snapshot, created_at)?;
            for (step, &position) in plan.steps.into_iter().zip(&positions) {
                slots[position] = Some(step);
                apply_of[position] = Some(applies.len());
            }
            code_notes.extend(plan.notes);
            applies.push(ParityApply {
                intent: apply,
                steps: Vec::new(),
            });
        }
        for (position, slot) in slots.into_iter().enumerate() {
            let Some(mut step) = slot else { continue };
            step.index = steps.len();
            if let Some(apply) = apply_of[position] {
                applies[apply].steps.push(step.index);
            }
            steps.push(step);
        }
    }
    let mut notes = parity_notes(intent, &ids, snapshot, &steps);
    if !clamped.is_empty() {
        notes.push(format!(
            "Lowered to fit the currency minimum (same code, smaller percent on that product; the map shows it): {}.",
            shortlist(&clamped)
        ));
    }
    if skipped_for_minimum > 0 {
        notes.push(format!(
            "{} skipped: the discount would take a price under the currency minimum.",
            count(skipped_for_minimum, "code")
        ));
    }
    let mut seen: HashSet<String> = notes.iter().cloned().collect();
    for note in code_notes {
        if note != NO_END_DATE_NOTE && seen.insert(note.clone()) {
            notes.push(note);
        }
    }
    let kept = ParityPlanIntent {
        codes: intent.codes.clone(),
        mode: intent.mode,
        prefix: intent.prefix.trim().to_owned(),
        on_minimum: intent.on_minimum,
        on_conflict: intent.on_conflict,
        product_ids: ids.iter().map(|id| id.as_str().to_owned()).collect(),
        applies,
    };
    Ok(Plan::new(
        Operation::ApplyParity,
        format!(
            "Parity codes ({}) on {}",
            intent.prefix,
            count(ids.len(), "product")
        ),
        serde_json::to_value(&kept).unwrap_or_default(),
        steps,
        notes,
        created_at,
    ))
}

/// The percent of `code` on `product` under `policy`, or why it gets no copy.
fn percent_on(code: &ParityCode, product: &Product, policy: MinimumPolicy) -> Result<u8, String> {
    if let Some(percent) = policy.percent_on(code.percent, product) {
        return Ok(percent);
    }
    let problem = price_problem(Discount::Percent(code.percent), product);
    Err(match (problem, policy) {
        (Some(problem), MinimumPolicy::Skip) => format!(
            "{}: {} Skipped (choose \"lower the percent\" to put a smaller discount here).",
            code.code,
            problem.sentence()
        ),
        (Some(problem), MinimumPolicy::Clamp) => format!(
            "{}: {} Even 1% off would, so the code is not put on this product.",
            code.code,
            problem.sentence()
        ),
        (None, _) => format!(
            "{}: Gumroad does not sell in \"{}\", so no discount can be checked against its minimum.",
            code.code, product.currency
        ),
    })
}

fn parity_notes(
    intent: &ApplyParityIntent,
    ids: &[ProductId],
    snapshot: &Snapshot,
    steps: &[Step],
) -> Vec<String> {
    let countries: usize = intent.codes.iter().map(|c| c.countries.len()).sum();
    let names: Vec<String> = intent.codes.iter().map(|c| c.code.clone()).collect();
    let creates = steps.iter().filter(|s| s.action.writes()).count();
    let mut notes = vec![
        format!(
            "{} ({}) for {}, on {}: {} to write.",
            count(intent.codes.len(), "parity code"),
            shortlist(&names),
            if countries == 1 {
                "1 country".to_owned()
            } else {
                format!("{countries} countries")
            },
            count(ids.len(), "product"),
            count(creates, "code")
        ),
        NOT_GEO_LOCKED_NOTE.to_owned(),
    ];
    let native = ids
        .iter()
        .filter_map(|id| snapshot.product(id))
        .filter(|p| {
            p.purchasing_power_parity_prices
                .as_ref()
                .is_some_and(|prices| !prices.is_empty())
        })
        .count();
    if native > 0 {
        notes.push(format!(
            "Gumroad's own parity pricing is on for {}; it does not stack with codes.",
            count(native, "product")
        ));
    }
    notes
}

/// The plan for a [`RemoveParityIntent`]: a delete step for every code on the selected
/// products (all products when none are selected) that [`is_parity_code`] for the prefix;
/// a universal one is deleted once. Codes that only start with the prefix (`PPPSALE`) are
/// left alone.
pub fn plan_remove_parity(
    intent: &RemoveParityIntent,
    snapshot: &Snapshot,
    created_at: f64,
) -> Result<Plan, Error> {
    let prefix = intent.validate()?;
    let selected = product_ids(&intent.product_ids);
    let explicit = !selected.is_empty();
    let targets: Vec<ProductId> = if explicit {
        selected
    } else {
        snapshot.products.iter().map(|p| p.id.clone()).collect()
    };
    let mut steps: Vec<Step> = Vec::new();
    let mut universal_seen = HashSet::new();
    let mut universal_via: Option<String> = None;
    let mut products_touched = 0;
    for id in &targets {
        let Some(product) = snapshot.product(id) else {
            steps.push(missing_step(steps.len(), id));
            continue;
        };
        let mut any = false;
        for code in snapshot.codes_of(id) {
            if !is_parity_code(&code.name, prefix) {
                continue;
            }
            if code.universal {
                if !universal_seen.insert(code.id.clone()) {
                    continue;
                }
                universal_via.get_or_insert_with(|| product.name.clone());
            }
            any = true;
            let action = Action::Delete {
                offer_code: code.clone(),
            };
            steps.push(product_step(steps.len(), product, action));
        }
        if any {
            products_touched += 1;
        } else if explicit {
            steps.push(product_step(
                steps.len(),
                product,
                skip(format!("Has no parity codes starting with {prefix}.")),
            ));
        }
    }
    let deletes = steps.iter().filter(|s| s.action.writes()).count();
    let mut notes = Vec::new();
    if deletes > 0 {
        notes.push(format!(
            "Deletes {} from {}: {prefix} + a percent ({prefix}25) or + a country ({prefix}-IN). Other codes that only start with {prefix} are left alone.",
            count(deletes, "parity code"),
            count(products_touched, "product")
        ));
    } else {
        notes.push(format!(
            "No {} has parity codes starting with {prefix}.",
            if explicit {
                "selected product"
            } else {
                "product"
            }
        ));
    }
    if let Some(via) = universal_via {
        notes.push(format!(
            "Universal parity codes are deleted once (through \"{via}\"), which removes them from all your products."
        ));
    }
    let kept = RemoveParityIntent {
        prefix: prefix.to_owned(),
        product_ids: intent.product_ids.clone(),
    };
    Ok(Plan::new(
        Operation::RemoveParity,
        format!("Remove {prefix} parity codes"),
        serde_json::to_value(&kept).unwrap_or_default(),
        steps,
        notes,
        created_at,
    ))
}

/// `replan_steps` for an `applyParity` plan: each target step against its own code.
pub(super) fn replan_apply_parity(
    plan: &Plan,
    originals: &[&Step],
    snapshot: &Snapshot,
    steps: &mut Vec<Step>,
) -> Result<Vec<String>, Error> {
    let intent: ParityPlanIntent = parse_intent(&plan.intent)?;
    let mut valid = Vec::with_capacity(intent.applies.len());
    for apply in &intent.applies {
        valid.push(apply.intent.validate()?);
    }
    for original in originals {
        let step = match intent
            .applies
            .iter()
            .position(|a| a.steps.contains(&original.index))
        {
            Some(at) => replan_apply_step(&valid[at], original, snapshot),
            None => (*original).clone(),
        };
        steps.push(step);
    }
    Ok(vec![NOT_GEO_LOCKED_NOTE.to_owned()])
}

