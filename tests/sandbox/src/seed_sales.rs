//! Seeded sales, buyers, subscriptions and custom fields (added only when `sales > 0`).
//!
//! Same (products, sales, seed) → same sales, and the product/code part of the
//! store stays exactly what `seed::build` makes (new objects take ids after
//! every existing one, and draws come from their own stream). What an export has
//! to cope with:
//! * two years of sales (2023-10-01 to 2025-09-30, UTC, or the same two years moved by
//!   a [`Timeline`]) with a launch day (2025-03-14, 300+ sales), a ten-day gap with no
//!   sale at all, scattered empty days, and carts: several sales with the very same
//!   `created_at`; growth over the two years, a weekend dip (and seasons on a moved
//!   calendar);
//! * usd, eur, jpy (products' own currencies) and gbp (the deleted product);
//! * returning buyers (same email), names with commas, quotes, newlines, tabs and
//!   a leading `=`, `+`, `-`, `@`; some buyers without a name;
//! * full, partial and charged-back refunds, offer codes, quantities, variants;
//! * custom fields (text, long text, checkbox) on a few products, answers with the
//!   same hostile characters;
//! * one deleted product (still in the store with `deleted_at`) with sales;
//! * the tiered membership's subscriptions in every status, with their renewal charges.
//!
//! Sales get row ids in `created_at` order (see [`crate::store::Sale`]).

use crate::clock::MICROS;
use crate::money;
use crate::rng::SplitMix64;
use crate::seed::{blank_product, slug};
use crate::store::{Buyer, CustomField, Sale, Store, Subscription, NO_ANSWER};
use crate::timeline::Timeline;

const HOUR: i64 = 3600 * MICROS;
const DAY: i64 = 24 * HOUR;

/// `row_external_id` table numbers.
pub const SALES_TABLE: u64 = 1;
pub const SUBSCRIPTIONS_TABLE: u64 = 2;
/// Row id of the first sale / subscription (purchase ids are big numbers on Gumroad).
pub const FIRST_SALE_SERIAL: u64 = 80_000_001;
pub const FIRST_SUBSCRIPTION_SERIAL: u64 = 3_000_001;

fn launch_day(timeline: &Timeline) -> i64 {
    timeline.micros_at(2025, 3, 14, 0, 0, 0)
}

/// Ten days in a row without a single sale.
fn quiet_days(timeline: &Timeline) -> (i64, i64) {
    (
        timeline.micros_at(2024, 8, 5, 0, 0, 0),
        timeline.micros_at(2024, 8, 15, 0, 0, 0),
    )
}

const FIRST: &[&str] = &[
    "Ana", "Ben", "Chloé", "Daniel", "Emma", "Farid", "Grace", "Hiro", "Inès", "Jonas", "Kofi",
    "Lena", "Marta", "Noah", "Olga", "Priya", "Quentin", "Rosa", "Sven", "Tomás", "Uma", "Viktor",
    "Wen", "Yuki", "Zoë",
];
const LAST: &[&str] = &[
    "Nakamura", "Müller", "O'Brien", "García", "Smith", "Kowalski", "Dubois", "Okafor", "Rossi",
    "Jensen", "Silva", "Novak", "Haddad", "Larsen", "Tanaka", "Fischer", "Moreau", "Ivanova",
    "Kim", "Patel",
];
/// The first buyers (so every store with sales has them, each with several purchases).
const HOSTILE_NAMES: &[&str] = &[
    "Smith, John",
    "Anna \"Nan\" Berg",
    "Line\nBreak",
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1 Plus",
    "-Minus Sign",
    "@Mention Me",
    "O'Connor, Siobhán \"Shiv\"",
    "\tTabbed Name",
    "Carriage\r\nReturn",
];
const DOMAINS: &[&str] = &["example.com", "example.org", "mail.example.net"];
const COUNTRIES: &[(&str, &str, u32)] = &[
    ("United States", "US", 40),
    ("United Kingdom", "GB", 8),
    ("Germany", "DE", 8),
    ("Japan", "JP", 6),
    ("France", "FR", 5),
    ("Canada", "CA", 5),
    ("Brazil", "BR", 4),
    ("India", "IN", 4),
    ("Australia", "AU", 3),
    ("Spain", "ES", 3),
    ("Korea, Republic of", "KR", 2),
    ("Côte d'Ivoire", "CI", 1),
];
/// Custom-field answers (text fields); hostile ones included.
const ANSWERS: &[&str] = &[
    "Acme Inc.",
    "Acme, Inc.",
    "\"Quoted\" Studio",
    "line one\nline two",
    "=1+2",
    "=HYPERLINK(\"http://evil.example\")",
    "+44 20 7946 0000",
    "-10% please",
    "@channel",
    "Ünïcødé GmbH",
    "A game, a book, and a \"zine\"",
    "Nothing, thanks",
    "\ttabbed",
    "cr\rinside",
    "Studio 54",
    "Independent",
    "my_discord#1234",
    "Product launch",
    "Side project",
    "Client work",
];
const REFERRERS: &[&str] = &[
    "direct",
    "direct",
    "https://twitter.com/",
    "https://www.google.com/",
    "https://gumroad.com/discover",
    "https://www.youtube.com/",
];
/// The referrer index that means Gumroad Discover (its fee is charged).
pub const DISCOVER_REFERRER: u8 = 4;

