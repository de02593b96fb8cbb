//! Every discount code across every product in one table ([`inventory`]) and as CSV
//! ([`inventory_csv`]). Product codes with the same name and terms on several products
//! make one row (uses summed, max uses per product); a universal code is one row (its
//! own use count once), however many products list it. Each row says its uses per product
//! and in total, its limit, whether it is used up ([`is_used_up`]) and its campaign prefix
//! ([`code_prefix`]). [`load_inventory`] reads the
//! snapshot (read-only); the rest is pure. No `JsValue`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::snapshot::{take, Scope, Snapshot};
use crate::api::GumroadClient;
use crate::error::Error;
use crate::model::{collation_key, Discount, OfferCode, OfferCodeId, ProductId};
use crate::money::format_price;
use crate::pacing::{ExecOptions, Runner};
use crate::runtime::Clock;
use crate::spreadsheet_csv::{neutralised, CsvWriter};
use crate::transport::Transport;

/// (universal, id or name, (percent 0 | fixed 1, amount), max uses, minimum, currency).
type GroupKey = (
    bool,
    String,
    Option<(u8, i64)>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// One code (or one group of identical product codes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryRow {
    /// What buyers type.
    pub code: String,
    /// `{"percent": 10}` or `{"fixed": {"cents": 500}}`.
    pub discount: Discount,
    /// The currency of a fixed amount (that of the products it is on); null for percent.
    pub currency: Option<String>,
    /// `"10%"`, `"$5"`.
    pub formatted_discount: String,
    pub universal: bool,
    /// Names of the products it is on (for a universal code: every product listing it).
    pub products: Vec<String>,
    pub product_ids: Vec<ProductId>,
    /// Gumroad's ids of the codes in this row (one per product for product codes).
    pub offer_code_ids: Vec<OfferCodeId>,
    /// Uses so far: summed over the products for product codes.
    pub times_used: i64,
    /// Per product for product codes, in total for a universal code; null = unlimited.
    pub max_purchase_count: Option<i64>,
    /// Minor units of `currency` (or of the products' currency for a percent code).
    pub minimum_amount_cents: Option<i64>,
    /// `"$10"`, when there is a minimum.
    pub formatted_minimum_amount: Option<String>,
    /// Uses on each product, in the order of `products` (product codes only; empty for a
    /// universal code, whose one count is `times_used`).
    pub uses: Vec<ProductUses>,
    /// Every code of the row has reached its max uses.
    pub used_up: bool,
    /// `"5 per product"`, `"100 in total"`, `"No limit"`.
    pub limit_text: String,
    /// `"Used up"`, `"Used up on 2 of 3 products"`, or `""`.
    pub used_up_text: String,
    /// The campaign the code's name puts it in ([`code_prefix`]), or null.
    pub prefix: Option<String>,
}

/// A product code's uses on one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductUses {
    pub product_id: ProductId,
    pub product: String,
    pub offer_code_id: OfferCodeId,
    pub times_used: i64,
    pub used_up: bool,
}

/// The campaign a code's name puts it in: the text before its last `-` or `_`, when
/// there is text on both sides (`LAUNCH-7KQ2` and `LAUNCH_7KQ2` → `LAUNCH`,
/// `SPRING-2026-A1` → `SPRING-2026`, `PPP-IN` → `PPP`); none for `SPRING25`, `-5OFF` or
/// `SAVE-`. Letter case is kept: `launch-1` and `LAUNCH-2` are two campaigns.
pub fn code_prefix(name: &str) -> Option<&str> {
    let at = name.rfind(['-', '_'])?;
    (at > 0 && at + 1 < name.len()).then(|| &name[..at])
}

/// A code is used up when it has a max uses and has been used that many times (or more).
pub fn is_used_up(code: &OfferCode) -> bool {
    code.max_purchase_count
        .is_some_and(|max| code.times_used >= max)
}

/// The inventory of everything in `snapshot` (read with every product's codes).
pub fn inventory(snapshot: &Snapshot) -> Vec<InventoryRow> {
    // Universal codes by id; product codes by name, terms and the currency of a fixed
    // amount.
    let mut rows: BTreeMap<GroupKey, InventoryRow> = BTreeMap::new();
    for product in &snapshot.products {
        for code in snapshot.codes_of(&product.id) {
            let fixed_currency = matches!(code.discount, Discount::Fixed { .. })
                .then(|| product.currency.to_ascii_lowercase());
            let key = if code.universal {
                (true, code.id.to_string(), None, None, None, None)
            } else {
                let terms = match code.discount {
                    Discount::Percent(percent) => (0, i64::from(percent)),
                    Discount::Fixed { cents } => (1, cents),
                };
                (
                    false,
                    code.name.clone(),
                    Some(terms),
                    code.max_purchase_count,
                    code.minimum_amount_cents,
                    fixed_currency.clone(),
                )
            };
            let row = rows
                .entry(key)
                .or_insert_with(|| new_row(code, &product.currency, fixed_currency));
            row.products.push(product.name.clone());
            row.product_ids.push(product.id.clone());
            if !code.universal {
                row.offer_code_ids.push(code.id.clone());
                row.times_used += code.times_used;
                row.uses.push(ProductUses {
                    product_id: product.id.clone(),
                    product: product.name.clone(),
                    offer_code_id: code.id.clone(),
                    times_used: code.times_used,
                    used_up: is_used_up(code),
                });
            }
        }
    }
    let mut rows: Vec<InventoryRow> = rows.into_values().collect();
    for row in &mut rows {
        describe_usage(row);
    }
    rows.sort_by(|a, b| {
        (
            collation_key(&a.code),
            &a.code,
            !a.universal,
            &a.formatted_discount,
        )
            .cmp(&(
                collation_key(&b.code),
                &b.code,
                !b.universal,
                &b.formatted_discount,
            ))
    });
    rows
}

