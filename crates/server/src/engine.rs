//! Runs one flaky-aware bisection over a git repository with a test command.
//!
//! # Contract
//!
//! [`run`] takes a validated [`JobSpec`], the [`StepRecord`]s the job already
//! finished before a crash or restart (`prior`, in the order they were sent),
//! a [`CancellationToken`] and a channel for [`Event`]s, and returns a
//! [`JobOutcome`] or an [`EngineError`].
//!
//! * **Steps.** A step is one tested commit: its runs of the test command,
//!   the verdict the engine drew from them and, for bisection steps, the
//!   `git bisect` command it gave git and git's answer. Each finished step is
//!   sent as [`Event::Step`] *before* any later step starts; the server stores
//!   it as it arrives. Steps carry their position ([`StepRecord::index`],
//!   0, 1, 2, … with no gaps).
//! * **Resume.** Pass every stored step of the job as `prior` (sorted by
//!   index). They are replayed, never re-run: the engine redoes only the git
//!   commands, checks that each prior step is the step it would take at that
//!   point (same role and commit; git's answer the same), and continues with
//!   the first missing index. Steps that were in progress when the process died
//!   are simply run again. Replayed steps are *not* sent again as
//!   [`Event::Step`]. Because every decision (which commit, how many runs,
//!   the verdict) is a function of the earlier steps only, a resumed job ends
//!   with the same culprit and the same log as an uninterrupted one would
//!   with the same test results.
//! * **Log.** [`Event::Log`] carries the *whole* log text so far, written by
//!   [`bisect_log::write`] from a [`bisect_log::Bisection`] the engine
//!   builds. Within one job (across resumes too) each text starts with the
//!   previous one: the new lines are `text[previous.len()..]`. The first
//!   `Log` event of a resumed job repeats the text of the replayed steps. The
//!   final text (with the outcome) is in [`JobOutcome::log`] and is also sent
//!   as the last `Log` event.
//! * **Progress.** [`Event::Progress`] is informational (not needed for
//!   resume; dropped when the channel is full): role and commit under test,
//!   runs so far, steps done, git's estimate of the steps left.
//! * **Cancel.** When `cancel` fires, the running test command's whole process
//!   group is killed, the worktree removed, and [`EngineError::Cancelled`]
//!   returned. Steps already sent stay valid.
//! * **Events channel.** If the receiver is dropped, the job stops with
//!   [`EngineError::EventsClosed`] (nobody would store its steps).
//! * **Worktree.** Each job tests in its own `git worktree add --detach`
//!   under the system temporary directory, removed (and `git worktree prune`d)
//!   when [`run`] returns, whatever the result. The repository itself is only
//!   read, apart from that worktree's administrative files and the `bisect`
//!   refs, which git keeps per worktree. Worktrees left by an engine process
//!   that died (`kill -9`) are removed by the next [`run`] on the same
//!   repository, after killing the test command they were running.
//!
//! # The bisection
//!
//! "Crash" below means a run that crashed with the *bug's* title, compared
//! with [`bisect_log::analysis::title::MatchRule::DEFAULT`], the matching of
//! the trust analysis. Other crashes and infrastructure failures are recorded
//! and shown in the log, and never decide a verdict.
//!
//! 1. **Learn the bug** on the crashing end (`bad` of a cause bisection,
//!    `good` of a fix bisection): [`JobSpec::runs`] runs, continued (up to
//!    10×, at most 100) until the most frequent title has 5 crashes and twice
//!    as many as any other title; the most frequent title then is the bug's.
//!    If nothing crashed in 4× the runs, the job ends with an error.
//! 2. **Reproduction rate.** `k` bug crashes in `n` valid runs (OK or bug
//!    crash; runs that crashed otherwise are left out, as such a crash may
//!    have hidden the bug) over the crashing end and every commit since found
//!    to crash. The engine uses `p_low`, the one-sided 80% Clopper–Pearson
//!    lower bound of `k/n` ([`stats`]), not `k/n` itself.
//! 3. **Adaptive repeats.** A commit is run until the first crash (verdict:
//!    crashes) or until it had `m` OK runs with `(1 - p_low)^m <= 0.05`
//!    (verdict: no crash). If the commit has the bug, the chance that `m` runs
//!    all miss it is `(1 - p)^m`, at most 5% whenever `p >= p_low`, which
//!    holds with 80% confidence, and more often as the data grows. A
//!    deterministic bug (`p_low` near 1) needs one run; a 30% bug about 9-13.
//!    Exit 125, an infrastructure failure on retry, or no verdict after
//!    `2m + 4` runs skips the commit (`git bisect skip`).
//! 4. **Confirm the other end** the same way, then `git bisect start`, and
//!    mark each commit git picks with `git bisect good|bad|skip` (inverted for
//!    a fix bisection, as syzkaller does). git's own output is recorded and
//!    written to the log; merges are handled as git handles them.
//! 5. **Verify next to the culprit.** A false "no crash" verdict moves the
//!    result *later* (cause) or *earlier* (fix) than the true culprit; in a
//!    linear history with one wrong verdict, the commit with that verdict is
//!    the culprit's parent (cause) or the culprit itself (fix), as everything
//!    git tests after it is on the same side. So before reporting, that
//!    commit is run again until its OK runs overall reach
//!    `(1 - p_low')^m <= 0.002`, with `p_low'` the 95% lower bound. If it crashes after all, git is told (its
//!    wrong `good` ref is dropped, or the `bad` ref goes back to the previous
//!    bad commit) and the bisection continues. A wrong culprit then needs that
//!    commit to hide the bug through all its runs: at most 0.2% (given
//!    `p >= p_low'`, 95% sure) instead of about 5% per step with the bug
//!    (about half of the ~log2(range) steps).
//! 6. **Signatures.** A `signature: <hex>` line is recorded per commit;
//!    `culprit signature:` and `parent  signature:` are written as syzbot does
//!    (the trust analysis flags equal ones), testing the parent once for its
//!    signature if it never ran.
//!
//! # The test command
//!
//! `command` is an argv (never passed to a shell), run with the worktree as
//! its current directory, checked out at the commit under test, in its own
//! process group. Exit 0 = OK; 125 = this commit cannot be tested (the step
//! is skipped, as with `git bisect run`); 126, 127, death by a signal or the
//! timeout = infrastructure failure (the run is retried once and never counts
//! as a crash; the timeout kills the whole process group); any other exit =
//! crashed, and the crash title is the last non-empty line of standard output
//! (at most 200 characters). A stdout line `signature: <hex>` records the
//! build signature of that commit and is never taken as a title.

