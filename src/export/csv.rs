//! The export files: sales, customers and subscribers as CSV, through the shared
//! `CsvWriter` (RFC 4180 quoting, CRLF). Every cell that came from a buyer or a seller
//! (names, emails, custom fields, product names, headers made from field names) is
//! neutralised when a spreadsheet would run it as a formula; cells Bulkroad formats
//! itself (amounts, dates, counts) are not, so a refund's `-5.00` stays a number. Money is
//! a decimal amount (`12.00`, `1500` for yen) next to an uppercase currency code; dates are
//! Gumroad's ISO 8601 UTC strings. Pure; no `JsValue` here.
//!
//! Sales files can be written a chunk at a time ([`SalesCsv::header`] once, then
//! [`SalesCsv::rows`] per chunk, concatenated), so the worker never holds every row as
//! text. The custom-field columns must then be known before the first row: the caller
//! either declares them or collects them with [`custom_field_names_with`] in a first pass
//! over the stored chunks. They are sorted by name, by code point (Gumroad sends each
//! sale's fields as a JSON object, whose order says nothing), after the chosen columns,
//! headed `custom: <name>` so a field called "email" cannot be mistaken for the buyer's
//! address.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{ProductId, Sale, Subscriber};
use crate::money::{find_currency, parse_amount, Separators};
pub use crate::spreadsheet_csv::Separator;
use crate::spreadsheet_csv::{neutralised, CsvWriter};

/// The byte-order mark that makes Excel read the file as UTF-8.
const BOM: &str = "\u{FEFF}";

/// A column of the sales file (camelCase names for JS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SaleColumn {
    Id,
    CreatedAt,
    OrderId,
    Email,
    PurchaseEmail,
    FullName,
    Country,
    CountryIso2,
    ProductId,
    ProductName,
    Variants,
    Quantity,
    Price,
    GumroadFee,
    Currency,
    OfferCode,
    Refunded,
    PartiallyRefunded,
    Chargedback,
    SubscriptionId,
    CanContact,
    LicenseKey,
    Referrer,
}

impl SaleColumn {
    /// Every column, in the order the seller is offered them.
    pub const ALL: [SaleColumn; 23] = [
        SaleColumn::Id,
        SaleColumn::CreatedAt,
        SaleColumn::OrderId,
        SaleColumn::Email,
        SaleColumn::PurchaseEmail,
        SaleColumn::FullName,
        SaleColumn::Country,
        SaleColumn::CountryIso2,
        SaleColumn::ProductId,
        SaleColumn::ProductName,
        SaleColumn::Variants,
        SaleColumn::Quantity,
        SaleColumn::Price,
        SaleColumn::GumroadFee,
        SaleColumn::Currency,
        SaleColumn::OfferCode,
        SaleColumn::Refunded,
        SaleColumn::PartiallyRefunded,
        SaleColumn::Chargedback,
        SaleColumn::SubscriptionId,
        SaleColumn::CanContact,
        SaleColumn::LicenseKey,
        SaleColumn::Referrer,
    ];

    /// The columns a sales file has unless the seller chooses.
    pub const DEFAULT: [SaleColumn; 17] = [
        SaleColumn::Id,
        SaleColumn::CreatedAt,
        SaleColumn::OrderId,
        SaleColumn::Email,
        SaleColumn::FullName,
        SaleColumn::Country,
        SaleColumn::ProductId,
        SaleColumn::ProductName,
        SaleColumn::Variants,
        SaleColumn::Quantity,
        SaleColumn::Price,
        SaleColumn::GumroadFee,
        SaleColumn::Currency,
        SaleColumn::OfferCode,
        SaleColumn::Refunded,
        SaleColumn::PartiallyRefunded,
        SaleColumn::CanContact,
    ];

