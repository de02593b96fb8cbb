//! AI suggestions for a listing, pure: the endpoint's address checked (and the host
//! permission the extension must ask for), the chat-completions request body built, and
//! the answer read, every suggested field checked against [`super::rules`] so that only
//! values Gumroad would take can be applied. The service worker sends the request itself:
//! the Rust client only ever talks to Gumroad. No I/O and no `JsValue` here; the seller's
//! key never passes through this module.

use serde::Serialize;
use serde_json::{json, Value};

use super::html::{collapse_space, first_chars, plain_text};
use super::rules::{
    name_problem, normalize_tag, summary_problem, tags_problem, NAME_MAX, SNIPPET_CHARS,
    SUMMARY_MAX, TAGS_MAX, TAG_MAX, TAG_MIN,
};
use crate::error::{Error, ErrorKind};
use crate::model::{Product, ProductId};

/// An AI endpoint the seller configured: the address to send to, its origin, and the match
/// pattern for `chrome.permissions.request({origins: [permission]})` (no port: a pattern
/// without one matches any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AiEndpoint {
    pub url: String,
    pub origin: String,
    pub permission: String,
}

const ENDPOINT_RULE: &str = "The AI endpoint must be an https:// address (or http://localhost for a model on this computer).";

/// Hosts a plain `http://` address may name: a model on this computer.
const LOCAL_HOSTS: &[&str] = &["localhost", "127.0.0.1"];

/// `url` checked as an AI endpoint: `https://` anywhere, `http://` only to localhost or
/// 127.0.0.1; no user name or password in it, no fragment. Scheme and host lower-cased.
pub fn ai_endpoint(url: &str) -> Result<AiEndpoint, Error> {
    let url = url.trim();
    let refuse = |why: &str| {
        Err(Error::invalid_input(
            format!("{ENDPOINT_RULE} {why}").trim_end(),
        ))
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("It cannot contain spaces.");
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return refuse("");
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return refuse("");
    }
    if rest.contains('#') {
        return refuse("It cannot end with a #fragment.");
    }
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split);
    if authority.contains('@') {
        return refuse("Put the key in the key field, never in the address.");
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host = host.to_ascii_lowercase();
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !host_ok {
        return refuse("Its host name is not valid.");
    }
    let port_ok = port.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 5
            && p.chars().all(|c| c.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (1..=65_535).contains(&n))
    });
    if !port_ok {
        return refuse("Its port is not valid.");
    }
    if scheme == "http" && !LOCAL_HOSTS.contains(&host.as_str()) {
        return refuse("");
    }
    let origin = match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    };
    let path = if path.is_empty() || path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    Ok(AiEndpoint {
        url: format!("{origin}{path}"),
        permission: format!("{scheme}://{host}/*"),
        origin,
    })
}

/// Longest instruction sent, in characters.
pub const INSTRUCTION_MAX: usize = 500;
/// Longest description text sent, in characters.
pub const DESCRIPTION_SENT_MAX: usize = 2000;
/// Longest model name accepted.
const MODEL_MAX: usize = 200;

/// The rules the model is given, the same the answer is checked against.
fn system_prompt() -> String {
    format!(
        "You improve Gumroad product listings. Follow these rules exactly:\n\
         - name: at most {NAME_MAX} characters, the key words buyers search for first, no filler \
         opening (\"The\", \"Ultimate\"…), not in capitals.\n\
         - summary: at most {SUMMARY_MAX} characters, plain text.\n\
         - descriptionOpening: the description's first sentences, at most {SNIPPET_CHARS} \
         characters, plain text: what the product is and who it is for.\n\
         - tags: {TAG_MIN} to {TAGS_MAX} tags, each {TAG_MIN} to {TAG_MAX} characters, lower \
         case, no commas, no leading #.\n\
         Answer ONLY with a JSON object {{\"name\": string, \"summary\": string, \
         \"descriptionOpening\": string, \"tags\": [string]}} and nothing else."
    )
}

