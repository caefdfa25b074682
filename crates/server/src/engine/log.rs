//! The job's log: a [`Bisection`] built from the step records, written with
//! [`bisect_log::write`].
//!
//! The model is a pure function of the steps (no clocks), so a resumed job
//! writes the same text as an uninterrupted one. For the same reason the
//! `revisions tested: …, total time: …` line is left out: wall-clock times
//! differ between a job and its resumption. Spans and line numbers are filled
//! in so that `bisect_log::parse(&write(&model))` gives back `model`.

use bisect_log::{
    Bisection, Crash, Culprit, Entry, GitCommand, GitStep, Header, HeaderNote, Kind, Note,
    NoteKind, Outcome, Role, Run, RunResult, Runs, Span, TestBlock, Verdict,
};

use super::{git, RunOutcome, StepRecord, StepRole};

/// How the job ended, for the trailer.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    Culprit {
        commit: String,
        subject: String,
        /// Its first parent, whose signature is compared with the culprit's.
        parent: Option<String>,
        /// The bug's title (`crash:` line).
        title: String,
    },
    Inconclusive(Vec<String>),
    Error(String),
}

/// git's words for "crashed with the bug" and "did not".
pub fn words(kind: Kind) -> (Verdict, Verdict) {
    match kind {
        Kind::Cause => (Verdict::Bad, Verdict::Good),
        Kind::Fix => (Verdict::Good, Verdict::Bad),
    }
}

fn run_result(outcome: &RunOutcome) -> RunResult {
    match outcome {
        RunOutcome::Ok => RunResult::Ok,
        RunOutcome::Crashed { title, .. } => RunResult::Crashed(title.clone()),
        RunOutcome::Skip => RunResult::Failed(
            "the test command exited with status 125: this commit cannot be tested".to_string(),
        ),
        RunOutcome::Infra { reason } => RunResult::InfraProblem(reason.clone()),
    }
}

/// Rounds to `digits` decimals the way the log prints them, so the parsed
/// value is the same `f64`.
pub fn round_to(x: f64, digits: i32) -> f64 {
    let m = 10f64.powi(digits);
    (x * m).round() / m
}

fn test_block(step: &StepRecord, role: Role, subject: Option<String>) -> TestBlock {
    let runs: Vec<Run> = step
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| Run {
            span: Span::default(),
            index: Some(i as u32),
            result: run_result(&r.outcome),
            more: Vec::new(),
            blank_after: false,
        })
        .collect();
    TestBlock {
        role,
        subject,
        commit: step.commit.clone(),
        signature: step.signature.clone(),
        runs: if runs.is_empty() {
            Runs::None
        } else {
            Runs::Each { runs }
        },
        undetermined: match step.verdict {
            Verdict::Skip => step.reason.clone(),
            _ => None,
        },
        false_negative_chance: step.false_negative_chance.map(|p| round_to(p, 3)),
        ..TestBlock::default()
    }
}

/// syzkaller's rule for a test no git line names: any crash is the crash
/// word, else an OK run is the other word, else skip.
fn inferred(step: &StepRecord, kind: Kind) -> Verdict {
    let (crash, clean) = words(kind);
    if step.runs.is_empty() {
        return Verdict::Untested;
    }
    if step
        .runs
        .iter()
        .any(|r| matches!(r.outcome, RunOutcome::Crashed { .. }))
    {
        crash
    } else if step.runs.iter().any(|r| r.outcome == RunOutcome::Ok) {
        clean
    } else {
        Verdict::Skip
    }
}

fn git_entries(step: &StepRecord) -> Vec<Entry> {
    step.git
        .iter()
        .filter_map(|g| {
            let command = match g.args.as_slice() {
                [start, bad, good] if start == "start" => GitCommand::Start {
                    bad: bad.clone(),
                    good: good.clone(),
                },
                [word, commit] => GitCommand::Mark {
                    verdict: match word.as_str() {
                        "good" => Verdict::Good,
                        "bad" => Verdict::Bad,
                        _ => Verdict::Skip,
                    },
                    commit: commit.clone(),
                },
                _ => return None,
            };
            Some(Entry::Git(GitStep {
                span: Span::default(),
                command,
                output: git::to_model(&g.output),
                blank_after: false,
            }))
        })
        .collect()
}

