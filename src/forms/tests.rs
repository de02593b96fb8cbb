//! Table tests of every form: amounts per currency, refusals, and the intents built.

use super::*;
use crate::ErrorKind;

#[test]
fn hundredths_read_as_str_parse_reads_them() {
    let mut wholes: Vec<String> = (0..=1200).map(|n| n.to_string()).collect();
    wholes.extend(["", "0", "007", "90071992547409"].map(str::to_owned));
    let fractions: Vec<String> = (0..100)
        .map(|n| format!("{n:02}"))
        .chain((0..10).map(|n| n.to_string()))
        .collect();
    for whole in &wholes {
        for fraction in &fractions {
            let text = format!("{}.{fraction}", if whole.is_empty() { "0" } else { whole });
            let expected: f64 = text.parse().unwrap();
            let exact = whole.len() < 14 || text.as_str() <= "90071992547409.92";
            if exact {
                assert_eq!(hundredths_as_f64(whole, fraction), Some(expected), "{text}");
            }
        }
    }
    // Past 2^53 hundredths: within one unit in the last place.
    for text in [
        "90071992547409.93",
        "123456789012345678901.5",
        "99999999999999999999.99",
    ] {
        let (whole, fraction) = text.split_once('.').unwrap();
        let expected: f64 = text.parse().unwrap();
        let read = hundredths_as_f64(whole, fraction).unwrap();
        assert!(
            (read - expected).abs() <= expected * f64::EPSILON,
            "{text}: {read}"
        );
    }
}

/// Each row's form is refused as invalid input, with a message containing its text.
fn assert_refused<F: std::fmt::Debug, T: std::fmt::Debug>(
    rows: &[(F, &str)],
    intent: impl Fn(&F) -> Result<T, Error>,
) {
    for (input, want) in rows {
        let error = intent(input).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(
            error.message().contains(want),
            "{input:?}: {}",
            error.message()
        );
    }
}

fn form(amount: &str, kind: &str) -> ApplyCodeForm {
    ApplyCodeForm {
        code: "SPRING".into(),
        amount: amount.into(),
        kind: kind.into(),
        currency: Some("usd".into()),
        product_ids: vec!["p1".into()],
        on_conflict: "skip".into(),
        ..ApplyCodeForm::default()
    }
}

#[test]
fn amounts_become_percent_or_minor_units() {
    let rows: &[(&str, &str, Value)] = &[
        ("25", "percent", json!({"percent": 25})),
        (" 25 % ", "percent", json!({"percent": 25})),
        ("150", "percent", json!({"percent": 150})),
        ("5", "fixed", json!({"fixed": {"cents": 500}})),
        ("4.99", "fixed", json!({"fixed": {"cents": 499}})),
    ];
    for (amount, kind, want) in rows {
        let intent = apply_code_intent(&form(amount, kind)).unwrap();
        assert_eq!(&intent["discount"], want, "{amount} {kind}");
    }
}

#[test]
fn typed_values_a_seller_could_mean_two_ways_are_refused() {
    let rows: &[(ApplyCodeForm, &str)] = &[
        (form("12.5", "percent"), "whole numbers"),
        (form("", "percent"), "how many percent"),
        (form("-5", "percent"), "positive"),
        (form("ten", "percent"), "whole numbers"),
        (form("4.999", "fixed"), "at most 2 decimals"),
        (
            ApplyCodeForm {
                currency: None,
                ..form("5", "fixed")
            },
            "currency",
        ),
        (
            ApplyCodeForm {
                max_uses: "0".into(),
                ..form("5", "percent")
            },
            "Max uses",
        ),
        (
            ApplyCodeForm {
                max_uses: "2.5".into(),
                ..form("5", "percent")
            },
            "Max uses",
        ),
        (
            ApplyCodeForm {
                minimum_amount: "abc".into(),
                minimum_currency: Some("usd".into()),
                ..form("5", "percent")
            },
            "as a number",
        ),
        (
            ApplyCodeForm {
                product_ids: vec![],
                ..form("5", "percent")
            },
            "Select at least one product",
        ),
    ];
    assert_refused(rows, apply_code_intent);
}

