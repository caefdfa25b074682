//! The HTTP API on 127.0.0.1, the same tests over SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use axum::response::IntoResponse;
use common::{id_of, make_repo, seed, Backend, Options, TestServer, SEED_A, SEED_B, TOKEN};
use serde_json::{json, Value};

both_backends!(
    upload_text_and_read_back,
    upload_json_with_annotations,
    too_large_is_413,
    not_a_log_is_422_with_reason,
    pagination,
    summary_equals_cli,
    unknown_ids_are_404_json,
    openapi_lists_every_path,
    fetch_proxy,
    jobs_need_the_token,
    jobs_refuse_paths_outside_the_root,
    jobs_limits,
    queued_job_round_trip_and_cancel,
    spa_fallback,
    preload_once,
);

async fn upload_text_and_read_back(backend: Backend) {
    let s = TestServer::start(backend).await;
    let text = seed(SEED_A);
    let resp = s
        .client
        .post(s.url("/api/logs"))
        .header("content-type", "text/plain")
        .body(text.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["url"], format!("/s/{id}"));
    let resp = s
        .client
        .get(s.url(&format!("/api/logs/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(resp.bytes().await.unwrap().as_ref(), text.as_slice());
    // No annotations uploaded: null.
    let a: Value = s.get_json(&format!("/api/logs/{id}/annotations")).await;
    assert_eq!(a, Value::Null);
    s.stop().await;
}

async fn upload_json_with_annotations(backend: Backend) {
    let s = TestServer::start(backend).await;
    let text = String::from_utf8(seed(SEED_B)).unwrap();
    let annotations =
        json!({"notes": [{"step": 3, "text": "looks flaky"}], "doubted": {"2": "good"}});
    let resp = s
        .client
        .post(s.url("/api/logs"))
        .json(&json!({"text": text, "annotations": annotations, "name": "mine.txt"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let id = id_of(resp).await;
    let got = s
        .client
        .get(s.url(&format!("/api/logs/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(got.text().await.unwrap(), text);
    let a: Value = s.get_json(&format!("/api/logs/{id}/annotations")).await;
    assert_eq!(a, annotations);
    let summary: Value = s.get_json(&format!("/api/logs/{id}/summary")).await;
    assert_eq!(summary["file"], "mine.txt");
    // Malformed JSON: 400 with a JSON error.
    let resp = s
        .client
        .post(s.url("/api/logs"))
        .header("content-type", "application/json")
        .body("{\"text\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], "bad_request");
    s.stop().await;
}

/// Sends a raw HTTP/1.1 request and returns the response's status and body.
async fn raw_request(addr: std::net::SocketAddr, head: &str, body: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = vec![0u8; 65536];
    // Until the end of the headers and the JSON body.
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), conn.read(&mut buf))
            .await
            .expect("an answer")
            .unwrap();
        answer.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&answer);
        if n == 0 || (text.contains("\r\n\r\n") && text.trim_end().ends_with('}')) {
            break;
        }
    }
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

async fn too_large_is_413(backend: Backend) {
    let s = TestServer::start(backend).await;
    let limit = 20 * 1024 * 1024;
    // Exactly at the limit is read (and then refused as not a log).
    let resp = s
        .client
        .post(s.url("/api/logs"))
        .header("content-type", "text/plain")
        .body(vec![b'a'; limit])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    // A Content-Length over the limit: refused before any byte of the body.
    let (status, body) = raw_request(
        s.addr,
        &format!(
            "POST /api/logs HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n",
            limit + 1
        ),
        b"",
    )
    .await;
    assert_eq!(status, 413);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["code"], "too_large");
    assert!(v["error"].as_str().unwrap().contains("20971520"));
    // Chunked, no length: refused once the limit is crossed.
    let mut chunked = Vec::new();
    for size in [limit / 2, limit / 2, 1] {
        chunked.extend_from_slice(format!("{size:x}\r\n").as_bytes());
        chunked.extend(std::iter::repeat_n(b'b', size));
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (status, body) = raw_request(
        s.addr,
        "POST /api/logs HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n",
        &chunked,
    )
    .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["code"],
        "too_large"
    );
    s.stop().await;
}

async fn not_a_log_is_422_with_reason(backend: Backend) {
    let s = TestServer::start(backend).await;
    let resp = s
        .client
        .post(s.url("/api/logs"))
        .header("content-type", "text/plain")
        .body("hello\nthis is not a bisection log\n")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["code"], "not_a_bisection_log");
    let expected = bisect_log::parse("hello\nthis is not a bisection log\n")
        .unwrap_err()
        .to_string();
    assert!(v["error"].as_str().unwrap().ends_with(&expected), "{v}");
    assert!(expected.starts_with("line "), "{expected}");
    assert!(
        v["line"].as_u64().is_some() && v["column"].as_u64().is_some(),
        "{v}"
    );
    // Empty body.
    let resp = s
        .client
        .post(s.url("/api/logs"))
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    s.stop().await;
}

async fn pagination(backend: Backend) {
    let s = TestServer::start(backend).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let body = if i % 2 == 0 {
            seed(SEED_A)
        } else {
            seed(SEED_B)
        };
        ids.push(s.upload(body, Some(&format!("log{i}.txt"))).await);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let mut req = s.client.get(s.url("/api/logs")).query(&[("limit", "2")]);
        if let Some(c) = &cursor {
            req = req.query(&[("cursor", c.as_str())]);
        }
        let page: Value = req.send().await.unwrap().json().await.unwrap();
        let logs = page["logs"].as_array().unwrap();
        pages.push(logs.len());
        for l in logs {
            seen.push(l["id"].as_str().unwrap().to_string());
            assert_eq!(l["url"], format!("/s/{}", l["id"].as_str().unwrap()));
            assert_eq!(l["outcome"], "culprit");
            assert!(l["title"].is_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, vec![2, 2, 1]);
    let mut sorted_seen = seen.clone();
    sorted_seen.sort();
    sorted_seen.dedup();
    assert_eq!(sorted_seen.len(), 5, "no log twice: {seen:?}");
    ids.sort();
    assert_eq!(sorted_seen, ids);
    // Newest first.
    let all: Value = s.get_json("/api/logs").await;
    let ms: Vec<i64> = all["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["created_ms"].as_i64().unwrap())
        .collect();
    assert!(ms.windows(2).all(|w| w[0] >= w[1]), "{ms:?}");
    for bad in [("limit", "0"), ("limit", "201"), ("cursor", "nonsense")] {
        let resp = s
            .client
            .get(s.url("/api/logs"))
            .query(&[bad])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{bad:?}");
    }
    s.stop().await;
}

/// `bisect-log summary FILE`'s object for the same file: the CLI's own code
/// path (`Summary::new(path, parse_bytes(..))`), and the CLI binary itself when
/// it is built (`cargo build -p bisect-log-cli`).
async fn summary_equals_cli(backend: Backend) {
    let s = TestServer::start(backend).await;
    let mut files: Vec<std::path::PathBuf> = vec![
        common::shared_dir().join("corpus/seeds").join(SEED_A),
        common::shared_dir().join("corpus/seeds").join(SEED_B),
    ];
    let mut corpus: Vec<_> = std::fs::read_dir(common::shared_dir().join("corpus/syzbot"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    corpus.sort();
    files.extend(corpus.into_iter().step_by(97).take(12));
    let cli = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.join("bisect-log")))
        .filter(|p| p.is_file());
    if cli.is_none() {
        eprintln!(
            "note: bisect-log CLI binary not built; comparing with its library code path only"
        );
    }
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.to_str().unwrap();
        let id = s.upload(bytes.clone(), Some(name)).await;
        let resp = s
            .client
            .get(s.url(&format!("/api/logs/{id}/summary")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "application/json");
        let got: Value = resp.json().await.unwrap();
        let expected = serde_json::to_value(bisect_log::Summary::new(
            name,
            &bisect_log::parse_bytes(&bytes).unwrap(),
        ))
        .unwrap();
        assert_eq!(got, expected, "{name}");
        if let Some(cli) = &cli {
            let out = std::process::Command::new(cli)
                .arg("summary")
                .arg(&path)
                .output()
                .unwrap();
            let from_cli: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(got, from_cli, "{name}");
        }
    }
    s.stop().await;
}

async fn unknown_ids_are_404_json(backend: Backend) {
    let s = TestServer::start(backend).await;
    for path in [
        "/api/logs/0123456789abcdef",
        "/api/logs/0123456789abcdef/summary",
        "/api/logs/0123456789abcdef/annotations",
        "/api/logs/..%2F..%2Fetc",
        "/api/jobs/0123456789abcdef",
        "/api/jobs/0123456789abcdef/log",
        "/api/jobs/0123456789abcdef/steps",
        "/api/jobs/0123456789abcdef/events",
        "/api/nothing-here",
        "/api/",
        "/api",
    ] {
        let resp = s.client.get(s.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["code"], "not_found", "{path}");
        assert!(v["error"].is_string());
    }
    s.stop().await;
}

async fn openapi_lists_every_path(backend: Backend) {
    let s = TestServer::start(backend).await;
    let doc: Value = s.get_json("/api/openapi.json").await;
    use bisect_server::paths::*;
    for p in [
        LOGS,
        LOG,
        LOG_SUMMARY,
        LOG_ANNOTATIONS,
        FETCH,
        JOBS,
        JOB,
        JOB_LOG,
        JOB_STEPS,
        JOB_EVENTS,
        JOB_CANCEL,
    ] {
        assert!(
            doc["paths"][p].is_object(),
            "{p} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["JobRequest"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    s.stop().await;
}

/// The allowlisted "upstream" for the link proxy: 127.0.0.1 on its own port.
async fn upstream() -> (
    u16,
    tokio::task::JoinHandle<()>,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use axum::http::{header, StatusCode};
    use axum::routing::get;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = hits.clone();
    let app = axum::Router::new()
        .route(
            "/x/bisect.txt",
            get(move || {
                let h = h.clone();
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    seed(SEED_A)
                }
            }),
        )
        .route(
            "/same-host-redirect",
            get(|| async {
                (StatusCode::FOUND, [(header::LOCATION, "/x/bisect.txt")]).into_response()
            }),
        )
        .route(
            "/other-host-redirect",
            get(move || async move {
                (
                    StatusCode::FOUND,
                    [(
                        header::LOCATION,
                        format!("http://localhost:{port}/x/bisect.txt"),
                    )],
                )
                    .into_response()
            }),
        )
        .route("/big", get(|| async { vec![b'x'; 20 * 1024 * 1024 + 10] }))
        .route(
            "/big-chunked",
            get(|| async {
                let chunks = (0..25).map(|_| Ok::<_, std::io::Error>(vec![b'y'; 1024 * 1024]));
                axum::body::Body::from_stream(futures_util::stream::iter(chunks))
            }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(10)).await;
                seed(SEED_B)
            }),
        )
        .route("/not-a-log", get(|| async { "<html>hello</html>" }))
        .route("/missing", get(|| async { StatusCode::NOT_FOUND }));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (port, task, hits)
}

async fn fetch_proxy(backend: Backend) {
    let (port, upstream_task, hits) = upstream().await;
    let s = TestServer::with(
        backend,
        Options {
            fetch_allow: vec![format!("127.0.0.1:{port}")],
            fetch_timeout_s: 2,
            ..Options::default()
        },
    )
    .await;
    let fetch = |url: String| {
        let req = s.client.get(s.url("/api/fetch")).query(&[("url", url)]);
        async move { req.send().await.unwrap() }
    };
    let up = |path: &str| format!("http://127.0.0.1:{port}{path}");

    // Fetched, stored, returned.
    let resp = fetch(up("/x/bisect.txt?x=123")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-bisect-lens-source"], "fetched");
    let id = resp.headers()["x-bisect-lens-log-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        resp.bytes().await.unwrap().as_ref(),
        seed(SEED_A).as_slice()
    );
    let stored = s
        .client
        .get(s.url(&format!("/api/logs/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        stored.bytes().await.unwrap().as_ref(),
        seed(SEED_A).as_slice()
    );
    let list: Value = s.get_json("/api/logs").await;
    assert_eq!(list["logs"][0]["source_url"], up("/x/bisect.txt?x=123"));

    // A same-host redirect is followed.
    let resp = fetch(up("/same-host-redirect")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);

    // Refused: other hosts (never contacted), other ports, other schemes.
    for url in [
        "http://127.0.0.2:1/x".to_string(),
        format!("http://localhost:{port}/x/bisect.txt"),
        "http://127.0.0.1:1/x".to_string(),
        "https://example.com/x".to_string(),
        "file:///etc/passwd".to_string(),
        format!("http://user:pw@127.0.0.1:{port}/x/bisect.txt"),
    ] {
        let resp = fetch(url.clone()).await;
        assert_eq!(resp.status(), 403, "{url}");
        assert_eq!(
            resp.json::<Value>().await.unwrap()["code"],
            "fetch_host_refused",
            "{url}"
        );
    }
    let resp = fetch("not a url".into()).await;
    assert_eq!(resp.status(), 400);

    // A redirect to another host is refused.
    let resp = fetch(up("/other-host-redirect")).await;
    assert_eq!(resp.status(), 502);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["code"], "fetch_upstream");
    assert!(v["error"].as_str().unwrap().contains("another host"), "{v}");

    // Too big, by length and by stream.
    for path in ["/big", "/big-chunked"] {
        let resp = fetch(up(path)).await;
        assert_eq!(resp.status(), 502, "{path}");
        assert_eq!(
            resp.json::<Value>().await.unwrap()["code"],
            "fetch_too_large",
            "{path}"
        );
    }

    // Slow: refused at the timeout (2 s), not after the answer (10 s).
    let t = Instant::now();
    let resp = fetch(up("/slow")).await;
    assert_eq!(resp.status(), 504);
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], "fetch_timeout");
    assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());

    // Not a log; upstream 404.
    let resp = fetch(up("/not-a-log")).await;
    assert_eq!(resp.status(), 422);
    let resp = fetch(up("/missing")).await;
    assert_eq!(resp.status(), 502);
    assert!(resp.json::<Value>().await.unwrap()["error"]
        .as_str()
        .unwrap()
        .contains("404"));

    // Nothing failed was stored.
    let list: Value = s.get_json("/api/logs").await;
    assert_eq!(list["logs"].as_array().unwrap().len(), 2);

    // With the upstream gone, a URL fetched before still opens, from the store.
    upstream_task.abort();
    let _ = upstream_task.await;
    let resp = fetch(up("/x/bisect.txt?x=123")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-bisect-lens-source"], "stored");
    assert_eq!(resp.headers()["x-bisect-lens-log-id"].to_str().unwrap(), id);
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
    s.stop().await;
}

fn job_request(repo: &str) -> Value {
    json!({"repo": repo, "good": "HEAD~3", "bad": "HEAD", "command": ["/bin/true"], "runs": 3, "timeout_s": 10})
}

async fn jobs_need_the_token(backend: Backend) {
    let s = TestServer::start(backend).await;
    make_repo(&s.tmp.path().join("repos/r"), 4, 2);
    let post = |auth: Option<&str>| {
        let mut req = s.client.post(s.url("/api/jobs")).json(&job_request("r"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        async move { req.send().await.unwrap() }
    };
    for auth in [
        None,
        Some("Bearer wrong-token"),
        Some("Bearer "),
        Some(TOKEN),
        Some(&format!("Basic {TOKEN}")),
        Some(&format!("Bearer {TOKEN}x")),
        Some(&format!("Bearer {}", &TOKEN[..TOKEN.len() - 1])),
    ] {
        let resp = post(auth).await;
        assert_eq!(resp.status(), 401, "{auth:?}");
        assert_eq!(resp.json::<Value>().await.unwrap()["code"], "unauthorized");
    }
    let resp = post(Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(resp.status(), 201);
    let id = id_of(resp).await;
    // Cancel needs it too.
    let resp = s
        .client
        .post(s.url(&format!("/api/jobs/{id}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    s.stop().await;

    // A server without a token refuses every job.
    let s = TestServer::with(
        backend,
        Options {
            token: None,
            ..Options::default()
        },
    )
    .await;
    let resp = s
        .client
        .post(s.url("/api/jobs"))
        .header("authorization", format!("Bearer {TOKEN}"))
        .json(&job_request("r"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], "jobs_disabled");
    s.stop().await;
}

async fn jobs_refuse_paths_outside_the_root(backend: Backend) {
    let s = TestServer::start(backend).await;
    let root = s.tmp.path().join("repos");
    make_repo(&root.join("inside"), 3, 2);
    let outside = s.tmp.path().join("outside");
    make_repo(&outside, 3, 2);
    std::os::unix::fs::symlink(&outside, root.join("link-out")).unwrap();
    std::os::unix::fs::symlink(root.join("inside"), root.join("link-in")).unwrap();
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::os::unix::fs::symlink("../../outside", root.join("sub/rel-out")).unwrap();
    for repo in [
        "../outside",
        "inside/../../outside",
        "./../outside",
        outside.to_str().unwrap(),
        "/etc",
        "link-out",
        "sub/rel-out",
        "",
        ".",
        "missing",
        "sub",
    ] {
        let resp = s.post_job(&job_request(repo)).await;
        assert_eq!(resp.status(), 422, "{repo:?}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["code"], "invalid", "{repo:?}");
    }
    for repo in ["inside", "link-in", "./inside"] {
        let resp = s.post_job(&job_request(repo)).await;
        assert_eq!(resp.status(), 201, "{repo:?}");
    }
    s.stop().await;
}

async fn jobs_limits(backend: Backend) {
    let s = TestServer::start(backend).await;
    make_repo(&s.tmp.path().join("repos/r"), 3, 2);
    let base = job_request("r");
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, status) in [
        (with("runs", json!(101)), 422),
        (with("runs", json!(0)), 422),
        (with("runs", json!(100)), 201),
        (with("timeout_s", json!(0)), 422),
        (with("timeout_s", json!(6 * 3600 + 1)), 422),
        (with("command", json!([])), 422),
        (with("command", json!([""])), 422),
        (with("command", json!("sh -c 'rm -rf /'")), 400),
        (with("good", json!("--output=/tmp/x")), 422),
        (with("bad", json!("HEAD; rm -rf /")), 422),
        (with("kind", json!("sideways")), 400),
        (with("kind", json!("fix")), 201),
        (with("extra", json!(1)), 400),
        (with("runs", json!(-1)), 400),
    ] {
        let resp = s.post_job(&body).await;
        assert_eq!(resp.status(), status, "{body}");
        let v: Value = resp.json().await.unwrap();
        if status != 201 {
            assert!(v["error"].is_string(), "{v}");
        }
    }
    // Body over 64 KiB.
    let big = with("command", json!(vec!["x".repeat(1000); 70]));
    let resp = s.post_job(&big).await;
    assert_eq!(resp.status(), 413);
    s.stop().await;
}

async fn queued_job_round_trip_and_cancel(backend: Backend) {
    // No worker: the job stays queued until cancelled.
    let s = TestServer::start(backend).await;
    make_repo(&s.tmp.path().join("repos/r"), 3, 2);
    let resp = s.post_job(&job_request("r")).await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["url"], format!("/jobs/{id}"));
    let job: Value = s.get_json(&format!("/api/jobs/{id}")).await;
    assert_eq!(job["state"], "queued");
    assert_eq!(job["culprit"], Value::Null);
    assert_eq!(job["candidates"], json!([]));
    assert_eq!(job["error"], Value::Null);
    assert_eq!(job["tested_commits"], 0);
    assert_eq!(job["request"], {
        let mut r = job_request("r");
        r["kind"] = json!("cause");
        r
    });
    let log = s
        .client
        .get(s.url(&format!("/api/jobs/{id}/log")))
        .send()
        .await
        .unwrap();
    assert_eq!(log.status(), 200);
    assert_eq!(log.text().await.unwrap(), "");
    let resp = s
        .client
        .post(s.url(&format!("/api/jobs/{id}/cancel")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["state"], "cancelled");
    // The event stream of a finished job: its final state, then the end.
    let text = tokio::time::timeout(
        Duration::from_secs(10),
        s.client
            .get(s.url(&format!("/api/jobs/{id}/events")))
            .send()
            .await
            .unwrap()
            .text(),
    )
    .await
    .expect("the stream of a finished job ends")
    .unwrap();
    assert!(text.contains("event: state"), "{text}");
    assert!(text.contains("\"state\":\"cancelled\""), "{text}");
    s.stop().await;
}

async fn spa_fallback(backend: Backend) {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>bisect-lens</title>",
    )
    .unwrap();
    std::fs::write(dist.path().join("app.js"), "console.log(1)").unwrap();
    let s = TestServer::with(
        backend,
        Options {
            dist: Some(dist.path().to_path_buf()),
            ..Options::default()
        },
    )
    .await;
    for path in [
        "/",
        "/s/0123456789abcdef",
        "/jobs/0123456789abcdef",
        "/library",
    ] {
        let resp = s.client.get(s.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("<title>bisect-lens</title>"),
            "{path}"
        );
    }
    let js = s.client.get(s.url("/app.js")).send().await.unwrap();
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert_eq!(js.text().await.unwrap(), "console.log(1)");
    let api = s.client.get(s.url("/api/unknown")).send().await.unwrap();
    assert_eq!(api.status(), 404);
    assert_eq!(api.json::<Value>().await.unwrap()["code"], "not_found");
    s.stop().await;
}

async fn preload_once(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("more")).unwrap();
    std::fs::write(dir.path().join("a.txt"), seed(SEED_A)).unwrap();
    std::fs::write(dir.path().join("more/b.txt"), seed(SEED_B)).unwrap();
    std::fs::write(dir.path().join("README"), "not a log\n").unwrap();
    let opts = |database: Option<String>| Options {
        preload: vec![dir.path().to_path_buf()],
        database,
        ..Options::default()
    };
    let list = |s: &TestServer| {
        let req = s.client.get(s.url("/api/logs"));
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let first = TestServer::with(backend, opts(None)).await;
    let logs = list(&first).await;
    let mut names: Vec<&str> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["a.txt", "b.txt"],
        "logs preloaded, the other file skipped"
    );
    let database = first.database.clone();
    // Started again on the same database with the same directory (the first
    // server still holds the SQLite file's directory): nothing twice.
    let second = TestServer::with(backend, opts(Some(database))).await;
    assert_eq!(list(&second).await["logs"].as_array().unwrap().len(), 2);
    second.stop().await;
    first.stop().await;
}
