//! [`Bisection`] → text in syzkaller's format.

use std::fmt::Write as _;

use crate::decimal::fixed;
use crate::line::{bisecting_line, write_quoted_list};
use crate::model::*;

/// Writes a bisection in the format syzkaller uses. For a parsed log this
/// gives back the original text (line endings and all).
pub fn write(b: &Bisection) -> String {
    let mut w = Writer {
        out: String::new(),
        line: 0,
        unrecognized: &b.unrecognized,
        next: 0,
        crlf: b.crlf,
    };
    w.header(b);
    for entry in &b.body {
        match entry {
            Entry::Test(t) => w.test(t, b.kind),
            Entry::Git(g) => w.git(g),
            Entry::Note(n) => w.note(n),
        }
    }
    w.trailer(b);
    // Unrecognized lines past the end of what was written.
    while w.next < w.unrecognized.len() {
        let text = &w.unrecognized[w.next].text;
        w.next += 1;
        w.raw(text);
    }
    // Without a final newline the last line keeps its `\r` in a CRLF file:
    // only the `\n` was missing.
    if !b.final_newline && w.out.ends_with('\n') {
        w.out.pop();
    }
    w.out
}

fn failure_first_line(f: &Failure) -> String {
    let with_text = |prefix: String| {
        if f.text.is_empty() {
            prefix
        } else {
            format!("{prefix}: {}", f.text)
        }
    };
    match &f.kind {
        FailureKind::Build => f.text.clone(),
        FailureKind::Failed => format!("failed: {}", f.text),
        FailureKind::FailedBuilding(c) => format!("failed building {c}: {}", f.text),
        FailureKind::FailedTesting(c) => with_text(format!("failed testing reproducer on {c}")),
        FailureKind::ReproTesting => format!("repro testing failure: {}", f.text),
    }
}

struct Writer<'a> {
    out: String,
    /// Lines written so far.
    line: u32,
    unrecognized: &'a [Unrecognized],
    next: usize,
    crlf: bool,
}

