use actix_web::{HttpResponse, delete, get, http::header, post, put, web};
use entity::{mail_template::MailTemplateKey, sets::Language};

use super::{
    dto::{MailPreview, MailTemplate, MailTemplateDraft, MailTemplateInput},
    service,
};
use crate::{
    auth::Caller,
    http::{
        etag::{Precondition, etag},
        extract::ApiJson,
        handler::{AppData, Reply},
        pagination::{Page, PageParams, whole},
    },
};

type TemplatePath = web::Path<(String, MailTemplateKey, Language)>;

fn answer(t: MailTemplate) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(t.version))).json(t)
}

/// Every email template of the affiliate in English and Spanish (coordinators).
#[utoipa::path(
    tag = "messages",
    params(crate::http::responses::AffiliatePath, PageParams),
    responses(
        (status = 200, description = "Each template and language, with the wording in use", body = Page<MailTemplate>),
        crate::http::responses::NotCoordinator,
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/mail-templates")]
pub async fn list_mail_templates(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    query: crate::http::extract::ApiQuery<PageParams>,
) -> Reply {
    let rows = service::list(&state.db, &caller, &path.into_inner()).await?;
    let key = |t: &MailTemplate| (t.template.as_str().to_string(), t.language.as_str().to_string());
    Ok(HttpResponse::Ok().json(whole("mail_templates", query.0.parts(), rows, key, |t| t)?))
}

/// One template in one language (coordinators), with its ETag.
#[utoipa::path(
    tag = "messages",
    params(crate::http::responses::AffiliatePath, ("template" = MailTemplateKey, Path), ("language" = Language, Path)),
    responses(
        (status = 200, description = "The wording in use", body = MailTemplate),
        crate::http::responses::NotCoordinator,
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/mail-templates/{template}/{language}")]
pub async fn get_mail_template(state: AppData, caller: Caller, path: TemplatePath) -> Reply {
    let (affiliate, key, language) = path.into_inner();
    Ok(answer(service::get(&state.db, &caller, &affiliate, key, language).await?))
}

/// Replaces the affiliate's wording of a template (coordinators): refused with 422 `invalid_template` when it does not render with the template's sample.
#[utoipa::path(
    tag = "messages",
    params(crate::http::responses::AffiliatePath, ("template" = MailTemplateKey, Path), ("language" = Language, Path)),
    request_body = MailTemplateInput,
    responses(
        (status = 200, description = "Saved; emails use it from now on", body = MailTemplate),
        crate::http::responses::NotCoordinator,
        crate::http::responses::NoSuchAffiliate
    )
)]
#[put("/affiliates/{affiliate}/mail-templates/{template}/{language}")]
pub async fn replace_mail_template(
    state: AppData,
    caller: Caller,
    path: TemplatePath,
    precondition: Precondition,
    body: ApiJson<MailTemplateInput>,
) -> Reply {
    let (affiliate, key, language) = path.into_inner();
    Ok(answer(service::replace(&state.db, &caller, &affiliate, (key, language), body.0, &precondition).await?))
}

/// Resets a template to the built-in wording (coordinators).
#[utoipa::path(
    tag = "messages",
    params(crate::http::responses::AffiliatePath, ("template" = MailTemplateKey, Path), ("language" = Language, Path)),
    responses(
        (status = 200, description = "The built-in wording, in use again", body = MailTemplate),
        crate::http::responses::NotCoordinator,
        crate::http::responses::NoSuchAffiliate
    )
)]
#[delete("/affiliates/{affiliate}/mail-templates/{template}/{language}")]
pub async fn reset_mail_template(
    state: AppData,
    caller: Caller,
    path: TemplatePath,
    precondition: Precondition,
) -> Reply {
    let (affiliate, key, language) = path.into_inner();
    Ok(answer(service::reset(&state.db, &caller, &affiliate, (key, language), &precondition).await?))
}

/// Renders a template, or a draft of it, with its sample (coordinators); nothing is stored or sent.
#[utoipa::path(
    tag = "messages",
    params(crate::http::responses::AffiliatePath, ("template" = MailTemplateKey, Path), ("language" = Language, Path)),
    request_body = MailTemplateDraft,
    responses(
        (status = 200, description = "The email as it would be", body = MailPreview),
        crate::http::responses::NotCoordinator,
        crate::http::responses::NoSuchAffiliate
    )
)]
#[post("/affiliates/{affiliate}/mail-templates/{template}/{language}/preview")]
pub async fn preview_mail_template(
    state: AppData,
    caller: Caller,
    path: TemplatePath,
    body: ApiJson<MailTemplateDraft>,
) -> Reply {
    let (affiliate, key, language) = path.into_inner();
    Ok(HttpResponse::Ok().json(service::preview(&state.db, &caller, &affiliate, (key, language), body.0).await?))
}
