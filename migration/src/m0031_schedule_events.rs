use sea_orm_migration::{prelude::*, schema::*};

use crate::m0001_affiliates::Affiliates;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum ScheduleEvents {
    Table,
    Id,
    AffiliateId,
    Kind,
    Title,
    StartsOn,
    EndsOn,
    StartTime,
    EndTime,
    Categories,
    CreatedAt,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ScheduleEvents::Table)
                    .col(pk_uuid(ScheduleEvents::Id))
                    .col(uuid(ScheduleEvents::AffiliateId))
                    .col(string_len(ScheduleEvents::Kind, 32))
                    .col(string_len(ScheduleEvents::Title, 300))
                    .col(date(ScheduleEvents::StartsOn))
                    .col(date_null(ScheduleEvents::EndsOn))
                    .col(string_len_null(ScheduleEvents::StartTime, 5))
                    .col(string_len_null(ScheduleEvents::EndTime, 5))
                    .col(json_binary(ScheduleEvents::Categories))
                    .col(timestamp_with_time_zone(ScheduleEvents::CreatedAt))
                    .col(big_integer(ScheduleEvents::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_schedule_events_affiliate")
                            .from(ScheduleEvents::Table, ScheduleEvents::AffiliateId)
                            .to(Affiliates::Table, Affiliates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_schedule_events_affiliate")
                    .table(ScheduleEvents::Table)
                    .col(ScheduleEvents::AffiliateId)
                    .col(ScheduleEvents::Kind)
                    .col(ScheduleEvents::StartsOn)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ScheduleEvents::Table).to_owned()).await
    }
}
