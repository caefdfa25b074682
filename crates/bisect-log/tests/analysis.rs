//! Trust analysis: one hand-made log per detector, the seed expectations,
//! `what_if` on seed 004, and the evaluation on `../shared/corpus`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use bisect_log::analysis::evaluate::{half, parse_labels, Evaluation};
use bisect_log::analysis::{analyze, what_if, Analysis, Code, Severity, Trust};
use bisect_log::{parse, parse_bytes, Verdict};

const BUG: &str = "KASAN: use-after-free Read in foo_release";

fn h(c: char) -> String {
    std::iter::repeat_n(c, 40).collect()
}

/// `n_crash` runs crashing with `title`, then `n_ok` clean runs; one
/// `all runs:` line when they are all alike.
fn runs(title: &str, n_crash: usize, n_ok: usize) -> String {
    if n_ok == 0 {
        return format!("all runs: crashed: {title}\n");
    }
    if n_crash == 0 {
        return "all runs: OK\n".to_string();
    }
    let mut s = String::new();
    for i in 0..n_crash + n_ok {
        if i < n_crash {
            s.push_str(&format!("run #{i}: crashed: {title}\n"));
        } else {
            s.push_str(&format!("run #{i}: OK\n"));
        }
    }
    s
}

struct Step {
    commit: char,
    runs: String,
    verdict: &'static str,
    /// Kernel signature (defaults to the commit letter repeated).
    sig: Option<String>,
}

/// good, bad, good, bad: the bug crashes on every run of the bad steps.
fn clean_steps(bug: &str) -> Vec<Step> {
    vec![
        step('a', runs(bug, 0, 10), "good"),
        step('b', runs(bug, 10, 0), "bad"),
        step('c', runs(bug, 0, 10), "good"),
        step('d', runs(bug, 10, 0), "bad"),
    ]
}

fn step(commit: char, runs: String, verdict: &'static str) -> Step {
    Step {
        commit,
        runs,
        verdict,
        sig: None,
    }
}

/// A hand-made cause bisection: original commit `0`, good release `1`,
/// the steps in order, the last bad step being the culprit.
struct Log {
    original: String,
    release: String,
    steps: Vec<Step>,
    culprit: char,
    subject: String,
    merge: bool,
    files: Vec<&'static str>,
    signatures: Option<(String, String)>,
    notes: String,
    crash_title: String,
    report: String,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            original: runs(BUG, 10, 0),
            release: runs(BUG, 0, 10),
            steps: clean_steps(BUG),
            culprit: 'd',
            subject: "foo: free the bar earlier".to_string(),
            merge: false,
            files: vec!["drivers/foo/foo.c"],
            signatures: Some(("c".repeat(64), "p".repeat(64))),
            notes: String::new(),
            crash_title: BUG.to_string(),
            report: "==================================================================\n\
                     BUG: KASAN: use-after-free in foo_release+0x1/0x2 drivers/foo/foo.c:10\n\
                     Call Trace:\n \
                     foo_release+0x1/0x2 drivers/foo/foo.c:10\n \
                     __fput+0x1/0x2 fs/file_table.c:280\n"
                .to_string(),
        }
    }
}

impl Log {
    fn text(&self) -> String {
        let (o, r) = (h('0'), h('1'));
        let mut s = format!(
            "bisecting cause commit starting from {o}\nbuilding syzkaller on {r}\n\
             testing commit {o}\nkernel signature: {}\n{}\
             testing release v5.0\ntesting commit {r}\nkernel signature: {}\n{}\
             # git bisect start {o} {r}\n",
            "0".repeat(64),
            self.original,
            "1".repeat(64),
            self.release
        );
        let n = self.steps.len();
        for (i, st) in self.steps.iter().enumerate() {
            let c = h(st.commit);
            let left = (1usize << (n - i)) - 1;
            s.push_str(&format!(
                "Bisecting: {left} revisions left to test after this (roughly {} steps)\n[{c}] step {}\n",
                n - i,
                st.commit
            ));
            let sig = st
                .sig
                .clone()
                .unwrap_or_else(|| st.commit.to_string().repeat(64));
            s.push_str(&format!(
                "testing commit {c}\nkernel signature: {sig}\n{}# git bisect {} {c}\n",
                st.runs, st.verdict
            ));
        }
        let c = h(self.culprit);
        s.push_str(&format!("{c} is the first bad commit\ncommit {c}\n"));
        if self.merge {
            s.push_str("Merge: 1234567 89abcde\n");
        }
        s.push_str(&format!(
            "Author: A U Thor <a@example.org>\nDate:   Mon Jan 4 10:00:00 2021 +0100\n\n    {}\n\n",
            self.subject
        ));
        if !self.merge {
            for f in &self.files {
                s.push_str(&format!(" {f} | 2 +-\n"));
            }
            s.push_str(&format!(
                " {} file changed, 1 insertion(+), 1 deletion(-)\n\n",
                self.files.len()
            ));
        }
        if let Some((cs, ps)) = &self.signatures {
            s.push_str(&format!(
                "culprit signature: {cs}\nparent  signature: {ps}\n"
            ));
        }
        s.push_str(&self.notes);
        s.push_str(&format!(
            "revisions tested: {}, total time: 1h0m0s (build: 30m0s, test: 30m0s)\n\
             first bad commit: {c} {}\n\
             recipients (to): [\"a@example.org\"]\nrecipients (cc): []\n\
             crash: {}\n{}",
            n + 2,
            self.subject,
            self.crash_title,
            self.report
        ));
        s
    }

