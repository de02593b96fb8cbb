//! Variant categories and variants as their own endpoints return them (contract §2.3):
//! the ids the product object leaves out, and an option's price difference.

use serde::{Deserialize, Serialize};

use super::{lenient_i64, null_as_default};

/// A variant category (`{"id", "title"}`): `"Format"`, `"Size"`, a membership's `"Tier"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantCategoryRef {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub title: String,
}

/// A variant (an option of a category). Only what a price change needs is modelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// Minor units added to the product's price (≥ 0); null reads as none.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub price_difference_cents: Option<i64>,
}
