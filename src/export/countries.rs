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

use serde::Serialize;

use super::csv::kept_amount;
use crate::error::Error;
use crate::model::{ProductId, Sale, SalesQuery};
use crate::money::{format_price, group_thousands};
use crate::parity::{find_country, Row};

/// The key of sales without a country (Gumroad drops a nil `country_iso2`).
pub const UNKNOWN: &str = "unknown";

/// One country's figures: its sales and, per currency (lowercase), minor units kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountryCount {
    pub sales: u64,
    pub revenue: BTreeMap<String, i64>,
}

/// Sales per country, keyed by uppercase ISO 3166-1 alpha-2 code or [`UNKNOWN`], and the
/// sales in all. Kept (in the write checkpoint, then in the account) as the short text
/// [`CountryTally::text`] writes, `US 2 usd=1998;unknown 1`: it crosses to the worker and
/// back as one string, and reading it needs no serde code of its own in the wasm module.
///
/// Countries are a list sorted by code (`unknown` last) rather than a map: the module
/// then holds no B-tree code of one more key and value types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountryTally {
    pub sales: u64,
    pub countries: Vec<(String, CountryCount)>,
}

impl CountryTally {
    /// `CODE SALES [currency=minor]…` per country, `;` between countries.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (code, count) in &self.countries {
            if !out.is_empty() {
                out.push(';');
            }
            out.push_str(&format!("{code} {}", count.sales));
            for (currency, minor) in &count.revenue {
                out.push_str(&format!(" {currency}={minor}"));
            }
        }
        out
    }

    /// Reads back what [`CountryTally::text`] wrote; anything else is a `Decode` error.
    pub fn from_text(text: &str) -> Result<CountryTally, Error> {
        let bad = || Error::decode("A kept tally of buyers per country cannot be read.");
        let mut tally = CountryTally::default();
        for entry in text.split(';').filter(|e| !e.is_empty()) {
            let mut parts = entry.split(' ');
            let code = parts.next().filter(|c| !c.is_empty()).ok_or_else(bad)?;
            let sales: u64 = parts.next().and_then(|n| n.parse().ok()).ok_or_else(bad)?;
            let mut revenue = BTreeMap::new();
            for part in parts {
                let (currency, minor) = part.split_once('=').ok_or_else(bad)?;
                revenue.insert(currency.to_owned(), minor.parse().map_err(|_| bad())?);
            }
            tally.sales += sales;
            *tally.count_of(code) = CountryCount { sales, revenue };
        }
        Ok(tally)
    }

    /// The figures of `code`, a new entry in code order when it has none yet.
    fn count_of(&mut self, code: &str) -> &mut CountryCount {
        let at = match self
            .countries
            .binary_search_by(|(c, _)| c.as_str().cmp(code))
        {
            Ok(at) => at,
            Err(at) => {
                self.countries
                    .insert(at, (code.to_owned(), CountryCount::default()));
                at
            }
        };
        &mut self.countries[at].1
    }

    /// The figures of `code`, if it has sales.
    pub fn get(&self, code: &str) -> Option<&CountryCount> {
        self.countries
            .binary_search_by(|(c, _)| c.as_str().cmp(code))
            .ok()
            .map(|at| &self.countries[at].1)
    }

    /// Takes in `sales` (a page of the export); `product_currencies` prices a sale whose
    /// `currency` Gumroad left out, as the files do.
    pub fn add(&mut self, sales: &[Sale], product_currencies: &BTreeMap<ProductId, String>) {
        for sale in sales {
            self.sales += 1;
            let count = self.count_of(&country_key(sale));
            count.sales += 1;
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
#[derive(Debug, Clone, Default)]
pub struct BuyerSource {
    pub countries: CountryTally,
    pub query: SalesQuery,
    pub made_at: String,
}

/// One country with sales, as the parity table shows it: `listed` when the table has a
/// row of its code (the cells go on that row), else a row of its own under the table
/// (unknown included). Sales as a number (to sort by) and as text, the share of all sales
/// of the export, and the revenue per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BuyerCell {
    pub code: String,
    pub name: String,
    pub listed: bool,
    pub sales: u64,
    pub sales_text: String,
    pub share: String,
    pub revenue: String,
}

/// The parity table's buyer columns: the sentence shown above them and every country with
/// sales, in code order (`unknown` last).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BuyerColumns {
    pub sentence: String,
    pub countries: Vec<BuyerCell>,
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
    let countries = tally
        .countries
        .iter()
        .map(|(code, count)| {
            let listed = rows.iter().any(|row| &row.code == code);
            let name = match find_country(code) {
                _ if code == UNKNOWN => "Unknown country".to_owned(),
                Some(country) => country.name.to_owned(),
                None => code.clone(),
            };
            cell(code, name, listed, count, tally.sales)
        })
        .collect();
    BuyerColumns {
        sentence: sentence(source),
        countries,
    }
}

