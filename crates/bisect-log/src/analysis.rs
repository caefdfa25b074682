//! Trust analysis: did this bisection go wrong, at which step, and why?
//!
//! [`analyze`] looks at a parsed [`Bisection`] the way a kernel developer
//! reading the log would: does the blamed commit change the tested kernel at
//! all, were the "bad" verdicts caused by the bug's own crash, could the
//! "good" verdicts have missed a flaky bug, … Each finding is a
//! [`Diagnostic`] with a stable kebab-case [`Code`], a plain-words
//! explanation and the log lines it rests on. [`what_if`] replays the log's
//! own `git bisect` steps with some verdicts flipped.
//!
//! # Trust
//!
//! A result with a single culprit is [`Trust::Suspect`] when at least one
//! diagnostic has [`Severity::Error`], else [`Trust::Trusted`]; without a
//! single culprit it is [`Trust::NotApplicable`]. The detectors (thresholds
//! in [`detect`], tuned on the labelled corpus, see `crates/cli/README.md`):
//!
//! | code | severity | fires when |
//! |---|---|---|
//! | `noop-culprit` | error | culprit signature = parent signature |
//! | `same-binary-conflict` | error | two tests with one kernel signature got opposite verdicts |
//! | `unrelated-crash-verdict` | error | a "bad" verdict whose runs crashed, but never with the bug's crash, and no later test (an ancestor) crashed with it twice |
//! | `infra-bad-verdict` | error | a "bad" verdict resting only on `SYZFAIL`, lost connection, boot/test failures |
//! | `lone-crash-verdict` | warning | one crash in ≥ 10 runs where the original's rate makes that unlikely (< 5%) |
//! | `likely-false-negative` | warning / error | a clean verdict misses with ≥ 10% / all together with ≥ 50% |
//! | `final-crash-differs` | error | the final `crash:` is not the bug's crash |
//! | `merge-culprit`, `release-culprit` | error | the culprit is a merge / `Linux X.Y` |
//! | `non-kernel-culprit` | error | the culprit only touches docs, selftests, tools, scripts |
//! | `config-only-culprit` | error | the culprit only touches Kconfig/Makefile |
//! | `culprit-not-in-report` | warning | no culprit file or directory among the report's frames |
//! | `detector-culprit` | error | the culprit's subject names a bug detector (KASAN, lockdep, ref_tracker, fault injection, raw-gadget …), `culprit-not-in-report` holds and the bug does not crash in that detector's own functions |
//! | `one-sided-bisection` | warning | ≥ 4 bisect steps, all crashed |
//! | `many-skips` | warning | ≥ 25% of the bisect steps skipped |
//! | `flaky-reproducer` | error | syzkaller flagged the reproducer flaky |
//! | `low-confidence` | error | syzkaller's accumulated error probability > 0.34 |
//! | `inconclusive` | info | several candidates or an error |
//! | `clean-release-bound` | info | a single culprit and nothing above fired: names the release judged clean as the place to look first |
//!
//! "The bug's crash" is any kernel crash title of the original commit's
//! runs, compared with [`MatchRule::DEFAULT`] (see [`title`]).
//!
//! # Counting runs
//!
//! `all runs: <result>` does not say how many runs there were. It counts as
//! the number of runs shown (`run #i` lines) by the other tests of the same
//! log, the original commit's test left out, when there are any (their most
//! common count: 20 once syzkaller treats the reproducer as flaky), else as
//! 10, the number syzkaller used for every test since 2019-05. The first
//! test has used 20 runs since 2021-02, but an `all runs:` first test only
//! matters for the reproduction rate when all runs crashed or none did,
//! where the count does not change the rate.
//!
//! Everything here is linear in the size of the log.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::model::*;

pub mod detect;
pub mod estimate;
pub mod evaluate;
pub mod paths;
pub mod replay;
pub mod title;

pub use replay::what_if;
pub use title::MatchRule;

