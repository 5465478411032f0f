use sea_orm_migration::{prelude::*, schema::*};

use crate::m0027_applications::Applications;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Reviews {
    Table,
    Id,
    ApplicationId,
    ReviewerId,
    AssignedBy,
    AssignedAt,
    Advisory,
    Recommendation,
    Reasons,
    Comments,
    SubmittedAt,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Reviews::Table)
                    .col(pk_uuid(Reviews::Id))
                    .col(uuid(Reviews::ApplicationId))
                    .col(uuid(Reviews::ReviewerId))
                    .col(uuid_null(Reviews::AssignedBy))
                    .col(timestamp_with_time_zone(Reviews::AssignedAt))
                    .col(boolean(Reviews::Advisory))
                    .col(string_len_null(Reviews::Recommendation, 16))
                    .col(text_null(Reviews::Reasons))
                    .col(text_null(Reviews::Comments))
                    .col(timestamp_with_time_zone_null(Reviews::SubmittedAt))
                    .col(big_integer(Reviews::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reviews_application")
                            .from(Reviews::Table, Reviews::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_reviews_application_reviewer")
                    .table(Reviews::Table)
                    .col(Reviews::ApplicationId)
                    .col(Reviews::ReviewerId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_reviews_reviewer")
                    .table(Reviews::Table)
                    .col(Reviews::ReviewerId)
                    .col(Reviews::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Reviews::Table).to_owned()).await
    }
}
