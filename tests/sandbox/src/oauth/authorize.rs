//! `GET /oauth/authorize` (the consent page), `POST /oauth/authorize` (approve) and
//! `DELETE /oauth/authorize` (deny), as Doorkeeper 5.7.1's `AuthorizationsController`
//! with Gumroad's `default_to_authorization_code` (contract §3.3).
//!
//! Checks, in Doorkeeper's order (`PreAuthorization`):
//! 1. `client_id` missing → `invalid_request`; unknown → `invalid_client`; `redirect_uri`
//!    missing or not registered → `invalid_redirect_uri`. Never redirected: `GET` shows
//!    the HTML error page ("An error has occurred", the description in a `<pre>`) with
//!    Doorkeeper's status (400, 401 for `invalid_client`, 400); `POST`/`DELETE` answer
//!    the same error as JSON `{"error", "error_description"}`, as Doorkeeper renders it.
//! 2. `response_type` other than `code` (missing means `code`) → `unsupported_response_type`;
//!    `scope` missing, or any scope not one an application may request →
//!    `invalid_scope`; a `code_challenge` whose `code_challenge_method` is not exactly
//!    `S256` or `plain` (missing included) → `invalid_code_challenge_method`. These are
//!    redirected: 302 to `redirect_uri?error=…&error_description=…&state=…`.
//!
//! The consent page stands in for Gumroad's login and consent: it names the application
//! and the scopes, has a select `store` labelled "Account" (one option per store served,
//! the store's name as text, its index as value, store 0 selected) and one form posting
//! to `/oauth/authorize` with the hidden fields `client_id`, `redirect_uri`, `state`,
//! `response_type`, `scope`, `code_challenge`, `code_challenge_method` and two buttons:
//! "Authorize" (`name="commit" value="Authorize"`) and "Deny" (`name="_method"
//! value="delete"`, Rails' method override: the form then counts as `DELETE`).
//! Approving (with `store`: the seller who signs in; store 0 without it) redirects to
//! `redirect_uri?code=…&state=…`, denying to
//! `redirect_uri?error=access_denied&error_description=…&state=…` (`state` only when
//! given). Both check the parameters again first (Doorkeeper's deny does not, and would
//! redirect anywhere); a `store` the sandbox does not serve is an HTML 400.

use serde_json::json;

use super::{parse_scopes, scopes_valid, uri, ChallengeMethod, OAuth, PUBLIC_SCOPES};
use crate::params::Params;
use crate::reply::Reply;
use crate::server::Shared;

const INVALID_CLIENT: &str = "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.";
const INVALID_REDIRECT_URI: &str =
    "The requested redirect uri is malformed or doesn't match client redirect URI.";
const UNSUPPORTED_RESPONSE_TYPE: &str =
    "The authorization server does not support this response type.";
const INVALID_SCOPE: &str = "The requested scope is invalid, unknown, or malformed.";
const INVALID_CODE_CHALLENGE_METHOD: &str = "The code challenge method must be plain or S256.";
pub const ACCESS_DENIED: &str = "The resource owner or authorization server denied the request.";

/// A request that passed every check: what the consent page shows and a code is granted for.
struct PreAuth {
    client_id: String,
    app_name: String,
    redirect_uri: String,
    state: String,
    scope: String,
    response_type: String,
    /// The raw values, echoed in the form.
    code_challenge: String,
    code_challenge_method: String,
    challenge: Option<(String, ChallengeMethod)>,
}

/// Why a request cannot be authorized.
enum Refusal {
    /// Not redirectable: shown to the user (HTML on `GET`, JSON otherwise).
    Shown {
        status: u16,
        error: &'static str,
        description: &'static str,
    },
    /// Redirected to the client with `error`, `error_description` and `state`.
    Redirected(Reply),
}

