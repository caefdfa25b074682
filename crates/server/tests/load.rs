//! Bounded loopback load test: 50 concurrent clients × 200 summary requests
//! against a server on 127.0.0.1 (SQLite), 0 errors expected; prints p50/p99.
//! Run explicitly:
//!
//! ```text
//! cargo test --release -p bisect-server --test load -- --ignored --nocapture
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{Backend, TestServer};

const CLIENTS: usize = 50;
const REQUESTS: usize = 200;

async fn load(backend: Backend) {
    let s = TestServer::start(backend).await;
    // The two seeds and 20 corpus logs, so summaries of several logs are asked.
    let mut files = vec![
        common::shared_dir()
            .join("corpus/seeds")
            .join(common::SEED_A),
        common::shared_dir()
            .join("corpus/seeds")
            .join(common::SEED_B),
    ];
    let mut corpus: Vec<_> = std::fs::read_dir(common::shared_dir().join("corpus/syzbot"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    corpus.sort();
    files.extend(corpus.into_iter().step_by(50).take(20));
    let mut ids = Vec::new();
    for f in &files {
        ids.push(s.upload(std::fs::read(f).unwrap(), None).await);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let base = s.base.clone();
        let ids = ids.clone();
        tasks.push(tokio::spawn(async move {
            // One connection per client (keep-alive), like 50 browsers.
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            let mut latencies = Vec::with_capacity(REQUESTS);
            let mut errors = 0usize;
            for r in 0..REQUESTS {
                let id = &ids[(c + r) % ids.len()];
                let t = Instant::now();
                let ok = match client
                    .get(format!("{base}/api/logs/{id}/summary"))
                    .send()
                    .await
                {
                    Ok(resp) if resp.status() == 200 => resp
                        .json::<serde_json::Value>()
                        .await
                        .map(|v| v["outcome"].is_string())
                        .unwrap_or(false),
                    _ => false,
                };
                latencies.push(t.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let wall = started.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    println!(
        "load {backend:?}: {} requests ({CLIENTS} clients x {REQUESTS}), {errors} errors, \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:.0} req/s",
        all.len(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        all[all.len() - 1].as_secs_f64() * 1e3,
        all.len() as f64 / wall.as_secs_f64(),
    );
    assert_eq!(all.len(), CLIENTS * REQUESTS);
    assert_eq!(errors, 0);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load test: run explicitly with --ignored --nocapture"]
async fn summary_load_sqlite() {
    load(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load test: run explicitly with --ignored --nocapture"]
async fn summary_load_postgres() {
    if common::postgres_or_skip("summary_load_postgres") {
        load(Backend::Postgres).await;
    }
}
