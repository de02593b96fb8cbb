//! Stable sorting through one shared instance of the standard library's sort.
//!
//! `slice::sort_by` is generic over the element and the comparison, so each call site
//! with its own types compiles to its own copy of the sort (≈ 4 KB of wasm each). These
//! helpers sort a list of positions with a comparison passed as `&dyn Fn`, so every
//! caller shares one copy, then move the elements into that order. The result is the
//! one `sort_by` gives: ascending, equal elements in their original order.

use std::cmp::Ordering;

/// `items.sort_by(compare)`.
pub(crate) fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_positions(items.len(), &|a, b| compare(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    // `order` holds every position once, so every element is taken once.
    items.extend(order.into_iter().filter_map(|at| slots[at].take()));
}

/// `items.sort_by_key(key)`.
pub(crate) fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// `items.sort()`.
pub(crate) fn sort<T: Ord>(items: &mut Vec<T>) {
    sort_by(items, T::cmp);
}

/// 0..len, stably sorted by `compare`: the one instance of the standard sort.
#[inline(never)]
fn sorted_positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_the_standard_stable_sort_does() {
        // Pairs sorted by their first half only: equal keys must keep their order.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for len in [0, 1, 2, 3, 7, 20, 21, 64, 500] {
            let items: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    ((seed % 5) as u8, i)
                })
                .collect();
            let mut expected = items.clone();
            expected.sort_by_key(|pair| pair.0);
            let mut by_key = items.clone();
            sort_by_key(&mut by_key, |pair| pair.0);
            assert_eq!(by_key, expected, "{len}");
            let mut reversed = items.clone();
            sort_by(&mut reversed, |a, b| b.0.cmp(&a.0));
            let mut descending = items.clone();
            descending.sort_by_key(|pair| std::cmp::Reverse(pair.0));
            assert_eq!(reversed, descending, "{len}");
            let mut whole = items.clone();
            sort(&mut whole);
            let mut all = items;
            all.sort();
            assert_eq!(whole, all, "{len}");
        }
    }

    #[test]
    fn moves_owned_elements_without_cloning() {
        let mut names: Vec<String> = ["b", "c", "a", "b"].map(str::to_owned).into();
        sort(&mut names);
        assert_eq!(names, ["a", "b", "b", "c"]);
    }
}
