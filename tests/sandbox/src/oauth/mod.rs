//! The sandbox's OAuth server (Doorkeeper 5.7.1 as Gumroad configures it, contract §3 and
//! additions §1): applications, authorization codes and the tokens issued from them.
//!
//! This file holds the state and its rules; the endpoints are [`authorize`]
//! (`/oauth/authorize`, consent page), [`token`] (`/oauth/token`, `/oauth/revoke`),
//! [`uri`] (redirect URIs) and [`side_door`] (`/__sandbox/applications`, `/__sandbox/oauth`).
//!
//! * One default **public application** always exists: `client_id` =
//!   [`tokens::APPLICATION_UID`], no redirect URI until a test registers one.
//! * **Codes** live [`CODE_LIFETIME_SECS`] and are single-use; PKCE (`S256`, `plain`) is
//!   optional and checked at the token endpoint.
//! * **Issued tokens** are pairs (access + refresh token, one Doorkeeper row): revoking
//!   either revokes both, and a refresh revokes the old pair at once. Access tokens never
//!   expire unless the side door sets `access_token_expires_in`; a refreshed token keeps
//!   the lifetime of the one it replaces (Doorkeeper's rule).
//! * The server's clock is the real one plus an offset the side door can advance, so
//!   tests can expire codes and tokens without waiting.
//!
//! Issued tokens belong to the store chosen on the consent page and open every `/v2`
//! endpoint and `/oauth/token/info` like the fixed tokens do ([`OAuth::bearer`]).

pub mod authorize;
pub mod side_door;
pub mod token;
pub mod uri;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::clock::{self, MICROS};
use crate::rng::SplitMix64;
use crate::tokens::{self, Bearer};

/// How long an authorization code can be exchanged (Doorkeeper's default, contract §3.3).
pub const CODE_LIFETIME_SECS: i64 = 600;

/// The scopes a Gumroad application may request (`public_scopes`, additions §1); the
/// default scope `view_public` is not among them, so a request without `scope` fails.
pub const PUBLIC_SCOPES: [&str; 12] = [
    "edit_products",
    "edit_emails",
    "view_sales",
    "mark_sales_as_shipped",
    "edit_sales",
    "revenue_share",
    "ifttt",
    "view_profile",
    "edit_profile",
    "view_payouts",
    "view_tax_data",
    "account",
];

/// The default application's name on the consent page.
pub const DEFAULT_APPLICATION_NAME: &str = "Bulkroad";

/// An OAuth application (Settings → Advanced → Applications on Gumroad).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Application {
    pub client_id: String,
    /// Every application has one (Doorkeeper makes it); a public application need not send it.
    pub client_secret: String,
    pub name: String,
    pub redirect_uris: Vec<String>,
    /// Confidential applications must authenticate with their secret.
    pub confidential: bool,
}

/// How a PKCE challenge was made from the verifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ChallengeMethod {
    S256,
    #[serde(rename = "plain")]
    Plain,
}

impl ChallengeMethod {
    /// Doorkeeper's `/^plain$|^S256$/`: exactly these two, case included.
    pub fn parse(raw: &str) -> Option<ChallengeMethod> {
        match raw {
            "S256" => Some(ChallengeMethod::S256),
            "plain" => Some(ChallengeMethod::Plain),
            _ => None,
        }
    }

    /// Whether `verifier` answers `challenge`: S256 is BASE64URL(SHA256(verifier)) without
    /// padding (RFC 7636 §4.2), plain the verifier itself.
    pub fn verifies(self, challenge: &str, verifier: &str) -> bool {
        match self {
            ChallengeMethod::S256 => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier)) == challenge,
            ChallengeMethod::Plain => verifier == challenge,
        }
    }
}

