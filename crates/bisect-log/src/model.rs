//! The data model of a syzbot bisection log.
//!
//! The model is lossless: every input line is owned by exactly one node (or by
//! [`Bisection::unrecognized`]) and every node records the lines it came from,
//! so the writer can print the same text back and a viewer can jump to it.
//! Order matters in these logs, so the body is one ordered list of entries.

use serde::{Deserialize, Serialize};

/// Inclusive 1-based line range in the input text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Span {
    pub first: u32,
    pub last: u32,
}

impl Span {
    pub fn line(n: u32) -> Self {
        Span { first: n, last: n }
    }

    pub fn contains(&self, line: u32) -> bool {
        self.first <= line && line <= self.last
    }

    pub fn extend_to(&mut self, line: u32) {
        if line > self.last {
            self.last = line;
        }
    }
}

/// What the bisection searched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The commit that introduced the bug (`bisecting cause commit starting from`).
    #[default]
    Cause,
    /// The commit that fixed the bug (`bisecting fixing commit since`); git's
    /// good/bad words are inverted (crashed = good).
    Fix,
}

/// A whole parsed log.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Bisection {
    pub kind: Kind,
    pub header: Header,
    /// Everything between the header and the trailer, in log order.
    pub body: Vec<Entry>,
    pub trailer: Trailer,
    /// Lines that matched nothing the parser knows, with where they were.
    pub unrecognized: Vec<Unrecognized>,
    /// Lines whose bytes were not valid UTF-8 (decoded lossily).
    pub invalid_utf8_lines: Vec<u32>,
    /// Number of lines in the input.
    pub line_count: u32,
    /// Whether the input ended with a newline.
    pub final_newline: bool,
    /// Whether every line ended with `\r\n` (stripped while parsing, restored by the writer).
    pub crlf: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unrecognized {
    pub line: u32,
    pub text: String,
}

/// Lines before the first test: who started the bisection, from where.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Header {
    pub span: Option<Span>,
    /// `ci2 starts bisection 2022-11-04 06:26:02.69 +0000 UTC m=+34504.04` (2022-07+).
    pub host: Option<HostLine>,
    /// The crash commit (cause) or the commit the bug is known on (fix).
    pub start_commit: Option<String>,
    /// `building syzkaller on H`.
    pub syzkaller_commit: Option<String>,
    /// `fetch other tags …` / `fetch failed with …` / `rewritten commit …` /
    /// `ensuring issue is reproducible …` lines, in order.
    pub notes: Vec<HeaderNote>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostLine {
    pub host: String,
    /// Go `time.Time.String()` as printed, monotonic suffix included.
    pub time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HeaderNote {
    FetchTags,
    FetchFailed {
        error: String,
        more: Vec<String>,
    },
    Reidentified {
        commit: String,
        title: String,
        blank_after: bool,
    },
    EnsuringReproducible {
        commit: String,
        blank_after: bool,
    },
}

/// One item of the body.
// Tests are most of the body, so boxing them would cost an allocation each
// and save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entry {
    Test(TestBlock),
    Git(GitStep),
    Note(Note),
}

/// Why a commit was tested.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    /// The commit the crash was found on (first test of a cause bisection).
    Original,
    /// `testing release vX.Y` (range search of a cause bisection).
    Release { tag: String },
    /// `testing current HEAD H` (fix bisection).
    Head,
    /// A merge base tested before a cross-tree fix bisection.
    MergeBase,
    /// A test inside `git bisect`.
    #[default]
    Step,
    /// The culprit's parent, built only to compare kernel signatures.
    Parent,
    /// A test made during config minimization.
    Minimization,
}

/// What git was told about a tested commit (git's own words: in a fix
/// bisection `good` means "still crashes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Good,
    Bad,
    Skip,
    /// No verdict was recorded (a build-only test, a cut log).
    #[default]
    Untested,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Good => "good",
            Verdict::Bad => "bad",
            Verdict::Skip => "skip",
            Verdict::Untested => "untested",
        }
    }
}

/// The shape of the `testing commit H…` line, which changed over the years.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "form", content = "value", rename_all = "snake_case")]
pub enum CommitLine {
    /// `testing commit H` (2021-07 … 2022-09).
    #[default]
    Bare,
    /// `testing commit H with gcc (GCC) 8.1.0` (2019 … 2021-07): the compiler.
    With(String),
    /// `testing commit H gcc` (2022-09+): the configured compiler type only.
    CompilerType(String),
}