/// The JSON body of a chat-completions request for suggestions on `product`; the user
/// message is the JSON document `{"instruction", "product": {"name", "summary",
/// "description", "tags", "category"}}` (description as plain text, cut at 2 000
/// characters; the instruction cut at 500). An empty model is refused.
pub fn suggestion_request(
    model: &str,
    product: &Product,
    instruction: &str,
) -> Result<String, Error> {
    let model = model.trim();
    if model.is_empty() {
        return Err(Error::invalid_input(
            "Name the AI model to ask (e.g. gpt-4o-mini).",
        ));
    }
    if model.chars().count() > MODEL_MAX || model.chars().any(char::is_control) {
        return Err(Error::invalid_input("That AI model name is not valid."));
    }
    let description = plain_text(product.description.as_deref().unwrap_or_default());
    let user = json!({
        "instruction": first_chars(instruction.trim(), INSTRUCTION_MAX),
        "product": {
            "name": product.name,
            "summary": product.custom_summary.as_deref().unwrap_or_default(),
            "description": first_chars(&description, DESCRIPTION_SENT_MAX),
            "tags": product.tags,
            "category": product
                .category_label
                .as_deref()
                .or(product.category.as_deref())
                .unwrap_or_default(),
        },
    });
    let body = json!({
        "model": model,
        "messages": [
            {"role": "system", "content": system_prompt()},
            {"role": "user", "content": user.to_string()},
        ],
        "temperature": 0.2,
    });
    Ok(body.to_string())
}

/// What the model suggested for one product: only values that pass Gumroad's rules; each
/// value dropped is said in `problems`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    pub product_id: ProductId,
    pub product_name: String,
    pub name: Option<String>,
    pub summary: Option<String>,
    pub description_opening: Option<String>,
    pub tags: Option<Vec<String>>,
    pub problems: Vec<String>,
}

/// Longest part of the endpoint's own error message quoted.
const QUOTED_MAX: usize = 200;

/// The AI endpoint's answer (`status`, `body`) read as a [`Suggestion`] for `product`.
pub fn read_suggestion(status: u16, body: &str, product: &Product) -> Result<Suggestion, Error> {
    if !(200..300).contains(&status) {
        return Err(http_error(status, body));
    }
    let not_shape = || {
        Error::decode("The AI endpoint's answer was not a chat completion (choices[0].message).")
            .with_status(status)
    };
    let answer: Value = serde_json::from_str(body).map_err(|_| not_shape())?;
    let message = answer.pointer("/choices/0/message").ok_or_else(not_shape)?;
    if let Some(refusal) = message
        .get("refusal")
        .and_then(Value::as_str)
        .filter(|r| !r.trim().is_empty())
    {
        return Err(Error::rejected(format!(
            "The model declined: {}",
            quote(refusal)
        )));
    }
    let content = match message.get("content") {
        Some(Value::String(text)) => text.clone(),
        // Content given as parts: the text parts, in order.
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|part| part.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    };
    let fields = parse_content(&content)
        .ok_or_else(|| Error::decode("The model's answer was not the JSON Bulkroad asked for."))?;
    Ok(check_fields(&fields, product))
}

/// The JSON object in a model's answer, fences (```json … ```) and any words around the
/// object tolerated.
fn parse_content(content: &str) -> Option<serde_json::Map<String, Value>> {
    let text = content.trim();
    let text = match text.strip_prefix("```") {
        Some(fenced) => {
            let body = fenced.split_once('\n').map_or("", |(_, rest)| rest);
            body.trim_end().strip_suffix("```").unwrap_or(body)
        }
        None => text,
    };
    let parsed = serde_json::from_str::<Value>(text.trim()).ok().or_else(|| {
        let (start, end) = (text.find('{')?, text.rfind('}')?);
        serde_json::from_str(text.get(start..=end)?).ok()
    });
    match parsed? {
        Value::Object(fields) => Some(fields),
        _ => None,
    }
}

