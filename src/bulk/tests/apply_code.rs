//! Table tests of applying a code: create, skip with the same terms, conflict, replace,
//! update, case rules, minimum prices in USD/EUR/JPY, 100 % = free, currency mismatch,
//! PWYW, tiers, options, universal; validation and the reading of intents.

use serde_json::{json, Value};

use super::{code, ids, product_with, snapshot, universal, NOW};
use crate::bulk::apply_code::{plan_apply_code, ApplyCodeIntent, NO_END_DATE_NOTE};
use crate::bulk::plan::{Action, Operation, Plan};
use crate::bulk::remove_code::RemoveCodeIntent;
use crate::bulk::snapshot::Snapshot;
use crate::discount::amount_off;
use crate::model::{Discount, OfferCode, Product};
use crate::ErrorKind;

fn store() -> Vec<Product> {
    let tier = |name: &str, monthly: i64, yearly: i64| {
        json!({"name": name, "price_difference": 0, "is_pay_what_you_want": false,
            "recurrence_prices": {"monthly": {"price_cents": monthly}, "yearly": {"price_cents": yearly}}})
    };
    vec![
        product_with("a", "Guide", 1000, "usd", json!({})),
        product_with("cheap", "Sticker", 400, "usd", json!({})),
        product_with("eur", "Euro Pack", 490, "eur", json!({})),
        product_with("yen", "Yen Book", 1500, "jpy", json!({})),
        product_with("yen100", "Yen Zine", 100, "jpy", json!({})),
        product_with(
            "pwyw",
            "Name a Price",
            300,
            "usd",
            json!({"customizable_price": true}),
        ),
        product_with(
            "club",
            "Club",
            500,
            "usd",
            json!({"is_tiered_membership": true, "recurrences": ["monthly", "yearly"],
                "variants": [{"title": "Tier", "options": [tier("Supporter", 500, 5000), tier("Patron", 5000, 50000)]}]}),
        ),
        product_with(
            "formats",
            "Formats",
            1000,
            "usd",
            json!({"variants": [{"title": "Format", "options": [
                {"name": "PDF", "price_difference": 0}, {"name": "PDF + Workbook", "price_difference": 50}]}]}),
        ),
        product_with("free", "Freebie", 0, "usd", json!({})),
        product_with("draft", "Draft", 150, "usd", json!({"published": false})),
    ]
}

/// The standard store with `codes` on product `on`.
fn store_with(on: &str, codes: Vec<OfferCode>) -> Snapshot {
    let mut codes = Some(codes);
    snapshot(
        store()
            .into_iter()
            .map(|p| {
                let mine = if p.id.as_str() == on {
                    codes.take().unwrap_or_default()
                } else {
                    Vec::new()
                };
                (p, mine)
            })
            .collect(),
    )
}

/// `{"code":"SAVE10","discount":{"percent":10},…}` with `overrides` merged in.
pub(super) fn intent(overrides: Value) -> ApplyCodeIntent {
    let mut base = json!({"code": "SAVE10", "discount": {"percent": 10}, "universal": false,
        "productIds": ["a"], "onConflict": "skip"});
    for (k, v) in overrides.as_object().unwrap() {
        base[k] = v.clone();
    }
    serde_json::from_value(base).unwrap()
}

fn with(code: OfferCode, f: impl FnOnce(&mut OfferCode)) -> OfferCode {
    let mut code = code;
    f(&mut code);
    code
}

pub(super) fn reason(action: &Action) -> String {
    match action {
        Action::Skip { reason, .. } | Action::Conflict { reason, .. } => reason.clone(),
        _ => String::new(),
    }
}

