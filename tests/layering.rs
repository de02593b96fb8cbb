//! The shape of the core, checked on every test run: no import circle between two files of
//! `src/`, none between two of its top-level modules, every import running down the layers
//! listed in [`LAYERS`], and no source file over [`MAX_LINES`] lines.
//!
//! Imports are read from the code as text: `use` trees and inline `crate::…`/`super::…`
//! paths, outside comments, string literals and `#[cfg(test)]` items. A path is resolved to
//! the file that defines it, following `pub use` re-exports of a module's own children
//! (`crate::bulk::Plan` is `bulk/plan.rs`, not `bulk/mod.rs`), so a facade that re-exports
//! its children is not mistaken for a circle. Tests (`tests.rs`, `tests/` folders, modules
//! behind `#[cfg(test)]`) are left out: they may import whatever they test.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules of `src/`, top floor first. A module may import its own floor and
/// any floor below it, never one above. A new module gets a floor here.
const LAYERS: &[&[&str]] = &[
    &["wasm"],
    &["forms"],
    &["export"],
    &["bulk", "listing_audit"],
    &["parity", "insights"],
    &["pacing"],
    &["api", "runtime", "oauth"],
    &["transport"],
    &["discount", "listing"],
    &["model", "money", "scopes", "config"],
    &["error", "auth", "spreadsheet_csv", "wording"],
    &["http"],
];

/// Longest source file, in lines of code and comments (its `#[cfg(test)]` items, generated
/// data and test files excepted).
const MAX_LINES: usize = 600;

/// Generated files, not read by people line by line.
const GENERATED: &[&str] = &["parity/table.rs"];

#[test]
fn no_import_circle_between_files() {
    let house = House::read();
    let circles = circles(&house.file_edges());
    assert!(
        circles.is_empty(),
        "import circles between files:\n{}",
        describe(&circles, &house.file_edges())
    );
}

#[test]
fn no_import_circle_between_top_level_modules() {
    let house = House::read();
    let edges = house.module_edges();
    let circles = circles(&edges);
    assert!(
        circles.is_empty(),
        "import circles between modules:\n{}",
        describe(&circles, &edges)
    );
}

#[test]
fn every_import_runs_down_the_layers() {
    let house = House::read();
    let floor_of = |module: &str| {
        LAYERS
            .iter()
            .position(|floor| floor.contains(&module))
            .unwrap_or_else(|| panic!("src/{module} has no floor in LAYERS (tests/layering.rs)"))
    };
    let mut upward = Vec::new();
    for (from, targets) in house.module_edges() {
        for to in targets {
            if floor_of(&to) < floor_of(&from) {
                upward.push(format!("{from} imports {to}, which is on a higher floor"));
            }
        }
    }
    for module in house.modules() {
        floor_of(&module);
    }
    assert!(upward.is_empty(), "{}", upward.join("\n"));
}

#[test]
fn no_source_file_is_over_the_line_limit() {
    let house = House::read();
    let long: Vec<String> = house
        .files
        .iter()
        .filter(|(name, _)| !GENERATED.contains(&name.as_str()))
        .filter(|(_, file)| file.lines > MAX_LINES)
        .map(|(name, file)| format!("src/{name}: {} lines", file.lines))
        .collect();
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}

