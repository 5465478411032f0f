use sea_orm_migration::{prelude::*, schema::*};

use crate::m0027_applications::Applications;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum ApplicationEvents {
    Table,
    Id,
    ApplicationId,
    FromState,
    ToState,
    ActorKind,
    ActorId,
    Reason,
    OccurredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApplicationEvents::Table)
                    .col(pk_uuid(ApplicationEvents::Id))
                    .col(uuid(ApplicationEvents::ApplicationId))
                    .col(string_len_null(ApplicationEvents::FromState, 16))
                    .col(string_len(ApplicationEvents::ToState, 16))
                    .col(string_len(ApplicationEvents::ActorKind, 16))
                    .col(uuid_null(ApplicationEvents::ActorId))
                    .col(text_null(ApplicationEvents::Reason))
                    .col(timestamp_with_time_zone(ApplicationEvents::OccurredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_events_application")
                            .from(ApplicationEvents::Table, ApplicationEvents::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_application_events_application")
                    .table(ApplicationEvents::Table)
                    .col(ApplicationEvents::ApplicationId)
                    .col(ApplicationEvents::OccurredAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ApplicationEvents::Table).to_owned()).await
    }
}
