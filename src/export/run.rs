//! Driving an [`ExportState`]: [`run_export`] keeps as many shards fetching as the AIMD
//! window of [`pacing`](crate::pacing) allows (the `Runner` bulk jobs use: 429 pauses
//! everyone, 5xx and lost answers are retried with backoff), hands every page to the [`ExportObserver`] as a [`Chunk`]
//! (to checkpoint), and stops at the end, on a cancel, or on a page that failed for good.
//! [`export_sales`] and [`walk_sales_sequentially`] collect everything in memory, for
//! tests and small stores. One thread, nothing spawned, no `Send`; no `JsValue` here.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::shards::{Chunk, ChunkKey, ExportState};
use crate::api::{GumroadClient, PageKeys};
use crate::error::Error;
use crate::model::{Day, Sale, SalesQuery};
use crate::pacing::{Control, ExecOptions, InFlight, Runner};
use crate::runtime::Clock;
use crate::transport::Transport;

/// How hard an export pushes: twice the bulk engine's window, from the first page. Exports
/// only read, a read cannot apply twice, and Gumroad's code throttles `GET /v2/sales` only
/// for the deprecated `page` parameter (contract §4), so more pages in flight cost the
/// seller nothing and growing the window from half of it only lost time at the start; a
/// 429 still halves the window and pauses everyone, as for jobs.
pub fn export_options() -> ExecOptions {
    ExecOptions {
        initial_concurrency: 16,
        max_concurrency: 16,
        ..ExecOptions::default()
    }
}

/// Receives each page as it is taken in, with the state after it. The driver awaits the
/// call before taking in the next page, so the worker can store the chunk, then the
/// state. Requests already sent keep going meanwhile.
#[allow(async_fn_in_trait)]
pub trait ExportObserver {
    async fn on_chunk(&self, chunk: &Chunk, state: &ExportState) -> Control;
}

/// Watches nothing, never cancels.
impl ExportObserver for () {
    async fn on_chunk(&self, _chunk: &Chunk, _state: &ExportState) -> Control {
        Control::Continue
    }
}

impl<O: ExportObserver + ?Sized> ExportObserver for &O {
    async fn on_chunk(&self, chunk: &Chunk, state: &ExportState) -> Control {
        (**self).on_chunk(chunk, state).await
    }
}

/// Runs `state` until every shard is done (`Ok`), the observer cancels
/// (`Err` of kind `Cancelled`), or a page fails after its retries (that error). In the
/// last two cases the pages in flight are still taken in and observed first, and `state`
/// is a valid checkpoint to resume from with another call.
pub async fn run_export<T: Transport, C: Clock, O: ExportObserver>(
    client: &GumroadClient<T>,
    clock: &C,
    state: &mut ExportState,
    options: &ExecOptions,
    observer: &O,
) -> Result<(), Error> {
    let runner = Runner::new(client, clock, options);
    // Cycle detection beyond one repeated key; kept in memory only (a resumed run starts
    // afresh, which is safe: the state's cursors never go backwards).
    let mut keys: HashMap<u32, PageKeys> = HashMap::new();
    let mut busy: HashSet<u32> = HashSet::new();
    let mut in_flight = InFlight::new();
    let mut failure: Option<Error> = None;
    let mut cancelled = false;
    loop {
        if failure.is_none() && !cancelled {
            for fetch in state.next_requests() {
                if in_flight.len() >= runner.window() {
                    break;
                }
                if !busy.insert(fetch.shard) {
                    continue;
                }
                let runner = &runner;
                in_flight.push(async move {
                    let result = {
                        let f = &fetch;
                        runner
                            .read(move || {
                                runner.client().sales_page(&f.query, f.page_key.as_deref())
                            })
                            .await
                    };
                    (fetch, result)
                });
            }
        }
        let Some((fetch, result)) = in_flight.next().await else {
            break;
        };
        busy.remove(&fetch.shard);
        let applied = result.and_then(|page| {
            keys.entry(fetch.shard)
                .or_insert_with(|| PageKeys::new("/v2/sales"))
                .follow(page.next_page_key.clone())?;
            state.apply_page(&fetch, page)
        });
        match applied {
            Ok(chunk) => {
                if observer.on_chunk(&chunk, state).await == Control::Cancel {
                    cancelled = true;
                }
            }
            Err(error) => {
                failure.get_or_insert(error);
            }
        }
    }
    match failure {
        Some(error) => Err(error),
        None if cancelled && !state.is_done() => Err(Error::cancelled()),
        None => Ok(()),
    }
}

/// Collects chunks by key; a chunk stored again replaces the first copy.
struct Collect(std::cell::RefCell<BTreeMap<ChunkKey, Vec<Sale>>>);

impl ExportObserver for Collect {
    async fn on_chunk(&self, chunk: &Chunk, _state: &ExportState) -> Control {
        self.0.borrow_mut().insert(chunk.key(), chunk.sales.clone());
        Control::Continue
    }
}

/// `chunks` in the order of `state`'s file; `None` when one is missing.
pub fn assemble(state: &ExportState, chunks: &BTreeMap<ChunkKey, Vec<Sale>>) -> Option<Vec<Sale>> {
    let mut sales = Vec::new();
    for key in state.chunk_order() {
        sales.extend(chunks.get(&key)?.iter().cloned());
    }
    Some(sales)
}

/// Every sale matching `query`, newest first, fetched by date shards in parallel
/// ([`run_export`] with a fresh state; "today" from `clock`). Holds everything in memory:
/// the extension stores chunks instead.
pub async fn export_sales<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    query: &SalesQuery,
    options: &ExecOptions,
) -> Result<Vec<Sale>, Error> {
    let mut state = ExportState::new(query.clone(), Day::from_epoch_ms(clock.now_ms()))?;
    state.target_shards = options.sanitized().max_concurrency * 2;
    let collect = Collect(Default::default());
    run_export(client, clock, &mut state, options, &collect).await?;
    let chunks = collect.0.into_inner();
    assemble(&state, &chunks).ok_or_else(|| Error::decode("A page of the export is missing."))
}

/// Every sale matching `query` the way Gumroad's CLI reads them: one cursor, one page at a
/// time (with the same retries). The reference the sharded export must equal.
pub async fn walk_sales_sequentially<T: Transport, C: Clock>(
    client: &GumroadClient<T>,
    clock: &C,
    query: &SalesQuery,
    options: &ExecOptions,
) -> Result<Vec<Sale>, Error> {
    let runner = Runner::new(client, clock, options);
    let mut keys = PageKeys::new("/v2/sales");
    let mut sales = Vec::new();
    let mut key: Option<String> = None;
    loop {
        let page = {
            let k = key.as_deref();
            runner.read(|| client.sales_page(query, k)).await?
        };
        sales.extend(page.items);
        key = keys.follow(page.next_page_key)?;
        if key.is_none() {
            return Ok(sales);
        }
    }
}
