//! The stores a sandbox serves, one per seller account (`Config::stores`), and how they
//! are seeded side by side.
//!
//! Store 0 is the sandbox's original store: the same (products, sales, seed) build it
//! byte for byte whatever the number of stores. Store k ≥ 1 is another seller, seeded
//! on its own from `seed + k` with the same counts. What keeps the stores apart is what
//! keeps two Gumroad sellers apart, one database: every row id, external id and
//! permalink is unique across stores, so an id taken from one store finds nothing in
//! another (and one store's product paths never share a throttle counter with another's).
//! * row numbers (products, offer codes, sales, subscriptions, and with them page keys
//!   and `order_id`s) of store k start `k × ROW_STRIDE` after store 0's;
//! * external ids and permalinks of each store's mint avoid every other store's;
//! * sale and subscription ids are computed under store 0's key (Gumroad encrypts every
//!   seller's ids with one key), so different row numbers give different ids.

use crate::ids::IdMint;
use crate::rng::SplitMix64;
use crate::seed;
use crate::seed_sales;
use crate::store::{Seller, Store};
use crate::timeline::Timeline;
use crate::tokens::MAX_STORES;

/// The distance between two stores' row numbers in every table: more rows than one
/// store ever holds (at most 500 000 sales, 5 000 products and their codes).
const ROW_STRIDE: u64 = 10_000_000;

/// Who sells in one store.
struct Profile {
    /// Doorkeeper's `resource_owner_id`: the user's row id.
    resource_owner_id: i64,
    id: &'static str,
    username: &'static str,
    name: &'static str,
    email: &'static str,
    bio: &'static str,
}

const PROFILES: [Profile; MAX_STORES] = [
    Profile {
        resource_owner_id: 48_213,
        id: "4821390176543",
        username: "sandboxstudio",
        name: "Sandbox Studio",
        email: "seller@example.com",
        bio: "Tools and templates for makers.",
    },
    Profile {
        resource_owner_id: 51_877,
        id: "5187702214968",
        username: "secondstore",
        name: "Second Store",
        email: "second@example.com",
        bio: "Prints, patterns and a podcast.",
    },
    Profile {
        resource_owner_id: 60_412,
        id: "6041288530127",
        username: "thirdstore",
        name: "Third Store",
        email: "third@example.com",
        bio: "Sound design for small games.",
    },
    Profile {
        resource_owner_id: 73_905,
        id: "7390541167302",
        username: "fourthstore",
        name: "Fourth Store",
        email: "fourth@example.com",
        bio: "Courses on slow photography.",
    },
];

/// The seller of store `index`; `user_id` is the first id its store's mint hands out.
fn seller(index: usize, user_id: String) -> Seller {
    let p = &PROFILES[index];
    Seller {
        resource_owner_id: p.resource_owner_id,
        id: p.id.into(),
        user_id,
        username: p.username.into(),
        name: p.name.into(),
        display_name: p.name.into(),
        email: p.email.into(),
        bio: Some(p.bio.into()),
        twitter_handle: None,
        currency_type: "usd".into(),
        avatar_url: format!("https://public-files.gumroad.com/{}-avatar.png", p.username),
    }
}

/// Moves the seeded products' and offer codes' dates with a moved calendar, by as much
/// as its sales move but never past its `not_after` (the fixed calendar moves nothing).
fn move_catalogue(store: &mut Store, timeline: &Timeline) {
    if timeline.is_fixed() {
        return;
    }
    let products = store
        .products
        .iter()
        .flat_map(|p| [Some(p.created_at), p.deleted_at]);
    let codes = store
        .offer_codes
        .iter()
        .flat_map(|c| [Some(c.created_at), c.deleted_at]);
    let Some(latest) = products.chain(codes).flatten().max() else {
        return;
    };
    let shift = timeline
        .at(0)
        .min(timeline.not_after().saturating_sub(latest));
    for p in &mut store.products {
        p.created_at += shift;
        p.deleted_at = p.deleted_at.map(|t| t + shift);
    }
    for c in &mut store.offer_codes {
        c.created_at += shift;
        c.deleted_at = c.deleted_at.map(|t| t + shift);
    }
}