    fn analysis(&self) -> Analysis {
        let text = self.text();
        let b = parse(&text).unwrap();
        assert!(
            b.unrecognized.is_empty(),
            "hand-made log not fully recognized: {:?}\n{text}",
            b.unrecognized
        );
        assert_eq!(b.culprit().unwrap().commit, h(self.culprit));
        analyze(&b)
    }
}

fn codes(a: &Analysis) -> Vec<&'static str> {
    a.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

fn severity(a: &Analysis, code: Code) -> Option<Severity> {
    a.diagnostics
        .iter()
        .find(|d| d.code == code)
        .map(|d| d.severity)
}

#[test]
fn clean_bisection_is_trusted() {
    let a = Log::default().analysis();
    assert_eq!(a.trust, Trust::Trusted, "{:?}", codes(&a));
    // Only the pointer to the verdict everything rests on: the clean release.
    assert_eq!(codes(&a), vec!["clean-release-bound"]);
    assert_eq!(severity(&a, Code::CleanReleaseBound), Some(Severity::Info));
    let suspect = a.suspect_step.as_ref().unwrap();
    assert_eq!(suspect.code, Code::CleanReleaseBound);
    assert_eq!(suspect.verdict, Verdict::Good);
    assert!(
        a.diagnostics[0].title.contains("the range rests on v"),
        "{}",
        a.diagnostics[0].title
    );
    assert_eq!(a.bug_titles, vec![BUG.to_string()]);
    assert_eq!(a.estimates.repro_rate, Some(1.0));
    // Release + two good steps, none can have missed a bug that always reproduces.
    assert_eq!(a.estimates.good_verdicts.len(), 3);
    assert_eq!(a.estimates.accumulated_miss_chance, Some(0.0));
}

#[test]
fn noop_culprit() {
    let sig = "e".repeat(64);
    let a = Log {
        signatures: Some((sig.clone(), sig)),
        ..Log::default()
    }
    .analysis();
    assert_eq!(severity(&a, Code::NoopCulprit), Some(Severity::Error));
    assert_eq!(a.trust, Trust::Suspect);
    // No single verdict is doubted: the clean release is the fallback.
    assert_eq!(a.suspect_commit(), Some(h('1').as_str()));
}

#[test]
fn same_binary_judged_both_ways() {
    let sig = "5".repeat(64);
    let mut log = Log::default();
    log.steps[1].sig = Some(sig.clone());
    log.steps[2].sig = Some(sig);
    let a = log.analysis();
    assert_eq!(
        severity(&a, Code::SameBinaryConflict),
        Some(Severity::Error)
    );
    // The crashing test showed the bug, so the clean one missed it.
    assert_eq!(a.suspect_commit(), Some(h('c').as_str()));
}

#[test]
fn bad_verdict_on_another_crash() {
    let mut log = Log::default();
    log.steps[1].runs = runs("WARNING in kvm_wait", 3, 7);
    // Below the first bad step only ancestors of it are tested: had one of
    // them shown the bug's crash, the verdict would have been right.
    log.steps[3].runs = runs("WARNING in kvm_wait", 4, 6);
    let a = log.analysis();
    assert_eq!(
        severity(&a, Code::UnrelatedCrashVerdict),
        Some(Severity::Error)
    );
    assert_eq!(a.trust, Trust::Suspect);
    let s = a.suspect_step.as_ref().unwrap();
    assert_eq!(s.commit, h('b'));
    assert_eq!(s.code, Code::UnrelatedCrashVerdict);
    assert_eq!(s.verdict, Verdict::Bad);
}

#[test]
fn title_variants_are_the_same_bug() {
    let mut log = Log::default();
    // Same function, another report type and a `(2)` suffix: still the bug.
    log.steps[1].runs = runs("general protection fault in foo_release (2)", 10, 0);
    log.steps[3].runs = runs("KASAN: use-after-free Write in foo_release", 10, 0);
    let a = log.analysis();
    assert!(!a.has(Code::UnrelatedCrashVerdict), "{:?}", codes(&a));
    assert_eq!(a.trust, Trust::Trusted);
}

