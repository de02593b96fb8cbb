//! The deterministic seeded store: one seller, N products, their offer codes.
//!
//! Same (products, seed) → same store, byte for byte. The mix is what Bulkroad
//! has to cope with: mostly USD with some EUR and JPY, exactly one tiered
//! membership, one pay-what-you-want product, one product with PPP prices, a
//! few unpublished products, names with commas, quotes and ampersands, and
//! existing codes (product-specific ones, a universal percent code `WELCOME10`,
//! a universal fixed USD code `TAKE2`, a deleted one). Stores of fewer than
//! three products hold plain products only. Every seeded code is valid under
//! the model rules, as Gumroad would have required when it was created.

use std::collections::{BTreeMap, HashSet};

use crate::clock::{self, MICROS};
use crate::ids::IdMint;
use crate::money;
use crate::rng::SplitMix64;
use crate::store::{
    Cover, OfferCode, OfferCodeChange, Product, ProductFile, RecurrencePrice, Seller, Store,
    Variant, VariantCategory,
};
use crate::taxonomy;

const HOUR: i64 = 3600 * MICROS;
const DAY: i64 = 24 * HOUR;

const SUBJECTS: &[&str] = &[
    "Notion",
    "Figma",
    "Procreate",
    "Lightroom",
    "Ableton",
    "Blender",
    "Excel",
    "Obsidian",
    "Canva",
    "Webflow",
    "SwiftUI",
    "Rust",
    "Python",
    "Watercolor",
    "Typography",
    "Podcast",
    "Freelance",
    "YouTube",
    "Etsy",
    "Sourdough",
];
const KINDS: &[&str] = &[
    "Templates",
    "Preset Pack",
    "Brushes",
    "Course",
    "Workbook",
    "Starter Kit",
    "Icon Set",
    "Guide",
    "Masterclass",
    "Cheat Sheet",
    "Field Notes",
    "Toolkit",
    "Sample Pack",
    "Fonts",
    "Mockups",
];
const ADJECTIVES: &[&str] = &[
    "Minimal",
    "Cozy",
    "Ultimate",
    "Tiny",
    "Complete",
    "Pocket",
    "Deep Work",
    "Slow",
    "Bold",
    "Retro",
];
const TAGS: &[&str] = &[
    "design",
    "templates",
    "productivity",
    "illustration",
    "music",
    "audio",
    "photography",
    "presets",
    "education",
    "ebook",
    "fonts",
    "icons",
    "3d",
    "coding",
    "writing",
    "business",
    "marketing",
    "art",
];
const BLURBS: &[&str] = &[
    "Everything I use every day, cleaned up and documented.",
    "Built over three years of client work & late nights.",
    "Start in minutes, customise for hours.",
    "Includes lifetime updates and a \"quick start\" video.",
    "Made for beginners, loved by pros.",
];
const USD_PRICES: &[i64] = &[
    199, 300, 500, 900, 999, 1200, 1500, 1999, 2500, 2900, 3900, 4900, 9900, 14900,
];
const EUR_PRICES: &[i64] = &[490, 790, 990, 1490, 1900, 2490, 3900];
const JPY_PRICES: &[i64] = &[300, 500, 980, 1500, 2400, 3000, 4800, 9800];
const PERCENT_PREFIXES: &[&str] = &[
    "LAUNCH", "SPRING", "VIP", "FLASH", "STUDENT", "BUNDLE", "PODCAST",
];
const FIXED_PREFIXES: &[&str] = &["FRIEND", "THANKS", "EARLYBIRD", "NEWSLETTER"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Plain,
    Membership,
    PayWhatYouWant,
    Parity,
}

/// The instant the newest seeded product was created.
pub fn anchor() -> i64 {
    clock::micros_at(2025, 10, 1, 9, 0, 0)
}

