//! Batches of unique codes for campaigns (giveaways, launch lists, partner deals): N codes
//! from a prefix and a random suffix drawn from an alphabet without look-alikes (no 0/O,
//! 1/I), each with max uses 1 (or a chosen number), on one product or universal. Owns the
//! intent and its validation, the naming rule ([`draw_name`]), the pure planner
//! ([`plan_create_codes`], given a source of random bytes), the re-plan of its steps and
//! the CSV of the codes a job made ([`batch_codes_csv`]). The engine draws a fresh suffix
//! for a step whose code was taken meanwhile (`writes`), with [`secure_random`].
//!
//! Gumroad has no batch create: every code is one `POST …/offer_codes`, and single-use
//! codes are soft-deleted by Gumroad once used (additions §4), so they leave its list.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::apply_code::{
    apply_on_product, apply_universal, universal_anchor, ApplyCodeIntent, DiscountInput,
    ValidApply,
};
use super::intent::whole;
use super::plan::{Action, Change, Operation, Plan, Step, SuffixRule};
use super::report::{Report, Status};
use super::snapshot::Snapshot;
use super::steps::{missing_step, product_step};
use crate::discount::describe_discount;
use crate::error::Error;
use crate::model::{
    check_code_name, collation_key, is_created_code, NewOfferCode, OfferCode, Product,
    ProductId, MAX_CODE_LENGTH,
};
use crate::spreadsheet_csv::{neutralised, CsvWriter};
use crate::wording::time_left;

/// The suffix alphabet: digits and capitals without 0, O, 1 and I, which read alike on
/// paper and in some fonts. 32 characters, so a random byte's low five bits pick one with
/// no bias.
pub const SUFFIX_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// The most codes one batch makes.
pub const MAX_BATCH: usize = 10_000;

/// Suffix lengths: 8 by default (32⁸ ≈ 10¹² names: guessing one of 10 000 codes takes
/// about 10⁸ tries); never under 6 (about 10⁹).
pub const DEFAULT_SUFFIX_LENGTH: u8 = 8;
const SUFFIX_LENGTHS: std::ops::RangeInclusive<i64> = 6..=20;

/// How long Gumroad is assumed to take per create, for the preview's estimate (the engine
/// measures the real pace as it runs).
const ASSUMED_REQUEST_MS: f64 = 500.0;

/// "Make N unique codes" as the UI sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCodesIntent {
    /// What every code starts with (`LAUNCH`); a `-` is put between it and the suffix
    /// unless it ends with `-` or `_`. May be empty.
    #[serde(default)]
    pub prefix: String,
    pub count: Number,
    #[serde(default)]
    pub suffix_length: Option<Number>,
    pub discount: DiscountInput,
    /// The currency of a fixed amount.
    #[serde(default)]
    pub currency: Option<String>,
    /// Uses per code; absent or null = 1 (single use).
    #[serde(default)]
    pub max_purchase_count: Option<Number>,
    #[serde(default)]
    pub universal: bool,
    /// The product the codes are for (ignored for universal codes).
    #[serde(default)]
    pub product_id: Option<String>,
}

/// A [`CreateCodesIntent`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidBatch {
    /// The terms, checked as one code's (the name is a sample).
    pub terms: ValidApply,
    pub count: usize,
    pub suffix: SuffixRule,
    /// `None` for universal codes.
    pub product_id: Option<ProductId>,
}

