//! The one error type of the crate: [`Error`] = a [`ErrorKind`] to branch on, a
//! seller-readable message, the HTTP status and endpoint when there was one, and whether a
//! write may have been applied. It must not hold or print the access token, nor carry
//! unbounded text from an answer (hostile answers can be huge); no `JsValue` here.

use serde::{Deserialize, Serialize, Serializer};

use crate::http::{Method, TransportError};

/// What went wrong, coarse enough to branch on (in Rust and, by its name, in JS).
/// Serialized as exactly the variant name (`"RateLimited"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorKind {
    /// Refused before any request was sent (an empty token, a 150 % discount…).
    InvalidInput,
    /// 401: the token is unknown, revoked or expired (and could not be renewed). Stops a bulk
    /// run. Also: Gumroad's sign-in server refused the grant (a sign-in code expired or used,
    /// a refresh token revoked): either way the seller must sign in again.
    Unauthorized,
    /// 403: the token lacks every scope the endpoint accepts.
    Forbidden,
    /// The object does not exist (Gumroad mostly says so with HTTP 200 + `success:false`).
    NotFound,
    /// Gumroad refused the request and said why (`success:false`, or a 400 `{status, error}`).
    Rejected,
    /// 429 from Gumroad's throttle, which answers before the app runs.
    RateLimited,
    /// 5xx or an answer that is not one of Gumroad's shapes.
    Server,
    /// No answer: the connection failed, dropped or timed out.
    Network,
    /// The answer came but could not be read as the expected JSON.
    Decode,
    /// The operation was cancelled by the seller.
    Cancelled,
    /// The account was disconnected in Bulkroad (its stop signal was set): nothing more is
    /// sent with its token. Stops a bulk run and an export, and is never retried. A request
    /// stopped before it was sent cannot have applied; a write abandoned on its way may have
    /// (`may_have_applied`).
    Stopped,
    /// The seller chose Deny on Gumroad's consent page: nothing was connected, and nothing
    /// went wrong.
    Denied,
    /// The browser's storage refused to keep Bulkroad's data (full, or failing). A job or
    /// export stops as interrupted and waits for the seller; nothing was sent for a step
    /// whose start could not be saved. Never retried by itself.
    Storage,
}

impl ErrorKind {
    /// The serialized name, e.g. `"RateLimited"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "InvalidInput",
            ErrorKind::Unauthorized => "Unauthorized",
            ErrorKind::Forbidden => "Forbidden",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::Rejected => "Rejected",
            ErrorKind::RateLimited => "RateLimited",
            ErrorKind::Server => "Server",
            ErrorKind::Network => "Network",
            ErrorKind::Decode => "Decode",
            ErrorKind::Cancelled => "Cancelled",
            ErrorKind::Stopped => "Stopped",
            ErrorKind::Denied => "Denied",
            ErrorKind::Storage => "Storage",
        }
    }

    /// Every kind, in declaration order.
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::InvalidInput,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::Rejected,
        ErrorKind::RateLimited,
        ErrorKind::Server,
        ErrorKind::Network,
        ErrorKind::Decode,
        ErrorKind::Cancelled,
        ErrorKind::Stopped,
        ErrorKind::Denied,
        ErrorKind::Storage,
    ];

    /// The kind named `name` ([`ErrorKind::as_str`]), e.g. from a JS `GumroadError`'s `kind`.
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// The message of every [`ErrorKind::Stopped`] error.
pub const STOPPED_MESSAGE: &str =
    "Stopped: this account was disconnected in Bulkroad. Nothing more is sent with its token.";

/// What Bulkroad was saving when the browser's storage refused it (see [`Error::storage`]).
/// Deserialized from its camelCase name (`"jobProgress"`), as the worker passes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Saving {
    /// A running job's checkpoint (a step's row or the job's record).
    JobProgress,
    /// A confirmed job's plan and first record, before any change is sent.
    JobStart,
    /// A preview waiting for the seller's confirmation.
    Preview,
    /// The report of a job that has ended.
    Report,
    /// A page of an export, or its file.
    Export,
}

/// The start of every [`Error::storage`] message for a full storage (a quota error).
pub const STORAGE_FULL: &str = "storage full";

