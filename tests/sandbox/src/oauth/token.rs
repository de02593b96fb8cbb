//! `POST /oauth/token` and `POST /oauth/revoke`, as Doorkeeper 5.7.1's `TokensController`
//! answers them (contract §3.4, §3.5; additions §1).
//!
//! Client credentials come from HTTP Basic (`client_id:client_secret`), else from the
//! `client_id`/`client_secret` parameters. A public application needs no secret, but a
//! secret sent is checked; a confidential one needs its secret.
//!
//! **Token endpoint** (`grant_type` missing means `authorization_code`; anything but
//! `authorization_code` and `refresh_token` is `unsupported_grant_type`). Checks in
//! Doorkeeper's order:
//! * `authorization_code`: `code` missing → `invalid_request`; the code's grant had a
//!   challenge and `code_verifier` is missing → `invalid_request`; `redirect_uri` missing
//!   → `invalid_request`; no client authenticated → `invalid_client`; code unknown,
//!   issued to another client, used or older than 10 minutes → `invalid_grant`;
//!   `redirect_uri` not the authorize request's → `invalid_grant`; verifier wrong (or
//!   sent when there was no challenge) → `invalid_grant`.
//! * `refresh_token`: `refresh_token` missing → `invalid_request`; unknown or revoked →
//!   `invalid_grant`; credentials sent but wrong → `invalid_client`; no client, or
//!   another client than the token's → `invalid_grant`; `scope` not within the token's
//!   → `invalid_scope`. Success revokes the old pair (access and refresh token) at once.
//!
//! Success: 200 `{"access_token", "token_type": "Bearer", "refresh_token", "scope",
//! "created_at"}` plus `"expires_in"` (seconds) only for expiring tokens. Errors:
//! `{"error", "error_description"}`, 401 for `invalid_client`, 400 otherwise, with
//! `WWW-Authenticate: Bearer realm="Doorkeeper", error="…", error_description="…"`.
//! Both carry `Cache-Control: no-store, no-cache`.
//!
//! **Revocation**: no client authenticated → 403 `unauthorized_client`; `token` (an access
//! or refresh token; `token_type_hint=refresh_token` looks among refresh tokens only)
//! unknown → 200 `{}`; a confidential application's token revoked by another client →
//! 403; else the pair is revoked → 200 `{}`. As in Doorkeeper, a token already revoked or
//! expired is left as it is (so revoking an expired access token leaves its refresh token).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use super::{parse_scopes, scopes_valid, Issued, OAuth};
use crate::clock::MICROS;
use crate::params::Params;
use crate::reply::Reply;

const INVALID_CLIENT: &str = "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.";
const INVALID_GRANT: &str = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";
const INVALID_SCOPE: &str = "The requested scope is invalid, unknown, or malformed.";
const UNSUPPORTED_GRANT_TYPE: &str =
    "The authorization grant type is not supported by the authorization server.";
const REVOKE_UNAUTHORIZED: &str = "You are not authorized to revoke this token";

/// Client credentials as sent (`uid` present); whether they are right is another matter.
struct Credentials {
    uid: String,
    secret: Option<String>,
}

/// Doorkeeper's `client_credentials_methods`: Basic first, then the parameters.
fn credentials(params: &Params, authorization: Option<&str>) -> Option<Credentials> {
    let basic = authorization
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b64| STANDARD.decode(b64.trim()).ok())
        .map(|raw| String::from_utf8_lossy(&raw).into_owned())
        .map(|pair| match pair.split_once(':') {
            Some((uid, secret)) => (uid.to_string(), Some(secret.to_string())),
            None => (pair, None),
        });
    let (uid, secret) = basic
        .filter(|(uid, _)| !uid.trim().is_empty())
        .unwrap_or_else(|| (text(params, "client_id"), params.string("client_secret")));
    (!uid.trim().is_empty()).then_some(Credentials { uid, secret })
}

