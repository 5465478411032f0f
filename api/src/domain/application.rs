//! The life of a credential application, as a state machine: every change of state goes
//! through `transition`, and an illegal one names the state the application is in.

pub use entity::application::ApplicationState as State;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Submit,
    StartReview,
    Defer,
    Resubmit,
    Hold,
    Resume,
    /// Approved, and the category has an exam.
    ApproveForExam,
    /// Approved (no exam), or the exam passed.
    Endorse,
    MarkEmerging,
    Decline,
    Withdraw,
}

#[derive(Debug, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: State,
    pub action: Action,
}

impl std::fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot {:?} an application that is {}", self.action, self.from.as_str().replace('_', " "))
    }
}

/// The state after `action`, or why it is not allowed. `emerging_allowed`: the category
/// may end in emerging (IFRS).
pub fn transition(from: State, action: Action, emerging_allowed: bool) -> Result<State, IllegalTransition> {
    use Action as A;
    use State as S;
    let to = match (from, action) {
        (S::Draft, A::Submit) => S::Submitted,
        (S::Submitted | S::Resubmitted, A::StartReview) => S::InReview,
        (S::OnHold, A::Resume) => S::InReview,
        (S::InReview, A::Defer) => S::Deferred,
        (S::Deferred, A::Resubmit) => S::Resubmitted,
        (S::InReview, A::Hold) => S::OnHold,
        (S::InReview, A::ApproveForExam) => S::ExamPending,
        (S::InReview | S::ExamPending | S::Emerging, A::Endorse) => S::Endorsed,
        (S::InReview, A::MarkEmerging) if emerging_allowed => S::Emerging,
        (S::InReview | S::OnHold | S::ExamPending, A::Decline) => S::NotEndorsed,
        (s, A::Withdraw) if s.is_open() && s != S::Emerging => S::Withdrawn,
        _ => return Err(IllegalTransition { from, action }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::{Action as A, State as S, *};

    #[test]
    fn the_journey_and_its_branches() {
        let path = [
            (S::Draft, A::Submit, S::Submitted),
            (S::Submitted, A::StartReview, S::InReview),
            (S::InReview, A::Defer, S::Deferred),
            (S::Deferred, A::Resubmit, S::Resubmitted),
            (S::Resubmitted, A::StartReview, S::InReview),
            (S::InReview, A::Hold, S::OnHold),
            (S::OnHold, A::Resume, S::InReview),
            (S::InReview, A::ApproveForExam, S::ExamPending),
            (S::ExamPending, A::Endorse, S::Endorsed),
        ];
        for (from, action, to) in path {
            assert_eq!(transition(from, action, false), Ok(to), "{from:?} {action:?}");
        }
        assert_eq!(transition(S::InReview, A::Endorse, false), Ok(S::Endorsed));
        assert_eq!(transition(S::InReview, A::MarkEmerging, true), Ok(S::Emerging));
        assert_eq!(transition(S::Emerging, A::Endorse, true), Ok(S::Endorsed));
        assert_eq!(transition(S::InReview, A::Decline, false), Ok(S::NotEndorsed));
    }

    #[test]
    fn illegal_moves_name_the_current_state() {
        let cases = [
            (S::Draft, A::StartReview),
            (S::Submitted, A::Submit),
            (S::Endorsed, A::Withdraw),
            (S::NotEndorsed, A::Resubmit),
            (S::Withdrawn, A::Submit),
            (S::Draft, A::Endorse),
            (S::Deferred, A::Endorse),
        ];
        for (from, action) in cases {
            let err = transition(from, action, true).unwrap_err();
            assert_eq!(err.from, from);
        }
        assert!(transition(S::InReview, A::MarkEmerging, false).is_err(), "emerging is for IFRS only");
    }

    #[test]
    fn withdrawal_is_possible_until_a_decision() {
        for s in [S::Draft, S::Submitted, S::InReview, S::Deferred, S::Resubmitted, S::OnHold, S::ExamPending] {
            assert_eq!(transition(s, A::Withdraw, false), Ok(S::Withdrawn), "{s:?}");
        }
        for s in [S::Endorsed, S::NotEndorsed, S::Withdrawn, S::Emerging] {
            assert!(transition(s, A::Withdraw, false).is_err(), "{s:?}");
        }
        assert!(S::Draft.is_editable() && S::Deferred.is_editable() && !S::Submitted.is_editable());
    }
}
