//! An affiliate's email templates: coordinators list, read, replace, reset and preview
//! the wording of every email the service sends (`crate::mail` renders and sends them).
pub mod dto;
pub mod routes;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::list_mail_templates)
        .service(routes::get_mail_template)
        .service(routes::replace_mail_template)
        .service(routes::reset_mail_template)
        .service(routes::preview_mail_template);
}