impl CreateCodesIntent {
    /// Every check that needs no request, with a message for the seller.
    pub fn validate(&self) -> Result<ValidBatch, Error> {
        let count = match whole(&self.count) {
            Some(n @ 1..) if n as usize <= MAX_BATCH => n as usize,
            _ => {
                return Err(Error::invalid_input(format!(
                    "Choose how many codes to make: a whole number from 1 to {}.",
                    thousands(MAX_BATCH)
                )))
            }
        };
        let length = match &self.suffix_length {
            None => DEFAULT_SUFFIX_LENGTH,
            Some(number) => match whole(number) {
                Some(n) if SUFFIX_LENGTHS.contains(&n) => n as u8,
                _ => {
                    return Err(Error::invalid_input(format!(
                        "The random part of each code must be {} to {} characters long.",
                        SUFFIX_LENGTHS.start(),
                        SUFFIX_LENGTHS.end()
                    )))
                }
            },
        };
        let prefix = self.prefix.trim();
        let prefix = if prefix.is_empty() {
            String::new()
        } else {
            let checked = check_code_name(prefix)?;
            if checked.ends_with(['-', '_']) {
                checked
            } else {
                format!("{checked}-")
            }
        };
        let longest = prefix.chars().count() + usize::from(length);
        if longest > MAX_CODE_LENGTH {
            return Err(Error::invalid_input(format!(
                "The prefix is too long: a code can have at most {MAX_CODE_LENGTH} characters, and the random part takes {length}."
            )));
        }
        let product_id = match self.product_id.as_deref().map(str::trim) {
            _ if self.universal => None,
            Some(id) if !id.is_empty() => Some(ProductId::from(id)),
            _ => {
                return Err(Error::invalid_input(
                    "Choose the product the codes are for, or make them universal.",
                ))
            }
        };
        let max_purchase_count = match &self.max_purchase_count {
            None => Number::from(1),
            Some(number) => number.clone(),
        };
        let suffix = SuffixRule { prefix, length };
        let terms = ApplyCodeIntent {
            code: format!("{}{}", suffix.prefix, "X".repeat(usize::from(length))),
            discount: self.discount.clone(),
            currency: self.currency.clone(),
            max_purchase_count: Some(max_purchase_count),
            minimum_amount_cents: None,
            minimum_currency: None,
            universal: self.universal,
            product_ids: product_id.iter().map(|id| id.as_str().to_owned()).collect(),
            on_conflict: Default::default(),
        }
        .validate()?;
        Ok(ValidBatch {
            terms,
            count,
            suffix,
            product_id,
        })
    }
}

/// `10,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A name under `rule`: its prefix, then `rule.length` characters of [`SUFFIX_ALPHABET`]
/// picked by bytes from `random`.
pub fn draw_name(rule: &SuffixRule, random: &mut dyn FnMut(&mut [u8])) -> String {
    let mut bytes = vec![0u8; usize::from(rule.length)];
    random(&mut bytes);
    let mut name = rule.prefix.clone();
    name.extend(
        bytes
            .iter()
            .map(|b| char::from(SUFFIX_ALPHABET[usize::from(b & 31)])),
    );
    name
}

/// Fills `bytes` from the platform's cryptographic generator (the browser's
/// `crypto.getRandomValues`, the OS natively): codes are bearer discounts, so their
/// suffixes must not be guessable from earlier ones.
pub fn secure_random(bytes: &mut [u8]) -> Result<(), Error> {
    getrandom::getrandom(bytes).map_err(|_| {
        Error::invalid_input("This browser gave Bulkroad no secure random numbers, so no code was drawn.")
    })
}

