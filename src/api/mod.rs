//! The Gumroad API client: [`GumroadClient`] over any [`Transport`], one file per Gumroad
//! resource. Endpoints build a [`Request`] and name the success shape; `envelope` judges
//! every answer. Nothing here knows how requests travel (fetch or reqwest), and nothing
//! here retries or paces: that is the bulk runner's policy, informed by
//! [`Error::retryable`] and [`Error::may_have_applied`]. No `JsValue` here.
//!
//! The one exception is a 401 with a renewer ([`GumroadClient::with_renewer`]): a signed-in
//! account's access token may be renewed, and Gumroad's 401 comes before anything is
//! applied, so the refused request is sent once more with the fresh token — exactly once,
//! whatever the second answer is.

mod catalog;
mod envelope;
mod oauth;
mod offer_codes;
mod pagination;
mod products;
mod sales;
mod user;
mod variants;

pub use pagination::PageKeys;

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use serde::de::DeserializeOwned;

use crate::auth::{AccessToken, Renew};
use crate::error::Error;
use crate::scopes::Feature;
use crate::transport::{path_segment, Request, Response, Transport};

/// A client for one seller's token. Cheap to build: make one per call if that is simpler.
///
/// Its token is the one given, until a renewer replaces it after a 401; requests read it as
/// they are sent (a clone starts from the token the client has then, and shares the
/// renewer). Not `Send` (neither are browser futures): one thread, requests polled
/// together.
#[derive(Debug, Clone)]
pub struct GumroadClient<T: Transport> {
    transport: T,
    token: RefCell<AccessToken>,
    renewer: Option<Renewer>,
}

/// The account's [`Renew`], shared by clones of the client.
#[derive(Clone)]
struct Renewer(Rc<dyn Renew>);

impl fmt::Debug for Renewer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Renewer")
    }
}

impl<T: Transport> GumroadClient<T> {
    pub fn new(transport: T, token: AccessToken) -> Self {
        GumroadClient {
            transport,
            token: RefCell::new(token),
            renewer: None,
        }
    }

    /// The same client, asking `renewer` for a fresh token when Gumroad refuses the current
    /// one (401). Each request refused that way is sent once more with the fresh token:
    /// - a request that was sent with a token the client has since replaced (another
    ///   request renewed it meanwhile) is sent again with the current one, without asking;
    /// - otherwise the renewer is asked once, with the refused token;
    /// - no token from it, or a second 401, is `Unauthorized` as without a renewer; what
    ///   renewing failed with (no connection…) is that request's error, never applied.
    ///
    /// Requests in flight together that meet the 401 together each ask: the renewer renews
    /// once for all of them ([`Renew`]).
    pub fn with_renewer(mut self, renewer: impl Renew + 'static) -> Self {
        self.renewer = Some(Renewer(Rc::new(renewer)));
        self
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The token requests are sent with now: the one given, or the renewer's latest.
    pub fn token(&self) -> AccessToken {
        self.token.borrow().clone()
    }

    /// Sends `request` and decodes a successful answer as `A`. `needs` is the feature whose
    /// scopes the endpoint requires (for the 403 message).
    async fn call<A: DeserializeOwned>(
        &self,
        request: Request,
        needs: Option<Feature>,
    ) -> Result<A, Error> {
        let response = self.round_trip(&request).await?;
        envelope::decode(&request, needs, response)
    }

    /// Sends `request` with the current token and, after a 401 that renewing answers with
    /// another token, once more with that one. Not generic over the answer type, so the wasm
    /// module holds it once per transport.
    async fn round_trip(&self, request: &Request) -> Result<Response, Error> {
        let sent = self.token();
        let refused = self.send(request, &sent).await?;
        if refused.status != 401 {
            return Ok(refused);
        }
        match self.renewed(&sent).await {
            Ok(Some(fresh)) => self.send(request, &fresh).await,
            Ok(None) => Ok(refused),
            Err(error) => Err(error.while_renewing(request.method, &request.path)),
        }
    }

    /// The token to send again with after `sent` was refused: the current one when another
    /// request already replaced `sent`, else the renewer's (which becomes current). `None`:
    /// no renewer, or it has no other token.
    async fn renewed(&self, sent: &AccessToken) -> Result<Option<AccessToken>, Error> {
        let current = self.token();
        if current != *sent {
            return Ok(Some(current));
        }
        let Some(Renewer(renewer)) = &self.renewer else {
            return Ok(None);
        };
        match renewer.renew(sent).await? {
            Some(fresh) if fresh != *sent => {
                *self.token.borrow_mut() = fresh.clone();
                Ok(Some(fresh))
            }
            _ => Ok(None),
        }
    }

    /// One exchange with `token`; the answer has the token scrubbed out.
    async fn send(&self, request: &Request, token: &AccessToken) -> Result<Response, Error> {
        let mut response = self
            .transport
            .send(request, Some(token))
            .await
            .map_err(|error| Error::from_transport(error, request.method, &request.path))?;
        scrub(&mut response, token.expose());
        Ok(response)
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
mod renewal_tests;
#[cfg(test)]
mod tests;
