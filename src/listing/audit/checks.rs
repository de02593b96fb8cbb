//! The audit's findings, one function per field: each reads a product (and what is known
//! of Gumroad's catalogue) and returns the findings that apply, each with the rule behind
//! it, the value that breaks it and the fix. Which part of the score a finding lowers, and
//! by how much, is part of its [`Kind`]. Pure; knows nothing of rows, bands or CSV.

use super::super::html::{first_chars, pieces, plain_text, tag_name, Piece};
use super::super::rules::{
    name_problem, normalize_tag, summary_problem, tag_problem, NAME_MAX, SNIPPET_CHARS,
    SUMMARY_MAX, TAGS_MAX, TAG_MAX, TAG_MIN,
};
use super::kinds::*;
use crate::model::{Category, Product};

/// A description under this many characters of plain text is short.
pub const DESCRIPTION_SHORT_CHARS: usize = 300;
/// A name whose first key word starts after this many characters has its key words late
/// (search results and Discover cards cut long names around here).
pub const KEY_WORDS_BY_CHAR: usize = 40;
/// A name with at least this many letters, this share of them capitals, is shouting.
const SHOUTING_MIN_LETTERS: usize = 6;
const SHOUTING_SHARE: f64 = 0.7;

/// Words that say nothing of the product when a name opens with them.
const FILLER: &[&str] = &[
    "the",
    "a",
    "an",
    "my",
    "our",
    "your",
    "ultimate",
    "best",
    "awesome",
    "amazing",
    "introducing",
    "new",
    "super",
    "great",
];

/// Openings that spend the snippet on a greeting or a preamble.
const GENERIC_OPENINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "welcome",
    "thank you",
    "thanks",
    "in this",
    "this is",
    "here is",
    "here's",
    "introducing",
    "description",
    "about this",
];

/// Words too common to count as key words.
const STOP_WORDS: &[&str] = &["and", "for", "the", "with", "other", "more", "all"];

/// The product's category path: its own, or its taxonomy id's in `categories`.
pub fn category_path<'a>(
    product: &'a Product,
    categories: Option<&'a [Category]>,
) -> Option<&'a str> {
    let own = product
        .category
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    own.or_else(|| {
        let id = product.taxonomy_id?;
        categories?
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.path.as_str())
    })
}

/// The category as the seller reads it (`Figma`), when known.
pub fn category_label(product: &Product, categories: Option<&[Category]>) -> Option<String> {
    if let Some(label) = product
        .category_label
        .as_deref()
        .filter(|l| !l.trim().is_empty())
    {
        return Some(label.trim().to_owned());
    }
    let by_id = product
        .taxonomy_id
        .and_then(|id| categories?.iter().find(|c| c.id == id));
    let by_path = || {
        let path = product.category.as_deref()?;
        categories?.iter().find(|c| c.path == path)
    };
    by_id
        .or_else(by_path)
        .map(|c| {
            if c.label.is_empty() {
                c.name.clone()
            } else {
                c.label.clone()
            }
        })
        .or_else(|| product.category.clone())
}

/// Whether the product has a category: `None` when Gumroad's API did not say (its
/// categories could not be read, so an absent field may be an older API's).
pub fn has_category(product: &Product, categories: Option<&[Category]>) -> Option<bool> {
    if product.taxonomy_id.is_some()
        || product
            .category
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty())
    {
        Some(true)
    } else {
        categories.map(|_| false)
    }
}

/// Published and category (the Discover conditions that are not social proof).
pub fn status_findings(product: &Product, categories: Option<&[Category]>) -> Vec<Finding> {
    let mut out = Vec::new();
    if !product.published {
        out.push(found(
            &UNPUBLISHED,
            "The product is not published: buyers can neither find nor buy it.",
            "Publish it on Gumroad when it is ready (Bulkroad does not publish products).",
        ));
    }
    match has_category(product, categories) {
        Some(true) => {}
        Some(false) => out.push(found(
            &NO_CATEGORY,
            "The product has no category, so Discover does not list it and its price cannot be compared.",
            "Set a category with Bulkroad's category edit.",
        )),
        None => out.push(found(
            &CATEGORY_UNKNOWN,
            "Gumroad did not say whether the product has a category.",
            "Check the product's category on Gumroad; Bulkroad's category edit sets one.",
        )),
    }
    out
}

