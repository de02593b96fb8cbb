//! The AI stand-in at `POST /ai/v1/chat/completions`: keys, the derived suggestion and its
//! determinism, the special models, no CORS, the log without the key, `localhost`, and a
//! slow answer that does not hold up other requests.

mod common;

use std::time::{Duration, Instant};

use bulkroad_sandbox::ai::{self, Product};
use bulkroad_sandbox::tokens::FULL;
use common::start;
use reqwest::blocking::Client;
use serde_json::{json, Value};

const GOOD: &str = "sk-sandbox-good";

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

fn client(timeout: Duration) -> Client {
    Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .timeout(timeout)
        .build()
        .unwrap()
}

fn ask_at(base: &str, key: Option<&str>, body: &Value) -> Answer {
    let mut req = client(Duration::from_secs(20)).post(format!("{base}/ai/v1/chat/completions"));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let res = req.json(body).send().unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().unwrap();
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
    }
}

fn request(model: &str, content: &str) -> Value {
    json!({
        "model": model,
        "temperature": 0.2,
        "messages": [
            {"role": "system", "content": "You improve Gumroad listings. Answer JSON."},
            {"role": "user", "content": "an earlier question"},
            {"role": "assistant", "content": "an earlier answer"},
            {"role": "user", "content": content},
        ],
    })
}

fn product_content() -> String {
    json!({
        "instruction": "Make it clearer",
        "product": {
            "name": "cozy  procreate brushes, vol. 2",
            "summary": "",
            "description": "<p>Forty brushes for <b>cozy</b> art &amp; lettering. Works on iPad!</p><ul><li>Grain</li></ul>",
            "tags": ["#art", "Procreate", "ipad", "a"],
            "category": "drawing-and-painting/procreate",
        }
    })
    .to_string()
}

fn content_json(answer: &Answer) -> Value {
    let content = answer.body["choices"][0]["message"]["content"]
        .as_str()
        .unwrap();
    serde_json::from_str(content).unwrap_or_else(|_| panic!("content not JSON: {content}"))
}

#[test]
fn a_good_key_gets_the_documented_suggestion_every_time() {
    let sb = start(3, 1);
    let base = sb.url();
    let first = ask_at(
        &base,
        Some(GOOD),
        &request("gpt-4o-mini", &product_content()),
    );
    assert_eq!(first.status, 200, "{}", first.body);
    let b = &first.body;
    assert_eq!(b["id"], "chatcmpl-sandbox-1");
    assert_eq!(b["object"], "chat.completion");
    assert_eq!(b["model"], "gpt-4o-mini");
    assert_eq!(b["choices"][0]["index"], 0);
    assert_eq!(b["choices"][0]["finish_reason"], "stop");
    assert_eq!(b["choices"][0]["message"]["role"], "assistant");
    assert!(b["choices"][0]["message"]["refusal"].is_null());
    let usage = &b["usage"];
    assert_eq!(
        usage["total_tokens"].as_u64().unwrap(),
        usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap()
    );
    assert_eq!(
        content_json(&first),
        json!({
            "name": "Cozy Procreate Brushes, Vol. 2",
            "summary": "Cozy Procreate Brushes, Vol. 2: Forty brushes for cozy art & lettering.",
            "descriptionOpening": "Discover Cozy Procreate Brushes, Vol. 2, made for procreate.",
            "tags": ["cozy", "procreate", "brushes", "ipad"],
        })
    );
    // The library's own derivation says the same.
    let predicted = ai::suggest(&Product::from_content(&product_content()));
    assert_eq!(
        first.body["choices"][0]["message"]["content"],
        predicted.to_json_string()
    );

    // Deterministic: the same request, the same content; only the id counts up.
    let second = ask_at(
        &base,
        Some("sk-sandbox-good-project-2"),
        &request("sandbox-good", &product_content()),
    );
    assert_eq!(second.body["id"], "chatcmpl-sandbox-2");
    assert_eq!(content_json(&second), content_json(&first));

    // Content that is not JSON is the product's name.
    let plain = ask_at(
        &base,
        Some(GOOD),
        &request("gpt-4.1", "  minimal notion planner "),
    );
    assert_eq!(
        content_json(&plain),
        json!({"name": "Minimal Notion Planner", "summary": "Minimal Notion Planner", "descriptionOpening": "Discover Minimal Notion Planner.", "tags": ["minimal", "notion", "planner"]})
    );
    // Content as parts, as newer clients send it.
    let parts = json!({"model": "o4-mini", "messages": [{"role": "user", "content": [{"type": "text", "text": "tiny icon set"}]}]});
    assert_eq!(
        content_json(&ask_at(&base, Some(GOOD), &parts))["name"],
        "Tiny Icon Set"
    );
}