mod command;
mod git;
mod job;
pub mod log;
pub mod stats;
pub mod synth;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bisect_log::job::JobProgress;
use serde::{Deserialize, Serialize};

pub use bisect_log::Kind;
pub use tokio_util::sync::CancellationToken;

/// What to bisect. The caller has validated it (`repo` is an existing git
/// repository inside the allowed root, `command` is non-empty, `runs` and
/// `timeout` are within limits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSpec {
    /// The repository (a working repository or a bare one).
    pub repo: PathBuf,
    /// In git's words. For [`Kind::Cause`] `good` is the commit without the
    /// bug and `bad` the one that crashes. For [`Kind::Fix`] the words are
    /// inverted as in syzkaller's fix bisection: `good` is the (older) commit
    /// that still crashes and `bad` the (newer) one where the crash is gone;
    /// the culprit is the first commit without the crash.
    pub good: String,
    pub bad: String,
    /// argv of the test command.
    pub command: Vec<String>,
    /// How many times the crashing end is run to learn the bug (its title
    /// and reproduction rate); more, up to 10× (at most 100), while it has
    /// fewer than 5 bug crashes or another title is more than half as
    /// frequent (4× when nothing crashes at all). Other commits are run adaptively (see "The bisection").
    pub runs: u32,
    /// Per run of the test command.
    pub timeout: Duration,
    pub kind: Kind,
}

/// Why a commit was tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepRole {
    /// The crashing end (`bad` of a cause bisection, `good` of a fix
    /// bisection), run [`JobSpec::runs`] times to learn the bug.
    Original,
    /// The other end, confirmed not to crash with the bug.
    Endpoint,
    /// A commit `git bisect` asked for.
    Bisect,
    /// The culprit's parent tested again with more runs before the culprit
    /// is reported (a "good" verdict next to the culprit decides it).
    Verify,
    /// The culprit's parent, run once only for its build signature
    /// (when it was never tested otherwise).
    Parent,
}

impl StepRole {
    /// Its name in JSON (the progress report's `role`).
    pub fn as_str(self) -> &'static str {
        match self {
            StepRole::Original => "original",
            StepRole::Endpoint => "endpoint",
            StepRole::Bisect => "bisect",
            StepRole::Verify => "verify",
            StepRole::Parent => "parent",
        }
    }
}

/// One run of the test command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RunOutcome {
    /// Exit 0.
    Ok,
    /// Any other non-zero exit but 125/126/127.
    Crashed {
        title: String,
        /// Whether the title is the bug's (only these count toward "crashes"
        /// in the verdict).
        is_bug: bool,
    },
    /// Exit 125: the commit cannot be tested.
    Skip,
    /// Exit 126/127, a signal or the timeout (after its one retry, or the
    /// failed attempt itself: see [`RunRecord::retry`]).
    Infra { reason: String },
}

