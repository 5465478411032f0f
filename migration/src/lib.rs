//! Schema migrations, one change each, all reversible. Default data (Washington) is
//! seeded by its own migration so that `migrate down` removes it cleanly.
pub use sea_orm_migration::prelude::*;

mod m0001_affiliates;
mod m0002_people;
mod m0003_role_assignments;
mod m0004_refresh_tokens;
mod m0005_audit_events;
mod m0006_change_log;
mod m0007_outbox_messages;
mod m0008_idempotency_keys;
mod m0009_rate_limits;
mod m0010_seed_washington;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_affiliates::Migration),
            Box::new(m0002_people::Migration),
            Box::new(m0003_role_assignments::Migration),
            Box::new(m0004_refresh_tokens::Migration),
            Box::new(m0005_audit_events::Migration),
            Box::new(m0006_change_log::Migration),
            Box::new(m0007_outbox_messages::Migration),
            Box::new(m0008_idempotency_keys::Migration),
            Box::new(m0009_rate_limits::Migration),
            Box::new(m0010_seed_washington::Migration),
        ]
    }
}
