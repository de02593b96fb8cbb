use super::*;
use crate::bulk::report::{Outcome, ReportRow};
use crate::model::Discount;
use serde_json::json;

fn product(id: &str, name: &str, currency: &str, price: i64) -> Product {
    serde_json::from_value(json!({"id": id, "name": name, "price": price,
        "currency": currency, "published": true,
        "short_url": format!("https://store.gumroad.com/l/{id}")}))
    .unwrap()
}

fn existing(name: &str) -> OfferCode {
    OfferCode {
        id: format!("id-{name}").as_str().into(),
        name: name.into(),
        discount: Discount::Percent(10),
        max_purchase_count: None,
        minimum_amount_cents: None,
        universal: false,
        times_used: 0,
    }
}

fn store(codes: Vec<OfferCode>) -> Snapshot {
    let mut snapshot = Snapshot::default();
    for p in [product("ebook", "Ebook", "usd", 1000), product("euro", "Euro Pack", "eur", 500)] {
        snapshot.codes.insert(p.id.clone(), if p.id.as_str() == "ebook" { codes.clone() } else { vec![] });
        snapshot.products.push(p);
    }
    snapshot
}

fn intent(value: serde_json::Value) -> CreateCodesIntent {
    serde_json::from_value(value).unwrap()
}

/// A replayable byte source (Knuth's MMIX linear congruential generator, top byte).
fn counter() -> impl FnMut(&mut [u8]) {
    let mut state = 1u64;
    move |bytes: &mut [u8]| {
        for b in bytes.iter_mut() {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            *b = (state >> 56) as u8;
        }
    }
}

fn names(plan: &Plan) -> Vec<String> {
    plan.steps
        .iter()
        .map(|s| match &s.action {
            Action::CreateUnique { code, .. } => code.name.clone(),
            other => panic!("not a batch step: {other:?}"),
        })
        .collect()
}

#[test]
fn names_are_prefix_dash_and_suffix_from_the_unambiguous_alphabet() {
    let plan = plan_create_codes(
        &intent(json!({"prefix": "LAUNCH", "count": 300, "discount": {"percent": 100},
            "productId": "ebook"})),
        &store(vec![]),
        0.0,
        8,
        &mut counter(),
    )
    .unwrap();
    let names = names(&plan);
    assert_eq!(names.len(), 300);
    let distinct: HashSet<&String> = names.iter().collect();
    assert_eq!(distinct.len(), 300);
    for name in &names {
        let suffix = name.strip_prefix("LAUNCH-").expect(name);
        assert_eq!(suffix.len(), 8, "{name}");
        assert!(suffix.bytes().all(|b| SUFFIX_ALPHABET.contains(&b)), "{name}");
        assert!(!suffix.contains(['0', 'O', '1', 'I']), "{name}");
    }
    assert_eq!(plan.operation, Operation::CreateCodes);
    assert_eq!(plan.summary.create, 300);
    assert_eq!(plan.title, "Create 300 single-use codes LAUNCH-… (100% off) on Ebook");
    let Action::CreateUnique { code, suffix, product_url } = &plan.steps[0].action else {
        unreachable!()
    };
    assert_eq!(code.max_purchase_count, Some(1));
    assert!(!code.universal);
    assert_eq!(suffix, &SuffixRule { prefix: "LAUNCH-".into(), length: 8 });
    assert_eq!(product_url.as_deref(), Some("https://store.gumroad.com/l/ebook"));
    assert!(plan.notes[0].starts_with("300 requests to send"), "{}", plan.notes[0]);
    // 300 requests, 8 at a time, half a second each: about 19 s.
    assert!(plan.notes[0].contains("takes about 19 s"), "{}", plan.notes[0]);
}

#[test]
fn a_prefix_ending_in_a_separator_keeps_it_and_every_byte_maps_to_the_alphabet() {
    let rule = SuffixRule { prefix: "VIP_".into(), length: 6 };
    let mut all = 0u8;
    let mut seen = HashSet::new();
    for _ in 0..64 {
        let name = draw_name(&rule, &mut |bytes: &mut [u8]| {
            for b in bytes.iter_mut() {
                *b = all;
                all = all.wrapping_add(1);
            }
        });
        seen.extend(name["VIP_".len()..].chars());
    }
    assert_eq!(seen.len(), 32, "every byte value lands in the alphabet, all 32 used");
}

