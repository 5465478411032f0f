use sea_orm::entity::prelude::*;

/// A single-use, expiring secret sent by email (temporary login, password reset, email change); only its hash is kept.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    pub purpose: LoginTokenPurpose,
    pub token_hash: String,
    pub new_email: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

closed_set! {
    /// What an emailed single-use secret is for.
    pub enum LoginTokenPurpose {
        Activation = "activation",
        PasswordReset = "password_reset",
        EmailChange = "email_change",
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

impl ActiveModelBehavior for ActiveModel {}