fn text(params: &Params, key: &str) -> String {
    params.string(key).unwrap_or_default()
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// 302 to `redirect_uri` with `params` merged into its query (Rails' `redirect_to`).
pub fn redirect(redirect_uri: &str, params: &[(&str, &str)]) -> Reply {
    let Some(location) = uri::with_query(redirect_uri, params) else {
        return shown_page(400, INVALID_REDIRECT_URI);
    };
    let body = format!(
        "<html><body>You are being <a href=\"{}\">redirected</a>.</body></html>",
        escape(&location)
    );
    Reply::text(302, "text/html; charset=utf-8", body)
        .with_header("location", location)
        .with_header("cache-control", "no-cache")
}

fn error_redirect(pre: &PreAuthTarget, error: &str, description: &str) -> Refusal {
    Refusal::Redirected(redirect(
        pre.redirect_uri,
        &[
            ("error", error),
            ("error_description", description),
            ("state", pre.state),
        ],
    ))
}

/// Where a redirected error goes once the redirect URI is known to be registered.
struct PreAuthTarget<'a> {
    redirect_uri: &'a str,
    state: &'a str,
}

fn pre_authorize(oauth: &OAuth, params: &Params) -> Result<PreAuth, Refusal> {
    let client_id = text(params, "client_id");
    if blank(&client_id) {
        return Err(Refusal::Shown {
            status: 400,
            error: "invalid_request",
            description: "Missing required parameter: client_id.",
        });
    }
    let Some(app) = oauth.app(&client_id) else {
        return Err(Refusal::Shown {
            status: 401,
            error: "invalid_client",
            description: INVALID_CLIENT,
        });
    };
    let redirect_uri = text(params, "redirect_uri");
    if blank(&redirect_uri) || !uri::valid_for_authorization(&redirect_uri, &app.redirect_uris) {
        return Err(Refusal::Shown {
            status: 400,
            error: "invalid_redirect_uri",
            description: INVALID_REDIRECT_URI,
        });
    }
    let state = text(params, "state");
    let target = PreAuthTarget {
        redirect_uri: &redirect_uri,
        state: &state,
    };
    let mut response_type = text(params, "response_type");
    if blank(&response_type) {
        response_type = "code".into();
    }
    if response_type != "code" {
        return Err(error_redirect(
            &target,
            "unsupported_response_type",
            UNSUPPORTED_RESPONSE_TYPE,
        ));
    }
    // Without `scope` Doorkeeper takes the default scope (view_public) the application
    // may not have: nothing is left, and nothing is invalid.
    let scope = text(params, "scope");
    if !scopes_valid(&scope, &PUBLIC_SCOPES) {
        return Err(error_redirect(&target, "invalid_scope", INVALID_SCOPE));
    }
    let code_challenge = text(params, "code_challenge");
    let code_challenge_method = text(params, "code_challenge_method");
    let challenge = if blank(&code_challenge) {
        None
    } else {
        match ChallengeMethod::parse(&code_challenge_method) {
            Some(method) => Some((code_challenge.clone(), method)),
            None => {
                return Err(error_redirect(
                    &target,
                    "invalid_code_challenge_method",
                    INVALID_CODE_CHALLENGE_METHOD,
                ))
            }
        }
    };
    Ok(PreAuth {
        client_id,
        app_name: app.name.clone(),
        redirect_uri,
        state,
        scope,
        response_type,
        code_challenge,
        code_challenge_method,
        challenge,
    })
}

