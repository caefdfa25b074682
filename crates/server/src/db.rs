//! Storage: every SQL query of the server, for SQLite and PostgreSQL alike.
//!
//! One code path through `sqlx::Any`: the queries use `$N` placeholders and SQL
//! both databases accept. The only difference is how a worker claims a queued
//! job (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several servers can share one
//! queue) and the migrations' column type for bytes.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A log to store.
pub struct NewLog<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub origin: Option<&'a str>,
    pub body: &'a [u8],
    pub annotations: Option<&'a str>,
    pub kind: &'a str,
    pub outcome: &'a str,
    pub title: Option<&'a str>,
    pub culprit: Option<&'a str>,
}

/// A stored log without its text.
#[derive(Debug, Clone)]
pub struct LogMeta {
    pub id: String,
    pub created_ms: i64,
    pub name: String,
    pub size: i64,
    pub kind: String,
    pub outcome: String,
    pub title: Option<String>,
    pub culprit: Option<String>,
    pub source_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// The submitted request, JSON.
    pub spec: String,
    pub state: String,
    pub culprit: Option<String>,
    /// JSON array of commit hashes.
    pub candidates: String,
    pub error: Option<String>,
    pub tested_commits: i64,
    pub cancel_requested: bool,
    pub attempt: i64,
    /// The engine's latest progress (JSON).
    pub progress: Option<String>,
}

/// Job states, as stored and as the API shows them.
pub mod state {
    pub const QUEUED: &str = "queued";
    pub const RUNNING: &str = "running";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
    pub const CANCELLED: &str = "cancelled";

    pub fn is_final(s: &str) -> bool {
        matches!(s, DONE | FAILED | CANCELLED)
    }
}

/// A worker's hold on a running job: every write checks the attempt number, so
/// a worker whose job was taken over (stale heartbeat) cannot write any more.
#[derive(Debug, Clone)]
pub struct Claim {
    pub job: JobRow,
    pub attempt: i64,
}

/// A claim that is no longer this worker's.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the job was taken over by another worker")]
    Lost,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

const LOG_META_COLUMNS: &str = "id, created_ms, name, size, kind, outcome, title, culprit, origin";
const JOB_COLUMNS: &str = "id, created_ms, updated_ms, spec, state, culprit, candidates, error, \
     tested_commits, cancel_requested, attempt, progress";

fn log_meta(row: &AnyRow) -> Result<LogMeta, sqlx::Error> {
    let origin: Option<String> = row.try_get("origin")?;
    Ok(LogMeta {
        id: row.try_get("id")?,
        created_ms: row.try_get("created_ms")?,
        name: row.try_get("name")?,
        size: row.try_get("size")?,
        kind: row.try_get("kind")?,
        outcome: row.try_get("outcome")?,
        title: row.try_get("title")?,
        culprit: row.try_get("culprit")?,
        source_url: origin.and_then(|o| o.strip_prefix("url:").map(str::to_string)),
    })
}

fn job_row(row: &AnyRow) -> Result<JobRow, sqlx::Error> {
    let cancel: i64 = row.try_get("cancel_requested")?;
    Ok(JobRow {
        id: row.try_get("id")?,
        created_ms: row.try_get("created_ms")?,
        updated_ms: row.try_get("updated_ms")?,
        spec: row.try_get("spec")?,
        state: row.try_get("state")?,
        culprit: row.try_get("culprit")?,
        candidates: row.try_get("candidates")?,
        error: row.try_get("error")?,
        tested_commits: row.try_get("tested_commits")?,
        cancel_requested: cancel != 0,
        attempt: row.try_get("attempt")?,
        progress: row.try_get("progress")?,
    })
}

/// `sqlite://FILE[?…]` or `sqlite:FILE` → the file path.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest))
}

