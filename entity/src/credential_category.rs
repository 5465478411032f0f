use sea_orm::entity::prelude::*;

/// A credential category of the catalog (IFA, IFS, ...).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "credential_categories")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub slug: String,
    pub family_code: String,
    pub name: String,
    /// The name in Spanish, where the catalog has one.
    pub name_es: Option<String>,
    pub abbreviation: String,
    pub scope_of_work: String,
    pub age_focus: String,
    pub example_roles: Json,
    /// Level within the family: 1 associate ... 5 mentor (reviewers review at their level or lower).
    pub rank: i32,
    pub track: Option<MentorTrack>,
    pub created_at: DateTimeUtc,
}

closed_set! {
    /// The track of a mentor category. New values may be added later.
    pub enum MentorTrack {
        Clinical = "clinical",
        Policy = "policy",
        ResearchFaculty = "research_faculty",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
