//! AI suggestions, table-style: endpoint addresses, the request body's shape (its user
//! message parsed as a stand-in model would), answers checked field by field, and every
//! failure's kind and words, keys redacted.

use serde_json::{json, Value};

use super::*;

fn product() -> Product {
    serde_json::from_value(json!({
        "id": "p1", "name": "Lettering brushes", "price": 1500, "currency": "usd",
        "description": format!("<p>Forty <b>brushes</b> &amp; sheets.</p><p>{}</p>", "x".repeat(3000)),
        "custom_summary": "Brushes.", "tags": ["procreate"], "category_label": "Procreate",
    }))
    .unwrap()
}

#[test]
fn endpoints_are_https_or_local_http() {
    let ok = [
        (
            "https://api.openai.com/v1/chat/completions",
            "https://api.openai.com/v1/chat/completions",
            "https://api.openai.com",
            "https://api.openai.com/*",
        ),
        (
            " HTTPS://API.Example.com:8443/v1/chat?x=1 ",
            "https://api.example.com:8443/v1/chat?x=1",
            "https://api.example.com:8443",
            "https://api.example.com/*",
        ),
        (
            "https://example.com",
            "https://example.com/",
            "https://example.com",
            "https://example.com/*",
        ),
        (
            "http://localhost:11434/v1/chat/completions",
            "http://localhost:11434/v1/chat/completions",
            "http://localhost:11434",
            "http://localhost/*",
        ),
        (
            "http://127.0.0.1/v1",
            "http://127.0.0.1/v1",
            "http://127.0.0.1",
            "http://127.0.0.1/*",
        ),
    ];
    for (input, url, origin, permission) in ok {
        let endpoint = ai_endpoint(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(
            (
                endpoint.url.as_str(),
                endpoint.origin.as_str(),
                endpoint.permission.as_str()
            ),
            (url, origin, permission),
            "{input}"
        );
    }
    let refused = [
        ("http://api.example.com/v1", ""),
        ("http://192.168.1.2:8080/v1", ""),
        ("ftp://example.com", ""),
        ("example.com/v1", ""),
        ("", ""),
        ("https://user:sk-secret@example.com/v1", "key field"),
        ("https://example.com/v1#frag", "fragment"),
        ("https://exa mple.com", "spaces"),
        ("https://", "host"),
        ("https://[::1]/v1", "host"),
        ("https://example..com", "host"),
        ("https://-example.com", "host"),
        ("https://example.com:0/v1", "port"),
        ("https://example.com:70000/v1", "port"),
        ("https://example.com:/v1", "port"),
        ("http://localhost.evil.com/v1", ""),
    ];
    for (input, why) in refused {
        let error = ai_endpoint(input).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{input}");
        assert!(
            error.message().starts_with(ENDPOINT_RULE),
            "{input}: {error}"
        );
        assert!(error.message().contains(why), "{input}: {error}");
        assert!(!error.message().contains("secret"), "{error}");
    }
}

#[test]
fn the_request_carries_the_rules_and_a_json_user_document() {
    let instruction = format!("  Make it friendlier. {}", "y".repeat(800));
    let body = suggestion_request(" gpt-4o-mini ", &product(), &instruction).unwrap();
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["model"], "gpt-4o-mini");
    assert_eq!(body["temperature"], 0.2);
    assert_eq!(body["messages"][0]["role"], "system");
    let rules = body["messages"][0]["content"].as_str().unwrap();
    for needle in [
        "255",
        "160",
        "2 to 5 tags",
        "no leading #",
        "ONLY",
        "descriptionOpening",
    ] {
        assert!(rules.contains(needle), "{needle}: {rules}");
    }
    assert_eq!(body["messages"][1]["role"], "user");
    // What a stand-in model does: parse the user message as JSON.
    let user: Value =
        serde_json::from_str(body["messages"][1]["content"].as_str().unwrap()).unwrap();
    let keys: Vec<&String> = user.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["instruction", "product"]);
    assert_eq!(
        user["instruction"].as_str().unwrap().chars().count(),
        INSTRUCTION_MAX
    );
    assert!(user["instruction"]
        .as_str()
        .unwrap()
        .starts_with("Make it friendlier."));
    let sent = &user["product"];
    assert_eq!(sent["name"], "Lettering brushes");
    assert_eq!(sent["summary"], "Brushes.");
    assert_eq!(sent["tags"], json!(["procreate"]));
    assert_eq!(sent["category"], "Procreate");
    let description = sent["description"].as_str().unwrap();
    assert!(
        description.starts_with("Forty brushes & sheets. x"),
        "{description}"
    );
    assert_eq!(description.chars().count(), DESCRIPTION_SENT_MAX);
    let empty = suggestion_request("gpt", &product(), "").unwrap();
    let empty: Value = serde_json::from_str(&empty).unwrap();
    let user: Value =
        serde_json::from_str(empty["messages"][1]["content"].as_str().unwrap()).unwrap();
    assert_eq!(user["instruction"], "");
}

