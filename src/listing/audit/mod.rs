//! The listing audit, pure: per product a score (0–100), its five parts and concrete,
//! fixable findings, each naming the rule behind it (additions §3); the whole audit as a
//! table with the kinds of finding to filter by, and as CSV. No I/O and no `JsValue`: the
//! products, Gumroad's categories and the comparable prices are read elsewhere and given.
//!
//! How a product is scored. The score is the weighted mean of five parts, each 0–100,
//! with the weights of Gumroad's closed listing-score proposal, rounded:
//! - **name** (15 %) — name, tags and category, what search and Discover match: 100 less
//!   each finding's penalty (no name −100, over 255 characters −60, mostly capitals −30,
//!   opening filler −15, key words after 40 characters −15, no tags −20, each bad tag
//!   −15, over 5 tags −10, no category −30), never below 0.
//! - **description** (30 %) — description and summary, what search engines and social cards
//!   show: 100 less penalties (none −70, under 300 characters −30, one block −15, a
//!   generic opening −15, summary over 160 −15, no summary where the opening says nothing
//!   −5).
//! - **cover** (20 %): 100 less penalties (no cover −70, no thumbnail −30, a cover image
//!   under 1280 × 720 −10).
//! - **pricing** (15 %): the price against comparable products' p25–p75 in its category
//!   and currency: inside (or without a p25/p75 to check against) 100; outside,
//!   `100 − 90·min(1, d / ln 4)` where `d = |ln(price / nearest bound)|` (twice the bound:
//!   55, four times: 10). Without comparable prices (none read, none in the category, a
//!   free product, a tiered membership, no category): 50, neutral.
//! - **social proof** (20 %): `0.6·sales + 0.4·reviews`; sales: none 0, n ≥ 1
//!   `min(100, 60 + 20·log10 n)`; reviews displayed 100, hidden 0; either unknown (the
//!   token cannot see sales, the API does not say whether reviews are shown) 50, neutral.
//!
//! Bands: ≥ 80 good, 60–79 ok, 40–59 weak, below 40 poor. Unpublished products are audited
//! like the others (their listing is what buyers will see) and carry an `unpublished`
//! finding; Discover eligibility is `false` when a condition is known to fail, `null` when
//! none fails but one is unknown.

mod checks;
mod csv;
mod kinds;

use std::borrow::Cow;

use serde::Serialize;

pub use checks::{category_label, category_path};
pub use csv::audit_csv;
pub use kinds::{Finding, Kind, PartId, Severity, KINDS};

use super::rules::snippet;
use crate::model::{Category, Comps, Product, ProductId};
use crate::money::format_price;
use crate::wording::count;

/// One product's audit, as the table and its detail show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    pub product_id: ProductId,
    pub name: String,
    pub formatted_price: String,
    pub published: bool,
    /// 0–100.
    pub score: u32,
    /// `good`, `ok`, `weak` or `poor`.
    pub band: Cow<'static, str>,
    pub band_label: Cow<'static, str>,
    pub parts: Vec<Part>,
    pub findings: Vec<Finding>,
    pub discover: Discover,
    /// What search engines and social cards show: the summary, else the description's
    /// plain text, cut at 160 characters.
    pub snippet: String,
    pub category_label: Option<String>,
    /// Comparable prices in the product's currency; `None` with `comps_note` saying why.
    pub comps: Option<CompsSummary>,
    pub comps_note: Option<String>,
}

/// One part of the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    pub id: PartId,
    pub label: Cow<'static, str>,
    /// Percent of the score.
    pub weight: u32,
    /// 0–100.
    pub score: u32,
}

/// Whether Discover can list the product: `Some(false)` when a condition is known to fail,
/// `None` when none fails but one is unknown; `reasons` names each.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Discover {
    pub eligible: Option<bool>,
    pub reasons: Vec<String>,
}

/// Comparable products' prices, formatted in the product's currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompsSummary {
    pub count: u64,
    pub p25: Option<String>,
    pub p50: Option<String>,
    pub p75: Option<String>,
}

/// The whole audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Audit {
    /// One row per product, in the catalogue's order.
    pub rows: Vec<AuditRow>,
    /// The kinds of finding present, most frequent first: the table's filter. (Not read
    /// back from JS: the CSV needs only the rows.)
    #[serde(default, skip_deserializing)]
    pub finding_kinds: Vec<FindingKind>,
    /// Sentences about what could not be known for the whole audit.
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingKind {
    pub id: &'static str,
    pub label: &'static str,
    pub severity: Severity,
    /// Products with at least one finding of this kind.
    pub count: usize,
}

/// What is known around the products: Gumroad's categories (`None`: they could not be
/// read, so whether a product has a category is unknown), the comparable prices read per
/// (category path, currency), and notes on what could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Market {
    pub categories: Option<Vec<Category>>,
    /// Per (category path, lower-case currency); a handful, so a list.
    pub comps: Vec<((String, String), Comps)>,
    pub notes: Vec<String>,
}

