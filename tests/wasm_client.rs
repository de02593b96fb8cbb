//! The core compiled to wasm, run in a service worker in headless Chromium against the
//! sandbox: the real `fetch` transport (CORS, empty 401 bodies, headers) and the JS
//! boundary (`connect`, errors as `GumroadError`). Needs `SANDBOX_URL` and, for the
//! exports, `GUMROAD_API_BASE_URL` set to the same origin at build time (`./build.sh test`).
#![cfg(target_arch = "wasm32")]

use bulkroad::model::ProductId;
use bulkroad::transport::fetch::FetchTransport;
use bulkroad::{AccessToken, ErrorKind, GumroadClient};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_service_worker);

// Not `env!`: that would stop `cargo clippy --all-targets --target wasm32-unknown-unknown`
// (and any wasm build of the tests) from compiling without a sandbox running.
#[allow(clippy::option_env_unwrap)]
fn sandbox_url() -> &'static str {
    option_env!("SANDBOX_URL").expect("SANDBOX_URL must be set when building the wasm tests")
}

async fn inspect(path: &str) -> Value {
    gloo_net::http::Request::get(&format!("{}{path}", sandbox_url()))
        .send()
        .await
        .expect("the sandbox answers")
        .json()
        .await
        .expect("inspection answers are JSON")
}

async fn token(kind: &str) -> String {
    inspect("/__sandbox/tokens").await[kind]
        .as_str()
        .expect("the sandbox names its tokens")
        .to_owned()
}

async fn client_with(kind: &str) -> GumroadClient<FetchTransport> {
    let token = AccessToken::parse(&token(kind).await).unwrap();
    GumroadClient::new(FetchTransport::new(sandbox_url()), token)
}

fn js_field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &name.into()).unwrap()
}

#[wasm_bindgen_test]
async fn fetch_reads_the_user_and_the_token_scopes() {
    let client = client_with("full").await;
    let user = client.user().await.unwrap();
    let state = inspect("/__sandbox/state").await;
    assert_eq!(user.email.as_deref(), state["seller"]["email"].as_str());
    let info = client.token_info().await.unwrap();
    assert!(
        info.scopes.iter().any(|s| s == "edit_products"),
        "{:?}",
        info.scopes
    );
}

