//! Password hashing with argon2id, run on the blocking pool so it never stalls the
//! async workers.
use std::sync::OnceLock;

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};

use crate::error::AppError;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

fn hash_blocking(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

/// Verifies `password` against a stored hash. With no hash (unknown account, or no
/// password set yet) a dummy hash is checked, so timing does not reveal which accounts exist.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = match stored {
            Some(h) => h,
            None => dummy_hash().to_string(),
        };
        let ok = PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        known && ok
    })
    .await
    .map_err(AppError::internal)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("dummy password for timing").unwrap_or_default())
}

/// The password rule (NIST SP 800-63B: length and a blocklist, no composition rules):
/// 12 to 256 characters, and not one of the commonly used passwords.
pub const RULE: &str = "12 to 256 characters; not one of the 49 000 most common passwords; \
     not containing your email address, its part before the @, or your name";

/// The commonly used passwords, lower case, one a line: the list of the zxcvbn-ts
/// project (`@zxcvbn-ts/language-common` 4.1.3, MIT; see `api/data/`), in frequency order.
const COMMON: &str = include_str!("../../data/common-passwords.txt");

fn common() -> &'static std::collections::HashSet<&'static str> {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().filter(|l| !l.is_empty()).collect())
}

/// Length and the blocklist, for any password.
pub fn check_policy(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        Err(format!("must be at least {MIN_LENGTH} characters long"))
    } else if n > MAX_LENGTH {
        Err(format!("must be at most {MAX_LENGTH} characters long"))
    } else if common().contains(password.to_lowercase().as_str()) {
        Err("is one of the most commonly used passwords; choose another".into())
    } else {
        Ok(())
    }
}

/// The rule's personal part: the password may not contain the person's email address,
/// its local part, or their given or family name (each at least 3 characters).
pub fn check_personal(password: &str, email: &str, given_name: &str, family_name: &str) -> Result<(), String> {
    let lower = password.to_lowercase();
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default().to_string();
    let parts = [email.clone(), local, given_name.trim().to_lowercase(), family_name.trim().to_lowercase()];
    if parts.iter().any(|p| p.chars().count() >= 3 && lower.contains(p.as_str())) {
        return Err("must not contain your email address or your name".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let a = hash("correct horse battery".into()).await.expect("hash");
        let b = hash("correct horse battery".into()).await.expect("hash");
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(a.clone())).await.expect("verify"));
        assert!(!verify("wrong horse battery".into(), Some(a)).await.expect("verify"));
        assert!(!verify("anything".into(), None).await.expect("verify"));
    }

    #[test]
    fn policy() {
        assert!(check_policy("short").is_err());
        assert!(check_policy("twelve chars").is_ok());
        assert!(check_policy(&"x".repeat(257)).is_err());
        assert!(common().len() >= 10_000, "a blocklist of at least 10 000");
        for common in ["1234567890123", "qwertyuiopasdfgh", "PasswordPassword"] {
            assert!(check_policy(common).is_err() || !super::common().contains(common.to_lowercase().as_str()));
        }
        let listed = COMMON.lines().find(|l| l.chars().count() >= MIN_LENGTH).expect("a long common password");
        assert!(check_policy(listed).is_err(), "{listed} is refused");
        assert!(check_policy(&listed.to_uppercase()).is_err(), "whatever its case");
    }

    #[test]
    fn personal_parts_are_refused() {
        assert!(check_personal("ana.lopez-2024!", "ana.lopez@example.org", "Ana", "López").is_err());
        assert!(check_personal("my López horse battery", "a@example.org", "Ana", "López").is_err());
        assert!(check_personal("correct horse battery", "ana.lopez@example.org", "Ana", "López").is_ok());
        assert!(check_personal("an unrelated passphrase", "al@example.org", "Al", "Wu").is_ok(), "short parts ignored");
    }
}
