//! PKCE (RFC 7636) with S256, and the `state` of a sign-in, from random bytes the caller
//! draws: the verifier is base64url (no padding) of 32 random bytes — 43 characters, the
//! RFC's recommendation — and the challenge is base64url of its SHA-256.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Random bytes behind a verifier, and behind a state.
pub const RANDOM_BYTES: usize = 32;

/// The only challenge method Bulkroad sends.
pub const CHALLENGE_METHOD: &str = "S256";

/// A sign-in's PKCE pair. The verifier stays with the worker until the code exchange; only
/// the challenge goes into the consent page's address. `Debug` hides the verifier.
#[derive(Clone, PartialEq, Eq)]
pub struct Pkce {
    verifier: String,
    challenge: String,
}

impl Pkce {
    /// The pair for 32 random bytes.
    pub fn from_random(bytes: &[u8; RANDOM_BYTES]) -> Pkce {
        let verifier = base64url(bytes);
        let challenge = base64url(&Sha256::digest(verifier.as_bytes()));
        Pkce {
            verifier,
            challenge,
        }
    }

    /// `code_verifier`, for the code exchange only.
    pub fn verifier(&self) -> &str {
        &self.verifier
    }

    /// `code_challenge`, for the consent page's address.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &"…redacted…")
            .field("challenge", &self.challenge)
            .finish()
    }
}

/// The `state` of a sign-in for 32 random bytes (43 characters): Gumroad sends it back, and
/// an answer without it came from a sign-in Bulkroad did not start.
pub fn state_from_random(bytes: &[u8; RANDOM_BYTES]) -> String {
    base64url(bytes)
}

/// True when `verifier` has RFC 7636's shape: 43 to 128 of `A-Z a-z 0-9 - . _ ~`.
pub fn is_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636, appendix B.
    const RFC_BYTES: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];

    #[test]
    fn the_rfc_7636_example() {
        let pkce = Pkce::from_random(&RFC_BYTES);
        assert_eq!(
            pkce.verifier(),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
        assert_eq!(
            pkce.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(is_verifier(pkce.verifier()));
    }

    #[test]
    fn verifier_and_state_are_43_url_safe_characters() {
        for fill in [0u8, 0xff, 0x3e, 0x3f] {
            let bytes = [fill; RANDOM_BYTES];
            for value in [
                Pkce::from_random(&bytes).verifier,
                state_from_random(&bytes),
            ] {
                assert_eq!(value.len(), 43, "{value}");
                assert!(is_verifier(&value), "{value}");
            }
        }
    }

    #[test]
    fn verifier_shape() {
        let ok = "a".repeat(43);
        assert!(is_verifier(&ok));
        assert!(is_verifier(&"-._~9Z".repeat(22)[..128]));
        for bad in [
            "a".repeat(42),
            "a".repeat(129),
            format!("{}+", "a".repeat(43)),
            format!("{} ", "a".repeat(43)),
        ] {
            assert!(!is_verifier(&bad), "{bad}");
        }
    }

    #[test]
    fn debug_hides_the_verifier() {
        let pkce = Pkce::from_random(&RFC_BYTES);
        let shown = format!("{pkce:?}");
        assert!(!shown.contains(pkce.verifier()), "{shown}");
        assert!(shown.contains(pkce.challenge()), "{shown}");
    }
}
