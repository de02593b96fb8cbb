//! The life of a token: a 401 met with a renewer. Requests run together over a fake Gumroad
//! that accepts one token at a time, with renewers that count what they do.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::GumroadClient;
use crate::auth::{AccessToken, Renew, Renewal};
use crate::error::{Error, ErrorKind};
use crate::model::{ProductId, ProductUpdate};
use crate::transport::{Method, Request, Response, StopFlag, Stoppable, Transport, TransportError};

const OLD: &str = "tok_OLD_0123456789abcdefghijklmnopqrstuvwxyz";

fn token(value: &str) -> AccessToken {
    AccessToken::parse(value).unwrap()
}

/// The n-th token a renewer hands out.
fn nth(n: usize) -> String {
    format!("tok_NEW_{n}_0123456789abcdefghijklmnopqrstuvwxyz")
}

/// Pending `n` times, then ready: lets the other requests in flight run in between.
struct Yield(usize);

impl Future for Yield {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 == 0 {
            return Poll::Ready(());
        }
        self.0 -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// A Gumroad that accepts only `accepted` (none at first): 401 with an empty body for any
/// other token, as Doorkeeper does. A PUT with the accepted token is applied (counted).
/// The n-th request sent waits `delays[n]` turns (default 2) before it is answered.
#[derive(Default)]
struct FakeGumroad {
    accepted: RefCell<Option<String>>,
    sent: RefCell<Vec<(Method, String, Option<String>)>>,
    applied: Cell<usize>,
    delays: Vec<usize>,
}

impl FakeGumroad {
    fn accepting(value: Option<&str>) -> Self {
        FakeGumroad {
            accepted: RefCell::new(value.map(str::to_owned)),
            ..FakeGumroad::default()
        }
    }

    fn bearers(&self) -> Vec<Option<String>> {
        self.sent
            .borrow()
            .iter()
            .map(|(_, _, b)| b.clone())
            .collect()
    }
}

impl Transport for FakeGumroad {
    async fn send(
        &self,
        request: &Request,
        bearer: Option<&AccessToken>,
    ) -> Result<Response, TransportError> {
        let n = self.sent.borrow().len();
        let bearer = bearer.map(|b| b.expose().to_owned());
        self.sent
            .borrow_mut()
            .push((request.method, request.path.clone(), bearer.clone()));
        Yield(self.delays.get(n).copied().unwrap_or(2)).await;
        if bearer.is_none() || *self.accepted.borrow() != bearer {
            return Ok(Response {
                status: 401,
                www_authenticate: Some(
                    r#"Bearer realm="Doorkeeper", error="invalid_token""#.into(),
                ),
                ..Response::default()
            });
        }
        let body = match request.method {
            Method::Put => {
                self.applied.set(self.applied.get() + 1);
                r#"{"success":true,"product":{"id":"p1","name":"P","price":500,"currency":"usd"}}"#
            }
            _ => r#"{"success":true,"user":{"user_id":"u1","email":"s@example.com"}}"#,
        };
        Ok(Response {
            status: 200,
            content_type: Some("application/json".into()),
            www_authenticate: None,
            body: body.into(),
        })
    }
}

/// Renews as the service worker does: once for every request that asks with the same stale
/// token (single-flight); each renewal takes a few turns and makes Gumroad accept only the
/// new token.
struct SingleFlight {
    gumroad: Rc<FakeGumroad>,
    asked: Cell<usize>,
    renewals: Cell<usize>,
    busy: Cell<bool>,
    latest: RefCell<String>,
}

impl SingleFlight {
    fn new(gumroad: &Rc<FakeGumroad>) -> Rc<Self> {
        Rc::new(SingleFlight {
            gumroad: gumroad.clone(),
            asked: Cell::new(0),
            renewals: Cell::new(0),
            busy: Cell::new(false),
            latest: RefCell::new(OLD.to_owned()),
        })
    }
}

impl Renew for SingleFlight {
    fn renew<'a>(&'a self, stale: &'a AccessToken) -> Renewal<'a> {
        Box::pin(async move {
            self.asked.set(self.asked.get() + 1);
            while self.busy.get() {
                Yield(1).await;
            }
            if *self.latest.borrow() == stale.expose() {
                self.busy.set(true);
                Yield(5).await;
                let n = self.renewals.get() + 1;
                self.renewals.set(n);
                *self.latest.borrow_mut() = nth(n);
                *self.gumroad.accepted.borrow_mut() = Some(nth(n));
                self.busy.set(false);
            }
            Ok(Some(token(&self.latest.borrow())))
        })
    }
}

/// Answers every call with a new token (`answer` decides), counting the calls.
struct Counting<F> {
    asked: Cell<usize>,
    answer: F,
}

impl<F: Fn(usize) -> Result<Option<AccessToken>, Error>> Renew for Counting<F> {
    fn renew<'a>(&'a self, _stale: &'a AccessToken) -> Renewal<'a> {
        let n = self.asked.get() + 1;
        self.asked.set(n);
        let answer = (self.answer)(n);
        Box::pin(async move { answer })
    }
}

fn counting<F: Fn(usize) -> Result<Option<AccessToken>, Error>>(answer: F) -> Rc<Counting<F>> {
    Rc::new(Counting {
        asked: Cell::new(0),
        answer,
    })
}

/// The tests keep a handle on the renewer they give the client, to read its counts.
impl<R: Renew + ?Sized> Renew for Rc<R> {
    fn renew<'a>(&'a self, stale: &'a AccessToken) -> Renewal<'a> {
        (**self).renew(stale)
    }
}

/// Polls every future round-robin until all are done (the fakes wake at once).
fn run_all<'a, T>(futures: Vec<Pin<Box<dyn Future<Output = T> + 'a>>>) -> Vec<T> {
    let mut futures: Vec<_> = futures.into_iter().map(Some).collect();
    let mut outputs: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    let mut cx = Context::from_waker(Waker::noop());
    while outputs.iter().any(Option::is_none) {
        for (slot, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
                    *output = Some(value);
                    *slot = None;
                }
            }
        }
    }
    outputs.into_iter().map(Option::unwrap).collect()
}

