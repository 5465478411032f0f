//! What other capabilities do when an invoice is created or settled. Billing knows only
//! this port; the dispatcher that implements it (`features::settlement`) sits above
//! billing and every capability that bills, and is handed to the service at start in
//! `AppState::invoice_effects`. Both hooks run in the transaction that created or
//! settled the invoice, so their effects happen exactly once.
use futures_util::future::BoxFuture;
use sea_orm::DatabaseTransaction;

use crate::{error::AppResult, platform::audit::Actor, state::AppState};
use entity::invoice;

/// The invoice a hook is about, with the transaction it runs in and who acts.
pub struct InvoiceContext<'a> {
    pub state: &'a AppState,
    pub txn: &'a DatabaseTransaction,
    pub actor: &'a Actor,
    pub invoice: &'a invoice::Model,
}

pub trait InvoiceEffects: Send + Sync {
    /// A new invoice with something to pay (an approved scholarship may credit it now).
    fn created<'a>(&'a self, event: InvoiceContext<'a>) -> BoxFuture<'a, AppResult<()>>;

    /// An invoice just settled: what waited for it (activation, membership, renewal) happens now.
    fn settled<'a>(&'a self, event: InvoiceContext<'a>) -> BoxFuture<'a, AppResult<()>>;
}
