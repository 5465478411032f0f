//! The OpenAPI document and the interactive documentation. The documentation is Swagger
//! UI, built into the binary (the `utoipa-swagger-ui` crate's vendored copy), so `/docs`
//! works with no internet; its content security policy allows only its own assets.
use std::sync::Arc;

use actix_web::{HttpResponse, get, http::header, web};

use crate::error::AppError;
use crate::http::handler::{AppData, Reply};

/// Only the page's own scripts, styles, images and the document itself.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'self'; form-action 'none'; \
     frame-ancestors 'none'";

/// Swagger UI, configured to read `/openapi.json`.
pub struct DocsAssets {
    config: Arc<utoipa_swagger_ui::Config<'static>>,
}

impl Default for DocsAssets {
    fn default() -> Self {
        Self::new()
    }
}

impl DocsAssets {
    pub fn new() -> Self {
        DocsAssets { config: Arc::new(utoipa_swagger_ui::Config::new(["/openapi.json"])) }
    }

    /// A file of the built-in Swagger UI (`index.html` for the page).
    fn file(&self, name: &str) -> Result<Option<(Vec<u8>, String)>, AppError> {
        let found = utoipa_swagger_ui::serve(name, self.config.clone()).map_err(AppError::internal)?;
        Ok(found.map(|f| (f.bytes.to_vec(), f.content_type)))
    }
}

fn asset_response(bytes: Vec<u8>, content_type: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_SECURITY_POLICY, DOCS_CSP))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(bytes)
}

/// This API's OpenAPI document.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "The OpenAPI document", body = Object, content_type = "application/json"))
)]
#[get("/openapi.json")]
pub async fn get_openapi_document(state: AppData) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(state.openapi_json.as_str().to_owned())
}

/// Interactive API documentation (Swagger UI, served from the binary: no third-party
/// assets, a content security policy that allows only its own).
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "An HTML page", body = String, content_type = "text/html"))
)]
#[get("/docs")]
pub async fn get_docs(state: AppData) -> Reply {
    let (page, _) = state.docs.file("index.html")?.ok_or_else(|| AppError::internal("docs page missing"))?;
    // The page's assets are relative: resolve them under /docs/.
    let page = String::from_utf8_lossy(&page).replacen("<head>", "<head>\n    <base href=\"/docs/\">", 1);
    Ok(asset_response(page.into_bytes(), "text/html; charset=utf-8".into()))
}

/// A script, style sheet or image of the documentation page.
#[utoipa::path(
    tag = "operations",
    security(()),
    params(("asset" = String, Path, description = "File of the documentation page, e.g. `swagger-ui.css`")),
    responses(
        (status = 200, description = "The file", content(
            (String = "text/css"), (String = "text/javascript"), (String = "application/javascript"),
            (String = "application/json"), (String = "image/png"), (String = "text/html")
        )),
        (status = 404, description = "No such file", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/docs/{asset}")]
pub async fn get_docs_asset(state: AppData, path: web::Path<String>) -> Reply {
    let name = path.into_inner();
    match state.docs.file(&name)? {
        Some((bytes, content_type)) if name != "index.html" => Ok(asset_response(bytes, content_type)),
        _ => Err(AppError::NotFound(format!("`/docs/{name}`"))),
    }
}
