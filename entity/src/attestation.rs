use sea_orm::entity::prelude::*;

/// A signature of the Code of Ethics and Endorsement Agreement, with the text version signed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attestations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub person_id: Uuid,
    pub kind: AttestationKind,
    pub text_version: String,
    pub signed_at: DateTimeUtc,
}

closed_set! {
    /// What a person attested to. New values may be added later.
    pub enum AttestationKind {
        CodeOfEthics = "code_of_ethics",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::application::Entity",
        from = "Column::ApplicationId",
        to = "super::application::Column::Id"
    )]
    Application,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
