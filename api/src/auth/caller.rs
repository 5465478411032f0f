//! The authenticated caller, taken from `Authorization: Bearer <access token>`, and the
//! authorization helpers that keep every query scoped to what the caller may see.
use crate::error::ProblemCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;

use super::tokens::{self, AccessClaims};
use crate::{
    domain::roles::Role, error::AppError, http::rate_limit::VerifiedClaims, platform::audit::Actor, state::AppState,
};

/// Who a token is for (the `kind` claim).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Person,
    Client,
}

#[derive(Clone, Debug)]
pub struct Caller {
    pub kind: SubjectKind,
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub roles: Vec<Role>,
    pub scopes: Vec<crate::domain::scopes::Scope>,
    pub request_id: Option<String>,
}

impl Caller {
    fn from_claims(claims: AccessClaims, request_id: Option<String>) -> Result<Self, AppError> {
        let id = Uuid::parse_str(&claims.sub).map_err(|_| invalid_token())?;
        let kind = claims.kind;
        Ok(Caller {
            kind,
            id,
            affiliate_id: claims.aff,
            roles: claims.roles,
            scopes: claims
                .scope
                .map(|s| s.split_whitespace().filter_map(crate::domain::scopes::Scope::parse).collect())
                .unwrap_or_default(),
            request_id,
        })
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.kind == SubjectKind::Person && (role == Role::Applicant || self.roles.contains(&role))
    }

    pub fn is_admin(&self) -> bool {
        self.has_role(Role::Admin)
    }

    /// Admins manage every affiliate; coordinators manage their own.
    pub fn manages_affiliate(&self, affiliate_id: Uuid) -> bool {
        self.is_admin() || (self.has_role(Role::Coordinator) && self.affiliate_id == affiliate_id)
    }

    /// Whether the caller may see a record of `affiliate_id` owned by `owner` (a person,
    /// if the record is personal): admins see all; staff and machine clients see their
    /// affiliate's records; a person sees their own.
    pub fn can_see(&self, affiliate_id: Uuid, owner: Option<Uuid>) -> bool {
        if self.is_admin() {
            return true;
        }
        if self.affiliate_id != affiliate_id {
            return false;
        }
        match self.kind {
            SubjectKind::Client => true,
            SubjectKind::Person => {
                self.has_role(Role::Coordinator) || self.has_role(Role::Reviewer) || owner == Some(self.id)
            }
        }
    }

    /// The record if the caller may see it; otherwise 404, so that another person's or
    /// another affiliate's record is indistinguishable from one that does not exist.
    pub fn visible<T>(
        &self,
        record: Option<T>,
        affiliate_id: impl Fn(&T) -> Uuid,
        owner: impl Fn(&T) -> Option<Uuid>,
        what: &str,
    ) -> Result<T, AppError> {
        match record {
            Some(r) if self.can_see(affiliate_id(&r), owner(&r)) => Ok(r),
            _ => Err(AppError::NotFound(what.to_string())),
        }
    }

    pub fn has_scope(&self, scope: crate::domain::scopes::Scope) -> bool {
        self.kind == SubjectKind::Client && self.scopes.contains(&scope)
    }

    /// Staff work on an affiliate's records: its coordinators (or an admin), or one of
    /// its machine clients holding `scope`. Others get 403.
    pub fn require_staff_or_scope(
        &self,
        affiliate_id: Uuid,
        scope: crate::domain::scopes::Scope,
    ) -> Result<(), AppError> {
        let allowed = match self.kind {
            SubjectKind::Person => self.manages_affiliate(affiliate_id),
            SubjectKind::Client => self.affiliate_id == affiliate_id && self.has_scope(scope),
        };
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "This needs a coordinator of the affiliate or a machine client with the `{scope}` scope."
            )))
        }
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.is_admin() { Ok(()) } else { Err(AppError::Forbidden("This action needs the admin role.".into())) }
    }

    pub fn require_person(&self) -> Result<(), AppError> {
        match self.kind {
            SubjectKind::Person => Ok(()),
            SubjectKind::Client => Err(AppError::Forbidden("This endpoint is for people, not machine clients.".into())),
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            kind: match self.kind {
                SubjectKind::Person => crate::platform::audit::ActorKind::Person,
                SubjectKind::Client => crate::platform::audit::ActorKind::Client,
            },
            id: Some(self.id),
            request_id: self.request_id.clone(),
        }
    }
}

