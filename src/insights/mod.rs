//! Insights: sales over time and per product from `GET /v2/sales/summary` (additions §2),
//! one call per window of at most 366 days, several in flight through the pacing runner —
//! a multi-year chart costs a handful of requests where walking every sale would cost one
//! per ten sales. Read-only; no `JsValue` here.
//!
//! - [`range`]: the seller's range resolved against today, its windows and slices.
//! - [`series`]: the windows' answers merged into series (per currency, gaps filled).
//! - [`chart`]: a series drawn as bars, ticks and sentences (numbers the page places).
//! - [`view`]: what the panel shows — totals, charts, readouts, table, CSV.
//! - [`revenue`]: revenue per product with a spark line, for the picker.

pub mod chart;
pub mod range;
pub mod revenue;
pub mod series;
pub mod view;

use serde::Deserialize;

use crate::api::GumroadClient;
use crate::error::Error;
use crate::model::{Day, GroupBy, SalesSummary};
use crate::pacing::{ExecOptions, InFlight, Runner};
use crate::runtime::Clock;
use crate::transport::Transport;
use range::{check_grouping, default_grouping, slices, windows, RangeChoice};
use revenue::{revenue, Revenue, SPARK_SLICES};
use view::{view, InsightsView};

/// What the panel asks for. JSON: `{"range": {"kind": "last30"}, "groupBy": "day" | null,
/// "today": "2025-03-30"}` — `today` is the seller's own date (the page's clock and time
/// zone); `groupBy` null takes the range's default.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InsightsRequest {
    pub range: RangeChoice,
    #[serde(default)]
    pub group_by: Option<GroupBy>,
    pub today: Day,
}

/// The Insights view of `request`: every window read (all of them, or the whole view
/// fails — a chart with a window missing would be wrong, not partial).
pub async fn load_insights<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    request: &InsightsRequest,
    options: &ExecOptions,
) -> Result<InsightsView, Error> {
    let span = request.range.resolve(request.today)?;
    let group_by = request.group_by.unwrap_or_else(|| default_grouping(&span));
    check_grouping(&span, group_by)?;
    let parts = windows(&span, group_by);
    let answers = read_all(client, clock, options, &parts, group_by).await?;
    Ok(view(
        series::merge(&answers, group_by, &span),
        &span,
        group_by,
        answers.len(),
    ))
}

/// Revenue per product over `request`'s range (its `groupBy` is not used).
pub async fn load_revenue<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    request: &InsightsRequest,
    options: &ExecOptions,
) -> Result<Revenue, Error> {
    let span = request.range.resolve(request.today)?;
    let parts = slices(&span, SPARK_SLICES);
    let answers = read_all(client, clock, options, &parts, GroupBy::Product).await?;
    Ok(revenue(&span, &answers))
}

/// One summary per `(from, to)`, in their order, read through the runner's window.
async fn read_all<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    options: &ExecOptions,
    parts: &[(Day, Day)],
    group_by: GroupBy,
) -> Result<Vec<SalesSummary>, Error> {
    let runner = Runner::new(client, clock, options);
    let mut answers: Vec<Option<SalesSummary>> = vec![None; parts.len()];
    let mut waiting: Vec<(usize, Day, Day)> = parts
        .iter()
        .enumerate()
        .rev()
        .map(|(i, &(from, to))| (i, from, to))
        .collect();
    let mut in_flight = InFlight::new();
    loop {
        while in_flight.len() < runner.window() {
            let Some((i, from, to)) = waiting.pop() else {
                break;
            };
            let runner = &runner;
            in_flight.push(async move {
                let read = runner
                    .read(|| runner.client().sales_summary(from, to, group_by))
                    .await;
                (i, read)
            });
        }
        let Some((i, read)) = in_flight.next().await else {
            break;
        };
        answers[i] = Some(read?);
    }
    Ok(answers.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests;
