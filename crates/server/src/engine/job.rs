//! The bisection itself: learn the bug, confirm the other end, let `git
//! bisect` pick commits, decide each with adaptive repeats, verify the
//! verdict next to the culprit, compare signatures.

use std::collections::VecDeque;
use std::path::PathBuf;

use bisect_log::analysis::title::{is_infra, MatchRule};
use bisect_log::job::JobProgress;
use bisect_log::{Kind, Verdict};
use tokio::sync::mpsc::Sender;

use super::command::{self, Attempt};
use super::git::{Answer, Git};
use super::log::{self, End};
use super::stats;
use super::{
    CancellationToken, EngineError, Event, GitRecord, JobOutcome, JobSpec, RunOutcome, RunRecord,
    StepRecord, StepRole,
};

/// Largest chance of a false "no crash" verdict of one bisection step.
pub const STEP_ALPHA: f64 = 0.05;
/// Largest chance that the "no crash" verdict next to the culprit (the
/// culprit's parent in a cause bisection, the culprit itself in a fix
/// bisection) is false, after its verification.
pub const VERIFY_ALPHA: f64 = 0.002;
/// Bug crashes wanted on the crashing end before its title and rate are
/// trusted (more runs are made, up to [`learn_max`], to get them).
pub const LEARN_MIN_CRASHES: u32 = 5;
/// Safety net against a job that never ends.
const MAX_STEPS: usize = 2000;

/// Most runs of the crashing end.
pub fn learn_max(runs: u32) -> u32 {
    runs.max(runs.saturating_mul(10).min(stats::MAX_RUNS))
}

/// Runs of the crashing end after which a job whose runs never crashed at
/// all gives up.
pub fn learn_max_without_crash(runs: u32) -> u32 {
    runs.max(runs.saturating_mul(4).min(stats::MAX_RUNS))
}

enum Plan {
    /// At least `min` valid runs; more, up to `max`, until the most frequent
    /// title has [`LEARN_MIN_CRASHES`] crashes and twice as many as any other.
    Learn { min: u32, max: u32 },
    /// Stop at the first crash with the bug's title; "no crash" after
    /// `clean` OK runs.
    Decide { clean: u32 },
    /// One valid run (for the build signature).
    Once,
}

/// A step in the making (or being replayed).
struct Doing {
    rec: StepRecord,
    replayed: bool,
    /// Git records of a replayed step checked so far.
    git_seen: usize,
}

pub struct Job {
    pub spec: JobSpec,
    pub wt: Git,
    pub wt_path: PathBuf,
    pub cancel: CancellationToken,
    pub events: Sender<Event>,
    pub prior: VecDeque<StepRecord>,
    pub crash_end: String,
    pub clean_end: String,
    pub steps: Vec<StepRecord>,
    pub bug: Option<String>,
    pub steps_left: Option<u32>,
}

/// The bug's title among the crash titles of the crashing end: the most
/// frequent one (first seen on a tie), kernel titles before infrastructure
/// ones.
fn primary_title(runs: &[RunRecord]) -> Option<String> {
    let mut counts: Vec<(&str, u32)> = Vec::new();
    for r in runs {
        if let RunOutcome::Crashed { title, .. } = &r.outcome {
            match counts.iter_mut().find(|(t, _)| *t == title.as_str()) {
                Some((_, n)) => *n += 1,
                None => counts.push((title.as_str(), 1)),
            }
        }
    }
    let best = |infra: bool| {
        counts.iter().filter(|(t, _)| is_infra(t) == infra).fold(
            None::<(&str, u32)>,
            |best, &(t, n)| match best {
                Some((_, bn)) if bn >= n => best,
                _ => Some((t, n)),
            },
        )
    };
    best(false)
        .or_else(|| best(true))
        .map(|(t, _)| t.to_string())
}

/// Whether `title` is the bug's crash (the trust analysis's matching).
pub fn is_bug_title(bug: &str, title: &str) -> bool {
    MatchRule::DEFAULT.matches(bug, title)
}

fn valid(r: &RunRecord) -> bool {
    matches!(r.outcome, RunOutcome::Ok | RunOutcome::Crashed { .. })
}

