//! The real native client against the sandbox server: every read endpoint for each kind of
//! token, pagination, the error shapes, a few writes, and that the token travels only in
//! the `Authorization` header. Asserts on the results and on the sandbox's request log.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::HashSet;

use bulkroad::model::{Discount, NewOfferCode, OfferCodeId, ProductId, ProductUpdate};
use bulkroad::scopes::{missing_features, Feature};
use bulkroad::transport::NativeTransport;
use bulkroad::{AccessToken, ErrorKind, GumroadClient};
use bulkroad_sandbox::{tokens, Config, Faults, Sandbox};
use common::run;

fn start(products: usize) -> Sandbox {
    Sandbox::start(Config {
        products,
        seed: 7,
        ..Default::default()
    })
    .expect("the sandbox starts")
}

fn client(sandbox: &Sandbox, token: &str) -> GumroadClient<NativeTransport> {
    GumroadClient::new(
        NativeTransport::new(sandbox.url()),
        AccessToken::parse(token).expect("a well-formed token"),
    )
}

fn api_requests(sandbox: &Sandbox) -> Vec<bulkroad_sandbox::LoggedRequest> {
    sandbox.requests()
}

/// The `page_key` of a logged query string, decoded.
fn page_key_of(query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "page_key")
        .map(|(_, value)| value.into_owned())
}

#[test]
fn user_and_token_info_for_each_token_kind() {
    let sandbox = start(5);
    // (token, scopes, features it lacks, whether the profile includes the email)
    let rows: [(&str, &[&str], &[Feature], bool); 3] = [
        (
            tokens::FULL,
            &["edit_products", "view_sales", "view_profile"],
            &[],
            true,
        ),
        (
            tokens::READ_ONLY,
            &["view_profile"],
            &[Feature::EditProducts, Feature::ViewSales],
            true,
        ),
        // `account` is not in the profile serializer's list (contract §2.11): no email.
        (tokens::ACCOUNT, &["account"], &[], false),
    ];
    for (token, scopes, missing, has_email) in rows {
        let client = client(&sandbox, token);
        let (user, info) = run(async { (client.user().await, client.token_info().await) });
        let user = user.unwrap_or_else(|e| panic!("user for {scopes:?}: {e}"));
        let info = info.unwrap_or_else(|e| panic!("token info for {scopes:?}: {e}"));
        assert!(user.name.is_some(), "{scopes:?}");
        assert_eq!(user.email.is_some(), has_email, "{scopes:?}");
        let mut got = info.scopes.clone();
        got.sort();
        let mut want: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want);
        assert!(info.resource_owner_id.is_some());
        assert_eq!(info.expires_in, None, "Gumroad tokens never expire");
        assert_eq!(missing_features(&info.scopes), missing, "{scopes:?}");
    }

    // A valid token without any read scope: token info works (it needs no scope), the API
    // refuses with an empty 403.
    let client = client(&sandbox, tokens::NO_READ_SCOPE);
    let (user, info) = run(async { (client.user().await, client.token_info().await) });
    let info = info.expect("token info needs no scope");
    assert_eq!(info.scopes, ["edit_emails"]);
    assert_eq!(missing_features(&info.scopes), Feature::ALL);
    let error = user.expect_err("no read scope");
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    assert_eq!(error.status(), Some(403));
}

#[test]
fn revoked_and_unknown_tokens_are_unauthorized() {
    let sandbox = start(3);
    let unknown = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for (token, reason) in [(tokens::REVOKED, "revoked"), (unknown, "invalid")] {
        let client = client(&sandbox, token);
        let (user, info, products) = run(async {
            (
                client.user().await,
                client.token_info().await,
                client.products().await,
            )
        });
        for error in [user.unwrap_err(), info.unwrap_err(), products.unwrap_err()] {
            assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
            assert_eq!(error.status(), Some(401));
            assert!(
                error
                    .message()
                    .starts_with("Gumroad rejected the access token"),
                "{error}"
            );
            assert!(error.message().contains(reason), "{error}");
            assert!(!error.retryable());
            assert!(!error.message().contains(token));
        }
    }
}

