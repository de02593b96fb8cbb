//! The parity formula: a country's price level ratio → the suggested whole-percent discount,
//! shaped by the seller's [`Settings`]. Pure arithmetic; nothing here knows about codes,
//! products or the seller's per-country edits.
//!
//! Rules, in order:
//! 1. No suggestion for a ratio that is not a positive finite number (bad data never turns
//!    into a free product), nor at or above `threshold` (default 0.80, as Gumroad's own PPP).
//! 2. The raw discount is `1 − ratio`. The ratio is read to 4 decimals (the table keeps 4),
//!    so the arithmetic is on whole hundredths of a percent and `1 − 0.55` is exactly 45 %,
//!    not the 44.999… that floating point gives.
//! 3. Rounded **down** to a whole percent, then **down** to a multiple of `step_percent`:
//!    a buyer never gets more off than the ratio suggests (0.7501 → 24.99 % → 20 % with
//!    5 % steps; nearest would give 25 %).
//! 4. Capped at `cap_percent` (default 60 %, as Gumroad's 0.4 clamp). The cap wins exactly,
//!    even when it is not a multiple of the step (cap 62 → 62 %).
//! 5. No suggestion when the result is 0 or below `floor_percent` (a code for 2 % off is
//!    noise).

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// How ratios become suggestions; the seller can change every field.
///
/// JSON (camelCase, every field optional on the way in):
/// `{"threshold": 0.8, "capPercent": 60, "floorPercent": 0, "stepPercent": 5}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// No discount where the ratio is at or above this (0.80 = prices at least 80 % of US).
    pub threshold: f64,
    /// The largest suggested percent.
    pub cap_percent: u8,
    /// Below this percent, no code at all.
    pub floor_percent: u8,
    /// Suggestions are multiples of this (rounded down), 1 = every whole percent.
    pub step_percent: u8,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            threshold: 0.80,
            cap_percent: 60,
            floor_percent: 0,
            step_percent: 5,
        }
    }
}

impl Settings {
    /// Settings a seller can save, with a message for each mistake. [`suggested_percent`]
    /// never fails, whatever the settings; this is for the settings form.
    pub fn validate(&self) -> Result<(), Error> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(Error::invalid_input(
                "The no-discount threshold must be a ratio above 0 and at most 1 (0.80: no discount where prices are at least 80 % of US prices).",
            ));
        }
        if !(1..=100).contains(&self.cap_percent) {
            return Err(Error::invalid_input(
                "The largest discount must be between 1 % and 100 %.",
            ));
        }
        if self.floor_percent > self.cap_percent {
            return Err(Error::invalid_input(format!(
                "The smallest discount ({} %) is above the largest ({} %): no country would get a code.",
                self.floor_percent, self.cap_percent
            )));
        }
        if !(1..=100).contains(&self.step_percent) {
            return Err(Error::invalid_input(
                "The rounding step must be between 1 % and 100 %.",
            ));
        }
        Ok(())
    }
}

/// Ten thousandths, the precision of the table: a ratio or a threshold as a whole number.
fn ten_thousandths(value: f64) -> f64 {
    (value * 10_000.0).round()
}