#[test]
fn apply_plans_every_outcome_per_product() {
    let pct = |p| Discount::Percent(p);
    let save = |discount| code("old", "SAVE10", discount);
    // (case, intent overrides, product, codes on it, action, reason contains, price after)
    type Row<'a> = (
        &'a str,
        Value,
        &'a str,
        Vec<OfferCode>,
        &'a str,
        &'a str,
        Option<i64>,
    );
    let rows: Vec<Row> = vec![
        ("create", json!({}), "a", vec![], "create", "", Some(900)),
        ("same terms", json!({}), "a", vec![save(pct(10))], "skip",
            "Already has SAVE10 with the same terms.", Some(900)),
        ("other terms", json!({}), "a", vec![save(pct(20))], "conflict",
            "SAVE10 already exists here with other terms: 20% off (yours: 10% off). Gumroad cannot change a code's amount or type: choose Replace to delete it and create yours (its use count restarts).", None),
        ("other terms, replace", json!({"onConflict": "replace"}), "a", vec![save(pct(20))],
            "replace", "", Some(900)),
        ("fixed vs percent, replace", json!({"onConflict": "replace", "discount": {"fixed": {"cents": 100}}, "currency": "usd"}),
            "a", vec![save(pct(10))], "replace", "", Some(900)),
        ("only max differs, replace = update", json!({"onConflict": "replace", "maxPurchaseCount": 10}), "a",
            vec![with(save(pct(10)), |c| { c.max_purchase_count = Some(5); c.times_used = 2 })],
            "update", "", Some(900)),
        ("only minimum differs, replace = update", json!({"onConflict": "replace", "minimumAmountCents": 2000}), "a",
            vec![with(save(pct(10)), |c| c.minimum_amount_cents = Some(1000))], "update", "", Some(900)),
        ("new max below uses so far: replace", json!({"onConflict": "replace", "maxPurchaseCount": 10}), "a",
            vec![with(save(pct(10)), |c| { c.max_purchase_count = Some(50); c.times_used = 20 })],
            "replace", "", Some(900)),
        ("limit cannot be cleared in place: replace", json!({"onConflict": "replace"}), "a",
            vec![with(save(pct(10)), |c| c.max_purchase_count = Some(5))], "replace", "", Some(900)),
        ("only max differs, skip mode", json!({"maxPurchaseCount": 10}), "a",
            vec![with(save(pct(10)), |c| c.max_purchase_count = Some(5))], "conflict",
            "max uses 5 (yours: 10). Gumroad can change max uses and the minimum amount in place: choose Replace to update it (its use count is kept).", None),
        ("product codes are case-sensitive", json!({}), "a", vec![code("o", "save10", pct(10))],
            "create", "", Some(900)),
        ("universal, same terms, other case", json!({}), "a", vec![universal("u", "Save10", pct(10))],
            "skip", "The universal code Save10 already gives the same terms on every product", Some(900)),
        ("universal, other terms: never replaced from here", json!({"onConflict": "replace"}), "a",
            vec![universal("u", "SAVE10", pct(25))], "conflict",
            "SAVE10 is a universal code (it applies to all your products) with other terms: 25% off (yours: 10% off). Replacing it here would change it for every product", None),
        ("universal, accents ignored", json!({"code": "ETE"}), "a", vec![universal("u", "été", pct(20))],
            "conflict", "été is a universal code", None),
        ("usd minimum", json!({"discount": {"percent": 90}, "productIds": ["cheap"]}), "cheap", vec![],
            "skip", "$4 becomes $0.40 after 90% off, under Gumroad's $0.99 minimum (a discounted price must be $0 or at least $0.99).", None),
        ("eur minimum", json!({"discount": {"percent": 90}, "productIds": ["eur"]}), "eur", vec![],
            "skip", "€4.90 becomes €0.49 after 90% off, under Gumroad's €0.79 minimum", None),
        ("jpy minimum, whole yen", json!({"productIds": ["yen100"]}), "yen100", vec![],
            "skip", "¥100 becomes ¥90 after 10% off, under Gumroad's ¥99 minimum (a discounted price must be ¥0 or at least ¥99).", None),
        ("jpy above minimum", json!({"discount": {"percent": 90}, "productIds": ["yen"]}), "yen", vec![],
            "create", "", Some(150)),
        ("100 % makes it free, which is allowed", json!({"discount": {"percent": 100}, "productIds": ["cheap"]}),
            "cheap", vec![], "create", "", Some(0)),
        ("fixed above the price makes it free", json!({"discount": {"fixed": {"cents": 500}}, "currency": "usd", "productIds": ["cheap"]}),
            "cheap", vec![], "create", "", Some(0)),
        ("fixed leaving less than the minimum", json!({"discount": {"fixed": {"cents": 350}}, "currency": "usd", "productIds": ["cheap"]}),
            "cheap", vec![], "skip", "$4 becomes $0.50 after $3.50 off", None),
        ("fixed in another currency", json!({"discount": {"fixed": {"cents": 100}}, "currency": "USD", "productIds": ["eur"]}),
            "eur", vec![], "skip", "SAVE10 takes $1 in USD, but this product is priced in EUR; Gumroad applies a fixed amount only in the product's own currency.", None),
        ("fixed in the product's currency", json!({"discount": {"fixed": {"cents": 100}}, "currency": "eur", "productIds": ["eur"]}),
            "eur", vec![], "create", "", Some(390)),
        ("pay what you want: checked at its minimum", json!({"discount": {"percent": 50}, "productIds": ["pwyw"]}),
            "pwyw", vec![], "create", "", Some(150)),
        ("pay what you want under the minimum", json!({"discount": {"percent": 70}, "productIds": ["pwyw"]}),
            "pwyw", vec![], "skip", "$3 becomes $0.90 after 70% off", None),
        ("tiered membership: every tier", json!({"discount": {"percent": 90}, "productIds": ["club"]}),
            "club", vec![], "skip", "the \"Supporter\" tier (monthly) at $5 becomes $0.50 after 90% off", None),
        ("options: every option", json!({"discount": {"fixed": {"cents": 1000}}, "currency": "usd", "productIds": ["formats"]}),
            "formats", vec![], "skip", "the \"PDF + Workbook\" option at $10.50 becomes $0.50 after $10 off", None),
        ("free product", json!({"discount": {"percent": 50}, "productIds": ["free"]}), "free", vec![],
            "create", "", Some(0)),
        ("unpublished product: product codes are fine", json!({"productIds": ["draft"]}), "draft", vec![],
            "create", "", Some(135)),
        ("product gone", json!({"productIds": ["gone"]}), "a", vec![], "skip",
            "This product is no longer on Gumroad", None),
    ];
    for (case, overrides, on, codes, kind, needle, after) in rows {
        let plan = plan_apply_code(&intent(overrides), &store_with(on, codes), NOW).unwrap();
        assert_eq!(plan.steps.len(), 1, "{case}");
        let step = &plan.steps[0];
        assert_eq!(step.action.kind(), kind, "{case}: {:?}", step.action);
        assert!(
            reason(&step.action).contains(needle),
            "{case}: {}",
            reason(&step.action)
        );
        assert_eq!(step.price_after, after, "{case}");
        assert_eq!(plan.summary.total, 1);
    }
}

