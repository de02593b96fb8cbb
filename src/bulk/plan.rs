//! A plan as it crosses to JS and into storage: [`Plan`] = what will be done, per target
//! ([`Step`] + [`Action`]), before anything is written. Serde only: field names are
//! camelCase, actions are tagged by `type`. No I/O and no logic beyond counting and
//! totalling; no `JsValue` here.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

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
}

/// What will be done (or was found done) for one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[serde(try_from = "ActionWire")]
pub enum Action {
    /// `POST …/offer_codes`.
    Create { code: NewOfferCode },
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
        before: i64,
        after: i64,
        currency: String,
        #[serde(default)]
        note: Option<String>,
    },
    /// Found already done when a job was resumed or retried: the price is `after`, and it
    /// was `before` when the job was planned. Reported as applied without a request.
    VerifiedPrice {
        before: i64,
        after: i64,
        currency: String,
    },
}

/// Every field an action can have, flat: [`Action`] is read through this rather than
/// serde's internally tagged enum support, which buffers each action and instantiates the
/// readers of every nested type a second time (≈ 47 KB of wasm). Same JSON either way.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionWire {
    #[serde(rename = "type")]
    kind: ActionKind,
    #[serde(default)]
    code: Option<NewOfferCode>,
    #[serde(default)]
    offer_code: Option<OfferCode>,
    #[serde(default)]
    existing: Option<OfferCode>,
    #[serde(default)]
    before: Option<Side>,
    #[serde(default)]
    after: Option<Side>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    change: Option<Change>,
    #[serde(default)]
    previous: Option<OfferCode>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// `before` / `after`: an offer code (`update`) or a price in minor units (`updatePrice`,
/// `verifiedPrice`), told apart by the JSON itself — no buffering (see [`ActionWire`]).
enum Side {
    Code(OfferCode),
    Price(i64),
}

impl<'de> Deserialize<'de> for Side {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SideVisitor;

