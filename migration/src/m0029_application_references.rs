use sea_orm_migration::{prelude::*, schema::*};

use crate::m0027_applications::Applications;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum ApplicationReferences {
    Table,
    Id,
    ApplicationId,
    RaterName,
    RaterEmail,
    Relationship,
    Kind,
    Status,
    TokenHash,
    ExpiresAt,
    InvitedAt,
    RespondedAt,
    Ratings,
    Comments,
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
                    .table(ApplicationReferences::Table)
                    .col(pk_uuid(ApplicationReferences::Id))
                    .col(uuid(ApplicationReferences::ApplicationId))
                    .col(string_len(ApplicationReferences::RaterName, 200))
                    .col(string_len(ApplicationReferences::RaterEmail, 254))
                    .col(string_len(ApplicationReferences::Relationship, 200))
                    .col(string_len(ApplicationReferences::Kind, 32))
                    .col(string_len(ApplicationReferences::Status, 16))
                    .col(string_len_uniq(ApplicationReferences::TokenHash, 64))
                    .col(timestamp_with_time_zone(ApplicationReferences::ExpiresAt))
                    .col(timestamp_with_time_zone(ApplicationReferences::InvitedAt))
                    .col(timestamp_with_time_zone_null(ApplicationReferences::RespondedAt))
                    .col(json_binary_null(ApplicationReferences::Ratings))
                    .col(text_null(ApplicationReferences::Comments))
                    .col(timestamp_with_time_zone(ApplicationReferences::CreatedAt))
                    .col(timestamp_with_time_zone(ApplicationReferences::UpdatedAt))
                    .col(big_integer(ApplicationReferences::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_references_application")
                            .from(ApplicationReferences::Table, ApplicationReferences::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_application_references_application")
                    .table(ApplicationReferences::Table)
                    .col(ApplicationReferences::ApplicationId)
                    .col(ApplicationReferences::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ApplicationReferences::Table).to_owned()).await
    }
}