#[test]
fn a_universal_code_needs_no_selection_and_sends_none() {
    let intent = apply_code_intent(&ApplyCodeForm {
        universal: true,
        product_ids: vec![],
        ..form("10", "percent")
    })
    .unwrap();
    assert_eq!(intent["productIds"], json!([]));
    assert_eq!(intent["universal"], json!(true));
}

#[test]
fn optional_fields_stay_null_when_empty() {
    let intent = apply_code_intent(&form("10", "percent")).unwrap();
    assert_eq!(intent["maxPurchaseCount"], Value::Null);
    assert_eq!(intent["minimumAmountCents"], Value::Null);
    let limited = apply_code_intent(&ApplyCodeForm {
        max_uses: "5".into(),
        minimum_amount: "20".into(),
        minimum_currency: Some("usd".into()),
        ..form("10", "percent")
    })
    .unwrap();
    assert_eq!(limited["maxPurchaseCount"], json!(5));
    assert_eq!(limited["minimumAmountCents"], json!(2000));
}

fn price_form(mode: &str, amount: &str) -> PriceChangeForm {
    PriceChangeForm {
        mode: mode.into(),
        amount: amount.into(),
        currency: Some("usd".into()),
        rounding: "charm99".into(),
        allow_free: false,
        on_limit: "clamp".into(),
        options: String::new(),
        product_ids: vec!["p1".into(), "p2".into()],
        separators: Default::default(),
    }
}

#[test]
fn price_forms_become_intents_in_minor_units() {
    let rows: &[(&str, &str, &str, Value)] = &[
        ("percent", "10", "usd", json!({"percent": 10})),
        ("percent", " +10 % ", "usd", json!({"percent": 10})),
        ("percent", "-15", "usd", json!({"percent": -15})),
        ("percent", "−15", "usd", json!({"percent": -15})),
        ("percent", "12.5", "usd", json!({"percent": 12.5})),
        ("percent", "-0.25%", "usd", json!({"percent": -0.25})),
        ("percent", "10.0", "usd", json!({"percent": 10})),
        ("percent", "5000", "usd", json!({"percent": 5000})),
        (
            "amount",
            "5",
            "usd",
            json!({"amount": {"delta": 500, "currency": "usd"}}),
        ),
        (
            "amount",
            "+4.99",
            "usd",
            json!({"amount": {"delta": 499, "currency": "usd"}}),
        ),
        (
            "amount",
            "- 2.50",
            "eur",
            json!({"amount": {"delta": -250, "currency": "eur"}}),
        ),
        (
            "amount",
            "−500",
            "jpy",
            json!({"amount": {"delta": -500, "currency": "jpy"}}),
        ),
        (
            "set",
            "9.99",
            "usd",
            json!({"set": {"amount": 999, "currency": "usd"}}),
        ),
        (
            "set",
            "$1,250",
            "usd",
            json!({"set": {"amount": 125000, "currency": "usd"}}),
        ),
        (
            "set",
            "1500",
            "jpy",
            json!({"set": {"amount": 1500, "currency": "jpy"}}),
        ),
        (
            "set",
            "0",
            "usd",
            json!({"set": {"amount": 0, "currency": "usd"}}),
        ),
    ];
    for (mode, amount, currency, want) in rows {
        let form = PriceChangeForm {
            currency: Some((*currency).into()),
            ..price_form(mode, amount)
        };
        let intent = serde_json::to_value(price_change_intent(&form).unwrap()).unwrap();
        assert_eq!(&intent["change"], want, "{mode} {amount}");
        assert_eq!(intent["rounding"], "charm99");
        assert_eq!(intent["onLimit"], "clamp");
        assert_eq!(intent["allowFree"], false);
        assert_eq!(intent["productIds"], json!(["p1", "p2"]));
    }
    let defaults = serde_json::to_value(
        price_change_intent(&PriceChangeForm {
            rounding: String::new(),
            on_limit: String::new(),
            ..price_form("percent", "10")
        })
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (defaults["rounding"].as_str(), defaults["onLimit"].as_str()),
        (Some("none"), Some("skip"))
    );
    // Options keep their differences unless "scale" is chosen.
    assert!(defaults.get("options").is_none());
    for (choice, want) in [("scale", Some("scale")), ("keep", None), ("", None)] {
        let intent = price_change_intent(&PriceChangeForm {
            options: choice.into(),
            ..price_form("percent", "10")
        })
        .unwrap();
        let json = serde_json::to_value(&intent).unwrap();
        assert_eq!(json.get("options").and_then(|o| o.as_str()), want, "{choice:?}");
    }
}

