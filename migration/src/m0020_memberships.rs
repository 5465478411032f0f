use sea_orm_migration::{prelude::*, schema::*};

use crate::m0002_people::People;
use crate::m0018_membership_plans::MembershipPlans;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Memberships {
    Table,
    Id,
    AffiliateId,
    PersonId,
    PlanId,
    State,
    StartsOn,
    EndsOn,
    Source,
    ExternalReference,
    InvoiceId,
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
                    .table(Memberships::Table)
                    .col(pk_uuid(Memberships::Id))
                    .col(uuid(Memberships::AffiliateId))
                    .col(uuid(Memberships::PersonId))
                    .col(uuid(Memberships::PlanId))
                    .col(string_len(Memberships::State, 16))
                    .col(date_null(Memberships::StartsOn))
                    .col(date_null(Memberships::EndsOn))
                    .col(string_len(Memberships::Source, 16))
                    .col(string_len_null(Memberships::ExternalReference, 200))
                    .col(uuid_null(Memberships::InvoiceId))
                    .col(timestamp_with_time_zone(Memberships::CreatedAt))
                    .col(timestamp_with_time_zone(Memberships::UpdatedAt))
                    .col(big_integer(Memberships::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_memberships_person")
                            .from(Memberships::Table, Memberships::PersonId)
                            .to(People::Table, People::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_memberships_plan")
                            .from(Memberships::Table, Memberships::PlanId)
                            .to(MembershipPlans::Table, MembershipPlans::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_memberships_person")
                    .table(Memberships::Table)
                    .col(Memberships::PersonId)
                    .col(Memberships::EndsOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_memberships_affiliate")
                    .table(Memberships::Table)
                    .col(Memberships::AffiliateId)
                    .col(Memberships::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Memberships::Table).to_owned()).await
    }
}
