//! Washington's association, the default affiliate (seeds: WA-AIMH, now part of the
//! Center for Early Relational Health; dates in America/Los_Angeles; fees in USD).
use sea_orm_migration::prelude::*;

use crate::m0001_affiliates::Affiliates;

/// Fixed so that every installation names Washington by the same id.
pub const WASHINGTON_ID: &str = "0194f3a0-0000-7000-8000-000000000001";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let id = uuid::Uuid::parse_str(WASHINGTON_ID).map_err(|e| DbErr::Custom(e.to_string()))?;
        let now = chrono::Utc::now();
        let insert = Query::insert()
            .into_table(Affiliates::Table)
            .columns([
                Affiliates::Id,
                Affiliates::Code,
                Affiliates::Name,
                Affiliates::TimeZone,
                Affiliates::Currency,
                Affiliates::ContactEmail,
                Affiliates::WebsiteUrl,
                Affiliates::CreatedAt,
                Affiliates::UpdatedAt,
                Affiliates::Version,
            ])
            .values([
                id.into(),
                "wa".into(),
                "Washington Association for Infant Mental Health".into(),
                "America/Los_Angeles".into(),
                "USD".into(),
                "endorsement@wa-aimh.org".into(),
                "https://wa-aimh.org".into(),
                now.into(),
                now.into(),
                1i64.into(),
            ])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .to_owned();
        manager.execute(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let delete =
            Query::delete().from_table(Affiliates::Table).and_where(Expr::col(Affiliates::Code).eq("wa")).to_owned();
        manager.execute(delete).await
    }
}
