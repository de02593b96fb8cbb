//! A small in-memory Gumroad for engine tests: products (read and price updates, with
//! the minimum price, the tiered-membership refusal and the offer-code `warning`), offer
//! codes with Gumroad's uniqueness rules, a request log, scripted faults (429, 5xx, 401,
//! lost answers before or after applying, a silently repeated POST, someone else's edit,
//! the account disconnected on the way or after an answer), a [`StopFlag`] honoured as the
//! browser transport honours an account's signal, a count of requests in flight, and
//! optionally the catalogue in pages behind a `page_key` cursor.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde_json::{json, Value};

use crate::auth::AccessToken;
use crate::bulk::snapshot::Snapshot;
use crate::discount::price_after;
use crate::model::{collation_key, Discount, OfferCode, OfferCodeId, Product};
use crate::money::{find_currency, format_price};
use crate::transport::{Method, Request, Response, StopFlag, Transport, TransportError};
use crate::GumroadClient;

/// A well-formed token (the fake checks none).
pub const TOKEN: &str = "tok_0123456789abcdefghijklmnopqrstuvwxyzABCD";

/// What a scripted request gets instead of (or on top of) the normal answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// An answer with this status (429 text/plain, 5xx HTML, 401 empty); nothing applied.
    Status(u16),
    /// The connection is lost before Gumroad applies it.
    DropBefore,
    /// Applied, then the connection is lost.
    DropAfter,
    /// Applied, and the answer is that of a silent second POST: "must be unique".
    Repeated,
    /// A 502 now; applied only after the next request has been answered (a write that
    /// Gumroad processes late, after a re-read that did not see it yet).
    AppliedLater,
    /// Applied, the connection is lost, and someone else then sets the product's price to
    /// this (minor units) before anyone re-reads.
    LostThenPriced(i64),
    /// A 200 whose JSON body is cut off half way; applied.
    Truncated,
    /// Applied, the connection is lost, and someone else then renames the product to
    /// this before anyone re-reads.
    LostThenNamed(&'static str),
    /// The account is disconnected while this request is on its way: the stop flag is set
    /// and the request abandoned unanswered (Gumroad never got it). Also the label of every
    /// request on its way when the flag was set.
    StopOnTheWay,
    /// Applied and answered, then the account is disconnected (the stop flag is set).
    StopAfter,
}

struct Rule {
    method: Method,
    /// Matches when the path ends with this.
    suffix: String,
    fault: Fault,
    times: usize,
}

#[derive(Debug, Clone)]
pub struct StoredCode {
    pub code: OfferCode,
    /// `None` for universal codes.
    pub product: Option<String>,
    /// The currency of a fixed amount.
    pub currency: Option<String>,
    pub deleted: bool,
}

#[derive(Default)]
pub struct FakeGumroad {
    pub products: RefCell<Vec<Product>>,
    pub codes: RefCell<Vec<StoredCode>>,
    rules: RefCell<Vec<Rule>>,
    /// (method, path, fault label)
    pub log: RefCell<Vec<(Method, String, Option<Fault>)>>,
    in_flight: Cell<usize>,
    pub max_in_flight: Cell<usize>,
    late: RefCell<Option<Request>>,
    next_id: Cell<u64>,
    /// Once set, nothing more is sent (not logged: it never left) and what is on its way is
    /// abandoned (logged, labelled [`Fault::StopOnTheWay`]).
    pub stop: StopFlag,
    /// Products per page of `GET /v2/products` (`page_key` = the offset of the page); all
    /// on one page when `None`.
    pub page_size: Cell<Option<usize>>,
    /// Product fields a `PUT` accepts and silently ignores (`"tags"`, `"taxonomy_id"`…), as
    /// Gumroad has done with parameters it did not know.
    pub ignored: RefCell<Vec<&'static str>>,
    /// Gumroad's categories (`GET /v2/categories`): (id, label).
    pub categories: RefCell<Vec<(i64, &'static str)>>,
}

pub fn product(id: &str, name: &str, price: i64, currency: &str) -> Product {
    serde_json::from_value(json!({
        "id": id, "name": name, "price": price, "currency": currency, "published": true,
    }))
    .unwrap()
}

pub fn percent_code(id: &str, name: &str, percent: u8) -> OfferCode {
    OfferCode {
        id: OfferCodeId::from(id),
        name: name.to_owned(),
        discount: Discount::Percent(percent),
        max_purchase_count: None,
        minimum_amount_cents: None,
        universal: false,
        times_used: 0,
    }
}

impl FakeGumroad {
    pub fn with_products(products: Vec<Product>) -> Self {
        let fake = FakeGumroad::default();
        *fake.products.borrow_mut() = products;
        fake
    }

