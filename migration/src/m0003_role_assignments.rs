use sea_orm_migration::{prelude::*, schema::*};

use crate::m0001_affiliates::Affiliates;
use crate::m0002_people::People;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RoleAssignments {
    Table,
    Id,
    PersonId,
    AffiliateId,
    Role,
    GrantedAt,
    GrantedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoleAssignments::Table)
                    .col(pk_uuid(RoleAssignments::Id))
                    .col(uuid(RoleAssignments::PersonId))
                    .col(uuid(RoleAssignments::AffiliateId))
                    .col(string_len(RoleAssignments::Role, 16))
                    .col(timestamp_with_time_zone(RoleAssignments::GrantedAt))
                    .col(uuid_null(RoleAssignments::GrantedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_assignments_person")
                            .from(RoleAssignments::Table, RoleAssignments::PersonId)
                            .to(People::Table, People::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_assignments_affiliate")
                            .from(RoleAssignments::Table, RoleAssignments::AffiliateId)
                            .to(Affiliates::Table, Affiliates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_role_assignments_person_affiliate_role")
                    .table(RoleAssignments::Table)
                    .col(RoleAssignments::PersonId)
                    .col(RoleAssignments::AffiliateId)
                    .col(RoleAssignments::Role)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RoleAssignments::Table).to_owned()).await
    }
}
