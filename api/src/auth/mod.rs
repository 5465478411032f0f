//! Authentication: signing keys and JWKS, access tokens, password hashing, and the
//! `Caller` extractor that every protected handler takes.
pub mod caller;
pub mod keys;
pub mod password;
pub mod revocation;
pub mod tokens;

pub use caller::{Caller, MaybeCaller, SubjectKind};
