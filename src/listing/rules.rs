//! Gumroad's rules for a listing's fields, as read from its code (additions §3, contract
//! §2.1), and what others are shown of a listing. The one place these limits live: the
//! audit scores against them, bulk edits refuse to send what breaks them, and AI
//! suggestions are checked with them before the seller sees them. Every problem is a
//! sentence that names the rule.

use super::html::{first_chars, plain_text};

/// A product name: required, at most 255 characters.
pub const NAME_MAX: usize = 255;
/// `custom_summary`: structured data cuts it (or the description) at 160 characters.
pub const SUMMARY_MAX: usize = 160;
/// Search engines and social cards show about this much of the description's opening.
pub const SNIPPET_CHARS: usize = 160;
/// `twitter:description` is the description's first 200 characters.
pub const SOCIAL_CARD_CHARS: usize = 200;
/// A tag is 2 to 20 characters once lower-cased and trimmed.
pub const TAG_MIN: usize = 2;
pub const TAG_MAX: usize = 20;
/// The dashboard allows 5 tags (the API enforces no count; Bulkroad keeps to the dashboard's).
pub const TAGS_MAX: usize = 5;

/// A tag as Gumroad stores it: trimmed and lower-cased.
pub fn normalize_tag(tag: &str) -> String {
    tag.trim().to_lowercase()
}

/// Tags typed as one line: split at commas, each normalized, blanks and repeats dropped.
pub fn parse_tags(typed: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in typed.split(',').map(normalize_tag) {
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// Why Gumroad would not take `tag` (already normalized), or `None`.
pub fn tag_problem(tag: &str) -> Option<String> {
    let chars = tag.chars().count();
    if tag.contains(',') {
        Some(format!(
            "The tag \"{tag}\" has a comma; Gumroad's tags cannot."
        ))
    } else if tag.starts_with('#') {
        Some(format!(
            "The tag \"{tag}\" starts with #; Gumroad's tags cannot."
        ))
    } else if !(TAG_MIN..=TAG_MAX).contains(&chars) {
        Some(format!(
            "The tag \"{}\" has {chars} characters; Gumroad's tags have {TAG_MIN} to {TAG_MAX}.",
            first_chars(tag, 30)
        ))
    } else {
        None
    }
}

/// Why a product should not carry `tags` (normalized): the first bad tag, or more than the
/// dashboard's five.
pub fn tags_problem(tags: &[String]) -> Option<String> {
    tags.iter().find_map(|t| tag_problem(t)).or_else(|| {
        (tags.len() > TAGS_MAX).then(|| {
            format!(
                "{} tags; Gumroad's dashboard allows {TAGS_MAX}.",
                tags.len()
            )
        })
    })
}

/// Why Gumroad would not take `name`, or `None`.
pub fn name_problem(name: &str) -> Option<String> {
    let chars = name.trim().chars().count();
    if chars == 0 {
        Some("A product needs a name.".to_owned())
    } else if chars > NAME_MAX {
        Some(format!(
            "The name has {chars} characters; Gumroad allows {NAME_MAX}."
        ))
    } else {
        None
    }
}

/// Why a summary is too long for its place, or `None`.
pub fn summary_problem(summary: &str) -> Option<String> {
    let chars = summary.trim().chars().count();
    (chars > SUMMARY_MAX).then(|| {
        format!(
            "The summary has {chars} characters; structured data shows the first {SUMMARY_MAX}."
        )
    })
}

/// What search engines and social cards show for a listing: the summary where there is one,
/// else the description's plain text, cut at [`SNIPPET_CHARS`].
pub fn snippet(summary: Option<&str>, description_html: Option<&str>) -> String {
    let text = match summary.map(str::trim).filter(|s| !s.is_empty()) {
        Some(summary) => summary.to_owned(),
        None => plain_text(description_html.unwrap_or_default()),
    };
    first_chars(&text, SNIPPET_CHARS).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_gumroads_rules() {
        let cases: [(&str, Option<&str>); 7] = [
            ("procreate", None),
            ("ui", None),
            ("a", Some("has 1 characters")),
            ("twenty-one-characters", Some("has 21 characters")),
            ("#brushes", Some("starts with #")),
            ("a,b", Some("has a comma")),
            ("exactly-twenty-chars", None),
        ];
        for (tag, problem) in cases {
            match (tag_problem(tag), problem) {
                (None, None) => {}
                (Some(got), Some(want)) => assert!(got.contains(want), "{tag}: {got}"),
                (got, want) => panic!("{tag}: got {got:?}, wanted {want:?}"),
            }
        }
        let six: Vec<String> = ["aa", "bb", "cc", "dd", "ee", "ff"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            tags_problem(&six).as_deref(),
            Some("6 tags; Gumroad's dashboard allows 5.")
        );
        assert_eq!(tags_problem(&six[..5]), None);
    }

    #[test]
    fn typed_tags_are_split_normalized_and_deduplicated() {
        assert_eq!(
            parse_tags(" Brushes, procreate ,, BRUSHES,Ünïcode "),
            ["brushes", "procreate", "ünïcode"]
        );
        assert!(parse_tags(" , ").is_empty());
    }

    #[test]
    fn names_and_summaries_have_limits() {
        assert_eq!(
            name_problem("  ").as_deref(),
            Some("A product needs a name.")
        );
        assert_eq!(name_problem(&"é".repeat(255)), None);
        assert!(name_problem(&"é".repeat(256))
            .unwrap()
            .contains("256 characters"));
        assert_eq!(summary_problem(&"x".repeat(160)), None);
        assert!(summary_problem(&"x".repeat(161))
            .unwrap()
            .contains("first 160"));
    }

    #[test]
    fn the_snippet_prefers_the_summary_and_cuts_at_160() {
        let long = format!("<p>{}</p>", "word ".repeat(60));
        assert_eq!(snippet(Some(" Short. "), Some(&long)), "Short.");
        let cut = snippet(None, Some(&long));
        assert_eq!(cut.chars().count(), 160);
        assert!(cut.starts_with("word word"));
        assert_eq!(snippet(Some(""), None), "");
    }
}