#[test]
fn bad_verdict_on_infrastructure_failure() {
    let mut log = Log::default();
    log.steps[3].runs = runs("SYZFAIL: wrong response packet", 1, 9);
    let a = log.analysis();
    assert_eq!(severity(&a, Code::InfraBadVerdict), Some(Severity::Error));
    assert_eq!(a.suspect_commit(), Some(h('d').as_str()));
}

#[test]
fn bad_verdict_on_lost_connection_only() {
    let mut log = Log::default();
    log.steps[1].runs = "all runs: crashed: lost connection to test machine\n".to_string();
    let a = log.analysis();
    assert!(a.has(Code::InfraBadVerdict), "{:?}", codes(&a));
    assert!(!a.has(Code::UnrelatedCrashVerdict));
}

#[test]
fn bad_verdict_on_one_crash_of_ten() {
    let mut log = Log::default();
    log.steps[1].runs = runs(BUG, 1, 9);
    let a = log.analysis();
    assert_eq!(
        severity(&a, Code::LoneCrashVerdict),
        Some(Severity::Warning)
    );
    // One crash is a weak hint, not enough alone. It is the bug's own
    // crash, so the bug is there but reproduces rarely: the clean verdicts
    // are the doubtful ones, the release first.
    assert_eq!(a.trust, Trust::Trusted);
    assert_eq!(a.suspect_commit(), Some(h('1').as_str()));
}

#[test]
fn good_verdicts_with_a_flaky_reproducer() {
    let a = Log {
        original: runs(BUG, 2, 8),
        ..Log::default()
    }
    .analysis();
    // 20% per run: each 10-run clean verdict misses with 0.8^10 = 11%.
    let rate = a.estimates.repro_rate.unwrap();
    assert!((rate - 0.2).abs() < 1e-9, "{rate}");
    let g = &a.estimates.good_verdicts[0];
    assert!((g.miss_chance - 0.8f64.powi(10)).abs() < 1e-9);
    assert_eq!(
        severity(&a, Code::LikelyFalseNegative),
        Some(Severity::Warning)
    );
    assert_eq!(a.trust, Trust::Trusted);

    let a = Log {
        original: runs(BUG, 1, 9),
        steps: vec![
            step('a', runs(BUG, 0, 10), "good"),
            step('b', runs(BUG, 0, 10), "good"),
            step('c', runs(BUG, 0, 10), "good"),
            step('d', runs(BUG, 1, 9), "bad"),
        ],
        ..Log::default()
    }
    .analysis();
    // 10% per run; release and three steps clean after 10 runs each.
    let acc = a.estimates.accumulated_miss_chance.unwrap();
    let expected = 1.0 - (1.0 - 0.9f64.powi(10)).powi(4);
    assert!((acc - expected).abs() < 1e-9, "{acc}");
    assert_eq!(
        severity(&a, Code::LikelyFalseNegative),
        Some(Severity::Error)
    );
    assert_eq!(a.trust, Trust::Suspect);
    // Equal miss chances: the earliest clean verdict, the release.
    assert_eq!(a.suspect_commit(), Some(h('1').as_str()));
}

#[test]
fn final_crash_differs() {
    let a = Log {
        crash_title: "WARNING: ODEBUG bug in netdev_run_todo".to_string(),
        report: "------------[ cut here ]------------\n\
                 WARNING: CPU: 0 PID: 1 at lib/debugobjects.c:505 debug_print_object+0x1/0x2\n\
                 Call Trace:\n \
                 netdev_run_todo+0x1/0x2 net/core/dev.c:10\n"
            .to_string(),
        ..Log::default()
    }
    .analysis();
    assert_eq!(severity(&a, Code::FinalCrashDiffers), Some(Severity::Error));
    // Another title, but the call trace runs through the bug's function.
    let a = Log {
        crash_title: "WARNING in fput_many".to_string(),
        ..Log::default()
    }
    .analysis();
    assert!(!a.has(Code::FinalCrashDiffers), "{:?}", codes(&a));
}

#[test]
fn merge_and_release_culprits() {
    let a = Log {
        merge: true,
        subject: "Merge branch 'for-next'".to_string(),
        ..Log::default()
    }
    .analysis();
    assert!(a.has(Code::MergeCulprit), "{:?}", codes(&a));
    assert_eq!(a.trust, Trust::Suspect);

    let a = Log {
        subject: "Linux 5.1".to_string(),
        files: vec!["Makefile"],
        ..Log::default()
    }
    .analysis();
    assert!(a.has(Code::ReleaseCulprit), "{:?}", codes(&a));
}

