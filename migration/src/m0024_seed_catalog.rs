//! The credential catalog: the IMH-E® and ECMH-E® families and their categories
//! (seeds; domain.md "The credentials"). Add-ons such as an endorsed reflective
//! supervisor are just further categories.
use sea_orm_migration::prelude::*;

use crate::{m0022_credential_families::CredentialFamilies, m0023_credential_categories::CredentialCategories};

const FAMILIES: &[(&str, &str, &str, &str)] = &[
    (
        "IMH-E",
        "Endorsement for Culturally Sensitive, Relationship-focused Practice Promoting Infant Mental Health",
        "infant_toddler",
        "For professionals working with expecting families, babies and toddlers (pregnancy to 36 months) and their families.",
    ),
    (
        "ECMH-E",
        "Endorsement for Culturally Sensitive, Relationship-focused Practice Promoting Early Childhood Mental Health",
        "early_childhood",
        "For professionals working with preschool-aged children (3 to 6 years) and their families.",
    ),
];

/// (code, slug, family, name, scope of work, example roles, rank, track)
type Category = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    i32,
    Option<&'static str>,
);

pub const CATEGORIES: &[Category] = &[
    (
        "IFA",
        "ifa",
        "IMH-E",
        "Infant Family Associate",
        "Promotion: serving the social emotional well-being of infants and toddlers (0-3).",
        &["Early Care and Education", "Play and Learn Facilitator"],
        1,
        None,
    ),
    (
        "IFS",
        "ifs",
        "IMH-E",
        "Infant Family Specialist",
        "Prevention and early intervention: serving the social emotional well-being of infants and toddlers (0-3).",
        &[
            "Home Visitor/Home Visiting Supervisor",
            "Doula",
            "Early Intervention Provider",
            "NICU Nurse",
            "Parent Educator",
            "Child Welfare worker",
        ],
        2,
        None,
    ),
    (
        "IFRS",
        "ifrs",
        "IMH-E",
        "Infant Family Reflective Supervisor",
        "Prevention and early intervention, providing reflective supervision to staff serving infants, toddlers and families.",
        &["Home Visiting Supervisor", "Early Intervention Supervisor"],
        3,
        None,
    ),
    (
        "IMHS",
        "imhs",
        "IMH-E",
        "Infant Mental Health Specialist",
        "Clinical intervention: serving the social emotional well-being of infants and toddlers (0-3).",
        &["Mental health clinician or supervisor", "Clinical nurse practitioner", "Psychologist"],
        4,
        None,
    ),
    (
        "IMHM-C",
        "imhm-c",
        "IMH-E",
        "Infant Mental Health Mentor - Clinical",
        "Leadership in clinical practice serving infants, toddlers and families (0-3).",
        &["Clinical Supervisor"],
        5,
        Some("clinical"),
    ),
    (
        "IMHM-P",
        "imhm-p",
        "IMH-E",
        "Infant Mental Health Mentor - Policy",
        "Leadership in policy and advocacy for infants, toddlers and families (0-3).",
        &["Early Childhood/Family Systems Leader", "Policy/Advocacy professional"],
        5,
        Some("policy"),
    ),
    (
        "IMHM-R/F",
        "imhm-rf",
        "IMH-E",
        "Infant Mental Health Mentor - Research/Faculty",
        "Leadership in research and university teaching about infants, toddlers and families (0-3).",
        &["Professor", "Researcher"],
        5,
        Some("research_faculty"),
    ),
    (
        "ECFA",
        "ecfa",
        "ECMH-E",
        "Early Childhood Family Associate",
        "Promotion: serving the social emotional well-being of young children (3-6).",
        &["Preschool teacher", "Early learning program staff"],
        1,
        None,
    ),
    (
        "ECFS",
        "ecfs",
        "ECMH-E",
        "Early Childhood Family Specialist",
        "Prevention and early intervention: serving the social emotional well-being of young children (3-6).",
        &["Home Visitor", "Early Intervention Provider", "Family support worker"],
        2,
        None,
    ),
    (
        "ECFRS",
        "ecfrs",
        "ECMH-E",
        "Early Childhood Family Reflective Supervisor",
        "Prevention and early intervention, providing reflective supervision to staff serving young children and families.",
        &["Program supervisor"],
        3,
        None,
    ),
    (
        "ECMHS",
        "ecmhs",
        "ECMH-E",
        "Early Childhood Mental Health Specialist",
        "Clinical intervention: serving the social emotional well-being of young children (3-6).",
        &["Early childhood mental health clinician", "Psychologist"],
        4,
        None,
    ),
    (
        "ECMHM-C",
        "ecmhm-c",
        "ECMH-E",
        "Early Childhood Mental Health Mentor - Clinical",
        "Leadership in clinical practice serving young children and families (3-6).",
        &["Clinical Supervisor"],
        5,
        Some("clinical"),
    ),
    (
        "ECMHM-P",
        "ecmhm-p",
        "ECMH-E",
        "Early Childhood Mental Health Mentor - Policy",
        "Leadership in policy and advocacy for young children and families (3-6).",
        &["Policy/Advocacy professional"],
        5,
        Some("policy"),
    ),
    (
        "ECMHM-R/F",
        "ecmhm-rf",
        "ECMH-E",
        "Early Childhood Mental Health Mentor - Research/Faculty",
        "Leadership in research and university teaching about young children and families (3-6).",
        &["Professor", "Researcher"],
        5,
        Some("research_faculty"),
    ),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let err = |e: sea_query::error::Error| DbErr::Custom(e.to_string());
        for (code, name, age, description) in FAMILIES {
            let insert = Query::insert()
                .into_table(CredentialFamilies::Table)
                .columns([
                    CredentialFamilies::Code,
                    CredentialFamilies::Name,
                    CredentialFamilies::AgeFocus,
                    CredentialFamilies::Description,
                ])
                .values([(*code).into(), (*name).into(), (*age).into(), (*description).into()])
                .map_err(err)?
                .to_owned();
            manager.execute(insert).await?;
        }
        let now = chrono::Utc::now();
        for (code, slug, family, name, scope, roles, rank, track) in CATEGORIES {
            let age = if *family == "IMH-E" { "infant_toddler" } else { "early_childhood" };
            let roles =
                serde_json::Value::Array(roles.iter().map(|r| serde_json::Value::String(String::from(*r))).collect());
            let insert = Query::insert()
                .into_table(CredentialCategories::Table)
                .columns([
                    CredentialCategories::Code,
                    CredentialCategories::Slug,
                    CredentialCategories::FamilyCode,
                    CredentialCategories::Name,
                    CredentialCategories::Abbreviation,
                    CredentialCategories::ScopeOfWork,
                    CredentialCategories::AgeFocus,
                    CredentialCategories::ExampleRoles,
                    CredentialCategories::Rank,
                    CredentialCategories::Track,
                    CredentialCategories::CreatedAt,
                ])
                .values([
                    (*code).into(),
                    (*slug).into(),
                    (*family).into(),
                    (*name).into(),
                    (*code).into(),
                    (*scope).into(),
                    age.into(),
                    roles.into(),
                    (*rank).into(),
                    track.map(String::from).into(),
                    now.into(),
                ])
                .map_err(err)?
                .to_owned();
            manager.execute(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.execute(Query::delete().from_table(CredentialCategories::Table).to_owned()).await?;
        manager.execute(Query::delete().from_table(CredentialFamilies::Table).to_owned()).await
    }
}
