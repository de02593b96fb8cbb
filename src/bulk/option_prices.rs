//! Options in a price change: whether the price differences of a product's options are
//! kept (the default: options move with the product by the same amount) or scaled by the
//! same percent ([`OptionPrices`]); the option steps a scaling plan adds, their re-plan
//! and their undo, and what the preview says about options and tiered memberships. Pure:
//! a function of the plan's steps and the [`Snapshot`]; the write is in `option_writes`.
//!
//! Gumroad's rules (contract §2.3, additions §5): an option's `price_difference_cents` is
//! set with `PUT …/variant_categories/:cid/variants/:id`, minor units of the product's
//! currency, never below 0; the product object shows it as
//! `variants[].options[].price_difference` but carries no ids, so a step names its option
//! by category title and option name. A tiered membership's tier prices cannot be set
//! through the API at all: only on the product's edit page.

use serde::{Deserialize, Serialize};

use super::plan::{Action, Step};
use super::report::{ReportRow, Status};
use super::repricing::{scale_difference, PriceChange, Rules};
use super::snapshot::Snapshot;
use super::steps::{missing_step, skip};
use crate::model::Product;
use crate::money::{find_currency, format_price};
use crate::wording::{count, quoted_names};

/// What a price change does to the price differences of options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OptionPrices {
    /// Each option keeps its difference, so it moves with the product by the same amount.
    #[default]
    Keep,
    /// A percent change scales each difference by the same percent (a fixed price or
    /// amount keeps them: there is no percent to scale by).
    Scale,
}

impl OptionPrices {
    pub fn is_keep(&self) -> bool {
        *self == OptionPrices::Keep
    }
}

/// The priced options of `product`: (category title, option name, difference > 0).
fn priced_options(product: &Product) -> impl Iterator<Item = (&str, &str, i64)> {
    product.variants.iter().flat_map(|category| {
        category.options.iter().filter_map(move |option| {
            option
                .price_difference
                .filter(|d| *d > 0)
                .map(|d| (category.title.as_str(), option.name.as_str(), d))
        })
    })
}

/// True when `product` has an option that costs more than the product.
pub fn has_priced_options(product: &Product) -> bool {
    priced_options(product).next().is_some()
}

/// The option `option` of the category `category` on `product` now: its difference (0
/// when none), or `None` when the product has no such option.
fn difference_now(product: &Product, category: &str, option: &str) -> Option<i64> {
    product
        .variants
        .iter()
        .filter(|c| c.title == category)
        .flat_map(|c| &c.options)
        .find(|o| o.name == option)
        .map(|o| o.price_difference.unwrap_or(0))
}

/// The product's page on Gumroad where tier prices are set: `https://gumroad.com/products/
/// <permalink>/edit`, the permalink read from its short link (`…/l/<permalink>`), else its id.
pub fn edit_page(product: &Product) -> String {
    let permalink = product
        .short_url
        .as_deref()
        .and_then(|url| url.rsplit_once("/l/"))
        .map(|(_, permalink)| permalink.trim_end_matches('/'))
        .filter(|p| !p.is_empty() && !p.contains(['/', '?', '#']));
    format!(
        "https://gumroad.com/products/{}/edit",
        permalink.unwrap_or(product.id.as_str())
    )
}

/// A step for one option of `product`: its price columns show the difference.
pub(super) fn option_step(index: usize, product: &Product, action: Action) -> Step {
    let (before, after, currency) = match &action {
        Action::UpdateOptionPrice {
            before,
            after,
            currency,
            ..
        } => (*before, Some(*after), currency.clone()),
        _ => (0, None, product.currency.clone()),
    };
    let plus = |minor: i64| format!("+{}", format_price(minor, &currency));
    Step {
        index,
        product_id: product.id.clone(),
        product_name: product.name.clone(),
        currency: product.currency.clone(),
        price: before,
        formatted_price: plus(before),
        price_after: after,
        formatted_price_after: after.map(plus),
        action,
        description: String::new(),
        changes: Vec::new(),
        link: None,
    }
}

