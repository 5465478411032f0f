//! Each email as a typed value: its fields are exactly what its template may show (the
//! recipient's `name`, the `affiliate`'s name and `language` come on top). Names, dates
//! and amounts are already in the recipient's language (`locale`), links absolute
//! (`links`). `sample` gives each one Washington's values, for previews and the suite.
use entity::mail_template::MailTemplateKey;
use entity::sets::Language;
use serde::Serialize;

use super::locale::Locale;

/// One email of the service.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Mail {
    TemporaryLogin(WithCode),
    RegistrationReceived(RegistrationReceived),
    RegistrationAttempt(JustLink),
    AddressHasAccount(JustLink),
    PasswordReset(WithCode),
    ConfirmEmailChange(WithCode),
    EmailChanged(EmailChanged),
    MembershipActive(MembershipActive),
    ApplicationSubmitted(About),
    ApplicationDeferred(Decided),
    ApplicationApprovedForExam(About),
    ApplicationDeclined(Decided),
    ApplicationOnHold(Decided),
    ReviewerAssigned(About),
    ReferenceRequest(ReferenceRequest),
    /// The same request again, with a fresh link, before the first one expires.
    ReferenceReminder(ReferenceRequest),
    ExamReminder(ExamReminder),
    ExamResult(ExamResult),
    EndorsementIssued(EndorsementIssued),
    EndorsementLapsed(EndorsementLapsed),
    ScholarshipDecision(ScholarshipDecision),
    RenewalReminder(RenewalReminder),
    RenewalSubmitted(RenewalSubmitted),
    RenewalApproved(RenewalApproved),
    RenewalReturned(RenewalReturned),
    WebhookDisabled(WebhookDisabled),
}

/// A page to open.
#[derive(Clone, Debug, Serialize)]
pub struct JustLink {
    pub link: String,
}

