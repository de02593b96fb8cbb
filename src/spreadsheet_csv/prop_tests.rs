//! Property tests of the CSV downloads: whatever the cells hold (commas, quotes, CR, LF,
//! any Unicode, leading `=`, `+`, `-`, `@`, tab or CR), a file read back with the `csv`
//! crate has the records and fields that were written, each cell is the input or its
//! neutralised form, and no cell a spreadsheet reads starts with a formula character —
//! except the plain numbers Bulkroad formats itself (a refund's `-5.00`).
//!
//! The runs are seeded (the same cases on every machine) and write no regression files.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use super::{neutralised, CsvWriter, Separator};
use crate::export::{
    custom_field_names, decimal_amount, sales_csv, subscribers_csv, CsvOptions, Customers,
    SaleColumn,
};
use crate::model::{ProductId, Sale, SaleOfferCode, Subscriber};

const BOM: char = '\u{FEFF}';

fn config() -> Config {
    Config {
        cases: 256,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x6373_7620_6365_6c6c),
        ..Config::default()
    }
}

/// The pieces [`cells`] and [`hostile_cells`] are made of.
const PIECES: &[&str] = &[
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "\r\n",
    ",",
    "\"",
    "\"\"",
    "'",
    " ",
    ";",
    "é",
    "😀",
    "\u{0}",
    "\u{FEFF}",
    "=1+1",
    "@SUM(A1)",
    "-2",
    "+3",
    "=HYPERLINK(\"x\")",
    "0",
];

/// Cells made to trip a CSV writer or a spreadsheet.
fn cells() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(PIECES);
    prop_oneof![
        2 => ".{0,12}",
        3 => prop::collection::vec(
            prop_oneof![pieces.prop_map(str::to_owned), "[a-zA-Z0-9]{0,3}"],
            0..6
        )
        .prop_map(|parts| parts.concat()),
    ]
}

fn reads_back(text: &str) -> Vec<Vec<String>> {
    reads_back_with(text, Separator::Comma)
}

