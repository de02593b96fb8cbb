//! The HTTP server: one thread, its own tokio runtime, hyper http1 per connection.
//! With `Config::tls`, the same port also speaks HTTPS (a self-signed certificate for
//! 127.0.0.1, made at start) with HTTP/2 or HTTP/1.1 by ALPN, as api.gumroad.com does: a
//! connection whose first byte is a TLS handshake gets TLS, any other plain HTTP/1.1, so
//! tests and tools keep reading `/__sandbox` over `http://`.
//!
//! Each request is served from the store of its token (`Config::stores` of them, store
//! 0 when the token is missing or unknown, which can only be refused anyway). Faults,
//! the throttle and the request log are the sandbox's, shared by every store.
//!
//! Order for each `/v2` and `/oauth` request: latency, injected fault, Gumroad's
//! throttle, the handler, then the hostile answer in place of a success (for
//! `rate_hostile`) or (for `drop_after`) the unanswered close. `/oauth/authorize`, the
//! page the seller sees in the browser's sign-in window, is logged but never delayed or
//! faulted; `/oauth/token` and `/oauth/revoke`, which the client's code calls, are. A
//! service error is how a connection is closed without an answer: hyper 1 drops
//! the connection when the service returns `Err`. Every response carries CORS
//! headers, and every preflight is answered, so pages on other origins (the
//! wasm test runner) can call the sandbox; the preflight of `/oauth/token` and
//! `/oauth/revoke` allows Gumroad's methods there (GET, POST, PUT, DELETE).
//!
//! A request's token is one of the fixed tokens or one the OAuth server issued; either
//! way it picks the store and labels the request in the log.

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

use crate::accounts;
use crate::ai;
use crate::faults::{self, Decision, FaultState, Faults};
use crate::inspect::{self, LoggedRequest};
use crate::oauth::{self, OAuth};
use crate::params::Params;
use crate::reply::Reply;
use crate::routes::{self, ApiRequest};
use crate::store::Store;
use crate::throttle::Throttle;
use crate::timeline::{self, Timeline};
use crate::tokens::{self, Bearer, MAX_STORES};
use crate::Config;

/// Locks even if a handler panicked while holding the lock: a test server should keep serving.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) struct Shared {
    pub(crate) config: Config,
    /// When the seeded sales happen, fixed when the sandbox starts (resets keep it).
    timeline: Timeline,
    /// One store per seller account, by index: `Config::stores` of them, or a reset's count.
    stores: Mutex<Vec<Store>>,
    log: Mutex<Vec<LoggedRequest>>,
    faults: Mutex<FaultState>,
    throttle: Mutex<Throttle>,
    /// The OAuth server: applications, codes and issued tokens (of every store).
    oauth: Mutex<OAuth>,
    seq: AtomicU64,
    /// Chat completions the AI stand-in has answered (their ids count up from 1).
    ai_completions: AtomicU64,
}

impl Shared {
    fn new(config: Config) -> Shared {
        let timeline = match config.sales_until {
            Some(last_day) => Timeline::ending_on(last_day, timeline::today().1),
            None => Timeline::fixed(),
        };
        Shared {
            stores: Mutex::new(accounts::build(
                config.stores,
                config.products,
                config.sales,
                config.seed,
                &timeline,
            )),
            timeline,
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(FaultState::new(config.faults.clone())),
            throttle: Mutex::new(Throttle::new()),
            oauth: Mutex::new(OAuth::new()),
            seq: AtomicU64::new(0),
            ai_completions: AtomicU64::new(0),
            config,
        }
    }

    pub(crate) fn store_count(&self) -> usize {
        lock(&self.stores).len()
    }

    /// The sellers' names of the stores served, by index (the consent page's accounts).
    pub(crate) fn store_names(&self) -> Vec<String> {
        lock(&self.stores)
            .iter()
            .map(|s| s.seller.name.clone())
            .collect()
    }

