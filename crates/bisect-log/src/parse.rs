//! Text → [`Bisection`].
//!
//! One pass over the lines. Each recognized top-level line (format reference
//! §3) either opens a node or fills a field of the open one; lines that are
//! not top-level belong to whatever is open and accepts continuations (a
//! multi-line run error, git's output, a build failure, the crash report, an
//! `error:` text). Anything else is kept in `unrecognized` with its number.

use crate::line::{self, classify, classify_git, GitLine, Line, PresenceLine, TestingRest};
use crate::model::*;

/// Why a text is not a bisection log at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the log is empty")]
    Empty,
    #[error("line {line}, column {column}: {reason}")]
    NotABisectionLog {
        line: u32,
        column: u32,
        reason: String,
    },
}

/// Parses a log given as bytes: invalid UTF-8 is decoded lossily and the
/// affected lines are listed in [`Bisection::invalid_utf8_lines`].
pub fn parse_bytes(bytes: &[u8]) -> Result<Bisection, ParseError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(_) => {
            let mut text = String::with_capacity(bytes.len() + 64);
            let mut invalid = Vec::new();
            for (i, chunk) in bytes.split(|&b| b == b'\n').enumerate() {
                if i > 0 {
                    text.push('\n');
                }
                match std::str::from_utf8(chunk) {
                    Ok(s) => text.push_str(s),
                    Err(_) => {
                        invalid.push(i as u32 + 1);
                        text.push_str(&String::from_utf8_lossy(chunk));
                    }
                }
            }
            let mut bisection = parse(&text)?;
            bisection.invalid_utf8_lines = invalid;
            Ok(bisection)
        }
    }
}

/// Parses a log. Never panics; fails only when nothing in the text looks
/// like a syzbot bisection log.
pub fn parse(text: &str) -> Result<Bisection, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let final_newline = text.ends_with('\n');
    let body = if final_newline {
        &text[..text.len() - 1]
    } else {
        text
    };
    // A file saved with Windows line endings: every line ends in `\r`.
    let crlf = body.split('\n').all(|l| l.ends_with('\r'));
    let mut parser = Parser::default();
    parser.out.final_newline = final_newline;
    parser.out.crlf = crlf;
    for (i, raw) in body.split('\n').enumerate() {
        let raw = if crlf { &raw[..raw.len() - 1] } else { raw };
        parser.line(i as u32 + 1, raw);
    }
    parser.finish()
}

/// What continuation lines attach to.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Open {
    Nothing,
    /// The last header note (`fetch failed with`, or a blank after `ensuring`).
    HeaderNote,
    /// The current test block, before runs: unknown lines are build errors.
    TestStart,
    /// The current test block's last failure.
    Failure,
    /// The current test block's last run (multi-line error until a blank).
    Run,
    /// The current test block after its runs.
    TestEnd,
    Git,
    /// Inside git's `first bad commit` block.
    Culprit,
    /// The last note takes continuation lines (tool output, errors).
    Note,
    Candidates,
    Error,
    Crash,
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// Before `# git bisect start`.
    Range,
    /// Inside config minimization (tests get the Minimization role).
    Minimizing,
    Bisecting,
    /// After the culprit was found: the next test is the parent.
    ParentPending,
}

#[derive(Debug)]
struct Parser {
    out: Bisection,
    open: Open,
    phase: Phase,
    /// Role for the next `testing commit`, set by a preceding line.
    pending_role: Option<Role>,
    /// `[H] subject` git printed last, for the next test's subject.
    current_subject: Option<(String, String)>,
    /// Whether any syzkaller line was recognized.
    recognized: bool,
    tests_seen: usize,
    /// How far the header got (host 1, start 2, syzkaller 3, notes 4).
    header_stage: u8,
    /// How far the current test block got, in the writer's field order.
    test_stage: u8,
    /// A `recipients (to)` line waiting for its `recipients (cc)` partner.
    pending_to: Option<(u32, String)>,
}

impl Default for Parser {
    fn default() -> Self {
        Parser {
            out: Bisection::default(),
            open: Open::Nothing,
            phase: Phase::Range,
            pending_role: None,
            current_subject: None,
            recognized: false,
            tests_seen: 0,
            header_stage: 0,
            test_stage: 0,
            pending_to: None,
        }
    }
}