/// The plan's steps with, when options are scaled by a percent, one step per priced option
/// after each product whose price changes (an option whose difference stays is left out),
/// and the edit page on each tiered membership's step; numbered again in order.
pub(super) fn with_option_steps(
    steps: Vec<Step>,
    snapshot: &Snapshot,
    change: PriceChange,
    rules: &Rules,
    options: OptionPrices,
) -> Vec<Step> {
    let mut out = Vec::with_capacity(steps.len());
    for mut step in steps {
        let product = snapshot.product(&step.product_id);
        if let Some(product) = product.filter(|p| p.is_tiered_membership) {
            step.link = Some(edit_page(product));
        }
        let scaled = match (&step.action, change, options, product) {
            (
                Action::UpdatePrice {
                    after, currency, ..
                },
                PriceChange::Percent(percent),
                OptionPrices::Scale,
                Some(product),
            ) => find_currency(currency).map(|c| (product, *after, c, percent)),
            _ => None,
        };
        out.push(step);
        let Some((product, price_after, currency, percent)) = scaled else {
            continue;
        };
        for (category, option, before) in priced_options(product) {
            let after = scale_difference(before, price_after, currency, percent, rules.rounding);
            if after != before {
                let action = Action::UpdateOptionPrice {
                    category: category.to_owned(),
                    option: option.to_owned(),
                    before,
                    after,
                    currency: product.currency.clone(),
                    verified: false,
                };
                out.push(option_step(0, product, action));
            }
        }
    }
    for (index, step) in out.iter_mut().enumerate() {
        step.index = index;
    }
    out
}

/// The note on a product's price step about its options, or `None` without priced options.
pub(super) fn product_note(
    product: &Product,
    change: PriceChange,
    options: OptionPrices,
) -> Option<&'static str> {
    if !has_priced_options(product) {
        return None;
    }
    Some(match (options, change) {
        (OptionPrices::Scale, PriceChange::Percent(_)) => {
            "Its options' price differences change by the same percent (below)."
        }
        _ => "Its options keep their price differences, so they move with it.",
    })
}

/// What the preview says about options: how they change, and (with priced options under
/// a fixed price or amount) why they are kept.
pub(super) fn notes(
    steps: &[Step],
    snapshot: &Snapshot,
    change: PriceChange,
    options: OptionPrices,
) -> Vec<String> {
    let priced: Vec<&Product> = steps
        .iter()
        .filter(|s| matches!(s.action, Action::UpdatePrice { .. }))
        .filter_map(|s| snapshot.product(&s.product_id))
        .filter(|p| has_priced_options(p))
        .collect();
    if priced.is_empty() {
        return Vec::new();
    }
    let names = quoted_names(priced.iter().map(|p| p.name.as_str()));
    let scaled = steps.iter().filter(|s| action_is_option(&s.action)).count();
    vec![match (options, change) {
        (OptionPrices::Scale, PriceChange::Percent(_)) => format!(
            "Options with a price difference ({names}): each difference changes by the same percent, {} in all; the rounding applies to each option's whole price (the product's new price plus its difference), and a difference never goes below 0. Undo puts the old differences back.",
            count(scaled, "option")
        ),
        (OptionPrices::Scale, _) => format!(
            "Options with a price difference ({names}) keep their differences: only a percent change scales them, and a fixed price or amount has no percent to scale by, so each option moves by the same amount as its product."
        ),
        (OptionPrices::Keep, _) => format!(
            "Options with a price difference ({names}) keep their differences, so each option moves by the same amount as its product."
        ),
    }]
}

/// True for the actions of an option step.
pub fn is_option_action(action: &Action) -> bool {
    matches!(action, Action::UpdateOptionPrice { .. })
}

/// An option step still to do (not found done).
fn action_is_option(action: &Action) -> bool {
    matches!(
        action,
        Action::UpdateOptionPrice {
            verified: false,
            ..
        }
    )
}

