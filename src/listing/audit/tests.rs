//! The audit's rules, one table row per case (inputs → finding ids), the scoring of each
//! part, Discover eligibility, the whole audit's filter and notes, and the CSV.

use serde_json::{json, Value};

use super::*;
use crate::model::Quartiles;

const DESCRIPTION: &str = "<p>Forty lettering brushes for Procreate, made for hand lettering \
    on the iPad: monoline, brush pen, chalk and ink, each tuned for pressure and tilt.</p>\
    <ul><li>40 brushes in one .brushset file</li><li>A practice sheet for each style</li>\
    <li>A video on installing and using them</li></ul><p>Works with Procreate 5 and later. \
    Made by a lettering artist with ten years of workshops behind her.</p>";

/// A product that breaks no rule; `patch` changes or adds fields (null removes one).
fn product(patch: Value) -> Product {
    let mut base = json!({
        "id": "p1", "name": "Procreate lettering brushes: 40 brushes for the iPad",
        "price": 1500, "currency": "usd", "formatted_price": "$15", "published": true,
        "description": DESCRIPTION,
        "custom_summary": "Forty lettering brushes for Procreate, with practice sheets.",
        "tags": ["procreate", "lettering", "brushes"],
        "taxonomy_id": 7, "category": "design/illustration/procreate", "category_label": "Procreate",
        "covers": [{"id": "c1", "url": "https://x/c1.png", "type": "image", "width": 1600, "height": 900}],
        "main_cover_id": "c1", "thumbnail_url": "https://x/t.png",
        "sales_count": 10, "display_product_reviews": true,
    });
    for (key, value) in patch.as_object().unwrap() {
        if value.is_null() {
            base.as_object_mut().unwrap().remove(key);
        } else {
            base[key] = value.clone();
        }
    }
    serde_json::from_value(base).unwrap()
}

fn categories() -> Vec<Category> {
    serde_json::from_value(json!([
        {"id": 7, "name": "procreate", "label": "Procreate", "path": "design/illustration/procreate"},
        {"id": 8, "name": "figma", "label": "Figma UI kits", "path": "design/ui-and-web/figma"},
    ]))
    .unwrap()
}

fn comps(p25: Option<i64>, p75: Option<i64>) -> Comps {
    Comps {
        count: 42,
        currency: "usd".into(),
        price_cents: Quartiles {
            p25,
            p50: p25.zip(p75).map(|(a, b)| (a + b) / 2),
            p75,
        },
    }
}

fn ids(row: &AuditRow) -> Vec<&str> {
    row.findings.iter().map(|f| f.id.as_ref()).collect()
}

fn audit_one(patch: Value) -> AuditRow {
    let cats = categories();
    audit_product(
        &product(patch),
        Some(&comps(Some(1000), Some(2000))),
        Some(&cats),
    )
}

#[test]
fn a_listing_that_follows_every_rule_has_no_finding_and_scores_at_the_top() {
    let row = audit_one(json!({}));
    assert_eq!(ids(&row), Vec::<&str>::new(), "{:#?}", row.findings);
    assert_eq!(
        row.score, 98,
        "sales of 10 score 80 × 0.6 + 40: {:?}",
        row.parts
    );
    assert_eq!((&*row.band, &*row.band_label), ("good", "Good"));
    assert_eq!(row.discover.eligible, Some(true));
    let row = audit_one(json!({"sales_count": 100}));
    assert_eq!(row.score, 100);
}

