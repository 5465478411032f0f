use sea_orm::entity::prelude::*;

/// A person's application for one credential category, held to the policy version it started under.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub person_id: Uuid,
    pub category_code: String,
    pub policy_version_id: Uuid,
    /// `initial`, or `reinstatement` of a lapsed endorsement.
    pub kind: String,
    pub reinstates_endorsement_id: Option<Uuid>,
    pub state: String,
    /// `person:category` while the application is open, so that only one can be; null once decided or withdrawn.
    pub open_key: Option<String>,
    pub deadline_id: Option<Uuid>,
    pub processing_invoice_id: Option<Uuid>,
    pub submitted_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