/// Answers `GET`, `POST` and `DELETE /oauth/authorize` (a `POST` with `_method=delete`
/// is a `DELETE`). Approving and denying check the request again, as the page would
/// have: a denial never redirects where approving could not.
pub(crate) fn handle(
    shared: &Shared,
    method: &str,
    query: &str,
    body: &[u8],
    content_type: Option<&str>,
) -> Reply {
    let Ok(params) = Params::parse(query, body, content_type) else {
        return Reply::error_400("Invalid request.");
    };
    let deny = method == "DELETE"
        || (method == "POST"
            && params
                .string("_method")
                .is_some_and(|m| m.eq_ignore_ascii_case("delete")));
    let stores = shared.store_names();
    let mut oauth = shared.oauth();
    let pre = match pre_authorize(&oauth, &params) {
        Ok(pre) => pre,
        Err(Refusal::Redirected(reply)) => return reply,
        Err(Refusal::Shown {
            status,
            error,
            description,
        }) => {
            return if method == "GET" {
                shown_page(status, description)
            } else {
                Reply::json(
                    status,
                    &json!({"error": error, "error_description": description}),
                )
                .with_header("cache-control", "no-store, no-cache")
            };
        }
    };
    if method == "GET" {
        return consent_page(&pre, &stores);
    }
    if deny {
        return redirect(
            &pre.redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_description", ACCESS_DENIED),
                ("state", &pre.state),
            ],
        );
    }
    let store = match params.string("store") {
        None => 0,
        Some(raw) => match raw.trim().parse::<usize>() {
            Ok(n) if n < stores.len() => n,
            _ => return shown_page(400, "No such account in this sandbox."),
        },
    };
    let code = oauth.issue_code(
        &pre.client_id,
        store,
        &pre.redirect_uri,
        parse_scopes(&pre.scope),
        pre.challenge.clone(),
    );
    redirect(&pre.redirect_uri, &[("code", &code), ("state", &pre.state)])
}

/// HTML-escapes text and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(status: u16, title: &str, main: &str) -> Reply {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title} · Gumroad (sandbox)</title>\n</head>\n<body>\n\
         <header><h1>{title}</h1></header>\n<main role=\"main\">\n{main}</main>\n</body>\n</html>\n",
        title = escape(title),
    );
    Reply::text(status, "text/html; charset=utf-8", html)
        .with_header("cache-control", "no-store")
        .with_header("x-robots-tag", "noindex")
}

/// Doorkeeper's `authorizations/error` view.
fn shown_page(status: u16, description: &str) -> Reply {
    page(
        status,
        "An error has occurred",
        &format!("<pre>{}</pre>\n", escape(description)),
    )
}

/// Doorkeeper's `authorizations/new` view, with an account select in place of Gumroad's
/// login, and both buttons in one form.
fn consent_page(pre: &PreAuth, stores: &[String]) -> Reply {
    let scopes: String = parse_scopes(&pre.scope)
        .iter()
        .map(|s| format!("<li><code>{}</code></li>\n", escape(s)))
        .collect();
    let options: String = stores
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let selected = if i == 0 { " selected" } else { "" };
            format!(
                "<option value=\"{i}\"{selected}>{}</option>\n",
                escape(name)
            )
        })
        .collect();
    let hidden: String = [
        ("client_id", &pre.client_id),
        ("redirect_uri", &pre.redirect_uri),
        ("state", &pre.state),
        ("response_type", &pre.response_type),
        ("scope", &pre.scope),
        ("code_challenge", &pre.code_challenge),
        ("code_challenge_method", &pre.code_challenge_method),
    ]
    .iter()
    .map(|(name, value)| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
            escape(value)
        )
    })
    .collect();
    let main = format!(
        "<p>Authorize <strong>{app}</strong> to use your account?</p>\n\
         <p>This application will be able to:</p>\n<ul id=\"oauth-permissions\">\n{scopes}</ul>\n\
         <form action=\"/oauth/authorize\" method=\"post\">\n{hidden}\
         <fieldset>\n<legend>Sign in as</legend>\n<label for=\"store\">Account</label>\n\
         <select id=\"store\" name=\"store\">\n{options}</select>\n</fieldset>\n\
         <button type=\"submit\" name=\"commit\" value=\"Authorize\">Authorize</button>\n\
         <button type=\"submit\" name=\"_method\" value=\"delete\">Deny</button>\n</form>\n",
        app = escape(&pre.app_name),
    );
    page(200, "Authorization required", &main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