/// One attempt of the test command at a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    pub outcome: RunOutcome,
    /// This attempt retried an infrastructure failure of the previous one.
    pub retry: bool,
    pub duration_ms: u64,
}

/// A `git bisect` command the engine gave and git's answer, verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitRecord {
    /// The arguments after `git bisect`, e.g. `["good", "<hash>"]` or
    /// `["start", "<bad>", "<good>"]`.
    pub args: Vec<String>,
    /// What git printed, line by line.
    pub output: Vec<String>,
}

/// One finished step: what the server stores to resume a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Position in the job: 0, 1, 2, …
    pub index: u32,
    pub role: StepRole,
    /// Full 40-hex commit.
    pub commit: String,
    /// First line of the commit message.
    pub subject: String,
    /// The last `signature: <hex>` line the command printed at this commit.
    pub signature: Option<String>,
    pub runs: Vec<RunRecord>,
    /// In git's words (inverted for a fix bisection): what the runs showed.
    pub verdict: bisect_log::Verdict,
    /// Why the verdict is what it is, in a few words (shown in the log when
    /// the step is skipped).
    pub reason: Option<String>,
    /// `git bisect` commands given after this test (`start` after the
    /// endpoints, then a mark per bisection step), with git's output.
    pub git: Vec<GitRecord>,
    /// For a "no crash" verdict: the chance that a commit with the bug
    /// shows no bug crash in all the OK runs this commit had so far, at the
    /// conservative reproduction rate (printed as syzkaller's `false
    /// negative chance:`).
    #[serde(default)]
    pub false_negative_chance: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A step finished: store it. Sent once per step, in index order.
    Step(StepRecord),
    /// The whole log so far (append-only; see the module docs).
    Log(String),
    /// A run started or finished.
    Progress(JobProgress),
}

/// How the job ended, when [`run`] returns `Ok`.
#[derive(Debug, Clone, PartialEq)]
pub struct JobOutcome {
    /// The first bad commit (cause) or first commit without the crash (fix).
    pub culprit: Option<String>,
    /// When git could not narrow it down to one commit (skipped commits).
    pub candidates: Vec<String>,
    /// Why the bisection could not be done (e.g. the crashing end did not
    /// crash with the bug, or the other end did too); the job "failed".
    pub error: Option<String>,
    /// The bug's title, learnt on the crashing end.
    pub bug_title: Option<String>,
    /// Share of the crashing end's runs that crashed with the bug.
    pub repro_rate: Option<f64>,
    /// The full log, as in the last [`Event::Log`].
    pub log: String,
    /// The model the log was written from.
    pub bisection: bisect_log::Bisection,
    /// Every step of the job, replayed ones included.
    pub steps: Vec<StepRecord>,
}

impl JobOutcome {
    /// Number of commits tested (steps).
    pub fn tested_commits(&self) -> usize {
        self.steps.len()
    }

