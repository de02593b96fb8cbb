//! A deterministic stand-in for an OpenAI-compatible chat-completions endpoint, served
//! at `POST /ai/v1/chat/completions` beside the Gumroad stand-in (never under `/v2`, and
//! never opened by a Gumroad token).
//!
//! The answer is derived from the product in the last `user` message, so a test can
//! predict it exactly (see [`suggest`] and the README); a few model names stand for the
//! ways a real model service fails. No CORS headers are sent: the extension reaches this
//! origin only once the seller grants it as an optional host permission. Requests are
//! logged like API requests, but the key never is (only whether an `Authorization`
//! header came).

use std::time::Duration;

use serde_json::{json, Value};

use crate::reply::Reply;
use crate::store::html_text;

/// Keys starting with this are accepted; any other key is refused.
pub const GOOD_KEY: &str = "sk-sandbox-good";

/// How long `sandbox-slow` waits before answering.
pub const SLOW: Duration = Duration::from_secs(30);

/// Models with special behaviour (any `gpt-…` or `o<digit>…` model, and `sandbox-good`,
/// answer normally; every other name is "not found").
pub const MODEL_GOOD: &str = "sandbox-good";
pub const MODEL_MALFORMED: &str = "sandbox-malformed";
pub const MODEL_BAD_TAGS: &str = "sandbox-bad-tags";
pub const MODEL_REFUSE: &str = "sandbox-refuse";
pub const MODEL_SLOW: &str = "sandbox-slow";
pub const MODEL_ERROR: &str = "sandbox-error";

/// `sandbox-malformed`'s whole answer: prose, not JSON.
pub const MALFORMED_CONTENT: &str = "Sure! Here are some ideas...";
/// `sandbox-refuse`'s `message.refusal`.
pub const REFUSAL: &str = "I can't help with that.";

/// Limits of the derived suggestion, in characters.
pub const NAME_MAX: usize = 60;
pub const SUMMARY_MAX: usize = 150;
pub const OPENING_MAX: usize = 160;
pub const TAGS_MAX: usize = 5;
/// `sandbox-bad-tags`' name length.
pub const BAD_NAME_CHARS: usize = 300;

/// Words never offered as tags.
pub const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "with", "your", "you", "from", "this", "that", "vol", "edition",
];

/// What the server answers, and after how long.
pub struct AiAnswer {
    pub reply: Reply,
    pub delay: Duration,
}

impl AiAnswer {
    fn now(reply: Reply) -> AiAnswer {
        AiAnswer {
            reply,
            delay: Duration::ZERO,
        }
    }
}

fn error(status: u16, message: &str, kind: &str, param: Value, code: Value) -> Reply {
    Reply::json(
        status,
        &json!({"error": {"message": message, "type": kind, "param": param, "code": code}}),
    )
}

/// `sk-wrong` → `sk-wr***ng`: the first 5 and last 2 characters; keys under 8
/// characters show as `***` alone.
pub fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 8 {
        return "***".to_string();
    }
    let head: String = chars[..5].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}***{tail}")
}

fn missing_key() -> Reply {
    error(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the basic auth username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        Value::Null,
        Value::Null,
    )
}

fn invalid_url(method: &str, path: &str) -> Reply {
    let shown = path.strip_prefix("/ai").unwrap_or(path);
    error(
        404,
        &format!("Invalid URL ({method} {shown})"),
        "invalid_request_error",
        Value::Null,
        Value::Null,
    )
}

/// Whether `model` is one the stand-in answers normally.
fn is_ordinary_model(model: &str) -> bool {
    let mut chars = model.chars();
    model == MODEL_GOOD
        || model.starts_with("gpt-")
        || (chars.next() == Some('o') && chars.next().is_some_and(|c| c.is_ascii_digit()))
}