/// Builds the model of the log from the steps so far and, at the end, the
/// outcome. `repro` is the bug's reproduction rate on the crashing end;
/// `clean_name` the other end as the job named it.
pub fn build(
    kind: Kind,
    crash_end: &str,
    clean_name: &str,
    steps: &[StepRecord],
    repro: Option<f64>,
    end: Option<&End>,
) -> Bisection {
    let mut b = Bisection {
        kind,
        header: Header {
            span: None,
            host: None,
            start_commit: Some(crash_end.to_string()),
            syzkaller_commit: None,
            notes: vec![HeaderNote::EnsuringReproducible {
                commit: crash_end.to_string(),
                blank_after: false,
            }],
        },
        final_newline: true,
        ..Bisection::default()
    };
    let started = steps.iter().any(|s| {
        s.git
            .iter()
            .any(|g| g.args.first().is_some_and(|a| a == "start"))
    });
    // git's `[H] subject` line last printed: the subject the log shows for
    // the test of H that follows it.
    let mut current: Option<(String, String)> = None;
    for step in steps {
        let marked = step.git.iter().find_map(|g| match g.args.as_slice() {
            [word, commit] if *commit == step.commit => Some(match word.as_str() {
                "good" => Verdict::Good,
                "bad" => Verdict::Bad,
                _ => Verdict::Skip,
            }),
            _ => None,
        });
        let (crash_word, clean_word) = words(kind);
        match step.role {
            StepRole::Original => {
                let mut t = test_block(step, Role::Original, None);
                t.verdict = if started {
                    crash_word
                } else {
                    inferred(step, kind)
                };
                b.body.push(Entry::Test(t));
                if let Some(p) = repro.filter(|p| *p < 1.0) {
                    b.body.push(Entry::Note(Note {
                        span: Span::default(),
                        kind: NoteKind::FlakyEstimate(round_to(p, 2)),
                        more: Vec::new(),
                    }));
                }
            }
            StepRole::Endpoint => {
                // Written like syzkaller's range checks: `testing release
                // <good>` before a cause bisection, `testing current HEAD`
                // before a fix bisection.
                let role = match kind {
                    Kind::Cause => Role::Release {
                        tag: clean_name.to_string(),
                    },
                    Kind::Fix => Role::Head,
                };
                let mut t = test_block(step, role, None);
                t.verdict = if started {
                    clean_word
                } else {
                    inferred(step, kind)
                };
                b.body.push(Entry::Test(t));
            }
            StepRole::Bisect => {
                let subject = match current.take() {
                    Some((c, subject)) if c == step.commit => subject,
                    _ => step.subject.clone(),
                };
                let mut t = test_block(step, Role::Step, Some(subject));
                t.verdict = marked.unwrap_or(Verdict::Untested);
                b.body.push(Entry::Test(t));
            }
            StepRole::Verify => {
                let mut t = test_block(step, Role::Step, None);
                t.verdict = marked.unwrap_or(Verdict::Untested);
                b.body.push(Entry::Test(t));
            }
            StepRole::Parent => {
                b.body.push(Entry::Note(Note {
                    span: Span::default(),
                    kind: NoteKind::ParentNotTested(step.commit.clone()),
                    more: Vec::new(),
                }));
                b.body
                    .push(Entry::Test(test_block(step, Role::Parent, None)));
            }
        }
        let entries = git_entries(step);
        for e in &entries {
            if let Entry::Git(g) = e {
                for o in &g.output {
                    if let bisect_log::GitOutput::Current { commit, subject } = o {
                        current = Some((commit.clone(), subject.clone()));
                    }
                }
            }
        }
        b.body.extend(entries);
    }
    if let Some(end) = end {
        if let End::Culprit { commit, parent, .. } = end {
            if let Some((c, p)) = signatures(steps, commit, parent.as_deref()) {
                for kind in [NoteKind::CulpritSignature(c), NoteKind::ParentSignature(p)] {
                    b.body.push(Entry::Note(Note {
                        span: Span::default(),
                        kind,
                        more: Vec::new(),
                    }));
                }
            }
        }
        b.trailer.outcome = match end {
            End::Culprit {
                commit,
                subject,
                title,
                ..
            } => Outcome::Culprit(Culprit {
                span: Span::default(),
                commit: commit.clone(),
                title: subject.clone(),
                recipients: None,
                crash: Some(Crash {
                    span: Span::default(),
                    title: title.clone(),
                    lines: Vec::new(),
                    report: Default::default(),
                }),
            }),
            End::Inconclusive(candidates) => Outcome::Inconclusive {
                span: Span::default(),
                word: match kind {
                    Kind::Cause => "bad".to_string(),
                    Kind::Fix => "good".to_string(),
                },
                candidates: candidates.clone(),
            },
            End::Error(text) => {
                let mut lines = text.lines().map(str::to_string);
                Outcome::Error {
                    span: Span::default(),
                    text: lines.next().unwrap_or_default(),
                    more: lines.collect(),
                }
            }
        };
    }
    fill_spans(&mut b);
    b
}

