//! The two types every handler signature names, so a handler reads as what it takes.
use actix_web::{HttpResponse, web};

use crate::{error::AppError, state::AppState};

/// The shared application state, as actix-web hands it to a handler.
pub type AppData = web::Data<AppState>;

/// What every handler answers: a response, or the one error type (rendered as a problem).
pub type Reply = Result<HttpResponse, AppError>;
