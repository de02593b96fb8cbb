//! A product description as Gumroad stores it (HTML from its editor), split into markup and
//! text: edits change text only and never a tag, an attribute or a link, and the audit reads
//! the words a buyer (and a search engine) sees. A small tokenizer rather than an HTML
//! parser crate: descriptions are editor output, only the boundary between markup and text
//! matters here, and a full parser would cost more of the wasm budget than everything it
//! would replace.
//!
//! What it knows: tags (`<…>`, quotes inside respected), comments, `<script>`/`<style>`
//! bodies (markup, never text), and the character references sellers meet (`&amp;`,
//! `&lt;`, `&gt;`, `&quot;`, `&#39;`, `&apos;`, `&nbsp;`, numeric). Unknown references stay
//! as written. A phrase split by a tag (`<b>Quick</b> guide`) is two pieces of text, so a
//! search for "Quick guide" does not find it: the plan says how many places changed, and
//! zero is a skip with its reason.

/// One run of a description: markup (kept byte for byte) or text (as written, entities
/// and all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Markup(&'a str),
    Text(&'a str),
}

/// `html` as alternating markup and text, covering every byte once, in order.
pub fn pieces(html: &str) -> Vec<Piece<'_>> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'<' && starts_markup(&bytes[at + 1..]) {
            if at > text_start {
                out.push(Piece::Text(&html[text_start..at]));
            }
            let end = markup_end(html, at);
            out.push(Piece::Markup(&html[at..end]));
            at = end;
            text_start = end;
        } else {
            at += 1;
        }
    }
    if text_start < bytes.len() {
        out.push(Piece::Text(&html[text_start..]));
    }
    out
}

fn starts_markup(rest: &[u8]) -> bool {
    rest.first()
        .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'))
}

/// Where the markup starting at `start` (a `<`) ends (exclusive).
fn markup_end(html: &str, start: usize) -> usize {
    let rest = &html[start..];
    if let Some(comment) = rest.strip_prefix("<!--") {
        return comment
            .find("-->")
            .map_or(html.len(), |i| start + 4 + i + 3);
    }
    let bytes = rest.as_bytes();
    let mut quote = None;
    let mut end = html.len();
    for (i, &b) in bytes.iter().enumerate().skip(1) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => {
                end = start + i + 1;
                break;
            }
            None => {}
        }
    }
    // A script or style body is markup too: its text is never shown.
    let name = tag_name(&html[start..end]);
    if matches!(name.as_str(), "script" | "style") && !html[start..end].starts_with("</") {
        let close = format!("</{name}");
        let lower = html[end..].to_ascii_lowercase();
        return match lower.find(&close) {
            Some(i) => markup_end(html, end + i),
            None => html.len(),
        };
    }
    end
}

