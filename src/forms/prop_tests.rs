//! Property tests of everything a seller can type: every form reader (apply and remove a
//! code, change prices, parity codes and their removal), `money::parse_amount` under both
//! separator conventions and any other, and the parity table import. Whatever the input,
//! nothing panics, a refusal is an `InvalidInput` with a short one-line message, and an
//! accepted amount reads back the same from its formatted price. The intents the forms
//! accept go through the planners' own validation too, with the same guarantees.
//!
//! The runs are seeded (the same cases on every machine) and write no regression files.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use super::*;
use crate::bulk::{ApplyCodeIntent, RemoveCodeIntent};
use crate::error::ErrorKind;
use crate::money::{format_price, CURRENCIES};
use crate::parity::{import_csv, ImportProblem};

/// The longest refusal a form may give: a sentence or two, never a page.
const SHORT: usize = 240;

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x7479_7065_645f_696e),
        ..Config::default()
    }
}

/// A refusal a seller can read in one line.
fn assert_short_refusal(error: &Error, input: &dyn std::fmt::Debug) {
    assert_eq!(
        error.kind(),
        ErrorKind::InvalidInput,
        "{input:?}: {error:?}"
    );
    let message = error.message();
    assert!(!message.trim().is_empty(), "{input:?}: empty message");
    assert!(!message.contains(['\n', '\r']), "{input:?}: {message:?}");
    assert!(message.chars().count() <= SHORT, "{input:?}: {message:?}");
}

/// Text made mostly of what amounts are made of, with some of everything else.
fn typed() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "0", "1", "2", "4", "5", "9", "99", "000", ".", ",", " ", "+", "-", "−", "%", "$", "€",
        "¥", "CHF ", "\u{a0}", "\u{202f}", "'", "’", "e", "x", "\n", "١", "é",
    ]);
    prop_oneof![
        4 => prop::collection::vec(pieces, 0..12).prop_map(|p| p.concat()),
        1 => any::<String>(),
        1 => "[0-9]{1,20}".prop_map(String::from),
        1 => ".{200,400}".prop_map(String::from),
    ]
}

fn currency() -> impl Strategy<Value = Option<String>> {
    let mut codes: Vec<String> = CURRENCIES.iter().map(|c| c.code.to_owned()).collect();
    codes.extend(["JPY", " eur ", "xyz", ""].map(str::to_owned));
    prop_oneof![
        4 => prop::sample::select(codes).prop_map(Some),
        1 => Just(None),
        1 => any::<String>().prop_map(Some),
        1 => ".{200,400}".prop_map(Some),
    ]
}

fn separators() -> impl Strategy<Value = Separators> {
    prop_oneof![
        2 => Just(Separators::point()),
        2 => Just(Separators::comma()),
        1 => Just(Separators::default()),
        1 => (".{0,3}", ".{0,3}").prop_map(|(decimal, group)| Separators { decimal, group }),
        1 => prop::sample::select(vec![" ", "\u{a0}", "\u{202f}", "'", "’"])
            .prop_map(|group| Separators { decimal: ",".into(), group: group.into() }),
    ]
}

fn choice(known: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(known.to_vec()).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => ".{200,400}".prop_map(String::from),
    ]
}