/// One `testing commit` block.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TestBlock {
    pub span: Span,
    pub role: Role,
    /// Derived from the `git bisect` line that follows (or inferred for
    /// release and original tests); not written back.
    pub verdict: Verdict,
    pub commit: String,
    /// Subject from git's `[H] subject` line, where git printed one.
    pub subject: Option<String>,
    pub commit_line: CommitLine,
    /// `compiler: …` (2021-07+), verbatim including trailing spaces.
    pub compiler: Option<String>,
    /// `kernel signature: S` (hash of the built kernel image).
    pub signature: Option<String>,
    /// Build or test failures printed instead of (or before) runs.
    pub failures: Vec<Failure>,
    pub runs: Runs,
    pub representative_crash: Option<RepresentativeCrash>,
    /// `unable to determine the verdict: …` (2023-06+), verbatim after the colon.
    pub undetermined: Option<String>,
    /// `too many neither good nor bad results, skipping this commit` (2023-06).
    pub too_many_neither: bool,
    /// `reproducer seems to be flaky` (2020-11 … 2023-07).
    pub flaky: bool,
    /// `false negative chance: 0.001` (2023-07+).
    pub false_negative_chance: Option<f64>,
}

/// A build or test failure that replaced the runs of a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub kind: FailureKind,
    /// First line without its prefix (`failed: `, `failed building H: `, …).
    pub text: String,
    /// Following lines (compiler errors, command output), verbatim.
    pub more: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "commit", rename_all = "snake_case")]
pub enum FailureKind {
    /// Compiler/linker error lines or `failed to run ["make" …]` (before 2023-05).
    Build,
    /// `failed building H: …` (2023-05+).
    FailedBuilding(String),
    /// `failed: …` at block level: the VM pool or the test itself failed.
    Failed,
    /// `failed testing reproducer on H[: …]` (2023-05).
    FailedTesting(String),
    /// `repro testing failure: …` (2023-05+).
    ReproTesting,
}

/// The runs of a block: either one shared line or one line per run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum Runs {
    #[default]
    None,
    /// `all runs: <result>`: every run had this result; their number is not printed.
    All(Run),
    /// `run #i: <result>` lines.
    Each { runs: Vec<Run> },
}

impl Runs {
    pub fn last_mut(&mut self) -> Option<&mut Run> {
        match self {
            Runs::None => None,
            Runs::All(run) => Some(run),
            Runs::Each { runs } => runs.last_mut(),
        }
    }

