use sea_orm_migration::{prelude::*, schema::*};

use crate::m0040_renewals::Renewals;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum RenewalEntries {
    Table,
    Id,
    RenewalId,
    Kind,
    Data,
    CreatedAt,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RenewalEntries::Table)
                    .col(pk_uuid(RenewalEntries::Id))
                    .col(uuid(RenewalEntries::RenewalId))
                    .col(string_len(RenewalEntries::Kind, 16))
                    .col(json_binary(RenewalEntries::Data))
                    .col(timestamp_with_time_zone(RenewalEntries::CreatedAt))
                    .col(big_integer(RenewalEntries::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_renewal_entries_renewal")
                            .from(RenewalEntries::Table, RenewalEntries::RenewalId)
                            .to(Renewals::Table, Renewals::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_renewal_entries_renewal")
                    .table(RenewalEntries::Table)
                    .col(RenewalEntries::RenewalId)
                    .col(RenewalEntries::Kind)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RenewalEntries::Table).to_owned()).await
    }
}
