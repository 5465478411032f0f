//! The registration lifecycle: `awaiting_fee` → `fee_settled` (the temporary login goes
//! out) → `activated` (the person set a password with it).
use entity::registration::RegistrationStatus;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationEvent {
    /// The registration fee is settled (paid, waived or covered).
    FeeSettled,
    /// The temporary login was used.
    Activated,
}

/// The status after `event`, or why it cannot happen now.
pub fn transition(from: RegistrationStatus, event: RegistrationEvent) -> Result<RegistrationStatus, &'static str> {
    use RegistrationEvent as E;
    use RegistrationStatus as S;
    match (from, event) {
        (S::AwaitingFee, E::FeeSettled) => Ok(S::FeeSettled),
        (S::FeeSettled, E::Activated) => Ok(S::Activated),
        (S::FeeSettled | S::Activated, E::FeeSettled) => Err("the fee is settled already"),
        (S::AwaitingFee, E::Activated) => Err("the fee is not settled yet"),
        (S::Activated, E::Activated) => Err("the account is activated already"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RegistrationEvent as E;
    use RegistrationStatus as S;

    #[test]
    fn every_move() {
        let cases = [
            (S::AwaitingFee, E::FeeSettled, Ok(S::FeeSettled)),
            (S::AwaitingFee, E::Activated, Err("the fee is not settled yet")),
            (S::FeeSettled, E::FeeSettled, Err("the fee is settled already")),
            (S::FeeSettled, E::Activated, Ok(S::Activated)),
            (S::Activated, E::FeeSettled, Err("the fee is settled already")),
            (S::Activated, E::Activated, Err("the account is activated already")),
        ];
        for (from, event, expected) in cases {
            assert_eq!(transition(from, event), expected, "{from:?} {event:?}");
        }
    }
}