#[test]
fn a_percent_takes_a_decimal_comma_in_every_locale() {
    for separators in [Separators::point(), Separators::comma()] {
        for (typed, want) in [
            ("12,5", json!(12.5)),
            ("-0,25 %", json!(-0.25)),
            ("+10,0", json!(10)),
            ("12.5", json!(12.5)),
        ] {
            let form = PriceChangeForm {
                separators: separators.clone(),
                ..price_form("percent", typed)
            };
            let intent = serde_json::to_value(price_change_intent(&form).unwrap()).unwrap();
            assert_eq!(
                intent["change"]["percent"], want,
                "{typed} with {separators:?}"
            );
        }
    }
    let comma = PriceChangeForm {
        separators: Separators::comma(),
        ..price_form("percent", "12,345")
    };
    let refused = price_change_intent(&comma).unwrap_err();
    assert!(
        refused.message().contains("like 10, -15 or 12,5"),
        "{}",
        refused.message()
    );
}

#[test]
fn price_forms_a_seller_could_mean_two_ways_are_refused() {
    let rows: &[(PriceChangeForm, &str)] = &[
        (price_form("percent", ""), "how many percent"),
        (price_form("percent", "ten"), "as a number"),
        (price_form("percent", "1.234"), "two decimals"),
        (price_form("percent", "1.2.3"), "as a number"),
        // One mark is a decimal mark in a percent: three digits after it are no percent.
        (price_form("percent", "1,000"), "no thousands separator"),
        (price_form("percent", "1.000,5"), "as a number"),
        (price_form("amount", "4.999"), "at most 2 decimals"),
        (price_form("amount", ""), "Enter the amount"),
        (
            PriceChangeForm {
                currency: Some("jpy".into()),
                ..price_form("amount", "5.5")
            },
            "no decimals",
        ),
        (
            PriceChangeForm {
                currency: None,
                ..price_form("set", "5")
            },
            "currency",
        ),
        (price_form("set", "-5"), "cannot be negative"),
        (price_form("set", ""), "new price"),
        (price_form("double", "5"), "Unknown kind"),
        (
            PriceChangeForm {
                rounding: "up".into(),
                ..price_form("percent", "5")
            },
            "Unknown rounding",
        ),
        (
            PriceChangeForm {
                product_ids: vec![],
                ..price_form("percent", "5")
            },
            "Select the products",
        ),
    ];
    assert_refused(rows, price_change_intent);
}

