//! A scholarship request's lifecycle: `pending` (or `waitlisted`) until staff decide;
//! approval and denial are final.
pub use entity::scholarship_request::{ScholarshipPurpose, ScholarshipStatus};

/// A staff decision on a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScholarshipEvent {
    Approve,
    Deny,
    Waitlist,
}

/// The status after `event`, or why it may not happen.
pub fn transition(from: ScholarshipStatus, event: ScholarshipEvent) -> Result<ScholarshipStatus, &'static str> {
    use ScholarshipStatus::*;
    match (from, event) {
        (Pending | Waitlisted, ScholarshipEvent::Approve) => Ok(Approved),
        (Pending | Waitlisted, ScholarshipEvent::Deny) => Ok(Denied),
        (Pending | Waitlisted, ScholarshipEvent::Waitlist) => Ok(Waitlisted),
        (Approved | Denied, _) => Err("it is decided"),
    }
}

#[cfg(test)]
mod tests {
    use super::ScholarshipEvent::*;
    use super::ScholarshipStatus::*;
    use super::*;

    #[test]
    fn every_move() {
        let decided = Err("it is decided");
        let cases = [
            (Pending, Approve, Ok(Approved)),
            (Pending, Deny, Ok(Denied)),
            (Pending, Waitlist, Ok(Waitlisted)),
            (Waitlisted, Approve, Ok(Approved)),
            (Waitlisted, Deny, Ok(Denied)),
            (Waitlisted, Waitlist, Ok(Waitlisted)),
            (Approved, Approve, decided),
            (Approved, Deny, decided),
            (Approved, Waitlist, decided),
            (Denied, Approve, decided),
            (Denied, Deny, decided),
            (Denied, Waitlist, decided),
        ];
        for (from, event, expected) in cases {
            assert_eq!(transition(from, event), expected, "{from:?} {event:?}");
        }
    }
}