impl Parser {
    fn line(&mut self, n: u32, raw: &str) {
        self.out.line_count = n;
        if self.pending_to.is_some() && !matches!(classify(raw), Some(Line::RecipientsCc(_))) {
            self.drop_pending_to();
        }
        // Whole-report and error text: no recognition at all (§6.1).
        match self.open {
            Open::Crash => return self.crash_line(n, raw),
            Open::Error => return self.error_line(n, raw),
            _ => {}
        }
        if self.open == Open::Culprit && self.culprit_line(n, raw) {
            return;
        }
        if raw.is_empty() {
            return self.blank(n);
        }
        match classify(raw) {
            Some(line) => {
                self.recognized = true;
                self.top(n, raw, line)
            }
            None => self.continuation(n, raw),
        }
    }

    fn unrecognized(&mut self, n: u32, raw: &str) {
        self.out.unrecognized.push(Unrecognized {
            line: n,
            text: raw.to_string(),
        });
    }

    fn header_span(&mut self, n: u32) {
        match &mut self.out.header.span {
            Some(span) => span.extend_to(n),
            None => self.out.header.span = Some(Span::line(n)),
        }
    }

    fn last_test(&mut self) -> Option<&mut TestBlock> {
        match self.out.body.last_mut() {
            Some(Entry::Test(t)) => Some(t),
            _ => None,
        }
    }

    fn last_git(&mut self) -> Option<&mut GitStep> {
        match self.out.body.last_mut() {
            Some(Entry::Git(g)) => Some(g),
            _ => None,
        }
    }

    fn blank(&mut self, n: u32) {
        match self.open {
            Open::HeaderNote => {
                if let Some(
                    HeaderNote::EnsuringReproducible { blank_after, .. }
                    | HeaderNote::Reidentified { blank_after, .. },
                ) = self.out.header.notes.last_mut()
                {
                    if !*blank_after {
                        *blank_after = true;
                        self.header_span(n);
                        self.open = Open::Nothing;
                        return;
                    }
                }
                self.unrecognized(n, "");
            }
            Open::Run => {
                if let Some(t) = self.last_test() {
                    t.span.extend_to(n);
                    if let Some(run) = t.runs.last_mut() {
                        run.blank_after = true;
                        run.span.extend_to(n);
                    }
                }
                self.open = Open::TestEnd;
            }
            Open::Git => {
                if let Some(g) = self.last_git() {
                    g.blank_after = true;
                    g.span.extend_to(n);
                }
                self.open = Open::Nothing;
            }
            Open::Failure => self.failure_more(n, ""),
            Open::Note => self.note_more(n, ""),
            _ => self.unrecognized(n, ""),
        }
    }

    fn continuation(&mut self, n: u32, raw: &str) {
        match self.open {
            Open::HeaderNote => {
                if let Some(HeaderNote::FetchFailed { more, .. }) = self.out.header.notes.last_mut()
                {
                    more.push(raw.to_string());
                    self.header_span(n);
                } else {
                    self.unrecognized(n, raw);
                }
            }
            Open::TestStart => {
                // Build error lines printed right after `testing commit`.
                if let Some(t) = self.last_test() {
                    t.span.extend_to(n);
                    t.failures.push(Failure {
                        kind: FailureKind::Build,
                        text: raw.to_string(),
                        more: Vec::new(),
                    });
                }
                self.test_stage = 3;
                self.open = Open::Failure;
            }
            Open::Failure => self.failure_more(n, raw),
            Open::Run => {
                if let Some(t) = self.last_test() {
                    t.span.extend_to(n);
                    if let Some(run) = t.runs.last_mut() {
                        run.more.push(raw.to_string());
                        run.span.extend_to(n);
                    }
                }
            }
            Open::Git => self.git_output(n, raw),
            Open::Note => self.note_more(n, raw),
            Open::Candidates => match &mut self.out.trailer.outcome {
                Outcome::Inconclusive {
                    span, candidates, ..
                } if line::is_hash40(raw) => {
                    candidates.push(raw.to_string());
                    span.extend_to(n);
                }
                _ => {
                    self.open = Open::Nothing;
                    self.unrecognized(n, raw);
                }
            },
            _ => self.unrecognized(n, raw),
        }
    }

    fn failure_more(&mut self, n: u32, raw: &str) {
        if let Some(t) = self.last_test() {
            t.span.extend_to(n);
            if let Some(f) = t.failures.last_mut() {
                // Consecutive extracted compiler errors are separate failures
                // only in spirit; keep them as one failure's lines.
                f.more.push(raw.to_string());
                return;
            }
        }
        self.unrecognized(n, raw);
    }

    fn note_more(&mut self, n: u32, raw: &str) {
        if let Some(Entry::Note(note)) = self.out.body.last_mut() {
            note.more.push(raw.to_string());
            note.span.extend_to(n);
        } else {
            self.unrecognized(n, raw);
        }
    }

