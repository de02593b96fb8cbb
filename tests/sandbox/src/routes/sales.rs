//! `/v2/sales`: the list (filters, 10 per page, `page_key` cursor, deprecated `page`)
//! and one sale (contract §2.6, `Api::V2::SalesController#index/show`).

use serde_json::{json, Value};

use super::products::{decode_page_key, next_page_url};
use super::{Ctx, Outcome};
use crate::clock;
use crate::ids;
use crate::params::ruby_to_i;
use crate::reply::Reply;
use crate::store::{Sale, Store};
use crate::views;

const PER_PAGE: usize = 10;

/// `"#{created_at.strftime(…%6N)}-#{ObfuscateIds.encrypt_numeric(id)}"` of the page's last row.
pub fn page_key(created_at: i64, serial: u64) -> String {
    format!(
        "{}-{}",
        clock::page_key_stamp(created_at),
        ids::obfuscate_serial(serial)
    )
}

/// What `filter_sales` narrows by, already validated.
#[derive(Default)]
pub struct Filters {
    /// `created_at >= after` (midnight UTC of the date).
    pub after: Option<i64>,
    /// `created_at < before`.
    pub before: Option<i64>,
    pub email: Option<String>,
    /// Index of the product (`link_id`).
    pub product: Option<usize>,
    /// `id = purchase_id`; `Some(None)` is an order id that decrypts to no row.
    pub purchase: Option<Option<u64>>,
}

impl Filters {
    fn keeps(&self, store: &Store, s: &Sale) -> bool {
        self.after.is_none_or(|a| s.created_at >= a)
            && self.before.is_none_or(|b| s.created_at < b)
            && self.product.is_none_or(|p| s.product as usize == p)
            && self.purchase.is_none_or(|id| id == Some(s.serial))
            && self.email.as_deref().is_none_or(|e| {
                // MySQL's case-insensitive collation on `purchases.email`.
                store.buyers[s.buyer as usize].email.eq_ignore_ascii_case(e)
            })
    }
}

/// Every sale the filters keep, newest first (`created_at DESC, id DESC`), with Gumroad's
/// cursor condition `created_at <= t AND id < last_id` applied literally when `cursor` is
/// given, stopping after `limit` rows. Sales are stored sorted by `(created_at, id)`, so the
/// date bounds and the cursor's `created_at <= t` are binary searches; the id half of the
/// cursor is checked row by row exactly as written.
pub fn select<'a>(
    store: &'a Store,
    f: &Filters,
    cursor: Option<(i64, u64)>,
    skip: usize,
    limit: usize,
) -> Vec<&'a Sale> {
    let sales = &store.sales;
    let lo = f
        .after
        .map_or(0, |a| sales.partition_point(|s| s.created_at < a));
    let mut hi = f
        .before
        .map_or(sales.len(), |b| sales.partition_point(|s| s.created_at < b));
    if let Some((t, _)) = cursor {
        hi = hi.min(sales.partition_point(|s| s.created_at <= t));
    }
    let mut out = Vec::new();
    let mut skipped = 0;
    if lo >= hi {
        return out;
    }
    for s in sales[lo..hi].iter().rev() {
        if let Some((t, last)) = cursor {
            if !(s.created_at <= t && s.serial < last) {
                continue;
            }
        }
        if !f.keeps(store, s) {
            continue;
        }
        if skipped < skip {
            skipped += 1;
            continue;
        }
        out.push(s);
        if out.len() >= limit {
            break;
        }
    }
    out
}

fn date_param(ctx: &Ctx, key: &str) -> Result<Option<i64>, Reply> {
    // `Date.strptime(params[k], …) if params[k]`: present at all (even blank) means parsed.
    match ctx.params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => ctx
            .params
            .string(key)
            .and_then(|s| clock::parse_filter_date(&s))
            .map(Some)
            .ok_or_else(|| {
                Reply::error_400(&format!(
                    "Invalid date format provided in field '{key}'. Dates must be in the format YYYY-MM-DD."
                ))
            }),
    }
}