#[test]
fn names_that_clash_with_live_codes_in_any_case_are_drawn_again() {
    // The counter's first names, made beforehand in lower case on the product.
    let first = names(
        &plan_create_codes(
            &intent(json!({"prefix": "GIFT", "count": 3, "discount": {"percent": 50},
                "productId": "ebook"})),
            &store(vec![]),
            0.0,
            8,
            &mut counter(),
        )
        .unwrap(),
    );
    let taken: Vec<OfferCode> = first[..2].iter().map(|n| existing(&n.to_lowercase())).collect();
    let plan = plan_create_codes(
        &intent(json!({"prefix": "GIFT", "count": 3, "discount": {"percent": 50},
            "productId": "ebook"})),
        &store(taken),
        0.0,
        8,
        &mut counter(),
    )
    .unwrap();
    let again = names(&plan);
    assert_eq!(again.len(), 3);
    assert!(!again.contains(&first[0]) && !again.contains(&first[1]));
    assert_eq!(again[0], first[2]);
    assert!(plan.notes.iter().any(|n| n == "2 codes drawn matched codes you already have and were replaced by fresh ones."), "{:?}", plan.notes);
}

#[test]
fn a_broken_random_source_is_refused_not_looped_on() {
    let error = plan_create_codes(
        &intent(json!({"prefix": "X", "count": 5, "discount": {"percent": 50},
            "productId": "ebook"})),
        &store(vec![]),
        0.0,
        8,
        &mut |bytes: &mut [u8]| bytes.fill(0),
    )
    .unwrap_err();
    assert!(error.message().contains("could not draw enough distinct codes"), "{}", error.message());
}

#[test]
fn bad_intents_are_refused_with_the_reason() {
    let rows = [
        (json!({"prefix": "A", "count": 0, "discount": {"percent": 10}, "productId": "ebook"}),
            "Choose how many codes to make: a whole number from 1 to 10,000."),
        (json!({"prefix": "A", "count": 10001, "discount": {"percent": 10}, "productId": "ebook"}),
            "Choose how many codes to make: a whole number from 1 to 10,000."),
        (json!({"prefix": "A", "count": 2.5, "discount": {"percent": 10}, "productId": "ebook"}),
            "Choose how many codes to make: a whole number from 1 to 10,000."),
        (json!({"prefix": "BLACK FRIDAY", "count": 5, "discount": {"percent": 10}, "productId": "ebook"}),
            "Discount code can only contain numbers, letters, dashes, and underscores: \"BLACK FRIDAY\" has a space."),
        (json!({"prefix": "A", "count": 5, "suffixLength": 4, "discount": {"percent": 10}, "productId": "ebook"}),
            "The random part of each code must be 6 to 20 characters long."),
        (json!({"prefix": "A", "count": 5, "discount": {"percent": 150}, "productId": "ebook"}),
            "Please enter a discount amount that is 100% or less."),
        (json!({"prefix": "A", "count": 5, "discount": {"percent": 10}}),
            "Choose the product the codes are for, or make them universal."),
        (json!({"prefix": "A", "count": 5, "maxPurchaseCount": 0, "discount": {"percent": 10}, "productId": "ebook"}),
            "Max uses must be a whole number, at least 1 (leave it empty for unlimited)."),
        (json!({"prefix": "A".repeat(185), "count": 5, "discount": {"percent": 10}, "productId": "ebook"}),
            "The prefix is too long: a code can have at most 191 characters, and the random part takes 8."),
    ];
    for (value, message) in rows {
        let error = plan_create_codes(&intent(value.clone()), &store(vec![]), 0.0, 8, &mut counter())
            .unwrap_err();
        assert_eq!(error.message(), message, "{value}");
    }
}

#[test]
fn terms_gumroad_would_refuse_are_refused_before_any_write() {
    // $9.50 off a $10 ebook leaves $0.50, under the $0.99 minimum.
    let error = plan_create_codes(
        &intent(json!({"prefix": "A", "count": 5, "discount": {"fixed": {"cents": 950}},
            "currency": "usd", "productId": "ebook"})),
        &store(vec![]),
        0.0,
        8,
        &mut counter(),
    )
    .unwrap_err();
    assert!(error.message().contains("under Gumroad's $0.99 minimum"), "{}", error.message());
    let error = plan_create_codes(
        &intent(json!({"prefix": "A", "count": 5, "discount": {"fixed": {"cents": 100}},
            "currency": "usd", "productId": "euro"})),
        &store(vec![]),
        0.0,
        8,
        &mut counter(),
    )
    .unwrap_err();
    assert_eq!(
        error.message(),
        "A-… takes $1 in USD, but this product is priced in EUR; Gumroad applies a fixed amount only in the product's own currency."
    );
}

