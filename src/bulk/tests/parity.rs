//! Table tests of the parity planners: per tier and per country, clamp or skip under the
//! currency minimum (USD and JPY), conflicts, unique indices, the native-PPP note, the map
//! agreeing with the plan, re-planning, undo and removal by prefix.

use serde_json::{json, Value};

use super::{code, product_with, snapshot, universal, NOW};
use crate::bulk::apply_code::OnConflict;
use crate::bulk::parity::{
    apply_intent, plan_apply_parity, plan_remove_parity, ApplyParityIntent, ParityPlanIntent,
    RemoveParityIntent, NOT_GEO_LOCKED_NOTE,
};
use crate::bulk::plan::{Action, Change, Operation, Plan};
use crate::bulk::replan::replan_steps;
use crate::bulk::report::{Outcome, Report, ReportRow, ReportSummary, Status};
use crate::bulk::snapshot::Snapshot;
use crate::bulk::undo::plan_undo;
use crate::model::{Discount, OfferCode, Product, ProductId};
use crate::parity::codes::tests::row;
use crate::parity::{country_map, parity_codes, CodeMode, MinimumPolicy, ParityCode};
use crate::ErrorKind;

fn products() -> Vec<Product> {
    vec![
        product_with("a", "Guide", 1000, "usd", json!({})),
        // 60 % → $0.80, under $0.99: clamped to 50 % ($1).
        product_with("cheap", "Sticker", 200, "usd", json!({})),
        // 60 % → ¥80, under ¥99: clamped to 50 % (¥100).
        product_with("yen", "Yen Zine", 200, "jpy", json!({})),
        // Any percent takes $0.99 under $0.99.
        product_with("tiny", "Tiny", 99, "usd", json!({})),
        product_with(
            "native",
            "Native",
            1000,
            "usd",
            json!({"purchasing_power_parity_prices": {"IN": 400}}),
        ),
    ]
}

fn store(codes: &[(&str, Vec<OfferCode>)]) -> Snapshot {
    snapshot(
        products()
            .into_iter()
            .map(|p| {
                let mine = codes
                    .iter()
                    .find(|(id, _)| *id == p.id.as_str())
                    .map(|(_, c)| c.clone())
                    .unwrap_or_default();
                (p, mine)
            })
            .collect(),
    )
}

fn tier_codes() -> Vec<ParityCode> {
    vec![
        ParityCode {
            code: "PPP40".into(),
            percent: 40,
            countries: vec!["BR".into(), "MX".into()],
        },
        ParityCode {
            code: "PPP60".into(),
            percent: 60,
            countries: vec!["IN".into()],
        },
    ]
}

fn country_codes() -> Vec<ParityCode> {
    vec![
        ParityCode {
            code: "PPP-BR".into(),
            percent: 40,
            countries: vec!["BR".into()],
        },
        ParityCode {
            code: "PPP-IN".into(),
            percent: 60,
            countries: vec!["IN".into()],
        },
    ]
}

