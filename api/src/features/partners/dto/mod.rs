//! Request and response bodies of partners: the public contract, never entity models.
pub mod sync;
pub mod webhooks;
