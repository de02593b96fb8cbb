//! What a seller needs to show the right code to the right visitor on their own site:
//! [`country_map`] (country → code → percent, with example prices per product) and its
//! downloads — [`map_csv`], [`map_json`] — and [`map_snippet`], a script to paste that
//! picks the code for a country the seller's page provides. Pure; the snippet makes no
//! request of its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::codes::{MinimumPolicy, ParityCode};
use super::find_country;
use crate::discount::amount_off;
use crate::model::{Discount, Product, ProductId};
use crate::money::format_price;
use crate::spreadsheet_csv::{neutralised, CsvWriter};

/// What a buyer from the row's country pays for one product with the code.
/// JSON `{"productId": "a1", "product": "Ebook", "percent": 40, "price": 600, "formatted":
/// "$6"}`; `percent`, `price` and `formatted` are `null` when the code is not on this
/// product (skipped for the currency minimum).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamplePrice {
    #[serde(rename = "productId")]
    pub product_id: ProductId,
    /// The product's name.
    pub product: String,
    /// The percent on this product: the code's, or less where it was clamped.
    pub percent: Option<u8>,
    /// Minor units after the discount.
    pub price: Option<i64>,
    pub formatted: Option<String>,
}

/// One country of the map. JSON `{"country": "IN", "countryName": "India", "code": "PPP40",
/// "percent": 40, "examplePrices": [ExamplePrice…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MapRow {
    pub country: String,
    pub country_name: String,
    pub code: String,
    pub percent: u8,
    pub example_prices: Vec<ExamplePrice>,
}

/// Every country that has a code, sorted by country code, with what each of `products`
/// costs with it under `policy` — decided by [`MinimumPolicy::percent_on`], as the bulk job
/// decides (every option and tier price counts), so the map says what buyers will see.
pub fn country_map(
    codes: &[ParityCode],
    products: &[Product],
    policy: MinimumPolicy,
) -> Vec<MapRow> {
    let mut rows: Vec<MapRow> = Vec::new();
    for code in codes {
        let example_prices: Vec<ExamplePrice> = products
            .iter()
            .map(|product| example_price(code.percent, product, policy))
            .collect();
        for country in &code.countries {
            rows.push(MapRow {
                country: country.clone(),
                country_name: find_country(country)
                    .map_or_else(|| country.clone(), |c| c.name.to_owned()),
                code: code.code.clone(),
                percent: code.percent,
                example_prices: example_prices.clone(),
            });
        }
    }
    rows.sort_by(|a, b| a.country.cmp(&b.country));
    rows
}

fn example_price(percent: u8, product: &Product, policy: MinimumPolicy) -> ExamplePrice {
    let applied = policy.percent_on(percent, product);
    let price = applied.map(|p| product.price - amount_off(Discount::Percent(p), product.price));
    ExamplePrice {
        product_id: product.id.clone(),
        product: product.name.clone(),
        percent: applied,
        price,
        formatted: price.map(|minor| format_price(minor, &product.currency)),
    }
}

/// The map as CSV (CRLF, RFC 4180): `country_code,country,code,percent`, then one column
/// per product (named after it) with the price a buyer pays — `$6`, `$1 (34% off)` where
/// the percent was clamped, or `code not on this product`.
pub fn map_csv(rows: &[MapRow]) -> String {
    let mut writer = CsvWriter::new();
    let mut header: Vec<String> = ["country_code", "country", "code", "percent"]
        .map(str::to_owned)
        .to_vec();
    if let Some(first) = rows.first() {
        header.extend(first.example_prices.iter().map(|p| neutralised(&p.product)));
    }
    writer.record(&header);
    for row in rows {
        let mut cells = vec![
            neutralised(&row.country),
            neutralised(&row.country_name),
            neutralised(&row.code),
            row.percent.to_string(),
        ];
        cells.extend(row.example_prices.iter().map(|example| {
            match (&example.formatted, example.percent) {
                (Some(formatted), Some(p)) if p == row.percent => formatted.clone(),
                (Some(formatted), Some(p)) => format!("{formatted} ({p}% off)"),
                _ => "code not on this product".to_owned(),
            }
        }));
        writer.record(&cells);
    }
    writer.finish()
}

#[derive(Serialize)]
struct MapEntry<'a> {
    code: &'a str,
    percent: u8,
}

fn entries(rows: &[MapRow]) -> BTreeMap<&str, MapEntry<'_>> {
    // Inserted one by one (a later duplicate wins, as with `collect`): collecting into a
    // `BTreeMap` would compile in a copy of the standard sort of its own.
    let mut entries = BTreeMap::new();
    for row in rows {
        let entry = MapEntry {
            code: &row.code,
            percent: row.percent,
        };
        entries.insert(row.country.as_str(), entry);
    }
    entries
}