    /// Runs of the test command over the whole job, retries included.
    pub fn total_runs(&self) -> usize {
        self.steps.iter().map(|s| s.runs.len()).sum()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cancelled")]
    Cancelled,
    #[error("the event receiver was dropped")]
    EventsClosed,
    #[error("invalid job: {0}")]
    Invalid(String),
    #[error("git {args}: {message}")]
    Git { args: String, message: String },
    #[error("cannot replay stored step {index}: {message}")]
    Replay { index: u32, message: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// Runs (or resumes) one bisection job. See the module docs for the contract.
pub async fn run(
    spec: JobSpec,
    prior: Vec<StepRecord>,
    cancel: CancellationToken,
    events: tokio::sync::mpsc::Sender<Event>,
) -> Result<JobOutcome, EngineError> {
    if spec.command.is_empty() || spec.command[0].is_empty() {
        return Err(EngineError::Invalid("the command is empty".into()));
    }
    if spec.runs == 0 {
        return Err(EngineError::Invalid("runs must be at least 1".into()));
    }
    if spec.timeout.is_zero() {
        return Err(EngineError::Invalid("the timeout must be positive".into()));
    }
    for (i, s) in prior.iter().enumerate() {
        if s.index as usize != i {
            return Err(EngineError::Replay {
                index: s.index,
                message: format!(
                    "stored steps must be numbered 0, 1, 2, …; found {} at position {i}",
                    s.index
                ),
            });
        }
    }
    let repo = git::Git::new(&spec.repo);
    let good = repo.commit(&spec.good).await?;
    let bad = repo.commit(&spec.bad).await?;
    if good == bad {
        return Err(EngineError::Invalid(format!(
            "good and bad are the same commit {good}"
        )));
    }
    let (crash_end, clean_end) = match spec.kind {
        Kind::Cause => (bad, good),
        Kind::Fix => (good, bad),
    };
    remove_stale_worktrees(&repo).await;
    let wt_path = worktree_path();
    repo.add_worktree(&wt_path, &crash_end).await?;
    let mut guard = WorktreeGuard {
        repo: spec.repo.clone(),
        path: Some(wt_path.clone()),
    };
    let job = job::Job {
        wt: git::Git::new(&wt_path),
        wt_path: wt_path.clone(),
        spec,
        cancel,
        events,
        prior: VecDeque::from(prior),
        crash_end,
        clean_end,
        steps: Vec::new(),
        bug: None,
        steps_left: None,
    };
    let result = job.run().await;
    guard.path = None;
    repo.remove_worktree(&wt_path).await;
    result
}

/// A fresh path under the temporary directory for one job's worktree.
fn worktree_path() -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    std::env::temp_dir().join(format!(
        "bisect-lens-job-{}-{n}-{nanos}",
        std::process::id()
    ))
}

/// Where the process group id of the running test command is kept (next to
/// the worktree, not in it: `git clean` would remove it).
fn group_file(worktree: &Path) -> PathBuf {
    let mut name = worktree.as_os_str().to_owned();
    name.push(".pgid");
    PathBuf::from(name)
}

/// The pid of the engine process that made a worktree at `path`, if it is
/// one of ours.
fn owner_pid(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_str()?;
    name.strip_prefix("bisect-lens-job-")?
        .split('-')
        .next()?
        .parse()
        .ok()
}

/// Removes worktrees left by engine processes that no longer exist (killed
/// with `kill -9` mid-job), after killing the test command they were running.
async fn remove_stale_worktrees(repo: &git::Git) {
    let Ok(list) = repo.run(&["worktree", "list", "--porcelain"]).await else {
        return;
    };
    for line in list.lines() {
        let Some(path) = line.strip_prefix("worktree ") else {
            continue;
        };
        let path = Path::new(path);
        let Some(pid) = owner_pid(path) else {
            continue;
        };
        if is_alive(pid) {
            continue;
        }
        let file = group_file(path);
        if let Ok(text) = tokio::fs::read_to_string(&file).await {
            command::kill_group(text.trim().parse().ok());
            let _ = tokio::fs::remove_file(&file).await;
        }
        repo.remove_worktree(path).await;
    }
    // Worktrees of dead engines whose repository is gone altogether.
    let Ok(mut dir) = tokio::fs::read_dir(std::env::temp_dir()).await else {
        return;
    };
    while let Ok(Some(entry)) = dir.next_entry().await {
        let path = entry.path();
        let Some(pid) = owner_pid(&path) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "pgid") || is_alive(pid) {
            continue;
        }
        let gitdir = tokio::fs::read_to_string(path.join(".git")).await;
        let orphaned = match &gitdir {
            Ok(text) => text
                .trim()
                .strip_prefix("gitdir: ")
                .is_some_and(|g| !Path::new(g).exists()),
            Err(_) => false,
        };
        if orphaned {
            let file = group_file(&path);
            if let Ok(text) = tokio::fs::read_to_string(&file).await {
                command::kill_group(text.trim().parse().ok());
                let _ = tokio::fs::remove_file(&file).await;
            }
            let _ = tokio::fs::remove_dir_all(&path).await;
        }
    }
}

/// Whether process `pid` exists (or is ours).
fn is_alive(pid: u32) -> bool {
    pid == std::process::id()
        || i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
            .is_some_and(|p| {
                !matches!(
                    rustix::process::test_kill_process(p),
                    Err(rustix::io::Errno::SRCH)
                )
            })
}

/// Removes the worktree if [`run`]'s future is dropped before it ends.
struct WorktreeGuard {
    repo: PathBuf,
    path: Option<PathBuf>,
}

impl Drop for WorktreeGuard {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            remove_worktree_now(&self.repo, &path);
        }
    }
}

fn remove_worktree_now(repo: &Path, path: &Path) {
    let git = |args: &[&std::ffi::OsStr]| {
        let _ = std::process::Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    };
    git(&[
        "worktree".as_ref(),
        "remove".as_ref(),
        "--force".as_ref(),
        "--force".as_ref(),
        path.as_os_str(),
    ]);
    let _ = std::fs::remove_dir_all(path);
    git(&["worktree".as_ref(), "prune".as_ref()]);
}

#[cfg(test)]
mod tests {
    use super::StepRole;

    #[test]
    fn role_names_are_the_json_names() {
        for role in [
            StepRole::Original,
            StepRole::Endpoint,
            StepRole::Bisect,
            StepRole::Verify,
            StepRole::Parent,
        ] {
            assert_eq!(
                serde_json::to_string(&role).ok(),
                Some(format!("\"{}\"", role.as_str()))
            );
        }
    }
}