/// The plan for a batch: `count` create steps, each with a name no live code of the
/// seller has (compared as Gumroad's checkout does: ignoring case and accents) and no
/// other code of the batch has. A drawn name that clashes is dropped and drawn again;
/// the notes say how many were. `max_in_flight` is the engine's cap, for the estimate.
pub fn plan_create_codes(
    intent: &CreateCodesIntent,
    snapshot: &Snapshot,
    created_at: f64,
    max_in_flight: usize,
    random: &mut dyn FnMut(&mut [u8]),
) -> Result<Plan, Error> {
    let valid = intent.validate()?;
    let product = target_product(&valid, snapshot)?;
    let mut taken: HashSet<String> = snapshot
        .all_codes()
        .into_iter()
        .map(|c| collation_key(&c.name))
        .collect();
    let mut names = Vec::with_capacity(valid.count);
    let mut redrawn = 0usize;
    // A fair source clashes about never; a broken one (all zeros) must not spin forever.
    let mut budget = valid.count * 4 + 100;
    while names.len() < valid.count {
        if budget == 0 {
            return Err(Error::invalid_input(
                "Bulkroad could not draw enough distinct codes; try a longer random part.",
            ));
        }
        budget -= 1;
        let name = draw_name(&valid.suffix, random);
        if taken.insert(collation_key(&name)) {
            names.push(name);
        } else {
            redrawn += 1;
        }
    }
    // The terms are the same for every code: Gumroad's rules (currency, the minimum price
    // after the discount on every price a buyer can pay) are checked once, on the first.
    let first = ValidApply {
        code: NewOfferCode {
            name: names[0].clone(),
            ..valid.terms.code.clone()
        },
        ..valid.terms.clone()
    };
    let decided = if valid.product_id.is_none() {
        apply_universal(&first, snapshot, product)
    } else {
        apply_on_product(&first, product, snapshot.codes_of(&product.id))
    };
    match decided {
        Action::Create { .. } => {}
        Action::Skip { reason, .. } | Action::Conflict { reason, .. } => {
            let pattern = format!("{}…", valid.suffix.prefix);
            return Err(Error::invalid_input(reason.replace(&names[0], &pattern)));
        }
        other => {
            return Err(Error::invalid_input(format!(
                "Bulkroad cannot make these codes: {}",
                other.description()
            )))
        }
    }
    let product_url = valid
        .product_id
        .as_ref()
        .and(product.short_url.clone());
    let steps: Vec<Step> = names
        .into_iter()
        .enumerate()
        .map(|(index, name)| {
            let code = NewOfferCode {
                name,
                ..valid.terms.code.clone()
            };
            let action = Action::CreateUnique {
                code,
                suffix: valid.suffix.clone(),
                product_url: product_url.clone(),
            };
            product_step(index, product, action)
        })
        .collect();
    let notes = batch_notes(&valid, product, redrawn, max_in_flight);
    Ok(Plan::new(
        Operation::CreateCodes,
        batch_title(&valid, product),
        serde_json::to_value(intent).unwrap_or_default(),
        steps,
        notes,
        created_at,
    ))
}

/// The product the codes are created on: the chosen one, or for universal codes the one
/// they are created through.
fn target_product<'a>(valid: &ValidBatch, snapshot: &'a Snapshot) -> Result<&'a Product, Error> {
    match &valid.product_id {
        Some(id) => snapshot.product(id).ok_or_else(|| {
            Error::invalid_input("That product is no longer on Gumroad (deleted?).")
        }),
        None => universal_anchor(&valid.terms, snapshot, None).ok_or_else(|| {
            Error::invalid_input(
                "Universal codes are created through one of your products, and there is none to use.",
            )
        }),
    }
}

fn uses(max: Option<u32>) -> String {
    match max {
        Some(1) | None => "single-use".to_owned(),
        Some(n) => format!("{n}-use"),
    }
}

fn batch_title(valid: &ValidBatch, product: &Product) -> String {
    let code = &valid.terms.code;
    let what = format!(
        "{} {} codes {}… ({})",
        thousands(valid.count),
        uses(code.max_purchase_count),
        valid.suffix.prefix,
        describe_discount(code.discount, Some(&product.currency))
    );
    match valid.product_id {
        Some(_) => format!("Create {what} on {}", product.name),
        None => format!("Create {what}, universal"),
    }
}

fn batch_notes(valid: &ValidBatch, product: &Product, redrawn: usize, max_in_flight: usize) -> Vec<String> {
    let requests = valid.count;
    let estimate = requests as f64 * ASSUMED_REQUEST_MS / max_in_flight.max(1) as f64;
    let mut notes = vec![format!(
        "{} to send: Gumroad creates codes one at a time. With up to {} at once that takes {} if Gumroad answers each in about half a second; the job can be stopped and resumed without making a code twice.",
        crate::wording::count(requests, "request"),
        max_in_flight.max(1),
        time_left(estimate).trim_end_matches(" left"),
    )];
    notes.push(
        "The codes download as a CSV (code, product, link with the code applied) from the job, while it runs and after: a stopped job still gives you every code it made."
            .to_owned(),
    );
    match valid.terms.code.max_purchase_count {
        Some(1) | None => notes.push(
            "Each code works once. Gumroad removes a single-use code after its use, so used codes leave its list: the inventory counts which of this batch were used.".to_owned(),
        ),
        Some(n) => notes.push(format!("Each code works {n} times.")),
    }
    if valid.product_id.is_none() {
        notes.push(format!(
            "Universal codes apply to every product{}; they are created through {}.",
            match valid.terms.currency {
                Some(c) => format!(" priced in {}", c.code.to_ascii_uppercase()),
                None => String::new(),
            },
            product.name
        ));
    }
    if redrawn > 0 {
        notes.push(format!(
            "{} drawn matched codes you already have and {} replaced by fresh ones.",
            crate::wording::count(redrawn, "code"),
            if redrawn == 1 { "was" } else { "were" }
        ));
    }
    notes
}

