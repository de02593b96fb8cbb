//! The API router: `/v2/…` (and the legacy `/api/v2/…`) plus `/oauth/token/info`.
//! (`/oauth/authorize`, `/oauth/token` and `/oauth/revoke` are the OAuth server's, in
//! `src/oauth`: they answer from the sandbox's grants, not from one store.)
//!
//! Handlers are plain functions over [`Ctx`] returning [`Outcome`]: `Err` carries an
//! early answer (401/403, not found), so `?` reads like Rails' `before_action`
//! chain. Adding a resource means a file here and a few arms in [`dispatch`].
//! Unknown routes answer 404 `{"success":false,"error":"Not found"}` (JSON, the
//! shape of Gumroad's `e404_json`).

mod catalog;
mod oauth;
mod offer_codes;
mod products;
pub(crate) mod sales;
pub(crate) mod subscribers;
mod summary;
mod user;
mod variants;

use crate::auth;
use crate::params::Params;
use crate::reply::Reply;
use crate::store::Store;
use crate::tokens::Bearer;

pub type Outcome = Result<Reply, Reply>;

/// One API request, already parsed, with the store locked for its whole duration.
pub struct Ctx<'a> {
    /// The request path as sent (percent-encoding intact), used for `next_page_url`.
    pub path: &'a str,
    /// The raw query string.
    pub query: &'a str,
    pub params: Params,
    /// The known token the request carries (of a store the sandbox serves), if any.
    pub token: Option<Bearer>,
    /// The store of that token (store 0 when there is none: nothing of it is shown then).
    pub store: &'a mut Store,
}

impl Ctx<'_> {
    /// The request's token if it passes `doorkeeper_authorize!(*accepted)` (a copy, so
    /// the handler may go on changing the store), else the 401/403.
    pub fn authorize(&self, accepted: &[&str]) -> Result<Bearer, Reply> {
        auth::authorize(self.token.as_ref(), accepted).cloned()
    }
}

/// An API request read before any store is chosen: the server picks the store by the
/// token, so the token has to be found first (header, then `access_token`, then
/// `bearer_token`, as Doorkeeper reads it).
pub struct ApiRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    /// `None` when the query or body does not parse: Rails answers 400 before anything.
    params: Option<Params>,
    /// The token as sent (from the header alone when the parameters do not parse).
    pub token: Option<String>,
}

impl<'a> ApiRequest<'a> {
    pub fn read(
        method: &'a str,
        path: &'a str,
        query: &'a str,
        body: &[u8],
        authorization: Option<&str>,
        content_type: Option<&str>,
    ) -> ApiRequest<'a> {
        let params = Params::parse(query, body, content_type).ok();
        let token = auth::token_from(authorization, params.as_ref().unwrap_or(&Params::default()));
        ApiRequest {
            method,
            path,
            query,
            params,
            token,
        }
    }
}

/// Whether a path is API traffic (logged, faulted, throttled) rather than inspection or noise.
pub fn is_api_path(path: &str) -> bool {
    path == "/v2"
        || path.starts_with("/v2/")
        || path == "/api/v2"
        || path.starts_with("/api/v2/")
        || path == "/oauth"
        || path.starts_with("/oauth/")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Path segments after the API prefix, decoded; Rails ignores a trailing slash and an
/// optional `.json` format suffix.
fn segments(rest: &str) -> Vec<String> {
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".json").unwrap_or(rest);
    rest.split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect()
}

/// Answers one API request from `store`, the store of `token` (the request's token if
/// the sandbox knows it). Parameters that failed to parse → Rails' 400 before anything else.
pub fn handle(store: &mut Store, request: ApiRequest, token: Option<Bearer>) -> Reply {
    let ApiRequest {
        method,
        path,
        query,
        params,
        ..
    } = request;
    let Some(params) = params else {
        return Reply::error_400("Invalid request.");
    };
    let mut ctx = Ctx {
        path,
        query,
        params,
        token,
        store,
    };
    let outcome = if let Some(rest) = path.strip_prefix("/oauth/") {
        let segs = segments(rest);
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        match (method, segs.as_slice()) {
            ("GET", ["token", "info"]) => oauth::token_info(&mut ctx),
            _ => Ok(Reply::not_found_route()),
        }
    } else {
        let rest = path
            .strip_prefix("/api/v2")
            .or_else(|| path.strip_prefix("/v2"))
            .unwrap_or("");
        let segs = segments(rest);
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        dispatch(&mut ctx, method, &segs)
    };
    outcome.unwrap_or_else(|early| early)
}