#[test]
fn each_rule_finds_what_breaks_it() {
    let long_plain = "word ".repeat(80);
    let rows: Vec<(Value, &[&str])> = vec![
        (json!({"published": false}), &["unpublished"]),
        (
            json!({"taxonomy_id": null, "category": null, "category_label": null}),
            &["no-category"],
        ),
        (json!({"name": "  "}), &["name-missing"]),
        (json!({"name": "x".repeat(256)}), &["name-too-long"]),
        (
            json!({"name": "PROCREATE LETTERING BRUSHES"}),
            &["name-shouting"],
        ),
        (json!({"name": "SEO guide for Procreate shops"}), &[]),
        (
            json!({"name": "The lettering brushes for Procreate"}),
            &["name-filler-first"],
        ),
        (
            json!({"name": "Ultimate procreate brushes"}),
            &["name-filler-first"],
        ),
        (json!({"name": "Theory of procreate brushes"}), &[]),
        (
            json!({"name": "Forty hand-made pieces, tuned over ten years, for procreate"}),
            &["name-key-words-late"],
        ),
        (
            json!({"name": "Forty hand-made pieces, tuned over years"}),
            &[],
        ),
        (json!({"tags": []}), &["no-tags"]),
        (json!({"tags": ["procreate", "#art"]}), &["tag-hash"]),
        (json!({"tags": ["procreate", "a"]}), &["tag-too-short"]),
        (
            json!({"tags": ["procreate", "twenty-one-characters"]}),
            &["tag-too-long"],
        ),
        (json!({"tags": ["procreate", "art,design"]}), &["tag-comma"]),
        (
            json!({"tags": ["aa", "bb", "cc", "dd", "ee", "ff"]}),
            &["too-many-tags"],
        ),
        (json!({"description": null}), &["description-missing"]),
        (
            json!({"description": "<p>Forty brushes.</p>"}),
            &["description-short"],
        ),
        (
            json!({"description": long_plain}),
            &["description-no-structure"],
        ),
        (
            json!({"description": format!("<p>Hi there! {long_plain}</p><p>More.</p>")}),
            &["opening-generic"],
        ),
        (
            json!({"description": format!("<p>History {long_plain}</p><p>x</p>")}),
            &[],
        ),
        (
            json!({"custom_summary": "x".repeat(161)}),
            &["summary-too-long"],
        ),
        (json!({"custom_summary": null}), &[]),
        (
            json!({"custom_summary": null, "description": "<p>Forty brushes.</p>"}),
            &["description-short", "summary-missing"],
        ),
        (json!({"covers": [], "main_cover_id": null}), &["no-cover"]),
        (json!({"thumbnail_url": null}), &["no-thumbnail"]),
        (
            json!({"covers": [{"id": "c1", "type": "image", "width": "800", "height": 600}]}),
            &["cover-small"],
        ),
        (
            json!({"covers": [{"id": "c1", "type": "video", "width": 640, "height": 360}]}),
            &[],
        ),
        (
            json!({"price": 500, "formatted_price": "$5"}),
            &["price-below-comps"],
        ),
        (
            json!({"price": 9000, "formatted_price": "$90"}),
            &["price-above-comps"],
        ),
        (
            json!({"price": 0, "formatted_price": "$0"}),
            &["price-not-compared"],
        ),
        (
            json!({"is_tiered_membership": true}),
            &["price-not-compared"],
        ),
        (json!({"sales_count": 0}), &["no-sales"]),
        (json!({"sales_count": null}), &["sales-unknown"]),
        (
            json!({"display_product_reviews": false}),
            &["reviews-hidden"],
        ),
        (
            json!({"display_product_reviews": null}),
            &["reviews-unknown"],
        ),
    ];
    for (patch, want) in rows {
        let row = audit_one(patch.clone());
        assert_eq!(ids(&row), want, "{patch}: {:#?}", row.findings);
        for finding in &row.findings {
            assert!(
                !finding.rule.is_empty() && !finding.message.is_empty() && !finding.fix.is_empty()
            );
        }
    }
}

#[test]
fn messages_name_the_value() {
    let row = audit_one(json!({"tags": ["procreate", "#art"]}));
    assert_eq!(
        row.findings[0].message,
        "The tag \"#art\" starts with #; Gumroad's tags cannot."
    );
    assert!(row.findings[0].fix.contains("Bulkroad's tag edit"));
    let row = audit_one(json!({"name": "The brushes"}));
    assert!(
        row.findings[0].message.contains("\"The\""),
        "{}",
        row.findings[0].message
    );
    let row = audit_one(json!({"price": 500, "formatted_price": "$5"}));
    assert_eq!(
        row.findings[0].message,
        "The price $5 is below the middle half of 42 comparable products ($10–$20)."
    );
    let row =
        audit_one(json!({"covers": [{"id": "c1", "type": "image", "width": 800, "height": 600}]}));
    assert_eq!(row.findings[0].message, "The cover is 800 × 600 pixels.");
}

#[test]
fn without_categories_the_category_is_unknown_not_missing() {
    let bare = product(json!({"taxonomy_id": null, "category": null, "category_label": null}));
    let row = audit_product(&bare, None, None);
    assert_eq!(ids(&row), ["category-unknown"]);
    assert_eq!(row.discover.eligible, None);
    assert_eq!(row.comps, None);
    assert!(row
        .comps_note
        .as_deref()
        .unwrap()
        .contains("category is unknown"));
    // A product that names its category has one, whatever the categories endpoint did.
    let row = audit_product(&product(json!({})), None, None);
    assert_eq!(ids(&row), ["comps-unknown"]);
    assert_eq!(row.category_label.as_deref(), Some("Procreate"));
}

