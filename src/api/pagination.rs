//! Following Gumroad's `page_key` cursors safely. A list endpoint returns `next_page_key`
//! only while another page exists (contract §2.1, §2.6); a server that repeats a key would
//! otherwise make a walker loop forever. No I/O here.

use std::collections::HashSet;

use crate::error::Error;
use crate::transport::Method;

/// More pages than any real store has (10 items each): a server that keeps inventing new
/// keys is stopped too.
const MAX_PAGES: usize = 100_000;

/// The keys seen while walking one list; refuses a key it has already followed.
#[derive(Debug, Clone)]
pub struct PageKeys {
    endpoint: String,
    seen: HashSet<String>,
}

impl PageKeys {
    /// A walk over `path` (e.g. `"/v2/products"`), for error messages.
    pub fn new(path: &str) -> Self {
        PageKeys {
            endpoint: path.to_owned(),
            seen: HashSet::new(),
        }
    }

    /// The key to request next, `None` when the list is complete, or a
    /// [`Decode`](crate::ErrorKind::Decode) error on a pagination cycle.
    pub fn follow(&mut self, next_page_key: Option<String>) -> Result<Option<String>, Error> {
        let Some(key) = next_page_key.filter(|key| !key.is_empty()) else {
            return Ok(None);
        };
        if self.seen.len() >= MAX_PAGES {
            return Err(Error::decode(format!(
                "Gumroad kept sending more pages of {} than any store has; stopped after {MAX_PAGES}.",
                self.endpoint
            ))
            .at(Method::Get, &self.endpoint));
        }
        if !self.seen.insert(key.clone()) {
            return Err(Error::decode(format!(
                "Gumroad sent the same page key twice while listing {} (pagination cycle); stopped.",
                self.endpoint
            ))
            .at(Method::Get, &self.endpoint));
        }
        Ok(Some(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn follows_new_keys_and_stops_on_a_repeat() {
        let mut keys = PageKeys::new("/v2/products");
        assert_eq!(keys.follow(Some("a".into())).unwrap().as_deref(), Some("a"));
        assert_eq!(keys.follow(Some("b".into())).unwrap().as_deref(), Some("b"));
        assert_eq!(keys.follow(Some(String::new())).unwrap(), None);
        assert_eq!(keys.follow(None).unwrap(), None);
        let error = keys.follow(Some("a".into())).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert!(error.message().contains("pagination cycle"));
        assert_eq!(error.endpoint(), Some("GET /v2/products"));
        assert!(!error.retryable());
    }
}
