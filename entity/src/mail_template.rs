use sea_orm::entity::prelude::*;

use crate::sets::Language;

/// An affiliate's own wording of a built-in email template in one language; without a
/// row the built-in wording is used.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub template: MailTemplateKey,
    pub language: Language,
    pub subject: String,
    pub text: String,
    /// Without it, the HTML body is the plain text in the affiliate's layout.
    pub html: Option<String>,
    /// False once reset: the built-in wording applies again, and the version keeps counting.
    pub customized: bool,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

crate::versioned!(created_at, updated_at);

closed_set! {
    /// An email the service sends. Each is a template (subject, plain text, optional HTML)
    /// in English and Spanish that an affiliate may reword.
    pub enum MailTemplateKey {
        /// Registration fee settled: the link and code that set the password.
        TemporaryLogin = "temporary_login",
        /// Registration received: the fee and how to pay it.
        RegistrationReceived = "registration_received",
        /// Someone registered with an address that already has an account.
        RegistrationAttempt = "registration_attempt",
        /// An email change asked for an address that has an account of its own.
        AddressHasAccount = "address_has_account",
        PasswordReset = "password_reset",
        ConfirmEmailChange = "confirm_email_change",
        /// Sent to the old address after a change.
        EmailChanged = "email_changed",
        MembershipActive = "membership_active",
        ApplicationSubmitted = "application_submitted",
        /// The reviewers ask for more (deferred), with their reasons.
        ApplicationDeferred = "application_deferred",
        ApplicationApprovedForExam = "application_approved_for_exam",
        ApplicationDeclined = "application_declined",
        ApplicationOnHold = "application_on_hold",
        /// To a reviewer: an application to review.
        ReviewerAssigned = "reviewer_assigned",
        /// To a reference rater: the single-use link and code.
        ReferenceRequest = "reference_request",
        /// To a reference rater who has not answered: a fresh link before the first expires.
        ReferenceReminder = "reference_reminder",
        /// A sitting is coming up: its date and place (a reminder).
        ExamReminder = "exam_reminder",
        ExamResult = "exam_result",
        EndorsementIssued = "endorsement_issued",
        /// An endorsement lapsed unrenewed: how to reinstate it.
        EndorsementLapsed = "endorsement_lapsed",
        ScholarshipDecision = "scholarship_decision",
        /// A renewal is due (a reminder: the person may turn reminders off, as for every
        /// reminder).
        RenewalReminder = "renewal_reminder",
        /// A renewal was submitted: its invoice.
        RenewalSubmitted = "renewal_submitted",
        RenewalApproved = "renewal_approved",
        RenewalReturned = "renewal_returned",
        /// To a subscription's owner: the subscription was disabled.
        WebhookDisabled = "webhook_disabled",
    }
}
