//! `GET /v2/sales/summary` as Gumroad answers it (additions §2): totals over a range and a
//! breakdown by day, week, month or product, money in the one currency the answer names.
//!
//! Gumroad's serializer is not public (contract §2.6 says so), so decoding is strict only
//! where a wrong figure would be drawn: every amount and count must be a whole number
//! (numbers sent as strings are read), a breakdown row needs a key. Labels are optional
//! (the chart words its own from the key when it can), unknown fields are ignored.

use serde::{Deserialize, Deserializer, Serialize};

use super::string_or_number;

/// The longest range one summary call may cover, both ends counted (contract §2.6: the
/// server's cap is not public; 366 is what Gumroad's own client assumes, and counted
/// inclusively it is within either reading of "366 days").
pub const SUMMARY_MAX_DAYS: i64 = 366;

/// How the summary's breakdown is grouped: `group_by` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    Day,
    Week,
    Month,
    Product,
}

impl GroupBy {
    /// The `group_by` parameter.
    pub fn as_param(self) -> &'static str {
        match self {
            GroupBy::Day => "day",
            GroupBy::Week => "week",
            GroupBy::Month => "month",
            GroupBy::Product => "product",
        }
    }

    /// Whether the breakdown's keys are periods of time (in time order), not products.
    pub fn is_time(self) -> bool {
        self != GroupBy::Product
    }
}

/// The five figures of a summary, for the whole range or one row of its breakdown.
/// Money is in minor units of the summary's currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    #[serde(deserialize_with = "whole")]
    pub gross_cents: i64,
    #[serde(deserialize_with = "whole")]
    pub net_cents: i64,
    #[serde(deserialize_with = "whole")]
    pub units: i64,
    #[serde(deserialize_with = "whole")]
    pub refunded_cents: i64,
    #[serde(deserialize_with = "whole")]
    pub refunded_units: i64,
}

impl Figures {
    /// Both added, figure by figure (saturating: a hostile answer cannot overflow a sum).
    pub fn plus(self, other: Figures) -> Figures {
        Figures {
            gross_cents: self.gross_cents.saturating_add(other.gross_cents),
            net_cents: self.net_cents.saturating_add(other.net_cents),
            units: self.units.saturating_add(other.units),
            refunded_cents: self.refunded_cents.saturating_add(other.refunded_cents),
            refunded_units: self.refunded_units.saturating_add(other.refunded_units),
        }
    }

    /// Nothing sold and nothing refunded.
    pub fn is_empty(&self) -> bool {
        *self == Figures::default()
    }
}

/// One row of the breakdown: a period (`2025-03-14`, a week's first day, `2025-03`) or a
/// product (its id), with Gumroad's label when it sends one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SummaryRow {
    #[serde(deserialize_with = "required_key")]
    pub key: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// The whole answer (its `success` is the envelope's business).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SalesSummary {
    #[serde(flatten)]
    pub totals: Figures,
    pub currency: String,
    pub breakdown: Vec<SummaryRow>,
}

/// A whole number, sent as a JSON integer or a string of digits; a fraction, `null` or
/// anything else fails the answer (a figure that cannot be read is not drawn as zero).
fn whole<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    match string_or_number(deserializer)? {
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom("expected a whole number")),
        None => Err(serde::de::Error::custom("expected a whole number, not null")),
    }
}

fn required_key<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match string_or_number(deserializer)? {
        Some(key) if !key.trim().is_empty() => Ok(key.trim().to_owned()),
        _ => Err(serde::de::Error::custom("a breakdown row without a key")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_answer_with_figures_as_numbers_or_strings() {
        let answer: SalesSummary = serde_json::from_str(
            r#"{"gross_cents":1500,"net_cents":"1200","units":3,"refunded_cents":0,
                "refunded_units":0,"currency":"usd","from":"2025-01-01","to":"2025-01-31",
                "breakdown":[{"key":"2025-01","label":"January 2025","gross_cents":1500,
                "net_cents":1200,"units":3,"refunded_cents":0,"refunded_units":0}]}"#,
        )
        .unwrap();
        assert_eq!(answer.totals.net_cents, 1200);
        assert_eq!(answer.breakdown[0].key, "2025-01");
        assert_eq!(answer.breakdown[0].figures, answer.totals);
    }

    #[test]
    fn a_figure_that_is_not_a_whole_number_fails_the_answer() {
        for bad in [r#""12.5""#, "12.5", "null", r#""lots""#, "[]"] {
            let text = format!(
                r#"{{"gross_cents":{bad},"net_cents":0,"units":0,"refunded_cents":0,
                    "refunded_units":0,"currency":"usd","breakdown":[]}}"#
            );
            assert!(serde_json::from_str::<SalesSummary>(&text).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_row_needs_a_key_and_the_answer_a_breakdown() {
        let row = r#"{"gross_cents":0,"net_cents":0,"units":0,"refunded_cents":0,"refunded_units":0"#;
        let no_key = format!(
            r#"{row},"currency":"usd","breakdown":[{row},"key":" "}}]}}"#
        );
        assert!(serde_json::from_str::<SalesSummary>(&no_key).is_err());
        let no_breakdown = format!(r#"{row},"currency":"usd"}}"#);
        assert!(serde_json::from_str::<SalesSummary>(&no_breakdown).is_err());
        let numeric_key = format!(
            r#"{row},"currency":"usd","breakdown":[{row},"key":42}}]}}"#
        );
        let answer: SalesSummary = serde_json::from_str(&numeric_key).unwrap();
        assert_eq!(answer.breakdown[0].key, "42");
    }
}