    /// The header: Gumroad's key for the value.
    pub fn header(self) -> &'static str {
        match self {
            SaleColumn::Id => "id",
            SaleColumn::CreatedAt => "created_at",
            SaleColumn::OrderId => "order_id",
            SaleColumn::Email => "email",
            SaleColumn::PurchaseEmail => "purchase_email",
            SaleColumn::FullName => "full_name",
            SaleColumn::Country => "country",
            SaleColumn::CountryIso2 => "country_iso2",
            SaleColumn::ProductId => "product_id",
            SaleColumn::ProductName => "product_name",
            SaleColumn::Variants => "variants",
            SaleColumn::Quantity => "quantity",
            SaleColumn::Price => "price",
            SaleColumn::GumroadFee => "gumroad_fee",
            SaleColumn::Currency => "currency",
            SaleColumn::OfferCode => "offer_code",
            SaleColumn::Refunded => "refunded",
            SaleColumn::PartiallyRefunded => "partially_refunded",
            SaleColumn::Chargedback => "chargedback",
            SaleColumn::SubscriptionId => "subscription_id",
            SaleColumn::CanContact => "can_contact",
            SaleColumn::LicenseKey => "license_key",
            SaleColumn::Referrer => "referrer",
        }
    }
}

/// Options of every export file (camelCase JSON, every key optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CsvOptions {
    /// Start the file with a UTF-8 byte-order mark (for Excel). On by default.
    pub bom: bool,
    /// Sales file columns, in order; empty = [`SaleColumn::DEFAULT`].
    pub columns: Vec<SaleColumn>,
    /// Add one column per custom field.
    pub custom_fields: bool,
    /// Between cells: `","` (the default) or `";"`.
    pub separator: Separator,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            bom: true,
            columns: Vec::new(),
            custom_fields: true,
            separator: Separator::Comma,
        }
    }
}

/// A minor-unit amount as a plain decimal in `currency` (`1234` usd → `12.34`, jpy →
/// `1234`); unknown currencies get two decimals. No grouping, `.` as the separator.
pub fn decimal_amount(minor: i64, currency: Option<&str>) -> String {
    let exponent = currency
        .and_then(find_currency)
        .map_or(2, |c| u32::from(c.exponent));
    let sign = if minor < 0 { "-" } else { "" };
    let magnitude = minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{magnitude}");
    }
    let scale = 10u64.pow(exponent);
    format!(
        "{sign}{}.{:0width$}",
        magnitude / scale,
        magnitude % scale,
        width = exponent as usize
    )
}

/// Every custom field name in `sales`, sorted (see [`custom_field_names_with`]).
pub fn custom_field_names<'a>(sales: impl IntoIterator<Item = &'a Sale>) -> Vec<String> {
    custom_field_names_with(Vec::new(), sales)
}

/// The custom-field columns of a file read a chunk at a time: the names in `so_far` (what
/// the earlier chunks gave) and in `sales`, sorted and without repeats.
///
/// Sorted by code point (Rust's `str` order), not by UTF-16 code unit as JS `sort()`
/// would: every writer of the core then gives the same header (this one and
/// [`sales_csv`]), whatever the caller's strings are made of. The two orders agree on
/// every name except where a character beyond U+FFFF (an emoji) meets one in
/// U+E000–U+FFFF (private use, presentation and full-width forms) at the same place; code
/// point order puts the emoji last.
pub fn custom_field_names_with<'a>(
    so_far: Vec<String>,
    sales: impl IntoIterator<Item = &'a Sale>,
) -> Vec<String> {
    let mut names = so_far;
    names.extend(
        sales
            .into_iter()
            .flat_map(|sale| sale.custom_fields.keys().cloned()),
    );
    // Sorted and deduplicated by hand: collecting into a `BTreeSet` would compile in a
    // copy of the standard sort of its own.
    names.sort();
    names.dedup();
    names
}

fn text(value: Option<&str>) -> String {
    neutralised(value.unwrap_or(""))
}

fn flag(value: bool) -> String {
    value.to_string()
}

