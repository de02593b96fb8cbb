//! The audit's reads over a small in-memory Gumroad: comparable prices read once per
//! distinct category and currency, failures of the newer endpoints made unknown with a
//! note (never fatal), a refused token fatal, and a fresh product list standing in for the
//! walk.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use serde_json::{json, Value};

use super::*;
use crate::auth::AccessToken;
use crate::bulk::snapshot::LIST_FRESH_FOR_MS;
use crate::runtime::FakeClock;
use crate::transport::{Request, Response, TransportError};

const NOW: f64 = 1_700_000_000_000.0;

/// Gumroad with `products` on pages of 10, categories (or a status instead) and comps
/// (or a status for every comps request).
struct Fake {
    products: Vec<Value>,
    categories: Option<u16>,
    comps: Option<u16>,
    log: RefCell<Vec<Request>>,
    comps_in_flight: Cell<usize>,
    max_comps_in_flight: Cell<usize>,
}

impl Fake {
    fn new(products: Vec<Value>) -> Self {
        Fake {
            products,
            categories: None,
            comps: None,
            log: RefCell::default(),
            comps_in_flight: Cell::new(0),
            max_comps_in_flight: Cell::new(0),
        }
    }

    fn paths(&self) -> Vec<String> {
        self.log.borrow().iter().map(|r| r.path.clone()).collect()
    }

