//! The bisection engine on small generated repositories with a flaky script.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use bisect_log::{Kind, Summary, Verdict};
use bisect_server::engine::{
    self, synth, CancellationToken, EngineError, Event, JobOutcome, JobSpec, RunOutcome,
    StepRecord, StepRole,
};

struct Fixture {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    script: PathBuf,
    state: PathBuf,
    commits: Vec<String>,
}

fn fixture(commits: usize, bug: std::ops::Range<usize>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let commits = synth::make_repo(&repo, commits, bug).unwrap();
    let script = dir.path().join("test.sh");
    synth::write_script(&script).unwrap();
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    Fixture {
        _dir: dir,
        repo,
        script,
        state,
        commits,
    }
}

fn spec(f: &Fixture, good: usize, bad: usize, kind: Kind, args: &[&str]) -> JobSpec {
    let mut command = vec![
        "bash".to_string(),
        f.script.display().to_string(),
        f.state.display().to_string(),
    ];
    command.extend(args.iter().map(|s| s.to_string()));
    JobSpec {
        repo: f.repo.clone(),
        good: f.commits[good].clone(),
        bad: f.commits[bad].clone(),
        command,
        runs: 10,
        timeout: Duration::from_secs(30),
        kind,
    }
}

/// A job over the whole fixture (its first commit good, its last bad) that
/// runs a script of the test's own, 10 runs of at most 30 s.
fn script_job(f: &Fixture, name: &str, text: &str, kind: Kind) -> JobSpec {
    let script = f.script.parent().unwrap().join(name);
    std::fs::write(&script, text).unwrap();
    JobSpec {
        repo: f.repo.clone(),
        good: f.commits[0].clone(),
        bad: f.commits[f.commits.len() - 1].clone(),
        command: vec!["bash".into(), script.display().to_string()],
        runs: 10,
        timeout: Duration::from_secs(30),
        kind,
    }
}

/// [`script_job`] with a script that knows the commit (`$pos`, its number)
/// and how often it ran there (`$n`, counted in `<state>/<counter>-<pos>`).
fn counting_job(f: &Fixture, counter: &str, body: &str, kind: Kind) -> JobSpec {
    let text = format!(
        "#!/bin/bash\npos=$(cat pos)\nf={state}/{counter}-$pos\nn=$(( $(cat $f 2>/dev/null || echo 0) + 1 )); echo $n > $f\n{body}",
        state = f.state.display()
    );
    script_job(f, &format!("{counter}.sh"), &text, kind)
}

/// Runs a job, collecting its events.
async fn run_job(
    spec: JobSpec,
    prior: Vec<StepRecord>,
) -> (Result<JobOutcome, EngineError>, Vec<Event>) {
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let collector = tokio::spawn(async move {
        let mut events = Vec::new();
        while let Some(e) = rx.recv().await {
            events.push(e);
        }
        events
    });
    let result = engine::run(spec, prior, CancellationToken::new(), tx).await;
    let events = collector.await.unwrap();
    (result, events)
}

/// The log parses into the very model it was written from, with every line
/// recognized, and the summary reads the culprit.
fn check_log(out: &JobOutcome) {
    let parsed = bisect_log::parse(&out.log).unwrap();
    assert!(
        parsed.unrecognized.is_empty(),
        "unrecognized lines: {:?}\n{}",
        parsed.unrecognized,
        out.log
    );
    if parsed != out.bisection {
        let a = serde_json::to_string_pretty(&parsed).unwrap();
        let b = serde_json::to_string_pretty(&out.bisection).unwrap();
        let diff: Vec<String> = a
            .lines()
            .zip(b.lines())
            .enumerate()
            .filter(|(_, (x, y))| x != y)
            .take(10)
            .map(|(i, (x, y))| format!("{i}: parsed {x} / built {y}"))
            .collect();
        panic!(
            "the parsed log differs from the model:\n{}\n{}",
            diff.join("\n"),
            out.log
        );
    }
    assert_eq!(bisect_log::write(&parsed), out.log);
    let summary = Summary::new("job", &parsed);
    assert_eq!(summary.culprit, out.culprit);
    assert_eq!(summary.candidates, out.candidates);
}

