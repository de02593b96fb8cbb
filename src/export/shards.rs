//! The sales export's plan and checkpoint: the date range cut into shards, each walked by
//! its own `page_key` cursor, as a serializable [`ExportState`] that a driver advances one
//! page at a time ([`ExportState::next_requests`] → fetch → [`ExportState::apply_page`]).
//! Pure: no I/O, no clock (the caller passes "today"), no `JsValue`.
//!
//! # Why the result equals one sequential walk
//!
//! `GET /v2/sales` orders by `created_at DESC, id DESC` and its filters are dates: `after`
//! keeps `created_at ≥ start of day`, `before` keeps `created_at < start of day`, in
//! whatever time zone Gumroad reads dates — the same zone for every request, so the start
//! of a given day is one fixed instant. The shards' ranges are consecutive (`[d1, d0)`,
//! `[d2, d1)`, …, the outer ones open-ended when the query is), so **every sale of the
//! query falls in exactly one shard, and every sale of a newer shard is newer than every
//! sale of an older one**. Splitting keeps both properties: a shard `[a, b)` whose walk
//! has reached cursor `k` becomes `[m, b)` and `[a, m)`, *both continuing from `k`*; the
//! cursor condition (`created_at <= t AND id < last_id`) does not depend on the range, so
//! the two halves together fetch exactly the rows `[a, b)` still had after `k`, none
//! twice. Emitting shard by shard, newest first, each shard's pages in order, therefore
//! reproduces the sequential walk's rows and order, with nothing lost or repeated at a
//! border. (Like the sequential walk, this relies on Gumroad's cursor: ids grow with
//! `created_at`.) Shards are never split by `product_id`: a product filter only finds
//! sales of products that still exist, so such a split could not be proven complete. A
//! dense single day cannot be halved; its cursor walks it page by page.
//!
//! # Not too many requests
//!
//! An all-time export starts with one shard per calendar year (or month, for ranges under
//! two years) plus two open-ended edge shards (before Gumroad existed, after tomorrow:
//! one empty page each, and a proof that no sale lies outside). A shard is halved only
//! when it turns out dense — a page came back with another page after it — and only while
//! fewer than `targetShards` shards are still open, so a quiet year costs one request and
//! the extra partial pages that splitting causes stay bounded by the parallelism wanted.
//!
//! # Checkpoints
//!
//! Each page becomes a [`Chunk`] keyed by (shard id, page number). A driver stores the
//! chunk, then the state; a page fetched again after a crash between the two gets the
//! same key, so storing it again replaces the first copy. [`ExportState::chunk_order`]
//! lists the keys in file order.

use serde::{Deserialize, Serialize};

use super::csv::custom_field_names_with;
use crate::error::Error;
use crate::model::{Day, Page, Sale, SalesQuery};

/// Gumroad's page size for sales.
pub const PAGE_SIZE: usize = 10;

/// Shards kept open (fetching) before dense ones stop being split; twice the most pages
/// an export keeps in flight ([`super::export_options`]).
pub const DEFAULT_TARGET_SHARDS: usize = 32;

/// No sale is older than Gumroad (founded 2011-04-01): the first day an all-time export
/// cuts into shards; anything earlier is still covered by the open-ended edge shard.
pub fn earliest_sale_day() -> Day {
    Day::from_ymd(2011, 4, 1).expect("a real date")
}

/// One part of the range: `[after, before)`, `None` = unbounded on that side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shard {
    /// Stable across splits and resumes; part of every chunk key.
    pub id: u32,
    pub after: Option<Day>,
    pub before: Option<Day>,
    /// The cursor to send next; `None` before the first page (or when done).
    pub page_key: Option<String>,
    pub done: bool,
    /// Pages applied so far (the next page's number is `pages + 1`).
    pub pages: u32,
    pub rows: u64,
}

impl Shard {
    /// Whole days covered, when both bounds are set.
    fn span_days(&self) -> Option<i64> {
        Some(self.after?.days_until(self.before?))
    }
}

/// The checkpoint of a sales export (camelCase JSON for `chrome.storage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportState {
    pub query: SalesQuery,
    /// In file order: newest range first.
    pub shards: Vec<Shard>,
    pub next_shard_id: u32,
    /// Dense shards are split only while fewer shards than this are open.
    pub target_shards: usize,
    /// A hint for progress (e.g. the sum of the products' `sales_count`), if known.
    #[serde(default)]
    pub expected_total: Option<u64>,
    /// When the export was started (ms since the epoch), for the time-left estimate;
    /// `None` in a state kept before it was recorded (no estimate then).
    #[serde(default)]
    pub started_ms: Option<u64>,
    /// The custom-field names of every page taken in so far, sorted
    /// ([`custom_field_names_with`](super::csv::custom_field_names_with)): the file's
    /// custom-field columns once the walk is done, so the file is written in one pass over
    /// the pages. Checkpointed with the cursors, so it covers exactly the pages stored.
    /// `None` in a state kept before it was collected: the writer reads the pages for it.
    #[serde(default)]
    pub custom_fields: Option<Vec<String>>,
}

