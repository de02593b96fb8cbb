//! The Gumroad API client: [`GumroadClient`] over any [`Transport`], one file per Gumroad
//! resource. Endpoints build a [`Request`] and name the success shape; `envelope` judges
//! every answer. Nothing here knows how requests travel (fetch or reqwest), and nothing
//! here retries or paces: that is the bulk runner's policy, informed by
//! [`Error::retryable`] and [`Error::may_have_applied`]. No `JsValue` here.

mod envelope;
mod oauth;
mod offer_codes;
mod pagination;
mod products;
mod sales;
mod user;

pub use pagination::PageKeys;

use serde::de::DeserializeOwned;

use crate::auth::AccessToken;
use crate::error::Error;
use crate::scopes::Feature;
use crate::transport::{path_segment, Request, Response, Transport};

/// A client for one seller's token. Cheap to build: make one per call if that is simpler.
#[derive(Debug, Clone)]
pub struct GumroadClient<T: Transport> {
    transport: T,
    token: AccessToken,
}

impl<T: Transport> GumroadClient<T> {
    pub fn new(transport: T, token: AccessToken) -> Self {
        GumroadClient { transport, token }
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Sends `request` and decodes a successful answer as `A`. `needs` is the feature whose
    /// scopes the endpoint requires (for the 403 message).
    async fn call<A: DeserializeOwned>(
        &self,
        request: Request,
        needs: Option<Feature>,
    ) -> Result<A, Error> {
        let mut response = self
            .transport
            .send(&request, &self.token)
            .await
            .map_err(|error| Error::from_transport(error, request.method, &request.path))?;
        scrub(&mut response, self.token.expose());
        envelope::decode(&request, needs, response)
    }
}

/// Removes the token from an answer before anything reads it, so not even a server that
/// echoes the `Authorization` header can get it into a message, a report or the UI.
fn scrub(response: &mut Response, token: &str) {
    for text in [&mut response.body]
        .into_iter()
        .chain(response.www_authenticate.as_mut())
        .chain(response.content_type.as_mut())
    {
        if text.contains(token) {
            *text = text.replace(token, "[token]");
        }
    }
}

/// One path segment from an id; an empty id, `.` or `..` would silently address another
/// endpoint (`/v2/products/` is the list, `/v2/products/P/offer_codes/..` is the product).
fn id_segment(id: &str, what: &str) -> Result<String, Error> {
    if id.trim().is_empty() {
        return Err(Error::invalid_input(format!("A {what} id is missing.")));
    }
    match id.trim() {
        "." | ".." => None,
        _ => path_segment(id),
    }
    .ok_or_else(|| {
        Error::invalid_input(format!(
            "\"{}\" is not a {what} id: it would address another endpoint.",
            id.trim()
        ))
    })
}

#[cfg(test)]
mod tests;
