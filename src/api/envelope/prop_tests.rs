//! Property tests of [`decode`] and of the client calls that go through it: whatever the
//! status, headers and body (arbitrary bytes, arbitrary JSON, a valid answer cut off or
//! with a field retyped or removed, strings of a megabyte), decoding does not panic,
//! succeeds only for a 2xx with a well-formed success body, and fails with a non-empty,
//! one-line, bounded message of a kind (and "may have applied") consistent with the status.
//! Well-formed products, offer codes and sales, sent as Gumroad sends them, come back equal.
//!
//! The runs are seeded (the same cases on every machine) and write no regression files.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::decode;
use crate::api::GumroadClient;
use crate::auth::AccessToken;
use crate::error::{Error, ErrorKind, MAX_MESSAGE_CHARS};
use crate::model::{
    page_key, Discount, NewOfferCode, OfferCode, OfferCodeId, Product, ProductId, Sale,
    SaleOfferCode, SalesQuery, VariantCategory, VariantOption,
};
use crate::transport::{Method, Request, Response, Transport, TransportError};

/// Put into non-JSON bodies: it must never reach a message.
const MARKER: &str = "ZQX-PAGE-TEXT";

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x6275_6c6b_726f_6164),
        ..Config::default()
    }
}

/// The shape `products_page` decodes, so that `decode` can be checked against serde.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct ProductsAnswer {
    products: Vec<Product>,
    #[serde(default, deserialize_with = "page_key")]
    next_page_key: Option<String>,
}

/// Answers every request with the same response.
struct Answer(Response);

impl Transport for Answer {
    async fn send(&self, _: &Request, _: Option<&AccessToken>) -> Result<Response, TransportError> {
        Ok(self.0.clone())
    }
}

/// Runs a future that never waits (the transport answers at once).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

fn client(response: &Response) -> GumroadClient<Answer> {
    GumroadClient::new(
        Answer(response.clone()),
        AccessToken::parse("tok_0123456789abcdefghijklmnopqrstuvwxyzABCDE").unwrap(),
    )
}

fn json_response(status: u16, body: String) -> Response {
    Response {
        status,
        content_type: Some("application/json; charset=utf-8".into()),
        www_authenticate: None,
        body,
    }
}

// ---- strategies ----

fn methods() -> impl Strategy<Value = Method> {
    prop_oneof![
        3 => Just(Method::Get),
        1 => Just(Method::Post),
        1 => Just(Method::Put),
        1 => Just(Method::Patch),
        1 => Just(Method::Delete),
    ]
}

fn statuses() -> impl Strategy<Value = u16> {
    prop_oneof![
        4 => 200u16..=299,
        4 => Just(200u16),
        1 => prop::sample::select(vec![400u16, 401, 403, 404, 409, 422, 429]),
        1 => 400u16..=599,
        1 => any::<u16>(),
    ]
}

fn content_types() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(Some("application/json; charset=utf-8".to_owned())),
        Just(Some("text/html; charset=utf-8".to_owned())),
        Just(Some("text/plain".to_owned())),
        Just(None),
        ".{0,30}".prop_map(Some),
    ]
}

fn www_authenticates() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        3 => Just(None),
        1 => ".{0,80}".prop_map(Some),
        1 => ".{0,80}".prop_map(|d| Some(format!(r#"Bearer realm="Doorkeeper", error="invalid_token", error_description="{d}""#))),
    ]
}

/// Keys the decoder looks at, mixed with any.
fn keys() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "success", "message", "error", "error_description", "status", "products",
            "product", "offer_codes", "sales", "next_page_key", "id", "price", "currency",
            "name", "percent_off", "amount_cents",
        ]).prop_map(str::to_owned),
        1 => ".{0,12}",
    ]
}

fn json_values() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        ".{0,24}".prop_map(Value::from),
        Just(json!("The product was not found.")),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

fn texts() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[a-zA-Z0-9 _-]{0,16}", 1 => ".{0,16}"]
}

fn money() -> impl Strategy<Value = i64> {
    prop_oneof![3 => 0i64..1_000_000, 1 => any::<i64>()]
}

fn ppp_prices() -> impl Strategy<Value = Option<BTreeMap<String, i64>>> {
    prop::option::of(prop::collection::btree_map("[A-Z]{2}", money(), 0..4))
}

