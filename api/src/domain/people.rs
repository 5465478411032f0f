//! People and their accounts.

/// The form of an email address used for uniqueness and sign-in: trimmed, lower-case.
pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// The form of an address that tells two addresses of one mailbox apart from two people:
/// normalized, with a `+tag` of the local part dropped (`ana+ref@x.org` is `ana@x.org`).
/// Used for conflicts of interest, not for sign-in.
pub fn identity_email(raw: &str) -> String {
    let normalized = normalize_email(raw);
    match normalized.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split('+').next().unwrap_or(local);
            format!("{local}@{domain}")
        }
        None => normalized,
    }
}

/// A name folded for comparison: accents dropped, lower case, only letters and digits,
/// words separated by one space.
fn fold_name(raw: &str) -> String {
    use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};
    let letters: String = raw
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    letters.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `supplied` names the person `given` `family` ("Ana López", "lopez ana",
/// "López, Ana" all name Ana López).
pub fn same_name(supplied: &str, given: &str, family: &str) -> bool {
    let supplied = fold_name(supplied);
    !supplied.is_empty()
        && (supplied == fold_name(&format!("{given} {family}")) || supplied == fold_name(&format!("{family} {given}")))
}

pub use entity::person::PersonStatus as AccountStatus;

/// Only active accounts may sign in or refresh their session.
pub fn may_sign_in(status: AccountStatus) -> bool {
    status == AccountStatus::Active
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_compare_case_insensitively() {
        assert_eq!(normalize_email("  Ana.Lopez@Example.ORG "), "ana.lopez@example.org");
    }

    #[test]
    fn identity_ignores_case_and_plus_tags() {
        assert_eq!(identity_email(" Ana+Rater@Example.org"), "ana@example.org");
        assert_eq!(identity_email("ana@example.org"), "ana@example.org");
        assert_eq!(identity_email("a+b+c@x.org"), "a@x.org");
        assert_ne!(identity_email("ana@example.org"), identity_email("ana@example.com"));
    }

    #[test]
    fn names_match_whatever_the_case_accents_and_order() {
        assert!(same_name("Ana López", "Ana", "López"));
        assert!(same_name("  ana   lopez ", "Ana", "López"));
        assert!(same_name("López, Ana", "Ana", "López"));
        assert!(!same_name("Ana", "Ana", "López"));
        assert!(!same_name("Ana Lopes", "Ana", "López"));
        assert!(!same_name("", "Ana", "López"));
    }

    #[test]
    fn only_active_accounts_sign_in() {
        assert!(may_sign_in(AccountStatus::Active));
        assert!(!may_sign_in(AccountStatus::Pending));
        assert!(!may_sign_in(AccountStatus::Disabled));
        assert_eq!(AccountStatus::parse("active"), Some(AccountStatus::Active));
    }
}