pub fn referrer(i: u8) -> &'static str {
    REFERRERS[i as usize % REFERRERS.len()]
}

/// `(type, visual)` of the card a sale was paid with.
pub fn card(i: u8) -> (&'static str, &'static str) {
    const CARDS: &[(&str, &str)] = &[
        ("visa", "**** **** **** 4242"),
        ("mastercard", "**** **** **** 4444"),
        ("amex", "**** ****** *0005"),
        ("visa", "**** **** **** 1881"),
    ];
    CARDS[i as usize % CARDS.len()]
}

fn field(store: &mut Store, kind: &str, name: &str, required: bool) -> CustomField {
    CustomField {
        id: store.mint.external_id(),
        kind: kind.into(),
        name: name.into(),
        required,
    }
}

fn pick_country(rng: &mut SplitMix64) -> (&'static str, &'static str) {
    let total: u32 = COUNTRIES.iter().map(|c| c.2).sum();
    let mut r = rng.below(u64::from(total)) as u32;
    for &(name, iso, w) in COUNTRIES {
        if r < w {
            return (name, iso);
        }
        r -= w;
    }
    ("United States", "US")
}

fn buyers(rng: &mut SplitMix64, n: usize) -> Vec<Buyer> {
    (0..n)
        .map(|i| {
            let first = *rng.pick(FIRST);
            let last = *rng.pick(LAST);
            let full_name = if i < HOSTILE_NAMES.len() {
                Some(HOSTILE_NAMES[i].to_string())
            } else if rng.chance(0.06) {
                None
            } else {
                Some(format!("{first} {last}"))
            };
            let (country, country_iso2) = pick_country(rng);
            // Every 25th buyer's country is unknown (chosen by position, so the draws of
            // the seed stay as they were).
            let known = i % 25 != 7;
            Buyer {
                email: format!("{}.{}.{i}@{}", slug(first), slug(last), rng.pick(DOMAINS)),
                full_name,
                country: known.then_some(country),
                country_iso2: known.then_some(country_iso2),
                purchaser_id: rng
                    .chance(0.4)
                    .then(|| (7_100_000_000 + rng.below(900_000_000)).to_string()),
                can_contact: rng.chance(0.85),
            }
        })
        .collect()
}

/// Regular customers (the first tenth of the buyers) make a third of the purchases.
fn pick_buyer(rng: &mut SplitMix64, n: usize) -> u32 {
    let regulars = (n / 10).max(1);
    if rng.chance(0.35) {
        rng.below(regulars as u64) as u32
    } else {
        rng.below(n as u64) as u32
    }
}