/// The sales file writer for a fixed set of columns.
#[derive(Debug, Clone)]
pub struct SalesCsv {
    options: CsvOptions,
    columns: Vec<SaleColumn>,
    custom_fields: Vec<String>,
    product_currencies: BTreeMap<ProductId, String>,
}

impl SalesCsv {
    /// The currency of each product, as given to [`SalesCsv::new`].
    pub fn product_currencies(&self) -> &BTreeMap<ProductId, String> {
        &self.product_currencies
    }

    /// `custom_fields`: the custom-field columns (ignored when the options turn them off).
    /// `product_currencies`: product id → currency, for sales without a `currency` key
    /// (see [`Sale::currency_code`]).
    pub fn new(
        options: &CsvOptions,
        custom_fields: Vec<String>,
        product_currencies: BTreeMap<ProductId, String>,
    ) -> SalesCsv {
        let columns = if options.columns.is_empty() {
            SaleColumn::DEFAULT.to_vec()
        } else {
            options.columns.clone()
        };
        SalesCsv {
            custom_fields: if options.custom_fields {
                custom_fields
            } else {
                Vec::new()
            },
            options: options.clone(),
            columns,
            product_currencies,
        }
    }

    /// The first line (with the byte-order mark when asked for).
    pub fn header(&self) -> String {
        let mut writer = CsvWriter::with_separator(self.options.separator);
        writer.record(
            self.columns.iter().map(|c| c.header().to_owned()).chain(
                self.custom_fields
                    .iter()
                    .map(|name| neutralised(&format!("custom: {name}"))),
            ),
        );
        let line = writer.finish();
        if self.options.bom {
            format!("{BOM}{line}")
        } else {
            line
        }
    }

