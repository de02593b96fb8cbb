//! Build-time configuration: the API origin. Nothing here is a runtime setting, and nothing
//! here reads storage or the environment at run time.

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
    }
}