fn intent(codes: Vec<ParityCode>, policy: MinimumPolicy, ids: &[&str]) -> ApplyParityIntent {
    ApplyParityIntent {
        mode: if codes[0].countries.len() == 1 && codes[0].code.contains('-') {
            CodeMode::PerCountry
        } else {
            CodeMode::PerTier
        },
        codes,
        prefix: "PPP".into(),
        on_minimum: policy,
        on_conflict: OnConflict::Skip,
        product_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// (index, product, kind, code name, percent) per step.
fn shape(plan: &Plan) -> Vec<(usize, String, &'static str, String, Option<u8>)> {
    plan.steps
        .iter()
        .map(|s| {
            let (name, percent) = match &s.action {
                Action::Create { code } => (
                    code.name.clone(),
                    match code.discount {
                        Discount::Percent(p) => Some(p),
                        Discount::Fixed { .. } => None,
                    },
                ),
                Action::Conflict { existing, .. } => (existing.name.clone(), None),
                Action::Skip {
                    existing: Some(e), ..
                } => (e.name.clone(), None),
                _ => (String::new(), None),
            };
            (
                s.index,
                s.product_id.as_str().to_owned(),
                s.action.kind(),
                name,
                percent,
            )
        })
        .collect()
}

fn step(
    index: usize,
    product: &str,
    kind: &'static str,
    name: &str,
    percent: Option<u8>,
) -> (usize, String, &'static str, String, Option<u8>) {
    (index, product.into(), kind, name.into(), percent)
}

fn applies(plan: &Plan) -> Vec<(String, u8, Vec<String>, Vec<usize>)> {
    let kept: ParityPlanIntent = serde_json::from_value(plan.intent.clone()).unwrap();
    kept.applies
        .iter()
        .map(|a| {
            let percent = match &a.intent.discount {
                crate::bulk::DiscountInput::Percent(n) => n.as_u64().unwrap() as u8,
                crate::bulk::DiscountInput::Fixed { .. } => 0,
            };
            (
                a.intent.code.clone(),
                percent,
                a.intent.product_ids.clone(),
                a.steps.clone(),
            )
        })
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn per_tier_with_clamp_lowers_the_percent_under_the_same_name() {
    let plan = plan_apply_parity(
        &intent(
            tier_codes(),
            MinimumPolicy::Clamp,
            &["a", "cheap", "yen", "tiny"],
        ),
        &store(&[]),
        NOW,
    )
    .unwrap();
    assert_eq!(plan.operation, Operation::ApplyParity);
    assert_eq!(
        shape(&plan),
        [
            step(0, "a", "create", "PPP40", Some(40)),
            step(1, "cheap", "create", "PPP40", Some(40)),
            step(2, "yen", "create", "PPP40", Some(40)),
            step(3, "tiny", "skip", "", None),
            step(4, "a", "create", "PPP60", Some(60)),
            step(5, "cheap", "create", "PPP60", Some(50)),
            step(6, "yen", "create", "PPP60", Some(50)),
            step(7, "tiny", "skip", "", None),
        ]
    );
    assert_eq!(plan.steps[5].formatted_price_after.as_deref(), Some("$1"));
    assert_eq!(plan.steps[6].formatted_price_after.as_deref(), Some("¥100"));
    assert_eq!(
        applies(&plan),
        [
            (
                "PPP40".into(),
                40,
                strings(&["a", "cheap", "yen"]),
                vec![0, 1, 2]
            ),
            ("PPP60".into(), 60, strings(&["a"]), vec![4]),
            ("PPP60".into(), 50, strings(&["cheap", "yen"]), vec![5, 6]),
        ]
    );
    let Action::Skip { reason, .. } = &plan.steps[3].action else {
        panic!()
    };
    assert!(reason.starts_with("PPP40: $0.99 becomes $0.59"), "{reason}");
    assert!(reason.contains("Even 1% off would"), "{reason}");
    assert_eq!(
        plan.notes,
        [
            "2 parity codes (PPP40; PPP60) for 3 countries, on 4 products: 6 codes to write.",
            NOT_GEO_LOCKED_NOTE,
            "Lowered to fit the currency minimum (same code, smaller percent on that product; the map shows it): PPP60 is 50% on \"Sticker\"; PPP60 is 50% on \"Yen Zine\".",
            "2 codes skipped: the discount would take a price under the currency minimum.",
        ]
    );
    assert_eq!(plan.summary.create, 6);
    assert_eq!(plan.summary.skip, 2);
}

#[test]
fn per_tier_with_skip_leaves_products_under_the_minimum_out() {
    let plan = plan_apply_parity(
        &intent(
            tier_codes(),
            MinimumPolicy::Skip,
            &["a", "cheap", "yen", "tiny"],
        ),
        &store(&[]),
        NOW,
    )
    .unwrap();
    assert_eq!(
        shape(&plan),
        [
            step(0, "a", "create", "PPP40", Some(40)),
            step(1, "cheap", "create", "PPP40", Some(40)),
            step(2, "yen", "create", "PPP40", Some(40)),
            step(3, "tiny", "skip", "", None),
            step(4, "a", "create", "PPP60", Some(60)),
            step(5, "cheap", "skip", "", None),
            step(6, "yen", "skip", "", None),
            step(7, "tiny", "skip", "", None),
        ]
    );
    let Action::Skip { reason, .. } = &plan.steps[6].action else {
        panic!()
    };
    assert!(
        reason.starts_with("PPP60: ¥200 becomes ¥80 after 60% off, under Gumroad's ¥99 minimum"),
        "{reason}"
    );
    assert!(plan.notes.iter().all(|n| !n.starts_with("Lowered")));
    assert!(plan.notes.contains(
        &"4 codes skipped: the discount would take a price under the currency minimum.".to_owned()
    ));
}

#[test]
fn per_country_one_code_per_country_on_each_product() {
    let plan = plan_apply_parity(
        &intent(country_codes(), MinimumPolicy::Clamp, &["a", "cheap"]),
        &store(&[]),
        NOW,
    )
    .unwrap();
    assert_eq!(
        shape(&plan),
        [
            step(0, "a", "create", "PPP-BR", Some(40)),
            step(1, "cheap", "create", "PPP-BR", Some(40)),
            step(2, "a", "create", "PPP-IN", Some(60)),
            step(3, "cheap", "create", "PPP-IN", Some(50)),
        ]
    );
    assert!(plan.notes[0].starts_with("2 parity codes (PPP-BR; PPP-IN) for 2 countries"));
}

#[test]
fn conflicts_and_codes_already_there_are_planned_as_for_one_code() {
    let pct = Discount::Percent;
    let snap = store(&[
        (
            "a",
            vec![code("c1", "PPP40", pct(40)), code("c2", "PPP60", pct(45))],
        ),
        ("cheap", vec![universal("u1", "ppp40", pct(30))]),
    ]);
    let plan = plan_apply_parity(
        &intent(tier_codes(), MinimumPolicy::Clamp, &["a", "cheap", "gone"]),
        &snap,
        NOW,
    )
    .unwrap();
    assert_eq!(
        shape(&plan),
        [
            step(0, "a", "skip", "PPP40", None),
            step(1, "cheap", "conflict", "ppp40", None),
            step(2, "gone", "skip", "", None),
            step(3, "a", "conflict", "PPP60", None),
            step(4, "cheap", "create", "PPP60", Some(50)),
            step(5, "gone", "skip", "", None),
        ]
    );
    let indices: Vec<usize> = plan.steps.iter().map(|s| s.index).collect();
    assert_eq!(indices, (0..6).collect::<Vec<_>>());

    let replace = ApplyParityIntent {
        on_conflict: OnConflict::Replace,
        ..intent(tier_codes(), MinimumPolicy::Clamp, &["a"])
    };
    let plan = plan_apply_parity(&replace, &snap, NOW).unwrap();
    assert_eq!(plan.steps[1].action.kind(), "replace");
}

#[test]
fn native_parity_pricing_is_warned_about() {
    let plan = plan_apply_parity(
        &intent(tier_codes(), MinimumPolicy::Clamp, &["a", "native"]),
        &store(&[]),
        NOW,
    )
    .unwrap();
    assert!(plan.notes.contains(
        &"Gumroad's own parity pricing is on for 1 product; it does not stack with codes."
            .to_owned()
    ));
    let plan = plan_apply_parity(
        &intent(tier_codes(), MinimumPolicy::Clamp, &["a"]),
        &store(&[]),
        NOW,
    )
    .unwrap();
    assert!(plan.notes.iter().all(|n| !n.contains("parity pricing")));
}

#[test]
fn bad_intents_are_refused_before_planning() {
    let cases: Vec<(ApplyParityIntent, &str)> = vec![
        (
            intent(tier_codes(), MinimumPolicy::Clamp, &[]),
            "Select the products",
        ),
        (
            intent(tier_codes(), MinimumPolicy::Clamp, &["  "]),
            "Select the products",
        ),
        (
            ApplyParityIntent {
                codes: vec![],
                ..intent(tier_codes(), MinimumPolicy::Clamp, &["a"])
            },
            "No country has a discount",
        ),
        (
            ApplyParityIntent {
                prefix: "P P".into(),
                ..intent(tier_codes(), MinimumPolicy::Clamp, &["a"])
            },
            "has a space",
        ),
    ];
    for (bad, want) in cases {
        let error = plan_apply_parity(&bad, &store(&[]), NOW).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(error.message().contains(want), "{}", error.message());
    }
}

#[test]
fn a_cheap_option_lowers_the_percent_alike_in_the_map_and_in_the_job() {
    // $20, with a $1.50 "Lite" option: 60 % off the option would be $0.60, under $0.99.
    let bundle = product_with(
        "bundle",
        "Bundle",
        2000,
        "usd",
        json!({"variants": [{"title": "Edition", "options": [
            {"name": "Full", "price_difference": 0}, {"name": "Lite", "price_difference": -1850}]}]}),
    );
    let store = snapshot(vec![(bundle.clone(), vec![])]);
    let plan = plan_apply_parity(
        &intent(tier_codes(), MinimumPolicy::Clamp, &["bundle"]),
        &store,
        NOW,
    )
    .unwrap();
    let created = |name: &str| {
        plan.steps.iter().find_map(|s| match &s.action {
            Action::Create { code } if code.name == name => match code.discount {
                Discount::Percent(p) => Some(p),
                Discount::Fixed { .. } => None,
            },
            _ => None,
        })
    };
    let job = created("PPP60").expect("the job puts PPP60 on the bundle");
    assert!(job < 60, "the job lowers the percent for the option: {job}");
    let map = country_map(&tier_codes(), &[bundle], MinimumPolicy::Clamp);
    let india = map.iter().find(|r| r.country == "IN").unwrap();
    assert_eq!(india.example_prices[0].percent, Some(job));
    let brazil = map.iter().find(|r| r.country == "BR").unwrap();
    assert_eq!(brazil.example_prices[0].percent, created("PPP40"));
}

#[test]
fn the_map_gives_the_percents_the_plan_creates() {
    let ids = ["a", "cheap", "yen", "tiny"];
    for policy in [MinimumPolicy::Clamp, MinimumPolicy::Skip] {
        let plan =
            plan_apply_parity(&intent(tier_codes(), policy, &ids), &store(&[]), NOW).unwrap();
        let examples: Vec<Product> = products()
            .into_iter()
            .filter(|p| ids.contains(&p.id.as_str()))
            .collect();
        let map = country_map(&tier_codes(), &examples, policy);
        for row in &map {
            for example in &row.example_prices {
                let created = plan.steps.iter().find_map(|s| match &s.action {
                    Action::Create { code }
                        if code.name == row.code && s.product_id == example.product_id =>
                    {
                        match code.discount {
                            Discount::Percent(p) => Some(p),
                            Discount::Fixed { .. } => None,
                        }
                    }
                    _ => None,
                });
                assert_eq!(
                    created, example.percent,
                    "{policy:?} {} {}",
                    row.code, example.product
                );
            }
        }
    }
}

fn applied(index: usize, product: &str, action: Action, created: Option<OfferCode>) -> ReportRow {
    ReportRow {
        index,
        product_id: ProductId::from(product),
        product_name: product.to_owned(),
        action,
        outcome: Outcome {
            created_offer_code: created,
            ..Outcome::new(Status::Applied, "done")
        },
        description: String::new(),
    }
}

fn report(operation: Operation, rows: Vec<ReportRow>) -> Report {
    Report {
        operation,
        title: String::new(),
        intent: json!({}),
        summary_text: String::new(),
        summary: ReportSummary::of(&rows),
        rows,
        cancelled: true,
        error: None,
        started_at: NOW - 5_000.0,
        finished_at: NOW - 1_000.0,
    }
}

#[test]
fn resuming_a_parity_job_replans_each_step_against_its_own_code() {
    let plan = plan_apply_parity(
        &intent(tier_codes(), MinimumPolicy::Clamp, &["a", "cheap", "tiny"]),
        &store(&[]),
        NOW,
    )
    .unwrap();
    // 0 a PPP40, 1 cheap PPP40, 2 tiny skip, 3 a PPP60, 4 cheap PPP60 @50, 5 tiny skip.
    let first = code("n0", "PPP40", Discount::Percent(40));
    let partial = report(
        Operation::ApplyParity,
        vec![applied(
            0,
            "a",
            plan.steps[0].action.clone(),
            Some(first.clone()),
        )],
    );
    let targets =
        crate::bulk::replan::replan_targets(&plan, &partial, crate::bulk::ReplanMode::Resume);
    assert_eq!(targets, [1, 2, 3, 4, 5]);
    // Step 4's create went through but its answer was lost.
    let lost = code("n4", "PPP60", Discount::Percent(50));
    let fresh = store(&[("a", vec![first]), ("cheap", vec![lost.clone()])]);
    let again = replan_steps(&plan, &targets, &fresh, NOW + 1.0).unwrap();
    assert_eq!(again.operation, Operation::ApplyParity);
    assert_eq!(again.intent, plan.intent);
    assert_eq!(
        shape(&again),
        [
            step(1, "cheap", "create", "PPP40", Some(40)),
            step(2, "tiny", "skip", "", None),
            step(3, "a", "create", "PPP60", Some(60)),
            step(4, "cheap", "verified", "", None),
        ]
        .into_iter()
        .chain([step(5, "tiny", "skip", "", None)])
        .collect::<Vec<_>>()
    );
    assert_eq!(
        again.steps[3].action,
        Action::Verified {
            change: Change::Created,
            offer_code: lost,
            previous: None
        }
    );
    assert!(again.notes[0].starts_with("Re-planned 5 steps"));
}

#[test]
fn undoing_a_parity_job_deletes_exactly_the_codes_it_created() {
    let plan = plan_apply_parity(
        &intent(tier_codes(), MinimumPolicy::Clamp, &["a", "cheap"]),
        &store(&[]),
        NOW,
    )
    .unwrap();
    let made: Vec<OfferCode> = plan
        .steps
        .iter()
        .map(|s| match &s.action {
            Action::Create { code: new } => code(&format!("n{}", s.index), &new.name, new.discount),
            other => panic!("{other:?}"),
        })
        .collect();
    let rows = plan
        .steps
        .iter()
        .zip(&made)
        .map(|(s, c)| {
            applied(
                s.index,
                s.product_id.as_str(),
                s.action.clone(),
                Some(c.clone()),
            )
        })
        .collect();
    let done = report(Operation::ApplyParity, rows);
    let seller_own = code("mine", "SUMMER", Discount::Percent(10));
    let now = store(&[
        ("a", vec![made[0].clone(), made[2].clone(), seller_own]),
        ("cheap", vec![made[1].clone(), made[3].clone()]),
    ]);
    let undo = plan_undo(&done, &now, NOW);
    let deleted: Vec<&str> = undo
        .steps
        .iter()
        .map(|s| match &s.action {
            Action::Delete { offer_code } => offer_code.id.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(deleted, ["n0", "n1", "n2", "n3"]);
    assert_eq!(undo.intent["undoOf"]["operation"], "applyParity");
}

#[test]
fn removing_by_prefix_deletes_only_parity_codes_and_universal_ones_once() {
    let pct = Discount::Percent;
    let shared = universal("u1", "PPP-IN", pct(60));
    let snap = store(&[
        (
            "a",
            vec![
                code("c1", "PPP40", pct(40)),
                code("c2", "ppp-br", pct(40)),
                code("c3", "PPPSALE", pct(20)),
                code("c4", "PPP2025", pct(20)),
                code("c5", "SUMMER", pct(10)),
                shared.clone(),
            ],
        ),
        ("cheap", vec![code("c6", "PPP60", pct(50)), shared.clone()]),
    ]);
    let plan = plan_remove_parity(
        &RemoveParityIntent {
            prefix: " PPP ".into(),
            product_ids: strings(&["a", "cheap", "yen"]),
        },
        &snap,
        NOW,
    )
    .unwrap();
    assert_eq!(plan.operation, Operation::RemoveParity);
    let got: Vec<(usize, &str, &str, String)> = plan
        .steps
        .iter()
        .map(|s| {
            (
                s.index,
                s.product_id.as_str(),
                s.action.kind(),
                match &s.action {
                    Action::Delete { offer_code } => offer_code.id.as_str().to_owned(),
                    _ => String::new(),
                },
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (0, "a", "delete", "c1".into()),
            (1, "a", "delete", "c2".into()),
            (2, "a", "delete", "u1".into()),
            (3, "cheap", "delete", "c6".into()),
            (4, "yen", "skip", String::new()),
        ]
    );
    assert!(plan.notes[0].starts_with("Deletes 4 parity codes from 2 products"));
    assert_eq!(
        plan.intent,
        json!({"prefix": "PPP", "productIds": ["a", "cheap", "yen"]})
    );

    // Every product: products without parity codes get no step.
    let all = plan_remove_parity(
        &RemoveParityIntent {
            prefix: "PPP".into(),
            product_ids: vec![],
        },
        &snap,
        NOW,
    )
    .unwrap();
    assert_eq!(all.steps.len(), 4);

    // Re-planned after one delete went through unseen: verified, the rest still deletes.
    let fresh = store(&[("a", vec![code("c2", "ppp-br", pct(40)), shared])]);
    let again = replan_steps(&plan, &[0, 1], &fresh, NOW).unwrap();
    assert_eq!(again.steps[0].action.kind(), "verified");
    assert_eq!(again.steps[1].action.kind(), "delete");

    let error = plan_remove_parity(
        &RemoveParityIntent {
            prefix: "".into(),
            product_ids: vec![],
        },
        &snap,
        NOW,
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
}

#[test]
fn the_plan_crosses_to_js_with_its_operation_and_applies() {
    let plan = plan_apply_parity(
        &intent(tier_codes(), MinimumPolicy::Skip, &["a"]),
        &store(&[]),
        NOW,
    )
    .unwrap();
    let value: Value = serde_json::to_value(&plan).unwrap();
    assert_eq!(value["operation"], "applyParity");
    assert_eq!(value["intent"]["onMinimum"], "skip");
    assert_eq!(value["intent"]["mode"], "perTier");
    assert_eq!(value["intent"]["applies"][1]["steps"], json!([1]));
    assert_eq!(value["intent"]["applies"][1]["intent"]["code"], "PPP60");
    let back: Plan = serde_json::from_value(value).unwrap();
    assert_eq!(back, plan);
}

#[test]
fn intents_pass_the_engines_validation() {
    let codes = parity_codes(&[row("IN", Some(40))], CodeMode::PerTier, "Ñandú_").unwrap();
    let intent = apply_intent(
        &codes[0],
        34,
        vec!["a".into(), "b".into()],
        OnConflict::Skip,
    );
    let valid = intent.validate().unwrap();
    assert_eq!(valid.code.name, "Ñandú_40");
    assert_eq!(valid.code.discount, Discount::Percent(34));
    assert!(!valid.code.universal);
    assert_eq!(valid.product_ids.len(), 2);
}
