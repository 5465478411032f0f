use sea_orm_migration::{prelude::*, schema::*};

use crate::m0001_affiliates::Affiliates;
use crate::m0002_people::People;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Invoices {
    Table,
    Id,
    AffiliateId,
    PersonId,
    Number,
    Currency,
    Purpose,
    SubjectId,
    TotalCents,
    PaidCents,
    RefundedCents,
    CreditedCents,
    WaivedCents,
    Status,
    SettledAt,
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
                    .table(Invoices::Table)
                    .col(pk_uuid(Invoices::Id))
                    .col(uuid(Invoices::AffiliateId))
                    .col(uuid(Invoices::PersonId))
                    .col(string_len_uniq(Invoices::Number, 40))
                    .col(char_len(Invoices::Currency, 3))
                    .col(string_len(Invoices::Purpose, 16))
                    .col(uuid_null(Invoices::SubjectId))
                    .col(big_integer(Invoices::TotalCents))
                    .col(big_integer(Invoices::PaidCents))
                    .col(big_integer(Invoices::RefundedCents))
                    .col(big_integer(Invoices::CreditedCents))
                    .col(big_integer(Invoices::WaivedCents))
                    .col(string_len(Invoices::Status, 16))
                    .col(timestamp_with_time_zone_null(Invoices::SettledAt))
                    .col(timestamp_with_time_zone(Invoices::CreatedAt))
                    .col(timestamp_with_time_zone(Invoices::UpdatedAt))
                    .col(big_integer(Invoices::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invoices_person")
                            .from(Invoices::Table, Invoices::PersonId)
                            .to(People::Table, People::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invoices_affiliate")
                            .from(Invoices::Table, Invoices::AffiliateId)
                            .to(Affiliates::Table, Affiliates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_invoices_affiliate")
                    .table(Invoices::Table)
                    .col(Invoices::AffiliateId)
                    .col(Invoices::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_invoices_person")
                    .table(Invoices::Table)
                    .col(Invoices::PersonId)
                    .col(Invoices::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Invoices::Table).to_owned()).await
    }
}