/// The store of `seller` (whose `user_id` `mint` has already drawn): `products`
/// products and their offer codes, from `seed`. Sales come on top (`seed_sales`), and
/// which seller and mint a store gets is `accounts`' business.
pub fn build(seller: Seller, mint: IdMint, products: usize, seed: u64) -> Store {
    let mut rng = SplitMix64::derive(seed, "store");
    let mut store = Store::new(seller, mint);

    // Creation instants, oldest first, all distinct, the newest at the anchor.
    let mut created = vec![0i64; products];
    let mut t = anchor();
    for slot in created.iter_mut().rev() {
        *slot = t;
        t -= rng.range(3 * HOUR / MICROS, 5 * DAY / MICROS) * MICROS + rng.range(0, 999_999);
    }

    let mut roles = vec![Role::Plain; products];
    if products >= 3 {
        let mut free: Vec<usize> = (0..products).collect();
        for role in [Role::Membership, Role::PayWhatYouWant, Role::Parity] {
            let i = free.remove(rng.below(free.len() as u64) as usize);
            roles[i] = role;
        }
    }
    let mut unpublished = HashSet::new();
    if products >= 4 {
        let want = (products / 12).max(1);
        while unpublished.len() < want {
            let i = rng.below(products as u64) as usize;
            if roles[i] == Role::Plain {
                unpublished.insert(i);
            }
        }
    }

    let mut taken = Taken::default();
    for (i, &created_at) in created.iter().enumerate() {
        let mut product = match roles[i] {
            Role::Membership => membership(&mut store, created_at),
            Role::PayWhatYouWant => pay_what_you_want(&mut store, created_at),
            Role::Parity => plain(&mut store, &mut rng, &mut taken, created_at, true),
            Role::Plain => plain(&mut store, &mut rng, &mut taken, created_at, false),
        };
        if unpublished.contains(&i) {
            product.published = false;
            product.sales_count /= 10;
            product.sales_usd_cents /= 10;
        }
        store.products.push(product);
    }

    vary_listings(&mut store.products, seed);

    if products > 0 {
        seed_universal_codes(&mut store, &mut rng);
        seed_product_codes(&mut store, &mut rng);
    }
    store
}

/// The category a product's subject word files it under (`taxonomy::CATEGORIES` path).
const SUBJECT_CATEGORIES: &[(&str, &str)] = &[
    ("Notion", "self-improvement/productivity/notion"),
    ("Figma", "design/ui-and-web/figma"),
    ("Procreate", "drawing-and-painting/procreate"),
    ("Lightroom", "photography/presets/lightroom"),
    ("Ableton", "music-and-sound-design/music-production"),
    ("Blender", "3d/3d-modeling"),
    ("Excel", "business-and-money/personal-finance"),
    ("Obsidian", "self-improvement/productivity"),
    ("Canva", "design/graphics"),
    ("Webflow", "design/ui-and-web/webflow"),
    ("SwiftUI", "software-development/app-development"),
    ("Rust", "software-development/programming"),
    ("Python", "software-development/programming"),
    ("Watercolor", "drawing-and-painting/watercolor"),
    ("Typography", "design/fonts"),
    ("Podcast", "music-and-sound-design"),
    ("Freelance", "business-and-money/entrepreneurship"),
    ("YouTube", "business-and-money/marketing-and-sales"),
    ("Etsy", "business-and-money/entrepreneurship"),
    ("Sourdough", "education"),
    ("Membership", "education/online-courses"),
    ("Sample Pack", "music-and-sound-design/sample-packs"),
    ("Presets", "photography/presets"),
];

/// The category of the subject word that comes first in `name`, if any.
pub(crate) fn subject_category(name: &str) -> Option<i64> {
    SUBJECT_CATEGORIES
        .iter()
        .filter_map(|(word, path)| name.find(word).map(|at| (at, *path)))
        .min_by_key(|(at, _)| *at)
        .and_then(|(_, path)| taxonomy::by_path(path))
        .map(|c| c.id)
}

/// Tags that break Gumroad's rules (a leading `#`, one character, 26 characters) among
/// valid ones: seven in all.
const RULE_BREAKING_TAGS: &[&str] = &[
    "#art",
    "design",
    "x",
    "templates",
    "a-tag-that-is-far-too-long",
    "productivity",
    "illustration",
];

