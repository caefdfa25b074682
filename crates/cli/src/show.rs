//! The terminal summary of `bisect-log show`.

use std::fmt::Write as _;

use bisect_log::analysis::Severity;
use bisect_log::{Bisection, Kind, Outcome, Role, RunResult, TestBlock, Trust, Verdict};

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
    fn verdict(&self, v: Verdict) -> String {
        let (code, word) = match v {
            Verdict::Good => ("32", "good "),
            Verdict::Bad => ("31", "bad  "),
            Verdict::Skip => ("33", "skip "),
            Verdict::Untested => ("2", "  -  "),
        };
        self.paint(code, word)
    }
}

pub fn render(b: &Bisection, colour: bool) -> String {
    let s = Style { on: colour };
    let mut out = String::new();
    let kind = match b.kind {
        Kind::Cause => "cause bisection",
        Kind::Fix => "fix bisection",
    };
    let _ = writeln!(
        out,
        "{} {}",
        s.bold("bug:"),
        b.bug_title().unwrap_or("(unknown)")
    );
    let _ = writeln!(out, "{} {kind}", s.bold("kind:"));
    if let Some(c) = &b.header.start_commit {
        let _ = writeln!(out, "{} {c}", s.bold("start:"));
    }
    let _ = writeln!(out, "{} {}", s.bold("outcome:"), outcome(b, &s));
    if let Some(r) = &b.trailer.revisions {
        let _ = writeln!(
            out,
            "{} {} revisions, {} (build {}, test {})",
            s.bold("tested:"),
            r.tested,
            r.total.text,
            r.build.text,
            r.test.text
        );
    }
    if let Some(p) = b.accumulated_error_probability() {
        let _ = writeln!(
            out,
            "{} accumulated error probability {p:.2}",
            s.bold("syzkaller:")
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", s.bold("tests:"));
    for t in b.tests() {
        let _ = writeln!(
            out,
            "  {} {} {:<14} {}",
            s.verdict(t.verdict),
            t.commit.get(..12).unwrap_or(&t.commit),
            role(t),
            runs(t)
        );
        if let Some(subject) = &t.subject {
            let _ = writeln!(out, "  {}", s.dim(&format!("      {subject}")));
        }
    }
    analysis(b, &s, &mut out);
    if !b.unrecognized.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} {} unrecognized lines (first at line {})",
            s.bold("note:"),
            b.unrecognized.len(),
            b.unrecognized[0].line
        );
    }
    out
}

/// Trust, suspect step, estimates and diagnostics.
fn analysis(b: &Bisection, s: &Style, out: &mut String) {
    let a = bisect_log::analyze(b);
    let _ = writeln!(out);
    let trust = match a.trust {
        Trust::Trusted => s.paint("32", "trusted"),
        Trust::Suspect => s.paint("1;31", "SUSPECT"),
        Trust::NotApplicable => s.dim("n/a (no single culprit)"),
    };
    let _ = writeln!(out, "{} {trust}", s.bold("trust:"));
    if let Some(step) = &a.suspect_step {
        let _ = writeln!(
            out,
            "{} {} ({} verdict, lines {}-{}, {})",
            s.bold("suspect step:"),
            step.commit,
            step.verdict.as_str(),
            step.span.first,
            step.span.last,
            step.code
        );
    }
    let e = &a.estimates;
    if let Some(rate) = e.repro_rate {
        let mut line = format!(
            "repro rate {:.0}% ({}/{} runs)",
            rate * 100.0,
            e.repro_crashes,
            e.repro_runs
        );
        if let Some(acc) = e.accumulated_miss_chance {
            let _ = write!(
                line,
                ", chance a clean verdict missed the bug {:.0}% over {} verdicts",
                acc * 100.0,
                e.good_verdicts.len()
            );
        }
        if let Some(p) = e.syzkaller_error_probability {
            let _ = write!(line, " (syzkaller: {p:.2})");
        }
        let _ = writeln!(out, "{} {line}", s.bold("estimates:"));
    }
    for d in &a.diagnostics {
        let sev = match d.severity {
            Severity::Error => s.paint("31", "error  "),
            Severity::Warning => s.paint("33", "warning"),
            Severity::Info => s.dim("info   "),
        };
        let lines: Vec<String> = d
            .evidence
            .iter()
            .take(4)
            .map(|e| {
                if e.span.first == e.span.last {
                    e.span.first.to_string()
                } else {
                    format!("{}-{}", e.span.first, e.span.last)
                }
            })
            .collect();
        let at = if lines.is_empty() {
            String::new()
        } else {
            s.dim(&format!(" [lines {}]", lines.join(", ")))
        };
        let _ = writeln!(out, "  {sev} {} {}{at}", s.bold(d.code.as_str()), d.title);
    }
}

fn outcome(b: &Bisection, s: &Style) -> String {
    match &b.trailer.outcome {
        Outcome::Culprit(c) => format!("{} {} {}", s.paint("1;31", "culprit"), c.commit, c.title),
        Outcome::Inconclusive { candidates, .. } => {
            format!("inconclusive, {} candidates", candidates.len())
        }
        Outcome::NothingToBisect(n) => n.wording.text().to_string(),
        Outcome::Error { text, .. } => format!("{} {text}", s.paint("33", "error:")),
        Outcome::Incomplete => "incomplete (the log has no outcome)".to_string(),
    }
}

fn role(t: &TestBlock) -> String {
    match &t.role {
        Role::Original => "original".to_string(),
        Role::Release { tag } => format!("release {tag}"),
        Role::Head => "HEAD".to_string(),
        Role::MergeBase => "merge base".to_string(),
        Role::Step => "step".to_string(),
        Role::Parent => "parent".to_string(),
        Role::Minimization => "minimization".to_string(),
    }
}

/// `3× crashed: X, 7× OK`, most frequent first.
fn runs(t: &TestBlock) -> String {
    if let Some(f) = t.failures.first() {
        return format!("failed: {}", f.text.chars().take(80).collect::<String>());
    }
    let runs = t.runs.as_slice();
    if let bisect_log::Runs::All(run) = &t.runs {
        return format!("all runs: {}", label(&run.result));
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    for r in runs {
        let l = label(&r.result);
        match counts.iter_mut().find(|(k, _)| *k == l) {
            Some((_, n)) => *n += 1,
            None => counts.push((l, 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
        .iter()
        .map(|(l, n)| format!("{n}× {l}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn label(r: &RunResult) -> String {
    match r.text() {
        None => "OK".to_string(),
        Some(t) => format!(
            "{}: {}",
            r.outcome().replace('_', " "),
            t.chars().take(70).collect::<String>()
        ),
    }
}
