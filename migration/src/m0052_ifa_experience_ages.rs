//! A seed fact fixed: IFA (and its ECMH-E mirror ECFA) accept "any academic degree OR
//! minimum 2 years infant/early childhood-related work or volunteer experience", so the
//! experience path counts work with any child from birth to six, not only with infants and
//! toddlers. Databases seeded before this fix get the corrected requirements on their
//! seeded version 1 (a correction of the seed, not a new policy: nothing was ever decided
//! under the wrong reading that the right one would refuse).
use sea_orm_migration::prelude::*;

use crate::{
    m0010_seed_washington::WASHINGTON_ID, m0025_policy_versions::PolicyVersions,
    m0026_seed_washington_policy::washington_policies,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

const FIXED: [&str; 2] = ["IFA", "ECFA"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let affiliate = uuid::Uuid::parse_str(WASHINGTON_ID).map_err(|e| DbErr::Custom(e.to_string()))?;
        for (code, requirements, _) in washington_policies().map_err(DbErr::Custom)? {
            if !FIXED.contains(&code.as_str()) {
                continue;
            }
            manager
                .exec_stmt(
                    Query::update()
                        .table(PolicyVersions::Table)
                        .value(PolicyVersions::Requirements, requirements)
                        .and_where(Expr::col(PolicyVersions::AffiliateId).eq(affiliate))
                        .and_where(Expr::col(PolicyVersions::CategoryCode).eq(code))
                        .and_where(Expr::col(PolicyVersions::Number).eq(1))
                        .and_where(Expr::col(PolicyVersions::CreatedBy).is_null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The earlier reading was a mistake; going down keeps the corrected requirements.
        Ok(())
    }
}