#[test]
fn products_follow_every_page_of_a_25_product_store() {
    let sandbox = start(25);
    let client = client(&sandbox, tokens::FULL);
    // The keys the store hands out, page by page.
    let (first, second) = run(async {
        let first = client.products_page(None).await.unwrap();
        let second = client
            .products_page(first.next_page_key.as_deref())
            .await
            .unwrap();
        (first, second)
    });
    assert_eq!(first.items.len(), 10);
    assert_eq!(second.items.len(), 10);
    let key1 = first.next_page_key.clone().expect("a second page");
    let key2 = second.next_page_key.clone().expect("a third page");
    let before = api_requests(&sandbox).len();

    let products = run(client.products()).expect("all products");
    assert_eq!(products.len(), 25);
    let ids: HashSet<&str> = products.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), 25, "no product twice");
    assert!(products
        .iter()
        .all(|p| !p.currency.is_empty() && !p.deleted));
    assert!(
        products.iter().all(|p| p.sales_count.is_some()),
        "view_sales shows sales counts"
    );

    let log = api_requests(&sandbox);
    let walk = &log[before..];
    assert_eq!(walk.len(), 3, "three pages of 10, 10 and 5");
    for request in walk {
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("GET", "/v2/products")
        );
        assert_eq!(request.status, Some(200));
    }
    let keys: Vec<Option<String>> = walk.iter().map(|r| page_key_of(&r.query)).collect();
    assert_eq!(keys, [None, Some(key1), Some(key2)]);
}

#[test]
fn products_for_other_tokens() {
    let sandbox = start(12);
    let read_only = run(client(&sandbox, tokens::READ_ONLY).products()).unwrap();
    assert_eq!(read_only.len(), 12);
    assert!(
        read_only.iter().all(|p| p.sales_count.is_none()),
        "sales counts need view_sales or account"
    );
    let account = run(client(&sandbox, tokens::ACCOUNT).products()).unwrap();
    assert!(account.iter().all(|p| p.sales_count.is_some()));

    let error = run(client(&sandbox, tokens::NO_READ_SCOPE).products()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    assert_eq!(error.status(), Some(403));
    assert!(error.message().contains("lacks the scope"), "{error}");
    assert_eq!(error.endpoint(), Some("GET /v2/products"));
}

#[test]
fn a_product_by_id_and_unknown_products() {
    let sandbox = start(5);
    let client = client(&sandbox, tokens::FULL);
    let (listed, one, missing, missing_codes, bad_key) = run(async {
        let listed = client.products().await.unwrap();
        let one = client.product(&listed[0].id).await;
        let missing = client.product(&ProductId::new("nope")).await;
        let missing_codes = client.offer_codes(&ProductId::new("nope")).await;
        let bad_key = client.products_page(Some("not-a-key")).await;
        (listed, one, missing, missing_codes, bad_key)
    });
    let one = one.unwrap();
    assert_eq!(one.id, listed[0].id);
    assert_eq!(one.price, listed[0].price);

    for error in [missing.unwrap_err(), missing_codes.unwrap_err()] {
        assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");
        assert_eq!(error.message(), "The product was not found.");
        assert_eq!(
            error.status(),
            Some(200),
            "Gumroad says not found with HTTP 200"
        );
    }
    let error = bad_key.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Rejected);
    assert_eq!(error.status(), Some(400));
    assert_eq!(error.message(), "Invalid page_key.");
}

#[test]
fn offer_codes_include_the_sellers_universal_codes() {
    let sandbox = start(25);
    let client = client(&sandbox, tokens::FULL);
    let (products, lists) = run(async {
        let products = client.products().await.unwrap();
        let mut lists = Vec::new();
        for product in &products {
            lists.push(client.offer_codes(&product.id).await.unwrap());
        }
        (products, lists)
    });
    let all: Vec<_> = lists.iter().flatten().collect();
    assert!(!all.is_empty());
    let welcome: Vec<_> = all.iter().filter(|c| c.name == "WELCOME10").collect();
    assert!(welcome
        .iter()
        .all(|c| c.universal && c.discount == Discount::Percent(10)));
    // A universal percent code applies to every product, whatever its currency.
    assert_eq!(
        welcome.len(),
        products.len(),
        "WELCOME10 is listed with every product"
    );
    let take2: Vec<_> = all.iter().filter(|c| c.name == "TAKE2").collect();
    assert!(take2
        .iter()
        .all(|c| c.universal && matches!(c.discount, Discount::Fixed { .. })));
    // A universal fixed code only with products in its currency.
    let usd = products.iter().filter(|p| p.currency == "usd").count();
    assert_eq!(take2.len(), usd);
    assert!(
        all.iter().any(|c| !c.universal),
        "the store has product-specific codes too"
    );
}