fn run<T>(future: impl Future<Output = T>) -> T {
    run_all(vec![Box::pin(future)]).pop().unwrap()
}

fn price_update() -> ProductUpdate {
    ProductUpdate {
        price: Some(500),
        ..ProductUpdate::default()
    }
}

#[test]
fn many_requests_refused_together_share_one_renewal_and_all_succeed() {
    let gumroad = Rc::new(FakeGumroad::default());
    let renewer = SingleFlight::new(&gumroad);
    let client = GumroadClient::new(&*gumroad, token(OLD)).with_renewer(renewer.clone());
    let users = (0..8)
        .map(|_| Box::pin(client.user()) as Pin<Box<dyn Future<Output = _>>>)
        .collect();
    let answers = run_all(users);
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    assert_eq!(renewer.renewals.get(), 1, "one renewal for all of them");
    assert_eq!(client.token().expose(), nth(1));
    let bearers = gumroad.bearers();
    assert_eq!(bearers.len(), 16, "each request sent twice, no more");
    assert_eq!(
        bearers.iter().filter(|b| b.as_deref() == Some(OLD)).count(),
        8
    );
    assert_eq!(bearers.iter().filter(|b| **b == Some(nth(1))).count(), 8);
}

#[test]
fn a_request_refused_after_another_renewed_uses_the_new_token_without_asking() {
    // Request 0 is answered at once; request 1's 401 arrives long after the renewal.
    let gumroad = Rc::new(FakeGumroad {
        delays: vec![1, 40],
        ..FakeGumroad::default()
    });
    let accepts = gumroad.clone();
    let renewer = counting(move |n| {
        *accepts.accepted.borrow_mut() = Some(nth(n));
        Ok(Some(token(&nth(n))))
    });
    let client = GumroadClient::new(&*gumroad, token(OLD)).with_renewer(renewer.clone());
    let answers = run_all(vec![Box::pin(client.user()), Box::pin(client.user())]);
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    assert_eq!(renewer.asked.get(), 1, "the late one did not ask again");
    assert_eq!(
        gumroad.bearers(),
        [
            Some(OLD.into()),
            Some(OLD.into()),
            Some(nth(1)),
            Some(nth(1))
        ]
    );
}

