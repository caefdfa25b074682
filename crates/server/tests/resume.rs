//! Durable jobs: a server that dies mid-job (its workers dropped wherever they
//! are) and starts again on the same database resumes the job from its last
//! finished step — no step lost or run twice, the log without duplicates.
//! With a scripted engine of known plan, on SQLite and PostgreSQL; the same
//! with the real binary, the real engine and `kill -9` is in `kill9.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::scripted::Script;
use common::{check_log_matches_steps, id_of, make_repo, wait_job, Backend, Options, TestServer};
use serde_json::{json, Value};

both_backends!(
    resumes_from_the_last_finished_step,
    cancelled_while_its_server_was_down
);

async fn resumes_from_the_last_finished_step(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let repos = tmp.path().join("repos");
    let hashes = make_repo(&repos.join("r"), 64, 38);
    let script = Script::new(&hashes, 37, Duration::from_millis(250));
    let opts = |database| script.options(&repos, 1, database);
    let mut first = TestServer::with(backend, opts(None)).await;
    let resp = first
        .post_job(&json!({"repo": "r", "good": hashes[0], "bad": hashes[63], "command": ["/bin/true"], "runs": 5}))
        .await;
    let id = id_of(resp).await;
    // Let it finish a few steps, then kill it mid-step.
    let mut before: Vec<Value> = Vec::new();
    for _ in 0..200 {
        before = first
            .get_json(&format!("/api/jobs/{id}/steps"))
            .await
            .as_array()
            .cloned()
            .unwrap();
        if before.len() >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if before.len() < 4 {
        let job = first.get_json(&format!("/api/jobs/{id}")).await;
        panic!("the job did not get going: {job}");
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    first.kill().await;
    let database = first.database.clone();

    let second = TestServer::with(backend, opts(Some(database))).await;
    let job = wait_job(&second.client, &second.base, &id, Duration::from_secs(60)).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["culprit"], hashes[37]);
    let calls = script.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0], 0);
    assert!(
        calls[1] >= before.len(),
        "resumed from {calls:?}, {} steps were stored",
        before.len()
    );
    let (_, steps) = check_log_matches_steps(&second.client, &second.base, &id).await;
    assert_eq!(
        &steps[..before.len()],
        &before[..],
        "stored steps are kept, not run again"
    );
    assert_eq!(
        steps.len(),
        2 + 6,
        "original, endpoint and log2(64) bisection steps"
    );
    assert_eq!(job["tested_commits"], steps.len());
    // The log is exactly the uninterrupted one.
    let log = second.get_text(&format!("/api/jobs/{id}/log")).await;
    let expected = bisect_log::write(&bisect_log::parse(&log).unwrap());
    assert_eq!(log, expected);
    assert_eq!(log.matches("testing commit").count(), steps.len());
    assert!(log.ends_with(&format!("{} is the first bad commit\n", hashes[37])));
    second.stop().await;
    drop(first);
}

/// A job whose server died, cancelled before any worker took it again, ends
/// cancelled (not stuck "running").
async fn cancelled_while_its_server_was_down(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let repos = tmp.path().join("repos");
    let hashes = make_repo(&repos.join("r"), 16, 9);
    let script = Script::new(&hashes, 8, Duration::from_millis(300));
    let opts = |database| script.options(&repos, 1, database);
    let mut first = TestServer::with(backend, opts(None)).await;
    let resp = first
        .post_job(
            &json!({"repo": "r", "good": hashes[0], "bad": hashes[15], "command": ["/bin/true"]}),
        )
        .await;
    let id = id_of(resp).await;
    for _ in 0..100 {
        let job = first.get_json(&format!("/api/jobs/{id}")).await;
        if job["tested_commits"].as_i64().unwrap() >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.kill().await;
    let second = TestServer::with(backend, opts(Some(first.database.clone()))).await;
    let resp = second.cancel_job(&id).await;
    assert_eq!(resp.status(), 200);
    let job = wait_job(&second.client, &second.base, &id, Duration::from_secs(30)).await;
    assert_eq!(job["state"], "cancelled", "{job}");
    second.stop().await;
    drop(first);
}

/// Several servers on one PostgreSQL database share its queue: every job runs
/// once (claimed with `FOR UPDATE SKIP LOCKED`), and both servers work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_one_postgres_queue() {
    if !common::postgres_or_skip("two_servers_share_one_postgres_queue") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repos = tmp.path().join("repos");
    let hashes = make_repo(&repos.join("r"), 16, 9);
    let script = || Script::new(&hashes, 8, Duration::from_millis(150));
    let (script_a, script_b) = (script(), script());
    // The default claim timeout: neither server stops, none takes the other's jobs over.
    let opts = |script: &Arc<Script>, database| Options {
        claim_timeout_s: Options::default().claim_timeout_s,
        ..script.options(&repos, 2, database)
    };
    let a = TestServer::with(Backend::Postgres, opts(&script_a, None)).await;
    let b = TestServer::with(Backend::Postgres, opts(&script_b, Some(a.database.clone()))).await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let s = if i % 2 == 0 { &a } else { &b };
        let resp = s
            .post_job(&json!({"repo": "r", "good": hashes[0], "bad": hashes[15], "command": ["/bin/true"]}))
            .await;
        ids.push(id_of(resp).await);
    }
    for id in &ids {
        let job = wait_job(&a.client, &a.base, id, Duration::from_secs(60)).await;
        assert_eq!(job["state"], "done", "{job}");
        assert_eq!(job["culprit"], hashes[8]);
    }
    let (ran_a, ran_b) = (
        script_a.calls.lock().unwrap().clone(),
        script_b.calls.lock().unwrap().clone(),
    );
    assert_eq!(
        ran_a.len() + ran_b.len(),
        ids.len(),
        "each job ran once: {ran_a:?} {ran_b:?}"
    );
    assert!(ran_a.iter().chain(&ran_b).all(|&prior| prior == 0));
    assert!(
        !ran_a.is_empty() && !ran_b.is_empty(),
        "both servers worked: {ran_a:?} {ran_b:?}"
    );
    b.stop().await;
    a.stop().await;
}
