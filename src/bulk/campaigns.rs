//! The campaign view of the code inventory: codes grouped by their prefix
//! ([`code_prefix`](super::inventory::code_prefix)) and by the batch job that created them ([`campaigns`]). A batch is a
//! kept `createCodes` job: its report rows name each code it created. A batch's code that
//! is on Gumroad now counts as used (used at least once) or unused; one that is gone was
//! used when it was a single-use code (Gumroad soft-deletes those after their use) unless
//! a job of ours deleted it, and was removed otherwise. Pure: a function of the inventory
//! rows and the kept job reports. No `JsValue`.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::inventory::InventoryRow;
use crate::model::{OfferCode, OfferCodeId, ProductId};
use crate::wording::count;

/// The operation (as kept in a report) of a job that creates a batch of codes.
pub const BATCH_OPERATION: &str = "createCodes";

/// A kept job as the worker passes it: its id and report (only the fields read here;
/// the operation as text, so a report of an operation this build does not know is read
/// too).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptJob {
    pub id: String,
    pub report: KeptReport,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptReport {
    pub operation: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub started_at: f64,
    #[serde(default)]
    pub finished_at: Option<f64>,
    #[serde(default)]
    pub rows: Vec<KeptRow>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptRow {
    pub product_id: ProductId,
    pub outcome: KeptOutcome,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptOutcome {
    #[serde(default)]
    pub created_offer_code: Option<OfferCode>,
    #[serde(default)]
    pub deleted_offer_code: Option<OfferCode>,
}

/// One code of a batch as a clean-up names it: the code, its product (none for a
/// universal code) and Gumroad's id when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchCode {
    pub code: String,
    #[serde(default)]
    pub product_id: Option<ProductId>,
    #[serde(default)]
    pub offer_code_id: Option<OfferCodeId>,
}

/// Codes sharing a prefix (two or more rows of the inventory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrefixGroup {
    pub prefix: String,
    pub codes: usize,
    pub times_used: i64,
    pub used_up: usize,
    /// `12 codes · 30 uses · 4 used up`
    pub text: String,
}

/// The codes one batch job created, and what became of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    pub job_id: String,
    pub title: String,
    /// When the job finished (ms since 1970): each of its codes is at least this old.
    pub created_at: f64,
    pub created: usize,
    /// On Gumroad and used at least once, or gone after their one use.
    pub used: usize,
    /// On Gumroad, never used.
    pub unused: usize,
    /// Gone: deleted by a job of ours or elsewhere (not after a use).
    pub removed: usize,
    /// `40 codes: 12 used, 25 unused, 3 removed.`
    pub text: String,
    /// The batch's codes on Gumroad now (what a clean-up of the batch removes).
    pub codes: Vec<BatchCode>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Campaigns {
    pub prefixes: Vec<PrefixGroup>,
    /// Newest first.
    pub batches: Vec<Batch>,
}

/// Groups `rows` by prefix and the batches among `jobs` by what became of their codes.
pub fn campaigns(rows: &[InventoryRow], jobs: &[KeptJob]) -> Campaigns {
    Campaigns {
        prefixes: prefix_groups(rows),
        batches: batches(rows, jobs),
    }
}

fn prefix_groups(rows: &[InventoryRow]) -> Vec<PrefixGroup> {
    let mut groups: BTreeMap<&str, PrefixGroup> = BTreeMap::new();
    for row in rows {
        let Some(prefix) = row.prefix.as_deref() else {
            continue;
        };
        let group = groups.entry(prefix).or_insert_with(|| PrefixGroup {
            prefix: prefix.to_owned(),
            codes: 0,
            times_used: 0,
            used_up: 0,
            text: String::new(),
        });
        group.codes += 1;
        group.times_used += row.times_used;
        group.used_up += usize::from(row.used_up);
    }
    let mut groups: Vec<PrefixGroup> = groups.into_values().filter(|g| g.codes > 1).collect();
    for group in &mut groups {
        group.text = format!(
            "{} · {}{}",
            count(group.codes, "code"),
            count(usize::try_from(group.times_used).unwrap_or(0), "use"),
            if group.used_up > 0 {
                format!(" · {} used up", group.used_up)
            } else {
                String::new()
            }
        );
    }
    groups
}

/// A code on Gumroad now: (name, product or none for universal) → (id, uses).
type Present = HashMap<(String, Option<ProductId>), (OfferCodeId, i64)>;

fn present_codes(rows: &[InventoryRow]) -> Present {
    let mut present = Present::new();
    for row in rows {
        if row.universal {
            if let Some(id) = row.offer_code_ids.first() {
                present.insert((row.code.clone(), None), (id.clone(), row.times_used));
            }
        } else {
            for uses in &row.uses {
                present.insert(
                    (row.code.clone(), Some(uses.product_id.clone())),
                    (uses.offer_code_id.clone(), uses.times_used),
                );
            }
        }
    }
    present
}

fn batches(rows: &[InventoryRow], jobs: &[KeptJob]) -> Vec<Batch> {
    let present = present_codes(rows);
    let deleted_by_us: HashSet<&OfferCodeId> = jobs
        .iter()
        .flat_map(|job| &job.report.rows)
        .filter_map(|row| row.outcome.deleted_offer_code.as_ref())
        .map(|code| &code.id)
        .collect();
    let mut batches: Vec<Batch> = jobs
        .iter()
        .filter(|job| job.report.operation == BATCH_OPERATION)
        .map(|job| {
            let report = &job.report;
            let mut batch = Batch {
                job_id: job.id.clone(),
                title: report.title.clone(),
                created_at: report.finished_at.unwrap_or(report.started_at),
                created: 0,
                used: 0,
                unused: 0,
                removed: 0,
                text: String::new(),
                codes: Vec::new(),
            };
            for row in &report.rows {
                let Some(code) = &row.outcome.created_offer_code else {
                    continue;
                };
                batch.created += 1;
                let product = (!code.universal).then(|| row.product_id.clone());
                match present.get(&(code.name.clone(), product.clone())) {
                    Some((id, uses)) => {
                        if *uses > 0 {
                            batch.used += 1;
                        } else {
                            batch.unused += 1;
                        }
                        batch.codes.push(BatchCode {
                            code: code.name.clone(),
                            product_id: product,
                            offer_code_id: Some(id.clone()),
                        });
                    }
                    None if !deleted_by_us.contains(&code.id)
                        && code.max_purchase_count == Some(1) =>
                    {
                        batch.used += 1;
                    }
                    None => batch.removed += 1,
                }
            }
            batch.text = format!(
                "{}: {} used, {} unused, {} removed.",
                count(batch.created, "code"),
                batch.used,
                batch.unused,
                batch.removed
            );
            batch
        })
        .collect();
    batches.sort_by(|a, b| b.created_at.total_cmp(&a.created_at));
    batches
}
