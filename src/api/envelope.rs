//! The one place where Gumroad's answers are judged. Gumroad answers in several shapes
//! (contract §1.3, §1.4, §4): `200 {"success":true, …}`; `200 {"success":false,
//! "message":…}` for "not found" and refusals; `400 {"status":400,"error":…}`; `401` with
//! an empty body (reason only in `WWW-Authenticate`) or Doorkeeper's JSON
//! `{error, error_description}`; `403` with an empty body; `429` as `text/plain` "Retry
//! later" without `Retry-After`; `5xx` pages in HTML. [`decode`] turns each into the
//! expected value or an [`Error`] of the right kind. It does no I/O and must not copy an
//! answer into a message unbounded.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{clip, field_path, Error};
use crate::scopes::Feature;
use crate::transport::{Request, Response};

/// Longest piece of Gumroad's own text that goes into a message, in characters.
const MAX_QUOTED_CHARS: usize = 300;

/// Decodes the answer to `request` into `T`, the shape of a successful body (e.g.
/// `struct { products: Vec<Product>, next_page_key: Option<String> }`), or explains why it
/// cannot. `needs` names the feature whose scopes the endpoint requires, for the 403
/// message. Every error carries the status and the endpoint; [`Error::may_have_applied`]
/// follows from the request's method.
pub(crate) fn decode<T: DeserializeOwned>(
    request: &Request,
    needs: Option<Feature>,
    response: Response,
) -> Result<T, Error> {
    // Only reading the body depends on `T`; the rest is in functions that are not generic,
    // so the wasm module holds them once rather than once per answer type.
    let endpoint = format!("{} {}", request.method.as_str(), request.path);
    let outcome = match judge(&endpoint, needs, &response) {
        Ok(()) => read(&endpoint, &response.body),
        Err(error) => Err(error),
    };
    outcome.map_err(|error| located(error, request, response.status))
}

/// `Ok` for a success answer whose body is to be read; else the error the answer means.
fn judge(endpoint: &str, needs: Option<Feature>, response: &Response) -> Result<(), Error> {
    let status = response.status;
    match status {
        200..=299 => success(endpoint, response),
        401 => Err(unauthorized(response)),
        403 => Err(forbidden(response, needs)),
        404 => Err(not_found(endpoint, response)),
        429 => Err(Error::rate_limited()),
        400..=499 => Err(rejected(status, response)),
        500..=599 => Err(server(status, response)),
        _ => Err(Error::server(format!(
            "Gumroad gave an unexpected answer (HTTP {status})."
        ))),
    }
}

fn located(error: Error, request: &Request, status: u16) -> Error {
    error.with_status(status).at(request.method, &request.path)
}

/// The keys that tell the shapes apart. Values are kept loose: a hostile `"message": 5`
/// must not hide the status.
#[derive(Default, Deserialize)]
struct Probe {
    success: Option<Value>,
    message: Option<Value>,
    error: Option<Value>,
    error_description: Option<Value>,
}

impl Probe {
    /// The probe of a JSON body, or why the body is not JSON at all.
    fn read(body: &str) -> Result<Probe, serde_json::Error> {
        match serde_json::from_str::<Probe>(body) {
            // Valid JSON of another shape (an array, a string): nothing to probe.
            Err(error) if error.is_data() => Ok(Probe::default()),
            other => other,
        }
    }

    /// Gumroad's explanation in a body that may not be JSON at all.
    fn explanation_in(body: &str) -> Option<String> {
        Probe::read(body).ok()?.explanation()
    }

    /// Gumroad's explanation: `message` (success:false envelopes) or `error` (400s).
    fn explanation(&self) -> Option<String> {
        quoted(self.message.as_ref()).or_else(|| quoted(self.error.as_ref()))
    }
}

