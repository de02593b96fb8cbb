//! The read-only stage of a bulk job: [`Snapshot`] = the seller's products and the offer
//! codes listed for some or all of them; where its products come from ([`Catalogue`]: a
//! walk of the catalogue, or a product list the extension fetched moments ago, judged by
//! [`ProductList::is_fresh`]); how many reads it keeps in flight ([`snapshot_options`]);
//! and `take`, which reads it: the catalogue walk, the products read again and the code
//! reads all share one window, so code reads start while catalogue pages arrive. Never
//! writes; no `JsValue` here.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

use super::job::JobStatus;
use crate::api::PageKeys;
use crate::error::{Error, ErrorKind};
use crate::model::{OfferCode, Page, Product, ProductId};
use crate::pacing::{ExecOptions, InFlight, Runner};
use crate::runtime::Clock;
use crate::transport::Transport;

/// Products and, for the products that were read, their offer codes as
/// `GET /v2/products/:id/offer_codes` lists them: the product's own codes plus the
/// seller's universal codes that apply to it (same currency, or percent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Every product (`GET /v2/products`, all pages), in Gumroad's order (newest first).
    pub products: Vec<Product>,
    /// Codes per product, for the products whose codes were read.
    pub codes: BTreeMap<ProductId, Vec<OfferCode>>,
}

impl Snapshot {
    pub fn product(&self, id: &ProductId) -> Option<&Product> {
        self.products.iter().find(|product| &product.id == id)
    }

    /// The codes listed for `id` (empty when not read).
    pub fn codes_of(&self, id: &ProductId) -> &[OfferCode] {
        self.codes.get(id).map_or(&[], Vec::as_slice)
    }

    /// Every code read, each once (universal codes are listed under many products), in
    /// product order.
    pub fn all_codes(&self) -> Vec<&OfferCode> {
        let mut seen = HashSet::new();
        self.products
            .iter()
            .flat_map(|product| self.codes_of(&product.id))
            .filter(|code| seen.insert(code.id.clone()))
            .collect()
    }

    /// The products whose list shows the code with id `code`.
    pub fn products_listing(&self, code: &OfferCode) -> Vec<&Product> {
        self.products
            .iter()
            .filter(|product| self.codes_of(&product.id).iter().any(|c| c.id == code.id))
            .collect()
    }
}

/// Which products' codes to read.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    All,
    Products(&'a [ProductId]),
    /// None: the products alone (re-planning or undoing price changes).
    NoCodes,
    /// These products alone, without their codes (listing edits write no code).
    ProductsOnly(&'a [ProductId]),
}

/// Reads a snapshot keeps in flight: 32, four times the write cap of jobs (8, which is there
/// for Gumroad's 30 PUTs a minute per product path) and twice the export's 16. A snapshot
/// only reads; a read cannot apply twice, and Gumroad throttles none of the paths it reads
/// (`GET /v2/products`, `…/:id`, `…/:id/offer_codes`; contract §4 limits only writes to a
/// product path and `POST /v2/products`). Its answers are small (one product's codes),
/// so, unlike the export's pages of sales, taking them in costs the worker little: what
/// paces a preview is round trips, and one code on 500 products is 16 of them instead of
/// 32 at 16 in flight (measured at 100 ms a request: 2.0 s at 32, 4.9 s at 16 on a busier
/// machine; see the README). Over
/// HTTP/2, as `api.gumroad.com` serves, they share one connection. The window starts at
/// this size (a preview is short) and a 429 still halves it and pauses every read, as for
/// jobs.
pub const SNAPSHOT_READS_IN_FLIGHT: usize = 32;

/// The pacing of a snapshot's reads (see [`SNAPSHOT_READS_IN_FLIGHT`]); previews, re-plans
/// and the inventory run with these.
pub fn snapshot_options() -> ExecOptions {
    ExecOptions {
        initial_concurrency: SNAPSHOT_READS_IN_FLIGHT,
        max_concurrency: SNAPSHOT_READS_IN_FLIGHT,
        ..ExecOptions::default()
    }
}

/// How long after it was fetched a product list may stand in for a walk of the catalogue.
/// The picker fetches the list when the seller opens it; five minutes covers choosing
/// products and filling a form, and is short enough that a price the seller changed on
/// Gumroad's own dashboard meanwhile is unlikely (what could still be stale is listed at
/// [`ProductList::is_fresh`]).
pub const LIST_FRESH_FOR_MS: f64 = 5.0 * 60_000.0;

/// Products on one page of `GET /v2/products` (contract §2.1): the walk's cost in round
/// trips, for [`reread_beats_walk`].
const PRODUCTS_PER_PAGE: usize = 10;

/// A product list the extension already holds (the picker's: every product as
/// `listProducts` returned it), when it was fetched, and the jobs of its account that may
/// have written to Gumroad since.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductList {
    pub items: Vec<Product>,
    /// When the list was fetched (milliseconds since 1970; NaN when unknown).
    pub fetched_at: f64,
    /// The account's job records: the seller's job, the end time's removal and the last
    /// finished job.
    pub jobs: Vec<JobActivity>,
}