    fn git_output(&mut self, n: u32, raw: &str) {
        let out = match classify_git(raw) {
            Some(GitLine::Bisecting { revisions, steps }) => {
                GitOutput::Bisecting { revisions, steps }
            }
            Some(GitLine::Current { commit, subject }) => {
                self.current_subject = Some((commit.to_string(), subject.to_string()));
                GitOutput::Current {
                    commit: commit.to_string(),
                    subject: subject.to_string(),
                }
            }
            Some(GitLine::FirstBad(commit)) => {
                self.open = Open::Culprit;
                self.phase = Phase::ParentPending;
                GitOutput::FirstBad(CulpritCommit {
                    commit: commit.to_string(),
                    ..CulpritCommit::default()
                })
            }
            Some(GitLine::OnlySkipped) => GitOutput::OnlySkippedLeft,
            Some(GitLine::CouldBeAny) => GitOutput::CouldBeAnyOf,
            Some(GitLine::Candidate(commit)) => GitOutput::Candidate {
                commit: commit.to_string(),
            },
            Some(GitLine::CannotBisectMore) => GitOutput::CannotBisectMore,
            None => GitOutput::Text {
                line: raw.to_string(),
            },
        };
        if let Some(g) = self.last_git() {
            g.output.push(out);
            g.span.extend_to(n);
        }
    }

    /// Lines of git's `first bad commit` block. Returns false when the line
    /// ends the block (a syzkaller line at column 0) and must be handled as
    /// top level.
    fn culprit_line(&mut self, n: u32, raw: &str) -> bool {
        let ends_block = !raw.is_empty()
            && !raw.starts_with(' ')
            && !raw.starts_with('\t')
            && !raw.starts_with(':')
            && !raw.starts_with("commit ")
            && !raw.starts_with("Merge: ")
            && !raw.starts_with("Author: ")
            && !raw.starts_with("Date: ")
            && classify(raw).is_some();
        if ends_block {
            self.close_culprit();
            return false;
        }
        if let Some(g) = self.last_git() {
            g.span.extend_to(n);
            if let Some(GitOutput::FirstBad(c)) = g.output.last_mut() {
                c.lines.push(raw.to_string());
            }
        }
        true
    }

    fn close_culprit(&mut self) {
        self.open = Open::Nothing;
        if let Some(g) = self.last_git() {
            if let Some(GitOutput::FirstBad(c)) = g.output.last_mut() {
                // The empty line syzkaller adds after git output (2020-12+).
                if c.lines.last().is_some_and(|l| l.is_empty()) {
                    c.lines.pop();
                    g.blank_after = true;
                }
                c.fill_from_lines();
            }
        }
    }

    fn crash_line(&mut self, n: u32, raw: &str) {
        if let Some(crash) = self.out.trailer.outcome.crash_mut() {
            crash.lines.push(raw.to_string());
            crash.span.extend_to(n);
        }
    }

    fn error_line(&mut self, n: u32, raw: &str) {
        if let Outcome::Error { span, more, .. } = &mut self.out.trailer.outcome {
            more.push(raw.to_string());
            span.extend_to(n);
        }
    }

    fn push_note(&mut self, n: u32, kind: NoteKind, takes_more: bool) {
        self.out.body.push(Entry::Note(Note {
            span: Span::line(n),
            kind,
            more: Vec::new(),
        }));
        self.open = if takes_more {
            Open::Note
        } else {
            Open::Nothing
        };
    }

    fn test_field(&mut self, n: u32, raw: &str, set: impl FnOnce(&mut TestBlock)) {
        match self.last_test() {
            Some(t) => {
                t.span.extend_to(n);
                set(t);
            }
            None => self.unrecognized(n, raw),
        }
    }

    /// `recipients (to)` without its `(cc)` line is not the known form:
    /// keep it as an unrecognized line rather than invent the missing one.
    fn drop_pending_to(&mut self) {
        if let Some((n, raw)) = self.pending_to.take() {
            if let Outcome::Culprit(c) = &mut self.out.trailer.outcome {
                c.recipients = None;
            }
            self.unrecognized(n, &raw);
        }
    }

    fn trailer_started(&self) -> bool {
        self.out.trailer.revisions.is_some() || self.out.trailer.outcome != Outcome::Incomplete
    }

