//! Gumroad's category taxonomy (`GET /v2/categories`, additions §2) and the market of
//! other sellers' listings that `GET /v2/products/comps` compares prices against.
//!
//! Both are fixed: the same for every store, every seed and every run. Gumroad's real
//! taxonomy has more categories and other ids; this one keeps its shape (`name` is the
//! slug, `path` the slugs from the root joined by `/`, `label` what a seller reads) and
//! enough depth (three levels) for "a category includes its descendants" to matter.

use crate::money;
use crate::rng::SplitMix64;

/// One category: `(id, parent_id, name (slug), label)`, parents before children.
pub struct Category {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: &'static str,
    pub label: &'static str,
}

const fn cat(id: i64, parent_id: Option<i64>, name: &'static str, label: &'static str) -> Category {
    Category {
        id,
        parent_id,
        name,
        label,
    }
}

/// The taxonomy, by id (ids are 1..=N in this order).
pub const CATEGORIES: &[Category] = &[
    cat(1, None, "3d", "3D"),
    cat(2, Some(1), "3d-modeling", "3D Modeling"),
    cat(3, Some(1), "character-design", "Character Design"),
    cat(4, Some(1), "vrchat", "VRChat"),
    cat(5, None, "business-and-money", "Business & Money"),
    cat(6, Some(5), "entrepreneurship", "Entrepreneurship"),
    cat(7, Some(5), "marketing-and-sales", "Marketing & Sales"),
    cat(8, Some(5), "personal-finance", "Personal Finance"),
    cat(9, None, "design", "Design"),
    cat(10, Some(9), "fonts", "Fonts"),
    cat(11, Some(9), "graphics", "Graphics"),
    cat(12, Some(9), "icons", "Icons"),
    cat(13, Some(9), "ui-and-web", "UI & Web"),
    cat(14, Some(13), "figma", "Figma"),
    cat(15, Some(13), "webflow", "Webflow"),
    cat(16, None, "drawing-and-painting", "Drawing & Painting"),
    cat(17, Some(16), "digital-illustration", "Digital Illustration"),
    cat(18, Some(16), "procreate", "Procreate"),
    cat(19, Some(16), "watercolor", "Watercolor"),
    cat(20, None, "education", "Education"),
    cat(21, Some(20), "languages", "Languages"),
    cat(22, Some(20), "online-courses", "Online Courses"),
    cat(23, None, "fitness-and-health", "Fitness & Health"),
    cat(24, None, "music-and-sound-design", "Music & Sound Design"),
    cat(25, Some(24), "music-production", "Music Production"),
    cat(26, Some(24), "sample-packs", "Sample Packs"),
    cat(27, Some(24), "sound-effects", "Sound Effects"),
    cat(28, None, "photography", "Photography"),
    cat(29, Some(28), "presets", "Presets"),
    cat(30, Some(29), "lightroom", "Lightroom"),
    cat(31, Some(28), "stock-photos", "Stock Photos"),
    cat(32, None, "self-improvement", "Self Improvement"),
    cat(33, Some(32), "productivity", "Productivity"),
    cat(34, Some(33), "notion", "Notion"),
    cat(35, None, "software-development", "Software Development"),
    cat(36, Some(35), "app-development", "App Development"),
    cat(37, Some(35), "programming", "Programming"),
    cat(38, Some(35), "web-development", "Web Development"),
    cat(39, None, "writing-and-publishing", "Writing & Publishing"),
    cat(40, Some(39), "ebooks", "eBooks"),
    cat(41, Some(39), "writing-guides", "Writing Guides"),
    cat(42, None, "other", "Other"),
];

pub fn by_id(id: i64) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.id == id)
}

/// `design/ui-and-web/figma`: the slugs from the root down.
pub fn path(c: &Category) -> String {
    let mut parts = vec![c.name];
    let mut parent = c.parent_id;
    while let Some(p) = parent.and_then(by_id) {
        parts.push(p.name);
        parent = p.parent_id;
    }
    parts.reverse();
    parts.join("/")
}

/// Exact path match (case-sensitive, no leading or trailing slash), as Gumroad's
/// `category_for_path` looks a path up among the known ones.
pub fn by_path(wanted: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| path(c) == wanted)
}

/// Whether `c` is `root` or lies under it.
pub fn is_within(c: &Category, root: &Category) -> bool {
    let mut at = Some(c);
    while let Some(x) = at {
        if x.id == root.id {
            return true;
        }
        at = x.parent_id.and_then(by_id);
    }
    false
}

/// A listing another seller has on Gumroad (what comps compare against).
#[derive(Clone, Debug)]
pub struct MarketListing {
    pub name: String,
    pub tags: Vec<String>,
    /// Minor units of the listing's currency; 0 = free.
    pub price_cents: i64,
    pub url: String,
    /// What orders examples: Gumroad lists the best sellers first.
    pub sales: i64,
}

/// The currencies other sellers price in (others have no market: comps in them count the
/// store's own products alone).
pub const MARKET_CURRENCIES: &[&str] = &["usd", "eur", "gbp", "jpy"];

const MARKET_WORDS: &[&str] = &[
    "Essential",
    "Pro",
    "Starter",
    "Complete",
    "Mini",
    "Studio",
    "Everyday",
    "Advanced",
];
const MARKET_KINDS: &[&str] = &["Pack", "Kit", "Bundle", "Guide", "Course", "Collection"];
const MARKET_SELLERS: &[&str] = &[
    "northwind",
    "pixelpine",
    "quietfox",
    "studioharbor",
    "lumenlab",
];