/// An authorization code and what it was granted for.
#[derive(Clone, Debug)]
pub struct Grant {
    pub code: String,
    pub client_id: String,
    pub store: usize,
    /// The redirect URI of the authorize request; the token request must send it again.
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub challenge: Option<(String, ChallengeMethod)>,
    /// Microseconds on the server's clock.
    pub created_at: i64,
    /// Exchanged (or revoked with its store's tokens): never again.
    pub revoked: bool,
}

impl Grant {
    pub fn expired(&self, now: i64) -> bool {
        now > self.created_at + CODE_LIFETIME_SECS * MICROS
    }

    /// Doorkeeper's `accessible?`: neither revoked nor expired.
    pub fn accessible(&self, now: i64) -> bool {
        !self.revoked && !self.expired(now)
    }
}

/// An issued access token with its refresh token: one record, revoked as one.
#[derive(Clone, Debug)]
pub struct Issued {
    /// 1, 2, …: `issued.<n>` in the request log and the side door.
    pub n: usize,
    pub access_token: String,
    pub refresh_token: String,
    pub client_id: String,
    pub store: usize,
    pub scopes: Vec<String>,
    /// Microseconds on the server's clock.
    pub created_at: i64,
    /// Lifetime in seconds; `None`: never expires.
    pub expires_in: Option<i64>,
    pub revoked: bool,
}

impl Issued {
    pub fn label(&self) -> String {
        format!("issued.{}", self.n)
    }

    /// When it expires (Unix seconds), if it does.
    pub fn expires_at(&self) -> Option<i64> {
        self.expires_in.map(|s| self.created_at / MICROS + s)
    }

    pub fn expired(&self, now: i64) -> bool {
        self.expires_in
            .is_some_and(|s| now > self.created_at + s * MICROS)
    }

    /// Doorkeeper's `expires_in_seconds`: whole seconds left, never below 0.
    pub fn seconds_left(&self, now: i64) -> Option<i64> {
        self.expires_in
            .map(|s| (s - (now - self.created_at).div_euclid(MICROS)).max(0))
    }

    pub fn accessible(&self, now: i64) -> bool {
        !self.revoked && !self.expired(now)
    }

    /// `scope` as the token endpoint and the side door show it.
    pub fn scope(&self) -> String {
        self.scopes.join(" ")
    }
}

/// Every application, code and token of the sandbox's OAuth server.
#[derive(Debug)]
pub struct OAuth {
    apps: Vec<Application>,
    grants: Vec<Grant>,
    issued: Vec<Issued>,
    /// Lifetime of the access tokens issued from now on; `None` (Gumroad's setting): never expire.
    pub access_token_expires_in: Option<i64>,
    /// How far the server's clock runs ahead of the real one, in microseconds.
    offset: i64,
    rng: SplitMix64,
}

impl Default for OAuth {
    fn default() -> Self {
        OAuth::new()
    }
}

impl OAuth {
    /// The start state: the default application without redirect URIs, nothing issued.
    pub fn new() -> OAuth {
        // Issued strings need only differ between runs and from each other, not be secret.
        let seed = clock::now_micros() as u64 ^ u64::from(std::process::id()).rotate_left(32);
        let mut oauth = OAuth {
            apps: Vec::new(),
            grants: Vec::new(),
            issued: Vec::new(),
            access_token_expires_in: None,
            offset: 0,
            rng: SplitMix64::derive(seed, "oauth"),
        };
        let secret = oauth.random_string();
        oauth.apps.push(Application {
            client_id: tokens::APPLICATION_UID.to_string(),
            client_secret: secret,
            name: DEFAULT_APPLICATION_NAME.to_string(),
            redirect_uris: Vec::new(),
            confidential: false,
        });
        oauth
    }

    /// Back to the start state (the random stream goes on, so old strings never come back).
    pub fn reset(&mut self) {
        let rng = self.rng.clone();
        *self = OAuth::new();
        self.rng = rng;
        self.apps[0].client_secret = self.random_string();
    }

    /// The server's clock, in microseconds.
    pub fn now(&self) -> i64 {
        clock::now_micros() + self.offset
    }

