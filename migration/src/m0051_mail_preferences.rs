//! Delivery people can check: whether a person takes reminders and at which address
//! (employer mail servers block this kind of mail, so a second address is allowed), the
//! last bounce or complaint reported for them, and when each reference rater and exam
//! candidate was last reminded, so a reminder job sends each reminder once.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum People {
    Table,
    RemindersEnabled,
    ReminderEmail,
    BouncedAt,
    BounceKind,
    BounceReason,
    BouncedEmail,
}

#[derive(DeriveIden)]
enum MembershipPlans {
    Table,
    Id,
    NameEs,
}

#[derive(DeriveIden)]
enum ApplicationReferences {
    Table,
    RemindedAt,
}

#[derive(DeriveIden)]
enum ExamRegistrations {
    Table,
    RemindedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        let people = [
            boolean(People::RemindersEnabled).default(true).to_owned(),
            string_len_null(People::ReminderEmail, 254).to_owned(),
            timestamp_with_time_zone_null(People::BouncedAt).to_owned(),
            string_len_null(People::BounceKind, 16).to_owned(),
            string_len_null(People::BounceReason, 500).to_owned(),
            string_len_null(People::BouncedEmail, 254).to_owned(),
        ];
        for mut column in people {
            manager.alter_table(Table::alter().table(People::Table).add_column(&mut column).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ApplicationReferences::Table)
                    .add_column(timestamp_with_time_zone_null(ApplicationReferences::RemindedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ExamRegistrations::Table)
                    .add_column(timestamp_with_time_zone_null(ExamRegistrations::RemindedAt))
                    .to_owned(),
            )
            .await?;
        // The seeded plan's name in Spanish, for Spanish-speaking members' emails.
        let plan = uuid::Uuid::parse_str(crate::m0019_seed_washington_plan::PLAN_ID)
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        manager
            .exec_stmt(
                Query::update()
                    .table(MembershipPlans::Table)
                    .value(MembershipPlans::NameEs, "Membresía individual")
                    .and_where(Expr::col(MembershipPlans::Id).eq(plan))
                    .and_where(Expr::col(MembershipPlans::NameEs).is_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(ExamRegistrations::Table).drop_column(ExamRegistrations::RemindedAt).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApplicationReferences::Table)
                    .drop_column(ApplicationReferences::RemindedAt)
                    .to_owned(),
            )
            .await?;
        for column in [
            People::BouncedEmail,
            People::BounceReason,
            People::BounceKind,
            People::BouncedAt,
            People::ReminderEmail,
            People::RemindersEnabled,
        ] {
            manager.alter_table(Table::alter().table(People::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
