//! Closed sets that several tables share.

closed_set! {
    /// A language the service writes in (`preferred_language`). New values may be added later.
    pub enum Language {
        English = "en",
        Spanish = "es",
    }
}

closed_set! {
    /// What a person may do. Every person is an applicant of their affiliate; other roles
    /// are granted. New values may be added later.
    pub enum Role {
        /// Any person: their own records only.
        Applicant = "applicant",
        /// Reviews applications assigned to them.
        Reviewer = "reviewer",
        /// Affiliate staff: manages the affiliate's people, schedule, fees and decisions.
        Coordinator = "coordinator",
        /// Operates the service: creates affiliates and manages any of them.
        Admin = "admin",
    }
}

closed_set! {
    /// What a fee is charged for. New values may be added later.
    pub enum FeeKind {
        /// Charged at registration; settling it sends the temporary login.
        Registration = "registration",
        /// An application's processing fee (per category).
        Processing = "processing",
        /// The exam fee.
        Exam = "exam",
        /// The yearly renewal.
        Renewal = "renewal",
        /// Added to a renewal submitted in the late window.
        LateFee = "late_fee",
    }
}

closed_set! {
    /// What an invoice line charges: a scheduled fee, or membership dues (which come from
    /// a plan, not the fee schedule). New values may be added later.
    pub enum ChargeKind {
        Registration = "registration",
        Processing = "processing",
        Exam = "exam",
        Renewal = "renewal",
        LateFee = "late_fee",
        Membership = "membership",
    }
}

impl From<FeeKind> for ChargeKind {
    fn from(kind: FeeKind) -> Self {
        match kind {
            FeeKind::Registration => ChargeKind::Registration,
            FeeKind::Processing => ChargeKind::Processing,
            FeeKind::Exam => ChargeKind::Exam,
            FeeKind::Renewal => ChargeKind::Renewal,
            FeeKind::LateFee => ChargeKind::LateFee,
        }
    }
}

closed_set! {
    /// Who did something: a person, a machine client, a reference rater through their
    /// link, or the service itself. New values may be added later.
    pub enum ActorKind {
        Person = "person",
        Client = "client",
        Rater = "rater",
        System = "system",
    }
}

closed_set! {
    /// The kinds of record the change log, partners' ids and webhooks name. New values may
    /// be added later.
    pub enum RecordKind {
        Affiliate = "affiliate",
        Person = "person",
        Membership = "membership",
        Invoice = "invoice",
        Application = "application",
        Endorsement = "endorsement",
        Renewal = "renewal",
        RenewalEntry = "renewal_entry",
        ScholarshipRequest = "scholarship_request",
    }
}

closed_set! {
    /// A permission a machine client holds. New values may be added later.
    pub enum Scope {
        /// Read the affiliate's people.
        PeopleRead = "people:read",
        /// Create and update the affiliate's people.
        PeopleWrite = "people:write",
        /// Read memberships.
        MembershipsRead = "memberships:read",
        /// Record memberships bought elsewhere.
        MembershipsWrite = "memberships:write",
        /// Read invoices and payments.
        InvoicesRead = "invoices:read",
        /// Record payments, waivers and refunds.
        PaymentsWrite = "payments:write",
        /// Read the change feed.
        SyncRead = "sync:read",
        /// Bulk upserts keyed by the partner's ids.
        SyncWrite = "sync:write",
        /// Read renewal status.
        RenewalsRead = "renewals:read",
        /// Run renewal actions.
        RenewalsWrite = "renewals:write",
        /// Read the dashboard reports.
        ReportsRead = "reports:read",
        /// Manage webhook subscriptions and their deliveries.
        WebhooksManage = "webhooks:manage",
    }
}