    /// Whether `line` may come here. Lines out of their place (a second
    /// header line, a test field out of order, body lines after the
    /// trailer) are kept verbatim instead, so the writer, which prints fields
    /// in syzkaller's order, gives back exactly the input.
    fn accepts(&self, line: &Line<'_>) -> bool {
        let header_ok = |stage: u8| {
            self.out.body.is_empty()
                && !self.trailer_started()
                && (stage > self.header_stage || (stage == 4 && self.header_stage == 4))
        };
        if let Some(stage) = test_stage(line) {
            let in_test = matches!(self.out.body.last(), Some(Entry::Test(_)));
            let repeatable = stage == 3 || stage == 4;
            let all_runs_ok = match (line, self.out.body.last()) {
                (Line::AllRuns(_), Some(Entry::Test(t))) => t.runs == Runs::None,
                (Line::Run { .. }, Some(Entry::Test(t))) => !matches!(t.runs, Runs::All(_)),
                _ => true,
            };
            return in_test
                && !self.trailer_started()
                && all_runs_ok
                && (stage > self.test_stage || (repeatable && stage == self.test_stage));
        }
        let outcome = &self.out.trailer.outcome;
        match line {
            Line::HostStart { .. } => header_ok(1),
            Line::BisectingCause(_) | Line::BisectingFix(_) => header_ok(2),
            Line::BuildingSyzkaller(_) => header_ok(3),
            Line::FetchTags
            | Line::FetchFailed(_)
            | Line::Reidentified { .. }
            | Line::Ensuring(_) => header_ok(4),
            Line::Revisions { .. } => {
                self.out.trailer.revisions.is_none() && *outcome == Outcome::Incomplete
            }
            Line::Error(_)
            | Line::Nothing(_)
            | Line::Inconclusive(_)
            | Line::FirstCommit { .. } => *outcome == Outcome::Incomplete,
            Line::CommitMsg(_) => {
                matches!(outcome, Outcome::NothingToBisect(nb) if nb.commit_msg.is_none() && nb.crash.is_none())
            }
            Line::Cc(_) | Line::RecipientsTo(_) => {
                matches!(outcome, Outcome::Culprit(c) if c.recipients.is_none() && c.crash.is_none())
            }
            Line::RecipientsCc(_) => self.pending_to.is_some(),
            Line::Crash(_) => match outcome {
                Outcome::Culprit(c) => c.crash.is_none(),
                Outcome::NothingToBisect(nb) => nb.crash.is_none(),
                _ => false,
            },
            _ => !self.trailer_started(),
        }
    }

