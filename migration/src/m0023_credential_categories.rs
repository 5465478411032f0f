use sea_orm_migration::{prelude::*, schema::*};

use crate::m0022_credential_families::CredentialFamilies;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum CredentialCategories {
    Table,
    Code,
    Slug,
    FamilyCode,
    Name,
    Abbreviation,
    ScopeOfWork,
    AgeFocus,
    ExampleRoles,
    Rank,
    Track,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CredentialCategories::Table)
                    .col(string_len(CredentialCategories::Code, 16).primary_key())
                    .col(string_len_uniq(CredentialCategories::Slug, 16))
                    .col(string_len(CredentialCategories::FamilyCode, 16))
                    .col(string_len(CredentialCategories::Name, 200))
                    .col(string_len(CredentialCategories::Abbreviation, 16))
                    .col(text(CredentialCategories::ScopeOfWork))
                    .col(string_len(CredentialCategories::AgeFocus, 32))
                    .col(json_binary(CredentialCategories::ExampleRoles))
                    .col(integer(CredentialCategories::Rank))
                    .col(string_len_null(CredentialCategories::Track, 32))
                    .col(timestamp_with_time_zone(CredentialCategories::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_credential_categories_family")
                            .from(CredentialCategories::Table, CredentialCategories::FamilyCode)
                            .to(CredentialFamilies::Table, CredentialFamilies::Code),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CredentialCategories::Table).to_owned()).await
    }
}
