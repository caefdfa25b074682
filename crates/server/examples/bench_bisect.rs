//! Benchmark: the flaky-aware engine against plain `git bisect run`.
//!
//! Makes `--repos` synthetic repositories of `--commits` commits (with
//! `git fast-import`, under a temporary directory). In each, a random commit
//! introduces the bug: from it on, a run of the test script crashes with the
//! bug's title with chance `--p-bug` (per mille, default 300); every commit
//! crashes with an unrelated title with chance `--p-other` (default 50). The
//! script is a real bash script run as a process per run (see
//! `bisect_server::engine::synth::SCRIPT`).
//!
//! Each repository is bisected twice from its first (good) to its last (bad)
//! commit: by the engine (`runs` = `--runs`), and by `git bisect run` with
//! the same script, where any non-zero exit is "bad" as git does. Prints the
//! share of jobs that found the right culprit, the test runs per tested
//! commit ("step") and the wall time.
//!
//! ```text
//! cargo run -p bisect-server --example bench_bisect -- --repos 100
//! ```
//!
//! "Runs per step" is all runs of the test command (retries included) over
//! all tested commits: for the engine the learning runs of the bad commit,
//! the good commit's, each bisection step's and the verification's; for
//! `git bisect run` one run per commit. Measured on a 2-core machine, debug
//! build, 2 jobs at a time, unrelated crash 5% (wall times vary with the
//! machine's load):
//!
//! | bug rate | repos | seed | method | right culprit | runs per step | steps per job | wall per job | wall total |
//! |---|---|---|---|---|---|---|---|---|
//! | 30% | 100 | 1 | engine | 100/100 | 10.34 | 13.4 | 1.8 s | 90 s |
//! | 30% | 100 | 1 | `git bisect run` | 2/100 | 1.00 | 10.0 | 0.1 s | 6 s |
//! | 30% | 100 | 2 | engine | 100/100 | 9.83 | 13.7 | 1.8 s | 88 s |
//! | 30% | 100 | 2 | `git bisect run` | 2/100 | 1.00 | 10.0 | 0.1 s | 7 s |
//! | 10% | 30 | 3 | engine | 28/30 | 28.67 | 13.8 | 5.1 s | 76 s |
//! | 10% | 30 | 3 | `git bisect run` | 0/30 | 1.00 | 10.0 | 0.2 s | 2 s |
//! | 100% | 30 | 4 | engine | 30/30 | 2.31 | 12.9 | 0.7 s | 11 s |
//! | 100% | 30 | 4 | `git bisect run` | 23/30 | 1.00 | 9.9 | 0.2 s | 3 s |
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bisect_log::Kind;
use bisect_server::engine::{self, synth, CancellationToken, JobSpec};
use clap::Parser;
use tokio::sync::Semaphore;

