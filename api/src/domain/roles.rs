//! Who may do what. Every person is an applicant of their affiliate; other roles are granted.
pub use entity::sets::Role;

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in [Role::Applicant, Role::Reviewer, Role::Coordinator, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