#[test]
fn removing_needs_a_selection_or_every_product() {
    let none = RemoveCodeForm {
        code: "X".into(),
        ..RemoveCodeForm::default()
    };
    assert_eq!(
        remove_code_intent(&none).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    let all = RemoveCodeForm {
        everywhere: true,
        product_ids: vec!["p".into()],
        ..none.clone()
    };
    assert_eq!(remove_code_intent(&all).unwrap()["productIds"], json!([]));
}

fn parity_form(value: serde_json::Value) -> ParityForm {
    let mut base = json!({"settings": {}, "overrides": {"IN": 40, "CN": "excluded"},
        "mode": "perTier", "prefix": "PPP", "onMinimum": "clamp", "productIds": ["p1"]});
    for (k, v) in value.as_object().unwrap() {
        base[k] = v.clone();
    }
    serde_json::from_value(base).unwrap()
}

#[test]
fn parity_form_becomes_an_intent_with_the_table_codes() {
    let intent = parity_intent(&parity_form(json!({}))).unwrap();
    assert_eq!(intent.mode, CodeMode::PerTier);
    assert_eq!(intent.on_minimum, MinimumPolicy::Clamp);
    assert_eq!(intent.on_conflict, OnConflict::Skip);
    assert_eq!(intent.product_ids, ["p1"]);
    let forty = intent.codes.iter().find(|c| c.code == "PPP40").unwrap();
    assert!(forty.countries.contains(&"IN".to_owned()));
    assert!(intent
        .codes
        .iter()
        .all(|c| !c.countries.contains(&"CN".to_owned())));

    let intent = parity_intent(&parity_form(
        json!({"mode": "perCountry", "onMinimum": "skip", "onConflict": "replace", "prefix": " PPP- "}),
    ))
    .unwrap();
    assert_eq!(
        (
            intent.mode,
            intent.on_minimum,
            intent.on_conflict,
            intent.prefix.as_str()
        ),
        (
            CodeMode::PerCountry,
            MinimumPolicy::Skip,
            OnConflict::Replace,
            "PPP-"
        )
    );
    assert!(intent
        .codes
        .iter()
        .any(|c| c.code == "PPP-IN" && c.percent == 40));
}

#[test]
fn parity_forms_that_are_refused() {
    let rows: &[(serde_json::Value, &str)] = &[
        (json!({"productIds": []}), "Select the products"),
        (json!({"productIds": [" "]}), "Select the products"),
        (json!({"prefix": ""}), "Enter a prefix"),
        (json!({"prefix": "PP P"}), "has a space"),
        (json!({"prefix": "SALE1"}), "ends in a digit"),
        (json!({"mode": "perRegion"}), "Unknown kind of parity codes"),
        (
            json!({"onMinimum": "round"}),
            "Unknown choice for the currency minimum",
        ),
        (
            json!({"settings": {"threshold": 0.0001}, "overrides": {}}),
            "No country has a discount",
        ),
        (json!({"settings": {"capPercent": 0}}), "largest discount"),
    ];
    for (value, want) in rows {
        let error = parity_intent(&parity_form(value.clone())).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{value}");
        assert!(
            error.message().contains(want),
            "{value}: {}",
            error.message()
        );
    }
    // The map needs no selection.
    assert!(parity_codes_of(&parity_form(json!({"productIds": []}))).is_ok());

    let remove = |value: serde_json::Value| -> Result<RemoveParityIntent, Error> {
        remove_parity_intent(&serde_json::from_value(value).unwrap())
    };
    let intent = remove(json!({"prefix": " PPP ", "productIds": []})).unwrap();
    assert_eq!(
        (intent.prefix.as_str(), intent.product_ids.len()),
        ("PPP", 0)
    );
    for bad in ["", "P!P"] {
        let error = remove(json!({"prefix": bad})).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{bad}");
    }
}

/// A form as the page sends it, with the locale's separators.
fn sent<T: serde::de::DeserializeOwned>(fields: Value) -> T {
    serde_json::from_value(fields).unwrap()
}

#[test]
fn amounts_are_read_with_the_locales_decimal_comma() {
    let comma = json!({"decimal": ",", "group": "."});
    let fixed: ApplyCodeForm = sent(json!({"code": "SPRING", "amount": "4,99", "type": "fixed",
        "currency": "eur", "productIds": ["a"], "separators": comma}));
    assert_eq!(
        apply_code_intent(&fixed).unwrap()["discount"]["fixed"]["cents"],
        json!(499)
    );
    let minimum: ApplyCodeForm = sent(json!({"code": "SPRING", "amount": "10", "type": "percent",
        "minimumAmount": "2,50", "minimumCurrency": "eur", "productIds": ["a"], "separators": comma}));
    assert_eq!(
        apply_code_intent(&minimum).unwrap()["minimumAmountCents"],
        json!(250)
    );
    let delta: PriceChangeForm = sent(
        json!({"mode": "amount", "amount": "+0,50", "currency": "eur",
        "productIds": ["a"], "separators": comma}),
    );
    assert_eq!(
        serde_json::to_value(price_change_intent(&delta).unwrap().change).unwrap(),
        json!({"amount": {"delta": 50, "currency": "eur"}})
    );
}

#[test]
fn amounts_that_read_two_ways_are_refused_with_both_readings() {
    let rows = [
        (",", ".", "1,000", "€1,000 or €1"),
        (".", ",", "1.000", "€1,000 or €1"),
    ];
    for (decimal, group, typed, readings) in rows {
        let form: PriceChangeForm = sent(json!({"mode": "set", "amount": typed, "currency": "eur",
            "productIds": ["a"], "separators": {"decimal": decimal, "group": group}}));
        let error = price_change_intent(&form).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(
            error.message().contains(readings),
            "{typed}: {}",
            error.message()
        );
    }
}

#[test]
fn a_minimum_order_is_read_in_its_own_currency() {
    let yen: ApplyCodeForm = sent(json!({"code": "SPRING", "amount": "10", "type": "percent",
        "minimumAmount": "2000", "minimumCurrency": "jpy", "productIds": ["a"]}));
    let intent = apply_code_intent(&yen).unwrap();
    assert_eq!(intent["minimumAmountCents"], json!(2000));
    assert_eq!(intent["minimumCurrency"], json!("jpy"));
    let decimals: ApplyCodeForm = sent(json!({"code": "SPRING", "amount": "10", "type": "percent",
        "minimumAmount": "4.99", "minimumCurrency": "jpy", "productIds": ["a"]}));
    assert!(apply_code_intent(&decimals)
        .unwrap_err()
        .message()
        .contains("JPY amounts have no decimals"));
    let unsaid: ApplyCodeForm = sent(json!({"code": "SPRING", "amount": "10", "type": "percent",
        "minimumAmount": "20", "productIds": ["a"]}));
    assert!(apply_code_intent(&unsaid)
        .unwrap_err()
        .message()
        .contains("currency of the minimum order"));
}

#[test]
fn the_unique_codes_form_reads_counts_with_group_separators_and_defaults_to_single_use() {
    let form = |count: &str, max_uses: &str, separators: Separators| CreateCodesForm {
        prefix: "LAUNCH".into(),
        count: count.into(),
        amount: "100".into(),
        kind: "percent".into(),
        max_uses: max_uses.into(),
        product_id: Some("p1".into()),
        separators,
        ..CreateCodesForm::default()
    };
    let intent = create_codes_intent(&form("2,000", "", Separators::point())).unwrap();
    assert_eq!(
        intent,
        json!({"prefix": "LAUNCH", "count": 2000, "discount": {"percent": 100}, "currency": null,
            "maxPurchaseCount": 1, "universal": false, "productId": "p1"})
    );
    let intent = create_codes_intent(&form("2.000", "3", Separators::comma())).unwrap();
    assert_eq!((intent["count"].as_u64(), intent["maxPurchaseCount"].as_u64()), (Some(2000), Some(3)));
    for (count, max_uses, message) in [
        ("", "", "Enter how many codes to make, as a whole number (up to 10,000)."),
        ("2.5", "", "Enter how many codes to make, as a whole number (up to 10,000)."),
        ("-4", "", "Enter how many codes to make, as a whole number (up to 10,000)."),
        ("10", "0", "Uses per code must be a whole number of at least 1 (empty for single use)."),
    ] {
        let error = create_codes_intent(&form(count, max_uses, Separators::point())).unwrap_err();
        assert_eq!(error.message(), message, "{count:?} {max_uses:?}");
    }
}
