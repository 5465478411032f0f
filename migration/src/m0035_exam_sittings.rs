use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum ExamSittings {
    Table,
    Id,
    AffiliateId,
    SittingOn,
    Location,
    Capacity,
    CreatedAt,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExamSittings::Table)
                    .col(pk_uuid(ExamSittings::Id))
                    .col(uuid(ExamSittings::AffiliateId))
                    .col(date(ExamSittings::SittingOn))
                    .col(string_len(ExamSittings::Location, 300))
                    .col(integer(ExamSittings::Capacity))
                    .col(timestamp_with_time_zone(ExamSittings::CreatedAt))
                    .col(big_integer(ExamSittings::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_exam_sittings_affiliate")
                    .table(ExamSittings::Table)
                    .col(ExamSittings::AffiliateId)
                    .col(ExamSittings::SittingOn)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ExamSittings::Table).to_owned()).await
    }
}