    pub fn as_slice(&self) -> &[Run] {
        match self {
            Runs::None => &[],
            Runs::All(run) => std::slice::from_ref(run),
            Runs::Each { runs } => runs,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub span: Span,
    /// `run #i`; `None` for `all runs:`.
    pub index: Option<u32>,
    pub result: RunResult,
    /// Continuation lines of a multi-line error (command output), verbatim.
    pub more: Vec<String>,
    /// The empty line syzkaller leaves after a multi-line error.
    pub blank_after: bool,
}

/// The outcome of one reproducer run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "text", rename_all = "snake_case")]
pub enum RunResult {
    Ok,
    Crashed(String),
    BootFailed(String),
    BasicTestingFailed(String),
    /// `infra problem: …` (2023-05+).
    InfraProblem(String),
    /// `ignore: …` (2023-07+): a transient crash syzkaller chose not to count.
    Ignored(String),
    /// `failed: …`: any other error of the run.
    Failed(String),
    /// A verdict word this parser does not know, verbatim.
    Other(String),
}

impl RunResult {
    /// Stable name used in JSON and by the viewer.
    pub fn outcome(&self) -> &'static str {
        match self {
            RunResult::Ok => "ok",
            RunResult::Crashed(_) => "crashed",
            RunResult::BootFailed(_) => "boot_failed",
            RunResult::BasicTestingFailed(_) => "basic_testing_failed",
            RunResult::InfraProblem(_) => "infra_problem",
            RunResult::Ignored(_) => "ignored",
            RunResult::Failed(_) => "failed",
            RunResult::Other(_) => "other",
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            RunResult::Ok => None,
            RunResult::Crashed(t)
            | RunResult::BootFailed(t)
            | RunResult::BasicTestingFailed(t)
            | RunResult::InfraProblem(t)
            | RunResult::Ignored(t)
            | RunResult::Failed(t)
            | RunResult::Other(t) => Some(t),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepresentativeCrash {
    pub title: String,
    pub types: Vec<String>,
}

/// A `# git bisect …` command and git's answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GitStep {
    pub span: Span,
    pub command: GitCommand,
    pub output: Vec<GitOutput>,
    /// syzkaller prints an empty line after git's output since 2020-12.
    pub blank_after: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum GitCommand {
    /// `# git bisect start <bad> <good>` (tags before 2019-11).
    Start {
        bad: String,
        good: String,
    },
    Mark {
        verdict: Verdict,
        commit: String,
    },
}

impl Default for GitCommand {
    fn default() -> Self {
        GitCommand::Start {
            bad: String::new(),
            good: String::new(),
        }
    }
}

/// One piece of git's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GitOutput {
    /// `Bisecting: N revisions left to test after this (roughly K steps)`.
    Bisecting { revisions: u32, steps: u32 },
    /// `[H] subject`: the next commit git checked out.
    Current { commit: String, subject: String },
    /// `H is the first bad commit` and the `git show` block after it.
    FirstBad(CulpritCommit),
    /// `There are only 'skip'ped commits left to test.`
    OnlySkippedLeft,
    /// `The first bad commit could be any of:`
    CouldBeAnyOf,
    /// A bare hash in the inconclusive list.
    Candidate { commit: String },
    /// `We cannot bisect more!`
    CannotBisectMore,
    /// Anything else git printed (warnings and the like), verbatim.
    Text { line: String },
}

/// The `git show`-like block git prints for the first bad commit.
///
/// `lines` is the block verbatim (what the writer prints); the other fields
/// are read from it by [`CulpritCommit::from_lines`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CulpritCommit {
    pub commit: String,
    /// The lines after `H is the first bad commit`, verbatim.
    pub lines: Vec<String>,
    /// `Merge: a b` abbreviated parents of a merge commit.
    pub merge_parents: Vec<String>,
    pub author: Option<String>,
    pub date: Option<String>,
    /// Message lines without git's 4-space indent.
    pub message: Vec<String>,
    pub changes: Vec<Change>,
}

impl CulpritCommit {
    /// First line of the commit message.
    pub fn subject(&self) -> Option<&str> {
        self.message.first().map(|s| s.trim())
    }

    /// Paths the commit touched, from the diffstat or raw diff-tree lines.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.changes.iter().filter_map(|c| match c {
            Change::Stat { path, .. } | Change::Raw { path, .. } => Some(path.as_str()),
            Change::Summary { .. } | Change::Mode { .. } => None,
        })
    }
}

/// One line of the changes part of the culprit block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// ` path | 12 +++---` (diffstat); `graph` is everything after the `|`.
    /// The verbatim line stays in [`CulpritCommit::lines`].
    Stat { path: String, graph: String },
    /// ` 3 files changed, 34 insertions(+), 17 deletions(-)`
    Summary { line: String },
    /// ` create mode 100644 path` and similar.
    Mode { line: String },
    /// `:040000 040000 <sha> <sha> M\t<path>` (raw diff-tree, 2019).
    Raw { status: String, path: String },
}

