//! Request and response bodies. Never entity models: these are the public contract.
pub mod affiliates;
pub mod auth;

use serde::{Deserialize, Deserializer};

/// For PATCH fields that may be cleared: absent → `None`, `null` → `Some(None)`.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}
pub mod applications;
pub mod billing;
pub mod catalog;
pub mod clients;
pub mod endorsements;
pub mod memberships;
pub mod people;
pub mod registrations;
pub mod renewals;
pub mod reports;
pub mod scholarships;
pub mod sync;
pub mod webhooks;
