//! `GET /v2/user`: whose token this is.

use serde::Deserialize;

use super::GumroadClient;
use crate::error::Error;
use crate::model::User;
use crate::scopes::Feature;
use crate::transport::{Request, Transport};

#[derive(Deserialize)]
struct UserAnswer {
    user: User,
}

impl<T: Transport> GumroadClient<T> {
    /// `GET /v2/user` — scope: any read scope (`view_public`, `account`, …).
    ///
    /// `email` and `currency_type` arrive only with `edit_products`, `view_sales`,
    /// `revenue_share`, `ifttt` or `view_profile` (contract §2.11); an `account`-only token
    /// gets the reduced profile.
    pub async fn user(&self) -> Result<User, Error> {
        let answer: UserAnswer = self
            .call(Request::get("/v2/user"), Some(Feature::ReadProducts))
            .await?;
        Ok(answer.user)
    }
}