/// Each suggested field checked: kept when it passes, else dropped with its problem.
fn check_fields(fields: &serde_json::Map<String, Value>, product: &Product) -> Suggestion {
    let mut problems = Vec::new();
    let text = |key: &str, label: &str, problems: &mut Vec<String>| -> Option<String> {
        match fields.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(value)) => Some(collapse_space(value)),
            Some(_) => {
                problems.push(format!("The suggested {label} was not text."));
                None
            }
        }
    };
    let name = text("name", "name", &mut problems).and_then(|name| match name_problem(&name) {
        Some(problem) => {
            problems.push(format!("Suggested name dropped: {problem}"));
            None
        }
        None => Some(name),
    });
    let summary =
        text("summary", "summary", &mut problems).and_then(|summary| {
            match summary_problem(&summary) {
                Some(problem) => {
                    problems.push(format!("Suggested summary dropped: {problem}"));
                    None
                }
                None => (!summary.is_empty()).then_some(summary),
            }
        });
    let opening = text("descriptionOpening", "description opening", &mut problems).and_then(|opening| {
        let chars = opening.chars().count();
        if opening.contains(['<', '>']) {
            problems.push("Suggested description opening dropped: it was not plain text.".to_owned());
            None
        } else if chars > SNIPPET_CHARS {
            problems.push(format!(
                "Suggested description opening dropped: it has {chars} characters; search engines show the first {SNIPPET_CHARS}."
            ));
            None
        } else {
            (!opening.is_empty()).then_some(opening)
        }
    });
    let tags = match fields.get("tags") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            let mut tags: Vec<String> = Vec::new();
            for tag in items.iter().filter_map(Value::as_str).map(normalize_tag) {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            match tags_problem(&tags) {
                Some(problem) => {
                    problems.push(format!("Suggested tags dropped: {problem}"));
                    None
                }
                None if tags.is_empty() => {
                    problems.push("Suggested tags dropped: the list was empty.".to_owned());
                    None
                }
                None => Some(tags),
            }
        }
        Some(_) => {
            problems.push("The suggested tags were not a list of text.".to_owned());
            None
        }
    };
    Suggestion {
        product_id: product.id.clone(),
        product_name: product.name.clone(),
        name,
        summary,
        description_opening: opening,
        tags,
        problems,
    }
}

/// The error for a non-2xx answer, quoting the endpoint's own message (keys redacted).
fn http_error(status: u16, body: &str) -> Error {
    let said = endpoint_message(body);
    let quoted = said
        .as_deref()
        .map(|m| format!(" It said: \"{}\"", quote(m)))
        .unwrap_or_default();
    let error = match status {
        401 | 403 => Error::rejected(format!(
            "The AI endpoint refused the key (HTTP {status}); check the key in Bulkroad's AI settings.{quoted}"
        )),
        404 if body.contains("model_not_found") || said.as_deref().is_some_and(|m| m.to_lowercase().contains("model")) => {
            Error::invalid_input(format!("The AI endpoint does not know that model; check the model name.{quoted}"))
        }
        404 => Error::not_found(format!(
            "The AI endpoint has nothing at that address (HTTP 404); check the address.{quoted}"
        )),
        429 => Error::new(
            ErrorKind::RateLimited,
            format!("The AI endpoint limited the requests; try again later.{quoted}"),
        ),
        500.. => Error::server(format!("The AI endpoint failed (HTTP {status}).{quoted}")),
        _ => Error::rejected(format!("The AI endpoint refused the request (HTTP {status}).{quoted}")),
    };
    error.with_status(status)
}

/// `error.message` (OpenAI), `error` as text (Ollama) or `message`, when the body says.
fn endpoint_message(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let said = value
        .pointer("/error/message")
        .or_else(|| value.get("error").filter(|e| e.is_string()))
        .or_else(|| value.get("message"))?
        .as_str()?;
    Some(said.to_owned()).filter(|s| !s.trim().is_empty())
}

/// `text` cut for quoting, with anything that looks like a key redacted: a word starting
/// `sk-`, or a run of 24 or more letters, digits, `-` and `_`.
fn quote(text: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let looks_like_key = word.starts_with("sk-") || word.chars().count() >= 24;
        out.push_str(if looks_like_key { "[redacted]" } else { word });
        word.clear();
    };
    for c in collapse_space(text).chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    first_chars(&out, QUOTED_MAX).to_owned()
}

#[cfg(test)]
mod tests;