#[test]
fn offer_code_create_conflict_update_and_delete() {
    let sandbox = start(5);
    let client = client(&sandbox, tokens::FULL);
    let product = run(client.products()).unwrap().remove(0).id;
    let code = NewOfferCode {
        name: "BULKROAD25".into(),
        discount: Discount::Percent(25),
        max_purchase_count: Some(50),
        minimum_amount_cents: None,
        universal: false,
    };
    let (created, duplicate, updated, listed) = run(async {
        let created = client.create_offer_code(&product, &code).await.unwrap();
        let duplicate = client.create_offer_code(&product, &code).await;
        let update = bulkroad::model::OfferCodeUpdate {
            max_purchase_count: Some(60),
            minimum_amount_cents: None,
        };
        let updated = client
            .update_offer_code(&product, &created.id, &update)
            .await
            .unwrap();
        let listed = client.offer_codes(&product).await.unwrap();
        (created, duplicate, updated, listed)
    });
    assert_eq!(created.name, "BULKROAD25");
    assert_eq!(created.discount, Discount::Percent(25));
    assert!(!created.universal);
    let error = duplicate.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Rejected);
    assert_eq!(error.message(), "Discount code must be unique.");
    assert!(!error.may_have_applied());
    assert_eq!(updated.max_purchase_count, Some(60));
    assert!(listed.iter().any(|c| c.id == created.id));

    let (deleted, after, again) = run(async {
        let deleted = client.delete_offer_code(&product, &created.id).await;
        let after = client.offer_codes(&product).await.unwrap();
        let again = client.delete_offer_code(&product, &created.id).await;
        (deleted, after, again)
    });
    deleted.unwrap();
    assert!(after.iter().all(|c| c.id != created.id));
    let error = again.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(error.message(), "The offer code was not found.");

    let log = api_requests(&sandbox);
    let post = log
        .iter()
        .find(|r| r.method == "POST")
        .expect("the create was logged");
    assert_eq!(
        post.body,
        "name=BULKROAD25&offer_type=percent&amount_off=25&max_purchase_count=50"
    );
}

#[test]
fn a_universal_code_is_sent_with_the_string_true() {
    let sandbox = start(5);
    let client = client(&sandbox, tokens::FULL);
    let products = run(client.products()).unwrap();
    let code = NewOfferCode {
        name: "EVERYWHERE5".into(),
        discount: Discount::Percent(5),
        max_purchase_count: None,
        minimum_amount_cents: None,
        universal: true,
    };
    let (created, elsewhere) = run(async {
        let created = client
            .create_offer_code(&products[0].id, &code)
            .await
            .unwrap();
        let elsewhere = client.offer_codes(&products[1].id).await.unwrap();
        (created, elsewhere)
    });
    assert!(created.universal);
    assert!(
        elsewhere.iter().any(|c| c.id == created.id),
        "listed with other products"
    );
    let post = api_requests(&sandbox)
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert!(post.body.ends_with("&universal=true"), "{}", post.body);
}

