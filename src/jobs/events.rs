//! A job as the server describes it (read into the shared
//! [`bisect_log::job::JobStatus`]), the events of its stream
//! (`GET /api/jobs/{id}/events`), and how far its bisection has come.

use bisect_log::job::{
    JobKind, JobProgress, JobRequest, JobStatus, DEFAULT_RUNS, DEFAULT_TIMEOUT_S,
};
use bisect_log::{Bisection, Entry, GitOutput};
use wasm_bindgen::JsValue;

use crate::json::fields as json;

fn count(o: &JsValue, k: &str) -> Option<u32> {
    json::number(o, k)
        .filter(|n| *n >= 0.0)
        .map(|n| n.min(f64::from(u32::MAX)) as u32)
}

fn int(o: &JsValue, k: &str) -> Option<i64> {
    json::number(o, k).map(|n| n as i64)
}

/// Reads the server's job JSON (`GET /api/jobs/{id}`, the `state` event);
/// `None` when it is not one. Fields the page does not need may be missing.
pub fn status_from_json(text: &str) -> Option<JobStatus> {
    let v = json::parse(text)?;
    let state = json::string(&v, "state")?;
    Some(JobStatus {
        id: json::string(&v, "id").unwrap_or_default(),
        state,
        culprit: json::string(&v, "culprit"),
        candidates: json::strings(&v, "candidates"),
        error: json::string(&v, "error"),
        tested_commits: int(&v, "tested_commits").unwrap_or(0),
        cancel_requested: json::boolean(&v, "cancel_requested"),
        created_ms: int(&v, "created_ms").unwrap_or(0),
        updated_ms: int(&v, "updated_ms").unwrap_or(0),
        request: request(&json::field(&v, "request")),
        progress: progress(&json::field(&v, "progress")),
    })
}

fn request(r: &JsValue) -> Option<JobRequest> {
    if !r.is_object() {
        return None;
    }
    Some(JobRequest {
        repo: json::string(r, "repo").unwrap_or_default(),
        good: json::string(r, "good").unwrap_or_default(),
        bad: json::string(r, "bad").unwrap_or_default(),
        command: json::strings(r, "command"),
        runs: count(r, "runs").unwrap_or(DEFAULT_RUNS),
        timeout_s: json::number(r, "timeout_s")
            .filter(|n| *n >= 0.0)
            .map_or(DEFAULT_TIMEOUT_S, |n| n as u64),
        kind: json::string(r, "kind")
            .and_then(|k| JobKind::from_name(&k))
            .unwrap_or_default(),
    })
}

fn progress(p: &JsValue) -> Option<JobProgress> {
    if !p.is_object() {
        return None;
    }
    Some(JobProgress {
        role: json::string(p, "role"),
        commit: json::string(p, "commit"),
        runs_done: count(p, "runs_done"),
        steps_done: count(p, "steps_done"),
        steps_left: count(p, "steps_left"),
    })
}

/// One event of the stream.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    /// Log line number `seq` (0-based, never reused).
    Line {
        seq: i64,
        line: String,
    },
    State(Box<JobStatus>),
    /// The lines sent so far were dropped (the job resumed after a server
    /// restart); the whole log follows again.
    Reset,
}

/// Reads one event from its name and data; `None` for anything else
/// (keep-alives, events of later servers, damaged data).
pub fn parse_event(name: &str, data: &str) -> Option<JobEvent> {
    match name {
        "line" => {
            let v = json::parse(data)?;
            let seq = json::number(&v, "seq")?;
            let line = json::string(&v, "line")?;
            Some(JobEvent::Line {
                seq: seq as i64,
                line,
            })
        }
        "state" => status_from_json(data).map(|s| JobEvent::State(Box::new(s))),
        "reset" => Some(JobEvent::Reset),
        _ => None,
    }
}

