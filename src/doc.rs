//! An opened log: its text, a line index, the parsed model and what the
//! views derive from it (computed once, when the log is opened).
//!
//! The model types all come from `bisect-log`; this module only adds
//! view-side indexes (step order, run colours, signature groups, problems).

use std::collections::HashSet;
use std::rc::Rc;

use bisect_log::{
    Bisection, Entry, GitCommand, GitOutput, Outcome, Role, RunResult, TestBlock, Verdict,
};

/// Where the parse ran (shown for the performance measurements and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParsedIn {
    Main,
    Worker,
}

impl ParsedIn {
    pub fn as_str(self) -> &'static str {
        match self {
            ParsedIn::Main => "main",
            ParsedIn::Worker => "worker",
        }
    }
}

/// One opened log. Shared by `Rc`; compared by identity.
#[derive(Debug)]
pub struct Doc {
    /// Unique per opened log (identity for props and memos).
    pub id: u64,
    /// A name for the header: the file name or URL.
    pub name: String,
    pub text: String,
    /// Where the browser keeps what belongs to this text (its notes).
    pub key: TextKey,
    /// Byte offset of the start of each line (1-based line n at index n-1).
    pub line_starts: Vec<u32>,
    /// The parsed log, or why the text is not a bisection log. For logs
    /// parsed in the worker the fields that repeat raw lines are emptied
    /// (see [`crate::worker::take_verbatim_lines`]): views read raw lines
    /// from [`Doc::line`] through spans, never from those fields.
    pub parsed: Result<Parsed, String>,
    pub parsed_in: ParsedIn,
    /// Size of the input in bytes.
    pub bytes: usize,
    /// Parse time in milliseconds (the worker's own measure in the worker).
    pub parse_ms: f64,
    /// Trust analysis time in milliseconds.
    pub analyze_ms: f64,
    /// Worker only: encoding time in milliseconds.
    pub encode_ms: f64,
}

impl PartialEq for Doc {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Doc {
    pub fn line_count(&self) -> u32 {
        u32::try_from(self.line_starts.len()).unwrap_or(u32::MAX)
    }

    /// Line `n` (1-based) without its line ending; empty when out of range.
    pub fn line(&self, n: u32) -> &str {
        if n == 0 {
            return "";
        }
        let i = (n - 1) as usize;
        let Some(&start) = self.line_starts.get(i) else {
            return "";
        };
        let end = match self.line_starts.get(i + 1) {
            Some(&next) => next.saturating_sub(1) as usize,
            None => self.text.len() - usize::from(self.text.ends_with('\n')),
        };
        let line = self.text.get(start as usize..end).unwrap_or("");
        line.strip_suffix('\r').unwrap_or(line)
    }

    pub fn bisection(&self) -> Option<&Bisection> {
        self.parsed.as_ref().ok().map(|p| &p.bisection)
    }
}

/// Byte offsets of line starts, numbering lines as the parser does (a final
/// newline does not start another line).
pub fn line_starts(text: &str) -> Vec<u32> {
    let mut starts = Vec::with_capacity(text.len() / 60 + 1);
    push_line_starts(text.as_bytes(), 0..text.len(), &mut starts);
    starts
}

/// [`line_starts`] of the bytes in `range` of `bytes`, appended to `starts`:
/// ranges that follow each other build the whole index piece by piece.
pub fn push_line_starts(bytes: &[u8], range: std::ops::Range<usize>, starts: &mut Vec<u32>) {
    if range.start == 0 && range.end > 0 {
        starts.push(0);
    }
    let from = range.start;
    for (i, &b) in bytes[range].iter().enumerate() {
        let next = from + i + 1;
        if b == b'\n' && next < bytes.len() {
            starts.push(u32::try_from(next).unwrap_or(u32::MAX));
        }
    }
}

/// How a run is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// The bug's own crash.
    OwnCrash,
    /// Some other crash.
    OtherCrash,
    Ok,
    BootFailure,
    Infrastructure,
    BuildFailure,
    Ignored,
}

impl RunKind {
    pub const ALL: [RunKind; 7] = [
        RunKind::OwnCrash,
        RunKind::OtherCrash,
        RunKind::Ok,
        RunKind::BootFailure,
        RunKind::Infrastructure,
        RunKind::BuildFailure,
        RunKind::Ignored,
    ];