impl Market {
    /// The comparable prices for `product`, when read.
    pub fn comps_for(&self, product: &Product) -> Option<&Comps> {
        let path = category_path(product, self.categories.as_deref())?;
        let currency = product.currency.to_lowercase();
        self.comps
            .iter()
            .find(|((p, c), _)| p == path && *c == currency)
            .map(|(_, comps)| comps)
    }
}

/// What Discover needs that no token can see; said once, in the audit's notes.
pub const DISCOVER_NOTE: &str = "Discover also needs what the API does not show: a seller name, \
     payouts set up, products not sold out and an account in good standing.";

/// Audits every product against `market`.
pub fn audit(products: &[Product], market: &Market) -> Audit {
    let categories = market.categories.as_deref();
    let rows: Vec<AuditRow> = products
        .iter()
        .map(|product| audit_product(product, market.comps_for(product), categories))
        .collect();
    let mut counted: Vec<(usize, FindingKind)> = KINDS
        .iter()
        .enumerate()
        .filter_map(|(at, kind)| {
            let count = rows
                .iter()
                .filter(|row| row.findings.iter().any(|f| f.id == kind.id))
                .count();
            (count > 0).then_some((
                at,
                FindingKind {
                    id: kind.id,
                    label: kind.label,
                    severity: kind.severity,
                    count,
                },
            ))
        })
        .collect();
    // Most frequent first; kinds with equal counts keep the catalogue's order.
    counted.sort_unstable_by_key(|(at, kind)| (std::cmp::Reverse(kind.count), *at));
    let finding_kinds: Vec<FindingKind> = counted.into_iter().map(|(_, kind)| kind).collect();
    let mut notes = market.notes.clone();
    notes.push(DISCOVER_NOTE.to_owned());
    let summary = summary(&rows);
    Audit {
        rows,
        finding_kinds,
        notes,
        summary,
    }
}

fn summary(rows: &[AuditRow]) -> String {
    if rows.is_empty() {
        return "No products to audit.".to_owned();
    }
    let band = |name: &str| rows.iter().filter(|r| r.band == name).count();
    let total: u32 = rows.iter().map(|r| r.score).sum();
    let average = (f64::from(total) / rows.len() as f64).round();
    let problems = rows
        .iter()
        .filter(|r| r.findings.iter().any(|f| f.severity == Severity::Problem))
        .count();
    format!(
        "{} audited, average score {average}: {} good, {} ok, {} weak, {} poor; {} with a problem to fix.",
        count(rows.len(), "product"),
        band("good"),
        band("ok"),
        band("weak"),
        band("poor"),
        problems,
    )
}

/// Audits one product. `comps`: comparable prices for its category and currency, if read;
/// `categories`: Gumroad's categories, `None` when they could not be read.
pub fn audit_product(
    product: &Product,
    comps: Option<&Comps>,
    categories: Option<&[Category]>,
) -> AuditRow {
    let mut findings = checks::status_findings(product, categories);
    findings.extend(checks::name_findings(product, categories));
    findings.extend(checks::tag_findings(product));
    findings.extend(checks::description_findings(product));
    findings.extend(checks::cover_findings(product));
    let has_category = checks::has_category(product, categories);
    let pricing = pricing(product, comps, has_category);
    findings.extend(pricing.finding);
    let (social, social_findings) = checks::social_proof(product);
    findings.extend(social_findings);

    let penalised = |part: PartId| {
        let lost: u32 = findings
            .iter()
            .filter(|f| f.part == Some(part))
            .map(|f| f.penalty)
            .sum();
        100u32.saturating_sub(lost)
    };
    let parts: Vec<Part> = PartId::ALL
        .into_iter()
        .map(|id| Part {
            id,
            label: Cow::Borrowed(id.label()),
            weight: id.weight(),
            score: match id {
                PartId::Pricing => pricing.score,
                PartId::SocialProof => social,
                _ => penalised(id),
            },
        })
        .collect();
    let weighted: u32 = parts.iter().map(|p| p.weight * p.score).sum();
    let score = (f64::from(weighted) / 100.0).round() as u32;
    let (band, band_label) = band(score);
    let discover = discover(&findings);
    AuditRow {
        product_id: product.id.clone(),
        name: product.name.clone(),
        formatted_price: product
            .formatted_price
            .clone()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| format_price(product.price, &product.currency)),
        published: product.published,
        score,
        band: Cow::Borrowed(band),
        band_label: Cow::Borrowed(band_label),
        parts,
        findings,
        discover,
        snippet: snippet(
            product.custom_summary.as_deref(),
            product.description.as_deref(),
        ),
        category_label: category_label(product, categories),
        comps: pricing.summary,
        comps_note: pricing.note,
    }
}

/// The band of a score and its label.
pub fn band(score: u32) -> (&'static str, &'static str) {
    match score {
        80.. => ("good", "Good"),
        60..=79 => ("ok", "OK"),
        40..=59 => ("weak", "Weak"),
        _ => ("poor", "Poor"),
    }
}

