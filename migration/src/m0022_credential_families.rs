use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum CredentialFamilies {
    Table,
    Code,
    Name,
    AgeFocus,
    Description,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CredentialFamilies::Table)
                    .col(string_len(CredentialFamilies::Code, 16).primary_key())
                    .col(string_len(CredentialFamilies::Name, 300))
                    .col(string_len(CredentialFamilies::AgeFocus, 32))
                    .col(text(CredentialFamilies::Description))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CredentialFamilies::Table).to_owned()).await
    }
}
