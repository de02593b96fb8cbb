//! What a discount does to a product's prices: the amount off as Gumroad computes it,
//! every price a buyer can pay (base, options, membership tiers), and whether a discount
//! would take one of them under the currency's minimum, with the sentence that says so.
//! Pure, and below `bulk` and `parity`, which both check discounts against prices; no
//! plans or steps here.

use crate::model::{Discount, Product};
use crate::money::{find_currency, format_price};

/// `OfferCode#amount_off`: fixed cents, or the percentage of the price rounded half away
/// from zero — computed in floating point exactly as Ruby does, so borderline cents agree.
pub fn amount_off(discount: Discount, price: i64) -> i64 {
    match discount {
        Discount::Fixed { cents } => cents,
        Discount::Percent(percent) => (price as f64 * (f64::from(percent) / 100.0)).round() as i64,
    }
}

/// The price after `discount`, never below 0.
pub fn price_after(discount: Discount, price: i64) -> i64 {
    (price - amount_off(discount, price)).max(0)
}

/// One price a buyer can pay for a product, and what it is (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
struct PricePoint {
    cents: i64,
    /// `None` for the base price, else e.g. `the "PDF" option` / `the "Gold" tier (monthly)`.
    label: Option<String>,
}

/// `Link#available_price_cents`: for a tiered membership every tier price per enabled
/// recurrence; otherwise the price and the price of each option (price + difference).
fn price_points(product: &Product) -> Vec<PricePoint> {
    let mut points = Vec::new();
    if product.is_tiered_membership {
        let recurrences = product.recurrences.clone().unwrap_or_default();
        for option in product.variants.iter().flat_map(|c| &c.options) {
            let Some(prices) = option.recurrence_prices.as_ref() else {
                continue;
            };
            for recurrence in &recurrences {
                if let Some(cents) = prices
                    .get(recurrence)
                    .and_then(|p| p.get("price_cents"))
                    .and_then(serde_json::Value::as_i64)
                {
                    points.push(PricePoint {
                        cents,
                        label: Some(format!("the \"{}\" tier ({recurrence})", option.name)),
                    });
                }
            }
        }
    }
    if points.is_empty() {
        points.push(PricePoint {
            cents: product.price,
            label: None,
        });
        for option in product.variants.iter().flat_map(|c| &c.options) {
            if let Some(difference) = option.price_difference.filter(|d| *d != 0) {
                points.push(PricePoint {
                    cents: product.price + difference,
                    label: Some(format!("the \"{}\" option", option.name)),
                });
            }
        }
    }
    points
}

/// Every price a buyer can pay for `product` (minor units), as the minimum-price rule
/// checks them.
pub fn price_cents(product: &Product) -> Vec<i64> {
    price_points(product).into_iter().map(|p| p.cents).collect()
}

/// "10% off", "$5 off".
pub fn describe_discount(discount: Discount, currency: Option<&str>) -> String {
    match discount {
        Discount::Percent(percent) => format!("{percent}% off"),
        Discount::Fixed { cents } => {
            format!("{} off", format_price(cents, currency.unwrap_or("usd")))
        }
    }
}

/// A price that would end up between 0 and the currency's minimum.
pub struct PriceProblem {
    /// `$4`, or `the "PDF" option at $10.50`.
    what: String,
    after: String,
    off: String,
    minimum: String,
    zero: String,
}

impl PriceProblem {
    /// The reason of a skipped step.
    pub fn sentence(&self) -> String {
        format!(
            "{} becomes {} after {}, under Gumroad's {} minimum (a discounted price must be {} or at least {}).",
            self.what, self.after, self.off, self.minimum, self.zero, self.minimum
        )
    }

    /// One item of a list: `$4 becomes $0.40, minimum $0.99`.
    pub fn short(&self) -> String {
        format!(
            "{} becomes {}, minimum {}",
            self.what, self.after, self.minimum
        )
    }
}

/// Why `discount` cannot go on `product` under the minimum-price rule, or `None`.
pub fn price_problem(discount: Discount, product: &Product) -> Option<PriceProblem> {
    let currency = find_currency(&product.currency)?;
    let code = currency.code;
    price_points(product).into_iter().find_map(|point| {
        let after = point.cents - amount_off(discount, point.cents);
        if after <= 0 || after >= currency.min_price {
            return None;
        }
        Some(PriceProblem {
            what: match &point.label {
                None => format_price(point.cents, code),
                Some(label) => format!("{label} at {}", format_price(point.cents, code)),
            },
            after: format_price(after, code),
            off: describe_discount(discount, Some(code)),
            minimum: format_price(currency.min_price, code),
            zero: format_price(0, code),
        })
    })
}
