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
    pub status: PersonStatus,
    pub preferred_language: crate::sets::Language,
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
    /// How the account was made; partner sync and imports update only their own.
    pub created_via: AccountOrigin,
    /// The last successful sign-in; an account that signed in, or set a password, is claimed.
    pub last_signed_in_at: Option<DateTimeUtc>,
    /// Bumped to end every access token issued before (disabled, role revoked, new password).
    pub token_generation: i64,
    /// Whether reminders (renewal, reference, exam) are sent; transactional email always is.
    pub reminders_enabled: bool,
    /// Where reminders go instead of `email` (employer servers block this kind of mail).
    pub reminder_email: Option<String>,
    /// The last bounce or complaint reported for one of the person's addresses.
    pub bounced_at: Option<DateTimeUtc>,
    pub bounce_kind: Option<BounceKind>,
    pub bounce_reason: Option<String>,
    /// The address that bounced (`email` or `reminder_email`).
    pub bounced_email: Option<String>,
}

/// Where an account came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AccountOrigin {
    /// Self-registration for endorsement.
    #[sea_orm(string_value = "registration")]
    Registration,
    /// Staff accounts made from the command line.
    #[sea_orm(string_value = "staff")]
    Staff,
    /// Created by a partner's bulk sync.
    #[sea_orm(string_value = "sync")]
    Sync,
    /// Created by a coordinator's CSV import.
    #[sea_orm(string_value = "import")]
    Import,
}

impl Model {
    /// Whether a person has taken the account over: set a password or signed in.
    pub fn is_claimed(&self) -> bool {
        self.password_hash.is_some() || self.last_signed_in_at.is_some()
    }
}

closed_set! {
    /// What a mail provider (or staff) reported about a delivery. New values may be added later.
    pub enum BounceKind {
        /// The address does not exist or refuses mail for good.
        Hard = "hard",
        /// A temporary failure (mailbox full, server busy) that outlasted the retries.
        Soft = "soft",
        /// The recipient marked the email as spam.
        Complaint = "complaint",
    }
}

closed_set! {
    /// An account's lifecycle: `pending` until the temporary login is used, `active`, or
    /// `disabled`. New values may be added later.
    pub enum PersonStatus {
        Pending = "pending",
        Active = "active",
        Disabled = "disabled",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::affiliate::Entity",
        from = "Column::AffiliateId",
        to = "super::affiliate::Column::Id"
    )]
    Affiliate,
    #[sea_orm(has_many = "super::application::Entity")]
    Application,
    #[sea_orm(has_many = "super::endorsement::Entity")]
    Endorsement,
    #[sea_orm(has_many = "super::invoice::Entity")]
    Invoice,
    #[sea_orm(has_many = "super::login_token::Entity")]
    LoginToken,
    #[sea_orm(has_many = "super::membership::Entity")]
    Membership,
    #[sea_orm(has_many = "super::refresh_token::Entity")]
    RefreshToken,
    #[sea_orm(has_many = "super::registration::Entity")]
    Registration,
    #[sea_orm(has_many = "super::renewal::Entity")]
    Renewal,
    #[sea_orm(has_many = "super::role_assignment::Entity")]
    RoleAssignment,
    #[sea_orm(has_many = "super::scholarship_request::Entity")]
    ScholarshipRequest,
}

impl Related<super::affiliate::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Affiliate.def()
    }
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl Related<super::endorsement::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Endorsement.def()
    }
}

impl Related<super::invoice::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Invoice.def()
    }
}

impl Related<super::login_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::LoginToken.def()
    }
}

impl Related<super::membership::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Membership.def()
    }
}

impl Related<super::refresh_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RefreshToken.def()
    }
}

impl Related<super::registration::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Registration.def()
    }
}

impl Related<super::renewal::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Renewal.def()
    }
}

impl Related<super::role_assignment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RoleAssignment.def()
    }
}

impl Related<super::scholarship_request::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ScholarshipRequest.def()
    }
}

crate::versioned!(created_at, updated_at);
