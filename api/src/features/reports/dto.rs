//! Dashboard reports: counts computed in the database, one affiliate at a time.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::domain::money::Money;

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryStatusCount {
    pub category: String,
    pub status: entity::endorsement::EndorsementStatus,
    pub count: i64,
}

/// Endorsements by category and status.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndorsementReport {
    pub affiliate_id: Uuid,
    pub rows: Vec<CategoryStatusCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineCount {
    /// The deadline the applications target; absent for those not tied to one (e.g. reinstatements).
    pub deadline_id: Option<Uuid>,
    pub title: Option<String>,
    pub date: Option<NaiveDate>,
    #[serde(rename = "status")]
    pub state: entity::application::ApplicationState,
    pub count: i64,
}

/// Applications per deadline and state.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationReport {
    pub affiliate_id: Uuid,
    pub rows: Vec<DeadlineCount>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RenewalReportQuery {
    #[param(minimum = 2000, maximum = 2200)]
    #[validate(range(min = 2000, max = 2200))]
    pub year: i32,
}

/// Renewal completion for a year, counted in people (one renewal covers all their endorsements).
#[derive(Debug, Serialize, ToSchema)]
pub struct RenewalReport {
    pub affiliate_id: Uuid,
    pub year: i32,
    /// Everyone who had to renew this year: still due, renewed, or lapsed.
    pub total: i64,
    /// Still holding an active endorsement that runs out this year, with nothing submitted.
    pub not_started: i64,
    pub open: i64,
    pub submitted: i64,
    pub returned: i64,
    pub approved: i64,
    pub lapsed: i64,
    /// `approved / total`, 0 when nobody was due.
    pub completion: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FundUsage {
    pub fund_id: Uuid,
    pub name: String,
    pub budget: Money,
    pub awarded: Money,
    pub remaining: Money,
    pub pending_requests: i64,
    pub approved_requests: i64,
}

/// Scholarship budget used, per fund.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScholarshipReport {
    pub affiliate_id: Uuid,
    pub funds: Vec<FundUsage>,
}