/// Parameters in the controller's order: `page` (before_action), `before`, `after`,
/// `email`, `product_id`, `order_id`.
fn filters(ctx: &Ctx) -> Result<(Filters, Option<i128>), Reply> {
    let page = match ctx.params.get("page") {
        None | Some(Value::Null) => None,
        Some(_) => Some(ctx.params.to_i("page")),
    };
    if page.unwrap_or(1) <= 0 {
        return Err(Reply::error_400(
            "Invalid page number. Page numbers start at 1.",
        ));
    }
    let before = date_param(ctx, "before")?;
    let after = date_param(ctx, "after")?;
    let email = ctx.params.present("email").then(|| {
        ctx.params
            .string("email")
            .unwrap_or_default()
            .trim()
            .to_string()
    });
    let mut product = None;
    if ctx.params.present("product_id") {
        // `ObfuscateIds.decrypt`: only ids Gumroad minted decrypt; a permalink does not.
        let id = ctx.params.string("product_id").unwrap_or_default();
        match ctx.store.products.iter().position(|p| p.id == id) {
            Some(i) => product = Some(i),
            None => return Err(Reply::error_400("Invalid product ID.")),
        }
    }
    let mut purchase = None;
    if ctx.params.present("order_id") {
        let raw = ctx.params.string("order_id").unwrap_or_default();
        let n = ruby_to_i(&raw);
        if n.to_string() != raw {
            return Err(Reply::error_400("Invalid order ID."));
        }
        purchase = Some(u64::try_from(n).ok().and_then(ids::deobfuscate_serial));
    }
    Ok((
        Filters {
            after,
            before,
            email,
            product,
            purchase,
        },
        page,
    ))
}

/// `GET /v2/sales` (view_sales).
pub fn index(ctx: &mut Ctx) -> Outcome {
    ctx.authorize(&["view_sales"])?;
    let (f, page) = filters(ctx)?;
    let rows = match page {
        // Deprecated offset paging; its query timeout never trips here.
        Some(page) => {
            let skip = usize::try_from((page - 1) * PER_PAGE as i128).unwrap_or(usize::MAX);
            select(ctx.store, &f, None, skip, PER_PAGE + 1)
        }
        None => {
            let cursor = if ctx.params.present("page_key") {
                let key = ctx.params.string("page_key").unwrap_or_default();
                match decode_page_key(&key) {
                    Some(c) => Some(c),
                    None => return Ok(Reply::error_400("Invalid page_key.")),
                }
            } else {
                None
            };
            select(ctx.store, &f, cursor, 0, PER_PAGE + 1)
        }
    };
    let has_next = rows.len() > PER_PAGE;
    let rows = &rows[..rows.len().min(PER_PAGE)];
    let now = clock::now_micros();
    let sales: Vec<views::SaleJson> = rows
        .iter()
        .map(|s| views::sale(ctx.store, s, now))
        .collect();
    let mut body = json!({"success": true, "sales": sales});
    if has_next {
        let last = rows.last().expect("a full page");
        let key = page_key(last.created_at, last.serial);
        body["next_page_url"] = json!(next_page_url(ctx.path, ctx.query, &key));
        body["next_page_key"] = json!(key);
    }
    Ok(Reply::ok(&body))
}

/// `GET /v2/sales/:id` (view_sales).
pub fn show(ctx: &mut Ctx, id: &str) -> Outcome {
    ctx.authorize(&["view_sales"])?;
    let found = ctx
        .store
        .sales
        .iter()
        .find(|s| views::sale_external_id(ctx.store, s) == id);
    match found {
        Some(s) => Ok(Reply::ok(
            &json!({"success": true, "sale": views::sale(ctx.store, s, clock::now_micros())}),
        )),
        None => Ok(Reply::failure("The sale was not found.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts;
    use crate::timeline::Timeline;

    /// The cursor is `created_at <= t AND id < last_id`, not a tuple comparison: a row
    /// whose id is above the cursor's is skipped even when it is older. Seeded ids rise
    /// with `created_at`, so this never bites there; a row inserted out of order would.
    #[test]
    fn cursor_condition_is_applied_literally() {
        let mut store = accounts::store(0, 5, 30, 2, &Timeline::fixed(), &[]);
        let n = store.sales.len();
        let newest = store.sales[n - 1].clone();
        // Make the third-newest row carry the biggest id (a backdated insert).
        store.sales[n - 3].serial = newest.serial + 1;
        let cursor = Some((newest.created_at, newest.serial));
        let rows = select(&store, &Filters::default(), cursor, 0, 100);
        assert_eq!(
            rows.len(),
            n - 2,
            "the newest row and the out-of-order one are skipped"
        );
        assert!(rows.iter().all(|s| s.serial < newest.serial));
    }

    #[test]
    fn equal_timestamps_are_split_by_id() {
        let store = accounts::store(0, 25, 3000, 1, &Timeline::fixed(), &[]);
        let i = store
            .sales
            .windows(2)
            .position(|w| w[0].created_at == w[1].created_at)
            .expect("a cart");
        let (a, b) = (&store.sales[i], &store.sales[i + 1]);
        let rows = select(
            &store,
            &Filters::default(),
            Some((b.created_at, b.serial)),
            0,
            1,
        );
        assert_eq!(rows[0].serial, a.serial);
    }
}