fn fee(price: i64, currency: &str) -> i64 {
    if price <= 0 {
        return 0;
    }
    let fixed = match currency {
        "jpy" => 70,
        "gbp" => 40,
        _ => 50,
    };
    (price / 10 + fixed).min(price)
}

/// Full refund, partial refund, chargeback or nothing.
fn settle(rng: &mut SplitMix64, sale: &mut Sale) {
    if sale.price_cents <= 0 {
        return;
    }
    let r = rng.unit();
    if r < 0.03 {
        sale.refunded_cents = sale.price_cents;
    } else if r < 0.045 {
        let part = sale.price_cents * rng.range(10, 90) / 100;
        sale.refunded_cents = part.clamp(1, sale.price_cents - 1);
        if sale.price_cents < 2 {
            sale.refunded_cents = 0;
        }
    } else if r < 0.048 {
        sale.chargedback = true;
    }
}

fn blank_sale(created_at: i64, product: u32, buyer: u32) -> Sale {
    Sale {
        serial: 0,
        created_at,
        product,
        buyer,
        price_cents: 0,
        fee_cents: 0,
        quantity: 1,
        refunded_cents: 0,
        chargedback: false,
        variant: None,
        answers: [NO_ANSWER; 3],
        offer_code: None,
        subscription: None,
        is_recurring_billing: false,
        referrer: 0,
        card: 0,
    }
}

fn answer(rng: &mut SplitMix64, field: &CustomField) -> u16 {
    if field.kind == "checkbox" {
        return rng.below(2) as u16;
    }
    if !field.required && rng.chance(0.2) {
        return NO_ANSWER;
    }
    rng.below(ANSWERS.len() as u64) as u16
}

/// A one-off purchase of product `pi` at `t`.
fn one_off(store: &Store, rng: &mut SplitMix64, pi: usize, t: i64, buyer: u32) -> Sale {
    let p = &store.products[pi];
    let cur = p.cur();
    let mut sale = blank_sale(t, pi as u32, buyer);
    let mut unit = p.price_cents;
    if p.customizable_price == Some(true) {
        unit = rng.range(p.price_cents, p.price_cents * 6);
    }
    if let Some(cat) = p.variant_categories.first() {
        let v = rng.below(cat.variants.len() as u64) as usize;
        sale.variant = Some(v as u8);
        unit += cat.variants[v].price_difference_cents.unwrap_or(0);
    }
    if unit > 0 && rng.chance(0.07) {
        let codes = store.product_and_universal_offer_codes(p);
        if !codes.is_empty() {
            let code = codes[rng.below(codes.len() as u64) as usize];
            let after = unit - code.amount_off(unit);
            if money::is_valid_price(after, cur) {
                unit = after.max(0);
                sale.offer_code = store
                    .offer_codes
                    .iter()
                    .position(|c| c.serial == code.serial)
                    .map(|i| i as u32);
            }
        }
    }
    if rng.chance(0.04) {
        sale.quantity = rng.range(2, 3) as u32;
    }
    sale.price_cents = unit * i64::from(sale.quantity);
    sale.fee_cents = fee(sale.price_cents, cur.code);
    for (slot, f) in p.custom_fields.iter().take(3).enumerate() {
        sale.answers[slot] = answer(rng, f);
    }
    sale.referrer = rng.below(REFERRERS.len() as u64) as u8;
    sale.card = rng.below(4) as u8;
    settle(rng, &mut sale);
    sale
}

struct Weights {
    cumulative: Vec<f64>,
}

impl Weights {
    fn new(w: &[f64]) -> Weights {
        let mut acc = 0.0;
        let cumulative = w
            .iter()
            .map(|x| {
                acc += x;
                acc
            })
            .collect();
        Weights { cumulative }
    }

    fn pick(&self, rng: &mut SplitMix64) -> usize {
        let total = *self.cumulative.last().unwrap_or(&0.0);
        let r = rng.unit() * total;
        self.cumulative
            .partition_point(|&c| c <= r)
            .min(self.cumulative.len() - 1)
    }
}

