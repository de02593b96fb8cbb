//! Build-time configuration: the API origin, the sign-in origin and the Gumroad application
//! id. Nothing here is a runtime setting, and nothing here reads storage or the environment
//! at run time.

/// The origin every request goes to: `https://api.gumroad.com`, or the value of
/// `GUMROAD_API_BASE_URL` when the crate was compiled (a sandbox build, e.g.
/// `http://127.0.0.1:8787`). Paths (`/v2/...`, `/oauth/...`) are appended to it, so it must
/// be a bare origin without a trailing slash; `build.sh` checks that before building, and
/// the assertion below refuses to compile anything else when cargo is run directly.
pub const API_BASE_URL: &str = match option_env!("GUMROAD_API_BASE_URL") {
    Some(origin) => origin,
    None => "https://api.gumroad.com",
};

const _: () = assert!(
    is_bare_origin(API_BASE_URL),
    "GUMROAD_API_BASE_URL must be a bare origin such as http://127.0.0.1:8787 or https://host \
     (https, or plain http for 127.0.0.1/localhost; no path, query or trailing slash)"
);

/// The origin of Gumroad's consent page (`/oauth/authorize`), where "Sign in with Gumroad"
/// opens: `https://app.gumroad.com` (contract additions §1), or `GUMROAD_AUTHORIZE_BASE_URL`
/// when the crate was compiled. A build for another API origin (a sandbox build) that names
/// no sign-in origin signs in at its API origin. The token and revocation endpoints are on
/// [`API_BASE_URL`] (`/oauth/token`, `/oauth/revoke`): Gumroad sends CORS headers only there.
pub const AUTHORIZE_BASE_URL: &str = authorize_origin(
    option_env!("GUMROAD_AUTHORIZE_BASE_URL"),
    option_env!("GUMROAD_API_BASE_URL"),
);

const _: () = assert!(
    is_bare_origin(AUTHORIZE_BASE_URL),
    "GUMROAD_AUTHORIZE_BASE_URL must be a bare origin such as http://127.0.0.1:8787 or \
     https://host (https, or plain http for 127.0.0.1/localhost; no path, query or trailing slash)"
);

/// The release sign-in origin (what Gumroad's own CLI uses).
const RELEASE_AUTHORIZE_ORIGIN: &str = "https://app.gumroad.com";

/// The sign-in origin: the one named, else the API origin of a non-release build, else
/// Gumroad's.
const fn authorize_origin(named: Option<&'static str>, api: Option<&'static str>) -> &'static str {
    match (named, api) {
        (Some(origin), _) => origin,
        (None, Some(api)) => api,
        (None, None) => RELEASE_AUTHORIZE_ORIGIN,
    }
}

/// The Gumroad application id (OAuth `client_id`) "Sign in with Gumroad" uses: the value of
/// `GUMROAD_CLIENT_ID` when the crate was compiled, `None` when it was unset or empty (the
/// build then offers only a pasted token). It is public (the application is a public client,
/// contract additions §1): not a secret.
pub const CLIENT_ID: Option<&str> = client_id(option_env!("GUMROAD_CLIENT_ID"));

const _: () = assert!(
    match CLIENT_ID {
        Some(id) => is_client_id(id),
        None => true,
    },
    "GUMROAD_CLIENT_ID must be a Gumroad application id: letters, digits and punctuation, \
     no spaces, at most 200 characters"
);

const fn client_id(named: Option<&'static str>) -> Option<&'static str> {
    match named {
        Some(id) if !id.is_empty() => Some(id),
        _ => None,
    }
}

/// Longest application id accepted (Gumroad's are 43 characters).
pub const MAX_CLIENT_ID_LEN: usize = 200;

/// The shape of an application id: 1 to [`MAX_CLIENT_ID_LEN`] printable ASCII characters,
/// no spaces. Gumroad's are URL-safe base64 (43 characters).
pub const fn is_client_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_CLIENT_ID_LEN {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_graphic() {
            return false;
        }
        i += 1;
    }
    true
}