/// What freshness needs to know of one job of the account.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JobActivity {
    pub status: JobStatus,
    /// When it finished (milliseconds since 1970), if it has.
    pub finished_at: Option<f64>,
}

impl JobActivity {
    /// True when every write of the job happened before `at`: it has finished, before
    /// `at`. A running job writes now; an interrupted one stopped at a time no record
    /// keeps (its steps in flight may even apply later), so both count as writing now.
    fn wrote_only_before(&self, at: f64) -> bool {
        !matches!(self.status, JobStatus::Running | JobStatus::Interrupted)
            && self.finished_at.is_some_and(|finished| finished < at)
    }
}

impl ProductList {
    /// Whether the list may stand in for a walk of the catalogue at `now_ms`: it was fetched
    /// less than [`LIST_FRESH_FOR_MS`] ago (not in the future: a clock that went back proves
    /// nothing), and no job of the account has written to Gumroad since it was fetched — a
    /// job changes prices and codes, and one running or interrupted may be changing them
    /// still. A time that cannot be read makes the list stale.
    ///
    /// What a fresh list can still have wrong is only what someone changed on Gumroad
    /// itself in those minutes, and every snapshot taken from it reads again what its
    /// writes depend on: the codes of every product in scope are always read (a product
    /// deleted since answers 404 there and is dropped, as after a walk); a code's create
    /// is checked by Gumroad against the price the product has then (contract §2.2: below
    /// the minimum or in another currency it is refused, so a stale price can only make a
    /// skip or a refusal, never a wrong code); and the plans whose writes take the price
    /// as read — a price change (the new price is computed from the old) and parity codes
    /// (each product's percent is clamped by its price) — read their products again
    /// ([`Catalogue::Reread`]) or walk the catalogue.
    pub fn is_fresh(&self, now_ms: f64) -> bool {
        let age = now_ms - self.fetched_at;
        // Written so that NaN (an unreadable time) is never fresh.
        (0.0..LIST_FRESH_FOR_MS).contains(&age)
            && self
                .jobs
                .iter()
                .all(|job| job.wrote_only_before(self.fetched_at))
    }
}

/// Where a snapshot's products come from.
#[derive(Debug, Clone, Copy)]
pub enum Catalogue<'a> {
    /// `GET /v2/products`, page after page on its one cursor.
    Walk,
    /// A fresh product list ([`ProductList::is_fresh`]), taken as it is.
    Listed(&'a [Product]),
    /// A fresh product list, with each product in scope read again
    /// (`GET /v2/products/:id`, alongside its codes): for plans whose writes carry a
    /// product's price as it was read.
    Reread(&'a [Product]),
}

/// Whether reading `selected` products one by one (plus their codes, two reads each,
/// `window` at a time) takes no more round trips than walking a catalogue of `listed`
/// products (one page of 10 after another, its code reads overlapping):
/// `2·selected / window ≤ listed / 10`. A handful of products out of thousands is read in
/// one round trip instead of hundreds; with a narrow window, most of a store is walked.
pub fn reread_beats_walk(selected: usize, listed: usize, window: usize) -> bool {
    let reads = (2 * selected).div_ceil(window.max(1));
    let pages = listed.div_ceil(PRODUCTS_PER_PAGE).max(1);
    reads <= pages
}

/// Reads every product, then the codes of the products in `scope`, as [`take_from`] with
/// [`Catalogue::Walk`].
pub(crate) async fn take<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    scope: Scope<'_>,
) -> Result<Snapshot, Error> {
    take_from(runner, scope, Catalogue::Walk).await
}

/// One read of a snapshot, as it comes back.
enum Read {
    Page(Result<Page<Product>, Error>),
    /// Boxed: a product is far larger than the other answers.
    Product(ProductId, Result<Box<Product>, Error>),
    Codes(ProductId, Result<Vec<OfferCode>, Error>),
}

