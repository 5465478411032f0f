//! The invoice lifecycle: `open` until its entries cover it, then `settled`; a `void`
//! invoice takes no entries. Refunds after settlement do not reopen it (what settlement
//! started is handled by staff), so `settled` is final.
use entity::invoice::InvoiceStatus;

/// What happens to an invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvoiceEvent {
    /// An entry was applied; `covered` when the ledger's balance is now zero.
    Entry { covered: bool },
}

/// The status after `event`, or the reason it may not happen.
pub fn transition(from: InvoiceStatus, event: InvoiceEvent) -> Result<InvoiceStatus, &'static str> {
    match (from, event) {
        (InvoiceStatus::Void, InvoiceEvent::Entry { .. }) => Err("a void invoice takes no entries"),
        (InvoiceStatus::Open, InvoiceEvent::Entry { covered: true }) => Ok(InvoiceStatus::Settled),
        (InvoiceStatus::Open, InvoiceEvent::Entry { covered: false }) => Ok(InvoiceStatus::Open),
        (InvoiceStatus::Settled, InvoiceEvent::Entry { .. }) => Ok(InvoiceStatus::Settled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InvoiceStatus::*;

    #[test]
    fn every_move() {
        let cases = [
            (Open, true, Ok(Settled)),
            (Open, false, Ok(Open)),
            (Settled, true, Ok(Settled)),
            (Settled, false, Ok(Settled)),
            (Void, true, Err("a void invoice takes no entries")),
            (Void, false, Err("a void invoice takes no entries")),
        ];
        for (from, covered, expected) in cases {
            assert_eq!(transition(from, InvoiceEvent::Entry { covered }), expected, "{from:?} covered={covered}");
        }
    }
}