#[test]
fn culprit_outside_the_kernel() {
    let a = Log {
        files: vec!["lib/locking-selftest.c"],
        ..Log::default()
    }
    .analysis();
    assert_eq!(severity(&a, Code::NonKernelCulprit), Some(Severity::Error));
    let a = Log {
        files: vec!["Documentation/foo.rst", "MAINTAINERS"],
        ..Log::default()
    }
    .analysis();
    assert!(a.has(Code::NonKernelCulprit));
    let a = Log {
        files: vec!["net/qrtr/Kconfig"],
        ..Log::default()
    }
    .analysis();
    assert_eq!(severity(&a, Code::ConfigOnlyCulprit), Some(Severity::Error));
}

#[test]
fn culprit_files_not_in_the_report() {
    let a = Log {
        files: vec!["net/core/dev.c"],
        ..Log::default()
    }
    .analysis();
    assert_eq!(
        severity(&a, Code::CulpritNotInReport),
        Some(Severity::Warning)
    );
    assert_eq!(a.trust, Trust::Trusted);
    // Same directory as a frame: related.
    let a = Log {
        files: vec!["drivers/foo/bar.c"],
        ..Log::default()
    }
    .analysis();
    assert!(!a.has(Code::CulpritNotInReport));
}

#[test]
fn culprit_adds_a_bug_detector() {
    // A KASAN commit that touches nothing in the crash's stack (KASAN
    // reports the bug, in foo_release).
    let log = Log {
        subject: "x86/kasan: support KASAN_VMALLOC".to_string(),
        files: vec!["arch/x86/mm/kasan_init_64.c", "arch/x86/Kconfig"],
        ..Log::default()
    };
    let a = log.analysis();
    assert_eq!(severity(&a, Code::DetectorCulprit), Some(Severity::Error));
    assert!(a.has(Code::CulpritNotInReport), "{:?}", codes(&a));
    assert_eq!(a.trust, Trust::Suspect);
    // The bug is likely older: the range's clean end is doubted.
    let s = a.suspect_step.as_ref().unwrap();
    assert_eq!(
        (s.commit.as_str(), s.code),
        (h('1').as_str(), Code::DetectorCulprit)
    );
    // The evidence is git's `first bad commit` block.
    let text = log.text();
    let lines: Vec<&str> = text.lines().collect();
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::DetectorCulprit)
        .unwrap();
    let e = &d.evidence[0];
    assert_eq!(e.commit.as_deref(), Some(h('d').as_str()));
    let line = |n: u32| lines[n as usize - 1];
    assert_eq!(
        line(e.span.first),
        format!("{} is the first bad commit", h('d'))
    );
    assert!(
        line(e.span.last).contains("file changed"),
        "{}",
        line(e.span.last)
    );

    // The same subject, but the commit changes a file of the stack.
    let a = Log {
        subject: "x86/kasan: support KASAN_VMALLOC".to_string(),
        files: vec!["drivers/foo/foo.c"],
        ..Log::default()
    }
    .analysis();
    assert!(!a.has(Code::DetectorCulprit), "{:?}", codes(&a));
    assert_eq!(a.trust, Trust::Trusted);
    // Kernel logic outside the stack: only the warning.
    let a = Log {
        files: vec!["net/core/dev.c"],
        ..Log::default()
    }
    .analysis();
    assert!(!a.has(Code::DetectorCulprit), "{:?}", codes(&a));
}

#[test]
fn culprit_adds_the_detector_the_bug_crashes_in() {
    // The bug crashes in ref_tracker's own code, which the blamed commit
    // starts using: it may well be the cause.
    let bug = "WARNING in ref_tracker_dir_exit";
    let log = Log {
        original: runs(bug, 10, 0),
        release: runs(bug, 0, 10),
        steps: clean_steps(bug),
        subject: "netlink: add net device refcount tracker to struct ethnl_req_info".to_string(),
        files: vec!["net/ethtool/netlink.c"],
        crash_title: bug.to_string(),
        report: "WARNING: CPU: 0 PID: 1 at lib/ref_tracker.c:39 ref_tracker_dir_exit+0x1/0x2 lib/ref_tracker.c:39\n\
                 Call Trace:\n \
                 ref_tracker_dir_exit+0x1/0x2 lib/ref_tracker.c:39\n \
                 free_netdev+0x1/0x2 net/core/dev.c:10\n"
            .to_string(),
        ..Log::default()
    };
    let a = log.analysis();
    assert!(a.has(Code::CulpritNotInReport), "{:?}", codes(&a));
    assert!(!a.has(Code::DetectorCulprit), "{:?}", codes(&a));
    assert_eq!(a.trust, Trust::Trusted);
}

