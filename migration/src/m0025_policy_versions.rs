use sea_orm_migration::{prelude::*, schema::*};

use crate::{m0001_affiliates::Affiliates, m0023_credential_categories::CredentialCategories};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum PolicyVersions {
    Table,
    Id,
    AffiliateId,
    CategoryCode,
    Number,
    EffectiveFrom,
    Requirements,
    Notes,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PolicyVersions::Table)
                    .col(pk_uuid(PolicyVersions::Id))
                    .col(uuid(PolicyVersions::AffiliateId))
                    .col(string_len(PolicyVersions::CategoryCode, 16))
                    .col(integer(PolicyVersions::Number))
                    .col(date(PolicyVersions::EffectiveFrom))
                    .col(json_binary(PolicyVersions::Requirements))
                    .col(text_null(PolicyVersions::Notes))
                    .col(uuid_null(PolicyVersions::CreatedBy))
                    .col(timestamp_with_time_zone(PolicyVersions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_policy_versions_affiliate")
                            .from(PolicyVersions::Table, PolicyVersions::AffiliateId)
                            .to(Affiliates::Table, Affiliates::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_policy_versions_category")
                            .from(PolicyVersions::Table, PolicyVersions::CategoryCode)
                            .to(CredentialCategories::Table, CredentialCategories::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_policy_versions_number")
                    .table(PolicyVersions::Table)
                    .col(PolicyVersions::AffiliateId)
                    .col(PolicyVersions::CategoryCode)
                    .col(PolicyVersions::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_policy_versions_effective")
                    .table(PolicyVersions::Table)
                    .col(PolicyVersions::AffiliateId)
                    .col(PolicyVersions::CategoryCode)
                    .col(PolicyVersions::EffectiveFrom)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PolicyVersions::Table).to_owned()).await
    }
}