    /// The lines of `sales`, in the order given.
    pub fn rows(&self, sales: &[Sale]) -> String {
        let mut writer = CsvWriter::with_separator(self.options.separator);
        for sale in sales {
            let currency = sale.currency_code(&self.product_currencies);
            let money = |minor: Option<i64>| {
                minor.map_or(String::new(), |m| decimal_amount(m, currency.as_deref()))
            };
            let cells = self.columns.iter().map(|column| match column {
                SaleColumn::Id => text(Some(&sale.id)),
                SaleColumn::CreatedAt => text(Some(&sale.created_at)),
                SaleColumn::OrderId => text(sale.order_id.as_deref()),
                SaleColumn::Email => text(sale.email.as_deref()),
                SaleColumn::PurchaseEmail => text(sale.purchase_email.as_deref()),
                SaleColumn::FullName => text(sale.full_name.as_deref()),
                SaleColumn::Country => text(sale.country.as_deref()),
                SaleColumn::CountryIso2 => text(sale.country_iso2.as_deref()),
                SaleColumn::ProductId => text(sale.product_id.as_ref().map(|p| p.as_str())),
                SaleColumn::ProductName => text(sale.product_name.as_deref()),
                SaleColumn::Variants => neutralised(
                    &sale
                        .variants
                        .iter()
                        .map(|(category, option)| format!("{category}: {option}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                SaleColumn::Quantity => sale.quantity.map_or(String::new(), |q| q.to_string()),
                SaleColumn::Price => money(sale.price),
                SaleColumn::GumroadFee => money(sale.gumroad_fee),
                // The sale's own `currency` is copied as sent, so it is text from outside.
                SaleColumn::Currency => {
                    neutralised(&currency.as_deref().unwrap_or("").to_ascii_uppercase())
                }
                SaleColumn::OfferCode => text(sale.offer_code.as_ref().map(|o| o.code.as_str())),
                SaleColumn::Refunded => flag(sale.refunded),
                SaleColumn::PartiallyRefunded => flag(sale.partially_refunded),
                SaleColumn::Chargedback => flag(sale.chargedback),
                SaleColumn::SubscriptionId => text(sale.subscription_id.as_deref()),
                SaleColumn::CanContact => sale.can_contact.map_or(String::new(), flag),
                SaleColumn::LicenseKey => text(sale.license_key.as_deref()),
                SaleColumn::Referrer => text(sale.referrer.as_deref()),
            });
            let custom = self
                .custom_fields
                .iter()
                .map(|name| text(sale.custom_fields.get(name).map(String::as_str)));
            writer.record(cells.chain(custom).collect::<Vec<String>>());
        }
        writer.finish()
    }
}

/// A whole sales file at once: custom-field columns collected from `sales`.
pub fn sales_csv(
    sales: &[Sale],
    options: &CsvOptions,
    product_currencies: BTreeMap<ProductId, String>,
) -> String {
    let writer = SalesCsv::new(options, custom_field_names(sales), product_currencies);
    writer.header() + &writer.rows(sales)
}

/// One buyer, aggregated over their sales.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// Lowercased email (the grouping key).
    pub email: String,
    /// The newest non-empty name / country.
    pub name: String,
    pub country: String,
    pub orders: u64,
    /// Currency (lowercase) → minor units the buyer paid and kept: sales neither fully
    /// refunded nor charged back, a partially refunded one for what is still refundable
    /// (`amount_refundable_in_currency`; its price when Gumroad does not say).
    pub spent: BTreeMap<String, i64>,
    pub first_purchase: String,
    pub last_purchase: String,
    /// Distinct product names, sorted.
    pub products: BTreeSet<String>,
    /// Sales refunded in full or in part, or charged back.
    pub refunded: u64,
    /// From the newest sale that says (a buyer's latest choice wins).
    pub can_contact: Option<bool>,
    /// Creation times of the sales `name`, `country` and `can_contact` came from.
    #[serde(skip)]
    name_at: String,
    #[serde(skip)]
    country_at: String,
    #[serde(skip)]
    can_contact_at: String,
}

/// Buyers by email, fed chunk by chunk in any order (the result does not depend on it).
#[derive(Debug, Clone, Default)]
pub struct Customers {
    by_email: BTreeMap<String, Customer>,
    product_currencies: BTreeMap<ProductId, String>,
}

impl Customers {
    pub fn new(product_currencies: BTreeMap<ProductId, String>) -> Customers {
        Customers {
            by_email: BTreeMap::new(),
            product_currencies,
        }
    }

    /// The currency of each product, as given to [`Customers::new`].
    pub fn product_currencies(&self) -> &BTreeMap<ProductId, String> {
        &self.product_currencies
    }

    /// Takes in `sales`; a sale without any email is left out (there is no buyer to
    /// group it under).
    pub fn add(&mut self, sales: &[Sale]) {
        for sale in sales {
            let Some(email) = sale.buyer_key() else {
                continue;
            };
            let at = sale.created_at.as_str();
            let customer = self
                .by_email
                .entry(email.clone())
                .or_insert_with(|| Customer {
                    email,
                    first_purchase: at.to_owned(),
                    last_purchase: at.to_owned(),
                    ..Customer::default()
                });
            customer.orders += 1;
            // ISO 8601 UTC strings of one format order as text.
            if at < customer.first_purchase.as_str() {
                customer.first_purchase = at.to_owned();
            }
            if at > customer.last_purchase.as_str() {
                customer.last_purchase = at.to_owned();
            }
            for (field, field_at, value) in [
                (&mut customer.name, &mut customer.name_at, &sale.full_name),
                (
                    &mut customer.country,
                    &mut customer.country_at,
                    &sale.country,
                ),
            ] {
                if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                    if field.is_empty() || at >= field_at.as_str() {
                        *field = value.to_owned();
                        *field_at = at.to_owned();
                    }
                }
            }
            if let Some(name) = sale.product_name.as_deref().filter(|n| !n.is_empty()) {
                customer.products.insert(name.to_owned());
            }
            if sale.refunded || sale.partially_refunded || sale.chargedback {
                customer.refunded += 1;
            }
            if !sale.refunded && !sale.chargedback {
                if let (Some(price), Some(currency)) =
                    (sale.price, sale.currency_code(&self.product_currencies))
                {
                    let kept = kept_amount(sale, price, &currency);
                    *customer.spent.entry(currency).or_insert(0) += kept;
                }
            }
            if let Some(can) = sale.can_contact {
                if customer.can_contact.is_none() || at >= customer.can_contact_at.as_str() {
                    customer.can_contact = Some(can);
                    customer.can_contact_at = at.to_owned();
                }
            }
        }
    }

    /// The buyers, by email.
    pub fn list(&self) -> impl Iterator<Item = &Customer> {
        self.by_email.values()
    }

    /// The customers file: one row per buyer email, sorted by email.
    pub fn csv(&self, options: &CsvOptions) -> String {
        let mut writer = CsvWriter::with_separator(options.separator);
        writer.record([
            "email",
            "name",
            "country",
            "orders",
            "total_spent",
            "first_purchase",
            "last_purchase",
            "products",
            "refunded",
            "can_contact",
        ]);
        for c in self.by_email.values() {
            let spent = c
                .spent
                .iter()
                .map(|(currency, minor)| {
                    format!(
                        "{} {}",
                        currency.to_ascii_uppercase(),
                        decimal_amount(*minor, Some(currency))
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            writer.record([
                neutralised(&c.email),
                neutralised(&c.name),
                neutralised(&c.country),
                c.orders.to_string(),
                neutralised(&spent),
                neutralised(&c.first_purchase),
                neutralised(&c.last_purchase),
                neutralised(&c.products.iter().cloned().collect::<Vec<_>>().join("; ")),
                c.refunded.to_string(),
                c.can_contact.map_or(String::new(), flag),
            ]);
        }
        with_bom(options, writer.finish())
    }
}

/// What the buyer of `sale` (priced `price` in `currency`) paid and kept: the price, or
/// after a partial refund the amount still refundable (never more than the price).
pub(crate) fn kept_amount(sale: &Sale, price: i64, currency: &str) -> i64 {
    if !sale.partially_refunded {
        return price;
    }
    sale.amount_refundable_in_currency
        .as_deref()
        // Gumroad writes amounts with a decimal point ("9.50"), whatever the seller's locale.
        .and_then(|text| parse_amount(text, currency, &Separators::point()).ok())
        .map_or(price, |refundable| refundable.clamp(0, price.max(0)))
}

fn with_bom(options: &CsvOptions, body: String) -> String {
    if options.bom {
        format!("{BOM}{body}")
    } else {
        body
    }
}

/// The subscribers file: one row per subscription, in the order given, with its status.
pub fn subscribers_csv(subscribers: &[Subscriber], options: &CsvOptions) -> String {
    let mut writer = CsvWriter::with_separator(options.separator);
    writer.record([
        "id",
        "email",
        "status",
        "product_id",
        "product_name",
        "recurrence",
        "created_at",
        "charge_occurrence_count",
        "user_requested_cancellation_at",
        "cancelled_at",
        "ended_at",
        "failed_at",
        "free_trial_ends_at",
        "purchase_ids",
        "license_key",
    ]);
    for s in subscribers {
        writer.record([
            text(Some(&s.id)),
            text(s.email.as_deref().or(s.user_email.as_deref())),
            text(s.status.as_deref()),
            text(s.product_id.as_ref().map(|p| p.as_str())),
            text(s.product_name.as_deref()),
            text(s.recurrence.as_deref()),
            text(s.created_at.as_deref()),
            s.charge_occurrence_count
                .map_or(String::new(), |n| n.to_string()),
            text(s.user_requested_cancellation_at.as_deref()),
            text(s.cancelled_at.as_deref()),
            text(s.ended_at.as_deref()),
            text(s.failed_at.as_deref()),
            text(s.free_trial_ends_at.as_deref()),
            neutralised(&s.purchase_ids.join("; ")),
            text(s.license_key.as_deref()),
        ]);
    }
    with_bom(options, writer.finish())
}
