//! The kinds of finding the audit knows — stable id, the filter's label, severity, the rule
//! in words, and which part of the score each lowers by how much — and the parts of the
//! score with their weights. Data only; the checks that find them are in `checks`.

use std::borrow::Cow;

use serde::Serialize;

/// The parts of the score (the closed Gumroad proposal's five), serialized as their ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PartId {
    Name,
    Description,
    Cover,
    Pricing,
    SocialProof,
}

impl PartId {
    pub const ALL: [PartId; 5] = [
        PartId::Name,
        PartId::Description,
        PartId::Cover,
        PartId::Pricing,
        PartId::SocialProof,
    ];

    /// Percent of the score.
    pub fn weight(self) -> u32 {
        match self {
            PartId::Name => 15,
            PartId::Description => 30,
            PartId::Cover => 20,
            PartId::Pricing => 15,
            PartId::SocialProof => 20,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PartId::Name => "Name, tags and category",
            PartId::Description => "Description and summary",
            PartId::Cover => "Cover and thumbnail",
            PartId::Pricing => "Price against comparable products",
            PartId::SocialProof => "Sales and reviews",
        }
    }
}

/// How sure a finding is: a rule broken, advice, or something the API does not tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    Problem,
    Advice,
    Unknown,
}

/// One kind of finding: its stable id, the filter's label, and the rule in words.
#[derive(Debug)]
pub struct Kind {
    pub id: &'static str,
    pub label: &'static str,
    pub severity: Severity,
    pub rule: &'static str,
    /// The part it lowers and by how many points (of 100). Pricing and social proof are
    /// scored from their values, not by penalties.
    pub part: Option<PartId>,
    pub penalty: u32,
}

macro_rules! kinds {
    ($($name:ident = $id:literal, $label:literal, $severity:ident, $part:expr, $penalty:literal, $rule:literal;)*) => {
        $(pub const $name: Kind = Kind {
            id: $id, label: $label, severity: Severity::$severity, rule: $rule,
            part: $part, penalty: $penalty,
        };)*
        /// Every kind, in the order the filter lists them when counts tie.
        pub const KINDS: &[&Kind] = &[$(&$name),*];
    };
}

const NAME: Option<PartId> = Some(PartId::Name);
const DESCRIPTION: Option<PartId> = Some(PartId::Description);
const COVER: Option<PartId> = Some(PartId::Cover);
const PRICING: Option<PartId> = Some(PartId::Pricing);
const SOCIAL: Option<PartId> = Some(PartId::SocialProof);