/// A row's used-up flag and its limit and used-up state in words.
fn describe_usage(row: &mut InventoryRow) {
    row.limit_text = match (row.max_purchase_count, row.universal) {
        (None, _) => "No limit".to_owned(),
        (Some(max), true) => format!("{max} in total"),
        (Some(max), false) => format!("{max} per product"),
    };
    let limited = row.max_purchase_count.is_some();
    let (used_up, of) = if row.universal {
        let up = row
            .max_purchase_count
            .is_some_and(|max| row.times_used >= max);
        (usize::from(up), 1)
    } else {
        (
            row.uses.iter().filter(|u| u.used_up).count(),
            row.uses.len(),
        )
    };
    row.used_up = limited && of > 0 && used_up == of;
    row.used_up_text = if row.used_up {
        "Used up".to_owned()
    } else if used_up > 0 {
        format!("Used up on {used_up} of {of} products")
    } else {
        String::new()
    };
}

fn new_row(
    code: &OfferCode,
    product_currency: &str,
    fixed_currency: Option<String>,
) -> InventoryRow {
    let formatted_discount = match code.discount {
        Discount::Percent(percent) => format!("{percent}%"),
        Discount::Fixed { cents } => format_price(cents, product_currency),
    };
    InventoryRow {
        code: code.name.clone(),
        discount: code.discount,
        currency: fixed_currency,
        formatted_discount,
        universal: code.universal,
        products: Vec::new(),
        product_ids: Vec::new(),
        offer_code_ids: if code.universal {
            vec![code.id.clone()]
        } else {
            Vec::new()
        },
        times_used: if code.universal { code.times_used } else { 0 },
        max_purchase_count: code.max_purchase_count,
        minimum_amount_cents: code.minimum_amount_cents,
        formatted_minimum_amount: code
            .minimum_amount_cents
            .map(|cents| format_price(cents, product_currency)),
        uses: Vec::new(),
        used_up: false,
        limit_text: String::new(),
        used_up_text: String::new(),
        prefix: code_prefix(&code.name).map(str::to_owned),
    }
}

/// The inventory as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when
/// they hold a comma, quote or line break), with a header row. Cells that a spreadsheet
/// would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) get a leading `'`.
pub fn inventory_csv(rows: &[InventoryRow]) -> String {
    let mut writer = CsvWriter::new();
    let header = [
        "Code",
        "Discount",
        "Universal",
        "Products",
        "Product names",
        "Product IDs",
        "Uses",
        "Max uses",
        "Max uses count",
        "Minimum amount",
        "Used up",
    ];
    writer.record(header);
    for row in rows {
        let cells = [
            row.code.clone(),
            row.formatted_discount.clone(),
            if row.universal { "yes" } else { "no" }.to_owned(),
            row.products.len().to_string(),
            row.products.join("; "),
            row.product_ids
                .iter()
                .map(ProductId::as_str)
                .collect::<Vec<_>>()
                .join("; "),
            row.times_used.to_string(),
            row.max_purchase_count
                .map_or(String::new(), |m| m.to_string()),
            match (row.max_purchase_count, row.universal) {
                (None, _) => String::new(),
                (Some(_), true) => "in total".to_owned(),
                (Some(_), false) => "per product".to_owned(),
            },
            row.formatted_minimum_amount.clone().unwrap_or_default(),
            row.used_up_text.clone(),
        ];
        writer.record(cells.iter().map(|cell| neutralised(cell)));
    }
    writer.finish()
}