#[wasm_bindgen_test]
async fn fetch_follows_every_product_page() {
    let products = client_with("full").await.products().await.unwrap();
    let state = inspect("/__sandbox/state").await;
    let live = state["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["deleted_at"].is_null())
        .count();
    assert!(live > 10);
    assert_eq!(products.len(), live);
}

#[wasm_bindgen_test]
async fn an_unknown_token_is_unauthorized_even_through_cors() {
    let token = AccessToken::parse("UnknownTokenUnknownTokenUnknownToken0123456").unwrap();
    let client = GumroadClient::new(FetchTransport::new(sandbox_url()), token);
    let error = client.user().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!(error.status(), Some(401));
    assert!(!error.message().contains("UnknownToken"));
}

#[wasm_bindgen_test]
async fn a_token_without_a_read_scope_is_forbidden() {
    let error = client_with("no_read_scope").await.user().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    assert_eq!(error.status(), Some(403));
}

#[wasm_bindgen_test]
async fn a_missing_product_is_not_found_from_a_success_false_answer() {
    let error = client_with("full")
        .await
        .product(&ProductId::from("nosuchproduct".to_owned()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
}

#[wasm_bindgen_test]
async fn connect_export_resolves_to_the_seller_and_scopes() {
    let full = token("full").await;
    let connection = bulkroad::wasm::connect(format!("  {full}\n").into(), None)
        .await
        .unwrap();
    assert_eq!(
        js_field(&connection, "token").as_string().unwrap(),
        full,
        "trimmed"
    );
    let state = inspect("/__sandbox/state").await;
    let user = js_field(&connection, "user");
    assert_eq!(
        js_field(&user, "name").as_string().as_deref(),
        state["seller"]["name"].as_str()
    );
    let missing: js_sys::Array = js_field(&connection, "missingFeatures").dyn_into().unwrap();
    assert_eq!(missing.length(), 0);
}

#[wasm_bindgen_test]
async fn connect_export_rejects_with_a_gumroad_error_that_js_can_branch_on() {
    let rejected =
        bulkroad::wasm::connect("RejectedTokenRejectedTokenRejectedToken0123".into(), None)
            .await
            .unwrap_err();
    let error: js_sys::Error = rejected.dyn_into().expect("a real JS Error");
    assert_eq!(error.name(), "GumroadError");
    assert_eq!(
        js_field(&error, "kind").as_string().unwrap(),
        "Unauthorized"
    );
    assert_eq!(js_field(&error, "status").as_f64(), Some(401.0));
    assert_eq!(js_field(&error, "retryable").as_bool(), Some(false));
    let message = String::from(error.message());
    assert!(!message.contains("RejectedToken"), "{message}");
}

#[wasm_bindgen_test]
async fn connect_export_refuses_a_malformed_token_before_any_request() {
    let before = inspect("/__sandbox/requests")
        .await
        .as_array()
        .unwrap()
        .len();
    let refused = bulkroad::wasm::connect("two words".into(), None)
        .await
        .unwrap_err();
    assert_eq!(
        js_field(&refused, "kind").as_string().unwrap(),
        "InvalidInput"
    );
    assert_eq!(js_field(&refused, "status"), JsValue::NULL);
    let after = inspect("/__sandbox/requests")
        .await
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after, "nothing was sent");
}

/// A JS value from JSON text.
fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn rust(value: &JsValue) -> Value {
    serde_json::from_str(&String::from(js_sys::JSON::stringify(value).unwrap())).unwrap()
}

/// id → price of the live products.
async fn prices_now() -> std::collections::BTreeMap<String, i64> {
    inspect("/__sandbox/state").await["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["deleted_at"].is_null())
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                p["price_cents"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[wasm_bindgen_test]
async fn a_price_job_runs_and_undoes_through_the_exports() {
    let full = token("full").await;
    let state = inspect("/__sandbox/state").await;
    let chosen: Vec<String> = state["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["deleted_at"].is_null() && p["is_tiered_membership"] == false)
        .filter(|p| p["currency"] == "usd" && p["price_cents"].as_i64().unwrap() >= 500)
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .take(2)
        .collect();
    assert_eq!(chosen.len(), 2);
    let before = prices_now().await;
    let form = js(
        &serde_json::json!({"mode": "percent", "amount": "+10", "currency": null,
        "rounding": "charm99", "allowFree": false, "onLimit": "clamp", "productIds": chosen})
        .to_string(),
    );
    let plan = bulkroad::wasm::preview_price_change(full.clone().into(), form, JsValue::NULL, None)
        .await
        .unwrap();
    let plan_json = rust(&plan);
    assert_eq!(plan_json["operation"], "priceChange");
    for step in plan_json["steps"].as_array().unwrap() {
        assert_eq!(step["action"]["type"], "updatePrice", "{step}");
        assert_eq!(step["action"]["after"], step["priceAfter"]);
    }
    let on_event = js_sys::Function::new_with_args("event", "return null");
    let report = bulkroad::wasm::execute_plan(full.clone().into(), plan, on_event.clone(), None)
        .await
        .unwrap();
    assert_eq!(rust(&report)["summary"]["applied"], 2);
    let raised = prices_now().await;
    for step in plan_json["steps"].as_array().unwrap() {
        let id = step["productId"].as_str().unwrap();
        assert_eq!(Some(raised[id]), step["priceAfter"].as_i64());
    }
    let undo = bulkroad::wasm::preview_undo(full.clone().into(), report, None, None)
        .await
        .unwrap();
    assert_eq!(rust(&undo)["summary"]["update"], 2);
    let undone = bulkroad::wasm::execute_plan(full.clone().into(), undo, on_event, None)
        .await
        .unwrap();
    assert_eq!(rust(&undone)["summary"]["applied"], 2);
    assert_eq!(prices_now().await, before);

    // A fixed price under the minimum is refused before any request.
    let sent = inspect("/__sandbox/requests")
        .await
        .as_array()
        .unwrap()
        .len();
    let form = js(
        r#"{"mode": "set", "amount": "0.50", "currency": "usd", "rounding": "none",
        "allowFree": false, "onLimit": "skip", "productIds": ["x"]}"#,
    );
    let refused = bulkroad::wasm::preview_price_change(full.into(), form, JsValue::NULL, None)
        .await
        .unwrap_err();
    assert_eq!(
        js_field(&refused, "kind").as_string().unwrap(),
        "InvalidInput"
    );
    let sent_after = inspect("/__sandbox/requests")
        .await
        .as_array()
        .unwrap()
        .len();
    assert_eq!(sent, sent_after, "nothing was sent");
}

#[wasm_bindgen_test]
fn a_value_of_the_wrong_shape_is_invalid_input_naming_the_field() {
    let refused =
        bulkroad::wasm::export_start(js(r#"{"kind": "sales", "after": 20240101}"#), js("[]"))
            .unwrap_err();
    assert_eq!(
        js_field(&refused, "kind").as_string().unwrap(),
        "InvalidInput"
    );
    let message = js_field(&refused, "message").as_string().unwrap();
    assert!(message.contains("at after:"), "{message}");
    // The value crossed as JSON text: where serde_json met the fault in that text means
    // nothing to a seller and is not said.
    assert!(!message.contains("line 1"), "{message}");
    // A value JSON cannot hold (a BigInt) is refused, not read as something else.
    let form = js_sys::Object::new();
    js_sys::Reflect::set(&form, &"kind".into(), &"sales".into()).unwrap();
    js_sys::Reflect::set(&form, &"after".into(), &js_sys::BigInt::from(1u32).into()).unwrap();
    let refused = bulkroad::wasm::export_start(form.into(), js("[]")).unwrap_err();
    assert_eq!(js_field(&refused, "kind").as_string().unwrap(), "InvalidInput");
    // A key present as `undefined` reads as a key left out.
    let form = js_sys::Object::new();
    js_sys::Reflect::set(&form, &"kind".into(), &"sales".into()).unwrap();
    js_sys::Reflect::set(&form, &"productId".into(), &JsValue::UNDEFINED).unwrap();
    let started = bulkroad::wasm::export_start(form.into(), js("[]")).unwrap();
    let state = js_field(&started, "state");
    let runs = bulkroad::wasm::export_page_runs(state.clone()).unwrap();
    assert!(js_sys::Array::is_array(&runs));
    assert!(js_field(&state, "query").is_object(), "{:?}", rust(&state));
}

/// How many requests the sandbox has logged so far.
async fn logged() -> usize {
    inspect("/__sandbox/requests")
        .await
        .as_array()
        .expect("the request log is a list")
        .len()
}

/// Sets the sandbox's faults (JSON), returning those that were in force. Sent as plain
/// text, a simple request: the side door answers no CORS preflight.
async fn set_faults(faults: &Value) -> Value {
    let before = inspect("/__sandbox/faults").await;
    gloo_net::http::Request::post(&format!("{}/__sandbox/faults", sandbox_url()))
        .header("Content-Type", "text/plain")
        .body(faults.to_string())
        .unwrap()
        .send()
        .await
        .expect("the sandbox takes faults");
    before
}

fn assert_stopped(rejected: JsValue, may_have_applied: bool) {
    let error: js_sys::Error = rejected.dyn_into().expect("a real JS Error");
    assert_eq!(error.name(), "GumroadError");
    assert_eq!(js_field(&error, "kind").as_string().unwrap(), "Stopped");
    assert_eq!(
        String::from(error.message()),
        "Stopped: this account was disconnected in Bulkroad. Nothing more is sent with its token."
    );
    assert_eq!(js_field(&error, "retryable").as_bool(), Some(false));
    assert_eq!(
        js_field(&error, "mayHaveApplied").as_bool(),
        Some(may_have_applied)
    );
}

#[wasm_bindgen_test]
async fn an_aborted_stop_signal_rejects_as_stopped_and_sends_nothing() {
    let full = token("full").await;
    let before = logged().await;
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let rejected = bulkroad::wasm::list_products(full.clone().into(), Some(controller.signal()))
        .await
        .unwrap_err();
    assert_stopped(rejected, false);
    assert_eq!(logged().await, before, "nothing was sent");

    // A signal that has not aborted changes nothing; a stop that is no signal is refused.
    let live = web_sys::AbortController::new().unwrap();
    let listed = bulkroad::wasm::list_products(full.clone().into(), Some(live.signal()))
        .await
        .unwrap();
    assert!(js_sys::Array::is_array(&listed));
    let not_a_signal: web_sys::AbortSignal = JsValue::from("stop").unchecked_into();
    let refused = bulkroad::wasm::list_products(full.into(), Some(not_a_signal))
        .await
        .unwrap_err();
    assert_eq!(
        js_field(&refused, "kind").as_string().unwrap(),
        "InvalidInput"
    );
}

#[wasm_bindgen_test]
async fn a_stop_signal_aborts_the_request_on_its_way_whatever_the_reason() {
    let full = token("full").await;
    let faults = set_faults(&serde_json::json!({"latency_ms": 3_000})).await;
    let controller = web_sys::AbortController::new().unwrap();
    let aborts = controller.clone();
    // A reason that is not an Error: the module must still read the abort.
    gloo_timers::callback::Timeout::new(300, move || aborts.abort_with_reason(&"forgotten".into()))
        .forget();
    let started = js_sys::Date::now();
    let rejected = bulkroad::wasm::list_products(full.into(), Some(controller.signal()))
        .await
        .unwrap_err();
    let took = js_sys::Date::now() - started;
    set_faults(&faults).await;
    assert_stopped(rejected, false);
    assert!(
        took < 2_500.0,
        "aborted on its way, not answered: {took} ms"
    );
}

#[wasm_bindgen_test]
async fn a_job_whose_account_is_disconnected_as_it_starts_sends_nothing_and_ends_not_run() {
    let full = token("full").await;
    let state = inspect("/__sandbox/state").await;
    let chosen: Vec<String> = state["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["deleted_at"].is_null() && p["is_tiered_membership"] == false)
        .filter(|p| p["currency"] == "usd" && p["price_cents"].as_i64().unwrap() >= 500)
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .take(2)
        .collect();
    let form = js(
        &serde_json::json!({"mode": "percent", "amount": "+10", "currency": null,
        "rounding": "none", "allowFree": false, "onLimit": "skip", "productIds": chosen})
        .to_string(),
    );
    let plan = bulkroad::wasm::preview_price_change(full.clone().into(), form, JsValue::NULL, None)
        .await
        .unwrap();
    let before = logged().await;
    let prices = prices_now().await;
    let controller = web_sys::AbortController::new().unwrap();
    let aborts = controller.clone();
    // The seller forgets the account while the first step is about to start.
    let on_event = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue) -> JsValue>::new(
        move |_event: JsValue| {
            aborts.abort();
            JsValue::NULL
        },
    );
    let report = bulkroad::wasm::execute_plan(
        full.into(),
        plan,
        on_event
            .as_ref()
            .unchecked_ref::<js_sys::Function>()
            .clone(),
        Some(controller.signal()),
    )
    .await
    .expect("a stopped run still has its report");
    let report = rust(&report);
    assert_eq!(report["error"]["kind"], "Stopped", "{report}");
    assert_eq!(report["summary"]["notRun"], 2, "{report}");
    for row in report["rows"].as_array().unwrap() {
        assert_eq!(
            row["outcome"]["message"], "Not run: the account was disconnected.",
            "{row}"
        );
    }
    assert_eq!(logged().await, before, "nothing was sent");
    assert_eq!(prices_now().await, prices);
}

/// `{accessToken, renew}`: `renew(stale)` answers with `answer` (a JS value, or a rejection
/// when `reject`), recording the stale tokens it was given.
fn renewing(
    access_token: &str,
    answer: JsValue,
    reject: bool,
) -> (JsValue, std::rc::Rc<std::cell::RefCell<Vec<String>>>) {
    let asked = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let record = asked.clone();
    let renew = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(
        move |stale: JsValue| {
            record
                .borrow_mut()
                .push(stale.as_string().unwrap_or_default());
            if reject {
                js_sys::Promise::reject(&answer)
            } else {
                js_sys::Promise::resolve(&answer)
            }
        },
    )
    .into_js_value();
    let object = js_sys::Object::new();
    js_sys::Reflect::set(&object, &"accessToken".into(), &access_token.into()).unwrap();
    js_sys::Reflect::set(&object, &"renew".into(), &renew).unwrap();
    (object.into(), asked)
}

#[wasm_bindgen_test]
async fn a_refused_token_is_renewed_once_and_the_request_sent_again() {
    let full = token("full").await;
    let revoked = token("revoked").await;
    let (credential, asked) = renewing(&revoked, full.clone().into(), false);
    let listed = bulkroad::wasm::list_products(credential.clone(), None)
        .await
        .unwrap();
    assert!(js_sys::Array::from(&listed).length() > 10);
    assert_eq!(
        *asked.borrow(),
        std::slice::from_ref(&revoked),
        "asked once, with the refused token"
    );
    // connect reports the token it ended with, for the worker to keep.
    let connection = bulkroad::wasm::connect(credential, None).await.unwrap();
    assert_eq!(js_field(&connection, "token").as_string().unwrap(), full);

    for (answer, reject, kind) in [
        (JsValue::NULL, false, "Unauthorized"),
        (
            js(r#"{"kind":"Network","message":"Could not connect to Gumroad."}"#),
            true,
            "Network",
        ),
        (JsValue::from_str("not a token"), false, "InvalidInput"),
    ] {
        let (credential, asked) = renewing(&revoked, answer, reject);
        let rejected = bulkroad::wasm::list_products(credential, None)
            .await
            .unwrap_err();
        assert_eq!(js_field(&rejected, "kind").as_string().unwrap(), kind);
        assert_eq!(asked.borrow().len(), 1, "{kind}: asked once, no loop");
    }
}

#[wasm_bindgen_test]
async fn a_credential_of_the_wrong_shape_is_invalid_input_before_any_request() {
    let full = token("full").await;
    let before = logged().await;
    for value in [
        js("{}"),
        js(r#"{"accessToken": 5}"#),
        js(&format!(r#"{{"accessToken": "{full}", "renew": 5}}"#)),
        js("42"),
        JsValue::UNDEFINED,
    ] {
        let refused = bulkroad::wasm::list_products(value, None)
            .await
            .unwrap_err();
        assert_eq!(
            js_field(&refused, "kind").as_string().unwrap(),
            "InvalidInput"
        );
    }
    assert_eq!(logged().await, before, "nothing was sent");
    // Without `renew`, an object is the token alone.
    let listed =
        bulkroad::wasm::list_products(js(&format!(r#"{{"accessToken": "{full}"}}"#)), None)
            .await
            .unwrap();
    assert!(js_sys::Array::from(&listed).length() > 10);
}

#[wasm_bindgen_test]
fn oauth_start_gives_the_rfc_7636_challenge_for_its_bytes() {
    let mut bytes = [7u8; 64];
    bytes[..32].copy_from_slice(&[
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ]);
    bytes[40] = 8;
    let random = js_sys::Uint8Array::from(&bytes[..]);
    let started = bulkroad::wasm::oauth_start(
        Some("client-id".into()),
        "https://abc.chromiumapp.org/gumroad",
        false,
        random.into(),
    )
    .unwrap();
    assert_eq!(
        js_field(&started, "verifier").as_string().unwrap(),
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    );
    let url = js_field(&started, "authorizeUrl").as_string().unwrap();
    assert!(
        url.starts_with(&format!(
            "{}/oauth/authorize?",
            bulkroad::wasm::authorize_origin()
        )),
        "{url}"
    );
    assert!(url.contains("&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&"));
    let state = js_field(&started, "state").as_string().unwrap();
    let code = bulkroad::wasm::oauth_callback(
        &format!("https://abc.chromiumapp.org/gumroad?code=xyz&state={state}"),
        "https://abc.chromiumapp.org/gumroad",
        &state,
    )
    .unwrap();
    assert_eq!(js_field(&code, "code").as_string().unwrap(), "xyz");
    let denied = bulkroad::wasm::oauth_callback(
        &format!("https://abc.chromiumapp.org/gumroad?error=access_denied&state={state}"),
        "https://abc.chromiumapp.org/gumroad",
        &state,
    )
    .unwrap_err();
    assert_eq!(js_field(&denied, "kind").as_string().unwrap(), "Denied");
    let short = bulkroad::wasm::oauth_start(
        Some("client-id".into()),
        "https://abc.chromiumapp.org/gumroad",
        false,
        js_sys::Uint8Array::new_with_length(32).into(),
    )
    .unwrap_err();
    assert_eq!(
        js_field(&short, "kind").as_string().unwrap(),
        "InvalidInput"
    );
}
