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
mod m0011_registrations;
mod m0012_login_tokens;
mod m0013_fee_schedules;
mod m0014_seed_washington_fees;
mod m0015_invoices;
mod m0016_invoice_lines;
mod m0017_invoice_entries;
mod m0018_membership_plans;
mod m0019_seed_washington_plan;
mod m0020_memberships;
mod m0021_machine_clients;
mod m0022_credential_families;
mod m0023_credential_categories;
mod m0024_seed_catalog;
mod m0025_policy_versions;
mod m0026_seed_washington_policy;
mod m0027_applications;
mod m0028_portfolio_entries;
mod m0029_application_references;
mod m0030_attestations;
mod m0031_schedule_events;
mod m0032_seed_washington_schedule;
mod m0033_application_events;
mod m0034_reviews;
mod m0035_exam_sittings;
mod m0036_exam_registrations;
mod m0037_endorsements;
mod m0038_number_sequences;
mod m0039_renewal_periods;
mod m0040_renewals;
mod m0041_renewal_entries;
mod m0042_renewal_reminders;
mod m0043_scholarship_funds;
mod m0044_scholarship_requests;
mod m0045_change_feed_order;
mod m0046_external_ids;
mod m0047_webhooks;
mod m0048_people_origin;
mod m0049_token_generations;
mod m0050_mail_templates;
mod m0051_mail_preferences;
mod m0052_ifa_experience_ages;

pub use m0010_seed_washington::WASHINGTON_ID;
pub use m0019_seed_washington_plan::PLAN_ID as WASHINGTON_INDIVIDUAL_PLAN_ID;
pub use m0024_seed_catalog::CATEGORIES;
pub use m0026_seed_washington_policy::{MIRRORS, washington_policies};

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
            Box::new(m0011_registrations::Migration),
            Box::new(m0012_login_tokens::Migration),
            Box::new(m0013_fee_schedules::Migration),
            Box::new(m0014_seed_washington_fees::Migration),
            Box::new(m0015_invoices::Migration),
            Box::new(m0016_invoice_lines::Migration),
            Box::new(m0017_invoice_entries::Migration),
            Box::new(m0018_membership_plans::Migration),
            Box::new(m0019_seed_washington_plan::Migration),
            Box::new(m0020_memberships::Migration),
            Box::new(m0021_machine_clients::Migration),
            Box::new(m0022_credential_families::Migration),
            Box::new(m0023_credential_categories::Migration),
            Box::new(m0024_seed_catalog::Migration),
            Box::new(m0025_policy_versions::Migration),
            Box::new(m0026_seed_washington_policy::Migration),
            Box::new(m0027_applications::Migration),
            Box::new(m0028_portfolio_entries::Migration),
            Box::new(m0029_application_references::Migration),
            Box::new(m0030_attestations::Migration),
            Box::new(m0031_schedule_events::Migration),
            Box::new(m0032_seed_washington_schedule::Migration),
            Box::new(m0033_application_events::Migration),
            Box::new(m0034_reviews::Migration),
            Box::new(m0035_exam_sittings::Migration),
            Box::new(m0036_exam_registrations::Migration),
            Box::new(m0037_endorsements::Migration),
            Box::new(m0038_number_sequences::Migration),
            Box::new(m0039_renewal_periods::Migration),
            Box::new(m0040_renewals::Migration),
            Box::new(m0041_renewal_entries::Migration),
            Box::new(m0042_renewal_reminders::Migration),
            Box::new(m0043_scholarship_funds::Migration),
            Box::new(m0044_scholarship_requests::Migration),
            Box::new(m0045_change_feed_order::Migration),
            Box::new(m0046_external_ids::Migration),
            Box::new(m0047_webhooks::Migration),
            Box::new(m0048_people_origin::Migration),
            Box::new(m0049_token_generations::Migration),
            Box::new(m0050_mail_templates::Migration),
            Box::new(m0051_mail_preferences::Migration),
            Box::new(m0052_ifa_experience_ages::Migration),
        ]
    }
}
