use sea_orm_migration::{prelude::*, schema::*};

use crate::m0002_people::People;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum LoginTokens {
    Table,
    Id,
    PersonId,
    Purpose,
    TokenHash,
    NewEmail,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginTokens::Table)
                    .col(pk_uuid(LoginTokens::Id))
                    .col(uuid(LoginTokens::PersonId))
                    .col(string_len(LoginTokens::Purpose, 16))
                    .col(string_len_uniq(LoginTokens::TokenHash, 64))
                    .col(string_len_null(LoginTokens::NewEmail, 254))
                    .col(timestamp_with_time_zone(LoginTokens::CreatedAt))
                    .col(timestamp_with_time_zone(LoginTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(LoginTokens::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_login_tokens_person")
                            .from(LoginTokens::Table, LoginTokens::PersonId)
                            .to(People::Table, People::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_login_tokens_person_purpose")
                    .table(LoginTokens::Table)
                    .col(LoginTokens::PersonId)
                    .col(LoginTokens::Purpose)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(LoginTokens::Table).to_owned()).await
    }
}