/// Longest part of the browser's own words an [`Error::storage`] message quotes.
const MAX_STORAGE_DETAIL_CHARS: usize = 160;

/// Longest message an [`Error`] keeps, in characters.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// A failure, ready to show to the seller ([`Display`](std::fmt::Display) is the message).
///
/// Serializes as `{kind, message, status, endpoint, retryable, may_have_applied}`;
/// deserializes from the same (the derived `retryable` is ignored on the way in).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Deserialize)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    endpoint: Option<String>,
    #[serde(default)]
    may_have_applied: bool,
}

impl Error {
    /// An error of `kind` with `message` (control characters flattened, length capped).
    pub fn new(kind: ErrorKind, message: impl AsRef<str>) -> Self {
        Error {
            kind,
            message: clip(message.as_ref(), MAX_MESSAGE_CHARS),
            status: None,
            endpoint: None,
            may_have_applied: false,
        }
    }

    pub fn invalid_input(message: impl AsRef<str>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    pub fn unauthorized(message: impl AsRef<str>) -> Self {
        Self::new(ErrorKind::Unauthorized, message)
    }

    pub fn forbidden(message: impl AsRef<str>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }

    pub fn not_found(message: impl AsRef<str>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn rejected(message: impl AsRef<str>) -> Self {
        Self::new(ErrorKind::Rejected, message)
    }

    pub fn rate_limited() -> Self {
        Self::new(
            ErrorKind::RateLimited,
            "Gumroad is limiting how fast requests may be sent. Wait a moment and try again.",
        )
    }

    pub fn server(message: impl AsRef<str>) -> Self {
        Self::new(ErrorKind::Server, message)
    }

    pub fn network(message: impl AsRef<str>) -> Self {
        Self::new(ErrorKind::Network, message)
    }

    pub fn decode(message: impl AsRef<str>) -> Self {
        Self::new(ErrorKind::Decode, message)
    }

    pub fn cancelled() -> Self {
        Self::new(ErrorKind::Cancelled, "Cancelled.")
    }

    /// The seller chose Deny on Gumroad's consent page.
    pub fn denied(message: impl AsRef<str>) -> Self {
        Self::new(ErrorKind::Denied, message)
    }

    /// The browser's storage refused a write while Bulkroad was `saving`: `name` is the
    /// error's name (IndexedDB's `QuotaExceededError`), `detail` its message
    /// (`chrome.storage` says only "…quota exceeded" in its message). A full storage reads
    /// `storage full: …`; anything else `storage error (<the browser's words>): …`. Each
    /// says what stopped and what the seller does next.
    pub fn storage(name: &str, detail: &str, saving: Saving) -> Self {
        let full = name == "QuotaExceededError" || detail.to_lowercase().contains("quota");
        let head = if full {
            format!("{STORAGE_FULL}: the browser has no room left for Bulkroad's data")
        } else {
            let detail = clip(detail, MAX_STORAGE_DETAIL_CHARS);
            let said = if detail.is_empty() {
                clip(name, 60)
            } else {
                detail
            };
            format!("storage error ({said}): the browser could not save Bulkroad's data")
        };
        let tail = match saving {
            Saving::JobProgress => {
                ", so this job stopped before its next change. Free some disk space; changes \
                 whose outcome could not be saved are checked on Gumroad again."
            }
            Saving::JobStart => {
                ", so this job could not start and nothing was changed. Free some disk \
                 space, then apply it again."
            }
            Saving::Preview => {
                ", so this preview could not be kept and nothing was changed. Free some disk \
                 space, then preview again."
            }
            Saving::Report => {
                ", so this job's report could not be kept: it offers no Undo, Retry or end \
                 time. Its counts above are complete."
            }
            Saving::Export => {
                ", so this export stopped. Free some disk space, then resume it; no page \
                 already read is lost."
            }
        };
        Self::new(ErrorKind::Storage, format!("{head}{tail}"))
    }

    /// The account was disconnected: what every request stopped by its signal fails with.
    pub fn stopped() -> Self {
        Self::new(ErrorKind::Stopped, STOPPED_MESSAGE)
    }

    /// A transport failure on `method path`. A connection that was never established, or a
    /// request stopped before it was sent, cannot have applied anything; any other lost
    /// answer to a write (one abandoned on its way by the stop signal too) may have.
    pub fn from_transport(error: TransportError, method: Method, path: &str) -> Self {
        match error {
            TransportError::Stopped => Self::stopped().at(method, path),
            TransportError::StoppedInFlight => {
                let mut stopped = Self::stopped().at(method, path);
                stopped.may_have_applied = method.is_write();
                stopped
            }
            TransportError::Connect => {
                let mut network = Self::network(error.to_string()).at(method, path);
                network.may_have_applied = false;
                network
            }
            TransportError::Timeout | TransportError::Interrupted => {
                Self::network(error.to_string()).at(method, path)
            }
        }
    }

    /// Records the HTTP status of the answer.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Records the request (`method` and `path`, kept as `"GET /v2/products"`) and derives
    /// [`Error::may_have_applied`]: a write (POST/PUT/PATCH/DELETE) that got no answer, a
    /// 5xx or an unreadable answer may have been applied by Gumroad before things went wrong.
    pub fn at(mut self, method: Method, path: &str) -> Self {
        self.endpoint = Some(clip(&format!("{} {path}", method.as_str()), 200));
        self.may_have_applied = method.is_write()
            && matches!(
                self.kind,
                ErrorKind::Server | ErrorKind::Network | ErrorKind::Decode
            );
        self
    }

    /// What renewing the token of `method path` met (`self`), as that request's error:
    /// Gumroad refused the request with 401, so it was not applied whatever renewing met,
    /// and the status of the renewal's own answer is not the request's.
    pub fn while_renewing(mut self, method: Method, path: &str) -> Self {
        self.status = None;
        self.endpoint = Some(clip(&format!("{} {path}", method.as_str()), 200));
        self.may_have_applied = false;
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// `"METHOD /path"` of the request, when the error came from one.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// True when a write may have reached Gumroad although no success was seen: re-read
    /// the target before deciding what happened (Gumroad has no idempotency keys).
    pub fn may_have_applied(&self) -> bool {
        self.may_have_applied
    }

    /// True when sending the same request again is both safe and useful: always after a
    /// 429 (Gumroad's throttle refuses before the app runs), and after a 5xx or a lost
    /// answer only when the request could not have been applied.
    pub fn retryable(&self) -> bool {
        match self.kind {
            ErrorKind::RateLimited => true,
            ErrorKind::Server | ErrorKind::Network => !self.may_have_applied,
            _ => false,
        }
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("Error", 6)?;
        state.serialize_field("kind", &self.kind)?;
        state.serialize_field("message", &self.message)?;
        state.serialize_field("status", &self.status)?;
        state.serialize_field("endpoint", &self.endpoint)?;
        state.serialize_field("retryable", &self.retryable())?;
        state.serialize_field("may_have_applied", &self.may_have_applied)?;
        state.end()
    }
}

/// `text` on one line (control characters become spaces, surrounding space trimmed) and at
/// most `max_chars` characters, ending in `…` when cut.
pub(crate) fn clip(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    for (taken, c) in text.trim().chars().enumerate() {
        if taken == max_chars {
            out.truncate(out.trim_end().len());
            out.push('…');
            return out;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out.truncate(out.trim_end().len());
    out
}

/// Longest map key, in characters, that [`field_path`] copies (longer ones end in `…`): a
/// hostile key must not push the reason out of a capped message.
const MAX_KEY_CHARS: usize = 60;

/// Where a decoding error happened, as serde_path_to_error reports it (`.` for the whole
/// value, else keys joined by `.` and indexes in brackets: `products[1].price`), with map
/// keys clipped.
pub(crate) fn field_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => push_key(&mut out, &clip(key, MAX_KEY_CHARS)),
            Segment::Enum { variant } => push_key(&mut out, variant),
            Segment::Unknown => push_key(&mut out, "?"),
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_path_names_keys_and_indexes_and_clips_long_keys() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Answer {
            products: Vec<std::collections::BTreeMap<String, u8>>,
        }
        let long = "k".repeat(100);
        let rows = [
            ("[]", ".".to_owned()),
            (
                r#"{"products":[{"a":1},{"price":"x"}]}"#,
                "products[1].price".to_owned(),
            ),
            (
                &*format!(r#"{{"products":[{{"{long}":-1}}]}}"#),
                format!("products[0].{}…", "k".repeat(MAX_KEY_CHARS)),
            ),
        ];
        for (text, path) in rows {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            let error =
                serde_path_to_error::deserialize::<_, Answer>(&mut deserializer).expect_err(text);
            assert_eq!(field_path(error.path()), path, "{text}");
        }
    }
    use ErrorKind::*;

    fn make(kind: ErrorKind) -> Error {
        Error::new(kind, "x")
    }

    #[test]
    fn retryable_and_may_have_applied_per_kind_and_method() {
        // (kind, method, retryable, may_have_applied)
        let rows = [
            (InvalidInput, Method::Get, false, false),
            (InvalidInput, Method::Post, false, false),
            (Unauthorized, Method::Get, false, false),
            (Unauthorized, Method::Put, false, false),
            (Forbidden, Method::Delete, false, false),
            (NotFound, Method::Get, false, false),
            (NotFound, Method::Delete, false, false),
            (Rejected, Method::Post, false, false),
            (RateLimited, Method::Get, true, false),
            (RateLimited, Method::Post, true, false),
            (RateLimited, Method::Delete, true, false),
            (Server, Method::Get, true, false),
            (Server, Method::Post, false, true),
            (Server, Method::Put, false, true),
            (Server, Method::Patch, false, true),
            (Server, Method::Delete, false, true),
            (Network, Method::Get, true, false),
            (Network, Method::Post, false, true),
            (Network, Method::Delete, false, true),
            (Decode, Method::Get, false, false),
            (Decode, Method::Put, false, true),
            (Cancelled, Method::Get, false, false),
            (Cancelled, Method::Post, false, false),
            (Stopped, Method::Get, false, false),
            (Stopped, Method::Post, false, false),
            (Denied, Method::Get, false, false),
            (Denied, Method::Post, false, false),
            (Storage, Method::Get, false, false),
            (Storage, Method::Post, false, false),
        ];
        for (kind, method, retryable, applied) in rows {
            let error = make(kind).at(method, "/v2/x");
            assert_eq!(
                error.retryable(),
                retryable,
                "retryable {kind:?} {method:?}"
            );
            assert_eq!(
                error.may_have_applied(),
                applied,
                "applied {kind:?} {method:?}"
            );
        }
    }

    #[test]
    fn a_write_that_never_connected_is_safe_to_retry() {
        let refused = Error::from_transport(TransportError::Connect, Method::Post, "/v2/x");
        assert!(!refused.may_have_applied());
        assert!(refused.retryable());
        let dropped = Error::from_transport(TransportError::Interrupted, Method::Post, "/v2/x");
        assert!(dropped.may_have_applied());
        assert!(!dropped.retryable());
        let timeout = Error::from_transport(TransportError::Timeout, Method::Get, "/v2/x");
        assert!(!timeout.may_have_applied());
        assert!(timeout.retryable());
        assert_eq!(timeout.kind(), Network);
    }

    #[test]
    fn a_stopped_request_is_never_retried_and_only_a_write_on_its_way_may_have_applied() {
        // (transport error, method, may_have_applied)
        let rows = [
            (TransportError::Stopped, Method::Get, false),
            (TransportError::Stopped, Method::Post, false),
            (TransportError::Stopped, Method::Delete, false),
            (TransportError::StoppedInFlight, Method::Get, false),
            (TransportError::StoppedInFlight, Method::Post, true),
            (TransportError::StoppedInFlight, Method::Put, true),
            (TransportError::StoppedInFlight, Method::Delete, true),
        ];
        for (transport, method, applied) in rows {
            let error = Error::from_transport(transport, method, "/v2/x");
            assert_eq!(error.kind(), Stopped, "{transport:?} {method:?}");
            assert_eq!(error.message(), STOPPED_MESSAGE);
            assert!(!error.retryable(), "{transport:?} {method:?}");
            assert_eq!(
                error.may_have_applied(),
                applied,
                "{transport:?} {method:?}"
            );
            assert_eq!(
                error.endpoint(),
                Some(&*format!("{} /v2/x", method.as_str()))
            );
        }
    }

    #[test]
    fn a_storage_failure_says_full_for_a_quota_error_and_what_stopped() {
        // (name, detail, saving, start, words that must be there)
        let rows = [
            (
                "QuotaExceededError",
                "The quota has been exceeded.",
                Saving::JobProgress,
                "storage full: ",
                "stopped before its next change",
            ),
            (
                "Error",
                "Resource::kQuotaBytes quota exceeded",
                Saving::JobProgress,
                "storage full: ",
                "checked on Gumroad again",
            ),
            (
                "QuotaExceededError",
                "",
                Saving::JobStart,
                "storage full: ",
                "nothing was changed",
            ),
            (
                "QuotaExceededError",
                "",
                Saving::Preview,
                "storage full: ",
                "preview again",
            ),
            (
                "QuotaExceededError",
                "",
                Saving::Report,
                "storage full: ",
                "no Undo, Retry or end time",
            ),
            (
                "QuotaExceededError",
                "",
                Saving::Export,
                "storage full: ",
                "resume it",
            ),
            (
                "UnknownError",
                "Internal error opening backing store",
                Saving::JobProgress,
                "storage error (Internal error opening backing store): ",
                "stopped before its next change",
            ),
            (
                "InvalidStateError",
                "",
                Saving::Preview,
                "storage error (InvalidStateError): ",
                "preview again",
            ),
        ];
        for (name, detail, saving, start, words) in rows {
            let error = Error::storage(name, detail, saving);
            assert_eq!(error.kind(), Storage);
            assert!(
                error.message().starts_with(start),
                "{name}: {}",
                error.message()
            );
            assert!(
                error.message().contains(words),
                "{name}: {}",
                error.message()
            );
            assert!(!error.retryable() && !error.may_have_applied());
        }
        let long = Error::storage("UnknownError", &"x".repeat(1000), Saving::JobProgress);
        assert!(
            long.message().len() < 400,
            "the browser's words are clipped"
        );
        assert!(long.message().ends_with("checked on Gumroad again."));
    }

    #[test]
    fn serializes_kind_as_pascal_case_name() {
        for kind in ErrorKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::String(kind.as_str().into())
            );
            assert_eq!(format!("{kind:?}"), kind.as_str());
            assert_eq!(ErrorKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(ErrorKind::from_name("denied"), None);
        assert_eq!(ErrorKind::from_name(""), None);
    }

    #[test]
    fn what_renewing_met_is_the_requests_error_and_never_applied() {
        let renewing = Error::network("Could not connect to Gumroad.")
            .with_status(503)
            .at(Method::Post, "/oauth/token");
        assert!(renewing.may_have_applied());
        let error = renewing.while_renewing(Method::Put, "/v2/products/p");
        assert_eq!(error.kind(), Network);
        assert_eq!(error.status(), None);
        assert_eq!(error.endpoint(), Some("PUT /v2/products/p"));
        assert!(!error.may_have_applied());
        assert!(error.retryable());
    }

    #[test]
    fn serializes_and_reads_back() {
        let error = Error::server("Gumroad had a problem (HTTP 502).")
            .with_status(502)
            .at(Method::Get, "/v2/products");
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "Server",
                "message": "Gumroad had a problem (HTTP 502).",
                "status": 502,
                "endpoint": "GET /v2/products",
                "retryable": true,
                "may_have_applied": false,
            })
        );
        let back: Error = serde_json::from_value(json).unwrap();
        assert_eq!(back, error);
        assert_eq!(error.to_string(), error.message());
    }

    #[test]
    fn messages_are_one_line_and_capped() {
        let huge = "a".repeat(5_000_000);
        let error = Error::rejected(&huge);
        assert_eq!(error.message().chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(error.message().ends_with('…'));
        assert_eq!(Error::rejected("a\nb\tc\u{0}").message(), "a b c");
        assert_eq!(clip("  héllo  ", 3), "hél…");
        assert_eq!(clip("héllo", 5), "héllo");
    }
}
