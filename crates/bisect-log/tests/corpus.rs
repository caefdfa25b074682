//! Every real log of `../shared/corpus/syzbot`: nothing unrecognized, the
//! outcome its own trailer states, labels cross-checked, and a lossless round trip.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use bisect_log::{parse_bytes, write, Bisection, Summary};

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/syzbot");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: corpus not found at {} (tests use it when it is beside the checkout)",
            dir.display()
        );
        None
    }
}

fn logs() -> Vec<(String, Vec<u8>)> {
    let Some(dir) = corpus_dir() else {
        return Vec::new();
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_line_is_recognized() {
    let mut bad = Vec::new();
    for (name, bytes) in logs() {
        let b = parse_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        for u in b.unrecognized.iter().take(3) {
            bad.push(format!(
                "{name}:{}: {:?}",
                u.line,
                u.text.chars().take(120).collect::<String>()
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} unrecognized lines, e.g.:\n{}",
        bad.len(),
        bad.iter().take(60).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn writer_gives_back_the_same_text() {
    let mut bad = Vec::new();
    for (name, bytes) in logs() {
        let b = parse_bytes(&bytes).unwrap();
        let text = write(&b);
        let original = String::from_utf8_lossy(&bytes);
        if text != original {
            let line = text
                .lines()
                .zip(original.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            bad.push(format!(
                "{name}: first difference at line {}: wrote {:?} / had {:?}",
                line + 1,
                text.lines().nth(line),
                original.lines().nth(line)
            ));
            continue;
        }
        let again: Bisection = bisect_log::parse(&text).unwrap();
        let mut again = again;
        again.invalid_utf8_lines = b.invalid_utf8_lines.clone();
        if again != b {
            bad.push(format!(
                "{name}: model differs after parse(write(parse(x)))"
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} logs:\n{}",
        bad.len(),
        bad.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// What the log's own trailer says, read with plain string matching
/// independently of the parser.
fn trailer_says(text: &str) -> (String, Vec<String>) {
    let mut last_release_commit = None;
    let mut after_release = false;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("testing release ") {
            after_release = true;
        } else if let Some(rest) = line.strip_prefix("testing commit ") {
            if after_release {
                last_release_commit = Some(rest[..40].to_string());
            }
            after_release = false;
        } else if let Some(rest) = line.strip_prefix("first bad commit: ") {
            return ("culprit".into(), vec![rest[..40].to_string()]);
        } else if line.starts_with("bisection is inconclusive") {
            let hashes = lines
                .take_while(|l| l.len() == 40)
                .map(str::to_string)
                .collect();
            return ("inconclusive".into(), hashes);
        } else if line == "the crash already happened on the oldest tested release"
            || line == "oldest tested release already had the bug or it had kernel test errors"
        {
            return (
                "oldest_release".into(),
                last_release_commit.into_iter().collect(),
            );
        } else if line.starts_with("error: ") {
            return ("error".into(), vec![]);
        }
    }
    ("incomplete".into(), vec![])
}

#[test]
fn outcome_matches_the_trailer() {
    let mut bad = Vec::new();
    for (name, bytes) in logs() {
        let b = parse_bytes(&bytes).unwrap();
        let s = Summary::new(&name, &b);
        let (outcome, commits) = trailer_says(&String::from_utf8_lossy(&bytes));
        let got = match s.outcome.as_str() {
            "culprit" => s.culprit.clone().into_iter().collect(),
            "inconclusive" => s.candidates.clone(),
            "oldest_release" => s.oldest_release_commit.clone().into_iter().collect(),
            _ => vec![],
        };
        if s.outcome != outcome || got != commits {
            bad.push(format!(
                "{name}: trailer says {outcome} {commits:?}, parsed {} {got:?}",
                s.outcome
            ));
        }
        if s.outcome == "error" && s.error.as_deref().unwrap_or("").is_empty() {
            bad.push(format!("{name}: error outcome without text"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Logs whose label disagrees with their own trailer, and why (the trailer wins).
fn label_exception(
    log: &str,
    status: &str,
    result_commit: &str,
    summary: &Summary,
) -> Option<&'static str> {
    if summary.outcome == "inconclusive" && !result_commit.is_empty() {
        return Some(
            "labelled from another bisection attempt than this log, which is inconclusive",
        );
    }
    if summary.outcome == "oldest_release" && result_commit.is_empty() {
        return Some("oldest-release result: the label names no commit");
    }
    let _ = (log, status);
    None
}

#[test]
fn labels_agree_with_the_parsed_culprit() {
    let Some(dir) = corpus_dir() else { return };
    let labels = std::fs::read_to_string(dir.join("../labels.csv")).unwrap();
    let mut checked = 0;
    let mut exceptions: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut bad = Vec::new();
    for row in labels.lines().skip(1) {
        let cols = split_csv(row);
        let (log, status, result_commit) = (&cols[0], &cols[2], &cols[3]);
        if status != "done" && status != "unreliable" {
            continue;
        }
        let bytes = std::fs::read(dir.join(format!("{log}.txt"))).unwrap();
        let b = parse_bytes(&bytes).unwrap();
        let s = Summary::new(log.as_str(), &b);
        if s.culprit.as_deref() == Some(result_commit.as_str()) {
            checked += 1;
        } else if let Some(reason) = label_exception(log, status, result_commit, &s) {
            *exceptions.entry(reason).or_default() += 1;
        } else {
            bad.push(format!(
                "{log}: label {status} {result_commit}, parsed {} {:?}",
                s.outcome, s.culprit
            ));
        }
    }
    eprintln!("labels: {checked} culprits agree; known exceptions: {exceptions:?}");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(checked > 500, "only {checked} labelled culprits checked");
    assert!(
        exceptions.values().sum::<usize>() < 80,
        "too many exceptions: {exceptions:?}"
    );
}

/// Minimal CSV split: quoted fields may contain commas.
fn split_csv(row: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in row.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out
}
