use sea_orm::entity::prelude::*;

/// A reference rater invited by the applicant; acts through a single-use link whose hash is kept.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "application_references")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub rater_name: String,
    pub rater_email: String,
    pub relationship: String,
    pub kind: String,
    pub status: String,
    pub token_hash: String,
    pub expires_at: DateTimeUtc,
    pub invited_at: DateTimeUtc,
    pub responded_at: Option<DateTimeUtc>,
    pub ratings: Option<Json>,
    pub comments: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