/// The lower-case name of a tag (`<P class=x>` → `p`, `</li>` → `li`).
pub fn tag_name(markup: &str) -> String {
    markup
        .trim_start_matches('<')
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Tags that end a line of text when shown.
fn breaks_text(markup: &str) -> bool {
    matches!(
        tag_name(markup).as_str(),
        "p" | "br"
            | "div"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "tr"
            | "figure"
            | "hr"
            | "pre"
    )
}

/// Text as written in HTML → the characters shown.
pub fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&i| i <= 10);
        let decoded = end.and_then(|end| reference(&rest[1..end]));
        match (end, decoded) {
            (Some(end), Some(c)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn reference(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" | "#39" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// Characters → text safe to put between tags.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
    out
}

/// What a reader sees of `html`: the text, with a line's end where a block ends, runs of
/// white space as one space, trimmed. Gumroad's meta description is this whole text.
pub fn plain_text(html: &str) -> String {
    let mut shown = String::with_capacity(html.len());
    for piece in pieces(html) {
        match piece {
            Piece::Text(text) => shown.push_str(&decode(text)),
            Piece::Markup(markup) if breaks_text(markup) => shown.push('\n'),
            Piece::Markup(_) => {}
        }
    }
    collapse_space(&shown)
}

/// Runs of white space (line ends and no-break spaces too) as one space, trimmed.
pub fn collapse_space(text: &str) -> String {
    text.split(|c: char| c.is_whitespace())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first `limit` characters of `text`, cut at a character (never inside one).
pub fn first_chars(text: &str, limit: usize) -> &str {
    match text.char_indices().nth(limit) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// `html` with every occurrence of `find` in its text replaced by `replacement` (markup
/// untouched), and how many were replaced. `case_sensitive: false` matches letters in
/// either case. Only what matched is rewritten: the rest of the text keeps its bytes
/// exactly, character references Bulkroad does not know (`&rsquo;`, `&eacute;`) included.
pub fn replace_text(
    html: &str,
    find: &str,
    replacement: &str,
    case_sensitive: bool,
) -> (String, usize) {
    let mut out = String::with_capacity(html.len());
    let mut total = 0;
    for piece in pieces(html) {
        match piece {
            Piece::Markup(markup) => out.push_str(markup),
            Piece::Text(text) => {
                total += replace_in_text(text, find, replacement, case_sensitive, &mut out)
            }
        }
    }
    (out, total)
}

/// One run of text as written, split into what a reader sees: each shown character with the
/// bytes it was written as (`&amp;` → `&`). An unknown reference stays as its characters.
fn shown_chars(text: &str) -> Vec<(char, &str)> {
    let mut shown = Vec::with_capacity(text.len());
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let reference = rest
            .starts_with('&')
            .then(|| rest.find(';').filter(|&end| end <= 10))
            .flatten()
            .and_then(|end| reference(&rest[1..end]).map(|c| (c, end + 1)));
        let (c, len) = reference.unwrap_or_else(|| {
            let c = rest.chars().next().expect("inside the text");
            (c, c.len_utf8())
        });
        shown.push((c, &text[at..at + len]));
        at += len;
    }
    shown
}

/// Writes `text` (as written in HTML) to `out` with `find` replaced where a reader sees it;
/// returns how many.
fn replace_in_text(
    text: &str,
    find: &str,
    replacement: &str,
    case_sensitive: bool,
    out: &mut String,
) -> usize {
    let wanted: Vec<char> = find.chars().collect();
    if wanted.is_empty() {
        out.push_str(text);
        return 0;
    }
    let shown = shown_chars(text);
    let same = |a: char, b: char| {
        if case_sensitive {
            a == b
        } else {
            fold(a) == fold(b)
        }
    };
    let mut count = 0;
    let mut at = 0;
    while at < shown.len() {
        let matched = shown.len() - at >= wanted.len()
            && shown[at..at + wanted.len()]
                .iter()
                .zip(&wanted)
                .all(|((c, _), w)| same(*c, *w));
        if matched {
            out.push_str(&encode(replacement));
            at += wanted.len();
            count += 1;
        } else {
            out.push_str(shown[at].1);
            at += 1;
        }
    }
    count
}

/// `text` with every occurrence of `find` replaced, and how many. An empty `find` matches
/// nothing.
pub fn replace_plain(
    text: &str,
    find: &str,
    replacement: &str,
    case_sensitive: bool,
) -> (String, usize) {
    if find.is_empty() {
        return (text.to_owned(), 0);
    }
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut at = 0;
    while at < text.len() {
        match match_len(&text[at..], find, case_sensitive) {
            Some(len) => {
                out.push_str(replacement);
                at += len;
                count += 1;
            }
            None => {
                let c = text[at..].chars().next().expect("inside the text");
                out.push(c);
                at += c.len_utf8();
            }
        }
    }
    (out, count)
}

/// The byte length of `find` at the start of `text`, if it is there.
fn match_len(text: &str, find: &str, case_sensitive: bool) -> Option<usize> {
    if case_sensitive {
        return text.starts_with(find).then_some(find.len());
    }
    let mut len = 0;
    let mut chars = text.chars();
    for wanted in find.chars() {
        let c = chars.next()?;
        if fold(c) != fold(wanted) {
            return None;
        }
        len += c.len_utf8();
    }
    Some(len)
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_every_byte_and_keep_markup_whole() {
        let html = r#"<p class="a>b">Fish &amp; chips</p><!-- a <b> note --> 3 < 4<br/>"#;
        let got = pieces(html);
        assert_eq!(
            got,
            [
                Piece::Markup(r#"<p class="a>b">"#),
                Piece::Text("Fish &amp; chips"),
                Piece::Markup("</p>"),
                Piece::Markup("<!-- a <b> note -->"),
                Piece::Text(" 3 < 4"),
                Piece::Markup("<br/>"),
            ]
        );
        let joined: String = got
            .iter()
            .map(|p| match p {
                Piece::Markup(s) | Piece::Text(s) => *s,
            })
            .collect();
        assert_eq!(joined, html);
    }

    #[test]
    fn script_and_style_bodies_are_never_text() {
        let html = "<p>Hi</p><script>if (a < b) { x = 'Hi'; }</script><style>p{}</style>";
        assert_eq!(plain_text(html), "Hi");
        assert_eq!(replace_text(html, "Hi", "Hello", true).1, 1);
    }

    #[test]
    fn plain_text_ends_lines_at_blocks_and_decodes_references() {
        let html = "<h1>Brush&nbsp;pack</h1><p>Forty <b>brushes</b>&#33;</p><ul><li>One</li><li>Two &#x26; more</li></ul>";
        assert_eq!(plain_text(html), "Brush pack Forty brushes! One Two & more");
        assert_eq!(plain_text(""), "");
        assert_eq!(
            decode("a &unknown; b & c &#xZZ;"),
            "a &unknown; b & c &#xZZ;"
        );
    }

    #[test]
    fn replacing_touches_text_only() {
        let html = r#"<p><a href="https://x.test/brush">Brush</a> kit: one brush, two BRUSHES</p>"#;
        let (sensitive, n) = replace_text(html, "brush", "pen", true);
        assert_eq!(n, 1);
        assert_eq!(
            sensitive,
            r#"<p><a href="https://x.test/brush">Brush</a> kit: one pen, two BRUSHES</p>"#
        );
        let (any_case, n) = replace_text(html, "brush", "pen", false);
        assert_eq!(n, 3);
        assert_eq!(
            any_case,
            r#"<p><a href="https://x.test/brush">pen</a> kit: one pen, two penES</p>"#
        );
    }

    #[test]
    fn replaced_text_is_encoded_and_untouched_text_keeps_its_bytes() {
        let html = "<p>Tom &amp; Jerry</p><p>Caf&eacute;</p>";
        let (out, n) = replace_text(html, "Tom & Jerry", "<Tom> & Jerry", true);
        assert_eq!(n, 1);
        assert_eq!(out, "<p>&lt;Tom&gt; &amp; Jerry</p><p>Caf&eacute;</p>");
        assert_eq!(replace_text(html, "", "x", true), (html.to_owned(), 0));
    }

    #[test]
    fn references_unknown_or_not_matched_keep_their_bytes() {
        let html = "<p>Caf&eacute; the&nbsp;best &rsquo;s &amp; the rest</p>";
        let (out, n) = replace_text(html, "the", "THE", true);
        assert_eq!(n, 2);
        assert_eq!(
            out,
            "<p>Caf&eacute; THE&nbsp;best &rsquo;s &amp; THE rest</p>"
        );
        // A match through a reference: what the reader sees is matched.
        let (out, n) = replace_text(
            "<p>Tom&nbsp;&amp;&#32;Jerry</p>",
            "Tom\u{a0}& Jerry",
            "T&J",
            true,
        );
        assert_eq!((out.as_str(), n), ("<p>T&amp;J</p>", 1));
    }

    #[test]
    fn case_folding_reaches_beyond_ascii_and_cuts_never_split_a_character() {
        assert_eq!(
            replace_plain("ÜBER über", "über", "x", false),
            ("x x".to_owned(), 2)
        );
        assert_eq!(first_chars("héllo", 2), "hé");
        assert_eq!(first_chars("hi", 5), "hi");
    }
}
