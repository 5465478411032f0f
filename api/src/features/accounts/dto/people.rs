use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidateEmail, ValidationError, ValidationErrors};

use crate::domain::roles::Role;
use entity::person;

pub use entity::person::PersonStatus;
pub use entity::sets::Language;

/// Postal address; every part optional.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `US`.
    pub country: Option<String>,
}

pub fn check_address(a: &Address, errors: &mut ValidationErrors) {
    let too_long = |v: &Option<String>, max: usize| v.as_ref().is_some_and(|s| s.chars().count() > max);
    let err = |msg: &'static str| ValidationError::new("length").with_message(msg.into());
    if too_long(&a.line1, 200) || too_long(&a.line2, 200) {
        errors.add("address", err("address lines must be at most 200 characters long"));
    }
    if too_long(&a.city, 100) || too_long(&a.region, 100) || too_long(&a.postal_code, 20) {
        errors.add("address", err("city and region at most 100 characters, postal code at most 20"));
    }
    if let Some(c) = &a.country
        && (c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()))
    {
        errors.add(
            "address",
            ValidationError::new("invalid_country")
                .with_message("country must be an ISO 3166-1 alpha-2 code such as US".into()),
        );
    }
}

pub fn check_name(field: &'static str, v: &str, errors: &mut ValidationErrors) {
    let n = v.trim().chars().count();
    if !(1..=100).contains(&n) {
        errors.add(field, ValidationError::new("length").with_message("must be 1 to 100 characters long".into()));
    }
    check_person_name_chars(field, v, errors);
}

/// Names travel into email headers: a backslash (which would escape the quoting) or a
/// quote or angle bracket is not part of anyone's name.
pub fn check_person_name_chars(field: &'static str, v: &str, errors: &mut ValidationErrors) {
    if v.chars().any(|c| matches!(c, '\\' | '"' | '<' | '>')) {
        errors
            .add(field, ValidationError::new("invalid_character").with_message("must not contain \\ \" < or >".into()));
    }
}

pub fn check_email(field: &'static str, v: &str, errors: &mut ValidationErrors) {
    if !(v.trim().validate_email() && v.len() <= 254) {
        errors.add(field, ValidationError::new("email").with_message("must be an email address".into()));
    }
}

pub fn check_phone(v: &Option<String>, errors: &mut ValidationErrors) {
    if let Some(p) = v {
        let ok = (5..=32).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
        if !ok {
            errors.add(
                "phone",
                ValidationError::new("invalid_phone")
                    .with_message("must be a phone number (digits, spaces, + - ( ) .)".into()),
            );
        }
    }
}

/// A person as staff (and the person) see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 100, pattern = r#"^[^\\"<>]*\S[^\\"<>]*$"#)]
    pub given_name: String,
    #[schema(min_length = 1, max_length = 100, pattern = r#"^[^\\"<>]*\S[^\\"<>]*$"#)]
    pub family_name: String,
    pub status: PersonStatus,
    pub preferred_language: Language,
    pub phone: Option<String>,
    pub address: Address,
    /// Reminders and where the last delivery to this person stands.
    pub mail: MailDelivery,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// How email reaches a person.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailDelivery {
    /// Whether reminders (renewal, exam) are sent. Transactional email (codes, decisions,
    /// invoices) always is.
    pub reminders: bool,
    /// Where reminders go instead of `email`; `null` sends them to `email`.
    #[schema(format = Email, max_length = 254)]
    pub reminder_email: Option<String>,
    /// The last bounce or complaint reported (by the mail provider or staff); `null` when
    /// none, or after staff cleared it. A hard bounce or a complaint stops reminders to
    /// that address.
    pub last_bounce: Option<Bounce>,
}

/// A delivery that failed for good, or a complaint.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bounce {
    /// The address that bounced.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    pub kind: BounceKind,
    /// What the receiving server or the provider said.
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

pub use entity::person::BounceKind;

impl MailDelivery {
    pub fn of(m: &person::Model) -> MailDelivery {
        let last_bounce = match (&m.bounced_email, m.bounce_kind, m.bounced_at) {
            (Some(email), Some(kind), Some(at)) => {
                Some(Bounce { email: email.clone(), kind, reason: m.bounce_reason.clone(), at })
            }
            _ => None,
        };
        MailDelivery { reminders: m.reminders_enabled, reminder_email: m.reminder_email.clone(), last_bounce }
    }
}

impl From<person::Model> for Person {
    fn from(m: person::Model) -> Self {
        Person {
            mail: MailDelivery::of(&m),
            id: m.id,
            affiliate_id: m.affiliate_id,
            email: m.email,
            given_name: m.given_name,
            family_name: m.family_name,
            status: m.status,
            preferred_language: m.preferred_language,
            phone: m.phone,
            address: Address {
                line1: m.address_line1,
                line2: m.address_line2,
                city: m.city,
                region: m.region,
                postal_code: m.postal_code,
                country: m.country,
            },
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        }
    }
}

entity::closed_set! {
    /// A person's membership today: the status of their current (or latest) membership,
    /// or `none` when they never had one. New values may be added later.
    pub enum MembershipStanding {
        PendingPayment = "pending_payment",
        Upcoming = "upcoming",
        Active = "active",
        Expired = "expired",
        Cancelled = "cancelled",
        None = "none",
    }
}