/// Same rule as `build.sh`'s `api_origin`: `https://host[:port]`, or plain `http` only for
/// the loopback host, so a typo cannot produce a build that sends the token somewhere odd.
const fn is_bare_origin(origin: &str) -> bool {
    let bytes = origin.as_bytes();
    let host_start = if starts_with(bytes, b"https://") {
        8
    } else if starts_with(bytes, b"http://127.0.0.1") || starts_with(bytes, b"http://localhost") {
        7
    } else {
        return false;
    };
    if bytes.len() == host_start {
        return false;
    }
    let mut i = host_start;
    let mut seen_colon = false;
    while i < bytes.len() {
        let b = bytes[i];
        let ok = if seen_colon {
            b.is_ascii_digit()
        } else if b == b':' {
            seen_colon = true;
            i + 1 < bytes.len()
        } else {
            b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
        };
        if !ok {
            return false;
        }
        i += 1;
    }
    // `http://127.0.0.1.evil.example` must not pass the loopback rule.
    if host_start == 7 {
        let host_len = 9; // "127.0.0.1" and "localhost" are both 9 bytes
        if bytes.len() > host_start + host_len && bytes[host_start + host_len] != b':' {
            return false;
        }
    }
    true
}

const fn starts_with(bytes: &[u8], prefix: &[u8]) -> bool {
    if bytes.len() < prefix.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if bytes[i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_rule_matches_build_sh() {
        let rows = [
            ("https://api.gumroad.com", true),
            ("https://sandbox.example:8443", true),
            ("http://127.0.0.1:8787", true),
            ("http://localhost:3000", true),
            ("http://localhost", true),
            ("https://api.gumroad.com/", false),
            ("https://api.gumroad.com/v2", false),
            ("http://api.gumroad.com", false),
            ("http://127.0.0.1.evil.example", false),
            ("http://localhost:", false),
            ("https://", false),
            ("https://user@host", false),
            ("https://host?x=1", false),
            ("", false),
        ];
        for (origin, expected) in rows {
            assert_eq!(is_bare_origin(origin), expected, "{origin}");
        }
        assert!(is_bare_origin(API_BASE_URL));
        assert!(is_bare_origin(AUTHORIZE_BASE_URL));
    }

    #[test]
    fn sign_in_origin_is_gumroads_unless_the_build_names_another() {
        let sandbox = "http://127.0.0.1:8787";
        let rows = [
            (None, None, "https://app.gumroad.com"),
            (None, Some(sandbox), sandbox),
            (
                Some("https://auth.example"),
                Some(sandbox),
                "https://auth.example",
            ),
            (Some("https://auth.example"), None, "https://auth.example"),
        ];
        for (named, api, expected) in rows {
            assert_eq!(authorize_origin(named, api), expected, "{named:?} {api:?}");
        }
        // This build: the release pair, or a sandbox build signing in at its API origin.
        if option_env!("GUMROAD_AUTHORIZE_BASE_URL").is_none() {
            let expected = option_env!("GUMROAD_API_BASE_URL").unwrap_or("https://app.gumroad.com");
            assert_eq!(AUTHORIZE_BASE_URL, expected);
        }
    }

    #[test]
    fn client_id_is_absent_when_unset_or_empty() {
        assert_eq!(client_id(None), None);
        assert_eq!(client_id(Some("")), None);
        assert_eq!(client_id(Some("abc")), Some("abc"));
        let rows = [
            ("oljO5HmcOWvCZ5wbitpXPXk3u0LjAb5GdAEBBU5hwKA", true),
            ("a", true),
            ("", false),
            ("two words", false),
            ("tab\there", false),
            ("é", false),
        ];
        for (id, expected) in rows {
            assert_eq!(is_client_id(id), expected, "{id:?}");
        }
        assert!(is_client_id(&"x".repeat(MAX_CLIENT_ID_LEN)));
        assert!(!is_client_id(&"x".repeat(MAX_CLIENT_ID_LEN + 1)));
    }
}
