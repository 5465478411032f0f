use sea_orm::entity::prelude::*;

/// A registration for endorsement: the preliminary information and the fee that opens the account.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub person_id: Uuid,
    pub highest_education: String,
    pub experience_years: i32,
    pub work_kinds: Json,
    pub rsc_quarter_hours: i32,
    pub target_category: Option<String>,
    pub invoice_id: Option<Uuid>,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
