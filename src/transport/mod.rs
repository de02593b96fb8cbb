//! The seam between the client and HTTP. A [`Request`] is plain data (method, path, query,
//! form body; defined in `http` and re-exported here) built by the endpoints; a
//! [`Transport`] turns it into one HTTP exchange and hands back the raw [`Response`] without
//! judging it (the envelope check in `api` does that). The access token goes only into the
//! `Authorization: Bearer` header, never into a URL or a body; the OAuth token endpoints
//! (`/oauth/token`, `/oauth/revoke`) get no `Authorization` header at all (their client id
//! and grant travel in the form body). Nothing here knows Gumroad's answer shapes; no
//! `JsValue` here.
//!
//! An account can be stopped (the seller disconnected it): a transport given its stop
//! signal — the account's `AbortSignal` in the browser, a [`StopFlag`] (through
//! [`Stoppable`]) natively and in tests — checks it before every request and fails with
//! [`TransportError::Stopped`] without sending anything, and abandons a request on its way
//! when it is set ([`TransportError::StoppedInFlight`]: the request may have reached
//! Gumroad).

#[cfg(target_arch = "wasm32")]
pub mod fetch;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod stop;

#[cfg(target_arch = "wasm32")]
pub use fetch::FetchTransport;
#[cfg(not(target_arch = "wasm32"))]
pub use native::NativeTransport;
pub use stop::{StopFlag, Stoppable};

use crate::auth::AccessToken;

pub use crate::http::{path_segment, Method, Request, Response, TransportError, FORM_CONTENT_TYPE};

/// Sends one [`Request`] and returns the answer, whatever its status.
///
/// Futures are not `Send` (browser futures never are), hence no `Send` bounds and no `dyn`:
/// the client is generic over its transport.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// Sends `request` with `Authorization: Bearer <bearer>`, the only place the token goes;
    /// `None` (the OAuth token endpoints only) sends no `Authorization` header. Either way
    /// the account's stop signal is honoured.
    async fn send(
        &self,
        request: &Request,
        bearer: Option<&AccessToken>,
    ) -> Result<Response, TransportError>;
}

impl<T: Transport + ?Sized> Transport for &T {
    async fn send(
        &self,
        request: &Request,
        bearer: Option<&AccessToken>,
    ) -> Result<Response, TransportError> {
        (**self).send(request, bearer).await
    }
}