    pub(crate) fn oauth(&self) -> MutexGuard<'_, OAuth> {
        lock(&self.oauth)
    }

    /// The token `token` names: a fixed one, else one the OAuth server issued.
    fn bearer(&self, token: &str) -> Option<Bearer> {
        tokens::find(token)
            .map(Bearer::from)
            .or_else(|| self.oauth().bearer(token))
    }

    /// Store `store`'s state; `None` when the sandbox serves no such store.
    pub(crate) fn state(&self, store: usize) -> Option<Value> {
        lock(&self.stores).get(store).map(inspect::state_json)
    }

    pub(crate) fn sales_json(&self, store: usize) -> Option<Vec<u8>> {
        lock(&self.stores).get(store).map(inspect::sales_json)
    }

    pub(crate) fn subscribers_json(&self, store: usize) -> Option<Value> {
        lock(&self.stores).get(store).map(inspect::subscribers_json)
    }

    /// Runs `change` on store `store` (`None` when the sandbox serves no such store).
    pub(crate) fn with_store<R>(
        &self,
        store: usize,
        change: impl FnOnce(&mut Store) -> R,
    ) -> Option<R> {
        lock(&self.stores).get_mut(store).map(change)
    }

    pub(crate) fn tokens_json(&self) -> Value {
        inspect::tokens_json(&lock(&self.stores))
    }

    pub(crate) fn requests(&self) -> Vec<LoggedRequest> {
        let mut log = lock(&self.log).clone();
        log.sort_by_key(|r| r.seq);
        log
    }

    pub(crate) fn clear_requests(&self) -> usize {
        let mut log = lock(&self.log);
        let n = log.len();
        log.clear();
        n
    }

    pub(crate) fn faults(&self) -> Faults {
        lock(&self.faults).faults.clone()
    }

    pub(crate) fn set_faults(&self, faults: Faults) {
        *lock(&self.faults) = FaultState::new(faults);
    }

    pub(crate) fn reset(&self) {
        let c = &self.config;
        self.reset_with(c.products, c.sales, c.seed, c.stores);
    }

    /// Reseeds `stores` stores of `products` products and `sales` sales each from `seed`
    /// (tests that need a bigger or another store than the one the sandbox started with).
    pub(crate) fn reset_with(&self, products: usize, sales: usize, seed: u64, stores: usize) {
        *lock(&self.stores) = accounts::build(stores, products, sales, seed, &self.timeline);
        lock(&self.log).clear();
        *lock(&self.throttle) = Throttle::new();
        self.set_faults(self.config.faults.clone());
        self.oauth().reset();
        self.ai_completions.store(0, Ordering::SeqCst);
    }
}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

fn to_response(reply: Reply) -> Response<Full<Bytes>> {
    let mut res = without_cors(reply);
    let headers = res.headers_mut();
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("WWW-Authenticate"),
    );
    res
}

/// The answer as it is, without the CORS headers every API answer gets.
fn without_cors(reply: Reply) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(reply.body));
    *res.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = res.headers_mut();
    for (name, value) in reply.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.append(HeaderName::from_static(name), v);
        }
    }
    res
}

/// A request to the AI stand-in (`/ai/…`): logged on arrival with the status it will get
/// (so a client that gives up on `sandbox-slow` still shows in the log), never with its
/// key (`authorization` is `"[redacted]"` when the header came), no token or store, never
/// faulted or throttled, answered without CORS headers (preflights included: 404).
async fn serve_ai(
    shared: &Shared,
    method: String,
    path: String,
    query: String,
    body: Bytes,
    authorization: Option<String>,
) -> Response<Full<Bytes>> {
    let answer = ai::handle(&method, &path, &body, authorization.as_deref(), || {
        shared.ai_completions.fetch_add(1, Ordering::SeqCst) + 1
    });
    let seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
    lock(&shared.log).push(LoggedRequest {
        seq,
        url: if query.is_empty() {
            path.clone()
        } else {
            format!("{path}?{query}")
        },
        method,
        path,
        query,
        body: String::from_utf8_lossy(&body).into_owned(),
        authorization: authorization.map(|_| "[redacted]".to_string()),
        status: Some(answer.reply.status),
        fault: None,
        store: None,
        token: None,
    });
    if !answer.delay.is_zero() {
        // A timer, not a blocked thread: other connections go on being served meanwhile.
        tokio::time::sleep(answer.delay).await;
    }
    without_cors(answer.reply)
}

