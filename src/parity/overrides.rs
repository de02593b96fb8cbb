//! The seller's edits to the default table ([`Overrides`]: a percent or "excluded" per
//! country) and the editable table they produce ([`build_table`] → [`Row`]s). The edits are
//! what extension storage keeps; the table is always rebuilt from them, the compiled-in
//! ratios and the [`Settings`], never stored.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::formula::{suggested_percent, Settings};
use super::{find_country, COUNTRIES};
use crate::error::Error;
use crate::model::collation_key;

/// The seller's choice for one country.
///
/// JSON: `"default"`, a whole percent `1..=100`, or `"excluded"`. On the way in `null`
/// reads as `"default"` and `0` as `"excluded"` (0 % off is no code).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Override {
    /// Use the suggestion of the formula.
    #[default]
    Default,
    /// This percent, whatever the formula says (1 to 100).
    Percent(u8),
    /// No code for this country.
    Excluded,
}

impl Override {
    /// The percent a country gets given the formula's `suggested` one.
    pub fn effective(self, suggested: Option<u8>) -> Option<u8> {
        match self {
            Override::Default => suggested,
            Override::Percent(0) | Override::Excluded => None,
            Override::Percent(percent) => Some(percent.min(100)),
        }
    }
}

impl Serialize for Override {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Override::Default => serializer.serialize_str("default"),
            Override::Percent(0) | Override::Excluded => serializer.serialize_str("excluded"),
            Override::Percent(percent) => serializer.serialize_u8(*percent),
        }
    }
}

impl<'de> Deserialize<'de> for Override {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OverrideVisitor;

        impl Visitor<'_> for OverrideVisitor {
            type Value = Override;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole percent from 0 to 100, \"excluded\" or \"default\"")
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Override, E> {
                match value {
                    0 => Ok(Override::Excluded),
                    1..=100 => Ok(Override::Percent(value as u8)),
                    _ => Err(E::invalid_value(de::Unexpected::Unsigned(value), &self)),
                }
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Override, E> {
                u64::try_from(value)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(value), &self))
                    .and_then(|value| self.visit_u64(value))
            }

            fn visit_f64<E: de::Error>(self, value: f64) -> Result<Override, E> {
                // JavaScript numbers arrive as floats; 40.0 is 40, 12.5 is refused.
                if value.fract() == 0.0 && (0.0..=100.0).contains(&value) {
                    self.visit_u64(value as u64)
                } else {
                    Err(E::invalid_value(de::Unexpected::Float(value), &self))
                }
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Override, E> {
                match value.trim().to_ascii_lowercase().as_str() {
                    "excluded" => Ok(Override::Excluded),
                    "default" | "" => Ok(Override::Default),
                    _ => Err(E::invalid_value(de::Unexpected::Str(value), &self)),
                }
            }

            fn visit_unit<E: de::Error>(self) -> Result<Override, E> {
                Ok(Override::Default)
            }

            fn visit_none<E: de::Error>(self) -> Result<Override, E> {
                Ok(Override::Default)
            }
        }

        deserializer.deserialize_any(OverrideVisitor)
    }
}

/// Every country the seller changed, keyed by uppercase alpha-2 code; countries absent
/// use the formula. JSON, as extension storage keeps it: `{"IN": 40, "CN": "excluded"}`.
///
/// Reading normalises: keys are uppercased and trimmed, `"default"`/`null` entries are
/// dropped. Codes that are not in the table are kept (a later table may have them) but
/// change no row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "BTreeMap<String, Override>")]
pub struct Overrides(BTreeMap<String, Override>);

impl From<BTreeMap<String, Override>> for Overrides {
    fn from(map: BTreeMap<String, Override>) -> Self {
        // Inserted one by one (a later duplicate wins, as with `collect`): collecting into
        // a `BTreeMap` would compile in a copy of the standard sort of its own.
        let mut normal = BTreeMap::new();
        for (code, choice) in map {
            if choice != Override::Default {
                normal.insert(code.trim().to_ascii_uppercase(), normalised(choice));
            }
        }
        Overrides(normal)
    }
}

fn normalised(choice: Override) -> Override {
    match choice {
        Override::Percent(0) => Override::Excluded,
        other => other,
    }
}

impl Overrides {
    pub fn new() -> Self {
        Self::default()
    }

