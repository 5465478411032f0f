//! Authentication: signing keys and JWKS, access tokens, password hashing, and the
//! `Caller` extractor that every protected handler takes.
pub mod caller;
pub mod keys;
pub mod password;
pub mod revocation;
pub mod tokens;

pub use caller::{Caller, MaybeCaller, SubjectKind};

/// Compares two secrets (or their hashes) in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
