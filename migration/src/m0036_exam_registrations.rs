use sea_orm_migration::{prelude::*, schema::*};

use crate::m0027_applications::Applications;
use crate::m0035_exam_sittings::ExamSittings;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum ExamRegistrations {
    Table,
    Id,
    ApplicationId,
    SittingId,
    InvoiceId,
    Status,
    Part1Score,
    Part2Passed,
    RecordedAt,
    CreatedAt,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExamRegistrations::Table)
                    .col(pk_uuid(ExamRegistrations::Id))
                    .col(uuid(ExamRegistrations::ApplicationId))
                    .col(uuid(ExamRegistrations::SittingId))
                    .col(uuid_null(ExamRegistrations::InvoiceId))
                    .col(string_len(ExamRegistrations::Status, 16))
                    .col(integer_null(ExamRegistrations::Part1Score))
                    .col(boolean_null(ExamRegistrations::Part2Passed))
                    .col(timestamp_with_time_zone_null(ExamRegistrations::RecordedAt))
                    .col(timestamp_with_time_zone(ExamRegistrations::CreatedAt))
                    .col(big_integer(ExamRegistrations::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_exam_registrations_application")
                            .from(ExamRegistrations::Table, ExamRegistrations::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_exam_registrations_sitting")
                            .from(ExamRegistrations::Table, ExamRegistrations::SittingId)
                            .to(ExamSittings::Table, ExamSittings::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_exam_registrations_sitting")
                    .table(ExamRegistrations::Table)
                    .col(ExamRegistrations::SittingId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_exam_registrations_application")
                    .table(ExamRegistrations::Table)
                    .col(ExamRegistrations::ApplicationId)
                    .col(ExamRegistrations::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ExamRegistrations::Table).to_owned()).await
    }
}
