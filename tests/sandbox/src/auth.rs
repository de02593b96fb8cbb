//! Doorkeeper's side of every request: finding the token, checking scopes, and the
//! exact 401/403 answers (contract §1.2, §1.3, §1.5).
//!
//! No store access here: a token either passes or turns into a finished [`Reply`].
//! Which known token a request carries (and whether its store is served) the server
//! settles first, since it also picks the store by it; these checks get the result.

use crate::params::Params;
use crate::reply::Reply;
use crate::tokens::Bearer;

/// `public_api_read_scopes + view_public`: what READ endpoints accept (`account` included).
pub const READ: &[&str] = &[
    "edit_products",
    "view_sales",
    "mark_sales_as_shipped",
    "edit_sales",
    "revenue_share",
    "ifttt",
    "view_profile",
    "view_payouts",
    "view_tax_data",
    "account",
    "view_public",
];

/// `public_scopes + view_public`: the offer-code reads use the full public list, which
/// (unlike READ) also admits `edit_emails` and `edit_profile` (contract §2.2).
pub const OFFER_CODE_READ: &[&str] = &[
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
    "view_public",
];

pub const INVALID: &str = "The access token is invalid";
pub const REVOKED: &str = "The access token was revoked";
pub const EXPIRED: &str = "The access token expired";

/// Doorkeeper 5.7 order: `Authorization: Bearer …` header, then `access_token`, then `bearer_token`.
pub fn token_from(authorization: Option<&str>, params: &Params) -> Option<String> {
    if let Some(h) = authorization {
        if h.len() >= 7 && h[..7].eq_ignore_ascii_case("bearer ") {
            return Some(h[7..].to_string());
        }
    }
    params
        .string("access_token")
        .or_else(|| params.string("bearer_token"))
}

pub fn www_authenticate(description: &str) -> String {
    format!(
        r#"Bearer realm="Doorkeeper", error="invalid_token", error_description="{description}""#
    )
}

/// 401 with an EMPTY body (`head :unauthorized`), the reason only in `WWW-Authenticate`.
pub fn unauthorized(description: &str) -> Reply {
    Reply::empty(401)
        .with_header("cache-control", "no-store, no-cache")
        .with_header("www-authenticate", www_authenticate(description))
}

/// 403 with an empty body and deliberately no `WWW-Authenticate` (Doorkeeper's forbidden response).
pub fn forbidden() -> Reply {
    Reply::empty(403).with_header("cache-control", "no-store, no-cache")
}

/// The token if it is known, not revoked and not expired; else the description for the
/// 401 (revoked before expired, as Doorkeeper's `InvalidTokenResponse` picks it).
pub fn accessible(token: Option<&Bearer>) -> Result<&Bearer, &'static str> {
    match token {
        None => Err(INVALID),
        Some(k) if k.revoked => Err(REVOKED),
        Some(k) if k.expired => Err(EXPIRED),
        Some(k) => Ok(k),
    }
}

/// `doorkeeper_authorize!(*accepted)` as overridden by `Api::V2::BaseController`, which
/// always appends `account`: any one accepted scope passes.
pub fn authorize<'t>(token: Option<&'t Bearer>, accepted: &[&str]) -> Result<&'t Bearer, Reply> {
    let known = accessible(token).map_err(unauthorized)?;
    let passes = known
        .scopes
        .iter()
        .any(|s| s == "account" || accepted.contains(&s.as_str()));
    if passes {
        Ok(known)
    } else {
        Err(forbidden())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::{self, ACCOUNT, FULL, NO_READ_SCOPE, READ_ONLY};

    #[test]
    fn scope_checks_per_token() {
        let cases: [(&str, &[&str], Option<u16>); 9] = [
            (FULL, READ, None),
            (FULL, &["edit_products"], None),
            (READ_ONLY, READ, None),
            (READ_ONLY, &["edit_products"], Some(403)),
            (ACCOUNT, &["edit_products"], None),
            (NO_READ_SCOPE, READ, Some(403)),
            (NO_READ_SCOPE, OFFER_CODE_READ, None),
            (tokens::REVOKED, READ, Some(401)),
            ("nope", READ, Some(401)),
        ];
        for (token, accepted, want) in cases {
            let bearer = tokens::find(token).map(Bearer::from);
            let got = authorize(bearer.as_ref(), accepted).err().map(|r| r.status);
            assert_eq!(got, want, "{token} {accepted:?}");
        }
    }

    #[test]
    fn revoked_comes_before_expired() {
        let mut bearer = Bearer::from(tokens::find(FULL).unwrap());
        assert!(accessible(Some(&bearer)).is_ok());
        bearer.expired = true;
        assert_eq!(accessible(Some(&bearer)).err(), Some(EXPIRED));
        bearer.revoked = true;
        assert_eq!(accessible(Some(&bearer)).err(), Some(REVOKED));
        assert_eq!(
            authorize(Some(&bearer), READ).err().map(|r| r.status),
            Some(401)
        );
    }

    #[test]
    fn token_comes_from_header_then_params() {
        let p = Params::parse("access_token=fromquery", b"", None).unwrap();
        let cases = [
            (Some("Bearer abc"), "abc"),
            (Some("bearer abc"), "abc"),
            (Some("Basic xyz"), "fromquery"),
            (None, "fromquery"),
        ];
        for (header, want) in cases {
            assert_eq!(token_from(header, &p).as_deref(), Some(want));
        }
        assert_eq!(token_from(None, &Params::default()), None);
    }

    #[test]
    fn unauthorized_answer_has_empty_body_and_doorkeeper_header() {
        let r = unauthorized(REVOKED);
        assert_eq!(r.status, 401);
        assert!(r.body.is_empty());
        let h: Vec<_> = r.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        assert!(h.contains(&r#"www-authenticate: Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token was revoked""#.to_string()));
        assert!(forbidden()
            .headers
            .iter()
            .all(|(k, _)| *k != "www-authenticate"));
    }
}
