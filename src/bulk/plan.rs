//! A plan as it crosses to JS and into storage: [`Plan`] = what will be done, per target
//! ([`Step`] + [`Action`]), before anything is written. Serde only: field names are
//! camelCase, actions are tagged by `type`. No I/O and no logic beyond counting; no
//! `JsValue` here.

use serde::{Deserialize, Serialize};

use crate::model::{NewOfferCode, OfferCode, ProductId};

/// Which bulk operation a plan or report belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Operation {
    ApplyCode,
    RemoveCode,
    Undo,
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
    before: Option<OfferCode>,
    #[serde(default)]
    after: Option<OfferCode>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    change: Option<Change>,
    #[serde(default)]
    previous: Option<OfferCode>,
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
}

impl TryFrom<ActionWire> for Action {
    type Error = String;

    fn try_from(wire: ActionWire) -> Result<Self, String> {
        fn need<T>(value: Option<T>, field: &str) -> Result<T, String> {
            value.ok_or_else(|| format!("missing field `{field}`"))
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
                before: need(wire.before, "before")?,
                after: need(wire.after, "after")?,
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
        )
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
    /// The product's price with the code applied, when a code will be (or is) on it.
    #[serde(default)]
    pub price_after: Option<i64>,
    #[serde(default)]
    pub formatted_price_after: Option<String>,
    pub action: Action,
}

/// Steps per action type.
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
                Action::Update { .. } => &mut summary.update,
                Action::Skip { .. } => &mut summary.skip,
                Action::Conflict { .. } => &mut summary.conflict,
                Action::Verified { .. } => &mut summary.verified,
            } += 1;
        }
        summary
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
            steps,
            notes,
            created_at,
        }
    }
}
