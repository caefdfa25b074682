//! The job queue's workers: each claims a queued job, runs the engine on it
//! and stores what the engine reports as it happens — every finished step (in
//! one transaction with the job's counters), the log's new lines, progress —
//! so a server killed mid-job resumes it from its last finished step.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::db::{now_ms, state as job_state, Claim, WriteError};
use crate::engine::{self, EngineError, Event, JobOutcome, JobSpec, StepRecord};
use crate::jobs::{self, JobKind, JobRequest};
use crate::state::{new_id, Shared};

/// The bisection engine as the workers call it: [`engine::run`], or in tests
/// a scripted engine that keeps the same contract.
pub type EngineRun = Arc<
    dyn Fn(
            JobSpec,
            Vec<StepRecord>,
            CancellationToken,
            mpsc::Sender<Event>,
        ) -> Pin<Box<dyn Future<Output = Result<JobOutcome, EngineError>> + Send>>
        + Send
        + Sync,
>;

/// [`engine::run`].
pub fn real_engine() -> EngineRun {
    Arc::new(|spec, prior, cancel, events| Box::pin(engine::run(spec, prior, cancel, events)))
}

/// A task aborted when its handle is dropped: when the server's future is
/// dropped, its workers and their engines stop with it.
pub struct AbortOnDrop<T>(pub JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[derive(Clone)]
pub struct WorkerConfig {
    pub workers: usize,
    /// A claim without a heartbeat for this long is stale.
    pub claim_timeout: Duration,
    pub engine: EngineRun,
}

impl WorkerConfig {
    fn heartbeat(&self) -> Duration {
        (self.claim_timeout / 5).clamp(Duration::from_millis(200), Duration::from_secs(2))
    }
}

/// Starts the workers; they stop (giving their jobs back to the queue) when
/// `shutdown` fires.
pub fn spawn(
    state: Shared,
    config: WorkerConfig,
    shutdown: CancellationToken,
) -> Vec<AbortOnDrop<()>> {
    let server = new_id();
    (0..config.workers)
        .map(|i| {
            let name = format!("{server}/{i}");
            AbortOnDrop(tokio::spawn(worker(
                state.clone(),
                config.clone(),
                name,
                shutdown.clone(),
            )))
        })
        .collect()
}

async fn worker(state: Shared, config: WorkerConfig, name: String, shutdown: CancellationToken) {
    let mut wake = state.job_events.subscribe();
    while !shutdown.is_cancelled() {
        let stale_before = now_ms() - config.claim_timeout.as_millis() as i64;
        match state.db.claim_job(&name, stale_before).await {
            Ok(Some(claim)) => {
                tracing::info!(job = %claim.job.id, worker = %name, attempt = claim.attempt, "job claimed");
                run_job(&state, &config, claim, &shutdown).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::error!(worker = %name, "claiming a job: {e}"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = wake.recv() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// Turns a stored request into the engine's spec, checking it again (the
/// repository may have changed since it was queued).
fn spec_of(state: &Shared, spec: &str) -> Result<JobSpec, String> {
    let req: JobRequest =
        serde_json::from_str(spec).map_err(|e| format!("stored request unreadable: {e}"))?;
    let repo = jobs::validate(state.repos_root.as_deref(), &req).map_err(|e| e.to_string())?;
    Ok(JobSpec {
        repo,
        good: req.good,
        bad: req.bad,
        command: req.command,
        runs: req.runs,
        timeout: Duration::from_secs(req.timeout_s),
        kind: match req.kind {
            JobKind::Cause => engine::Kind::Cause,
            JobKind::Fix => engine::Kind::Fix,
        },
    })
}

/// The log as stored: line numbers and text.
struct StoredLog {
    lines: Vec<(i64, String)>,
}

impl StoredLog {
    /// Makes the stored lines equal the engine's text: appends what is new,
    /// and drops stored lines the engine no longer has (never expected: the
    /// text only grows, but a resumed job must not end with a duplicated or
    /// a stale line whatever happens). An unfinished last line waits unless `last`.
    async fn sync(
        &mut self,
        state: &Shared,
        claim: &Claim,
        steps_done: i64,
        text: &str,
        last: bool,
    ) -> Result<bool, WriteError> {
        let mut new: Vec<&str> = text.split('\n').collect();
        if let Some(tail) = new.last() {
            if tail.is_empty() || !last {
                new.pop();
            }
        }
        let common = self
            .lines
            .iter()
            .zip(&new)
            .take_while(|((_, a), b)| a == *b)
            .count();
        let mut changed = false;
        if common < self.lines.len() {
            tracing::warn!(job = %claim.job.id, kept = common, dropped = self.lines.len() - common,
                "the engine's log differs from the stored one: rewriting its end");
            state.db.truncate_lines(claim, self.lines[common].0).await?;
            self.lines.truncate(common);
            changed = true;
        }
        if new.len() > common {
            let add: Vec<String> = new[common..].iter().map(|s| s.to_string()).collect();
            let first = state.db.append_lines(claim, steps_done, &add).await?;
            self.lines.extend(
                add.into_iter()
                    .enumerate()
                    .map(|(i, l)| (first + i as i64, l)),
            );
            changed = true;
        }
        Ok(changed)
    }
}

enum Stop {
    /// The engine ended by itself (result follows).
    Engine,
    /// Our claim was lost or the database failed: leave the job to whoever
    /// claims it next.
    Abandon(String),
}

async fn run_job(
    state: &Shared,
    config: &WorkerConfig,
    claim: Claim,
    shutdown: &CancellationToken,
) {
    let id = claim.job.id.clone();
    state.notify_job(&id);
    if claim.job.cancel_requested {
        // Cancelled while its server was down.
        return finish(state, &claim, job_state::CANCELLED, None, &[], None).await;
    }
    let spec = match spec_of(state, &claim.job.spec) {
        Ok(spec) => spec,
        Err(e) => return finish(state, &claim, job_state::FAILED, None, &[], Some(&e)).await,
    };
    let (prior, lines) = match load(state, &id).await {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(job = %id, "loading the job's steps: {e}");
            return;
        }
    };
    let mut steps_done = prior.len() as i64;
    let mut log = StoredLog { lines };
    let cancel = shutdown.child_token();
    let user_cancelled = Arc::new(AtomicBool::new(false));
    let (tx, mut rx) = mpsc::channel(64);
    let mut engine = AbortOnDrop(tokio::spawn((config.engine)(
        spec,
        prior,
        cancel.clone(),
        tx,
    )));
    let mut beat = tokio::time::interval(config.heartbeat());
    let mut stop = Stop::Engine;
    loop {
        let event = tokio::select! {
            ev = rx.recv() => ev,
            _ = beat.tick() => {
                match state.db.heartbeat(&claim).await {
                    Ok(true) => {
                        if !user_cancelled.swap(true, Ordering::SeqCst) {
                            tracing::info!(job = %id, "cancel requested");
                            cancel.cancel();
                        }
                    }
                    Ok(false) => {}
                    Err(e) => {
                        stop = Stop::Abandon(e.to_string());
                        cancel.cancel();
                        break;
                    }
                }
                continue;
            }
        };
        let Some(event) = event else { break };
        let written = match event {
            Event::Step(record) => store_step(state, &claim, &record).await.map(|()| {
                steps_done = steps_done.max(i64::from(record.index) + 1);
            }),
            Event::Log(text) => log
                .sync(state, &claim, steps_done, &text, false)
                .await
                .map(|_| ()),
            Event::Progress(p) => match serde_json::to_string(&p) {
                Ok(json) => state.db.set_progress(&claim, &json).await,
                Err(_) => Ok(()),
            },
        };
        if let Err(e) = written {
            // A step the engine reported but we could not store must not be
            // skipped over: stop here; the next claim resumes before it.
            stop = Stop::Abandon(e.to_string());
            cancel.cancel();
            break;
        }
        state.notify_job(&id);
    }
    // Drain (the engine stops at the cancel) and collect its result.
    drop(rx);
    let result = (&mut engine.0).await;
    if let Stop::Abandon(why) = stop {
        tracing::error!(job = %id, "job abandoned by this worker: {why}");
        return;
    }
    match result {
        Ok(Ok(outcome)) => {
            if let Err(e) = log
                .sync(state, &claim, steps_done, &outcome.log, true)
                .await
            {
                tracing::error!(job = %id, "storing the final log: {e}");
                return;
            }
            let final_state = if outcome.error.is_some() {
                job_state::FAILED
            } else {
                job_state::DONE
            };
            finish(
                state,
                &claim,
                final_state,
                outcome.culprit.as_deref(),
                &outcome.candidates,
                outcome.error.as_deref(),
            )
            .await
        }
        Ok(Err(EngineError::Cancelled)) if user_cancelled.load(Ordering::SeqCst) => {
            finish(state, &claim, job_state::CANCELLED, None, &[], None).await
        }
        Ok(Err(EngineError::Cancelled)) | Ok(Err(EngineError::EventsClosed))
            if shutdown.is_cancelled() =>
        {
            tracing::info!(job = %id, "server stopping: job back in the queue");
            if let Err(e) = state.db.release_job(&claim).await {
                tracing::error!(job = %id, "releasing the job: {e}");
            }
            state.notify_job(&id);
        }
        Ok(Err(e)) => {
            finish(
                state,
                &claim,
                job_state::FAILED,
                None,
                &[],
                Some(&e.to_string()),
            )
            .await
        }
        Err(join) => {
            tracing::error!(job = %id, "the engine task failed: {join}");
            finish(
                state,
                &claim,
                job_state::FAILED,
                None,
                &[],
                Some("internal error in the bisection engine"),
            )
            .await
        }
    }
}

async fn load(state: &Shared, id: &str) -> Result<(Vec<StepRecord>, Vec<(i64, String)>), String> {
    let mut prior = Vec::new();
    for record in state.db.steps(id).await.map_err(|e| e.to_string())? {
        prior.push(
            serde_json::from_str(&record).map_err(|e| format!("stored step unreadable: {e}"))?,
        );
    }
    let mut lines = Vec::new();
    loop {
        let after = lines.last().map_or(-1, |(seq, _): &(i64, String)| *seq);
        let more = state
            .db
            .lines_after(id, after, 10_000)
            .await
            .map_err(|e| e.to_string())?;
        if more.is_empty() {
            break;
        }
        lines.extend(more);
    }
    Ok((prior, lines))
}

async fn store_step(state: &Shared, claim: &Claim, record: &StepRecord) -> Result<(), WriteError> {
    let json = serde_json::to_string(record)
        .map_err(|e| WriteError::Db(sqlx::Error::Protocol(format!("serializing a step: {e}"))))?;
    let index = i64::from(record.index);
    state.db.finish_step(claim, index, &json, index + 1).await
}

async fn finish(
    state: &Shared,
    claim: &Claim,
    final_state: &str,
    culprit: Option<&str>,
    candidates: &[String],
    error: Option<&str>,
) {
    let candidates = serde_json::to_string(candidates).unwrap_or_else(|_| "[]".to_string());
    match state
        .db
        .finish_job(claim, final_state, culprit, &candidates, error)
        .await
    {
        Ok(()) => {
            tracing::info!(job = %claim.job.id, state = final_state, culprit = culprit.unwrap_or("-"), "job finished")
        }
        Err(e) => tracing::error!(job = %claim.job.id, "recording the end of the job: {e}"),
    }
    state.notify_job(&claim.job.id);
}