/// A 2xx answer: `Ok` when its body is an object that does not say `success: false`.
fn success(endpoint: &str, response: &Response) -> Result<(), Error> {
    let body = response.body.as_str();
    let probe =
        Probe::read(body).map_err(|error| Error::decode(unreadable(endpoint, response, &error)))?;
    // Every success answer is an object (contract §1.4); serde would fill a struct from an
    // array too, so a hostile `[[]]` would pass for an empty list.
    if !body.trim_start().starts_with('{') {
        return Err(Error::decode(format!(
            "Gumroad's answer to {endpoint} was not understood: it is not an object."
        )));
    }
    if probe.success == Some(Value::Bool(false)) {
        return Err(match probe.explanation() {
            Some(text) if is_not_found(&text) => Error::not_found(readable_not_found(&text)),
            Some(text) => Error::rejected(text),
            None => Error::rejected("Gumroad refused the request without saying why."),
        });
    }
    Ok(())
}

/// The body of a success answer as `T`; an error names the field that was wrong.
fn read<T: DeserializeOwned>(endpoint: &str, body: &str) -> Result<T, Error> {
    let mut deserializer = serde_json::Deserializer::from_str(body);
    let value = serde_path_to_error::deserialize::<_, T>(&mut deserializer)
        .map_err(|error| not_understood(endpoint, &error))?;
    deserializer.end().map_err(|_| trailing_data(endpoint))?;
    Ok(value)
}

fn not_understood(endpoint: &str, error: &serde_path_to_error::Error<serde_json::Error>) -> Error {
    let path = field_path(error.path());
    let reason = clip(&error.inner().to_string(), 200);
    Error::decode(if path == "." {
        format!("Gumroad's answer to {endpoint} was not understood: {reason}.")
    } else {
        format!("Gumroad's answer to {endpoint} was not understood at {path}: {reason}.")
    })
}

fn trailing_data(endpoint: &str) -> Error {
    Error::decode(format!("Gumroad's answer to {endpoint} has trailing data."))
}

fn unreadable(endpoint: &str, response: &Response, error: &serde_json::Error) -> String {
    let body = response.body.trim_start();
    let html = response
        .content_type
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains("html"))
        || body.starts_with('<');
    if body.is_empty() {
        format!("Gumroad's answer to {endpoint} was empty.")
    } else if html {
        format!("Gumroad answered {endpoint} with a web page instead of data.")
    } else {
        let reason = clip(&error.to_string(), 120);
        format!("Gumroad's answer to {endpoint} is cut off or not valid JSON ({reason}).")
    }
}

fn unauthorized(response: &Response) -> Error {
    let probe = Probe::read(&response.body).unwrap_or_default();
    let description = quoted(probe.error_description.as_ref()).or_else(|| {
        response
            .www_authenticate
            .as_deref()
            .and_then(|header| auth_param(header, "error_description"))
            .map(|text| clip(&text, MAX_QUOTED_CHARS))
            .filter(|text| !text.is_empty())
    });
    match description {
        Some(text) => Error::unauthorized(format!(
            "Gumroad rejected the access token ({}).",
            text.trim_end_matches('.')
        )),
        None => Error::unauthorized("Gumroad rejected the access token."),
    }
}

fn forbidden(response: &Response, needs: Option<Feature>) -> Error {
    // A few endpoints explain a 403 themselves ("Your account is not active.").
    if let Some(text) = Probe::explanation_in(&response.body) {
        return Error::forbidden(text);
    }
    match needs {
        Some(feature) => Error::forbidden(format!(
            "This token lacks the scope for this. {}",
            feature.explanation()
        )),
        None => Error::forbidden("This token lacks the scope Gumroad requires for this."),
    }
}

fn not_found(endpoint: &str, response: &Response) -> Error {
    match Probe::explanation_in(&response.body) {
        Some(text) if is_not_found(&text) => Error::not_found(readable_not_found(&text)),
        _ => Error::not_found(format!("Gumroad has nothing at {endpoint}.")),
    }
}

fn rejected(status: u16, response: &Response) -> Error {
    match Probe::explanation_in(&response.body) {
        Some(text) => Error::rejected(text),
        None => Error::rejected(format!("Gumroad refused the request (HTTP {status}).")),
    }
}

fn server(status: u16, response: &Response) -> Error {
    // Only a JSON explanation is quoted; an HTML error page is never copied.
    match Probe::explanation_in(&response.body) {
        Some(text) => Error::server(format!("Gumroad had a problem (HTTP {status}): {text}")),
        None => Error::server(format!("Gumroad had a problem answering (HTTP {status}).")),
    }
}

