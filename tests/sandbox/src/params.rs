//! Request parameters the Rails way: query string, form body and JSON body merged into one map.
//!
//! Rails merges every source into `params` (body over query, contract §1.1), and
//! Gumroad's controllers then read values with Ruby semantics: `present?`,
//! `to_i`, comparisons against the *string* `"true"`. Keeping the raw JSON types
//! here (a JSON `true` stays a boolean) is what lets handlers reproduce those
//! quirks exactly; the casts below mirror ActiveModel's.

use serde_json::{Map, Value};

#[derive(Debug, Default, Clone)]
pub struct Params {
    map: Map<String, Value>,
}

/// The body could not be read as the content type it claimed.
#[derive(Debug)]
pub struct Unparseable;

/// Result of ActiveModel's integer cast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntParam {
    /// Key absent, `null`, or a blank string: the attribute becomes nil.
    Nil,
    /// A number, saturated far outside the 32-bit range so range checks still see it.
    Int(i128),
}

impl IntParam {
    pub fn value(self) -> Option<i128> {
        match self {
            IntParam::Nil => None,
            IntParam::Int(v) => Some(v),
        }
    }
}

/// Ruby's `String#to_i`: optional sign, digits and underscores, anything after ignored, junk is 0.
pub fn ruby_to_i(s: &str) -> i128 {
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut n: i128 = 0;
    let mut prev_digit = false;
    for b in digits.bytes() {
        match b {
            b'0'..=b'9' => {
                n = (n * 10 + i128::from(b - b'0')).min(1_000_000_000_000_000_000_000);
                prev_digit = true;
            }
            b'_' if prev_digit => prev_digit = false,
            _ => break,
        }
    }
    if neg {
        -n
    } else {
        n
    }
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(_) => false,
    }
}

/// Splits `tags[]` / `a[b][]` into the base name and its bracket segments.
fn split_key(key: &str) -> (String, Vec<String>) {
    match key.find('[') {
        Some(i) if i > 0 && key.ends_with(']') => {
            let base = key[..i].to_string();
            let rest = &key[i + 1..key.len() - 1];
            (base, rest.split("][").map(str::to_string).collect())
        }
        _ => (key.to_string(), Vec::new()),
    }
}

/// Rack's nested-parameter assignment for the shapes a client can send:
/// `k=v`, `k[]=v` (array), `k[a]=v` (hash) and `k[][a]=v` (array of hashes).
fn assign(target: &mut Map<String, Value>, base: String, segments: &[String], value: String) {
    let Some((first, rest)) = segments.split_first() else {
        target.insert(base, Value::String(value));
        return;
    };
    if first.is_empty() {
        let slot = target
            .entry(base)
            .or_insert_with(|| Value::Array(Vec::new()));
        if !slot.is_array() {
            *slot = Value::Array(Vec::new());
        }
        let arr = slot.as_array_mut().expect("just made an array");
        if rest.is_empty() {
            arr.push(Value::String(value));
            return;
        }
        // `k[][a]=1&k[][b]=2&k[][a]=3` -> [{a:1,b:2},{a:3}]: start a new hash when the key repeats.
        let leaf = &rest[0];
        let needs_new = match arr.last() {
            Some(Value::Object(o)) => o.contains_key(leaf.as_str()) && rest.len() == 1,
            _ => true,
        };
        if needs_new {
            arr.push(Value::Object(Map::new()));
        }
        if let Some(Value::Object(o)) = arr.last_mut() {
            assign(o, leaf.clone(), &rest[1..], value);
        }
    } else {
        let slot = target
            .entry(base)
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let obj = slot.as_object_mut().expect("just made an object");
        assign(obj, first.clone(), rest, value);
    }
}

fn merge_form(map: &mut Map<String, Value>, bytes: &[u8]) {
    for (k, v) in form_urlencoded::parse(bytes) {
        let (base, segments) = split_key(&k);
        if base.is_empty() {
            continue;
        }
        assign(map, base, &segments, v.into_owned());
    }
}

impl Params {
    /// Query first, then the body on top, as Rails' `params` does.
    pub fn parse(
        query: &str,
        body: &[u8],
        content_type: Option<&str>,
    ) -> Result<Params, Unparseable> {
        let mut map = Map::new();
        merge_form(&mut map, query.as_bytes());
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        if ct.starts_with("application/json")
            || (ct.contains("+json") && ct.starts_with("application/"))
        {
            if !body.iter().all(u8::is_ascii_whitespace) {
                match serde_json::from_slice::<Value>(body) {
                    Ok(Value::Object(obj)) => map.extend(obj),
                    // Rails wraps a non-object JSON body as `_json`.
                    Ok(other) => {
                        map.insert("_json".into(), other);
                    }
                    Err(_) => return Err(Unparseable),
                }
            }
        } else if ct.is_empty() || ct.starts_with("application/x-www-form-urlencoded") {
            merge_form(&mut map, body);
        }
        Ok(Params { map })
    }

