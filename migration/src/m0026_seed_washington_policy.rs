//! Washington's policy, version 1 of each category: the IMH-E table from the seeds
//! (in force since Washington began offering endorsement, 2015) and the ECMH-E
//! categories mirroring it with the 3-6 age focus (added in 2025).
use sea_orm_migration::prelude::*;

use crate::{m0010_seed_washington::WASHINGTON_ID, m0025_policy_versions::PolicyVersions};

pub const SEED: &str = include_str!("seed/washington_policy.json");

/// IMH-E category → its ECMH-E mirror.
pub const MIRRORS: &[(&str, &str)] = &[
    ("IFA", "ECFA"),
    ("IFS", "ECFS"),
    ("IFRS", "ECFRS"),
    ("IMHS", "ECMHS"),
    ("IMHM-C", "ECMHM-C"),
    ("IMHM-P", "ECMHM-P"),
    ("IMHM-R/F", "ECMHM-R/F"),
];

/// The seed's policies for every category, the ECMH-E ones derived from their IMH-E twin.
pub fn washington_policies() -> Result<Vec<(String, serde_json::Value, chrono::NaiveDate)>, String> {
    let seed: serde_json::Map<String, serde_json::Value> = serde_json::from_str(SEED).map_err(|e| e.to_string())?;
    let since_2015 = chrono::NaiveDate::from_ymd_opt(2015, 1, 1).ok_or("date")?;
    let since_2025 = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).ok_or("date")?;
    let mut out = Vec::new();
    for (imh, ec) in MIRRORS {
        let policy = seed.get(*imh).ok_or_else(|| format!("seed lacks {imh}"))?.clone();
        let mut text = policy.to_string().replace("\"infant_toddler\"", "\"early_childhood\"");
        for (from, to) in MIRRORS {
            text = text.replace(&format!("\"{from}\""), &format!("\"{to}\""));
        }
        out.push((String::from(*imh), policy, since_2015));
        out.push((String::from(*ec), serde_json::from_str(&text).map_err(|e| e.to_string())?, since_2025));
    }
    Ok(out)
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let affiliate = uuid::Uuid::parse_str(WASHINGTON_ID).map_err(|e| DbErr::Custom(e.to_string()))?;
        let now = chrono::Utc::now();
        for (code, requirements, since) in washington_policies().map_err(DbErr::Custom)? {
            let insert = Query::insert()
                .into_table(PolicyVersions::Table)
                .columns([
                    PolicyVersions::Id,
                    PolicyVersions::AffiliateId,
                    PolicyVersions::CategoryCode,
                    PolicyVersions::Number,
                    PolicyVersions::EffectiveFrom,
                    PolicyVersions::Requirements,
                    PolicyVersions::Notes,
                    PolicyVersions::CreatedBy,
                    PolicyVersions::CreatedAt,
                ])
                .values([
                    uuid::Uuid::now_v7().into(),
                    affiliate.into(),
                    code.into(),
                    1i32.into(),
                    since.into(),
                    requirements.into(),
                    Some("Washington's published requirements (seed)".to_string()).into(),
                    Option::<uuid::Uuid>::None.into(),
                    now.into(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?
                .to_owned();
            manager.execute(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let affiliate = uuid::Uuid::parse_str(WASHINGTON_ID).map_err(|e| DbErr::Custom(e.to_string()))?;
        manager
            .execute(
                Query::delete()
                    .from_table(PolicyVersions::Table)
                    .and_where(Expr::col(PolicyVersions::AffiliateId).eq(affiliate))
                    .and_where(Expr::col(PolicyVersions::Number).eq(1))
                    .to_owned(),
            )
            .await
    }
}
