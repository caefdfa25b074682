//! The jobs API: submit, state, log, live events, cancel.
//!
//! Submitting and cancelling need `Authorization: Bearer <BISECT_LENS_TOKEN>`;
//! reading a job does not (job ids are random, and a browser's EventSource
//! cannot send headers).

use std::convert::Infallible;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::Stream;
use subtle::ConstantTimeEq;

pub use bisect_log::job::{
    JobCreated, JobKind, JobProgress, JobRequest, JobStatus, DEFAULT_RUNS, DEFAULT_TIMEOUT_S,
    MAX_ARGS, MAX_ARG_BYTES, MAX_REV_CHARS, MAX_RUNS, MAX_TIMEOUT_S, MIN_TIMEOUT_S,
};

use crate::body::{read_limited, MAX_JOB_BYTES};
use crate::db::{state as job_state, JobRow};
use crate::error::{ApiError, ApiResult};
use crate::paths;
use crate::state::{new_id, valid_id, AppState, Shared};

impl From<&JobRow> for JobStatus {
    fn from(j: &JobRow) -> Self {
        JobStatus {
            id: j.id.clone(),
            state: j.state.clone(),
            culprit: j.culprit.clone(),
            candidates: serde_json::from_str(&j.candidates).unwrap_or_default(),
            error: j.error.clone(),
            tested_commits: j.tested_commits,
            cancel_requested: j.cancel_requested,
            created_ms: j.created_ms,
            updated_ms: j.updated_ms,
            request: serde_json::from_str(&j.spec).ok(),
            progress: j
                .progress
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok()),
        }
    }
}

/// Checks `Authorization: Bearer <token>` in constant time. The token is never logged.
pub fn authorize(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let Some(expected) = state.token.as_deref() else {
        return Err(ApiError::JobsDisabled);
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        // The scheme is case-insensitive (RFC 9110).
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token);
    // `ct_eq` on slices of different lengths is false without comparing bytes:
    // only the length can leak.
    if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

/// Resolves a job's `repo` under the repositories' root: relative, no `..`,
/// and after following symlinks still inside the root.
pub fn resolve_repo(root: Option<&Path>, repo: &str) -> ApiResult<PathBuf> {
    let root = root.ok_or_else(|| {
        ApiError::Invalid(
            "the server's --repos-root does not exist: no repository can be used".into(),
        )
    })?;
    let rel = Path::new(repo);
    if repo.is_empty() || repo.contains('\0') {
        return Err(ApiError::Invalid(
            "repo must be a non-empty relative path".into(),
        ));
    }
    if rel.is_absolute() || repo.starts_with('/') || repo.starts_with('\\') {
        return Err(ApiError::Invalid(format!(
            "repo must be relative to the repositories' root, not absolute: {repo}"
        )));
    }
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(ApiError::Invalid(format!(
            "repo must not contain '..': {repo}"
        )));
    }
    let joined = root.join(rel);
    let canonical = joined.canonicalize().map_err(|_| {
        ApiError::Invalid(format!("no repository {repo} under the repositories' root"))
    })?;
    if !canonical.starts_with(root) || canonical == root {
        return Err(ApiError::Invalid(format!(
            "repo {repo} leads outside the repositories' root"
        )));
    }
    if !canonical.join(".git").exists() && !canonical.join("HEAD").is_file() {
        return Err(ApiError::Invalid(format!("{repo} is not a git repository")));
    }
    Ok(canonical)
}

fn check_rev(name: &str, rev: &str) -> ApiResult<()> {
    if rev.is_empty()
        || rev.chars().count() > MAX_REV_CHARS
        || rev.starts_with('-')
        || rev.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ApiError::Invalid(format!(
            "{name} must be a git revision (no spaces, not starting with '-', at most {MAX_REV_CHARS} characters)"
        )));
    }
    Ok(())
}

