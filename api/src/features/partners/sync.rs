//! Bulk upserts keyed by a partner's own ids (`external_ids`, unique per affiliate and
//! kind). Each item is checked and applied on its own and gets its own result; sending
//! the same items again changes nothing (`unchanged`). CSV imports use the same rules
//! with all-or-nothing writes.
use crate::error::ProblemCode;
use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
    sea_query::{Expr, ExprTrait as _},
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;
use validator::Validate;

use crate::domain::membership::MembershipEvent;
use crate::{
    auth::Caller,
    db,
    db::begin_write,
    domain::people::AccountStatus,
    domain::people::normalize_email,
    error::AppError,
    error::AppResult,
    error::Problem,
    features::accounts::dto::people::Language,
    features::accounts::dto::people::Person,
    features::affiliates::catalog,
    features::applications::dto::PortfolioItem,
    features::endorsements::service as endorsements,
    features::memberships::service as memberships,
    features::partners::dto::sync::EndorsementSync,
    features::partners::dto::sync::MembershipSync,
    features::partners::dto::sync::PersonSync,
    features::partners::dto::sync::RenewalEntrySync,
    features::partners::dto::sync::SyncCounts,
    features::partners::dto::sync::SyncItemResult,
    features::partners::dto::sync::SyncStatus,
    features::partners::dto::sync::SyncedMembershipState,
    features::renewals::service as renewals,
    http::extract::parse_value,
    mail::{
        self, Recipient,
        messages::{EmailChanged, Mail},
    },
    platform::audit,
    platform::audit::Actor,
    platform::audit::AuditEntry,
    platform::change_log as changes,
    platform::change_log::Change,
    platform::change_log::Operation,
};
use entity::sets::RecordKind;
use entity::{
    affiliate, endorsement, external_id, membership,
    person::{self, AccountOrigin},
    renewal, renewal_entry, role_assignment,
};

pub const SCOPE: crate::domain::scopes::Scope = crate::domain::scopes::Scope::SyncWrite;
const KIND_PERSON: RecordKind = RecordKind::Person;
const KIND_MEMBERSHIP: RecordKind = RecordKind::Membership;
const KIND_ENDORSEMENT: RecordKind = RecordKind::Endorsement;
const KIND_RENEWAL_ENTRY: RecordKind = RecordKind::RenewalEntry;
/// Rows per multi-row statement or IN list (well under both databases' parameter limits).
const CHUNK: usize = 1000;
/// Whole-batch attempts when a concurrent request wins a race on a unique key.
const ATTEMPTS: usize = 3;

/// What an applied item became.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub status: SyncStatus,
    pub id: Uuid,
    pub version: i64,
}

/// An item's outcome or its problem (boxed: problems are large and results many).
pub type ItemResult = Result<Outcome, Box<Problem>>;

/// How the items of one request are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMode {
    /// Every good item is written; failed items are reported (the bulk API).
    EachItem,
    /// Checked as if applied, then rolled back (import dry run).
    DryRun,
    /// Everything is written, or nothing when any item failed (import apply).
    AllOrNothing,
}

/// The affiliate named in the path, when the caller may sync into it.
pub async fn writable_affiliate(db: &DatabaseConnection, caller: &Caller, ident: &str) -> AppResult<affiliate::Model> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    caller.require_staff_or_scope(affiliate.id, SCOPE)?;
    Ok(affiliate)
}

/// Parses and validates each raw item on its own, so one bad item does not sink the rest.
pub fn parse_items<T: DeserializeOwned + Validate>(items: Vec<Value>) -> Vec<Result<T, Box<Problem>>> {
    items.into_iter().map(|v| parse_value::<T>(v).map_err(|e| Box::new(e.problem()))).collect()
}

pub fn summarize(
    external_ids: Vec<Option<String>>,
    results: Vec<ItemResult>,
    first_index: usize,
) -> (SyncCounts, Vec<SyncItemResult>) {
    let mut counts = SyncCounts::default();
    let rows = results
        .into_iter()
        .zip(external_ids)
        .enumerate()
        .map(|(i, (r, external_id))| {
            let index = i + first_index;
            match r {
                Ok(o) => {
                    match o.status {
                        SyncStatus::Created => counts.created += 1,
                        SyncStatus::Updated => counts.updated += 1,
                        SyncStatus::Unchanged => counts.unchanged += 1,
                        SyncStatus::Failed => counts.failed += 1,
                    }
                    SyncItemResult {
                        index,
                        external_id,
                        status: o.status,
                        id: Some(o.id),
                        version: Some(o.version),
                        problem: None,
                    }
                }
                Err(p) => {
                    counts.failed += 1;
                    SyncItemResult {
                        index,
                        external_id,
                        status: SyncStatus::Failed,
                        id: None,
                        version: None,
                        problem: Some(*p),
                    }
                }
            }
        })
        .collect();
    (counts, rows)
}