fn worktrees(repo: &Path) -> usize {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["worktree", "list", "--porcelain"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("worktree "))
        .count()
}

#[tokio::test]
async fn flaky_cause_bisection_finds_the_culprit() {
    let f = fixture(50, 31..50);
    // The bug crashes 30% of runs, an unrelated crash 10% everywhere.
    // Revisions by name, as a user would give them.
    let mut s = spec(&f, 0, 49, Kind::Cause, &["1", "300", "100"]);
    s.good = "main~49".into();
    s.bad = "main".into();
    let (result, events) = run_job(s, vec![]).await;
    let out = result.unwrap();
    assert!(out.log.contains(&format!(
        "\ntesting release main~49\ntesting commit {}\n",
        f.commits[0]
    )));
    assert_eq!(
        out.culprit.as_deref(),
        Some(f.commits[31].as_str()),
        "{}",
        out.log
    );
    assert_eq!(out.error, None);
    assert_eq!(out.bug_title.as_deref(), Some(synth::BUG_TITLE));
    check_log(&out);
    // Signatures of the culprit and its parent are reported like syzbot's.
    assert!(out.log.contains("\nculprit signature: "), "{}", out.log);
    assert!(out.log.contains("\nparent  signature: "), "{}", out.log);
    assert!(out.log.contains(&format!(
        "first bad commit: {} synthetic commit 31\ncrash: {}\n",
        f.commits[31],
        synth::BUG_TITLE
    )));
    // Unrelated crashes were seen and did not decide anything: every "good"
    // step had no bug crash, every "bad" step had one.
    let unrelated = out
        .steps
        .iter()
        .flat_map(|s| &s.runs)
        .filter(|r| matches!(&r.outcome, RunOutcome::Crashed { is_bug: false, .. }))
        .count();
    assert!(unrelated > 0, "the script should have crashed unrelatedly");
    // Events: one Step per step in order, logs append-only, the last log is
    // the final one.
    let steps: Vec<&StepRecord> = events
        .iter()
        .filter_map(|e| match e {
            Event::Step(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(steps.len(), out.steps.len());
    for (i, s) in steps.iter().enumerate() {
        assert_eq!(s.index as usize, i);
        assert_eq!(**s, out.steps[i]);
    }
    let logs: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Log(l) => Some(l),
            _ => None,
        })
        .collect();
    for w in logs.windows(2) {
        assert!(w[1].starts_with(w[0].as_str()));
    }
    assert_eq!(logs.last().map(|s| s.as_str()), Some(out.log.as_str()));
    // Step records survive a JSON round trip (the server stores them so).
    let json = serde_json::to_string(&out.steps).unwrap();
    let back: Vec<StepRecord> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, out.steps);
    // The worktree is gone.
    assert_eq!(worktrees(&f.repo), 1);
}

#[tokio::test]
async fn fix_bisection_finds_the_fix() {
    // The bug exists in commits 0..22 and is fixed by commit 22.
    let f = fixture(40, 0..22);
    let (result, _) = run_job(spec(&f, 0, 39, Kind::Fix, &["2", "500", "0"]), vec![]).await;
    let out = result.unwrap();
    assert_eq!(
        out.culprit.as_deref(),
        Some(f.commits[22].as_str()),
        "{}",
        out.log
    );
    assert!(out
        .log
        .starts_with(&format!("bisecting fixing commit since {}\n", f.commits[0])));
    assert!(out
        .log
        .contains(&format!("first good commit: {} ", f.commits[22])));
    check_log(&out);
}