/// Every code across every product (reads all products' codes).
pub async fn load_inventory<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    options: &ExecOptions,
) -> Result<Vec<InventoryRow>, Error> {
    let runner = Runner::new(client, clock, options);
    let snapshot = take(&runner, Scope::All).await?;
    Ok(inventory(&snapshot))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OfferCode, Product};

    fn product(id: &str, name: &str, currency: &str) -> Product {
        serde_json::from_value(serde_json::json!({"id": id, "name": name, "price": 1000,
            "currency": currency}))
        .unwrap()
    }

    fn code(id: &str, name: &str, discount: Discount, universal: bool, used: i64) -> OfferCode {
        OfferCode {
            id: id.into(),
            name: name.into(),
            discount,
            max_purchase_count: None,
            minimum_amount_cents: None,
            universal,
            times_used: used,
        }
    }

    fn store() -> Snapshot {
        let welcome = code("u1", "WELCOME10", Discount::Percent(10), true, 37);
        let take2 = code("u2", "TAKE2", Discount::Fixed { cents: 200 }, true, 12);
        let save = |id, used| OfferCode {
            max_purchase_count: Some(5),
            ..code(id, "SAVE10", Discount::Percent(10), false, used)
        };
        let mut snapshot = Snapshot::default();
        let rows = [
            (
                product("a", "Guide, Vol. 2", "usd"),
                vec![welcome.clone(), take2.clone(), save("s1", 2)],
            ),
            (
                product("b", "The \"Cozy\" Kit", "usd"),
                vec![
                    welcome.clone(),
                    take2.clone(),
                    save("s2", 3),
                    code("f1", "-5OFF", Discount::Fixed { cents: 500 }, false, 1),
                ],
            ),
            (
                product("c", "Euro Pack", "eur"),
                vec![
                    welcome.clone(),
                    save("s3", 0),
                    OfferCode {
                        minimum_amount_cents: Some(1000),
                        ..code("f2", "=cmd|calc", Discount::Fixed { cents: 500 }, false, 0)
                    },
                ],
            ),
            (product("d", "Spare", "usd"), vec![welcome, take2]),
        ];
        for (p, codes) in rows {
            snapshot.codes.insert(p.id.clone(), codes);
            snapshot.products.push(p);
        }
        snapshot
    }

    #[test]
    fn groups_product_codes_and_counts_universal_codes_once() {
        let rows = inventory(&store());
        // (code, discount, universal, products, uses, max uses)
        type Line<'a> = (&'a str, &'a str, bool, usize, i64, Option<i64>);
        let got: Vec<Line> = rows
            .iter()
            .map(|r| {
                (
                    r.code.as_str(),
                    r.formatted_discount.as_str(),
                    r.universal,
                    r.products.len(),
                    r.times_used,
                    r.max_purchase_count,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("-5OFF", "$5", false, 1, 1, None),
                ("=cmd|calc", "€5", false, 1, 0, None),
                ("SAVE10", "10%", false, 3, 5, Some(5)),
                ("TAKE2", "$2", true, 3, 12, None),
                ("WELCOME10", "10%", true, 4, 37, None),
            ]
        );
        let save = &rows[2];
        assert_eq!(save.offer_code_ids.len(), 3);
        assert_eq!(
            save.products,
            ["Guide, Vol. 2", "The \"Cozy\" Kit", "Euro Pack"]
        );
        assert_eq!(save.currency, None);
        assert_eq!(rows[1].currency.as_deref(), Some("eur"));
        assert_eq!(rows[1].formatted_minimum_amount.as_deref(), Some("€10"));
        assert_eq!(rows[3].offer_code_ids, ["u2".into()] as [OfferCodeId; 1]);
        assert_eq!(
            serde_json::to_value(&rows[3]).unwrap(),
            serde_json::json!({"code": "TAKE2", "discount": {"fixed": {"cents": 200}},
                "currency": "usd", "formattedDiscount": "$2", "universal": true,
                "products": ["Guide, Vol. 2", "The \"Cozy\" Kit", "Spare"],
                "productIds": ["a", "b", "d"], "offerCodeIds": ["u2"], "timesUsed": 12,
                "maxPurchaseCount": null, "minimumAmountCents": null,
                "formattedMinimumAmount": null, "uses": [], "usedUp": false,
                "limitText": "No limit", "usedUpText": "", "prefix": null})
        );
    }

    #[test]
    fn csv_quotes_per_rfc_4180_and_neutralises_formulas() {
        let csv = inventory_csv(&inventory(&store()));
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines,
            [
                "Code,Discount,Universal,Products,Product names,Product IDs,Uses,Max uses,Max uses count,Minimum amount,Used up",
                "'-5OFF,$5,no,1,\"The \"\"Cozy\"\" Kit\",b,1,,,,",
                "'=cmd|calc,€5,no,1,Euro Pack,c,0,,,€10,",
                "SAVE10,10%,no,3,\"Guide, Vol. 2; The \"\"Cozy\"\" Kit; Euro Pack\",\"a; b; c\",5,5,per product,,",
                "TAKE2,$2,yes,3,\"Guide, Vol. 2; The \"\"Cozy\"\" Kit; Spare\",\"a; b; d\",12,,,,",
                "WELCOME10,10%,yes,4,\"Guide, Vol. 2; The \"\"Cozy\"\" Kit; Euro Pack; Spare\",\"a; b; c; d\",37,,,,",
                "",
            ]
        );
        let rows = [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("a=b", "a=b"),
            ("", ""),
        ];
        for (cell, out) in rows {
            assert_eq!(neutralised(cell), out);
        }
        assert_eq!(inventory_csv(&[]).lines().count(), 1);
    }
}
