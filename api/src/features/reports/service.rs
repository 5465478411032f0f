//! Dashboard reports for coordinators and machine clients with `reports:read`: grouped
//! counts computed by the database, so their cost does not grow with what is returned.
use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement, Value,
    sea_query::{Expr, ExprTrait as _},
};

use crate::{
    auth::Caller, domain::money::Money, error::AppError, error::AppResult, features::reports::dto::ApplicationReport,
    features::reports::dto::CategoryStatusCount, features::reports::dto::DeadlineCount,
    features::reports::dto::EndorsementReport, features::reports::dto::FundUsage,
    features::reports::dto::RenewalReport, features::reports::dto::ScholarshipReport,
};
use entity::{
    affiliate, application, application::ApplicationState, endorsement, endorsement::EndorsementStatus,
    renewal::RenewalState, schedule_event, scholarship_fund, scholarship_request,
    scholarship_request::ScholarshipStatus,
};

const SCOPE: crate::domain::scopes::Scope = crate::domain::scopes::Scope::ReportsRead;

async fn allowed(db: &DatabaseConnection, caller: &Caller, ident: &str) -> AppResult<affiliate::Model> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    caller.require_staff_or_scope(affiliate.id, SCOPE)?;
    Ok(affiliate)
}

pub async fn endorsements(db: &DatabaseConnection, caller: &Caller, ident: &str) -> AppResult<EndorsementReport> {
    let affiliate = allowed(db, caller, ident).await?;
    let rows: Vec<(String, EndorsementStatus, i64)> = endorsement::Entity::find()
        .select_only()
        .column(endorsement::Column::CategoryCode)
        .column(endorsement::Column::Status)
        .column_as(Expr::col(endorsement::Column::Id).count(), "n")
        .filter(endorsement::Column::AffiliateId.eq(affiliate.id))
        .group_by(endorsement::Column::CategoryCode)
        .group_by(endorsement::Column::Status)
        .order_by_asc(endorsement::Column::CategoryCode)
        .order_by_asc(endorsement::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    Ok(EndorsementReport {
        affiliate_id: affiliate.id,
        rows: rows
            .into_iter()
            .map(|(category, status, count)| CategoryStatusCount { category, status, count })
            .collect(),
    })
}

pub async fn applications(db: &DatabaseConnection, caller: &Caller, ident: &str) -> AppResult<ApplicationReport> {
    let affiliate = allowed(db, caller, ident).await?;
    let counts: Vec<(Option<uuid::Uuid>, ApplicationState, i64)> = application::Entity::find()
        .select_only()
        .column(application::Column::DeadlineId)
        .column(application::Column::State)
        .column_as(Expr::col(application::Column::Id).count(), "n")
        .filter(application::Column::AffiliateId.eq(affiliate.id))
        .group_by(application::Column::DeadlineId)
        .group_by(application::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let deadlines = schedule_event::Entity::find()
        .filter(schedule_event::Column::AffiliateId.eq(affiliate.id))
        .filter(schedule_event::Column::Id.is_in(counts.iter().filter_map(|c| c.0)))
        .all(db)
        .await?;
    let mut rows: Vec<DeadlineCount> = counts
        .into_iter()
        .map(|(deadline_id, state, count)| {
            let d = deadline_id.and_then(|id| deadlines.iter().find(|d| d.id == id));
            DeadlineCount { deadline_id, title: d.map(|d| d.title.clone()), date: d.map(|d| d.starts_on), state, count }
        })
        .collect();
    // By date (undated last), then state: the order a dashboard shows them in.
    rows.sort_by(|a, b| {
        (a.date.is_none(), a.date, a.state.as_str()).cmp(&(b.date.is_none(), b.date, b.state.as_str()))
    });
    Ok(ApplicationReport { affiliate_id: affiliate.id, rows })
}

/// Every person due in `year`, counted by their renewal's state (null when not started)
/// and whether an endorsement of theirs lapsed; `renewals` puts each in one bucket. The
/// states are bound as parameters, in the order of `bucket_values`.
const RENEWAL_BUCKETS: &str = "
SELECT r.state AS state, CAST(p.lapsed AS BIGINT) AS lapsed, COUNT(*) AS n FROM (
  SELECT person_id, MAX(lapsed) AS lapsed FROM (
    SELECT person_id, CASE WHEN status = ? THEN 1 ELSE 0 END AS lapsed
      FROM endorsements
     WHERE affiliate_id = ? AND expires_on >= ? AND expires_on <= ? AND status IN (?, ?)
    UNION ALL
    SELECT person_id, 0 FROM renewals WHERE affiliate_id = ? AND year = ? AND state = ?
  ) u GROUP BY person_id
) p
LEFT JOIN renewals r ON r.person_id = p.person_id AND r.year = ?
GROUP BY r.state, p.lapsed";

/// `?` placeholders numbered for PostgreSQL (`$1`, `$2`, …); SQLite takes them as they are.
fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(ch);
        }
    }
    out
}

