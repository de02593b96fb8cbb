//! Id minting: external ids, short permalinks and the obfuscated numbers inside page keys.
//!
//! Gumroad's external ids are URL-safe base64 of 16 encrypted bytes, i.e. 24
//! characters ending in `==` (contract §5). Here they come from a seeded
//! stream, so a seed always yields the same ids, and they are checked for
//! uniqueness because tests address objects by them.

use std::collections::HashSet;

use crate::rng::SplitMix64;

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// URL-safe base64 with `=` padding (what Ruby's `Base64.urlsafe_encode64` produces).
pub fn base64url_padded(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64URL[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Hands out ids that are unique within one store, and (with [`IdMint::avoid`]) across
/// stores: Gumroad's ids come from one database, so two sellers never share one.
#[derive(Clone, Debug)]
pub struct IdMint {
    rng: SplitMix64,
    taken: HashSet<String>,
    next_serial: u64,
}

impl IdMint {
    pub fn new(seed: u64) -> Self {
        IdMint {
            rng: SplitMix64::derive(seed, "ids"),
            taken: HashSet::new(),
            next_serial: 1,
        }
    }

    /// The same mint with row numbers from `first` on: another store's rows (row ids are
    /// global on Gumroad, so two stores' products never share one).
    pub fn starting_at(mut self, first: u64) -> Self {
        self.next_serial = first;
        self
    }

    /// Never hands out an id or permalink that `other` has handed out so far. Only a
    /// collision would redraw, so a store's own ids stay what its seed makes them.
    pub fn avoid(&mut self, other: &IdMint) {
        self.taken.extend(other.taken.iter().cloned());
    }

    /// The internal row number: creation order, the tie-breaker of every cursor.
    pub fn serial(&mut self) -> u64 {
        let s = self.next_serial;
        self.next_serial += 1;
        s
    }

    /// A 24-character external id such as `A-m3CDDC5dlrSdKZp0RFhA==`.
    pub fn external_id(&mut self) -> String {
        loop {
            let mut bytes = [0u8; 16];
            self.rng.fill(&mut bytes);
            let id = base64url_padded(&bytes);
            if self.taken.insert(id.clone()) {
                return id;
            }
        }
    }

    /// A short lowercase `unique_permalink`, accepted wherever a product id is.
    pub fn permalink(&mut self) -> String {
        loop {
            let len = 5 + self.rng.below(2) as usize;
            let p: String = (0..len)
                .map(|_| (b'a' + self.rng.below(26) as u8) as char)
                .collect();
            if self.taken.insert(p.clone()) {
                return p;
            }
        }
    }
}

// Page keys carry an obfuscated row id (Gumroad: `ObfuscateIds.encrypt_numeric`).
// Any reversible mapping that never yields 0 will do: 0 is what Gumroad rejects.
const OBFUSCATION_KEY: u64 = 0x5A3C_96E1;
const OBFUSCATION_OFFSET: u64 = 1_000_003;

pub fn obfuscate_serial(serial: u64) -> u64 {
    (serial + OBFUSCATION_OFFSET) ^ OBFUSCATION_KEY
}

pub fn deobfuscate_serial(obfuscated: u64) -> Option<u64> {
    if obfuscated == 0 {
        return None;
    }
    (obfuscated ^ OBFUSCATION_KEY).checked_sub(OBFUSCATION_OFFSET)
}

/// SplitMix64's finaliser: a bijection on u64.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The external id of row `serial` of one table (`table` tells tables apart), under a
/// store's `key`: computed, not stored, so 50 000 sales need no id strings at seed
/// time. The first 8 bytes are a bijection of the serial, so ids never repeat within
/// a table; the shape is that of every other external id (24 chars ending in `==`).
pub fn row_external_id(key: u64, table: u64, serial: u64) -> String {
    let a = mix(serial ^ key ^ table.rotate_left(40));
    let b = mix(a ^ key.rotate_left(17) ^ table);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_be_bytes());
    bytes[8..].copy_from_slice(&b.to_be_bytes());
    base64url_padded(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_ruby_urlsafe_encode64() {
        let cases: &[(&[u8], &str)] = &[
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (&[0xfb, 0xff, 0xbf], "-_-_"),
        ];
        for (input, want) in cases {
            assert_eq!(base64url_padded(input), *want);
        }
    }

    #[test]
    fn external_ids_are_24_chars_ending_in_padding_and_unique() {
        let mut mint = IdMint::new(1);
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            let id = mint.external_id();
            assert_eq!(id.len(), 24);
            assert!(id.ends_with("=="));
            assert!(id[..22]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert!(seen.insert(id));
        }
    }

    #[test]
    fn a_mint_that_avoids_another_never_repeats_its_ids() {
        let mut first = IdMint::new(1);
        let ids: Vec<String> = (0..50).map(|_| first.external_id()).collect();
        // The same seed would draw the very same ids; avoiding makes it draw past them.
        let mut second = IdMint::new(1).starting_at(1001);
        second.avoid(&first);
        for _ in 0..50 {
            assert!(!ids.contains(&second.external_id()));
        }
        assert_eq!(second.serial(), 1001);
    }

    #[test]
    fn permalinks_are_lowercase_letters() {
        let mut mint = IdMint::new(3);
        for _ in 0..500 {
            let p = mint.permalink();
            assert!((5..=6).contains(&p.len()));
            assert!(p.bytes().all(|b| b.is_ascii_lowercase()));
        }
    }

    #[test]
    fn row_external_ids_are_unique_and_shaped_like_external_ids() {
        let mut seen = HashSet::new();
        for serial in 1..5000u64 {
            let id = row_external_id(42, 1, serial);
            assert_eq!(id.len(), 24);
            assert!(id.ends_with("=="));
            assert!(seen.insert(id));
        }
        assert_ne!(row_external_id(42, 1, 7), row_external_id(42, 2, 7));
    }

    #[test]
    fn obfuscated_serials_round_trip_and_zero_is_rejected() {
        for serial in [1u64, 2, 10, 999, 123_456] {
            let o = obfuscate_serial(serial);
            assert_ne!(o, 0);
            assert_eq!(deobfuscate_serial(o), Some(serial));
        }
        assert_eq!(deobfuscate_serial(0), None);
    }
}
