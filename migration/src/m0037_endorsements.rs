use sea_orm_migration::{prelude::*, schema::*};

use crate::m0002_people::People;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Endorsements {
    Table,
    Id,
    AffiliateId,
    PersonId,
    ApplicationId,
    CategoryCode,
    Number,
    IssuedOn,
    ExpiresOn,
    Status,
    Emerging,
    Listed,
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
                    .table(Endorsements::Table)
                    .col(pk_uuid(Endorsements::Id))
                    .col(uuid(Endorsements::AffiliateId))
                    .col(uuid(Endorsements::PersonId))
                    .col(uuid_null(Endorsements::ApplicationId))
                    .col(string_len(Endorsements::CategoryCode, 16))
                    .col(string_len_uniq(Endorsements::Number, 40))
                    .col(date(Endorsements::IssuedOn))
                    .col(date(Endorsements::ExpiresOn))
                    .col(string_len(Endorsements::Status, 16))
                    .col(boolean(Endorsements::Emerging))
                    .col(boolean(Endorsements::Listed))
                    .col(timestamp_with_time_zone(Endorsements::CreatedAt))
                    .col(timestamp_with_time_zone(Endorsements::UpdatedAt))
                    .col(big_integer(Endorsements::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_endorsements_person")
                            .from(Endorsements::Table, Endorsements::PersonId)
                            .to(People::Table, People::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_endorsements_person")
                    .table(Endorsements::Table)
                    .col(Endorsements::PersonId)
                    .col(Endorsements::CategoryCode)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_endorsements_affiliate_status")
                    .table(Endorsements::Table)
                    .col(Endorsements::AffiliateId)
                    .col(Endorsements::Status)
                    .col(Endorsements::CategoryCode)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Endorsements::Table).to_owned()).await
    }
}
