//! Per-test tallies of run results and the reproduction estimates built on them.

use crate::model::*;

use super::title::is_infra;
use super::{Estimates, GoodVerdict};

/// `all runs:` counts as this many runs when no other test of the log shows
/// its run count (syzkaller used 10 VMs per test since 2019-05).
pub const DEFAULT_RUNS: u32 = 10;

/// The run results of one test, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Runs that crashed with the bug's crash.
    pub bug: u32,
    /// Runs that crashed with another kernel crash.
    pub other: u32,
    /// Runs that "crashed" with an infrastructure title (`SYZFAIL`, `lost
    /// connection`, `no output`) or failed to boot/test/run.
    pub infra: u32,
    /// Runs without any crash.
    pub ok: u32,
    /// Runs syzkaller chose to ignore.
    pub ignored: u32,
}

impl Tally {
    pub fn total(&self) -> u32 {
        self.bug + self.other + self.infra + self.ok + self.ignored
    }

    /// Runs that crashed in any way (what made old syzkaller say "bad").
    pub fn crashed(&self) -> u32 {
        self.bug + self.other + self.infra
    }

    /// Counts `runs`; `all_runs` is how many runs an `all runs:` line stands
    /// for; `is_bug` tells whether a crash title is the bug's.
    pub fn of(runs: &Runs, all_runs: u32, is_bug: &mut impl FnMut(&str) -> bool) -> Tally {
        let mut t = Tally::default();
        let (slice, weight) = match runs {
            Runs::None => (&[][..], 0),
            Runs::All(_) => (runs.as_slice(), all_runs),
            Runs::Each { runs } => (runs.as_slice(), 1),
        };
        for r in slice {
            let slot = match &r.result {
                RunResult::Ok => &mut t.ok,
                RunResult::Crashed(title) if is_bug(title) => &mut t.bug,
                RunResult::Crashed(title) if is_infra(title) => &mut t.infra,
                RunResult::Crashed(_) => &mut t.other,
                RunResult::Ignored(_) => &mut t.ignored,
                RunResult::BootFailed(_)
                | RunResult::BasicTestingFailed(_)
                | RunResult::InfraProblem(_)
                | RunResult::Failed(_)
                | RunResult::Other(_) => &mut t.infra,
            };
            *slot += weight;
        }
        t
    }
}

/// How many runs an `all runs:` line stands for in this log: the most common
/// number of `run #i` lines among its tests other than the original (which
/// has had 20 runs since 2021-02 while the others kept 10), else
/// [`DEFAULT_RUNS`].
pub fn all_runs_count(b: &Bisection) -> u32 {
    let mut counts: Vec<(u32, u32)> = Vec::new();
    for t in b.tests().filter(|t| t.role != Role::Original) {
        if let Runs::Each { runs } = &t.runs {
            let n = runs.len() as u32;
            match counts.iter_mut().find(|(k, _)| *k == n) {
                Some((_, c)) => *c += 1,
                None => counts.push((n, 1)),
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(n, c)| (c, n))
        .map_or(DEFAULT_RUNS, |(n, _)| n.max(1))
}

/// The verdict git is given when the reproducer crashes (`bad` for a cause
/// bisection, `good` for a fix bisection).
pub fn crashing_verdict(kind: Kind) -> Verdict {
    match kind {
        Kind::Cause => Verdict::Bad,
        Kind::Fix => Verdict::Good,
    }
}

/// The verdict git is given when the reproducer does not crash.
pub fn clean_verdict(kind: Kind) -> Verdict {
    match kind {
        Kind::Cause => Verdict::Good,
        Kind::Fix => Verdict::Bad,
    }
}

/// Whether a test's outcome was "the bug is there" (cause: bad; fix: good;
/// the original and release/HEAD tests by their runs).
pub fn said_crashes(kind: Kind, t: &TestBlock, tally: &Tally) -> bool {
    match t.verdict {
        Verdict::Untested => tally.crashed() > 0,
        v => v == crashing_verdict(kind),
    }
}

/// Whether a test's outcome was "the bug is absent".
pub fn said_clean(kind: Kind, t: &TestBlock, tally: &Tally) -> bool {
    match t.verdict {
        Verdict::Untested => tally.crashed() == 0 && tally.ok > 0,
        v => v == clean_verdict(kind),
    }
}

/// The estimates of [`super::Analysis`] from precomputed tallies (one per
/// test, in `b.tests()` order).
pub fn estimates(b: &Bisection, tallies: &[Tally]) -> Estimates {
    // syzkaller's own rule (pkg/bisect, 2023-07+): start from the original
    // commit's ratio, lower it on every crashing step to
    // min(rate, (rate + step ratio) / 2). Only the bug's crashes count.
    let mut crashes = 0;
    let mut runs = 0;
    let mut rate: Option<f64> = None;
    let mut original_repro_rate = None;
    for (t, tally) in b.tests().zip(tallies) {
        let counted_runs = tally.bug + tally.ok + tally.other;
        if counted_runs == 0 {
            continue;
        }
        let ratio = f64::from(tally.bug) / f64::from(counted_runs);
        if t.role == Role::Original {
            crashes += tally.bug;
            runs += counted_runs;
            original_repro_rate = Some(ratio);
            if tally.bug > 0 {
                rate = Some(ratio);
            }
        } else if said_crashes(b.kind, t, tally) && tally.bug > 0 && t.role != Role::Minimization {
            crashes += tally.bug;
            runs += counted_runs;
            rate = Some(match rate {
                Some(r) => r.min((r + ratio) / 2.0),
                None => ratio,
            });
        }
    }
    let repro_rate = rate;
    let mut good_verdicts = Vec::new();
    if let Some(rate) = repro_rate {
        for (t, tally) in b.tests().zip(tallies) {
            let bisecting = matches!(t.role, Role::Step | Role::Release { .. } | Role::Head);
            if bisecting && said_clean(b.kind, t, tally) && tally.ok > 0 {
                good_verdicts.push(GoodVerdict {
                    commit: t.commit.clone(),
                    span: t.span,
                    ok_runs: tally.ok,
                    miss_chance: (1.0 - rate).powi(tally.ok as i32),
                });
            }
        }
    }
    let accumulated_miss_chance = repro_rate.map(|_| {
        1.0 - good_verdicts
            .iter()
            .map(|g| 1.0 - g.miss_chance)
            .product::<f64>()
    });
    Estimates {
        repro_rate,
        original_repro_rate,
        repro_crashes: crashes,
        repro_runs: runs,
        good_verdicts,
        accumulated_miss_chance,
        syzkaller_error_probability: b.accumulated_error_probability(),
        syzkaller_repro_chance: b.repro_chance_estimate(),
    }
}