/// Listing quality, varied by the product's position `i` (creation order, oldest first)
/// so that every store of six or more products has each case; the text drawn comes from
/// its own stream (`listing`), so nothing else in the store moves:
/// * category: the subject's ([`SUBJECT_CATEGORIES`]), none when `i % 3 == 1`;
/// * description (ordinary products): none when `i % 5 == 1`, long HTML (paragraphs, a
///   list, links) when `i % 5 == 2`, one short sentence when `i % 5 == 3`;
/// * summary (ordinary products): none when `i % 4 == 1`, over 160 characters when `i % 4 == 2`;
/// * tags: none when `i % 6 == 1`, seven with three rule-breaking ones when
///   `i % 6 == 2`, `["ui"]` (two characters, valid) when `i % 6 == 4`;
/// * reviews not displayed when `i % 7 == 3`.
///
/// Anything not listed keeps what the product was seeded with.
fn vary_listings(products: &mut [Product], seed: u64) {
    let mut rng = SplitMix64::derive(seed, "listing");
    for (i, p) in products.iter_mut().enumerate() {
        let ordinary = !p.is_tiered_membership && p.customizable_price != Some(true);
        p.taxonomy_id = if i % 3 == 1 {
            None
        } else {
            subject_category(&p.name)
        };
        if ordinary {
            let escaped = p.name.replace('&', "&amp;").replace('"', "&quot;");
            match i % 5 {
                1 => p.description = None,
                2 => {
                    p.description = Some(format!(
                        "<p>{escaped} is the kit I wish I had when I started. {}</p>\
                         <ul><li>{} ready-made files</li><li>A step-by-step setup guide</li>\
                         <li>Free updates for life</li><li>A commercial license</li></ul>\
                         <p>Questions? Read the <a href=\"https://example.com/faq\">FAQ</a> or \
                         <a href=\"mailto:seller@example.com\">write to me</a>.</p><p>{} {}</p>",
                        rng.pick(BLURBS),
                        rng.range(12, 240),
                        rng.pick(BLURBS),
                        rng.pick(BLURBS),
                    ));
                }
                3 => p.description = Some("<p>Coming soon.</p>".into()),
                _ => {}
            }
            match i % 4 {
                1 => p.custom_summary = None,
                2 => {
                    p.custom_summary = Some(format!(
                        "{}: everything you need in one download, with step-by-step instructions, \
                         examples from real projects, lifetime updates and a friendly community \
                         to help whenever you get stuck.",
                        p.name
                    ));
                }
                _ => {}
            }
        }
        match i % 6 {
            1 => p.tags = Vec::new(),
            2 => p.tags = RULE_BREAKING_TAGS.iter().map(|t| t.to_string()).collect(),
            4 => p.tags = vec!["ui".into()],
            _ => {}
        }
        p.display_product_reviews = i % 7 != 3;
    }
}

/// Names and custom permalinks already handed out.
#[derive(Default)]
struct Taken {
    names: HashSet<String>,
    permalinks: HashSet<String>,
}

fn unique_name(rng: &mut SplitMix64, names: &mut HashSet<String>) -> String {
    let s = *rng.pick(SUBJECTS);
    let k = *rng.pick(KINDS);
    let a = *rng.pick(ADJECTIVES);
    let mut name = match rng.below(6) {
        0 => format!("{s} {k}, Vol. {}", rng.range(2, 5)),
        1 => format!("The \"{a}\" {s} {k}"),
        2 => format!("{s} & {} {k}", rng.pick(SUBJECTS)),
        3 => format!("{k}: {s} Edition"),
        4 => format!("{a} {s} {k}"),
        _ => format!("{s} {k}"),
    };
    let base = name.clone();
    let mut n = 2;
    while !names.insert(name.clone()) {
        name = format!("{base} ({n})");
        n += 1;
    }
    name
}

pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn random_token(rng: &mut SplitMix64, len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| ALPHABET[rng.below(ALPHABET.len() as u64) as usize] as char)
        .collect()
}

fn cover(rng: &mut SplitMix64) -> Cover {
    let key = random_token(rng, 28);
    let url = format!("https://public-files.gumroad.com/{key}");
    Cover {
        id: random_token(rng, 32),
        url: url.clone(),
        original_url: url,
        thumbnail: None,
        kind: "image".into(),
        filetype: "png".into(),
        width: 670,
        height: 376,
        native_width: 1280,
        native_height: 720,
    }
}

pub(crate) fn blank_product(store: &mut Store, created_at: i64) -> Product {
    Product {
        serial: store.mint.serial(),
        id: store.mint.external_id(),
        unique_permalink: store.mint.permalink(),
        name: String::new(),
        description: None,
        custom_permalink: None,
        custom_receipt: None,
        custom_summary: None,
        customizable_price: Some(false),
        suggested_price_cents: None,
        require_shipping: false,
        preview_url: None,
        native_type: "digital".into(),
        subscription_duration: None,
        max_purchase_count: None,
        price_cents: 0,
        currency: "usd".into(),
        published: true,
        deleted_at: None,
        created_at,
        thumbnail_url: None,
        tags: Vec::new(),
        taxonomy_id: None,
        display_product_reviews: true,
        is_tiered_membership: false,
        recurrences: Vec::new(),
        variant_categories: Vec::new(),
        covers: Vec::new(),
        files: Vec::new(),
        ppp_enabled: false,
        sales_count: 0,
        sales_usd_cents: 0,
        custom_fields: Vec::new(),
    }
}