#[test]
fn a_second_401_is_unauthorized_after_one_renewal_and_no_loop() {
    // Gumroad accepts nothing: every renewed token is refused too.
    let gumroad = Rc::new(FakeGumroad::default());
    let renewer = counting(|n| Ok(Some(token(&nth(n)))));
    let client = GumroadClient::new(&*gumroad, token(OLD)).with_renewer(renewer.clone());
    let error = run(client.user()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!(error.status(), Some(401));
    assert_eq!(renewer.asked.get(), 1);
    assert_eq!(gumroad.bearers(), [Some(OLD.into()), Some(nth(1))]);
    // The next request starts from the renewed token and again asks once at most.
    let error = run(client.user()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!(renewer.asked.get(), 2);
    assert_eq!(gumroad.bearers().len(), 4);
}

#[test]
fn without_a_renewer_or_a_new_token_a_401_is_unauthorized_as_before() {
    let gumroad = Rc::new(FakeGumroad::default());
    let client = GumroadClient::new(&*gumroad, token(OLD));
    let error = run(client.user()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!(gumroad.bearers().len(), 1);

    for answer in [None, Some(OLD)] {
        let gumroad = Rc::new(FakeGumroad::default());
        let renewer = counting(move |_| Ok(answer.map(token)));
        let client = GumroadClient::new(&*gumroad, token(OLD)).with_renewer(renewer.clone());
        let error = run(client.user()).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Unauthorized, "{answer:?}");
        assert_eq!(error.status(), Some(401));
        assert_eq!(renewer.asked.get(), 1);
        assert_eq!(gumroad.bearers().len(), 1, "not sent again: {answer:?}");
        assert_eq!(client.token().expose(), OLD);
    }
}

#[test]
fn a_write_refused_with_401_is_sent_again_once_and_applied_once() {
    let gumroad = Rc::new(FakeGumroad::default());
    let renewer = SingleFlight::new(&gumroad);
    let client = GumroadClient::new(&*gumroad, token(OLD)).with_renewer(renewer.clone());
    let updated = run(client.update_product(&ProductId::new("p1"), &price_update())).unwrap();
    assert_eq!(updated.product.price, 500);
    assert_eq!(gumroad.applied.get(), 1);
    let sent = gumroad.sent.borrow();
    assert_eq!(sent.len(), 2);
    assert!(sent
        .iter()
        .all(|(method, path, _)| (*method, path.as_str()) == (Method::Put, "/v2/products/p1")));
}

#[test]
fn a_write_that_succeeds_is_never_sent_again() {
    let gumroad = Rc::new(FakeGumroad::accepting(Some(OLD)));
    let renewer = counting(|_| panic!("no 401, no renewal"));
    let client = GumroadClient::new(&*gumroad, token(OLD)).with_renewer(renewer.clone());
    run(client.update_product(&ProductId::new("p1"), &price_update())).unwrap();
    assert_eq!((gumroad.applied.get(), gumroad.sent.borrow().len()), (1, 1));
}

#[test]
fn what_renewing_fails_with_is_the_requests_error_and_not_applied() {
    let gumroad = Rc::new(FakeGumroad::default());
    let renewer = counting(|_| {
        Err(Error::network("Could not connect to Gumroad.")
            .with_status(502)
            .at(Method::Post, "/oauth/token"))
    });
    let client = GumroadClient::new(&*gumroad, token(OLD)).with_renewer(renewer.clone());
    let error = run(client.update_product(&ProductId::new("p1"), &price_update())).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Network);
    assert_eq!(error.endpoint(), Some("PUT /v2/products/p1"));
    assert_eq!(error.status(), None);
    assert!(!error.may_have_applied(), "Gumroad refused it with 401");
    assert_eq!(gumroad.sent.borrow().len(), 1);
}

#[test]
fn an_account_disconnected_while_renewing_sends_nothing_more() {
    let gumroad = Rc::new(FakeGumroad::default());
    let stop = StopFlag::new();
    let stops = stop.clone();
    let renewer = counting(move |n| {
        stops.stop();
        Ok(Some(token(&nth(n))))
    });
    let client = GumroadClient::new(Stoppable::new(&*gumroad, stop.clone()), token(OLD))
        .with_renewer(renewer.clone());
    let error = run(client.user()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Stopped);
    assert_eq!(gumroad.bearers(), [Some(OLD.into())]);
}

#[test]
fn the_renewed_token_is_scrubbed_from_answers() {
    /// Refuses the old token, then echoes the bearer it got in a refusal.
    struct Echo;
    impl Transport for Echo {
        async fn send(
            &self,
            _: &Request,
            bearer: Option<&AccessToken>,
        ) -> Result<Response, TransportError> {
            let bearer = bearer.unwrap().expose();
            Ok(if bearer == OLD {
                Response {
                    status: 401,
                    ..Response::default()
                }
            } else {
                Response {
                    status: 200,
                    body: format!(r#"{{"success":false,"message":"bad {bearer}"}}"#),
                    ..Response::default()
                }
            })
        }
    }
    let renewer = counting(|n| Ok(Some(token(&nth(n)))));
    let client = GumroadClient::new(Echo, token(OLD)).with_renewer(renewer.clone());
    let error = run(client.user()).unwrap_err();
    assert_eq!(error.message(), "bad [token]");
}