fn variant_categories() -> impl Strategy<Value = Vec<VariantCategory>> {
    let option = (
        texts(),
        prop::option::of(money()),
        any::<bool>(),
        prop::option::of(money()),
        ppp_prices(),
    )
        .prop_map(
            |(name, price_difference, pwyw, monthly, ppp)| VariantOption {
                name,
                price_difference,
                is_pay_what_you_want: pwyw,
                recurrence_prices: monthly.map(|cents| json!({"monthly": {"price_cents": cents}})),
                purchasing_power_parity_prices: ppp,
            },
        );
    prop::collection::vec(
        (texts(), prop::collection::vec(option, 0..3))
            .prop_map(|(title, options)| VariantCategory { title, options }),
        0..2,
    )
}

prop_compose! {
    fn products()(
        id in "[A-Za-z0-9_=-]{1,24}",
        name in texts(),
        description in prop::option::of(texts()),
        price in money(),
        currency in prop::sample::select(vec!["usd", "eur", "jpy", "gbp", "inr"]),
        formatted_price in prop::option::of(texts()),
        flags in any::<[bool; 5]>(),
        customizable_price in prop::option::of(any::<bool>()),
        recurrences in prop::option::of(prop::collection::vec(texts(), 0..3)),
        counts in any::<[Option<i64>; 3]>(),
        tags in prop::collection::vec(texts(), 0..3),
        urls in any::<[bool; 4]>(),
        ppp in ppp_prices(),
        variants in variant_categories(),
    ) -> Product {
        let url = |set: bool, path: &str| set.then(|| format!("https://example.com/{path}/{id}"));
        Product {
            id: ProductId::new(id.clone()),
            name,
            description,
            price,
            currency: currency.to_owned(),
            formatted_price,
            published: flags[0],
            deleted: flags[1],
            customizable_price,
            is_tiered_membership: flags[2],
            recurrences,
            subscription_duration: flags[3].then(|| "monthly".to_owned()),
            max_purchase_count: counts[0],
            tags,
            sales_count: counts[1],
            sales_usd_cents: counts[2],
            custom_permalink: urls[0].then(|| format!("perma-{id}")),
            custom_summary: None,
            short_url: url(urls[1], "l"),
            thumbnail_url: url(urls[2], "t"),
            preview_url: url(urls[3], "p"),
            require_shipping: flags[4],
            is_preorder: false,
            purchasing_power_parity_prices: ppp,
            variants,
            taxonomy_id: counts[0].filter(|n| *n > 0),
            category: None,
            category_label: None,
            covers: Vec::new(),
            main_cover_id: None,
            display_product_reviews: None,
        }
    }
}

prop_compose! {
    fn offer_codes()(
        id in "[A-Za-z0-9_=-]{1,24}",
        name in texts(),
        percent in any::<bool>(),
        amount in any::<u8>(),
        cents in money(),
        max_purchase_count in prop::option::of(money()),
        minimum_amount_cents in prop::option::of(money()),
        universal in any::<bool>(),
        times_used in money(),
    ) -> OfferCode {
        OfferCode {
            id: OfferCodeId::new(id),
            name,
            discount: if percent { Discount::Percent(amount) } else { Discount::Fixed { cents } },
            max_purchase_count,
            minimum_amount_cents,
            universal,
            times_used,
        }
    }
}

prop_compose! {
    fn sales()(
        id in "[A-Za-z0-9_=-]{1,24}",
        created_at in "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z",
        texts in prop::collection::vec(prop::option::of(texts()), 8),
        product_id in prop::option::of("[A-Za-z0-9_=-]{1,24}"),
        amounts in any::<[Option<i64>; 3]>(),
        flags in any::<[bool; 3]>(),
        can_contact in prop::option::of(any::<bool>()),
        custom_fields in prop::collection::btree_map(texts(), texts(), 0..3),
        variants in prop::collection::btree_map(texts(), texts(), 0..2),
        offer_code in prop::option::of((texts(), prop::option::of(texts()))),
    ) -> Sale {
        Sale {
            id,
            created_at,
            email: texts[0].clone(),
            purchase_email: texts[1].clone(),
            full_name: texts[2].clone(),
            product_id: product_id.map(ProductId::new),
            product_name: texts[3].clone(),
            product_permalink: None,
            price: amounts[0],
            gumroad_fee: amounts[1],
            currency: texts[4].clone(),
            currency_symbol: None,
            refunded: flags[0],
            partially_refunded: flags[1],
            chargedback: flags[2],
            country: texts[5].clone(),
            country_iso2: None,
            order_id: texts[6].clone(),
            quantity: amounts[2],
            custom_fields,
            variants,
            offer_code: offer_code.map(|(code, displayed_amount_off)| SaleOfferCode {
                code,
                displayed_amount_off,
            }),
            subscription_id: None,
            can_contact,
            license_key: texts[7].clone(),
            referrer: None,
            amount_refundable_in_currency: None,
        }
    }
}

