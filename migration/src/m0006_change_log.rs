use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ChangeLog {
    Table,
    Seq,
    AffiliateId,
    Kind,
    RecordId,
    ExternalId,
    Version,
    Operation,
    Representation,
    ChangedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChangeLog::Table)
                    .col(big_pk_auto(ChangeLog::Seq))
                    .col(uuid(ChangeLog::AffiliateId))
                    .col(string_len(ChangeLog::Kind, 64))
                    .col(uuid(ChangeLog::RecordId))
                    .col(string_len_null(ChangeLog::ExternalId, 255))
                    .col(big_integer(ChangeLog::Version))
                    .col(string_len(ChangeLog::Operation, 16))
                    .col(json_binary_null(ChangeLog::Representation))
                    .col(timestamp_with_time_zone(ChangeLog::ChangedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_change_log_affiliate_seq")
                    .table(ChangeLog::Table)
                    .col(ChangeLog::AffiliateId)
                    .col(ChangeLog::Seq)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ChangeLog::Table).to_owned()).await
    }
}