    /// The choice for `code` (any case); [`Override::Default`] when unchanged.
    pub fn get(&self, code: &str) -> Override {
        self.0
            .get(&code.trim().to_ascii_uppercase())
            .copied()
            .unwrap_or_default()
    }

    /// Sets the choice for a country of the table; `Default` resets it. A percent of 0 is
    /// stored as `Excluded`.
    pub fn set(&mut self, code: &str, choice: Override) -> Result<(), Error> {
        let country = find_country(code).ok_or_else(|| {
            Error::invalid_input(format!(
                "'{}' is not a country code of the parity table.",
                crate::error::clip(code, 12)
            ))
        })?;
        if let Override::Percent(percent) = choice {
            if percent > 100 {
                return Err(Error::invalid_input(format!("{percent} % is over 100 %.")));
            }
        }
        self.insert(country.code, choice);
        Ok(())
    }

    /// `set` for codes already checked against the table.
    pub(crate) fn insert(&mut self, code: &str, choice: Override) {
        match normalised(choice) {
            Override::Default => {
                self.0.remove(code);
            }
            choice => {
                self.0.insert(code.to_owned(), choice);
            }
        }
    }

    /// Back to the formula for one country.
    pub fn reset(&mut self, code: &str) {
        self.0.remove(&code.trim().to_ascii_uppercase());
    }

    /// Back to the formula for every country.
    pub fn reset_all(&mut self) {
        self.0.clear();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The changed countries, by code.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Override)> + '_ {
        self.0.iter().map(|(code, choice)| (code.as_str(), *choice))
    }
}

/// One line of the editable table.
///
/// JSON: `{"code": "IN", "name": "India", "ratio": 0.2415, "suggested": 60,
/// "override": "default" | 40 | "excluded", "effective": 60}` (`suggested` and `effective`
/// are `null` for no code).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// ISO alpha-2, uppercase.
    pub code: String,
    pub name: String,
    /// Price level ratio to the US (US = 1.0).
    pub ratio: f64,
    /// What the formula suggests under the current settings.
    pub suggested: Option<u8>,
    /// The seller's choice.
    #[serde(rename = "override")]
    pub override_: Override,
    /// The percent of this country's code, `None` = no code.
    pub effective: Option<u8>,
}

impl Row {
    /// Whether the search box text `query` finds this row: part of the name or the code,
    /// ignoring case and Latin-1 accents ("cote" finds "Cote d'Ivoire", "in" finds India).
    /// An empty query finds every row.
    pub fn matches(&self, query: &str) -> bool {
        let query = collation_key(query.trim());
        query.is_empty()
            || collation_key(&self.name).contains(&query)
            || collation_key(&self.code) == query
    }
}

