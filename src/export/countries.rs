//! Where buyers are: the exported sales tallied per country ([`CountryTally`]: sales and
//! the money kept per currency, under the sale's `country_iso2`) and the columns the
//! parity table shows from it ([`buyer_columns`]: sales, share and revenue per country, and
//! the sentence that says what the figures cover or how to get them). Pure: no I/O.
//!
//! What counts: every sale of the export is one sale of its country, refunded or not (a
//! refunded sale still says where a buyer was). Revenue is what was paid and kept, as in
//! the customers file's `total_spent`: a sale refunded in full or charged back adds
//! nothing, a partially refunded one what is still refundable.
//!
//! Counted once: the tally is folded into the file's write pass, whose checkpoint
//! already says how many stored pages the file holds. The tally after a batch of pages is
//! stored in the same transaction as the part written from them and the deletion of those
//! pages, so a resumed write starts from a tally that has every page before it and none
//! after: a page is either still stored and not counted, or counted and gone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::csv::kept_amount;
use crate::model::{ProductId, Sale, SalesQuery};
use crate::money::{format_price, group_thousands};
use crate::parity::{find_country, Row};

/// The key of sales without a country (Gumroad drops a nil `country_iso2`).
pub const UNKNOWN: &str = "unknown";

/// One country's figures: its sales and, per currency (lowercase), minor units kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CountryCount {
    pub sales: u64,
    pub revenue: BTreeMap<String, i64>,
}

/// Sales per country, keyed by uppercase ISO 3166-1 alpha-2 code or [`UNKNOWN`]. JSON as
/// the write checkpoint and the account keep it: `{"sales": 3, "countries": {"US":
/// {"sales": 2, "revenue": {"usd": 1998}}, "unknown": {"sales": 1, "revenue": {}}}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CountryTally {
    pub sales: u64,
    pub countries: BTreeMap<String, CountryCount>,
}

impl CountryTally {
    /// Takes in `sales` (a page of the export); `product_currencies` prices a sale whose
    /// `currency` Gumroad left out, as the files do.
    pub fn add(&mut self, sales: &[Sale], product_currencies: &BTreeMap<ProductId, String>) {
        for sale in sales {
            let count = self.countries.entry(country_key(sale)).or_default();
            count.sales += 1;
            self.sales += 1;
            if sale.refunded || sale.chargedback {
                continue;
            }
            if let (Some(price), Some(currency)) =
                (sale.price, sale.currency_code(product_currencies))
            {
                let kept = kept_amount(sale, price, &currency);
                *count.revenue.entry(currency).or_insert(0) += kept;
            }
        }
    }
}

/// The sale's country as the tally keys it: two ASCII letters, uppercased, else unknown.
fn country_key(sale: &Sale) -> String {
    match sale.country_iso2.as_deref().map(str::trim) {
        Some(code) if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) => {
            code.to_ascii_uppercase()
        }
        _ => UNKNOWN.to_owned(),
    }
}

/// What the account keeps of its last finished sales walk: the tally, the export's filter
/// and when it was made (ISO 8601, as the worker writes it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BuyerSource {
    pub countries: CountryTally,
    pub query: SalesQuery,
    pub made_at: String,
}

/// One country's cells: sales as a number (to sort by) and as text, the share of all
/// sales of the export, and the revenue per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BuyerCell {
    pub sales: u64,
    pub sales_text: String,
    pub share: String,
    pub revenue: String,
}

/// A country with sales that the parity table has no row for (unknown included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherCountry {
    pub code: String,
    pub name: String,
    pub cell: BuyerCell,
}

/// The parity table's buyer columns: the sentence shown above them, a cell per code of
/// the table that has sales, and the rows to add for countries it does not list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BuyerColumns {
    pub sentence: String,
    pub cells: BTreeMap<String, BuyerCell>,
    pub others: Vec<OtherCountry>,
}

/// The buyer columns of `rows` from `source` (none: no sales walk finished yet).
pub fn buyer_columns(rows: &[Row], source: Option<&BuyerSource>) -> BuyerColumns {
    let Some(source) = source else {
        return BuyerColumns {
            sentence: "Run a sales or customers export (Export tab) to see here how many of your sales come from each country.".to_owned(),
            ..BuyerColumns::default()
        };
    };
    let tally = &source.countries;
    let mut columns = BuyerColumns {
        sentence: sentence(source),
        ..BuyerColumns::default()
    };
    for (code, count) in &tally.countries {
        let cell = cell(count, tally.sales);
        if rows.iter().any(|row| &row.code == code) {
            columns.cells.insert(code.clone(), cell);
        } else {
            let name = match find_country(code) {
                _ if code == UNKNOWN => "Unknown country".to_owned(),
                Some(country) => country.name.to_owned(),
                None => code.clone(),
            };
            columns.others.push(OtherCountry {
                code: code.clone(),
                name,
                cell,
            });
        }
    }
    columns
}