#[test]
fn the_category_label_comes_from_the_taxonomy_id_when_the_product_has_none() {
    let cats = categories();
    let p = product(json!({"taxonomy_id": 8, "category": null, "category_label": null}));
    assert_eq!(
        category_label(&p, Some(&cats)).as_deref(),
        Some("Figma UI kits")
    );
    assert_eq!(
        category_path(&p, Some(&cats)),
        Some("design/ui-and-web/figma")
    );
    // Its key words count: "figma" in the name's first 40 characters is fine, after is late.
    let late = product(
        json!({"taxonomy_id": 8, "category": null, "category_label": null, "tags": ["x1"],
        "name": "A set of forty screens and components, for figma"}),
    );
    let row = audit_product(&late, None, Some(&cats));
    assert!(
        ids(&row).contains(&"name-key-words-late"),
        "{:?}",
        ids(&row)
    );
}

#[test]
fn pricing_scores_inside_full_outside_lower_and_unknown_neutral() {
    let cats = categories();
    let score_at = |price: i64, comps: Option<&Comps>| {
        let row = audit_product(&product(json!({"price": price})), comps, Some(&cats));
        row.parts
            .iter()
            .find(|p| p.id == PartId::Pricing)
            .unwrap()
            .score
    };
    let known = comps(Some(1000), Some(2000));
    let rows = [
        (1000, 100),
        (1500, 100),
        (2000, 100),
        (500, 55),
        (4000, 55),
        (250, 10),
        (100, 10),
        (80_000, 10),
    ];
    for (price, score) in rows {
        assert_eq!(score_at(price, Some(&known)), score, "{price}");
    }
    assert_eq!(score_at(500, None), 50);
    assert_eq!(score_at(500, Some(&comps(None, None))), 50);
    let euros = Comps {
        currency: "eur".into(),
        ..known.clone()
    };
    assert_eq!(
        score_at(500, Some(&euros)),
        50,
        "another currency's prices are not compared"
    );
}

#[test]
fn comparable_prices_are_formatted_in_the_products_currency() {
    let cats = categories();
    let row = audit_product(
        &product(json!({})),
        Some(&comps(Some(999), Some(2500))),
        Some(&cats),
    );
    let summary = row.comps.unwrap();
    assert_eq!(
        (
            summary.count,
            summary.p25.as_deref(),
            summary.p50.as_deref(),
            summary.p75.as_deref()
        ),
        (42, Some("$9.99"), Some("$17.49"), Some("$25"))
    );
    assert_eq!(row.comps_note, None);
}

#[test]
fn social_proof_is_neutral_when_unknown() {
    let rows = [
        (json!({}), 88),
        (json!({"sales_count": 1}), 76),
        (json!({"sales_count": 0}), 40),
        (json!({"sales_count": null}), 70),
        (
            json!({"sales_count": null, "display_product_reviews": null}),
            50,
        ),
        (json!({"display_product_reviews": false}), 48),
    ];
    for (patch, score) in rows {
        let row = audit_one(patch.clone());
        let part = row
            .parts
            .iter()
            .find(|p| p.id == PartId::SocialProof)
            .unwrap();
        assert_eq!(part.score, score, "{patch}");
    }
}

#[test]
fn parts_carry_the_proposals_weights_and_the_score_is_their_weighted_mean() {
    let row = audit_one(json!({"description": null, "covers": [], "thumbnail_url": null}));
    let weights: Vec<(PartId, u32)> = row.parts.iter().map(|p| (p.id, p.weight)).collect();
    assert_eq!(
        weights,
        [
            (PartId::Name, 15),
            (PartId::Description, 30),
            (PartId::Cover, 20),
            (PartId::Pricing, 15),
            (PartId::SocialProof, 20)
        ]
    );
    let scores: Vec<u32> = row.parts.iter().map(|p| p.score).collect();
    // Description: −70 missing −5 no summary… the summary is there, so 30; cover: 0.
    assert_eq!(scores, [100, 30, 0, 100, 88]);
    assert_eq!(
        row.score,
        (15 * 100 + 30 * 30 + 15 * 100 + 20 * 88) / 100 + 1
    );
    assert_eq!((&*row.band, &*row.band_label), ("weak", "Weak"));
    assert_eq!(band(80), ("good", "Good"));
    assert_eq!(band(79), ("ok", "OK"));
    assert_eq!(band(60), ("ok", "OK"));
    assert_eq!(band(59), ("weak", "Weak"));
    assert_eq!(band(40), ("weak", "Weak"));
    assert_eq!(band(39), ("poor", "Poor"));
}

#[test]
fn a_part_never_drops_below_zero() {
    let row = audit_one(
        json!({"name": "", "tags": [], "taxonomy_id": null, "category": null, "category_label": null}),
    );
    assert_eq!(row.parts[0].score, 0);
}