/// The whole table, in code order: every country with its suggestion under `settings` and
/// the seller's `overrides` applied.
pub fn build_table(settings: &Settings, overrides: &Overrides) -> Vec<Row> {
    COUNTRIES
        .iter()
        .map(|country| {
            let suggested = suggested_percent(country.ratio, settings);
            let choice = overrides.get(country.code);
            Row {
                code: country.code.to_owned(),
                name: country.name.to_owned(),
                ratio: country.ratio,
                suggested,
                override_: choice,
                effective: choice.effective(suggested),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row<'a>(rows: &'a [Row], code: &str) -> &'a Row {
        rows.iter().find(|r| r.code == code).unwrap()
    }

    #[test]
    fn overrides_change_only_their_rows() {
        let mut overrides = Overrides::new();
        overrides.set("in", Override::Percent(40)).unwrap();
        overrides.set("CN", Override::Excluded).unwrap();
        overrides.set("US", Override::Percent(10)).unwrap();
        let rows = build_table(&Settings::default(), &overrides);
        assert_eq!(rows.len(), COUNTRIES.len());
        // (code, suggested, override, effective)
        let expected = [
            ("IN", Some(60), Override::Percent(40), Some(40)),
            ("CN", Some(50), Override::Excluded, None),
            ("US", None, Override::Percent(10), Some(10)),
            ("NG", Some(60), Override::Default, Some(60)),
            ("CH", None, Override::Default, None),
            ("DE", Some(20), Override::Default, Some(20)),
        ];
        for (code, suggested, choice, effective) in expected {
            let r = row(&rows, code);
            assert_eq!(
                (r.suggested, r.override_, r.effective),
                (suggested, choice, effective),
                "{code}"
            );
        }
        assert_eq!(row(&rows, "CN").ratio, find_country("CN").unwrap().ratio);
    }

    #[test]
    fn set_reset_and_reset_all() {
        let mut overrides = Overrides::new();
        overrides.set("IN", Override::Percent(40)).unwrap();
        overrides.set("BR", Override::Percent(0)).unwrap();
        assert_eq!(overrides.get("br"), Override::Excluded);
        overrides.set("PK", Override::Percent(30)).unwrap();
        overrides.set("PK", Override::Default).unwrap();
        assert_eq!(overrides.get("PK"), Override::Default);
        assert_eq!(overrides.len(), 2);
        overrides.reset("in");
        assert_eq!(overrides.get("IN"), Override::Default);
        overrides.reset_all();
        assert!(overrides.is_empty());

        let rows: &[(&str, Override, &str)] = &[
            ("XX", Override::Percent(10), "not a country code"),
            ("", Override::Excluded, "not a country code"),
            ("IN", Override::Percent(150), "150 % is over 100 %"),
        ];
        for (code, choice, want) in rows {
            let error = overrides.set(code, *choice).unwrap_err();
            assert!(error.message().contains(want), "{}", error.message());
        }
        assert!(overrides.is_empty(), "a refused set changes nothing");
    }

    #[test]
    fn overrides_json_as_storage_keeps_it() {
        let mut overrides = Overrides::new();
        overrides.set("IN", Override::Percent(40)).unwrap();
        overrides.set("CN", Override::Excluded).unwrap();
        let json = serde_json::to_value(&overrides).unwrap();
        assert_eq!(json, json!({"CN": "excluded", "IN": 40}));
        let back: Overrides = serde_json::from_value(json).unwrap();
        assert_eq!(back, overrides);

        let loose: Overrides = serde_json::from_value(json!({
            " in ": 40.0, "cn": "Excluded", "BR": 0, "PK": "default", "MX": null, "ZZ": 5
        }))
        .unwrap();
        assert_eq!(
            serde_json::to_value(&loose).unwrap(),
            json!({"BR": "excluded", "CN": "excluded", "IN": 40, "ZZ": 5})
        );
        let rows = build_table(&Settings::default(), &loose);
        assert!(rows.iter().all(|r| r.code != "ZZ"));

        for bad in [
            json!({"IN": 101}),
            json!({"IN": -1}),
            json!({"IN": 12.5}),
            json!({"IN": "ten"}),
            json!({"IN": true}),
        ] {
            assert!(
                serde_json::from_value::<Overrides>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn row_json_shape() {
        let mut overrides = Overrides::new();
        overrides.set("IN", Override::Percent(40)).unwrap();
        let rows = build_table(&Settings::default(), &overrides);
        let india = serde_json::to_value(row(&rows, "IN")).unwrap();
        assert_eq!(
            india,
            json!({"code": "IN", "name": "India", "ratio": 0.2415, "suggested": 60,
                   "override": 40, "effective": 40})
        );
        let switzerland = serde_json::to_value(row(&rows, "CH")).unwrap();
        assert_eq!(switzerland["override"], json!("default"));
        assert_eq!(switzerland["suggested"], json!(null));
        assert_eq!(switzerland["effective"], json!(null));
        let back: Row = serde_json::from_value(india).unwrap();
        assert_eq!(&back, row(&rows, "IN"));
    }

    #[test]
    fn search_by_name_or_code() {
        let rows = build_table(&Settings::default(), &Overrides::new());
        let found = |query: &str| -> Vec<&str> {
            rows.iter()
                .filter(|r| r.matches(query))
                .map(|r| r.code.as_str())
                .collect()
        };
        assert_eq!(found("india"), ["IN"]);
        assert!(found("IN").contains(&"IN") && found("IN").contains(&"CN"));
        assert_eq!(found("xk"), ["XK"], "by code");
        assert_eq!(found("Côte"), ["CI"]);
        assert_eq!(found(" korea "), ["KR"]);
        assert!(found("guinea").len() >= 3);
        assert_eq!(found("").len(), rows.len());
        assert!(found("atlantis").is_empty());
    }
}
