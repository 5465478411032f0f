use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum RenewalPeriods {
    Table,
    Id,
    AffiliateId,
    Year,
    OpensOn,
    ClosesOn,
    LateUntil,
    AutoApprove,
    ReminderOffsets,
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
                    .table(RenewalPeriods::Table)
                    .col(pk_uuid(RenewalPeriods::Id))
                    .col(uuid(RenewalPeriods::AffiliateId))
                    .col(integer(RenewalPeriods::Year))
                    .col(date(RenewalPeriods::OpensOn))
                    .col(date(RenewalPeriods::ClosesOn))
                    .col(date_null(RenewalPeriods::LateUntil))
                    .col(boolean(RenewalPeriods::AutoApprove))
                    .col(json_binary(RenewalPeriods::ReminderOffsets))
                    .col(timestamp_with_time_zone(RenewalPeriods::CreatedAt))
                    .col(timestamp_with_time_zone(RenewalPeriods::UpdatedAt))
                    .col(big_integer(RenewalPeriods::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_renewal_periods_affiliate_year")
                    .table(RenewalPeriods::Table)
                    .col(RenewalPeriods::AffiliateId)
                    .col(RenewalPeriods::Year)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RenewalPeriods::Table).to_owned()).await
    }
}
