//! Test harness: a server on 127.0.0.1 over SQLite or a throw-away PostgreSQL
//! cluster, the same tests for both.
//!
//! PostgreSQL: the first test that needs it runs Debian's `initdb` and
//! `pg_ctl start` (from `BISECT_LENS_PG_BIN`, `PG_BIN`, or the highest
//! `/usr/lib/postgresql/*/bin`) into a temp
//! directory, listening on 127.0.0.1 on a free port with its unix socket in
//! that directory and `trust` authentication. Run as root, the cluster belongs
//! to the `postgres` user (`runuser -u postgres --`), as PostgreSQL refuses to
//! run as root. A watchdog process stops the cluster and deletes its directory
//! when the test process exits. Each test gets its own database. Without the
//! binaries the PostgreSQL tests fail when CI=true and skip with a message otherwise.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod scripted;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use bisect_server::Config;
use tokio::sync::oneshot;

pub const TOKEN: &str = "test-token-5e1f0c4d9a";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `mod sqlite` and `mod postgres` with one `#[tokio::test]` per
/// listed `async fn name(backend: Backend)` of the file.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if $crate::common::postgres_or_skip(stringify!($name)) {
                        super::$name($crate::common::Backend::Postgres).await
                    }
                }
            )*
        }
    };
}

pub fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

pub fn seed(name: &str) -> Vec<u8> {
    std::fs::read(shared_dir().join("corpus/seeds").join(name)).expect("seed log")
}

pub const SEED_A: &str = "000_9f5fff6f4365948f.txt";
pub const SEED_B: &str = "004_dd38629cfa7ebbde.txt";

// ---- PostgreSQL --------------------------------------------------------------

pub struct PgCluster {
    pub port: u16,
    pub dir: PathBuf,
}

fn pg_bin_dir() -> Option<PathBuf> {
    // scripts/test.sh exports BISECT_LENS_PG_BIN.
    for var in ["BISECT_LENS_PG_BIN", "PG_BIN"] {
        if let Some(dir) = std::env::var_os(var).filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir));
        }
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
        .collect();
    // Highest version first.
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL binary, as `postgres` when we are root.
fn pg_command(bin: &Path, root: bool) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_cluster() -> Result<PgCluster, String> {
    let bin = pg_bin_dir().ok_or("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (install Debian's `postgresql`: scripts/setup.sh)")?;
    let root = is_root();
    let dir = std::env::temp_dir().join(format!("bisect-lens-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    if root {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .map_err(|e| e.to_string())?;
        if !ok.success() {
            return Err("chown of the cluster directory failed".into());
        }
    }
    let data = dir.join("data");
    let out = pg_command(&bin.join("initdb"), root)
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ])
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let port = free_port();
    let opts = format!(
        "-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={} -c fsync=off -c max_connections=200",
        dir.display()
    );
    let out = pg_command(&bin.join("pg_ctl"), root)
        .arg("-D")
        .arg(&data)
        .args(["-o", &opts, "-l"])
        .arg(dir.join("server.log"))
        .args(["-w", "-t", "60", "start"])
        .output()
        .map_err(|e| format!("pg_ctl: {e}"))?;
    if !out.status.success() {
        let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        return Err(format!(
            "pg_ctl start failed: {}{log}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // Stops the cluster when this test process is gone, however it ends.
    let pg_ctl = bin.join("pg_ctl");
    let stop = if root {
        format!(
            "runuser -u postgres -- '{}' -D '{}' -m immediate stop",
            pg_ctl.display(),
            data.display()
        )
    } else {
        format!(
            "'{}' -D '{}' -m immediate stop",
            pg_ctl.display(),
            data.display()
        )
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{dir}'",
        pid = std::process::id(),
        dir = dir.display()
    );
    Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("watchdog: {e}"))?;
    eprintln!(
        "PostgreSQL test cluster on 127.0.0.1:{port} in {}",
        dir.display()
    );
    Ok(PgCluster { port, dir })
}

pub fn cluster() -> &'static Result<PgCluster, String> {
    static CLUSTER: OnceLock<Result<PgCluster, String>> = OnceLock::new();
    CLUSTER.get_or_init(start_cluster)
}