#[test]
fn discover_is_false_when_a_condition_fails_and_unknown_when_one_is_unknown() {
    let row = audit_one(json!({"sales_count": null, "published": false}));
    assert_eq!(row.discover.eligible, Some(false));
    assert_eq!(row.discover.reasons.len(), 2);
    assert!(row.discover.reasons[0].contains("not published"));
    let row = audit_one(json!({"sales_count": null}));
    assert_eq!(row.discover.eligible, None);
    assert!(row.discover.reasons[0].contains("view_sales"));
}

#[test]
fn the_snippet_is_what_search_engines_show() {
    let row = audit_one(json!({}));
    assert_eq!(
        row.snippet,
        "Forty lettering brushes for Procreate, with practice sheets."
    );
    let row = audit_one(json!({"custom_summary": null}));
    assert!(row
        .snippet
        .starts_with("Forty lettering brushes for Procreate, made for"));
    assert_eq!(row.snippet.chars().count(), 160);
}

#[test]
fn the_audit_counts_finding_kinds_for_the_filter_and_keeps_notes() {
    let products = vec![
        product(json!({"id": "a", "tags": ["#art", "a"]})),
        product(json!({"id": "b", "tags": ["#art"], "thumbnail_url": null})),
        product(json!({"id": "c"})),
    ];
    let mut market = Market {
        categories: Some(categories()),
        notes: vec!["Comparable prices could not be read.".into()],
        ..Market::default()
    };
    market.comps.push((
        ("design/illustration/procreate".into(), "usd".into()),
        comps(Some(1000), Some(2000)),
    ));
    let audit = audit(&products, &market);
    assert_eq!(audit.rows.len(), 3);
    let kinds: Vec<(&str, usize)> = audit
        .finding_kinds
        .iter()
        .map(|k| (k.id, k.count))
        .collect();
    assert_eq!(
        kinds,
        [("tag-hash", 2), ("tag-too-short", 1), ("no-thumbnail", 1)]
    );
    assert_eq!(audit.finding_kinds[0].label, "Tag starting with #");
    assert_eq!(
        audit.notes,
        ["Comparable prices could not be read.", DISCOVER_NOTE]
    );
    assert!(audit.rows[2].comps.is_some());
    assert!(
        audit
            .summary
            .starts_with("3 products audited, average score"),
        "{}",
        audit.summary
    );
    assert!(
        audit.summary.ends_with("2 with a problem to fix."),
        "{}",
        audit.summary
    );
}

#[test]
fn the_audit_serializes_in_the_shape_js_reads() {
    let row = audit_one(json!({"tags": ["#art"]}));
    let value = serde_json::to_value(&row).unwrap();
    for key in [
        "productId",
        "name",
        "formattedPrice",
        "published",
        "score",
        "band",
        "bandLabel",
        "parts",
        "findings",
        "discover",
        "snippet",
        "categoryLabel",
        "comps",
        "compsNote",
    ] {
        assert!(value.get(key).is_some(), "{key}");
    }
    assert_eq!(value["parts"][4]["id"], "socialProof");
    assert_eq!(
        value["findings"][0],
        json!({"id": "tag-hash", "severity": "problem", "rule": "Gumroad's tags cannot start with #.",
            "message": "The tag \"#art\" starts with #; Gumroad's tags cannot.",
            "fix": "Replace it with a tag of 2 to 20 characters, no comma and no leading #, with Bulkroad's tag edit."})
    );
    assert_eq!(value["discover"], json!({"eligible": true, "reasons": []}));
    assert_eq!(value["comps"]["p25"], "$10");
}

#[test]
fn the_csv_has_a_row_per_product_and_defuses_formulas() {
    let products = vec![
        product(json!({"id": "a", "name": "=HYPERLINK(\"x\")", "tags": ["#art"]})),
        product(json!({"id": "b"})),
    ];
    let audit = audit(
        &products,
        &Market {
            categories: Some(categories()),
            ..Market::default()
        },
    );
    let text = audit_csv(&audit);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with(
        "Product ID,Name,Price,Published,Score,Band,\"Name, tags and category (15 %)\",Description and summary (30 %)"
    ));
    assert!(lines[0].ends_with("Snippet,Category,Comparable p25,Comparable median,Comparable p75"));
    assert!(
        lines[1].starts_with("a,\"'=HYPERLINK(\"\"x\"\")\",$15,yes,"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("tag-hash; comps-unknown"), "{}", lines[1]);
    assert_eq!(lines[3], "");
    let fields = crate::spreadsheet_csv::records(&text);
    assert!(fields.iter().all(|r| r.fields.len() == 19), "{fields:?}");
}