#[derive(Parser, Debug, Clone)]
struct Args {
    /// Number of repositories (jobs per method).
    #[arg(long, default_value_t = 100)]
    repos: usize,
    /// Commits per repository.
    #[arg(long, default_value_t = 1000)]
    commits: usize,
    /// Chance per run (per mille) that a commit with the bug crashes with it.
    #[arg(long, default_value_t = 300)]
    p_bug: u32,
    /// Chance per run (per mille) of an unrelated crash, on every commit.
    #[arg(long, default_value_t = 50)]
    p_other: u32,
    /// The engine's `runs` (runs of the bad commit to learn the bug).
    #[arg(long, default_value_t = 10)]
    runs: u32,
    /// Jobs run at the same time.
    #[arg(long, default_value_t = 2)]
    parallel: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Skip the `git bisect run` half.
    #[arg(long)]
    engine_only: bool,
    /// Write the engine's log of each job with a wrong result here.
    #[arg(long)]
    dump_wrong: Option<PathBuf>,
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Repo {
    dir: PathBuf,
    commits: Vec<String>,
    culprit: usize,
    seed: u64,
}

#[derive(Default, Debug, Clone)]
struct JobResult {
    right: bool,
    runs: usize,
    steps: usize,
    wall: Duration,
    error: Option<String>,
    log: Option<String>,
}

fn count_runs(state: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(state).into_iter().flatten().flatten() {
        if let Ok(s) = std::fs::read_to_string(e.path()) {
            n += s.trim().parse::<usize>().unwrap_or(0);
        }
    }
    n
}

async fn engine_job(args: &Args, repo: &Repo, script: &Path, state: &Path) -> JobResult {
    std::fs::create_dir_all(state).unwrap();
    let spec = JobSpec {
        repo: repo.dir.clone(),
        good: repo.commits[0].clone(),
        bad: repo.commits[repo.commits.len() - 1].clone(),
        command: vec![
            "bash".into(),
            script.display().to_string(),
            state.display().to_string(),
            repo.seed.to_string(),
            args.p_bug.to_string(),
            args.p_other.to_string(),
        ],
        runs: args.runs,
        timeout: Duration::from_secs(60),
        kind: Kind::Cause,
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let start = Instant::now();
    let result = engine::run(spec, vec![], CancellationToken::new(), tx).await;
    let wall = start.elapsed();
    let _ = drain.await;
    match result {
        Ok(out) => JobResult {
            right: out.culprit.as_deref() == Some(repo.commits[repo.culprit].as_str()),
            runs: out.total_runs(),
            steps: out.tested_commits(),
            wall,
            error: out.error.clone(),
            log: Some(out.log),
        },
        Err(e) => JobResult {
            wall,
            error: Some(e.to_string()),
            ..JobResult::default()
        },
    }
}

async fn git_job(args: &Args, repo: &Repo, script: &Path, state: &Path) -> JobResult {
    std::fs::create_dir_all(state.join("counts")).unwrap();
    let wt = state.join("wt");
    let git = |dir: PathBuf, a: Vec<String>| async move {
        tokio::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(a)
            .env("LC_ALL", "C")
            .output()
            .await
            .unwrap()
    };
    let start = Instant::now();
    let s = |x: &str| x.to_string();
    git(
        repo.dir.clone(),
        vec![
            s("worktree"),
            s("add"),
            s("--detach"),
            wt.display().to_string(),
            repo.commits[0].clone(),
        ],
    )
    .await;
    git(
        wt.clone(),
        vec![
            s("bisect"),
            s("start"),
            repo.commits[repo.commits.len() - 1].clone(),
            repo.commits[0].clone(),
        ],
    )
    .await;
    let out = git(
        wt.clone(),
        vec![
            s("bisect"),
            s("run"),
            s("bash"),
            script.display().to_string(),
            state.join("counts").display().to_string(),
            (repo.seed ^ 0x5555).to_string(),
            args.p_bug.to_string(),
            args.p_other.to_string(),
        ],
    )
    .await;
    let wall = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let found = stdout
        .lines()
        .find_map(|l| l.strip_suffix(" is the first bad commit"))
        .map(str::to_string);
    git(
        repo.dir.clone(),
        vec![
            s("worktree"),
            s("remove"),
            s("--force"),
            wt.display().to_string(),
        ],
    )
    .await;
    let runs = count_runs(&state.join("counts"));
    JobResult {
        right: found.as_deref() == Some(repo.commits[repo.culprit].as_str()),
        runs,
        // One run per tested commit.
        steps: runs,
        wall,
        error: found.is_none().then(|| "no first bad commit".to_string()),
        log: None,
    }
}

fn report(name: &str, results: &[JobResult], wall: Duration) {
    let n = results.len().max(1) as f64;
    let right = results.iter().filter(|r| r.right).count();
    let runs: usize = results.iter().map(|r| r.runs).sum();
    let steps: usize = results.iter().map(|r| r.steps).sum();
    let job_wall: f64 = results.iter().map(|r| r.wall.as_secs_f64()).sum::<f64>() / n;
    let errors = results.iter().filter(|r| r.error.is_some()).count();
    println!(
        "| {name} | {right}/{} = {:.1}% | {:.2} | {:.1} | {:.1} | {:.1} s | {:.0} s | {errors} |",
        results.len(),
        100.0 * right as f64 / n,
        runs as f64 / steps.max(1) as f64,
        steps as f64 / n,
        runs as f64 / n,
        job_wall,
        wall.as_secs_f64(),
    );
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("test.sh");
    synth::write_script(&script).unwrap();
    let mut rng = args.seed;
    let t0 = Instant::now();
    let mut repos = Vec::new();
    for i in 0..args.repos {
        let culprit = 1 + (splitmix(&mut rng) % (args.commits as u64 - 1)) as usize;
        let dir = tmp.path().join(format!("repo-{i}"));
        let commits = synth::make_repo(&dir, args.commits, culprit..args.commits).unwrap();
        repos.push(Arc::new(Repo {
            dir,
            commits,
            culprit,
            seed: splitmix(&mut rng) % 1_000_000,
        }));
    }
    eprintln!(
        "made {} repositories of {} commits in {:.1} s",
        args.repos,
        args.commits,
        t0.elapsed().as_secs_f64()
    );
    let args = Arc::new(args);
    let script = Arc::new(script);
    let sem = Arc::new(Semaphore::new(args.parallel.max(1)));
    println!(
        "\n{} repositories x {} commits; bug crash {:.1}% per run from the culprit on, unrelated crash {:.1}% per run everywhere; engine runs={}, {} jobs at a time\n",
        args.repos,
        args.commits,
        args.p_bug as f64 / 10.0,
        args.p_other as f64 / 10.0,
        args.runs,
        args.parallel
    );
    println!("| method | right culprit | runs per step | steps per job | runs per job | wall per job | wall total | errors |");
    println!("|---|---|---|---|---|---|---|---|");
    for method in ["engine", "git bisect run"] {
        if method != "engine" && args.engine_only {
            continue;
        }
        let start = Instant::now();
        let mut handles = Vec::new();
        for (i, repo) in repos.iter().enumerate() {
            let (args, repo, script, sem) =
                (args.clone(), repo.clone(), script.clone(), sem.clone());
            let state = tmp
                .path()
                .join(format!("state-{}-{i}", method.replace(' ', "-")));
            handles.push(tokio::spawn(async move {
                let _permit = sem.acquire().await.unwrap();
                if method == "engine" {
                    engine_job(&args, &repo, &script, &state).await
                } else {
                    git_job(&args, &repo, &script, &state).await
                }
            }));
        }
        let mut results = Vec::new();
        for h in handles {
            results.push(h.await.unwrap());
        }
        for (i, r) in results.iter().enumerate() {
            if !r.right && method == "engine" {
                eprintln!(
                    "{method} job {i}: wrong (culprit at {}), error: {:?}",
                    repos[i].culprit, r.error
                );
                if let (Some(dir), Some(log)) = (&args.dump_wrong, &r.log) {
                    std::fs::create_dir_all(dir).unwrap();
                    std::fs::write(dir.join(format!("job-{i}.log")), log).unwrap();
                }
            }
        }
        report(method, &results, start.elapsed());
    }
}