/// Re-plans a batch's steps: a code already there with the batch's terms was made by an
/// earlier attempt (`verified`, not sent again); the rest are sent as planned (a name
/// taken meanwhile is replaced when Gumroad refuses it).
pub(super) fn replan_create_codes(originals: &[&Step], snapshot: &Snapshot, steps: &mut Vec<Step>) {
    for original in originals {
        let Some(product) = snapshot.product(&original.product_id) else {
            steps.push(missing_step(original.index, &original.product_id));
            continue;
        };
        let action = match &original.action {
            Action::CreateUnique { code, .. } => {
                match found_created(snapshot.codes_of(&product.id), code) {
                    Some(found) => Action::Verified {
                        change: Change::Created,
                        offer_code: found,
                        previous: None,
                    },
                    None => original.action.clone(),
                }
            }
            other => other.clone(),
        };
        steps.push(product_step(original.index, product, action));
    }
}

fn found_created(codes: &[OfferCode], code: &NewOfferCode) -> Option<OfferCode> {
    codes.iter().find(|c| is_created_code(c, code)).cloned()
}

/// The codes a batch job made so far, as CSV (RFC 4180, formula-like cells neutralised):
/// code, product, link with the code applied (the product's page followed by `/CODE`, which
/// Gumroad's checkout opens with the code filled in; empty for universal codes), discount
/// and uses. Rows in step order; a step not (yet) applied gives no row. `plan` is the job's
/// first plan (for each step's product page).
pub fn batch_codes_csv(plan: &Plan, report: &Report) -> (String, usize) {
    let mut writer = CsvWriter::new();
    writer.record(["Code", "Product", "Link", "Discount", "Max uses"]);
    let mut rows: Vec<_> = report
        .rows
        .iter()
        .filter(|row| row.outcome.status == Status::Applied)
        .filter_map(|row| {
            let made = row.outcome.created_offer_code.clone().or(match &row.action {
                Action::Verified {
                    change: Change::Created,
                    offer_code,
                    ..
                } => Some(offer_code.clone()),
                _ => None,
            })?;
            Some((row.index, row.product_name.clone(), made))
        })
        .collect();
    rows.sort_by_key(|(index, ..)| *index);
    let url_of = |index: usize| {
        plan.steps.iter().find(|s| s.index == index).and_then(|s| match &s.action {
            Action::CreateUnique { product_url, .. } => product_url.clone(),
            _ => None,
        })
    };
    let currency = plan.steps.first().map(|s| s.currency.clone()).unwrap_or_default();
    for (index, product, code) in &rows {
        let link = match (code.universal, url_of(*index)) {
            (false, Some(url)) => format!(
                "{}/{}",
                url.trim_end_matches('/'),
                form_urlencoded::byte_serialize(code.name.as_bytes()).collect::<String>()
            ),
            _ => String::new(),
        };
        let cells = [
            code.name.clone(),
            if code.universal { "All products".to_owned() } else { product.clone() },
            link,
            describe_discount(code.discount, Some(&currency)),
            code.max_purchase_count.map_or(String::new(), |m| m.to_string()),
        ];
        writer.record(cells.iter().map(|cell| neutralised(cell)));
    }
    (writer.finish(), rows.len())
}

#[cfg(test)]
#[path = "create_codes_tests.rs"]
mod tests;