fn preflight(path: &str, requested_headers: Option<&str>) -> Reply {
    let mut allow = "authorization, content-type".to_string();
    if let Some(extra) = requested_headers.filter(|h| !h.trim().is_empty()) {
        allow = format!("{allow}, {extra}");
    }
    // Gumroad's CORS rule for the OAuth endpoints on the API host (additions §1): no PATCH.
    let methods = match OAuthRoute::of(path) {
        Some(OAuthRoute::Token | OAuthRoute::Revoke) => "GET, POST, PUT, DELETE",
        _ => "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    };
    Reply::empty(204)
        .with_header("access-control-allow-methods", methods)
        .with_header("access-control-allow-headers", allow)
        .with_header("access-control-max-age", "600")
}

/// The OAuth server's own endpoints (`/oauth/token/info` is an API route like `/v2`'s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OAuthRoute {
    Authorize,
    Token,
    Revoke,
}

impl OAuthRoute {
    fn of(path: &str) -> Option<OAuthRoute> {
        match path.trim_end_matches('/') {
            "/oauth/authorize" => Some(OAuthRoute::Authorize),
            "/oauth/token" => Some(OAuthRoute::Token),
            "/oauth/revoke" => Some(OAuthRoute::Revoke),
            _ => None,
        }
    }
}

/// Answers an OAuth endpoint (the routes Doorkeeper draws: authorize by GET, POST and
/// DELETE, token and revoke by POST; anything else is the usual 404).
fn serve_oauth(
    shared: &Shared,
    route: OAuthRoute,
    method: &str,
    query: &str,
    body: &[u8],
    authorization: Option<&str>,
    content_type: Option<&str>,
) -> Reply {
    match (route, method) {
        (OAuthRoute::Authorize, "GET" | "POST" | "DELETE") => {
            oauth::authorize::handle(shared, method, query, body, content_type)
        }
        (OAuthRoute::Token | OAuthRoute::Revoke, "POST") => {
            let Ok(params) = Params::parse(query, body, content_type) else {
                return Reply::error_400("Invalid request.");
            };
            let mut state = shared.oauth();
            if route == OAuthRoute::Token {
                oauth::token::token(&mut state, &params, authorization)
            } else {
                oauth::token::revoke(&mut state, &params, authorization)
            }
        }
        _ => Reply::not_found_route(),
    }
}

fn header(req: &Request<Incoming>, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn serve_request(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let authorization = header(&req, "authorization");
    let content_type = header(&req, "content-type");
    let requested_headers = header(&req, "access-control-request-headers");
    let body = match req.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Err(Dropped),
    };

    if path == "/__sandbox" || path.starts_with("/__sandbox/") {
        return Ok(to_response(inspect::handle(
            &shared, &method, &path, &query, &body,
        )));
    }
    if path == "/ai" || path.starts_with("/ai/") {
        return Ok(serve_ai(&shared, method, path, query, body, authorization).await);
    }
    if method == "OPTIONS" {
        return Ok(to_response(preflight(&path, requested_headers.as_deref())));
    }
    if !routes::is_api_path(&path) {
        return Ok(to_response(Reply::not_found_route()));
    }

    let request = ApiRequest::read(
        &method,
        &path,
        &query,
        &body,
        authorization.as_deref(),
        content_type.as_deref(),
    );
    // Whose request this is: a known token of a store being served, else nobody's.
    let token = request
        .token
        .as_deref()
        .and_then(|t| shared.bearer(t))
        .filter(|k| k.store < shared.store_count());
    let seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let oauth_route = OAuthRoute::of(&path);
    let (latency_ms, decision) = if oauth_route == Some(OAuthRoute::Authorize) {
        (0, Decision::Pass)
    } else {
        let mut f = lock(&shared.faults);
        (f.faults.latency_ms, f.decide_for(&method, &path))
    };
    if latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    }
    let mut fault = decision.label().map(str::to_string);
    let reply = match decision {
        Decision::TooMany => Some(faults::too_many_requests()),
        Decision::ServerError(status) => Some(faults::server_error(status)),
        Decision::DropBefore => None,
        Decision::Pass | Decision::DropAfter | Decision::Hostile(_) => {
            if shared.config.throttle && lock(&shared.throttle).hit(&method, &path) {
                fault.get_or_insert_with(|| "throttled".to_string());
                Some(faults::too_many_requests())
            } else if let Some(route) = oauth_route {
                Some(serve_oauth(
                    &shared,
                    route,
                    &method,
                    &query,
                    &body,
                    authorization.as_deref(),
                    content_type.as_deref(),
                ))
            } else {
                let mut stores = lock(&shared.stores);
                // A reset meanwhile may have removed the token's store: unknown then.
                let token = token.clone().filter(|k| k.store < stores.len());
                let store = &mut stores[token.as_ref().map_or(0, |k| k.store)];
                Some(routes::handle(store, request, token))
            }
        }
    };
    let reply = match (decision, reply) {
        (Decision::Hostile(hostile), Some(real)) => {
            Some(faults::garble(hostile, real).unwrap_or_else(|real| {
                // Not a success answer: nothing to hide, so no fault either.
                fault = None;
                real
            }))
        }
        (_, reply) => reply,
    };
    let answered = reply.filter(|_| decision != Decision::DropAfter);
    lock(&shared.log).push(LoggedRequest {
        seq,
        url: if query.is_empty() {
            path.clone()
        } else {
            format!("{path}?{query}")
        },
        method,
        path,
        query,
        body: String::from_utf8_lossy(&body).into_owned(),
        authorization,
        status: answered.as_ref().map(|r| r.status),
        fault,
        store: token.as_ref().map(|k| k.store),
        token: token.map(|k| k.label),
    });
    answered.map(to_response).ok_or(Dropped)
}