/// Steps done, and about how many the bisection needs in all, read from
/// the log: every test block is a step, and git's last `Bisecting: N
/// revisions left to test after this (roughly K steps)` says K more follow
/// the commit it has just checked out. `None` before git's first estimate.
pub fn log_progress(b: &Bisection) -> (u32, Option<u32>) {
    let mut done = 0u32;
    let mut expected = None;
    for entry in &b.body {
        match entry {
            Entry::Test(_) => done += 1,
            Entry::Git(g) => {
                for o in &g.output {
                    if let GitOutput::Bisecting { steps, .. } = o {
                        expected = Some(done + 1 + steps);
                    }
                }
            }
            Entry::Note(_) => {}
        }
    }
    (done, expected.map(|e| e.max(done)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const STATE: &str = r#"{"id":"abc","state":"running","culprit":null,"candidates":[],
        "error":null,"tested_commits":4,"cancel_requested":false,"created_ms":1,"updated_ms":2,
        "request":{"repo":"small","good":"a","bad":"b","command":["/bin/true"],"runs":10,
        "timeout_s":30,"kind":"fix"},
        "progress":{"role":"bisect","commit":"c","runs_done":3,"steps_done":4,"steps_left":2}}"#;

    #[wasm_bindgen_test]
    fn state_event() {
        let ev = parse_event("state", STATE);
        assert!(matches!(ev, Some(JobEvent::State(_))), "{ev:?}");
        let s = match ev {
            Some(JobEvent::State(s)) => *s,
            _ => JobStatus::default(),
        };
        assert_eq!(s.id, "abc");
        assert_eq!(s.state, "running");
        assert_eq!(s.culprit, None);
        assert_eq!(s.tested_commits, 4);
        assert_eq!((s.created_ms, s.updated_ms), (1, 2));
        assert_eq!(
            s.request,
            Some(JobRequest {
                repo: "small".into(),
                good: "a".into(),
                bad: "b".into(),
                command: vec!["/bin/true".into()],
                runs: 10,
                timeout_s: 30,
                kind: JobKind::Fix,
            })
        );
        assert_eq!(
            s.progress,
            Some(JobProgress {
                role: Some("bisect".into()),
                commit: Some("c".into()),
                runs_done: Some(3),
                steps_done: Some(4),
                steps_left: Some(2),
            })
        );
        assert!(!s.is_final());
        let done = status_from_json(
            r#"{"id":"abc","state":"done","culprit":"0123","candidates":[],"request":null,"progress":null}"#,
        );
        let done = done.unwrap_or_default();
        assert!(done.is_final());
        assert_eq!(done.culprit.as_deref(), Some("0123"));
        assert_eq!(done.kind(), JobKind::Cause);
        assert_eq!(done.request, None);
        assert_eq!(done.progress, None);
    }

    #[wasm_bindgen_test]
    fn line_and_other_events() {
        assert_eq!(
            parse_event("line", r#"{"seq": 7, "line": "testing commit <b>x</b>"}"#),
            Some(JobEvent::Line {
                seq: 7,
                line: "testing commit <b>x</b>".into()
            })
        );
        // An empty line is a line.
        assert_eq!(
            parse_event("line", r#"{"seq": 0, "line": ""}"#),
            Some(JobEvent::Line {
                seq: 0,
                line: String::new()
            })
        );
        assert_eq!(parse_event("reset", "{}"), Some(JobEvent::Reset));
        assert_eq!(parse_event("line", "not json"), None);
        assert_eq!(parse_event("line", r#"{"line": "no seq"}"#), None);
        assert_eq!(parse_event("state", r#"{"id": "no state"}"#), None);
        assert_eq!(parse_event("message", "x"), None);
    }

    #[wasm_bindgen_test]
    fn progress_from_git_estimates() {
        let log = "\
bisecting cause commit starting from 2222222222222222222222222222222222222222
building syzkaller on 3333333333333333333333333333333333333333
testing commit 2222222222222222222222222222222222222222
all runs: crashed: KASAN: use-after-free Read in flaky_bug
testing commit 1111111111111111111111111111111111111111
all runs: OK
# git bisect start 2222222222222222222222222222222222222222 1111111111111111111111111111111111111111
Bisecting: 19 revisions left to test after this (roughly 4 steps)
[4444444444444444444444444444444444444444] commit 20
testing commit 4444444444444444444444444444444444444444
all runs: OK
# git bisect good 4444444444444444444444444444444444444444
Bisecting: 9 revisions left to test after this (roughly 3 steps)
[5555555555555555555555555555555555555555] commit 30
";
        let b = bisect_log::parse(log);
        assert!(b.is_ok(), "{b:?}");
        if let Ok(b) = b {
            // Three tests; after the fourth (now checked out) about three more.
            assert_eq!(log_progress(&b), (3, Some(7)));
        }
        let start = bisect_log::parse(
            "bisecting cause commit starting from 2222222222222222222222222222222222222222\n",
        );
        if let Ok(b) = start {
            assert_eq!(log_progress(&b), (0, None));
        }
    }
}
