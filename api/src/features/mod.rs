//! The capabilities, a folder each: its routes (thin handlers and one `configure`), its
//! DTOs and its use-cases. Every route is registered through utoipa so it is documented.
//! No capability imports another in a circle; billing imports none (what a settled
//! invoice causes is `settlement`, above it).
pub mod accounts;
pub mod affiliates;
pub mod applications;
pub mod billing;
pub mod endorsements;
pub mod memberships;
pub mod messages;
pub mod operations;
pub mod partners;
pub mod renewals;
pub mod reports;
pub mod scholarships;
pub mod settlement;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

use crate::http::idempotency::Idempotency;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(operations::configure).configure(accounts::well_known).service(
        scope::scope("/v1")
            .wrap(Idempotency)
            .configure(accounts::configure)
            .configure(affiliates::configure)
            .configure(memberships::configure)
            .configure(billing::configure)
            .configure(applications::configure)
            .configure(endorsements::configure)
            .configure(renewals::configure)
            .configure(reports::configure)
            .configure(partners::configure)
            .configure(scholarships::configure)
            .configure(messages::configure),
    );
}