/// Reads the products (from `catalogue`) and the codes of the products in `scope`, all in
/// one window of the runner's size, retrying reads on 429, 5xx and lost answers.
///
/// The walk is the one chain that cannot be parallelised (each page's key comes with the
/// page before), so its next page is always sent first; the other reads fill the window
/// around it. The codes of `Scope::Products` are read from the start, alongside the walk
/// (their ids are known); those of `Scope::All` as each page brings its products.
/// Products are kept by first sighting (one can move between pages while they are read).
/// A product in scope that is not in the catalogue is dropped, and so is one whose codes
/// (or re-read) answer "not found", or that is re-read as deleted; any other failure fails
/// the whole snapshot (a plan must not be made from half the facts). The result is the
/// same as walking first and reading the codes after.
pub(crate) async fn take_from<T: Transport, C: Clock>(
    runner: &Runner<'_, T, C>,
    scope: Scope<'_>,
    catalogue: Catalogue<'_>,
) -> Result<Snapshot, Error> {
    let (mut products, reread) = match catalogue {
        Catalogue::Walk => (Vec::new(), false),
        Catalogue::Listed(list) => (list.to_vec(), false),
        Catalogue::Reread(list) => (list.to_vec(), true),
    };
    let mut seen = HashSet::new();
    products.retain(|product| seen.insert(product.id.clone()));

    // What to read besides the walk: the ids in scope (each once), or every listed product.
    let in_scope: Vec<ProductId> = match scope {
        Scope::Products(ids) | Scope::ProductsOnly(ids) => {
            let mut once = HashSet::new();
            ids.iter().filter(|id| once.insert(*id)).cloned().collect()
        }
        Scope::All | Scope::NoCodes => products.iter().map(|p| p.id.clone()).collect(),
    };
    let wants_codes = !matches!(scope, Scope::NoCodes | Scope::ProductsOnly(_));
    let mut to_reread: VecDeque<ProductId> = if reread {
        in_scope.iter().cloned().collect()
    } else {
        VecDeque::new()
    };
    let mut to_list: VecDeque<ProductId> = if wants_codes {
        in_scope.into_iter().collect()
    } else {
        VecDeque::new()
    };

    let walking = matches!(catalogue, Catalogue::Walk);
    let mut keys = PageKeys::new("/v2/products");
    // The key of the next page to ask for (`Some(None)`: the first page); `None` once the
    // walk is done, or while a page is on its way.
    let mut next_page: Option<Option<String>> = walking.then_some(None);
    let mut codes = BTreeMap::new();
    let mut fresh: HashMap<ProductId, Product> = HashMap::new();
    let mut gone = HashSet::new();
    let mut in_flight = InFlight::new();
    loop {
        if in_flight.len() < runner.window() {
            if let Some(key) = next_page.take() {
                in_flight.push(async move {
                    let page = runner
                        .read(|| runner.client().products_page(key.as_deref()))
                        .await;
                    Read::Page(page)
                });
            }
        }
        while in_flight.len() < runner.window() {
            if let Some(id) = to_reread.pop_front() {
                in_flight.push(async move {
                    let read = runner.read(|| runner.client().product(&id)).await;
                    Read::Product(id, read.map(Box::new))
                });
            } else if let Some(id) = to_list.pop_front() {
                in_flight.push(async move {
                    let listed = runner.read(|| runner.client().offer_codes(&id)).await;
                    Read::Codes(id, listed)
                });
            } else {
                break;
            }
        }
        let Some(read) = in_flight.next().await else {
            break;
        };
        match read {
            Read::Page(page) => {
                let page = page?;
                for product in page.items {
                    if seen.insert(product.id.clone()) {
                        if wants_codes && matches!(scope, Scope::All) {
                            to_list.push_back(product.id.clone());
                        }
                        products.push(product);
                    }
                }
                next_page = keys.follow(page.next_page_key)?.map(Some);
            }
            Read::Product(id, Ok(product)) if !product.deleted => {
                fresh.insert(id, *product);
            }
            Read::Product(id, Ok(_)) => {
                gone.insert(id);
            }
            Read::Codes(id, Ok(list)) => {
                codes.insert(id, list);
            }
            Read::Product(id, Err(error)) | Read::Codes(id, Err(error))
                if error.kind() == ErrorKind::NotFound =>
            {
                gone.insert(id);
            }
            Read::Product(_, Err(error)) | Read::Codes(_, Err(error)) => return Err(error),
        }
    }

    if reread {
        for product in &mut products {
            if let Some(now) = fresh.remove(&product.id) {
                *product = now;
            }
        }
        // Selected products the list did not have yet, but Gumroad does.
        if let Scope::Products(ids) = scope {
            products.extend(ids.iter().filter_map(|id| fresh.remove(id)));
        }
    }
    products.retain(|product| !gone.contains(&product.id));
    let known: HashSet<&ProductId> = products.iter().map(|p| &p.id).collect();
    codes.retain(|id, _| known.contains(id));
    Ok(Snapshot { products, codes })
}
