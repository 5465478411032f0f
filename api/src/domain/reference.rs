//! A reference's lifecycle: `invited` until the rater answers once — `submitted` or
//! `declined` — while the invitation has not expired. An unanswered invitation past its
//! expiry shows as `expired`; staff invite again.
pub use entity::application_reference::ReferenceStatus;

entity::closed_set! {
    /// Where a reference stands as people see it: its stored status, or `expired` when the
    /// invitation ran out unanswered. New values may be added later.
    pub enum ReferenceState {
        Invited = "invited",
        Submitted = "submitted",
        Declined = "declined",
        Expired = "expired",
    }
}

pub fn shown(status: ReferenceStatus, expired: bool) -> ReferenceState {
    match status {
        ReferenceStatus::Invited if expired => ReferenceState::Expired,
        ReferenceStatus::Invited => ReferenceState::Invited,
        ReferenceStatus::Submitted => ReferenceState::Submitted,
        ReferenceStatus::Declined => ReferenceState::Declined,
    }
}

/// What a rater does through their link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceEvent {
    Submit,
    Decline,
}

/// The status after `event`, or why it may not happen.
pub fn transition(
    from: ReferenceStatus,
    event: ReferenceEvent,
    expired: bool,
) -> Result<ReferenceStatus, &'static str> {
    match (from, event) {
        (ReferenceStatus::Invited, _) if expired => Err("the invitation has expired"),
        (ReferenceStatus::Invited, ReferenceEvent::Submit) => Ok(ReferenceStatus::Submitted),
        (ReferenceStatus::Invited, ReferenceEvent::Decline) => Ok(ReferenceStatus::Declined),
        (ReferenceStatus::Submitted | ReferenceStatus::Declined, _) => Err("the rater has already answered"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferenceEvent::*;
    use ReferenceStatus::*;

    #[test]
    fn every_move() {
        let cases = [
            (Invited, Submit, false, Ok(Submitted)),
            (Invited, Decline, false, Ok(Declined)),
            (Invited, Submit, true, Err("the invitation has expired")),
            (Invited, Decline, true, Err("the invitation has expired")),
            (Submitted, Submit, false, Err("the rater has already answered")),
            (Submitted, Decline, false, Err("the rater has already answered")),
            (Declined, Submit, false, Err("the rater has already answered")),
            (Declined, Decline, true, Err("the rater has already answered")),
        ];
        for (from, event, expired, expected) in cases {
            assert_eq!(transition(from, event, expired), expected, "{from:?} {event:?} expired={expired}");
        }
    }

    #[test]
    fn expiry_shows_only_on_unanswered_invitations() {
        assert_eq!(shown(Invited, true), ReferenceState::Expired);
        assert_eq!(shown(Invited, false), ReferenceState::Invited);
        assert_eq!(shown(Submitted, true), ReferenceState::Submitted);
        assert_eq!(shown(Declined, true), ReferenceState::Declined);
    }
}
