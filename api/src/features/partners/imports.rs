//! CSV imports for coordinators: each data row becomes a sync item (the same rules as
//! the bulk API); a dry run reports every row's outcome, an apply writes all or nothing.
use crate::error::ProblemCode;
use serde_json::{Map, Value};

use crate::{
    auth::Caller, error::AppError, error::AppResult, error::FieldError, features::partners::dto::sync::ImportMode,
    features::partners::dto::sync::ImportReport, features::partners::sync, features::partners::sync::SyncKind,
    features::partners::sync::WriteMode,
};
use sea_orm::DatabaseConnection;

/// Most data rows one import may carry.
pub const MAX_ROWS: usize = 10_000;

const PEOPLE_COLUMNS: &[&str] = &[
    "external_id",
    "email",
    "given_name",
    "family_name",
    "preferred_language",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
];
const PEOPLE_REQUIRED: &[&str] = &["external_id", "email", "given_name", "family_name"];
// `state` is the older name of `status`, still read.
const MEMBERSHIP_COLUMNS: &[&str] =
    &["external_id", "person_external_id", "plan_id", "starts_on", "ends_on", "status", "state"];

pub fn columns(kind: SyncKind) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        SyncKind::People => (PEOPLE_COLUMNS, PEOPLE_REQUIRED),
        _ => (MEMBERSHIP_COLUMNS, &MEMBERSHIP_COLUMNS[..5]),
    }
}

/// The part of a person's `address` a people column fills, if any.
fn address_part(column: &str) -> Option<&str> {
    match column {
        "address_line1" => Some("line1"),
        "address_line2" => Some("line2"),
        "city" | "region" | "postal_code" | "country" => Some(column),
        _ => None,
    }
}

/// Reads the CSV into one JSON item per data row (empty cells are absent fields).
fn items(kind: SyncKind, body: &[u8]) -> AppResult<Vec<Value>> {
    let (known, required) = columns(kind);
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(body);
    let bad = |detail: String| AppError::bad_request(ProblemCode::InvalidCsv, detail);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad(format!("The header row cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    if let Some(unknown) = headers.iter().find(|h| !known.contains(&h.as_str())) {
        return Err(bad(format!("Unknown column `{unknown}`; the columns are: {}.", known.join(", "))));
    }
    if let Some(missing) = required.iter().find(|r| !headers.iter().any(|h| h == *r)) {
        return Err(bad(format!("The column `{missing}` is required.")));
    }
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(format!("Row {} cannot be read: {e}", n + 1)))?;
        if out.len() == MAX_ROWS {
            return Err(AppError::PayloadTooLargeItems { max: MAX_ROWS, got: MAX_ROWS + 1 });
        }
        let mut object = Map::new();
        let mut address = Map::new();
        for (header, cell) in headers.iter().zip(record.iter()) {
            if cell.is_empty() {
                continue;
            }
            match address_part(header) {
                Some(part) if kind == SyncKind::People => {
                    address.insert(part.to_string(), Value::String(cell.to_string()));
                }
                _ => {
                    object.insert(header.clone(), Value::String(cell.to_string()));
                }
            }
        }
        if !address.is_empty() {
            object.insert("address".into(), Value::Object(address));
        }
        out.push(Value::Object(object));
    }
    Ok(out)
}

pub async fn import(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    kind: SyncKind,
    mode: ImportMode,
    body: &[u8],
) -> AppResult<ImportReport> {
    // Access first, so a caller without it learns nothing from how the file is parsed.
    sync::writable_affiliate(db, caller, ident).await?;
    let rows = items(kind, body)?;
    let count = rows.len();
    let write = match mode {
        ImportMode::DryRun => WriteMode::DryRun,
        ImportMode::Apply => WriteMode::AllOrNothing,
    };
    let (counts, results) = sync::run(db, caller, ident, kind, rows, write, 1).await?;
    if mode == ImportMode::Apply && counts.failed > 0 {
        let errors = results
            .iter()
            .filter_map(|r| r.problem.as_ref().map(|p| (r.index, p)))
            .flat_map(|(row, p)| match &p.errors {
                Some(list) if !list.is_empty() => list
                    .iter()
                    .map(|e| FieldError::new(format!("rows[{row}].{}", e.field), e.code.clone(), e.message.clone()))
                    .collect::<Vec<_>>(),
                _ => vec![FieldError::new(format!("rows[{row}]"), p.code.as_str(), p.detail.clone())],
            })
            .collect();
        return Err(AppError::Rejected {
            code: ProblemCode::ImportRejected,
            detail: format!("{} of {count} rows have problems; nothing was imported.", counts.failed),
            errors,
        });
    }
    Ok(ImportReport { applied: mode == ImportMode::Apply, rows: count, counts, results })
}