/// Whether to run a PostgreSQL test: fails under CI without PostgreSQL.
pub fn postgres_or_skip(test: &str) -> bool {
    match cluster() {
        Ok(_) => true,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("PostgreSQL is required in CI: {e}");
            }
            eprintln!("SKIPPED postgres::{test}: {e}");
            false
        }
    }
}

/// A fresh database in the cluster.
pub async fn postgres_url() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let cluster = cluster().as_ref().expect("cluster");
    let name = format!(
        "t{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let admin = format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port);
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to the cluster");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let _ = conn.close().await;
    format!("postgres://postgres@127.0.0.1:{}/{name}", cluster.port)
}

// ---- the server ----------------------------------------------------------------

pub struct TestServer {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub database: String,
    pub tmp: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), String>>>,
}

pub struct Options {
    pub token: Option<String>,
    pub workers: usize,
    pub fetch_allow: Vec<String>,
    pub fetch_timeout_s: u64,
    pub dist: Option<PathBuf>,
    pub repos_root: Option<PathBuf>,
    /// Reuse a database (a restart).
    pub database: Option<String>,
    pub claim_timeout_s: u64,
    /// The bisection engine; the real one by default.
    pub engine: Option<bisect_server::worker::EngineRun>,
    pub preload: Vec<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            token: Some(TOKEN.to_string()),
            workers: 0,
            fetch_allow: Vec::new(),
            fetch_timeout_s: 30,
            dist: None,
            repos_root: None,
            database: None,
            claim_timeout_s: 30,
            engine: None,
            preload: Vec::new(),
        }
    }
}

pub async fn database_url(backend: Backend, tmp: &Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", tmp.join("data/test.db").display()),
        Backend::Postgres => postgres_url().await,
    }
}

impl TestServer {
    pub async fn start(backend: Backend) -> TestServer {
        Self::with(backend, Options::default()).await
    }