#[test]
fn update_and_replace_carry_the_right_codes() {
    let existing = OfferCode {
        max_purchase_count: Some(5),
        times_used: 2,
        ..code("old", "SAVE10", Discount::Percent(10))
    };
    let plan = plan_apply_code(
        &intent(json!({"onConflict": "replace", "maxPurchaseCount": 10})),
        &store_with("a", vec![existing.clone()]),
        NOW,
    )
    .unwrap();
    let Action::Update { before, after } = &plan.steps[0].action else {
        panic!("{:?}", plan.steps[0].action)
    };
    assert_eq!(before, &existing);
    assert_eq!(after.max_purchase_count, Some(10));
    assert_eq!((after.times_used, &after.id), (2, &existing.id));
    assert!(plan
        .notes
        .iter()
        .any(|n| n.contains("keep their use count")));

    let plan = plan_apply_code(
        &intent(json!({"onConflict": "replace", "discount": {"percent": 15}})),
        &store_with("a", vec![existing.clone()]),
        NOW,
    )
    .unwrap();
    let Action::Replace {
        existing: old,
        code,
    } = &plan.steps[0].action
    else {
        panic!()
    };
    assert_eq!(old, &existing);
    assert_eq!(code.discount, Discount::Percent(15));
    assert!(plan
        .notes
        .contains(&"Replacing a code restarts its use count.".to_owned()));
}

#[test]
fn apply_notes_say_what_the_seller_should_know() {
    let plan = plan_apply_code(
        &intent(json!({"maxPurchaseCount": 5, "discount": {"percent": 20},
            "productIds": ["a", "pwyw", "club", "cheap", "yen100"]})),
        &store_with("cheap", vec![code("o", "save10", Discount::Percent(5))]),
        NOW,
    )
    .unwrap();
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action.kind()).collect();
    assert_eq!(kinds, ["create", "create", "create", "create", "skip"]);
    assert_eq!(plan.summary.create, 4);
    assert_eq!(plan.summary.skip, 1);
    let expected = [
        "Max uses count per product: 5 uses on each of 4 products.",
        "Pay what you want: the minimum-price check uses the lowest price buyers may pay (\"Name a Price\").",
        "Memberships with tiers: every tier price was checked against the minimum (\"Club\").",
        "1 product has a code that differs from SAVE10 only in letter case; Gumroad allows both, but buyers may type codes in any case at checkout and get either one.",
        NO_END_DATE_NOTE,
    ];
    assert_eq!(plan.notes, expected);
    assert_eq!(plan.operation, Operation::ApplyCode);
    assert_eq!(plan.intent["productIds"][2], "club");
    assert_eq!(plan.created_at, NOW);
    let indices: Vec<usize> = plan.steps.iter().map(|s| s.index).collect();
    assert_eq!(indices, [0, 1, 2, 3, 4]);
}