impl From<crate::domain::membership::Status> for MembershipStanding {
    fn from(status: crate::domain::membership::Status) -> Self {
        use crate::domain::membership::Status;
        match status {
            Status::PendingPayment => Self::PendingPayment,
            Status::Upcoming => Self::Upcoming,
            Status::Active => Self::Active,
            Status::Expired => Self::Expired,
            Status::Cancelled => Self::Cancelled,
        }
    }
}

/// The membership part of a profile: whether the person is a member today.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipSummary {
    pub status: MembershipStanding,
    pub ends_on: Option<NaiveDate>,
    pub qualifies_for_endorsement: bool,
}

/// The signed-in person's profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct Profile {
    #[serde(flatten)]
    pub person: Person,
    /// Every person is an applicant; other roles are granted.
    pub roles: Vec<Role>,
    pub membership: MembershipSummary,
}

/// Changes to one's own profile. Email, status and roles change through their own endpoints.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    #[schema(min_length = 1, max_length = 100, pattern = r#"^[^\\"<>]*\S[^\\"<>]*$"#)]
    pub given_name: Option<String>,
    #[schema(min_length = 1, max_length = 100, pattern = r#"^[^\\"<>]*\S[^\\"<>]*$"#)]
    pub family_name: Option<String>,
    pub preferred_language: Option<Language>,
    #[serde(default, deserialize_with = "crate::http::extract::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub phone: Option<Option<String>>,
    pub address: Option<Address>,
    /// Turn reminders (renewal, exam) off or on.
    pub reminders: Option<bool>,
    /// Where reminders go instead of your email (employer servers sometimes block them);
    /// `null` sends them to your email again.
    #[serde(default, deserialize_with = "crate::http::extract::double_option")]
    #[schema(value_type = Option<String>, nullable, format = Email, max_length = 254)]
    pub reminder_email: Option<Option<String>>,
}

impl Validate for ProfilePatch {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if let Some(v) = &self.given_name {
            check_name("given_name", v, &mut errors);
        }
        if let Some(v) = &self.family_name {
            check_name("family_name", v, &mut errors);
        }
        if let Some(p) = &self.phone {
            check_phone(p, &mut errors);
        }
        if let Some(a) = &self.address {
            check_address(a, &mut errors);
        }
        if let Some(Some(e)) = &self.reminder_email {
            check_email("reminder_email", e, &mut errors);
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// A bounce or complaint staff record (a bounce reported to them by phone or mail).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ana.lopez@childhaven.org", "kind": "hard", "reason": "550 5.1.1 mailbox unavailable"}))]
pub struct BounceReport {
    /// The address that bounced: the person's email or reminder address.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    pub kind: BounceKind,
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

impl Validate for BounceReport {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_email("email", &self.email, &mut errors);
        if self.reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
            errors.add("reason", ValidationError::new("length").with_message("must be at most 500 characters".into()));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// The new password: 12 to 256 characters; not one of the 49 000 most common
    /// passwords; not containing your email address, its part before the @, or your name.
    #[schema(min_length = 12, max_length = 256)]
    pub new_password: String,
}

impl Validate for PasswordChange {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if let Err(m) = crate::auth::password::check_policy(&self.new_password) {
            errors.add("new_password", ValidationError::new("weak_password").with_message(m.into()));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// Sets a password with a secret from an email (temporary login or password reset).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// The code from the email.
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
    /// 12 to 256 characters; not one of the 49 000 most common passwords; not containing
    /// your email address, its part before the @, or your name.
    #[schema(min_length = 12, max_length = 256)]
    pub password: String,
}

impl Validate for SetPassword {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.token.is_empty() || self.token.len() > 200 {
            errors.add("token", ValidationError::new("length").with_message("must be the code from the email".into()));
        }
        if let Err(m) = crate::auth::password::check_policy(&self.password) {
            errors.add("password", ValidationError::new("weak_password").with_message(m.into()));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailOnly {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
}

impl Validate for EmailOnly {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_email("email", &self.email, &mut errors);
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenOnly {
    #[schema(min_length = 1, max_length = 200)]
    #[validate(length(min = 1, max = 200))]
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChange {
    #[schema(format = Email, max_length = 254)]
    pub new_email: String,
    pub current_password: String,
}

impl Validate for EmailChange {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_email("new_email", &self.new_email, &mut errors);
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Part of a name or email, case-insensitive.
    #[param(min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100))]
    pub q: Option<String>,
    pub status: Option<PersonStatus>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A role staff may grant. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantableRole {
    Reviewer,
    Coordinator,
    Admin,
}

impl GrantableRole {
    pub fn role(self) -> Role {
        match self {
            GrantableRole::Reviewer => Role::Reviewer,
            GrantableRole::Coordinator => Role::Coordinator,
            GrantableRole::Admin => Role::Admin,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleGrant {
    pub role: GrantableRole,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRoles {
    pub person_id: Uuid,
    pub roles: Vec<Role>,
    /// The person's version after the change (the ETag of the person).
    pub version: i64,
}

/// An account status staff may set. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffSettableStatus {
    Active,
    Disabled,
}

/// What staff may change on a person: the account status.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonStatusChange {
    pub status: StaffSettableStatus,
}
