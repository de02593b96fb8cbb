//! Listings as sellers and buyers see them, pure: the picker's small row per product, the
//! rules Gumroad applies to a listing's fields, and HTML descriptions read as text. No I/O,
//! no `JsValue`; below `bulk`, which plans edits with these rules, and the audit, which
//! scores listings against them.
//!
//! - [`picker`]: one small row per product (no description or per-country prices), so a
//!   page lists thousands.
//! - [`rules`]: Gumroad's field rules (name, summary, tags) and what others are shown of a
//!   listing (the meta description, the social card), each problem worded for the seller.
//! - [`html`]: a description's HTML split into markup and text, so edits touch text only,
//!   and its plain text.
//! - [`audit`]: each listing scored against those rules, with its findings; the audit's CSV.
//! - [`suggest`]: AI suggestions, pure — the endpoint's address checked, the request body
//!   built, the answer read and every suggested field checked against [`rules`].
//! - [`ai_settings`]: the seller's endpoint as kept — what is checked before saving, what
//!   the form is told (never the key), how many products one round sends, the failures.

pub mod ai_settings;
pub mod audit;
pub mod html;
pub mod picker;
pub mod rules;
pub mod suggest;

pub use picker::{picker_rows, PickerRow};