fn universal_plan(overrides: Value, snapshot: &Snapshot) -> Plan {
    let mut overrides = overrides;
    overrides["universal"] = json!(true);
    if overrides.get("productIds").is_none() {
        overrides["productIds"] = json!([]);
    }
    plan_apply_code(&intent(overrides), snapshot, NOW).unwrap()
}

#[test]
fn universal_code_is_one_step_checked_against_every_product() {
    let pct = |p| Discount::Percent(p);
    let small = || {
        vec![
            (
                product_with("draft", "Draft", 150, "usd", json!({"published": false})),
                vec![],
            ),
            (product_with("a", "Guide", 1000, "usd", json!({})), vec![]),
            (
                product_with("eur", "Euro Pack", 490, "eur", json!({})),
                vec![],
            ),
        ]
    };
    // (case, overrides, snapshot, action, product it goes through, reason contains)
    let rows: Vec<(&str, Value, Snapshot, &str, &str, &str)> = vec![
        ("created once, through the first published product", json!({"discount": {"percent": 40}}),
            snapshot(small()), "create", "a", ""),
        ("the selection is ignored for creating", json!({"discount": {"percent": 40}, "productIds": ["eur"]}),
            snapshot(small()), "create", "a", ""),
        ("any product under the minimum refuses the whole code", json!({"discount": {"percent": 90}}),
            store_with("a", vec![]), "skip", "a",
            "Gumroad refuses a universal code unless every product stays free or at least the minimum price after the discount, and 5 products would not: \"Sticker\" ($4 becomes $0.40, minimum $0.99); \"Euro Pack\" (€4.90 becomes €0.49, minimum €0.79); \"Yen Zine\" (¥100 becomes ¥10, minimum ¥99) and 2 more."),
        ("same name, other case, same terms", json!({"discount": {"percent": 40}}),
            snapshot(vec![(product_with("a", "Guide", 1000, "usd", json!({})), vec![universal("u", "save10", pct(40))])]),
            "skip", "a", "The universal code save10 already exists with the same terms."),
        ("other terms", json!({"discount": {"percent": 40}}),
            snapshot(vec![(product_with("a", "Guide", 1000, "usd", json!({})), vec![universal("u", "SAVE10", pct(20))])]),
            "conflict", "a", "The universal code SAVE10 already exists with other terms: 20% off (yours: 40% off)."),
        ("other terms, replace", json!({"discount": {"percent": 40}, "onConflict": "replace"}),
            snapshot(vec![(product_with("a", "Guide", 1000, "usd", json!({})), vec![universal("u", "SAVE10", pct(20))])]),
            "replace", "a", ""),
        ("a product code of any case or accent blocks it", json!({"code": "ETE", "discount": {"percent": 40}, "onConflict": "replace"}),
            snapshot(vec![
                (product_with("a", "Guide", 1000, "usd", json!({})), vec![]),
                (product_with("b", "Book", 1000, "usd", json!({})), vec![code("p", "Été", pct(40))]),
            ]),
            "conflict", "a", "Été is already a code on 1 product (\"Book\"); a universal code needs a name no other code of yours has, in any letter case."),
        ("fixed: through and checked against products in its currency only", json!({"discount": {"fixed": {"cents": 450}}, "currency": "usd"}),
            snapshot(vec![
                (product_with("eur", "Euro Pack", 490, "eur", json!({})), vec![]),
                (product_with("a", "Guide", 1000, "usd", json!({})), vec![]),
            ]),
            "create", "a", ""),
        ("fixed: a same-named universal code in another currency differs", json!({"discount": {"fixed": {"cents": 100}}, "currency": "usd"}),
            snapshot(vec![(product_with("eur", "Euro Pack", 490, "eur", json!({})), vec![universal("u", "SAVE10", Discount::Fixed { cents: 100 })]),
                (product_with("a", "Guide", 1000, "usd", json!({})), vec![])]),
            "conflict", "a", "currency EUR (yours: USD)"),
    ];
    for (case, overrides, snapshot, kind, via, needle) in rows {
        let plan = universal_plan(overrides, &snapshot);
        assert_eq!(plan.steps.len(), 1, "{case}");
        let step = &plan.steps[0];
        assert_eq!(step.action.kind(), kind, "{case}: {:?}", step.action);
        assert_eq!(step.product_id.as_str(), via, "{case}");
        assert!(
            reason(&step.action).contains(needle),
            "{case}: {}",
            reason(&step.action)
        );
        if let Action::Create { code } = &step.action {
            assert!(code.universal, "{case}");
        }
    }
    let plan = universal_plan(
        json!({"discount": {"percent": 40}, "maxPurchaseCount": 3}),
        &snapshot(small()),
    );
    assert_eq!(
        plan.notes[..2],
        [
            "A universal code applies to all your published products (2 now) and to ones you add later. It is created once, through \"Guide\".".to_owned(),
            "Max uses: 3 in total, across all products.".to_owned(),
        ]
    );
    let none = universal_plan(
        json!({"discount": {"fixed": {"cents": 100}}, "currency": "gbp"}),
        &snapshot(small()),
    );
    assert!(none.steps.is_empty());
    assert_eq!(
        none.notes[0],
        "You have no product priced in GBP, so there is nothing a universal code could apply to."
    );
}