impl Job {
    fn kind(&self) -> Kind {
        self.spec.kind
    }

    fn words(&self) -> (Verdict, Verdict) {
        log::words(self.kind())
    }

    /// Bug crashes and valid trials (OK runs and bug crashes) on commits
    /// known to have the bug: the data of the reproduction rate. Runs with
    /// other crashes are left out: such a crash may have hidden the bug.
    fn rate_data(&self) -> (u32, u32) {
        let (crash_word, _) = self.words();
        let mut k = 0;
        let mut n = 0;
        for s in &self.steps {
            let has_bug = match s.role {
                StepRole::Original => true,
                StepRole::Parent => false,
                _ => s.verdict == crash_word,
            };
            if !has_bug {
                continue;
            }
            for r in &s.runs {
                match &r.outcome {
                    RunOutcome::Ok => n += 1,
                    RunOutcome::Crashed { is_bug: true, .. } => {
                        k += 1;
                        n += 1;
                    }
                    _ => {}
                }
            }
        }
        (k, n)
    }

    /// Conservative reproduction rate: the lower confidence bound.
    fn rate_low(&self) -> f64 {
        self.rate_low_at(stats::CONFIDENCE)
    }

    fn rate_low_at(&self, confidence: f64) -> f64 {
        let (k, n) = self.rate_data();
        stats::lower_bound(k, n, confidence)
    }

    /// The confidence of the rate bound for a step of `role`.
    fn confidence(role: StepRole) -> f64 {
        if role == StepRole::Verify {
            stats::VERIFY_CONFIDENCE
        } else {
            stats::CONFIDENCE
        }
    }

    /// The rate seen on the crashing end (for the log's flaky note).
    fn rate_seen(&self) -> Option<f64> {
        let s = self.steps.iter().find(|s| s.role == StepRole::Original)?;
        let n = s.runs.iter().filter(|r| valid(r)).count();
        let k = s
            .runs
            .iter()
            .filter(|r| matches!(r.outcome, RunOutcome::Crashed { is_bug: true, .. }))
            .count();
        (n > 0 && k > 0).then(|| k as f64 / n as f64)
    }

    /// OK runs of `commit` over every step so far.
    fn clean_runs(&self, commit: &str) -> u32 {
        self.steps
            .iter()
            .filter(|s| s.commit == commit && s.role != StepRole::Parent)
            .flat_map(|s| s.runs.iter())
            .filter(|r| r.outcome == RunOutcome::Ok)
            .count() as u32
    }

    fn progress(&self, role: StepRole, commit: &str, runs_done: u32) {
        // Informational: dropped when the receiver is slow.
        let _ = self.events.try_send(Event::Progress(JobProgress {
            role: Some(role.as_str().to_string()),
            commit: Some(commit.to_string()),
            runs_done: Some(runs_done),
            steps_done: Some(self.steps.len() as u32),
            steps_left: self.steps_left,
        }));
    }

    async fn send(&self, event: Event) -> Result<(), EngineError> {
        self.events
            .send(event)
            .await
            .map_err(|_| EngineError::EventsClosed)
    }

    /// Checks out `commit` in the worktree and removes everything the
    /// previous run left.
    async fn clean_worktree(&self, commit: &str) -> Result<(), EngineError> {
        self.wt
            .run(&["checkout", "-q", "-f", "--detach", commit, "--"])
            .await?;
        self.wt.run(&["clean", "-q", "-ffdx"]).await?;
        Ok(())
    }

    async fn attempt(&self, commit: &str) -> Result<Attempt, EngineError> {
        if self.cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        self.clean_worktree(commit).await?;
        command::run_once(
            &self.spec.command,
            &self.wt_path,
            self.spec.timeout,
            &self.cancel,
            &super::group_file(&self.wt_path),
        )
        .await
    }

    fn is_bug(&self, title: &str) -> bool {
        self.bug.as_deref().is_some_and(|b| is_bug_title(b, title))
    }

