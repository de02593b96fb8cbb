//! The access tokens the sandbox knows, and the scopes each one carries.
//!
//! Fixed strings with the shape of Doorkeeper's default generator (43 URL-safe
//! base64 characters, contract §1.2) so that clients and tests can hard-code
//! them. They are fake: they open nothing but this sandbox.
//!
//! Each token belongs to one store (one seller account, `Config::stores`): the five
//! original tokens to store 0, `STOREk_FULL` and `STOREk_READ_ONLY` to store k. A token
//! of a store the sandbox does not serve is as unknown as any other string.
//!
//! A request's token, once found, is a [`Bearer`]: an owned record that a fixed token
//! and a token the OAuth server issued (`src/oauth`) both turn into, so handlers,
//! scope checks and the request log treat both alike.

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

/// How many stores one sandbox can serve (`Config::stores`, `--stores`).
pub const MAX_STORES: usize = 4;

/// Store 1's `edit_products view_sales view_profile` token.
pub const STORE1_FULL: &str = "VAUvfEiofB9yzXdoiO3APSl2FlbWFent1ksdMnCdlKY";
/// Store 1's `view_profile` token.
pub const STORE1_READ_ONLY: &str = "O1Py8duDrXQMDt_LqGB-laRGeaSeVSYMXoRbGQTVxHs";
/// Store 2's `edit_products view_sales view_profile` token.
pub const STORE2_FULL: &str = "HNEjE4kUmnn_Y8KgXm_5ikfoZKUABdCrgRSPsQVAn0E";
/// Store 2's `view_profile` token.
pub const STORE2_READ_ONLY: &str = "h1to9kFdfwoz0rp07YDRNrt-7fHp6eCO_H6FhGuDYUY";
/// Store 3's `edit_products view_sales view_profile` token.
pub const STORE3_FULL: &str = "Z8hB6i68A2YWyjK-7xgbD9lTnghhyFN33vVY22B2VjE";
/// Store 3's `view_profile` token.
pub const STORE3_READ_ONLY: &str = "Tpe0LLiTHEHhyZa8z-6K8kXrrLrCl8MFGL5XXn5CnrE";

/// Each store's `full` token, by store index.
pub const FULL_BY_STORE: [&str; MAX_STORES] = [FULL, STORE1_FULL, STORE2_FULL, STORE3_FULL];
/// Each store's `read_only` token, by store index.
pub const READ_ONLY_BY_STORE: [&str; MAX_STORES] = [
    READ_ONLY,
    STORE1_READ_ONLY,
    STORE2_READ_ONLY,
    STORE3_READ_ONLY,
];

/// The OAuth application every sandbox token was issued to (`application.uid` in token info).
pub const APPLICATION_UID: &str = "J9gZg3564QGGjCJpgme38bPpFVXK4Ua3-_y6TvNRVaE";

#[derive(Debug)]
pub struct KnownToken {
    pub token: &'static str,
    pub scopes: &'static [&'static str],
    pub revoked: bool,
    /// `created_at` in token info (Unix seconds).
    pub created_at: i64,
    /// The store (seller account) it opens.
    pub store: usize,
    /// Its key among its store's tokens in `/__sandbox/tokens` (`full`, `read_only`…).
    pub name: &'static str,
}

impl KnownToken {
    /// What the request log calls it: `name` for store 0 (`full`), `store{k}.{name}` for
    /// store k (`store1.full`). Never the token itself.
    pub fn label(&self) -> String {
        if self.store == 0 {
            self.name.to_string()
        } else {
            format!("store{}.{}", self.store, self.name)
        }
    }
}

/// A token as a request presents it and the sandbox found it (Doorkeeper's access token
/// record): a fixed one ([`KNOWN`]) or one the OAuth server issued.
#[derive(Clone, Debug, PartialEq)]
pub struct Bearer {
    pub scopes: Vec<String>,
    /// The store (seller account) it opens.
    pub store: usize,
    /// `created_at` in token info (Unix seconds).
    pub created_at: i64,
    /// What the request log calls it (`full`, `store1.full`, `issued.3`), never the token.
    pub label: String,
    pub revoked: bool,
    /// Past its lifetime (only issued tokens have one, and only when the sandbox was told
    /// to issue expiring tokens).
    pub expired: bool,
    /// Seconds left (token info's `expires_in`, 0 once expired); `None`: it never expires.
    pub expires_in: Option<i64>,
    /// The application it was issued to (`application.uid` in token info).
    pub application: String,
}