/// The result of [`analyze`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub trust: Trust,
    /// Findings, most serious first (stable order for a given log).
    pub diagnostics: Vec<Diagnostic>,
    /// The tested commit whose verdict most likely went wrong first: set
    /// whenever a diagnostic of warning or error severity casts doubt (for a
    /// trusted result it says where to look first if the warning matters);
    /// `None` without a single culprit or without doubts.
    pub suspect_step: Option<SuspectStep>,
    pub estimates: Estimates,
    /// The bug's own crash titles: what the original commit crashed with
    /// (else the final `crash:` title). Other titles are compared to these.
    pub bug_titles: Vec<String>,
}

impl Analysis {
    /// Whether a diagnostic with `code` was raised.
    pub fn has(&self, code: Code) -> bool {
        self.diagnostics.iter().any(|d| d.code == code)
    }

    /// The commit of [`Analysis::suspect_step`].
    pub fn suspect_commit(&self) -> Option<&str> {
        self.suspect_step.as_ref().map(|s| s.commit.as_str())
    }
}

/// How far the single culprit of the log can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Trust {
    /// Nothing in the log speaks against the culprit.
    #[serde(rename = "trusted")]
    Trusted,
    /// At least one error-severity diagnostic: the culprit is probably wrong.
    #[serde(rename = "suspect")]
    Suspect,
    /// The bisection did not end on a single culprit.
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl Trust {
    /// `"trusted"`, `"suspect"` or `"n/a"`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Trust::Trusted => "trusted",
            Trust::Suspect => "suspect",
            Trust::NotApplicable => "n/a",
        }
    }
}

/// How much a diagnostic weighs against the culprit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Context worth knowing; does not by itself cast doubt.
    Info,
    /// Weakens the result; not enough alone to call it suspect.
    Warning,
    /// The result is probably wrong: makes [`Trust::Suspect`].
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Stable identifiers of the detectors (kebab-case in JSON and the CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The culprit's kernel signature equals its parent's: same binary.
    NoopCulprit,
    /// Two tests of the same kernel binary got opposite verdicts.
    SameBinaryConflict,
    /// A "bad" verdict rests on crashes other than the bug's own.
    UnrelatedCrashVerdict,
    /// A "bad" verdict rests only on infrastructure failures.
    InfraBadVerdict,
    /// A "bad" verdict rests on a single crash out of many runs.
    LoneCrashVerdict,
    /// "Good" verdicts that may have missed a flaky bug.
    LikelyFalseNegative,
    /// The final `crash:` title is not the bug's crash.
    FinalCrashDiffers,
    /// The culprit is a merge commit.
    MergeCulprit,
    /// The culprit is a release commit (`Linux 5.1`).
    ReleaseCulprit,
    /// The culprit only touches files that cannot change the tested kernel.
    NonKernelCulprit,
    /// The culprit only changes Kconfig/Makefile lines.
    ConfigOnlyCulprit,
    /// None of the culprit's files or directories appear in the crash report.
    CulpritNotInReport,
    /// The culprit adds or extends a bug detector (KASAN, lockdep, fault
    /// injection …), none of its files appear in the crash report and the
    /// bug does not crash in the detector's own code.
    DetectorCulprit,
    /// Every `git bisect` step crashed: the culprit is the range's first commit.
    OneSidedBisection,
    /// Many commits were skipped (build/boot failures).
    ManySkips,
    /// The bisection ended on several candidates or an error.
    Inconclusive,
    /// The reproducer was flaky (syzkaller's flag or the runs themselves).
    FlakyReproducer,
    /// syzkaller's own `accumulated error probability` is high.
    LowConfidence,
    /// Nothing else stands out: the range rests on the release judged clean.
    CleanReleaseBound,
}

impl Code {
    pub const ALL: [Code; 19] = [
        Code::NoopCulprit,
        Code::SameBinaryConflict,
        Code::UnrelatedCrashVerdict,
        Code::InfraBadVerdict,
        Code::LoneCrashVerdict,
        Code::LikelyFalseNegative,
        Code::FinalCrashDiffers,
        Code::MergeCulprit,
        Code::ReleaseCulprit,
        Code::NonKernelCulprit,
        Code::ConfigOnlyCulprit,
        Code::CulpritNotInReport,
        Code::DetectorCulprit,
        Code::OneSidedBisection,
        Code::ManySkips,
        Code::Inconclusive,
        Code::FlakyReproducer,
        Code::LowConfidence,
        Code::CleanReleaseBound,
    ];

