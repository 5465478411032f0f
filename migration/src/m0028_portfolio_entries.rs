use sea_orm_migration::{prelude::*, schema::*};

use crate::m0027_applications::Applications;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum PortfolioEntries {
    Table,
    Id,
    ApplicationId,
    Kind,
    Data,
    Verified,
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
                    .table(PortfolioEntries::Table)
                    .col(pk_uuid(PortfolioEntries::Id))
                    .col(uuid(PortfolioEntries::ApplicationId))
                    .col(string_len(PortfolioEntries::Kind, 16))
                    .col(json_binary(PortfolioEntries::Data))
                    .col(boolean(PortfolioEntries::Verified))
                    .col(timestamp_with_time_zone(PortfolioEntries::CreatedAt))
                    .col(timestamp_with_time_zone(PortfolioEntries::UpdatedAt))
                    .col(big_integer(PortfolioEntries::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_portfolio_entries_application")
                            .from(PortfolioEntries::Table, PortfolioEntries::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_portfolio_entries_application")
                    .table(PortfolioEntries::Table)
                    .col(PortfolioEntries::ApplicationId)
                    .col(PortfolioEntries::Kind)
                    .col(PortfolioEntries::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PortfolioEntries::Table).to_owned()).await
    }
}
