//! People's accounts: the first admin from the CLI, and the signed-in person's view.
use crate::error::ProblemCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::{
    auth::Caller, auth::password, db, db::begin_write, domain::people::AccountStatus, domain::people::normalize_email,
    domain::roles::Role, error::AppError, error::AppResult, platform::audit, platform::audit::Actor,
    platform::audit::AuditEntry,
};
use entity::{person, role_assignment, sets::Language};

/// Every address a person is known by, in identity form (`identity_email`): the current
/// one and each address they changed away from (from the audit log).
pub async fn known_addresses(db: &impl ConnectionTrait, p: &person::Model) -> AppResult<Vec<String>> {
    let mut out = vec![crate::domain::people::identity_email(&p.email)];
    let changes = entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::ResourceKind.eq(entity::sets::RecordKind::Person.as_str()))
        .filter(entity::audit_event::Column::ResourceId.eq(p.id.to_string()))
        .filter(entity::audit_event::Column::Action.eq("person.email_changed"))
        .all(db)
        .await?;
    for e in changes {
        for image in [e.before, e.after].into_iter().flatten() {
            if let Some(old) = image.get("email").and_then(|v| v.as_str()) {
                let id = crate::domain::people::identity_email(old);
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
    }
    Ok(out)
}

/// Roles granted to a person (the implicit applicant role first).
pub async fn roles_of(db: &impl ConnectionTrait, person_id: Uuid) -> AppResult<Vec<Role>> {
    let mut roles = vec![Role::Applicant];
    let rows = role_assignment::Entity::find().filter(role_assignment::Column::PersonId.eq(person_id)).all(db).await?;
    for row in rows {
        if let Some(role) = Some(row.role).filter(|r| !roles.contains(r)) {
            roles.push(role);
        }
    }
    roles.sort();
    Ok(roles)
}

pub struct NewStaff {
    pub email: String,
    pub affiliate: String,
    pub given_name: String,
    pub family_name: String,
    pub password: String,
    pub roles: Vec<Role>,
}

/// Creates an active staff account with a password (the `endorse admin create` command).
pub async fn create_staff(db: &DatabaseConnection, input: NewStaff) -> AppResult<person::Model> {
    password::check_policy(&input.password).map_err(|m| AppError::invalid_field("password", "weak_password", m))?;
    password::check_personal(&input.password, &input.email, &input.given_name, &input.family_name)
        .map_err(|m| AppError::invalid_field("password", "weak_password", m))?;
    let email = input.email.trim().to_string();
    if !validator::ValidateEmail::validate_email(&email) {
        return Err(AppError::invalid_field("email", "email", "must be an email address"));
    }
    let hash = password::hash(input.password).await?;
    let txn = begin_write(db).await?;
    let affiliate = crate::platform::tenancy::find(&txn, &input.affiliate).await?;
    let now = db::now();
    let person = person::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(affiliate.id),
        email_normalized: Set(normalize_email(&email)),
        email: Set(email),
        given_name: Set(input.given_name),
        family_name: Set(input.family_name),
        password_hash: Set(Some(hash)),
        status: Set(AccountStatus::Active),
        preferred_language: Set(Language::English),
        created_via: Set(entity::person::AccountOrigin::Staff),
        token_generation: Set(0),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(db::conflict_on_unique(ProblemCode::EmailTaken, "An account with this email already exists."))?;
    for role in input.roles.iter().filter(|r| **r != Role::Applicant) {
        role_assignment::ActiveModel {
            id: Set(Uuid::now_v7()),
            person_id: Set(person.id),
            affiliate_id: Set(affiliate.id),
            role: Set(*role),
            granted_at: Set(now),
            granted_by: Set(None),
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        &Actor::system(),
        AuditEntry::new(Some(affiliate.id), "person.staff_created", "person", person.id).after(serde_json::json!({
            "email": person.email,
            "roles": input.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(person)
}

// ---- staff: search, read, roles, status ----

use crate::{
    auth::SubjectKind, features::accounts::dto::people::GrantableRole, features::accounts::dto::people::Person,
    features::accounts::dto::people::StaffSettableStatus, features::accounts::people_repr::log_person,
    http::etag::Precondition, http::pagination::PageRequest,
};
use sea_orm::{
    Condition, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait as _, Func},
};

/// A person of the caller's affiliate as staff see them (coordinators, admins, or clients
/// with `people:read`); the person themself too. Anyone else: 404.
pub async fn get(db: &impl ConnectionTrait, caller: &Caller, id: Uuid) -> AppResult<person::Model> {
    let found = person::Entity::find_by_id(id).one(db).await?;
    let visible = found.filter(|p| match caller.kind {
        SubjectKind::Person => p.id == caller.id || caller.manages_affiliate(p.affiliate_id),
        SubjectKind::Client => {
            p.affiliate_id == caller.affiliate_id && caller.has_scope(crate::domain::scopes::Scope::PeopleRead)
        }
    });
    visible.ok_or_else(|| AppError::NotFound("Person".into()))
}

/// Searches the affiliate's people by name or email and status.
pub async fn search(
    db: &DatabaseConnection,
    caller: &Caller,
    q: Option<&str>,
    status: Option<AccountStatus>,
    page: &PageRequest<Uuid>,
) -> AppResult<Vec<person::Model>> {
    caller.require_staff_or_scope(caller.affiliate_id, crate::domain::scopes::Scope::PeopleRead)?;
    let mut query = person::Entity::find()
        .filter(person::Column::AffiliateId.eq(caller.affiliate_id))
        .order_by_asc(person::Column::Id)
        .limit(page.fetch_limit());
    if let Some(q) = q {
        // LIKE wildcards in the search text are matched literally.
        let escaped = q.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        let like = |col: person::Column| {
            Expr::expr(Func::lower(Expr::col(col)))
                .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\'))
        };
        query = query.filter(
            Condition::any()
                .add(like(person::Column::EmailNormalized))
                .add(like(person::Column::GivenName))
                .add(like(person::Column::FamilyName)),
        );
    }
    if let Some(s) = status {
        query = query.filter(person::Column::Status.eq(s));
    }
    if let Some(after) = page.after {
        query = query.filter(person::Column::Id.gt(after));
    }
    Ok(query.all(db).await?)
}

async fn bump(db: &impl ConnectionTrait, current: &person::Model, expected: Option<i64>) -> AppResult<person::Model> {
    let mut update = person::Entity::update_many()
        .col_expr(person::Column::Version, Expr::value(current.version + 1))
        .col_expr(person::Column::UpdatedAt, Expr::value(db::now()))
        .filter(person::Column::Id.eq(current.id));
    if let Some(v) = expected {
        update = update.filter(person::Column::Version.eq(v));
    }
    if update.exec(db).await?.rows_affected != 1 {
        let current = person::Entity::find_by_id(current.id).one(db).await?.map(|p| p.version);
        return Err(AppError::PreconditionFailed { current });
    }
    person::Entity::find_by_id(current.id).one(db).await?.ok_or_else(|| AppError::internal("person vanished"))
}

/// The person whose roles a person (never a machine client) changes: one on the staff
/// they manage (anyone else is a 404), with the change allowed to them.
async fn role_target(
    txn: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
    role: GrantableRole,
) -> AppResult<person::Model> {
    caller.require_person()?;
    let current = get(txn, caller, id).await?;
    if !caller.manages_affiliate(current.affiliate_id) {
        return Err(AppError::NotFound("Person".into()));
    }
    check_grant(txn, caller, &current, role).await?;
    Ok(current)
}

/// A caller grants or revokes only roles up to their own highest one (admin > coordinator >
/// reviewer), and a coordinator never changes an admin.
async fn check_grant(
    db: &impl ConnectionTrait,
    caller: &Caller,
    target: &person::Model,
    role: GrantableRole,
) -> AppResult<()> {
    let highest = caller.roles.iter().copied().max().unwrap_or(Role::Applicant);
    if role.role() > highest {
        return Err(AppError::role_above_own("You can grant or revoke only roles you hold yourself."));
    }
    check_not_above(db, caller, target).await
}

/// 403 `role_above_own` when `target` is an admin and the caller is not.
async fn check_not_above(db: &impl ConnectionTrait, caller: &Caller, target: &person::Model) -> AppResult<()> {
    if !caller.is_admin() && roles_of(db, target.id).await?.contains(&Role::Admin) {
        return Err(AppError::role_above_own("Only an admin changes an admin's account or roles."));
    }
    Ok(())
}

/// Grants a role at the person's affiliate (coordinators; the admin role only by admins).
pub async fn grant_role(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    role: GrantableRole,
) -> AppResult<(person::Model, Vec<Role>)> {
    let txn = begin_write(db).await?;
    let current = role_target(&txn, caller, id, role).await?;
    if current.status != AccountStatus::Active {
        return Err(AppError::Conflict {
            code: ProblemCode::AccountNotActive,
            detail: "Roles can be granted to active accounts only.".into(),
            current_state: Some(current.status.to_string()),
        });
    }
    let before = roles_of(&txn, id).await?;
    if before.contains(&role.role()) {
        txn.commit().await?;
        return Ok((current, before));
    }
    role_assignment::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(id),
        affiliate_id: Set(current.affiliate_id),
        role: Set(role.role()),
        granted_at: Set(db::now()),
        granted_by: Set(Some(caller.id)),
    }
    .insert(&txn)
    .await?;
    let updated = bump(&txn, &current, None).await?;
    let after = roles_of(&txn, id).await?;
    audit::by(&txn, caller, role_entry(&current, "person.role_granted", &before, &after)).await?;
    log_person(&txn, &updated).await?;
    txn.commit().await?;
    Ok((updated, after))
}

fn role_entry<'a>(p: &person::Model, action: &'a str, before: &[Role], after: &[Role]) -> AuditEntry<'a> {
    AuditEntry {
        affiliate_id: Some(p.affiliate_id),
        action,
        resource_kind: "person",
        resource_id: p.id.to_string(),
        before: Some(serde_json::json!({"roles": before})),
        after: Some(serde_json::json!({"roles": after})),
    }
}

/// Revokes a role; needs the person's current ETag.
pub async fn revoke_role(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    role: GrantableRole,
    precondition: &Precondition,
) -> AppResult<(person::Model, Vec<Role>)> {
    let txn = begin_write(db).await?;
    let current = role_target(&txn, caller, id, role).await?;
    let expected = precondition.check(current.version)?;
    let before = roles_of(&txn, id).await?;
    let removed = role_assignment::Entity::delete_many()
        .filter(role_assignment::Column::PersonId.eq(id))
        .filter(role_assignment::Column::Role.eq(role.role().as_str()))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(AppError::NotFound(format!("The {} role of this person", role.role().as_str())));
    }
    // The person's access tokens carry the revoked role: they end, and a refresh gets new ones.
    person::Entity::update_many()
        .col_expr(person::Column::TokenGeneration, Expr::col(person::Column::TokenGeneration).add(1))
        .filter(person::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let updated = bump(&txn, &current, Some(expected)).await?;
    let after = roles_of(&txn, id).await?;
    audit::by(&txn, caller, role_entry(&current, "person.role_revoked", &before, &after)).await?;
    log_person(&txn, &updated).await?;
    txn.commit().await?;
    Ok((updated, after))
}

/// Disables (or re-enables) an account; disabling signs it out everywhere.
pub async fn set_status(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    status: StaffSettableStatus,
    precondition: &Precondition,
) -> AppResult<person::Model> {
    caller.require_person()?;
    let txn = begin_write(db).await?;
    let current = get(&txn, caller, id).await?;
    if !caller.manages_affiliate(current.affiliate_id) {
        return Err(AppError::NotFound("Person".into()));
    }
    let expected = precondition.check(current.version)?;
    if current.id == caller.id {
        return Err(AppError::conflict(ProblemCode::OwnAccount, "You cannot change the status of your own account."));
    }
    check_not_above(&txn, caller, &current).await?;
    let target = match status {
        StaffSettableStatus::Active => AccountStatus::Active,
        StaffSettableStatus::Disabled => AccountStatus::Disabled,
    };
    if target == AccountStatus::Active && current.password_hash.is_none() {
        return Err(AppError::Conflict {
            code: ProblemCode::AccountNotActivated,
            detail: "This account has not set a password yet; it activates through its temporary login.".into(),
            current_state: Some(current.status.to_string()),
        });
    }
    let mut update = person::Entity::update_many();
    if target == AccountStatus::Disabled {
        // Every access token of the account ends too.
        update = update.col_expr(person::Column::TokenGeneration, Expr::col(person::Column::TokenGeneration).add(1));
    }
    let result = update
        .col_expr(person::Column::Status, Expr::value(target.as_str()))
        .col_expr(person::Column::Version, Expr::value(expected + 1))
        .col_expr(person::Column::UpdatedAt, Expr::value(db::now()))
        .filter(person::Column::Id.eq(id))
        .filter(person::Column::Version.eq(expected))
        .exec(&txn)
        .await?;
    if result.rows_affected != 1 {
        let current = person::Entity::find_by_id(id).one(&txn).await?.map(|p| p.version);
        return Err(AppError::PreconditionFailed { current });
    }
    if target == AccountStatus::Disabled {
        entity::refresh_token::Entity::update_many()
            .col_expr(entity::refresh_token::Column::RevokedAt, Expr::value(db::now()))
            .filter(entity::refresh_token::Column::PersonId.eq(id))
            .filter(entity::refresh_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
    }
    let updated =
        person::Entity::find_by_id(id).one(&txn).await?.ok_or_else(|| AppError::internal("person vanished"))?;
    audit::by(
        &txn,
        caller,
        AuditEntry::new(
            Some(current.affiliate_id),
            if target == AccountStatus::Disabled { "person.disabled" } else { "person.enabled" },
            "person",
            id,
        )
        .before(serde_json::json!({"status": current.status}))
        .after(serde_json::json!({"status": updated.status})),
    )
    .await?;
    log_person(&txn, &updated).await?;
    txn.commit().await?;
    Ok(updated)
}

pub fn person_dto(p: person::Model) -> Person {
    Person::from(p)
}