#[test]
fn universal_batches_go_through_one_product_and_link_nowhere() {
    let plan = plan_create_codes(
        &intent(json!({"prefix": "PARTNER", "count": 4, "maxPurchaseCount": 25,
            "discount": {"percent": 20}, "universal": true})),
        &store(vec![]),
        0.0,
        4,
        &mut counter(),
    )
    .unwrap();
    assert_eq!(plan.title, "Create 4 25-use codes PARTNER-… (20% off), universal");
    for step in &plan.steps {
        let Action::CreateUnique { code, product_url, .. } = &step.action else { unreachable!() };
        assert!(code.universal);
        assert_eq!(code.max_purchase_count, Some(25));
        assert_eq!(product_url, &None);
    }
    assert!(plan.notes.iter().any(|n| n == "Each code works 25 times."));
}

#[test]
fn resume_verifies_codes_already_made_and_sends_the_rest() {
    let snapshot = store(vec![]);
    let plan = plan_create_codes(
        &intent(json!({"prefix": "L", "count": 3, "discount": {"percent": 10},
            "productId": "ebook"})),
        &snapshot,
        0.0,
        8,
        &mut counter(),
    )
    .unwrap();
    let made = names(&plan);
    // The first code exists with the batch's terms; the second exists with other terms.
    let mut first = existing(&made[0]);
    first.max_purchase_count = Some(1);
    let second = existing(&made[1]);
    let later = store(vec![first.clone(), second]);
    let originals: Vec<&Step> = plan.steps.iter().collect();
    let mut steps = Vec::new();
    replan_create_codes(&originals, &later, &mut steps);
    assert!(matches!(&steps[0].action, Action::Verified { change: Change::Created, offer_code, .. } if offer_code == &first));
    assert!(matches!(&steps[1].action, Action::CreateUnique { code, .. } if code.name == made[1]));
    assert!(matches!(&steps[2].action, Action::CreateUnique { code, .. } if code.name == made[2]));
    assert_eq!(steps.iter().map(|s| s.index).collect::<Vec<_>>(), [0, 1, 2]);
}

#[test]
fn the_csv_lists_every_code_made_with_its_link_in_step_order() {
    let plan = plan_create_codes(
        &intent(json!({"prefix": "-HACK", "count": 3, "discount": {"percent": 100},
            "productId": "ebook"})),
        &store(vec![]),
        0.0,
        8,
        &mut counter(),
    )
    .unwrap();
    let made = names(&plan);
    let code = |name: &str| OfferCode {
        max_purchase_count: Some(1),
        discount: Discount::Percent(100),
        ..existing(name)
    };
    let row = |index: usize, status: Status, outcome_code: Option<OfferCode>, action: Action| ReportRow {
        index,
        product_id: "ebook".into(),
        product_name: "Ebook".into(),
        action,
        outcome: Outcome { created_offer_code: outcome_code, ..Outcome::new(status, "") },
        description: String::new(),
    };
    // Step 2 made a fresh name after its own was taken; step 1 was found made on resume;
    // step 0 did not run.
    let report = Report::new(
        &plan,
        vec![
            row(2, Status::Applied, Some(code("-HACK-FRESH")), plan.steps[2].action.clone()),
            row(0, Status::NotRun, None, plan.steps[0].action.clone()),
            row(1, Status::Applied, None, Action::Verified { change: Change::Created, offer_code: code(&made[1]), previous: None }),
        ],
        true,
        None,
        0.0,
        1.0,
    );
    let (csv, count) = batch_codes_csv(&plan, &report);
    assert_eq!(count, 2);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines,
        [
            "Code,Product,Link,Discount,Max uses",
            &format!("'{},Ebook,https://store.gumroad.com/l/ebook/{},100% off,1", made[1], made[1]),
            "'-HACK-FRESH,Ebook,https://store.gumroad.com/l/ebook/-HACK-FRESH,100% off,1",
            "",
        ]
    );
}
