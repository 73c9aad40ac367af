//! Errors of the server and how they become responses: JSON under `/api/`, pages elsewhere.
//! Internal errors are logged with their cause and answered with a 500 that names no internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sitrep_store::StoreError;

#[derive(thiserror::Error, Debug)]
pub enum ServerError {
    #[error("{0}")]
    NotFound(String),

    #[error("{0}")]
    BadRequest(String),

    #[error("{0}")]
    Forbidden(String),

    #[error(transparent)]
    Store(#[from] StoreError),

    #[error("search index {path}: {reason}")]
    Index { path: String, reason: String },

    #[error("{0}")]
    Internal(String),
}

impl ServerError {
    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServerError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServerError::Store(StoreError::BadCursor { .. }) => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message a client sees: the error for 4xx, a generic line for 5xx (the cause is
    /// logged instead).
    pub fn public_message(&self) -> String {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
            "internal error".to_string()
        } else {
            self.to_string()
        }
    }
}

/// The JSON error body of the API: `{"error": {"status": 404, "message": "..."}}`.
pub(crate) struct ApiError(pub ServerError);

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> Self {
        ApiError(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError(ServerError::Store(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let body = serde_json::json!({
            "error": { "status": status.as_u16(), "message": self.0.public_message() }
        });
        (status, axum::Json(body)).into_response()
    }
}
