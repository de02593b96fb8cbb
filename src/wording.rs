//! How lists, counts and times read in plan notes, skip reasons and progress: "a, b and
//! c", "3 products", the first three then "and N more", "about 2 min left". A leaf: it imports nothing from the crate and knows
//! no Gumroad rule, so every layer may word its messages with it.

/// "a", "a and b", "a, b and c".
pub(crate) fn sentence(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// An estimate of the time left: `about 12 s left`, from 90 s on `about 3 min left`; at
/// least a second.
pub fn time_left(ms: f64) -> String {
    let seconds = (ms / 1000.0).round().max(1.0);
    if seconds < 90.0 {
        format!("about {seconds} s left")
    } else {
        format!("about {} min left", (seconds / 60.0).round())
    }
}

pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The first three, then "and N more".
pub(crate) fn shortlist(items: &[String]) -> String {
    let shown: Vec<String> = items.iter().take(3).cloned().collect();
    if items.len() > 3 {
        format!("{} and {} more", shown.join("; "), items.len() - 3)
    } else {
        shown.join("; ")
    }
}

/// Names in quotes, shortlisted: `"Ebook"; "Course"`.
pub(crate) fn quoted_names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<String> = names
        .into_iter()
        .map(|name| format!("\"{name}\""))
        .collect();
    shortlist(&names)
}

#[cfg(test)]
mod tests {
    #[test]
    fn time_left_in_seconds_then_minutes() {
        let rows = [
            (0.0, "about 1 s left"),
            (400.0, "about 1 s left"),
            (12_400.0, "about 12 s left"),
            (89_400.0, "about 89 s left"),
            (90_000.0, "about 2 min left"),
            (200_000.0, "about 3 min left"),
            (3_600_000.0, "about 60 min left"),
        ];
        for (ms, text) in rows {
            assert_eq!(super::time_left(ms), text, "{ms}");
        }
    }
}
