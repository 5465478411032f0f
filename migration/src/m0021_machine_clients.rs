use sea_orm_migration::{prelude::*, schema::*};

use crate::m0001_affiliates::Affiliates;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum MachineClients {
    Table,
    Id,
    AffiliateId,
    Name,
    ClientId,
    SecretHash,
    PreviousSecretHash,
    PreviousSecretExpiresAt,
    Scopes,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    RevokedAt,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MachineClients::Table)
                    .col(pk_uuid(MachineClients::Id))
                    .col(uuid(MachineClients::AffiliateId))
                    .col(string_len(MachineClients::Name, 200))
                    .col(string_len_uniq(MachineClients::ClientId, 64))
                    .col(string_len(MachineClients::SecretHash, 64))
                    .col(string_len_null(MachineClients::PreviousSecretHash, 64))
                    .col(timestamp_with_time_zone_null(MachineClients::PreviousSecretExpiresAt))
                    .col(string_len(MachineClients::Scopes, 1000))
                    .col(uuid_null(MachineClients::CreatedBy))
                    .col(timestamp_with_time_zone(MachineClients::CreatedAt))
                    .col(timestamp_with_time_zone(MachineClients::UpdatedAt))
                    .col(timestamp_with_time_zone_null(MachineClients::RevokedAt))
                    .col(big_integer(MachineClients::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_machine_clients_affiliate")
                            .from(MachineClients::Table, MachineClients::AffiliateId)
                            .to(Affiliates::Table, Affiliates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MachineClients::Table).to_owned()).await
    }
}
