use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Affiliates {
    Table,
    Id,
    Code,
    Name,
    TimeZone,
    Currency,
    ContactEmail,
    WebsiteUrl,
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
                    .table(Affiliates::Table)
                    .col(pk_uuid(Affiliates::Id))
                    .col(string_len_uniq(Affiliates::Code, 32))
                    .col(string_len(Affiliates::Name, 200))
                    .col(string_len(Affiliates::TimeZone, 64))
                    .col(char_len(Affiliates::Currency, 3))
                    .col(string_len_null(Affiliates::ContactEmail, 254))
                    .col(string_len_null(Affiliates::WebsiteUrl, 2048))
                    .col(timestamp_with_time_zone(Affiliates::CreatedAt))
                    .col(timestamp_with_time_zone(Affiliates::UpdatedAt))
                    .col(big_integer(Affiliates::Version))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Affiliates::Table).to_owned()).await
    }
}