#[test]
fn bug_detectors_in_commit_subjects() {
    use bisect_log::analysis::detect::detector_named_in;
    for (subject, name) in [
        ("x86/kasan: support KASAN_VMALLOC", "KASAN"),
        (
            "fault-inject: support systematic fault injection",
            "fault injection",
        ),
        ("usb: gadget: add raw-gadget interface", "raw-gadget"),
        (
            "netlink: add net device refcount tracker to struct ethnl_req_info",
            "ref_tracker",
        ),
        ("lockdep: Add hrtimer context tracing bits", "lockdep"),
        ("net: add ref_tracker to dst", "ref_tracker"),
        ("kcov: collect coverage from interrupts", "KCOV"),
        ("debugobjects: Track object state", "debugobjects"),
        ("mm: kmemleak: fix scan", "kmemleak"),
        ("kmsan: add a sanitizer hook", "KMSAN"),
    ] {
        assert_eq!(detector_named_in(subject), Some(name), "{subject}");
    }
    for subject in [
        "foo: free the bar earlier",
        "vfs: Convert debugfs to use the new mount API",
        "bpf: sanitize the pointer arithmetic",
        "net: kasanova driver",
        "usb: gadget: fix the raw endpoint",
        "Revert \"net: default fault handler\"",
    ] {
        assert_eq!(detector_named_in(subject), None, "{subject}");
    }
}

#[test]
fn many_skips() {
    let mut log = Log::default();
    let mut steps = vec![
        step(
            '5',
            "all runs: boot failed: can't ssh into the instance\n".into(),
            "skip",
        ),
        step(
            '6',
            "all runs: boot failed: can't ssh into the instance\n".into(),
            "skip",
        ),
    ];
    steps.append(&mut log.steps);
    log.steps = steps;
    let a = log.analysis();
    assert_eq!(severity(&a, Code::ManySkips), Some(Severity::Warning));
}

#[test]
fn one_sided_bisection() {
    let a = Log {
        steps: vec![
            step('a', runs(BUG, 10, 0), "bad"),
            step('b', runs(BUG, 10, 0), "bad"),
            step('c', runs(BUG, 10, 0), "bad"),
            step('d', runs(BUG, 10, 0), "bad"),
        ],
        ..Log::default()
    }
    .analysis();
    assert!(a.has(Code::OneSidedBisection), "{:?}", codes(&a));
    assert_eq!(a.suspect_commit(), Some(h('1').as_str()));
}

#[test]
fn syzkaller_confidence_and_flaky_flag() {
    let a = Log {
        notes: "accumulated error probability: 0.57\n".to_string(),
        ..Log::default()
    }
    .analysis();
    assert_eq!(a.estimates.syzkaller_error_probability, Some(0.57));
    assert_eq!(severity(&a, Code::LowConfidence), Some(Severity::Error));
    let a = Log {
        notes: "Reproducer flagged being flaky\n".to_string(),
        ..Log::default()
    }
    .analysis();
    // syzkaller itself says clean verdicts may be wrong: on the labelled
    // corpus the flag marks 50 wrong results and 1 right one.
    assert_eq!(severity(&a, Code::FlakyReproducer), Some(Severity::Error));
    assert_eq!(a.trust, Trust::Suspect);
    assert_eq!(a.suspect_commit(), Some(h('1').as_str()));
}

#[test]
fn bad_verdict_on_another_crash_confirmed_by_an_ancestor() {
    // `b` crashed with another bug, but `d`, tested after it and so one of
    // its ancestors, crashed with the bug itself: `b` had the bug too.
    let mut log = Log::default();
    log.steps[1].runs = runs("WARNING in kvm_wait", 3, 7);
    let a = log.analysis();
    assert!(!a.has(Code::UnrelatedCrashVerdict), "{:?}", codes(&a));
    assert_eq!(a.trust, Trust::Trusted);
    // One crash of the bug's is not enough to confirm it.
    log.steps[3].runs = runs(BUG, 1, 9);
    let a = log.analysis();
    assert!(a.has(Code::UnrelatedCrashVerdict), "{:?}", codes(&a));
}

/// `log` with a release v5.1, whose runs are `release_runs`, tested before
/// v5.0 (judged clean).
fn with_release_v5_1(log: &Log, release_runs: String) -> bisect_log::analysis::Analysis {
    let text = log.text().replacen(
        "testing release v5.0\n",
        &format!(
            "testing release v5.1\ntesting commit {}\nkernel signature: {}\n{release_runs}testing release v5.0\n",
            h('2'),
            "2".repeat(64),
        ),
        1,
    );
    analyze(&parse(&text).unwrap())
}

