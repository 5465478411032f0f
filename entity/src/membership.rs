use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A person's membership of a plan. Its dates are set when it is paid; its status on a day is computed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub person_id: Uuid,
    pub plan_id: Uuid,
    pub state: MembershipState,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub source: MembershipSource,
    pub external_reference: Option<String>,
    pub invoice_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

/// Whether a membership is paid: `pending_payment` until its invoice settles, then
/// `paid`; `cancelled` by a partner's sync. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum MembershipState {
    #[sea_orm(string_value = "pending_payment")]
    PendingPayment,
    #[sea_orm(string_value = "paid")]
    Paid,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// Where a membership was bought: `purchase` through this service, or `external`
/// (recorded by staff, or synced by a partner). New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum MembershipSource {
    #[sea_orm(string_value = "purchase")]
    Purchase,
    #[sea_orm(string_value = "external")]
    External,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::person::Entity", from = "Column::PersonId", to = "super::person::Column::Id")]
    Person,
    #[sea_orm(
        belongs_to = "super::membership_plan::Entity",
        from = "Column::PlanId",
        to = "super::membership_plan::Column::Id"
    )]
    MembershipPlan,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl Related<super::membership_plan::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::MembershipPlan.def()
    }
}

crate::versioned!(created_at, updated_at);