fn dispatch(ctx: &mut Ctx, method: &str, segs: &[&str]) -> Outcome {
    match (method, segs) {
        ("GET", ["user"]) => user::show(ctx),
        ("GET", ["products"]) => products::index(ctx),
        // Before `products/:id`, as Rails draws collection routes before member routes.
        ("GET", ["products", "comps"]) => catalog::comps(ctx),
        ("GET", ["categories"]) => catalog::categories(ctx),
        ("GET", ["products", id]) => products::show(ctx, id),
        ("PUT" | "PATCH", ["products", id]) => products::update(ctx, id),
        ("DELETE", ["products", id]) => products::destroy(ctx, id),
        ("PUT", ["products", id, "enable"]) => products::enable(ctx, id),
        ("PUT", ["products", id, "disable"]) => products::disable(ctx, id),
        ("GET", ["products", product_id, "offer_codes"]) => offer_codes::index(ctx, product_id),
        ("POST", ["products", product_id, "offer_codes"]) => offer_codes::create(ctx, product_id),
        ("GET", ["products", product_id, "offer_codes", id]) => {
            offer_codes::show(ctx, product_id, id)
        }
        ("PUT" | "PATCH", ["products", product_id, "offer_codes", id]) => {
            offer_codes::update(ctx, product_id, id)
        }
        ("DELETE", ["products", product_id, "offer_codes", id]) => {
            offer_codes::destroy(ctx, product_id, id)
        }
        ("GET", ["products", product_id, "variant_categories"]) => {
            variants::categories(ctx, product_id)
        }
        ("GET", ["products", product_id, "variant_categories", category_id, "variants"]) => {
            variants::index(ctx, product_id, category_id)
        }
        ("GET", ["products", product_id, "variant_categories", category_id, "variants", id]) => {
            variants::show(ctx, product_id, category_id, id)
        }
        (
            "PUT" | "PATCH",
            ["products", product_id, "variant_categories", category_id, "variants", id],
        ) => variants::update(ctx, product_id, category_id, id),
        ("GET", ["products", product_id, "subscribers"]) => subscribers::index(ctx, product_id),
        ("GET", ["subscribers", id]) => subscribers::show(ctx, id),
        ("GET", ["sales"]) => sales::index(ctx),
        // Before `sales/:id`, as Rails draws collection routes before member routes.
        ("GET", ["sales", "summary"]) => summary::show(ctx),
        ("GET", ["sales", id]) => sales::show(ctx, id),
        _ => Ok(Reply::not_found_route()),
    }
}

/// `fetch_product`: the owner's products by external id or permalink, deleted ones included.
pub(crate) fn fetch_product(ctx: &Ctx, id: &str) -> Result<usize, Reply> {
    ctx.store
        .product_index(id)
        .ok_or_else(|| Reply::failure("The product was not found."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_decode_and_ignore_format_and_trailing_slash() {
        let cases = [
            ("/products", vec!["products"]),
            ("/products/", vec!["products"]),
            ("/products.json", vec!["products"]),
            (
                "/products/A-m3CDDC5dlrSdKZp0RFhA%3D%3D",
                vec!["products", "A-m3CDDC5dlrSdKZp0RFhA=="],
            ),
            (
                "/products/abc/offer_codes/x.json",
                vec!["products", "abc", "offer_codes", "x"],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(segments(input), want, "{input}");
        }
    }

    #[test]
    fn api_paths() {
        let cases = [
            ("/v2/products", true),
            ("/api/v2/user", true),
            ("/oauth/token/info", true),
            ("/__sandbox/state", false),
            ("/", false),
            ("/v20", false),
        ];
        for (p, want) in cases {
            assert_eq!(is_api_path(p), want, "{p}");
        }
    }
}
