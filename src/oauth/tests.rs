//! Sign in with Gumroad: the consent page's address, every way a sign-in can end, and the
//! token endpoint's answers over an in-memory transport.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use super::authorize::{
    BAD_CLIENT_ID, BAD_REDIRECT_URI, DENIED, ELSEWHERE, FORGED, NOT_RANDOM, NOT_STARTED,
    NO_CLIENT_ID, NO_CODE, START_RANDOM_BYTES,
};
use super::token::{
    TokenLife, BAD_VERIFIER, CODE_EXPIRED, NO_ACCESS_TOKEN, NO_CODE_TO_EXCHANGE, NO_REFRESH_TOKEN,
    REFRESH_REFUSED, UNKNOWN_CLIENT,
};
use super::*;
use crate::auth::AccessToken;
use crate::config::{API_BASE_URL, AUTHORIZE_BASE_URL};
use crate::error::{Error, ErrorKind};
use crate::http::{Method, Request, Response, TransportError};
use crate::transport::{StopFlag, Stoppable, Transport};

const CLIENT: &str = "oljO5HmcOWvCZ5wbitpXPXk3u0LjAb5GdAEBBU5hwKA";
const REDIRECT: &str = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/gumroad";
const STATE: &str = "c3RhdGVzdGF0ZXN0YXRlc3RhdGVzdGF0ZXN0YXRlc3Q";
const CODE: &str = "CODE_secret_0123456789abcdefghijklmnopqrstu";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const REFRESH: &str = "REFRESH_secret_0123456789abcdefghijklmnopqr";
const ACCESS: &str = "ACCESS_secret_0123456789abcdefghijklmnopqrs";
const NOW: i64 = 1_780_000_000;

/// 64 bytes: the RFC 7636 example's 32, then 32 for the state.
fn random() -> [u8; START_RANDOM_BYTES] {
    let rfc: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    let mut bytes = [0u8; START_RANDOM_BYTES];
    bytes[..32].copy_from_slice(&rfc);
    for (i, byte) in bytes[32..].iter_mut().enumerate() {
        *byte = i as u8;
    }
    bytes
}

