//! "Explore the credentials to find the right fit": a profile held against every
//! category of an affiliate, with the gaps for the ones that do not fit yet.
use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    auth::Caller, domain::credentials::AgeBand, domain::credentials::DegreeLevel, domain::credentials::WorkKind,
    domain::engine::Education, domain::engine::Profile, domain::engine::RscEntry, domain::engine::WorkEntry,
    domain::engine::evaluate, domain::hours::Hours, domain::policy::WorkRule, error::AppError, error::AppResult,
    features::affiliates::catalog, features::affiliates::dto::catalog::CategoryFit,
    features::affiliates::dto::catalog::FitCheck, features::affiliates::dto::catalog::FitSource,
    features::affiliates::policies, platform::clock::today,
};
use entity::{person, registration};

/// Requirements about the person's fit (as opposed to application steps).
fn is_fit(key: &str) -> bool {
    ["education", "work", "training", "rsc", "competency"]
        .iter()
        .any(|p| key == *p || key.starts_with(&format!("{p}.")))
}

pub async fn check(
    db: &DatabaseConnection,
    affiliate_ident: &str,
    profile: &Profile,
    on: Option<NaiveDate>,
    source: FitSource,
) -> AppResult<FitCheck> {
    let affiliate = crate::platform::tenancy::find(db, affiliate_ident).await?;
    let on = on.unwrap_or_else(|| today(&affiliate));
    let versions = policies::all_in_force(db, affiliate.id, on).await?;
    let mut rules = HashMap::new();
    for v in &versions {
        rules.insert(v.category_code.clone(), policies::requirements(v)?);
    }
    let work_of = |code: &str| -> Option<WorkRule> { rules.get(code).and_then(|r| r.work.clone()) };
    let categories: HashMap<String, entity::credential_category::Model> =
        catalog::categories(db, None).await?.into_iter().map(|c| (c.code.clone(), c)).collect();
    let mut out = Vec::new();
    for v in &versions {
        let (Some(req), Some(cat)) = (rules.get(&v.category_code), categories.get(&v.category_code)) else { continue };
        let evaluation = evaluate(req, profile, on, &work_of);
        let gaps: Vec<String> = evaluation
            .requirements
            .iter()
            .filter(|r| !r.met && is_fit(&r.key))
            .filter_map(|r| r.missing.clone())
            .collect();
        let application_steps = evaluation
            .requirements
            .iter()
            .filter(|r| !r.met && !is_fit(&r.key))
            .filter_map(|r| r.missing.clone())
            .collect();
        out.push((
            cat.family_code.clone(),
            cat.rank,
            CategoryFit {
                category: cat.code.clone(),
                name: cat.name.clone(),
                family: cat.family_code.clone(),
                policy_version_id: v.id,
                qualifies: gaps.is_empty(),
                gaps,
                application_steps,
                evaluation,
            },
        ));
    }
    out.sort_by_key(|(family, rank, fit)| (family.clone(), *rank, fit.category.clone()));
    Ok(FitCheck { affiliate_id: affiliate.id, on, source, categories: out.into_iter().map(|(_, _, f)| f).collect() })
}

/// A signed-in person's fit, estimated from what they told us at registration (highest
/// degree, years and kinds of work, RSC so far) and their membership.
pub async fn for_me(db: &DatabaseConnection, caller: &Caller) -> AppResult<FitCheck> {
    caller.require_person()?;
    let me = person::Entity::find_by_id(caller.id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("Your account".into()))?;
    let affiliate = crate::platform::tenancy::find(db, &me.affiliate_id.to_string()).await?;
    let day = today(&affiliate);
    let mut profile = Profile::default();
    if let Some(reg) = registration::Entity::find().filter(registration::Column::PersonId.eq(me.id)).one(db).await? {
        if let Some(level) = DegreeLevel::parse(&reg.highest_education).filter(|l| *l != DegreeLevel::None) {
            profile.education.push(Education { level, field: None, completed_on: None });
        }
        let kinds: Vec<WorkKind> = serde_json::from_value(reg.work_kinds.clone()).unwrap_or_default();
        let days = i64::from(reg.experience_years.max(0)) * 365;
        if days > 0 {
            for kind in kinds {
                profile.work.push(WorkEntry {
                    kind,
                    ages_served: vec![AgeBand::BirthToSix],
                    paid: true,
                    families_served: None,
                    start_date: day - Duration::days(days - 1),
                    end_date: None,
                });
            }
        }
        if reg.rsc_quarter_hours > 0 {
            profile.rsc.push(RscEntry {
                start_date: day - Duration::days(364),
                end_date: day,
                hours: Hours::from_quarters(i64::from(reg.rsc_quarter_hours)),
                provider_endorsed: true,
                about_own_provision: false,
            });
        }
    }
    let covering = crate::features::memberships::service::covering(db, &me, crate::platform::clock::today(&affiliate));
    profile.membership_active =
        covering.await?.membership.is_some_and(|m| m.status == crate::domain::membership::Status::Active);
    check(db, &affiliate.id.to_string(), &profile, Some(day), FitSource::Registration).await
}