    fn comps_asked(&self) -> Vec<(String, String)> {
        let query = |r: &Request, name: &str| {
            r.query
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let mut asked: Vec<(String, String)> = self
            .log
            .borrow()
            .iter()
            .filter(|r| r.path == "/v2/products/comps")
            .map(|r| (query(r, "taxonomy"), query(r, "price_currency_type")))
            .collect();
        asked.sort();
        asked
    }
}

fn answer(status: u16, body: Value) -> Response {
    Response {
        status,
        content_type: Some("application/json".into()),
        www_authenticate: None,
        body: body.to_string(),
    }
}

fn failure(status: u16) -> Response {
    Response {
        status,
        content_type: if status == 401 {
            None
        } else {
            Some("text/html".into())
        },
        www_authenticate: None,
        body: if status == 401 {
            String::new()
        } else {
            "<html>no</html>".into()
        },
    }
}

/// Resolves after being polled `n` times, so requests overlap.
struct Yield(u32);

impl Future for Yield {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 == 0 {
            Poll::Ready(())
        } else {
            self.0 -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

impl Transport for Fake {
    async fn send(
        &self,
        request: &Request,
        _bearer: Option<&AccessToken>,
    ) -> Result<Response, TransportError> {
        self.log.borrow_mut().push(request.clone());
        let comps = request.path == "/v2/products/comps";
        if comps {
            self.comps_in_flight.set(self.comps_in_flight.get() + 1);
            let now = self.comps_in_flight.get();
            self.max_comps_in_flight
                .set(self.max_comps_in_flight.get().max(now));
        }
        Yield(3).await;
        if comps {
            self.comps_in_flight.set(self.comps_in_flight.get() - 1);
        }
        Ok(match request.path.as_str() {
            "/v2/products" => {
                let offset: usize = request
                    .query
                    .iter()
                    .find(|(n, _)| n == "page_key")
                    .map_or(0, |(_, v)| v.parse().unwrap());
                let page: Vec<Value> = self
                    .products
                    .iter()
                    .skip(offset)
                    .take(10)
                    .cloned()
                    .collect();
                let mut body = json!({"success": true, "products": page});
                if offset + 10 < self.products.len() {
                    body["next_page_key"] = json!((offset + 10).to_string());
                }
                answer(200, body)
            }
            "/v2/categories" => match self.categories {
                Some(status) => failure(status),
                None => answer(
                    200,
                    json!({"success": true, "categories": [
                        {"id": 7, "name": "procreate", "label": "Procreate", "path": "design/procreate", "parent_id": null},
                        {"id": 8, "name": "figma", "label": "Figma", "path": "design/figma", "parent_id": null},
                    ]}),
                ),
            },
            "/v2/products/comps" => match self.comps {
                Some(status) => failure(status),
                None => answer(
                    200,
                    json!({"success": true, "comps": {"count": 9, "currency": currency_of(request),
                        "price_cents": {"p25": 1000, "p50": 1500, "p75": 2000}, "examples": []}}),
                ),
            },
            other => panic!("unexpected {other}"),
        })
    }
}

/// The currency a comps request asked for (Gumroad answers in it).
fn currency_of(request: &Request) -> String {
    request
        .query
        .iter()
        .find(|(n, _)| n == "price_currency_type")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

fn product(id: &str, price: i64, currency: &str, category: Option<(i64, &str)>) -> Value {
    let mut value = json!({"id": id, "name": format!("Product {id}"), "price": price,
        "currency": currency, "published": true, "taxonomy_id": null});
    if let Some((taxonomy, path)) = category {
        value["taxonomy_id"] = json!(taxonomy);
        value["category"] = json!(path);
    }
    value
}

/// 25 products: three categories-and-currencies among the paid ones, plus a free one, a
/// tiered membership and one without a category, none of which needs comparable prices.
fn store() -> Vec<Value> {
    let mut products = Vec::new();
    for i in 0..20 {
        let (currency, category) = match i % 3 {
            0 => ("usd", (7, "design/procreate")),
            1 => ("eur", (7, "design/procreate")),
            _ => ("usd", (8, "design/figma")),
        };
        products.push(product(&format!("p{i}"), 1500, currency, Some(category)));
    }
    products.push(product("free", 0, "usd", Some((8, "design/figma"))));
    products.push(product("free-gbp", 0, "gbp", Some((8, "design/figma"))));
    let mut tiers = product("tiers", 500, "jpy", Some((8, "design/figma")));
    tiers["is_tiered_membership"] = json!(true);
    products.push(tiers);
    products.push(product("none", 900, "cad", None));
    products.push(product("p-by-id", 1200, "USD", Some((8, ""))));
    products
}

fn run(fake: &Fake, listed: Option<&ProductList>) -> Result<Audit, Error> {
    let client = GumroadClient::new(
        fake,
        AccessToken::parse("tok_0123456789abcdefghijklmnopqrstuvwxyzABCD").unwrap(),
    );
    let clock = FakeClock::new(NOW);
    block_on(load_audit(&client, &clock, listed, &ExecOptions::default()))
}

#[test]
fn comparable_prices_are_read_once_per_distinct_category_and_currency() {
    let fake = Fake::new(store());
    let audit = run(&fake, None).unwrap();
    assert_eq!(audit.rows.len(), 25);
    assert_eq!(
        fake.comps_asked(),
        [
            ("design/figma".to_owned(), "usd".to_owned()),
            ("design/procreate".to_owned(), "eur".to_owned()),
            ("design/procreate".to_owned(), "usd".to_owned()),
        ]
    );
    assert!(fake.max_comps_in_flight.get() > 1, "comps reads overlap");
    let paths = fake.paths();
    assert_eq!(paths.iter().filter(|p| *p == "/v2/categories").count(), 1);
    assert_eq!(paths.iter().filter(|p| *p == "/v2/products").count(), 3);
    let row = |id: &str| {
        audit
            .rows
            .iter()
            .find(|r| r.product_id.as_str() == id)
            .unwrap()
    };
    assert_eq!(
        row("p0").comps.as_ref().unwrap().p50.as_deref(),
        Some("$15")
    );
    assert!(
        row("p1").comps.is_some(),
        "euro prices read for euro products"
    );
    assert!(
        row("p-by-id").comps.is_some(),
        "the path comes from the taxonomy id"
    );
    assert!(row("none").findings.iter().any(|f| f.id == "no-category"));
    assert!(row("free")
        .findings
        .iter()
        .any(|f| f.id == "price-not-compared"));
    assert_eq!(audit.notes.len(), 1, "{:?}", audit.notes);
}

#[test]
fn a_failure_of_comparable_prices_makes_pricing_unknown_not_the_audit_fail() {
    for status in [404, 500] {
        let mut fake = Fake::new(store());
        fake.comps = Some(status);
        let audit = run(&fake, None).unwrap();
        assert_eq!(audit.rows.len(), 25);
        assert!(
            audit.notes[0].starts_with(
                "Comparable prices could not be read for 3 of 3 category and currency pairs ("
            ),
            "{:?}",
            audit.notes
        );
        assert!(audit.notes[0].contains("unknown"), "{}", audit.notes[0]);
        let p0 = &audit.rows[0];
        assert_eq!(p0.comps, None);
        assert!(p0.findings.iter().any(|f| f.id == "comps-unknown"));
        let pricing = p0
            .parts
            .iter()
            .find(|p| p.id.label().starts_with("Price"))
            .unwrap();
        assert_eq!(pricing.score, 50);
        let kinds: Vec<&str> = audit.finding_kinds.iter().map(|k| k.id).collect();
        assert!(kinds.contains(&"comps-unknown"));
        let asked = fake.comps_asked().len();
        if status == 404 {
            assert_eq!(asked, 3, "a 404 is not retried");
        } else {
            assert!(asked > 3, "a 500 is retried");
        }
    }
}

#[test]
fn without_categories_the_audit_says_unknown_and_still_compares_named_categories() {
    let mut fake = Fake::new(store());
    fake.categories = Some(404);
    let audit = run(&fake, None).unwrap();
    assert!(
        audit.notes[0].contains("categories could not be read"),
        "{:?}",
        audit.notes
    );
    let none = audit
        .rows
        .iter()
        .find(|r| r.product_id.as_str() == "none")
        .unwrap();
    assert!(none.findings.iter().any(|f| f.id == "category-unknown"));
    // Products that name their path are still compared; the one known only by id is not.
    assert_eq!(fake.comps_asked().len(), 3);
    let by_id = audit
        .rows
        .iter()
        .find(|r| r.product_id.as_str() == "p-by-id")
        .unwrap();
    assert_eq!(by_id.comps, None);
}

#[test]
fn a_refused_token_stops_the_audit() {
    let mut fake = Fake::new(store());
    fake.categories = Some(401);
    let error = run(&fake, None).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert!(fake.comps_asked().is_empty());
}

#[test]
fn a_fresh_list_stands_in_for_the_walk_and_a_stale_one_does_not() {
    let items: Vec<Product> = store()
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
    let fresh = ProductList {
        items: items[..3].to_vec(),
        fetched_at: NOW - 1000.0,
        jobs: Vec::new(),
    };
    let fake = Fake::new(store());
    let audit = run(&fake, Some(&fresh)).unwrap();
    assert_eq!(audit.rows.len(), 3);
    assert!(!fake.paths().contains(&"/v2/products".to_owned()));

    let stale = ProductList {
        fetched_at: NOW - LIST_FRESH_FOR_MS - 1.0,
        ..fresh
    };
    let fake = Fake::new(store());
    assert_eq!(run(&fake, Some(&stale)).unwrap().rows.len(), 25);
    assert!(fake.paths().contains(&"/v2/products".to_owned()));
}

#[test]
fn an_empty_store_reads_nothing_more() {
    let fake = Fake::new(Vec::new());
    let audit = run(&fake, None).unwrap();
    assert!(audit.rows.is_empty());
    assert_eq!(fake.paths(), ["/v2/products"]);
    assert_eq!(audit.summary, "No products to audit.");
}