#[test]
fn start_builds_the_consent_address_with_pkce_and_state() {
    let sign_in = start(CLIENT, REDIRECT, false, &random()).unwrap();
    assert_eq!(sign_in.verifier, VERIFIER);
    assert_eq!(sign_in.state, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
    assert_eq!(
        sign_in.authorize_url,
        format!(
            "{AUTHORIZE_BASE_URL}/oauth/authorize?client_id={CLIENT}\
             &redirect_uri=https%3A%2F%2Fabcdefghijklmnopabcdefghijklmnop.chromiumapp.org%2Fgumroad\
             &response_type=code&scope=view_profile+edit_products+view_sales\
             &state=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\
             &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
        )
    );
    assert!(!sign_in.authorize_url.contains(VERIFIER));
    assert!(!format!("{sign_in:?}").contains(VERIFIER));
    let read_only = start(CLIENT, REDIRECT, true, &random()).unwrap();
    assert!(read_only
        .authorize_url
        .contains("&scope=view_profile+view_sales&"));
}

#[test]
fn start_refuses_a_bad_application_id_address_or_randomness() {
    let mut zeros = random();
    zeros[32..].fill(0);
    let rows: [(&str, &str, [u8; 64], &str); 9] = [
        ("", REDIRECT, random(), NO_CLIENT_ID),
        ("  ", REDIRECT, random(), NO_CLIENT_ID),
        ("two words", REDIRECT, random(), BAD_CLIENT_ID),
        (CLIENT, "http://example.com/cb", random(), BAD_REDIRECT_URI),
        (
            CLIENT,
            "https://x.chromiumapp.org/cb#frag",
            random(),
            BAD_REDIRECT_URI,
        ),
        (CLIENT, "https:///path", random(), BAD_REDIRECT_URI),
        (
            CLIENT,
            "http://127.0.0.1:8787/callback",
            random(),
            BAD_REDIRECT_URI,
        ),
        (CLIENT, REDIRECT, [7; 64], NOT_RANDOM),
        (CLIENT, REDIRECT, zeros, NOT_RANDOM),
    ];
    for (client, redirect, bytes, message) in rows {
        let error = start(client, redirect, false, &bytes).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{client} {redirect}");
        assert_eq!(error.message(), message, "{client} {redirect}");
    }
    for redirect in ["https://h", "https://abc.chromiumapp.org/gumroad"] {
        assert!(
            start(CLIENT, redirect, false, &random()).is_ok(),
            "{redirect}"
        );
    }
}

fn callback(query: &str) -> Result<String, Error> {
    code_from_callback(&format!("{REDIRECT}{query}"), REDIRECT, STATE)
}

#[test]
fn the_end_of_a_sign_in_gives_its_code() {
    assert_eq!(
        callback(&format!("?code={CODE}&state={STATE}")).unwrap(),
        CODE
    );
    assert_eq!(
        callback(&format!("?state={STATE}&code=a%2Bb%3D#x")).unwrap(),
        "a+b="
    );
    // A redirect address with its own query.
    let with_query = format!("{REDIRECT}?account=2");
    assert_eq!(
        code_from_callback(
            &format!("{with_query}&code=abc&state={STATE}"),
            &with_query,
            STATE
        )
        .unwrap(),
        "abc"
    );
}

#[test]
fn every_other_end_of_a_sign_in_is_its_own_error() {
    let rows = [
        (format!("?error=access_denied&error_description=The+resource+owner+denied&state={STATE}"), ErrorKind::Denied, DENIED.to_owned()),
        (
            format!("?error=invalid_scope&error_description=The+requested+scope+is+invalid.&state={STATE}"),
            ErrorKind::Rejected,
            "Gumroad refused the permissions Bulkroad asked for, so Bulkroad was not connected. \
             Gumroad said: The requested scope is invalid."
                .to_owned(),
        ),
        (
            format!("?error=invalid_request&state={STATE}"),
            ErrorKind::Rejected,
            "Gumroad refused the sign-in, so Bulkroad was not connected. (Gumroad's error: invalid_request)".to_owned(),
        ),
        (
            format!("?error=temporarily_unavailable&state={STATE}"),
            ErrorKind::Server,
            "Gumroad could not finish the sign-in just now, so Bulkroad was not connected. Try again in a \
             moment. (Gumroad's error: temporarily_unavailable)"
                .to_owned(),
        ),
        (format!("?code={CODE}"), ErrorKind::InvalidInput, FORGED.to_owned()),
        (format!("?code={CODE}&state=other"), ErrorKind::InvalidInput, FORGED.to_owned()),
        (format!("?code={CODE}&state={STATE}&state={STATE}"), ErrorKind::InvalidInput, FORGED.to_owned()),
        // Even a denial must come from the sign-in Bulkroad started.
        ("?error=access_denied&error_description=Visit+evil.example".to_owned(), ErrorKind::InvalidInput, FORGED.to_owned()),
        (format!("?state={STATE}"), ErrorKind::InvalidInput, NO_CODE.to_owned()),
        (format!("?state={STATE}&code="), ErrorKind::InvalidInput, NO_CODE.to_owned()),
        (format!("?state={STATE}&code=a&code=b"), ErrorKind::InvalidInput, NO_CODE.to_owned()),
        (format!("?state={STATE}&code=a%20b"), ErrorKind::InvalidInput, NO_CODE.to_owned()),
    ];
    for (query, kind, message) in rows {
        let error = callback(&query).unwrap_err();
        assert_eq!(
            (error.kind(), error.message()),
            (kind, &*message),
            "{query}"
        );
        assert!(!error.message().contains(CODE));
    }
    for elsewhere in [
        format!("https://evil.example/gumroad?code={CODE}&state={STATE}"),
        format!("{REDIRECT}-evil?code={CODE}&state={STATE}"),
        format!("{REDIRECT}/more?code={CODE}&state={STATE}"),
        String::new(),
    ] {
        let error = code_from_callback(&elsewhere, REDIRECT, STATE).unwrap_err();
        assert_eq!(error.message(), ELSEWHERE, "{elsewhere}");
    }
    let error = code_from_callback(&format!("{REDIRECT}?code=a&state="), REDIRECT, "").unwrap_err();
    assert_eq!(error.message(), NOT_STARTED);
}

#[test]
fn gumroads_description_is_clipped_and_hides_a_code() {
    let long = "x".repeat(1000);
    let error = callback(&format!(
        "?error=server_error&error_description={long}&state={STATE}"
    ))
    .unwrap_err();
    assert!(error.message().chars().count() < 450, "{}", error.message());
    assert!(error.message().ends_with('…'));
    let error = callback(&format!(
        "?error=invalid_request&error_description=bad+{CODE}&code={CODE}&state={STATE}"
    ))
    .unwrap_err();
    assert!(!error.message().contains(CODE), "{}", error.message());
}

/// Answers queued in order; records every request with whether it carried a bearer.
#[derive(Default)]
struct FakeServer {
    answers: RefCell<VecDeque<Result<Response, TransportError>>>,
    sent: RefCell<Vec<(Request, bool)>>,
}

impl FakeServer {
    fn answering(status: u16, body: &str) -> Self {
        let server = FakeServer::default();
        server.answers.borrow_mut().push_back(Ok(Response {
            status,
            content_type: Some("application/json; charset=utf-8".into()),
            www_authenticate: None,
            body: body.into(),
        }));
        server
    }

    fn form(&self) -> Vec<(String, String)> {
        self.sent.borrow()[0].0.form.clone()
    }
}

impl Transport for FakeServer {
    async fn send(
        &self,
        request: &Request,
        bearer: Option<&AccessToken>,
    ) -> Result<Response, TransportError> {
        self.sent
            .borrow_mut()
            .push((request.clone(), bearer.is_some()));
        self.answers
            .borrow_mut()
            .pop_front()
            .expect("an answer was queued")
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

fn pairs(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

const GRANTED: &str = r#"{"access_token":"ACCESS_secret_0123456789abcdefghijklmnopqrs","token_type":"Bearer","refresh_token":"REFRESH_secret_0123456789abcdefghijklmnopqr","scope":"view_profile edit_products view_sales","created_at":1779990000}"#;

#[test]
fn a_code_is_exchanged_without_authorization_for_gumroads_token_set() {
    let server = FakeServer::answering(200, GRANTED);
    let set = block_on(exchange_code(
        &server, CLIENT, REDIRECT, CODE, VERIFIER, NOW,
    ))
    .unwrap();
    assert_eq!(
        set,
        TokenSet {
            access_token: ACCESS.into(),
            refresh_token: Some(REFRESH.into()),
            scope: vec![
                "view_profile".into(),
                "edit_products".into(),
                "view_sales".into()
            ],
            created_at: 1_779_990_000,
            expires_in: None,
        }
    );
    let (request, with_bearer) = server.sent.borrow()[0].clone();
    assert!(!with_bearer, "no Authorization header");
    assert_eq!(
        (request.method, request.path.as_str()),
        (Method::Post, "/oauth/token")
    );
    assert!(request.query.is_empty());
    assert_eq!(
        request.form,
        pairs(&[
            ("grant_type", "authorization_code"),
            ("code", CODE),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT),
            ("code_verifier", VERIFIER),
        ])
    );
    let shown = format!("{set:?}");
    assert!(
        !shown.contains(ACCESS) && !shown.contains(REFRESH),
        "{shown}"
    );
    assert_eq!(
        serde_json::to_value(&set).unwrap(),
        serde_json::json!({
            "accessToken": ACCESS, "refreshToken": REFRESH,
            "scope": ["view_profile", "edit_products", "view_sales"],
            "createdAt": 1_779_990_000, "expiresIn": null,
        })
    );
    assert!(API_BASE_URL.starts_with("http"));
}

#[test]
fn another_servers_token_set_with_expiry_and_without_created_at() {
    let body = r#"{"access_token":"abc.def-ghi","token_type":"bearer","expires_in":3600,"scope":["a b","c"]}"#;
    let server = FakeServer::answering(200, body);
    let set = block_on(refresh(&server, CLIENT, REFRESH, NOW)).unwrap();
    assert_eq!((set.created_at, set.expires_in), (NOW, Some(3600)));
    assert_eq!(set.refresh_token, None);
    assert_eq!(set.scope, ["a", "b", "c"]);
    assert_eq!(
        server.form(),
        pairs(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", REFRESH),
            ("client_id", CLIENT)
        ])
    );
    assert!(!server.sent.borrow()[0].1);
}

#[test]
fn a_token_is_revoked_without_authorization() {
    let server = FakeServer::answering(200, "{}");
    block_on(revoke(&server, CLIENT, ACCESS)).unwrap();
    let (request, with_bearer) = server.sent.borrow()[0].clone();
    assert!(!with_bearer);
    assert_eq!(request.path, "/oauth/revoke");
    assert_eq!(
        request.form,
        pairs(&[("token", ACCESS), ("client_id", CLIENT)])
    );
}

#[test]
fn every_refusal_of_the_token_endpoint_has_a_kind_and_a_sentence() {
    let rows: &[(u16, &str, ErrorKind, &str)] = &[
        (400, r#"{"error":"invalid_grant","error_description":"The provided authorization grant is invalid"}"#, ErrorKind::Unauthorized, CODE_EXPIRED),
        (401, r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#, ErrorKind::Rejected, UNKNOWN_CLIENT),
        (401, r#"{"error":"unauthorized_client"}"#, ErrorKind::Rejected, UNKNOWN_CLIENT),
        (400, r#"{"error":"invalid_request","error_description":"Missing code_verifier."}"#, ErrorKind::Rejected, "Gumroad refused the sign-in request as incomplete. Sign in again. Gumroad said: Missing code_verifier."),
        (400, r#"{"error":"invalid_scope","error_description":"The requested scope is invalid."}"#, ErrorKind::Rejected, "Gumroad refused the permissions Bulkroad asked for. Gumroad said: The requested scope is invalid."),
        (400, r#"{"error":"unsupported_grant_type"}"#, ErrorKind::Rejected, "Gumroad does not let this application sign in this way. (Gumroad's error: unsupported_grant_type)"),
        (400, r#"{"error":"Something Else!"}"#, ErrorKind::Rejected, "Gumroad refused the sign-in."),
        (200, r#"{"error":"invalid_grant"}"#, ErrorKind::Unauthorized, CODE_EXPIRED),
        (429, "Retry later\n", ErrorKind::RateLimited, "Gumroad is limiting how fast requests may be sent. Wait a moment and try again."),
        (502, "<html><body>Bad gateway</body></html>", ErrorKind::Server, "Gumroad's sign-in server had a problem (HTTP 502). Try again in a moment."),
        (400, "", ErrorKind::Rejected, "Gumroad's sign-in server refused the request without saying why (HTTP 400)."),
        (403, "<html>Forbidden</html>", ErrorKind::Rejected, "Gumroad's sign-in server refused the request without saying why (HTTP 403)."),
        (302, "", ErrorKind::Server, "Gumroad's sign-in server gave an answer Bulkroad cannot read (HTTP 302). Try again in a moment."),
        (200, "", ErrorKind::Decode, "Gumroad's sign-in server answered with nothing instead of a token."),
        (200, "<html>Sign in</html>", ErrorKind::Decode, "Gumroad's sign-in server answered with something that is not JSON instead of a token."),
        (200, r#"{"token_type":"Bearer"}"#, ErrorKind::Decode, NO_ACCESS_TOKEN),
        (200, r#"{"access_token":"abc","token_type":"mac"}"#, ErrorKind::Decode, NO_ACCESS_TOKEN),
        (200, r#"{"access_token":"has space"}"#, ErrorKind::Decode, NO_ACCESS_TOKEN),
    ];
    for (status, body, kind, message) in rows {
        let server = FakeServer::answering(*status, body);
        let error = block_on(exchange_code(
            &server, CLIENT, REDIRECT, CODE, VERIFIER, NOW,
        ))
        .unwrap_err();
        assert_eq!(
            (error.kind(), error.message()),
            (*kind, *message),
            "{status} {body}"
        );
        assert_eq!(error.status(), Some(*status), "{status} {body}");
        assert_eq!(error.endpoint(), Some("POST /oauth/token"));
    }
    let server = FakeServer::answering(400, r#"{"error":"invalid_grant"}"#);
    let error = block_on(refresh(&server, CLIENT, REFRESH, NOW)).unwrap_err();
    assert_eq!(
        (error.kind(), error.message()),
        (ErrorKind::Unauthorized, REFRESH_REFUSED)
    );
    let server = FakeServer::answering(
        403,
        r#"{"error":"unauthorized_client","error_description":"You are not authorized to revoke this token"}"#,
    );
    let error = block_on(revoke(&server, CLIENT, ACCESS)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Rejected);
    assert_eq!(error.endpoint(), Some("POST /oauth/revoke"));
    assert!(error
        .message()
        .starts_with("Gumroad would not let Bulkroad revoke this token"));
}

#[test]
fn no_refusal_echoes_a_code_a_verifier_or_a_token() {
    let echo = format!(
        r#"{{"error":"invalid_request","error_description":"got {CODE} {VERIFIER} {REFRESH} {ACCESS}"}}"#
    );
    let server = FakeServer::answering(400, &echo);
    let exchanged = block_on(exchange_code(
        &server, CLIENT, REDIRECT, CODE, VERIFIER, NOW,
    ))
    .unwrap_err();
    let server = FakeServer::answering(400, &echo);
    let refreshed = block_on(refresh(&server, CLIENT, REFRESH, NOW)).unwrap_err();
    let server = FakeServer::answering(400, &echo);
    let revoked = block_on(revoke(&server, CLIENT, ACCESS)).unwrap_err();
    for (error, secret) in [
        (exchanged, CODE),
        (exchanged_verifier(&echo), VERIFIER),
        (refreshed, REFRESH),
        (revoked, ACCESS),
    ] {
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains(secret), "{shown}");
            assert!(shown.contains("[hidden]"), "{shown}");
        }
    }
}

fn exchanged_verifier(echo: &str) -> Error {
    let server = FakeServer::answering(400, echo);
    block_on(exchange_code(
        &server, CLIENT, REDIRECT, CODE, VERIFIER, NOW,
    ))
    .unwrap_err()
}

#[test]
fn bad_arguments_are_refused_before_any_request() {
    let server = FakeServer::default();
    let rows = [
        block_on(exchange_code(&server, "", REDIRECT, CODE, VERIFIER, NOW)),
        block_on(exchange_code(
            &server, CLIENT, "ftp://x", CODE, VERIFIER, NOW,
        )),
        block_on(exchange_code(&server, CLIENT, REDIRECT, "", VERIFIER, NOW)),
        block_on(exchange_code(&server, CLIENT, REDIRECT, CODE, "short", NOW)),
        block_on(refresh(&server, CLIENT, " ", NOW)),
    ];
    let messages: Vec<String> = rows
        .into_iter()
        .map(|r| r.unwrap_err().message().to_owned())
        .collect();
    assert_eq!(
        messages,
        [
            NO_CLIENT_ID,
            BAD_REDIRECT_URI,
            NO_CODE_TO_EXCHANGE,
            BAD_VERIFIER,
            NO_REFRESH_TOKEN
        ]
    );
    assert!(block_on(revoke(&server, CLIENT, "")).is_err());
    assert!(server.sent.borrow().is_empty());
}

#[test]
fn a_lost_answer_may_have_used_the_code_and_a_stopped_account_sends_nothing() {
    let server = FakeServer::default();
    server
        .answers
        .borrow_mut()
        .push_back(Err(TransportError::Interrupted));
    let error = block_on(exchange_code(
        &server, CLIENT, REDIRECT, CODE, VERIFIER, NOW,
    ))
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Network);
    assert!(error.may_have_applied() && !error.retryable());

    let stop = StopFlag::new();
    stop.stop();
    let stopped = Stoppable::new(FakeServer::default(), stop);
    let error = block_on(refresh(&stopped, CLIENT, REFRESH, NOW)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Stopped);
    assert!(stopped.inner().sent.borrow().is_empty());
}

#[test]
fn a_token_needs_refresh_within_five_minutes_of_expiry_and_never_without_one() {
    let life = |expires_in| TokenLife {
        created_at: 1_000,
        expires_in,
    };
    let ms = |s: i64| s as f64 * 1000.0;
    let rows = [
        (life(None), ms(1_000_000_000), false),
        (life(Some(3600)), ms(1_000), false),
        (life(Some(3600)), ms(1_000 + 3600 - 301), false),
        (life(Some(3600)), ms(1_000 + 3600 - 300), true),
        (life(Some(3600)), ms(1_000 + 3600 + 10), true),
        (life(Some(0)), ms(1_000), true),
    ];
    for (life, now, expected) in rows {
        assert_eq!(token_needs_refresh(life, now), expected, "{life:?} {now}");
    }
}
