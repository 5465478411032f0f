//! Washington's individual membership (public pages: $80, calendar year; bought on or
//! after 1 October it runs to the end of the next year).
use sea_orm_migration::prelude::*;

use crate::{m0010_seed_washington::WASHINGTON_ID, m0018_membership_plans::MembershipPlans};

pub const PLAN_ID: &str = "0194f3a0-0000-7000-8000-0000000000a1";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let parse = |s: &str| uuid::Uuid::parse_str(s).map_err(|e| DbErr::Custom(e.to_string()));
        let now = chrono::Utc::now();
        let insert = Query::insert()
            .into_table(MembershipPlans::Table)
            .columns([
                MembershipPlans::Id,
                MembershipPlans::AffiliateId,
                MembershipPlans::Name,
                MembershipPlans::DuesCents,
                MembershipPlans::Currency,
                MembershipPlans::TermKind,
                MembershipPlans::CutoffMonth,
                MembershipPlans::CutoffDay,
                MembershipPlans::TermMonths,
                MembershipPlans::QualifiesForEndorsement,
                MembershipPlans::Active,
                MembershipPlans::CreatedAt,
                MembershipPlans::UpdatedAt,
                MembershipPlans::Version,
            ])
            .values([
                parse(PLAN_ID)?.into(),
                parse(WASHINGTON_ID)?.into(),
                "Individual membership".into(),
                8000i64.into(),
                "USD".into(),
                "calendar_year".into(),
                Some(10i32).into(),
                Some(1i32).into(),
                Option::<i32>::None.into(),
                true.into(),
                true.into(),
                now.into(),
                now.into(),
                1i64.into(),
            ])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .to_owned();
        manager.execute(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let id = uuid::Uuid::parse_str(PLAN_ID).map_err(|e| DbErr::Custom(e.to_string()))?;
        manager
            .execute(
                Query::delete()
                    .from_table(MembershipPlans::Table)
                    .and_where(Expr::col(MembershipPlans::Id).eq(id))
                    .to_owned(),
            )
            .await
    }
}
