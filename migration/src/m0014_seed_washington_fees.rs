//! Washington's registration fee (public pages: $25). Processing, exam and renewal fees
//! are not published; coordinators set them (domain.md, "open questions").
use sea_orm_migration::prelude::*;

use crate::{m0010_seed_washington::WASHINGTON_ID, m0013_fee_schedules::FeeSchedules};

const FEE_ID: &str = "0194f3a0-0000-7000-8000-0000000000f1";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let parse = |s: &str| uuid::Uuid::parse_str(s).map_err(|e| DbErr::Custom(e.to_string()));
        let insert = Query::insert()
            .into_table(FeeSchedules::Table)
            .columns([
                FeeSchedules::Id,
                FeeSchedules::AffiliateId,
                FeeSchedules::FeeKind,
                FeeSchedules::Category,
                FeeSchedules::AmountCents,
                FeeSchedules::Currency,
                FeeSchedules::EffectiveFrom,
                FeeSchedules::CreatedAt,
                FeeSchedules::CreatedBy,
            ])
            .values([
                parse(FEE_ID)?.into(),
                parse(WASHINGTON_ID)?.into(),
                "registration".into(),
                "".into(),
                2500i64.into(),
                "USD".into(),
                chrono::NaiveDate::from_ymd_opt(2015, 1, 1).into(),
                chrono::Utc::now().into(),
                Option::<uuid::Uuid>::None.into(),
            ])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .to_owned();
        manager.execute(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let id = uuid::Uuid::parse_str(FEE_ID).map_err(|e| DbErr::Custom(e.to_string()))?;
        manager
            .execute(
                Query::delete()
                    .from_table(FeeSchedules::Table)
                    .and_where(Expr::col(FeeSchedules::Id).eq(id))
                    .to_owned(),
            )
            .await
    }
}