/// Answers one request under `/ai`. `id` hands out the next completion number.
pub fn handle(
    method: &str,
    path: &str,
    body: &[u8],
    authorization: Option<&str>,
    id: impl FnOnce() -> u64,
) -> AiAnswer {
    if method != "POST" || path != "/ai/v1/chat/completions" {
        return AiAnswer::now(invalid_url(method, path));
    }
    let key = authorization
        .and_then(|h| {
            (h.len() >= 7 && h[..7].eq_ignore_ascii_case("bearer ")).then(|| h[7..].trim())
        })
        .filter(|k| !k.is_empty());
    let Some(key) = key else {
        return AiAnswer::now(missing_key());
    };
    if !key.starts_with(GOOD_KEY) {
        return AiAnswer::now(error(
            401,
            &format!(
                "Incorrect API key provided: {}. You can find your API key at https://platform.openai.com/account/api-keys.",
                mask_key(key)
            ),
            "invalid_request_error",
            Value::Null,
            json!("invalid_api_key"),
        ));
    }
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return AiAnswer::now(error(
            400,
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
            "invalid_request_error",
            Value::Null,
            Value::Null,
        ));
    };
    let Some(model) = request["model"].as_str().filter(|m| !m.is_empty()) else {
        return AiAnswer::now(error(
            400,
            "you must provide a model parameter",
            "invalid_request_error",
            Value::Null,
            Value::Null,
        ));
    };
    let Some(messages) = request["messages"].as_array() else {
        return AiAnswer::now(error(
            400,
            "Missing required parameter: 'messages'.",
            "invalid_request_error",
            json!("messages"),
            json!("missing_required_parameter"),
        ));
    };
    let special = [
        MODEL_MALFORMED,
        MODEL_BAD_TAGS,
        MODEL_REFUSE,
        MODEL_SLOW,
        MODEL_ERROR,
    ];
    if !special.contains(&model) && !is_ordinary_model(model) {
        return AiAnswer::now(error(
            404,
            &format!("The model `{model}` does not exist or you do not have access to it."),
            "invalid_request_error",
            Value::Null,
            json!("model_not_found"),
        ));
    }
    if model == MODEL_ERROR {
        return AiAnswer::now(Reply::json(
            500,
            &json!({"error": {"message": "The server had an error while processing your request.", "type": "server_error"}}),
        ));
    }

    let product = Product::from_content(&last_user_content(messages));
    let mut suggestion = suggest(&product);
    let message = match model {
        MODEL_MALFORMED => {
            json!({"role": "assistant", "content": MALFORMED_CONTENT, "refusal": null})
        }
        MODEL_REFUSE => json!({"role": "assistant", "content": null, "refusal": REFUSAL}),
        _ => {
            if model == MODEL_BAD_TAGS {
                suggestion = bad_tags(suggestion);
            }
            json!({"role": "assistant", "content": suggestion.to_json_string(), "refusal": null})
        }
    };
    let prompt_chars: usize = messages
        .iter()
        .map(|m| content_text(&m["content"]).chars().count())
        .sum();
    let completion_chars = message["content"]
        .as_str()
        .or(message["refusal"].as_str())
        .map_or(0, |c| c.chars().count());
    let (prompt_tokens, completion_tokens) =
        (prompt_chars.div_ceil(4), completion_chars.div_ceil(4));
    let created = crate::clock::now_micros() / crate::clock::MICROS;
    let reply = Reply::ok(&json!({
        "id": format!("chatcmpl-sandbox-{}", id()),
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }));
    AiAnswer {
        reply,
        delay: if model == MODEL_SLOW {
            SLOW
        } else {
            Duration::ZERO
        },
    }
}

/// A message's `content` as text: a string, or the `text` of its `text` parts joined.
fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str())
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    }
}

/// The last message whose role is `user` (empty when there is none).
fn last_user_content(messages: &[Value]) -> String {
    messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .map(|m| content_text(&m["content"]))
        .unwrap_or_default()
}

/// The product the request asks about.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Product {
    pub name: String,
    pub summary: String,
    pub description: String,
    pub tags: Vec<String>,
    pub category: Option<String>,
}