    /// Adds an existing code on `product` (or universal when `None`).
    pub fn add_code(&self, product: Option<&str>, code: OfferCode) {
        let currency = match (code.discount, product) {
            (Discount::Fixed { .. }, Some(id)) => Some(self.product(id).currency),
            (Discount::Fixed { .. }, None) => Some("usd".to_owned()),
            _ => None,
        };
        self.codes.borrow_mut().push(StoredCode {
            code: OfferCode {
                universal: product.is_none(),
                ..code
            },
            product: product.map(str::to_owned),
            currency,
            deleted: false,
        });
    }

    /// The next `times` requests of `method` whose path ends with `suffix` get `fault`.
    pub fn fail(&self, method: Method, suffix: &str, fault: Fault, times: usize) {
        self.rules.borrow_mut().push(Rule {
            method,
            suffix: suffix.to_owned(),
            fault,
            times,
        });
    }

    /// The price of `id` now.
    pub fn price(&self, id: &str) -> i64 {
        self.product(id).price
    }

    /// Someone else edits the price of `id`.
    pub fn set_price(&self, id: &str, price: i64) {
        let mut products = self.products.borrow_mut();
        let product = products
            .iter_mut()
            .find(|p| p.id.as_str() == id)
            .expect("a known product");
        product.price = price;
        product.formatted_price = None;
    }

    fn product(&self, id: &str) -> Product {
        self.products
            .borrow()
            .iter()
            .find(|p| p.id.as_str() == id)
            .cloned()
            .expect("a known product")
    }

    /// The live codes listed for `product` (its own + universal ones that apply).
    pub fn listed(&self, product: &str) -> Vec<OfferCode> {
        let currency = self.product(product).currency;
        self.codes
            .borrow()
            .iter()
            .filter(|s| !s.deleted)
            .filter(|s| match &s.product {
                Some(owner) => owner == product,
                None => s.currency.as_deref().is_none_or(|c| c == currency),
            })
            .map(|s| s.code.clone())
            .collect()
    }

    /// Live codes named `name` anywhere.
    pub fn live_named(&self, name: &str) -> Vec<StoredCode> {
        self.codes
            .borrow()
            .iter()
            .filter(|s| !s.deleted && s.code.name == name)
            .cloned()
            .collect()
    }

    /// What a preview reads: the products and the codes listed for each.
    pub fn snapshot(&self) -> Snapshot {
        let products = self.products.borrow().clone();
        let codes = products
            .iter()
            .map(|p| (p.id.clone(), self.listed(p.id.as_str())))
            .collect();
        Snapshot { products, codes }
    }

    /// The ids of the products, in order.
    pub fn product_ids(&self) -> Vec<String> {
        self.products
            .borrow()
            .iter()
            .map(|p| p.id.to_string())
            .collect()
    }

    /// A client over this fake, with [`TOKEN`].
    pub fn client(&self) -> GumroadClient<&Self> {
        GumroadClient::new(self, AccessToken::parse(TOKEN).unwrap())
    }

