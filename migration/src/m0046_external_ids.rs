//! Partners' own ids for the records they sync, unique per affiliate and kind, and
//! each record known by at most one external id of its kind.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ExternalIds {
    Table,
    AffiliateId,
    Kind,
    ExternalId,
    RecordId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExternalIds::Table)
                    .col(uuid(ExternalIds::AffiliateId))
                    .col(string_len(ExternalIds::Kind, 32))
                    .col(string_len(ExternalIds::ExternalId, 255))
                    .col(uuid(ExternalIds::RecordId))
                    .col(timestamp_with_time_zone(ExternalIds::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(ExternalIds::AffiliateId)
                            .col(ExternalIds::Kind)
                            .col(ExternalIds::ExternalId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_external_ids_record")
                    .table(ExternalIds::Table)
                    .col(ExternalIds::AffiliateId)
                    .col(ExternalIds::Kind)
                    .col(ExternalIds::RecordId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ExternalIds::Table).to_owned()).await
    }
}