fn conflict(code: ProblemCode, detail: impl Into<String>) -> Box<Problem> {
    Box::new(AppError::conflict(code, detail).problem())
}

/// Why a whole batch stopped: a database error, or a race lost to a concurrent writer
/// (the batch is then run again and sees the winner's rows).
enum Abort {
    Db(DbErr),
    Race,
}

impl From<DbErr> for Abort {
    fn from(e: DbErr) -> Self {
        if db::is_unique_violation(&e) { Abort::Race } else { Abort::Db(e) }
    }
}

// ---- people: set-based, so 100 000 records take seconds ----

/// Upserts people by external id. Reads every record the batch touches in a few
/// queries, decides each item in memory, then writes with multi-row statements.
pub async fn people(
    db: &DatabaseConnection,
    actor: &Actor,
    affiliate_id: Uuid,
    items: &[Result<PersonSync, Box<Problem>>],
    mode: WriteMode,
) -> AppResult<Vec<ItemResult>> {
    for _ in 0..ATTEMPTS {
        let txn = begin_write(db).await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            // Plan the batch's long IN lists for their own values: a generic plan cached
            // while the tables were small (a fresh database filling up) can stay on the
            // connection and turn each lookup into a scan of the whole table.
            txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan").await?;
        }
        let origin = match mode {
            WriteMode::EachItem => AccountOrigin::Sync,
            WriteMode::DryRun | WriteMode::AllOrNothing => AccountOrigin::Import,
        };
        match upsert_people(&txn, actor, affiliate_id, items, origin).await {
            Ok(results) => {
                let failed = results.iter().any(Result::is_err);
                match mode {
                    WriteMode::EachItem => txn.commit().await?,
                    WriteMode::AllOrNothing if !failed => txn.commit().await?,
                    _ => txn.rollback().await?,
                }
                return Ok(results);
            }
            Err(Abort::Race) => {
                txn.rollback().await?;
                continue;
            }
            Err(Abort::Db(e)) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        ProblemCode::ConcurrentSync,
        "Other requests kept changing the same records; retry the request.",
    ))
}

struct PersonPlan {
    model: person::Model,
    status: SyncStatus,
    link: bool,
    /// The login email this update replaces (its owner is told).
    old_email: Option<String>,
}

/// Whether sync or an import of `affiliate_id` may change this account: one it created
/// (or an unclaimed pending registration it was allowed to link), never claimed by its
/// person, holding no staff role.
fn owned_by_partner(p: &person::Model, affiliate_id: Uuid, staff: &HashSet<Uuid>) -> bool {
    p.affiliate_id == affiliate_id
        && !p.is_claimed()
        && !staff.contains(&p.id)
        && (matches!(p.created_via, AccountOrigin::Sync | AccountOrigin::Import) || p.status == AccountStatus::Pending)
}

/// Why an account that a sync item names may not be changed by it.
fn not_owned(p: &person::Model, wanted: &person::Model, staff: &HashSet<Uuid>) -> Box<Problem> {
    if staff.contains(&p.id) {
        conflict(ProblemCode::StaffAccount, "Accounts with a staff role are never changed by sync or imports.")
    } else if p.is_claimed() && p.email_normalized != wanted.email_normalized {
        conflict(
            ProblemCode::EmailOwnedByPerson,
            "This person has signed in: only they change their login email, through its confirmation.",
        )
    } else if p.is_claimed() {
        conflict(
            ProblemCode::AccountClaimed,
            "This person has claimed their account and keeps it up to date themselves.",
        )
    } else {
        conflict(ProblemCode::NotOwned, "This account was not created by this affiliate's sync or imports.")
    }
}