/// A string (or a list of strings, joined) from an answer, bounded.
fn quoted(value: Option<&Value>) -> Option<String> {
    let text = match value? {
        Value::String(text) => clip(text, MAX_QUOTED_CHARS),
        Value::Array(items) => {
            let parts: Vec<&str> = items.iter().filter_map(Value::as_str).take(10).collect();
            clip(&parts.join(" "), MAX_QUOTED_CHARS)
        }
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// Gumroad's "The <type> was not found." (and `e404_json`'s "Not found").
fn is_not_found(text: &str) -> bool {
    (text.starts_with("The ") && text.ends_with(" was not found.")) || text == "Not found"
}

/// "The offer_code was not found." → "The offer code was not found."
fn readable_not_found(text: &str) -> String {
    text.replace('_', " ")
}

/// The value of auth-param `name` in a `WWW-Authenticate` header
/// (`Bearer realm="Doorkeeper", error="invalid_token", error_description="…"`).
fn auth_param(header: &str, name: &str) -> Option<String> {
    let mut offset = 0;
    while let Some(found) = header[offset..].find(name) {
        let start = offset + found;
        let at_boundary = header[..start]
            .chars()
            .next_back()
            .is_none_or(|c| c == ' ' || c == ',');
        let rest = &header[start + name.len()..];
        offset = start + name.len();
        let Some(value) = rest.strip_prefix('=').filter(|_| at_boundary) else {
            continue;
        };
        let Some(quoted) = value.strip_prefix('"') else {
            return Some(value.split(',').next().unwrap_or("").trim().to_owned());
        };
        let mut out = String::new();
        let mut chars = quoted.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Some(out),
                '\\' => out.extend(chars.next()),
                _ => out.push(c),
            }
        }
        return Some(out);
    }
    None
}

