//! People's accounts: the first admin from the CLI, and the signed-in person's view.
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::{
    auth::{Caller, password},
    db::{self, begin_write, is_unique_violation},
    domain::{
        people::{AccountStatus, normalize_email},
        roles::Role,
    },
    dto::auth::Me,
    error::{AppError, AppResult},
    services::{
        affiliates,
        audit::{self, Actor, AuditEntry},
    },
};
use entity::{person, role_assignment};

/// Roles granted to a person (the implicit applicant role first).
pub async fn roles_of(db: &impl ConnectionTrait, person_id: Uuid) -> AppResult<Vec<Role>> {
    let mut roles = vec![Role::Applicant];
    let rows = role_assignment::Entity::find().filter(role_assignment::Column::PersonId.eq(person_id)).all(db).await?;
    for row in rows {
        if let Some(role) = Role::parse(&row.role).filter(|r| !roles.contains(r)) {
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
    let email = input.email.trim().to_string();
    if !validator::ValidateEmail::validate_email(&email) {
        return Err(AppError::invalid_field("email", "email", "must be an email address"));
    }
    let hash = password::hash(input.password).await?;
    let txn = begin_write(db).await?;
    let affiliate = affiliates::find(&txn, &input.affiliate).await?;
    let now = db::now();
    let person = person::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(affiliate.id),
        email_normalized: Set(normalize_email(&email)),
        email: Set(email),
        given_name: Set(input.given_name),
        family_name: Set(input.family_name),
        password_hash: Set(Some(hash)),
        status: Set(AccountStatus::Active.as_str().into()),
        preferred_language: Set("en".into()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::conflict("email_taken", "An account with this email already exists.")
        } else {
            e.into()
        }
    })?;
    for role in input.roles.iter().filter(|r| **r != Role::Applicant) {
        role_assignment::ActiveModel {
            id: Set(Uuid::now_v7()),
            person_id: Set(person.id),
            affiliate_id: Set(affiliate.id),
            role: Set(role.as_str().into()),
            granted_at: Set(now),
            granted_by: Set(None),
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        &Actor::system(),
        AuditEntry {
            affiliate_id: Some(affiliate.id),
            action: "person.staff_created",
            resource_kind: "person",
            resource_id: person.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "email": person.email,
                "roles": input.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(person)
}

pub async fn me(db: &DatabaseConnection, caller: &Caller) -> AppResult<Me> {
    caller.require_person()?;
    let person = person::Entity::find_by_id(caller.id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("Your account".into()))?;
    Ok(Me {
        id: person.id,
        email: person.email,
        given_name: person.given_name,
        family_name: person.family_name,
        affiliate_id: person.affiliate_id,
        status: person.status,
        preferred_language: person.preferred_language,
        roles: roles_of(db, person.id).await?,
    })
}