/// A single recognized syzkaller line outside test blocks and git output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub span: Span,
    pub kind: NoteKind,
    /// Continuation lines (multi-line errors, tool output), verbatim.
    pub more: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum NoteKind {
    /// `testing release vX.Y` not followed by its test (the log ended).
    TestingRelease(String),
    /// `testing current HEAD H` not followed by its test.
    TestingHead(String),
    /// `picked [v6.4 …] out of 50 release tags`, verbatim after `picked `.
    PickedReleases(String),
    /// Config minimization and instrumentation dropping, verbatim.
    Minimization(String),
    /// Fix bisection presence checks and merge-base lines, verbatim.
    Presence(String),
    /// `accumulated error probability: 0.50`
    AccumulatedErrorProbability(f64),
    /// `failed to detect release: …` / `failed to detect noop change: …`, verbatim.
    FailedToDetect(String),
    /// `parent commit H wasn't tested`
    ParentNotTested(String),
    /// `culprit signature: S`
    CulpritSignature(String),
    /// `parent  signature: S`
    ParentSignature(String),
    /// `kernel signature:   S` (2019-11 … 2019-12 form of the culprit signature).
    KernelSignature(String),
    /// `previous signature: S`
    PreviousSignature(String),
    /// `crash still not fixed/happens on the oldest tested release`
    StillCrashesOnOldest,
    /// `HEAD had kernel build, boot or test errors`
    HeadHadErrors,
    /// `Reproducer flagged being flaky` (2020-11 … 2023-07).
    FlakyFlagged,
    /// `reproducer is flaky (0.11 repro chance estimate)` (2023-07+).
    FlakyEstimate(f64),
}

/// The end of the log: totals and the outcome.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Trailer {
    pub revisions: Option<Revisions>,
    pub outcome: Outcome,
}

/// `revisions tested: N, total time: D (build: D, test: D)`; durations as Go printed them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revisions {
    pub span: Span,
    pub tested: u32,
    pub total: Duration,
    pub build: Duration,
    pub test: Duration,
}

/// A Go `time.Duration` string and its value in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duration {
    pub text: String,
    pub seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The log ends before any outcome line (cut, or still running).
    #[default]
    Incomplete,
    /// `first bad commit: H title` (cause) or `first good commit: H title` (fix).
    Culprit(Culprit),
    /// `bisection is inconclusive, the first bad commit could be any of:` + hashes.
    Inconclusive {
        span: Span,
        word: String,
        candidates: Vec<String>,
    },
    /// The bug was already there on the oldest release (cause) or still on HEAD (fix).
    NothingToBisect(NothingToBisect),
    /// `error: …`: the bisection failed; the text may span many lines.
    Error {
        span: Span,
        text: String,
        more: Vec<String>,
    },
}

impl Outcome {
    pub fn crash(&self) -> Option<&Crash> {
        match self {
            Outcome::Culprit(c) => c.crash.as_ref(),
            Outcome::NothingToBisect(n) => n.crash.as_ref(),
            _ => None,
        }
    }