/// What the `csv` crate's reader, set to `separator`, reads from `text`.
fn reads_back_with(text: &str, separator: Separator) -> Vec<Vec<String>> {
    let delimiter = match separator {
        Separator::Comma => b',',
        Separator::Semicolon => b';',
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|record| {
            record
                .expect("the file is valid CSV")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

fn starts_like_a_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// `-12`, `3.50`: what Bulkroad writes for amounts and counts.
fn plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// No cell of `rows`, nor any piece of one a spreadsheet might cut it into (at a comma, a
/// semicolon, a tab or a line break), would run as a formula.
fn assert_no_formula(rows: &[Vec<String>]) -> Result<(), TestCaseError> {
    for cell in rows.iter().flatten() {
        prop_assert!(
            !starts_like_a_formula(cell) || plain_number(cell),
            "{cell:?}"
        );
        for piece in cell.split([',', ';', '\t', '\r', '\n']).skip(1) {
            prop_assert!(!starts_like_a_formula(piece), "{piece:?} in {cell:?}");
        }
    }
    Ok(())
}

/// Cells made to trip a spreadsheet that splits them: a formula start after every
/// separator, quotes, line breaks, byte-order marks and right-to-left marks.
fn hostile_cells() -> impl Strategy<Value = String> {
    let more = [
        "\u{200F}",
        "\u{202E}",
        ";=1+1;",
        ",-2",
        "\t@SUM(A1)",
        "\n+3",
    ];
    let pieces = prop::sample::select([PIECES, &more].concat());
    prop::collection::vec(pieces, 0..8).prop_map(|parts| parts.concat())
}

/// `text` without the byte-order mark it must start with when `bom` is set.
fn without_bom(text: &str, bom: bool) -> Result<&str, TestCaseError> {
    prop_assert_eq!(text.starts_with(BOM), bom);
    Ok(text.strip_prefix(BOM).unwrap_or(text))
}

prop_compose! {
    fn sales()(
        id in "[A-Za-z0-9_=-]{1,12}",
        created_at in prop_oneof!["20[0-9]{2}-0[1-9]-1[0-9]T0[0-9]:00:00Z", cells()],
        texts in prop::collection::vec(prop::option::of(cells()), 11),
        product_id in prop::option::of(prop::sample::select(vec!["p1", "p2", "=p3"])),
        currency in prop::option::of(prop_oneof![
            prop::sample::select(vec!["usd", "jpy", "EUR", " gbp ", ""]).prop_map(str::to_owned),
            cells(),
        ]),
        currency_symbol in prop::option::of(prop::sample::select(vec!["$", "€", "¥", "=", ""])),
        amounts in any::<[Option<i64>; 3]>(),
        flags in any::<[bool; 3]>(),
        can_contact in prop::option::of(any::<bool>()),
        custom_fields in prop::collection::btree_map(cells(), cells(), 0..3),
        variants in prop::collection::btree_map(cells(), cells(), 0..2),
    ) -> Sale {
        Sale {
            id,
            created_at,
            email: texts[0].clone(),
            purchase_email: texts[1].clone(),
            full_name: texts[2].clone(),
            product_id: product_id.map(ProductId::from),
            product_name: texts[3].clone(),
            product_permalink: texts[4].clone(),
            price: amounts[0],
            gumroad_fee: amounts[1],
            currency,
            currency_symbol: currency_symbol.map(str::to_owned),
            refunded: flags[0],
            partially_refunded: flags[1],
            chargedback: flags[2],
            country: texts[5].clone(),
            country_iso2: texts[6].clone(),
            order_id: texts[7].clone(),
            quantity: amounts[2],
            custom_fields,
            variants,
            offer_code: texts[8].clone().map(|code| SaleOfferCode {
                code,
                displayed_amount_off: None,
            }),
            subscription_id: texts[9].clone(),
            can_contact,
            license_key: texts[10].clone(),
            referrer: texts[4].clone(),
            amount_refundable_in_currency: texts[5].clone(),
        }
    }
}

/// The cell a text column holds for `sale`, before neutralisation; `None` for the columns
/// Bulkroad formats itself.
fn text_source(column: SaleColumn, sale: &Sale) -> Option<String> {
    let text = |value: Option<&str>| Some(value.unwrap_or("").to_owned());
    match column {
        SaleColumn::Id => text(Some(&sale.id)),
        SaleColumn::CreatedAt => text(Some(&sale.created_at)),
        SaleColumn::OrderId => text(sale.order_id.as_deref()),
        SaleColumn::Email => text(sale.email.as_deref()),
        SaleColumn::PurchaseEmail => text(sale.purchase_email.as_deref()),
        SaleColumn::FullName => text(sale.full_name.as_deref()),
        SaleColumn::Country => text(sale.country.as_deref()),
        SaleColumn::CountryIso2 => text(sale.country_iso2.as_deref()),
        SaleColumn::ProductId => text(sale.product_id.as_ref().map(ProductId::as_str)),
        SaleColumn::ProductName => text(sale.product_name.as_deref()),
        SaleColumn::OfferCode => text(sale.offer_code.as_ref().map(|o| o.code.as_str())),
        SaleColumn::SubscriptionId => text(sale.subscription_id.as_deref()),
        SaleColumn::LicenseKey => text(sale.license_key.as_deref()),
        SaleColumn::Referrer => text(sale.referrer.as_deref()),
        SaleColumn::Variants => Some(
            sale.variants
                .iter()
                .map(|(category, option)| format!("{category}: {option}"))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        _ => None,
    }
}

fn flag_cell(cell: &str, value: Option<bool>) -> bool {
    cell == value.map_or(String::new(), |v| v.to_string())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn records_read_back_as_written_and_neutralised_cells_cannot_run(
        records in prop::collection::vec(prop::collection::vec(cells(), 1..6), 0..6),
    ) {
        // Every file starts with a header row of fixed names, as the downloads do (a reader
        // takes a U+FEFF at the very start of a file for a byte-order mark, so a first cell
        // starting with one would not read back).
        let header = ["name", "value"];
        let mut raw = CsvWriter::new();
        let mut safe = CsvWriter::new();
        raw.record(header);
        safe.record(header);
        for record in &records {
            raw.record(record);
            safe.record(record.iter().map(|cell| neutralised(cell)));
        }
        // As given: the writer's quoting alone carries every character through, and
        // records of any length are all kept.
        let raw = raw.finish();
        prop_assert!(raw.ends_with("\r\n"));
        let read = reads_back(&raw);
        prop_assert_eq!(&read[0], &header);
        prop_assert_eq!(&read[1..], &records[..]);

        let read = reads_back(&safe.finish());
        prop_assert_eq!(read.len(), 1 + records.len());
        for (cells, record) in read[1..].iter().zip(&records) {
            prop_assert_eq!(cells.len(), record.len());
            for (cell, input) in cells.iter().zip(record) {
                prop_assert_eq!(cell, &neutralised(input));
            }
        }
        assert_no_formula(&read)?;
    }

    #[test]
    fn sales_files_read_back_cell_for_cell_without_a_formula(
        sales in prop::collection::vec(sales(), 0..5),
        bom in any::<bool>(),
        columns in prop::sample::subsequence(SaleColumn::ALL.to_vec(), 0..=SaleColumn::ALL.len()),
        custom_fields in any::<bool>(),
        separator in prop::sample::select(vec![Separator::Comma, Separator::Semicolon]),
        currencies in prop::collection::btree_map(
            prop::sample::select(vec!["p1", "p2", "=p3"]).prop_map(ProductId::from),
            prop_oneof![prop::sample::select(vec!["usd", "jpy"]).prop_map(str::to_owned), cells()],
            0..3,
        ),
    ) {
        let options = CsvOptions { bom, columns, custom_fields, separator };
        let text = sales_csv(&sales, &options, currencies.clone());
        let rows = reads_back_with(without_bom(&text, bom)?, separator);
        let columns = if options.columns.is_empty() {
            SaleColumn::DEFAULT.to_vec()
        } else {
            options.columns.clone()
        };
        let fields = if custom_fields { custom_field_names(&sales) } else { Vec::new() };
        prop_assert_eq!(rows.len(), 1 + sales.len());
        let header: Vec<String> = columns
            .iter()
            .map(|c| c.header().to_owned())
            .chain(fields.iter().map(|name| neutralised(&format!("custom: {name}"))))
            .collect();
        prop_assert_eq!(&rows[0], &header);
        for (row, sale) in rows[1..].iter().zip(&sales) {
            prop_assert_eq!(row.len(), columns.len() + fields.len());
            let currency = sale.currency_code(&currencies);
            for (cell, column) in row.iter().zip(&columns) {
                let money = |minor: Option<i64>| {
                    minor.map_or(String::new(), |m| decimal_amount(m, currency.as_deref()))
                };
                match column {
                    SaleColumn::Price => prop_assert_eq!(cell, &money(sale.price)),
                    SaleColumn::GumroadFee => prop_assert_eq!(cell, &money(sale.gumroad_fee)),
                    SaleColumn::Quantity => prop_assert_eq!(
                        cell,
                        &sale.quantity.map_or(String::new(), |q| q.to_string())
                    ),
                    SaleColumn::Currency => prop_assert_eq!(
                        cell,
                        &neutralised(&currency.as_deref().unwrap_or("").to_ascii_uppercase())
                    ),
                    SaleColumn::Refunded => prop_assert!(flag_cell(cell, Some(sale.refunded))),
                    SaleColumn::PartiallyRefunded => {
                        prop_assert!(flag_cell(cell, Some(sale.partially_refunded)))
                    }
                    SaleColumn::Chargedback => prop_assert!(flag_cell(cell, Some(sale.chargedback))),
                    SaleColumn::CanContact => prop_assert!(flag_cell(cell, sale.can_contact)),
                    text => {
                        let source = text_source(*text, sale).expect("a text column");
                        prop_assert_eq!(cell, &neutralised(&source), "{:?}", text);
                    }
                }
            }
            for (cell, name) in row[columns.len()..].iter().zip(&fields) {
                let value = sale.custom_fields.get(name).map_or("", String::as_str);
                prop_assert_eq!(cell, &neutralised(value));
            }
        }
        assert_no_formula(&rows)?;
    }

    #[test]
    fn customer_and_subscriber_files_read_back_without_a_formula(
        sales in prop::collection::vec(sales(), 0..6),
        texts in prop::collection::vec(prop::option::of(cells()), 0..12),
        purchase_ids in prop::collection::vec(cells(), 0..3),
        count in prop::option::of(any::<i64>()),
        bom in any::<bool>(),
        separator in prop::sample::select(vec![Separator::Comma, Separator::Semicolon]),
    ) {
        let options = CsvOptions { bom, separator, ..CsvOptions::default() };
        let mut customers = Customers::new(BTreeMap::new());
        customers.add(&sales);
        let text = customers.csv(&options);
        let rows = reads_back_with(without_bom(&text, bom)?, separator);
        prop_assert_eq!(rows.len(), 1 + customers.list().count());
        prop_assert!(rows.iter().all(|row| row.len() == 10));
        for (row, customer) in rows[1..].iter().zip(customers.list()) {
            prop_assert_eq!(&row[0], &neutralised(&customer.email));
            prop_assert_eq!(&row[1], &neutralised(&customer.name));
        }
        assert_no_formula(&rows)?;

        let text_at = |i: usize| texts.get(i).cloned().flatten();
        let subscriber = Subscriber {
            id: text_at(0).unwrap_or_else(|| "s1".into()),
            email: text_at(1),
            product_id: text_at(2).map(ProductId::from),
            product_name: text_at(3),
            user_email: text_at(4),
            purchase_ids,
            created_at: text_at(5),
            charge_occurrence_count: count,
            recurrence: text_at(6),
            cancelled_at: text_at(7),
            status: text_at(8),
            license_key: text_at(9),
            ..Subscriber::default()
        };
        let text = subscribers_csv(&[subscriber.clone(), Subscriber::default()], &options);
        let rows = reads_back_with(without_bom(&text, bom)?, separator);
        prop_assert_eq!(rows.len(), 3);
        prop_assert!(rows.iter().all(|row| row.len() == 15));
        prop_assert_eq!(&rows[1][0], &neutralised(&subscriber.id));
        prop_assert_eq!(&rows[1][13], &neutralised(&subscriber.purchase_ids.join("; ")));
        assert_no_formula(&rows)?;
    }

    #[test]
    fn hostile_cells_read_back_neutralised_under_either_separator(
        records in prop::collection::vec(prop::collection::vec(hostile_cells(), 1..5), 0..5),
    ) {
        for separator in [Separator::Comma, Separator::Semicolon] {
            let mut writer = CsvWriter::with_separator(separator);
            writer.record(["name", "value"]);
            for record in &records {
                writer.record(record.iter().map(|cell| neutralised(cell)));
            }
            let read = reads_back_with(&writer.finish(), separator);
            prop_assert_eq!(read.len(), 1 + records.len());
            prop_assert_eq!(&read[0], &["name", "value"]);
            for (cells, record) in read[1..].iter().zip(&records) {
                prop_assert_eq!(cells.len(), record.len());
                for (cell, input) in cells.iter().zip(record) {
                    prop_assert_eq!(cell, &neutralised(input), "{:?}", separator);
                }
            }
            assert_no_formula(&read)?;
        }
    }
}
