use sea_orm_migration::{prelude::*, schema::*};

use crate::m0001_affiliates::Affiliates;
use crate::m0002_people::People;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Applications {
    Table,
    Id,
    AffiliateId,
    PersonId,
    CategoryCode,
    PolicyVersionId,
    Kind,
    ReinstatesEndorsementId,
    State,
    OpenKey,
    DeadlineId,
    ProcessingInvoiceId,
    SubmittedAt,
    DecidedAt,
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
                    .table(Applications::Table)
                    .col(pk_uuid(Applications::Id))
                    .col(uuid(Applications::AffiliateId))
                    .col(uuid(Applications::PersonId))
                    .col(string_len(Applications::CategoryCode, 16))
                    .col(uuid(Applications::PolicyVersionId))
                    .col(string_len(Applications::Kind, 16))
                    .col(uuid_null(Applications::ReinstatesEndorsementId))
                    .col(string_len(Applications::State, 16))
                    .col(string_len_null(Applications::OpenKey, 64).unique_key())
                    .col(uuid_null(Applications::DeadlineId))
                    .col(uuid_null(Applications::ProcessingInvoiceId))
                    .col(timestamp_with_time_zone_null(Applications::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Applications::DecidedAt))
                    .col(timestamp_with_time_zone(Applications::CreatedAt))
                    .col(timestamp_with_time_zone(Applications::UpdatedAt))
                    .col(big_integer(Applications::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_applications_person")
                            .from(Applications::Table, Applications::PersonId)
                            .to(People::Table, People::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_applications_affiliate")
                            .from(Applications::Table, Applications::AffiliateId)
                            .to(Affiliates::Table, Affiliates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_applications_person")
                    .table(Applications::Table)
                    .col(Applications::PersonId)
                    .col(Applications::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_applications_affiliate_state")
                    .table(Applications::Table)
                    .col(Applications::AffiliateId)
                    .col(Applications::State)
                    .col(Applications::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Applications::Table).to_owned()).await
    }
}