/// One page to fetch: `GET /v2/sales` with `query` (the shard's range and the product
/// filter) and `page_key`. Hand it back unchanged to [`ExportState::apply_page`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShardFetch {
    pub shard: u32,
    /// 1-based page number within the shard.
    pub page: u32,
    pub query: SalesQuery,
    pub page_key: Option<String>,
}

/// Where a page's rows go in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChunkKey {
    pub shard: u32,
    pub page: u32,
}

/// The pages `1..=pages` of one shard, in file order ([`ExportState::page_runs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageRun {
    pub shard: u32,
    pub pages: u32,
}

/// The rows of one page, to store under (`shard`, `page`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Chunk {
    pub shard: u32,
    pub page: u32,
    pub sales: Vec<Sale>,
}

impl Chunk {
    pub fn key(&self) -> ChunkKey {
        ChunkKey {
            shard: self.shard,
            page: self.page,
        }
    }
}

/// Counts for the progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportProgress {
    pub rows: u64,
    pub pages: u64,
    pub shards: usize,
    pub shards_done: usize,
    /// Rows so far plus a page per shard known to have more, or the hint when larger;
    /// only an estimate (exact once `done`).
    pub estimated_total: u64,
    pub done: bool,
    /// "about 40 s left", "about 3 min left": from the pace so far and `estimated_total`;
    /// `None` when there is nothing to go by (no start time, no row yet, none left).
    #[serde(default)]
    pub time_left: Option<String>,
}

impl ExportProgress {
    /// The time left at the pace so far, `elapsed_ms` after the start, in words
    /// ([`time_left`](crate::wording::time_left)); none before the first rows or once the
    /// estimate is reached.
    pub fn time_left_after(&self, elapsed_ms: u64) -> Option<String> {
        if self.rows == 0 || self.rows >= self.estimated_total {
            return None;
        }
        let rows = self.rows as f64;
        let ms = (self.estimated_total as f64 - rows) * elapsed_ms as f64 / rows;
        Some(crate::wording::time_left(ms))
    }
}

impl ExportState {
    /// The plan for `query`, with "today" (UTC) from the caller's clock. An unbounded
    /// side gets an open-ended edge shard; the bounded middle is cut by calendar year
    /// (ranges of two years or more) or month.
    pub fn new(query: SalesQuery, today: Day) -> Result<ExportState, Error> {
        query.validate()?;
        let lo = query.after.unwrap_or_else(earliest_sale_day);
        // Two days ahead: a seller's "today" may already be tomorrow in UTC+14.
        let hi = query.before.unwrap_or_else(|| today.plus_days(2));
        let mut ranges: Vec<(Option<Day>, Option<Day>)> = Vec::new();
        if lo >= hi {
            // An open side beyond the other bound (e.g. before 2011): one shard, as asked.
            ranges.push((query.after, query.before));
        } else {
            if query.before.is_none() {
                ranges.push((Some(hi), None));
            }
            let cuts = calendar_cuts(lo, hi);
            let mut upper = hi;
            for cut in cuts.into_iter().rev() {
                ranges.push((Some(cut), Some(upper)));
                upper = cut;
            }
            ranges.push((Some(lo), Some(upper)));
            if query.after.is_none() {
                ranges.push((None, Some(lo)));
            }
        }
        let shards: Vec<Shard> = ranges
            .into_iter()
            .enumerate()
            .map(|(i, (after, before))| Shard {
                id: i as u32,
                after,
                before,
                page_key: None,
                done: false,
                pages: 0,
                rows: 0,
            })
            .collect();
        Ok(ExportState {
            query,
            next_shard_id: shards.len() as u32,
            shards,
            target_shards: DEFAULT_TARGET_SHARDS,
            expected_total: None,
            started_ms: None,
            custom_fields: Some(Vec::new()),
        })
    }

    /// The next page of every shard still walking, newest shard first. A driver sends at
    /// most one request per shard at a time (a shard's next page needs its previous one).
    pub fn next_requests(&self) -> Vec<ShardFetch> {
        self.shards
            .iter()
            .filter(|s| !s.done)
            .map(|s| ShardFetch {
                shard: s.id,
                page: s.pages + 1,
                query: SalesQuery {
                    after: s.after,
                    before: s.before,
                    product_id: self.query.product_id.clone(),
                },
                page_key: s.page_key.clone(),
            })
            .collect()
    }

