//! The logs API: upload, read, summary, list.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::body::{is_json, read_limited, MAX_LOG_BYTES};
use crate::db::{LogMeta, NewLog};
use crate::error::{ApiError, ApiResult};
use crate::paths;
use crate::state::{new_id, valid_id, AppState, Shared};

/// JSON form of an upload.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UploadJson {
    /// The log text.
    pub text: String,
    /// Anything the viewer wants back with the log (notes, doubted verdicts, view).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub annotations: Option<serde_json::Value>,
    /// A file name shown as the summary's `file` (default: the id).
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UploadQuery {
    /// For a `text/plain` upload: a file name shown as the summary's `file`.
    pub name: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Created {
    pub id: String,
    /// The viewer's page for it: `/s/<id>`.
    pub url: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LogItem {
    pub id: String,
    /// The viewer's page: `/s/<id>`.
    pub url: String,
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// Bytes.
    pub size: i64,
    /// `cause` or `fix`.
    pub kind: String,
    pub outcome: String,
    pub title: Option<String>,
    pub culprit: Option<String>,
    /// The URL it was fetched from through the link proxy.
    pub source_url: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LogList {
    /// Newest first.
    pub logs: Vec<LogItem>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// 1..=200, default 50.
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub const MAX_NAME_CHARS: usize = 200;
pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 200;

impl From<LogMeta> for LogItem {
    fn from(m: LogMeta) -> Self {
        LogItem {
            url: paths::share_page(&m.id),
            id: m.id,
            name: m.name,
            created_ms: m.created_ms,
            size: m.size,
            kind: m.kind,
            outcome: m.outcome,
            title: m.title,
            culprit: m.culprit,
            source_url: m.source_url,
        }
    }
}

fn check_name(name: Option<String>) -> ApiResult<Option<String>> {
    match name {
        Some(n) if n.chars().count() > MAX_NAME_CHARS => Err(ApiError::BadRequest(format!(
            "name is longer than {MAX_NAME_CHARS} characters"
        ))),
        Some(n) if n.chars().any(char::is_control) => Err(ApiError::BadRequest(
            "name contains control characters".into(),
        )),
        Some(n) if n.is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// Parses and stores a log; `origin` deduplicates (link proxy, preload).
/// Returns the id, which is the earlier one when the origin was stored before.
pub async fn store_log(
    state: &AppState,
    bytes: &[u8],
    name: Option<&str>,
    origin: Option<&str>,
    annotations: Option<&str>,
) -> ApiResult<String> {
    let bisection = bisect_log::parse_bytes(bytes).map_err(ApiError::NotABisectionLog)?;
    let id = new_id();
    let summary = bisect_log::Summary::new(name.unwrap_or(&id), &bisection);
    let kind = match summary.kind {
        bisect_log::Kind::Cause => "cause",
        bisect_log::Kind::Fix => "fix",
    };
    let stored = state
        .db
        .insert_log(&NewLog {
            id: &id,
            name: name.unwrap_or(&id),
            origin,
            body: bytes,
            annotations,
            kind,
            outcome: &summary.outcome,
            title: summary.title.as_deref(),
            culprit: summary.culprit.as_deref(),
        })
        .await?;
    Ok(stored)
}

/// Store a log.
#[utoipa::path(post, path = paths::LOGS, tag = "logs",
    params(UploadQuery),
    request_body(description = "The log as `text/plain`, or JSON `{\"text\", \"annotations\", \"name\"}`; at most 20 MiB",
        content((String = "text/plain"), (UploadJson = "application/json"))),
    responses(
        (status = 201, body = Created),
        (status = 400, description = "malformed JSON"),
        (status = 413, description = "over 20 MiB"),
        (status = 422, description = "not a bisection log: the parser's reason, `line`, `column`"),
    ))]
pub async fn upload(
    State(state): State<Shared>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let bytes = read_limited(&headers, body, MAX_LOG_BYTES).await?;
    let id = if is_json(&headers) {
        let upload: UploadJson = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))?;
        let name = check_name(upload.name.or(q.name))?;
        let annotations = match &upload.annotations {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(v.to_string()),
        };
        store_log(
            &state,
            upload.text.as_bytes(),
            name.as_deref(),
            None,
            annotations.as_deref(),
        )
        .await?
    } else {
        let name = check_name(q.name)?;
        store_log(&state, &bytes, name.as_deref(), None, None).await?
    };
    Ok((
        StatusCode::CREATED,
        Json(Created {
            url: paths::share_page(&id),
            id,
        }),
    ))
}

async fn body_of(state: &AppState, id: &str) -> ApiResult<(String, Vec<u8>)> {
    if !valid_id(id) {
        return Err(ApiError::NotFound(format!("log {id}")));
    }
    state
        .db
        .log_body(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("log {id}")))
}

/// The stored text of a log, byte for byte.
#[utoipa::path(get, path = paths::LOG, tag = "logs",
    params(("id" = String, Path, description = "log id")),
    responses((status = 200, content_type = "text/plain", body = String), (status = 404)))]
