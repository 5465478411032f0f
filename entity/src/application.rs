use sea_orm::entity::prelude::*;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A person's application for one credential category, held to the policy version it started under.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub person_id: Uuid,
    pub category_code: String,
    pub policy_version_id: Uuid,
    pub kind: ApplicationKind,
    pub reinstates_endorsement_id: Option<Uuid>,
    pub state: ApplicationState,
    /// `person:category` while the application is open, so that only one can be; null once decided or withdrawn.
    pub open_key: Option<String>,
    pub deadline_id: Option<Uuid>,
    pub processing_invoice_id: Option<Uuid>,
    pub submitted_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

/// Where an application stands (its transitions are `domain::application::transition`).
/// New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "in_review")]
    InReview,
    #[sea_orm(string_value = "deferred")]
    Deferred,
    #[sea_orm(string_value = "resubmitted")]
    Resubmitted,
    #[sea_orm(string_value = "on_hold")]
    OnHold,
    #[sea_orm(string_value = "exam_pending")]
    ExamPending,
    #[sea_orm(string_value = "endorsed")]
    Endorsed,
    /// IFRS only: counts as endorsed while finishing the requirements.
    #[sea_orm(string_value = "emerging")]
    Emerging,
    #[sea_orm(string_value = "not_endorsed")]
    NotEndorsed,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

impl ApplicationState {
    /// The stored (and serialized) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::InReview => "in_review",
            Self::Deferred => "deferred",
            Self::Resubmitted => "resubmitted",
            Self::OnHold => "on_hold",
            Self::ExamPending => "exam_pending",
            Self::Endorsed => "endorsed",
            Self::Emerging => "emerging",
            Self::NotEndorsed => "not_endorsed",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Still open: neither decided nor withdrawn. A person has at most one open
    /// application per category.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Endorsed | Self::NotEndorsed | Self::Withdrawn)
    }

    /// The applicant may change the portfolio.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Deferred)
    }
}

closed_set! {
    /// A first application, or the reinstatement of a lapsed endorsement. New values may
    /// be added later.
    pub enum ApplicationKind {
        Initial = "initial",
        Reinstatement = "reinstatement",
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
    #[sea_orm(belongs_to = "super::person::Entity", from = "Column::PersonId", to = "super::person::Column::Id")]
    Person,
    #[sea_orm(
        belongs_to = "super::policy_version::Entity",
        from = "Column::PolicyVersionId",
        to = "super::policy_version::Column::Id"
    )]
    PolicyVersion,
    #[sea_orm(has_many = "super::application_event::Entity")]
    ApplicationEvent,
    #[sea_orm(has_many = "super::application_reference::Entity")]
    ApplicationReference,
    #[sea_orm(has_many = "super::attestation::Entity")]
    Attestation,
    #[sea_orm(has_many = "super::exam_registration::Entity")]
    ExamRegistration,
    #[sea_orm(has_many = "super::portfolio_entry::Entity")]
    PortfolioEntry,
    #[sea_orm(has_many = "super::review::Entity")]
    Review,
}

impl Related<super::affiliate::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Affiliate.def()
    }
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl Related<super::policy_version::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PolicyVersion.def()
    }
}

impl Related<super::application_event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApplicationEvent.def()
    }
}

impl Related<super::application_reference::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApplicationReference.def()
    }
}

impl Related<super::attestation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Attestation.def()
    }
}

impl Related<super::exam_registration::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ExamRegistration.def()
    }
}

impl Related<super::portfolio_entry::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PortfolioEntry.def()
    }
}

impl Related<super::review::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Review.def()
    }
}

crate::versioned!(created_at, updated_at);