async fn upsert_people(
    txn: &DatabaseTransaction,
    actor: &Actor,
    affiliate_id: Uuid,
    items: &[Result<PersonSync, Box<Problem>>],
    origin: AccountOrigin,
) -> Result<Vec<ItemResult>, Abort> {
    let valid: Vec<&PersonSync> = items.iter().filter_map(|r| r.as_ref().ok()).collect();
    let ext_ids: Vec<String> = valid.iter().map(|p| p.external_id.clone()).collect();
    let mapped = mapped_records(txn, affiliate_id, KIND_PERSON, &ext_ids).await?;
    let mut by_id: HashMap<Uuid, person::Model> = HashMap::new();
    for chunk in mapped.values().copied().collect::<Vec<_>>().chunks(CHUNK) {
        for p in person::Entity::find().filter(person::Column::Id.is_in(chunk.to_vec())).all(txn).await? {
            by_id.insert(p.id, p);
        }
    }
    let emails: Vec<String> = valid.iter().map(|p| normalize_email(&p.email)).collect();
    let mut by_email: HashMap<String, person::Model> = HashMap::new();
    for chunk in emails.chunks(CHUNK) {
        for p in person::Entity::find().filter(person::Column::EmailNormalized.is_in(chunk.to_vec())).all(txn).await? {
            by_email.insert(p.email_normalized.clone(), p);
        }
    }
    let unmapped_owners: Vec<Uuid> = by_email.values().filter(|p| !by_id.contains_key(&p.id)).map(|p| p.id).collect();
    let already_linked = changes::external_ids_for(txn, KIND_PERSON, &unmapped_owners).await?;
    let touched: Vec<Uuid> = by_id.keys().chain(by_email.values().map(|p| &p.id)).copied().collect();
    let staff = with_staff_roles(txn, &touched).await?;

    let now = db::now();
    let mut results = Vec::with_capacity(items.len());
    let mut seen_ext: HashSet<&str> = HashSet::new();
    let mut seen_email: HashSet<String> = HashSet::new();
    let mut plans: Vec<PersonPlan> = Vec::new();
    for item in items {
        let input = match item {
            Ok(p) => p,
            Err(problem) => {
                results.push(Err(problem.clone()));
                continue;
            }
        };
        if !seen_ext.insert(input.external_id.as_str()) {
            results.push(Err(conflict(
                ProblemCode::DuplicateItem,
                "An earlier item of this request has the same external_id.",
            )));
            continue;
        }
        let email = normalize_email(&input.email);
        if !seen_email.insert(email.clone()) {
            results.push(Err(conflict(ProblemCode::EmailTaken, "An earlier item of this request has the same email.")));
            continue;
        }
        let existing = match mapped.get(&input.external_id) {
            Some(id) => match by_id.get(id) {
                Some(p) => Some((p.clone(), false)),
                None => {
                    results.push(Err(conflict(
                        ProblemCode::RecordGone,
                        "The person this external_id named no longer exists.",
                    )));
                    continue;
                }
            },
            // An existing account is never linked silently: only an unclaimed pending
            // registration of this affiliate, with no staff role, may be.
            None => match by_email.get(&email) {
                Some(p) if !owned_by_partner(p, affiliate_id, &staff) || p.status != AccountStatus::Pending => {
                    results.push(Err(conflict(
                        ProblemCode::AccountExists,
                        "An account with this email already exists; its person must be linked by staff or sign in themselves.",
                    )));
                    continue;
                }
                Some(p) if already_linked.contains_key(&p.id) => {
                    results.push(Err(conflict(
                        ProblemCode::LinkedElsewhere,
                        "The account with this email is already linked to another external_id.",
                    )));
                    continue;
                }
                Some(p) => Some((p.clone(), true)),
                None => None,
            },
        };
        if let Some((current, _)) = &existing
            && let Some(owner) = by_email.get(&email)
            && owner.id != current.id
        {
            results.push(Err(conflict(ProblemCode::AccountExists, "Another account already uses this email.")));
            continue;
        }
        let plan = match existing {
            Some((current, link)) => {
                let wanted = desired(current.clone(), input);
                if same_person(&current, &wanted) && !link {
                    PersonPlan { model: current, status: SyncStatus::Unchanged, link, old_email: None }
                } else if !owned_by_partner(&current, affiliate_id, &staff) {
                    results.push(Err(not_owned(&current, &wanted, &staff)));
                    continue;
                } else {
                    let old_email =
                        (current.email_normalized != wanted.email_normalized).then(|| current.email.clone());
                    let model = person::Model { version: current.version + 1, updated_at: now, ..wanted };
                    PersonPlan { model, status: SyncStatus::Updated, link, old_email }
                }
            }
            None => {
                let blank = person::Model {
                    id: Uuid::now_v7(),
                    affiliate_id,
                    email: String::new(),
                    email_normalized: String::new(),
                    given_name: String::new(),
                    family_name: String::new(),
                    password_hash: None,
                    status: AccountStatus::Active,
                    preferred_language: Language::English,
                    phone: None,
                    address_line1: None,
                    address_line2: None,
                    city: None,
                    region: None,
                    postal_code: None,
                    country: None,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                    created_via: origin,
                    last_signed_in_at: None,
                    token_generation: 0,
                    reminders_enabled: true,
                    reminder_email: None,
                    bounced_at: None,
                    bounce_kind: None,
                    bounce_reason: None,
                    bounced_email: None,
                };
                PersonPlan { model: desired(blank, input), status: SyncStatus::Created, link: true, old_email: None }
            }
        };
        results.push(Ok(Outcome { status: plan.status, id: plan.model.id, version: plan.model.version }));
        plans.push(plan);
    }

    write_people(txn, actor, affiliate_id, &plans, &ext_ids_of(items, &results)).await?;
    Ok(results)
}

