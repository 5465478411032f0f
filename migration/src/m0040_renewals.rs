use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Renewals {
    Table,
    Id,
    AffiliateId,
    PersonId,
    Year,
    State,
    ProvidesRsc,
    EthicsSignedAt,
    InvoiceId,
    ReturnReasons,
    SubmittedAt,
    DecidedAt,
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
                    .table(Renewals::Table)
                    .col(pk_uuid(Renewals::Id))
                    .col(uuid(Renewals::AffiliateId))
                    .col(uuid(Renewals::PersonId))
                    .col(integer(Renewals::Year))
                    .col(string_len(Renewals::State, 16))
                    .col(boolean(Renewals::ProvidesRsc))
                    .col(timestamp_with_time_zone_null(Renewals::EthicsSignedAt))
                    .col(uuid_null(Renewals::InvoiceId))
                    .col(text_null(Renewals::ReturnReasons))
                    .col(timestamp_with_time_zone_null(Renewals::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Renewals::DecidedAt))
                    .col(timestamp_with_time_zone(Renewals::CreatedAt))
                    .col(timestamp_with_time_zone(Renewals::UpdatedAt))
                    .col(big_integer(Renewals::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_renewals_person_year")
                    .table(Renewals::Table)
                    .col(Renewals::PersonId)
                    .col(Renewals::Year)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_renewals_affiliate_year_state")
                    .table(Renewals::Table)
                    .col(Renewals::AffiliateId)
                    .col(Renewals::Year)
                    .col(Renewals::State)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Renewals::Table).to_owned()).await
    }
}
