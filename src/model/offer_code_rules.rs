//! Gumroad's rules for offer-code names and terms that planners, the engine and the parity
//! table share: which characters a name may hold ([`is_code_char`], [`check_code_name`]),
//! how names compare ([`collation_key`]), and whether a code found on Gumroad is the one a
//! create of a [`NewOfferCode`] makes ([`is_created_code`]). Pure; no planning here (that
//! is `bulk`), no prices (that is `discount`).

use super::{NewOfferCode, OfferCode};
use crate::error::Error;
use crate::wording::sentence;

/// The longest code Gumroad can keep, in characters. The contract states no limit on the
/// name; the `code` column is a `utf8mb4` string that is indexed, and MySQL's index limit
/// for such a column is 191 characters, so a longer code would fail at Gumroad after the
/// preview called it a "create".
pub const MAX_CODE_LENGTH: usize = 191;

/// The code trimmed, or why Gumroad would refuse it (its own wording first).
pub fn check_code_name(raw: &str) -> Result<String, Error> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::invalid_input("Enter a discount code."));
    }
    let length = name.chars().count();
    if length > MAX_CODE_LENGTH {
        return Err(Error::invalid_input(format!(
            "A discount code can have at most {MAX_CODE_LENGTH} characters; this one has {length}."
        )));
    }
    let mut bad: Vec<char> = Vec::new();
    for c in name.chars() {
        if !is_code_char(c) && !bad.contains(&c) {
            bad.push(c);
        }
    }
    if bad.is_empty() {
        return Ok(name.to_owned());
    }
    let shown: Vec<String> = bad
        .iter()
        .take(5)
        .map(|&c| match c {
            ' ' => "a space".to_owned(),
            c if c.is_whitespace() || c.is_control() => "a blank".to_owned(),
            c => format!("\"{c}\""),
        })
        .collect();
    Err(Error::invalid_input(format!(
        "Discount code can only contain numbers, letters, dashes, and underscores: \"{}\" has {}.",
        crate::error::clip(name, 40),
        sentence(&shown)
    )))
}

/// Letters (ASCII and Latin-1 accented), digits, `-` and `_`, as Gumroad's model allows.
/// The one copy of the rule: code names and parity prefixes are both checked with it.
pub fn is_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '-'
        || c == '_'
        || (('\u{C0}'..='\u{FF}').contains(&c) && c != '\u{D7}' && c != '\u{F7}')
}

/// How MySQL's `utf8mb4_unicode_ci` compares codes: case- and accent-insensitive. Codes
/// hold only Latin-1 letters, so folding Latin-1 by hand is complete (and keeps Unicode's
/// case tables, ≈ 13 KB, out of the wasm module).
pub fn collation_key(name: &str) -> String {
    name.chars()
        .map(|c| {
            let lower = match c {
                'A'..='Z' | 'À'..='Þ' if c != '×' => char::from_u32(c as u32 + 32).unwrap_or(c),
                other => other,
            };
            match lower {
                'à'..='å' => 'a',
                'ç' => 'c',
                'è'..='ë' => 'e',
                'ì'..='ï' => 'i',
                'ñ' => 'n',
                'ò'..='ö' | 'ø' => 'o',
                'ù'..='ü' => 'u',
                'ý' | 'ÿ' => 'y',
                other => other,
            }
        })
        .collect()
}

/// Whether `found` is the code a create of `code` makes: the name as sent (Gumroad trims
/// it) and the same terms. Plans only create where no such code exists, so one found after
/// the create was sent is the one this job created.
pub fn is_created_code(found: &OfferCode, code: &NewOfferCode) -> bool {
    found.name == code.name.trim()
        && found.discount == code.discount
        && found.max_purchase_count == code.max_purchase_count.map(i64::from)
        && found.minimum_amount_cents == code.minimum_amount_cents
        && found.universal == code.universal
}

#[cfg(test)]
mod collation_tests {
    #[test]
    fn folds_case_and_latin_1_accents() {
        let rows = [
            ("SAVE10", "save10"),
            ("Été-2025_X", "ete-2025_x"),
            ("ÀÁÂÃÄÅàáâãäå", "aaaaaaaaaaaa"),
            ("ÇÑØÙÝÞßÿ", "cnouyþßy"),
            ("a×b÷c", "a×b÷c"),
        ];
        for (name, key) in rows {
            assert_eq!(super::collation_key(name), key, "{name}");
        }
    }
}

#[cfg(test)]
mod name_tests {
    use super::{check_code_name, MAX_CODE_LENGTH};

    #[test]
    fn a_code_longer_than_gumroads_column_is_refused_before_sending() {
        let longest = "A".repeat(MAX_CODE_LENGTH);
        assert_eq!(check_code_name(&longest).unwrap(), longest);
        let accented = "É".repeat(MAX_CODE_LENGTH);
        assert_eq!(
            check_code_name(&accented).unwrap(),
            accented,
            "characters, not bytes"
        );
        let error = check_code_name(&"A".repeat(300)).unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::InvalidInput);
        assert!(
            error.message().contains("at most 191 characters"),
            "{}",
            error.message()
        );
        assert!(error.message().contains("300"), "{}", error.message());
        assert!(error.message().len() < 120, "{}", error.message());
    }
}