    fn top(&mut self, n: u32, raw: &str, line: Line<'_>) {
        if self.open == Open::Culprit {
            self.close_culprit();
        }
        if !self.accepts(&line) {
            return self.continuation(n, raw);
        }
        if let Some(stage) = test_stage(&line) {
            self.test_stage = stage;
        }
        match &line {
            Line::HostStart { .. } => self.header_stage = 1,
            Line::BisectingCause(_) | Line::BisectingFix(_) => self.header_stage = 2,
            Line::BuildingSyzkaller(_) => self.header_stage = 3,
            Line::FetchTags
            | Line::FetchFailed(_)
            | Line::Reidentified { .. }
            | Line::Ensuring(_) => self.header_stage = 4,
            _ => {}
        }
        match line {
            Line::HostStart { host, time } => {
                self.out.header.host = Some(HostLine {
                    host: host.to_string(),
                    time: time.to_string(),
                });
                self.header_span(n);
                self.open = Open::Nothing;
            }
            Line::BisectingCause(h) | Line::BisectingFix(h) => {
                self.out.kind = if matches!(line, Line::BisectingFix(_)) {
                    Kind::Fix
                } else {
                    Kind::Cause
                };
                self.out.header.start_commit = Some(h.to_string());
                self.header_span(n);
                self.open = Open::Nothing;
            }
            Line::BuildingSyzkaller(h) => {
                self.out.header.syzkaller_commit = Some(h.to_string());
                self.header_span(n);
                self.open = Open::Nothing;
            }
            Line::FetchTags => {
                self.out.header.notes.push(HeaderNote::FetchTags);
                self.header_span(n);
                self.open = Open::Nothing;
            }
            Line::FetchFailed(e) => {
                self.out.header.notes.push(HeaderNote::FetchFailed {
                    error: e.to_string(),
                    more: Vec::new(),
                });
                self.header_span(n);
                self.open = Open::HeaderNote;
            }
            Line::Reidentified { commit, title } => {
                self.out.header.notes.push(HeaderNote::Reidentified {
                    commit: commit.to_string(),
                    title: title.to_string(),
                    blank_after: false,
                });
                self.header_span(n);
                self.open = Open::HeaderNote;
            }
            Line::Ensuring(h) => {
                self.out
                    .header
                    .notes
                    .push(HeaderNote::EnsuringReproducible {
                        commit: h.to_string(),
                        blank_after: false,
                    });
                self.header_span(n);
                self.pending_role = Some(Role::Original);
                self.open = Open::HeaderNote;
            }
            // Kept as notes until their `testing commit` line claims them.
            Line::TestingRelease(tag) => {
                self.phase = Phase::Range;
                self.push_note(n, NoteKind::TestingRelease(tag.to_string()), false);
            }
            Line::TestingHead(h) => self.push_note(n, NoteKind::TestingHead(h.to_string()), false),
            Line::TestingCommit { commit, rest } => self.start_test(n, commit, rest),
            Line::Compiler(c) => {
                self.test_field(n, raw, |t| t.compiler = Some(c.to_string()));
                self.open = Open::TestStart;
            }
            Line::KernelSignature(s) => {
                self.test_field(n, raw, |t| t.signature = Some(s.to_string()));
                self.open = Open::TestStart;
            }
            Line::AllRuns(v) => self.add_run(n, raw, None, v),
            Line::Run { index, verdict } => self.add_run(n, raw, Some(index), verdict),
            Line::Representative { title, types } => {
                let rc = RepresentativeCrash {
                    title: title.to_string(),
                    types: types
                        .split(' ')
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect(),
                };
                self.test_field(n, raw, |t| t.representative_crash = Some(rc));
                self.open = Open::TestEnd;
            }
            Line::Undetermined(v) => {
                self.test_field(n, raw, |t| t.undetermined = Some(v.to_string()));
                self.open = Open::TestEnd;
            }
            Line::TooManyNeither => {
                self.test_field(n, raw, |t| t.too_many_neither = true);
                self.open = Open::TestEnd;
            }
            Line::SeemsFlaky => {
                self.test_field(n, raw, |t| t.flaky = true);
                self.open = Open::TestEnd;
            }
            Line::FalseNegative(p) => {
                self.test_field(n, raw, |t| t.false_negative_chance = Some(p));
                self.open = Open::TestEnd;
            }
            Line::Failed(text) => self.add_failure(n, raw, FailureKind::Failed, text),
            Line::FailedBuilding { commit, text } => self.add_failure(
                n,
                raw,
                FailureKind::FailedBuilding(commit.to_string()),
                text,
            ),
            Line::FailedTesting { commit, text } => self.add_failure(
                n,
                raw,
                FailureKind::FailedTesting(commit.to_string()),
                text.unwrap_or(""),
            ),
            Line::ReproTestingFailure(text) => {
                self.add_failure(n, raw, FailureKind::ReproTesting, text)
            }
            Line::Picked(v) => self.push_note(n, NoteKind::PickedReleases(v.to_string()), false),
            Line::Presence(p) => {
                // Both the cross-tree merge base and the fix-bisection
                // presence check test a merge base, not git's revision.
                if p == PresenceLine::IsMergeBase || raw == "no existing result, test the revision"
                {
                    self.pending_role = Some(Role::MergeBase);
                }
                self.push_note(n, NoteKind::Presence(raw.to_string()), false);
            }
            Line::Minimization => {
                if self.phase == Phase::Range {
                    self.phase = Phase::Minimizing;
                }
                self.push_note(n, NoteKind::Minimization(raw.to_string()), true);
            }
            Line::GitStart { bad, good } => {
                self.phase = Phase::Bisecting;
                self.push_git(
                    n,
                    GitCommand::Start {
                        bad: bad.to_string(),
                        good: good.to_string(),
                    },
                );
            }
            Line::GitMark { word, commit } => {
                // A log cut at the head starts inside `git bisect`.
                if matches!(self.phase, Phase::Range | Phase::Minimizing) {
                    self.phase = Phase::Bisecting;
                }
                let verdict = match word {
                    "good" => Verdict::Good,
                    "bad" => Verdict::Bad,
                    _ => Verdict::Skip,
                };
                self.push_git(
                    n,
                    GitCommand::Mark {
                        verdict,
                        commit: commit.to_string(),
                    },
                );
            }
            Line::Accumulated(p) => {
                self.push_note(n, NoteKind::AccumulatedErrorProbability(p), false)
            }
            Line::FailedToDetect => {
                self.push_note(n, NoteKind::FailedToDetect(raw.to_string()), true);
            }
            Line::ParentNotTested(h) => {
                self.phase = Phase::ParentPending;
                self.pending_role = Some(Role::Parent);
                self.push_note(n, NoteKind::ParentNotTested(h.to_string()), false)
            }
            Line::CulpritSignature(s) => {
                self.push_note(n, NoteKind::CulpritSignature(s.to_string()), false)
            }
            Line::ParentSignature(s) => {
                self.push_note(n, NoteKind::ParentSignature(s.to_string()), false)
            }
            Line::OldKernelSignature(s) => {
                self.push_note(n, NoteKind::KernelSignature(s.to_string()), false)
            }
            Line::PreviousSignature(s) => {
                self.push_note(n, NoteKind::PreviousSignature(s.to_string()), false)
            }
            Line::StillCrashesOnOldest => self.push_note(n, NoteKind::StillCrashesOnOldest, false),
            Line::HeadHadErrors => self.push_note(n, NoteKind::HeadHadErrors, false),
            Line::FlakyFlagged => self.push_note(n, NoteKind::FlakyFlagged, false),
            Line::FlakyEstimate(p) => self.push_note(n, NoteKind::FlakyEstimate(p), false),
            Line::Revisions {
                tested,
                total,
                build,
                test,
            } => {
                let d = |s: &str| Duration {
                    text: s.to_string(),
                    seconds: line::duration_seconds(s),
                };
                self.out.trailer.revisions = Some(Revisions {
                    span: Span::line(n),
                    tested,
                    total: d(total),
                    build: d(build),
                    test: d(test),
                });
                self.open = Open::Nothing;
            }
            Line::Error(text) => {
                self.out.trailer.outcome = Outcome::Error {
                    span: Span::line(n),
                    text: text.to_string(),
                    more: Vec::new(),
                };
                self.open = Open::Error;
            }
            Line::Nothing(wording) => {
                self.out.trailer.outcome = Outcome::NothingToBisect(NothingToBisect {
                    span: Span::line(n),
                    wording,
                    commit_msg: None,
                    crash: None,
                });
                self.open = Open::Nothing;
            }
            Line::CommitMsg(msg) => match &mut self.out.trailer.outcome {
                Outcome::NothingToBisect(nb) if nb.commit_msg.is_none() => {
                    nb.commit_msg = Some(msg.to_string());
                    nb.span.extend_to(n);
                }
                _ => self.unrecognized(n, raw),
            },
            Line::Inconclusive(word) => {
                self.out.trailer.outcome = Outcome::Inconclusive {
                    span: Span::line(n),
                    word: word.to_string(),
                    candidates: Vec::new(),
                };
                self.open = Open::Candidates;
            }
            Line::FirstCommit {
                word,
                commit,
                title,
            } => {
                if word == "good" && self.out.header.start_commit.is_none() {
                    self.out.kind = Kind::Fix;
                }
                self.out.trailer.outcome = Outcome::Culprit(Culprit {
                    span: Span::line(n),
                    commit: commit.to_string(),
                    title: title.to_string(),
                    recipients: None,
                    crash: None,
                });
                self.open = Open::Nothing;
            }
            Line::Cc(list) => self.recipients(n, raw, list, None),
            Line::RecipientsTo(list) => self.recipients(n, raw, list, Some(true)),
            Line::RecipientsCc(list) => self.recipients(n, raw, list, Some(false)),
            Line::Crash(title) => {
                let crash = Crash {
                    span: Span::line(n),
                    title: title.to_string(),
                    lines: Vec::new(),
                    report: Default::default(),
                };
                match &mut self.out.trailer.outcome {
                    Outcome::Culprit(c) if c.crash.is_none() => {
                        c.crash = Some(crash);
                        c.span.extend_to(n);
                        self.open = Open::Crash;
                    }
                    Outcome::NothingToBisect(nb) if nb.crash.is_none() => {
                        nb.crash = Some(crash);
                        nb.span.extend_to(n);
                        self.open = Open::Crash;
                    }
                    _ => self.unrecognized(n, raw),
                }
            }
        }
    }
}

