//! Redirect URIs as Doorkeeper 5.7.1's `URIChecker` judges them (contract §3.3), and the
//! redirect that carries a code or an error back to the client (`URIBuilder.uri_with_query`).
//!
//! * Valid: parses as an absolute URI with a scheme (not `localhost:`), a host for http
//!   and https, no fragment, not opaque (`mailto:x`).
//! * Matching: scheme, user info, host, port and path equal (scheme and host compared
//!   case-insensitively, a default port equals no port). A registered URI with a query
//!   needs the very same query parameters (any order); otherwise the request's query is
//!   ignored. Loopback IP hosts (127.0.0.1, ::1, not `localhost`) ignore the port (RFC 8252).

use url::{Host, Url};

/// `URIChecker.valid?`.
pub fn valid(raw: &str) -> bool {
    let Ok(u) = Url::parse(raw) else {
        return false;
    };
    let hypertext = matches!(u.scheme(), "http" | "https");
    let hostless = hypertext && u.host_str().is_none_or(str::is_empty);
    let refused = u.scheme() == "localhost" || hostless || u.cannot_be_a_base();
    !refused && u.fragment().is_none()
}

fn loopback(u: &Url) -> bool {
    match u.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    }
}

/// The query's `&`-separated parts, sorted (`query_matches?` compares them so).
fn query_parts(u: &Url) -> Option<Vec<String>> {
    let mut parts: Vec<String> = u.query()?.split('&').map(str::to_string).collect();
    parts.sort();
    Some(parts)
}

/// `URIChecker.matches?`: whether the requested `url` is the registered `client_url`.
pub fn matches(url: &str, client_url: &str) -> bool {
    let (Ok(mut url), Ok(mut client)) = (Url::parse(url), Url::parse(client_url)) else {
        return false;
    };
    if client.query().is_some() {
        let blank = |u: &Url| u.query().is_none_or(str::is_empty);
        let same = (blank(&client) && blank(&url)) || query_parts(&url) == query_parts(&client);
        if !same {
            return false;
        }
        client.set_query(None);
    }
    if loopback(&url) && loopback(&client) {
        let _ = url.set_port(None);
        let _ = client.set_port(None);
    }
    url.set_query(None);
    url == client
}

/// `URIChecker.valid_for_authorization?`: valid, and matching one of the registered URIs.
pub fn valid_for_authorization<S: AsRef<str>>(url: &str, registered: &[S]) -> bool {
    valid(url) && registered.iter().any(|r| matches(url, r.as_ref()))
}

/// `redirect_uri` with `params` merged into its query (a parameter already there of the
/// same name is replaced; blank values are left out), form-encoded as Rack does (`+`
/// for spaces). `None` when `redirect_uri` does not parse.
pub fn with_query(redirect_uri: &str, params: &[(&str, &str)]) -> Option<String> {
    let mut u = Url::parse(redirect_uri).ok()?;
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| !params.iter().any(|(name, _)| name == k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(kept);
    for (k, v) in params.iter().filter(|(_, v)| !v.trim().is_empty()) {
        query.append_pair(k, v);
    }
    let query = query.finish();
    u.set_query((!query.is_empty()).then_some(query.as_str()));
    Some(u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity() {
        let cases = [
            ("https://abcdefghijklmnop.chromiumapp.org/gumroad", true),
            ("http://127.0.0.1:8123/callback", true),
            ("com.example.app:/oauth", true),
            ("urn:ietf:wg:oauth:2.0:oob", false),
            ("https://x.test/cb#frag", false),
            ("/relative", false),
            ("mailto:someone@example.com", false),
            ("localhost:3000", false),
            ("not a uri", false),
        ];
        for (raw, want) in cases {
            assert_eq!(valid(raw), want, "{raw}");
        }
    }

    #[test]
    fn matching_is_exact_on_scheme_host_port_and_path() {
        let registered = "https://abc.chromiumapp.org/gumroad";
        let cases = [
            ("https://abc.chromiumapp.org/gumroad", true),
            ("HTTPS://ABC.chromiumapp.org/gumroad", true),
            ("https://abc.chromiumapp.org:443/gumroad", true),
            ("https://abc.chromiumapp.org/gumroad?extra=1", true),
            ("https://abc.chromiumapp.org/gumroad/", false),
            ("https://abc.chromiumapp.org/Gumroad", false),
            ("http://abc.chromiumapp.org/gumroad", false),
            ("https://abc.chromiumapp.org:8443/gumroad", false),
            ("https://xyz.chromiumapp.org/gumroad", false),
            ("https://abc.chromiumapp.org/gumroad#x", false),
        ];
        for (url, want) in cases {
            assert_eq!(valid_for_authorization(url, &[registered]), want, "{url}");
        }
    }

    #[test]
    fn loopback_ignores_the_port_and_registered_queries_must_match() {
        assert!(matches("http://127.0.0.1:5555/cb", "http://127.0.0.1:1/cb"));
        assert!(matches("http://[::1]:5555/cb", "http://[::1]/cb"));
        assert!(!matches(
            "http://localhost:5555/cb",
            "http://localhost:1/cb"
        ));
        assert!(matches(
            "https://x.test/cb?b=2&a=1",
            "https://x.test/cb?a=1&b=2"
        ));
        assert!(!matches(
            "https://x.test/cb?a=1",
            "https://x.test/cb?a=1&b=2"
        ));
        assert!(!matches("https://x.test/cb", "https://x.test/cb?a=1"));
    }

    #[test]
    fn redirects_merge_the_query_and_drop_blank_values() {
        let cases = [
            (
                "https://abc.chromiumapp.org/gumroad",
                vec![("code", "c0de"), ("state", "s t&ate")],
                "https://abc.chromiumapp.org/gumroad?code=c0de&state=s+t%26ate",
            ),
            (
                "https://x.test/cb?keep=1&state=old",
                vec![("error", "access_denied"), ("state", "")],
                "https://x.test/cb?keep=1&error=access_denied",
            ),
        ];
        for (base, params, want) in cases {
            assert_eq!(with_query(base, &params).as_deref(), Some(want));
        }
    }
}
