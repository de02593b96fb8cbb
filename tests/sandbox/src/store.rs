//! The seller's data and the model rules Gumroad enforces on it.
//!
//! Plain data plus the validations of `Link` and `OfferCode` that the API
//! surfaces verbatim (contract §2.1, §2.2). No HTTP and no JSON views here:
//! handlers in `routes/` read parameters, call into this, and render with
//! `views`. New resources (sales, subscribers, variants) go in as further
//! `Vec`s on [`Store`] with their own rules beside these.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::clock;
use crate::ids::IdMint;
use crate::money::{self, Currency};

fn ser_time<S: Serializer>(micros: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&clock::iso8601(*micros))
}

fn ser_opt_time<S: Serializer>(micros: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match micros {
        Some(m) => s.serialize_str(&clock::iso8601(*m)),
        None => s.serialize_none(),
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Seller {
    /// Doorkeeper's `resource_owner_id` (the numeric row id).
    pub resource_owner_id: i64,
    /// `id` in `GET /v2/user`.
    pub id: String,
    /// `user_id` in `GET /v2/user` (an obfuscated id).
    pub user_id: String,
    pub username: String,
    pub name: String,
    pub display_name: String,
    pub email: String,
    pub bio: Option<String>,
    pub twitter_handle: Option<String>,
    pub currency_type: String,
    pub avatar_url: String,
}

impl Seller {
    pub fn profile_url(&self) -> String {
        format!("https://{}.gumroad.com", self.username)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RecurrencePrice {
    pub price_cents: i64,
    pub suggested_price_cents: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Variant {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub price_difference_cents: Option<i64>,
    pub customizable_price: bool,
    pub max_purchase_count: Option<i64>,
    /// Membership tiers only: recurrence (`monthly`, `yearly`…) to price.
    pub recurrence_prices: BTreeMap<String, RecurrencePrice>,
}

#[derive(Clone, Debug, Serialize)]
pub struct VariantCategory {
    pub id: String,
    pub title: String,
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Cover {
    pub id: String,
    pub url: String,
    pub original_url: String,
    pub thumbnail: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub filetype: String,
    pub width: i64,
    pub height: i64,
    pub native_width: i64,
    pub native_height: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProductFile {
    pub id: String,
    pub name: String,
    pub size: i64,
    pub url: String,
    pub filetype: String,
    pub filegroup: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Product {
    /// Row number: creation order and the cursor tie-breaker.
    pub serial: u64,
    pub id: String,
    pub unique_permalink: String,
    pub name: String,
    pub description: Option<String>,
    pub custom_permalink: Option<String>,
    pub custom_receipt: Option<String>,
    pub custom_summary: Option<String>,
    pub customizable_price: Option<bool>,
    pub suggested_price_cents: Option<i64>,
    pub require_shipping: bool,
    pub preview_url: Option<String>,
    pub native_type: String,
    pub subscription_duration: Option<String>,
    pub max_purchase_count: Option<i64>,
    /// Minor units (whole yen for JPY).
    pub price_cents: i64,
    pub currency: String,
    pub published: bool,
    #[serde(serialize_with = "ser_opt_time")]
    pub deleted_at: Option<i64>,
    #[serde(serialize_with = "ser_time")]
    pub created_at: i64,
    pub thumbnail_url: Option<String>,
    pub tags: Vec<String>,
    /// The category (`taxonomy::CATEGORIES` id); `None` for none.
    pub taxonomy_id: Option<i64>,
    /// Whether the product page shows reviews. Kept and updatable, but not in the
    /// product's API JSON (the contract's product object does not carry it).
    pub display_product_reviews: bool,
    pub is_tiered_membership: bool,
    /// Enabled recurrences of a tiered membership, in display order.
    pub recurrences: Vec<String>,
    pub variant_categories: Vec<VariantCategory>,
    pub covers: Vec<Cover>,
    pub files: Vec<ProductFile>,
    /// Seller-level PPP on and the product not opted out.
    pub ppp_enabled: bool,
    pub sales_count: i64,
    pub sales_usd_cents: i64,
    /// Checkout questions (seeded only in stores with sales); each sale answers them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub custom_fields: Vec<CustomField>,
}

/// A product's checkout question (contract §2.4). `checkbox` answers are booleans.
#[derive(Clone, Debug, Serialize)]
pub struct CustomField {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub required: bool,
}

impl Product {
    pub fn cur(&self) -> &'static Currency {
        money::currency_or_usd(&self.currency)
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// `Link.alive`: published and not deleted. Universal codes are validated against these only.
    pub fn is_alive(&self) -> bool {
        self.published && !self.is_deleted()
    }

    /// Every price a buyer can pay (`Link#available_price_cents`): tier prices for
    /// memberships, else the base price and each variant's price on top of it.
    pub fn available_price_cents(&self) -> Vec<i64> {
        let mut prices = Vec::new();
        if self.is_tiered_membership {
            for v in self.variant_categories.iter().flat_map(|c| &c.variants) {
                for r in &self.recurrences {
                    if let Some(p) = v.recurrence_prices.get(r) {
                        prices.push(p.price_cents);
                    }
                }
            }
        } else {
            prices.push(self.price_cents);
            for v in self.variant_categories.iter().flat_map(|c| &c.variants) {
                if let Some(d) = v.price_difference_cents {
                    prices.push(self.price_cents + d);
                }
            }
        }
        prices.sort_unstable();
        prices.dedup();
        prices
    }

    /// The cheapest tier price and its recurrence: what a membership's `formatted_price` shows.
    fn lowest_tier(&self) -> Option<(i64, &str)> {
        let mut best: Option<(i64, &str)> = None;
        for v in self.variant_categories.iter().flat_map(|c| &c.variants) {
            for r in &self.recurrences {
                if let Some(p) = v.recurrence_prices.get(r) {
                    if best.is_none_or(|(b, _)| p.price_cents < b) {
                        best = Some((p.price_cents, r.as_str()));
                    }
                }
            }
        }
        best
    }

    /// `Link#price_formatted_verbose`: `$9.99`, `99¢` (sic: `format_price` turns exactly
    /// "$0.99" into "99¢"), `$5+` for pay-what-you-want, `$5 a month` for memberships.
    pub fn formatted_price(&self) -> String {
        let (cents, recurrence) = match (self.is_tiered_membership, self.lowest_tier()) {
            (true, Some((c, r))) => (c, Some(r)),
            _ => (self.price_cents, self.subscription_duration.as_deref()),
        };
        let mut s = money::format(cents, self.cur());
        if s == "$0.99" {
            s = "99¢".to_string();
        }
        if self.customizable_price == Some(true) {
            s.push('+');
        }
        if self.native_type == "membership" {
            if let Some(r) = recurrence {
                s.push(' ');
                s.push_str(recurrence_long_indicator(r));
            }
        }
        s
    }

    pub fn short_url(&self, seller: &Seller) -> String {
        format!(
            "{}/l/{}",
            seller.profile_url(),
            self.custom_permalink
                .as_deref()
                .unwrap_or(&self.unique_permalink)
        )
    }
}

pub fn recurrence_long_indicator(recurrence: &str) -> &'static str {
    match recurrence {
        "monthly" => "a month",
        "quarterly" => "every 3 months",
        "biannually" => "every 6 months",
        "yearly" => "a year",
        "every_two_years" => "every 2 years",
        _ => "",
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct OfferCode {
    pub serial: u64,
    pub id: String,
    /// The code buyers type; the API calls it `name`.
    pub code: String,
    /// External id of the one product a non-universal code is attached to.
    pub product_id: Option<String>,
    pub universal: bool,
    pub amount_cents: Option<i64>,
    pub amount_percentage: Option<i64>,
    /// Set for fixed-amount codes (the product's currency at creation); `None` for percent codes.
    pub currency_type: Option<String>,
    pub max_purchase_count: Option<i64>,
    pub minimum_amount_cents: Option<i64>,
    pub times_used: i64,
    #[serde(serialize_with = "ser_time")]
    pub created_at: i64,
    #[serde(serialize_with = "ser_opt_time")]
    pub deleted_at: Option<i64>,
    /// Some product's default (automatic) discount: Gumroad refuses to delete it. Set
    /// only through `POST /__sandbox/offer_codes/default` (the API cannot set it).
    pub default_discount: bool,
}

impl OfferCode {
    pub fn is_alive(&self) -> bool {
        self.deleted_at.is_none()
    }

    pub fn is_percent(&self) -> bool {
        self.amount_percentage.is_some()
    }

    /// `OfferCode#amount_off`: fixed cents, or the percentage rounded half away from zero.
    pub fn amount_off(&self, price_cents: i64) -> i64 {
        match (self.amount_cents, self.amount_percentage) {
            (Some(c), _) => c,
            (None, Some(p)) => (price_cents as f64 * (p as f64 / 100.0)).round() as i64,
            (None, None) => 0,
        }
    }

    /// `OfferCode#is_amount_valid?`: every available price stays free or at least the minimum.
    pub fn is_amount_valid(&self, product: &Product) -> bool {
        let cur = product.cur();
        product
            .available_price_cents()
            .iter()
            .all(|&p| money::is_valid_price(p - self.amount_off(p), cur))
    }

    /// `OfferCode#is_currency_valid?`
    pub fn is_currency_valid(&self, product: &Product) -> bool {
        self.is_percent()
            || self
                .currency_type
                .as_deref()
                .is_none_or(|c| c == product.currency)
    }

    /// `OfferCode#applicable?` (no exclusions through the API).
    pub fn applies_to(&self, product: &Product) -> bool {
        if self.universal {
            self.currency_type
                .as_deref()
                .is_none_or(|c| c == product.currency)
        } else {
            self.product_id.as_deref() == Some(product.id.as_str())
        }
    }
}

/// MySQL `utf8mb4_unicode_ci` equality, closely enough for codes limited to Latin-1
/// letters: case-insensitive and accent-insensitive (contract §2.2, uniqueness).
pub fn collation_key(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à'..='å' => 'a',
            'ç' => 'c',
            'è'..='ë' => 'e',
            'ì'..='ï' => 'i',
            'ñ' => 'n',
            'ò'..='ö' | 'ø' => 'o',
            'ù'..='ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .collect()
}

/// The characters `OfferCode` accepts: letters incl. Latin-1 accented ones, digits, `-`, `_`.
pub fn is_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '-'
        || c == '_'
        || ('\u{C0}'..='\u{D6}').contains(&c)
        || ('\u{D8}'..='\u{F6}').contains(&c)
        || ('\u{F8}'..='\u{FF}').contains(&c)
}

/// A product name's maximum length in characters (additions §3).
pub const NAME_MAX: usize = 255;

pub const ADULT_KEYWORDS_MESSAGE: &str = "Adult keywords are not allowed";

/// The words the sandbox treats as adult keywords. Gumroad's list is longer and not in
/// the contract; these few stand in for it, matched as whole words, case-insensitively.
pub const ADULT_KEYWORDS: &[&str] = &["porn", "porno", "xxx", "hentai", "nsfw"];

/// Whether `text` holds one of [`ADULT_KEYWORDS`] as a whole word (words are runs of
/// letters and digits).
pub fn has_adult_keyword(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| ADULT_KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k)))
}

/// An HTML description as text: tags become spaces, the common entities are decoded and
/// whitespace runs become one space.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            _ => out.push(c),
        }
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `Tag#clean_name`: lower-cased, trimmed, whitespace runs made one space.
pub fn clean_tag(name: &str) -> String {
    name.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `Tag` validations on a cleaned name, as full messages (Rails' default
/// "<Attribute> <message>" format): length 2 to 20, and the format
/// `\A[^#,][^,]+\z` (no leading `#`, no comma, which also needs 2 characters).
pub fn tag_errors(name: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let chars = name.chars().count();
    if name.is_empty() {
        errors.push("Name can't be blank".to_string());
    }
    if chars < 2 {
        errors.push(
            "Name A tag is too short. Please try again with a longer one, above 2 characters."
                .to_string(),
        );
    } else if chars > 20 {
        errors.push(
            "Name A tag is too long. Please try again with a shorter one, under 20 characters."
                .to_string(),
        );
    }
    if chars < 2 || name.starts_with('#') || name.contains(',') {
        errors.push("Name A tag cannot start with hashes or contain commas.".to_string());
    }
    errors
}

/// Which attributes an offer-code save touches; validations that Rails runs only on
/// change (`max_purchase_count`) look at this.
#[derive(Clone, Copy, Debug, Default)]
pub struct OfferCodeChange {
    pub max_purchase_count: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Store {
    pub seller: Seller,
    /// All products, deleted ones included, in creation order.
    pub products: Vec<Product>,
    /// All offer codes (product-specific and universal), deleted ones included, in creation order.
    pub offer_codes: Vec<OfferCode>,
    /// Sales, oldest first; row ids rise with `created_at` (see [`Sale`]).
    #[serde(skip)]
    pub sales: Vec<Sale>,
    /// The people behind the sales (one email each, several sales per buyer).
    #[serde(skip)]
    pub buyers: Vec<Buyer>,
    /// Answers custom fields point into.
    #[serde(skip)]
    pub answers: Vec<String>,
    /// Memberships' subscriptions, in creation order.
    #[serde(skip)]
    pub subscriptions: Vec<Subscription>,
    /// Key of the sale and subscription external ids (derived from the seed).
    #[serde(skip)]
    pub id_key: u64,
    #[serde(skip)]
    pub mint: IdMint,
    #[serde(skip)]
    last_now: i64,
}

/// Someone who bought: the sale's `email`/`purchase_email`, `full_name`, country.
#[derive(Clone, Debug)]
pub struct Buyer {
    pub email: String,
    pub full_name: Option<String>,
    /// None for a buyer whose country Gumroad does not know: the sale then has neither
    /// `country` nor `country_iso2` (nil keys are dropped).
    pub country: Option<&'static str>,
    pub country_iso2: Option<&'static str>,
    /// `purchaser_id`: set for buyers with a Gumroad account (a numeric-looking string).
    pub purchaser_id: Option<String>,
    pub can_contact: bool,
}

/// No answer in a [`Sale::answers`] slot.
pub const NO_ANSWER: u16 = u16::MAX;

/// One purchase, kept compact (indexes instead of strings) so 50 000 build fast.
///
/// `serial` is the row id: sales are numbered in `created_at` order, as an
/// auto-increment column numbers rows inserted as they happen, so ordering by
/// `(created_at, id)` and by `id` agree — which is what makes Gumroad's cursor
/// condition `created_at <= t AND id < last_id` walk every sale.
#[derive(Clone, Debug)]
pub struct Sale {
    pub serial: u64,
    pub created_at: i64,
    /// Index into `Store::products` (deleted products included).
    pub product: u32,
    /// Index into `Store::buyers`.
    pub buyer: u32,
    /// What was charged, in the product's currency's minor units, quantity included.
    pub price_cents: i64,
    pub fee_cents: i64,
    pub quantity: u32,
    /// 0, part of `price_cents` (partial refund) or all of it.
    pub refunded_cents: i64,
    pub chargedback: bool,
    /// Option index in the product's first variant category (its tier for memberships).
    pub variant: Option<u8>,
    /// Answer index (into `Store::answers`) per custom field of the product; for
    /// checkbox fields 0/1 is false/true.
    pub answers: [u16; 3],
    /// Index into `Store::offer_codes`.
    pub offer_code: Option<u32>,
    /// Index into `Store::subscriptions`.
    pub subscription: Option<u32>,
    /// A renewal charge of a subscription (not its first purchase).
    pub is_recurring_billing: bool,
    pub referrer: u8,
    pub card: u8,
}

impl Sale {
    pub fn is_refunded(&self) -> bool {
        self.price_cents > 0 && self.refunded_cents >= self.price_cents
    }

    pub fn is_partially_refunded(&self) -> bool {
        self.refunded_cents > 0 && self.refunded_cents < self.price_cents
    }
}

/// A membership's subscription (contract §2.7).
#[derive(Clone, Debug)]
pub struct Subscription {
    pub serial: u64,
    pub created_at: i64,
    pub product: u32,
    pub buyer: u32,
    pub recurrence: &'static str,
    pub user_requested_cancellation_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub free_trial_ends_at: Option<i64>,
    /// Set once the subscription is over (cancelled, failed or ended); `active` lists skip these.
    pub deactivated_at: Option<i64>,
    /// `status` as the API shows it.
    pub status: &'static str,
    pub charge_occurrence_count: Option<i64>,
    /// Its purchases' row ids, oldest first (filled once sales are numbered).
    pub purchases: Vec<u64>,
}

impl Store {
    pub fn new(seller: Seller, mint: IdMint) -> Store {
        Store {
            seller,
            products: Vec::new(),
            offer_codes: Vec::new(),
            sales: Vec::new(),
            buyers: Vec::new(),
            answers: Vec::new(),
            subscriptions: Vec::new(),
            id_key: 0,
            mint,
            last_now: 0,
        }
    }

    /// Wall-clock time, strictly increasing, so objects created in one burst still sort.
    pub fn now(&mut self) -> i64 {
        let now = clock::now_micros().max(self.last_now + 1);
        self.last_now = now;
        now
    }

    /// By external id or `unique_permalink`, deleted products included (contract §2).
    pub fn product_index(&self, id_or_permalink: &str) -> Option<usize> {
        self.products
            .iter()
            .position(|p| p.id == id_or_permalink)
            .or_else(|| {
                self.products
                    .iter()
                    .position(|p| p.unique_permalink == id_or_permalink)
            })
    }

    /// `Link#product_and_universal_offer_codes`: the product's alive codes plus the
    /// seller's alive universal codes in its currency (percent codes always), by creation.
    pub fn product_and_universal_offer_codes(&self, product: &Product) -> Vec<&OfferCode> {
        let mut codes: Vec<&OfferCode> = self
            .offer_codes
            .iter()
            .filter(|c| c.is_alive() && c.applies_to(product))
            .collect();
        codes.sort_by_key(|c| (c.created_at, c.serial));
        codes
    }

    /// `OfferCode#applicable_products`: the one product, or every alive product (in the
    /// code's currency for fixed universal codes).
    pub fn applicable_products(&self, code: &OfferCode) -> Vec<&Product> {
        if code.universal {
            self.products
                .iter()
                .filter(|p| p.is_alive() && code.applies_to(p))
                .collect()
        } else {
            self.products
                .iter()
                .filter(|p| code.product_id.as_deref() == Some(p.id.as_str()))
                .collect()
        }
    }

    /// `OfferCode` validations in declaration order, as full messages.
    pub fn offer_code_errors(&self, code: &OfferCode, change: OfferCodeChange) -> Vec<String> {
        let mut errors = Vec::new();
        if code.deleted_at.is_some() {
            return errors;
        }
        // validates :code, presence + format
        if code.code.trim().is_empty() {
            errors.push("Discount code can't be blank".to_string());
        } else if !code.code.chars().all(is_code_char) {
            errors.push(
                "Discount code can only contain numbers, letters, dashes, and underscores."
                    .to_string(),
            );
        }
        // max_purchase_count_is_greater_than_or_equal_to_inventory_sold (only when changed)
        if change.max_purchase_count {
            if let Some(max) = code.max_purchase_count {
                if max < code.times_used {
                    errors.push(format!(
                        "You have chosen a discount code quantity that is less that the number already used. Please enter an amount no less than {}.",
                        code.times_used
                    ));
                }
            }
        }
        self.offer_code_price_errors(code, &mut errors);
        // validates_uniqueness_of :code, scope: [user_id, deleted_at], if: universal —
        // every alive code of the seller, compared under the case-insensitive collation.
        if code.universal && !code.code.is_empty() {
            let key = collation_key(&code.code);
            if self
                .offer_codes
                .iter()
                .any(|o| o.is_alive() && o.serial != code.serial && collation_key(&o.code) == key)
            {
                errors.push("Discount code must be unique.".to_string());
            }
        }
        // code_validation (non-universal): plain Ruby `==` against the product's
        // applicable codes, so it is case-sensitive.
        if !code.universal {
            for product in self.applicable_products(code) {
                if self
                    .product_and_universal_offer_codes(product)
                    .iter()
                    .any(|o| o.code == code.code && o.serial != code.serial)
                {
                    errors.push("Discount code must be unique.".to_string());
                    break;
                }
            }
        }
        errors
    }

    /// `OfferCode#price_validation`: stops at the first failing product, and stops
    /// early once any error exists (Gumroad's `return if errors.present?`).
    fn offer_code_price_errors(&self, code: &OfferCode, errors: &mut Vec<String>) {
        let negative = code.amount_percentage.is_some_and(|p| p < 0)
            || code.amount_cents.is_some_and(|c| c < 0);
        if negative {
            errors.push("Please enter a positive discount amount.".to_string());
            return;
        }
        if code.amount_percentage.is_some_and(|p| p > 100) {
            errors.push("Please enter a discount amount that is 100% or less.".to_string());
            return;
        }
        for product in self.applicable_products(code) {
            let cur = product.cur();
            if !code.is_amount_valid(product) {
                errors.push(format!(
                    "The price after discount for all of your products must be either {}0 or at least {}.",
                    cur.symbol,
                    money::min_price_formatted(cur)
                ));
            }
            if !code.is_currency_valid(product) {
                errors.push(format!(
                    "This discount code uses {} but the product uses {}. Please change the discount code to use the same currency as the product.",
                    code.currency_type.as_deref().unwrap_or("").to_uppercase(),
                    product.currency.to_uppercase()
                ));
            }
            if !errors.is_empty() {
                return;
            }
        }
    }

    /// `Link` validations the API can trip, as full messages.
    pub fn product_errors(&self, product: &Product) -> Vec<String> {
        let mut errors = Vec::new();
        if product.name.trim().is_empty() {
            errors.push("Name can't be blank".to_string());
        } else if product.name.chars().count() > NAME_MAX {
            // Rails' length validator, default message (additions §3: at most 255).
            errors.push(format!(
                "Name is too long (maximum is {NAME_MAX} characters)"
            ));
        }
        // Additions §3: adult keywords are refused in the name and the description; the
        // message is the model's base error, shown as it is.
        let description = product.description.as_deref().unwrap_or_default();
        if has_adult_keyword(&product.name) || has_adult_keyword(&html_text(description)) {
            errors.push(ADULT_KEYWORDS_MESSAGE.to_string());
        }
        if let Some(permalink) = &product.custom_permalink {
            if !permalink
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                errors.push("Custom permalink is invalid".to_string());
            } else {
                let key = permalink.to_ascii_lowercase();
                let taken = self.products.iter().any(|p| {
                    p.serial != product.serial
                        && (p.unique_permalink == key
                            || p.custom_permalink
                                .as_deref()
                                .is_some_and(|c| c.to_ascii_lowercase() == key))
                });
                if taken {
                    errors.push("Custom permalink has already been taken".to_string());
                }
            }
        }
        // price_must_be_within_range: 0 is free; otherwise at least the currency minimum.
        let cur = product.cur();
        if !product.is_tiered_membership
            && product.price_cents != 0
            && product.price_cents < cur.min_price
        {
            errors.push(format!(
                "Sorry, a product must be at least {}.",
                money::min_price_formatted(cur)
            ));
        }
        if let Some(suggested) = product.suggested_price_cents {
            if product.customizable_price == Some(true) && suggested < product.price_cents {
                errors.push("The suggested price you entered was too low.".to_string());
            }
        }
        errors
    }

    /// `Link#validate_product_price_against_all_offer_codes?` (checked before publishing).
    pub fn enable_error(&self, product: &Product) -> Option<String> {
        let cur = product.cur();
        let price = product.price_cents;
        self.product_and_universal_offer_codes(product).iter().find_map(|code| {
            let after = price - code.amount_off(price);
            (!money::is_valid_price(after, cur)).then(|| {
                format!(
                    "An existing discount code puts the price of this product below the {} minimum after discount.",
                    money::min_price_formatted(cur)
                )
            })
        })
    }

    /// `check_offer_code_validity` after a product update: names the codes that no
    /// longer work with the product's new price or currency.
    pub fn offer_code_warning(&self, product: &Product) -> Option<String> {
        let codes = self.product_and_universal_offer_codes(product);
        let currency_bad: Vec<&str> = codes
            .iter()
            .filter(|c| !c.is_currency_valid(product))
            .map(|c| c.code.as_str())
            .collect();
        let amount_bad: Vec<&str> = codes
            .iter()
            .filter(|c| !c.is_amount_valid(product))
            .map(|c| c.code.as_str())
            .collect();
        let mut all: Vec<&str> = Vec::new();
        for c in currency_bad.iter().chain(amount_bad.iter()) {
            if !all.contains(c) {
                all.push(c);
            }
        }
        if all.is_empty() {
            return None;
        }
        let many = all.len() > 1;
        let min = money::min_price_formatted(product.cur());
        let issue = match (!currency_bad.is_empty(), !amount_bad.is_empty()) {
            (true, true) => format!(
                "{} currency mismatches or would discount this product below {min}",
                if many { "have" } else { "has" }
            ),
            (true, false) => format!(
                "{} currency {} with this product",
                if many { "have" } else { "has" },
                if many { "mismatches" } else { "mismatch" }
            ),
            _ => format!(
                "{} this product below {min}",
                if many { "discount" } else { "discounts" }
            ),
        };
        Some(format!(
            "The following offer {} {issue}: {}. Please update {} will not work at checkout.",
            if many { "codes" } else { "code" },
            all.join(", "),
            if many { "them or they" } else { "it or it" }
        ))
    }
}
