use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::Problem, features::applications::dto::review::ExamRegistration,
    features::applications::dto::review::ExamResult, features::applications::dto::review::ExamSignup,
    features::applications::dto::review::NewSitting, features::applications::dto::review::Sitting,
    features::applications::exams, http::extract::ApiJson, http::extract::ApiQuery, http::pagination::Page,
    http::pagination::PageParams, http::pagination::PageRequest,
};

/// Exam sittings of the affiliate, with seats left (public).
#[utoipa::path(
    tag = "exam",
    security(()),
    params(crate::http::responses::AffiliatePath, PageParams),
    responses((status = 200, description = "A page of sittings, by date", body = Page<Sitting>), crate::http::responses::NoSuchAffiliate)
)]
#[get("/affiliates/{affiliate}/exam-sittings")]
pub async fn list_exam_sittings(state: AppData, path: web::Path<String>, query: ApiQuery<PageParams>) -> Reply {
    const LIST: &str = "exam-sittings";
    let page = PageRequest::parse(LIST, query.0.limit, query.0.cursor.as_deref())?;
    let rows = exams::sittings(&state.db, &path.into_inner(), &page).await?;
    let (data, next_cursor) = page.finish(LIST, rows, |s| (s.sitting_on, s.id))?;
    Ok(HttpResponse::Ok().json(Page { data, next_cursor }))
}

/// Schedules a sitting within a published exam week (coordinators).
#[utoipa::path(
    tag = "exam",
    params(crate::http::responses::AffiliatePath),
    request_body = NewSitting,
    responses(
        (status = 201, description = "Scheduled", body = Sitting),
        crate::http::responses::NotCoordinator,
        crate::http::responses::NoSuchAffiliate
    )
)]
#[post("/affiliates/{affiliate}/exam-sittings")]
pub async fn create_exam_sitting(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    body: ApiJson<NewSitting>,
) -> Reply {
    Ok(HttpResponse::Created().json(exams::create_sitting(&state.db, &caller, &path.into_inner(), body.0).await?))
}

/// Registers for a sitting (applications approved for the exam): an exam-fee invoice.
#[utoipa::path(
    tag = "exam",
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = ExamSignup,
    responses(
        (status = 201, description = "Registered", body = ExamRegistration),
        (status = 404, description = "No such application of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`, `already_registered`, `sitting_full`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/exam-registrations")]
pub async fn register_for_exam(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<ExamSignup>,
) -> Reply {
    Ok(HttpResponse::Created()
        .json(ExamRegistration::from(exams::register(&state, &caller, path.into_inner(), body.0.sitting_id).await?)))
}

/// Records both parts of an exam (coordinators). A pass endorses the application.
#[utoipa::path(
    tag = "exam",
    params(("id" = Uuid, Path, description = "Exam registration id")),
    request_body = ExamResult,
    responses(
        (status = 200, description = "Recorded", body = ExamRegistration),
        (status = 404, description = "No such registration you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`result_recorded`, `exam_fee_unpaid`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/exam-registrations/{id}/result")]
pub async fn record_exam_result(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<ExamResult>,
) -> Reply {
    Ok(HttpResponse::Ok()
        .json(ExamRegistration::from(exams::record(&state, &caller, path.into_inner(), body.0).await?)))
}