impl Writer<'_> {
    /// Writes one line, first putting back unrecognized lines at their places.
    fn raw(&mut self, text: &str) {
        while let Some(u) = self.unrecognized.get(self.next) {
            if u.line != self.line + 1 {
                break;
            }
            self.next += 1;
            self.push(&u.text.clone());
        }
        self.push(text);
    }

    fn push(&mut self, text: &str) {
        self.out.push_str(text);
        if self.crlf {
            self.out.push('\r');
        }
        self.out.push('\n');
        self.line += 1;
    }

    fn fmt(&mut self, args: std::fmt::Arguments<'_>) {
        let mut s = String::new();
        let _ = s.write_fmt(args);
        self.raw(&s);
    }

    fn all(&mut self, lines: &[String]) {
        for l in lines {
            self.raw(l);
        }
    }

    fn header(&mut self, b: &Bisection) {
        let h = &b.header;
        if let Some(host) = &h.host {
            self.fmt(format_args!("{} starts bisection {}", host.host, host.time));
        }
        if let Some(c) = &h.start_commit {
            match b.kind {
                Kind::Cause => self.fmt(format_args!("bisecting cause commit starting from {c}")),
                Kind::Fix => self.fmt(format_args!("bisecting fixing commit since {c}")),
            }
        }
        if let Some(c) = &h.syzkaller_commit {
            self.fmt(format_args!("building syzkaller on {c}"));
        }
        for note in &h.notes {
            match note {
                HeaderNote::FetchTags => {
                    self.raw("fetch other tags and check if the commit is present")
                }
                HeaderNote::FetchFailed { error, more } => {
                    self.fmt(format_args!("fetch failed with {error}"));
                    self.all(more);
                }
                HeaderNote::Reidentified {
                    commit,
                    title,
                    blank_after,
                } => {
                    self.fmt(format_args!(
                        "rewritten commit {commit} reidentified by title '{title}'"
                    ));
                    if *blank_after {
                        self.raw("");
                    }
                }
                HeaderNote::EnsuringReproducible {
                    commit,
                    blank_after,
                } => {
                    self.fmt(format_args!(
                        "ensuring issue is reproducible on original commit {commit}"
                    ));
                    if *blank_after {
                        self.raw("");
                    }
                }
            }
        }
    }

    fn test(&mut self, t: &TestBlock, _kind: Kind) {
        match &t.role {
            Role::Release { tag } => self.fmt(format_args!("testing release {tag}")),
            Role::Head => self.fmt(format_args!("testing current HEAD {}", t.commit)),
            _ => {}
        }
        match &t.commit_line {
            CommitLine::Bare => self.fmt(format_args!("testing commit {}", t.commit)),
            CommitLine::With(c) => self.fmt(format_args!("testing commit {} with {c}", t.commit)),
            CommitLine::CompilerType(c) => {
                self.fmt(format_args!("testing commit {} {c}", t.commit))
            }
        }
        if let Some(c) = &t.compiler {
            self.fmt(format_args!("compiler: {c}"));
        }
        if let Some(s) = &t.signature {
            self.fmt(format_args!("kernel signature: {s}"));
        }
        for f in &t.failures {
            let first = failure_first_line(f);
            self.raw(&first);
            self.all(&f.more);
        }
        match &t.runs {
            Runs::None => {}
            Runs::All(run) => self.run("all runs: ".to_string(), run),
            Runs::Each { runs } => {
                for run in runs {
                    self.run(format!("run #{}: ", run.index.unwrap_or_default()), run);
                }
            }
        }
        if let Some(rc) = &t.representative_crash {
            self.fmt(format_args!(
                "representative crash: {}, types: [{}]",
                rc.title,
                rc.types.join(" ")
            ));
        }
        if let Some(u) = &t.undetermined {
            self.fmt(format_args!("unable to determine the verdict: {u}"));
        }
        if t.too_many_neither {
            self.raw("too many neither good nor bad results, skipping this commit");
        }
        if t.flaky {
            self.raw("reproducer seems to be flaky");
        }
        if let Some(p) = t.false_negative_chance {
            self.fmt(format_args!("false negative chance: {}", fixed(p, 3)));
        }
    }

    fn run(&mut self, mut prefix: String, run: &Run) {
        match &run.result {
            RunResult::Ok => prefix.push_str("OK"),
            RunResult::Crashed(t) => {
                let _ = write!(prefix, "crashed: {t}");
            }
            RunResult::BootFailed(t) => {
                let _ = write!(prefix, "boot failed: {t}");
            }
            RunResult::BasicTestingFailed(t) => {
                let _ = write!(prefix, "basic kernel testing failed: {t}");
            }
            RunResult::InfraProblem(t) => {
                let _ = write!(prefix, "infra problem: {t}");
            }
            RunResult::Ignored(t) => {
                let _ = write!(prefix, "ignore: {t}");
            }
            RunResult::Failed(t) => {
                let _ = write!(prefix, "failed: {t}");
            }
            RunResult::Other(t) => prefix.push_str(t),
        }
        self.raw(&prefix);
        self.all(&run.more);
        if run.blank_after {
            self.raw("");
        }
    }

    fn git(&mut self, g: &GitStep) {
        match &g.command {
            GitCommand::Start { bad, good } => {
                self.fmt(format_args!("# git bisect start {bad} {good}"))
            }
            GitCommand::Mark { verdict, commit } => {
                self.fmt(format_args!("# git bisect {} {commit}", verdict.as_str()))
            }
        }
        for out in &g.output {
            match out {
                GitOutput::Bisecting { revisions, steps } => {
                    self.raw(&bisecting_line(*revisions, *steps))
                }
                GitOutput::Current { commit, subject } => {
                    if subject.is_empty() {
                        self.fmt(format_args!("[{commit}]"))
                    } else {
                        self.fmt(format_args!("[{commit}] {subject}"))
                    }
                }
                GitOutput::FirstBad(c) => {
                    self.fmt(format_args!("{} is the first bad commit", c.commit));
                    self.all(&c.lines);
                }
                GitOutput::OnlySkippedLeft => {
                    self.raw("There are only 'skip'ped commits left to test.")
                }
                GitOutput::CouldBeAnyOf => self.raw("The first bad commit could be any of:"),
                GitOutput::Candidate { commit } => self.raw(commit),
                GitOutput::CannotBisectMore => self.raw("We cannot bisect more!"),
                GitOutput::Text { line } => self.raw(line),
            }
        }
        if g.blank_after {
            self.raw("");
        }
    }

    fn note(&mut self, n: &Note) {
        match &n.kind {
            NoteKind::TestingRelease(tag) => self.fmt(format_args!("testing release {tag}")),
            NoteKind::TestingHead(c) => self.fmt(format_args!("testing current HEAD {c}")),
            NoteKind::PickedReleases(v) => self.fmt(format_args!("picked {v}")),
            NoteKind::Minimization(v) | NoteKind::Presence(v) | NoteKind::FailedToDetect(v) => {
                self.raw(v)
            }
            NoteKind::AccumulatedErrorProbability(p) => self.fmt(format_args!(
                "accumulated error probability: {}",
                fixed(*p, 2)
            )),
            NoteKind::ParentNotTested(c) => {
                self.fmt(format_args!("parent commit {c} wasn't tested"))
            }
            NoteKind::CulpritSignature(s) => self.fmt(format_args!("culprit signature: {s}")),
            NoteKind::ParentSignature(s) => self.fmt(format_args!("parent  signature: {s}")),
            NoteKind::KernelSignature(s) => self.fmt(format_args!("kernel signature:   {s}")),
            NoteKind::PreviousSignature(s) => self.fmt(format_args!("previous signature: {s}")),
            NoteKind::StillCrashesOnOldest => {
                self.raw("crash still not fixed/happens on the oldest tested release")
            }
            NoteKind::HeadHadErrors => self.raw("HEAD had kernel build, boot or test errors"),
            NoteKind::FlakyFlagged => self.raw("Reproducer flagged being flaky"),
            NoteKind::FlakyEstimate(p) => self.fmt(format_args!(
                "reproducer is flaky ({} repro chance estimate)",
                fixed(*p, 2)
            )),
        }
        self.all(&n.more);
    }

    fn crash(&mut self, c: &Crash) {
        self.fmt(format_args!("crash: {}", c.title));
        self.all(&c.lines);
    }

    fn trailer(&mut self, b: &Bisection) {
        if let Some(r) = &b.trailer.revisions {
            self.fmt(format_args!(
                "revisions tested: {}, total time: {} (build: {}, test: {})",
                r.tested, r.total.text, r.build.text, r.test.text
            ));
        }
        match &b.trailer.outcome {
            Outcome::Incomplete => {}
            Outcome::Culprit(c) => {
                let word = match b.kind {
                    Kind::Cause => "bad",
                    Kind::Fix => "good",
                };
                self.fmt(format_args!(
                    "first {word} commit: {} {}",
                    c.commit, c.title
                ));
                match &c.recipients {
                    None => {}
                    Some(Recipients::Cc { cc }) => {
                        self.fmt(format_args!("cc: {}", write_quoted_list(cc)))
                    }
                    Some(Recipients::ToCc { to, cc }) => {
                        self.fmt(format_args!("recipients (to): {}", write_quoted_list(to)));
                        self.fmt(format_args!("recipients (cc): {}", write_quoted_list(cc)));
                    }
                }
                if let Some(crash) = &c.crash {
                    self.crash(crash);
                }
            }
            Outcome::Inconclusive {
                word, candidates, ..
            } => {
                self.fmt(format_args!(
                    "bisection is inconclusive, the first {word} commit could be any of:"
                ));
                self.all(candidates);
            }
            Outcome::NothingToBisect(nb) => {
                self.raw(nb.wording.text());
                if let Some(m) = &nb.commit_msg {
                    self.fmt(format_args!("commit msg: {m}"));
                }
                if let Some(crash) = &nb.crash {
                    self.crash(crash);
                }
            }
            Outcome::Error { text, more, .. } => {
                self.fmt(format_args!("error: {text}"));
                self.all(more);
            }
        }
    }
}