#[test]
fn product_update_and_refusals() {
    let sandbox = start(25);
    let client = client(&sandbox, tokens::FULL);
    let products = run(client.products()).unwrap();
    let plain = products
        .iter()
        .find(|p| p.currency == "usd" && !p.is_tiered_membership)
        .expect("a plain USD product");
    let membership = products
        .iter()
        .find(|p| p.is_tiered_membership)
        .expect("the seeded tiered membership");
    let price = |cents| ProductUpdate {
        price: Some(cents),
        ..ProductUpdate::default()
    };
    let (updated, reread, too_cheap, tiered, read_only) = run(async {
        let updated = client
            .update_product(&plain.id, &price(1234))
            .await
            .unwrap();
        let reread = client.product(&plain.id).await.unwrap();
        let too_cheap = client.update_product(&plain.id, &price(5)).await;
        let tiered = client.update_product(&membership.id, &price(1000)).await;
        let read_only = self::client(&sandbox, tokens::READ_ONLY)
            .update_product(&plain.id, &price(2000))
            .await;
        (updated, reread, too_cheap, tiered, read_only)
    });
    assert_eq!(updated.product.price, 1234);
    assert_eq!(reread.price, 1234);
    let error = too_cheap.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Rejected);
    assert!(error.message().contains("at least"), "{error}");
    let error = tiered.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Rejected);
    assert!(error.message().contains("tiered membership"), "{error}");
    let error = read_only.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    assert!(error.message().contains("edit_products"), "{error}");
    assert!(!error.may_have_applied());
}

#[test]
fn injected_faults_map_to_retryable_or_unknown_errors() {
    let sandbox = start(3);
    let client = client(&sandbox, tokens::FULL);
    let product = ProductId::new("irrelevant");
    let code = OfferCodeId::new("irrelevant");
    let all = |faults: Faults| Faults { seed: 1, ..faults };

    sandbox.set_faults(all(Faults {
        rate_429: 1.0,
        ..Faults::default()
    }));
    let error = run(client.user()).unwrap_err();
    assert_eq!(
        (error.kind(), error.status()),
        (ErrorKind::RateLimited, Some(429))
    );
    assert!(error.retryable());

    sandbox.set_faults(all(Faults {
        rate_5xx: 1.0,
        ..Faults::default()
    }));
    let (read, write) = run(async {
        (
            client.products().await,
            client.delete_offer_code(&product, &code).await,
        )
    });
    let read = read.unwrap_err();
    assert_eq!(read.kind(), ErrorKind::Server);
    assert!(read.retryable() && !read.may_have_applied());
    assert!(!read.message().contains('<'), "no HTML in {read}");
    let write = write.unwrap_err();
    assert_eq!(write.kind(), ErrorKind::Server);
    assert!(!write.retryable() && write.may_have_applied());

    sandbox.set_faults(all(Faults {
        rate_drop: 1.0,
        ..Faults::default()
    }));
    let (read, write) = run(async {
        (
            client.user().await,
            client.delete_offer_code(&product, &code).await,
        )
    });
    let read = read.unwrap_err();
    assert_eq!(read.kind(), ErrorKind::Network);
    assert!(read.retryable());
    let write = write.unwrap_err();
    assert_eq!(write.kind(), ErrorKind::Network);
    assert!(write.may_have_applied() && !write.retryable());

    sandbox.set_faults(Faults::default());
    run(client.user()).expect("healthy again");
}

#[test]
fn the_token_is_never_in_a_logged_url_or_body() {
    let sandbox = start(12);
    let tokens_used = [tokens::FULL, tokens::READ_ONLY, tokens::REVOKED];
    for token in tokens_used {
        let client = client(&sandbox, token);
        run(async {
            let _ = client.user().await;
            let _ = client.token_info().await;
            if let Ok(products) = client.products().await {
                let _ = client.offer_codes(&products[0].id).await;
                let code = NewOfferCode {
                    name: "TOKENCHECK".into(),
                    discount: Discount::Fixed { cents: 100 },
                    max_purchase_count: None,
                    minimum_amount_cents: None,
                    universal: false,
                };
                let _ = client.create_offer_code(&products[0].id, &code).await;
            }
        });
    }
    let log = api_requests(&sandbox);
    assert!(log.len() >= 12, "{} requests logged", log.len());
    assert!(log.iter().any(|r| r.method == "POST"));
    for request in &log {
        for token in tokens_used {
            for field in [&request.url, &request.path, &request.query, &request.body] {
                assert!(
                    !field.contains(token),
                    "token in {} {}",
                    request.method,
                    request.url
                );
            }
        }
        let authorization = request.authorization.as_deref().unwrap_or("");
        assert!(
            tokens_used
                .iter()
                .any(|token| authorization == format!("Bearer {token}")),
            "Authorization header: {authorization:?}"
        );
    }
}