impl Parser {
    fn start_test(&mut self, n: u32, commit: &str, rest: TestingRest<'_>) {
        let mut first = n;
        if let Some(Entry::Note(note)) = self.out.body.last() {
            let role = match &note.kind {
                NoteKind::TestingRelease(tag) => Some(Role::Release { tag: tag.clone() }),
                NoteKind::TestingHead(h) if h == commit => Some(Role::Head),
                _ => None,
            };
            if let Some(role) = role {
                first = note.span.first;
                self.pending_role = Some(role);
                self.out.body.pop();
            }
        }
        let role = match self.pending_role.take() {
            Some(role) => role,
            None => match self.phase {
                Phase::Range if self.tests_seen == 0 => Role::Original,
                // Before the range is known, a test that is neither the
                // original nor a release checks a config (2020 baseline).
                Phase::Minimizing | Phase::Range => Role::Minimization,
                _ => Role::Step,
            },
        };
        let commit_line = match rest {
            TestingRest::None => CommitLine::Bare,
            TestingRest::With(c) => CommitLine::With(c.to_string()),
            TestingRest::Type(t) => CommitLine::CompilerType(t.to_string()),
        };
        // A merge-base check may be tested between git's `[H] subject` and H.
        let subject = match (&role, &self.current_subject) {
            (Role::Step, Some((c, _))) if c == commit => {
                self.current_subject.take().map(|(_, s)| s)
            }
            _ => None,
        };
        self.tests_seen += 1;
        self.test_stage = 0;
        self.out.body.push(Entry::Test(TestBlock {
            span: Span { first, last: n },
            role,
            commit: commit.to_string(),
            subject,
            commit_line,
            ..TestBlock::default()
        }));
        self.open = Open::TestStart;
    }

