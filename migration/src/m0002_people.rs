use sea_orm_migration::{prelude::*, schema::*};

use crate::m0001_affiliates::Affiliates;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum People {
    Table,
    Id,
    AffiliateId,
    Email,
    EmailNormalized,
    GivenName,
    FamilyName,
    PasswordHash,
    Status,
    PreferredLanguage,
    Phone,
    AddressLine1,
    AddressLine2,
    City,
    Region,
    PostalCode,
    Country,
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
                    .table(People::Table)
                    .col(pk_uuid(People::Id))
                    .col(uuid(People::AffiliateId))
                    .col(string_len(People::Email, 254))
                    .col(string_len_uniq(People::EmailNormalized, 254))
                    .col(string_len(People::GivenName, 100))
                    .col(string_len(People::FamilyName, 100))
                    .col(string_len_null(People::PasswordHash, 255))
                    .col(string_len(People::Status, 16))
                    .col(string_len(People::PreferredLanguage, 8))
                    .col(string_len_null(People::Phone, 32))
                    .col(string_len_null(People::AddressLine1, 200))
                    .col(string_len_null(People::AddressLine2, 200))
                    .col(string_len_null(People::City, 100))
                    .col(string_len_null(People::Region, 100))
                    .col(string_len_null(People::PostalCode, 20))
                    .col(string_len_null(People::Country, 2))
                    .col(timestamp_with_time_zone(People::CreatedAt))
                    .col(timestamp_with_time_zone(People::UpdatedAt))
                    .col(big_integer(People::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_people_affiliate")
                            .from(People::Table, People::AffiliateId)
                            .to(Affiliates::Table, Affiliates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_people_affiliate")
                    .table(People::Table)
                    .col(People::AffiliateId)
                    .col(People::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(People::Table).to_owned()).await
    }
}