    /// CSS class suffix and `data-kind` value.
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::OwnCrash => "own-crash",
            RunKind::OtherCrash => "other-crash",
            RunKind::Ok => "ok",
            RunKind::BootFailure => "boot",
            RunKind::Infrastructure => "infra",
            RunKind::BuildFailure => "build",
            RunKind::Ignored => "ignored",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RunKind::OwnCrash => "the bug's crash",
            RunKind::OtherCrash => "another crash",
            RunKind::Ok => "OK",
            RunKind::BootFailure => "boot failure",
            RunKind::Infrastructure => "infrastructure",
            RunKind::BuildFailure => "build failure",
            RunKind::Ignored => "ignored",
        }
    }

    pub fn is_problem(self) -> bool {
        !matches!(self, RunKind::OwnCrash | RunKind::Ok)
    }
}

/// View data of one test block.
#[derive(Debug, Clone, PartialEq)]
pub struct StepInfo {
    /// Index in [`Bisection::body`].
    pub entry: usize,
    /// Revisions git had left after this step's verdict.
    pub revisions_left: Option<u32>,
    /// The commit's subject from the test block or git's `[H] subject` line.
    pub subject: Option<String>,
    /// Group number (1-based) of steps sharing one kernel signature.
    pub signature_group: Option<usize>,
    pub run_kinds: Vec<RunKind>,
    /// Why this step deserves a look (empty when it does not).
    pub problems: Vec<String>,
}

/// One point of the revisions-left chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartPoint {
    /// The step whose verdict led here (`None` for `git bisect start`).
    pub step: Option<usize>,
    pub revisions: u32,
}

/// The parsed log and its view indexes.
#[derive(Debug)]
pub struct Parsed {
    pub bisection: Bisection,
    pub analysis: Option<bisect_log::analysis::Analysis>,
    pub steps: Vec<StepInfo>,
    pub chart: Vec<ChartPoint>,
    pub bug_titles: Vec<String>,
    /// Paths the culprit commit touched (for logs parsed in the worker:
    /// those that frames of the crash report name).
    pub culprit_paths: HashSet<String>,
    /// Number of files the culprit commit touched.
    pub culprit_files: usize,
    /// Steps sharing signatures: group number → step indices.
    pub signature_groups: Vec<Vec<usize>>,
}

impl Parsed {
    pub fn new(bisection: Bisection) -> Parsed {
        let analysis = Some(bisect_log::analysis::analyze(&bisection));
        Parsed::with_analysis(bisection, analysis)
    }

    pub fn with_analysis(
        bisection: Bisection,
        analysis: Option<bisect_log::analysis::Analysis>,
    ) -> Parsed {
        let bug_titles = match &analysis {
            Some(a) => a.bug_titles.clone(),
            None => bisect_log::analysis::title::bug_titles(&bisection),
        };
        let mut steps = Vec::new();
        let mut chart = Vec::new();
        let mut pending_subject: Option<(&str, &str)> = None;
        for (entry, e) in bisection.body.iter().enumerate() {
            match e {
                Entry::Test(t) => {
                    let subject = t.subject.clone().or_else(|| {
                        pending_subject
                            .take()
                            .filter(|(c, _)| *c == t.commit)
                            .map(|(_, s)| s.to_string())
                    });
                    let run_kinds = run_kinds(t, &bug_titles);
                    steps.push(StepInfo {
                        entry,
                        revisions_left: None,
                        subject,
                        signature_group: None,
                        problems: problems(t, &run_kinds),
                        run_kinds,
                    });
                }
                Entry::Git(g) => {
                    for o in &g.output {
                        match o {
                            GitOutput::Bisecting { revisions, .. } => {
                                let step = match g.command {
                                    GitCommand::Start { .. } => None,
                                    GitCommand::Mark { .. } => steps.len().checked_sub(1),
                                };
                                if let Some(s) = step.and_then(|s| steps.get_mut(s)) {
                                    s.revisions_left = Some(*revisions);
                                }
                                chart.push(ChartPoint {
                                    step,
                                    revisions: *revisions,
                                });
                            }
                            GitOutput::Current { commit, subject } => {
                                pending_subject = Some((commit.as_str(), subject.as_str()));
                            }
                            _ => {}
                        }
                    }
                }
                Entry::Note(_) => {}
            }
        }
        // Identical kernel signatures across steps.
        let mut by_sig: Vec<(&str, Vec<usize>)> = Vec::new();
        for (i, t) in bisection.tests().enumerate() {
            if let Some(sig) = t.signature.as_deref() {
                match by_sig.iter_mut().find(|(s, _)| *s == sig) {
                    Some((_, v)) => v.push(i),
                    None => by_sig.push((sig, vec![i])),
                }
            }
        }
        let mut signature_groups = Vec::new();
        for (_, members) in by_sig {
            if members.len() > 1 {
                signature_groups.push(members.clone());
                let group = signature_groups.len();
                for m in members {
                    if let Some(s) = steps.get_mut(m) {
                        s.signature_group = Some(group);
                        s.problems.push(format!(
                            "its kernel signature is identical to other steps' (group {group}): same binary"
                        ));
                    }
                }
            }
        }
        if let Some(a) = &analysis {
            let tests: Vec<&TestBlock> = bisection.tests().collect();
            for d in &a.diagnostics {
                for ev in &d.evidence {
                    if let Some(i) = tests
                        .iter()
                        .position(|t| t.span.first <= ev.span.first && ev.span.last <= t.span.last)
                    {
                        if let Some(s) = steps.get_mut(i) {
                            let msg = format!("{}: {}", d.code.as_str(), d.title);
                            if !s.problems.contains(&msg) {
                                s.problems.push(msg);
                            }
                        }
                    }
                }
            }
        }
        let culprit_paths: HashSet<String> = bisection
            .culprit_commit()
            .map(|c| c.paths().map(str::to_string).collect())
            .unwrap_or_default();
        let culprit_files = bisection.culprit_commit().map_or(0, |c| c.paths().count());
        Parsed {
            bisection,
            analysis,
            steps,
            chart,
            bug_titles,
            culprit_paths,
            culprit_files,
            signature_groups,
        }
    }