    /// Starts a step: the next prior record when replaying (checked against
    /// what the engine would do now), else runs the command per `plan`.
    async fn step(
        &mut self,
        role: StepRole,
        commit: &str,
        plan: Plan,
    ) -> Result<Doing, EngineError> {
        let index = self.steps.len() as u32;
        if let Some(rec) = self.prior.pop_front() {
            if rec.index != index || rec.role != role || rec.commit != commit {
                return Err(EngineError::Replay {
                    index: rec.index,
                    message: format!(
                        "stored step is {:?} of {}, but step {index} is {role:?} of {commit}",
                        rec.role, rec.commit
                    ),
                });
            }
            if role == StepRole::Original {
                self.bug = primary_title(&rec.runs);
            }
            return Ok(Doing {
                rec,
                replayed: true,
                git_seen: 0,
            });
        }
        let subject = self.wt.subject(commit).await?;
        let mut runs: Vec<RunRecord> = Vec::new();
        let mut signature = None;
        let mut reason = None;
        let (max_valid, max_attempts) = match plan {
            Plan::Learn { max, .. } => (max, max.saturating_mul(2).saturating_add(4)),
            Plan::Decide { clean } => (u32::MAX, clean.saturating_mul(2).saturating_add(4)),
            Plan::Once => (1, 2),
        };
        let mut skipped = false;
        loop {
            let n_valid = runs.iter().filter(|r| valid(r)).count() as u32;
            let done = match plan {
                Plan::Learn { min, .. } => {
                    let crashed = runs
                        .iter()
                        .any(|r| matches!(r.outcome, RunOutcome::Crashed { .. }));
                    n_valid >= max_valid
                        || (n_valid >= min && self.learned_enough(&runs))
                        || (!crashed && n_valid >= learn_max_without_crash(min))
                }
                Plan::Decide { clean } => {
                    runs.iter().any(|r| {
                        matches!(&r.outcome, RunOutcome::Crashed { title, .. } if self.is_bug(title))
                    }) || runs.iter().filter(|r| r.outcome == RunOutcome::Ok).count() as u32
                        >= clean
                }
                Plan::Once => n_valid >= 1,
            };
            if done {
                break;
            }
            if runs.len() as u32 >= max_attempts {
                reason = Some(format!(
                    "no verdict after {} runs (crashes with other titles or infrastructure failures)",
                    runs.len()
                ));
                skipped = true;
                break;
            }
            self.progress(role, commit, runs.len() as u32);
            let first = self.attempt(commit).await?;
            let mut infra_twice = None;
            let first_infra = matches!(first.outcome, RunOutcome::Infra { .. });
            let mut record = |a: Attempt, retry: bool, runs: &mut Vec<RunRecord>| {
                if a.signature.is_some() {
                    signature = a.signature.clone();
                }
                runs.push(RunRecord {
                    outcome: a.outcome,
                    retry,
                    duration_ms: a.duration.as_millis().min(u64::MAX as u128) as u64,
                });
            };
            record(first, false, &mut runs);
            if first_infra {
                let second = self.attempt(commit).await?;
                if let RunOutcome::Infra { reason } = &second.outcome {
                    infra_twice = Some(reason.clone());
                }
                record(second, true, &mut runs);
            }
            if let Some(r) = infra_twice {
                reason = Some(format!("infrastructure failure, also on retry: {r}"));
                skipped = true;
                break;
            }
            if runs.last().is_some_and(|r| r.outcome == RunOutcome::Skip) {
                reason = Some("the test command exited with 125 (cannot test this commit)".into());
                skipped = true;
                break;
            }
        }
        // Leave the tree clean for git's next checkout.
        self.clean_worktree(commit).await?;
        if role == StepRole::Original {
            self.bug = primary_title(&runs);
        }
        for r in &mut runs {
            if let RunOutcome::Crashed { title, is_bug } = &mut r.outcome {
                *is_bug = self.bug.as_deref().is_some_and(|b| is_bug_title(b, title));
            }
        }
        let (crash_word, clean_word) = self.words();
        let crashed = runs
            .iter()
            .any(|r| matches!(r.outcome, RunOutcome::Crashed { is_bug: true, .. }));
        let verdict = if role == StepRole::Parent {
            Verdict::Untested
        } else if crashed {
            crash_word
        } else if skipped {
            Verdict::Skip
        } else {
            clean_word
        };
        let mut rec = StepRecord {
            index,
            role,
            commit: commit.to_string(),
            subject,
            signature,
            runs,
            verdict,
            reason,
            git: Vec::new(),
            false_negative_chance: None,
        };
        if verdict == clean_word && role != StepRole::Original && self.bug.is_some() {
            let clean = self.clean_runs(commit)
                + rec
                    .runs
                    .iter()
                    .filter(|r| r.outcome == RunOutcome::Ok)
                    .count() as u32;
            rec.false_negative_chance = Some(stats::miss_chance(
                self.rate_low_at(Self::confidence(role)),
                clean,
            ));
        }
        Ok(Doing {
            rec,
            replayed: false,
            git_seen: 0,
        })
    }