        impl<'de> Visitor<'de> for SideVisitor {
            type Value = Side;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an offer code or a price in minor units")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Side, E> {
                Ok(Side::Price(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Side, E> {
                i64::try_from(v)
                    .map(Side::Price)
                    .map_err(|_| E::custom("price out of range"))
            }

            // JS numbers can arrive as floats.
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Side, E> {
                if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
                    Ok(Side::Price(v as i64))
                } else {
                    Err(E::custom("a price must be a whole number of minor units"))
                }
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Side, A::Error> {
                OfferCode::deserialize(de::value::MapAccessDeserializer::new(map)).map(Side::Code)
            }
        }

        deserializer.deserialize_any(SideVisitor)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum ActionKind {
    Create,
    Delete,
    Replace,
    Update,
    Skip,
    Conflict,
    Verified,
    UpdatePrice,
    VerifiedPrice,
}

impl TryFrom<ActionWire> for Action {
    type Error = String;

    fn try_from(wire: ActionWire) -> Result<Self, String> {
        fn need<T>(value: Option<T>, field: &str) -> Result<T, String> {
            value.ok_or_else(|| format!("missing field `{field}`"))
        }
        fn code(side: Option<Side>, field: &str) -> Result<OfferCode, String> {
            match need(side, field)? {
                Side::Code(code) => Ok(code),
                Side::Price(_) => Err(format!("`{field}` must be an offer code")),
            }
        }
        fn price(side: Option<Side>, field: &str) -> Result<i64, String> {
            match need(side, field)? {
                Side::Price(price) => Ok(price),
                Side::Code(_) => Err(format!("`{field}` must be a price in minor units")),
            }
        }
        Ok(match wire.kind {
            ActionKind::Create => Action::Create {
                code: need(wire.code, "code")?,
            },
            ActionKind::Delete => Action::Delete {
                offer_code: need(wire.offer_code, "offerCode")?,
            },
            ActionKind::Replace => Action::Replace {
                existing: need(wire.existing, "existing")?,
                code: need(wire.code, "code")?,
            },
            ActionKind::Update => Action::Update {
                before: code(wire.before, "before")?,
                after: code(wire.after, "after")?,
            },
            ActionKind::Skip => Action::Skip {
                reason: need(wire.reason, "reason")?,
                existing: wire.existing,
            },
            ActionKind::Conflict => Action::Conflict {
                existing: need(wire.existing, "existing")?,
                reason: need(wire.reason, "reason")?,
            },
            ActionKind::Verified => Action::Verified {
                change: need(wire.change, "change")?,
                offer_code: need(wire.offer_code, "offerCode")?,
                previous: wire.previous,
            },
            ActionKind::UpdatePrice => Action::UpdatePrice {
                before: price(wire.before, "before")?,
                after: price(wire.after, "after")?,
                currency: need(wire.currency, "currency")?,
                note: wire.note,
            },
            ActionKind::VerifiedPrice => Action::VerifiedPrice {
                before: price(wire.before, "before")?,
                after: price(wire.after, "after")?,
                currency: need(wire.currency, "currency")?,
            },
        })
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
                | Action::Delete { .. }
                | Action::Replace { .. }
                | Action::Update { .. }
                | Action::UpdatePrice { .. }
        )
    }

    /// The product's price once the step is done (price steps only).
    pub fn new_price(&self) -> Option<i64> {
        match self {
            Action::UpdatePrice { after, .. } | Action::VerifiedPrice { after, .. } => Some(*after),
            _ => None,
        }
    }

    /// `"create"`, `"skip"`…: the serialized `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Create { .. } => "create",
            Action::Delete { .. } => "delete",
            Action::Replace { .. } => "replace",
            Action::Update { .. } => "update",
            Action::Skip { .. } => "skip",
            Action::Conflict { .. } => "conflict",
            Action::Verified { .. } => "verified",
            Action::UpdatePrice { .. } => "updatePrice",
            Action::VerifiedPrice { .. } => "verifiedPrice",
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
    /// Minor units.
    pub price: i64,
    pub formatted_price: String,
    /// The product's price with the code applied, when a code will be (or is) on it; for
    /// a price step, its new price.
    #[serde(default)]
    pub price_after: Option<i64>,
    #[serde(default)]
    pub formatted_price_after: Option<String>,
    pub action: Action,
}

/// Steps per action type; price steps count as `update` / `verified`.
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
    pub fn of(steps: &[Step]) -> Self {
        let mut summary = PlanSummary {
            total: steps.len(),
            ..PlanSummary::default()
        };
        for step in steps {
            *match step.action {
                Action::Create { .. } => &mut summary.create,
                Action::Delete { .. } => &mut summary.delete,
                Action::Replace { .. } => &mut summary.replace,
                Action::Update { .. } | Action::UpdatePrice { .. } => &mut summary.update,
                Action::Skip { .. } => &mut summary.skip,
                Action::Conflict { .. } => &mut summary.conflict,
                Action::Verified { .. } | Action::VerifiedPrice { .. } => &mut summary.verified,
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
        }
        totals
    }
}

/// What a job will do, shown to the seller before anything is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub operation: Operation,
    /// The intent as given (apply/remove), or `{"undoOf": {operation, startedAt}}` for an
    /// undo; kept so the job can be re-planned when resumed.
    pub intent: serde_json::Value,
    pub steps: Vec<Step>,
    pub summary: PlanSummary,
    /// Things the seller should know before confirming.
    pub notes: Vec<String>,
    /// Price plans: the changes per currency (absent from other plans).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub totals: Vec<PriceTotal>,
    /// Milliseconds since the Unix epoch.
    pub created_at: f64,
}

impl Plan {
    /// A plan over `steps`, with the summary counted.
    pub fn new(
        operation: Operation,
        intent: serde_json::Value,
        steps: Vec<Step>,
        notes: Vec<String>,
        created_at: f64,
    ) -> Self {
        Plan {
            operation,
            intent,
            summary: PlanSummary::of(&steps),
            totals: PriceTotal::of(&steps),
            steps,
            notes,
            created_at,
        }
    }
}