/// A single-use link and the code it carries, for those who type it in.
#[derive(Clone, Debug, Serialize)]
pub struct WithCode {
    pub link: String,
    pub code: String,
    /// How long the link works, in words (`7 days`).
    pub valid_for: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RegistrationReceived {
    /// The registration fee, formatted.
    pub fee: String,
    pub invoice_number: String,
    /// Pay the invoice.
    pub link: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct EmailChanged {
    pub new_email: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct MembershipActive {
    pub plan: String,
    pub ends_on: String,
}

/// An application of a category, and its page.
#[derive(Clone, Debug, Serialize)]
pub struct About {
    pub category: String,
    pub link: String,
}

/// A decision with the reviewers' or coordinator's reasons.
#[derive(Clone, Debug, Serialize)]
pub struct Decided {
    pub category: String,
    pub reasons: String,
    pub link: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReferenceRequest {
    pub applicant: String,
    pub category: String,
    pub relationship: String,
    pub link: String,
    pub code: String,
    pub expires_on: String,
}

/// A sitting coming up.
#[derive(Clone, Debug, Serialize)]
pub struct ExamReminder {
    pub category: String,
    pub sitting_on: String,
    pub location: String,
    /// Days left until the sitting (0 on the day).
    pub days_left: i64,
    pub link: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExamResult {
    pub category: String,
    pub passed: bool,
    pub part1_score: i32,
    pub part2_passed: bool,
    pub link: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct EndorsementIssued {
    pub category: String,
    pub number: String,
    pub valid_through: String,
    /// Emerging (requirements still to finish) rather than full.
    pub emerging: bool,
    /// The public verification page.
    pub link: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct EndorsementLapsed {
    pub category: String,
    pub number: String,
    /// Where to start a reinstatement.
    pub link: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScholarshipDecision {
    pub fund: String,
    pub approved: bool,
    /// The decision in words (`approved`, `waitlisted`, ...).
    pub status: String,
    /// The amount awarded, formatted, when approved.
    pub amount: Option<String>,
    /// The association pays it outside this service.
    pub paid_outside: bool,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RenewalReminder {
    pub year: i32,
    pub closes_on: String,
    pub link: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RenewalSubmitted {
    pub year: i32,
    pub amount: Option<String>,
    pub invoice_number: Option<String>,
    /// Pay the invoice, or the renewal's page when nothing is owed.
    pub link: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RenewalApproved {
    pub year: i32,
    pub valid_through: String,
    pub endorsements: Vec<String>,
    pub link: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RenewalReturned {
    pub year: i32,
    pub reasons: String,
    pub link: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct WebhookDisabled {
    pub url: String,
    pub reason: String,
    pub link: String,
}

impl Mail {
    pub fn key(&self) -> MailTemplateKey {
        use MailTemplateKey as K;
        match self {
            Mail::TemporaryLogin(_) => K::TemporaryLogin,
            Mail::RegistrationReceived(_) => K::RegistrationReceived,
            Mail::RegistrationAttempt(_) => K::RegistrationAttempt,
            Mail::AddressHasAccount(_) => K::AddressHasAccount,
            Mail::PasswordReset(_) => K::PasswordReset,
            Mail::ConfirmEmailChange(_) => K::ConfirmEmailChange,
            Mail::EmailChanged(_) => K::EmailChanged,
            Mail::MembershipActive(_) => K::MembershipActive,
            Mail::ApplicationSubmitted(_) => K::ApplicationSubmitted,
            Mail::ApplicationDeferred(_) => K::ApplicationDeferred,
            Mail::ApplicationApprovedForExam(_) => K::ApplicationApprovedForExam,
            Mail::ApplicationDeclined(_) => K::ApplicationDeclined,
            Mail::ApplicationOnHold(_) => K::ApplicationOnHold,
            Mail::ReviewerAssigned(_) => K::ReviewerAssigned,
            Mail::ReferenceRequest(_) => K::ReferenceRequest,
            Mail::ReferenceReminder(_) => K::ReferenceReminder,
            Mail::ExamReminder(_) => K::ExamReminder,
            Mail::ExamResult(_) => K::ExamResult,
            Mail::EndorsementIssued(_) => K::EndorsementIssued,
            Mail::EndorsementLapsed(_) => K::EndorsementLapsed,
            Mail::ScholarshipDecision(_) => K::ScholarshipDecision,
            Mail::RenewalReminder(_) => K::RenewalReminder,
            Mail::RenewalSubmitted(_) => K::RenewalSubmitted,
            Mail::RenewalApproved(_) => K::RenewalApproved,
            Mail::RenewalReturned(_) => K::RenewalReturned,
            Mail::WebhookDisabled(_) => K::WebhookDisabled,
        }
    }

    /// A reminder, which a person may turn off; every other email is transactional.
    pub fn is_reminder(&self) -> bool {
        matches!(self, Mail::RenewalReminder(_) | Mail::ReferenceReminder(_) | Mail::ExamReminder(_))
    }

    /// Everything the template sees: the message's fields, `name`, `affiliate`, `language`.
    pub fn context(&self, name: &str, affiliate: &str, language: Language) -> serde_json::Value {
        let mut ctx = serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({}));
        if let Some(map) = ctx.as_object_mut() {
            map.insert("name".into(), name.into());
            map.insert("affiliate".into(), affiliate.into());
            map.insert("language".into(), language.as_str().into());
        }
        ctx
    }

    /// `key` with Washington's values in `language`, as a coordinator's preview shows it.
    pub fn sample(key: MailTemplateKey, language: Language) -> Mail {
        use MailTemplateKey as K;
        let l = Locale(language);
        let base = "https://portal.wa-aimh.org";
        let app = format!("{base}/applications/0194f3a0-f1e9-7d42-81f3-d421f35b51e5");
        let category = l.name("Infant Family Specialist", Some("Especialista en Familia e Infancia")).to_string();
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).map(|d| l.date(d)).unwrap_or_default();
        let code = || WithCode {
            link: format!("{base}/activate?token=Q2hvb3NlIGEgcGFzc3dvcmQ"),
            code: "Q2hvb3NlIGEgcGFzc3dvcmQ".into(),
            valid_for: l.pick("7 days", "7 días").into(),
        };
        let about = || About { category: category.clone(), link: app.clone() };
        let reference = || ReferenceRequest {
            applicant: "Ana López".into(),
            category: category.clone(),
            relationship: l.pick("Clinical supervisor at Childhaven", "Supervisora clínica en Childhaven").into(),
            link: format!("{base}/reference?token=UmF0ZSBBbmE"),
            code: "UmF0ZSBBbmE".into(),
            expires_on: date(2026, 12, 23),
        };
        let decided = || Decided {
            category: category.clone(),
            reasons: l
                .pick(
                    "Please add the RSC log for 2026 and a third reference.",
                    "Agregue el registro de RSC de 2026 y una tercera referencia.",
                )
                .into(),
            link: app.clone(),
        };
        match key {
            K::TemporaryLogin => Mail::TemporaryLogin(code()),
            K::RegistrationReceived => Mail::RegistrationReceived(RegistrationReceived {
                fee: l.money(2500, "USD"),
                invoice_number: "WA-2026-000123".into(),
                link: format!("{base}/invoices/0194f3a0-4577-7130-8664-1306645eac50/pay"),
            }),
            K::RegistrationAttempt => Mail::RegistrationAttempt(JustLink { link: format!("{base}/reset-password") }),
            K::AddressHasAccount => Mail::AddressHasAccount(JustLink { link: format!("{base}/reset-password") }),
            K::PasswordReset => Mail::PasswordReset(WithCode {
                link: format!("{base}/reset-password?token=UmVzZXQgbXkgcGFzc3dvcmQ"),
                code: "UmVzZXQgbXkgcGFzc3dvcmQ".into(),
                valid_for: l.pick("1 hour", "1 hora").into(),
            }),
            K::ConfirmEmailChange => Mail::ConfirmEmailChange(WithCode {
                link: format!("{base}/confirm-email?token=Q29uZmlybSBteSBlbWFpbA"),
                code: "Q29uZmlybSBteSBlbWFpbA".into(),
                valid_for: l.pick("24 hours", "24 horas").into(),
            }),
            K::EmailChanged => Mail::EmailChanged(EmailChanged { new_email: "ana.lopez@childhaven.org".into() }),
            K::MembershipActive => Mail::MembershipActive(MembershipActive {
                plan: l.pick("Individual membership", "Membresía individual").into(),
                ends_on: date(2026, 12, 31),
            }),
            K::ApplicationSubmitted => Mail::ApplicationSubmitted(about()),
            K::ApplicationDeferred => Mail::ApplicationDeferred(decided()),
            K::ApplicationApprovedForExam => Mail::ApplicationApprovedForExam(about()),
            K::ApplicationDeclined => Mail::ApplicationDeclined(decided()),
            K::ApplicationOnHold => Mail::ApplicationOnHold(decided()),
            K::ReviewerAssigned => Mail::ReviewerAssigned(about()),
            K::ReferenceRequest => Mail::ReferenceRequest(reference()),
            K::ReferenceReminder => Mail::ReferenceReminder(reference()),
            K::ExamReminder => Mail::ExamReminder(ExamReminder {
                category: category.clone(),
                sitting_on: date(2026, 12, 9),
                location: "Seattle, WA-AIMH office".into(),
                days_left: 7,
                link: app.clone(),
            }),
            K::ExamResult => Mail::ExamResult(ExamResult {
                category: category.clone(),
                passed: true,
                part1_score: 86,
                part2_passed: true,
                link: app.clone(),
            }),
            K::EndorsementIssued => Mail::EndorsementIssued(EndorsementIssued {
                category: category.clone(),
                number: "WA-IFS-2026-0042".into(),
                valid_through: date(2027, 12, 31),
                emerging: false,
                link: format!("{base}/verify/WA-IFS-2026-0042"),
            }),
            K::EndorsementLapsed => Mail::EndorsementLapsed(EndorsementLapsed {
                category: category.clone(),
                number: "WA-IFS-2026-0042".into(),
                link: format!("{base}/applications/new?kind=reinstatement"),
            }),
            K::ScholarshipDecision => Mail::ScholarshipDecision(ScholarshipDecision {
                fund: "Tribal Communities Scholarship".into(),
                approved: true,
                status: l.pick("approved", "aprobada").into(),
                amount: Some(l.money(2500, "USD")),
                paid_outside: false,
                reason: None,
            }),
            K::RenewalReminder => Mail::RenewalReminder(RenewalReminder {
                year: 2026,
                closes_on: date(2026, 12, 31),
                link: format!("{base}/renewals/2026"),
            }),
            K::RenewalSubmitted => Mail::RenewalSubmitted(RenewalSubmitted {
                year: 2026,
                amount: Some(l.money(5000, "USD")),
                invoice_number: Some("WA-2026-000456".into()),
                link: format!("{base}/invoices/0194f3a0-8a87-7250-8c6f-250c6f7fe0da/pay"),
            }),
            K::RenewalApproved => Mail::RenewalApproved(RenewalApproved {
                year: 2026,
                valid_through: date(2027, 12, 31),
                endorsements: vec![format!("{category} (WA-IFS-2026-0042)")],
                link: format!("{base}/renewals/2026"),
            }),
            K::RenewalReturned => Mail::RenewalReturned(RenewalReturned {
                year: 2026,
                reasons: l.pick("Please add the RSC log for 2026.", "Agregue el registro de RSC de 2026.").into(),
                link: format!("{base}/renewals/2026"),
            }),
            K::WebhookDisabled => Mail::WebhookDisabled(WebhookDisabled {
                url: "https://crm.wa-aimh.org/hooks/endorse".into(),
                reason: l.pick("The endpoint answered 410 Gone.", "El destino respondió 410 Gone.").into(),
                link: format!("{base}/webhooks/0194f3a0-2b1c-7d4e-8f5a-6b7c8d9e0f1a"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's table of template variables is what each template really sees.
    #[test]
    fn the_readme_lists_each_template_s_variables() {
        let readme = include_str!("../../../README.md");
        for key in MailTemplateKey::ALL {
            let ctx = Mail::sample(*key, Language::English).context("Ana", "WA-AIMH", Language::English);
            let mut fields: Vec<String> = ctx
                .as_object()
                .map(|m| {
                    m.keys().filter(|k| !["name", "affiliate", "language"].contains(&k.as_str())).cloned().collect()
                })
                .unwrap_or_default();
            fields.sort();
            let row = readme
                .lines()
                .find(|l| l.starts_with(&format!("| `{key}` |")))
                .unwrap_or_else(|| panic!("README has no row for {key}"));
            let mut listed: Vec<String> = row
                .split('|')
                .nth(2)
                .unwrap_or_default()
                .split(',')
                .map(|f| f.trim().trim_matches('`').to_string())
                .collect();
            listed.retain(|f| !f.is_empty());
            listed.sort();
            assert_eq!(listed, fields, "README row of {key}");
        }
    }

    #[test]
    fn each_sample_is_the_message_of_its_template() {
        for key in MailTemplateKey::ALL {
            for language in Language::ALL {
                assert_eq!(Mail::sample(*key, *language).key(), *key);
            }
        }
    }
}
