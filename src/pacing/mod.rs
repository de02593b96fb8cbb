//! Pacing shared by every run of requests — bulk snapshots, bulk jobs and sales exports:
//! the [`retry`] policy (`ExecOptions`, backoff, verdicts per error, the AIMD window), the
//! runner that applies it (read retries, writes re-read before being sent again), the
//! window of futures in flight, and [`Control`], what an observer answers. Below `bulk`
//! and `export`; knows no plan, step or export shard, and has no `JsValue`.

mod in_flight;
pub mod retry;
mod runner;

use serde::{Deserialize, Serialize};

pub(crate) use in_flight::InFlight;
pub use retry::ExecOptions;
pub use runner::READ_DECODE_RETRIES;
pub(crate) use runner::{Reach, Runner, Written};

/// What the observer wants after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Control {
    Continue,
    /// Start nothing new; finish the steps in flight.
    Cancel,
}
