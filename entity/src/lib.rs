//! sea-orm entities: one module per table, and the closed sets their columns hold. No
//! behaviour lives here beyond naming values; rules are in `api::domain` and use-cases
//! in `api::features`.

/// Declares a closed set stored as a string column: one enum that sea-orm reads and
/// writes (`DeriveActiveEnum`), serde and the OpenAPI schema spell the same way, with
/// `as_str`, `parse` and `ALL`. The database keeps the same strings as before, so no data
/// migration is needed. Doc comments on the enum and its variants become the schema's text.
#[macro_export]
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:tt ),+ $(,)?
        }
    ) => {
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        $(#[$meta])*
        pub enum $name {
            $( $(#[$vmeta])* #[sea_orm(string_value = $value)] #[serde(rename = $value)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as stored and as the API spells it.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $value),+ }
            }

            /// The value named `s`, if it is one.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($value => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod affiliate;
pub mod application;
pub mod application_event;
pub mod application_reference;
pub mod attestation;
pub mod audit_event;
pub mod change_log;
pub mod credential_category;
pub mod credential_family;
pub mod endorsement;
pub mod exam_registration;
pub mod exam_sitting;
pub mod external_id;
pub mod fee_schedule;
pub mod idempotency_key;
pub mod invoice;
pub mod invoice_entry;
pub mod invoice_line;
pub mod login_token;
pub mod machine_client;
pub mod mail_template;
pub mod membership;
pub mod membership_plan;
pub mod number_sequence;
pub mod outbox_message;
pub mod person;
pub mod policy_version;
pub mod portfolio_entry;
pub mod rate_limit;
pub mod refresh_token;
pub mod registration;
pub mod renewal;
pub mod renewal_entry;
pub mod renewal_period;
pub mod renewal_reminder;
pub mod review;
pub mod role_assignment;
pub mod schedule_event;
pub mod scholarship_fund;
pub mod scholarship_request;
/// Implements `ActiveModelBehavior` for a versioned table, the one place its bookkeeping
/// lives: an insert starts at `version` 1 with the listed timestamps stamped (unless the
/// caller set them, e.g. an import keeping its dates); every update bumps `version` by one —
/// unless the caller set it (a compare-and-set) — and stamps `updated_at` when listed. The
/// few `update_many` statements bypass this and set both columns themselves.
#[macro_export]
macro_rules! versioned {
    ($($stamp:ident),*) => {
        #[sea_orm::prelude::async_trait::async_trait]
        impl sea_orm::ActiveModelBehavior for ActiveModel {
            async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, sea_orm::DbErr>
            where
                C: sea_orm::ConnectionTrait,
            {
                #[allow(unused_variables)]
                let now = $crate::now();
                if insert {
                    if self.version.is_not_set() {
                        self.version = sea_orm::ActiveValue::Set(1);
                    }
                    $(if self.$stamp.is_not_set() {
                        self.$stamp = sea_orm::ActiveValue::Set(now);
                    })*
                } else {
                    if let sea_orm::ActiveValue::Unchanged(v) = &self.version {
                        self.version = sea_orm::ActiveValue::Set(*v + 1);
                    }
                    $crate::versioned!(@updated self now $($stamp)*);
                }
                Ok(self)
            }
        }
    };
    (@updated $self:ident $now:ident) => {};
    (@updated $self:ident $now:ident created_at $($rest:ident)*) => { $crate::versioned!(@updated $self $now $($rest)*) };
    (@updated $self:ident $now:ident updated_at $($rest:ident)*) => {
        $self.updated_at = sea_orm::ActiveValue::Set($now);
    };
}

/// The time the service writes: UTC, to the microsecond (what PostgreSQL keeps), so a
/// value reads back equal on both databases.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

pub mod sets;
pub mod webhook_attempt;
pub mod webhook_delivery;
pub mod webhook_subscription;

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    /// The values the OpenAPI schema lists for `T`.
    fn schema_values<T: PartialSchema>() -> Vec<String> {
        let schema = serde_json::to_value(T::schema()).unwrap_or_default();
        schema["enum"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default()
    }

    macro_rules! same_values {
        ($($t:ty),+ $(,)?) => {$(
            let stored: Vec<String> = <$t>::ALL.iter().map(|v| v.as_str().to_string()).collect();
            assert_eq!(schema_values::<$t>(), stored, "{}: the schema must list what is stored", stringify!($t));
            for v in <$t>::ALL {
                assert_eq!(serde_json::to_value(v).ok(), Some(serde_json::Value::String(v.as_str().into())));
                assert_eq!(sea_orm::ActiveEnum::to_value(v), v.as_str());
                assert_eq!(<$t>::parse(v.as_str()), Some(*v));
            }
        )+};
    }

    /// The database, serde and the OpenAPI document spell every closed set the same way.
    #[test]
    fn closed_sets_are_spelled_alike_everywhere() {
        same_values!(
            crate::sets::Language,
            crate::sets::Role,
            crate::sets::FeeKind,
            crate::sets::ChargeKind,
            crate::sets::ActorKind,
            crate::sets::RecordKind,
            crate::sets::Scope,
            crate::renewal::RenewalState,
            crate::application_reference::ReferenceKind,
            crate::application_reference::ReferenceStatus,
            crate::endorsement::EndorsementStatus,
            crate::exam_registration::ExamRegistrationStatus,
            crate::idempotency_key::IdempotencyState,
            crate::login_token::LoginTokenPurpose,
            crate::outbox_message::OutboxKind,
            crate::outbox_message::OutboxStatus,
            crate::person::PersonStatus,
            crate::portfolio_entry::PortfolioKind,
            crate::renewal_entry::RenewalEntryKind,
            crate::review::Recommendation,
            crate::schedule_event::EventKind,
            crate::scholarship_request::ScholarshipPurpose,
            crate::scholarship_request::ScholarshipStatus,
            crate::webhook_delivery::DeliveryStatus,
            crate::webhook_subscription::SubscriptionStatus,
            crate::change_log::Operation,
            crate::application::ApplicationKind,
            crate::attestation::AttestationKind,
            crate::credential_category::MentorTrack,
            crate::membership_plan::TermKind,
        );
    }
}