#[test]
fn keys_are_checked_and_a_gumroad_token_is_no_key() {
    let sb = start(3, 1);
    let base = sb.url();
    let body = request("gpt-4o-mini", "x");
    let wrong = ask_at(&base, Some("sk-wrong"), &body);
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.body,
        json!({"error": {"message": "Incorrect API key provided: sk-wr***ng. You can find your API key at https://platform.openai.com/account/api-keys.", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}})
    );
    let missing = ask_at(&base, None, &body);
    assert_eq!(missing.status, 401);
    assert!(missing.body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("You didn't provide an API key."));
    assert_eq!(missing.body["error"]["type"], "invalid_request_error");

    let gumroad = ask_at(&base, Some(FULL), &body);
    assert_eq!(gumroad.status, 401);
    assert_eq!(gumroad.body["error"]["code"], "invalid_api_key");
    assert!(!gumroad.body.to_string().contains(FULL));
    // Nor as Doorkeeper's parameter.
    let res = client(Duration::from_secs(5))
        .post(format!("{base}/ai/v1/chat/completions?access_token={FULL}"))
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    // A short key is masked whole.
    let short = ask_at(&base, Some("sk-1"), &body);
    assert!(short.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("provided: ***."));
}

#[test]
fn the_special_models_fail_as_real_services_do() {
    let sb = start(3, 1);
    let base = sb.url();
    let content = product_content();

    let malformed = ask_at(&base, Some(GOOD), &request("sandbox-malformed", &content));
    assert_eq!(malformed.status, 200);
    let text = malformed.body["choices"][0]["message"]["content"]
        .as_str()
        .unwrap();
    assert_eq!(text, "Sure! Here are some ideas...");
    assert!(serde_json::from_str::<Value>(text).is_err());

    let bad = ask_at(&base, Some(GOOD), &request("sandbox-bad-tags", &content));
    let suggestion = content_json(&bad);
    assert_eq!(suggestion["name"].as_str().unwrap().chars().count(), 300);
    assert!(suggestion["name"]
        .as_str()
        .unwrap()
        .starts_with("Cozy Procreate Brushes, Vol. 2 Deluxe Deluxe"));
    let tags = suggestion["tags"].as_array().unwrap();
    assert!(tags.contains(&json!("#Art")) && tags.contains(&json!("a")));

    let refuse = ask_at(&base, Some(GOOD), &request("sandbox-refuse", &content));
    assert_eq!(refuse.status, 200);
    assert_eq!(
        refuse.body["choices"][0]["message"],
        json!({"role": "assistant", "content": null, "refusal": "I can't help with that."})
    );

    let error = ask_at(&base, Some(GOOD), &request("sandbox-error", &content));
    assert_eq!(error.status, 500);
    assert_eq!(
        error.body,
        json!({"error": {"message": "The server had an error while processing your request.", "type": "server_error"}})
    );

    let unknown = ask_at(&base, Some(GOOD), &request("llama-9000", &content));
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.body,
        json!({"error": {"message": "The model `llama-9000` does not exist or you do not have access to it.", "type": "invalid_request_error", "param": null, "code": "model_not_found"}})
    );
    // The key is checked before the model.
    assert_eq!(
        ask_at(&base, Some("sk-bad-key"), &request("llama-9000", &content)).status,
        401
    );
}

