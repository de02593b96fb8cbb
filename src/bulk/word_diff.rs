//! A readable word-level diff of two plain texts, for the before → after of a listing edit
//! in a preview: runs of unchanged, removed and added words, with long unchanged runs
//! shortened to some context on each side. Pure; no HTML here (the texts are what a
//! reader sees, from `listing::html::plain_text`).

use serde::Serialize;

/// Unchanged words kept on each side of a change; an unchanged run longer than twice this
/// (plus one) is shortened with "…".
pub const CONTEXT_WORDS: usize = 8;

/// Above this many cells (words before × words after, once the common start and end are
/// set aside) the middle is shown as removed, then added: the table of a longest common
/// subsequence grows with the product, and a preview must stay quick (and small in wasm
/// memory) for any description.
pub const MAX_CELLS: usize = 4_000_000;

/// What a run of words is in the new text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DiffKind {
    Same,
    Added,
    Removed,
}

/// A run of words of one kind, joined with single spaces. Runs are shown one after the
/// other with a space between; two runs next to each other never have the same kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffPart {
    pub kind: DiffKind,
    pub text: String,
}

/// The word diff of `before` → `after` (white space between words does not count).
pub fn word_diff(before: &str, after: &str) -> Vec<DiffPart> {
    let old: Vec<&str> = before.split_whitespace().collect();
    let new: Vec<&str> = after.split_whitespace().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (old_mid, new_mid) = (
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    );
    let mut words: Vec<(DiffKind, &str)> = Vec::with_capacity(old.len() + new.len());
    words.extend(old[..prefix].iter().map(|w| (DiffKind::Same, *w)));
    if old_mid.len().saturating_mul(new_mid.len()) > MAX_CELLS {
        words.extend(old_mid.iter().map(|w| (DiffKind::Removed, *w)));
        words.extend(new_mid.iter().map(|w| (DiffKind::Added, *w)));
    } else {
        words.extend(lcs_diff(old_mid, new_mid));
    }
    words.extend(
        old[old.len() - suffix..]
            .iter()
            .map(|w| (DiffKind::Same, *w)),
    );
    merge(&words)
}

/// The longest-common-subsequence walk: removed words before added ones at each change.
fn lcs_diff<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<(DiffKind, &'a str)> {
    let (n, m) = (old.len(), new.len());
    // lengths[i][j] = LCS of old[i..] and new[j..], one flat table.
    let width = m + 1;
    let mut lengths = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[i * width + j] = if old[i] == new[j] {
                lengths[(i + 1) * width + j + 1] + 1
            } else {
                lengths[(i + 1) * width + j].max(lengths[i * width + j + 1])
            };
        }
    }
    let mut out = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            out.push((DiffKind::Same, old[i]));
            i += 1;
            j += 1;
        } else if j == m || (i < n && lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) {
            out.push((DiffKind::Removed, old[i]));
            i += 1;
        } else {
            out.push((DiffKind::Added, new[j]));
            j += 1;
        }
    }
    out
}

/// Words of one kind in a row as one part; long unchanged runs shortened.
fn merge(words: &[(DiffKind, &str)]) -> Vec<DiffPart> {
    let mut runs: Vec<(DiffKind, Vec<&str>)> = Vec::new();
    for (kind, word) in words {
        match runs.last_mut() {
            Some((last, run)) if last == kind => run.push(word),
            _ => runs.push((*kind, vec![word])),
        }
    }
    let last = runs.len().saturating_sub(1);
    runs.iter()
        .enumerate()
        .map(|(at, (kind, run))| DiffPart {
            kind: *kind,
            text: if *kind == DiffKind::Same {
                shorten(run, at > 0, at < last)
            } else {
                run.join(" ")
            },
        })
        .collect()
}

/// An unchanged run with [`CONTEXT_WORDS`] kept next to each change it touches
/// (`before`: a change precedes it; `after`: one follows); whole when nothing changed.
fn shorten(run: &[&str], before: bool, after: bool) -> String {
    let head = if before { CONTEXT_WORDS } else { 0 };
    let tail = if after { CONTEXT_WORDS } else { 0 };
    if (!before && !after) || run.len() <= head + tail + 1 {
        return run.join(" ");
    }
    let mut shown: Vec<&str> = run[..head].to_vec();
    shown.push("…");
    shown.extend(&run[run.len() - tail..]);
    shown.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(parts: &[DiffPart]) -> String {
        parts
            .iter()
            .map(|p| match p.kind {
                DiffKind::Same => p.text.clone(),
                DiffKind::Added => format!("[+{}]", p.text),
                DiffKind::Removed => format!("[-{}]", p.text),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_diff_marks_removed_and_added_words_and_merges_runs() {
        let rows = [
            (
                "The brush bundle",
                "The brush pack",
                "The brush [-bundle] [+pack]",
            ),
            ("a b c", "a b c", "a b c"),
            ("", "New text here", "[+New text here]"),
            ("Old text", "", "[-Old text]"),
            (
                "one two three four",
                "zero one three four five",
                "[+zero] one [-two] three four [+five]",
            ),
            (
                "Intro.  Forty\nbrushes",
                "Intro. Forty brushes",
                "Intro. Forty brushes",
            ),
        ];
        for (before, after, want) in rows {
            assert_eq!(
                shown(&word_diff(before, after)),
                want,
                "{before:?} → {after:?}"
            );
        }
        let parts = word_diff("x y", "z y");
        let kinds: Vec<DiffKind> = parts.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [DiffKind::Removed, DiffKind::Added, DiffKind::Same]);
    }

    #[test]
    fn long_unchanged_runs_keep_eight_words_of_context_on_each_side() {
        let words: Vec<String> = (1..=40).map(|n| format!("w{n}")).collect();
        let before = words.join(" ");
        let after = before.replace("w20", "CHANGED");
        let got = shown(&word_diff(&before, &after));
        assert_eq!(
            got,
            "… w12 w13 w14 w15 w16 w17 w18 w19 [-w20] [+CHANGED] w21 w22 w23 w24 w25 w26 w27 w28 …"
        );
        // A short run between two changes stays whole.
        let near = before.replace("w20", "A").replace("w30", "B");
        assert!(shown(&word_diff(&before, &near))
            .contains("[+A] w21 w22 w23 w24 w25 w26 w27 w28 w29 [-w30]"));
    }

    #[test]
    fn very_long_texts_fall_back_to_removed_then_added() {
        let before: String = (0..2500).map(|n| format!("a{n} ")).collect();
        let after: String = (0..2500).map(|n| format!("b{n} ")).collect();
        let parts = word_diff(&before, &after);
        let kinds: Vec<DiffKind> = parts.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [DiffKind::Removed, DiffKind::Added]);
        assert!(parts[0].text.starts_with("a0 a1") && parts[1].text.ends_with("b2499"));
    }
}
