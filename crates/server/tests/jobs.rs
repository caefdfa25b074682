//! A bisection job over a small generated git repository with a flaky test
//! script, through the API, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{
    check_log_matches_steps, flaky_script, id_of, make_repo, wait_job, Backend, Options, TestServer,
};
use serde_json::{json, Value};

both_backends!(
    flaky_job_finds_the_culprit_and_streams_its_log,
    running_job_can_be_cancelled
);

/// Reads a whole SSE stream into (event, data) pairs.
async fn read_events(resp: reqwest::Response) -> Vec<(String, String)> {
    let text = resp.text().await.unwrap();
    let mut events = Vec::new();
    for block in text.split("\n\n") {
        let mut event = String::from("message");
        let mut data = Vec::new();
        for line in block.lines() {
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push(d.to_string());
            } else if line == "data:" {
                data.push(String::new());
            }
        }
        if !data.is_empty() {
            events.push((event, data.join("\n")));
        }
    }
    events
}

async fn flaky_job_finds_the_culprit_and_streams_its_log(backend: Backend) {
    let s = TestServer::with(
        backend,
        Options {
            workers: 1,
            ..Options::default()
        },
    )
    .await;
    let repo = s.tmp.path().join("repos/small");
    let hashes = make_repo(&repo, 40, 23);
    let command = flaky_script(s.tmp.path(), 60, 5, "0");
    let resp = s
        .post_job(&json!({
            "repo": "small", "good": hashes[0], "bad": hashes[39],
            "command": command, "runs": 10, "timeout_s": 30,
        }))
        .await;
    assert_eq!(resp.status(), 201);
    let id = id_of(resp).await;
    // The event stream from the start to the end of the job.
    let events = tokio::spawn(
        s.client
            .get(s.url(&format!("/api/jobs/{id}/events")))
            .timeout(Duration::from_secs(300))
            .send(),
    );
    let job = wait_job(&s.client, &s.base, &id, Duration::from_secs(300)).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["culprit"], hashes[22], "{job}");
    assert_eq!(job["error"], Value::Null);
    let (bisection, steps) = check_log_matches_steps(&s.client, &s.base, &id).await;
    assert_eq!(job["tested_commits"], steps.len());
    let summary = bisect_log::Summary::new("job", &bisection);
    assert_eq!(summary.culprit.as_deref(), Some(hashes[22].as_str()));

    let events = read_events(events.await.unwrap().unwrap()).await;
    let lines: Vec<String> = events
        .iter()
        .filter(|(e, _)| e == "line")
        .map(|(_, d)| {
            serde_json::from_str::<Value>(d).unwrap()["line"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let log = s.get_text(&format!("/api/jobs/{id}/log")).await;
    assert_eq!(
        lines,
        log.lines().collect::<Vec<_>>(),
        "the stream carried the log"
    );
    let states: Vec<String> = events
        .iter()
        .filter(|(e, _)| e == "state")
        .map(|(_, d)| {
            serde_json::from_str::<Value>(d).unwrap()["state"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(states.contains(&"running".to_string()), "{states:?}");
    // A reconnecting EventSource sends the last id it saw: the stream goes on after it.
    let resumed = s
        .client
        .get(s.url(&format!("/api/jobs/{id}/events")))
        .header("last-event-id", "9")
        .send()
        .await
        .unwrap();
    let resumed = read_events(resumed).await;
    let first_line: Value =
        serde_json::from_str(&resumed.iter().find(|(e, _)| e == "line").unwrap().1).unwrap();
    assert_eq!(first_line["seq"], 10);
    assert_eq!(first_line["line"], lines[10].as_str());
    assert_eq!(
        resumed.iter().filter(|(e, _)| e == "line").count(),
        lines.len() - 10
    );
    assert_eq!(
        states.last().map(String::as_str),
        Some("done"),
        "{states:?}"
    );
    s.stop().await;
}

async fn running_job_can_be_cancelled(backend: Backend) {
    let s = TestServer::with(
        backend,
        Options {
            workers: 1,
            ..Options::default()
        },
    )
    .await;
    let repo = s.tmp.path().join("repos/r");
    let hashes = make_repo(&repo, 20, 10);
    let command = flaky_script(s.tmp.path(), 60, 0, "0.3");
    let resp = s
        .post_job(&json!({
            "repo": "r", "good": hashes[0], "bad": hashes[19],
            "command": command, "runs": 20, "timeout_s": 30, "kind": "cause",
        }))
        .await;
    let id = id_of(resp).await;
    // Running.
    for _ in 0..100 {
        let job = s.get_json(&format!("/api/jobs/{id}")).await;
        if job["state"] == "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let resp = s.cancel_job(&id).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["cancel_requested"],
        true
    );
    let job = wait_job(&s.client, &s.base, &id, Duration::from_secs(30)).await;
    assert_eq!(job["state"], "cancelled", "{job}");
    assert_eq!(job["culprit"], Value::Null);
    s.stop().await;
}