/// `item` as Gumroad sends it: some nil keys dropped (as `Purchase#as_json` does), some
/// fields it has that the client does not model.
fn as_gumroad_sends(item: Value, drop_nulls: bool, extra: bool) -> Value {
    let Value::Object(mut object) = item else {
        return item;
    };
    if drop_nulls {
        object.retain(|_, value| !value.is_null());
    }
    if extra {
        object.insert("file_info".into(), json!({}));
        object.insert("covers".into(), json!([]));
        object.insert("url".into(), Value::Null);
        object.insert(
            "brand_new_field".into(),
            json!({"nested": [1, "two", null]}),
        );
    }
    Value::Object(object)
}

fn encode_list<T: serde::Serialize>(
    key: &str,
    items: &[T],
    next: Option<&str>,
    shape: (bool, bool),
) -> String {
    let items: Vec<Value> = items
        .iter()
        .map(|item| as_gumroad_sends(serde_json::to_value(item).unwrap(), shape.0, shape.1))
        .collect();
    let mut body = Map::new();
    body.insert("success".into(), json!(true));
    body.insert(key.into(), Value::Array(items));
    if let Some(key) = next {
        body.insert("next_page_key".into(), json!(key));
        body.insert(
            "next_page_url".into(),
            json!(format!("/v2/x?page_key={key}")),
        );
    }
    Value::Object(body).to_string()
}

/// A valid products answer.
fn products_answers() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(products(), 0..4),
        prop::option::of("[0-9-]{1,12}"),
    )
        .prop_map(|(items, next)| encode_list("products", &items, next.as_deref(), (false, false)))
}

/// A valid products answer, then spoiled in one of the ways an answer gets spoiled.
fn spoiled_answers() -> impl Strategy<Value = String> {
    prop_oneof![
        // Cut off anywhere.
        (products_answers(), any::<Index>()).prop_map(|(text, at)| {
            let mut cut = at.index(text.len().max(1));
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text[..cut].to_owned()
        }),
        // One value (anywhere) replaced by any JSON, or one key removed.
        (
            products_answers(),
            prop::collection::vec(any::<Index>(), 1..5),
            json_values(),
            any::<bool>()
        )
            .prop_map(|(text, path, replacement, remove)| {
                let mut value: Value = serde_json::from_str(&text).unwrap();
                replace_at(&mut value, &path, replacement, remove);
                value.to_string()
            }),
        // Well-formed, with trailing bytes.
        (products_answers(), ".{1,8}").prop_map(|(text, tail)| text + &tail),
    ]
}

/// Walks `path` down `value` (stopping early at a leaf) and replaces what it reaches with
/// `replacement`, or removes it from its object.
fn replace_at(value: &mut Value, path: &[Index], replacement: Value, remove: bool) {
    let Some((step, rest)) = path.split_first() else {
        *value = replacement;
        return;
    };
    match value {
        Value::Object(object) if !object.is_empty() => {
            let key = object.keys().nth(step.index(object.len())).unwrap().clone();
            if rest.is_empty() && remove {
                object.remove(&key);
            } else {
                replace_at(object.get_mut(&key).unwrap(), rest, replacement, remove);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let at = step.index(items.len());
            replace_at(&mut items[at], rest, replacement, remove);
        }
        _ => *value = replacement,
    }
}

/// Bodies of every sort except the huge ones (see `huge_answers`).
fn bodies() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..300)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        3 => json_values().prop_map(|value| value.to_string()),
        3 => spoiled_answers(),
        1 => (".{0,40}", any::<bool>()).prop_map(|(text, doctype)| {
            let page = format!("<html><body><h1>{MARKER}</h1><p>{text}</p></body></html>");
            if doctype { format!("<!DOCTYPE html>\n{page}") } else { page }
        }),
        1 => ".{0,40}".prop_map(|text| format!("{MARKER} {text}")),
        1 => json_values().prop_map(|message| json!({"success": false, "message": message}).to_string()),
        1 => json_values().prop_map(|error| json!({"status": 400, "error": error}).to_string()),
    ]
}

