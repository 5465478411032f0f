//! People and their accounts.

/// The form of an email address used for uniqueness and sign-in: trimmed, lower-case.
pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// Account lifecycle: `pending` until the temporary login is used, `active`, or `disabled`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountStatus {
    Pending,
    Active,
    Disabled,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Pending => "pending",
            AccountStatus::Active => "active",
            AccountStatus::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(AccountStatus::Pending),
            "active" => Some(AccountStatus::Active),
            "disabled" => Some(AccountStatus::Disabled),
            _ => None,
        }
    }

    /// Only active accounts may sign in or refresh their session.
    pub fn may_sign_in(self) -> bool {
        self == AccountStatus::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_compare_case_insensitively() {
        assert_eq!(normalize_email("  Ana.Lopez@Example.ORG "), "ana.lopez@example.org");
    }

    #[test]
    fn only_active_accounts_sign_in() {
        assert!(AccountStatus::Active.may_sign_in());
        assert!(!AccountStatus::Pending.may_sign_in());
        assert!(!AccountStatus::Disabled.may_sign_in());
        assert_eq!(AccountStatus::parse("active"), Some(AccountStatus::Active));
    }
}
