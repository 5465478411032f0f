use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum ScholarshipFunds {
    Table,
    Id,
    AffiliateId,
    Name,
    Sponsor,
    BudgetCents,
    AwardedCents,
    Currency,
    StartsOn,
    EndsOn,
    Covers,
    CreatedAt,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ScholarshipFunds::Table)
                    .col(pk_uuid(ScholarshipFunds::Id))
                    .col(uuid(ScholarshipFunds::AffiliateId))
                    .col(string_len(ScholarshipFunds::Name, 200))
                    .col(string_len_null(ScholarshipFunds::Sponsor, 200))
                    .col(big_integer(ScholarshipFunds::BudgetCents))
                    .col(big_integer(ScholarshipFunds::AwardedCents))
                    .col(char_len(ScholarshipFunds::Currency, 3))
                    .col(date(ScholarshipFunds::StartsOn))
                    .col(date(ScholarshipFunds::EndsOn))
                    .col(json_binary(ScholarshipFunds::Covers))
                    .col(timestamp_with_time_zone(ScholarshipFunds::CreatedAt))
                    .col(big_integer(ScholarshipFunds::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_scholarship_funds_affiliate")
                    .table(ScholarshipFunds::Table)
                    .col(ScholarshipFunds::AffiliateId)
                    .col(ScholarshipFunds::StartsOn)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ScholarshipFunds::Table).to_owned()).await
    }
}