/// The fresh plan of an option step against the product now: done already (`verified`),
/// still to do, or changed by someone else since (left alone).
pub(super) fn reconcile_option(original: &Action, product: &Product) -> Action {
    let Action::UpdateOptionPrice {
        category,
        option,
        before,
        after,
        currency,
        ..
    } = original
    else {
        return original.clone();
    };
    let wanted = |verified: bool| Action::UpdateOptionPrice {
        category: category.clone(),
        option: option.clone(),
        before: *before,
        after: *after,
        currency: currency.clone(),
        verified,
    };
    let price = |minor: i64| format!("+{}", format_price(minor, currency));
    if !product.currency.eq_ignore_ascii_case(currency) {
        return skip(format!(
            "Its currency changed since this job was planned (now {}); not overwritten.",
            product.currency.to_ascii_uppercase()
        ));
    }
    match difference_now(product, category, option) {
        None => skip(format!(
            "The option \"{category}: {option}\" is no longer on this product."
        )),
        Some(now) if now == *after => wanted(true),
        Some(now) if now == *before => wanted(false),
        Some(now) => skip(format!(
            "The option \"{category}: {option}\" changed since this job was planned (now {}, was {}); not overwritten.",
            price(now),
            price(*before)
        )),
    }
}

/// The re-plan (resume, retry, an undo's) of an option step.
pub(super) fn replan_option_step(original: &Step, snapshot: &Snapshot) -> Step {
    match snapshot.product(&original.product_id) {
        Some(product) => option_step(
            original.index,
            product,
            reconcile_option(&original.action, product),
        ),
        None => missing_step(original.index, &original.product_id),
    }
}

const OPTION_CHANGED_SINCE: &str = "Option changed since this job";

/// The undo of an option row, or `None` when it changed nothing: put `before` back where
/// the option still shows the job's `after`; leave any other difference alone. A row whose
/// outcome is `unknown` counts when the option shows `after` now.
pub(super) fn undo_option_step(index: usize, row: &ReportRow, snapshot: &Snapshot) -> Option<Step> {
    let Action::UpdateOptionPrice {
        category,
        option,
        before,
        after,
        currency,
        ..
    } = &row.action
    else {
        return None;
    };
    let product = snapshot.product(&row.product_id);
    let now = product.and_then(|p| difference_now(p, category, option));
    match row.outcome.status {
        Status::Applied => {}
        Status::Unknown if now == Some(*after) => {}
        _ => return None,
    }
    let Some(product) = product else {
        return Some(missing_step(index, &row.product_id));
    };
    let price = |minor: i64| format!("+{}", format_price(minor, currency));
    let action = match now {
        _ if !product.currency.eq_ignore_ascii_case(currency) => skip(format!(
            "{OPTION_CHANGED_SINCE}: the product's currency is now {}; not overwritten.",
            product.currency.to_ascii_uppercase()
        )),
        None => skip(format!(
            "The option \"{category}: {option}\" is no longer on this product."
        )),
        Some(now) if now == *after => Action::UpdateOptionPrice {
            category: category.clone(),
            option: option.clone(),
            before: *after,
            after: *before,
            currency: currency.clone(),
            verified: false,
        },
        Some(now) if now == *before => skip(format!(
            "The option \"{category}: {option}\" is already back at {}.",
            price(*before)
        )),
        Some(now) => skip(format!(
            "{OPTION_CHANGED_SINCE} (\"{category}: {option}\" is now {}; the job set {}); not overwritten.",
            price(now),
            price(*after)
        )),
    };
    Some(option_step(index, product, action))
}

/// What the seller should know about the option steps of an undo.
pub(super) fn undo_notes(steps: &[Step]) -> Vec<String> {
    let restores = steps.iter().filter(|s| action_is_option(&s.action)).count();
    let changed = steps
        .iter()
        .filter(|s| matches!(&s.action, Action::Skip { reason, .. } if reason.starts_with(OPTION_CHANGED_SINCE)))
        .count();
    let mut notes = Vec::new();
    if restores > 0 {
        notes.push(format!(
            "Puts back the previous price difference of {}.",
            count(restores, "option")
        ));
    }
    if changed > 0 {
        notes.push(format!(
            "{} changed since this job and {} left alone.",
            count(changed, "option"),
            if changed == 1 { "is" } else { "are" }
        ));
    }
    notes
}
