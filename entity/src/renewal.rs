use sea_orm::entity::prelude::*;

/// A person's renewal for a year, covering all their endorsements due that year.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "renewals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub person_id: Uuid,
    pub year: i32,
    pub state: RenewalState,
    pub provides_rsc: bool,
    pub ethics_signed_at: Option<DateTimeUtc>,
    pub invoice_id: Option<Uuid>,
    pub return_reasons: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

closed_set! {
    /// Where a renewal stands. New values may be added later.
    pub enum RenewalState {
        /// Being filled in by the person.
        Open = "open",
        /// Waiting for staff (or auto-approval once its fee is settled).
        Submitted = "submitted",
        /// Approved: the endorsements run another year.
        Approved = "approved",
        /// Sent back with reasons; the person edits and submits again.
        Returned = "returned",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::person::Entity", from = "Column::PersonId", to = "super::person::Column::Id")]
    Person,
    #[sea_orm(has_many = "super::renewal_entry::Entity")]
    RenewalEntry,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl Related<super::renewal_entry::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RenewalEntry.def()
    }
}

crate::versioned!(created_at, updated_at);
