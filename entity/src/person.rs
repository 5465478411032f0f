use sea_orm::entity::prelude::*;

/// A person with an account: applicant, endorsee, reviewer, coordinator or admin.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub email: String,
    /// Lower-cased email; unique, so that duplicates are caught by the database.
    #[sea_orm(unique)]
    pub email_normalized: String,
    pub given_name: String,
    pub family_name: String,
    /// argon2id PHC string; `None` until the person sets a password.
    pub password_hash: Option<String>,
    pub status: String,
    pub preferred_language: String,
    pub phone: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
