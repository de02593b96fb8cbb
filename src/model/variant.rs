//! Variant categories and variants as their own endpoints return them (contract §2.3):
//! the ids the product object leaves out, and an option's price difference.

/// A variant (an option of a category), or a variant category (`{"id", "title"}`: its
/// title is the name, and it has no difference). One type for both; only what a price
/// change needs. Read from the answers by `api::variants`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub id: String,
    pub name: String,
    /// Minor units added to the product's price (≥ 0); `None` when null or absent.
    pub price_difference_cents: Option<i64>,
}
