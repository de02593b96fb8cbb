//! The seller's AI endpoint as Bulkroad keeps it: what is checked before it is saved, what
//! the settings form is told (never the key), how many products one "Suggest" may send,
//! how long an answer may take, and the sentences for what stops a suggestion before the
//! model answers. The address itself is judged by [`ai_endpoint`]; the request and the
//! answer by the rest of [`suggest`](super::suggest).
//!
//! Nothing here sends anything: the worker carries the request once the seller saved an
//! endpoint, Chrome allows its origin and the seller asked.

use serde::{Deserialize, Serialize};

use super::suggest::ai_endpoint;
use crate::error::{clip, Error, ErrorKind};

/// At most this many products per "Suggest": each is one request on the seller's key, and
/// a model's answers are read one by one before anything is applied.
pub const SUGGEST_AT_MOST: usize = 10;

/// How long one answer may take. Models on modest hardware take tens of seconds. A whole
/// round ([`SUGGEST_AT_MOST`] answers, one after another) stays within the 10 minutes a
/// page waits for a slow request (`extension/messages.js`), so a page never gives up on a
/// round that goes on spending the seller's key.
pub const ANSWER_TIMEOUT_MS: u32 = 45_000;

/// The settings as the worker keeps them. `key` is read here only for whether it is there.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedAi {
    pub url: String,
    pub origin: String,
    pub model: String,
    #[serde(default)]
    pub key: Option<String>,
}

/// Settings that may be saved once Chrome allows `permission`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckedAi {
    pub url: String,
    pub origin: String,
    /// The match pattern to ask Chrome for (`https://api.example.com/*`).
    pub permission: String,
    pub model: String,
    /// What the seller reads when they refuse Chrome's question.
    pub refused_message: String,
}

/// What the settings form shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AiView {
    pub configured: bool,
    pub url: String,
    pub model: String,
    pub has_key: bool,
    pub allowed: bool,
    pub status: String,
}

/// Checks the form: the address (see [`ai_endpoint`]), a model, and a key — typed now, or
/// kept from before for the same origin (a key is never carried to another origin).
pub fn check_settings(
    url: &str,
    model: &str,
    key_typed: bool,
    saved_key_origin: Option<&str>,
) -> Result<CheckedAi, Error> {
    let endpoint = ai_endpoint(url)?;
    let model = model.trim();
    if model.is_empty() {
        return Err(Error::invalid_input(
            "Name the model to ask (for example gpt-4o-mini).",
        ));
    }
    if model.chars().count() > 200 {
        return Err(Error::invalid_input("That model name is too long."));
    }
    if !key_typed && saved_key_origin != Some(endpoint.origin.as_str()) {
        return Err(Error::invalid_input(format!(
            "Enter the key for {} (a key saved for another endpoint is never sent to this one).",
            endpoint.origin
        )));
    }
    Ok(CheckedAi {
        refused_message: format!(
            "Chrome did not allow Bulkroad to reach {}, so the settings were not saved and nothing was sent.",
            endpoint.origin
        ),
        url: endpoint.url,
        origin: endpoint.origin,
        permission: endpoint.permission,
        model: model.to_owned(),
    })
}

/// What the form shows of `saved` (`None`: nothing set up); `allowed`: whether Chrome
/// still allows its origin.
pub fn settings_view(saved: Option<&SavedAi>, allowed: bool) -> AiView {
    let Some(saved) = saved else {
        return AiView {
            configured: false,
            url: String::new(),
            model: String::new(),
            has_key: false,
            allowed: false,
            status: "Off: nothing is sent to any AI endpoint.".to_owned(),
        };
    };
    let has_key = saved.key.as_deref().is_some_and(|k| !k.is_empty());
    let status = if allowed {
        format!(
            "Asks {} ({}) with your key, only when you choose Suggest.",
            saved.origin,
            clip(&saved.model, 60)
        )
    } else {
        format!(
            "Chrome no longer allows Bulkroad to reach {}: save the settings again to allow it.",
            saved.origin
        )
    };
    AiView {
        configured: true,
        url: saved.url.clone(),
        model: saved.model.clone(),
        has_key,
        allowed,
        status,
    }
}

/// Checks a "Suggest" before anything is sent: an endpoint with a key, 1 to
/// [`SUGGEST_AT_MOST`] products.
pub fn check_batch(saved: Option<&SavedAi>, products: usize) -> Result<(), Error> {
    let has_key = saved.is_some_and(|s| s.key.as_deref().is_some_and(|k| !k.is_empty()));
    if !has_key {
        return Err(Error::invalid_input(
            "Set up an AI endpoint, model and key first (under Suggestions).",
        ));
    }
    match products {
        0 => Err(Error::invalid_input(
            "Select the products to ask suggestions for.",
        )),
        n if n > SUGGEST_AT_MOST => Err(Error::invalid_input(format!(
            "Ask for at most {SUGGEST_AT_MOST} products at a time ({n} are selected): each one is a request on your key."
        ))),
        _ => Ok(()),
    }
}

