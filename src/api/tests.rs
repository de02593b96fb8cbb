//! Unit tests of the client over an in-memory transport: which requests the endpoints
//! build, how pages are followed, and that the token travels only as the bearer argument.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use super::GumroadClient;
use crate::auth::AccessToken;
use crate::model::{Discount, NewOfferCode, OfferCodeId, ProductId, ProductUpdate};
use crate::transport::{Method, Request, Response, Transport, TransportError};
use crate::ErrorKind;

const TOKEN: &str = "tok_SECRET_0123456789abcdefghijklmnopqrstuv";

/// Answers queued in order; records every request with the bearer it came with.
#[derive(Default)]
struct FakeTransport {
    answers: RefCell<VecDeque<Result<Response, TransportError>>>,
    sent: RefCell<Vec<(Request, String)>>,
}

impl FakeTransport {
    fn answering(answers: impl IntoIterator<Item = Result<Response, TransportError>>) -> Self {
        FakeTransport {
            answers: RefCell::new(answers.into_iter().collect()),
            sent: RefCell::default(),
        }
    }

    fn sent(&self) -> Vec<(Request, String)> {
        self.sent.borrow().clone()
    }
}

// Its record holds the bearer values, so it prints nothing of its state.
impl std::fmt::Debug for FakeTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FakeTransport")
    }
}

impl Transport for FakeTransport {
    async fn send(
        &self,
        request: &Request,
        bearer: Option<&AccessToken>,
    ) -> Result<Response, TransportError> {
        let bearer = bearer.expect("every API request carries the token");
        self.sent
            .borrow_mut()
            .push((request.clone(), bearer.expose().to_owned()));
        self.answers
            .borrow_mut()
            .pop_front()
            .expect("the test queued no answer for this request")
    }
}

fn json(status: u16, body: &str) -> Result<Response, TransportError> {
    Ok(Response {
        status,
        content_type: Some("application/json; charset=utf-8".into()),
        www_authenticate: None,
        body: body.to_owned(),
    })
}

fn products_page(ids: &[&str], next: Option<&str>) -> Result<Response, TransportError> {
    let products: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"id":"{id}","name":"P {id}","price":100,"currency":"usd"}}"#))
        .collect();
    let next = next.map_or(String::new(), |key| format!(r#","next_page_key":"{key}""#));
    json(
        200,
        &format!(
            r#"{{"success":true,"products":[{}]{next}}}"#,
            products.join(",")
        ),
    )
}

/// Runs a future that never waits (the fake answers at once).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

fn client(transport: FakeTransport) -> GumroadClient<FakeTransport> {
    GumroadClient::new(transport, AccessToken::parse(TOKEN).unwrap())
}

fn page_keys_sent(client: &GumroadClient<FakeTransport>) -> Vec<Option<String>> {
    client
        .transport()
        .sent()
        .iter()
        .map(|(request, _)| {
            assert_eq!(
                (request.method, request.path.as_str()),
                (Method::Get, "/v2/products")
            );
            request
                .query
                .iter()
                .find(|(name, _)| name == "page_key")
                .map(|(_, value)| value.clone())
        })
        .collect()
}

#[test]
fn products_follow_page_keys_until_absent() {
    let client = client(FakeTransport::answering([
        products_page(&["a", "b"], Some("k1")),
        products_page(&["c"], Some("k2")),
        products_page(&["d"], None),
    ]));
    let products = block_on(client.products()).unwrap();
    let ids: Vec<&str> = products.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "d"]);
    assert_eq!(
        page_keys_sent(&client),
        [None, Some("k1".to_owned()), Some("k2".to_owned())]
    );
}

#[test]
fn an_empty_next_page_key_ends_the_list() {
    let client = client(FakeTransport::answering([products_page(&["a"], Some(""))]));
    assert_eq!(block_on(client.products()).unwrap().len(), 1);
    assert_eq!(page_keys_sent(&client), [None]);
}

