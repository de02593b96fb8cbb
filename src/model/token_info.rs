//! What Gumroad's OAuth server says about the presented token (`GET /oauth/token/info`).

use serde::{Deserialize, Deserializer, Serialize};

/// Doorkeeper's token info: `{resource_owner_id, scope, expires_in, application:{uid},
/// created_at}`. `scope` arrives as an array or as one space-separated string; both become
/// [`TokenInfo::scopes`] (serialized as `scopes`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenInfo {
    #[serde(deserialize_with = "super::string_or_number")]
    pub resource_owner_id: Option<String>,
    #[serde(
        rename(serialize = "scopes", deserialize = "scope"),
        alias = "scopes",
        deserialize_with = "scope_list"
    )]
    pub scopes: Vec<String>,
    /// Seconds left; `None` for Gumroad's tokens, which never expire.
    #[serde(deserialize_with = "super::lenient_i64")]
    pub expires_in: Option<i64>,
    /// Unix seconds.
    #[serde(deserialize_with = "super::lenient_i64")]
    pub created_at: Option<i64>,
    pub application: Option<TokenApplication>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenApplication {
    pub uid: Option<String>,
}

fn scope_list<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        List(Vec<String>),
    }
    let raw = Option::<Raw>::deserialize(deserializer).map_err(|_| {
        serde::de::Error::custom("expected the scopes as a string or an array of strings")
    })?;
    let scopes: Vec<String> = match raw {
        None => Vec::new(),
        Some(Raw::Text(text)) => text.split_whitespace().map(str::to_owned).collect(),
        Some(Raw::List(list)) => list
            .iter()
            .flat_map(|scope| scope.split_whitespace())
            .map(str::to_owned)
            .collect(),
    };
    Ok(scopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_as_array_or_string() {
        let rows = [
            (
                r#"{"scope":["edit_products","view_sales"]}"#,
                vec!["edit_products", "view_sales"],
            ),
            (
                r#"{"scope":"edit_products view_sales"}"#,
                vec!["edit_products", "view_sales"],
            ),
            (r#"{"scope":"  account  "}"#, vec!["account"]),
            (r#"{"scope":""}"#, vec![]),
            (r#"{"scope":[]}"#, vec![]),
            (r#"{"scope":null}"#, vec![]),
            (r#"{}"#, vec![]),
            (r#"{"scopes":["account"]}"#, vec!["account"]),
        ];
        for (json, scopes) in rows {
            let info: TokenInfo = serde_json::from_str(json).unwrap();
            assert_eq!(info.scopes, scopes, "{json}");
        }
        assert!(serde_json::from_str::<TokenInfo>(r#"{"scope":5}"#).is_err());
    }

    #[test]
    fn doorkeeper_shape_decodes_and_serializes_as_scopes() {
        let json = r#"{"resource_owner_id":12345,"scope":["account"],"expires_in":null,
            "application":{"uid":"abc"},"created_at":1700000000,"extra":true}"#;
        let info: TokenInfo = serde_json::from_str(json).unwrap();
        assert_eq!(info.resource_owner_id.as_deref(), Some("12345"));
        assert_eq!(info.expires_in, None);
        assert_eq!(info.created_at, Some(1_700_000_000));
        assert_eq!(
            info.application.as_ref().unwrap().uid.as_deref(),
            Some("abc")
        );
        let out = serde_json::to_value(&info).unwrap();
        assert_eq!(out["scopes"], serde_json::json!(["account"]));
        assert!(out.get("scope").is_none());
        let back: TokenInfo = serde_json::from_value(out).unwrap();
        assert_eq!(back, info);
    }
}