impl Product {
    /// `{"instruction", "product": {"name", "summary", "description", "tags", "category"}}`;
    /// content that is not a JSON object is the product's name, whole (trimmed).
    pub fn from_content(content: &str) -> Product {
        let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(content) else {
            return Product {
                name: content.trim().to_string(),
                ..Product::default()
            };
        };
        let p = doc.get("product").cloned().unwrap_or(Value::Null);
        let text = |key: &str| p[key].as_str().unwrap_or_default().to_string();
        Product {
            name: text("name"),
            summary: text("summary"),
            description: text("description"),
            tags: p["tags"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            category: p["category"].as_str().map(str::to_string),
        }
    }
}

/// The suggestion the content carries, as JSON `{"name", "summary", "descriptionOpening", "tags"}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    pub name: String,
    pub summary: String,
    pub description_opening: String,
    pub tags: Vec<String>,
}

impl Suggestion {
    pub fn to_json_string(&self) -> String {
        json!({
            "name": self.name,
            "summary": self.summary,
            "descriptionOpening": self.description_opening,
            "tags": self.tags,
        })
        .to_string()
    }
}

/// Each whitespace-separated word with its first character upper-cased (the rest kept).
fn capitalise_words(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whole words while they fit in `max` characters; the first `max` characters when not
/// even the first word fits.
fn fit_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for w in s.split(' ') {
        let len = out.chars().count() + usize::from(!out.is_empty()) + w.chars().count();
        if len > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if out.is_empty() {
        s.chars().take(max).collect()
    } else {
        out
    }
}

/// At most `max` characters: longer text keeps its first `max - 1`, trailing
/// whitespace trimmed, and ends with `…`.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max - 1).collect();
    format!("{}…", head.trim_end())
}

/// Up to and including the first `.`, `!` or `?` followed by whitespace or the end; the
/// whole text when there is none.
fn first_sentence(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if matches!(c, '.' | '!' | '?') && chars.get(i + 1).is_none_or(|n| n.is_whitespace()) {
            return chars[..=i].iter().collect::<String>().trim().to_string();
        }
    }
    text.trim().to_string()
}

/// A tag this stand-in may offer: 3 to 20 characters, no leading `#`, no comma, not a stop word.
fn offerable(tag: &str) -> bool {
    (3..=20).contains(&tag.chars().count())
        && !tag.starts_with('#')
        && !tag.contains(',')
        && !STOP_WORDS.contains(&tag)
}

/// The deterministic suggestion for `p`:
/// * `name`: the product name's words with their first letter capitalised, whitespace
///   collapsed, cut to whole words within 60 characters (`Untitled` when empty);
/// * `summary`: `"<name>: <first sentence>"`, the sentence taken from the description's
///   text (HTML tags dropped, entities decoded), else from the summary sent; just
///   `<name>` when both are empty; clipped to 150 characters (149 and `…`);
/// * `descriptionOpening`: `"Discover <name>, made for <leaf>."` where `<leaf>` is the
///   category's last path segment with `-` as spaces, or `"Discover <name>."` without a
///   category; clipped to 160 characters;
/// * `tags`: the name's words (runs of letters and digits, lower-cased), then the tags
///   sent (trimmed, lower-cased), each kept if 3–20 characters, no leading `#`, no
///   comma and not a stop word ([`STOP_WORDS`]), repeats dropped, at most 5.
pub fn suggest(p: &Product) -> Suggestion {
    let mut name = fit_words(&capitalise_words(&p.name), NAME_MAX);
    if name.is_empty() {
        name = "Untitled".to_string();
    }
    let mut sentence = first_sentence(&html_text(&p.description));
    if sentence.is_empty() {
        sentence = first_sentence(&html_text(&p.summary));
    }
    let summary = if sentence.is_empty() {
        clip(&name, SUMMARY_MAX)
    } else {
        clip(&format!("{name}: {sentence}"), SUMMARY_MAX)
    };
    let leaf = p
        .category
        .as_deref()
        .and_then(|c| c.rsplit('/').next())
        .map(|l| l.replace('-', " ").trim().to_string())
        .filter(|l| !l.is_empty());
    let opening = match leaf {
        Some(leaf) => format!("Discover {name}, made for {leaf}."),
        None => format!("Discover {name}."),
    };
    let mut tags: Vec<String> = Vec::new();
    let name_words = p
        .name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase);
    let sent = p.tags.iter().map(|t| {
        t.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    });
    for t in name_words.chain(sent) {
        if tags.len() == TAGS_MAX {
            break;
        }
        if offerable(&t) && !tags.contains(&t) {
            tags.push(t);
        }
    }
    Suggestion {
        name,
        summary,
        description_opening: clip(&opening, OPENING_MAX),
        tags,
    }
}