#[test]
fn no_cors_anywhere_under_ai_and_preflights_are_not_found() {
    let sb = start(3, 1);
    let base = sb.url();
    let ok = ask_at(&base, Some(GOOD), &request("gpt-4o-mini", "x"));
    let denied = ask_at(&base, Some("sk-nope-nope"), &request("gpt-4o-mini", "x"));
    for a in [&ok, &denied] {
        assert!(
            a.headers
                .keys()
                .all(|k| !k.as_str().starts_with("access-control-")),
            "{:?}",
            a.headers
        );
    }
    let pre = client(Duration::from_secs(5))
        .request(
            reqwest::Method::OPTIONS,
            format!("{base}/ai/v1/chat/completions"),
        )
        .header("origin", "chrome-extension://abcdefghijklmnop")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .unwrap();
    assert_eq!(pre.status().as_u16(), 404);
    assert!(pre
        .headers()
        .keys()
        .all(|k| !k.as_str().starts_with("access-control-")));
    // The Gumroad stand-in keeps its CORS.
    let api = client(Duration::from_secs(5))
        .get(format!("{base}/v2/products"))
        .bearer_auth(FULL)
        .send()
        .unwrap();
    assert_eq!(api.headers()["access-control-allow-origin"], "*");
    let other = client(Duration::from_secs(5))
        .get(format!("{base}/ai/v1/models"))
        .send()
        .unwrap();
    assert_eq!(other.status().as_u16(), 404);
}

#[test]
fn requests_are_logged_without_the_key() {
    let sb = start(3, 1);
    let base = sb.url();
    sb.clear_requests();
    assert!(sb.requests().iter().all(|r| !r.path.starts_with("/ai/")));
    ask_at(
        &base,
        Some("sk-sandbox-good-secret-123"),
        &request("gpt-4o-mini", &product_content()),
    );
    ask_at(&base, None, &request("gpt-4o-mini", "x"));
    let log = sb.requests();
    let ai: Vec<_> = log
        .iter()
        .filter(|r| r.path == "/ai/v1/chat/completions")
        .collect();
    assert_eq!(ai.len(), 2);
    assert_eq!(ai[0].method, "POST");
    assert_eq!(ai[0].authorization.as_deref(), Some("[redacted]"));
    assert_eq!(ai[0].status, Some(200));
    assert!(ai[0].body.contains("cozy  procreate brushes"));
    assert_eq!((ai[0].store, ai[0].token.as_deref()), (None, None));
    assert_eq!(ai[1].authorization, None);
    assert_eq!(ai[1].status, Some(401));
    let whole = serde_json::to_string(&log).unwrap();
    assert!(!whole.contains("secret-123"));
    // Also through the side door.
    let side: Value = client(Duration::from_secs(5))
        .get(format!("{base}/__sandbox/requests"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(side
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["path"] == "/ai/v1/chat/completions"));
    assert!(!side.to_string().contains("secret-123"));
}

#[test]
fn localhost_reaches_the_same_server() {
    let sb = start(3, 1);
    let base = format!("http://localhost:{}", sb.port());
    let a = ask_at(&base, Some(GOOD), &request("gpt-4o-mini", "tiny icon set"));
    assert_eq!(a.status, 200);
    assert_eq!(content_json(&a)["name"], "Tiny Icon Set");
}

#[test]
fn a_slow_answer_does_not_hold_up_other_requests() {
    let sb = start(3, 1);
    let base = sb.url();
    let slow_base = base.clone();
    let started = Instant::now();
    let slow = std::thread::spawn(move || {
        client(Duration::from_secs(3))
            .post(format!("{slow_base}/ai/v1/chat/completions"))
            .bearer_auth(GOOD)
            .json(&request("sandbox-slow", "x"))
            .send()
            .map(|r| r.status().as_u16())
    });
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..3 {
        let quick = ask_at(&base, Some(GOOD), &request("gpt-4o-mini", "x"));
        assert_eq!(quick.status, 200);
        let api = client(Duration::from_secs(5))
            .get(format!("{base}/v2/products"))
            .bearer_auth(FULL)
            .send()
            .unwrap();
        assert_eq!(api.status().as_u16(), 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let outcome = slow.join().unwrap();
    assert!(
        outcome.is_err(),
        "the slow model answered within 3 s: {outcome:?}"
    );
    // Logged on arrival, so a client that gave up still shows it was sent.
    assert!(sb
        .requests()
        .iter()
        .any(|r| r.body.contains("sandbox-slow")));
}
