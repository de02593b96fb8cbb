//! `GET /oauth/token/info` (Doorkeeper's token info, outside `/v2`, contract §3.1).

use serde_json::json;

use super::{Ctx, Outcome};
use crate::auth;
use crate::reply::Reply;

/// 200 with the token's owner (the seller of the token's store), scopes (an array),
/// seconds left (`null`: it never expires) and application; an unknown, revoked or expired
/// token gets a 401 whose JSON body repeats the `WWW-Authenticate` error.
pub fn token_info(ctx: &mut Ctx) -> Outcome {
    match auth::accessible(ctx.token.as_ref()) {
        Ok(known) => Ok(Reply::ok(&json!({
            "resource_owner_id": ctx.store.seller.resource_owner_id,
            "scope": known.scopes,
            "expires_in": known.expires_in,
            "application": {"uid": known.application},
            "created_at": known.created_at,
        }))),
        Err(description) => Ok(Reply::json(
            401,
            &json!({"error": "invalid_token", "error_description": description}),
        )
        .with_header("cache-control", "no-store, no-cache")
        .with_header("www-authenticate", auth::www_authenticate(description))),
    }
}
