//! `kill -9` mid-job: the real `bisect-server` binary with the real engine,
//! killed while a job runs and started again on the same database, resumes the
//! job from its last finished step and ends with the right culprit; its log
//! has no duplicated or lost step. The token never appears in its output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{check_log_matches_steps, flaky_script, make_repo, wait_job, Backend, TOKEN};
use serde_json::{json, Value};

both_backends!(kill_9_mid_job_then_resume);

struct Server {
    child: Child,
    base: String,
}

/// A failed assertion does not leave the server running.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(database: &str, repos: &Path, stderr: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bisect-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--database",
            database,
            "--workers",
            "1",
        ])
        .arg("--repos-root")
        .arg(repos)
        .args(["--claim-timeout-s", "2"])
        .env("BISECT_LENS_TOKEN", TOKEN)
        .env("RUST_LOG", "trace")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(stderr).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("bisect-server listening on ")
        .unwrap_or_else(|| {
            panic!(
                "unexpected first line: {line:?}; stderr: {}",
                std::fs::read_to_string(stderr).unwrap_or_default()
            )
        })
        .to_string();
    Server { child, base: addr }
}

async fn kill_9_mid_job_then_resume(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let database = common::database_url(backend, tmp.path()).await;
    let repos = tmp.path().join("repos");
    let hashes = make_repo(&repos.join("r"), 64, 38);
    let command = flaky_script(tmp.path(), 60, 5, "0.05");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    let mut first = start(&database, &repos, &tmp.path().join("first.err"));
    let resp = client
        .post(format!("{}/api/jobs", first.base))
        .bearer_auth(TOKEN)
        .json(&json!({
            "repo": "r", "good": hashes[0], "bad": hashes[63],
            "command": command, "runs": 10, "timeout_s": 30,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let id = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut before: Vec<Value> = Vec::new();
    for _ in 0..600 {
        before = client
            .get(format!("{}/api/jobs/{id}/steps", first.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if before.len() >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(before.len() >= 4, "the job did not get going");
    // Into the next step's runs, then SIGKILL.
    tokio::time::sleep(Duration::from_millis(150)).await;
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    drop(first);
    let job: Value = {
        // The database as the killed server left it.
        let second = start(&database, &repos, &tmp.path().join("second.err"));
        let job = wait_job(&client, &second.base, &id, Duration::from_secs(300)).await;
        let (_, steps) = check_log_matches_steps(&client, &second.base, &id).await;
        assert!(steps.len() > before.len());
        assert_eq!(
            &steps[..before.len()],
            &before[..],
            "finished steps kept, not run again"
        );
        assert_eq!(job["tested_commits"], steps.len());
        drop(second);
        job
    };
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["culprit"], hashes[37], "{job}");
    let second_err = std::fs::read_to_string(tmp.path().join("second.err")).unwrap();
    if backend == Backend::Sqlite {
        assert!(
            second_err.contains("interrupted jobs back in the queue"),
            "{second_err}"
        );
    }
    for f in ["first.err", "second.err"] {
        let out = std::fs::read_to_string(tmp.path().join(f)).unwrap();
        assert!(out.contains("job claimed"), "{f} has the server's trace");
        assert!(!out.contains(TOKEN), "the token leaked into {f}");
    }
}
