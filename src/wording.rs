//! How lists and counts read in plan notes and skip reasons: "a, b and c", "3 products",
//! the first three then "and N more". A leaf: it imports nothing from the crate and knows
//! no Gumroad rule, so every layer may word its messages with it.

/// "a", "a and b", "a, b and c".
pub(crate) fn sentence(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
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