    fn add_run(&mut self, n: u32, raw: &str, index: Option<u32>, verdict: &str) {
        let result = RunResult::parse(verdict);
        let multi_line = !matches!(result, RunResult::Ok | RunResult::Crashed(_));
        let run = Run {
            span: Span::line(n),
            index,
            result,
            more: Vec::new(),
            blank_after: false,
        };
        let Some(t) = self.last_test() else {
            return self.unrecognized(n, raw);
        };
        t.span.extend_to(n);
        match (&mut t.runs, index) {
            (Runs::None, None) => t.runs = Runs::All(run),
            (Runs::None, Some(_)) => t.runs = Runs::Each { runs: vec![run] },
            (Runs::Each { runs }, Some(_)) => runs.push(run),
            (_, _) => return self.unrecognized(n, raw),
        }
        self.open = if multi_line { Open::Run } else { Open::TestEnd };
    }

    fn add_failure(&mut self, n: u32, raw: &str, kind: FailureKind, text: &str) {
        let failure = Failure {
            kind,
            text: text.to_string(),
            more: Vec::new(),
        };
        match self.last_test() {
            Some(t) => {
                t.span.extend_to(n);
                t.failures.push(failure);
                self.open = Open::Failure;
            }
            None => self.unrecognized(n, raw),
        }
    }

    fn push_git(&mut self, n: u32, command: GitCommand) {
        self.out.body.push(Entry::Git(GitStep {
            span: Span::line(n),
            command,
            output: Vec::new(),
            blank_after: false,
        }));
        self.open = Open::Git;
    }

    fn recipients(&mut self, n: u32, raw: &str, list: &str, to: Option<bool>) {
        let parsed = line::parse_quoted_list(list);
        let (Outcome::Culprit(c), Some(items)) = (&mut self.out.trailer.outcome, parsed) else {
            return self.unrecognized(n, raw);
        };
        c.span.extend_to(n);
        match (to, &mut c.recipients) {
            (None, _) => c.recipients = Some(Recipients::Cc { cc: items }),
            (Some(true), _) => {
                c.recipients = Some(Recipients::ToCc {
                    to: items,
                    cc: Vec::new(),
                });
                self.pending_to = Some((n, raw.to_string()));
            }
            (Some(false), Some(Recipients::ToCc { cc, .. })) => {
                *cc = items;
                self.pending_to = None;
            }
            (Some(false), _) => {}
        }
        self.open = Open::Nothing;
    }

    fn finish(mut self) -> Result<Bisection, ParseError> {
        self.drop_pending_to();
        if self.open == Open::Culprit {
            self.close_culprit();
        }
        // An `error:` line alone could be any tool's output; anything else
        // recognized is specific to syzkaller's bisection (even a fragment).
        let looks_like_log = self.out.header != Header::default()
            || self.out.trailer.revisions.is_some()
            || !self.out.body.is_empty()
            || !matches!(
                self.out.trailer.outcome,
                Outcome::Incomplete | Outcome::Error { .. }
            );
        if !self.recognized || !looks_like_log {
            let line = self
                .out
                .unrecognized
                .iter()
                .find(|u| !u.text.trim().is_empty())
                .map_or(1, |u| u.line);
            return Err(ParseError::NotABisectionLog {
                line,
                column: 1,
                reason: "no syzbot bisection line found (expected lines such as \
                         `bisecting cause commit starting from <hash>`, `testing commit <hash>` \
                         or `# git bisect start`)"
                    .to_string(),
            });
        }
        if let Some(crash) = self.out.trailer.outcome.crash_mut() {
            crash.report = crate::report::parse(&crash.lines, crash.span.first + 1);
        }
        derive_verdicts(&mut self.out);
        Ok(self.out)
    }
}

