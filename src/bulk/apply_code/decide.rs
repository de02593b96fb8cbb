//! What one product gets from an apply — a create, a skip, a conflict, a replace or an
//! in-place update — and the one action of a universal code. Pure decisions over the
//! [`Snapshot`]; the intent, the plan and its notes are in the parent module, and undo
//! recreates deleted codes through these same decisions.
//!
//! Conflicts (the name exists with other terms): with `onConflict: "replace"` the plan
//! deletes and recreates the code (its use count restarts) — except when only max uses
//! and/or the minimum differ, both set on each side, and the new max is not below the uses
//! so far: then it plans an `update`, which keeps the use count. A universal code is never
//! replaced as a side effect of a per-product job (that would change every product).

use super::{OnConflict, ValidApply};
use crate::bulk::plan::Action;
use crate::bulk::snapshot::Snapshot;
use crate::bulk::steps::skip;
use crate::discount::{amount_off, describe_discount, price_problem};
use crate::model::{collation_key, Discount, NewOfferCode, OfferCode, Product, ProductId};
use crate::money::format_price;
use crate::wording::{count, shortlist};

/// The existing code has exactly the terms of `new` (ignoring universality when
/// `ignore_universal`).
fn same_terms(existing: &OfferCode, new: &NewOfferCode, ignore_universal: bool) -> bool {
    existing.discount == new.discount
        && existing.max_purchase_count == new.max_purchase_count.map(i64::from)
        && existing.minimum_amount_cents == new.minimum_amount_cents
        && (ignore_universal || existing.universal == new.universal)
}

/// "20% off (yours: 10% off), max uses 5 (yours: unlimited)".
fn differences(existing: &OfferCode, new: &NewOfferCode, currency: Option<&str>) -> String {
    let mut parts = Vec::new();
    if existing.discount != new.discount {
        parts.push(format!(
            "{} (yours: {})",
            describe_discount(existing.discount, currency),
            describe_discount(new.discount, currency)
        ));
    }
    let uses = |max: Option<i64>| max.map_or("unlimited".to_owned(), |m| m.to_string());
    let new_max = new.max_purchase_count.map(i64::from);
    if existing.max_purchase_count != new_max {
        parts.push(format!(
            "max uses {} (yours: {})",
            uses(existing.max_purchase_count),
            uses(new_max)
        ));
    }
    let minimum = |cents: Option<i64>| {
        cents.map_or("none".to_owned(), |c| {
            format_price(c, currency.unwrap_or("usd"))
        })
    };
    if existing.minimum_amount_cents != new.minimum_amount_cents {
        parts.push(format!(
            "minimum amount {} (yours: {})",
            minimum(existing.minimum_amount_cents),
            minimum(new.minimum_amount_cents)
        ));
    }
    if existing.universal != new.universal {
        parts.push(if existing.universal {
            "universal (yours: this product only)".to_owned()
        } else {
            "this product only (yours: universal)".to_owned()
        });
    }
    parts.join(", ")
}

/// `existing` with the max uses and minimum of `new`, when `PUT` can get there and back:
/// same amount and type, each differing field set on both sides (the API cannot clear a
/// limit), and a max not below the uses so far.
fn updated_in_place(existing: &OfferCode, new: &NewOfferCode) -> Option<OfferCode> {
    if existing.discount != new.discount || existing.universal != new.universal {
        return None;
    }
    let new_max = new.max_purchase_count.map(i64::from);
    let max_ok = existing.max_purchase_count == new_max
        || matches!((existing.max_purchase_count, new_max), (Some(_), Some(max)) if max >= existing.times_used);
    let min_ok = existing.minimum_amount_cents == new.minimum_amount_cents
        || (existing.minimum_amount_cents.is_some() && new.minimum_amount_cents.is_some());
    (max_ok && min_ok).then(|| OfferCode {
        max_purchase_count: new_max,
        minimum_amount_cents: new.minimum_amount_cents,
        ..existing.clone()
    })
}