    pub fn writes(&self) -> Vec<(Method, String, Option<Fault>)> {
        self.log
            .borrow()
            .iter()
            .filter(|(m, _, _)| m.is_write())
            .cloned()
            .collect()
    }

    fn scripted(&self, request: &Request) -> Option<Fault> {
        let mut rules = self.rules.borrow_mut();
        let rule = rules.iter_mut().find(|r| {
            r.times > 0 && r.method == request.method && request.path.ends_with(&r.suffix)
        })?;
        rule.times -= 1;
        Some(rule.fault)
    }

    fn handle(&self, request: &Request) -> Response {
        let parts: Vec<&str> = request.path.trim_start_matches("/v2/").split('/').collect();
        let form = |name: &str| {
            request
                .form
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        match (request.method, parts.as_slice()) {
            (Method::Get, ["products"]) => {
                let all = self.products.borrow();
                let start: usize = request
                    .query
                    .iter()
                    .find(|(k, _)| k == "page_key")
                    .map_or(0, |(_, v)| v.parse().unwrap());
                let end = self
                    .page_size
                    .get()
                    .map_or(all.len(), |size| (start + size).min(all.len()));
                let products: Vec<Value> = all[start..end]
                    .iter()
                    .map(|p| serde_json::to_value(p).unwrap())
                    .collect();
                let mut body = json!({"success": true, "products": products});
                if end < all.len() {
                    body["next_page_key"] = json!(end.to_string());
                }
                ok(body)
            }
            (Method::Get, ["products", id]) => {
                match self.products.borrow().iter().find(|p| p.id.as_str() == *id) {
                    Some(product) => ok(json!({"success": true, "product": product})),
                    None => ok(json!({"success": false, "message": "The product was not found."})),
                }
            }
            (Method::Put, ["products", id]) => {
                let Some(product) = self
                    .products
                    .borrow()
                    .iter()
                    .find(|p| p.id.as_str() == *id)
                    .cloned()
                else {
                    return ok(json!({"success": false, "message": "The product was not found."}));
                };
                if form("price").is_none() {
                    return self.update_listing(request, id);
                }
                let price: i64 = form("price").unwrap().parse().unwrap();
                if product.is_tiered_membership {
                    return ok(
                        json!({"success": false, "message": crate::bulk::prices::TIERED_REFUSAL}),
                    );
                }
                let currency = find_currency(&product.currency).unwrap();
                if price != 0 && price < currency.min_price {
                    return ok(json!({"success": false, "message": format!(
                        "Sorry, a product must be at least {}.",
                        format_price(currency.min_price, currency.code)
                    )}));
                }
                self.set_price(id, price);
                let under: Vec<String> = self
                    .listed(id)
                    .iter()
                    .filter(|c| {
                        let after = price_after(c.discount, price);
                        after > 0 && after < currency.min_price
                    })
                    .map(|c| c.name.clone())
                    .collect();
                let mut body = json!({"success": true, "product": self.product(id)});
                if !under.is_empty() {
                    body["warning"] = json!(format!(
                        "The following offer code discounts this product below {}: {}. Please update it or it will not work at checkout.",
                        format_price(currency.min_price, currency.code),
                        under.join(", ")
                    ));
                }
                ok(body)
            }
            (Method::Get, ["categories"]) => {
                let categories: Vec<Value> = self
                    .categories
                    .borrow()
                    .iter()
                    .map(|(id, label)| {
                        json!({"id": id, "name": label, "label": label,
                        "path": label.to_lowercase(), "parent_id": null})
                    })
                    .collect();
                ok(json!({"categories": categories}))
            }
            (Method::Get, ["products", id, "offer_codes"]) => {
                if !self.products.borrow().iter().any(|p| p.id.as_str() == *id) {
                    return ok(json!({"success": false, "message": "The product was not found."}));
                }
                ok(json!({"success": true, "offer_codes": self.listed(id)}))
            }
            (Method::Post, ["products", id, "offer_codes"]) => {
                let name = form("name").unwrap_or_default();
                let amount: i64 = form("amount_off").unwrap().parse().unwrap();
                let universal = form("universal").as_deref() == Some("true");
                let discount = if form("offer_type").as_deref() == Some("percent") {
                    Discount::Percent(amount as u8)
                } else {
                    Discount::Fixed { cents: amount }
                };
                let taken = if universal {
                    let key = collation_key(&name);
                    self.codes
                        .borrow()
                        .iter()
                        .any(|s| !s.deleted && collation_key(&s.code.name) == key)
                } else {
                    self.listed(id).iter().any(|c| c.name == name)
                };
                if taken {
                    return ok(
                        json!({"success": false, "message": "Discount code must be unique."}),
                    );
                }
                let n = self.next_id.get() + 1;
                self.next_id.set(n);
                let code = OfferCode {
                    id: OfferCodeId::from(format!("new{n}")),
                    name,
                    discount,
                    max_purchase_count: form("max_purchase_count").map(|v| v.parse().unwrap()),
                    minimum_amount_cents: form("minimum_amount_cents").map(|v| v.parse().unwrap()),
                    universal,
                    times_used: 0,
                };
                let currency =
                    matches!(discount, Discount::Fixed { .. }).then(|| self.product(id).currency);
                self.codes.borrow_mut().push(StoredCode {
                    code: code.clone(),
                    product: (!universal).then(|| id.to_string()),
                    currency,
                    deleted: false,
                });
                ok(json!({"success": true, "offer_code": code}))
            }
            (Method::Delete | Method::Put, ["products", id, "offer_codes", code_id]) => {
                let listed = self.listed(id);
                if !listed.iter().any(|c| c.id.as_str() == *code_id) {
                    return ok(
                        json!({"success": false, "message": "The offer_code was not found."}),
                    );
                }
                let mut codes = self.codes.borrow_mut();
                let stored = codes
                    .iter_mut()
                    .find(|s| !s.deleted && s.code.id.as_str() == *code_id)
                    .unwrap();
                if request.method == Method::Delete {
                    stored.deleted = true;
                    return ok(
                        json!({"success": true, "message": "The offer_code was deleted successfully."}),
                    );
                }
                if let Some(max) = form("max_purchase_count") {
                    stored.code.max_purchase_count = Some(max.parse().unwrap());
                }
                if let Some(min) = form("minimum_amount_cents") {
                    stored.code.minimum_amount_cents = Some(min.parse().unwrap());
                }
                ok(json!({"success": true, "offer_code": stored.code}))
            }
            _ => Response {
                status: 404,
                content_type: Some("application/json".into()),
                www_authenticate: None,
                body: r#"{"success":false,"error":"Not found"}"#.into(),
            },
        }
    }
}

impl FakeGumroad {
    /// `PUT /v2/products/:id` without a price: the listing fields sent (tags replace all,
    /// stored normalized), except those in [`FakeGumroad::ignored`].
    fn update_listing(&self, request: &Request, id: &str) -> Response {
        let ignored = self.ignored.borrow().clone();
        let sent = |name: &str| {
            (!ignored.contains(&name))
                .then(|| {
                    request
                        .form
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.clone())
                })
                .flatten()
        };
        {
            let mut products = self.products.borrow_mut();
            let product = products.iter_mut().find(|p| p.id.as_str() == id).unwrap();
            if let Some(name) = sent("name") {
                product.name = name;
            }
            if let Some(description) = sent("description") {
                product.description = Some(description);
            }
            if let Some(summary) = sent("custom_summary") {
                product.custom_summary = Some(summary);
            }
            let tags: Vec<String> = request
                .form
                .iter()
                .filter(|(k, _)| k == "tags[]")
                .map(|(_, v)| v.trim().to_lowercase())
                .collect();
            if !tags.is_empty() && !ignored.contains(&"tags") {
                product.tags = tags;
            }
            if let Some(taxonomy) = sent("taxonomy_id") {
                let id: i64 = taxonomy.parse().unwrap();
                let Some((_, label)) = self
                    .categories
                    .borrow()
                    .iter()
                    .find(|(c, _)| *c == id)
                    .copied()
                else {
                    return ok(json!({"success": false, "message": "Invalid taxonomy_id."}));
                };
                product.taxonomy_id = Some(id);
                product.category_label = Some(label.to_owned());
            }
        }
        ok(json!({"success": true, "product": self.product(id)}))
    }