/// The first byte of a TLS connection: a handshake record.
const TLS_HANDSHAKE: u8 = 0x16;

async fn serve_connection(
    stream: tokio::net::TcpStream,
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
) {
    let service = service_fn(move |req| serve_request(shared.clone(), req));
    let mut first = [0u8; 1];
    let is_tls = matches!(stream.peek(&mut first).await, Ok(1) if first[0] == TLS_HANDSHAKE);
    // Errors here are mostly our own drops and clients hanging up: nothing to report.
    match tls {
        Some(acceptor) if is_tls => {
            let Ok(stream) = acceptor.accept(stream).await else {
                return;
            };
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        }
        _ => {
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        }
    }
}

/// A TLS acceptor with a fresh self-signed certificate for 127.0.0.1 and localhost,
/// offering HTTP/2 first.
fn self_signed_acceptor() -> std::io::Result<TlsAcceptor> {
    use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer};
    let invalid =
        |e: &dyn fmt::Display| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string());
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
            .map_err(|e| invalid(&e))?;
    let key = PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| invalid(&e))?
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)
    .map_err(|e| invalid(&e))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

async fn accept_loop(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
    mut stop: oneshot::Receiver<()>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("bulkroad-sandbox: cannot use listener: {e}");
            return;
        }
    };
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let tls = tls.clone();
                tokio::spawn(serve_connection(stream, shared, tls));
            }
        }
    }
}

