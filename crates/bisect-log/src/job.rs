//! The job API's types (`POST /api/jobs`, `GET /api/jobs/{id}`), shared by
//! the server, which serves them, and the viewer, which sends and reads them.
//!
//! With the `openapi` feature (the server's) they also derive utoipa's
//! `ToSchema`; without it this module needs nothing but serde.

use serde::{Deserialize, Serialize};

/// Most runs of the command per commit.
pub const MAX_RUNS: u32 = 100;
/// Runs per commit when the request names none.
pub const DEFAULT_RUNS: u32 = 10;
/// Fewest seconds one run may take.
pub const MIN_TIMEOUT_S: u64 = 1;
/// Most seconds one run may take (six hours).
pub const MAX_TIMEOUT_S: u64 = 6 * 3600;
/// Seconds one run may take when the request names none.
pub const DEFAULT_TIMEOUT_S: u64 = 600;
/// Most arguments of the command's argv.
pub const MAX_ARGS: usize = 64;
/// Most bytes of one argument.
pub const MAX_ARG_BYTES: usize = 4096;
/// Most characters of the `good` and `bad` revisions.
pub const MAX_REV_CHARS: usize = 256;

/// What to bisect, as submitted (and stored).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JobRequest {
    /// A git repository, relative to the server's `--repos-root`.
    pub repo: String,
    /// A revision without the bug (with it, for `kind: "fix"`).
    pub good: String,
    /// A revision with the bug (without it, for `kind: "fix"`).
    pub bad: String,
    /// The test command as an argv, run in a worktree at the commit under test;
    /// never passed to a shell. Exit 0 = OK, 125 = skip, 126/127/signal/timeout =
    /// infrastructure (retried once), other = crashed (title: last non-empty stdout line).
    pub command: Vec<String>,
    /// Runs of the command per commit: 1..=100 (default 10).
    #[serde(default = "default_runs")]
    pub runs: u32,
    /// Seconds one run may take: 1..=21600 (default 600).
    #[serde(default = "default_timeout")]
    pub timeout_s: u64,
    /// `cause` (default) or `fix`.
    #[serde(default)]
    pub kind: JobKind,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    #[default]
    Cause,
    Fix,
}

impl JobKind {
    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Cause => "cause",
            JobKind::Fix => "fix",
        }
    }

    /// Reads the name on the wire; `None` for any other text.
    pub fn from_name(name: &str) -> Option<JobKind> {
        match name {
            "cause" => Some(JobKind::Cause),
            "fix" => Some(JobKind::Fix),
            _ => None,
        }
    }
}

fn default_runs() -> u32 {
    DEFAULT_RUNS
}
fn default_timeout() -> u64 {
    DEFAULT_TIMEOUT_S
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobCreated {
    pub id: String,
    /// The viewer's page for it: `/jobs/<id>`.
    pub url: String,
}

/// A job's state.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobStatus {
    pub id: String,
    /// `queued`, `running`, `done`, `failed` or `cancelled`.
    pub state: String,
    /// The first bad (cause) or first good (fix) commit, 40 hex digits.
    pub culprit: Option<String>,
    /// When the bisection could not single one commit out.
    pub candidates: Vec<String>,
    pub error: Option<String>,
    pub tested_commits: i64,
    pub cancel_requested: bool,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub request: Option<JobRequest>,
    /// The engine's latest progress.
    pub progress: Option<JobProgress>,
}

impl JobStatus {
    /// No more change will come: the stream ends and cancelling is moot.
    pub fn is_final(&self) -> bool {
        is_final(&self.state)
    }

    /// What was bisected for (`cause` when the request is unknown).
    pub fn kind(&self) -> JobKind {
        self.request.as_ref().map(|r| r.kind).unwrap_or_default()
    }
}

/// `done`, `failed` and `cancelled` are final states.
pub fn is_final(state: &str) -> bool {
    matches!(state, "done" | "failed" | "cancelled")
}

/// Where a running job is. Every field may be missing: rows stored by
/// older servers still read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobProgress {
    /// Why the commit is tested: `original`, `endpoint`, `bisect`,
    /// `verify` or `parent`.
    #[serde(default)]
    pub role: Option<String>,
    /// The commit under test.
    #[serde(default)]
    pub commit: Option<String>,
    /// Runs of this step so far.
    #[serde(default)]
    pub runs_done: Option<u32>,
    /// Steps finished in the job (replayed ones included).
    #[serde(default)]
    pub steps_done: Option<u32>,
    /// git's latest `roughly K steps` estimate of the bisection steps left.
    #[serde(default)]
    pub steps_left: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_defaults_and_wire_names() {
        let r: Result<JobRequest, _> =
            serde_json::from_str(r#"{"repo":"r","good":"a","bad":"b","command":["x"]}"#);
        let r = r.ok();
        assert_eq!(r.as_ref().map(|r| r.runs), Some(DEFAULT_RUNS));
        assert_eq!(r.as_ref().map(|r| r.timeout_s), Some(DEFAULT_TIMEOUT_S));
        assert_eq!(r.as_ref().map(|r| r.kind), Some(JobKind::Cause));
        let unknown: Result<JobRequest, _> =
            serde_json::from_str(r#"{"repo":"r","good":"a","bad":"b","command":["x"],"extra":1}"#);
        assert!(unknown.is_err());
        for k in [JobKind::Cause, JobKind::Fix] {
            assert_eq!(
                serde_json::to_string(&k).ok(),
                Some(format!("\"{}\"", k.as_str()))
            );
            assert_eq!(JobKind::from_name(k.as_str()), Some(k));
        }
    }

    #[test]
    fn progress_reads_partial_rows() {
        let p: Result<JobProgress, _> = serde_json::from_str(r#"{"steps_done":3}"#);
        assert_eq!(
            p.ok(),
            Some(JobProgress {
                steps_done: Some(3),
                ..JobProgress::default()
            })
        );
        let full =
            r#"{"role":"bisect","commit":"c","runs_done":2,"steps_done":4,"steps_left":null}"#;
        let p: Result<JobProgress, _> = serde_json::from_str(full);
        assert_eq!(
            p.ok()
                .and_then(|p| serde_json::to_string(&p).ok())
                .as_deref(),
            Some(full)
        );
    }
}