/// The suggested whole-percent discount for a country with price level `ratio`, or `None`
/// for no code (see the module rules). Total: any ratio and any settings give an answer
/// (a step of 0 counts as 1, a cap above 100 as 100).
pub fn suggested_percent(ratio: f64, settings: &Settings) -> Option<u8> {
    if !ratio.is_finite() || ratio <= 0.0 {
        return None;
    }
    let level = ten_thousandths(ratio);
    let threshold = ten_thousandths(settings.threshold);
    if threshold.is_nan() || level >= threshold || level >= 10_000.0 {
        return None;
    }
    // 1 ..= 10 000 hundredths of a percent off (a tiny positive ratio rounds to level 0).
    let off = 10_000 - level as u32;
    let step = u32::from(settings.step_percent.max(1));
    let stepped = off / (100 * step) * step;
    let capped = stepped.min(u32::from(settings.cap_percent.min(100)));
    if capped == 0 || capped < u32::from(settings.floor_percent) {
        return None;
    }
    u8::try_from(capped).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn with(f: impl FnOnce(&mut Settings)) -> Settings {
        let mut settings = Settings::default();
        f(&mut settings);
        settings
    }

    #[test]
    fn default_settings_threshold_steps_and_cap() {
        let settings = Settings::default();
        // (ratio, expected)
        let rows: &[(f64, Option<u8>)] = &[
            // threshold 0.80: no discount at or above
            (0.80, None),
            (0.80004, None), // read as 0.8000
            (0.81, None),
            (0.7999, Some(20)), // 20.01 % → 20
            (0.7501, Some(20)), // 24.99 % → 24 → down to 20, never up to 25
            (0.75, Some(25)),
            (0.76, Some(20)),
            (0.7, Some(30)),
            (0.55, Some(45)), // 1 − 0.55 is 44.999… in floating point
            (0.45, Some(55)),
            (0.4, Some(60)),
            (0.39, Some(60)),   // 61 → 60 (cap)
            (0.2415, Some(60)), // India, 75.85 %
            (0.1193, Some(60)), // Nigeria
            (0.0001, Some(60)),
            (0.00001, Some(60)), // rounds to level 0: 100 % → cap
            // ratios that are not a price level
            (1.0, None),
            (1.1497, None),
            (0.0, None),
            (-0.0, None),
            (-0.5, None),
            (f64::NAN, None),
            (f64::INFINITY, None),
            (f64::NEG_INFINITY, None),
        ];
        for (ratio, expected) in rows {
            assert_eq!(suggested_percent(*ratio, &settings), *expected, "{ratio}");
        }
    }

    #[test]
    fn settings_shape_the_suggestion() {
        let step1 = with(|s| s.step_percent = 1);
        let step10 = with(|s| s.step_percent = 10);
        let step0 = with(|s| s.step_percent = 0);
        let floor25 = with(|s| s.floor_percent = 25);
        let cap62 = with(|s| s.cap_percent = 62);
        let cap100 = with(|s| {
            s.cap_percent = 100;
            s.step_percent = 1;
        });
        let cap0 = with(|s| s.cap_percent = 0);
        let cap200 = with(|s| s.cap_percent = 200);
        let threshold1 = with(|s| s.threshold = 1.0);
        let threshold1_step1 = with(|s| {
            s.threshold = 1.0;
            s.step_percent = 1;
        });
        let threshold_half = with(|s| s.threshold = 0.5);
        let threshold_nan = with(|s| s.threshold = f64::NAN);
        let floor_over_cap = with(|s| {
            s.floor_percent = 70;
            s.cap_percent = 60;
        });
        // (settings, ratio, expected, why)
        let rows: &[(&Settings, f64, Option<u8>, &str)] = &[
            (&step1, 0.7501, Some(24), "whole percents round down"),
            (&step1, 0.7999, Some(20), "20.01 → 20"),
            (
                &step1,
                0.42,
                Some(58),
                "1 − 0.42 is 57.99… in floating point",
            ),
            (&step1, 0.34, Some(60), "66 → cap 60"),
            (&step1, 0.61, Some(39), "39"),
            (&step10, 0.45, Some(50), "55 → 50"),
            (&step10, 0.71, Some(20), "29 → 20"),
            (&step10, 0.9, None, "above threshold"),
            (&step10, 0.79, Some(20), "21 → 20"),
            (&step0, 0.7501, Some(24), "a step of 0 counts as 1"),
            (&floor25, 0.76, None, "20 is below the floor"),
            (&floor25, 0.75, Some(25), "the floor itself is allowed"),
            (&floor25, 0.3, Some(60), "floor does not touch the cap"),
            (
                &cap62,
                0.3,
                Some(62),
                "the cap wins exactly, off the 5 % grid",
            ),
            (&cap62, 0.4, Some(60), "under the cap: steps as usual"),
            (&cap100, 0.1193, Some(88), "no cap: 88.07 → 88"),
            (&cap100, 0.00001, Some(100), "a tiny ratio, no cap: 100"),
            (&cap0, 0.3, None, "cap 0: nothing"),
            (&cap200, 0.00001, Some(100), "a cap above 100 counts as 100"),
            (
                &threshold1,
                0.99,
                None,
                "1 % rounds down to 0 with 5 % steps",
            ),
            (&threshold1, 0.95, Some(5), "threshold 1: 5 %"),
            (&threshold1_step1, 0.99, Some(1), "1 %"),
            (&threshold1_step1, 0.9999, None, "0.01 % → 0"),
            (&threshold1_step1, 1.0, None, "US"),
            (&threshold_half, 0.5, None, "at the threshold"),
            (&threshold_half, 0.4999, Some(50), "just under"),
            (&threshold_nan, 0.3, None, "a NaN threshold: nothing"),
            (&floor_over_cap, 0.3, None, "floor above cap: nothing"),
        ];
        for (settings, ratio, expected, why) in rows {
            assert_eq!(
                suggested_percent(*ratio, settings),
                *expected,
                "{ratio} {settings:?}: {why}"
            );
        }
    }

    #[test]
    fn settings_validation() {
        let rows: &[(Settings, Option<&str>)] = &[
            (Settings::default(), None),
            (with(|s| s.threshold = 1.0), None),
            (with(|s| s.threshold = 0.0), Some("threshold")),
            (with(|s| s.threshold = 1.01), Some("threshold")),
            (with(|s| s.threshold = f64::NAN), Some("threshold")),
            (with(|s| s.cap_percent = 0), Some("largest discount")),
            (with(|s| s.cap_percent = 101), Some("largest discount")),
            (with(|s| s.cap_percent = 100), None),
            (with(|s| s.floor_percent = 61), Some("above the largest")),
            (with(|s| s.floor_percent = 60), None),
            (with(|s| s.step_percent = 0), Some("step")),
            (with(|s| s.step_percent = 101), Some("step")),
        ];
        for (settings, problem) in rows {
            match (settings.validate(), problem) {
                (Ok(()), None) => {}
                (Err(error), Some(want)) => {
                    assert_eq!(error.kind(), ErrorKind::InvalidInput);
                    assert!(error.message().contains(want), "{}", error.message());
                }
                (got, want) => panic!("{settings:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn settings_json_shape_and_defaults() {
        let json = serde_json::to_value(Settings::default()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"threshold": 0.8, "capPercent": 60, "floorPercent": 0, "stepPercent": 5})
        );
        let partial: Settings = serde_json::from_str(r#"{"capPercent": 50}"#).unwrap();
        assert_eq!(partial, with(|s| s.cap_percent = 50));
        assert!(serde_json::from_str::<Settings>(r#"{"capPercent": 300}"#).is_err());
    }
}