kinds! {
    UNPUBLISHED = "unpublished", "Not published", Problem, None, 0,
        "Discover and search list only published products.";
    NO_CATEGORY = "no-category", "No category", Problem, NAME, 30,
        "Discover lists only products with a category.";
    CATEGORY_UNKNOWN = "category-unknown", "Category unknown", Unknown, None, 0,
        "Discover lists only products with a category; Gumroad's API did not say whether this one has one.";
    REVIEWS_HIDDEN = "reviews-hidden", "Reviews hidden", Problem, SOCIAL, 0,
        "Discover lists only products that display their reviews.";
    REVIEWS_UNKNOWN = "reviews-unknown", "Reviews display unknown", Unknown, SOCIAL, 0,
        "Discover lists only products that display their reviews; the product object does not say whether this one does.";
    NO_SALES = "no-sales", "No sale yet", Problem, SOCIAL, 0,
        "Discover lists only products that have had a sale.";
    SALES_UNKNOWN = "sales-unknown", "Sales unknown", Unknown, SOCIAL, 0,
        "Discover lists only products that have had a sale; Gumroad shows sales counts only to tokens with the view_sales scope.";
    NAME_MISSING = "name-missing", "No name", Problem, NAME, 100,
        "Gumroad requires a name.";
    NAME_TOO_LONG = "name-too-long", "Name too long", Problem, NAME, 60,
        "Gumroad allows names of up to 255 characters.";
    NAME_SHOUTING = "name-shouting", "Name in capitals", Advice, NAME, 30,
        "A name mostly in capitals reads as shouting in search results and on Discover.";
    NAME_FILLER_FIRST = "name-filler-first", "Name opens with filler", Advice, NAME, 15,
        "Autocomplete and search results show a name's first words: key words first.";
    NAME_KEY_WORDS_LATE = "name-key-words-late", "Key words late in the name", Advice, NAME, 15,
        "Autocomplete and search results show a name's first words: key words first.";
    NO_TAGS = "no-tags", "No tags", Advice, NAME, 20,
        "Gumroad's search matches a product's tags as well as its name and description.";
    TAG_TOO_SHORT = "tag-too-short", "Tag too short", Problem, NAME, 15,
        "Gumroad's tags have 2 to 20 characters.";
    TAG_TOO_LONG = "tag-too-long", "Tag too long", Problem, NAME, 15,
        "Gumroad's tags have 2 to 20 characters.";
    TAG_COMMA = "tag-comma", "Tag with a comma", Problem, NAME, 15,
        "Gumroad's tags cannot contain a comma.";
    TAG_HASH = "tag-hash", "Tag starting with #", Problem, NAME, 15,
        "Gumroad's tags cannot start with #.";
    TOO_MANY_TAGS = "too-many-tags", "More than 5 tags", Advice, NAME, 10,
        "Gumroad's dashboard allows 5 tags.";
    DESCRIPTION_MISSING = "description-missing", "No description", Problem, DESCRIPTION, 70,
        "Search matches the description's words, and search engines and social cards show its opening.";
    DESCRIPTION_SHORT = "description-short", "Short description", Advice, DESCRIPTION, 30,
        "A description under 300 characters gives search few words to match and buyers little to go on.";
    DESCRIPTION_NO_STRUCTURE = "description-no-structure", "Description in one block", Advice, DESCRIPTION, 15,
        "Buyers scan: paragraphs, headings and lists make a long description readable.";
    OPENING_GENERIC = "opening-generic", "Generic opening", Advice, DESCRIPTION, 15,
        "Search engines and social cards show the description's first 160 characters.";
    SUMMARY_TOO_LONG = "summary-too-long", "Summary too long", Problem, DESCRIPTION, 15,
        "Structured data (JSON-LD) cuts the summary at 160 characters.";
    SUMMARY_MISSING = "summary-missing", "No summary", Advice, DESCRIPTION, 5,
        "Structured data (JSON-LD) shows the summary if there is one, else the description's opening.";
    NO_COVER = "no-cover", "No cover", Problem, COVER, 70,
        "The product page and Discover show the cover first.";
    NO_THUMBNAIL = "no-thumbnail", "No thumbnail", Advice, COVER, 30,
        "Discover and the library show the square thumbnail.";
    COVER_SMALL = "cover-small", "Small cover", Advice, COVER, 10,
        "Gumroad recommends covers of at least 1280 × 720 pixels.";
    PRICE_BELOW_COMPS = "price-below-comps", "Priced below comparable products", Advice, PRICING, 0,
        "Comparable products (same category and currency, paid listings) mostly cost between their 25th and 75th percentile.";
    PRICE_ABOVE_COMPS = "price-above-comps", "Priced above comparable products", Advice, PRICING, 0,
        "Comparable products (same category and currency, paid listings) mostly cost between their 25th and 75th percentile.";
    COMPS_UNKNOWN = "comps-unknown", "Comparable prices unknown", Unknown, PRICING, 0,
        "The price is compared with Gumroad's comparable products (GET /v2/products/comps) in its category and currency.";
    PRICE_NOT_COMPARED = "price-not-compared", "Price not compared", Unknown, PRICING, 0,
        "Gumroad's comparable prices leave free listings out and know one price per product, not per tier.";
}

/// A finding as the table and the detail show it (read back from JS for the CSV, hence
/// owned text where it came from JS).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub id: Cow<'static, str>,
    pub severity: Severity,
    pub rule: Cow<'static, str>,
    pub message: String,
    pub fix: String,
    #[serde(skip)]
    pub part: Option<PartId>,
    #[serde(skip)]
    pub penalty: u32,
}

pub(super) fn found(kind: &Kind, message: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding {
        id: Cow::Borrowed(kind.id),
        severity: kind.severity,
        rule: Cow::Borrowed(kind.rule),
        message: message.into(),
        fix: fix.into(),
        part: kind.part,
        penalty: kind.penalty,
    }
}
