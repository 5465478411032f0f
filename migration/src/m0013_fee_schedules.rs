use sea_orm_migration::{prelude::*, schema::*};

use crate::m0001_affiliates::Affiliates;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum FeeSchedules {
    Table,
    Id,
    AffiliateId,
    FeeKind,
    Category,
    AmountCents,
    Currency,
    EffectiveFrom,
    CreatedAt,
    CreatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FeeSchedules::Table)
                    .col(pk_uuid(FeeSchedules::Id))
                    .col(uuid(FeeSchedules::AffiliateId))
                    .col(string_len(FeeSchedules::FeeKind, 16))
                    .col(string_len(FeeSchedules::Category, 16))
                    .col(big_integer(FeeSchedules::AmountCents))
                    .col(char_len(FeeSchedules::Currency, 3))
                    .col(date(FeeSchedules::EffectiveFrom))
                    .col(timestamp_with_time_zone(FeeSchedules::CreatedAt))
                    .col(uuid_null(FeeSchedules::CreatedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_fee_schedules_affiliate")
                            .from(FeeSchedules::Table, FeeSchedules::AffiliateId)
                            .to(Affiliates::Table, Affiliates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_fee_schedules_version")
                    .table(FeeSchedules::Table)
                    .col(FeeSchedules::AffiliateId)
                    .col(FeeSchedules::FeeKind)
                    .col(FeeSchedules::Category)
                    .col(FeeSchedules::EffectiveFrom)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(FeeSchedules::Table).to_owned()).await
    }
}