    /// Moves the server's clock `seconds` ahead (codes and tokens age at once).
    pub fn advance(&mut self, seconds: i64) {
        self.offset += seconds * MICROS;
    }

    pub fn offset_seconds(&self) -> i64 {
        self.offset / MICROS
    }

    /// 43 URL-safe characters, Doorkeeper's token shape (32 random bytes, base64url),
    /// never one already in use.
    fn random_string(&mut self) -> String {
        loop {
            let mut bytes = [0u8; 32];
            for chunk in bytes.chunks_mut(8) {
                chunk.copy_from_slice(&self.rng.next_u64().to_le_bytes());
            }
            let s = URL_SAFE_NO_PAD.encode(bytes);
            if !self.in_use(&s) {
                return s;
            }
        }
    }

    fn in_use(&self, s: &str) -> bool {
        tokens::find(s).is_some()
            || self.apps.iter().any(|a| a.client_id == s)
            || self.grants.iter().any(|g| g.code == s)
            || self
                .issued
                .iter()
                .any(|t| t.access_token == s || t.refresh_token == s)
    }

    pub fn applications(&self) -> &[Application] {
        &self.apps
    }

    pub fn app(&self, client_id: &str) -> Option<&Application> {
        self.apps.iter().find(|a| a.client_id == client_id)
    }

    /// Doorkeeper's `by_uid_and_secret`: the application if `secret` is right, or blank
    /// for a public application.
    pub fn authenticate(&self, client_id: &str, secret: Option<&str>) -> Option<&Application> {
        let app = self.app(client_id)?;
        match secret.filter(|s| !s.trim().is_empty()) {
            None if !app.confidential => Some(app),
            Some(s) if s == app.client_secret => Some(app),
            _ => None,
        }
    }

    /// Creates an application (a fresh `client_id` unless one is given) or updates the one
    /// with the given `client_id`: `redirect_uris`, `confidential` and `name` replace what
    /// it had when given. Every redirect URI must be one Doorkeeper accepts.
    pub fn register(&mut self, wanted: AppChange) -> Result<Application, String> {
        if let Some(bad) = wanted
            .redirect_uris
            .iter()
            .flatten()
            .find(|u| !uri::valid(u))
        {
            return Err(format!("redirect URI {bad:?} must be a valid URI without a fragment (with a host for http and https)"));
        }
        if let Some(id) = &wanted.client_id {
            if id.is_empty() || id.len() > 255 || !id.bytes().all(|b| b.is_ascii_graphic()) {
                return Err("client_id must be 1 to 255 printable ASCII characters".into());
            }
        }
        let index = match wanted
            .client_id
            .as_deref()
            .and_then(|id| self.apps.iter().position(|a| a.client_id == id))
        {
            Some(i) => i,
            None => {
                let client_id = match wanted.client_id.clone() {
                    Some(id) => id,
                    None => self.random_string(),
                };
                let client_secret = self.random_string();
                self.apps.push(Application {
                    client_id,
                    client_secret,
                    name: format!("Application {}", self.apps.len() + 1),
                    redirect_uris: Vec::new(),
                    confidential: false,
                });
                self.apps.len() - 1
            }
        };
        let app = &mut self.apps[index];
        if let Some(uris) = wanted.redirect_uris {
            app.redirect_uris = uris;
        }
        if let Some(confidential) = wanted.confidential {
            app.confidential = confidential;
        }
        if let Some(name) = wanted.name {
            app.name = name;
        }
        Ok(app.clone())
    }

    /// Issues an authorization code for `store`'s seller.
    pub fn issue_code(
        &mut self,
        client_id: &str,
        store: usize,
        redirect_uri: &str,
        scopes: Vec<String>,
        challenge: Option<(String, ChallengeMethod)>,
    ) -> String {
        let code = self.random_string();
        self.grants.push(Grant {
            code: code.clone(),
            client_id: client_id.to_string(),
            store,
            redirect_uri: redirect_uri.to_string(),
            scopes,
            challenge,
            created_at: self.now(),
            revoked: false,
        });
        code
    }

