//! The access tokens the sandbox knows, and the scopes each one carries.
//!
//! Fixed strings with the shape of Doorkeeper's default generator (43 URL-safe
//! base64 characters, contract §1.2) so that clients and tests can hard-code
//! them. They are fake: they open nothing but this sandbox.

/// `edit_products view_sales view_profile`: everything Bulkroad needs.
pub const FULL: &str = "xcQgn3I3lF1EPiHZy2bblK5NEtPOcb1LjC8Xbz7yPa4";
/// `view_profile` only: reads pass, writes get 403.
pub const READ_ONLY: &str = "iutq9vd6Ey86m05M3YEyMI_qUaAE-aafFv8CEXFiIX0";
/// `account`: the catch-all scope that passes every endpoint check (contract §1.3).
pub const ACCOUNT: &str = "fud7C7vxwZOaBzQYrqtYmgh-mvCmaUQNAcr5HFRGUvY";
/// `edit_emails`: a valid token without any read scope, so READ endpoints answer 403.
pub const NO_READ_SCOPE: &str = "sjWQD5rMKTuL9-OwjIb4ak9jHPvFCHyy5wZ4paxW_W0";
/// Known but revoked: 401 "The access token was revoked".
pub const REVOKED: &str = "D6g-AwrsX9HT7OcWbbTpzmrqNEvczCiUiv4S0HV72sg";

/// The OAuth application every sandbox token was issued to (`application.uid` in token info).
pub const APPLICATION_UID: &str = "J9gZg3564QGGjCJpgme38bPpFVXK4Ua3-_y6TvNRVaE";

#[derive(Debug)]
pub struct KnownToken {
    pub token: &'static str,
    pub scopes: &'static [&'static str],
    pub revoked: bool,
    /// `created_at` in token info (Unix seconds).
    pub created_at: i64,
}

pub static KNOWN: &[KnownToken] = &[
    KnownToken {
        token: FULL,
        scopes: &["edit_products", "view_sales", "view_profile"],
        revoked: false,
        created_at: 1_735_732_800,
    },
    KnownToken {
        token: READ_ONLY,
        scopes: &["view_profile"],
        revoked: false,
        created_at: 1_735_736_400,
    },
    KnownToken {
        token: ACCOUNT,
        scopes: &["account"],
        revoked: false,
        created_at: 1_735_740_000,
    },
    KnownToken {
        token: NO_READ_SCOPE,
        scopes: &["edit_emails"],
        revoked: false,
        created_at: 1_735_743_600,
    },
    KnownToken {
        token: REVOKED,
        scopes: &["edit_products", "view_sales", "view_profile"],
        revoked: true,
        created_at: 1_735_747_200,
    },
];

pub fn find(token: &str) -> Option<&'static KnownToken> {
    KNOWN.iter().find(|k| k.token == token)
}

/// The object printed by the binary and served at `/__sandbox/tokens`.
pub fn as_json() -> serde_json::Value {
    serde_json::json!({
        "full": FULL,
        "read_only": READ_ONLY,
        "account": ACCOUNT,
        "no_read_scope": NO_READ_SCOPE,
        "revoked": REVOKED,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_look_like_doorkeeper_tokens_and_differ() {
        let all = [
            FULL,
            READ_ONLY,
            ACCOUNT,
            NO_READ_SCOPE,
            REVOKED,
            APPLICATION_UID,
        ];
        for (i, t) in all.iter().enumerate() {
            assert_eq!(t.len(), 43, "{i}");
            assert!(t
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            for other in &all[i + 1..] {
                assert_ne!(t, other);
            }
        }
    }
}