    /// `params.key?(k)`: present even when the value is null or blank.
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key)
    }

    /// `params[k].present?`
    pub fn present(&self, key: &str) -> bool {
        self.map.get(key).is_some_and(|v| !is_blank(v))
    }

    /// The value as Ruby would `to_s` a scalar; `None` for absent, null, arrays and hashes.
    pub fn string(&self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// `params[k] == "true"`: only the string matches, so a JSON `true` does not (contract §1.1).
    pub fn is_string_true(&self, key: &str) -> bool {
        matches!(self.map.get(key), Some(Value::String(s)) if s == "true")
    }

    /// `params[k] == v` for a string `v`.
    pub fn equals_str(&self, key: &str, v: &str) -> bool {
        matches!(self.map.get(key), Some(Value::String(s)) if s == v)
    }

    /// ActiveModel integer cast: `""` and null are nil, `"12.9"` is 12, `"abc"` is 0.
    pub fn int(&self, key: &str) -> IntParam {
        match self.map.get(key) {
            None | Some(Value::Null) => IntParam::Nil,
            Some(Value::String(s)) if s.is_empty() => IntParam::Nil,
            Some(Value::String(s)) => IntParam::Int(ruby_to_i(s)),
            Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => IntParam::Int(i128::from(i)),
                (None, Some(f)) => IntParam::Int(f.trunc().clamp(-1e24, 1e24) as i128),
                _ => IntParam::Nil,
            },
            Some(Value::Bool(b)) => IntParam::Int(i128::from(*b)),
            Some(_) => IntParam::Nil,
        }
    }

    /// `params[k].to_i` (nil.to_i is 0).
    pub fn to_i(&self, key: &str) -> i128 {
        self.int(key).value().unwrap_or(0)
    }

    /// ActiveModel boolean cast: `""`/null are nil; "0", "f", "false", "off" (any case) are false; the rest true.
    pub fn boolean(&self, key: &str) -> Option<bool> {
        match self.map.get(key)? {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            Value::Number(n) => Some(n.as_f64() != Some(0.0)),
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(!matches!(
                s.to_ascii_lowercase().as_str(),
                "0" | "f" | "false" | "off"
            )),
            _ => Some(true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(q: &str) -> Params {
        Params::parse(q, b"", None).unwrap()
    }

    #[test]
    fn ruby_to_i_cases() {
        let cases = [
            ("12", 12),
            ("  -7x", -7),
            ("12.9", 12),
            ("abc", 0),
            ("", 0),
            ("1_000", 1000),
            ("+5", 5),
            ("3__4", 3),
        ];
        for (s, want) in cases {
            assert_eq!(ruby_to_i(s), want, "{s:?}");
        }
    }

    #[test]
    fn form_arrays_hashes_and_last_scalar_wins() {
        let p = form("tags[]=a&tags[]=b&name=x&name=y&f[a]=1&list[][id]=1&list[][id]=2");
        assert_eq!(p.get("tags"), Some(&json!(["a", "b"])));
        assert_eq!(p.string("name").as_deref(), Some("y"));
        assert_eq!(p.get("f"), Some(&json!({"a": "1"})));
        assert_eq!(p.get("list"), Some(&json!([{"id": "1"}, {"id": "2"}])));
    }

    #[test]
    fn body_overrides_query_and_json_keeps_types() {
        let p = Params::parse(
            "a=1&b=2",
            br#"{"b": 3, "universal": true, "tags": []}"#,
            Some("application/json"),
        )
        .unwrap();
        assert_eq!(p.string("a").as_deref(), Some("1"));
        assert_eq!(p.int("b"), IntParam::Int(3));
        assert!(!p.is_string_true("universal"));
        assert_eq!(p.get("tags"), Some(&json!([])));
        assert!(Params::parse("", b"{nope", Some("application/json")).is_err());
    }

    #[test]
    fn casts_follow_active_model() {
        let p = form("e=&s=%20&t=true&z=0&n=12.5&j=abc&off=OFF");
        let int_cases = [
            ("e", IntParam::Nil),
            ("missing", IntParam::Nil),
            ("n", IntParam::Int(12)),
            ("j", IntParam::Int(0)),
        ];
        for (k, want) in int_cases {
            assert_eq!(p.int(k), want, "{k}");
        }
        let bool_cases = [
            ("e", None),
            ("t", Some(true)),
            ("z", Some(false)),
            ("off", Some(false)),
            ("j", Some(true)),
        ];
        for (k, want) in bool_cases {
            assert_eq!(p.boolean(k), want, "{k}");
        }
        assert!(p.has("e") && !p.present("e") && !p.present("s") && p.present("t"));
        assert!(p.is_string_true("t"));
    }
}