/// What stopped a suggestion before the model answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AiFailure {
    /// Chrome does not (or no longer) allow the endpoint's origin.
    Permission,
    /// No answer within [`ANSWER_TIMEOUT_MS`].
    Timeout,
    /// The endpoint could not be reached.
    Unreachable,
    /// Not sent: the key was refused for an earlier product.
    NotAsked,
    /// The account was disconnected meanwhile.
    Stopped,
}

impl AiFailure {
    pub fn error(self, origin: &str) -> Error {
        match self {
            // Refused before anything was sent, like bad input (not a Gumroad scope).
            AiFailure::Permission => Error::invalid_input(format!(
                "Chrome does not allow Bulkroad to reach {origin} (the permission was refused or removed), so nothing was sent. Save the AI settings again to allow it."
            )),
            AiFailure::Timeout => Error::network(format!(
                "{origin} did not answer within {} seconds.",
                ANSWER_TIMEOUT_MS / 1000
            )),
            AiFailure::Unreachable => Error::network(format!(
                "Could not reach {origin}. Check the address and your connection."
            )),
            AiFailure::NotAsked => Error::new(
                ErrorKind::Cancelled,
                "Not asked: the endpoint refused the key for an earlier product.",
            ),
            AiFailure::Stopped => Error::stopped(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(key: Option<&str>) -> SavedAi {
        SavedAi {
            url: "https://models.example/v1/chat/completions".to_owned(),
            origin: "https://models.example".to_owned(),
            model: "m".to_owned(),
            key: key.map(str::to_owned),
        }
    }

    #[test]
    fn settings_need_a_model_and_a_key_for_that_origin() {
        let url = "https://models.example/v1/chat/completions";
        let ok = check_settings(url, " gpt-4o-mini ", true, None).unwrap();
        assert_eq!(ok.model, "gpt-4o-mini");
        assert_eq!(ok.permission, "https://models.example/*");
        assert!(ok.refused_message.contains("https://models.example"));
        assert_eq!(
            check_settings(url, "m", false, Some("https://models.example"))
                .unwrap()
                .origin,
            "https://models.example"
        );
        let cases = [
            (url, "", true, None, "Name the model"),
            (url, "m", false, None, "Enter the key"),
            (
                url,
                "m",
                false,
                Some("https://other.example"),
                "never sent to this one",
            ),
            ("ftp://models.example/x", "m", true, None, "https://"),
        ];
        for (url, model, typed, origin, want) in cases {
            let error = check_settings(url, model, typed, origin).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput);
            assert!(error.message().contains(want), "{}", error.message());
        }
    }

    #[test]
    fn the_form_is_told_whether_there_is_a_key_never_the_key() {
        let view = settings_view(Some(&saved(Some("sk-123"))), true);
        assert!(view.configured && view.has_key && view.allowed);
        assert!(!serde_json::to_string(&view).unwrap().contains("sk-123"));
        assert!(settings_view(Some(&saved(Some("sk-1"))), false)
            .status
            .contains("no longer allows"));
        assert!(!settings_view(None, false).configured);
    }

    /// How long a page waits for a slow request (`SLOW_REPLY_TIMEOUT_MS` in messages.js).
    const PAGE_WAITS_MS: u64 = 10 * 60_000;

    #[test]
    fn a_whole_round_ends_before_the_page_stops_waiting() {
        assert!(SUGGEST_AT_MOST as u64 * u64::from(ANSWER_TIMEOUT_MS) < PAGE_WAITS_MS);
    }

    #[test]
    fn a_batch_needs_a_key_and_at_most_ten_products() {
        assert!(check_batch(Some(&saved(Some("k"))), 10).is_ok());
        for (saved, n, want) in [
            (None, 1, "Set up"),
            (Some(saved(Some(""))), 1, "Set up"),
            (Some(saved(Some("k"))), 0, "Select"),
            (Some(saved(Some("k"))), 11, "at most 10"),
        ] {
            let error = check_batch(saved.as_ref(), n).unwrap_err();
            assert!(error.message().contains(want), "{}", error.message());
        }
    }

    #[test]
    fn failures_name_the_origin_and_a_missing_permission_sends_nothing() {
        let error = AiFailure::Permission.error("http://localhost:8080");
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(error.message().contains("http://localhost:8080"));
        assert_eq!(AiFailure::Timeout.error("x").kind(), ErrorKind::Network);
        assert_eq!(AiFailure::Stopped.error("x").kind(), ErrorKind::Stopped);
    }
}
