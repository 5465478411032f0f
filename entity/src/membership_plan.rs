use sea_orm::entity::prelude::*;

/// A membership an affiliate sells, with its dues and term rule.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership_plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub name: String,
    /// The name in Spanish, for Spanish-speaking members.
    pub name_es: Option<String>,
    pub dues_cents: i64,
    pub currency: String,
    pub term_kind: TermKind,
    pub cutoff_month: Option<i32>,
    pub cutoff_day: Option<i32>,
    pub term_months: Option<i32>,
    pub qualifies_for_endorsement: bool,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

closed_set! {
    /// How a plan's term is counted (its parameters are the other `term_` columns).
    pub enum TermKind {
        CalendarYear = "calendar_year",
        FixedMonths = "fixed_months",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::membership::Entity")]
    Membership,
}

impl Related<super::membership::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Membership.def()
    }
}

crate::versioned!(created_at, updated_at);
