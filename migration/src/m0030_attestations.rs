use sea_orm_migration::{prelude::*, schema::*};

use crate::m0027_applications::Applications;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Attestations {
    Table,
    Id,
    ApplicationId,
    PersonId,
    Kind,
    TextVersion,
    SignedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Attestations::Table)
                    .col(pk_uuid(Attestations::Id))
                    .col(uuid(Attestations::ApplicationId))
                    .col(uuid(Attestations::PersonId))
                    .col(string_len(Attestations::Kind, 32))
                    .col(string_len(Attestations::TextVersion, 32))
                    .col(timestamp_with_time_zone(Attestations::SignedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_attestations_application")
                            .from(Attestations::Table, Attestations::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_attestations_application")
                    .table(Attestations::Table)
                    .col(Attestations::ApplicationId)
                    .col(Attestations::SignedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Attestations::Table).to_owned()).await
    }
}