    pub fn crash_mut(&mut self) -> Option<&mut Crash> {
        match self {
            Outcome::Culprit(c) => c.crash.as_mut(),
            Outcome::NothingToBisect(n) => n.crash.as_mut(),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Incomplete => "incomplete",
            Outcome::Culprit(_) => "culprit",
            Outcome::Inconclusive { .. } => "inconclusive",
            Outcome::NothingToBisect(n) if n.wording.is_oldest_release() => "oldest_release",
            Outcome::NothingToBisect(_) => "nothing_to_bisect",
            Outcome::Error { .. } => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Culprit {
    pub span: Span,
    pub commit: String,
    pub title: String,
    pub recipients: Option<Recipients>,
    pub crash: Option<Crash>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum Recipients {
    /// `cc: ["a@b" …]` (2019-03 … 2020-07).
    Cc { cc: Vec<String> },
    /// `recipients (to): […]` + `recipients (cc): […]` (2020-07+).
    ToCc { to: Vec<String>, cc: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NothingToBisect {
    pub span: Span,
    pub wording: NothingWording,
    /// `commit msg: …` (title of the oldest release / HEAD).
    pub commit_msg: Option<String>,
    pub crash: Option<Crash>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NothingWording {
    /// `the crash already happened on the oldest tested release` (≤ 2023-05).
    CrashOnOldest,
    /// `oldest tested release already had the bug or it had kernel test errors`.
    OldestHadBug,
    /// `the crash still happens on HEAD` (fix, ≤ 2023-05).
    StillOnHead,
    /// `crash still not fixed on HEAD or HEAD had kernel test errors`.
    NotFixedOnHead,
    /// `crash still not fixed or there were kernel test errors`.
    NotFixed,
}

impl NothingWording {
    pub const ALL: [NothingWording; 5] = [
        NothingWording::CrashOnOldest,
        NothingWording::OldestHadBug,
        NothingWording::StillOnHead,
        NothingWording::NotFixedOnHead,
        NothingWording::NotFixed,
    ];

    pub fn text(self) -> &'static str {
        match self {
            NothingWording::CrashOnOldest => {
                "the crash already happened on the oldest tested release"
            }
            NothingWording::OldestHadBug => {
                "oldest tested release already had the bug or it had kernel test errors"
            }
            NothingWording::StillOnHead => "the crash still happens on HEAD",
            NothingWording::NotFixedOnHead => {
                "crash still not fixed on HEAD or HEAD had kernel test errors"
            }
            NothingWording::NotFixed => "crash still not fixed or there were kernel test errors",
        }
    }

    pub fn is_oldest_release(self) -> bool {
        matches!(
            self,
            NothingWording::CrashOnOldest | NothingWording::OldestHadBug
        )
    }
}

/// `crash: <title>` and the kernel report after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Crash {
    pub span: Span,
    pub title: String,
    /// The report, verbatim, one entry per line.
    pub lines: Vec<String>,
    /// Structure found in `lines`.
    pub report: crate::report::Report,
}

impl CulpritCommit {
    /// Reads a `git show`-like block (`commit H`, `Merge:`, `Author:`,
    /// `Date:`, indented message, diffstat or raw diff-tree lines).
    pub fn from_lines(commit: String, lines: Vec<String>) -> Self {
        let mut c = CulpritCommit {
            commit,
            lines,
            ..CulpritCommit::default()
        };
        c.fill_from_lines();
        c
    }

    pub(crate) fn fill_from_lines(&mut self) {
        let mut in_message = false;
        let mut after_message = false;
        for line in &self.lines {
            if let Some(rest) = line.strip_prefix("Merge: ") {
                self.merge_parents = rest.split_whitespace().map(str::to_string).collect();
            } else if let Some(rest) = line.strip_prefix("Author: ") {
                self.author = Some(rest.to_string());
            } else if let Some(rest) = line.strip_prefix("Date:") {
                self.date = Some(rest.trim_start().to_string());
            } else if line.starts_with("commit ") && !in_message && !after_message {
            } else if let Some(msg) = line.strip_prefix("    ") {
                if !after_message {
                    in_message = true;
                    self.message.push(msg.to_string());
                }
            } else if line.is_empty() {
                if in_message {
                    in_message = false;
                    after_message = true;
                }
            } else if let Some(change) = Change::parse(line) {
                after_message = true;
                self.changes.push(change);
            }
        }
        while self.message.last().is_some_and(|l| l.trim().is_empty()) {
            self.message.pop();
        }
    }
}

impl Change {
    /// Runs once per line of a culprit's diffstat, which can list thousands
    /// of files: plain byte tests, no substring searchers.
    fn parse(line: &str) -> Option<Change> {
        if let Some(rest) = line.strip_prefix(':') {
            let (meta, path) = rest.split_once('\t')?;
            let status = meta.rsplit(' ').next().unwrap_or_default().to_string();
            return Some(Change::Raw {
                status,
                path: path.to_string(),
            });
        }
        let body = line.strip_prefix(' ')?;
        if let Some((path, graph)) = split_stat(body) {
            return Some(Change::Stat {
                path: path.trim_end().to_string(),
                graph: graph.to_string(),
            });
        }
        if body.trim_start().starts_with(|c: char| c.is_ascii_digit()) && body.contains(" changed")
        {
            return Some(Change::Summary {
                line: line.to_string(),
            });
        }
        Some(Change::Mode {
            line: line.to_string(),
        })
    }
}

/// `body.split_once(" | ")`, found from each `|`.
fn split_stat(body: &str) -> Option<(&str, &str)> {
    let b = body.as_bytes();
    let mut from = 0;
    while let Some(i) = body.get(from..)?.find('|') {
        let bar = from + i;
        if bar > 0 && b[bar - 1] == b' ' && b.get(bar + 1) == Some(&b' ') {
            // Both neighbours are ASCII spaces, so both cuts are char boundaries.
            return Some((body.get(..bar - 1)?, body.get(bar + 2..)?));
        }
        from = bar + 1;
    }
    None
}

impl Bisection {
    /// Test blocks in log order.
    pub fn tests(&self) -> impl Iterator<Item = &TestBlock> {
        self.body.iter().filter_map(|e| match e {
            Entry::Test(t) => Some(t),
            _ => None,
        })
    }

    /// Git steps in log order.
    pub fn git_steps(&self) -> impl Iterator<Item = &GitStep> {
        self.body.iter().filter_map(|e| match e {
            Entry::Git(g) => Some(g),
            _ => None,
        })
    }

    pub fn notes(&self) -> impl Iterator<Item = &Note> {
        self.body.iter().filter_map(|e| match e {
            Entry::Note(n) => Some(n),
            _ => None,
        })
    }

    /// The single culprit, if the bisection found one.
    pub fn culprit(&self) -> Option<&Culprit> {
        match &self.trailer.outcome {
            Outcome::Culprit(c) => Some(c),
            _ => None,
        }
    }

    /// git's `first bad commit` block for the culprit: the last one, as a
    /// bisection that verifies git's answer (bisect-server's engine) may
    /// refute it and go on to another.
    pub fn culprit_commit(&self) -> Option<&CulpritCommit> {
        self.git_steps()
            .flat_map(|g| g.output.iter())
            .filter_map(|o| match o {
                GitOutput::FirstBad(c) => Some(c),
                _ => None,
            })
            .last()
    }

    /// The test of the commit the crash was found on.
    pub fn original_test(&self) -> Option<&TestBlock> {
        self.tests().find(|t| t.role == Role::Original)
    }

    pub fn last_release_test(&self) -> Option<&TestBlock> {
        self.tests()
            .filter(|t| matches!(t.role, Role::Release { .. }))
            .last()
    }

    /// The last test of `commit` (a commit can be tested more than once).
    pub fn test_of(&self, commit: &str) -> Option<&TestBlock> {
        self.tests().filter(|t| t.commit == commit).last()
    }

    /// `culprit signature:` and `parent  signature:` (or the 2019 forms).
    pub fn culprit_signatures(&self) -> Option<(&str, &str)> {
        let mut culprit = None;
        let mut parent = None;
        for n in self.notes() {
            match &n.kind {
                NoteKind::CulpritSignature(s) | NoteKind::KernelSignature(s) => {
                    culprit = Some(s.as_str())
                }
                NoteKind::ParentSignature(s) | NoteKind::PreviousSignature(s) => {
                    parent = Some(s.as_str())
                }
                _ => {}
            }
        }
        Some((culprit?, parent?))
    }

    pub fn accumulated_error_probability(&self) -> Option<f64> {
        self.notes().find_map(|n| match n.kind {
            NoteKind::AccumulatedErrorProbability(p) => Some(p),
            _ => None,
        })
    }

    /// syzkaller's own repro chance estimate (`reproducer is flaky (0.11 …)`).
    pub fn repro_chance_estimate(&self) -> Option<f64> {
        self.notes().find_map(|n| match n.kind {
            NoteKind::FlakyEstimate(p) => Some(p),
            _ => None,
        })
    }

    /// Whether syzkaller flagged the reproducer as flaky, in any era's words.
    pub fn flagged_flaky(&self) -> bool {
        self.notes()
            .any(|n| matches!(n.kind, NoteKind::FlakyFlagged | NoteKind::FlakyEstimate(_)))
            || self.tests().any(|t| t.flaky)
    }

    /// The whole `error:` text, continuation lines joined.
    pub fn error_text(&self) -> Option<String> {
        match &self.trailer.outcome {
            Outcome::Error { text, more, .. } => {
                let mut s = text.clone();
                for l in more {
                    s.push('\n');
                    s.push_str(l);
                }
                Some(s.trim_end().to_string())
            }
            _ => None,
        }
    }

    /// The bug's title: the most frequent crash on the original commit, else
    /// the final `crash:` title.
    pub fn bug_title(&self) -> Option<&str> {
        let from_original = self.original_test().and_then(|t| {
            let mut counts: Vec<(&str, usize)> = Vec::new();
            for r in t.runs.as_slice() {
                if let RunResult::Crashed(title) = &r.result {
                    match counts.iter_mut().find(|(t, _)| *t == title.as_str()) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((title.as_str(), 1)),
                    }
                }
            }
            counts.into_iter().max_by_key(|&(_, n)| n).map(|(t, _)| t)
        });
        from_original.or_else(|| self.trailer.outcome.crash().map(|c| c.title.as_str()))
    }
}
