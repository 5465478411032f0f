use sea_orm_migration::{prelude::*, schema::*};

use crate::m0001_affiliates::Affiliates;
use crate::m0002_people::People;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Registrations {
    Table,
    Id,
    AffiliateId,
    PersonId,
    HighestEducation,
    ExperienceYears,
    WorkKinds,
    RscQuarterHours,
    TargetCategory,
    InvoiceId,
    Status,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Registrations::Table)
                    .col(pk_uuid(Registrations::Id))
                    .col(uuid(Registrations::AffiliateId))
                    .col(uuid_uniq(Registrations::PersonId))
                    .col(string_len(Registrations::HighestEducation, 32))
                    .col(integer(Registrations::ExperienceYears))
                    .col(json_binary(Registrations::WorkKinds))
                    .col(integer(Registrations::RscQuarterHours))
                    .col(string_len_null(Registrations::TargetCategory, 16))
                    .col(uuid_null(Registrations::InvoiceId))
                    .col(string_len(Registrations::Status, 16))
                    .col(timestamp_with_time_zone(Registrations::CreatedAt))
                    .col(timestamp_with_time_zone(Registrations::UpdatedAt))
                    .col(big_integer(Registrations::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_registrations_person")
                            .from(Registrations::Table, Registrations::PersonId)
                            .to(People::Table, People::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_registrations_affiliate")
                            .from(Registrations::Table, Registrations::AffiliateId)
                            .to(Affiliates::Table, Affiliates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Registrations::Table).to_owned()).await
    }
}