fn ids() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop_oneof![Just("p1".to_owned()), any::<String>()], 0..3)
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn amounts_never_panic_and_read_back_from_their_formatted_price(
        text in typed(), code in currency(), separators in separators(),
    ) {
        let code = code.unwrap_or_default();
        match parse_amount(&text, &code, &separators) {
            Ok(minor) => {
                prop_assert!(minor >= 0);
                let formatted = format_price(minor, &code);
                let again = parse_amount(&formatted, &code, &Separators::point());
                prop_assert_eq!(again, Ok(minor), "{:?} read as {} ({})", text, minor, formatted);
            }
            Err(error) => assert_short_refusal(&error, &(&text, &code, &separators)),
        }
    }

    #[test]
    fn apply_code_forms_never_panic(
        code in choice(&["SPRING", "ÉTÉ-2025", "NO SPACES", ""]),
        amount in typed(),
        kind in choice(&["percent", "fixed", ""]),
        currency in currency(),
        max_uses in choice(&["", "5", "0", "-1", "99999999999"]),
        minimum_amount in typed(),
        minimum_currency in currency(),
        universal in any::<bool>(),
        product_ids in ids(),
        on_conflict in choice(&["skip", "replace"]),
        separators in separators(),
    ) {
        let form = ApplyCodeForm {
            code, amount, kind, currency, max_uses, minimum_amount, minimum_currency,
            universal, product_ids, on_conflict, separators,
        };
        match apply_code_intent(&form) {
            Ok(intent) => {
                let intent: ApplyCodeIntent = serde_json::from_value(intent)
                    .expect("the form's intent is what the planner reads");
                if let Err(error) = intent.validate() {
                    assert_short_refusal(&error, &form);
                }
            }
            Err(error) => assert_short_refusal(&error, &form),
        }
    }

    #[test]
    fn remove_code_forms_never_panic(
        code in choice(&["SPRING", "", "a b"]), product_ids in ids(), everywhere in any::<bool>(),
    ) {
        let form = RemoveCodeForm { code, product_ids, everywhere };
        match remove_code_intent(&form) {
            Ok(intent) => {
                let intent: RemoveCodeIntent = serde_json::from_value(intent)
                    .expect("the form's intent is what the planner reads");
                if let Err(error) = intent.validate() {
                    assert_short_refusal(&error, &form);
                }
            }
            Err(error) => assert_short_refusal(&error, &form),
        }
    }

    #[test]
    fn price_change_forms_never_panic(
        mode in choice(&["percent", "amount", "set"]),
        amount in typed(),
        currency in currency(),
        rounding in choice(&["none", "whole", "charm99", "charm49or99", ""]),
        allow_free in any::<bool>(),
        on_limit in choice(&["clamp", "skip"]),
        product_ids in ids(),
        separators in separators(),
    ) {
        let form = PriceChangeForm {
            mode, amount, currency, rounding, allow_free, on_limit, product_ids, separators,
            options: String::new(),
        };
        match price_change_intent(&form) {
            Ok(intent) => {
                if let Err(error) = intent.validate() {
                    assert_short_refusal(&error, &form);
                }
            }
            Err(error) => assert_short_refusal(&error, &form),
        }
    }

    #[test]
    fn parity_forms_never_panic(
        mode in choice(&["perTier", "perCountry", ""]),
        prefix in choice(&["PPP", "PPP-", "", "a b"]),
        on_minimum in choice(&["clamp", "skip", ""]),
        on_conflict in choice(&["skip", "replace"]),
        product_ids in ids(),
        threshold in prop_oneof![Just(0.8), any::<f64>()],
        cap_percent in any::<u8>(),
        floor_percent in any::<u8>(),
        step_percent in any::<u8>(),
    ) {
        let settings = Settings { threshold, cap_percent, floor_percent, step_percent };
        let form = ParityForm {
            settings, overrides: Overrides::new(), mode, prefix: prefix.clone(), on_minimum,
            on_conflict, product_ids: product_ids.clone(),
        };
        if let Err(error) = parity_intent(&form) {
            assert_short_refusal(&error, &form);
        }
        let remove = RemoveParityForm { prefix, product_ids };
        if let Err(error) = remove_parity_intent(&remove) {
            assert_short_refusal(&error, &remove);
        }
    }

    #[test]
    fn parity_imports_never_panic_and_list_few_short_problems(
        lines in prop::collection::vec(
            prop_oneof![
                3 => (prop::sample::select(vec!["IN", "in", "CN", "XX", "", "\"BR\""]), typed())
                    .prop_map(|(code, percent)| format!("{code},{percent}")),
                1 => any::<String>(),
            ],
            0..40,
        ),
        header in prop_oneof![
            3 => Just("country_code,your_percent".to_owned()),
            1 => any::<String>(),
        ],
        crlf in any::<bool>(),
    ) {
        let file = std::iter::once(header).chain(lines).collect::<Vec<_>>()
            .join(if crlf { "\r\n" } else { "\n" });
        if let Err(problems) = import_csv(&file) {
            prop_assert!(!problems.is_empty());
            prop_assert!(problems.len() <= crate::parity::table_csv::MAX_PROBLEMS + 1);
            for problem in &problems {
                let line = problem.to_string();
                prop_assert!(!line.contains(['\n', '\r']), "{:?}", line);
                prop_assert!(line.chars().count() <= SHORT, "{:?}", line);
            }
            assert_short_refusal(&ImportProblem::as_error(&problems), &file);
        }
    }
}