// proptest is a native dev-dependency only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod prop_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Product, User};
    use crate::transport::Method;
    use crate::ErrorKind::{self, *};

    #[derive(Debug, Deserialize)]
    struct ProductsAnswer {
        products: Vec<Product>,
        #[serde(default)]
        next_page_key: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    struct UserAnswer {
        #[allow(dead_code)]
        user: User,
    }

    const JSON: &str = "application/json; charset=utf-8";
    const DOORKEEPER_401: &str = r#"Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token was revoked""#;

    fn answer(status: u16, content_type: &str, body: &str) -> Response {
        Response {
            status,
            content_type: (!content_type.is_empty()).then(|| content_type.to_owned()),
            www_authenticate: None,
            body: body.to_owned(),
        }
    }

    fn products_request(method: Method) -> Request {
        Request::new(method, "/v2/products")
    }

    struct Row {
        name: &'static str,
        method: Method,
        response: Response,
        kind: ErrorKind,
        status: u16,
        message: &'static str,
        may_have_applied: bool,
    }

    fn row(name: &'static str, response: Response, kind: ErrorKind, message: &'static str) -> Row {
        Row {
            name,
            method: Method::Get,
            status: response.status,
            response,
            kind,
            message,
            may_have_applied: false,
        }
    }

    fn write(mut row: Row, method: Method, may_have_applied: bool) -> Row {
        row.method = method;
        row.may_have_applied = may_have_applied;
        row
    }

    #[test]
    fn success_with_named_field_decodes() {
        let body = r#"{"success":true,"products":[{"id":"p1","name":"A","price":100,
            "currency":"usd","unknown":[1,2]}],"next_page_key":"k2","next_page_url":"/v2/products?page_key=k2"}"#;
        let page: ProductsAnswer = decode(
            &products_request(Method::Get),
            None,
            answer(200, JSON, body),
        )
        .unwrap();
        assert_eq!(page.products.len(), 1);
        assert_eq!(page.next_page_key.as_deref(), Some("k2"));
        // Doorkeeper's token info has no `success` key at all.
        let user: Result<UserAnswer, _> = decode(
            &Request::get("/v2/user"),
            None,
            answer(200, JSON, r#"{"user":{}}"#),
        );
        assert!(user.is_ok());
    }

    #[test]
    fn every_failure_shape_maps_to_its_kind() {
        let huge = format!(
            r#"{{"success":false,"message":"{}"}}"#,
            "x".repeat(5 * 1024 * 1024)
        );
        let html = "<!DOCTYPE html><html><head><title>We're sorry, but something went wrong (500)</title></head><body>secret stack</body></html>";
        let mut www_only = answer(401, "", "");
        www_only.www_authenticate = Some(DOORKEEPER_401.to_owned());
        let rows = [
            row("200 success:false not found",
                answer(200, JSON, r#"{"success":false,"message":"The product was not found."}"#),
                NotFound, "The product was not found."),
            row("200 success:false not found, snake type",
                answer(200, JSON, r#"{"success":false,"message":"The offer_code was not found."}"#),
                NotFound, "The offer code was not found."),
            write(row("200 success:false refusal",
                answer(200, JSON, r#"{"success":false,"message":"Discount code must be unique."}"#),
                Rejected, "Discount code must be unique."), Method::Post, false),
            row("200 success:false without message",
                answer(200, JSON, r#"{"success":false}"#), Rejected, "without saying why"),
            row("200 success:false with a 5 MB message", answer(200, JSON, &huge), Rejected, "xxxxx…"),
            row("400 status+error",
                answer(400, JSON, r#"{"status":400,"error":"Invalid page_key."}"#),
                Rejected, "Invalid page_key."),
            row("400 not JSON", answer(400, "text/plain", "Bad Request"), Rejected, "HTTP 400"),
            row("401 empty body, reason in WWW-Authenticate", www_only,
                Unauthorized, "Gumroad rejected the access token (The access token was revoked)."),
            row("401 Doorkeeper JSON",
                answer(401, JSON, r#"{"error":"invalid_token","error_description":"The access token is invalid"}"#),
                Unauthorized, "Gumroad rejected the access token (The access token is invalid)."),
            row("401 empty everything", answer(401, "", ""), Unauthorized, "Gumroad rejected the access token."),
            row("403 empty body", answer(403, "", ""), Forbidden, "This token lacks the scope"),
            row("403 with message",
                answer(403, JSON, r#"{"success":false,"message":"Your account is not active."}"#),
                Forbidden, "Your account is not active."),
            row("404 JSON", answer(404, JSON, r#"{"success":false,"error":"Not found"}"#), NotFound, "Not found"),
            row("404 HTML", answer(404, "text/html", html), NotFound, "Gumroad has nothing at GET /v2/products."),
            row("429 text/plain", answer(429, "text/plain", "Retry later\n"), RateLimited, "Wait a moment"),
            write(row("429 on a write", answer(429, "text/plain", "Retry later\n"), RateLimited, "Wait"),
                Method::Post, false),
            row("500 HTML page", answer(500, "text/html", html), Server, "Gumroad had a problem answering (HTTP 500)."),
            write(row("502 on a write", answer(502, "text/html", html), Server, "HTTP 502"), Method::Put, true),
            row("500 JSON message",
                answer(500, JSON, r#"{"success":false,"message":"The 'product_id' parameter is required."}"#),
                Server, "(HTTP 500): The 'product_id' parameter is required."),
            row("302 redirect", answer(302, "text/html", ""), Server, "unexpected answer (HTTP 302)"),
            row("409 other 4xx", answer(409, "", ""), Rejected, "HTTP 409"),
            row("200 truncated JSON",
                answer(200, JSON, r#"{"success":true,"products":[{"id":"p1","name":"A","pri"#),
                Decode, "cut off or not valid JSON"),
            row("200 HTML", answer(200, "text/html; charset=utf-8", html), Decode, "a web page instead of data"),
            row("200 HTML without content type", answer(200, "", "<html>oops</html>"), Decode, "web page"),
            row("200 empty body", answer(200, JSON, ""), Decode, "was empty"),
            row("200 wrong type names the path",
                answer(200, JSON, r#"{"success":true,"products":[{"id":"p1","price":100,"currency":"usd"},{"id":"p2","price":"12","currency":"usd"}]}"#),
                Decode, "GET /v2/products was not understood at products[1].price: invalid type: string \"12\", expected i64"),
            row("200 missing products key",
                answer(200, JSON, r#"{"success":true,"items":[]}"#),
                Decode, "missing field `products`"),
            row("200 missing required product field",
                answer(200, JSON, r#"{"success":true,"products":[{"id":"p1","currency":"usd"}]}"#),
                Decode, "missing field `price`"),
            row("200 top-level array", answer(200, JSON, "[]"), Decode, "not understood"),
            row("200 array that would fill the struct", answer(200, JSON, "[[]]"), Decode, "not an object"),
            row("200 trailing data",
                answer(200, JSON, r#"{"success":true,"products":[]} {"#), Decode, "trailing characters"),
            write(row("200 undecodable answer to a write", answer(200, JSON, "{\"success\":tr"), Decode, "cut off"),
                Method::Post, true),
            write(row("200 refusal of a delete",
                answer(200, JSON, r#"{"success":false,"message":"This discount code is currently set as the default discount for one or more active or archived products. Please remove it from all products before deleting."}"#),
                Rejected, "default discount"), Method::Delete, false),
        ];
        for case in rows {
            let request = products_request(case.method);
            let error =
                decode::<ProductsAnswer>(&request, Some(Feature::ReadProducts), case.response)
                    .expect_err(case.name);
            assert_eq!(error.kind(), case.kind, "{}: {error}", case.name);
            assert_eq!(error.status(), Some(case.status), "{}", case.name);
            assert!(
                error.message().contains(case.message),
                "{}: {error}",
                case.name
            );
            assert!(
                error.message().chars().count() <= crate::error::MAX_MESSAGE_CHARS + 1,
                "{}",
                case.name
            );
            assert!(
                !error.message().contains("<html") && !error.message().contains("secret stack"),
                "{}",
                case.name
            );
            assert_eq!(
                error.may_have_applied(),
                case.may_have_applied,
                "{}",
                case.name
            );
            let expected_endpoint = format!("{} /v2/products", case.method.as_str());
            assert_eq!(
                error.endpoint(),
                Some(expected_endpoint.as_str()),
                "{}",
                case.name
            );
        }
    }

    #[test]
    fn forbidden_names_the_scopes_the_feature_needs() {
        let error = decode::<ProductsAnswer>(
            &Request::put("/v2/products/p1"),
            Some(Feature::EditProducts),
            answer(403, "", ""),
        )
        .unwrap_err();
        assert_eq!(
            error.message(),
            "This token lacks the scope for this. Changing prices and discount codes needs the edit_products or account scope."
        );
        assert!(!error.may_have_applied());
    }

    #[test]
    fn hostile_explanations_are_bounded() {
        let huge_error = format!(r#"{{"status":400,"error":"{}"}}"#, "e".repeat(5_000_000));
        let huge_type = format!(
            r#"{{"success":true,"products":[{{"id":"p","currency":"usd","price":"{}"}}]}}"#,
            "9".repeat(5_000_000)
        );
        let mut huge_header = answer(401, "", "");
        huge_header.www_authenticate = Some(format!(
            r#"Bearer error_description="{}""#,
            "d".repeat(1_000_000)
        ));
        for response in [
            answer(400, JSON, &huge_error),
            answer(200, JSON, &huge_type),
            huge_header,
        ] {
            let error = decode::<ProductsAnswer>(&products_request(Method::Get), None, response)
                .unwrap_err();
            assert!(
                error.message().chars().count() <= 501,
                "{}",
                error.message().len()
            );
        }
    }

    #[test]
    fn www_authenticate_params() {
        let rows = [
            (
                DOORKEEPER_401,
                "error_description",
                Some("The access token was revoked"),
            ),
            (DOORKEEPER_401, "error", Some("invalid_token")),
            (DOORKEEPER_401, "realm", Some("Doorkeeper")),
            (
                r#"Bearer error_description="say \"hi\"""#,
                "error_description",
                Some(r#"say "hi""#),
            ),
            (
                "Bearer error=invalid_token, x=1",
                "error",
                Some("invalid_token"),
            ),
            (r#"Bearer realm="Doorkeeper""#, "error_description", None),
            (
                r#"Bearer error_description="unterminated"#,
                "error_description",
                Some("unterminated"),
            ),
        ];
        for (header, name, expected) in rows {
            assert_eq!(
                auth_param(header, name).as_deref(),
                expected,
                "{header} {name}"
            );
        }
    }
}
