//! CSV exports for coordinators (and machine clients with the matching read scope): the
//! endorsee roster and a year's renewal status. Read in keyset chunks so memory per chunk
//! stays bounded; cells that a spreadsheet would run as formulas are neutralised.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{auth::Caller, error::AppError, error::AppResult, features::renewals::service as renewals};
use entity::{endorsement, person};

const CHUNK: u64 = 1000;

/// A leading `=`, `+`, `-`, `@`, tab or carriage return makes a spreadsheet evaluate the
/// cell (CSV injection); a leading apostrophe keeps it text.
pub fn cell(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> AppResult<Vec<u8>> {
    w.into_inner().map_err(AppError::internal)
}

/// Every endorsement of the affiliate (any status), with its holder, ordered by number.
pub async fn roster(db: &DatabaseConnection, caller: &Caller, ident: &str) -> AppResult<Vec<u8>> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    caller.require_staff_or_scope(affiliate.id, crate::domain::scopes::Scope::PeopleRead)?;
    let mut w = writer();
    w.write_record(["number", "category", "status", "issued_on", "expires_on", "given_name", "family_name", "email"])
        .map_err(AppError::internal)?;
    let mut after: Option<String> = None;
    loop {
        let mut q = endorsement::Entity::find().filter(endorsement::Column::AffiliateId.eq(affiliate.id));
        if let Some(a) = &after {
            q = q.filter(endorsement::Column::Number.gt(a.clone()));
        }
        let chunk = q.order_by_asc(endorsement::Column::Number).limit(CHUNK).all(db).await?;
        let ids: Vec<Uuid> = chunk.iter().map(|e| e.person_id).collect();
        let people: HashMap<Uuid, person::Model> = person::Entity::find()
            .filter(person::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        for e in &chunk {
            let p = people.get(&e.person_id);
            let field = |f: fn(&person::Model) -> &str| p.map(|p| cell(f(p))).unwrap_or_default();
            w.write_record([
                e.number.clone(),
                e.category_code.clone(),
                e.status.to_string(),
                e.issued_on.to_string(),
                e.expires_on.to_string(),
                field(|p| &p.given_name),
                field(|p| &p.family_name),
                field(|p| &p.email),
            ])
            .map_err(AppError::internal)?;
        }
        if (chunk.len() as u64) < CHUNK {
            break;
        }
        after = chunk.last().map(|e| e.number.clone());
    }
    finish(w)
}

/// Everyone due in `year` with where their renewal stands (the same statuses as
/// `GET /v1/renewals`), ordered by person.
pub async fn renewal_status(db: &DatabaseConnection, caller: &Caller, ident: &str, year: i32) -> AppResult<Vec<u8>> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    // The status list reads the caller's own affiliate; naming another one is refused.
    if caller.affiliate_id != affiliate.id {
        return Err(AppError::Forbidden("This export covers your own affiliate only.".into()));
    }
    let mut w = writer();
    w.write_record(["person_id", "name", "email", "status", "renewal_id", "endorsements"])
        .map_err(AppError::internal)?;
    let mut after = None;
    loop {
        let chunk = renewals::statuses(db, caller, year, None, after, CHUNK).await?;
        for s in &chunk {
            w.write_record([
                s.person_id.to_string(),
                cell(&s.name),
                cell(&s.email),
                s.status.to_string(),
                s.renewal_id.map(|r| r.to_string()).unwrap_or_default(),
                s.endorsements.join(" "),
            ])
            .map_err(AppError::internal)?;
        }
        if (chunk.len() as u64) < CHUNK {
            break;
        }
        after = chunk.last().map(|s| s.person_id);
    }
    finish(w)
}