    /// The kebab-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::NoopCulprit => "noop-culprit",
            Code::SameBinaryConflict => "same-binary-conflict",
            Code::UnrelatedCrashVerdict => "unrelated-crash-verdict",
            Code::InfraBadVerdict => "infra-bad-verdict",
            Code::LoneCrashVerdict => "lone-crash-verdict",
            Code::LikelyFalseNegative => "likely-false-negative",
            Code::FinalCrashDiffers => "final-crash-differs",
            Code::MergeCulprit => "merge-culprit",
            Code::ReleaseCulprit => "release-culprit",
            Code::NonKernelCulprit => "non-kernel-culprit",
            Code::ConfigOnlyCulprit => "config-only-culprit",
            Code::CulpritNotInReport => "culprit-not-in-report",
            Code::DetectorCulprit => "detector-culprit",
            Code::OneSidedBisection => "one-sided-bisection",
            Code::ManySkips => "many-skips",
            Code::Inconclusive => "inconclusive",
            Code::FlakyReproducer => "flaky-reproducer",
            Code::LowConfidence => "low-confidence",
            Code::CleanReleaseBound => "clean-release-bound",
        }
    }

    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// One line, e.g. `"bad verdict on 7c25c0d16ef3 rests on SYZFAIL: wrong response packet"`.
    pub title: String,
    /// Plain words: what was seen and why it matters.
    pub explanation: String,
    /// The log lines the finding rests on, in log order.
    pub evidence: Vec<Evidence>,
}

/// A piece of the log backing a diagnostic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Lines in the log.
    pub span: Span,
    /// The tested commit these lines belong to, if any.
    pub commit: Option<String>,
    /// What these lines show, in a few words.
    pub note: String,
}

/// The step whose verdict most likely went wrong first.
///
/// Chosen from the diagnostics that doubt a particular verdict (a bad
/// verdict on another crash or on infrastructure failures, two verdicts on
/// one binary, a clean verdict with a high miss chance …), strongest first,
/// earliest on ties. When only the culprit itself is implausible (no-op,
/// merge, release, config-only, a bug detector, not in the report …) it is
/// the clean end of the range: the release (or HEAD) judged clean, the
/// verdict that most often goes wrong first in wrong bisections (a bug
/// older than that release that did not reproduce there). The clean release is also the
/// suspect step when the doubted verdict is more likely right than the clean
/// verdicts around it: a lone crash with the bug's own title, a release whose
/// every run crashed with another bug (which hides the bug's crash), or steps
/// on another crash after a release showed the bug's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuspectStep {
    pub commit: String,
    /// The `testing commit` block.
    pub span: Span,
    /// The verdict git was given (git's word).
    pub verdict: Verdict,
    /// The diagnostic that points at this step.
    pub code: Code,
}

/// Reproduction and miss-chance estimates.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Estimates {
    /// Chance that one run reproduces the bug's crash, the way syzkaller
    /// estimates it since 2023-07: the original commit's ratio of the bug's
    /// crashes, lowered on each crashing step to `min(rate, (rate + ratio) / 2)`.
    pub repro_rate: Option<f64>,
    /// The share of runs that crashed with the bug on the original commit alone.
    pub original_repro_rate: Option<f64>,
    /// Runs that showed the bug's crash / runs (crashed or clean) of the
    /// tests used for `repro_rate`.
    pub repro_crashes: u32,
    pub repro_runs: u32,
    /// Per clean verdict (the bug judged absent: `good` in a cause
    /// bisection, `bad` in a fix bisection) of a release, HEAD or `git
    /// bisect` step: the chance it missed the bug.
    pub good_verdicts: Vec<GoodVerdict>,
    /// Chance that at least one of those good verdicts was wrong. Unlike
    /// syzkaller, which judges each verdict with its estimate at that time,
    /// every verdict is judged with the final `repro_rate`, and the clean
    /// release (or HEAD) verdicts count too, so this is usually higher than
    /// `syzkaller_error_probability`.
    pub accumulated_miss_chance: Option<f64>,
    /// syzkaller's own `accumulated error probability`, when logged.
    pub syzkaller_error_probability: Option<f64>,
    /// syzkaller's own `reproducer is flaky (X repro chance estimate)`, when logged.
    pub syzkaller_repro_chance: Option<f64>,
}

