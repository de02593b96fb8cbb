//! The seller's profile from `GET /v2/user`.

use serde::{Deserialize, Serialize};

/// Which keys arrive depends on the token's scopes (contract §2.11): with `edit_products`,
/// `view_sales`, `revenue_share`, `ifttt` or `view_profile` the profile includes `email`
/// and `currency_type`; otherwise those keys are dropped (an `account`-only token gets no
/// email). Everything is therefore optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct User {
    #[serde(deserialize_with = "super::string_or_number")]
    pub id: Option<String>,
    #[serde(deserialize_with = "super::string_or_number")]
    pub user_id: Option<String>,
    pub name: Option<String>,
    /// Only with `view_profile`.
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub bio: Option<String>,
    pub twitter_handle: Option<String>,
    /// The seller's default currency, lowercase (`"usd"`).
    pub currency_type: Option<String>,
    /// The public profile URL.
    pub url: Option<String>,
    /// The avatar URL (older serializer).
    pub profile_url: Option<String>,
    /// The avatar URL (newer serializer).
    pub profile_picture_url: Option<String>,
}
