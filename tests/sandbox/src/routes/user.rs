//! `GET /v2/user` (READ, contract §2.11).

use serde_json::json;

use super::{Ctx, Outcome};
use crate::auth;
use crate::reply::Reply;
use crate::views;

pub fn show(ctx: &mut Ctx) -> Outcome {
    let token = ctx.authorize(auth::READ)?;
    Ok(Reply::ok(
        &json!({"success": true, "user": views::user(ctx.store, &token)}),
    ))
}
