//! The detectors. Each looks at one kind of evidence and may add
//! diagnostics; some also point at the step whose verdict they doubt.

use crate::decimal::fixed;
use std::collections::HashMap;

use crate::model::*;

use super::estimate::{clean_verdict, crashing_verdict, said_clean, said_crashes, Tally};
use super::paths;
use super::title::{self, is_bug, MatchRule};
use super::{Code, Diagnostic, Estimates, Evidence, Severity, SuspectStep};

/// A clean verdict ("good" in a cause bisection) is worth a warning when its miss chance reaches this.
pub const STEP_MISS_WARNING: f64 = 0.10;
/// The good verdicts together make the result suspect when the chance that
/// at least one of them missed the bug reaches this.
pub const ACCUMULATED_MISS_ERROR: f64 = 0.50;
/// syzkaller marks results unreliable above 0.34 (since 2023-07-27).
pub const SYZKALLER_ERROR_PROBABILITY: f64 = 0.34;
/// A bad verdict resting on one crash out of at least this many runs.
pub const LONE_CRASH_MIN_RUNS: u32 = 10;
/// A single crash is only doubted when, at the original commit's
/// reproduction rate, seeing at most one crash in that many runs had less
/// than this chance.
pub const LONE_CRASH_UNLIKELY: f64 = 0.05;
/// Runs with the bug's own crash that show a test had the bug (one crash
/// with a similar title may be a neighbouring bug, see `lone-crash-verdict`).
pub const CONFIRMING_CRASHES: u32 = 2;
/// A release "bad" on another crash is itself doubted when its clean runs
/// had less than this chance of all missing the bug at the original
/// commit's reproduction rate; otherwise the other crash may have hidden
/// the bug and the release judged clean is doubted instead.
pub const MASKING_UNLIKELY: f64 = 0.05;
/// Skipped steps that make a warning, as a share of all bisect steps.
pub const SKIP_SHARE_WARNING: f64 = 0.25;
/// At least this many `git bisect` verdicts all saying "crashes" (or all
/// saying "clean") before the result counts as one-sided.
pub const ONE_SIDED_MIN_STEPS: usize = 4;

/// What the detectors share.
pub struct Ctx<'a> {
    pub b: &'a Bisection,
    pub rule: MatchRule,
    pub bug: &'a [String],
    pub tests: Vec<&'a TestBlock>,
    pub tallies: Vec<Tally>,
    pub est: &'a Estimates,
}

/// A doubted verdict, for choosing [`SuspectStep`].
struct Doubt {
    test: usize,
    code: Code,
    /// Higher wins; ties go to the earlier step.
    weight: u8,
}

/// git's word for "the bug is there" in this bisection (`good` in a fix bisection).
fn crash_word(cx: &Ctx) -> &'static str {
    crashing_verdict(cx.b.kind).as_str()
}

fn short(c: &str) -> &str {
    c.get(..12).unwrap_or(c)
}

fn ev(t: &TestBlock, note: impl Into<String>) -> Evidence {
    Evidence {
        span: t.span,
        commit: Some(t.commit.clone()),
        note: note.into(),
    }
}

fn diag(
    code: Code,
    severity: Severity,
    title: String,
    explanation: String,
    evidence: Vec<Evidence>,
) -> Diagnostic {
    Diagnostic {
        code,
        severity,
        title,
        explanation,
        evidence,
    }
}

/// Whether the test is part of the range search or the bisection proper
/// (not the parent build or a minimization run).
fn deciding(t: &TestBlock) -> bool {
    matches!(
        t.role,
        Role::Step | Role::Release { .. } | Role::Head | Role::MergeBase
    )
}