pub async fn renewals(db: &DatabaseConnection, caller: &Caller, ident: &str, year: i32) -> AppResult<RenewalReport> {
    let affiliate = allowed(db, caller, ident).await?;
    let (first, last) = NaiveDate::from_ymd_opt(year, 1, 1)
        .zip(NaiveDate::from_ymd_opt(year, 12, 31))
        .ok_or_else(|| AppError::invalid_query("year", "range", "out of range"))?;
    let backend = db.get_database_backend();
    let id = Value::from(affiliate.id);
    let lapsed = Value::from(EndorsementStatus::Lapsed.as_str());
    let values = vec![
        lapsed.clone(),
        id.clone(),
        first.into(),
        last.into(),
        Value::from(EndorsementStatus::Active.as_str()),
        lapsed,
        id,
        Value::from(year),
        Value::from(RenewalState::Approved.as_str()),
        Value::from(year),
    ];
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, placeholders(backend, RENEWAL_BUCKETS), values))
        .await?;
    let mut r = RenewalReport {
        affiliate_id: affiliate.id,
        year,
        total: 0,
        not_started: 0,
        open: 0,
        submitted: 0,
        returned: 0,
        approved: 0,
        lapsed: 0,
        completion: 0.0,
    };
    for row in rows {
        let state: Option<String> = row.try_get("", "state")?;
        let lapsed: i64 = row.try_get("", "lapsed")?;
        let n: i64 = row.try_get("", "n")?;
        // Approved first, then lapsed, then the renewal's state, else not started.
        let state = state.as_deref().and_then(RenewalState::parse);
        let bucket = match state {
            Some(RenewalState::Approved) => &mut r.approved,
            _ if lapsed == 1 => &mut r.lapsed,
            None => &mut r.not_started,
            Some(RenewalState::Open) => &mut r.open,
            Some(RenewalState::Submitted) => &mut r.submitted,
            Some(RenewalState::Returned) => &mut r.returned,
        };
        *bucket += n;
        r.total += n;
    }
    if r.total > 0 {
        r.completion = r.approved as f64 / r.total as f64;
    }
    Ok(r)
}

pub async fn scholarships(db: &DatabaseConnection, caller: &Caller, ident: &str) -> AppResult<ScholarshipReport> {
    let affiliate = allowed(db, caller, ident).await?;
    let funds = scholarship_fund::Entity::find()
        .filter(scholarship_fund::Column::AffiliateId.eq(affiliate.id))
        .order_by_asc(scholarship_fund::Column::Id)
        .all(db)
        .await?;
    let counts: Vec<(uuid::Uuid, ScholarshipStatus, i64)> = scholarship_request::Entity::find()
        .select_only()
        .column(scholarship_request::Column::FundId)
        .column(scholarship_request::Column::Status)
        .column_as(Expr::col(scholarship_request::Column::Id).count(), "n")
        .filter(scholarship_request::Column::AffiliateId.eq(affiliate.id))
        .group_by(scholarship_request::Column::FundId)
        .group_by(scholarship_request::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let count = |fund: uuid::Uuid, status: ScholarshipStatus| {
        counts.iter().find(|(f, s, _)| *f == fund && *s == status).map(|c| c.2).unwrap_or(0)
    };
    let funds = funds
        .into_iter()
        .map(|f| FundUsage {
            fund_id: f.id,
            name: f.name.clone(),
            budget: Money::new(f.budget_cents, &f.currency),
            awarded: Money::new(f.awarded_cents, &f.currency),
            remaining: Money::new(f.budget_cents - f.awarded_cents, &f.currency),
            pending_requests: count(f.id, ScholarshipStatus::Pending),
            approved_requests: count(f.id, ScholarshipStatus::Approved),
        })
        .collect();
    Ok(ScholarshipReport { affiliate_id: affiliate.id, funds })
}