/// The name's findings: present, at most 255 characters, not shouting, key words first.
pub fn name_findings(product: &Product, categories: Option<&[Category]>) -> Vec<Finding> {
    let name = product.name.trim();
    if let Some(problem) = name_problem(name) {
        let kind = if name.is_empty() {
            &NAME_MISSING
        } else {
            &NAME_TOO_LONG
        };
        let fix =
            format!("Give it a name of at most {NAME_MAX} characters with Bulkroad's name edit.");
        return vec![found(kind, problem, fix)];
    }
    let mut out = Vec::new();
    let letters: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
    let capitals = letters.iter().filter(|c| c.is_uppercase()).count();
    if letters.len() >= SHOUTING_MIN_LETTERS
        && capitals as f64 >= SHOUTING_SHARE * letters.len() as f64
    {
        out.push(found(
            &NAME_SHOUTING,
            format!("The name \"{}\" is mostly capitals.", first_chars(name, 60)),
            "Write it in sentence or title case with Bulkroad's name edit.",
        ));
    }
    let words = words(name);
    if let Some(first) = words.first().filter(|w| FILLER.contains(&w.1.as_str())) {
        out.push(found(
            &NAME_FILLER_FIRST,
            format!(
                "The name opens with \"{}\", which says nothing of the product.",
                &name[first.0..first.0 + first.2]
            ),
            "Start the name with what the product is (e.g. \"Procreate brushes for…\") with Bulkroad's name edit.",
        ));
    }
    let keys = key_words(product, categories);
    let first_key = words.iter().find(|(_, word, _)| keys.contains(word));
    if let Some((at, word, _)) = first_key {
        let chars_before = name[..*at].chars().count();
        if chars_before > KEY_WORDS_BY_CHAR {
            out.push(found(
                &NAME_KEY_WORDS_LATE,
                format!(
                    "The first key word of the name, \"{word}\", comes after {chars_before} characters."
                ),
                "Move the words buyers search for (its tags, its category) to the front with Bulkroad's name edit.",
            ));
        }
    }
    out
}