/// Steps that, after v5.0 was judged clean, followed another bug.
fn after_clean_release() -> Log {
    Log {
        steps: vec![
            step('a', runs(BUG, 0, 10), "good"),
            step('b', runs(BUG, 0, 10), "good"),
            step('c', runs(BUG, 0, 10), "good"),
            step('d', runs("WARNING in kvm_wait", 10, 0), "bad"),
        ],
        ..Log::default()
    }
}

#[test]
fn release_bad_on_another_crash() {
    // Seven clean runs where the original crashed every time: v5.1 did not
    // have the bug, its "bad" verdict is the mistake.
    let a = with_release_v5_1(&after_clean_release(), runs("WARNING in kvm_wait", 3, 7));
    let s = a.suspect_step.as_ref().unwrap();
    assert_eq!(s.code, Code::UnrelatedCrashVerdict);
    assert_eq!(s.commit, h('2'));
    // Every run crashed with the other bug, which hides the bug's own crash:
    // v5.1 says nothing, the range rests on v5.0 judged clean.
    let a = with_release_v5_1(&after_clean_release(), runs("WARNING in kvm_wait", 10, 0));
    assert!(a.has(Code::UnrelatedCrashVerdict), "{:?}", codes(&a));
    assert_eq!(a.suspect_commit(), Some(h('1').as_str()));
}

#[test]
fn bad_step_on_another_crash_after_a_release_showed_the_bug() {
    // The bug crashed v5.1; v5.0 was judged clean and the steps in between
    // crashed only with another bug: the clean release is doubted first.
    let log = Log {
        steps: vec![
            step('a', runs(BUG, 0, 10), "good"),
            step('b', runs("WARNING in kvm_wait", 10, 0), "bad"),
            step('c', runs(BUG, 0, 10), "good"),
            step('d', runs("WARNING in kvm_wait", 10, 0), "bad"),
        ],
        ..Log::default()
    };
    let a = with_release_v5_1(&log, runs(BUG, 10, 0));
    let s = a.suspect_step.as_ref().unwrap();
    assert_eq!(s.code, Code::UnrelatedCrashVerdict);
    assert_eq!(s.commit, h('1'));
    // Without the release that showed the bug, the first such step.
    let a = log.analysis();
    assert_eq!(a.suspect_commit(), Some(h('b').as_str()));
}

#[test]
fn analysis_round_trips_through_json() {
    let mut log = Log::default();
    log.steps[1].runs = runs("WARNING in kvm_wait", 3, 7);
    log.steps[3].runs = runs("WARNING in kvm_wait", 4, 6);
    let a = log.analysis();
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["trust"], "suspect");
    assert_eq!(json["diagnostics"][0]["code"], "unrelated-crash-verdict");
    assert_eq!(json["diagnostics"][0]["severity"], "error");
    let back: Analysis = serde_json::from_value(json).unwrap();
    assert_eq!(back, a);
}

// ---------------------------------------------------------------- seeds

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

fn seed(name: &str) -> Option<bisect_log::Bisection> {
    let local = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/seeds")
        .join(name);
    let path = if local.is_file() {
        local
    } else {
        shared().join("seeds").join(name)
    };
    match std::fs::read(&path) {
        Ok(bytes) => Some(parse_bytes(&bytes).unwrap()),
        Err(_) => {
            eprintln!("SKIPPED: seed {} not found", path.display());
            None
        }
    }
}

#[test]
fn seed_000_is_suspect_for_the_expected_reasons() {
    let Some(b) = seed("000_9f5fff6f4365948f.txt") else {
        return;
    };
    let a = analyze(&b);
    assert_eq!(a.trust, Trust::Suspect);
    assert_eq!(a.bug_titles[0], "INFO: task hung in io_ring_exit_work");
    for code in [
        Code::NoopCulprit,
        Code::UnrelatedCrashVerdict,
        Code::FinalCrashDiffers,
        Code::NonKernelCulprit,
    ] {
        assert_eq!(severity(&a, code), Some(Severity::Error), "{code}");
    }
    let unrelated = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::UnrelatedCrashVerdict)
        .unwrap();
    assert!(
        unrelated.title.contains("WARNING in kvm_wait"),
        "{}",
        unrelated.title
    );
    let fin = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::FinalCrashDiffers)
        .unwrap();
    assert!(fin.title.contains("WARNING: ODEBUG bug in netdev_run_todo"));
    let non_kernel = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::NonKernelCulprit)
        .unwrap();
    assert!(non_kernel.title.contains("lib/locking-selftest.c"));
    // Every diagnostic points at real lines.
    for d in &a.diagnostics {
        for e in &d.evidence {
            assert!(e.span.first >= 1 && e.span.last <= b.line_count, "{d:?}");
        }
    }
}