/// Validates a request against the limits; returns the repository's path.
pub fn validate(root: Option<&Path>, req: &JobRequest) -> ApiResult<PathBuf> {
    check_rev("good", &req.good)?;
    check_rev("bad", &req.bad)?;
    if req.command.is_empty() || req.command[0].is_empty() {
        return Err(ApiError::Invalid("command must be a non-empty argv".into()));
    }
    if req.command.len() > MAX_ARGS {
        return Err(ApiError::Invalid(format!(
            "command has more than {MAX_ARGS} arguments"
        )));
    }
    if req
        .command
        .iter()
        .any(|a| a.len() > MAX_ARG_BYTES || a.contains('\0'))
    {
        return Err(ApiError::Invalid(format!(
            "each command argument must be at most {MAX_ARG_BYTES} bytes, without NUL"
        )));
    }
    if !(1..=MAX_RUNS).contains(&req.runs) {
        return Err(ApiError::Invalid(format!(
            "runs must be between 1 and {MAX_RUNS}"
        )));
    }
    if !(MIN_TIMEOUT_S..=MAX_TIMEOUT_S).contains(&req.timeout_s) {
        return Err(ApiError::Invalid(format!(
            "timeout_s must be between {MIN_TIMEOUT_S} and {MAX_TIMEOUT_S}"
        )));
    }
    resolve_repo(root, &req.repo)
}

/// Queue a bisection job.
#[utoipa::path(post, path = paths::JOBS, tag = "jobs", request_body = JobRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = JobCreated),
        (status = 400, description = "malformed JSON"),
        (status = 401, description = "missing or wrong token"),
        (status = 403, description = "the server has no BISECT_LENS_TOKEN"),
        (status = 413, description = "body over 64 KiB"),
        (status = 422, description = "a field out of its limits, or a repo outside --repos-root"),
    ))]
pub async fn submit(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<JobCreated>)> {
    authorize(&state, &headers)?;
    let bytes = read_limited(&headers, body, MAX_JOB_BYTES).await?;
    let req: JobRequest = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::BadRequest(format!("invalid job request: {e}")))?;
    validate(state.repos_root.as_deref(), &req)?;
    let id = new_id();
    let spec = serde_json::to_string(&req)
        .map_err(|e| ApiError::Internal(format!("serializing a job: {e}")))?;
    state.db.insert_job(&id, &spec).await?;
    tracing::info!(job = %id, repo = %req.repo, "job queued");
    state.notify_job(&id);
    Ok((
        StatusCode::CREATED,
        Json(JobCreated {
            url: paths::job_page(&id),
            id,
        }),
    ))
}

async fn job_of(state: &AppState, id: &str) -> ApiResult<JobRow> {
    if !valid_id(id) {
        return Err(ApiError::NotFound(format!("job {id}")));
    }
    state
        .db
        .job(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("job {id}")))
}

/// A job's state.
#[utoipa::path(get, path = paths::JOB, tag = "jobs",
    params(("id" = String, Path, description = "job id")),
    responses((status = 200, body = JobStatus), (status = 404)))]
pub async fn status(
    State(state): State<Shared>,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Json<JobStatus>> {
    Ok(Json(JobStatus::from(&job_of(&state, &id).await?)))
}

/// The job's log so far, in the syzbot format.
#[utoipa::path(get, path = paths::JOB_LOG, tag = "jobs",
    params(("id" = String, Path, description = "job id")),
    responses((status = 200, content_type = "text/plain", body = String), (status = 404)))]
pub async fn log(State(state): State<Shared>, UrlPath(id): UrlPath<String>) -> ApiResult<Response> {
    job_of(&state, &id).await?;
    let mut text = String::new();
    let mut after = -1;
    loop {
        let lines = state.db.lines_after(&id, after, 10_000).await?;
        let Some(last) = lines.last() else { break };
        after = last.0;
        for (_, line) in &lines {
            text.push_str(line);
            text.push('\n');
        }
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// The job's finished steps, in order: the engine's records (commit, role,
/// runs with their outcomes, verdict, git commands), as stored for resuming.
#[utoipa::path(get, path = paths::JOB_STEPS, tag = "jobs",
    params(("id" = String, Path, description = "job id")),
    responses((status = 200, body = Vec<Object>), (status = 404)))]
pub async fn steps(
    State(state): State<Shared>,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Response> {
    job_of(&state, &id).await?;
    let records = state.db.steps(&id).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        format!("[{}]", records.join(",")),
    )
        .into_response())
}

/// Ask a job to stop. A queued job is cancelled at once; a running one at its
/// next check (within a few seconds).
#[utoipa::path(post, path = paths::JOB_CANCEL, tag = "jobs",
    params(("id" = String, Path, description = "job id")),
    security(("bearer" = [])),
    responses((status = 200, body = JobStatus), (status = 401), (status = 404)))]