#[tokio::test]
async fn resume_gives_the_same_culprit_and_log() {
    let f = fixture(50, 17..50);
    let args = ["3", "400", "50"];
    let (full, _) = run_job(spec(&f, 0, 49, Kind::Cause, &args), vec![]).await;
    let full = full.unwrap();
    assert_eq!(full.culprit.as_deref(), Some(f.commits[17].as_str()));
    assert!(full.steps.len() > 4);
    for cut in [1, full.steps.len() / 2, full.steps.len() - 1] {
        // A fresh state directory whose run counters are what they were
        // after the first `cut` steps: the script then gives the resumed job
        // the results the uninterrupted one saw.
        let state = f.state.with_extension(format!("cut{cut}"));
        std::fs::create_dir_all(&state).unwrap();
        let prior: Vec<StepRecord> = full.steps[..cut].to_vec();
        let mut counts = std::collections::HashMap::<usize, usize>::new();
        for s in &prior {
            let pos = f.commits.iter().position(|c| *c == s.commit).unwrap();
            *counts.entry(pos).or_default() += s.runs.len();
        }
        for (pos, n) in counts {
            std::fs::write(state.join(format!("count-{pos}")), format!("{n}\n")).unwrap();
        }
        let mut s = spec(&f, 0, 49, Kind::Cause, &args);
        s.command[2] = state.display().to_string();
        let (resumed, events) = run_job(s, prior).await;
        let resumed = resumed.unwrap();
        assert_eq!(resumed.culprit, full.culprit);
        // Same steps; only the measured run durations of re-run steps differ.
        let strip = |steps: &[StepRecord]| {
            let mut steps = steps.to_vec();
            for s in &mut steps {
                for r in &mut s.runs {
                    r.duration_ms = 0;
                }
            }
            steps
        };
        assert_eq!(strip(&resumed.steps), strip(&full.steps));
        assert_eq!(resumed.steps[..cut], full.steps[..cut]);
        assert_eq!(resumed.log, full.log, "cut at {cut}");
        // Only the steps after the cut are sent to be stored.
        let sent: Vec<u32> = events
            .iter()
            .filter_map(|e| match e {
                Event::Step(s) => Some(s.index),
                _ => None,
            })
            .collect();
        let expected: Vec<u32> = (cut as u32..full.steps.len() as u32).collect();
        assert_eq!(sent, expected);
        // The first log after resuming already holds the replayed steps.
        let first_log = events.iter().find_map(|e| match e {
            Event::Log(l) => Some(l.clone()),
            _ => None,
        });
        assert!(first_log.is_some_and(|l| full.log.starts_with(&l)));
    }
    // A stored step that does not fit this job is refused.
    let mut wrong = full.steps[..2].to_vec();
    wrong[1].commit = f.commits[3].clone();
    let (bad, _) = run_job(spec(&f, 0, 49, Kind::Cause, &args), wrong).await;
    assert!(
        matches!(bad, Err(EngineError::Replay { index: 1, .. })),
        "{bad:?}"
    );
}