fn text(params: &Params, key: &str) -> String {
    params.string(key).unwrap_or_default()
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn no_store(reply: Reply) -> Reply {
    reply.with_header("cache-control", "no-store, no-cache")
}

/// Doorkeeper's `ErrorResponse`: 401 for client errors, 400 for the rest.
pub fn error(name: &str, description: &str) -> Reply {
    let status = if matches!(name, "invalid_client" | "unauthorized_client") {
        401
    } else {
        400
    };
    no_store(Reply::json(
        status,
        &json!({"error": name, "error_description": description}),
    ))
    .with_header(
        "www-authenticate",
        format!(r#"Bearer realm="Doorkeeper", error="{name}", error_description="{description}""#),
    )
}

fn missing(param: &str) -> Reply {
    error(
        "invalid_request",
        &format!("Missing required parameter: {param}."),
    )
}

/// Doorkeeper's `TokenResponse` body.
fn issued_json(t: &Issued, now: i64) -> Value {
    let mut body = json!({
        "access_token": t.access_token,
        "token_type": "Bearer",
        "refresh_token": t.refresh_token,
        "scope": t.scope(),
        "created_at": t.created_at / MICROS,
    });
    if let Some(left) = t.seconds_left(now) {
        body["expires_in"] = left.into();
    }
    body
}

/// `POST /oauth/token`.
pub fn token(oauth: &mut OAuth, params: &Params, authorization: Option<&str>) -> Reply {
    let grant_type = text(params, "grant_type");
    let issued = match grant_type.as_str() {
        "" | "authorization_code" => authorization_code(oauth, params, authorization),
        "refresh_token" => refresh(oauth, params, authorization),
        _ => Err(error("unsupported_grant_type", UNSUPPORTED_GRANT_TYPE)),
    };
    match issued {
        Ok(index) => {
            let now = oauth.now();
            no_store(Reply::ok(&issued_json(oauth.issued(index), now)))
        }
        Err(refused) => refused,
    }
}

/// The `authorization_code` grant; the index of the new pair.
fn authorization_code(
    oauth: &mut OAuth,
    params: &Params,
    authorization: Option<&str>,
) -> Result<usize, Reply> {
    let code = text(params, "code");
    if blank(&code) {
        return Err(missing("code"));
    }
    let grant = oauth.grant_index(&code);
    let verifier = text(params, "code_verifier");
    if grant.is_some_and(|g| oauth.grant(g).challenge.is_some()) && blank(&verifier) {
        return Err(missing("code_verifier"));
    }
    let redirect_uri = text(params, "redirect_uri");
    if blank(&redirect_uri) {
        return Err(missing("redirect_uri"));
    }
    let client = credentials(params, authorization)
        .and_then(|c| oauth.authenticate(&c.uid, c.secret.as_deref()))
        .map(|app| app.client_id.clone())
        .ok_or_else(|| error("invalid_client", INVALID_CLIENT))?;
    let now = oauth.now();
    let index = grant
        .filter(|&g| oauth.grant(g).client_id == client && oauth.grant(g).accessible(now))
        .ok_or_else(|| error("invalid_grant", INVALID_GRANT))?;
    let g = oauth.grant(index);
    if !super::uri::valid_for_authorization(&redirect_uri, &[&g.redirect_uri]) {
        return Err(error("invalid_grant", INVALID_GRANT));
    }
    let verified = match (&g.challenge, blank(&verifier)) {
        (None, true) => true,
        (None, false) => false,
        (Some(_), true) => false,
        (Some((challenge, method)), false) => method.verifies(challenge, &verifier),
    };
    if !verified {
        return Err(error("invalid_grant", INVALID_GRANT));
    }
    Ok(oauth.redeem(index))
}

/// The `refresh_token` grant; the index of the new pair.
fn refresh(
    oauth: &mut OAuth,
    params: &Params,
    authorization: Option<&str>,
) -> Result<usize, Reply> {
    let token = text(params, "refresh_token");
    if blank(&token) {
        return Err(missing("refresh_token"));
    }
    let index = oauth
        .by_refresh_token(&token)
        .filter(|&i| !oauth.issued(i).revoked)
        .ok_or_else(|| error("invalid_grant", INVALID_GRANT))?;
    let client = match credentials(params, authorization) {
        None => None,
        Some(c) => Some(
            oauth
                .authenticate(&c.uid, c.secret.as_deref())
                .map(|app| app.client_id.clone())
                .ok_or_else(|| error("invalid_client", INVALID_CLIENT))?,
        ),
    };
    if client.as_deref() != Some(oauth.issued(index).client_id.as_str()) {
        return Err(error("invalid_grant", INVALID_GRANT));
    }
    let old = &oauth.issued(index).scopes;
    let scopes = match params.string("scope").filter(|s| !blank(s)) {
        None => old.clone(),
        Some(wanted) => {
            let allowed: Vec<&str> = old.iter().map(String::as_str).collect();
            if !scopes_valid(&wanted, &allowed) {
                return Err(error("invalid_scope", INVALID_SCOPE));
            }
            parse_scopes(&wanted)
        }
    };
    Ok(oauth.rotate(index, scopes))
}

/// `POST /oauth/revoke`.
pub fn revoke(oauth: &mut OAuth, params: &Params, authorization: Option<&str>) -> Reply {
    let refused = || {
        Reply::json(
            403,
            &json!({"error": "unauthorized_client", "error_description": REVOKE_UNAUTHORIZED}),
        )
    };
    let Some(client) = credentials(params, authorization)
        .and_then(|c| oauth.authenticate(&c.uid, c.secret.as_deref()))
        .map(|app| app.client_id.clone())
    else {
        return refused();
    };
    let token = text(params, "token");
    let found = if params.equals_str("token_type_hint", "refresh_token") {
        oauth.by_refresh_token(&token)
    } else {
        oauth
            .by_access_token(&token)
            .or_else(|| oauth.by_refresh_token(&token))
    };
    let Some(index) = found.filter(|_| !blank(&token)) else {
        return Reply::ok(&json!({}));
    };
    let owner = oauth.issued(index).client_id.clone();
    let confidential = oauth.app(&owner).is_some_and(|app| app.confidential);
    if confidential && client != owner {
        return refused();
    }
    if oauth.issued(index).accessible(oauth.now()) {
        oauth.revoke(index);
    }
    Reply::ok(&json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_from_basic_then_params() {
        let p = Params::parse("client_id=fromparams&client_secret=s", b"", None).unwrap();
        let basic = format!("Basic {}", STANDARD.encode("frombasic:pw"));
        let cases = [
            (Some(basic.as_str()), "frombasic", Some("pw")),
            (Some("Bearer abc"), "fromparams", Some("s")),
            (None, "fromparams", Some("s")),
        ];
        for (header, uid, secret) in cases {
            let c = credentials(&p, header).unwrap();
            assert_eq!((c.uid.as_str(), c.secret.as_deref()), (uid, secret));
        }
        assert!(credentials(&Params::default(), None).is_none());
    }

    #[test]
    fn errors_have_doorkeepers_status_and_header() {
        let r = error("invalid_client", INVALID_CLIENT);
        assert_eq!(r.status, 401);
        assert_eq!(error("invalid_grant", INVALID_GRANT).status, 400);
        let www = r
            .headers
            .iter()
            .find(|(k, _)| *k == "www-authenticate")
            .unwrap();
        assert!(www
            .1
            .starts_with(r#"Bearer realm="Doorkeeper", error="invalid_client""#));
    }
}
