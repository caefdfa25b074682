//! The HTTP application: routes, static files, OpenAPI, request tracing.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use tokio::sync::broadcast;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::config::Config;
use crate::db::Db;
use crate::error::ApiError;
use crate::fetch::Fetcher;
use crate::state::{AppState, Shared};
use crate::{fetch, jobs, logs, paths};

#[derive(OpenApi)]
#[openapi(
    info(title = "bisect-lens server", description = "Stores and shares syzbot bisection logs; runs flaky-aware bisection jobs."),
    paths(
        logs::upload, logs::list, logs::get_text, logs::get_summary, logs::get_annotations,
        fetch::fetch,
        jobs::submit, jobs::status, jobs::log, jobs::steps, jobs::events, jobs::cancel,
    ),
    components(schemas(
        logs::UploadJson, logs::Created, logs::LogItem, logs::LogList,
        jobs::JobRequest, jobs::JobKind, jobs::JobCreated, jobs::JobStatus, jobs::JobProgress,
    )),
    modifiers(&BearerAuth),
    tags((name = "logs"), (name = "jobs")),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn api_not_found(req: Request) -> ApiError {
    ApiError::NotFound(format!("API route {} {}", req.method(), req.uri().path()))
}

async fn no_viewer() -> Response {
    (
        axum::http::StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "bisect-server: no viewer here (start it with --dist DIR); the API is under /api/, described at /api/openapi.json\n",
    )
        .into_response()
}

/// The shared state from the configuration; opens the database.
pub async fn state(config: &Config, token: Option<String>) -> Result<Shared, String> {
    let db = Db::connect(&config.database)
        .await
        .map_err(|e| format!("database {}: {e}", redact_url(&config.database)))?;
    let fetcher = Fetcher::new(
        config.fetch_allowlist(),
        Duration::from_secs(config.fetch_timeout_s.max(1)),
    )
    .map_err(|e| format!("http client: {e}"))?;
    let repos_root = config.repos_root.canonicalize().ok();
    if repos_root.is_none() {
        tracing::warn!(
            "--repos-root {} does not exist: every job will be refused",
            config.repos_root.display()
        );
    }
    let (job_events, _) = broadcast::channel(1024);
    Ok(Arc::new(AppState {
        db,
        token: token.filter(|t| !t.is_empty()),
        repos_root,
        fetcher,
        summaries: Mutex::new(Default::default()),
        job_events,
        shutdown: tokio_util::sync::CancellationToken::new(),
    }))
}

/// A database URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].find(':') {
            Some(colon) => format!("{}:***{}", &url[..s + 3 + colon], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

pub fn router(state: Shared, dist: Option<&Path>) -> Router {
    let api = Router::new()
        .route(paths::LOGS, post(logs::upload).get(logs::list))
        .route(paths::LOG, get(logs::get_text))
        .route(paths::LOG_SUMMARY, get(logs::get_summary))
        .route(paths::LOG_ANNOTATIONS, get(logs::get_annotations))
        .route(paths::FETCH, get(fetch::fetch))
        .route(paths::OPENAPI, get(openapi_json))
        .route(paths::JOBS, post(jobs::submit))
        .route(paths::JOB, get(jobs::status))
        .route(paths::JOB_LOG, get(jobs::log))
        .route(paths::JOB_STEPS, get(jobs::steps))
        .route(paths::JOB_EVENTS, get(jobs::events))
        .route(paths::JOB_CANCEL, post(jobs::cancel))
        .route("/api", any(api_not_found))
        .route("/api/", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .with_state(state);
    let app = match dist {
        Some(dir) => {
            let index = PathBuf::from(dir).join("index.html");
            // Files of the build as they are; any other path is an app route
            // (`/s/<id>`, `/jobs/<id>`, …) and gets index.html.
            api.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => api.fallback(no_viewer),
    };
    app.layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
        // Method and path only: never headers (Authorization) nor the query.
        tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
    }))
    .layer(SetSensitiveRequestHeadersLayer::new([
        header::AUTHORIZATION,
    ]))
}