fn invalid_token() -> AppError {
    AppError::Unauthenticated {
        code: ProblemCode::InvalidToken,
        detail: "The access token is invalid or has expired.".into(),
    }
}

/// Reads and verifies the bearer token, if there is one, and checks that it has not been
/// revoked since (its subject's token generation; see `revocation`).
pub async fn authenticate(req: &HttpRequest) -> Result<Option<Caller>, AppError> {
    let Some(claims) = verified_claims(req)? else {
        return Ok(None);
    };
    let caller = Caller::from_claims(claims.clone(), crate::http::request_id::from_request(req))?;
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| AppError::internal("application state missing"))?;
    let current = state.generations.current(&state.db, caller.kind, caller.id).await?;
    if current != Some(claims.generation) {
        tracing::debug!(subject = %caller.id, "access token revoked");
        return Err(invalid_token());
    }
    Ok(Some(caller))
}

/// The claims of a bearer token whose signature and time claims check out.
fn verified_claims(req: &HttpRequest) -> Result<Option<AccessClaims>, AppError> {
    // The rate limiter has already verified a valid token of this request.
    if let Some(v) = req.extensions().get::<VerifiedClaims>() {
        return Ok(Some(v.0.clone()));
    }
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| invalid_token())?;
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => {
            return Err(AppError::Unauthenticated {
                code: ProblemCode::InvalidRequest,
                detail: "Use `Authorization: Bearer <access token>`.".into(),
            });
        }
    };
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| AppError::internal("application state missing"))?;
    let claims = tokens::verify(&state.keys, &state.token_settings, token).map_err(|e| {
        tracing::debug!(reason = %e, "access token refused");
        invalid_token()
    })?;
    Ok(Some(claims))
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(&req).await?.ok_or(AppError::Unauthenticated {
                code: ProblemCode::Unauthenticated,
                detail: "This endpoint needs an access token (`Authorization: Bearer ...`).".into(),
            })
        })
    }
}

/// For public endpoints: no token is fine, but a bad token is still refused.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await.map(MaybeCaller) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(kind: SubjectKind, affiliate: Uuid, roles: &[Role]) -> Caller {
        Caller {
            kind,
            id: Uuid::now_v7(),
            affiliate_id: affiliate,
            roles: roles.to_vec(),
            scopes: vec![],
            request_id: None,
        }
    }

    #[test]
    fn visibility_is_scoped_to_affiliate_and_owner() {
        let wa = Uuid::now_v7();
        let mi = Uuid::now_v7();
        let person = caller(SubjectKind::Person, wa, &[]);
        let someone_else = Some(Uuid::now_v7());
        assert!(person.can_see(wa, Some(person.id)));
        assert!(!person.can_see(wa, someone_else), "another person's record");
        assert!(!person.can_see(mi, Some(person.id)), "another affiliate");
        let coordinator = caller(SubjectKind::Person, wa, &[Role::Coordinator]);
        assert!(coordinator.can_see(wa, someone_else));
        assert!(!coordinator.can_see(mi, someone_else));
        let client = caller(SubjectKind::Client, wa, &[]);
        assert!(client.can_see(wa, someone_else));
        assert!(!client.can_see(mi, None));
        let admin = caller(SubjectKind::Person, wa, &[Role::Admin]);
        assert!(admin.can_see(mi, someone_else));
        assert!(!client.has_role(Role::Admin), "machine clients hold no person roles");
    }

    #[test]
    fn invisible_records_are_404() {
        let wa = Uuid::now_v7();
        let person = caller(SubjectKind::Person, wa, &[]);
        let theirs = (wa, Some(Uuid::now_v7()));
        let err = person.visible(Some(theirs), |r| r.0, |r| r.1, "Invoice").unwrap_err();
        assert!(matches!(err, AppError::NotFound(_)));
        let mine = (wa, Some(person.id));
        assert!(person.visible(Some(mine), |r| r.0, |r| r.1, "Invoice").is_ok());
    }
}