#[test]
fn validation_refuses_bad_intents_with_a_clear_message() {
    // (overrides, message contains; "" = valid)
    let rows: Vec<(Value, &str)> = vec![
        (json!({}), ""),
        (json!({"code": "  Été-2025_x  "}), ""),
        (json!({"code": ""}), "Enter a discount code."),
        (json!({"code": "   "}), "Enter a discount code."),
        (json!({"code": "50% OFF!"}),
            "Discount code can only contain numbers, letters, dashes, and underscores: \"50% OFF!\" has \"%\", a space and \"!\"."),
        (json!({"code": "has space"}), "\"has space\" has a space."),
        (json!({"code": "a×b"}), "has \"×\""),
        (json!({"code": "emoji🎉"}), "has \"🎉\""),
        (json!({"discount": {"percent": 150}}), "Please enter a discount amount that is 100% or less."),
        (json!({"discount": {"percent": 300}}), "100% or less"),
        (json!({"discount": {"percent": 100}}), ""),
        (json!({"discount": {"percent": 0}}), "Please enter a positive discount amount."),
        (json!({"discount": {"percent": -5}}), "Please enter a positive discount amount."),
        (json!({"discount": {"percent": 12.5}}), "Gumroad takes whole percentages only (1 to 100); 12.5% is not possible."),
        (json!({"discount": {"percent": 10.0}}), ""),
        (json!({"discount": {"fixed": {"cents": 0}}, "currency": "usd"}), "Please enter a positive discount amount."),
        (json!({"discount": {"fixed": {"cents": 99.5}}, "currency": "usd"}), "whole number"),
        (json!({"discount": {"fixed": {"cents": 500}}}), "Choose the currency of the amount off"),
        (json!({"discount": {"fixed": {"cents": 500}}, "currency": " "}), "Choose the currency"),
        (json!({"discount": {"fixed": {"cents": 500}}, "currency": "xyz"}), "Gumroad does not sell in \"xyz\"."),
        (json!({"discount": {"fixed": {"cents": 5_000_000_000_i64}}, "currency": "usd"}), "too large"),
        (json!({"discount": {"fixed": {"cents": 500}}, "currency": "JPY"}), ""),
        (json!({"maxPurchaseCount": 0}), "Max uses must be a whole number, at least 1"),
        (json!({"maxPurchaseCount": -3}), "at least 1"),
        (json!({"maxPurchaseCount": 2.5}), "at least 1"),
        (json!({"maxPurchaseCount": 1}), ""),
        (json!({"minimumAmountCents": -1}), "A minimum amount cannot be negative."),
        (json!({"minimumAmountCents": 0}), ""),
        (json!({"productIds": []}), "Select at least one product"),
        (json!({"productIds": ["  ", ""]}), "Select at least one product"),
        (json!({"productIds": [], "universal": true}), ""),
    ];
    for (overrides, needle) in rows {
        let result = intent(overrides.clone()).validate();
        match (result, needle) {
            (Ok(_), "") => {}
            (Err(e), needle) if !needle.is_empty() => {
                assert_eq!(e.kind(), ErrorKind::InvalidInput);
                assert!(e.message().contains(needle), "{overrides}: {e}");
            }
            (result, _) => panic!("{overrides}: {result:?}, expected {needle:?}"),
        }
    }
    let valid = intent(json!({"code": " VIP ", "productIds": ["b", "a", "b", " a "]}))
        .validate()
        .unwrap();
    assert_eq!(valid.code.name, "VIP");
    assert_eq!(valid.product_ids, ids(&["b", "a"]));

    let remove = |code: &str| RemoveCodeIntent {
        code: code.into(),
        product_ids: vec![],
    };
    assert!(remove("SAVE10").validate().is_ok());
    assert!(remove("50% OFF!")
        .validate()
        .unwrap_err()
        .message()
        .contains("only contain"));
    assert!(remove("").validate().is_err());
    // A planner refuses too (nothing can be planned, let alone sent).
    let error = plan_apply_code(
        &intent(json!({"discount": {"percent": 150}})),
        &Snapshot::default(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
}

#[test]
fn intents_of_the_wrong_shape_name_the_field() {
    use crate::bulk::intent::parse_intent;
    let rows = [
        (
            json!({"code": "A", "discount": {"percent": "10"}}),
            "discount",
        ),
        (json!({"code": "A", "discount": {"half": 1}}), "discount"),
        (
            json!({"code": "A", "discount": {"percent": 10}, "onConflict": "merge"}),
            "onConflict",
        ),
        (json!({"discount": {"percent": 10}}), "code"),
        (
            json!({"code": "A", "discount": {"percent": 10}, "productIds": "a"}),
            "productIds",
        ),
    ];
    for (value, field) in rows {
        let error = parse_intent::<ApplyCodeIntent>(&value).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(error.message().contains(field), "{value}: {error}");
    }
    // As given, numbers and all.
    let value = json!({"code": "A", "discount": {"fixed": {"cents": 500}}, "currency": "usd",
        "maxPurchaseCount": 5, "minimumAmountCents": null, "universal": false,
        "productIds": ["p"], "onConflict": "replace"});
    let parsed: ApplyCodeIntent = parse_intent(&value).unwrap();
    assert_eq!(serde_json::to_value(&parsed).unwrap(), value);
}

#[test]
fn percent_rounding_matches_gumroad() {
    // (price, percent, amount off): Ruby's `(price * (pct / 100.0)).round`.
    let rows = [
        (1000, 10, 100),
        (999, 10, 100),
        (995, 10, 100),
        (105, 10, 11),
        (15, 10, 2),
        (1, 50, 1),
        (3, 50, 2),
        (490, 90, 441),
        (0, 50, 0),
    ];
    for (price, percent, off) in rows {
        assert_eq!(
            amount_off(Discount::Percent(percent), price),
            off,
            "{price} {percent}"
        );
    }
    assert_eq!(amount_off(Discount::Fixed { cents: 300 }, 100), 300);
}

#[test]
fn a_minimum_in_yen_goes_on_yen_products_only_and_is_shown() {
    let yen = intent(json!({"minimumAmountCents": 2000, "minimumCurrency": "jpy",
        "productIds": ["yen", "a"]}));
    let plan = plan_apply_code(&yen, &store_with("a", vec![]), NOW).unwrap();
    let actions: Vec<&str> = plan.steps.iter().map(|s| s.action.kind()).collect();
    assert_eq!(actions, ["create", "skip"]);
    assert!(
        reason(&plan.steps[1].action).contains("minimum order is in JPY"),
        "{}",
        reason(&plan.steps[1].action)
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("Minimum order: ¥2,000")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn a_minimum_in_another_currency_than_the_amount_off_is_refused() {
    let mixed = intent(
        json!({"discount": {"fixed": {"cents": 100}}, "currency": "usd",
        "minimumAmountCents": 2000, "minimumCurrency": "jpy"}),
    );
    let error = plan_apply_code(&mixed, &store_with("a", vec![]), NOW).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(
        error.message().contains("same currency"),
        "{}",
        error.message()
    );
}