/// A running sandbox. Stops (and frees its port) when dropped.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds `127.0.0.1:config.port` (0 = any free port), seeds the stores and starts
    /// serving on a thread of its own. The port accepts connections once this returns.
    /// `config.stores` outside 1..=[`MAX_STORES`] is an `InvalidInput` error.
    pub fn start(config: Config) -> std::io::Result<Sandbox> {
        if !(1..=MAX_STORES).contains(&config.stores) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("stores must be between 1 and {MAX_STORES}"),
            ));
        }
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let tls = if config.tls {
            Some(self_signed_acceptor()?)
        } else {
            None
        };
        let shared = Arc::new(Shared::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("bulkroad-sandbox-worker")
            .enable_all()
            .build()?;
        let (stop_tx, stop_rx) = oneshot::channel();
        let serving = shared.clone();
        let thread = std::thread::Builder::new()
            .name("bulkroad-sandbox".into())
            .spawn(move || {
                runtime.block_on(accept_loop(listener, serving, tls, stop_rx));
                // Open keep-alive connections are abandoned, not drained: the caller asked to stop.
                runtime.shutdown_background();
            })?;
        Ok(Sandbox {
            addr,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `https://127.0.0.1:PORT` when started with `Config::tls` (the same port, the same
    /// store), else `None`.
    pub fn tls_url(&self) -> Option<String> {
        self.shared
            .config
            .tls
            .then(|| format!("https://{}", self.addr))
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Replaces the faults in force (and re-seeds their generator from `f.seed`).
    pub fn set_faults(&self, f: Faults) {
        self.shared.set_faults(f);
    }

    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Records `uses` uses of store 0's offer code `id`, as `POST
    /// /__sandbox/offer_codes/use` does: `Ok(the code, with "deleted")`, or `Err(the
    /// side door's error answer)`.
    pub fn use_offer_code(&self, id: &str, uses: i64) -> Result<Value, Value> {
        let body = serde_json::json!({"id": id, "uses": uses}).to_string();
        let reply = self
            .shared
            .with_store(0, |s| crate::code_uses::record_uses(s, body.as_bytes()))
            .unwrap_or_else(|| self.no_store(0));
        let value: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        if reply.status == 200 {
            Ok(value)
        } else {
            Err(value)
        }
    }

    /// Makes store 0's offer code `id` some product's default discount (or no longer), as
    /// `POST /__sandbox/offer_codes/default` does; false when there is no such alive code.
    pub fn set_default_discount(&self, id: &str, default: bool) -> bool {
        let body = serde_json::json!({"id": id, "default": default}).to_string();
        self.shared
            .with_store(0, |s| crate::code_uses::set_default(s, body.as_bytes()))
            .is_some_and(|reply| reply.status == 200)
    }

    /// Store 0 as JSON; same shape as `GET /__sandbox/state`.
    pub fn state(&self) -> Value {
        self.state_of(0)
    }

    /// Every sale of store 0 as the API shows it, newest first; same as `GET /__sandbox/sales`.
    pub fn sales(&self) -> Value {
        self.sales_of(0)
    }

    /// Every subscription (any status) of store 0 as the API shows it, newest first; same
    /// as `GET /__sandbox/subscribers`.
    pub fn subscribers(&self) -> Value {
        self.subscribers_of(0)
    }

    /// How many stores the sandbox serves now.
    pub fn stores(&self) -> usize {
        self.shared.store_count()
    }

    /// Store `store` as JSON (`GET /__sandbox/state?store=N`).
    ///
    /// # Panics
    /// When the sandbox serves no store `store`.
    pub fn state_of(&self, store: usize) -> Value {
        self.shared
            .state(store)
            .unwrap_or_else(|| self.no_store(store))
    }

    /// Every sale of store `store`, newest first (`GET /__sandbox/sales?store=N`).
    ///
    /// # Panics
    /// When the sandbox serves no store `store`.
    pub fn sales_of(&self, store: usize) -> Value {
        let bytes = self
            .shared
            .sales_json(store)
            .unwrap_or_else(|| self.no_store(store));
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    }

    /// Every subscription of store `store`, newest first (`GET /__sandbox/subscribers?store=N`).
    ///
    /// # Panics
    /// When the sandbox serves no store `store`.
    pub fn subscribers_of(&self, store: usize) -> Value {
        self.shared
            .subscribers_json(store)
            .unwrap_or_else(|| self.no_store(store))
    }

    /// The tokens object of `GET /__sandbox/tokens`: store 0's tokens by name, and
    /// `stores`, each served store with its seller and tokens.
    pub fn tokens(&self) -> Value {
        self.shared.tokens_json()
    }

    fn no_store(&self, store: usize) -> ! {
        panic!(
            "the sandbox serves stores 0 to {}, not store {store}",
            self.stores() - 1
        )
    }

    /// The `/v2` and `/oauth` requests received so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.requests()
    }

    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// Reseeds every store from the start config, clears the log and the throttle
    /// counters, restores the start faults and resets the OAuth server (no issued token,
    /// code or extra application; the default application without redirect URIs).
    pub fn reset(&self) {
        self.shared.reset();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
