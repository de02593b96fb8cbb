//! Where in a JSON text a decoding error happened, as a path (`products[1].price`).
//!
//! serde_json reports a line and column, which says little in a one-line answer of 200 KB.
//! Tracking the path while deserializing (as `serde_path_to_error` does) wraps every
//! visitor of every decoded type and cost ≈ 40 KB of the wasm module. The text itself
//! holds the same information: serde_json stops right after the value it could not use, so
//! walking the text up to that position gives the path, with no code per decoded type.

use std::fmt::Write as _;

/// Longest key, in bytes, copied into a path (longer ones end in `…`).
const MAX_KEY_BYTES: usize = 60;

/// The path of the value that `error` (from `serde_json::from_str(text)` or
/// `Deserializer::from_str(text)`) is about: `.` for the whole text, else keys joined by
/// `.` and array indexes in brackets, as in `products[1].price`.
pub(crate) fn error_path(text: &str, error: &serde_json::Error) -> String {
    path_at(text, byte_offset(text, error.line(), error.column()))
}

/// What `error` says, without serde_json's ` at line 1 column 52`: for text that was
/// made from a value (not typed by anyone), the path says where and the column says nothing.
pub(crate) fn reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&position) {
        Some(reason) => reason.to_owned(),
        None => text,
    }
}

/// serde_json's line (1-based) and column (bytes since the line's start) as a byte offset.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    (line_start + column).min(text.len())
}

enum Frame<'a> {
    /// An object and the key whose value is being read (`None` before the first key and
    /// between a `,` and the next key).
    Object {
        key: Option<&'a str>,
        in_value: bool,
    },
    Array {
        index: usize,
    },
}

/// The path of the innermost value that is open, or has just ended, at byte `offset`.
fn path_at(text: &str, offset: usize) -> String {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let bytes = &text.as_bytes()[..end];
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                in_value: false,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Frame::Object { in_value, .. }) = stack.last_mut() {
                    *in_value = true;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, in_value }) => {
                    *key = None;
                    *in_value = false;
                }
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            b'"' => {
                let start = i + 1;
                i = start;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object {
                    key,
                    in_value: false,
                }) = stack.last_mut()
                {
                    *key = Some(&text[start..i.min(bytes.len())]);
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                push_key(&mut path, key);
            }
            Frame::Object { key: None, .. } => break,
            Frame::Array { index } => {
                let _ = write!(path, "[{index}]");
            }
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
}

/// A key as written in the JSON text (escapes left as they are), cut at a char boundary.
fn push_key(path: &mut String, key: &str) {
    if key.len() <= MAX_KEY_BYTES {
        path.push_str(key);
        return;
    }
    let mut end = MAX_KEY_BYTES;
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    path.push_str(&key[..end]);
    path.push('…');
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Page {
        products: Vec<Item>,
        #[serde(default)]
        next: Option<String>,
    }

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    struct Item {
        id: String,
        price: i64,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default)]
        kind: Option<Kind>,
        #[serde(default)]
        inner: Option<Box<Item>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Digital,
        Physical,
    }

    fn path_of(text: &str) -> String {
        let error = serde_json::from_str::<Page>(text).unwrap_err();
        error_path(text, &error)
    }

    #[test]
    fn names_the_value_serde_json_stopped_at() {
        let rows = [
            (r#"{"products":[{"id":"a","price":1},{"id":"b","price":"12"}]}"#, "products[1].price"),
            (r#"{"products":[{"id":"a","price":1,"tags":["x",5]}]}"#, "products[0].tags[1]"),
            (r#"{"products":[{"id":"a","price":1,"kind":"ebook"}]}"#, "products[0].kind"),
            (r#"{"products":[{"id":"a"}]}"#, "products[0]"),
            (r#"{"products":[{"id":"a","price":1,"inner":{"id":7,"price":1}}]}"#, "products[0].inner.id"),
            (r#"{"products":[{"id":"a","price":1}],"next":false}"#, "next"),
            (r#"{"products":[],"other":1}"#, "other"),
            (r#"{"next":"k"}"#, "."),
            ("[]", "."),
            ("7", "."),
            // Whitespace, escapes and non-ASCII before the value do not move the path.
            ("{\n  \"products\": [\n    {\"id\": \"é\\\"],{\", \"price\": 1},\n    {\"id\": \"b\", \"price\": 1.5}\n  ]\n}", "products[1].price"),
            (r#"{"products":[{"id":"a","price":1,"tags":[]},{"id":"b","price":1,"tags":{}}]}"#, "products[1].tags"),
        ];
        for (text, expected) in rows {
            assert_eq!(path_of(text), expected, "{text}");
        }
    }

    #[test]
    fn reasons_leave_out_the_position() {
        let text = r#"{"products":[{"id":"a","price":"12"}]}"#;
        let error = serde_json::from_str::<Page>(text).unwrap_err();
        assert_eq!(reason(&error), r#"invalid type: string "12", expected i64"#);
        assert!(error.to_string().ends_with(" at line 1 column 35"));
    }

    #[test]
    fn long_keys_are_cut() {
        let key = "k".repeat(1000);
        let text = format!(r#"{{"products":[],"{key}":1}}"#);
        let path = path_of(&text);
        assert_eq!(path, format!("{}…", "k".repeat(MAX_KEY_BYTES)));
        let wide = "é".repeat(100);
        let text = format!(r#"{{"products":[],"{wide}":1}}"#);
        assert!(path_of(&text).ends_with('…'));
    }

    #[test]
    fn offsets_past_the_end_or_in_a_string_are_safe() {
        assert_eq!(path_at(r#"{"a":[1,2"#, 100), "a[1]");
        assert_eq!(path_at(r#"{"a":"unterminated"#, 100), "a");
        assert_eq!(path_at(r#"{"a\"#, 100), "a\\");
        assert_eq!(path_at(r#"{"é":1}"#, 3), ".");
        assert_eq!(path_at("", 3), ".");
        assert_eq!(byte_offset("ab\ncd", 2, 1), 4);
        assert_eq!(byte_offset("ab", 9, 9), 2);
    }
}