#[tokio::test]
async fn cancel_kills_the_command_and_removes_the_worktree() {
    let f = fixture(10, 5..10);
    let dir = f.script.parent().unwrap().to_path_buf();
    let marker = dir.join("child.pid");
    let spec = JobSpec {
        runs: 5,
        timeout: Duration::from_secs(120),
        ..script_job(
            &f,
            "slow.sh",
            &format!(
                "#!/bin/bash\nsleep 60 &\necho $! > {}\nwait\n",
                marker.display()
            ),
            Kind::Cause,
        )
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let cancel = CancellationToken::new();
    let job = tokio::spawn(engine::run(spec, vec![], cancel.clone(), tx));
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    // Wait until the command runs.
    for _ in 0..100 {
        if marker.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let started = std::time::Instant::now();
    cancel.cancel();
    let result = tokio::time::timeout(Duration::from_secs(10), job)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(result, Err(EngineError::Cancelled)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The background `sleep` (same process group) is gone too.
    let pid = std::fs::read_to_string(&marker).unwrap().trim().to_string();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists()
            || std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .unwrap_or_default()
                .contains(") Z "),
        "the command's child {pid} survived"
    );
    assert_eq!(worktrees(&f.repo), 1);
}

#[tokio::test]
async fn timeout_and_exit_codes() {
    let f = fixture(12, 6..12);
    // Commit 3 cannot be tested (125); the first run at commit 9 fails with
    // 127 (infrastructure, retried); commit 1 times out once (retried).
    let spec = JobSpec {
        runs: 3,
        timeout: Duration::from_secs(2),
        ..counting_job(
            &f,
            "n",
            r#"if [ "$pos" = 3 ]; then exit 125; fi
if [ "$pos" = 9 ] && [ "$n" = 1 ]; then exit 127; fi
if [ "$pos" = 0 ] && [ "$n" = 1 ]; then sleep 30; fi
if [ -e bug ]; then echo "BUG: bad thing in foo_bar"; exit 3; fi
exit 0
"#,
            Kind::Cause,
        )
    };
    let (result, _) = run_job(spec, vec![]).await;
    let out = result.unwrap();
    assert_eq!(
        out.culprit.as_deref(),
        Some(f.commits[6].as_str()),
        "{}",
        out.log
    );
    check_log(&out);
    let endpoint = out
        .steps
        .iter()
        .find(|s| s.role == StepRole::Endpoint)
        .unwrap();
    assert!(
        matches!(&endpoint.runs[0].outcome, RunOutcome::Infra { reason } if reason.contains("timed out"))
    );
    assert!(endpoint.runs[1].retry);
    for s in &out.steps {
        if s.commit == f.commits[3] {
            assert_eq!(s.verdict, bisect_log::Verdict::Skip);
        }
        if s.commit == f.commits[9] {
            assert!(matches!(s.runs[0].outcome, RunOutcome::Infra { .. }));
            assert!(s.runs[1].retry);
        }
    }
    // A deterministic bug is decided in one run per bad step.
    assert!(out
        .steps
        .iter()
        .filter(|s| s.role == StepRole::Bisect && s.verdict == bisect_log::Verdict::Bad)
        .all(|s| s.runs.len() == 1 || s.commit == f.commits[9]));
}

#[tokio::test]
async fn endpoint_errors_are_reported_in_the_log() {
    // The bug is everywhere: the good commit crashes too.
    let f = fixture(10, 0..10);
    let (result, _) = run_job(spec(&f, 0, 9, Kind::Cause, &["4", "1000", "0"]), vec![]).await;
    let out = result.unwrap();
    assert_eq!(out.culprit, None);
    assert!(out
        .error
        .as_deref()
        .is_some_and(|e| e.contains("crashed with the bug too")));
    check_log(&out);
    assert_eq!(
        Summary::new("job", &bisect_log::parse(&out.log).unwrap()).outcome,
        "error"
    );
    // No bug at all on the bad commit.
    let f = fixture(10, 20..30);
    let (result, _) = run_job(spec(&f, 0, 9, Kind::Cause, &["5", "1000", "0"]), vec![]).await;
    let out = result.unwrap();
    assert!(
        out.error
            .as_deref()
            .is_some_and(|e| e.contains("did not crash")),
        "{:?}",
        out.error
    );
    check_log(&out);
}

#[tokio::test]
async fn worktrees_of_dead_engines_are_removed() {
    let f = fixture(8, 4..8);
    // A worktree as a killed engine process leaves it: named after a pid
    // that no longer exists, with its test command still running in its own
    // process group.
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = gone.id();
    gone.wait().unwrap();
    let stale = std::env::temp_dir().join(format!("bisect-lens-job-{dead_pid}-0-0"));
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(&f.repo)
        .args(["worktree", "add", "--detach"])
        .arg(&stale)
        .arg(&f.commits[0])
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let mut orphan = std::process::Command::new("setsid")
        .args(["sleep", "60"])
        .spawn()
        .unwrap();
    let pgid_file = format!("{}.pgid", stale.display());
    std::fs::write(&pgid_file, orphan.id().to_string()).unwrap();
    assert_eq!(worktrees(&f.repo), 2);
    // And one whose repository was deleted altogether.
    let orphan_dir = std::env::temp_dir().join(format!("bisect-lens-job-{dead_pid}-1-1"));
    std::fs::create_dir_all(&orphan_dir).unwrap();
    std::fs::write(
        orphan_dir.join(".git"),
        "gitdir: /nonexistent/bisect-lens-test/.git/worktrees/x\n",
    )
    .unwrap();

    let (result, _) = run_job(spec(&f, 0, 7, Kind::Cause, &["5", "1000", "0"]), vec![]).await;
    assert_eq!(
        result.unwrap().culprit.as_deref(),
        Some(f.commits[4].as_str())
    );
    assert_eq!(worktrees(&f.repo), 1);
    assert!(!stale.exists());
    assert!(!orphan_dir.exists());
    assert!(!Path::new(&pgid_file).exists());
    // The orphaned command was killed.
    let status = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Some(s) = orphan.try_wait().unwrap() {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap();
    assert!(!status.success());
}

#[tokio::test]
async fn a_false_good_is_caught_by_the_verification() {
    // Commits 20.. have the bug and crash on every run, except commit 24,
    // which passes its first two runs. git tests 19 (good), 29 (bad), then
    // 24: two OK runs are enough for a "good" verdict at the rate learnt on
    // the bad commit (10/10), so 24 is wrongly marked good and git converges
    // on 25. Verifying 25's parent 24 with more runs shows the crash, git is
    // told, and the bisection goes on to the true culprit 20.
    false_verdict_is_caught(
        20..40,
        24,
        "general protection fault in late_func",
        Kind::Cause,
        20,
    )
    .await;
}

#[tokio::test]
async fn large_binary_output_is_drained_and_the_title_read() {
    // 1 MB of binary noise (more than a pipe holds, not UTF-8) before the
    // title: the command must not block, and the title is still its last line.
    let f = fixture(6, 3..6);
    let spec = JobSpec {
        runs: 3,
        timeout: Duration::from_secs(20),
        ..script_job(&f, "noisy.sh", "#!/bin/bash\nhead -c 1000000 /dev/urandom\necho\nif [ -e bug ]; then echo 'BUG: noisy crash in noisy_func'; exit 2; fi\nexit 0\n", Kind::Cause)
    };
    let (result, _) = run_job(spec, vec![]).await;
    let out = result.unwrap();
    assert_eq!(
        out.bug_title.as_deref(),
        Some("BUG: noisy crash in noisy_func")
    );
    assert_eq!(
        out.culprit.as_deref(),
        Some(f.commits[3].as_str()),
        "{}",
        out.log
    );
    check_log(&out);
}

#[tokio::test]
async fn a_false_fixed_verdict_is_caught_in_a_fix_bisection() {
    // Commits ..22 crash on every run (22 fixes the bug), except commit 21,
    // which passes its first two runs. git (good = crashes) tests 19, 29, 24
    // and 21, which is wrongly marked bad ("fixed"), then 20 and ends on 21.
    // Verifying the culprit itself shows the crash; the engine moves git's bad
    // ref back to 24 and marks 21 good; the bisection ends on the real fix.
    false_verdict_is_caught(0..22, 21, "WARNING in fixed_func", Kind::Fix, 22).await;
}

/// In a 40-commit fixture with the bug at `bug`, commit `pos` passes its
/// first two runs although it has the bug: its first verdict is wrong, the
/// verification of more runs right, git is told, and the bisection ends on
/// `culprit`.
async fn false_verdict_is_caught(
    bug: std::ops::Range<usize>,
    pos: usize,
    title: &str,
    kind: Kind,
    culprit: usize,
) {
    let f = fixture(40, bug);
    let spec = counting_job(
        &f,
        "late",
        &format!(
            r#"if [ -e bug ] && ! {{ [ "$pos" = {pos} ] && [ "$n" -lt 3 ]; }}; then
  echo "{title}"
  exit 1
fi
exit 0
"#
        ),
        kind,
    );
    let (result, _) = run_job(spec, vec![]).await;
    let out = result.unwrap();
    assert_eq!(
        out.culprit.as_deref(),
        Some(f.commits[culprit].as_str()),
        "{}",
        out.log
    );
    let at: Vec<_> = out
        .steps
        .iter()
        .filter(|s| s.commit == f.commits[pos])
        .collect();
    // git's words: in a fix bisection a crash is "good".
    let (wrong, right, told) = match kind {
        Kind::Cause => (Verdict::Good, Verdict::Bad, "bad"),
        Kind::Fix => (Verdict::Bad, Verdict::Good, "good"),
    };
    assert_eq!(at.len(), 2, "{}", out.log);
    assert_eq!(at[0].verdict, wrong);
    assert_eq!(at[1].role, StepRole::Verify);
    assert_eq!(at[1].verdict, right);
    assert!(out
        .log
        .contains(&format!("\n# git bisect {told} {}\n", f.commits[pos])));
    check_log(&out);
}

#[tokio::test]
async fn parent_signature_is_built_and_equal_signatures_are_reported() {
    // Commit 19 (the culprit's parent) prints its signature only from its
    // 5th run on; the culprit 20 builds to the same signature as 19 (a
    // change that does not change the binary). git tests 19 (2 runs), 29,
    // 24, 21, 20; the verification runs 19 twice more (4 OK runs in
    // all); still no signature, so the parent is run once more for it.
    let f = fixture(40, 20..40);
    let spec = counting_job(
        &f,
        "sig",
        r#"case "$pos" in
  19) [ "$n" -ge 5 ] && echo "signature: 5151" ;;
  20) echo "signature: 5151" ;;
  *) echo "signature: $(printf '%04x' $pos)" ;;
esac
if [ -e bug ]; then echo "BUG: sig crash in sig_func"; exit 1; fi
exit 0
"#,
        Kind::Cause,
    );
    let (result, _) = run_job(spec, vec![]).await;
    let out = result.unwrap();
    assert_eq!(
        out.culprit.as_deref(),
        Some(f.commits[20].as_str()),
        "{}",
        out.log
    );
    let last = out.steps.last().unwrap();
    assert_eq!(last.role, StepRole::Parent);
    assert_eq!(last.commit, f.commits[19]);
    assert!(out.log.contains(&format!(
        "parent commit {} wasn't tested\ntesting commit {}\nkernel signature: 5151\n",
        f.commits[19], f.commits[19]
    )));
    assert!(out
        .log
        .contains("culprit signature: 5151\nparent  signature: 5151\n"));
    check_log(&out);
    let parsed = bisect_log::parse(&out.log).unwrap();
    assert_eq!(parsed.culprit_signatures(), Some(("5151", "5151")));
    let analysis = bisect_log::analysis::analyze(&parsed);
    assert!(analysis.has(bisect_log::analysis::Code::NoopCulprit));
}

#[tokio::test]
async fn small_benchmark_finds_every_culprit() {
    // A small version of examples/bench_bisect.rs: 30% bug, 5% unrelated
    // crash, 200 commits, culprits spread over the range.
    let mut runs = 0;
    let mut steps = 0;
    for (i, culprit) in [37usize, 101, 166].into_iter().enumerate() {
        let f = fixture(200, culprit..200);
        let seed = (1000 + i).to_string();
        let (result, _) =
            run_job(spec(&f, 0, 199, Kind::Cause, &[&seed, "300", "50"]), vec![]).await;
        let out = result.unwrap();
        assert_eq!(
            out.culprit.as_deref(),
            Some(f.commits[culprit].as_str()),
            "{}",
            out.log
        );
        check_log(&out);
        runs += out.total_runs();
        steps += out.tested_commits();
    }
    let per_step = runs as f64 / steps as f64;
    assert!(per_step <= 12.0, "{per_step} runs per step");
}