    pub fn grant_index(&self, code: &str) -> Option<usize> {
        self.grants.iter().position(|g| g.code == code)
    }

    pub fn grant(&self, index: usize) -> &Grant {
        &self.grants[index]
    }

    /// Exchanges the code at `index` (already checked) for a new token pair; its index.
    pub fn redeem(&mut self, index: usize) -> usize {
        self.grants[index].revoked = true;
        let g = self.grants[index].clone();
        let lifetime = self.access_token_expires_in;
        self.issue(&g.client_id, g.store, g.scopes, lifetime)
    }

    pub fn by_access_token(&self, token: &str) -> Option<usize> {
        self.issued.iter().position(|t| t.access_token == token)
    }

    pub fn by_refresh_token(&self, token: &str) -> Option<usize> {
        self.issued.iter().position(|t| t.refresh_token == token)
    }

    pub fn issued(&self, index: usize) -> &Issued {
        &self.issued[index]
    }

    /// Revokes the pair at `index` (access and refresh token alike).
    pub fn revoke(&mut self, index: usize) {
        self.issued[index].revoked = true;
    }

    /// The refresh grant: revokes the pair at `index` and issues its successor with
    /// `scopes`, for the same application and store, with the same lifetime; its index.
    pub fn rotate(&mut self, index: usize, scopes: Vec<String>) -> usize {
        self.issued[index].revoked = true;
        let old = self.issued[index].clone();
        self.issue(&old.client_id, old.store, scopes, old.expires_in)
    }

    fn issue(
        &mut self,
        client_id: &str,
        store: usize,
        scopes: Vec<String>,
        expires_in: Option<i64>,
    ) -> usize {
        let access_token = self.random_string();
        let refresh_token = self.random_string();
        let n = self.issued.len() + 1;
        let created_at = self.now();
        self.issued.push(Issued {
            n,
            access_token,
            refresh_token,
            client_id: client_id.to_string(),
            store,
            scopes,
            created_at,
            expires_in,
            revoked: false,
        });
        self.issued.len() - 1
    }

    /// What the seller removing the application on Gumroad does: every token and pending
    /// code of `store` (of every store without one) revoked. Returns how many token pairs
    /// were still unrevoked.
    pub fn revoke_all(&mut self, store: Option<usize>) -> usize {
        let mine = |s: usize| store.is_none_or(|wanted| wanted == s);
        for g in self.grants.iter_mut().filter(|g| mine(g.store)) {
            g.revoked = true;
        }
        let mut count = 0;
        for t in self
            .issued
            .iter_mut()
            .filter(|t| mine(t.store) && !t.revoked)
        {
            t.revoked = true;
            count += 1;
        }
        count
    }

    /// An issued access token as a request's token (a refresh token is no access token).
    pub fn bearer(&self, token: &str) -> Option<Bearer> {
        let t = &self.issued[self.by_access_token(token)?];
        let now = self.now();
        Some(Bearer {
            scopes: t.scopes.clone(),
            store: t.store,
            created_at: t.created_at / MICROS,
            label: t.label(),
            revoked: t.revoked,
            expired: t.expired(now),
            expires_in: t.seconds_left(now),
            application: t.client_id.clone(),
        })
    }

    pub fn all_grants(&self) -> &[Grant] {
        &self.grants
    }

    pub fn all_issued(&self) -> &[Issued] {
        &self.issued
    }
}

/// What `POST /__sandbox/applications` asks for; each `None` keeps what the app has.
#[derive(Clone, Debug, Default)]
pub struct AppChange {
    pub client_id: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    pub confidential: Option<bool>,
    pub name: Option<String>,
}

/// Doorkeeper's `Scopes.from_string`: split on whitespace, duplicates dropped, order kept.
pub fn parse_scopes(raw: &str) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for s in raw.split_whitespace() {
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_string());
        }
    }
    scopes
}

