//! Every error the API returns, mapped to its HTTP status in one place.
//!
//! The body is always JSON: `{"error": "<human text>", "code": "<stable code>"}`,
//! plus `line`/`column` for a log the parser refused.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("request body exceeds {limit} bytes")]
    TooLarge { limit: usize },
    #[error("not a bisection log: {0}")]
    NotABisectionLog(bisect_log::ParseError),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Invalid(String),
    #[error("missing or wrong bearer token")]
    Unauthorized,
    #[error("job submission is disabled: the server has no BISECT_LENS_TOKEN")]
    JobsDisabled,
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("host not allowed: {0}")]
    FetchHostRefused(String),
    #[error("{0}")]
    FetchUpstream(String),
    #[error("the upstream answer exceeds {limit} bytes")]
    FetchTooLarge { limit: usize },
    #[error("{0}")]
    FetchTimeout(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Internal(String),
}

#[derive(Serialize)]
struct Body {
    error: String,
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<u32>,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotABisectionLog(_) | ApiError::Invalid(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::JobsDisabled | ApiError::FetchHostRefused(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::FetchUpstream(_) | ApiError::FetchTooLarge { .. } => StatusCode::BAD_GATEWAY,
            ApiError::FetchTimeout(_) => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Database(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::TooLarge { .. } => "too_large",
            ApiError::NotABisectionLog(_) => "not_a_bisection_log",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Invalid(_) => "invalid",
            ApiError::Unauthorized => "unauthorized",
            ApiError::JobsDisabled => "jobs_disabled",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::FetchHostRefused(_) => "fetch_host_refused",
            ApiError::FetchUpstream(_) => "fetch_upstream",
            ApiError::FetchTooLarge { .. } => "fetch_too_large",
            ApiError::FetchTimeout(_) => "fetch_timeout",
            ApiError::Database(_) => "database",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code(), "{self}");
        }
        let (line, column) = match &self {
            ApiError::NotABisectionLog(bisect_log::ParseError::NotABisectionLog {
                line,
                column,
                ..
            }) => (Some(*line), Some(*column)),
            _ => (None, None),
        };
        // Internal details (SQL, paths) stay in the server log.
        let error = match &self {
            ApiError::Database(_) => "database error".to_string(),
            _ => self.to_string(),
        };
        let body = Body {
            error,
            code: self.code(),
            line,
            column,
        };
        (status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
