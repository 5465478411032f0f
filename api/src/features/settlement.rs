//! The dispatcher of what invoices cause, above billing and every capability that bills:
//! a settled invoice activates what waited for it, by its purpose (a registration's
//! temporary login, a membership, a renewal); a new unsettled invoice takes an approved
//! scholarship's credit. Billing calls it through its port (`billing::effects`), in the
//! transaction that created or settled the invoice, so each effect happens exactly once.
use futures_util::future::BoxFuture;

use crate::{
    error::AppResult,
    features::{
        accounts::registrations, billing::effects::InvoiceContext, billing::effects::InvoiceEffects,
        memberships::service as memberships, renewals::service as renewals, scholarships::service as scholarships,
    },
};
use entity::invoice::InvoicePurpose;

pub struct Dispatcher;

impl InvoiceEffects for Dispatcher {
    fn created<'a>(&'a self, event: InvoiceContext<'a>) -> BoxFuture<'a, AppResult<()>> {
        Box::pin(scholarships::apply_awards(event.state, event.txn, event.actor, event.invoice.person_id))
    }

    fn settled<'a>(&'a self, event: InvoiceContext<'a>) -> BoxFuture<'a, AppResult<()>> {
        let InvoiceContext { state, txn, actor, invoice } = event;
        Box::pin(async move {
            match invoice.purpose {
                InvoicePurpose::Registration => registrations::on_fee_settled(state, txn, actor, invoice).await,
                InvoicePurpose::Membership => memberships::on_paid(state, txn, actor, invoice).await,
                InvoicePurpose::Renewal => renewals::on_paid(txn, &state.links, actor, invoice).await,
                // An application's processing fee and an exam fee are read when the
                // applicant submits or sits: nothing waits for them.
                InvoicePurpose::Processing | InvoicePurpose::Exam => Ok(()),
            }
        })
    }
}
