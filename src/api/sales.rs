//! `/v2/sales` (one page at a time, behind the `page_key` cursor) and
//! `/v2/products/:id/subscribers` (contract §2.6, §2.7). Walking many cursors at once is
//! the exporter's business (`export::shards`); here is one request per call.

use serde::Deserialize;

use super::{id_segment, GumroadClient, PageKeys};
use crate::error::Error;
use crate::model::{page_key, Day, GroupBy, Page, ProductId, Sale, SalesQuery, SalesSummary, Subscriber};
use crate::scopes::Feature;
use crate::transport::{Request, Transport};

const SALES: &str = "/v2/sales";

// The list is required: an answer without it is broken, not an empty page (taken as one,
// a sales export would end a cursor early and silently miss its remaining sales).
#[derive(Deserialize)]
struct SalesAnswer {
    sales: Vec<Sale>,
    #[serde(default, deserialize_with = "page_key")]
    next_page_key: Option<String>,
}

#[derive(Deserialize)]
struct SubscribersAnswer {
    subscribers: Vec<Subscriber>,
    #[serde(default, deserialize_with = "page_key")]
    next_page_key: Option<String>,
}

/// The request for one page of sales: `after`, `before` (YYYY-MM-DD), `product_id`,
/// `page_key`, in that order.
pub(crate) fn sales_request(query: &SalesQuery, page_key: Option<&str>) -> Request {
    let mut request = Request::get(SALES);
    if let Some(after) = query.after {
        request = request.with_query("after", after.to_string());
    }
    if let Some(before) = query.before {
        request = request.with_query("before", before.to_string());
    }
    if let Some(product) = &query.product_id {
        request = request.with_query("product_id", product.as_str());
    }
    if let Some(key) = page_key {
        request = request.with_query("page_key", key);
    }
    request
}

/// The request for one sales summary: `from`, `to`, `group_by`, in that order.
pub(crate) fn summary_request(from: Day, to: Day, group_by: GroupBy) -> Request {
    Request::get("/v2/sales/summary")
        .with_query("from", from.to_string())
        .with_query("to", to.to_string())
        .with_query("group_by", group_by.as_param())
}

impl<T: Transport> GumroadClient<T> {
    /// `GET /v2/sales/summary?from=…&to=…&group_by=…` — scope: `view_sales` (or `account`).
    ///
    /// Totals and a breakdown over `from..=to` (both sent, both inclusive), at most 366 days
    /// a call: a longer range is refused here before anything is sent (`InvalidInput`);
    /// `insights` splits long ranges into windows. Newer than the 2025-04 API, which
    /// answers 404 (→ `NotFound`).
    pub async fn sales_summary(
        &self,
        from: Day,
        to: Day,
        group_by: GroupBy,
    ) -> Result<SalesSummary, Error> {
        let days = from.days_until(to) + 1;
        if !(1..=crate::model::SUMMARY_MAX_DAYS).contains(&days) {
            return Err(Error::invalid_input(format!(
                "A sales summary covers 1 to {} days; {from} to {to} is {days}.",
                crate::model::SUMMARY_MAX_DAYS
            )));
        }
        self.call(summary_request(from, to, group_by), Some(Feature::ViewSales))
            .await
    }

    /// `GET /v2/sales?after=…&before=…&product_id=…&page_key=…` — scope: `view_sales` (or
    /// `account`).
    ///
    /// Ten sales per page, `created_at DESC, id DESC`; `after` is inclusive and `before`
    /// exclusive; `next_page_key` only while another page exists. Refusals are 400s with
    /// `{"status":400,"error":…}` (→ `Rejected`): "Invalid page_key.", "Invalid product
    /// ID.", "Invalid date format provided in field 'before'…", and current Gumroad's 15 s
    /// timeout "Query timed out. Try narrowing your date range…" (which the sharded export
    /// avoids by asking for narrow ranges). Sale keys whose value is nil are absent.
    pub async fn sales_page(
        &self,
        query: &SalesQuery,
        page_key: Option<&str>,
    ) -> Result<Page<Sale>, Error> {
        query.validate()?;
        let answer: SalesAnswer = self
            .call(sales_request(query, page_key), Some(Feature::ViewSales))
            .await?;
        Ok(Page {
            items: answer.sales,
            next_page_key: answer.next_page_key,
        })
    }

    /// `GET /v2/products/:id/subscribers?paginated=true[&page_key=…]` — scope: `view_sales`.
    ///
    /// Active subscriptions only, 100 per page when `paginated` is sent (without it Gumroad
    /// returns the whole list at once, which is why it is always sent).
    pub async fn subscribers_page(
        &self,
        product: &ProductId,
        page_key: Option<&str>,
    ) -> Result<Page<Subscriber>, Error> {
        let path = format!(
            "/v2/products/{}/subscribers",
            id_segment(product.as_str(), "product")?
        );
        let mut request = Request::get(path).with_query("paginated", "true");
        if let Some(key) = page_key {
            request = request.with_query("page_key", key);
        }
        let answer: SubscribersAnswer = self.call(request, Some(Feature::ViewSales)).await?;
        Ok(Page {
            items: answer.subscribers,
            next_page_key: answer.next_page_key,
        })
    }

    /// Every subscriber of `product`: [`GumroadClient::subscribers_page`] until
    /// `next_page_key` is absent; a repeated key is a `Decode` error ("pagination cycle").
    pub async fn subscribers(&self, product: &ProductId) -> Result<Vec<Subscriber>, Error> {
        let mut keys = PageKeys::new("/v2/products/:id/subscribers");
        let mut all = Vec::new();
        let mut key: Option<String> = None;
        loop {
            let page = self.subscribers_page(product, key.as_deref()).await?;
            all.extend(page.items);
            key = keys.follow(page.next_page_key)?;
            if key.is_none() {
                return Ok(all);
            }
        }
    }
}