    /// Whether the crashing end's runs so far name the bug clearly: the most
    /// frequent title has [`LEARN_MIN_CRASHES`] crashes and at least twice as
    /// many as any other title (an unrelated crash that happens everywhere
    /// must not be taken for the bug). (With no crash at all the runs go on to the maximum: a
    /// 30% bug shows no crash in 10 runs 2.8% of the time, in 40 runs almost
    /// never.)
    fn learned_enough(&self, runs: &[RunRecord]) -> bool {
        let mut counts: Vec<(&str, u32)> = Vec::new();
        for r in runs {
            if let RunOutcome::Crashed { title, .. } = &r.outcome {
                match counts.iter_mut().find(|(t, _)| *t == title.as_str()) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((title.as_str(), 1)),
                }
            }
        }
        counts.sort_by_key(|c| std::cmp::Reverse(c.1));
        match counts.as_slice() {
            [] => false,
            [(_, top)] => *top >= LEARN_MIN_CRASHES,
            [(_, top), (_, second), ..] => *top >= LEARN_MIN_CRASHES && *top >= 2 * *second,
        }
    }

    /// Gives git a `git bisect` command and records (or, replaying, checks)
    /// its answer.
    async fn git_bisect(
        &mut self,
        d: &mut Doing,
        args: Vec<String>,
    ) -> Result<Answer, EngineError> {
        let lines = self.wt.bisect(&args).await?;
        let answer = super::git::read_answer(&lines);
        if let Answer::Next {
            steps_left: Some(k),
            ..
        } = answer
        {
            self.steps_left = Some(k);
        }
        let rec = GitRecord {
            args,
            output: lines,
        };
        if d.replayed {
            let expected = d.rec.git.get(d.git_seen);
            d.git_seen += 1;
            if expected != Some(&rec) {
                return Err(EngineError::Replay {
                    index: d.rec.index,
                    message: format!(
                        "git answered differently to `git bisect {}` (was the repository changed?)",
                        rec.args.join(" ")
                    ),
                });
            }
        } else {
            d.rec.git.push(rec);
        }
        Ok(answer)
    }

    /// Stores a finished step: sends it (unless replayed) and the log.
    async fn finish_step(&mut self, d: Doing) -> Result<(), EngineError> {
        if d.replayed && d.git_seen != d.rec.git.len() {
            return Err(EngineError::Replay {
                index: d.rec.index,
                message: "the stored step has git commands the engine would not give".into(),
            });
        }
        if !d.replayed {
            self.send(Event::Step(d.rec.clone())).await?;
        }
        self.steps.push(d.rec);
        if self.prior.is_empty() {
            let b = log::build(
                self.kind(),
                &self.crash_end,
                self.clean_name(),
                &self.steps,
                self.rate_seen(),
                None,
            );
            self.send(Event::Log(bisect_log::write(&b))).await?;
        }
        Ok(())
    }

    async fn finish(self, end: End) -> Result<JobOutcome, EngineError> {
        if let Some(rec) = self.prior.front() {
            return Err(EngineError::Replay {
                index: rec.index,
                message: "the job ended before this stored step".into(),
            });
        }
        let bisection = log::build(
            self.kind(),
            &self.crash_end,
            self.clean_name(),
            &self.steps,
            self.rate_seen(),
            Some(&end),
        );
        let text = bisect_log::write(&bisection);
        self.send(Event::Log(text.clone())).await?;
        let (culprit, candidates, error) = match end {
            End::Culprit { commit, .. } => (Some(commit), Vec::new(), None),
            End::Inconclusive(c) => (None, c, None),
            End::Error(e) => (None, Vec::new(), Some(e)),
        };
        Ok(JobOutcome {
            culprit,
            candidates,
            error,
            bug_title: self.bug.clone(),
            repro_rate: self.rate_seen(),
            log: text,
            bisection,
            steps: self.steps,
        })
    }

    /// The non-crashing end as the job named it (`good` of a cause
    /// bisection, `bad` of a fix bisection).
    fn clean_name(&self) -> &str {
        let name = match self.kind() {
            Kind::Cause => &self.spec.good,
            Kind::Fix => &self.spec.bad,
        };
        // A name that would not survive the one-line log format is replaced
        // by the commit hash.
        if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            &self.clean_end
        } else {
            name
        }
    }

    fn words_text(&self) -> (&'static str, &'static str) {
        match self.kind() {
            Kind::Cause => ("bad", "good"),
            Kind::Fix => ("good", "bad"),
        }
    }

    pub async fn run(mut self) -> Result<JobOutcome, EngineError> {
        let (crash_word, clean_word) = self.words();
        let (crash_name, clean_name) = self.words_text();
        let crash_end = self.crash_end.clone();
        let clean_end = self.clean_end.clone();
        let runs = self.spec.runs.max(1);

        // Learn the bug on the crashing end.
        let d = self
            .step(
                StepRole::Original,
                &crash_end,
                Plan::Learn {
                    min: runs,
                    max: learn_max(runs),
                },
            )
            .await?;
        let original_runs = d.rec.runs.len();
        let original_skip = d.rec.verdict == Verdict::Skip;
        let original_reason = d.rec.reason.clone();
        self.finish_step(d).await?;
        if original_skip {
            let why = original_reason.unwrap_or_default();
            return self
                .finish(End::Error(format!(
                    "the {crash_name} commit {crash_end} could not be tested: {why}"
                )))
                .await;
        }
        if self.bug.is_none() {
            return self
                .finish(End::Error(format!(
                    "the {crash_name} commit {crash_end} did not crash in {original_runs} runs"
                )))
                .await;
        }

        // Confirm the other end.
        let clean = stats::runs_needed(self.rate_low(), STEP_ALPHA);
        let mut d = self
            .step(StepRole::Endpoint, &clean_end, Plan::Decide { clean })
            .await?;
        if d.rec.verdict != clean_word {
            let text = if d.rec.verdict == crash_word {
                format!(
                    "the {clean_name} commit {clean_end} crashed with the bug too: {}",
                    self.bug.clone().unwrap_or_default()
                )
            } else {
                format!(
                    "the {clean_name} commit {clean_end} could not be tested: {}",
                    d.rec.reason.clone().unwrap_or_default()
                )
            };
            self.finish_step(d).await?;
            return self.finish(End::Error(text)).await;
        }
        let (git_bad, git_good) = match self.kind() {
            Kind::Cause => (crash_end.clone(), clean_end.clone()),
            Kind::Fix => (clean_end.clone(), crash_end.clone()),
        };
        let mut answer = self
            .git_bisect(&mut d, vec!["start".into(), git_bad, git_good])
            .await?;
        self.finish_step(d).await?;

        loop {
            if self.steps.len() > MAX_STEPS {
                return Err(EngineError::Git {
                    args: "bisect".into(),
                    message: format!("no result after {MAX_STEPS} steps"),
                });
            }
            match answer {
                Answer::Next { commit, .. } => {
                    let clean = stats::runs_needed(self.rate_low(), STEP_ALPHA);
                    let mut d = self
                        .step(StepRole::Bisect, &commit, Plan::Decide { clean })
                        .await?;
                    let word = d.rec.verdict.as_str().to_string();
                    answer = self.git_bisect(&mut d, vec![word, commit]).await?;
                    self.finish_step(d).await?;
                }
                Answer::FirstBad(culprit) => {
                    match self.verify(&culprit).await? {
                        Verified::Yes => {}
                        Verified::No(next) => {
                            answer = next;
                            continue;
                        }
                        Verified::Error(text) => return self.finish(End::Error(text)).await,
                    }
                    let parent = self.wt.parents(&culprit).await?.into_iter().next();
                    if let Some(p) = &parent {
                        if log::signature_of(&self.steps, &culprit).is_some()
                            && log::signature_of(&self.steps, p).is_none()
                        {
                            let d = self.step(StepRole::Parent, p, Plan::Once).await?;
                            self.finish_step(d).await?;
                        }
                    }
                    let subject = self.wt.subject(&culprit).await?;
                    let title = self.bug.clone().unwrap_or_default();
                    return self
                        .finish(End::Culprit {
                            commit: culprit,
                            subject,
                            title,
                            parent,
                        })
                        .await;
                }
                Answer::OnlySkipped(candidates) => {
                    return self.finish(End::Inconclusive(candidates)).await
                }
                Answer::Unknown => {
                    return Err(EngineError::Git {
                        args: "bisect".into(),
                        message: "unexpected answer from git bisect".into(),
                    })
                }
            }
        }
    }

    /// Re-tests the "no crash" verdict next to `culprit` until its chance of
    /// being false is under [`VERIFY_ALPHA`]. When it crashes with the bug
    /// after all, git is told so and the bisection goes on.
    async fn verify(&mut self, culprit: &str) -> Result<Verified, EngineError> {
        let (crash_word, _) = self.words();
        let targets = match self.kind() {
            Kind::Cause => self.wt.parents(culprit).await?,
            Kind::Fix => vec![culprit.to_string()],
        };
        for target in targets {
            let total =
                stats::runs_needed(self.rate_low_at(stats::VERIFY_CONFIDENCE), VERIFY_ALPHA);
            let have = self.clean_runs(&target);
            if have >= total {
                continue;
            }
            let mut d = self
                .step(
                    StepRole::Verify,
                    &target,
                    Plan::Decide {
                        clean: total - have,
                    },
                )
                .await?;
            if d.rec.verdict != crash_word {
                self.finish_step(d).await?;
                continue;
            }
            if target == self.clean_end {
                let (_, clean_name) = self.words_text();
                let text = format!(
                    "the {clean_name} commit {target} crashed with the bug when tested again: {}",
                    self.bug.clone().unwrap_or_default()
                );
                self.finish_step(d).await?;
                return Ok(Verified::Error(text));
            }
            let answer = match self.kind() {
                Kind::Cause => {
                    // Every "good" mark at or after the target was wrong.
                    let refs = self
                        .wt
                        .run(&["for-each-ref", "--format=%(refname)", "refs/bisect/"])
                        .await?;
                    for r in refs.lines() {
                        let Some(good) = r.strip_prefix("refs/bisect/good-") else {
                            continue;
                        };
                        if self.wt.is_ancestor(&target, good).await? {
                            self.wt.run(&["update-ref", "-d", r]).await?;
                        }
                    }
                    self.git_bisect(&mut d, vec!["bad".into(), target.clone()])
                        .await?
                }
                Kind::Fix => {
                    // The target was wrongly marked "bad" (fixed): go back to
                    // the bad mark before it.
                    let mut previous = None;
                    for s in &self.steps {
                        for g in &s.git {
                            let bad = match g.args.as_slice() {
                                [w, bad, _] if w == "start" => bad,
                                [w, c] if w == "bad" => c,
                                _ => continue,
                            };
                            if *bad != target {
                                previous = Some(bad.clone());
                            }
                        }
                    }
                    let Some(previous) = previous else {
                        return Err(EngineError::Git {
                            args: "bisect".into(),
                            message: "no earlier bad commit to go back to".into(),
                        });
                    };
                    self.wt
                        .run(&["update-ref", "refs/bisect/bad", &previous])
                        .await?;
                    self.git_bisect(&mut d, vec!["good".into(), target.clone()])
                        .await?
                }
            };
            self.finish_step(d).await?;
            return Ok(Verified::No(answer));
        }
        Ok(Verified::Yes)
    }
}

enum Verified {
    Yes,
    No(Answer),
    Error(String),
}