    /// Takes in the answer to `fetch`: advances the shard's cursor, splits the shard if it
    /// turned out dense, and returns the page's rows as a [`Chunk`]. Refuses an answer to a
    /// request the state no longer expects (`InvalidInput`: a stale or repeated fetch)
    /// and a cursor that does not move (`Decode`: the same key again, or an empty page
    /// that claims more).
    pub fn apply_page(&mut self, fetch: &ShardFetch, page: Page<Sale>) -> Result<Chunk, Error> {
        let open = self.shards.iter().filter(|s| !s.done).count();
        let target = self.target_shards;
        let Some(position) = self.shards.iter().position(|s| s.id == fetch.shard) else {
            return Err(Error::invalid_input(
                "This page belongs to no part of the export.",
            ));
        };
        let shard = &mut self.shards[position];
        if shard.done
            || fetch.page != shard.pages + 1
            || fetch.page_key != shard.page_key
            || fetch.query.after != shard.after
            || fetch.query.before != shard.before
        {
            return Err(Error::invalid_input(
                "This page was already taken in, or was asked for before the export changed.",
            ));
        }
        let next = page.next_page_key.filter(|key| !key.is_empty());
        if next.is_some() && (next == fetch.page_key || page.items.is_empty()) {
            return Err(Error::decode(
                "Gumroad sent the same sales page again (pagination cycle); stopped.",
            ));
        }
        if let Some(names) = self.custom_fields.take() {
            self.custom_fields = Some(custom_field_names_with(names, &page.items));
        }
        let shard = &mut self.shards[position];
        shard.pages += 1;
        shard.rows += page.items.len() as u64;
        shard.done = next.is_none();
        shard.page_key = next;
        let chunk = Chunk {
            shard: shard.id,
            page: shard.pages,
            sales: page.items,
        };
        let dense = !shard.done && shard.span_days().is_some_and(|days| days > 1);
        if dense && open < target {
            let (after, before) = (
                shard.after.expect("bounded"),
                shard.before.expect("bounded"),
            );
            let middle = after.plus_days(after.days_until(before) / 2);
            let lower = Shard {
                id: self.next_shard_id,
                after: Some(after),
                before: Some(middle),
                // Both halves continue from the cursor: see the module doc.
                page_key: shard.page_key.clone(),
                done: false,
                pages: 0,
                rows: 0,
            };
            shard.after = Some(middle);
            self.next_shard_id += 1;
            self.shards.insert(position + 1, lower);
        }
        Ok(chunk)
    }

    /// True when every shard has been walked to its end.
    pub fn is_done(&self) -> bool {
        self.shards.iter().all(|s| s.done)
    }

    /// The pages applied so far as runs of one shard's pages, in file order: `(shard,
    /// pages)` stands for the keys `(shard, 1)` … `(shard, pages)`. Within a run, key order
    /// is file order (a store sorted by key can read a run as one range); across runs it
    /// is not, since a split shard's lower half gets a higher id but comes after it.
    pub fn page_runs(&self) -> Vec<PageRun> {
        self.shards
            .iter()
            .filter(|s| s.pages > 0)
            .map(|s| PageRun {
                shard: s.id,
                pages: s.pages,
            })
            .collect()
    }

    /// The keys of every chunk applied so far, in file order.
    pub fn chunk_order(&self) -> Vec<ChunkKey> {
        self.shards
            .iter()
            .flat_map(|s| (1..=s.pages).map(move |page| ChunkKey { shard: s.id, page }))
            .collect()
    }

    pub fn progress(&self) -> ExportProgress {
        let rows = self.shards.iter().map(|s| s.rows).sum::<u64>();
        let open = self.shards.iter().filter(|s| !s.done).count();
        let known_more = self.shards.iter().filter(|s| s.page_key.is_some()).count();
        let floor = rows + (known_more * PAGE_SIZE) as u64;
        let done = open == 0;
        ExportProgress {
            rows,
            pages: self.shards.iter().map(|s| u64::from(s.pages)).sum(),
            shards: self.shards.len(),
            shards_done: self.shards.len() - open,
            estimated_total: if done {
                rows
            } else {
                floor.max(self.expected_total.unwrap_or(0))
            },
            done,
            time_left: None,
        }
    }

    /// [`Self::progress`] with the time left at `now_ms` (ms since the epoch).
    pub fn progress_at(&self, now_ms: u64) -> ExportProgress {
        let mut progress = self.progress();
        progress.time_left = self
            .started_ms
            .and_then(|start| progress.time_left_after(now_ms.saturating_sub(start)));
        progress
    }
}

/// First days of the calendar years (or, under two years, months) strictly inside
/// `(lo, hi)`, oldest first.
fn calendar_cuts(lo: Day, hi: Day) -> Vec<Day> {
    let (lo_year, lo_month, _) = lo.ymd();
    let (hi_year, _, _) = hi.ymd();
    let by_year = hi_year - lo_year >= 2;
    let mut cuts = Vec::new();
    let (mut year, mut month) = if by_year {
        (lo_year + 1, 1)
    } else {
        (lo_year, lo_month)
    };
    loop {
        if !by_year {
            month += 1;
            if month > 12 {
                month = 1;
                year += 1;
            }
        }
        let cut = Day::from_ymd(year, month, 1).expect("first of a month");
        if cut >= hi {
            return cuts;
        }
        if cut > lo {
            cuts.push(cut);
        }
        if by_year {
            year += 1;
        }
    }
}
