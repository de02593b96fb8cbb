//! The side door's offer-code routes: record uses of a code, as purchases would, and make
//! a code some product's default discount (neither is possible through the API).
//!
//! | route | body | answer |
//! |---|---|---|
//! | `POST /__sandbox/offer_codes/use` | `{"id": "<code id>", "uses": N}` (N ≥ 1, default 1) | the code as the API shows it, plus `"deleted": bool` |
//! | `POST /__sandbox/offer_codes/default` | `{"id": "<code id>", "default": bool}` (default true) | the code as the API shows it, plus `"defaultDiscount": bool` |
//!
//! Both take `?store=N` like the other side-door routes. A use is refused (400) past the
//! code's max uses, and for a deleted or unknown code (404). As on Gumroad, a code whose
//! max uses is 1 is soft-deleted once it has been used.

use serde_json::{json, Value};

use crate::reply::Reply;
use crate::store::Store;
use crate::views;

fn refuse(status: u16, error: &str) -> Reply {
    Reply::json(status, &json!({ "error": error }))
}

/// The alive code with this id, by index.
fn alive_code(store: &Store, id: &str) -> Option<usize> {
    store
        .offer_codes
        .iter()
        .position(|c| c.id == id && c.is_alive())
}

/// `POST /__sandbox/offer_codes/use` on `store`.
pub(crate) fn record_uses(store: &mut Store, body: &[u8]) -> Reply {
    let wanted: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let Some(id) = wanted["id"].as_str() else {
        return refuse(400, "id (the offer code's id) is required");
    };
    let uses = match &wanted["uses"] {
        Value::Null => 1,
        n => match n.as_i64() {
            Some(n) if n >= 1 => n,
            _ => return refuse(400, "uses must be a whole number of at least 1"),
        },
    };
    let Some(at) = alive_code(store, id) else {
        return refuse(404, "no such offer code (or it was deleted)");
    };
    let code = &store.offer_codes[at];
    if let Some(max) = code.max_purchase_count {
        if code.times_used + uses > max {
            let left = (max - code.times_used).max(0);
            return refuse(400, &format!("this code has {left} of its {max} uses left"));
        }
    }
    let now = store.now();
    let code = &mut store.offer_codes[at];
    code.times_used += uses;
    // Gumroad soft-deletes a single-use code after its use.
    if code.max_purchase_count == Some(1) {
        code.deleted_at = Some(now);
    }
    let mut answer = views::offer_code(code);
    answer["deleted"] = json!(code.deleted_at.is_some());
    Reply::ok(&answer)
}

/// `POST /__sandbox/offer_codes/default` on `store`.
pub(crate) fn set_default(store: &mut Store, body: &[u8]) -> Reply {
    let wanted: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let Some(id) = wanted["id"].as_str() else {
        return refuse(400, "id (the offer code's id) is required");
    };
    let Some(at) = alive_code(store, id) else {
        return refuse(404, "no such offer code (or it was deleted)");
    };
    let code = &mut store.offer_codes[at];
    code.default_discount = wanted["default"].as_bool().unwrap_or(true);
    let mut answer = views::offer_code(code);
    answer["defaultDiscount"] = json!(code.default_discount);
    Reply::ok(&answer)
}