impl Db {
    /// Connects (creating a SQLite file and its directory if needed) and runs
    /// the migrations.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if let Some(path) = sqlite_path(url) {
            if path.is_empty() || path.contains(":memory:") {
                return Err(sqlx::Error::Configuration(
                    "an in-memory SQLite database is not supported: give a file".into(),
                ));
            }
            if let Some(dir) = Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)?;
                }
            }
            (Backend::Sqlite, format!("sqlite://{path}?mode=rwc"))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(sqlx::Error::Configuration(
                format!("unsupported database URL (want sqlite:// or postgres://): {url}").into(),
            ));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL: readers never wait for the writer; NORMAL is
                        // durable against a killed process (not a power cut).
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        Ok(Db { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    // ---- logs ----------------------------------------------------------------

    /// Stores a log. With an `origin` already stored, stores nothing and
    /// returns the id stored before.
    pub async fn insert_log(&self, log: &NewLog<'_>) -> Result<String, sqlx::Error> {
        let inserted = sqlx::query(
            "INSERT INTO logs (id, created_ms, name, origin, body, size, annotations, kind, \
             outcome, title, culprit) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (origin) DO NOTHING",
        )
        .bind(log.id)
        .bind(now_ms())
        .bind(log.name)
        .bind(log.origin)
        .bind(log.body)
        .bind(log.body.len() as i64)
        .bind(log.annotations)
        .bind(log.kind)
        .bind(log.outcome)
        .bind(log.title)
        .bind(log.culprit)
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(log.id.to_string());
        }
        match log.origin {
            Some(origin) => match self.log_by_origin(origin).await? {
                Some((id, _)) => Ok(id),
                None => Err(sqlx::Error::RowNotFound),
            },
            None => Err(sqlx::Error::RowNotFound),
        }
    }

    /// The name (summary `file`) and bytes of a log.
    pub async fn log_body(&self, id: &str) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
        let row = sqlx::query("SELECT name, body FROM logs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get("name")?, r.try_get("body")?)))
            .transpose()
    }

    pub async fn log_by_origin(
        &self,
        origin: &str,
    ) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
        let row = sqlx::query("SELECT id, body FROM logs WHERE origin = $1")
            .bind(origin)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get("id")?, r.try_get("body")?)))
            .transpose()
    }

    /// `None`: no such log; `Some(None)`: a log without annotations.
    pub async fn log_annotations(&self, id: &str) -> Result<Option<Option<String>>, sqlx::Error> {
        let row = sqlx::query("SELECT annotations FROM logs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get("annotations")).transpose()
    }

    /// Newest first; `before` is the `(created_ms, id)` of the last log of the
    /// previous page.
    pub async fn list_logs(
        &self,
        limit: i64,
        before: Option<(i64, &str)>,
    ) -> Result<Vec<LogMeta>, sqlx::Error> {
        let rows = match before {
            None => {
                sqlx::query(&format!(
                    "SELECT {LOG_META_COLUMNS} FROM logs \
                     ORDER BY created_ms DESC, id DESC LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            Some((ms, id)) => {
                sqlx::query(&format!(
                    "SELECT {LOG_META_COLUMNS} FROM logs \
                     WHERE created_ms < $1 OR (created_ms = $1 AND id < $2) \
                     ORDER BY created_ms DESC, id DESC LIMIT $3"
                ))
                .bind(ms)
                .bind(id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(log_meta).collect()
    }

    // ---- jobs ----------------------------------------------------------------

    pub async fn insert_job(&self, id: &str, spec: &str) -> Result<(), sqlx::Error> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO jobs (id, created_ms, updated_ms, spec, state, culprit, candidates, \
             error, tested_commits, cancel_requested, claimed_by, heartbeat_ms, attempt, next_line) \
             VALUES ($1, $2, $2, $3, $4, NULL, '[]', NULL, 0, 0, NULL, 0, 0, 0)",
        )
        .bind(id)
        .bind(now)
        .bind(spec)
        .bind(state::QUEUED)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn job(&self, id: &str) -> Result<Option<JobRow>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(job_row).transpose()
    }

    /// Puts back in the queue every job marked running: for a SQLite database,
    /// which one server process owns, at start-up (its previous process died).
    pub async fn requeue_running(&self) -> Result<u64, sqlx::Error> {
        let r = sqlx::query(
            "UPDATE jobs SET state = $1, claimed_by = NULL, updated_ms = $2 WHERE state = $3",
        )
        .bind(state::QUEUED)
        .bind(now_ms())
        .bind(state::RUNNING)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }

    /// Claims the oldest queued job, or a running job whose worker stopped
    /// sending heartbeats before `stale_before_ms`. Drops the log lines of the
    /// step that was interrupted, so the resumed job writes them again once.
    pub async fn claim_job(
        &self,
        worker: &str,
        stale_before_ms: i64,
    ) -> Result<Option<Claim>, sqlx::Error> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            // One writer at a time anyway; the UPDATE below re-checks the state.
            Backend::Sqlite => "",
        };
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE jobs SET state = $1, claimed_by = $2, heartbeat_ms = $3, updated_ms = $3, \
             attempt = attempt + 1 \
             WHERE id = (SELECT id FROM jobs \
                 WHERE (state = $4 OR (state = $1 AND heartbeat_ms < $5)) \
                 ORDER BY created_ms, id LIMIT 1{lock}) \
             AND (state = $4 OR (state = $1 AND heartbeat_ms < $5)) \
             RETURNING {JOB_COLUMNS}"
        ))
        .bind(state::RUNNING)
        .bind(worker)
        .bind(now)
        .bind(state::QUEUED)
        .bind(stale_before_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.commit().await?;
            return Ok(None);
        };
        let job = job_row(&row)?;
        let steps: i64 = sqlx::query("SELECT COUNT(*) AS n FROM job_steps WHERE job_id = $1")
            .bind(&job.id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        sqlx::query("DELETE FROM job_lines WHERE job_id = $1 AND step >= $2")
            .bind(&job.id)
            .bind(steps)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let attempt = job.attempt;
        Ok(Some(Claim { job, attempt }))
    }

    /// Cancelled jobs that were queued (never claimed) are final at once.
    pub async fn request_cancel(&self, id: &str) -> Result<Option<JobRow>, sqlx::Error> {
        let now = now_ms();
        sqlx::query(
            "UPDATE jobs SET cancel_requested = 1, updated_ms = $2 WHERE id = $1 \
             AND state IN ($3, $4)",
        )
        .bind(id)
        .bind(now)
        .bind(state::QUEUED)
        .bind(state::RUNNING)
        .execute(&self.pool)
        .await?;
        sqlx::query("UPDATE jobs SET state = $2, updated_ms = $3 WHERE id = $1 AND state = $4")
            .bind(id)
            .bind(state::CANCELLED)
            .bind(now)
            .bind(state::QUEUED)
            .execute(&self.pool)
            .await?;
        self.job(id).await
    }

    /// Renews the claim. Returns whether the job's cancellation was asked.
    pub async fn heartbeat(&self, claim: &Claim) -> Result<bool, WriteError> {
        let row = sqlx::query(
            "UPDATE jobs SET heartbeat_ms = $3 WHERE id = $1 AND attempt = $2 AND state = $4 \
             RETURNING cancel_requested",
        )
        .bind(&claim.job.id)
        .bind(claim.attempt)
        .bind(now_ms())
        .bind(state::RUNNING)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(r.try_get::<i64, _>("cancel_requested")? != 0),
            None => Err(WriteError::Lost),
        }
    }

    /// Appends log lines written while `steps_done` steps were finished;
    /// returns the number of the first.
    pub async fn append_lines(
        &self,
        claim: &Claim,
        steps_done: i64,
        lines: &[String],
    ) -> Result<i64, WriteError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE jobs SET next_line = next_line + $3, updated_ms = $4 \
             WHERE id = $1 AND attempt = $2 AND state = $5 RETURNING next_line",
        )
        .bind(&claim.job.id)
        .bind(claim.attempt)
        .bind(lines.len() as i64)
        .bind(now_ms())
        .bind(state::RUNNING)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(WriteError::Lost);
        };
        let first = row.try_get::<i64, _>("next_line")? - lines.len() as i64;
        for (i, line) in lines.iter().enumerate() {
            sqlx::query("INSERT INTO job_lines (job_id, seq, step, line) VALUES ($1, $2, $3, $4)")
                .bind(&claim.job.id)
                .bind(first + i as i64)
                .bind(steps_done)
                .bind(line)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(first)
    }

    /// Records the engine's latest progress report.
    pub async fn set_progress(&self, claim: &Claim, progress: &str) -> Result<(), WriteError> {
        let r = sqlx::query(
            "UPDATE jobs SET progress = $3, updated_ms = $4 WHERE id = $1 AND attempt = $2 \
             AND state = $5",
        )
        .bind(&claim.job.id)
        .bind(claim.attempt)
        .bind(progress)
        .bind(now_ms())
        .bind(state::RUNNING)
        .execute(&self.pool)
        .await?;
        if r.rows_affected() == 1 {
            Ok(())
        } else {
            Err(WriteError::Lost)
        }
    }

    /// Drops the lines from number `from_seq` on (the engine rewrote them).
    pub async fn truncate_lines(&self, claim: &Claim, from_seq: i64) -> Result<(), WriteError> {
        let mut tx = self.pool.begin().await?;
        Self::check_claim(&mut tx, claim).await?;
        sqlx::query("DELETE FROM job_lines WHERE job_id = $1 AND seq >= $2")
            .bind(&claim.job.id)
            .bind(from_seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a finished step (number `seq`, from 0) and the job's count of
    /// tested commits, atomically.
    pub async fn finish_step(
        &self,
        claim: &Claim,
        seq: i64,
        record: &str,
        tested_commits: i64,
    ) -> Result<(), WriteError> {
        let mut tx = self.pool.begin().await?;
        Self::check_claim(&mut tx, claim).await?;
        sqlx::query("INSERT INTO job_steps (job_id, seq, record) VALUES ($1, $2, $3)")
            .bind(&claim.job.id)
            .bind(seq)
            .bind(record)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE jobs SET tested_commits = $2, updated_ms = $3 WHERE id = $1")
            .bind(&claim.job.id)
            .bind(tested_commits)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives a running job back to the queue (this server is stopping).
    pub async fn release_job(&self, claim: &Claim) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE jobs SET state = $3, claimed_by = NULL, updated_ms = $4 \
             WHERE id = $1 AND attempt = $2 AND state = $5",
        )
        .bind(&claim.job.id)
        .bind(claim.attempt)
        .bind(state::QUEUED)
        .bind(now_ms())
        .bind(state::RUNNING)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records the end of a job.
    pub async fn finish_job(
        &self,
        claim: &Claim,
        final_state: &str,
        culprit: Option<&str>,
        candidates: &str,
        error: Option<&str>,
    ) -> Result<(), WriteError> {
        let r = sqlx::query(
            "UPDATE jobs SET state = $3, culprit = $4, candidates = $5, error = $6, \
             updated_ms = $7, claimed_by = NULL WHERE id = $1 AND attempt = $2 AND state = $8",
        )
        .bind(&claim.job.id)
        .bind(claim.attempt)
        .bind(final_state)
        .bind(culprit)
        .bind(candidates)
        .bind(error)
        .bind(now_ms())
        .bind(state::RUNNING)
        .execute(&self.pool)
        .await?;
        if r.rows_affected() == 1 {
            Ok(())
        } else {
            Err(WriteError::Lost)
        }
    }

    async fn check_claim(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        claim: &Claim,
    ) -> Result<(), WriteError> {
        // Also takes the row's write lock on PostgreSQL until the commit.
        let r = sqlx::query(
            "UPDATE jobs SET updated_ms = $3 WHERE id = $1 AND attempt = $2 AND state = $4",
        )
        .bind(&claim.job.id)
        .bind(claim.attempt)
        .bind(now_ms())
        .bind(state::RUNNING)
        .execute(&mut **tx)
        .await?;
        if r.rows_affected() == 1 {
            Ok(())
        } else {
            Err(WriteError::Lost)
        }
    }

    /// The stored step records of a job, in order.
    pub async fn steps(&self, id: &str) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query("SELECT record FROM job_steps WHERE job_id = $1 ORDER BY seq")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| r.try_get("record")).collect()
    }

    /// Log lines after `after_seq` (exclusive), in order, at most `limit`.
    pub async fn lines_after(
        &self,
        id: &str,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT seq, line FROM job_lines WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(id)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("seq")?, r.try_get("line")?)))
            .collect()
    }

    /// Whether line `seq` of a job is stored (lines of an interrupted step are dropped).
    pub async fn line_exists(&self, id: &str, seq: i64) -> Result<bool, sqlx::Error> {
        let row = sqlx::query("SELECT seq FROM job_lines WHERE job_id = $1 AND seq = $2")
            .bind(id)
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }
}