/// The last signature recorded for `commit`.
pub fn signature_of(steps: &[StepRecord], commit: &str) -> Option<String> {
    steps
        .iter()
        .rev()
        .filter(|s| s.commit == commit)
        .find_map(|s| s.signature.clone())
}

/// Culprit and parent signatures, when both are known.
pub fn signatures(
    steps: &[StepRecord],
    culprit: &str,
    parent: Option<&str>,
) -> Option<(String, String)> {
    let c = signature_of(steps, culprit)?;
    let p = signature_of(steps, parent?)?;
    Some((c, p))
}

fn line_count(text: &str) -> u32 {
    text.matches('\n').count() as u32
}

/// Lines the writer prints for one entry.
fn entry_lines(kind: Kind, entry: &Entry) -> u32 {
    let one = Bisection {
        kind,
        body: vec![entry.clone()],
        final_newline: true,
        ..Bisection::default()
    };
    line_count(&bisect_log::write(&one))
}

/// Fills every span and the line count from what the writer prints.
fn fill_spans(b: &mut Bisection) {
    let header_only = Bisection {
        kind: b.kind,
        header: b.header.clone(),
        final_newline: true,
        ..Bisection::default()
    };
    let header_lines = line_count(&bisect_log::write(&header_only));
    b.header.span = (header_lines > 0).then_some(Span {
        first: 1,
        last: header_lines,
    });
    let mut next = header_lines + 1;
    let kind = b.kind;
    for entry in &mut b.body {
        let n = entry_lines(kind, entry);
        let span = Span {
            first: next,
            last: next + n.saturating_sub(1),
        };
        match entry {
            Entry::Test(t) => {
                t.span = span;
                let role_line = u32::from(matches!(t.role, Role::Release { .. } | Role::Head));
                let mut line = next + role_line + 1 + u32::from(t.signature.is_some());
                if let Runs::Each { runs } = &mut t.runs {
                    for r in runs {
                        r.span = Span::line(line);
                        line += 1;
                    }
                }
            }
            Entry::Git(g) => g.span = span,
            Entry::Note(note) => note.span = span,
        }
        next += n;
    }
    let trailer_only = Bisection {
        kind: b.kind,
        trailer: b.trailer.clone(),
        final_newline: true,
        ..Bisection::default()
    };
    let n = line_count(&bisect_log::write(&trailer_only));
    let span = Span {
        first: next,
        last: next + n.saturating_sub(1),
    };
    match &mut b.trailer.outcome {
        Outcome::Culprit(c) => {
            c.span = span;
            if let Some(crash) = &mut c.crash {
                crash.span = Span::line(span.last);
                crash.report = bisect_log::report::parse(&crash.lines, span.last + 1);
            }
        }
        Outcome::Inconclusive { span: s, .. } | Outcome::Error { span: s, .. } => *s = span,
        Outcome::NothingToBisect(nb) => nb.span = span,
        Outcome::Incomplete => {}
    }
    b.line_count = next + n - 1;
}
