//! `GET /oauth/token/info`: what Gumroad's OAuth server knows about the token.

use super::GumroadClient;
use crate::error::Error;
use crate::model::TokenInfo;
use crate::transport::{Request, Transport};

impl<T: Transport> GumroadClient<T> {
    /// `GET /oauth/token/info` — no scope needed; served on every Gumroad host, outside
    /// `/v2` (contract §3.1).
    ///
    /// Quirks: the answer is Doorkeeper's bare object without `success`; `scope` may be an
    /// array or a space-separated string (both become [`TokenInfo::scopes`]); a bad token
    /// gets `401 {"error":"invalid_token","error_description":…}` in JSON rather than the
    /// API's empty 401.
    pub async fn token_info(&self) -> Result<TokenInfo, Error> {
        self.call(Request::get("/oauth/token/info"), None).await
    }
}