/// An ordinary digital product; `parity` makes it the USD product with PPP prices.
fn plain(
    store: &mut Store,
    rng: &mut SplitMix64,
    taken: &mut Taken,
    created_at: i64,
    parity: bool,
) -> Product {
    let mut p = blank_product(store, created_at);
    p.name = unique_name(rng, &mut taken.names);
    let roll = rng.unit();
    let code = match roll {
        _ if parity => "usd",
        r if r < 0.15 => "eur",
        r if r < 0.30 => "jpy",
        _ => "usd",
    };
    p.currency = code.into();
    p.price_cents = match code {
        "eur" => *rng.pick(EUR_PRICES),
        "jpy" => *rng.pick(JPY_PRICES),
        _ if !parity && rng.chance(0.03) => 0,
        _ => *rng.pick(USD_PRICES),
    };
    p.description = Some(format!(
        "<p>{}</p><p>{}</p>",
        p.name.replace('&', "&amp;").replace('"', "&quot;"),
        rng.pick(BLURBS)
    ));
    p.customizable_price = if rng.chance(0.3) { None } else { Some(false) };
    let mut tags: Vec<String> = Vec::new();
    for _ in 0..rng.below(5) {
        let t = rng.pick(TAGS).to_string();
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    p.tags = tags;
    if rng.chance(0.4) {
        p.custom_summary = Some(format!("You'll get the full {} plus free updates.", p.name));
    }
    if rng.chance(0.05) {
        p.custom_receipt =
            Some("Thanks for your purchase! Reply to this email with any question.".into());
    }
    if rng.chance(0.15) {
        let s = slug(&p.name);
        if !s.is_empty() && taken.permalinks.insert(s.clone()) {
            p.custom_permalink = Some(s);
        }
    }
    if rng.chance(0.1) {
        p.max_purchase_count = Some(rng.range(100, 500));
    }
    if rng.chance(0.6) {
        p.covers.push(cover(rng));
    }
    if rng.chance(0.5) {
        p.thumbnail_url = Some(format!(
            "https://public-files.gumroad.com/{}",
            random_token(rng, 28)
        ));
    }
    for n in 0..rng.below(3) {
        let id = store.mint.external_id();
        p.files.push(ProductFile {
            name: if n == 0 {
                "Guide".into()
            } else {
                "Bonus material".into()
            },
            size: rng.range(40_000, 90_000_000),
            url: format!(
                "https://files.gumroad.com/attachments/{}/{}/original/file.pdf",
                store.seller.id,
                random_token(rng, 32)
            ),
            filetype: "pdf".into(),
            filegroup: "document".into(),
            id,
        });
    }
    if rng.chance(0.1) {
        p.variant_categories.push(VariantCategory {
            id: store.mint.external_id(),
            title: "Format".into(),
            variants: vec![
                simple_variant(store, "PDF", 0),
                simple_variant(store, "PDF + Workbook", 500),
            ],
        });
    }
    p.ppp_enabled = parity;
    let skew = rng.unit();
    p.sales_count = (skew * skew * skew * 3000.0) as i64;
    p.sales_usd_cents = p.sales_count * money::approx_usd_cents(p.price_cents, p.cur());
    p
}

fn simple_variant(store: &mut Store, name: &str, diff: i64) -> Variant {
    Variant {
        id: store.mint.external_id(),
        name: name.into(),
        description: None,
        price_difference_cents: Some(diff),
        customizable_price: false,
        max_purchase_count: None,
        recurrence_prices: BTreeMap::new(),
    }
}

fn tier(store: &mut Store, name: &str, monthly: i64, yearly: i64) -> Variant {
    let mut recurrence_prices = BTreeMap::new();
    recurrence_prices.insert(
        "monthly".into(),
        RecurrencePrice {
            price_cents: monthly,
            suggested_price_cents: None,
        },
    );
    recurrence_prices.insert(
        "yearly".into(),
        RecurrencePrice {
            price_cents: yearly,
            suggested_price_cents: None,
        },
    );
    Variant {
        id: store.mint.external_id(),
        name: name.into(),
        description: Some(format!("<p>The {name} tier.</p>")),
        price_difference_cents: Some(0),
        customizable_price: false,
        max_purchase_count: None,
        recurrence_prices,
    }
}

fn membership(store: &mut Store, created_at: i64) -> Product {
    let mut p = blank_product(store, created_at);
    p.name = "Creator Circle Membership".into();
    p.description = Some("<p>Monthly workshops, templates & a private community.</p>".into());
    p.native_type = "membership".into();
    p.subscription_duration = Some("monthly".into());
    p.is_tiered_membership = true;
    p.recurrences = vec!["monthly".into(), "yearly".into()];
    p.price_cents = 500;
    p.tags = vec!["membership".into(), "community".into()];
    p.custom_summary = Some("Join the circle: new material every month.".into());
    let tiers = vec![
        tier(store, "Supporter", 500, 5000),
        tier(store, "Insider", 1500, 15_000),
        tier(store, "Patron", 5000, 50_000),
    ];
    p.variant_categories.push(VariantCategory {
        id: store.mint.external_id(),
        title: "Tier".into(),
        variants: tiers,
    });
    p.sales_count = 412;
    p.sales_usd_cents = 412 * 900;
    p
}

fn pay_what_you_want(store: &mut Store, created_at: i64) -> Product {
    let mut p = blank_product(store, created_at);
    p.name = "Pay What You Want: Field Recording Sample Pack".into();
    p.description = Some("<p>120 field recordings, royalty-free. Name a fair price.</p>".into());
    p.customizable_price = Some(true);
    p.price_cents = 300;
    p.suggested_price_cents = Some(900);
    p.tags = vec!["audio".into(), "music".into()];
    p.sales_count = 1290;
    p.sales_usd_cents = 1290 * 640;
    p
}

fn code_created_at(rng: &mut SplitMix64, after: i64) -> i64 {
    (after + rng.range(1, 240) * HOUR + rng.range(0, 999_999)).min(anchor() + 30 * DAY)
}

fn seed_universal_codes(store: &mut Store, rng: &mut SplitMix64) {
    let oldest = store
        .products
        .iter()
        .map(|p| p.created_at)
        .min()
        .unwrap_or_else(anchor);
    let specs = [
        ("WELCOME10", None, Some(10), None, None, 37),
        ("TAKE2", Some(200), None, Some("usd"), Some(100), 12),
    ];
    for (n, (name, cents, pct, currency, max, used)) in specs.into_iter().enumerate() {
        let code = OfferCode {
            serial: store.mint.serial(),
            id: store.mint.external_id(),
            code: name.into(),
            product_id: None,
            universal: true,
            amount_cents: cents,
            amount_percentage: pct,
            currency_type: currency.map(str::to_string),
            max_purchase_count: max,
            minimum_amount_cents: None,
            times_used: used,
            // WELCOME10 first, TAKE2 a day later: lists sorted by created_at show them in that order.
            created_at: oldest + (n as i64 + 1) * DAY + rng.range(0, HOUR),
            deleted_at: None,
            default_discount: false,
        };
        debug_assert!(
            store
                .offer_code_errors(&code, OfferCodeChange::default())
                .is_empty(),
            "{name}"
        );
        store.offer_codes.push(code);
    }
}

fn seed_product_codes(store: &mut Store, rng: &mut SplitMix64) {
    let mut deleted_one = false;
    for i in 0..store.products.len() {
        if !rng.chance(0.35) {
            continue;
        }
        for _ in 0..1 + rng.below(2) {
            let product = &store.products[i];
            let percent = rng.chance(0.6);
            // Names say what the code does (`VIP25` is 25 % off, `FRIEND5` is 5 units off).
            let (name, amount_cents, amount_percentage, currency_type) = if percent {
                let pct = *rng.pick(&[5i64, 10, 15, 20, 25, 30, 50]);
                (
                    format!("{}{pct}", rng.pick(PERCENT_PREFIXES)),
                    None,
                    Some(pct),
                    None,
                )
            } else {
                let cents = *rng.pick(&[100i64, 200, 300, 500]);
                let units = if product.cur().single_unit {
                    cents
                } else {
                    cents / 100
                };
                let name = format!("{}{units}", rng.pick(FIXED_PREFIXES));
                (name, Some(cents), None, Some(product.currency.clone()))
            };
            let max_purchase_count = rng.chance(0.4).then(|| rng.range(10, 200));
            let times_used = match max_purchase_count {
                Some(m) => rng.range(0, m),
                None => rng.range(0, 60),
            };
            let code = OfferCode {
                serial: store.mint.serial(),
                id: store.mint.external_id(),
                code: name,
                product_id: Some(product.id.clone()),
                universal: false,
                amount_cents,
                amount_percentage,
                currency_type,
                max_purchase_count,
                minimum_amount_cents: rng.chance(0.15).then_some(1000),
                times_used,
                created_at: code_created_at(rng, product.created_at),
                deleted_at: None,
                default_discount: false,
            };
            if store
                .offer_code_errors(&code, OfferCodeChange::default())
                .is_empty()
            {
                store.offer_codes.push(code);
            }
        }
        if !deleted_one {
            // One retired code, so "deleted codes stay out of lists" has something to prove.
            let product = &store.products[i];
            let created_at = code_created_at(rng, product.created_at);
            let code = OfferCode {
                serial: store.mint.serial(),
                id: store.mint.external_id(),
                code: "OLDPROMO".into(),
                product_id: Some(product.id.clone()),
                universal: false,
                amount_cents: None,
                amount_percentage: Some(40),
                currency_type: None,
                max_purchase_count: None,
                minimum_amount_cents: None,
                times_used: 3,
                created_at,
                deleted_at: Some(created_at + 7 * DAY),
                default_discount: false,
            };
            store.offer_codes.push(code);
            deleted_one = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Store 0 of a one-store sandbox without sales.
    fn build(products: usize, seed: u64) -> Store {
        crate::accounts::store(
            0,
            products,
            0,
            seed,
            &crate::timeline::Timeline::fixed(),
            &[],
        )
    }

    #[test]
    fn same_seed_same_store_and_different_seed_different_store() {
        let a = serde_json::to_string(&build(40, 9)).unwrap();
        let b = serde_json::to_string(&build(40, 9)).unwrap();
        let c = serde_json::to_string(&build(40, 10)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn store_has_the_promised_mix() {
        let s = build(25, 1);
        assert_eq!(s.products.len(), 25);
        assert_eq!(
            s.products.iter().filter(|p| p.is_tiered_membership).count(),
            1
        );
        assert_eq!(
            s.products
                .iter()
                .filter(|p| p.customizable_price == Some(true))
                .count(),
            1
        );
        assert_eq!(s.products.iter().filter(|p| p.ppp_enabled).count(), 1);
        assert!(s.products.iter().any(|p| !p.published));
        assert!(s.products.iter().any(|p| p.currency == "usd"));
        let mut stamps: Vec<i64> = s.products.iter().map(|p| p.created_at).collect();
        stamps.sort_unstable();
        stamps.dedup();
        assert_eq!(stamps.len(), 25);
        assert!(s
            .offer_codes
            .iter()
            .any(|c| c.universal && c.code == "WELCOME10"));
        assert!(s
            .offer_codes
            .iter()
            .any(|c| c.universal && c.currency_type.as_deref() == Some("usd")));
        assert!(s
            .offer_codes
            .iter()
            .any(|c| !c.universal && c.times_used > 0 && c.max_purchase_count.is_some()));
        assert!(s.offer_codes.iter().any(|c| c.deleted_at.is_some()));
        for code in s.offer_codes.iter().filter(|c| c.is_alive()) {
            assert!(
                s.offer_code_errors(code, OfferCodeChange::default())
                    .is_empty(),
                "{}",
                code.code
            );
        }
    }

    #[test]
    fn small_and_large_stores_build() {
        for n in [0usize, 1, 2, 3, 1000] {
            let s = build(n, 5);
            assert_eq!(s.products.len(), n);
        }
    }

    #[test]
    fn slug_keeps_letters_and_digits() {
        let cases = [
            ("Notion Templates, Vol. 2", "notion-templates-vol-2"),
            ("The \"Bold\" Kit", "the-bold-kit"),
            ("&&", ""),
        ];
        for (name, want) in cases {
            assert_eq!(slug(name), want);
        }
    }
}