/// Position of a test-block field in the writer's order, if `line` is one.
fn test_stage(line: &Line<'_>) -> Option<u8> {
    Some(match line {
        Line::Compiler(_) => 1,
        Line::KernelSignature(_) => 2,
        Line::Failed(_)
        | Line::FailedBuilding { .. }
        | Line::FailedTesting { .. }
        | Line::ReproTestingFailure(_) => 3,
        Line::AllRuns(_) | Line::Run { .. } => 4,
        Line::Representative { .. } => 5,
        Line::Undetermined(_) => 6,
        Line::TooManyNeither => 7,
        Line::SeemsFlaky => 8,
        Line::FalseNegative(_) => 9,
        _ => return None,
    })
}

/// Fills `TestBlock::verdict`: from the `# git bisect` line that names the
/// commit, else from the runs (release, original, HEAD tests).
fn derive_verdicts(b: &mut Bisection) {
    let kind = b.kind;
    let mut marks: Vec<(usize, Verdict)> = Vec::new();
    let mut last_test_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut start: Option<(String, String)> = None;
    for (i, entry) in b.body.iter().enumerate() {
        match entry {
            Entry::Test(t) => {
                last_test_of.insert(t.commit.as_str(), i);
                if let Role::Release { tag } = &t.role {
                    last_test_of.insert(tag.as_str(), i);
                }
            }
            Entry::Git(g) => match &g.command {
                GitCommand::Mark { verdict, commit } => {
                    if let Some(&j) = last_test_of.get(commit.as_str()) {
                        marks.push((j, *verdict));
                    }
                }
                GitCommand::Start { bad, good } => {
                    if start.is_none() {
                        start = Some((bad.clone(), good.clone()));
                    }
                    if let Some(&j) = last_test_of.get(good.as_str()) {
                        marks.push((j, Verdict::Good));
                    }
                    if let Some(&j) = last_test_of.get(bad.as_str()) {
                        marks.push((j, Verdict::Bad));
                    }
                }
            },
            Entry::Note(_) => {}
        }
    }
    for (j, verdict) in marks {
        if let Some(Entry::Test(t)) = b.body.get_mut(j) {
            if t.verdict == Verdict::Untested || t.role == Role::Step {
                t.verdict = verdict;
            }
        }
    }
    for entry in &mut b.body {
        if let Entry::Test(t) = entry {
            if t.verdict == Verdict::Untested
                && matches!(
                    t.role,
                    Role::Original | Role::Release { .. } | Role::Head | Role::MergeBase
                )
            {
                t.verdict = infer_verdict(t, kind);
            }
        }
    }
}

/// syzkaller's pre-2023 rule: any crash is bad, else OK runs are good, else skip.
fn infer_verdict(t: &TestBlock, kind: Kind) -> Verdict {
    let runs = t.runs.as_slice();
    if runs.is_empty() {
        return if t.failures.is_empty() {
            Verdict::Untested
        } else {
            Verdict::Skip
        };
    }
    let crashed = runs
        .iter()
        .any(|r| matches!(r.result, RunResult::Crashed(_)));
    let ok = runs.iter().any(|r| r.result == RunResult::Ok);
    let (crash_word, ok_word) = match kind {
        Kind::Cause => (Verdict::Bad, Verdict::Good),
        Kind::Fix => (Verdict::Good, Verdict::Bad),
    };
    if crashed {
        crash_word
    } else if ok {
        ok_word
    } else {
        Verdict::Skip
    }
}

impl RunResult {
    /// Reads the verdict text after `run #i: ` / `all runs: `.
    pub fn parse(v: &str) -> RunResult {
        if v == "OK" {
            return RunResult::Ok;
        }
        type Make = fn(String) -> RunResult;
        let prefixes: [(&str, Make); 6] = [
            ("crashed: ", RunResult::Crashed),
            ("boot failed: ", RunResult::BootFailed),
            (
                "basic kernel testing failed: ",
                RunResult::BasicTestingFailed,
            ),
            ("infra problem: ", RunResult::InfraProblem),
            ("ignore: ", RunResult::Ignored),
            ("failed: ", RunResult::Failed),
        ];
        for (prefix, make) in prefixes {
            if let Some(rest) = v.strip_prefix(prefix) {
                return make(rest.to_string());
            }
        }
        RunResult::Other(v.to_string())
    }
}
