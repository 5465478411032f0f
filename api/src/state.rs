//! What every handler can reach. Nothing here holds state that matters across
//! replicas: that lives in the database.
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{auth::keys::Keys, auth::tokens::TokenSettings, config::Config, http::metrics::Metrics};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub keys: Arc<Keys>,
    pub token_settings: TokenSettings,
    pub metrics: Arc<Metrics>,
    /// The OpenAPI document, rendered once.
    pub openapi_json: Arc<String>,
    pub docs_html: Arc<String>,
}
