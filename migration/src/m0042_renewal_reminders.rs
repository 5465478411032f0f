use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum RenewalReminders {
    Table,
    Id,
    PersonId,
    Year,
    OffsetDays,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RenewalReminders::Table)
                    .col(pk_uuid(RenewalReminders::Id))
                    .col(uuid(RenewalReminders::PersonId))
                    .col(integer(RenewalReminders::Year))
                    .col(integer(RenewalReminders::OffsetDays))
                    .col(timestamp_with_time_zone(RenewalReminders::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_renewal_reminders_once")
                    .table(RenewalReminders::Table)
                    .col(RenewalReminders::PersonId)
                    .col(RenewalReminders::Year)
                    .col(RenewalReminders::OffsetDays)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RenewalReminders::Table).to_owned()).await
    }
}