fn cell(code: &str, name: String, listed: bool, count: &CountryCount, total: u64) -> BuyerCell {
    let revenue: Vec<String> = count
        .revenue
        .iter()
        .map(|(currency, minor)| format_price(*minor, currency))
        .collect();
    BuyerCell {
        code: code.to_owned(),
        name,
        listed,
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
        assert_eq!(tally.get(UNKNOWN).unwrap().sales, 3);
        assert_eq!(tally.get("IN").unwrap().sales, 1);
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
        let de = tally.get("DE").unwrap();
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
        let jp = tally.get("JP").unwrap();
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
        let columns = buyer_columns(&rows, Some(&source));
        let cell = &columns.countries[0];
        assert_eq!((cell.code.as_str(), cell.listed), ("JP", true));
        assert_eq!(cell.revenue, "¥2,000 · $16.99");
        assert_eq!(cell.share, "100.0 %");
    }

    /// The write pass as the worker runs it: batches of pages, each committed with the
    /// tally after it (as text, like the checkpoint), the pages it counted then gone. A
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
            tally: CountryTally::default().text(),
        };
        for stop_after in [1, 3] {
            // A worker that takes in batches, but stops before committing batch `stop_after`.
            let mut tally = CountryTally::from_text(&checkpoint.tally).unwrap();
            for (n, chunk) in pages[checkpoint.pages..].chunks(batch).enumerate() {
                for page in chunk {
                    tally.add(page, &BTreeMap::new());
                }
                if n == stop_after {
                    break;
                }
                checkpoint = Checkpoint {
                    pages: checkpoint.pages + chunk.len(),
                    tally: tally.text(),
                };
            }
        }
        let mut tally = CountryTally::from_text(&checkpoint.tally).unwrap();
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
        let shown: Vec<(&str, &str, bool, &str, &str, &str)> = columns
            .countries
            .iter()
            .map(|c| {
                let (code, name, share) = (c.code.as_str(), c.name.as_str(), c.share.as_str());
                (
                    code,
                    name,
                    c.listed,
                    c.sales_text.as_str(),
                    share,
                    c.revenue.as_str(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("IN", "India", true, "1", "20.0 %", "$5"),
                ("US", "United States", true, "2", "40.0 %", "$20"),
                ("ZZ", "ZZ", false, "1", "20.0 %", "$1"),
                (UNKNOWN, "Unknown country", false, "1", "20.0 %", "$0"),
            ]
        );
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
        assert!(columns.countries.is_empty());
    }

    #[test]
    fn the_kept_text_reads_back_as_the_same_tally_and_refuses_anything_else() {
        let mut tally = tally_of(&[
            sale("a", Some("US"), 999, "usd"),
            sale("b", Some("US"), 500, "eur"),
            Sale {
                refunded: true,
                ..sale("c", None, 100, "usd")
            },
        ]);
        assert_eq!(tally.text(), "US 2 eur=500 usd=999;unknown 1");
        assert_eq!(CountryTally::from_text(&tally.text()).unwrap(), tally);
        assert_eq!(
            CountryTally::from_text("").unwrap(),
            CountryTally::default()
        );
        tally.add(&[sale("d", Some("DE"), -5, "usd")], &BTreeMap::new());
        assert_eq!(CountryTally::from_text(&tally.text()).unwrap(), tally);
        for bad in ["US", "US x", "US 2 usd", "US 2 usd=1.5", " 2"] {
            assert!(CountryTally::from_text(bad).is_err(), "{bad:?}");
        }
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