pub async fn cancel(
    State(state): State<Shared>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> ApiResult<Json<JobStatus>> {
    authorize(&state, &headers)?;
    job_of(&state, &id).await?;
    let job = state
        .db
        .request_cancel(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("job {id}")))?;
    state.notify_job(&id);
    Ok(Json(JobStatus::from(&job)))
}

/// Server-Sent Events: `line` (one log line, data `{"seq": n, "line": text}`;
/// the event `id` is `seq`, so a reconnecting EventSource resumes after it),
/// `state` (the job's state JSON as `GET /api/jobs/{id}`, on every change),
/// `reset` (lines already sent were dropped when the job resumed after a
/// server restart: clear them; the whole log follows). The stream ends after
/// the final state.
#[utoipa::path(get, path = paths::JOB_EVENTS, tag = "jobs",
    params(("id" = String, Path, description = "job id")),
    responses((status = 200, content_type = "text/event-stream", body = String), (status = 404)))]
pub async fn events(
    State(state): State<Shared>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    job_of(&state, &id).await?;
    let last_seen: Option<i64> = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let reset = match last_seen {
        Some(seq) => !state.db.line_exists(&id, seq).await?,
        None => false,
    };
    let stream = EventStream {
        state: state.clone(),
        id,
        after: if reset { -1 } else { last_seen.unwrap_or(-1) },
        last_status: None,
        pending: if reset {
            vec![Event::default().event("reset").data(RESET_DATA)]
        } else {
            Vec::new()
        },
        done: false,
        rx: state.job_events.subscribe(),
    };
    let stream = futures_util::stream::unfold(stream, |mut s| async move {
        s.next_event().await.map(|e| (Ok(e), s))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

const RESET_DATA: &str = r#"{"reason":"the job resumed after a restart: its log starts again"}"#;

struct EventStream {
    state: Shared,
    id: String,
    after: i64,
    last_status: Option<JobStatus>,
    /// Events to send before looking again (in reverse order).
    pending: Vec<Event>,
    done: bool,
    rx: tokio::sync::broadcast::Receiver<String>,
}

impl EventStream {
    /// The next event, or `None` at the end (the job is over and all was sent,
    /// or the database failed).
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.pending.pop() {
                return Some(e);
            }
            if self.done {
                return None;
            }
            // State first (read before the lines, so no line written before a
            // final state can be missed).
            let job = match self.state.db.job(&self.id).await {
                Ok(Some(job)) => job,
                Ok(None) | Err(_) => return None,
            };
            // Lines already sent may have been dropped when the job resumed
            // after a restart: start over.
            if self.after >= 0 {
                match self.state.db.line_exists(&self.id, self.after).await {
                    Ok(true) => {}
                    Ok(false) => {
                        self.after = -1;
                        self.pending = vec![Event::default().event("reset").data(RESET_DATA)];
                        continue;
                    }
                    Err(_) => return None,
                }
            }
            let lines = match self.state.db.lines_after(&self.id, self.after, 1000).await {
                Ok(lines) => lines,
                Err(_) => return None,
            };
            let more_lines = lines.len() == 1000;
            let mut batch = Vec::new();
            for (seq, line) in lines {
                self.after = seq;
                // JSON: an empty line still has data (an EventSource drops
                // events without), and no character can break the framing.
                let data = serde_json::json!({ "seq": seq, "line": line });
                batch.push(
                    Event::default()
                        .event("line")
                        .id(seq.to_string())
                        .data(data.to_string()),
                );
            }
            let status = JobStatus::from(&job);
            if self.last_status.as_ref() != Some(&status) && !more_lines {
                if let Ok(e) = Event::default().event("state").json_data(&status) {
                    batch.push(e);
                }
                if job_state::is_final(&status.state) {
                    self.done = true;
                }
                self.last_status = Some(status);
            }
            if !batch.is_empty() {
                batch.reverse();
                self.pending = batch;
                continue;
            }
            // Nothing new: wait for a change here or poll (a worker of another
            // server writes to the same database).
            let wait = async {
                loop {
                    match self.rx.recv().await {
                        Ok(changed) if changed == self.id => return,
                        Ok(_) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                            std::future::pending::<()>().await
                        }
                    }
                }
            };
            tokio::select! {
                _ = self.state.shutdown.cancelled() => return None,
                _ = tokio::time::timeout(Duration::from_millis(1000), wait) => {}
            }
        }
    }
}
