//! What every handler can reach. Nothing here holds state that matters across
//! replicas: that lives in the database.
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::keys::Keys, auth::revocation::TokenGenerations, auth::tokens::TokenSettings, config::Config,
    http::metrics::Metrics,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub keys: Arc<Keys>,
    pub token_settings: TokenSettings,
    pub metrics: Arc<Metrics>,
    /// What creating and settling invoices causes in the other capabilities.
    pub invoice_effects: Arc<dyn crate::features::billing::effects::InvoiceEffects>,
    /// What this replica last read of each subject's token generation.
    pub generations: Arc<TokenGenerations>,
    /// The OpenAPI document, rendered once.
    pub openapi_json: Arc<String>,
    /// The interactive documentation's page and assets, built into the binary.
    pub docs: Arc<crate::features::operations::docs::DocsAssets>,
    /// The front end's pages that emails link to.
    pub links: crate::mail::links::Links,
}