/// Typical USD price (cents) of a top-level category, the centre of its seeded listings.
fn base_usd_cents(root: &str) -> i64 {
    match root {
        "3d" => 2500,
        "business-and-money" => 2900,
        "design" => 1900,
        "drawing-and-painting" => 1200,
        "education" => 4900,
        "fitness-and-health" => 2000,
        "music-and-sound-design" => 1500,
        "photography" => 1000,
        "self-improvement" => 1500,
        "software-development" => 3900,
        "writing-and-publishing" => 1200,
        _ => 1000,
    }
}

fn root_of(c: &Category) -> &'static Category {
    let mut at = by_id(c.id).expect("a category of the table");
    while let Some(p) = at.parent_id.and_then(by_id) {
        at = p;
    }
    at
}

/// Other sellers' listings filed directly in category `c`, priced in `currency`: the same
/// every time (seeded from the category's path and the currency, never from the store).
/// Between 4 and 9 listings for USD, 1 to 4 for EUR, GBP and JPY, none in other
/// currencies; about one in six is free.
pub fn market(c: &Category, currency: &str) -> Vec<MarketListing> {
    if !MARKET_CURRENCIES.contains(&currency) {
        return Vec::new();
    }
    let path = path(c);
    let mut rng = SplitMix64::derive(0x6d61_726b_6574, &format!("comps/{path}/{currency}"));
    let count = if currency == "usd" {
        rng.range(4, 9)
    } else {
        rng.range(1, 4)
    };
    let cur = money::currency_or_usd(currency);
    let base = base_usd_cents(root_of(c).name);
    (0..count)
        .map(|n| {
            let word = *rng.pick(MARKET_WORDS);
            let kind = *rng.pick(MARKET_KINDS);
            let seller = *rng.pick(MARKET_SELLERS);
            let free = rng.chance(1.0 / 6.0);
            // A spread from a third of the typical price to three times it, in whole units
            // minus one cent (…99), as sellers price.
            let factor = 0.33 + rng.unit() * 2.67;
            let usd = (base as f64 * factor) as i64;
            let price_cents = if free {
                0
            } else {
                let local = match currency {
                    "eur" => usd * 92 / 100,
                    "gbp" => usd * 79 / 100,
                    // Yen are whole units: 1 USD cent ≈ 1.5 yen.
                    "jpy" => usd * 3 / 2,
                    _ => usd,
                };
                let rounded = if cur.single_unit {
                    (local / 100).max(1) * 100 - 20
                } else {
                    (local / 100).max(1) * 100 + 99
                };
                rounded.max(cur.min_price)
            };
            let permalink: String = (0..6)
                .map(|_| (b'a' + rng.below(26) as u8) as char)
                .collect();
            MarketListing {
                name: format!("{word} {} {kind} #{}", c.label, n + 1),
                tags: vec![c.name.to_string(), kind.to_lowercase()],
                price_cents,
                url: format!("https://{seller}.gumroad.com/l/{permalink}"),
                sales: rng.range(0, 2000),
            }
        })
        .collect()
}

/// Quartile `q` (0.25, 0.5, 0.75) of `sorted` by linear interpolation between the two
/// nearest ranks (PostgreSQL's `percentile_cont`), rounded half away from zero; `None`
/// for an empty list.
pub fn quartile(sorted: &[i64], q: f64) -> Option<i64> {
    let (&first, rest) = sorted.split_first()?;
    if rest.is_empty() {
        return Some(first);
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    let v = sorted[lo] as f64 + (sorted[hi] - sorted[lo]) as f64 * frac;
    Some(v.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_in_order_parents_first_and_paths_unique() {
        let mut paths = std::collections::HashSet::new();
        for (i, c) in CATEGORIES.iter().enumerate() {
            assert_eq!(c.id, i as i64 + 1);
            if let Some(p) = c.parent_id {
                assert!(p < c.id, "{}", c.name);
            }
            assert!(paths.insert(path(c)));
        }
        assert_eq!(path(by_id(14).unwrap()), "design/ui-and-web/figma");
        assert_eq!(by_path("design/ui-and-web/figma").unwrap().id, 14);
        assert!(by_path("design/").is_none() && by_path("Design").is_none());
        assert!(is_within(by_id(14).unwrap(), by_id(9).unwrap()));
        assert!(!is_within(by_id(9).unwrap(), by_id(14).unwrap()));
    }

    #[test]
    fn the_market_is_fixed_and_priced_validly() {
        let figma = by_id(14).unwrap();
        let a = market(figma, "usd");
        let b = market(figma, "usd");
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert!((4..=9).contains(&a.len()));
        assert!(market(figma, "czk").is_empty());
        for c in CATEGORIES {
            for cur in MARKET_CURRENCIES {
                for l in market(c, cur) {
                    assert!(money::is_valid_price(
                        l.price_cents,
                        money::currency_or_usd(cur)
                    ));
                }
            }
        }
    }

    #[test]
    fn quartiles_interpolate() {
        assert_eq!(quartile(&[], 0.5), None);
        assert_eq!(quartile(&[700], 0.25), Some(700));
        let v = [1000, 2000, 3000, 4000];
        assert_eq!(quartile(&v, 0.25), Some(1750));
        assert_eq!(quartile(&v, 0.5), Some(2500));
        assert_eq!(quartile(&v, 0.75), Some(3250));
    }
}