/// The plan for one product of a per-product apply.
pub(in crate::bulk) fn apply_on_product(
    valid: &ValidApply,
    product: &Product,
    codes: &[OfferCode],
) -> Action {
    let new = &valid.code;
    let currency = Some(product.currency.as_str());
    if let Some(wanted) = valid.currency {
        if !wanted.code.eq_ignore_ascii_case(&product.currency) {
            return skip(format!(
                "{} takes {} in {}, but this product is priced in {}; Gumroad applies a fixed amount only in the product's own currency.",
                new.name,
                format_price(amount_off(new.discount, 0), wanted.code),
                wanted.code.to_ascii_uppercase(),
                product.currency.to_ascii_uppercase()
            ));
        }
    }
    if let (Some(wanted), Some(minimum)) = (valid.minimum_currency, new.minimum_amount_cents) {
        if !wanted.code.eq_ignore_ascii_case(&product.currency) {
            return skip(format!(
                "The minimum order is in {} ({}), but this product is priced in {}; Gumroad compares the minimum with the product's own price.",
                wanted.code.to_ascii_uppercase(),
                format_price(minimum, wanted.code),
                product.currency.to_ascii_uppercase()
            ));
        }
    }
    let key = collation_key(&new.name);
    if let Some(universal) = codes
        .iter()
        .find(|c| c.universal && collation_key(&c.name) == key)
    {
        if same_terms(universal, new, true) {
            return Action::Skip {
                reason: format!(
                    "The universal code {} already gives the same terms on every product, this one included.",
                    universal.name
                ),
                existing: Some(universal.clone()),
            };
        }
        let as_universal = NewOfferCode {
            universal: true,
            ..new.clone()
        };
        return Action::Conflict {
            existing: universal.clone(),
            reason: format!(
                "{} is a universal code (it applies to all your products) with other terms: {}. Replacing it here would change it for every product: remove it first, or choose another name.",
                universal.name,
                differences(universal, &as_universal, currency)
            ),
        };
    }
    let own = codes.iter().find(|c| !c.universal && c.name == new.name);
    if let Some(existing) = own.filter(|c| same_terms(c, new, false)) {
        return Action::Skip {
            reason: format!("Already has {} with the same terms.", existing.name),
            existing: Some(existing.clone()),
        };
    }
    if let Some(problem) = price_problem(new.discount, product) {
        return skip(problem.sentence());
    }
    let Some(existing) = own else {
        return Action::Create { code: new.clone() };
    };
    let update = updated_in_place(existing, new);
    match (valid.on_conflict, update) {
        (OnConflict::Replace, Some(after)) => Action::Update {
            before: existing.clone(),
            after,
        },
        (OnConflict::Replace, None) => Action::Replace {
            existing: existing.clone(),
            code: new.clone(),
        },
        (OnConflict::Skip, update) => Action::Conflict {
            existing: existing.clone(),
            reason: format!(
                "{} already exists here with other terms: {}. {}",
                existing.name,
                differences(existing, new, currency),
                if update.is_some() {
                    "Gumroad can change max uses and the minimum amount in place: choose Replace to update it (its use count is kept)."
                } else if existing.discount != new.discount {
                    "Gumroad cannot change a code's amount or type: choose Replace to delete it and create yours (its use count restarts)."
                } else {
                    "Gumroad cannot remove a limit from a code or lower it below its uses: choose Replace to delete it and create yours (its use count restarts)."
                }
            ),
        },
    }
}

/// The product a universal code is created through: the preferred one if it fits, else
/// the first published product (in the code's currency for a fixed amount), else any.
pub(in crate::bulk) fn universal_anchor<'a>(
    valid: &ValidApply,
    snapshot: &'a Snapshot,
    preferred: Option<&ProductId>,
) -> Option<&'a Product> {
    let fits = |p: &&Product| {
        valid
            .currency
            .is_none_or(|c| c.code.eq_ignore_ascii_case(&p.currency))
    };
    preferred
        .and_then(|id| snapshot.product(id))
        .filter(fits)
        .or_else(|| snapshot.products.iter().filter(fits).find(|p| p.published))
        .or_else(|| snapshot.products.iter().find(fits))
}