/// The deleted product: GBP, custom field, sales until it was retired.
fn add_deleted_product(store: &mut Store, timeline: &Timeline) -> usize {
    let (start, _) = timeline.window();
    let mut p = blank_product(store, start - 30 * DAY);
    p.name = "Film Presets, \"Kodachrome\" Edition (retired)".into();
    p.description = Some("<p>Retired. Thanks, everyone!</p>".into());
    p.currency = "gbp".into();
    p.price_cents = 1200;
    p.tags = vec!["presets".into(), "photography".into()];
    p.deleted_at = Some(timeline.micros_at(2025, 4, 30, 17, 12, 3) + 123_456);
    p.sales_count = 0;
    p.custom_fields = vec![field(store, "text", "Company name", false)];
    store.products.push(p);
    store.products.len() - 1
}

fn add_custom_fields(store: &mut Store, rng: &mut SplitMix64) {
    let candidates: Vec<usize> = (0..store.products.len())
        .filter(|&i| !store.products[i].is_tiered_membership && !store.products[i].is_deleted())
        .collect();
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < 2.min(candidates.len()) {
        let i = candidates[rng.below(candidates.len() as u64) as usize];
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    let specs: [&[(&str, &str, bool)]; 2] = [
        &[
            ("text", "Company name", false),
            ("checkbox", "Subscribe to updates?", false),
        ],
        &[
            ("text", "What will you build, and why?", true),
            ("long_text", "Anything else?", false),
        ],
    ];
    for (n, &pi) in chosen.iter().enumerate() {
        let fields: Vec<CustomField> = specs[n]
            .iter()
            .map(|(k, name, req)| field(store, k, name, *req))
            .collect();
        store.products[pi].custom_fields = fields;
    }
    if let Some(m) = store.products.iter().position(|p| p.is_tiered_membership) {
        let f = field(store, "text", "Discord username", true);
        store.products[m].custom_fields = vec![f];
    }
}

/// Subscriptions of the tiered membership and their charges, within `budget` sales.
fn add_subscriptions(
    store: &mut Store,
    rng: &mut SplitMix64,
    target: usize,
    budget: usize,
    timeline: &Timeline,
    out: &mut Vec<(Sale, Option<usize>)>,
) {
    let Some(m) = store.products.iter().position(|p| p.is_tiered_membership) else {
        return;
    };
    let (start, end) = timeline.window();
    let mut starts: Vec<i64> = (0..target)
        .map(|_| {
            start + rng.range(0, (end - start - DAY) / MICROS) * MICROS + rng.range(0, 999_999)
        })
        .collect();
    let (quiet_from, quiet_to) = quiet_days(timeline);
    for t in starts.iter_mut() {
        if (quiet_from..quiet_to).contains(t) {
            *t += quiet_to - quiet_from;
        }
    }
    starts.sort_unstable();
    let n_buyers = store.buyers.len();
    let mut used = 0usize;
    for created_at in starts {
        if used >= budget {
            break;
        }
        let product = &store.products[m];
        let yearly = rng.chance(0.2) && product.recurrences.iter().any(|r| r == "yearly");
        let recurrence: &'static str = if yearly { "yearly" } else { "monthly" };
        let period = if yearly { 365 * DAY } else { 30 * DAY };
        let tier = match rng.below(100) {
            0..=49 => 0u8,
            50..=84 => 1,
            _ => 2,
        };
        let tiers = &product.variant_categories[0].variants;
        let tier = tier.min(tiers.len().saturating_sub(1) as u8);
        let price = tiers[tier as usize]
            .recurrence_prices
            .get(recurrence)
            .map_or(product.price_cents, |r| r.price_cents);
        let currency = product.cur().code;
        let fields = product.custom_fields.clone();
        let buyer = pick_buyer(rng, n_buyers);
        let some_time_after = |rng: &mut SplitMix64, from: i64| {
            from + DAY + rng.range(0, ((end - from - 2 * DAY).max(DAY)) / MICROS) * MICROS
        };
        let mut sub = Subscription {
            serial: FIRST_SUBSCRIPTION_SERIAL + store.subscriptions.len() as u64,
            created_at,
            product: m as u32,
            buyer,
            recurrence,
            user_requested_cancellation_at: None,
            cancelled_at: None,
            ended_at: None,
            failed_at: None,
            free_trial_ends_at: rng.chance(0.1).then_some(created_at + 7 * DAY),
            deactivated_at: None,
            status: "alive",
            charge_occurrence_count: None,
            purchases: Vec::new(),
        };
        let mut stop = end;
        match rng.below(100) {
            0..=49 => {}
            50..=57 => {
                let requested = (end - rng.range(1, 20) * DAY).max(created_at + HOUR);
                sub.user_requested_cancellation_at = Some(requested);
                let charges = (end - created_at) / period + 1;
                sub.cancelled_at = Some(created_at + charges * period);
                sub.status = "pending_cancellation";
            }
            58..=62 => sub.status = "pending_failure",
            63..=79 => {
                let at = some_time_after(rng, created_at);
                sub.user_requested_cancellation_at = Some(at - rng.range(0, 3) * DAY);
                sub.cancelled_at = Some(at);
                sub.deactivated_at = Some(at);
                sub.status = "cancelled";
                stop = at;
            }
            80..=91 => {
                let at = some_time_after(rng, created_at);
                sub.failed_at = Some(at);
                sub.deactivated_at = Some(at);
                sub.status = "failed_payment";
                stop = at;
            }
            _ => {
                let count = if yearly { 1 } else { 3 };
                sub.charge_occurrence_count = Some(count);
                let ends = created_at + count * period;
                if ends < end {
                    sub.ended_at = Some(ends);
                    sub.deactivated_at = Some(ends);
                    sub.status = "fixed_subscription_period_ended";
                    stop = ends;
                } else {
                    stop = ends.min(end);
                }
            }
        }
        let index = store.subscriptions.len();
        let mut k = 0i64;
        loop {
            let mut t = if k == 0 {
                created_at
            } else {
                created_at + k * period + rng.range(0, 3600) * MICROS + rng.range(0, 999_999)
            };
            // Renewals due in the quiet days were retried right after them.
            if k > 0 && (quiet_from..quiet_to).contains(&t) {
                t += quiet_to - quiet_from;
            }
            if t >= stop || (k > 0 && sub.charge_occurrence_count.is_some_and(|c| k >= c)) {
                break;
            }
            let mut sale = blank_sale(t, m as u32, buyer);
            sale.variant = Some(tier);
            sale.price_cents = price;
            sale.fee_cents = fee(price, currency);
            sale.subscription = Some(index as u32);
            sale.is_recurring_billing = k > 0;
            sale.referrer = if k == 0 {
                rng.below(REFERRERS.len() as u64) as u8
            } else {
                0
            };
            sale.card = rng.below(4) as u8;
            for (slot, f) in fields.iter().take(3).enumerate() {
                sale.answers[slot] = answer(rng, f);
            }
            settle(rng, &mut sale);
            out.push((sale, Some(index)));
            used += 1;
            k += 1;
        }
        store.subscriptions.push(sub);
    }
}

/// Adds `n` sales (and everything they need) to a store built by `seed::build`, dated
/// on `timeline`.
pub fn add(store: &mut Store, n: usize, seed: u64, timeline: &Timeline) {
    let mut rng = SplitMix64::derive(seed, "sales");
    store.id_key = SplitMix64::derive(seed, "row-ids").next_u64();
    store.answers = ANSWERS.iter().map(|s| s.to_string()).collect();
    let deleted = add_deleted_product(store, timeline);
    add_custom_fields(store, &mut rng);
    store.buyers = buyers(&mut rng, (n / 3).max(HOSTILE_NAMES.len() + 2));
    let n_buyers = store.buyers.len();

    let mut events: Vec<(Sale, Option<usize>)> = Vec::with_capacity(n);
    add_subscriptions(store, &mut rng, n / 80, n / 5, timeline, &mut events);

    let (start, end) = timeline.window();
    let days = ((end - start) / DAY) as usize;
    let launch = ((launch_day(timeline) - start) / DAY) as usize;
    let (quiet_from, quiet_to) = quiet_days(timeline);
    let remaining = n.saturating_sub(events.len());
    let dense = if remaining >= 1200 {
        320 + remaining / 200
    } else {
        remaining / 4
    };
    let mut weights = vec![0.0f64; days];
    for (d, w) in weights.iter_mut().enumerate() {
        let at = start + d as i64 * DAY;
        if d == launch || (quiet_from..quiet_to).contains(&at) || rng.chance(0.04) {
            continue;
        }
        let weekend = if timeline.weekday(d) >= 5 { 0.7 } else { 1.0 };
        *w = (1.0 + 1.5 * d as f64 / days as f64) * weekend * (0.5 + rng.unit());
        *w *= timeline.season(d);
    }
    let days_w = Weights::new(&weights);

    // One-off products: everything but the membership; the deleted one only before its deletion.
    let alive: Vec<usize> = (0..store.products.len())
        .filter(|&i| i != deleted && !store.products[i].is_tiered_membership)
        .collect();
    let product_w = Weights::new(
        &alive
            .iter()
            .map(|&i| 5.0 + (store.products[i].sales_count as f64).sqrt())
            .collect::<Vec<_>>(),
    );
    let deleted_at = store.products[deleted].deleted_at.unwrap_or(end);

    let mut last: Option<(i64, u32)> = None;
    for k in 0..remaining {
        let (t, buyer) = match last {
            // A cart: the same buyer, the same instant, another product.
            Some(prev) if rng.chance(0.03) => prev,
            _ => {
                let t = if k < dense {
                    let base = launch_day(timeline);
                    if rng.chance(0.7) {
                        base + 15 * HOUR
                            + rng.range(0, 2 * 3600 - 1) * MICROS
                            + rng.range(0, 999_999)
                    } else {
                        base + rng.range(0, 86_399) * MICROS + rng.range(0, 999_999)
                    }
                } else {
                    let d = days_w.pick(&mut rng);
                    start + d as i64 * DAY + rng.range(0, 86_399) * MICROS + rng.range(0, 999_999)
                };
                (t, pick_buyer(&mut rng, n_buyers))
            }
        };
        // A store whose only product is the deleted one sold it before the deletion.
        let t = if alive.is_empty() {
            t.min(deleted_at - MICROS)
        } else {
            t
        };
        last = Some((t, buyer));
        let pi = if alive.is_empty() || (t < deleted_at && rng.chance(0.05)) {
            deleted
        } else {
            alive[product_w.pick(&mut rng)]
        };
        events.push((one_off(store, &mut rng, pi, t, buyer), None));
    }

    // Nothing after the moment the sandbox started (the order stays as it was).
    for (sale, _) in events.iter_mut() {
        sale.created_at = timeline.squeeze(sale.created_at);
    }
    // Number rows in created_at order (stable: ties keep generation order).
    events.sort_by_key(|(s, _)| s.created_at);
    store.sales = Vec::with_capacity(events.len());
    for (i, (mut sale, sub)) in events.into_iter().enumerate() {
        sale.serial = FIRST_SALE_SERIAL + i as u64;
        if let Some(si) = sub {
            store.subscriptions[si].purchases.push(sale.serial);
        }
        store.sales.push(sale);
    }
}

#[cfg(test)]
mod tests {
    use crate::accounts;
    use crate::timeline::Timeline;

    #[test]
    fn exactly_n_sales_numbered_in_time_order() {
        for n in [1usize, 7, 100, 2000] {
            let s = accounts::store(0, 25, n, 3, &Timeline::fixed(), &[]);
            assert_eq!(s.sales.len(), n);
            for w in s.sales.windows(2) {
                assert!(w[0].created_at <= w[1].created_at);
                assert_eq!(w[0].serial + 1, w[1].serial);
            }
        }
    }

    #[test]
    fn small_stores_with_sales_build() {
        for products in [0usize, 1, 2, 3] {
            let s = accounts::store(0, products, 500, 1, &Timeline::fixed(), &[]);
            assert_eq!(s.sales.len(), 500);
        }
    }

    #[test]
    fn the_mix_is_there() {
        let s = accounts::store(0, 25, 5000, 1, &Timeline::fixed(), &[]);
        let deleted = s.products.iter().position(|p| p.is_deleted()).unwrap();
        assert!(s.sales.iter().any(|x| x.product as usize == deleted));
        assert!(s
            .sales
            .iter()
            .filter(|x| x.product as usize == deleted)
            .all(|x| Some(x.created_at) < s.products[deleted].deleted_at));
        assert!(s.sales.iter().any(|x| x.is_refunded()));
        assert!(s.sales.iter().any(|x| x.is_partially_refunded()));
        assert!(s.sales.iter().any(|x| x.chargedback));
        assert!(s.sales.iter().any(|x| x.offer_code.is_some()));
        assert!(s.sales.iter().any(|x| x.is_recurring_billing));
        assert!(s
            .sales
            .windows(2)
            .any(|w| w[0].created_at == w[1].created_at));
        let mut currencies: Vec<&str> = s
            .sales
            .iter()
            .map(|x| s.products[x.product as usize].currency.as_str())
            .collect();
        currencies.sort_unstable();
        currencies.dedup();
        assert!(currencies.len() >= 3, "{currencies:?}");
        let statuses: std::collections::HashSet<&str> =
            s.subscriptions.iter().map(|x| x.status).collect();
        assert!(statuses.len() >= 5, "{statuses:?}");
    }

    #[test]
    fn a_moved_calendar_ends_on_its_last_day_with_nothing_after_now() {
        use crate::clock;
        let last = clock::day_number(2026, 12, 4);
        let now = clock::micros_at(2026, 12, 4, 15, 14, 0);
        let timeline = Timeline::ending_on(last, now);
        let s = accounts::store(0, 40, 3000, 1, &timeline, &[]);
        assert_eq!(s.sales.len(), 3000);
        let (start, _) = timeline.window();
        assert!(s
            .sales
            .iter()
            .all(|x| (start..=now).contains(&x.created_at)));
        let first = clock::day_of(s.sales[0].created_at);
        assert!(
            first < clock::day_number(2024, 12, 11),
            "two years, from the start"
        );
        let month_ago = clock::day_start(last - 29);
        let recent = s.sales.iter().filter(|x| x.created_at >= month_ago).count();
        assert!(recent >= 60, "the last 30 days sell: {recent}");
        assert!(s.sales.iter().any(|x| clock::day_of(x.created_at) == last));
        // The launch day moved with the rest (2025-03-14 was 200 days before the end).
        let launch = last - 200;
        let on_launch = s
            .sales
            .iter()
            .filter(|x| clock::day_of(x.created_at) == launch);
        assert!(on_launch.count() >= 300);
        // Seasons: the last November sells more than the July before it.
        let in_month = |y, m| {
            let (from, to) = (clock::day_number(y, m, 1), clock::day_number(y, m + 1, 1));
            let range = clock::day_start(from)..clock::day_start(to);
            s.sales
                .iter()
                .filter(|x| range.contains(&x.created_at))
                .count()
        };
        assert!(
            in_month(2026, 11) > in_month(2026, 7),
            "{} {}",
            in_month(2026, 11),
            in_month(2026, 7)
        );
        // Renewals, refunds and codes are there as on the fixed calendar.
        assert!(s
            .sales
            .iter()
            .any(|x| x.is_recurring_billing && x.created_at >= month_ago));
        assert!(s.sales.iter().any(|x| x.is_refunded()));
        assert!(s.sales.iter().any(|x| x.offer_code.is_some()));
        // Nothing in the store is dated after now: products, codes, the deleted product.
        assert!(s
            .products
            .iter()
            .all(|p| p.created_at <= now && p.deleted_at.is_none_or(|t| t <= now)));
        assert!(s.offer_codes.iter().all(|c| c.created_at <= now));
        assert!(s.subscriptions.iter().all(|x| x.created_at <= now));
    }
}
