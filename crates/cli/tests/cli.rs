//! The `bisect-log` binary as scripts use it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bisect-log"))
}

fn seed(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../bisect-log/tests/fixtures/seeds")
        .join(name)
}

fn summaries(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn summary_has_the_documented_keys_in_argument_order() {
    let a = seed("004_dd38629cfa7ebbde.txt");
    let b = seed("000_9f5fff6f4365948f.txt");
    let out = bin().arg("summary").arg(&a).arg(&b).output().unwrap();
    assert!(out.status.success());
    let lines = summaries(&out.stdout);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["file"], a.display().to_string());
    assert_eq!(lines[1]["file"], b.display().to_string());
    let first = &lines[0];
    for key in [
        "file",
        "kind",
        "outcome",
        "culprit",
        "candidates",
        "oldest_release_commit",
        "error",
        "tested_commits",
        "revisions_tested",
        "lines",
        "unrecognized_lines",
    ] {
        assert!(first.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(first["kind"], "cause");
    assert_eq!(first["outcome"], "culprit");
    assert_eq!(first["culprit"], "7c25c0d16ef3c37e49c593ac92f69fa3884d4bb9");
    assert_eq!(first["tested_commits"], 15);
    assert_eq!(first["revisions_tested"], 15);
    assert_eq!(first["unrecognized_lines"], 0);
    assert_eq!(
        lines[1]["culprit"],
        "7e923e6a3ceb877497dd9ee70d71fa33b94f332b"
    );
}

#[test]
fn unreadable_file_is_named_on_stderr_and_the_rest_still_processed() {
    let missing = PathBuf::from("/nonexistent/bisect.txt");
    let out = bin()
        .arg("summary")
        .arg(&missing)
        .arg(seed("004_dd38629cfa7ebbde.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/bisect.txt"));
    assert_eq!(summaries(&out.stdout).len(), 1);
}

#[test]
fn content_never_fails_a_summary() {
    let dir = std::env::temp_dir().join(format!("bisect-log-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junk = dir.join("junk.txt");
    std::fs::write(&junk, b"\xff\xfe not a log\nat all\n").unwrap();
    let out = bin().arg("summary").arg(&junk).output().unwrap();
    assert!(out.status.success());
    let s = &summaries(&out.stdout)[0];
    assert_eq!(s["outcome"], "incomplete");
    assert_eq!(s["lines"], 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn json_is_the_whole_model() {
    let out = bin()
        .arg("json")
        .arg(seed("004_dd38629cfa7ebbde.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let model: bisect_log::Bisection = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(model.tests().count(), 15);
    let text = std::fs::read_to_string(seed("004_dd38629cfa7ebbde.txt")).unwrap();
    assert_eq!(
        bisect_log::write(&model),
        text,
        "the JSON carries everything the writer needs"
    );
}

#[test]
fn show_names_the_culprit_and_uses_no_colour_in_a_pipe() {
    let out = bin()
        .arg("show")
        .arg(seed("004_dd38629cfa7ebbde.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("7c25c0d16ef3c37e49c593ac92f69fa3884d4bb9"));
    assert!(
        !text.contains('\x1b'),
        "no escape codes when stdout is not a terminal"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(bin().output().unwrap().status.code(), Some(2));
    assert_eq!(
        bin().arg("frobnicate").output().unwrap().status.code(),
        Some(2)
    );
}