/// The map as JSON, keyed by country code, pretty-printed for a download:
/// `{"IN": {"code": "PPP40", "percent": 40}, …}`.
pub fn map_json(rows: &[MapRow]) -> String {
    serde_json::to_string_pretty(&entries(rows)).unwrap_or_default()
}

/// A script for the seller's own page that declares one global, `showParityCode(country,
/// element)`: it returns `{code, percent}` for the country (or `null`) and, when `element`
/// is given, writes "Use code PPP40 for 40% off." into it (as text) or hides it. The map
/// stays inside the script. The country comes from the seller (their own geo lookup or a
/// picker); the script fetches nothing.
pub fn map_snippet(rows: &[MapRow]) -> String {
    let map = serde_json::to_string(&entries(rows)).unwrap_or_else(|_| "{}".to_owned());
    format!(
        r#"// Parity discount codes: which Gumroad discount code to show a visitor from each
// country. Gumroad codes work for anyone who types them; this only picks the one to show.
// Pass the visitor's country as an ISO alpha-2 code ("IN") from your own lookup;
// nothing is fetched. Declares one global, showParityCode:
//   showParityCode("IN")           -> {{ code: "PPP40", percent: 40 }} or null
//   showParityCode("IN", element)  also writes "Use code PPP40 for 40% off." into element,
//                                  or hides it when the country has no code
window.showParityCode = (function () {{
  var codes = {map};
  return function showParityCode(country, element) {{
    var key = String(country || "").trim().toUpperCase();
    var entry = Object.prototype.hasOwnProperty.call(codes, key)
      ? {{ code: codes[key].code, percent: codes[key].percent }}
      : null;
    if (element) {{
      element.textContent = entry ? "Use code " + entry.code + " for " + entry.percent + "% off." : "";
      element.hidden = !entry;
    }}
    return entry;
  }};
}})();
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parity::{build_table, parity_codes, CodeMode, Override, Overrides, Settings};
    use serde_json::{json, Value};

    /// A product named (and with the id) `name`; `other`: the prices of its options.
    fn product(name: &str, price: i64, currency: &str, other: &[i64]) -> Product {
        let options: Vec<Value> = other
            .iter()
            .map(|o| json!({"name": format!("Option {o}"), "price_difference": o - price}))
            .collect();
        serde_json::from_value(json!({
            "id": name, "name": name, "price": price, "currency": currency,
            "variants": [{"title": "Option", "options": options}],
        }))
        .unwrap()
    }

    fn codes() -> Vec<ParityCode> {
        vec![
            ParityCode {
                code: "PPP40".into(),
                percent: 40,
                countries: vec!["PK".into(), "BR".into()],
            },
            ParityCode {
                code: "PPP60".into(),
                percent: 60,
                countries: vec!["IN".into()],
            },
        ]
    }

    fn products() -> Vec<Product> {
        vec![
            product("Ebook", 1000, "usd", &[]),
            product("=Sticker", 200, "usd", &[]),
            product("Course, with \"extras\"", 5000, "eur", &[150]),
        ]
    }

    #[test]
    fn map_rows_per_country_with_example_prices() {
        let rows = country_map(&codes(), &products(), MinimumPolicy::Clamp);
        let countries: Vec<(&str, &str, &str, u8)> = rows
            .iter()
            .map(|r| {
                (
                    r.country.as_str(),
                    r.country_name.as_str(),
                    r.code.as_str(),
                    r.percent,
                )
            })
            .collect();
        assert_eq!(
            countries,
            [
                ("BR", "Brazil", "PPP40", 40),
                ("IN", "India", "PPP60", 60),
                ("PK", "Pakistan", "PPP40", 40),
            ]
        );
        let india = &rows[1];
        // (product, percent, price, formatted)
        let expected = [
            ("Ebook", Some(60), Some(400), Some("$4")),
            ("=Sticker", Some(50), Some(100), Some("$1")), // clamped: 60 % would be $0.80
            (
                "Course, with \"extras\"",
                Some(47),
                Some(2650),
                Some("€26.50"),
            ), // the €1.50 option: 47 % → €0.80
        ];
        for (example, (name, percent, price, formatted)) in
            india.example_prices.iter().zip(expected)
        {
            assert_eq!(
                (
                    example.product.as_str(),
                    example.percent,
                    example.price,
                    example.formatted.as_deref()
                ),
                (name, percent, price, formatted)
            );
        }
        assert_eq!(
            serde_json::to_value(&rows[0]).unwrap(),
            json!({
                "country": "BR", "countryName": "Brazil", "code": "PPP40", "percent": 40,
                "examplePrices": [
                    {"productId": "Ebook", "product": "Ebook", "percent": 40, "price": 600, "formatted": "$6"},
                    {"productId": "=Sticker", "product": "=Sticker", "percent": 40, "price": 120, "formatted": "$1.20"},
                    {"productId": "Course, with \"extras\"", "product": "Course, with \"extras\"", "percent": 40, "price": 3000, "formatted": "€30"},
                ]
            })
        );

        let skipped = country_map(&codes(), &products(), MinimumPolicy::Skip);
        let sticker = &skipped[1].example_prices[1];
        assert_eq!(
            (sticker.percent, sticker.price, sticker.formatted.as_deref()),
            (None, None, None)
        );
    }

    #[test]
    fn csv_download() {
        let csv = map_csv(&country_map(&codes(), &products(), MinimumPolicy::Clamp));
        assert_eq!(
            csv,
            "country_code,country,code,percent,Ebook,'=Sticker,\"Course, with \"\"extras\"\"\"\r\n\
             BR,Brazil,PPP40,40,$6,$1.20,€30\r\n\
             IN,India,PPP60,60,$4,$1 (50% off),€26.50 (47% off)\r\n\
             PK,Pakistan,PPP40,40,$6,$1.20,€30\r\n"
        );
        let skipped = map_csv(&country_map(&codes(), &products(), MinimumPolicy::Skip));
        assert!(skipped.contains(
            "IN,India,PPP60,60,$4,code not on this product,code not on this product\r\n"
        ));
        assert_eq!(map_csv(&[]), "country_code,country,code,percent\r\n");
        // A prefix the seller chose may start like a formula.
        let hostile = MapRow {
            country: "IN".into(),
            country_name: "India".into(),
            code: "-PPP60".into(),
            percent: 60,
            example_prices: Vec::new(),
        };
        assert_eq!(
            map_csv(&[hostile]),
            "country_code,country,code,percent\r\nIN,India,'-PPP60,60\r\n"
        );
    }

    #[test]
    fn snippet_declares_no_global_but_show_parity_code() {
        let snippet = map_snippet(&country_map(&codes(), &[], MinimumPolicy::Skip));
        let top_level: Vec<&str> = snippet
            .lines()
            .filter(|l| !l.starts_with("//") && !l.starts_with(' ') && !l.is_empty())
            .collect();
        assert!(
            top_level
                .iter()
                .all(|l| !l.starts_with("var ") && !l.starts_with("function ")),
            "{top_level:?}"
        );
        assert_eq!(
            top_level.first(),
            Some(&"window.showParityCode = (function () {")
        );
        assert_eq!(top_level.last(), Some(&"})();"));
    }

    #[test]
    fn json_download_is_keyed_by_country() {
        let json: Value =
            serde_json::from_str(&map_json(&country_map(&codes(), &[], MinimumPolicy::Skip)))
                .unwrap();
        assert_eq!(
            json,
            json!({
                "BR": {"code": "PPP40", "percent": 40},
                "IN": {"code": "PPP60", "percent": 60},
                "PK": {"code": "PPP40", "percent": 40},
            })
        );
        assert_eq!(map_json(&[]), "{}");
    }

    #[test]
    fn snippet_holds_the_map_and_fetches_nothing() {
        let rows = country_map(&codes(), &[], MinimumPolicy::Skip);
        let snippet = map_snippet(&rows);
        let line = snippet
            .lines()
            .find_map(|l| l.strip_prefix("  var codes = "))
            .unwrap();
        let inline: Value = serde_json::from_str(line.trim_end_matches(';')).unwrap();
        let download: Value = serde_json::from_str(&map_json(&rows)).unwrap();
        assert_eq!(inline, download);
        for word in [
            "fetch(",
            "XMLHttpRequest",
            "import(",
            "innerHTML",
            "eval(",
            "src=",
        ] {
            assert!(!snippet.contains(word), "{word}");
        }
        assert!(snippet.contains("window.showParityCode = (function () {"));
        assert!(map_snippet(&[]).contains("  var codes = {};"));
    }

    #[test]
    fn per_country_codes_from_the_table_map_one_to_one() {
        let mut overrides = Overrides::new();
        overrides.set("IN", Override::Percent(40)).unwrap();
        overrides.set("CN", Override::Excluded).unwrap();
        let table = build_table(&Settings::default(), &overrides);
        let codes = parity_codes(&table, CodeMode::PerCountry, "PPP").unwrap();
        let rows = country_map(
            &codes,
            &[product("Ebook", 1000, "usd", &[])],
            MinimumPolicy::Clamp,
        );
        assert_eq!(
            rows.len(),
            table.iter().filter(|r| r.effective.is_some()).count()
        );
        let india = rows.iter().find(|r| r.country == "IN").unwrap();
        assert_eq!((india.code.as_str(), india.percent), ("PPP-IN", 40));
        assert_eq!(india.example_prices[0].formatted.as_deref(), Some("$6"));
        assert!(rows
            .iter()
            .all(|r| r.country != "CN" && r.code == format!("PPP-{}", r.country)));
    }
}
