//! What happens when an invoice is settled, dispatched on its purpose. Runs inside the
//! transaction that settles the invoice, so it happens exactly once.
use sea_orm::ConnectionTrait;

use crate::{
    error::AppResult,
    services::{audit::Actor, memberships, registrations, renewals},
    state::AppState,
};
use entity::invoice;

pub async fn on_settled(
    state: &AppState,
    db: &impl ConnectionTrait,
    actor: &Actor,
    invoice: &invoice::Model,
) -> AppResult<()> {
    match invoice.purpose.as_str() {
        "registration" => registrations::on_fee_settled(state, db, actor, invoice).await,
        "membership" => memberships::on_paid(state, db, actor, invoice).await,
        "renewal" => renewals::on_paid(db, actor, invoice).await,
        _ => Ok(()),
    }
}
