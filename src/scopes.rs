//! Which Bulkroad features need which OAuth scopes, per the contract (§1.5 and the scope
//! column of each endpoint in §2): a token passes an endpoint when it has any one of the
//! listed scopes, and `account` passes every endpoint we use. Pure data; no I/O.

use serde::{Deserialize, Serialize};

/// A group of features gated by the same scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Feature {
    /// `GET /v2/user`, `GET /v2/products`, offer code lists (Gumroad's "READ" set).
    ReadProducts,
    /// Price changes, offer code creation and removal (`edit_products`).
    EditProducts,
    /// Sales and subscriber exports, sales counts on products (`view_sales`).
    ViewSales,
}

/// Gumroad's `public_api_read_scopes` (its public scopes minus `edit_emails` and
/// `edit_profile`) plus `view_public`, the default scope.
const READ_SCOPES: &[&str] = &[
    "view_public",
    "account",
    "edit_products",
    "view_sales",
    "mark_sales_as_shipped",
    "edit_sales",
    "revenue_share",
    "ifttt",
    "view_profile",
    "view_payouts",
    "view_tax_data",
];

impl Feature {
    pub const ALL: [Feature; 3] = [
        Feature::ReadProducts,
        Feature::EditProducts,
        Feature::ViewSales,
    ];

    /// The scopes of which a token needs any one.
    pub fn accepted_scopes(self) -> &'static [&'static str] {
        match self {
            Feature::ReadProducts => READ_SCOPES,
            Feature::EditProducts => &["edit_products", "account"],
            Feature::ViewSales => &["view_sales", "account"],
        }
    }

    /// What the feature covers, for the seller ("Changing prices and discount codes").
    pub fn description(self) -> &'static str {
        match self {
            Feature::ReadProducts => "Reading your products and discount codes",
            Feature::EditProducts => "Changing prices and discount codes",
            Feature::ViewSales => "Exporting sales, customers and subscribers, and insights",
        }
    }

    /// Which scope to grant, for the seller ("the edit_products or account scope").
    pub fn needs(self) -> &'static str {
        match self {
            Feature::ReadProducts => "a read scope such as account, view_sales or view_public",
            Feature::EditProducts => "the edit_products or account scope",
            Feature::ViewSales => "the view_sales or account scope",
        }
    }

    /// One sentence for a token that lacks the feature's scopes.
    pub fn explanation(self) -> String {
        format!("{} needs {}.", self.description(), self.needs())
    }

    /// True when `scopes` contains any accepted scope.
    pub fn allowed_by<S: AsRef<str>>(self, scopes: &[S]) -> bool {
        scopes
            .iter()
            .any(|scope| self.accepted_scopes().contains(&scope.as_ref()))
    }
}

/// The features a token with `scopes` cannot use, in [`Feature::ALL`] order.
pub fn missing_features<S: AsRef<str>>(scopes: &[S]) -> Vec<Feature> {
    Feature::ALL
        .into_iter()
        .filter(|feature| !feature.allowed_by(scopes))
        .collect()
}

/// The scopes "Sign in with Gumroad" asks for, always sent explicitly (a new Gumroad app
/// cannot get the default `view_public`, contract §1.5): every feature, and the seller's
/// name for the account picker.
pub const SIGN_IN_SCOPES: &[&str] = &["view_profile", "edit_products", "view_sales"];

/// The same for a read-only connection: no `edit_products`, so no price or code changes.
pub const SIGN_IN_SCOPES_READ_ONLY: &[&str] = &["view_profile", "view_sales"];

/// The scopes to ask for when signing in, in the authorize request's space-separated form.
pub fn sign_in_scope(read_only: bool) -> String {
    let scopes = if read_only {
        SIGN_IN_SCOPES_READ_ONLY
    } else {
        SIGN_IN_SCOPES
    };
    scopes.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Feature::*;

    #[test]
    fn sign_in_asks_for_what_the_features_need() {
        assert_eq!(
            sign_in_scope(false),
            "view_profile edit_products view_sales"
        );
        assert_eq!(sign_in_scope(true), "view_profile view_sales");
        assert!(missing_features(SIGN_IN_SCOPES).is_empty());
        assert_eq!(missing_features(SIGN_IN_SCOPES_READ_ONLY), [EditProducts]);
    }

    #[test]
    fn missing_features_per_scope_set() {
        let rows: &[(&[&str], &[Feature])] = &[
            (&["account"], &[]),
            (&["edit_products", "view_sales"], &[]),
            (&["view_public"], &[EditProducts, ViewSales]),
            (&["edit_products"], &[ViewSales]),
            (&["view_sales"], &[EditProducts]),
            (&["view_profile"], &[EditProducts, ViewSales]),
            (&["edit_profile"], &[ReadProducts, EditProducts, ViewSales]),
            (
                &["edit_emails", "edit_profile"],
                &[ReadProducts, EditProducts, ViewSales],
            ),
            (&["Account"], &[ReadProducts, EditProducts, ViewSales]),
            (&[], &[ReadProducts, EditProducts, ViewSales]),
        ];
        for (scopes, missing) in rows {
            assert_eq!(missing_features(scopes), *missing, "{scopes:?}");
        }
    }

    #[test]
    fn explanations_name_the_scopes() {
        assert_eq!(
            EditProducts.explanation(),
            "Changing prices and discount codes needs the edit_products or account scope."
        );
        assert_eq!(serde_json::to_value(ViewSales).unwrap(), "ViewSales");
    }
}