#[test]
fn an_empty_model_is_refused() {
    for model in ["", "   "] {
        let error = suggestion_request(model, &product(), "x").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(error.message().contains("model"), "{error}");
    }
}

fn completion(content: &str) -> String {
    json!({"choices": [{"message": {"role": "assistant", "content": content}}]}).to_string()
}

/// Which of name, summary, description opening and tags were kept.
type Kept = (bool, bool, bool, bool);

#[test]
fn suggested_fields_are_kept_only_when_they_pass_gumroads_rules() {
    let long = "x".repeat(161);
    let rows: Vec<(Value, Kept, &[&str])> = vec![
        (
            json!({"name": "Procreate lettering brushes", "summary": "Forty brushes.",
                "descriptionOpening": "Forty lettering brushes for Procreate.", "tags": ["Procreate", " lettering "]}),
            (true, true, true, true),
            &[],
        ),
        (
            json!({"name": ""}),
            (false, false, false, false),
            &["A product needs a name."],
        ),
        (
            json!({"name": "n".repeat(256)}),
            (false, false, false, false),
            &["256 characters"],
        ),
        (
            json!({"summary": long}),
            (false, false, false, false),
            &["Suggested summary dropped", "161"],
        ),
        (
            json!({"descriptionOpening": long}),
            (false, false, false, false),
            &["161 characters"],
        ),
        (
            json!({"descriptionOpening": "<p>Hi</p>"}),
            (false, false, false, false),
            &["not plain text"],
        ),
        (
            json!({"tags": ["#art", "ok"]}),
            (false, false, false, false),
            &["starts with #"],
        ),
        (
            json!({"tags": ["a,b"]}),
            (false, false, false, false),
            &["comma"],
        ),
        (
            json!({"tags": ["aa", "bb", "cc", "dd", "ee", "ff"]}),
            (false, false, false, false),
            &["6 tags"],
        ),
        (
            json!({"tags": []}),
            (false, false, false, false),
            &["empty"],
        ),
        (
            json!({"tags": "aa, bb"}),
            (false, false, false, false),
            &["not a list"],
        ),
        (
            json!({"name": 5}),
            (false, false, false, false),
            &["name was not text"],
        ),
        (json!({}), (false, false, false, false), &[]),
    ];
    for (fields, (name, summary, opening, tags), problems) in rows {
        let suggestion = read_suggestion(200, &completion(&fields.to_string()), &product())
            .unwrap_or_else(|e| panic!("{fields}: {e}"));
        assert_eq!(
            (
                suggestion.name.is_some(),
                suggestion.summary.is_some(),
                suggestion.description_opening.is_some(),
                suggestion.tags.is_some()
            ),
            (name, summary, opening, tags),
            "{fields}: {suggestion:?}"
        );
        let said = suggestion.problems.join(" ");
        for needle in problems {
            assert!(said.contains(needle), "{fields}: {said}");
        }
        assert_eq!(
            suggestion.problems.is_empty(),
            problems.is_empty(),
            "{fields}: {said}"
        );
        assert_eq!(suggestion.product_id.as_str(), "p1");
    }
    let kept = read_suggestion(
        200,
        &completion(r#"{"tags": ["Procreate", " lettering ", "procreate"]}"#),
        &product(),
    )
    .unwrap();
    assert_eq!(kept.tags.unwrap(), ["procreate", "lettering"]);
}

#[test]
fn fenced_and_wrapped_answers_are_read() {
    let rows = [
        "```json\n{\"name\": \"Brush set\"}\n```",
        "```\n{\"name\": \"Brush set\"}\n```",
        "Here you go:\n{\"name\": \"Brush set\"}\nHope it helps.",
        "  {\"name\": \"Brush  set\"} ",
    ];
    for content in rows {
        let suggestion = read_suggestion(200, &completion(content), &product()).unwrap();
        assert_eq!(suggestion.name.as_deref(), Some("Brush set"), "{content}");
    }
    let parts = json!({"choices": [{"message": {"content": [{"type": "text", "text": "{\"summary\": \"Short.\"}"}]}}]});
    let suggestion = read_suggestion(200, &parts.to_string(), &product()).unwrap();
    assert_eq!(suggestion.summary.as_deref(), Some("Short."));
}

#[test]
fn failures_have_kinds_js_branches_on_and_never_show_a_key() {
    let key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";
    let rows: Vec<(u16, String, ErrorKind, &str)> = vec![
        (
            401,
            json!({"error": {"message": format!("Incorrect API key provided: {key}."), "code": "invalid_api_key"}}).to_string(),
            ErrorKind::Rejected,
            "The AI endpoint refused the key (HTTP 401)",
        ),
        (403, String::new(), ErrorKind::Rejected, "refused the key (HTTP 403)"),
        (
            404,
            json!({"error": {"message": "The model `gpt-9` does not exist", "code": "model_not_found"}}).to_string(),
            ErrorKind::InvalidInput,
            "does not know that model",
        ),
        (
            404,
            json!({"error": "model \"llama9\" not found, try pulling it first"}).to_string(),
            ErrorKind::InvalidInput,
            "does not know that model",
        ),
        (404, "<html>Not Found</html>".into(), ErrorKind::NotFound, "nothing at that address"),
        (429, json!({"error": {"message": "Rate limit reached"}}).to_string(), ErrorKind::RateLimited, "limited the requests; try again later"),
        (500, "oops".into(), ErrorKind::Server, "The AI endpoint failed (HTTP 500)."),
        (503, String::new(), ErrorKind::Server, "failed (HTTP 503)"),
        (400, json!({"error": {"message": "Bad temperature"}}).to_string(), ErrorKind::Rejected, "It said: \"Bad temperature\""),
        (200, "not json".into(), ErrorKind::Decode, "not a chat completion"),
        (200, json!({"choices": []}).to_string(), ErrorKind::Decode, "not a chat completion"),
        (
            200,
            json!({"choices": [{"message": {"content": null, "refusal": "I can't help with that."}}]}).to_string(),
            ErrorKind::Rejected,
            "The model declined: I can't help with that.",
        ),
        (200, completion("Sure! Here are some ideas."), ErrorKind::Decode, "The model's answer was not the JSON Bulkroad asked for."),
        (200, completion("[1, 2]"), ErrorKind::Decode, "not the JSON"),
    ];
    for (status, body, kind, needle) in rows {
        let error = read_suggestion(status, &body, &product()).unwrap_err();
        assert_eq!(error.kind(), kind, "{status} {body}: {error}");
        assert!(error.message().contains(needle), "{status}: {error}");
        assert!(!error.message().contains("abcdefghij"), "{error}");
        assert!(!error.message().contains("sk-proj"), "{error}");
    }
    let error = read_suggestion(
        401,
        &json!({"error": {"message": format!("bad key {key}")}}).to_string(),
        &product(),
    )
    .unwrap_err();
    assert!(
        error.message().ends_with("It said: \"bad key [redacted]\""),
        "{error}"
    );
    assert_eq!(error.status(), Some(401));
}

#[test]
fn quoting_redacts_what_looks_like_a_key() {
    let rows = [
        ("Incorrect key sk-abc.", "Incorrect key [redacted]."),
        (
            "token ABCDEFGHIJKLMNOPQRSTUVWX1 here",
            "token [redacted] here",
        ),
        (
            "short abcdefghijklmnopqrstuvw ok",
            "short abcdefghijklmnopqrstuvw ok",
        ),
        ("multi\nline   text", "multi line text"),
    ];
    for (text, quoted) in rows {
        assert_eq!(quote(text), quoted, "{text}");
    }
    assert_eq!(quote(&"word ".repeat(100)).chars().count(), QUOTED_MAX);
}