#[test]
fn seed_004_suspect_step_is_the_syzfail_verdict() {
    let Some(b) = seed("004_dd38629cfa7ebbde.txt") else {
        return;
    };
    let a = analyze(&b);
    assert_eq!(a.trust, Trust::Suspect);
    let s = a.suspect_step.as_ref().unwrap();
    assert!(s.commit.starts_with("7c25c0d16ef3"), "{s:?}");
    assert_eq!(s.code, Code::InfraBadVerdict);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::InfraBadVerdict)
        .unwrap();
    assert!(
        d.title.contains("SYZFAIL: wrong response packet"),
        "{}",
        d.title
    );
    // The KASAN report in the same function is the bug, not another crash.
    assert!(!a.has(Code::UnrelatedCrashVerdict));
}

#[test]
fn seed_004_what_if_the_syzfail_step_were_good() {
    let Some(b) = seed("004_dd38629cfa7ebbde.txt") else {
        return;
    };
    let w = what_if(&b, &[("7c25c0d16ef3".to_string(), Verdict::Good)]);
    assert!(w
        .last_good
        .as_ref()
        .unwrap()
        .commit
        .starts_with("7c25c0d16ef3"));
    assert!(w
        .first_bad
        .as_ref()
        .unwrap()
        .commit
        .starts_with("a1639a434b20"));
    assert!(w.last_good.unwrap().span.is_some());
    // git had 23 revisions left after a1639a434b20; 7c25c0d16ef3 halved that.
    let left = w.revisions_left.unwrap();
    assert!((5..=30).contains(&left), "{left}");
    assert_eq!(w.culprit, None);
    assert_eq!(w.applied.len(), 1);
    assert_eq!(w.moot_steps.len(), 4, "{:?}", w.moot_steps);
    // Without flips the replay ends on the log's own culprit.
    let w = what_if(&b, &[]);
    assert!(w.culprit.unwrap().starts_with("7c25c0d16ef3"));
}

// ---------------------------------------------------------- evaluation

/// Targets reached on `../shared/corpus` (see the README); a regression fails here.
const MIN_RECALL: f64 = 0.78;
const MAX_FALSE_ALARMS: f64 = 0.10;
const MIN_LOCALIZATION: f64 = 0.66;

#[test]
fn evaluation_on_the_labelled_corpus() {
    let dir = shared().join("syzbot");
    let labels = shared().join("labels.csv");
    if !dir.is_dir() || !labels.is_file() {
        eprintln!(
            "SKIPPED: labelled corpus not found at {} (the evaluation needs it beside the checkout)",
            dir.display()
        );
        return;
    }
    let labels = parse_labels(&std::fs::read_to_string(labels).unwrap()).unwrap();
    let mut eval = Evaluation::default();
    let mut halves = [Evaluation::default(), Evaluation::default()];
    for label in &labels {
        if !label.in_population() {
            continue;
        }
        match std::fs::read(dir.join(format!("{}.txt", label.log))) {
            Ok(bytes) => {
                let b = parse_bytes(&bytes).unwrap();
                let a = analyze(&b);
                eval.add(label, Some((&b, &a)));
                halves[half(&label.log)].add(label, Some((&b, &a)));
            }
            Err(_) => {
                eval.add(label, None);
                halves[half(&label.log)].add(label, None);
            }
        }
    }
    eprintln!("{}", eval.render());
    // No rule may raise false alarms above the target on either half of
    // the corpus (split by a hash of the log name), nor leave one far behind.
    for (i, h) in halves.iter().enumerate() {
        eprintln!("half {i}: {}", h.summary_line());
        assert!(h.wrong + h.right > 150, "half {i} too small");
        assert!(
            h.false_alarm_rate() <= MAX_FALSE_ALARMS,
            "half {i}: false alarms {}",
            h.false_alarm_rate()
        );
        assert!(
            h.recall() >= MIN_RECALL - 0.02,
            "half {i}: recall {}",
            h.recall()
        );
        assert!(
            h.localization() >= MIN_LOCALIZATION - 0.02,
            "half {i}: localization {}",
            h.localization()
        );
    }
    assert!(eval.wrong + eval.right > 350, "population too small");
    assert!(eval.recall() >= MIN_RECALL, "recall {}", eval.recall());
    assert!(
        eval.false_alarm_rate() <= MAX_FALSE_ALARMS,
        "false alarms {}",
        eval.false_alarm_rate()
    );
    assert!(
        eval.localization() >= MIN_LOCALIZATION,
        "localization {}",
        eval.localization()
    );
}