pub async fn get_text(State(state): State<Shared>, Path(id): Path<String>) -> ApiResult<Response> {
    let (_, body) = body_of(&state, &id).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response())
}

/// The same JSON object as `bisect-log summary FILE` (trust fields included).
#[utoipa::path(get, path = paths::LOG_SUMMARY, tag = "logs",
    params(("id" = String, Path, description = "log id")),
    responses((status = 200, description = "bisect_log::Summary", body = Object), (status = 404)))]
pub async fn get_summary(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let json = match state.cached_summary(&id) {
        Some(json) => json,
        None => {
            let (name, body) = body_of(&state, &id).await?;
            let summary = match bisect_log::parse_bytes(&body) {
                Ok(b) => bisect_log::Summary::new(name, &b),
                Err(e) => {
                    bisect_log::Summary::unparseable(name, &String::from_utf8_lossy(&body), &e)
                }
            };
            let json: Arc<str> = serde_json::to_string(&summary)
                .map_err(|e| ApiError::Internal(format!("serializing a summary: {e}")))?
                .into();
            state.cache_summary(&id, json.clone());
            json
        }
    };
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        json.to_string(),
    )
        .into_response())
}

/// The annotations uploaded with a log (`null` when none).
#[utoipa::path(get, path = paths::LOG_ANNOTATIONS, tag = "logs",
    params(("id" = String, Path, description = "log id")),
    responses((status = 200, body = Object), (status = 404)))]
pub async fn get_annotations(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    if !valid_id(&id) {
        return Err(ApiError::NotFound(format!("log {id}")));
    }
    let annotations = state
        .db
        .log_annotations(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("log {id}")))?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        annotations.unwrap_or_else(|| "null".to_string()),
    )
        .into_response())
}

fn parse_cursor(cursor: &str) -> ApiResult<(i64, &str)> {
    cursor
        .split_once('.')
        .and_then(|(ms, id)| Some((ms.parse().ok()?, id)))
        .filter(|(_, id)| valid_id(id))
        .ok_or_else(|| ApiError::BadRequest(format!("invalid cursor: {cursor}")))
}

/// Stored logs, newest first, a page at a time.
#[utoipa::path(get, path = paths::LOGS, tag = "logs", params(ListQuery),
    responses((status = 200, body = LogList), (status = 400)))]
pub async fn list(
    State(state): State<Shared>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<LogList>> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )));
    }
    let before = q.cursor.as_deref().map(parse_cursor).transpose()?;
    // One more than asked tells whether there is a next page.
    let mut rows = state.db.list_logs(limit + 1, before).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|m| format!("{}.{}", m.created_ms, m.id))
    } else {
        None
    };
    Ok(Json(LogList {
        logs: rows.into_iter().map(LogItem::from).collect(),
        next_cursor,
    }))
}
