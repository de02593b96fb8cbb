//! The seller's access token. [`AccessToken`] validates what was pasted and never prints
//! it: `Debug` and `Display` are redacted, there is no `Serialize`, and only a transport
//! reads the value (for the `Authorization` header). Nothing here stores the token.
//!
//! [`Renew`]: where a fresh token comes from when Gumroad refuses the current one (a
//! signed-in account's refresh; the service worker implements it, per account).

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::error::Error;

/// What [`Renew::renew`] returns: a boxed future, so a client can hold any renewer.
pub type Renewal<'a> = Pin<Box<dyn Future<Output = Result<Option<AccessToken>, Error>> + 'a>>;

/// A source of fresh access tokens for one account. The API client asks it at most once per
/// request, after Gumroad refused that request with 401 (see `api::GumroadClient`).
///
/// Requests in flight together may meet the 401 together and each ask: an implementation
/// renews once for all of them (single-flight) and hands every caller the same new token.
pub trait Renew {
    /// A token to use instead of `stale` (the one Gumroad refused): `Ok(None)` when there is
    /// none (the seller must sign in again); `Err` when renewing failed for a reason the
    /// caller should see instead (no connection, the account was disconnected…).
    fn renew<'a>(&'a self, stale: &'a AccessToken) -> Renewal<'a>;
}

/// Longest value accepted. Gumroad tokens are 43 characters (URL-safe base64); anything far
/// longer is a paste accident, not a token.
const MAX_TOKEN_LEN: usize = 512;

/// A Gumroad OAuth access token, checked for shape (not validity: only Gumroad knows that).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Trims surrounding whitespace and refuses anything a token can never be. Error
    /// messages never repeat the value.
    pub fn parse(pasted: &str) -> Result<AccessToken, Error> {
        let token = pasted.trim();
        if token.is_empty() {
            return Err(Error::invalid_input("Paste your Gumroad access token."));
        }
        if token.chars().any(char::is_whitespace) {
            return Err(Error::invalid_input(
                "The access token must not contain spaces or line breaks. \
                 Copy it again from Gumroad and paste only the token.",
            ));
        }
        if !token.chars().all(|c| c.is_ascii_graphic()) {
            return Err(Error::invalid_input(
                "The access token contains characters a Gumroad token never has \
                 (only letters, digits and punctuation). Copy it again from Gumroad.",
            ));
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(Error::invalid_input(
                "That is far too long to be a Gumroad access token. Copy only the token.",
            ));
        }
        Ok(AccessToken(token.to_owned()))
    }

    /// The raw value, for the transport's `Authorization: Bearer` header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(…redacted…)")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(…redacted…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const TOKEN: &str = "oljO5HmcOWvCZ5wbitpXPXk3u0LjAb5GdAEBBU5hwKA";

    #[test]
    fn parse_trims_and_accepts_token_shapes() {
        let rows = [
            (TOKEN, TOKEN),
            ("  abc-DEF_123  ", "abc-DEF_123"),
            ("\tabc\r\n", "abc"),
            ("a.b~c+d/e=", "a.b~c+d/e="),
        ];
        for (pasted, expected) in rows {
            assert_eq!(AccessToken::parse(pasted).unwrap().expose(), expected);
        }
    }

    #[test]
    fn parse_refuses_without_echoing_the_value() {
        let rows = [
            ("", "Paste your Gumroad access token."),
            ("   \n ", "Paste your Gumroad access token."),
            ("Bearer secretvalue", "spaces"),
            ("secret\nvalue", "spaces"),
            ("secret\u{0}value", "characters"),
            ("secretvalué", "characters"),
            ("secret\u{200b}value", "characters"),
        ];
        for (pasted, needle) in rows {
            let error = AccessToken::parse(pasted).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "{pasted:?}");
            assert!(error.message().contains(needle), "{pasted:?}: {error}");
            for rendered in [error.to_string(), format!("{error:?}")] {
                assert!(!rendered.contains("secret"), "{rendered}");
            }
        }
        let long = "x".repeat(MAX_TOKEN_LEN + 1);
        let error = AccessToken::parse(&long).unwrap_err();
        assert!(!error.to_string().contains(&long[..20]));
    }

    #[test]
    fn debug_and_display_are_redacted() {
        let token = AccessToken::parse(TOKEN).unwrap();
        for rendered in [
            format!("{token}"),
            format!("{token:?}"),
            format!("{token:#?}"),
            format!("{:?}", Some(&token)),
        ] {
            assert!(!rendered.contains(TOKEN), "{rendered}");
            assert!(rendered.contains("redacted"), "{rendered}");
        }
    }
}