impl Bearer {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

impl From<&KnownToken> for Bearer {
    fn from(k: &KnownToken) -> Bearer {
        Bearer {
            scopes: k.scopes.iter().map(|s| s.to_string()).collect(),
            store: k.store,
            created_at: k.created_at,
            label: k.label(),
            revoked: k.revoked,
            expired: false,
            expires_in: None,
            application: APPLICATION_UID.to_string(),
        }
    }
}

const FULL_SCOPES: &[&str] = &["edit_products", "view_sales", "view_profile"];

pub static KNOWN: &[KnownToken] = &[
    KnownToken {
        token: FULL,
        scopes: FULL_SCOPES,
        revoked: false,
        created_at: 1_735_732_800,
        store: 0,
        name: "full",
    },
    KnownToken {
        token: READ_ONLY,
        scopes: &["view_profile"],
        revoked: false,
        created_at: 1_735_736_400,
        store: 0,
        name: "read_only",
    },
    KnownToken {
        token: ACCOUNT,
        scopes: &["account"],
        revoked: false,
        created_at: 1_735_740_000,
        store: 0,
        name: "account",
    },
    KnownToken {
        token: NO_READ_SCOPE,
        scopes: &["edit_emails"],
        revoked: false,
        created_at: 1_735_743_600,
        store: 0,
        name: "no_read_scope",
    },
    KnownToken {
        token: REVOKED,
        scopes: FULL_SCOPES,
        revoked: true,
        created_at: 1_735_747_200,
        store: 0,
        name: "revoked",
    },
    KnownToken {
        token: STORE1_FULL,
        scopes: FULL_SCOPES,
        revoked: false,
        created_at: 1_735_750_800,
        store: 1,
        name: "full",
    },
    KnownToken {
        token: STORE1_READ_ONLY,
        scopes: &["view_profile"],
        revoked: false,
        created_at: 1_735_754_400,
        store: 1,
        name: "read_only",
    },
    KnownToken {
        token: STORE2_FULL,
        scopes: FULL_SCOPES,
        revoked: false,
        created_at: 1_735_758_000,
        store: 2,
        name: "full",
    },
    KnownToken {
        token: STORE2_READ_ONLY,
        scopes: &["view_profile"],
        revoked: false,
        created_at: 1_735_761_600,
        store: 2,
        name: "read_only",
    },
    KnownToken {
        token: STORE3_FULL,
        scopes: FULL_SCOPES,
        revoked: false,
        created_at: 1_735_765_200,
        store: 3,
        name: "full",
    },
    KnownToken {
        token: STORE3_READ_ONLY,
        scopes: &["view_profile"],
        revoked: false,
        created_at: 1_735_768_800,
        store: 3,
        name: "read_only",
    },
];

pub fn find(token: &str) -> Option<&'static KnownToken> {
    KNOWN.iter().find(|k| k.token == token)
}

/// Store 0's tokens by name: the `tokens` object the binary prints at start, and the
/// top-level keys of `/__sandbox/tokens`.
pub fn as_json() -> serde_json::Value {
    of_store(0)
}

/// One store's tokens by name (`{"full": …, "read_only": …}` for stores 1…).
pub fn of_store(store: usize) -> serde_json::Value {
    KNOWN
        .iter()
        .filter(|k| k.store == store)
        .map(|k| (k.name.to_string(), serde_json::Value::from(k.token)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_look_like_doorkeeper_tokens_and_differ() {
        let mut all: Vec<&str> = KNOWN.iter().map(|k| k.token).collect();
        all.push(APPLICATION_UID);
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

    #[test]
    fn every_store_has_a_full_and_a_read_only_token_with_those_scopes() {
        for store in 0..MAX_STORES {
            let full = find(FULL_BY_STORE[store]).unwrap();
            let read_only = find(READ_ONLY_BY_STORE[store]).unwrap();
            assert_eq!((full.store, read_only.store), (store, store));
            assert_eq!(full.scopes, FULL_SCOPES);
            assert_eq!(read_only.scopes, &["view_profile"]);
            assert_eq!(of_store(store)["full"], FULL_BY_STORE[store]);
        }
        assert_eq!(find(STORE1_FULL).unwrap().label(), "store1.full");
        assert_eq!(find(READ_ONLY).unwrap().label(), "read_only");
        let stamps: std::collections::HashSet<i64> = KNOWN.iter().map(|k| k.created_at).collect();
        assert_eq!(stamps.len(), KNOWN.len());
    }
}