#[test]
fn a_repeated_page_key_stops_with_a_pagination_cycle_error() {
    let client = client(FakeTransport::answering([
        products_page(&["a"], Some("k1")),
        products_page(&["b"], Some("k2")),
        products_page(&["c"], Some("k1")),
    ]));
    let error = block_on(client.products()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.message().contains("pagination cycle"), "{error}");
    assert_eq!(
        page_keys_sent(&client),
        [None, Some("k1".to_owned()), Some("k2".to_owned())]
    );
}

#[test]
fn an_error_on_a_later_page_is_returned_as_is() {
    let client = client(FakeTransport::answering([
        products_page(&["a"], Some("k1")),
        json(400, r#"{"status":400,"error":"Invalid page_key."}"#),
    ]));
    let error = block_on(client.products()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Rejected);
    assert_eq!(error.message(), "Invalid page_key.");
}

#[test]
fn the_token_goes_only_into_the_bearer_argument() {
    let client = client(FakeTransport::answering([
        json(200, r#"{"success":true,"user":{"name":"Ann"}}"#),
        json(200, r#"{"resource_owner_id":"1","scope":"account"}"#),
        products_page(&["a"], None),
        json(200, r#"{"success":true,"offer_codes":[]}"#),
        json(
            200,
            r#"{"success":true,"offer_code":{"id":"o","name":"X","percent_off":5}}"#,
        ),
    ]));
    block_on(client.user()).unwrap();
    block_on(client.token_info()).unwrap();
    block_on(client.products()).unwrap();
    let product = ProductId::new("p1");
    block_on(client.offer_codes(&product)).unwrap();
    let code = NewOfferCode {
        name: "X".into(),
        discount: Discount::Percent(5),
        max_purchase_count: None,
        minimum_amount_cents: None,
        universal: true,
    };
    block_on(client.create_offer_code(&product, &code)).unwrap();
    let sent = client.transport().sent();
    assert_eq!(sent.len(), 5);
    for (request, bearer) in sent {
        assert_eq!(bearer, TOKEN);
        let url = request.url("https://api.gumroad.com");
        assert!(!url.contains(TOKEN), "{url}");
        assert!(!request.form_body().unwrap_or_default().contains(TOKEN));
        assert!(!format!("{request:?}").contains(TOKEN));
    }
}

#[test]
fn endpoints_build_the_documented_requests() {
    let ok_code = r#"{"success":true,"offer_code":{"id":"o1","name":"X","amount_cents":500}}"#;
    let ok_product = r#"{"success":true,"product":{"id":"p/1","price":100,"currency":"usd"}}"#;
    let client = client(FakeTransport::answering([
        json(200, ok_product),
        json(200, r#"{"success":true,"offer_codes":[]}"#),
        json(200, ok_code),
        json(200, ok_code),
        json(
            200,
            r#"{"success":true,"message":"The offer_code was deleted successfully."}"#,
        ),
        json(200, ok_product),
    ]));
    let product = ProductId::new("p/1");
    let code = OfferCodeId::new("o1");
    block_on(client.product(&product)).unwrap();
    block_on(client.offer_codes(&product)).unwrap();
    let new_code = NewOfferCode {
        name: "FIVE".into(),
        discount: Discount::Fixed { cents: 500 },
        max_purchase_count: Some(3),
        minimum_amount_cents: None,
        universal: false,
    };
    block_on(client.create_offer_code(&product, &new_code)).unwrap();
    let update = crate::model::OfferCodeUpdate {
        max_purchase_count: Some(9),
        minimum_amount_cents: None,
    };
    block_on(client.update_offer_code(&product, &code, &update)).unwrap();
    block_on(client.delete_offer_code(&product, &code)).unwrap();
    let change = ProductUpdate {
        price: Some(1500),
        ..ProductUpdate::default()
    };
    let updated = block_on(client.update_product(&product, &change)).unwrap();
    assert_eq!(updated.warning, None);

    let sent: Vec<(Method, String, Option<String>)> = client
        .transport()
        .sent()
        .into_iter()
        .map(|(request, _)| (request.method, request.path.clone(), request.form_body()))
        .collect();
    let expected = [
        (Method::Get, "/v2/products/p%2F1", None),
        (Method::Get, "/v2/products/p%2F1/offer_codes", None),
        (
            Method::Post,
            "/v2/products/p%2F1/offer_codes",
            Some("name=FIVE&offer_type=cents&amount_off=500&max_purchase_count=3"),
        ),
        (
            Method::Put,
            "/v2/products/p%2F1/offer_codes/o1",
            Some("max_purchase_count=9"),
        ),
        (Method::Delete, "/v2/products/p%2F1/offer_codes/o1", None),
        (Method::Put, "/v2/products/p%2F1", Some("price=1500")),
    ];
    assert_eq!(sent.len(), expected.len());
    for (got, want) in sent.iter().zip(expected) {
        assert_eq!(
            (got.0, got.1.as_str(), got.2.as_deref()),
            want,
            "request {got:?}"
        );
    }
}

#[test]
fn invalid_input_is_refused_before_sending() {
    let client = client(FakeTransport::default());
    let empty = ProductId::new(" ");
    let error = block_on(client.product(&empty)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    let bad_code = NewOfferCode {
        name: "NO SPACES".into(),
        discount: Discount::Percent(10),
        max_purchase_count: None,
        minimum_amount_cents: None,
        universal: false,
    };
    let error = block_on(client.create_offer_code(&ProductId::new("p"), &bad_code)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    let error = block_on(client.update_product(&ProductId::new("p"), &ProductUpdate::default()))
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(client.transport().sent().is_empty());
}

#[test]
fn dot_segments_are_refused_before_sending() {
    let client = client(FakeTransport::default());
    for id in [".", "..", " .. "] {
        let error = block_on(client.delete_offer_code(&ProductId::new("P"), &OfferCodeId::new(id)))
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{id:?}");
        assert!(
            error.message().contains("discount code id"),
            "{}",
            error.message()
        );
        let error = block_on(client.product(&ProductId::new(id))).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{id:?}");
        let error = block_on(client.offer_codes(&ProductId::new(id))).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{id:?}");
    }
    assert!(client.transport().sent().is_empty());
}

#[test]
fn transport_failures_become_network_errors_with_the_write_flag() {
    let rows = [
        (TransportError::Interrupted, true),
        (TransportError::Timeout, true),
        (TransportError::Connect, false),
    ];
    for (failure, may_have_applied) in rows {
        let client = client(FakeTransport::answering([Err(failure)]));
        let code = OfferCodeId::new("o1");
        let error = block_on(client.delete_offer_code(&ProductId::new("p"), &code)).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Network);
        assert_eq!(error.may_have_applied(), may_have_applied, "{failure:?}");
        assert_eq!(error.retryable(), !may_have_applied, "{failure:?}");
        assert_eq!(
            error.endpoint(),
            Some("DELETE /v2/products/p/offer_codes/o1")
        );
        assert_eq!(error.status(), None);
    }
}

#[test]
fn an_answer_echoing_the_token_never_reaches_a_message() {
    let echo = format!(r#"{{"success":false,"message":"Bad token {TOKEN} for you"}}"#);
    let mut unauthorized = json(401, "").unwrap();
    unauthorized.www_authenticate = Some(format!(
        r#"Bearer error_description="token {TOKEN} revoked""#
    ));
    let wrong_type = format!(r#"{{"success":true,"user":{{"name":["{TOKEN}"]}}}}"#);
    let client = client(FakeTransport::answering([
        json(200, &echo),
        Ok(unauthorized),
        json(200, &wrong_type),
    ]));
    for _ in 0..3 {
        let error = block_on(client.user()).unwrap_err();
        for rendered in [
            error.to_string(),
            format!("{error:?}"),
            serde_json::to_string(&error).unwrap(),
        ] {
            assert!(!rendered.contains(TOKEN), "{rendered}");
            assert!(!rendered.contains("SECRET"), "{rendered}");
        }
    }
    assert!(!format!("{client:?}").contains(TOKEN));
}