/// Doorkeeper's `ScopeChecker.valid?`: present, no `\r`, `\n` or `\t`, every scope one of
/// `allowed`.
pub fn scopes_valid(raw: &str, allowed: &[&str]) -> bool {
    !raw.trim().is_empty()
        && !raw.contains(['\r', '\n', '\t'])
        && parse_scopes(raw)
            .iter()
            .all(|s| allowed.contains(&s.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b_pair_and_plain() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(ChallengeMethod::S256.verifies(challenge, verifier));
        assert!(!ChallengeMethod::S256.verifies(challenge, "x"));
        assert!(!ChallengeMethod::Plain.verifies(challenge, verifier));
        assert!(ChallengeMethod::Plain.verifies(verifier, verifier));
        assert_eq!(ChallengeMethod::parse("s256"), None);
    }

    #[test]
    fn issued_strings_have_doorkeepers_shape_and_differ() {
        let mut oauth = OAuth::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let s = oauth.random_string();
            assert_eq!(s.len(), 43);
            assert!(s
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert!(seen.insert(s));
        }
        assert_eq!(oauth.applications()[0].client_id, tokens::APPLICATION_UID);
    }

    #[test]
    fn scopes_parse_and_check_like_doorkeeper() {
        assert_eq!(
            parse_scopes(" view_sales  edit_products view_sales "),
            ["view_sales", "edit_products"]
        );
        assert!(scopes_valid("view_sales edit_products", &PUBLIC_SCOPES));
        for bad in [
            "",
            "  ",
            "view_public",
            "view_sales\tedit_products",
            "mobile_api",
        ] {
            assert!(!scopes_valid(bad, &PUBLIC_SCOPES), "{bad:?}");
        }
    }

    #[test]
    fn codes_and_tokens_age_with_the_servers_clock() {
        let mut oauth = OAuth::new();
        oauth.access_token_expires_in = Some(60);
        let code = oauth.issue_code(
            tokens::APPLICATION_UID,
            1,
            "https://x.test/cb",
            vec!["view_sales".into()],
            None,
        );
        let g = oauth.grant_index(&code).unwrap();
        oauth.advance(CODE_LIFETIME_SECS - 1);
        assert!(oauth.grant(g).accessible(oauth.now()));
        let i = oauth.redeem(g);
        let token = oauth.issued(i).access_token.clone();
        assert!(!oauth.grant(g).accessible(oauth.now()), "single use");
        let bearer = oauth.bearer(&token).unwrap();
        assert_eq!(
            (bearer.store, bearer.expires_in, bearer.expired),
            (1, Some(60), false)
        );
        assert_eq!(bearer.label, "issued.1");
        oauth.advance(61);
        let bearer = oauth.bearer(&token).unwrap();
        assert_eq!((bearer.expires_in, bearer.expired), (Some(0), true));
        let refresh = oauth.issued(0).refresh_token.clone();
        assert!(
            oauth.bearer(&refresh).is_none(),
            "a refresh token opens nothing"
        );
    }

    #[test]
    fn rotation_and_revoke_all_revoke_whole_pairs() {
        let mut oauth = OAuth::new();
        for store in [0, 1, 1] {
            let code = oauth.issue_code(
                tokens::APPLICATION_UID,
                store,
                "https://x.test/cb",
                vec!["account".into()],
                None,
            );
            let g = oauth.grant_index(&code).unwrap();
            oauth.redeem(g);
        }
        let next = oauth.rotate(0, vec!["account".into()]);
        assert_eq!(oauth.issued(next).n, 4);
        assert!(oauth.issued(0).revoked && !oauth.issued(3).revoked);
        assert_eq!(oauth.revoke_all(Some(1)), 2);
        assert!(!oauth.issued(3).revoked);
        assert_eq!(oauth.revoke_all(None), 1);
    }
}