/// The most frequent crash titles of a test, most frequent first.
fn crash_titles(t: &TestBlock) -> Vec<(&str, u32)> {
    let mut counts: Vec<(&str, u32)> = Vec::new();
    for r in t.runs.as_slice() {
        if let RunResult::Crashed(title) = &r.result {
            match counts.iter_mut().find(|(x, _)| *x == title.as_str()) {
                Some((_, n)) => *n += 1,
                None => counts.push((title.as_str(), 1)),
            }
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
}

fn titles_text(t: &TestBlock) -> String {
    let titles = crash_titles(t);
    let mut s = String::new();
    for (i, (title, _)) in titles.iter().take(2).enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('"');
        s.push_str(title);
        s.push('"');
    }
    if titles.len() > 2 {
        s.push_str(", …");
    }
    s
}

fn bug_text(bug: &[String]) -> String {
    match bug.first() {
        Some(t) => format!("\"{t}\""),
        None => "the bug's crash".to_string(),
    }
}

/// Runs every detector; returns the diagnostics and the suspect step.
pub fn run(cx: &Ctx) -> (Vec<Diagnostic>, Option<SuspectStep>) {
    let mut out = Vec::new();
    let mut doubts = Vec::new();
    let single = cx.b.culprit().is_some();
    if single {
        noop_culprit(cx, &mut out, &mut doubts);
        same_binary_conflict(cx, &mut out, &mut doubts);
        culprit_commit(cx, &mut out);
        final_crash(cx, &mut out);
    }
    bad_verdicts(cx, &mut out, &mut doubts);
    false_negatives(cx, &mut out, &mut doubts);
    if single {
        one_sided(cx, &mut out, &mut doubts);
    }
    skips_and_outcome(cx, &mut out);
    flaky_and_confidence(cx, &mut out);
    if single && out.iter().all(|d| d.severity == Severity::Info) {
        clean_release_bound(cx, &mut out);
    }
    let suspect = if single {
        choose_suspect(cx, &out, &doubts)
    } else {
        None
    };
    (out, suspect)
}

/// The doubted step with the strongest evidence (the earliest on ties).
/// A suspect result whose diagnostics doubt no single step (the culprit
/// itself is implausible) falls back to the clean end of the range: the
/// release (or HEAD) judged clean, the verdict that most often goes wrong
/// first in wrong bisections (a bug older than that release, not
/// reproduced there).
fn choose_suspect(cx: &Ctx, out: &[Diagnostic], doubts: &[Doubt]) -> Option<SuspectStep> {
    let best = doubts
        .iter()
        .filter(|d| {
            out.iter()
                .any(|x| x.code == d.code && x.severity >= Severity::Warning)
        })
        .min_by(|a, b| b.weight.cmp(&a.weight).then(a.test.cmp(&b.test)));
    let (test, code) = match best {
        Some(d) => (d.test, d.code),
        None => {
            let reason = out
                .iter()
                .find(|d| d.severity == Severity::Error)
                .or_else(|| out.iter().find(|d| d.severity == Severity::Warning))
                .or_else(|| out.iter().find(|d| d.code == Code::CleanReleaseBound))?;
            (clean_end(cx)?, reason.code)
        }
    };
    let t = cx.tests.get(test)?;
    Some(SuspectStep {
        commit: t.commit.clone(),
        span: t.span,
        verdict: t.verdict,
        code,
    })
}

/// The last release/HEAD/merge-base test judged clean: the clean end of the
/// bisected range.
fn clean_end(cx: &Ctx) -> Option<usize> {
    cx.tests
        .iter()
        .zip(&cx.tallies)
        .enumerate()
        .filter(|(_, (t, tally))| {
            matches!(t.role, Role::Release { .. } | Role::Head | Role::MergeBase)
                && said_clean(cx.b.kind, t, tally)
        })
        .map(|(i, _)| i)
        .next_back()
}

/// With no doubt raised, say where a reviewer should look first: the
/// release judged clean. Everything the bisection concluded rests on it, and a
/// bug older than that release which did not reproduce there (another
/// compiler, config or kernel interface) is how most wrong syzbot cause
/// bisections start (Stage B in the study behind the corpus labels).
fn clean_release_bound(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let Some(t) = clean_end(cx).and_then(|i| cx.tests.get(i)) else {
        return;
    };
    let Role::Release { tag } = &t.role else {
        return;
    };
    out.push(diag(
        Code::CleanReleaseBound,
        Severity::Info,
        format!("the range rests on {tag} being free of the bug"),
        format!(
            "No verdict looks doubtful. The whole range starts at {tag}, judged clean on its \
             runs; if the bug is older than {tag} but did not reproduce there (an older \
             compiler, a config option or kernel interface the reproducer needs), the culprit \
             is wrong. That is the most common way cause bisections go wrong, so check this \
             verdict first."
        ),
        vec![ev(t, "clean release")],
    ));
}

fn noop_culprit(cx: &Ctx, out: &mut Vec<Diagnostic>, doubts: &mut Vec<Doubt>) {
    let Some((culprit, parent)) = cx.b.culprit_signatures() else {
        return;
    };
    if culprit != parent {
        return;
    }
    let evidence: Vec<Evidence> =
        cx.b.notes()
            .filter(|n| {
                matches!(
                    n.kind,
                    NoteKind::CulpritSignature(_)
                        | NoteKind::ParentSignature(_)
                        | NoteKind::KernelSignature(_)
                        | NoteKind::PreviousSignature(_)
                )
            })
            .map(|n| Evidence {
                span: n.span,
                commit: None,
                note: "kernel signature".to_string(),
            })
            .collect();
    out.push(diag(
        Code::NoopCulprit,
        Severity::Error,
        "the blamed commit does not change the tested kernel".to_string(),
        format!(
            "The kernel built from the blamed commit has the same signature ({}) as the \
             kernel built from its parent: both are the same binary, so the commit cannot \
             have introduced a crash. One of the verdicts that led to it was wrong, most \
             likely because the reproducer is flaky or another crash was counted.",
            short(culprit)
        ),
        evidence,
    ));
    // Parent and culprit are one binary with opposite verdicts. If the
    // culprit's crashes were not the bug's, its own "bad" verdict is the
    // doubtful one; otherwise a clean verdict missed the bug, which the
    // false-negative estimate points at.
    if let Some(i) = culprit_test(cx) {
        if cx.tallies[i].bug == 0 {
            doubts.push(Doubt {
                test: i,
                code: Code::NoopCulprit,
                weight: 1,
            });
        }
    }
}

fn culprit_test(cx: &Ctx) -> Option<usize> {
    let c = cx.b.culprit()?;
    cx.tests
        .iter()
        .rposition(|t| t.commit == c.commit && t.role != Role::Parent)
}

/// Two tests of the same kernel binary (same signature) with opposite outcomes.
fn same_binary_conflict(cx: &Ctx, out: &mut Vec<Diagnostic>, doubts: &mut Vec<Doubt>) {
    // First clean test per signature, then the first crashing test whose
    // signature has one: linear in the number of tests (some logs have 900).
    let mut clean: HashMap<&str, usize> = HashMap::new();
    for (j, c) in cx.tests.iter().enumerate() {
        if let Some(sig) = c.signature.as_deref() {
            if deciding(c) && said_clean(cx.b.kind, c, &cx.tallies[j]) {
                clean.entry(sig).or_insert(j);
            }
        }
    }
    let pair = cx.tests.iter().enumerate().find_map(|(i, a)| {
        let sig = a.signature.as_deref()?;
        let crashing = deciding(a) && said_crashes(cx.b.kind, a, &cx.tallies[i]);
        crashing.then(|| clean.get(sig).map(|&j| (i, j))).flatten()
    });
    let Some((i, j)) = pair else {
        return;
    };
    let (a, c) = (cx.tests[i], cx.tests[j]);
    out.push(diag(
        Code::SameBinaryConflict,
        Severity::Error,
        format!(
            "the same kernel binary was judged both crashing ({}) and clean ({})",
            short(&a.commit),
            short(&c.commit)
        ),
        "Two tested commits produced the very same kernel (equal kernel signatures), yet one \
         verdict says the bug is there and the other says it is not. The difference can only \
         come from the test itself: the reproducer is flaky or a different crash was counted, \
         so at least one verdict is wrong."
            .to_string(),
        vec![ev(a, "crashing verdict"), ev(c, "clean verdict")],
    ));
    // If the crashing one shows the bug, the clean one missed it; otherwise
    // the crashing one rests on something else.
    let doubted = if cx.tallies[i].bug > 0 { j } else { i };
    doubts.push(Doubt {
        test: doubted,
        code: Code::SameBinaryConflict,
        weight: 2,
    });
}

fn culprit_commit(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let Some(culprit) = cx.b.culprit() else {
        return;
    };
    let span = culprit.span;
    let cc = cx.b.culprit_commit();
    let first_bad_span = cx.b.git_steps().find_map(|g| {
        g.output
            .iter()
            .any(|o| matches!(o, GitOutput::FirstBad(_)))
            .then_some(g.span)
    });
    let evidence = |note: &str| {
        vec![Evidence {
            span: first_bad_span.unwrap_or(span),
            commit: Some(culprit.commit.clone()),
            note: note.to_string(),
        }]
    };
    if cc.is_some_and(|c| !c.merge_parents.is_empty()) {
        out.push(diag(
            Code::MergeCulprit,
            Severity::Error,
            format!("the blamed commit {} is a merge", short(&culprit.commit)),
            "A merge commit brings in a whole branch; when bisection ends on one, each side was \
             judged clean alone, which usually means a flaky verdict on one of them (or an \
             interaction that git bisect cannot point at). syzbot itself marks such results \
             unreliable."
                .to_string(),
            evidence("merge commit"),
        ));
    }
    if is_release_title(&culprit.title) {
        out.push(diag(
            Code::ReleaseCulprit,
            Severity::Error,
            format!(
                "the blamed commit is a release: \"{}\"",
                culprit.title.trim()
            ),
            "A release commit only changes the Makefile version; it cannot introduce a crash. \
             The verdicts around it were wrong (often a release judged clean that was not). \
             syzbot itself marks such results unreliable."
                .to_string(),
            evidence("release commit"),
        ));
    }
    let Some(cc) = cc else {
        return;
    };
    let files: Vec<&str> = cc.paths().collect();
    if !files.is_empty() && files.iter().all(|p| paths::cannot_change_kernel(p)) {
        out.push(diag(
            Code::NonKernelCulprit,
            Severity::Error,
            format!(
                "the blamed commit only touches files outside the tested kernel ({})",
                files.iter().take(3).copied().collect::<Vec<_>>().join(", ")
            ),
            "Every file the commit changes is documentation, a selftest, a tool or a script that \
             is not built into the kernel that was tested, so the commit cannot have changed its \
             behaviour."
                .to_string(),
            evidence("files changed"),
        ));
        return;
    }
    if !files.is_empty() && files.iter().all(|p| paths::is_build_config(p)) {
        out.push(diag(
            Code::ConfigOnlyCulprit,
            Severity::Error,
            format!(
                "the blamed commit only changes build configuration ({})",
                files.iter().take(3).copied().collect::<Vec<_>>().join(", ")
            ),
            "The commit changes only Kconfig or Makefile lines: it can add existing code to the \
             tested kernel (making an older bug reachable) but changes no code itself. The bug \
             is most likely older, in the code it enabled."
                .to_string(),
            evidence("files changed"),
        ));
        return;
    }
    let Some(crash) = cx.b.trailer.outcome.crash() else {
        return;
    };
    let frames: Vec<&str> = crash
        .report
        .frames()
        .filter_map(|f| f.file.as_deref())
        .collect();
    if frames.is_empty() || files.is_empty() {
        return;
    }
    if !paths::any_related(&files, &frames) {
        out.push(diag(
            Code::CulpritNotInReport,
            Severity::Warning,
            "none of the blamed commit's files or directories appear in the crash report"
                .to_string(),
            format!(
                "The commit changes {} file(s) ({}), but no stack frame of the final crash \
                 report is in those files or their directories. Culprits are often elsewhere \
                 (a caller, a data structure), so this alone is weak evidence.",
                files.len(),
                files.iter().take(3).copied().collect::<Vec<_>>().join(", ")
            ),
            vec![Evidence {
                span: crash.span,
                commit: Some(culprit.commit.clone()),
                note: "crash report".to_string(),
            }],
        ));
        detector_culprit(cx, culprit, cc, out);
    }
}

/// Bug detectors and syzkaller's ways into the kernel, as lowercase words
/// of a commit subject (split at anything but letters and digits, so
/// `KASAN_VMALLOC`, `x86/kasan:` and `raw-gadget` match), with the name
/// shown in the diagnostic.
const DETECTORS: &[(&[&str], &str)] = &[
    (&["kasan"], "KASAN"),
    (&["kcsan"], "KCSAN"),
    (&["kmsan"], "KMSAN"),
    (&["ubsan"], "UBSAN"),
    (&["lockdep"], "lockdep"),
    (&["ref", "tracker"], "ref_tracker"),
    (&["refcount", "tracker"], "ref_tracker"),
    (&["fault", "inject"], "fault injection"),
    (&["fault", "injection"], "fault injection"),
    (&["debugobjects"], "debugobjects"),
    (&["debug", "objects"], "debugobjects"),
    (&["kmemleak"], "kmemleak"),
    (&["kcov"], "KCOV"),
    (&["raw", "gadget"], "raw-gadget"),
    (&["sanitizer"], "a sanitizer"),
    (&["sanitizers"], "a sanitizer"),
];

/// The bug detector a commit subject (or a function name) names, if any
/// (see [`DETECTORS`]).
pub fn detector_named_in(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    DETECTORS
        .iter()
        .find(|(pattern, _)| words.windows(pattern.len()).any(|w| w == *pattern))
        .map(|(_, name)| *name)
}

/// Lines of git's `first bad commit` block of the culprit (the last one, as
/// [`Bisection::culprit_commit`]): `H is the first bad commit` and the
/// commit lines after it. The block ends its `# git bisect` step.
fn first_bad_block(cx: &Ctx) -> Option<Span> {
    let g =
        cx.b.git_steps()
            .filter(|g| g.output.iter().any(|o| matches!(o, GitOutput::FirstBad(_))))
            .last()?;
    let Some(GitOutput::FirstBad(c)) = g.output.last() else {
        return Some(g.span);
    };
    let last = g.span.last.saturating_sub(u32::from(g.blank_after));
    let lines = u32::try_from(c.lines.len()).unwrap_or(u32::MAX);
    let first = last.saturating_sub(lines).max(g.span.first);
    Some(Span { first, last })
}

/// Called when `culprit-not-in-report` fired: a commit that adds or extends
/// a bug detector away from the crashing code usually reveals an older bug.
fn detector_culprit(cx: &Ctx, culprit: &Culprit, cc: &CulpritCommit, out: &mut Vec<Diagnostic>) {
    let subject = match culprit.title.trim() {
        "" => cc.subject().unwrap_or_default(),
        t => t,
    };
    let Some(name) = detector_named_in(subject) else {
        return;
    };
    // A crash in the detector's own code (`WARNING in ref_tracker_dir_exit`
    // for a commit that starts using ref_tracker) may well come from the
    // commit itself.
    let final_title = cx.b.trailer.outcome.crash().map(|c| c.title.as_str());
    let in_detector = cx
        .bug
        .iter()
        .map(String::as_str)
        .chain(final_title)
        .filter_map(title::function)
        .any(|f| detector_named_in(f) == Some(name));
    if in_detector {
        return;
    }
    out.push(diag(
        Code::DetectorCulprit,
        Severity::Error,
        format!("the blamed commit works on a bug detector ({name}): \"{subject}\""),
        format!(
            "The blamed commit adds or extends a bug detector or fuzzing interface ({name}) \
             and touches none of the code in the crash's stack. Such a commit usually makes \
             an older bug visible (a new check, more instrumentation, a new way in for the \
             fuzzer) rather than introducing it: the bug is likely older, and the commits \
             judged clean before it probably had it too, without showing it."
        ),
        vec![Evidence {
            span: first_bad_block(cx).unwrap_or(culprit.span),
            commit: Some(culprit.commit.clone()),
            note: format!("{name} commit"),
        }],
    ));
}

/// `Linux 5.1`, `Linux 5.1-rc3`, `Linux v4.20`.
pub fn is_release_title(title: &str) -> bool {
    let Some(rest) = title.trim().strip_prefix("Linux ") else {
        return false;
    };
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    !rest.is_empty()
        && rest.starts_with(|c: char| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// Whether the final crash report's call trace runs through the function
/// the bug's title names: a different title for the same code path.
fn final_through_bug(cx: &Ctx) -> bool {
    let Some(crash) = cx.b.trailer.outcome.crash() else {
        return false;
    };
    cx.bug.iter().filter_map(|t| title::function(t)).any(|f| {
        crash
            .report
            .frames()
            .any(|fr| !fr.unreliable && fr.function.trim_start_matches('_') == f)
    })
}

/// The culprit's own test is not doubted here: when the final crash is
/// another bug, the `unrelated-crash-verdict` doubts point at the first
/// verdict it steered.
fn final_crash(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let Some(crash) = cx.b.trailer.outcome.crash() else {
        return;
    };
    // Without a crash on the original commit the bug's title comes from the
    // final crash itself: nothing to compare.
    let has_original =
        cx.b.original_test()
            .is_some_and(|t| !crash_titles(t).is_empty());
    if !has_original || is_bug(cx.rule, cx.bug, &crash.title) {
        return;
    }
    if final_through_bug(cx) {
        return;
    }
    out.push(diag(
        Code::FinalCrashDiffers,
        Severity::Error,
        format!(
            "the final crash \"{}\" is not the bug's crash {}",
            crash.title,
            bug_text(cx.bug)
        ),
        "The crash syzbot reports for the blamed commit is a different bug than the one the \
         original commit crashed with, so the bisection ended up following another crash."
            .to_string(),
        vec![Evidence {
            span: crash.span,
            commit: cx.b.culprit().map(|c| c.commit.clone()),
            note: "final crash".to_string(),
        }],
    ));
}

/// "Bad" verdicts (the bug was judged present) that rest on something else.
fn bad_verdicts(cx: &Ctx, out: &mut Vec<Diagnostic>, doubts: &mut Vec<Doubt>) {
    if cx.bug.is_empty() {
        return;
    }
    let mut unrelated = Vec::new();
    let mut infra = Vec::new();
    let mut lone = Vec::new();
    let culprit = culprit_test(cx);
    // In a cause bisection every commit tested after a "bad" one is its
    // ancestor: older releases, then `git bisect` steps below the oldest bad
    // commit, each step below the previous bad step. When a later test
    // crashed with the bug's own crash, the bug was already in an ancestor,
    // so an earlier "bad" verdict on another crash was right all the same.
    let last_bug_crash = match cx.b.kind {
        Kind::Cause => cx.tests.iter().zip(&cx.tallies).rposition(|(t, tally)| {
            deciding(t) && said_crashes(cx.b.kind, t, tally) && tally.bug >= CONFIRMING_CRASHES
        }),
        Kind::Fix => None,
    };
    for (i, (t, tally)) in cx.tests.iter().zip(&cx.tallies).enumerate() {
        if !deciding(t) || !said_crashes(cx.b.kind, t, tally) {
            continue;
        }
        let confirmed = last_bug_crash.is_some_and(|j| j > i);
        // The culprit's crash report runs through the bug's function: its
        // crashes are the bug under another title.
        if Some(i) == culprit && tally.bug == 0 && tally.other > 0 && final_through_bug(cx) {
            continue;
        }
        if tally.bug == 0 && tally.other > 0 {
            if !confirmed {
                unrelated.push(i);
            }
        } else if tally.bug == 0 && tally.infra > 0 {
            infra.push(i);
        } else if tally.bug == 1
            && tally.other == 0
            && tally.total() >= LONE_CRASH_MIN_RUNS
            && at_most_one_chance(cx.est.original_repro_rate, tally.bug + tally.ok)
                < LONE_CRASH_UNLIKELY
        {
            lone.push(i);
        }
    }
    if !unrelated.is_empty() {
        let first = cx.tests[unrelated[0]];
        out.push(diag(
            Code::UnrelatedCrashVerdict,
            Severity::Error,
            format!(
                "{} \"{}\" verdict(s) rest on other crashes, first {} with {}",
                unrelated.len(),
                crash_word(cx),
                short(&first.commit),
                titles_text(first)
            ),
            format!(
                "The bug crashes with {}, but these commits were judged to have the bug \
                 although none of their runs showed that crash, only other ones. A different \
                 bug present in that range steered the bisection.",
                bug_text(cx.bug)
            ),
            unrelated
                .iter()
                .map(|&i| {
                    ev(
                        cx.tests[i],
                        format!("crashed with {}", titles_text(cx.tests[i])),
                    )
                })
                .collect(),
        ));
        // Which verdict went wrong first. A release that crashed with
        // another bug, see below. For a step: if a release showed the bug's
        // own crash, the bug is at least that old and the range search went
        // wrong where it stopped, at the first release judged clean (the most
        // common first mistake of wrong cause bisections); the other crash
        // only took over inside that range. Otherwise the first step that
        // crashed with another bug is where the bisection left the bug.
        let first = unrelated[0];
        let release_showed_bug = cx
            .tests
            .iter()
            .zip(&cx.tallies)
            .any(|(t, tally)| matches!(t.role, Role::Release { .. }) && tally.bug > 0);
        let test = if matches!(cx.tests[first].role, Role::Release { .. }) {
            // Clean runs at the original commit's reproduction rate would
            // have shown the bug: the release did not have it. When every run
            // crashed with the other bug, that crash hid the bug's and the
            // release says nothing about it.
            let all_missed = cx
                .est
                .original_repro_rate
                .map_or(1.0, |p| (1.0 - p).powi(cx.tallies[first].ok as i32));
            if all_missed < MASKING_UNLIKELY {
                first
            } else {
                clean_end(cx).unwrap_or(first)
            }
        } else if release_showed_bug {
            clean_end(cx).unwrap_or(first)
        } else {
            first
        };
        doubts.push(Doubt {
            test,
            code: Code::UnrelatedCrashVerdict,
            weight: 3,
        });
    }
    if !infra.is_empty() {
        let first = cx.tests[infra[0]];
        let what = if crash_titles(first).is_empty() {
            "test failures".to_string()
        } else {
            titles_text(first)
        };
        out.push(diag(
            Code::InfraBadVerdict,
            Severity::Error,
            format!(
                "{} \"{}\" verdict(s) rest only on infrastructure failures, first {} with {}",
                infra.len(),
                crash_word(cx),
                short(&first.commit),
                what
            ),
            "These verdicts counted failures of the test setup (SYZFAIL, lost connection, no \
             output, boot or copy failures) as the bug. They say nothing about the kernel \
             change being tested."
                .to_string(),
            infra
                .iter()
                .map(|&i| ev(cx.tests[i], "infrastructure failure only"))
                .collect(),
        ));
        doubts.push(Doubt {
            test: infra[0],
            code: Code::InfraBadVerdict,
            weight: 3,
        });
    }
    if !lone.is_empty() {
        let first = cx.tests[lone[0]];
        out.push(diag(
            Code::LoneCrashVerdict,
            Severity::Warning,
            format!(
                "{} \"{}\" verdict(s) rest on a single crash, first {} (1 of {} runs)",
                lone.len(),
                crash_word(cx),
                short(&first.commit),
                cx.tallies[lone[0]].total()
            ),
            format!(
                "The original commit crashed with the bug in {}% of its runs; at that rate a \
                 commit with the bug should crash several times in ten or more runs. A single \
                 crash is unlikely for it and can come from a neighbouring bug with a similar \
                 title or a rare side effect; if it is the bug, the bug reproduces rarely there \
                 and the clean verdicts (the release judged clean first) are the doubtful ones.",
                fixed(cx.est.original_repro_rate.unwrap_or(0.0) * 100.0, 0)
            ),
            lone.iter().map(|&i| ev(cx.tests[i], "one crash")).collect(),
        ));
        // The lone crash has the bug's own title: the verdict itself is most
        // likely right, but the bug reproduces rarely there, so a clean
        // verdict is the likelier mistake, the release judged clean first.
        doubts.push(Doubt {
            test: clean_end(cx).unwrap_or(lone[0]),
            code: Code::LoneCrashVerdict,
            weight: 2,
        });
    }
}

/// Chance of at most one crash in `n` runs at `rate` per run (binomial);
/// 1 when the rate is unknown.
fn at_most_one_chance(rate: Option<f64>, n: u32) -> f64 {
    let Some(r) = rate else {
        return 1.0;
    };
    let n = n as i32;
    (1.0 - r).powi(n) + f64::from(n) * r * (1.0 - r).powi(n - 1)
}

fn false_negatives(cx: &Ctx, out: &mut Vec<Diagnostic>, doubts: &mut Vec<Doubt>) {
    let (Some(rate), Some(acc)) = (cx.est.repro_rate, cx.est.accumulated_miss_chance) else {
        return;
    };
    let risky: Vec<_> = cx
        .est
        .good_verdicts
        .iter()
        .filter(|g| g.miss_chance >= STEP_MISS_WARNING)
        .collect();
    if risky.is_empty() && acc < ACCUMULATED_MISS_ERROR {
        return;
    }
    let severity = if acc >= ACCUMULATED_MISS_ERROR {
        Severity::Error
    } else {
        Severity::Warning
    };
    let worst = cx
        .est
        .good_verdicts
        .iter()
        .max_by(|a, b| a.miss_chance.total_cmp(&b.miss_chance));
    out.push(diag(
        Code::LikelyFalseNegative,
        severity,
        format!(
            "{} \"{}\" verdict(s) may have missed the bug ({}% chance at least one did)",
            cx.est.good_verdicts.len(),
            clean_verdict(cx.b.kind).as_str(),
            fixed(acc * 100.0, 0)
        ),
        format!(
            "The bug reproduced in {} of {} runs ({}% per run). A commit judged clean after \
             n clean runs still has the bug with chance (1-{})^n{}; over all clean verdicts \
             the chance that one of them was wrong is {}%.",
            cx.est.repro_crashes,
            cx.est.repro_runs,
            fixed(rate * 100.0, 0),
            fixed(rate, 2),
            worst.map_or(String::new(), |g| format!(
                " (up to {}% for one verdict)",
                fixed(g.miss_chance * 100.0, 0)
            )),
            fixed(acc * 100.0, 0)
        ),
        risky
            .iter()
            .map(|g| Evidence {
                span: g.span,
                commit: Some(g.commit.clone()),
                note: format!(
                    "{} clean runs, {}% miss chance",
                    g.ok_runs,
                    fixed(g.miss_chance * 100.0, 0)
                ),
            })
            .collect(),
    ));
    if let Some(g) = worst {
        // Ties go to the earlier step (see `choose_suspect`).
        let index: HashMap<u32, usize> = cx
            .tests
            .iter()
            .enumerate()
            .map(|(i, t)| (t.span.first, i))
            .collect();
        let best = cx
            .est
            .good_verdicts
            .iter()
            .filter(|x| x.miss_chance >= g.miss_chance * 0.999)
            .filter_map(|x| index.get(&x.span.first).copied())
            .min();
        if let Some(i) = best {
            doubts.push(Doubt {
                test: i,
                code: Code::LikelyFalseNegative,
                weight: 1,
            });
        }
    }
}

/// All `git bisect` verdicts on one side: the culprit sits at one end of
/// the range, which is what a wrong verdict at that end produces.
fn one_sided(cx: &Ctx, out: &mut Vec<Diagnostic>, doubts: &mut Vec<Doubt>) {
    let marks: Vec<(usize, bool)> = cx
        .tests
        .iter()
        .zip(&cx.tallies)
        .enumerate()
        .filter(|(_, (t, _))| {
            t.role == Role::Step && matches!(t.verdict, Verdict::Good | Verdict::Bad)
        })
        .map(|(i, (t, tally))| (i, said_crashes(cx.b.kind, t, tally)))
        .collect();
    if marks.len() < ONE_SIDED_MIN_STEPS {
        return;
    }
    let all_crash = marks.iter().all(|&(_, c)| c);
    if !all_crash {
        return;
    }
    // Every step crashed: the culprit is the first commit after the clean
    // end of the range, which is where a missed bug puts it.
    let clean_end = clean_end(cx);
    out.push(diag(
        Code::OneSidedBisection,
        Severity::Warning,
        format!(
            "all {} bisection steps crashed: the culprit sits right after the clean end of the range",
            marks.len()
        ),
        "Every tested commit between the clean release and the original commit crashed, so git \
         ended on the oldest commit of the range. A correct bisection usually sees both clean and \
         crashing commits; this pattern is what a release wrongly judged clean produces (the bug \
         was older than that release)."
            .to_string(),
        clean_end
            .map(|i| vec![ev(cx.tests[i], "judged clean")])
            .unwrap_or_default(),
    ));
    if let Some(i) = clean_end {
        doubts.push(Doubt {
            test: i,
            code: Code::OneSidedBisection,
            weight: 2,
        });
    }
}

fn skips_and_outcome(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let steps: Vec<&TestBlock> = cx
        .tests
        .iter()
        .copied()
        .filter(|t| t.role == Role::Step)
        .collect();
    let skipped: Vec<&TestBlock> = steps
        .iter()
        .copied()
        .filter(|t| t.verdict == Verdict::Skip)
        .collect();
    if !steps.is_empty()
        && !skipped.is_empty()
        && skipped.len() as f64 >= SKIP_SHARE_WARNING * steps.len() as f64
    {
        out.push(diag(
            Code::ManySkips,
            Severity::Warning,
            format!(
                "{} of {} bisection steps were skipped",
                skipped.len(),
                steps.len()
            ),
            "These commits could not be built, booted or tested, so git had to guess around \
             them; the result is less precise and the skipped commits' neighbourhood was never \
             checked."
                .to_string(),
            skipped.iter().map(|t| ev(t, "skipped")).collect(),
        ));
    }
    match &cx.b.trailer.outcome {
        Outcome::Inconclusive {
            span, candidates, ..
        } => out.push(diag(
            Code::Inconclusive,
            Severity::Info,
            format!("inconclusive: {} candidate commits", candidates.len()),
            "Skipped commits left git unable to single out one commit; any of the candidates \
             may be the culprit."
                .to_string(),
            vec![Evidence {
                span: *span,
                commit: None,
                note: "candidates".to_string(),
            }],
        )),
        Outcome::Error { span, .. } => out.push(diag(
            Code::Inconclusive,
            Severity::Info,
            "the bisection failed with an error".to_string(),
            "The bisection stopped before naming a commit.".to_string(),
            vec![Evidence {
                span: *span,
                commit: None,
                note: "error".to_string(),
            }],
        )),
        _ => {}
    }
}

fn flaky_and_confidence(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    if let Some(p) = cx.est.syzkaller_error_probability {
        if p > SYZKALLER_ERROR_PROBABILITY && cx.b.culprit().is_some() {
            let span =
                cx.b.notes()
                    .find(|n| matches!(n.kind, NoteKind::AccumulatedErrorProbability(_)))
                    .map(|n| n.span)
                    .unwrap_or_default();
            out.push(diag(
                Code::LowConfidence,
                Severity::Error,
                format!(
                    "syzkaller's own accumulated error probability is {}",
                    fixed(p, 2)
                ),
                "syzkaller estimates that one of its clean verdicts was wrong with this \
                 probability; above 0.34 it marks the result unreliable itself."
                    .to_string(),
                vec![Evidence {
                    span,
                    commit: None,
                    note: "accumulated error probability".to_string(),
                }],
            ));
        }
    }
    if cx.b.flagged_flaky() {
        let evidence =
            cx.b.notes()
                .filter(|n| matches!(n.kind, NoteKind::FlakyFlagged | NoteKind::FlakyEstimate(_)))
                .map(|n| Evidence {
                    span: n.span,
                    commit: None,
                    note: "flaky flag".to_string(),
                })
                .collect();
        out.push(diag(
            Code::FlakyReproducer,
            Severity::Error,
            "syzkaller flagged the reproducer as flaky".to_string(),
            "The reproducer does not crash on every run, so clean verdicts can be wrong; see the \
             miss-chance estimates."
                .to_string(),
            evidence,
        ));
    }
}