#[test]
fn fix_bisection_repro_rate_matches_syzkallers_own_estimate() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/made/fix_2023-08_presence-checks_culprit.txt");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("SKIPPED: {} not found", path.display());
        return;
    };
    let b = parse_bytes(&bytes).unwrap();
    assert_eq!(b.kind, bisect_log::Kind::Fix);
    let a = analyze(&b);
    let ours = a.estimates.repro_rate.unwrap();
    let syzkaller = a.estimates.syzkaller_repro_chance.unwrap();
    assert!((ours - syzkaller).abs() < 0.01, "{ours} vs {syzkaller}");
    assert_eq!(a.estimates.syzkaller_error_probability, Some(0.05));
    // In a fix bisection git's "bad" is the clean verdict.
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::LikelyFalseNegative)
        .unwrap();
    assert!(d.title.contains("\"bad\" verdict(s)"), "{}", d.title);
    for g in &a.estimates.good_verdicts {
        assert_eq!(b.test_of(&g.commit).unwrap().verdict, Verdict::Bad);
    }
}

/// Replaying every corpus log without flips must end where the log ended.
#[test]
fn what_if_without_flips_reproduces_the_corpus_culprits() {
    let dir = shared().join("syzbot");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("SKIPPED: corpus not found at {}", dir.display());
        return;
    };
    let (mut total, mut same) = (0, 0);
    let mut different = Vec::new();
    for e in entries {
        let path = e.unwrap().path();
        let b = parse_bytes(&std::fs::read(&path).unwrap()).unwrap();
        let Some(c) = b.culprit() else {
            continue;
        };
        if b.culprit_commit().is_none() {
            continue;
        }
        total += 1;
        let w = what_if(&b, &[]);
        if w.first_bad.as_ref().map(|f| f.commit.as_str()) == Some(c.commit.as_str())
            && w.revisions_left == Some(0)
            && w.moot_steps.is_empty()
        {
            same += 1;
        } else if different.len() < 10 {
            different.push(format!(
                "{}: {:?} left {:?}",
                path.display(),
                w.first_bad.map(|f| f.commit),
                w.revisions_left
            ));
        }
    }
    eprintln!("what_if replay: {same}/{total} logs end on their own culprit");
    assert!(total > 500);
    assert_eq!(same, total, "{different:#?}");
}

/// Every fixture and corpus log: `analyze` and `what_if` (each tested
/// commit flipped in turn) keep their invariants.
#[test]
fn analysis_and_what_if_hold_on_every_log() {
    let mut dirs: Vec<PathBuf> = ["made", "real", "excerpts", "seeds"]
        .iter()
        .map(|d| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(d)
        })
        .collect();
    dirs.push(shared().join("syzbot"));
    dirs.push(shared().join("excerpts"));
    let mut logs = 0;
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("SKIPPED: {} not found", dir.display());
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.extension().is_none_or(|x| x != "txt") {
                continue;
            }
            let Ok(b) = parse_bytes(&std::fs::read(&path).unwrap()) else {
                continue;
            };
            logs += 1;
            let a = analyze(&b);
            let name = path.display();
            assert_eq!(
                a.trust == Trust::NotApplicable,
                b.culprit().is_none(),
                "{name}"
            );
            if a.trust == Trust::Suspect {
                assert!(a.diagnostics.iter().any(|d| d.severity == Severity::Error));
            }
            for d in &a.diagnostics {
                assert!(!d.title.is_empty() && !d.explanation.is_empty(), "{name}");
                for e in &d.evidence {
                    assert!(
                        e.span.first <= e.span.last && e.span.last <= b.line_count,
                        "{name}"
                    );
                }
            }
            if let Some(s) = &a.suspect_step {
                assert!(b.tests().any(|t| t.commit == s.commit), "{name}");
            }
            for p in [
                &a.estimates.repro_rate,
                &a.estimates.accumulated_miss_chance,
            ] {
                assert!(p.is_none_or(|p| (0.0..=1.0).contains(&p)), "{name}");
            }
            for t in b.tests().filter(|t| t.role == bisect_log::Role::Step) {
                let flipped = match t.verdict {
                    Verdict::Good => Verdict::Bad,
                    _ => Verdict::Good,
                };
                let w = what_if(&b, &[(t.commit.clone(), flipped)]);
                assert!(w.unknown.is_empty(), "{name}");
                assert_eq!(w.applied.len(), 1, "{name}");
                if let (Some(g), Some(f)) = (&w.last_good, &w.first_bad) {
                    assert_ne!(g.commit, f.commit, "{name}");
                }
            }
        }
    }
    eprintln!("analysed {logs} logs");
}

#[test]
fn code_names_are_the_json_names() {
    for code in Code::ALL {
        let json = serde_json::to_value(code).unwrap();
        assert_eq!(json, code.as_str(), "{code:?}");
        assert_eq!(Code::from_name(code.as_str()), Some(code));
        assert!(code
            .as_str()
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c == b'-'));
    }
    assert_eq!(serde_json::to_value(Trust::NotApplicable).unwrap(), "n/a");
    assert_eq!(Trust::Suspect.as_str(), "suspect");
}
