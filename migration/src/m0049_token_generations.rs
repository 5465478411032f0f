//! Revocation that bites: every access token carries its subject's token generation,
//! and disabling, a revoked role, a new password or a revoked client bumps it, so the
//! tokens issued before stop working. `last_signed_in_at` tells a claimed account.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum People {
    Table,
    LastSignedInAt,
    TokenGeneration,
}

#[derive(DeriveIden)]
enum MachineClients {
    Table,
    TokenGeneration,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(People::Table)
                    .add_column(timestamp_with_time_zone_null(People::LastSignedInAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(People::Table)
                    .add_column(big_integer(People::TokenGeneration).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(MachineClients::Table)
                    .add_column(big_integer(MachineClients::TokenGeneration).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(MachineClients::Table).drop_column(MachineClients::TokenGeneration).to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table(People::Table).drop_column(People::TokenGeneration).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(People::Table).drop_column(People::LastSignedInAt).to_owned()).await
    }
}