/// The checker reads what it claims to: a small tree with a circle through a facade's
/// re-export, a test module and a comment.
#[test]
fn the_checker_finds_a_circle_and_ignores_tests_comments_and_facades() {
    let dir = std::env::temp_dir().join(format!("layering-check-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n");
    write("a/mod.rs", "mod inner;\npub use inner::Thing;\n");
    write("a/inner.rs", "use crate::b::helper;\npub struct Thing;\n");
    write(
        "b.rs",
        "// use crate::c::X;\nlet s = \"crate::c::X\";\npub fn helper() { crate::a::Thing; }\n#[cfg(test)]\nmod tests { use crate::c::X; }\n",
    );
    write("c.rs", "use crate::a::Thing;\n");
    let house = House::read_from(&dir);
    let files = house.file_edges();
    assert_eq!(files["b.rs"], BTreeSet::from(["a/inner.rs".to_owned()]));
    assert_eq!(files["a/inner.rs"], BTreeSet::from(["b.rs".to_owned()]));
    assert!(
        files["a/mod.rs"].is_empty(),
        "a facade's re-export is no import"
    );
    assert_eq!(
        circles(&files),
        vec![vec!["a/inner.rs".to_owned(), "b.rs".to_owned()]]
    );
    assert_eq!(circles(&house.module_edges()).len(), 1);
    fs::remove_dir_all(&dir).unwrap();
}

struct File {
    /// Module path: `bulk/plan.rs` → `["bulk", "plan"]`.
    module: Vec<String>,
    /// Lines without `#[cfg(test)]` items (tests in the file do not make it long).
    lines: usize,
    /// Fully resolved paths this file names (`["bulk", "plan", "Plan"]`).
    references: Vec<Vec<String>>,
    /// `pub use` re-exports of a facade (mod.rs, lib.rs): name → path.
    reexports: BTreeMap<String, Vec<String>>,
}

struct House {
    /// By path relative to `src/`.
    files: BTreeMap<String, File>,
}

impl House {
    fn read() -> House {
        House::read_from(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
    }

    fn read_from(root: &Path) -> House {
        let mut files = BTreeMap::new();
        let mut test_only: BTreeSet<PathBuf> = BTreeSet::new();
        let mut paths = Vec::new();
        collect(root, &mut paths);
        paths.sort();
        let mut sources = Vec::new();
        for path in &paths {
            let text = fs::read_to_string(path).unwrap();
            let (code, test_mods) = code_only(&text);
            let dir = module_dir(root, path);
            for name in test_mods {
                test_only.insert(dir.join(format!("{name}.rs")));
                test_only.insert(dir.join(&name));
            }
            sources.push((path.clone(), code.lines().count(), code));
        }
        for (path, lines, code) in sources {
            let relative = path.strip_prefix(root).unwrap();
            let skipped = test_only.iter().any(|t| path.starts_with(t))
                || relative.components().any(|c| c.as_os_str() == "tests")
                || path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with("tests.rs"));
            if skipped {
                continue;
            }
            let module = module_path(relative);
            let (references, reexports) = references(&code, &module, is_facade(relative));
            files.insert(
                relative.to_string_lossy().replace('\\', "/"),
                File {
                    module,
                    lines,
                    references,
                    reexports,
                },
            );
        }
        House { files }
    }

    fn modules(&self) -> BTreeSet<String> {
        self.files
            .values()
            .filter_map(|f| f.module.first().cloned())
            .collect()
    }

    /// The file that defines module `module`, if any.
    fn file_of(&self, module: &[String]) -> Option<&str> {
        self.files
            .iter()
            .find(|(_, f)| f.module == module)
            .map(|(name, _)| name.as_str())
    }

    /// The file that defines the item at `path`, following facades' re-exports.
    fn resolve(&self, path: &[String], depth: usize) -> Option<String> {
        let mut module: Vec<String> = Vec::new();
        let mut rest = path;
        while let Some((first, tail)) = rest.split_first() {
            let mut deeper = module.clone();
            deeper.push(first.clone());
            if self.file_of(&deeper).is_none() {
                break;
            }
            module = deeper;
            rest = tail;
        }
        let file = self.file_of(&module)?.to_owned();
        if depth < 8 {
            if let Some(target) = rest
                .first()
                .and_then(|n| self.files[&file].reexports.get(n))
            {
                let mut full = target.clone();
                full.extend(rest[1..].iter().cloned());
                if let Some(found) = self.resolve(&full, depth + 1) {
                    return Some(found);
                }
            }
        }
        Some(file)
    }

    fn file_edges(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.files
            .iter()
            .map(|(name, file)| {
                let targets = file
                    .references
                    .iter()
                    .filter_map(|path| self.resolve(path, 0))
                    .filter(|target| target != name)
                    // A facade re-exporting or declaring its children is containment.
                    .filter(|target| {
                        !(is_facade(Path::new(name))
                            && self.files[target].module.starts_with(&file.module))
                    })
                    .collect();
                (name.clone(), targets)
            })
            .collect()
    }

    fn module_edges(&self) -> BTreeMap<String, BTreeSet<String>> {
        let top = |name: &str| self.files[name].module.first().cloned();
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, targets) in self.file_edges() {
            let Some(from) = top(&from) else { continue };
            let entry = edges.entry(from.clone()).or_default();
            for to in targets.iter().filter_map(|t| top(t)) {
                if to != from {
                    entry.insert(to);
                }
            }
        }
        edges
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_facade(relative: &Path) -> bool {
    relative.file_name().is_some_and(|n| n == "mod.rs") || relative == Path::new("lib.rs")
}

/// The folder where `path`'s child modules live.
fn module_dir(root: &Path, path: &Path) -> PathBuf {
    let relative = path.strip_prefix(root).unwrap();
    if is_facade(relative) {
        path.parent().unwrap().to_path_buf()
    } else {
        path.with_extension("")
    }
}

fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// `text` with comments and literals blanked and `#[cfg(test)]` items removed, and the
/// names of the `#[cfg(test)] mod name;` files it declares.
fn code_only(text: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && matches!(next, Some('#' | '"')) && !ident_before(&chars, i) {
            let mut hashes = 0;
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                if chars[j] == '\n' {
                    out.push('\n');
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\n' {
                    out.push('\n');
                }
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('a', '\n', '\u{C0}'), or a lifetime ('a).
            let close = if next == Some('\\') {
                (i + 2..chars.len().min(i + 12)).find(|&j| chars[j] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(end) => {
                    out.push_str("' '");
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    strip_test_items(&out)
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

fn strip_test_items(code: &str) -> (String, Vec<String>) {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::new();
    let mut test_mods = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let item = &rest[at + MARK.len()..];
        let semi = item.find(';').unwrap_or(item.len());
        let brace = item.find('{').unwrap_or(item.len());
        if semi < brace {
            let head = item[..semi].trim();
            if let Some(name) = head
                .strip_prefix("mod ")
                .or_else(|| head.strip_prefix("pub mod "))
            {
                test_mods.push(name.trim().to_owned());
            }
            rest = &item[(semi + 1).min(item.len())..];
        } else {
            let mut depth = 0;
            let mut end = item.len();
            for (j, ch) in item.char_indices().skip(brace) {
                match ch {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            rest = &item[end..];
        }
    }
    out.push_str(rest);
    (out, test_mods)
}

/// Every crate path `code` names (made absolute), and for a facade its `pub use` re-exports.
fn references(
    code: &str,
    module: &[String],
    facade: bool,
) -> (Vec<Vec<String>>, BTreeMap<String, Vec<String>>) {
    let mut paths = Vec::new();
    let mut reexports = BTreeMap::new();
    // `use` trees, including grouped ones.
    let mut rest = code;
    while let Some(at) = find_keyword(rest, "use") {
        let public = rest[..at].trim_end().ends_with("pub") || rest[..at].trim_end().ends_with(')');
        let after = &rest[at + 3..];
        let end = after.find(';').unwrap_or(after.len());
        let tree: String = after[..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        for (path, alias) in flatten_use(&tree) {
            if let Some(absolute) = absolute(&path, module, facade) {
                if public && facade {
                    let name = alias.unwrap_or_else(|| path.last().cloned().unwrap_or_default());
                    reexports.insert(name, absolute.clone());
                }
                paths.push(absolute);
            }
        }
        rest = &after[end..];
    }
    // Inline paths: `crate::a::b(…)`, `super::c::D`.
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| w.starts_with("crate::") || w.starts_with("super::"))
        .collect();
    for word in words {
        let path: Vec<String> = word
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(absolute) = absolute(&path, module, facade) {
            paths.push(absolute);
        }
    }
    (paths, reexports)
}

fn find_keyword(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find(word) {
        let at = from + found;
        let before = at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        let after = bytes
            .get(at + word.len())
            .is_some_and(|b| b.is_ascii_whitespace());
        if before && after {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// `a::{b::C, d as E}` → `[a, b, C]`, `[a, d]` (alias `E`).
fn flatten_use(tree: &str) -> Vec<(Vec<String>, Option<String>)> {
    fn walk(prefix: &[String], tree: &str, out: &mut Vec<(Vec<String>, Option<String>)>) {
        let (head, group) = match tree.find('{') {
            Some(open) if tree.ends_with('}') => {
                (&tree[..open], Some(&tree[open + 1..tree.len() - 1]))
            }
            _ => (tree, None),
        };
        let mut path = prefix.to_vec();
        let (head, alias) = match head.split_once("as") {
            Some((path, alias)) if group.is_none() && !alias.contains("::") => {
                (path, Some(alias.to_owned()))
            }
            _ => (head, None),
        };
        path.extend(
            head.split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
        match group {
            None => {
                if path.last().is_some_and(|s| s == "self") {
                    path.pop();
                }
                out.push((path, alias));
            }
            Some(group) => {
                let mut depth = 0;
                let mut start = 0;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            walk(&path, &group[start..i], out);
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
                if start < group.len() {
                    walk(&path, &group[start..], out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&[], tree, &mut out);
    out.retain(|(path, _)| !path.is_empty() && path.last().is_some_and(|s| s != "*"));
    out
}

/// A path as seen from `module`, made absolute from the crate root; `None` for paths
/// outside the crate (`std::…`, `serde::…`).
fn absolute(path: &[String], module: &[String], facade: bool) -> Option<Vec<String>> {
    let (first, rest) = path.split_first()?;
    // A facade's `self` and plain child names are its own module; a leaf file's `super`
    // is its folder's module.
    let mut base: Vec<String> = module.to_vec();
    match first.as_str() {
        "crate" => base.clear(),
        "self" => {}
        "super" => {
            base.pop();
            let mut rest = rest;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            return Some(base);
        }
        _ if facade => {
            // `pub use plan::Plan;` in a facade names its child `plan`.
            base.push(first.clone());
        }
        _ => return None,
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Strongly connected groups of more than one node (Tarjan), each sorted, in order.
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a str) {
        let n = state.index.len();
        state.index.insert(node, n);
        state.low.insert(node, n);
        state.stack.push(node);
        state.on_stack.insert(node);
        let targets: Vec<&'a str> = state
            .edges
            .get(node)
            .map(|t| t.iter().map(String::as_str).collect())
            .unwrap_or_default();
        for target in targets {
            if !state.index.contains_key(target) {
                visit(state, target);
                let low = state.low[target].min(state.low[node]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(target) {
                let low = state.index[target].min(state.low[node]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut group = Vec::new();
            while let Some(top) = state.stack.pop() {
                state.on_stack.remove(top);
                group.push(top.to_owned());
                if top == node {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                state.found.push(group);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in edges.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.found.sort();
    state.found
}

fn describe(circles: &[Vec<String>], edges: &BTreeMap<String, BTreeSet<String>>) -> String {
    let mut lines = Vec::new();
    for group in circles {
        lines.push(format!("circle: {}", group.join(", ")));
        for from in group {
            for to in edges[from].iter().filter(|t| group.contains(t)) {
                lines.push(format!("  {from} -> {to}"));
            }
        }
    }
    lines.join("\n")
}
