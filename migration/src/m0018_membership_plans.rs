use sea_orm_migration::{prelude::*, schema::*};

use crate::m0001_affiliates::Affiliates;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum MembershipPlans {
    Table,
    Id,
    AffiliateId,
    Name,
    DuesCents,
    Currency,
    TermKind,
    CutoffMonth,
    CutoffDay,
    TermMonths,
    QualifiesForEndorsement,
    Active,
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
                    .table(MembershipPlans::Table)
                    .col(pk_uuid(MembershipPlans::Id))
                    .col(uuid(MembershipPlans::AffiliateId))
                    .col(string_len(MembershipPlans::Name, 200))
                    .col(big_integer(MembershipPlans::DuesCents))
                    .col(char_len(MembershipPlans::Currency, 3))
                    .col(string_len(MembershipPlans::TermKind, 16))
                    .col(integer_null(MembershipPlans::CutoffMonth))
                    .col(integer_null(MembershipPlans::CutoffDay))
                    .col(integer_null(MembershipPlans::TermMonths))
                    .col(boolean(MembershipPlans::QualifiesForEndorsement))
                    .col(boolean(MembershipPlans::Active))
                    .col(timestamp_with_time_zone(MembershipPlans::CreatedAt))
                    .col(timestamp_with_time_zone(MembershipPlans::UpdatedAt))
                    .col(big_integer(MembershipPlans::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_membership_plans_affiliate")
                            .from(MembershipPlans::Table, MembershipPlans::AffiliateId)
                            .to(Affiliates::Table, Affiliates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MembershipPlans::Table).to_owned()).await
    }
}
