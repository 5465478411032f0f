use sea_orm::entity::prelude::*;

/// An endorsement held: its number, category, dates and status.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "endorsements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub person_id: Uuid,
    pub application_id: Option<Uuid>,
    pub category_code: String,
    pub number: String,
    pub issued_on: Date,
    pub expires_on: Date,
    pub status: EndorsementStatus,
    pub emerging: bool,
    /// Shown in the public registry (the holder may opt out; verification by number stays).
    pub listed: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

closed_set! {
    /// Where an endorsement stands. New values may be added later.
    pub enum EndorsementStatus {
        /// In force until it expires.
        Active = "active",
        /// Not renewed in time; reinstated through a reinstatement application.
        Lapsed = "lapsed",
        /// Kept for the record (e.g. imported history).
        Archived = "archived",
        /// Withdrawn by the association.
        Revoked = "revoked",
    }
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