    /// Test block of step `i` (0-based, log order).
    pub fn test(&self, i: usize) -> Option<&TestBlock> {
        let entry = self.steps.get(i)?.entry;
        match self.bisection.body.get(entry)? {
            Entry::Test(t) => Some(t),
            _ => None,
        }
    }

    /// The step whose block contains line `n`.
    pub fn step_at_line(&self, n: u32) -> Option<usize> {
        (0..self.steps.len()).find(|&i| self.test(i).is_some_and(|t| t.span.contains(n)))
    }

    /// Steps with something worth a look, in log order.
    pub fn problem_steps(&self) -> Vec<usize> {
        self.steps
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.problems.is_empty())
            .map(|(i, _)| i)
            .collect()
    }

    /// The commit the displayed crash report was produced on.
    pub fn report_commit(&self) -> Option<&str> {
        let b = &self.bisection;
        match &b.trailer.outcome {
            Outcome::Culprit(c) => Some(c.commit.as_str()),
            Outcome::NothingToBisect(_) => b
                .tests()
                .filter(|t| matches!(t.role, Role::Release { .. } | Role::Head))
                .last()
                .or_else(|| b.original_test())
                .map(|t| t.commit.as_str()),
            _ => None,
        }
    }
}

fn run_kinds(t: &TestBlock, bug_titles: &[String]) -> Vec<RunKind> {
    t.runs
        .as_slice()
        .iter()
        .map(|r| run_kind(&r.result, bug_titles))
        .collect()
}

/// The colour of one run.
pub fn run_kind(result: &RunResult, bug_titles: &[String]) -> RunKind {
    use bisect_log::analysis::title;
    match result {
        RunResult::Ok => RunKind::Ok,
        RunResult::Crashed(t) => {
            if title::is_infra(t) {
                RunKind::Infrastructure
            } else if title::is_bug(title::MatchRule::DEFAULT, bug_titles, t) {
                RunKind::OwnCrash
            } else {
                RunKind::OtherCrash
            }
        }
        RunResult::BootFailed(_) => RunKind::BootFailure,
        RunResult::BasicTestingFailed(_)
        | RunResult::InfraProblem(_)
        | RunResult::Failed(_)
        | RunResult::Other(_) => RunKind::Infrastructure,
        RunResult::Ignored(_) => RunKind::Ignored,
    }
}

fn problems(t: &TestBlock, kinds: &[RunKind]) -> Vec<String> {
    let mut out = Vec::new();
    if t.verdict == Verdict::Skip {
        out.push("skipped: git was told this commit cannot be tested".to_string());
    }
    if !t.failures.is_empty() {
        out.push("build or test failure instead of runs".to_string());
    }
    for k in [
        RunKind::OtherCrash,
        RunKind::Infrastructure,
        RunKind::BootFailure,
        RunKind::Ignored,
    ] {
        let n = kinds.iter().filter(|&&x| x == k).count();
        if n > 0 {
            out.push(format!("{n} run(s): {}", k.label()));
        }
    }
    if t.flaky {
        out.push("syzkaller flagged the reproducer as flaky here".to_string());
    }
    if let Some(u) = &t.undetermined {
        out.push(format!("unable to determine the verdict:{u}"));
    }
    out
}