fn cell(count: &CountryCount, total: u64) -> BuyerCell {
    let revenue: Vec<String> = count
        .revenue
        .iter()
        .map(|(currency, minor)| format_price(*minor, currency))
        .collect();
    BuyerCell {
        sales: count.sales,
        sales_text: group_thousands(count.sales),
        share: share(count.sales, total),
        revenue: if revenue.is_empty() {
            "—".to_owned()
        } else {
            revenue.join(" · ")
        },
    }
}

/// `sales` of `total` as a percent with one decimal, rounded half up (`"40.1 %"`); a share
/// that rounds to nothing is `"< 0.1 %"`, not a misleading zero.
pub fn share(sales: u64, total: u64) -> String {
    if total == 0 {
        return "—".to_owned();
    }
    let tenths = (sales.saturating_mul(2000) + total) / (2 * total);
    if tenths == 0 && sales > 0 {
        return "< 0.1 %".to_owned();
    }
    format!("{}.{} %", tenths / 10, tenths % 10)
}

fn sentence(source: &BuyerSource) -> String {
    let query = &source.query;
    let mut covers = match (query.after, query.before) {
        (None, None) => "all time".to_owned(),
        (Some(after), None) => format!("since {after}"),
        (None, Some(before)) => format!("before {before}"),
        (Some(after), Some(before)) => format!("from {after} to before {before}"),
    };
    if query.product_id.is_some() {
        covers.push_str(", one product");
    }
    let day = source.made_at.get(..10).unwrap_or("");
    let sales = source.countries.sales;
    let noun = if sales == 1 { "sale" } else { "sales" };
    let made = if day.is_empty() {
        String::new()
    } else {
        format!(" of {day}")
    };
    format!(
        "Sales per country from your export{made} ({covers}): {} {noun}. Run a new sales export to bring them up to date.",
        group_thousands(sales)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parity::{build_table, Overrides, Settings};

    fn sale(id: &str, country: Option<&str>, price: i64, currency: &str) -> Sale {
        Sale {
            id: id.to_owned(),
            country_iso2: country.map(str::to_owned),
            price: Some(price),
            currency: Some(currency.to_owned()),
            ..Sale::default()
        }
    }

    fn tally_of(sales: &[Sale]) -> CountryTally {
        let mut tally = CountryTally::default();
        tally.add(sales, &BTreeMap::new());
        tally
    }

    #[test]
    fn a_sale_without_a_usable_country_counts_as_unknown() {
        let tally = tally_of(&[
            sale("a", None, 100, "usd"),
            sale("b", Some(""), 100, "usd"),
            sale("c", Some("U5"), 100, "usd"),
            sale("d", Some(" in "), 100, "usd"),
        ]);
        assert_eq!(tally.sales, 4);
        assert_eq!(tally.countries[UNKNOWN].sales, 3);
        assert_eq!(tally.countries["IN"].sales, 1);
        assert_eq!(tally.countries.len(), 2);
    }

    #[test]
    fn refunds_count_as_sales_but_only_kept_money_is_revenue() {
        let refunded = Sale {
            refunded: true,
            ..sale("r", Some("DE"), 1000, "eur")
        };
        let charged_back = Sale {
            chargedback: true,
            ..sale("c", Some("DE"), 1000, "eur")
        };
        let partial = Sale {
            partially_refunded: true,
            amount_refundable_in_currency: Some("4.50".into()),
            ..sale("p", Some("DE"), 1000, "eur")
        };
        let kept = sale("k", Some("DE"), 1000, "eur");
        let tally = tally_of(&[refunded, charged_back, partial, kept]);
        let de = &tally.countries["DE"];
        assert_eq!(de.sales, 4);
        assert_eq!(de.revenue, BTreeMap::from([("eur".to_owned(), 1450)]));
    }

    #[test]
    fn each_currency_is_kept_apart_and_a_missing_currency_is_the_products() {
        let mut no_currency = sale("n", Some("JP"), 700, "");
        no_currency.currency = None;
        no_currency.product_id = Some(ProductId::from("p1"));
        let mut tally = CountryTally::default();
        tally.add(
            &[
                sale("a", Some("JP"), 1500, "jpy"),
                sale("b", Some("jp"), 999, "usd"),
                sale("c", Some("JP"), 500, "JPY"),
                no_currency,
            ],
            &BTreeMap::from([(ProductId::from("p1"), "usd".to_owned())]),
        );
        let jp = &tally.countries["JP"];
        assert_eq!(jp.sales, 4);
        assert_eq!(
            jp.revenue,
            BTreeMap::from([("jpy".to_owned(), 2000), ("usd".to_owned(), 1699)])
        );
        let rows = build_table(&Settings::default(), &Overrides::default());
        let source = BuyerSource {
            countries: tally,
            ..BuyerSource::default()
        };
        let cell = &buyer_columns(&rows, Some(&source)).cells["JP"];
        assert_eq!(cell.revenue, "¥2,000 · $16.99");
        assert_eq!(cell.share, "100.0 %");
    }

    /// The write pass as the worker runs it: batches of pages, each committed with the
    /// tally after it (as JSON, like the checkpoint), the pages it counted then gone. A
    /// worker stopped after counting a batch but before committing it resumes from the
    /// last commit and counts every sale once.
    #[test]
    fn a_resumed_write_counts_every_sale_once() {
        let countries = ["US", "IN", "BR", "DE"];
        let pages: Vec<Vec<Sale>> = (0..9)
            .map(|p| {
                (0..10)
                    .map(|i| {
                        sale(
                            &format!("{p}-{i}"),
                            Some(countries[(p + i) % 4]),
                            100,
                            "usd",
                        )
                    })
                    .collect()
            })
            .collect();
        let whole = tally_of(&pages.concat());

        struct Checkpoint {
            pages: usize,
            tally: String,
        }
        let batch = 2;
        let mut checkpoint = Checkpoint {
            pages: 0,
            tally: serde_json::to_string(&CountryTally::default()).unwrap(),
        };
        for stop_after in [1, 3] {
            // A worker that takes in batches, but stops before committing batch `stop_after`.
            let mut tally: CountryTally = serde_json::from_str(&checkpoint.tally).unwrap();
            for (n, chunk) in pages[checkpoint.pages..].chunks(batch).enumerate() {
                for page in chunk {
                    tally.add(page, &BTreeMap::new());
                }
                if n == stop_after {
                    break;
                }
                checkpoint = Checkpoint {
                    pages: checkpoint.pages + chunk.len(),
                    tally: serde_json::to_string(&tally).unwrap(),
                };
            }
        }
        let mut tally: CountryTally = serde_json::from_str(&checkpoint.tally).unwrap();
        assert!(checkpoint.pages > 0 && checkpoint.pages < pages.len());
        for page in &pages[checkpoint.pages..] {
            tally.add(page, &BTreeMap::new());
        }
        assert_eq!(tally, whole);
        assert_eq!(tally.sales, 90);
    }

    #[test]
    fn columns_have_a_cell_per_listed_country_and_rows_for_the_others() {
        let rows = build_table(&Settings::default(), &Overrides::default());
        let tally = tally_of(&[
            sale("a", Some("US"), 1000, "usd"),
            sale("b", Some("US"), 1000, "usd"),
            sale("c", Some("IN"), 500, "usd"),
            sale("d", None, 0, "usd"),
            sale("e", Some("ZZ"), 100, "usd"),
        ]);
        let source = BuyerSource {
            countries: tally,
            query: SalesQuery::default(),
            made_at: "2026-12-04T10:00:00.000Z".into(),
        };
        let columns = buyer_columns(&rows, Some(&source));
        assert_eq!(columns.cells.len(), 2);
        assert_eq!(columns.cells["US"].share, "40.0 %");
        assert_eq!(columns.cells["US"].revenue, "$20");
        assert_eq!(columns.cells["IN"].sales_text, "1");
        let others: Vec<(&str, &str, &str)> = columns
            .others
            .iter()
            .map(|o| (o.code.as_str(), o.name.as_str(), o.cell.share.as_str()))
            .collect();
        assert_eq!(
            others,
            [
                ("ZZ", "ZZ", "20.0 %"),
                (UNKNOWN, "Unknown country", "20.0 %")
            ]
        );
        assert_eq!(columns.others[1].cell.revenue, "$0");
        assert!(
            columns
                .sentence
                .contains("of 2026-12-04 (all time): 5 sales"),
            "{}",
            columns.sentence
        );
    }

    #[test]
    fn without_an_export_the_sentence_says_how_to_get_the_figures() {
        let rows = build_table(&Settings::default(), &Overrides::default());
        let columns = buyer_columns(&rows, None);
        assert!(columns
            .sentence
            .starts_with("Run a sales or customers export"));
        assert!(columns.cells.is_empty() && columns.others.is_empty());
    }

    #[test]
    fn shares_round_half_up_to_a_tenth_and_never_show_a_false_zero() {
        assert_eq!(share(1, 3), "33.3 %");
        assert_eq!(share(2, 3), "66.7 %");
        assert_eq!(share(1, 2000), "0.1 %");
        assert_eq!(share(1, 3000), "< 0.1 %");
        assert_eq!(share(0, 10), "0.0 %");
        assert_eq!(share(0, 0), "—");
        assert_eq!(share(2000, 2000), "100.0 %");
    }
}