/// Lower-cased words of `text` with their byte offset and byte length.
fn words(text: &str) -> Vec<(usize, String, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (at, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                out.push((from, text[from..at].to_lowercase(), at - from));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The words buyers search for, as the seller said them: the words of its tags and of its
/// category's label (three letters or more, common words left out).
pub fn key_words(product: &Product, categories: Option<&[Category]>) -> Vec<String> {
    let label = category_label(product, categories).unwrap_or_default();
    let mut keys: Vec<String> = Vec::new();
    let texts = product
        .tags
        .iter()
        .map(String::as_str)
        .chain([label.as_str()]);
    for (_, word, _) in texts.flat_map(words) {
        if word.chars().count() >= 3
            && !STOP_WORDS.contains(&word.as_str())
            && !keys.contains(&word)
        {
            keys.push(word);
        }
    }
    keys
}

/// The tags' findings: each tag against Gumroad's rules, none at all, more than five.
pub fn tag_findings(product: &Product) -> Vec<Finding> {
    let tags: Vec<String> = product.tags.iter().map(|t| normalize_tag(t)).collect();
    if tags.is_empty() {
        return vec![found(
            &NO_TAGS,
            "The product has no tags.",
            format!("Add up to {TAGS_MAX} tags buyers would search for with Bulkroad's tag edit."),
        )];
    }
    let mut out = Vec::new();
    for tag in &tags {
        let Some(problem) = tag_problem(tag) else {
            continue;
        };
        let chars = tag.chars().count();
        let kind = if tag.contains(',') {
            &TAG_COMMA
        } else if tag.starts_with('#') {
            &TAG_HASH
        } else if chars < TAG_MIN {
            &TAG_TOO_SHORT
        } else {
            &TAG_TOO_LONG
        };
        let fix = format!(
            "Replace it with a tag of {TAG_MIN} to {TAG_MAX} characters, no comma and no leading #, with Bulkroad's tag edit."
        );
        out.push(found(kind, problem, fix));
    }
    if tags.len() > TAGS_MAX {
        out.push(found(
            &TOO_MANY_TAGS,
            format!(
                "The product has {} tags; Gumroad's dashboard allows {TAGS_MAX}.",
                tags.len()
            ),
            format!("Keep the {TAGS_MAX} that matter most with Bulkroad's tag edit."),
        ));
    }
    out
}

/// The description's and the summary's findings: present, long enough, structured, an
/// opening that is about the product; a summary within 160 characters.
pub fn description_findings(product: &Product) -> Vec<Finding> {
    let html = product.description.as_deref().unwrap_or_default();
    let text = plain_text(html);
    let chars = text.chars().count();
    let mut out = Vec::new();
    let mut weak_opening = true;
    if chars == 0 {
        out.push(found(
            &DESCRIPTION_MISSING,
            "The product has no description.",
            "Write one with Bulkroad's description edit (an AI suggestion can start it).",
        ));
    } else {
        if chars < DESCRIPTION_SHORT_CHARS {
            out.push(found(
                &DESCRIPTION_SHORT,
                format!("The description has {chars} characters of text."),
                format!("Say what the buyer gets, for whom and in what form, in at least {DESCRIPTION_SHORT_CHARS} characters, with Bulkroad's description edit."),
            ));
        } else if blocks(html) < 2 {
            out.push(found(
                &DESCRIPTION_NO_STRUCTURE,
                format!("The description's {chars} characters are one block, with no paragraphs or lists."),
                "Split it into paragraphs and a list of what is included, on Gumroad's editor or with Bulkroad's description edit.",
            ));
        }
        let opening = first_chars(&text, SNIPPET_CHARS);
        match generic_opening(opening) {
            Some(phrase) => out.push(found(
                &OPENING_GENERIC,
                format!("The description opens with \"{phrase}\": search engines show \"{}\".", first_chars(opening, 60)),
                "Open with what the product is and who it is for, with Bulkroad's description edit.",
            )),
            None => weak_opening = chars < DESCRIPTION_SHORT_CHARS,
        }
    }
    let summary = product
        .custom_summary
        .as_deref()
        .map(str::trim)
        .unwrap_or_default();
    if let Some(problem) = summary_problem(summary) {
        out.push(found(
            &SUMMARY_TOO_LONG,
            problem,
            format!("Shorten it to {SUMMARY_MAX} characters with Bulkroad's summary edit."),
        ));
    } else if summary.is_empty() && weak_opening {
        out.push(found(
            &SUMMARY_MISSING,
            "The product has no summary, and its description's opening does not say what it is.",
            format!(
                "Add a summary of at most {SUMMARY_MAX} characters with Bulkroad's summary edit."
            ),
        ));
    }
    out
}

/// The generic phrase `opening` starts with, if any.
fn generic_opening(opening: &str) -> Option<&'static str> {
    let lower = opening.trim_start().to_lowercase();
    GENERIC_OPENINGS.iter().copied().find(|phrase| {
        lower.starts_with(phrase)
            && !lower[phrase.len()..].starts_with(|c: char| c.is_alphanumeric())
    })
}

/// Paragraph-like blocks of `html` (paragraphs, headings, list items, line breaks).
fn blocks(html: &str) -> usize {
    pieces(html)
        .into_iter()
        .filter(|piece| match piece {
            Piece::Markup(markup) => {
                !markup.starts_with("</")
                    && matches!(
                        tag_name(markup).as_str(),
                        "p" | "br"
                            | "li"
                            | "h1"
                            | "h2"
                            | "h3"
                            | "h4"
                            | "h5"
                            | "h6"
                            | "div"
                            | "blockquote"
                    )
            }
            Piece::Text(_) => false,
        })
        .count()
}

/// The smallest cover Gumroad recommends, in pixels.
const COVER_MIN: (f64, f64) = (1280.0, 720.0);

/// The cover's and the thumbnail's findings.
pub fn cover_findings(product: &Product) -> Vec<Finding> {
    let mut out = Vec::new();
    let main = product
        .main_cover_id
        .as_deref()
        .and_then(|id| product.covers.iter().find(|c| c.id == id))
        .or(product.covers.first());
    match main {
        None => out.push(found(
            &NO_COVER,
            "The product has no cover.",
            "Add a cover image (at least 1280 × 720) in the product's editor on Gumroad.",
        )),
        Some(cover) if cover.kind == "image" => {
            let size = |v: &Option<serde_json::Value>| v.as_ref().and_then(number);
            if let (Some(w), Some(h)) = (size(&cover.width), size(&cover.height)) {
                if w < COVER_MIN.0 || h < COVER_MIN.1 {
                    out.push(found(
                        &COVER_SMALL,
                        format!("The cover is {w} × {h} pixels."),
                        "Upload a cover of at least 1280 × 720 in the product's editor on Gumroad.",
                    ));
                }
            }
        }
        Some(_) => {}
    }
    if product
        .thumbnail_url
        .as_deref()
        .is_none_or(|u| u.trim().is_empty())
    {
        out.push(found(
            &NO_THUMBNAIL,
            "The product has no thumbnail.",
            "Add a square thumbnail (at least 600 × 600) in the product's editor on Gumroad.",
        ));
    }
    out
}

/// A cover's size in pixels, as a number or a numeric string (whole pixels: no float
/// parsing, which would cost the wasm module a decimal parser).
fn number(value: &serde_json::Value) -> Option<f64> {
    let pixels = value
        .as_u64()
        .or_else(|| value.as_f64().map(|f| f as u64))
        .or_else(|| value.as_str().and_then(|s| s.trim().parse::<u64>().ok()))?;
    Some(pixels as f64)
}

/// Social proof: the score of the part (0–100) and its findings. An unknown sales count
/// or reviews flag scores 50, neither good nor bad.
pub fn social_proof(product: &Product) -> (u32, Vec<Finding>) {
    let mut out = Vec::new();
    let sales = match product.sales_count {
        None => {
            out.push(found(
                &SALES_UNKNOWN,
                "Gumroad did not show this product's sales count (the token lacks the view_sales scope).",
                "Connect with the view_sales scope to know whether it has had a sale.",
            ));
            50.0
        }
        Some(n) if n <= 0 => {
            out.push(found(
                &NO_SALES,
                "The product has had no sale yet.",
                "Discover lists it once it has sold: share it with your audience or offer a launch discount.",
            ));
            0.0
        }
        Some(n) => (60.0 + 20.0 * (n as f64).log10()).min(100.0),
    };
    let reviews = match product.display_product_reviews {
        None => {
            out.push(found(
                &REVIEWS_UNKNOWN,
                "Gumroad did not say whether the product page displays its reviews.",
                "Check that reviews are displayed in the product's settings on Gumroad.",
            ));
            50.0
        }
        Some(false) => {
            out.push(found(
                &REVIEWS_HIDDEN,
                "The product page does not display its reviews.",
                "Turn on the display of reviews in the product's settings on Gumroad.",
            ));
            0.0
        }
        Some(true) => 100.0,
    };
    ((0.6 * sales + 0.4 * reviews).round() as u32, out)
}