/// `sandbox-bad-tags`: `#Art` and `a` first among the tags, and the name made 300
/// characters long (` Deluxe` appended until it is at least that, then cut to 300).
pub fn bad_tags(mut s: Suggestion) -> Suggestion {
    let mut tags = vec!["#Art".to_string(), "a".to_string()];
    tags.append(&mut s.tags);
    s.tags = tags;
    let mut name = s.name.clone();
    while name.chars().count() < BAD_NAME_CHARS {
        name.push_str(" Deluxe");
    }
    s.name = name.chars().take(BAD_NAME_CHARS).collect();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked_like_openai() {
        assert_eq!(mask_key("sk-wrong"), "sk-wr***ng");
        assert_eq!(mask_key("sk-proj-abcdef123456"), "sk-pr***56");
        assert_eq!(mask_key("short"), "***");
    }

    #[test]
    fn the_suggestion_follows_the_documented_derivation() {
        let p = Product {
            name: "notion   templates, vol. 2 for the busy".into(),
            summary: String::new(),
            description: "<p>Plan your week &amp; more. Then relax!</p><ul><li>x</li></ul>".into(),
            tags: vec![
                " Productivity ".into(),
                "#art".into(),
                "ab".into(),
                "notion".into(),
            ],
            category: Some("self-improvement/productivity/notion".into()),
        };
        let s = suggest(&p);
        assert_eq!(s.name, "Notion Templates, Vol. 2 For The Busy");
        assert_eq!(
            s.summary,
            "Notion Templates, Vol. 2 For The Busy: Plan your week & more."
        );
        assert_eq!(
            s.description_opening,
            "Discover Notion Templates, Vol. 2 For The Busy, made for notion."
        );
        assert_eq!(s.tags, ["notion", "templates", "busy", "productivity"]);
    }

    #[test]
    fn long_and_empty_inputs_stay_within_limits() {
        let long = Product {
            name: "word ".repeat(40),
            description: format!("<p>{}</p>", "x".repeat(400)),
            ..Product::default()
        };
        let s = suggest(&long);
        assert!(s.name.chars().count() <= NAME_MAX);
        assert_eq!(s.summary.chars().count(), SUMMARY_MAX);
        assert!(s.summary.ends_with('…'));
        assert_eq!(s.tags, ["word"]);
        let empty = suggest(&Product::default());
        assert_eq!(empty.name, "Untitled");
        assert_eq!(empty.summary, "Untitled");
        assert_eq!(empty.description_opening, "Discover Untitled.");
        assert!(empty.tags.is_empty());
        assert_eq!(fit_words(&"y".repeat(70), 60), "y".repeat(60));
    }

    #[test]
    fn content_that_is_not_json_is_the_name() {
        assert_eq!(
            Product::from_content("  cozy brushes "),
            Product {
                name: "cozy brushes".into(),
                ..Product::default()
            }
        );
        let bad = bad_tags(suggest(&Product::from_content("cozy brushes")));
        assert_eq!(bad.name.chars().count(), BAD_NAME_CHARS);
        assert_eq!(&bad.tags[..2], ["#Art", "a"]);
    }
}