/// A fresh id for each opened log.
pub fn next_id() -> u64 {
    thread_local! {
        static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
    }
    NEXT.with(|n| {
        let v = n.get();
        n.set(v + 1);
        v
    })
}

/// Builds a document from text parsed on this thread.
pub fn open_here(name: String, bytes: &[u8]) -> Rc<Doc> {
    let t0 = crate::perf::now();
    let parsed = bisect_log::parse_bytes(bytes);
    let parse_ms = crate::perf::now() - t0;
    let parsed = parsed.map(Parsed::new).map_err(|e| e.to_string());
    let analyze_ms = crate::perf::now() - t0 - parse_ms;
    let text = String::from_utf8_lossy(bytes).into_owned();
    let line_starts = line_starts(&text);
    Rc::new(Doc {
        id: next_id(),
        name,
        key: TextKey::of(&text),
        text,
        line_starts,
        parsed,
        parsed_in: ParsedIn::Main,
        bytes: bytes.len(),
        parse_ms,
        analyze_ms,
        encode_ms: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn line_index_matches_parser_numbering() {
        let text = "a\nbb\r\n\nccc\n";
        let starts = line_starts(text);
        assert_eq!(starts, vec![0, 2, 6, 7]);
        let doc = Doc {
            id: 1,
            name: String::new(),
            text: text.to_string(),
            key: TextKey::of(text),
            line_starts: starts,
            parsed: Err(String::new()),
            parsed_in: ParsedIn::Main,
            bytes: text.len(),
            parse_ms: 0.0,
            analyze_ms: 0.0,
            encode_ms: 0.0,
        };
        assert_eq!(doc.line(1), "a");
        assert_eq!(doc.line(2), "bb");
        assert_eq!(doc.line(3), "");
        assert_eq!(doc.line(4), "ccc");
        assert_eq!(doc.line(5), "");
        assert_eq!(doc.line(0), "");
        assert_eq!(line_starts("x").len(), 1);
        assert!(line_starts("").is_empty());
    }

    #[wasm_bindgen_test]
    fn line_index_built_in_pieces_is_the_same() {
        let text = "run #0: OK\n\nrun #1: crashed: x\r\nlast\n";
        let whole = line_starts(text);
        for cut in 0..=text.len() {
            let mut starts = Vec::new();
            push_line_starts(text.as_bytes(), 0..cut, &mut starts);
            push_line_starts(text.as_bytes(), cut..text.len(), &mut starts);
            assert_eq!(starts, whole, "cut at {cut}");
        }
    }
}

/// A stable key for a log's text, for browser storage of what belongs to one
/// log (its annotations, its library entry): FNV-1a 64 of the bytes, with the
/// length so that two texts must collide on both.
pub fn text_key(text: &str) -> String {
    let mut h = KeyHasher::default();
    h.update(text.as_bytes());
    h.finish().0
}

/// [`text_key`] fed piece by piece (a big text between other tasks).
pub struct KeyHasher {
    h: u64,
    len: usize,
}

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher {
            h: 0xcbf2_9ce4_8422_2325,
            len: 0,
        }
    }
}

impl KeyHasher {
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.h ^= u64::from(b);
            self.h = self.h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.len += bytes.len();
    }

    pub fn finish(&self) -> TextKey {
        TextKey(format!("{:016x}-{:x}", self.h, self.len))
    }
}

/// The [`text_key`] of an opened log, computed once: hashing a big text
/// takes milliseconds, done while the worker parses rather than when the
/// view opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextKey(String);

impl TextKey {
    pub fn of(text: &str) -> TextKey {
        TextKey(text_key(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod key_tests {
    use super::{text_key, KeyHasher, TextKey};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn text_key_is_stable_and_tells_texts_apart() {
        // FNV-1a 64 of "a" is af63dc4c8601ec8c.
        assert_eq!(text_key("a"), "af63dc4c8601ec8c-1");
        assert_eq!(text_key(""), "cbf29ce484222325-0");
        assert_ne!(text_key("run #0: OK\n"), text_key("run #0: OK"));
        let text = "run #0: OK\nrun #1: crashed: x\n";
        for cut in 0..=text.len() {
            let mut h = KeyHasher::default();
            h.update(&text.as_bytes()[..cut]);
            h.update(&text.as_bytes()[cut..]);
            assert_eq!(h.finish(), TextKey::of(text), "cut at {cut}");
        }
    }
}
