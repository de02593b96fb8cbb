//! Typed ids, so a product id is never passed where an offer code id belongs. Serialized
//! as the bare string Gumroad uses.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }
    };
}

id_type!(
    /// A product's external id (`A-m3CDDC5dlrSdKZp0RFhA==`) or its short `unique_permalink`;
    /// Gumroad accepts either wherever `:product_id` appears (custom permalinks are not).
    ProductId
);

id_type!(
    /// An offer code's external id (not the code buyers type, which is its `name`).
    OfferCodeId
);
