use sea_orm::entity::prelude::*;

/// A person's request for a scholarship, and the award once decided.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scholarship_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub fund_id: Uuid,
    pub person_id: Uuid,
    pub amount_cents: i64,
    pub purpose: ScholarshipPurpose,
    pub statement: String,
    pub invoice_id: Option<Uuid>,
    pub status: ScholarshipStatus,
    pub awarded_cents: i64,
    /// How much of the award has been credited to invoices.
    pub applied_cents: i64,
    pub reason: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

closed_set! {
    /// What a scholarship pays for. New values may be added later.
    pub enum ScholarshipPurpose {
        Registration = "registration",
        Processing = "processing",
        Exam = "exam",
        Renewal = "renewal",
        Membership = "membership",
        /// Reflective supervision, paid outside this service: the award is disbursed by the
        /// association, not credited to an invoice.
        Rsc = "rsc",
    }
}

impl ScholarshipPurpose {
    /// Costs the service does not invoice: the award is applied whole on approval.
    pub fn paid_outside(self) -> bool {
        self == ScholarshipPurpose::Rsc
    }

    /// The invoices an award for this purpose is credited to, when the service invoices it.
    pub fn invoice_purpose(self) -> Option<crate::invoice::InvoicePurpose> {
        use crate::invoice::InvoicePurpose;
        match self {
            ScholarshipPurpose::Registration => Some(InvoicePurpose::Registration),
            ScholarshipPurpose::Membership => Some(InvoicePurpose::Membership),
            ScholarshipPurpose::Processing => Some(InvoicePurpose::Processing),
            ScholarshipPurpose::Exam => Some(InvoicePurpose::Exam),
            ScholarshipPurpose::Renewal => Some(InvoicePurpose::Renewal),
            ScholarshipPurpose::Rsc => None,
        }
    }
}

closed_set! {
    /// Where a scholarship request stands. New values may be added later.
    pub enum ScholarshipStatus {
        Pending = "pending",
        Approved = "approved",
        Denied = "denied",
        Waitlisted = "waitlisted",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::scholarship_fund::Entity",
        from = "Column::FundId",
        to = "super::scholarship_fund::Column::Id"
    )]
    ScholarshipFund,
    #[sea_orm(belongs_to = "super::person::Entity", from = "Column::PersonId", to = "super::person::Column::Id")]
    Person,
}

impl Related<super::scholarship_fund::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ScholarshipFund.def()
    }
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

crate::versioned!(created_at, updated_at);