    /// Someone else edits `id` by hand.
    pub fn edit(&self, id: &str, change: impl FnOnce(&mut Product)) {
        let mut products = self.products.borrow_mut();
        change(products.iter_mut().find(|p| p.id.as_str() == id).unwrap());
    }

    /// The product `id` now.
    pub fn now(&self, id: &str) -> Product {
        self.product(id)
    }
}

fn ok(body: Value) -> Response {
    Response {
        status: 200,
        content_type: Some("application/json; charset=utf-8".into()),
        www_authenticate: None,
        body: body.to_string(),
    }
}

fn status(code: u16) -> Response {
    let (content_type, body) = match code {
        429 => ("text/plain", "Retry later\n"),
        401 => ("", ""),
        _ => ("text/html", "<html>oops</html>"),
    };
    Response {
        status: code,
        content_type: (!content_type.is_empty()).then(|| content_type.to_owned()),
        www_authenticate: None,
        body: body.to_owned(),
    }
}

/// Pending a few times so several requests are in flight together.
struct Yield(u8);

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

impl Transport for FakeGumroad {
    async fn send(
        &self,
        request: &Request,
        _bearer: Option<&AccessToken>,
    ) -> Result<Response, TransportError> {
        if self.stop.is_stopped() {
            return Err(TransportError::Stopped);
        }
        self.in_flight.set(self.in_flight.get() + 1);
        self.max_in_flight
            .set(self.max_in_flight.get().max(self.in_flight.get()));
        Yield(3).await;
        let fault = if self.stop.is_stopped() {
            Some(Fault::StopOnTheWay)
        } else {
            self.scripted(request)
        };
        self.log
            .borrow_mut()
            .push((request.method, request.path.clone(), fault));
        let late = self.late.borrow_mut().take();
        let answer = match fault {
            None => Ok(self.handle(request)),
            Some(Fault::AppliedLater) => {
                *self.late.borrow_mut() = Some(request.clone());
                Ok(status(502))
            }
            Some(Fault::Status(code)) => Ok(status(code)),
            Some(Fault::DropBefore) => Err(TransportError::Interrupted),
            Some(Fault::DropAfter) => {
                self.handle(request);
                Err(TransportError::Interrupted)
            }
            Some(Fault::Repeated) => {
                self.handle(request);
                Ok(self.handle(request))
            }
            Some(Fault::Truncated) => {
                let mut answer = self.handle(request);
                answer.body.truncate(answer.body.len() / 2);
                Ok(answer)
            }
            Some(Fault::StopOnTheWay) => {
                self.stop.stop();
                Err(TransportError::StoppedInFlight)
            }
            Some(Fault::StopAfter) => {
                let answer = self.handle(request);
                self.stop.stop();
                Ok(answer)
            }
            Some(Fault::LostThenNamed(name)) => {
                self.handle(request);
                let id = request.path.rsplit('/').next().unwrap_or_default();
                self.edit(id, |p| p.name = name.to_owned());
                Err(TransportError::Interrupted)
            }
            Some(Fault::LostThenPriced(price)) => {
                self.handle(request);
                let id = request.path.rsplit('/').next().unwrap_or_default();
                self.set_price(id, price);
                Err(TransportError::Interrupted)
            }
        };
        if let Some(late) = late {
            self.handle(&late);
        }
        Yield(1).await;
        self.in_flight.set(self.in_flight.get() - 1);
        answer
    }
}
