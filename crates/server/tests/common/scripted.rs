//! A scripted bisection engine that keeps the engine's contract
//! (`bisect_server::engine` module docs) with a known plan: the tests of the
//! server's queue, persistence and resume do not depend on the real engine's
//! statistics. It bisects `commits` for a culprit at a known index by plain
//! binary search, one step per `step_delay`, replays `prior` steps without
//! re-sending them, and writes a syzbot-style log.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bisect_log::Verdict;
use bisect_server::engine::{
    EngineError, Event, JobOutcome, RunOutcome, RunRecord, StepRecord, StepRole,
};
use bisect_server::worker::EngineRun;

pub struct Script {
    pub commits: Vec<String>,
    /// Index into `commits` of the first bad commit.
    pub culprit: usize,
    pub step_delay: Duration,
    /// `prior.len()` of every call, in order.
    pub calls: Mutex<Vec<usize>>,
}

impl Script {
    /// A plan over `commits` with the first bad one at index `culprit`.
    pub fn new(commits: &[String], culprit: usize, step_delay: Duration) -> Arc<Script> {
        Arc::new(Script {
            commits: commits.to_vec(),
            culprit,
            step_delay,
            calls: Mutex::new(Vec::new()),
        })
    }

    /// Server options running this script on `workers` workers, with the
    /// repositories under `repos` (a restart passes the first server's database).
    pub fn options(
        self: &Arc<Self>,
        repos: &std::path::Path,
        workers: usize,
        database: Option<String>,
    ) -> super::Options {
        super::Options {
            workers,
            repos_root: Some(repos.to_path_buf()),
            engine: Some(engine(self.clone())),
            claim_timeout_s: 1,
            database,
            ..super::Options::default()
        }
    }
}

const TITLE: &str = "KASAN: use-after-free Read in flaky_bug";

impl Script {
    /// (role, commit index, bad?) of every step.
    fn plan(&self) -> Vec<(StepRole, usize, bool)> {
        let n = self.commits.len();
        let mut plan = vec![
            (StepRole::Original, n - 1, true),
            (StepRole::Endpoint, 0, false),
        ];
        let (mut lo, mut hi) = (0, n - 1);
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            let bad = mid >= self.culprit;
            plan.push((StepRole::Bisect, mid, bad));
            if bad {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        plan
    }

    fn record(&self, index: usize, (role, at, bad): (StepRole, usize, bool)) -> StepRecord {
        StepRecord {
            index: index as u32,
            role,
            commit: self.commits[at].clone(),
            subject: format!("commit {}", at + 1),
            signature: None,
            runs: vec![RunRecord {
                outcome: if bad {
                    RunOutcome::Crashed {
                        title: TITLE.into(),
                        is_bug: true,
                    }
                } else {
                    RunOutcome::Ok
                },
                retry: false,
                duration_ms: self.step_delay.as_millis() as u64,
            }],
            verdict: if bad { Verdict::Bad } else { Verdict::Good },
            reason: None,
            git: Vec::new(),
            false_negative_chance: None,
        }
    }

    /// The log after `steps` steps.
    fn log(&self, steps: &[StepRecord], done: bool) -> String {
        let n = self.commits.len();
        let mut log = format!(
            "bisecting cause commit starting from {}\nbuilding syzkaller on 0000000000000000000000000000000000000000\n",
            self.commits[n - 1]
        );
        for s in steps {
            if s.role == StepRole::Bisect {
                log.push_str(&format!("[{}] {}\n", s.commit, s.subject));
            }
            log.push_str(&format!("testing commit {}\n", s.commit));
            if s.verdict == Verdict::Bad {
                log.push_str(&format!("all runs: crashed: {TITLE}\n"));
            } else {
                log.push_str("all runs: OK\n");
            }
            match s.role {
                StepRole::Endpoint => log.push_str(&format!(
                    "# git bisect start {} {}\n",
                    self.commits[n - 1],
                    self.commits[0]
                )),
                StepRole::Bisect => log.push_str(&format!(
                    "# git bisect {} {}\n",
                    if s.verdict == Verdict::Bad {
                        "bad"
                    } else {
                        "good"
                    },
                    s.commit
                )),
                _ => {}
            }
        }
        if done {
            log.push_str(&format!(
                "{} is the first bad commit\n",
                self.commits[self.culprit]
            ));
        }
        log
    }
}

pub fn engine(script: Arc<Script>) -> EngineRun {
    Arc::new(move |_spec, prior, cancel, events| {
        let script = script.clone();
        Box::pin(async move {
            script.calls.lock().unwrap().push(prior.len());
            let plan = script.plan();
            let mut steps = Vec::new();
            for (i, p) in prior.iter().enumerate() {
                let expected = script.record(i, plan[i]);
                if p.commit != expected.commit || p.index != expected.index {
                    return Err(EngineError::Replay {
                        index: i as u32,
                        message: "differs".into(),
                    });
                }
                steps.push(p.clone());
            }
            if !steps.is_empty() {
                let _ = events.send(Event::Log(script.log(&steps, false))).await;
            }
            for (i, p) in plan.iter().enumerate().skip(prior.len()) {
                tokio::select! {
                    _ = cancel.cancelled() => return Err(EngineError::Cancelled),
                    _ = tokio::time::sleep(script.step_delay) => {}
                }
                let record = script.record(i, *p);
                steps.push(record.clone());
                events
                    .send(Event::Step(record))
                    .await
                    .map_err(|_| EngineError::EventsClosed)?;
                events
                    .send(Event::Log(script.log(&steps, false)))
                    .await
                    .map_err(|_| EngineError::EventsClosed)?;
            }
            let log = script.log(&steps, true);
            let _ = events.send(Event::Log(log.clone())).await;
            Ok(JobOutcome {
                culprit: Some(script.commits[script.culprit].clone()),
                candidates: Vec::new(),
                error: None,
                bug_title: Some(TITLE.to_string()),
                repro_rate: Some(1.0),
                bisection: bisect_log::parse(&log).unwrap(),
                log,
                steps,
            })
        })
    })
}