/// The people among `ids` who hold any staff role (reviewer, coordinator, admin).
async fn with_staff_roles(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<HashSet<Uuid>, DbErr> {
    let mut found = HashSet::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<Uuid> = role_assignment::Entity::find()
            .filter(role_assignment::Column::PersonId.is_in(chunk.to_vec()))
            .select_only()
            .column(role_assignment::Column::PersonId)
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

/// The external id of each successful item, by record id.
fn ext_ids_of(items: &[Result<PersonSync, Box<Problem>>], results: &[ItemResult]) -> HashMap<Uuid, String> {
    items
        .iter()
        .zip(results)
        .filter_map(|(i, r)| match (i, r) {
            (Ok(p), Ok(o)) => Some((o.id, p.external_id.clone())),
            _ => None,
        })
        .collect()
}

fn desired(mut p: person::Model, input: &PersonSync) -> person::Model {
    let address = input.address.clone().unwrap_or_default();
    p.email = input.email.trim().to_string();
    p.email_normalized = normalize_email(&input.email);
    p.given_name = input.given_name.trim().to_string();
    p.family_name = input.family_name.trim().to_string();
    p.preferred_language = input.preferred_language.unwrap_or(Language::English);
    p.phone = input.phone.clone();
    p.address_line1 = address.line1;
    p.address_line2 = address.line2;
    p.city = address.city;
    p.region = address.region;
    p.postal_code = address.postal_code;
    p.country = address.country;
    p
}

fn same_person(a: &person::Model, b: &person::Model) -> bool {
    a.email == b.email
        && a.given_name == b.given_name
        && a.family_name == b.family_name
        && a.preferred_language == b.preferred_language
        && a.phone == b.phone
        && (&a.address_line1, &a.address_line2, &a.city, &a.region, &a.postal_code, &a.country)
            == (&b.address_line1, &b.address_line2, &b.city, &b.region, &b.postal_code, &b.country)
}

async fn write_people(
    txn: &DatabaseTransaction,
    actor: &Actor,
    affiliate_id: Uuid,
    plans: &[PersonPlan],
    ext: &HashMap<Uuid, String>,
) -> Result<(), Abort> {
    let now = db::now();
    let created: Vec<person::ActiveModel> = plans
        .iter()
        .filter(|p| p.status == SyncStatus::Created)
        .map(|p| person::ActiveModel::from(p.model.clone()))
        .collect();
    for chunk in created.chunks(CHUNK / 2) {
        person::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    for p in plans.iter().filter(|p| p.status == SyncStatus::Updated) {
        let m = &p.model;
        // Guarded by the version read: a concurrent change makes the batch run again.
        let res = person::Entity::update_many()
            .col_expr(person::Column::Email, Expr::value(m.email.clone()))
            .col_expr(person::Column::EmailNormalized, Expr::value(m.email_normalized.clone()))
            .col_expr(person::Column::GivenName, Expr::value(m.given_name.clone()))
            .col_expr(person::Column::FamilyName, Expr::value(m.family_name.clone()))
            .col_expr(person::Column::PreferredLanguage, Expr::value(m.preferred_language))
            .col_expr(person::Column::Phone, Expr::value(m.phone.clone()))
            .col_expr(person::Column::AddressLine1, Expr::value(m.address_line1.clone()))
            .col_expr(person::Column::AddressLine2, Expr::value(m.address_line2.clone()))
            .col_expr(person::Column::City, Expr::value(m.city.clone()))
            .col_expr(person::Column::Region, Expr::value(m.region.clone()))
            .col_expr(person::Column::PostalCode, Expr::value(m.postal_code.clone()))
            .col_expr(person::Column::Country, Expr::value(m.country.clone()))
            .col_expr(person::Column::UpdatedAt, Expr::value(m.updated_at))
            .col_expr(person::Column::Version, Expr::col(person::Column::Version).add(1))
            .filter(person::Column::Id.eq(m.id))
            .filter(person::Column::Version.eq(m.version - 1))
            .exec(txn)
            .await?;
        if res.rows_affected != 1 {
            return Err(Abort::Race);
        }
    }
    let links: Vec<external_id::ActiveModel> = plans
        .iter()
        .filter(|p| p.link)
        .filter_map(|p| ext.get(&p.model.id).map(|e| link(affiliate_id, KIND_PERSON, e, p.model.id, now)))
        .collect();
    for chunk in links.chunks(CHUNK) {
        external_id::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    let logged: Vec<Change> = plans
        .iter()
        .filter(|p| p.status != SyncStatus::Unchanged)
        .map(|p| Change {
            affiliate_id,
            kind: KIND_PERSON,
            record_id: p.model.id,
            external_id: ext.get(&p.model.id).cloned(),
            version: p.model.version,
            operation: Operation::Upsert,
            representation: serde_json::to_value(Person::from(p.model.clone())).ok(),
        })
        .collect();
    let (created, updated) = (
        plans.iter().filter(|p| p.status == SyncStatus::Created).count(),
        plans.iter().filter(|p| p.status == SyncStatus::Updated).count(),
    );
    changes::append_many(txn, logged).await?;
    // Every change of a login email tells the address it replaces.
    let mut affiliate = None;
    for p in plans.iter().filter(|p| p.status == SyncStatus::Updated) {
        if let Some(old) = &p.old_email {
            if affiliate.is_none() {
                affiliate = entity::affiliate::Entity::find_by_id(affiliate_id).one(txn).await?;
            }
            let Some(affiliate) = &affiliate else { continue };
            let notice = Mail::EmailChanged(EmailChanged { new_email: p.model.email.clone() });
            let to = Recipient::person(&p.model).at(old);
            mail::send(txn, affiliate, &to, &notice).await.map_err(|e| Abort::Db(DbErr::Custom(e.to_string())))?;
        }
    }
    if created + updated > 0 {
        audit::record(
            txn,
            actor,
            AuditEntry::new(Some(affiliate_id), "sync.people", "person", "bulk")
                .after(serde_json::json!({"created": created, "updated": updated})),
        )
        .await?;
    }
    Ok(())
}

fn link(
    affiliate_id: Uuid,
    kind: RecordKind,
    external: &str,
    record_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> external_id::ActiveModel {
    external_id::ActiveModel {
        affiliate_id: Set(affiliate_id),
        kind: Set(kind),
        external_id: Set(external.into()),
        record_id: Set(record_id),
        created_at: Set(now),
    }
}

/// external id -> record id for the given ids of one kind.
async fn mapped_records(
    db: &impl ConnectionTrait,
    affiliate_id: Uuid,
    kind: RecordKind,
    ext_ids: &[String],
) -> Result<HashMap<String, Uuid>, DbErr> {
    let mut found = HashMap::new();
    for chunk in ext_ids.chunks(CHUNK) {
        let rows = external_id::Entity::find()
            .filter(external_id::Column::AffiliateId.eq(affiliate_id))
            .filter(external_id::Column::Kind.eq(kind))
            .filter(external_id::Column::ExternalId.is_in(chunk.to_vec()))
            .all(db)
            .await?;
        found.extend(rows.into_iter().map(|r| (r.external_id, r.record_id)));
    }
    Ok(found)
}

async fn mapped(
    db: &impl ConnectionTrait,
    affiliate_id: Uuid,
    kind: RecordKind,
    ext: &str,
) -> Result<Option<Uuid>, DbErr> {
    Ok(mapped_records(db, affiliate_id, kind, &[ext.to_string()]).await?.remove(ext))
}

/// The affiliate's person with this external id, or 422 naming `field`.
async fn person_by_external(
    db: &impl ConnectionTrait,
    affiliate_id: Uuid,
    ext: &str,
    field: &str,
) -> AppResult<person::Model> {
    let found = match mapped(db, affiliate_id, KIND_PERSON, ext).await? {
        Some(id) => person::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    found.ok_or_else(|| {
        AppError::invalid_field(field, "unknown_person", "no person of the affiliate has this external id")
    })
}

// ---- memberships, renewal entries, legacy endorsements: one savepoint per item ----

/// One item of the per-item kinds.
pub enum Item {
    Membership(MembershipSync),
    RenewalEntry(RenewalEntrySync),
    Endorsement(EndorsementSync),
}

impl Item {
    pub fn external_id(&self) -> &str {
        match self {
            Item::Membership(m) => &m.external_id,
            Item::RenewalEntry(e) => &e.external_id,
            Item::Endorsement(e) => &e.external_id,
        }
    }
}

/// Applies each item in a savepoint of one transaction: a failed item leaves no trace
/// and does not stop the others.
pub async fn each(
    db: &DatabaseConnection,
    actor: &Actor,
    affiliate: &affiliate::Model,
    items: Vec<Result<Item, Box<Problem>>>,
    mode: WriteMode,
) -> AppResult<Vec<ItemResult>> {
    let txn = begin_write(db).await?;
    let mut results = Vec::with_capacity(items.len());
    let mut seen: HashSet<String> = HashSet::new();
    for item in items {
        let item = match item {
            Ok(i) => i,
            Err(p) => {
                results.push(Err(p));
                continue;
            }
        };
        if !seen.insert(item.external_id().to_string()) {
            results.push(Err(conflict(
                ProblemCode::DuplicateItem,
                "An earlier item of this request has the same external_id.",
            )));
            continue;
        }
        let sp = txn.begin().await?;
        let r = match &item {
            Item::Membership(m) => membership_item(&sp, actor, affiliate, m).await,
            Item::RenewalEntry(e) => renewal_entry_item(&sp, actor, affiliate, e).await,
            Item::Endorsement(e) => endorsement_item(&sp, actor, affiliate, e).await,
        };
        match r {
            Ok(o) => {
                sp.commit().await?;
                results.push(Ok(o));
            }
            Err(e) => {
                sp.rollback().await?;
                results.push(Err(Box::new(e.problem())));
            }
        }
    }
    let failed = results.iter().any(Result::is_err);
    match mode {
        WriteMode::EachItem => txn.commit().await?,
        WriteMode::AllOrNothing if !failed => txn.commit().await?,
        _ => txn.rollback().await?,
    }
    Ok(results)
}

async fn membership_item(
    txn: &DatabaseTransaction,
    actor: &Actor,
    affiliate: &affiliate::Model,
    input: &MembershipSync,
) -> AppResult<Outcome> {
    let person = person_by_external(txn, affiliate.id, &input.person_external_id, "person_external_id").await?;
    let plan =
        memberships::find_plan(txn, input.plan_id).await.ok().filter(|p| p.affiliate_id == affiliate.id).ok_or_else(
            || AppError::invalid_field("plan_id", "unknown_plan", "not a membership plan of the affiliate"),
        )?;
    let state: entity::membership::MembershipState = input.state.unwrap_or(SyncedMembershipState::Paid).into();
    let existing = match mapped(txn, affiliate.id, KIND_MEMBERSHIP, &input.external_id).await? {
        Some(id) => membership::Entity::find_by_id(id).one(txn).await?,
        None => None,
    };
    let (m, status) = match existing {
        Some(current) => {
            if current.person_id != person.id {
                return Err(AppError::invalid_field(
                    "person_external_id",
                    "owner_changed",
                    "this membership belongs to another person; a membership cannot move",
                ));
            }
            let same = current.plan_id == plan.id
                && current.starts_on == Some(input.starts_on)
                && current.ends_on == Some(input.ends_on)
                && current.state == state;
            if same {
                return Ok(Outcome { status: SyncStatus::Unchanged, id: current.id, version: current.version });
            }
            let mut am: membership::ActiveModel = current.clone().into();
            am.plan_id = Set(plan.id);
            am.starts_on = Set(Some(input.starts_on));
            am.ends_on = Set(Some(input.ends_on));
            am.state = Set(crate::domain::membership::transition(current.state, MembershipEvent::Synced(state))
                .map_err(|why| AppError::invalid_state("membership", current.state, why))?);
            (am.update(txn).await?, SyncStatus::Updated)
        }
        None => {
            let m = membership::ActiveModel {
                id: Set(Uuid::now_v7()),
                affiliate_id: Set(affiliate.id),
                person_id: Set(person.id),
                plan_id: Set(plan.id),
                state: Set(state),
                starts_on: Set(Some(input.starts_on)),
                ends_on: Set(Some(input.ends_on)),
                source: Set(entity::membership::MembershipSource::External),
                external_reference: Set(Some(input.external_id.clone())),
                invoice_id: Set(None),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            insert_link(txn, affiliate.id, KIND_MEMBERSHIP, &input.external_id, m.id).await?;
            (m, SyncStatus::Created)
        }
    };
    audit::record(txn, actor, audit_entry(affiliate.id, "sync.membership", KIND_MEMBERSHIP, m.id, status)).await?;
    memberships::log(txn, &m).await?;
    Ok(Outcome { status, id: m.id, version: m.version })
}

async fn renewal_entry_item(
    txn: &DatabaseTransaction,
    actor: &Actor,
    affiliate: &affiliate::Model,
    input: &RenewalEntrySync,
) -> AppResult<Outcome> {
    let person = person_by_external(txn, affiliate.id, &input.person_external_id, "person_external_id").await?;
    let renewal = match renewal::Entity::find()
        .filter(renewal::Column::PersonId.eq(person.id))
        .filter(renewal::Column::Year.eq(input.year))
        .one(txn)
        .await?
    {
        Some(r) => r,
        None => renewals::open_for(txn, actor, affiliate.id, person.id, input.year).await?,
    };
    renewals::editable(&renewal)?;
    let data = serde_json::to_value(&input.item).map_err(AppError::internal)?;
    let existing = match mapped(txn, affiliate.id, KIND_RENEWAL_ENTRY, &input.external_id).await? {
        Some(id) => renewal_entry::Entity::find_by_id(id).one(txn).await?,
        None => None,
    };
    let (e, status) = match existing {
        Some(current) => {
            let current_item: Option<PortfolioItem> = serde_json::from_value(current.data.clone()).ok();
            if current.renewal_id == renewal.id
                && current.kind == input.kind
                && current_item.as_ref() == Some(&input.item)
            {
                return Ok(Outcome { status: SyncStatus::Unchanged, id: current.id, version: current.version });
            }
            if current.renewal_id != renewal.id {
                renewals::ensure_room(txn, renewal.id).await?;
            }
            let mut am: renewal_entry::ActiveModel = current.clone().into();
            am.renewal_id = Set(renewal.id);
            am.kind = Set(input.kind);
            am.data = Set(data);
            (am.update(txn).await?, SyncStatus::Updated)
        }
        None => {
            renewals::ensure_room(txn, renewal.id).await?;
            let e = renewal_entry::ActiveModel {
                id: Set(Uuid::now_v7()),
                renewal_id: Set(renewal.id),
                kind: Set(input.kind),
                data: Set(data),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            insert_link(txn, affiliate.id, KIND_RENEWAL_ENTRY, &input.external_id, e.id).await?;
            (e, SyncStatus::Created)
        }
    };
    audit::record(txn, actor, audit_entry(affiliate.id, "sync.renewal_entry", RecordKind::Renewal, renewal.id, status))
        .await?;
    Ok(Outcome { status, id: e.id, version: e.version })
}

async fn endorsement_item(
    txn: &DatabaseTransaction,
    actor: &Actor,
    affiliate: &affiliate::Model,
    input: &EndorsementSync,
) -> AppResult<Outcome> {
    let person = person_by_external(txn, affiliate.id, &input.person_external_id, "person_external_id").await?;
    // Endorsements decide who may review: a partner never endorses a staff account.
    if !with_staff_roles(txn, &[person.id]).await?.is_empty() {
        return Err(AppError::conflict(
            ProblemCode::StaffAccount,
            "Accounts with a staff role are never changed by sync; staff record their endorsements.",
        ));
    }
    let category = catalog::category(txn, &input.category)
        .await
        .map_err(|_| AppError::invalid_field("category", "unknown_category", "not a category of the catalog"))?;
    let status = entity::endorsement::EndorsementStatus::from(input.status);
    let listed = input.listed.unwrap_or(true);
    let existing = match mapped(txn, affiliate.id, KIND_ENDORSEMENT, &input.external_id).await? {
        Some(id) => endorsement::Entity::find_by_id(id).one(txn).await?,
        None => None,
    };
    let taken = db::conflict_on_unique(ProblemCode::NumberTaken, "Another endorsement has this number.");
    let (m, outcome) = match existing {
        Some(current) => {
            if current.person_id != person.id {
                return Err(AppError::invalid_field(
                    "person_external_id",
                    "owner_changed",
                    "this endorsement belongs to another person; an endorsement cannot move",
                ));
            }
            let same = current.category_code == category.code
                && current.number == input.number
                && current.issued_on == input.issued_on
                && current.expires_on == input.expires_on
                && current.status == status
                && current.listed == listed;
            if same {
                return Ok(Outcome { status: SyncStatus::Unchanged, id: current.id, version: current.version });
            }
            let mut am: endorsement::ActiveModel = current.clone().into();
            am.category_code = Set(category.code.clone());
            am.number = Set(input.number.clone());
            am.issued_on = Set(input.issued_on);
            am.expires_on = Set(input.expires_on);
            am.status = Set(status);
            am.listed = Set(listed);
            (am.update(txn).await.map_err(taken)?, SyncStatus::Updated)
        }
        None => {
            let m = endorsement::ActiveModel {
                id: Set(Uuid::now_v7()),
                affiliate_id: Set(affiliate.id),
                person_id: Set(person.id),
                category_code: Set(category.code.clone()),
                number: Set(input.number.clone()),
                issued_on: Set(input.issued_on),
                expires_on: Set(input.expires_on),
                status: Set(status),
                emerging: Set(false),
                listed: Set(listed),
                ..Default::default()
            }
            .insert(txn)
            .await
            .map_err(taken)?;
            insert_link(txn, affiliate.id, KIND_ENDORSEMENT, &input.external_id, m.id).await?;
            (m, SyncStatus::Created)
        }
    };
    audit::record(txn, actor, audit_entry(affiliate.id, "sync.endorsement", KIND_ENDORSEMENT, m.id, outcome)).await?;
    endorsements::log(txn, &m).await?;
    Ok(Outcome { status: outcome, id: m.id, version: m.version })
}

async fn insert_link(
    txn: &DatabaseTransaction,
    affiliate_id: Uuid,
    kind: RecordKind,
    ext: &str,
    record_id: Uuid,
) -> AppResult<()> {
    link(affiliate_id, kind, ext, record_id, db::now()).insert(txn).await.map_err(db::conflict_on_unique(
        ProblemCode::ExternalIdTaken,
        "Another request gave this external_id at the same time.",
    ))?;
    Ok(())
}

fn audit_entry(
    affiliate_id: Uuid,
    action: &'static str,
    kind: RecordKind,
    id: Uuid,
    status: SyncStatus,
) -> AuditEntry<'static> {
    AuditEntry {
        affiliate_id: Some(affiliate_id),
        action,
        resource_kind: kind.as_str(),
        resource_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "result": status })),
    }
}

/// Caller-facing wrapper: checks access, parses, applies, and counts.
pub async fn run(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    kind: SyncKind,
    items: Vec<Value>,
    mode: WriteMode,
    first_index: usize,
) -> AppResult<(SyncCounts, Vec<SyncItemResult>)> {
    let affiliate = writable_affiliate(db, caller, ident).await?;
    let actor = caller.actor();
    let ext = |v: &Value| v.get("external_id").and_then(Value::as_str).map(str::to_string);
    let external_ids: Vec<Option<String>> = items.iter().map(ext).collect();
    let results = match kind {
        SyncKind::People => {
            let parsed = parse_items::<PersonSync>(items);
            people(db, &actor, affiliate.id, &parsed, mode).await?
        }
        SyncKind::Memberships => {
            let parsed = parse_items::<MembershipSync>(items).into_iter().map(|r| r.map(Item::Membership)).collect();
            each(db, &actor, &affiliate, parsed, mode).await?
        }
        SyncKind::RenewalEntries => {
            let parsed =
                parse_items::<RenewalEntrySync>(items).into_iter().map(|r| r.map(Item::RenewalEntry)).collect();
            each(db, &actor, &affiliate, parsed, mode).await?
        }
        SyncKind::Endorsements => {
            let parsed = parse_items::<EndorsementSync>(items).into_iter().map(|r| r.map(Item::Endorsement)).collect();
            each(db, &actor, &affiliate, parsed, mode).await?
        }
    };
    Ok(summarize(external_ids, results, first_index))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncKind {
    People,
    Memberships,
    RenewalEntries,
    Endorsements,
}