fn responses(bodies: impl Strategy<Value = String>) -> impl Strategy<Value = Response> {
    (statuses(), content_types(), www_authenticates(), bodies).prop_map(
        |(status, content_type, www_authenticate, body)| Response {
            status,
            content_type,
            www_authenticate,
            body,
        },
    )
}

/// Answers with a string of 0.1–1 MB in the places a hostile server would put it.
fn huge_answers() -> impl Strategy<Value = Response> {
    let huge = (
        prop::sample::select(vec!['x', 'é', '"', '\\', '\n', '<', '9']),
        100_000usize..1_000_000,
    )
        .prop_map(|(c, n)| c.to_string().repeat(n / c.len_utf8()));
    (statuses(), huge, 0..9u8).prop_map(|(status, huge, place)| {
        let text = Value::String(huge.clone());
        let body = match place {
            0 => json!({"success": false, "message": text}).to_string(),
            1 => json!({"status": 400, "error": text}).to_string(),
            2 => json!({"success": true, "products": [{"id": "p", "price": text, "currency": "usd"}]})
                .to_string(),
            3 => json!({"success": true, "products": text}).to_string(),
            4 => json!({"error": "invalid_token", "error_description": text}).to_string(),
            5 => json!({"success": true, "products": [], "next_page_key": [text]}).to_string(),
            6 => json!({"success": false, "message": [text.clone(), text]}).to_string(),
            7 => huge.clone(),
            _ => String::new(),
        };
        Response {
            status,
            content_type: Some("application/json; charset=utf-8".into()),
            www_authenticate: (place == 8).then(|| format!(r#"Bearer error_description="{huge}""#)),
            body,
        }
    })
}

// ---- what must hold ----

/// The kinds an answer with `status` may turn into.
fn kinds_for(status: u16) -> &'static [ErrorKind] {
    match status {
        200..=299 => &[ErrorKind::Decode, ErrorKind::Rejected, ErrorKind::NotFound],
        401 => &[ErrorKind::Unauthorized],
        403 => &[ErrorKind::Forbidden],
        404 => &[ErrorKind::NotFound],
        429 => &[ErrorKind::RateLimited],
        400..=499 => &[ErrorKind::Rejected],
        _ => &[ErrorKind::Server],
    }
}

/// A body Gumroad could mean as a success: a JSON object whose `success` is not `false`,
/// with `key` when the call needs it.
fn success_shaped(body: &str, key: Option<&str>) -> bool {
    serde_json::from_str::<Value>(body).is_ok_and(|value| {
        value.is_object()
            && value.get("success") != Some(&json!(false))
            && key.is_none_or(|key| value.get(key).is_some())
    })
}

fn check_error(
    error: &Error,
    method: Method,
    path: &str,
    response: &Response,
) -> Result<(), TestCaseError> {
    let message = error.message();
    prop_assert!(!message.is_empty());
    prop_assert!(
        message.chars().count() <= MAX_MESSAGE_CHARS + 1,
        "{} chars",
        message.chars().count()
    );
    prop_assert!(!message.chars().any(char::is_control), "{message:?}");
    prop_assert!(!message.contains(MARKER), "{message}");
    prop_assert_eq!(error.status(), Some(response.status));
    let endpoint = format!("{} {path}", method.as_str());
    prop_assert_eq!(error.endpoint(), Some(endpoint.as_str()));
    prop_assert!(
        kinds_for(response.status).contains(&error.kind()),
        "HTTP {} gave {:?}: {}",
        response.status,
        error.kind(),
        message
    );
    // A refusal (4xx, success:false) applied nothing; a write that got a 5xx, an unknown
    // status or an unreadable success may have been applied.
    let may_have_applied = method.is_write()
        && match response.status {
            200..=299 => error.kind() == ErrorKind::Decode,
            400..=499 => false,
            _ => true,
        };
    prop_assert_eq!(
        error.may_have_applied(),
        may_have_applied,
        "{:?} {}",
        method,
        response.status
    );
    if method.is_write() {
        prop_assert_eq!(error.retryable(), error.kind() == ErrorKind::RateLimited);
    }
    Ok(())
}

/// `decode` directly, then every client call that reads or writes through it.
fn check_answer(method: Method, response: &Response) -> Result<(), TestCaseError> {
    let request = Request::new(method, "/v2/products");
    match decode::<ProductsAnswer>(&request, None, response.clone()) {
        Ok(_) => {
            prop_assert!((200..=299).contains(&response.status));
            prop_assert!(success_shaped(&response.body, Some("products")));
            prop_assert!(serde_json::from_str::<ProductsAnswer>(&response.body).is_ok());
        }
        Err(error) => {
            check_error(&error, method, "/v2/products", response)?;
            // Not a well-formed success: the status, the `success:false`, or the body.
            prop_assert!(
                !(200..=299).contains(&response.status)
                    || !success_shaped(&response.body, None)
                    || serde_json::from_str::<ProductsAnswer>(&response.body).is_err(),
                "{error}"
            );
        }
    }

    let client = client(response);
    let product = ProductId::new("p1");
    let code = OfferCodeId::new("c1");
    let new_code = NewOfferCode {
        name: "SAVE".into(),
        discount: Discount::Percent(10),
        max_purchase_count: None,
        minimum_amount_cents: None,
        universal: false,
    };
    // (method, path, the key a success needs, the outcome)
    let results = [
        (
            Method::Get,
            "/v2/products",
            Some("products"),
            block_on(client.products_page(None)).map(drop),
        ),
        (
            Method::Get,
            "/v2/products/p1/offer_codes",
            Some("offer_codes"),
            block_on(client.offer_codes(&product)).map(drop),
        ),
        (
            Method::Get,
            "/v2/sales",
            Some("sales"),
            block_on(client.sales_page(&SalesQuery::default(), None)).map(drop),
        ),
        (
            Method::Post,
            "/v2/products/p1/offer_codes",
            Some("offer_code"),
            block_on(client.create_offer_code(&product, &new_code)).map(drop),
        ),
        (
            Method::Delete,
            "/v2/products/p1/offer_codes/c1",
            None,
            block_on(client.delete_offer_code(&product, &code)),
        ),
    ];
    for (method, path, key, result) in results {
        match result {
            Ok(()) => {
                prop_assert!((200..=299).contains(&response.status), "{path}");
                prop_assert!(success_shaped(&response.body, key), "{path}");
            }
            Err(error) => check_error(&error, method, path, response)?,
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_answer_decodes_or_fails_with_a_bounded_error_of_the_right_kind(
        method in methods(),
        response in responses(bodies()),
    ) {
        check_answer(method, &response)?;
    }

    #[test]
    fn products_offer_codes_and_sales_come_back_as_sent(
        products in prop::collection::vec(products(), 0..5),
        codes in prop::collection::vec(offer_codes(), 0..5),
        sales in prop::collection::vec(sales(), 0..5),
        next in prop::option::of("[0-9a-z-]{0,12}"),
        shape in any::<(bool, bool)>(),
    ) {
        let next = next.as_deref();
        let expected_next = next.filter(|key| !key.is_empty()).map(str::to_owned);

        let body = encode_list("products", &products, next, shape);
        let page = block_on(client(&json_response(200, body)).products_page(None)).unwrap();
        prop_assert_eq!(&page.items, &products);
        prop_assert_eq!(&page.next_page_key, &expected_next);

        let body = encode_list("offer_codes", &codes, None, shape);
        let listed = block_on(client(&json_response(200, body)).offer_codes(&ProductId::new("p"))).unwrap();
        prop_assert_eq!(&listed, &codes);

        let body = encode_list("sales", &sales, next, shape);
        let page = block_on(client(&json_response(200, body)).sales_page(&SalesQuery::default(), None)).unwrap();
        prop_assert_eq!(&page.items, &sales);
        prop_assert_eq!(&page.next_page_key, &expected_next);
    }
}

proptest! {
    // Each case moves megabytes; a few dozen cover the places a huge string can sit.
    #![proptest_config(config(24))]

    #[test]
    fn huge_answers_never_make_huge_messages(method in methods(), response in huge_answers()) {
        check_answer(method, &response)?;
    }
}