/// Store `index` of a sandbox seeded from `seed`, with `products` products and `sales`
/// sales (0: products and codes only) dated on `timeline`; its ids avoid those of the
/// `earlier` stores.
pub fn store(
    index: usize,
    products: usize,
    sales: usize,
    seed: u64,
    timeline: &Timeline,
    earlier: &[Store],
) -> Store {
    let own_seed = seed.wrapping_add(index as u64);
    let shift = index as u64 * ROW_STRIDE;
    let mut mint = IdMint::new(own_seed).starting_at(1 + shift);
    for other in earlier {
        mint.avoid(&other.mint);
    }
    let seller = seller(index, mint.external_id());
    let mut store = seed::build(seller, mint, products, own_seed);
    move_catalogue(&mut store, timeline);
    if sales > 0 {
        seed_sales::add(&mut store, sales, own_seed, timeline);
        // Seeded as if alone, then numbered after the stores before it (order kept).
        for sale in &mut store.sales {
            sale.serial += shift;
        }
        for sub in &mut store.subscriptions {
            sub.serial += shift;
            sub.purchases.iter_mut().for_each(|p| *p += shift);
        }
        store.id_key = SplitMix64::derive(seed, "row-ids").next_u64();
    }
    store
}

/// Stores 0 to `count - 1` (`count` in 1..=MAX_STORES) of a sandbox seeded from `seed`,
/// their sales dated on `timeline`.
pub fn build(
    count: usize,
    products: usize,
    sales: usize,
    seed: u64,
    timeline: &Timeline,
) -> Vec<Store> {
    let mut stores: Vec<Store> = Vec::with_capacity(count);
    for index in 0..count {
        let next = store(index, products, sales, seed, timeline, &stores);
        stores.push(next);
    }
    // Ids minted later (offer codes created through the API) avoid every store's ids too,
    // the earlier stores' included. This changes no seeded id: only a collision redraws.
    if count > 1 {
        let mints: Vec<IdMint> = stores.iter().map(|s| s.mint.clone()).collect();
        for (i, store) in stores.iter_mut().enumerate() {
            for (j, other) in mints.iter().enumerate() {
                if i != j {
                    store.mint.avoid(other);
                }
            }
        }
    }
    stores
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::ids;
    use crate::views;

    #[test]
    fn store_0_is_the_same_whatever_the_number_of_stores() {
        let alone = build(1, 25, 400, 3, &Timeline::fixed()).remove(0);
        let beside = build(3, 25, 400, 3, &Timeline::fixed()).remove(0);
        assert_eq!(
            serde_json::to_string(&alone).unwrap(),
            serde_json::to_string(&beside).unwrap()
        );
        let serials = |s: &Store| s.sales.iter().map(|x| x.serial).collect::<Vec<_>>();
        assert_eq!(serials(&alone), serials(&beside));
        assert_eq!(alone.id_key, beside.id_key);
    }

    #[test]
    fn no_id_repeats_between_stores() {
        let stores = build(MAX_STORES, 40, 2000, 1, &Timeline::fixed());
        let mut external = HashSet::new();
        let mut rows = HashSet::new();
        let mut owners = HashSet::new();
        for (k, s) in stores.iter().enumerate() {
            assert_eq!(s.seller.name, PROFILES[k].name);
            assert!(owners.insert(s.seller.resource_owner_id));
            assert!(external.insert(s.seller.user_id.clone()));
            assert!(owners.insert(s.seller.id.parse::<i64>().unwrap()));
            for p in &s.products {
                assert!(external.insert(p.id.clone()), "product id {}", p.id);
                assert!(external.insert(p.unique_permalink.clone()));
                assert!(rows.insert(("product", p.serial)));
                for c in &p.variant_categories {
                    assert!(external.insert(c.id.clone()));
                    for v in &c.variants {
                        assert!(external.insert(v.id.clone()));
                    }
                }
            }
            for c in &s.offer_codes {
                assert!(external.insert(c.id.clone()));
                assert!(rows.insert(("offer code", c.serial)));
            }
            for sale in &s.sales {
                assert!(external.insert(views::sale_external_id(s, sale)));
                assert!(rows.insert(("order", ids::obfuscate_serial(sale.serial))));
            }
            for sub in &s.subscriptions {
                assert!(external.insert(views::subscription_external_id(s, sub)));
            }
        }
    }

    #[test]
    fn other_stores_differ_from_store_0_but_have_the_same_counts() {
        let stores = build(2, 25, 500, 1, &Timeline::fixed());
        assert_eq!(stores[1].products.len(), stores[0].products.len());
        assert_eq!(stores[1].sales.len(), 500);
        assert_ne!(stores[1].products[0].name, stores[0].products[0].name);
        // The next id store 1 mints is new to store 0 as well.
        let mut mint = stores[1].mint.clone();
        let fresh = mint.external_id();
        assert!(stores[0].products.iter().all(|p| p.id != fresh));
    }
}