    pub async fn with(backend: Backend, opts: Options) -> TestServer {
        let tmp = tempfile::tempdir().unwrap();
        let database = match opts.database.clone() {
            Some(d) => d,
            None => database_url(backend, tmp.path()).await,
        };
        let repos_root = opts
            .repos_root
            .clone()
            .unwrap_or_else(|| tmp.path().join("repos"));
        std::fs::create_dir_all(&repos_root).unwrap();
        let config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            database: database.clone(),
            dist: opts.dist.clone(),
            repos_root,
            workers: opts.workers,
            fetch_allow: opts.fetch_allow.clone(),
            fetch_timeout_s: opts.fetch_timeout_s,
            claim_timeout_s: opts.claim_timeout_s,
            preload: opts.preload.clone(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let engine = opts
            .engine
            .clone()
            .unwrap_or_else(bisect_server::worker::real_engine);
        let task = tokio::spawn(bisect_server::run_with_engine(
            listener,
            config,
            opts.token.clone(),
            engine,
            async {
                let _ = stopped.await;
            },
        ));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let base = format!("http://{addr}");
        // Ready when it answers.
        for _ in 0..200 {
            if client
                .get(format!("{base}/api/openapi.json"))
                .send()
                .await
                .is_ok()
            {
                break;
            }
            if task.is_finished() {
                let r = task.await.unwrap();
                panic!("server did not start: {r:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        TestServer {
            addr,
            base,
            client,
            database,
            tmp,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the server at once, as a crash would: no graceful shutdown, its
    /// workers and engines dropped wherever they are.
    pub async fn kill(&mut self) {
        self.stop.take();
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap().unwrap();
        }
    }

    /// `GET path`, read as JSON.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// `GET path`, read as text.
    pub async fn get_text(&self, path: &str) -> String {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// `POST /api/jobs` with the token.
    pub async fn post_job(&self, request: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url("/api/jobs"))
            .bearer_auth(TOKEN)
            .json(request)
            .send()
            .await
            .unwrap()
    }

    /// `POST /api/jobs/{id}/cancel` with the token.
    pub async fn cancel_job(&self, id: &str) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/jobs/{id}/cancel")))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
    }

    /// Uploads a log as text/plain, expecting 201; returns its id.
    pub async fn upload(&self, body: Vec<u8>, name: Option<&str>) -> String {
        let mut req = self
            .client
            .post(self.url("/api/logs"))
            .header("content-type", "text/plain")
            .body(body);
        if let Some(n) = name {
            req = req.query(&[("name", n)]);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 201, "{:?}", resp.text().await);
        let v: serde_json::Value = resp.json().await.unwrap();
        v["id"].as_str().unwrap().to_string()
    }
}

/// The `id` of a created log or job.
pub async fn id_of(resp: reqwest::Response) -> String {
    resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Runs `git` in `dir`, panicking on failure; returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A repository of `n` commits; from commit number `culprit` (1-based) on,
/// the file `bug` exists. Returns the hashes, oldest first.
pub fn make_repo(dir: &Path, n: usize, culprit: usize) -> Vec<String> {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    let mut hashes = Vec::new();
    for i in 1..=n {
        std::fs::write(dir.join("counter"), format!("{i}\n")).unwrap();
        if i == culprit {
            std::fs::write(dir.join("bug"), "the bug\n").unwrap();
        }
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", &format!("commit {i}")]);
        hashes.push(git(dir, &["rev-parse", "HEAD"]));
    }
    hashes
}

/// A flaky test script: from the culprit on (the file `bug` exists) it crashes
/// with the bug's title in `bug_percent`% of runs; any commit crashes with an
/// unrelated title in `noise_percent`% of runs. Prints a build signature
/// first. Sleeps `sleep_s` per run. Returns the argv.
pub fn flaky_script(
    dir: &Path,
    bug_percent: u32,
    noise_percent: u32,
    sleep_s: &str,
) -> Vec<String> {
    let path = dir.join("flaky-test.sh");
    let script = format!(
        r#"#!/bin/bash
sleep {sleep_s}
echo "signature: $(sha1sum counter | cut -c1-40)"
echo "booting the kernel"
if [ $((RANDOM % 100)) -lt {noise_percent} ]; then
    echo "WARNING in some_unrelated_function"
    exit 1
fi
if [ -f bug ] && [ $((RANDOM % 100)) -lt {bug_percent} ]; then
    echo "KASAN: use-after-free Read in flaky_bug"
    echo
    exit 1
fi
echo "all good"
exit 0
"#
    );
    std::fs::write(&path, script).unwrap();
    vec!["/bin/bash".to_string(), path.to_str().unwrap().to_string()]
}

/// Polls a job until its state is final (or the time is up); returns its JSON.
pub async fn wait_job(
    client: &reqwest::Client,
    base: &str,
    id: &str,
    limit: Duration,
) -> serde_json::Value {
    let start = std::time::Instant::now();
    loop {
        let job: serde_json::Value = client
            .get(format!("{base}/api/jobs/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let state = job["state"].as_str().unwrap().to_string();
        if matches!(state.as_str(), "done" | "failed" | "cancelled") {
            return job;
        }
        assert!(
            start.elapsed() < limit,
            "job {id} not finished after {limit:?}: {job}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Checks a finished job's log against its steps: the log parses as a
/// bisection log, and its tests are the stored steps, each once, in order.
pub async fn check_log_matches_steps(
    client: &reqwest::Client,
    base: &str,
    id: &str,
) -> (bisect_log::Bisection, Vec<serde_json::Value>) {
    let log = client
        .get(format!("{base}/api/jobs/{id}/log"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let steps: Vec<serde_json::Value> = client
        .get(format!("{base}/api/jobs/{id}/steps"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let indices: Vec<u64> = steps.iter().map(|s| s["index"].as_u64().unwrap()).collect();
    let expected: Vec<u64> = (0..steps.len() as u64).collect();
    assert_eq!(indices, expected, "steps 0, 1, 2, … each once");
    let bisection =
        bisect_log::parse(&log).unwrap_or_else(|e| panic!("job log does not parse: {e}\n{log}"));
    let tested: Vec<&str> = bisection.tests().map(|t| t.commit.as_str()).collect();
    let stepped: Vec<&str> = steps
        .iter()
        .map(|s| s["commit"].as_str().unwrap())
        .collect();
    assert_eq!(
        tested, stepped,
        "the log's tests are the stored steps\n{log}"
    );
    // A commit may be tested twice (the culprit's parent is verified again),
    // but never a block written twice: one `testing commit` line per step.
    let blocks = log
        .lines()
        .filter(|l| l.starts_with("testing commit "))
        .count();
    assert_eq!(blocks, steps.len(), "one test block per step\n{log}");
    (bisection, steps)
}
