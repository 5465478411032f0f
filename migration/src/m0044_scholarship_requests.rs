use sea_orm_migration::{prelude::*, schema::*};

use crate::m0043_scholarship_funds::ScholarshipFunds;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum ScholarshipRequests {
    Table,
    Id,
    AffiliateId,
    FundId,
    PersonId,
    AmountCents,
    Purpose,
    Statement,
    InvoiceId,
    Status,
    AwardedCents,
    AppliedCents,
    Reason,
    DecidedBy,
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
                    .table(ScholarshipRequests::Table)
                    .col(pk_uuid(ScholarshipRequests::Id))
                    .col(uuid(ScholarshipRequests::AffiliateId))
                    .col(uuid(ScholarshipRequests::FundId))
                    .col(uuid(ScholarshipRequests::PersonId))
                    .col(big_integer(ScholarshipRequests::AmountCents))
                    .col(string_len(ScholarshipRequests::Purpose, 16))
                    .col(text(ScholarshipRequests::Statement))
                    .col(uuid_null(ScholarshipRequests::InvoiceId))
                    .col(string_len(ScholarshipRequests::Status, 16))
                    .col(big_integer(ScholarshipRequests::AwardedCents))
                    .col(big_integer(ScholarshipRequests::AppliedCents))
                    .col(text_null(ScholarshipRequests::Reason))
                    .col(uuid_null(ScholarshipRequests::DecidedBy))
                    .col(timestamp_with_time_zone_null(ScholarshipRequests::DecidedAt))
                    .col(timestamp_with_time_zone(ScholarshipRequests::CreatedAt))
                    .col(timestamp_with_time_zone(ScholarshipRequests::UpdatedAt))
                    .col(big_integer(ScholarshipRequests::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_scholarship_requests_fund")
                            .from(ScholarshipRequests::Table, ScholarshipRequests::FundId)
                            .to(ScholarshipFunds::Table, ScholarshipFunds::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_scholarship_requests_person")
                    .table(ScholarshipRequests::Table)
                    .col(ScholarshipRequests::PersonId)
                    .col(ScholarshipRequests::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_scholarship_requests_affiliate")
                    .table(ScholarshipRequests::Table)
                    .col(ScholarshipRequests::AffiliateId)
                    .col(ScholarshipRequests::Status)
                    .col(ScholarshipRequests::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ScholarshipRequests::Table).to_owned()).await
    }
}
