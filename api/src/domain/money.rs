//! Money is exact: integer minor units (cents) with a currency. Never floats.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An amount of money, e.g. `{ "amount_cents": 2500, "currency": "USD" }` for $25.00.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount_cents": 2500, "currency": "USD"}))]
pub struct Money {
    /// Minor units (cents); never negative. A client's amount is at most 100 000 000
    /// (`MAX_AMOUNT_CENTS`); sums the service reports stay within JavaScript's safe integers.
    #[schema(minimum = 0, maximum = 9_007_199_254_740_991_i64)]
    pub amount_cents: i64,
    /// ISO 4217 code; must be the affiliate's currency.
    pub currency: String,
}

impl Money {
    pub fn new(amount_cents: i64, currency: &str) -> Money {
        Money { amount_cents, currency: currency.to_string() }
    }
}

/// The range the document states for any amount: JavaScript's safe integers (2^53 - 1).
pub const MAX_SAFE_CENTS: i64 = 9_007_199_254_740_991;

/// The most any single fee, invoice or payment may be: $1,000,000.00. Larger figures are
/// typing mistakes, and keeping far from `i64::MAX` keeps every sum exact.
pub const MAX_AMOUNT_CENTS: i64 = 100_000_000;

/// Checks an amount given by a client: positive (or zero when `allow_zero`), not absurd,
/// in the expected currency.
pub fn check_amount(money: &Money, currency: &str, allow_zero: bool) -> Result<i64, String> {
    if money.currency != currency {
        return Err(format!("must be in {currency}, not {}", money.currency));
    }
    let min = if allow_zero { 0 } else { 1 };
    if money.amount_cents < min {
        return Err(if allow_zero { "must not be negative".into() } else { "must be more than zero".into() });
    }
    if money.amount_cents > MAX_AMOUNT_CENTS {
        return Err(format!("must be at most {MAX_AMOUNT_CENTS} cents"));
    }
    Ok(money.amount_cents)
}

/// An invoice's figures. `balance = total - (paid - refunded) - credited - waived`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub total: i64,
    pub paid: i64,
    pub refunded: i64,
    pub credited: i64,
    pub waived: i64,
}

/// What a coordinator records against an invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Payment(i64),
    Refund(i64),
    Waiver(i64),
    Credit(i64),
}

impl Ledger {
    pub fn balance(&self) -> i64 {
        self.total - (self.paid - self.refunded) - self.credited - self.waived
    }

    pub fn is_settled(&self) -> bool {
        self.balance() <= 0
    }

    /// Applies an entry. The rule on overpayment: a payment, waiver or credit larger than
    /// the balance is refused (nothing is ever owed back silently); a refund may not
    /// exceed what was paid and not yet refunded.
    pub fn apply(&self, entry: Entry) -> Result<Ledger, String> {
        let mut next = *self;
        match entry {
            Entry::Payment(a) | Entry::Waiver(a) | Entry::Credit(a) if a > self.balance() => {
                return Err(format!("exceeds the balance of {} cents", self.balance().max(0)));
            }
            Entry::Payment(a) => next.paid += a,
            Entry::Waiver(a) => next.waived += a,
            Entry::Credit(a) => next.credited += a,
            Entry::Refund(a) if a > self.paid - self.refunded => {
                return Err(format!("exceeds the {} cents paid and not yet refunded", self.paid - self.refunded));
            }
            Entry::Refund(a) => next.refunded += a,
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_checked() {
        assert_eq!(check_amount(&Money::new(2500, "USD"), "USD", false), Ok(2500));
        assert!(check_amount(&Money::new(0, "USD"), "USD", false).is_err());
        assert_eq!(check_amount(&Money::new(0, "USD"), "USD", true), Ok(0));
        assert!(check_amount(&Money::new(-1, "USD"), "USD", true).is_err());
        assert!(check_amount(&Money::new(MAX_AMOUNT_CENTS + 1, "USD"), "USD", false).is_err());
        assert!(check_amount(&Money::new(2500, "CAD"), "USD", false).is_err());
    }

    #[test]
    fn partial_payments_settle_exactly() {
        let l = Ledger { total: 8000, ..Default::default() };
        let l = l.apply(Entry::Payment(3333)).expect("ok");
        let l = l.apply(Entry::Payment(3333)).expect("ok");
        assert_eq!(l.balance(), 1334);
        assert!(!l.is_settled());
        assert!(l.apply(Entry::Payment(1335)).is_err(), "overpayment refused");
        let l = l.apply(Entry::Waiver(1334)).expect("ok");
        assert!(l.is_settled());
        assert_eq!(l.balance(), 0);
    }

    #[test]
    fn refunds_are_bounded_by_net_payments() {
        let l = Ledger { total: 2500, ..Default::default() }.apply(Entry::Payment(2500)).expect("ok");
        assert!(l.apply(Entry::Refund(2501)).is_err());
        let l = l.apply(Entry::Refund(1000)).expect("ok");
        assert_eq!(l.balance(), 1000);
        assert!(l.apply(Entry::Refund(1501)).is_err());
        assert!(l.apply(Entry::Credit(1000)).expect("ok").is_settled());
    }
}
