//! The OAuth server's part of the side door (`/__sandbox`, no auth, never faulted or
//! logged). No token or code string ever appears in these answers; application secrets do.
//!
//! | route | body | answer |
//! |---|---|---|
//! | `GET /__sandbox/applications` | | `[{client_id, client_secret, name, redirect_uris, confidential}]`, the default application first |
//! | `POST /__sandbox/applications` | `{"redirect_uris": […], "confidential": false, "client_id": "…", "name": "…"}`, each optional | that application: a new one with a fresh 43-character `client_id`, or the one named by `client_id` (created with that id when unknown), each key given replacing what it had |
//! | `GET /__sandbox/oauth` | | [`state_json`] |
//! | `POST /__sandbox/oauth` | `{"access_token_expires_in": N \| null, "advance_seconds": N}`, each optional | sets the lifetime of tokens issued from now on, moves the server's clock ahead; answers [`state_json`] |
//! | `POST /__sandbox/oauth/revoke_all` | optional `{"store": N}` | revokes every issued token and pending code of store N (every store without it) → `{"revoked": pairs}` |

use serde_json::{json, Value};

use super::{AppChange, OAuth, CODE_LIFETIME_SECS};
use crate::clock::MICROS;
use crate::reply::Reply;

fn refuse(error: impl Into<String>) -> Reply {
    Reply::json(400, &json!({"error": error.into()}))
}

/// A JSON object body; an empty body or `null` is `{}`.
fn object(body: &[u8]) -> Result<serde_json::Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(Value::Null) => Ok(serde_json::Map::new()),
        Ok(_) => Err(refuse("the body must be a JSON object")),
        Err(e) => Err(refuse(format!("invalid JSON: {e}"))),
    }
}

pub fn applications(oauth: &OAuth) -> Reply {
    Reply::ok(&json!(oauth.applications()))
}

/// `POST /__sandbox/applications`.
pub fn register(oauth: &mut OAuth, body: &[u8]) -> Reply {
    let o = match object(body) {
        Ok(o) => o,
        Err(refused) => return refused,
    };
    let string = |key: &str| match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(refuse(format!("{key} must be a string"))),
    };
    let redirect_uris = match o.get("redirect_uris") {
        None | Some(Value::Null) => None,
        // Doorkeeper keeps them as one whitespace-separated string; both forms are taken.
        Some(Value::String(s)) => Some(s.split_whitespace().map(str::to_string).collect()),
        Some(Value::Array(items)) => {
            let uris: Option<Vec<String>> = items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect();
            match uris {
                Some(uris) => Some(uris),
                None => return refuse("redirect_uris must be strings"),
            }
        }
        Some(_) => return refuse("redirect_uris must be an array of strings"),
    };
    let confidential = match o.get("confidential") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return refuse("confidential must be true or false"),
    };
    let (client_id, name) = match (string("client_id"), string("name")) {
        (Ok(id), Ok(name)) => (id, name),
        (Err(refused), _) | (_, Err(refused)) => return refused,
    };
    let change = AppChange {
        client_id,
        redirect_uris,
        confidential,
        name,
    };
    match oauth.register(change) {
        Ok(app) => Reply::ok(&json!(app)),
        Err(e) => refuse(e),
    }
}

/// `{"access_token_expires_in": N | null, "code_expires_in": 600, "clock_offset_seconds",
/// "issued": [{"label", "store", "client_id", "scope", "created_at", "expires_at",
/// "expired", "revoked"}], "grants": [{"store", "client_id", "scope", "redirect_uri",
/// "code_challenge_method", "created_at", "expires_at", "revoked"}]}`: times in Unix
/// seconds on the server's clock, `expires_at` null for tokens that never expire, a
/// grant `revoked` once exchanged. Oldest first.
pub fn state_json(oauth: &OAuth) -> Value {
    let now = oauth.now();
    let issued: Vec<Value> = oauth
        .all_issued()
        .iter()
        .map(|t| {
            json!({
                "label": t.label(),
                "store": t.store,
                "client_id": t.client_id,
                "scope": t.scope(),
                "created_at": t.created_at / MICROS,
                "expires_at": t.expires_at(),
                "expired": t.expired(now),
                "revoked": t.revoked,
            })
        })
        .collect();
    let grants: Vec<Value> = oauth
        .all_grants()
        .iter()
        .map(|g| {
            json!({
                "store": g.store,
                "client_id": g.client_id,
                "scope": g.scopes.join(" "),
                "redirect_uri": g.redirect_uri,
                "code_challenge_method": g.challenge.as_ref().map(|(_, m)| m),
                "created_at": g.created_at / MICROS,
                "expires_at": g.created_at / MICROS + CODE_LIFETIME_SECS,
                "revoked": g.revoked,
            })
        })
        .collect();
    json!({
        "access_token_expires_in": oauth.access_token_expires_in,
        "code_expires_in": CODE_LIFETIME_SECS,
        "clock_offset_seconds": oauth.offset_seconds(),
        "issued": issued,
        "grants": grants,
    })
}

/// `POST /__sandbox/oauth`.
pub fn configure(oauth: &mut OAuth, body: &[u8]) -> Reply {
    let o = match object(body) {
        Ok(o) => o,
        Err(refused) => return refused,
    };
    let lifetime = match o.get("access_token_expires_in") {
        None => oauth.access_token_expires_in,
        Some(Value::Null) => None,
        Some(v) => match v.as_i64().filter(|n| *n > 0) {
            Some(n) => Some(n),
            None => {
                return refuse(
                    "access_token_expires_in must be a positive number of seconds or null",
                )
            }
        },
    };
    let advance = match o.get("advance_seconds") {
        None | Some(Value::Null) => 0,
        Some(v) => match v.as_i64().filter(|n| (0..=10 * 365 * 86_400).contains(n)) {
            Some(n) => n,
            None => {
                return refuse("advance_seconds must be a number of seconds from 0 to ten years")
            }
        },
    };
    oauth.access_token_expires_in = lifetime;
    oauth.advance(advance);
    Reply::ok(&state_json(oauth))
}

/// `POST /__sandbox/oauth/revoke_all`.
pub fn revoke_all(oauth: &mut OAuth, body: &[u8]) -> Reply {
    let o = match object(body) {
        Ok(o) => o,
        Err(refused) => return refused,
    };
    let store = match o.get("store") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) => Some(n as usize),
            None => return refuse("store must be a store index"),
        },
    };
    Reply::ok(&json!({"revoked": oauth.revoke_all(store)}))
}
