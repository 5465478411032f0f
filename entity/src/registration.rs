use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
    pub status: RegistrationStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

/// Where a registration stands: `awaiting_fee` until the registration fee is settled,
/// `fee_settled` (the temporary login is sent), `activated` once it is used. New values
/// may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    #[sea_orm(string_value = "awaiting_fee")]
    AwaitingFee,
    #[sea_orm(string_value = "fee_settled")]
    FeeSettled,
    #[sea_orm(string_value = "activated")]
    Activated,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::person::Entity", from = "Column::PersonId", to = "super::person::Column::Id")]
    Person,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

crate::versioned!(created_at, updated_at);