/// The products a universal code applies to (and that Gumroad checks prices of): the
/// published ones, in the code's currency for a fixed amount.
pub(super) fn universal_targets<'a>(
    valid: &ValidApply,
    snapshot: &'a Snapshot,
) -> Vec<&'a Product> {
    snapshot
        .products
        .iter()
        .filter(|p| p.published && !p.deleted)
        .filter(|p| {
            valid
                .currency
                .is_none_or(|c| c.code.eq_ignore_ascii_case(&p.currency))
        })
        .collect()
}

/// The currency of a fixed universal code: that of the products listing it.
fn listed_currency<'a>(snapshot: &'a Snapshot, code: &OfferCode) -> Option<&'a str> {
    snapshot
        .products_listing(code)
        .first()
        .map(|p| p.currency.as_str())
}

/// The one action of a universal apply, on `anchor`.
pub(in crate::bulk) fn apply_universal(
    valid: &ValidApply,
    snapshot: &Snapshot,
    anchor: &Product,
) -> Action {
    let new = &valid.code;
    let key = collation_key(&new.name);
    let clashes: Vec<&OfferCode> = snapshot
        .all_codes()
        .into_iter()
        .filter(|c| collation_key(&c.name) == key)
        .collect();
    let wanted_currency = valid.currency.map(|c| c.code);
    if let Some(existing) = clashes.iter().find(|c| c.universal) {
        let existing_currency = match existing.discount {
            Discount::Fixed { .. } => listed_currency(snapshot, existing),
            Discount::Percent(_) => None,
        };
        let same_currency = existing_currency.map(str::to_ascii_lowercase)
            == wanted_currency.map(str::to_ascii_lowercase);
        if same_terms(existing, new, false) && same_currency {
            return Action::Skip {
                reason: format!(
                    "The universal code {} already exists with the same terms.",
                    existing.name
                ),
                existing: Some((*existing).clone()),
            };
        }
        let mut what = differences(existing, new, wanted_currency.or(existing_currency));
        if !same_currency {
            let name = |c: Option<&str>| c.map_or("percent".to_owned(), str::to_ascii_uppercase);
            if !what.is_empty() {
                what.push_str(", ");
            }
            what.push_str(&format!(
                "currency {} (yours: {})",
                name(existing_currency),
                name(wanted_currency)
            ));
        }
        let through_anchor = snapshot
            .codes_of(&anchor.id)
            .iter()
            .any(|c| c.id == existing.id);
        return match valid.on_conflict {
            OnConflict::Replace if through_anchor => Action::Replace {
                existing: (*existing).clone(),
                code: new.clone(),
            },
            OnConflict::Replace => Action::Conflict {
                existing: (*existing).clone(),
                reason: format!(
                    "The universal code {} exists with other terms ({what}) and cannot be replaced in one step (it is in another currency): remove it first.",
                    existing.name
                ),
            },
            OnConflict::Skip => Action::Conflict {
                existing: (*existing).clone(),
                reason: format!(
                    "The universal code {} already exists with other terms: {what}. Gumroad cannot change a code's amount or type: choose Replace to delete it and create yours (its use count restarts).",
                    existing.name
                ),
            },
        };
    }
    if let Some(first) = clashes.first() {
        let holders: Vec<String> = snapshot
            .products
            .iter()
            .filter(|p| {
                snapshot
                    .codes_of(&p.id)
                    .iter()
                    .any(|c| !c.universal && collation_key(&c.name) == key)
            })
            .map(|p| format!("\"{}\"", p.name))
            .collect();
        return Action::Conflict {
            existing: (*first).clone(),
            reason: format!(
                "{} is already a code on {} ({}); a universal code needs a name no other code of yours has, in any letter case. Remove those first (Remove code), or choose another name.",
                first.name,
                count(holders.len(), "product"),
                shortlist(&holders)
            ),
        };
    }
    let problems: Vec<String> = universal_targets(valid, snapshot)
        .into_iter()
        .filter_map(|p| {
            price_problem(new.discount, p).map(|why| format!("\"{}\" ({})", p.name, why.short()))
        })
        .collect();
    if !problems.is_empty() {
        return skip(format!(
            "Gumroad refuses a universal code unless every product stays free or at least the minimum price after the discount, and {} would not: {}.",
            count(problems.len(), "product"),
            shortlist(&problems)
        ));
    }
    Action::Create { code: new.clone() }
}