/// A "good" verdict (the bug was judged absent) and how likely it missed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoodVerdict {
    pub commit: String,
    pub span: Span,
    /// Runs that completed without any crash.
    pub ok_runs: u32,
    /// `(1 - repro_rate) ^ ok_runs`.
    pub miss_chance: f64,
}

/// What the bisection would have known with some verdicts flipped; see [`what_if`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WhatIf {
    /// The newest commit known good at the end (the culprit lies after it).
    pub last_good: Option<Bound>,
    /// The oldest commit known bad at the end (the culprit or an ancestor of it).
    pub first_bad: Option<Bound>,
    /// Approximate number of commits still left between the bounds (0 when
    /// `first_bad` is the culprit), from the log's `Bisecting: N revisions left` lines.
    pub revisions_left: Option<u32>,
    /// The commit the bisection would have blamed, when the bounds are adjacent.
    pub culprit: Option<String>,
    /// Flips that were applied (matched a tested commit of the log).
    pub applied: Vec<(String, Verdict)>,
    /// Flips whose commit the log never tested.
    pub unknown: Vec<String>,
    /// Steps whose verdict no longer mattered (their commit fell outside the
    /// remaining range once an earlier verdict was flipped).
    pub moot_steps: Vec<String>,
}

/// A tested commit bounding the culprit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bound {
    pub commit: String,
    /// Its `testing commit` block, when the log has one.
    pub span: Option<Span>,
}

/// Knobs of [`analyze_with`] (for measurements; [`analyze`] uses the defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// How crash titles are compared with the bug's.
    pub rule: MatchRule,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rule: MatchRule::DEFAULT,
        }
    }
}

/// Analyses one bisection with the default [`Options`]; see the module documentation.
pub fn analyze(b: &Bisection) -> Analysis {
    analyze_with(b, &Options::default())
}

/// Analyses one bisection.
pub fn analyze_with(b: &Bisection, options: &Options) -> Analysis {
    let bug_titles = title::bug_titles(b);
    let all_runs = estimate::all_runs_count(b);
    let tests: Vec<&TestBlock> = b.tests().collect();
    // A log repeats a handful of titles over hundreds of runs: compare each
    // distinct title with the bug's titles once.
    let mut seen: HashMap<String, bool> = HashMap::new();
    let mut is_bug = |t: &str| -> bool {
        if let Some(&known) = seen.get(t) {
            return known;
        }
        let v = title::is_bug(options.rule, &bug_titles, t);
        seen.insert(t.to_string(), v);
        v
    };
    let tallies: Vec<estimate::Tally> = tests
        .iter()
        .map(|t| estimate::Tally::of(&t.runs, all_runs, &mut is_bug))
        .collect();
    let estimates = estimate::estimates(b, &tallies);
    let cx = detect::Ctx {
        b,
        rule: options.rule,
        bug: &bug_titles,
        tests,
        tallies,
        est: &estimates,
    };
    let (mut diagnostics, suspect_step) = detect::run(&cx);
    // Most serious first; detectors' own order within a severity.
    diagnostics.sort_by_key(|d| std::cmp::Reverse(d.severity));
    let trust = if b.culprit().is_none() {
        Trust::NotApplicable
    } else if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        Trust::Suspect
    } else {
        Trust::Trusted
    };
    Analysis {
        trust,
        diagnostics,
        suspect_step,
        estimates,
        bug_titles,
    }
}