/// Discover's conditions as the findings tell them.
fn discover(findings: &[Finding]) -> Discover {
    let failing = [
        kinds::UNPUBLISHED.id,
        kinds::NO_CATEGORY.id,
        kinds::REVIEWS_HIDDEN.id,
        kinds::NO_SALES.id,
    ];
    let unknown = [
        kinds::CATEGORY_UNKNOWN.id,
        kinds::REVIEWS_UNKNOWN.id,
        kinds::SALES_UNKNOWN.id,
    ];
    let reasons_of = |ids: &[&str]| -> Vec<String> {
        findings
            .iter()
            .filter(|f| ids.contains(&f.id.as_ref()))
            .map(|f| f.message.clone())
            .collect()
    };
    let failed = reasons_of(&failing);
    let open = reasons_of(&unknown);
    let eligible = if !failed.is_empty() {
        Some(false)
    } else if !open.is_empty() {
        None
    } else {
        Some(true)
    };
    Discover {
        eligible,
        reasons: failed.into_iter().chain(open).collect(),
    }
}

/// The pricing part: its score, its finding, the comparable prices shown, or why none.
struct Pricing {
    score: u32,
    finding: Option<Finding>,
    summary: Option<CompsSummary>,
    note: Option<String>,
}

/// The score of a neutral part (nothing known either way).
const NEUTRAL: u32 = 50;

fn pricing(product: &Product, comps: Option<&Comps>, has_category: Option<bool>) -> Pricing {
    let not_compared = |why: String, finding: Option<Finding>| Pricing {
        score: NEUTRAL,
        finding,
        summary: None,
        note: Some(why),
    };
    let unknown = |kind: &Kind, why: &str, fix: &str| {
        Some(kinds::found(kind, why.to_owned(), fix.to_owned()))
    };
    if product.is_tiered_membership {
        let why = "Tiered memberships keep their prices on the tiers, which Gumroad's comparable prices do not know.";
        return not_compared(
            why.into(),
            unknown(
                &kinds::PRICE_NOT_COMPARED,
                why,
                "Compare the tiers' prices by hand.",
            ),
        );
    }
    if product.price <= 0 && product.customizable_price != Some(true) {
        let why =
            "Free products are not compared: Gumroad's comparable prices leave free listings out.";
        return not_compared(
            why.into(),
            unknown(
                &kinds::PRICE_NOT_COMPARED,
                why,
                "Nothing to do if it is meant to be free.",
            ),
        );
    }
    match has_category {
        Some(false) => {
            return not_compared(
                "No category: Gumroad compares prices within a category.".into(),
                None,
            )
        }
        None if comps.is_none() => {
            return not_compared(
                "The category is unknown, so no comparable prices were read.".into(),
                None,
            )
        }
        _ => {}
    }
    let currency = product.currency.to_lowercase();
    let Some(comps) =
        comps.filter(|c| c.currency.is_empty() || c.currency.eq_ignore_ascii_case(&currency))
    else {
        let why = "Gumroad's comparable prices could not be read for this category and currency.";
        return not_compared(
            why.into(),
            unknown(
                &kinds::COMPS_UNKNOWN,
                why,
                "See the audit's notes; run the audit again later.",
            ),
        );
    };
    let quartiles = &comps.price_cents;
    let format = |cents: Option<i64>| cents.map(|c| format_price(c, &currency));
    let summary = CompsSummary {
        count: comps.count,
        p25: format(quartiles.p25),
        p50: format(quartiles.p50),
        p75: format(quartiles.p75),
    };
    let (Some(p25), Some(p75)) = (
        quartiles.p25.filter(|&p| p > 0),
        quartiles.p75.filter(|&p| p > 0),
    ) else {
        let why = "Gumroad found no paid products to compare with in this category and currency.";
        return not_compared(
            why.into(),
            unknown(
                &kinds::COMPS_UNKNOWN,
                why,
                "Nothing to compare with; no change needed.",
            ),
        );
    };
    let price = product.price.max(1);
    let shown = format_price(product.price, &currency);
    let range = format!(
        "{}–{}",
        format_price(p25, &currency),
        format_price(p75, &currency)
    );
    let (bound, kind, fix) = if price < p25 {
        (p25, &kinds::PRICE_BELOW_COMPS, "Consider a higher price with Bulkroad's price change, or say in the description why it costs less.")
    } else if price > p75 {
        (p75, &kinds::PRICE_ABOVE_COMPS, "Say in the description what justifies the price, or consider a lower one with Bulkroad's price change.")
    } else {
        return Pricing {
            score: 100,
            finding: None,
            summary: Some(summary),
            note: None,
        };
    };
    let distance = (price as f64 / bound as f64).ln().abs();
    let score = (100.0 - 90.0 * (distance / 4f64.ln()).min(1.0)).round() as u32;
    let side = if price < p25 { "below" } else { "above" };
    let message = format!(
        "The price {shown} is {side} the middle half of {} comparable products ({range}).",
        comps.count
    );
    Pricing {
        score,
        finding: Some(kinds::found(kind, message, fix.to_owned())),
        summary: Some(summary),
        note: None,
    }
}

#[cfg(test)]
mod tests;
