use sea_orm::entity::prelude::*;

/// A sitting of the Endorsement exam, with its capacity.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_sittings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub sitting_on: Date,
    pub location: String,
    pub capacity: i32,
    pub created_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::exam_registration::Entity")]
    ExamRegistration,
}

impl Related<super::exam_registration::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ExamRegistration.def()
    }
}

crate::versioned!(created_at);
