//! Text edits of a listing that go beyond a find and replace: a block added to a name or a
//! description, and a description's opening replaced. Text only: a description's markup
//! is kept byte for byte outside the block that is added or whose text is replaced. Built
//! on `listing::html`'s split into markup and text; pure, no `JsValue`.
//!
//! **The opening rule.** A description's opening is its first paragraph-like block — the
//! innermost `<p>`, `<h1>`…`<h6>`, `<li>` or `<blockquote>` around the first text a reader
//! sees (text that is not blank). Replacing it replaces everything between that block's
//! opening and closing tags (inline formatting inside it, such as bold or a link, goes
//! with the old text); the tag, its attributes and everything around it stay. A
//! description whose first visible text is in no such block (plain text, or none at all),
//! or whose block holds more than text and inline formatting (a nested block, an image, a
//! list) or is never closed, gets the new opening as a first `<p>` and keeps all it had:
//! replacing would delete more than the opening's words.

use crate::listing::html::{decode, encode, pieces, plain_text, tag_name, Piece};

const BLOCKS: &[&str] = &["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"];

/// What an opening block may hold besides text and still be replaced: inline formatting,
/// which goes with the old words.
const INLINE: &[&str] = &[
    "a", "b", "strong", "i", "em", "u", "s", "span", "code", "mark", "small", "sub", "sup", "br",
];

/// `<p>text</p>`, the text encoded (never markup).
pub fn paragraph(text: &str) -> String {
    format!("<p>{}</p>", encode(text.trim()))
}

/// The opening block of `html` (see the module's rule): `html` in pieces, and the indices
/// of the block's opening tag and of its closing tag (`pieces.len()` when unclosed).
fn opening_block(html: &str) -> Option<(Vec<Piece<'_>>, usize, usize)> {
    let parts = pieces(html);
    let mut open: Vec<(usize, String)> = Vec::new();
    let mut block = None;
    for (at, piece) in parts.iter().enumerate() {
        match piece {
            Piece::Markup(markup) => {
                let name = tag_name(markup);
                if !BLOCKS.contains(&name.as_str()) || markup.ends_with("/>") {
                    continue;
                }
                if markup.starts_with("</") {
                    if let Some(last) = open.iter().rposition(|(_, n)| *n == name) {
                        open.truncate(last);
                    }
                } else {
                    open.push((at, name));
                }
            }
            Piece::Text(text) if decode(text).trim().is_empty() => {}
            Piece::Text(_) => {
                block = open.last().cloned();
                break;
            }
        }
    }
    let (start, name) = block?;
    // The matching closing tag: the first `</name>` at the block's own depth.
    let mut depth = 0;
    let mut end = parts.len();
    for (at, piece) in parts.iter().enumerate().skip(start + 1) {
        let Piece::Markup(markup) = piece else {
            continue;
        };
        if tag_name(markup) != name || markup.ends_with("/>") {
            continue;
        }
        if !markup.starts_with("</") {
            depth += 1;
        } else if depth == 0 {
            end = at;
            break;
        } else {
            depth -= 1;
        }
    }
    let only_inline = parts[start + 1..end.min(parts.len())]
        .iter()
        .all(|piece| match piece {
            Piece::Markup(markup) => INLINE.contains(&tag_name(markup).as_str()),
            Piece::Text(_) => true,
        });
    (end < parts.len() && only_inline).then_some((parts, start, end))
}

fn joined(parts: &[Piece]) -> String {
    parts
        .iter()
        .map(|piece| match piece {
            Piece::Markup(s) | Piece::Text(s) => *s,
        })
        .collect()
}

/// `html` with `opening` as its opening (see the module's rule).
pub fn replace_opening(html: &str, opening: &str) -> String {
    match opening_block(html) {
        Some((parts, start, end)) => format!(
            "{}{}{}",
            joined(&parts[..=start]),
            encode(opening.trim()),
            joined(&parts[end..])
        ),
        None => format!("{}{html}", paragraph(opening)),
    }
}

/// The plain text of `html`'s opening now (empty when it has none).
pub fn opening_text(html: &str) -> String {
    opening_block(html)
        .map(|(parts, start, end)| plain_text(&joined(&parts[start + 1..end])))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_opening_is_the_innermost_block_around_the_first_text() {
        let rows = [
            // (description, new opening, result)
            (
                r#"<p class="lead">Old <b>bold</b> start</p><p>Second</p>"#,
                "New start",
                r#"<p class="lead">New start</p><p>Second</p>"#,
            ),
            (
                "<p><br></p><h2>Title</h2><p>Body</p>",
                "Better title",
                "<p><br></p><h2>Better title</h2><p>Body</p>",
            ),
            (
                "<ul><li><p>First point</p></li></ul>",
                "Point & more",
                "<ul><li><p>Point &amp; more</p></li></ul>",
            ),
            // A block holding more than words, or never closed: the new opening goes first
            // and nothing is lost.
            (
                "<blockquote>Quoted <p>nested</p> end</blockquote>",
                "Fresh",
                "<p>Fresh</p><blockquote>Quoted <p>nested</p> end</blockquote>",
            ),
            (
                r#"<p>Look <img src="a.png"> here</p>"#,
                "Fresh",
                r#"<p>Fresh</p><p>Look <img src="a.png"> here</p>"#,
            ),
            (
                "<p>Never closed<div>Rest</div>",
                "Fresh",
                "<p>Fresh</p><p>Never closed<div>Rest</div>",
            ),
            ("Just text", "Opening", "<p>Opening</p>Just text"),
            ("", "Opening", "<p>Opening</p>"),
            (
                r#"<div><img src="a.png"></div><p>Text</p>"#,
                "<b>x</b>",
                r#"<div><img src="a.png"></div><p>&lt;b&gt;x&lt;/b&gt;</p>"#,
            ),
        ];
        for (html, opening, want) in rows {
            assert_eq!(replace_opening(html, opening), want, "{html}");
        }
    }

    #[test]
    fn the_opening_text_is_read_as_a_reader_sees_it() {
        assert_eq!(
            opening_text("<p>Old <b>bold</b> start</p><p>Second</p>"),
            "Old bold start"
        );
        assert_eq!(
            opening_text("<ul><li><p>Point</p></li><li>Two</li></ul>"),
            "Point"
        );
        assert_eq!(opening_text("Just text"), "");
        assert_eq!(opening_text(""), "");
    }
}
