//! The browser transport: the service worker's `fetch` through gloo-net (wasm32 only). It
//! must not log, must not send cookies, and puts the token only into the `Authorization`
//! header (none for the OAuth token endpoints). No `JsValue` here: gloo-net and web-sys types only.
//!
//! Given the account's stop signal (an `AbortSignal` from the worker), it checks the signal
//! before every request and sends nothing once it is aborted (`TransportError::Stopped`),
//! and a request on its way is aborted with it (`TransportError::StoppedInFlight`, never a
//! timeout: the request may have reached Gumroad).

use std::rc::Rc;

use gloo_net::http::{Method as FetchMethod, RequestBuilder};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal, RequestCache, RequestCredentials, RequestRedirect};

use super::{Method, Request, Response, Transport, TransportError, FORM_CONTENT_TYPE};
use crate::auth::AccessToken;
use crate::config::API_BASE_URL;

/// Chrome stops an extension service worker whose fetch takes longer than 30 s; giving up
/// a little earlier turns that into an ordinary `Network` error the job can record.
const TIMEOUT_MS: u32 = 25_000;

/// Sends requests with `fetch` to the origin given at construction.
#[derive(Debug, Clone)]
pub struct FetchTransport {
    base_url: String,
    stop: Option<Rc<Stop>>,
}

/// An account's stop signal, checked before every request, and a relay of it that
/// requests on their way listen to.
#[derive(Debug)]
struct Stop {
    account: AbortSignal,
    /// `None` only if the browser could not make one (it cannot fail): the check before
    /// every request still holds then.
    relay: Option<Relay>,
}

/// `fetch` rejects with its signal's abort reason, and a reason that is not an `Error` (JS
/// may call `controller.abort("forgotten")`) is more than gloo-net can read; so a request
/// never gets the account's signal itself, only this controller's, aborted without a reason
/// (an `AbortError`) by an `abort` listener on the account's signal.
#[derive(Debug)]
struct Relay {
    account: AbortSignal,
    controller: AbortController,
    listener: Closure<dyn FnMut()>,
}

impl Relay {
    fn new(account: &AbortSignal) -> Option<Relay> {
        let controller = AbortController::new().ok()?;
        let aborts = controller.clone();
        let listener = Closure::<dyn FnMut()>::new(move || aborts.abort());
        account
            .add_event_listener_with_callback("abort", listener.as_ref().unchecked_ref())
            .ok()?;
        Some(Relay {
            account: account.clone(),
            controller,
            listener,
        })
    }
}

/// The account's signal outlives the transport: the listener goes with the transport.
impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self
            .account
            .remove_event_listener_with_callback("abort", self.listener.as_ref().unchecked_ref());
    }
}

impl FetchTransport {
    pub fn new(base_url: impl Into<String>) -> Self {
        FetchTransport {
            base_url: base_url.into(),
            stop: None,
        }
    }

    /// The same transport, stopped for good once `stop` (the account's signal) aborts:
    /// nothing is sent after that, and a request on its way is aborted. `None`: never
    /// stopped.
    pub fn with_stop(mut self, stop: Option<AbortSignal>) -> Self {
        self.stop = stop.map(|account| {
            Rc::new(Stop {
                relay: Relay::new(&account),
                account,
            })
        });
        self
    }

    /// Whether the account's stop signal has aborted.
    fn stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|stop| stop.account.aborted())
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

/// The build's API origin ([`API_BASE_URL`]).
impl Default for FetchTransport {
    fn default() -> Self {
        Self::new(API_BASE_URL)
    }
}

impl Transport for FetchTransport {
    async fn send(
        &self,
        request: &Request,
        bearer: Option<&AccessToken>,
    ) -> Result<Response, TransportError> {
        let method = match request.method {
            Method::Get => FetchMethod::GET,
            Method::Post => FetchMethod::POST,
            Method::Put => FetchMethod::PUT,
            Method::Patch => FetchMethod::PATCH,
            Method::Delete => FetchMethod::DELETE,
        };
        if self.stopped() {
            // Checked right before `fetch` is called, with no JS running in between.
            return Err(TransportError::Stopped);
        }
        let timeout = AbortSignal::timeout_with_u32(TIMEOUT_MS);
        let relayed = self.stop.as_ref().and_then(|stop| stop.relay.as_ref());
        let signal = match relayed {
            Some(relay) => {
                AbortSignal::any(&js_sys::Array::of2(&timeout, &relay.controller.signal()))
            }
            None => timeout,
        };
        let mut builder = RequestBuilder::new(&request.url(&self.base_url)).method(method);
        if let Some(bearer) = bearer {
            builder = builder.header("Authorization", &format!("Bearer {}", bearer.expose()));
        }
        let builder = builder
            .header("Accept", "application/json")
            // No Gumroad session cookies ride along: the token is the only credential.
            .credentials(RequestCredentials::Omit)
            // A list read after a write must be fresh, never the HTTP cache's copy.
            .cache(RequestCache::NoStore)
            // A redirect would be a surprise from this API; following one could carry the
            // request somewhere else.
            .redirect(RequestRedirect::Error)
            .abort_signal(Some(&signal));
        // Failing to build means nothing left the worker.
        let built = match request.form_body() {
            Some(body) => builder.header("Content-Type", FORM_CONTENT_TYPE).body(body),
            None => builder.build(),
        }
        .map_err(|_| TransportError::Connect)?;
        let answer = built.send().await.map_err(|error| self.classify(error))?;
        let headers = answer.headers();
        let status = answer.status();
        let content_type = headers.get("content-type");
        let www_authenticate = headers.get("www-authenticate");
        let body = answer.text().await.map_err(|error| self.classify(error))?;
        Ok(Response {
            status,
            content_type,
            www_authenticate,
            body,
        })
    }
}

impl FetchTransport {
    /// `fetch` rejects with a `TypeError` both when it cannot connect and when the
    /// connection drops, so those count as "may have been sent"; the abort signal rejects
    /// with a `TimeoutError` (or `AbortError`). Any failure once the account's signal has
    /// aborted is that stop (the request was on its way: it may have been sent).
    fn classify(&self, error: gloo_net::Error) -> TransportError {
        if self.stopped() {
            return TransportError::StoppedInFlight;
        }
        match error {
            gloo_net::Error::JsError(js)
                if js.name == "TimeoutError" || js.name == "AbortError" =>
            {
                TransportError::Timeout
            }
            _ => TransportError::Interrupted,
        }
    }
}
