//! One insta snapshot per fixture file: an outline of the parsed model that a
//! reviewer can read (roles, verdicts, runs, git steps, notes, outcome, report
//! structure, unrecognized lines), plus a byte-exact round trip of each file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use bisect_log::report::Report;
use bisect_log::*;

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    for dir in ["real", "seeds", "made", "excerpts"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "txt") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn short(h: &str) -> &str {
    &h[..h.len().min(12)]
}

fn runs(t: &TestBlock) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for r in t.runs.as_slice() {
        let label = match r.result.text() {
            None => "OK".to_string(),
            Some(text) => format!(
                "{}: {}",
                r.result.outcome(),
                text.chars().take(60).collect::<String>()
            ),
        };
        match counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
    }
    let prefix = if matches!(t.runs, Runs::All(_)) {
        "all "
    } else {
        ""
    };
    counts
        .iter()
        .map(|(l, n)| format!("{prefix}{n}x {l}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn report(r: &Report) -> String {
    r.sections
        .iter()
        .map(|s| {
            let kind = format!("{:?}", s.kind);
            if s.frames.is_empty() {
                kind
            } else {
                format!(
                    "{kind}({} frames, first {})",
                    s.frames.len(),
                    s.frames[0].function
                )
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn crash(out: &mut String, c: &Crash) {
    let _ = writeln!(
        out,
        "  crash L{}-{}: {:?}",
        c.span.first, c.span.last, c.title
    );
    let _ = writeln!(out, "    report: {}", report(&c.report));
}

fn outline(b: &Bisection) -> String {
    let mut out = String::new();
    let h = &b.header;
    let _ = writeln!(
        out,
        "{:?} log, {} lines, crlf={}, invalid utf8 lines {:?}",
        b.kind, b.line_count, b.crlf, b.invalid_utf8_lines
    );
    let _ = writeln!(
        out,
        "header: host={:?} start={:?} syzkaller={:?} notes={:?}",
        h.host.as_ref().map(|x| &x.host),
        h.start_commit.as_deref().map(short),
        h.syzkaller_commit.as_deref().map(short),
        h.notes
    );
    for e in &b.body {
        match e {
            Entry::Test(t) => {
                let _ = writeln!(
                    out,
                    "L{}-{} test {:?} {} {} sig={} subject={:?}",
                    t.span.first,
                    t.span.last,
                    t.role,
                    short(&t.commit),
                    t.verdict.as_str(),
                    t.signature.as_deref().map_or("-", |s| &s[..s.len().min(8)]),
                    t.subject
                        .as_deref()
                        .map(|s| s.chars().take(50).collect::<String>())
                );
                for f in &t.failures {
                    let _ = writeln!(
                        out,
                        "    failure {:?}: {:?} (+{} lines)",
                        f.kind,
                        f.text.chars().take(70).collect::<String>(),
                        f.more.len()
                    );
                }
                if t.runs != Runs::None {
                    let _ = writeln!(out, "    runs: {}", runs(t));
                }
                if let Some(rc) = &t.representative_crash {
                    let _ = writeln!(out, "    representative: {:?} {:?}", rc.title, rc.types);
                }
                if let Some(p) = t.false_negative_chance {
                    let _ = writeln!(out, "    false negative chance {p}");
                }
                if t.flaky || t.too_many_neither || t.undetermined.is_some() {
                    let _ = writeln!(
                        out,
                        "    flaky={} too_many_neither={} undetermined={:?}",
                        t.flaky, t.too_many_neither, t.undetermined
                    );
                }
            }
            Entry::Git(g) => {
                let cmd = match &g.command {
                    GitCommand::Start { bad, good } => {
                        format!("start {} {}", short(bad), short(good))
                    }
                    GitCommand::Mark { verdict, commit } => {
                        format!("{} {}", verdict.as_str(), short(commit))
                    }
                };
                let outs: Vec<String> = g
                    .output
                    .iter()
                    .map(|o| match o {
                        GitOutput::Bisecting { revisions, steps } => {
                            format!("{revisions} left/{steps} steps")
                        }
                        GitOutput::Current { commit, .. } => format!("next {}", short(commit)),
                        GitOutput::FirstBad(c) => format!(
                            "first bad {} by {:?}, {} message lines, paths {:?}, merge {:?}",
                            short(&c.commit),
                            c.author,
                            c.message.len(),
                            c.paths().collect::<Vec<_>>(),
                            c.merge_parents
                        ),
                        GitOutput::Text { line } => {
                            format!("text {:?}", line.chars().take(60).collect::<String>())
                        }
                        other => format!("{other:?}"),
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "L{}-{} git {cmd}: {}{}",
                    g.span.first,
                    g.span.last,
                    outs.join("; "),
                    if g.blank_after { " +blank" } else { "" }
                );
            }
            Entry::Note(n) => {
                let _ = writeln!(
                    out,
                    "L{}-{} note {:?} (+{} lines)",
                    n.span.first,
                    n.span.last,
                    n.kind,
                    n.more.len()
                );
            }
        }
    }
    if let Some(r) = &b.trailer.revisions {
        let _ = writeln!(out, "revisions: {} in {:?}s", r.tested, r.total.seconds);
    }
    match &b.trailer.outcome {
        Outcome::Culprit(c) => {
            let _ = writeln!(
                out,
                "outcome: culprit {} {:?} recipients={:?}",
                c.commit, c.title, c.recipients
            );
            if let Some(x) = &c.crash {
                crash(&mut out, x);
            }
        }
        Outcome::NothingToBisect(n) => {
            let _ = writeln!(
                out,
                "outcome: {:?} commit msg {:?}",
                n.wording, n.commit_msg
            );
            if let Some(x) = &n.crash {
                crash(&mut out, x);
            }
        }
        Outcome::Inconclusive { candidates, .. } => {
            let _ = writeln!(
                out,
                "outcome: inconclusive {:?}",
                candidates.iter().map(|c| short(c)).collect::<Vec<_>>()
            );
        }
        Outcome::Error { text, more, .. } => {
            let _ = writeln!(
                out,
                "outcome: error {:?} (+{} lines)",
                text.chars().take(100).collect::<String>(),
                more.len()
            );
        }
        Outcome::Incomplete => {
            let _ = writeln!(out, "outcome: incomplete");
        }
    }
    for u in &b.unrecognized {
        let _ = writeln!(
            out,
            "unrecognized L{}: {:?}",
            u.line,
            u.text.chars().take(100).collect::<String>()
        );
    }
    out
}

#[test]
fn fixtures_snapshot_and_round_trip() {
    let files = fixtures();
    assert!(
        files.len() >= 30,
        "expected the fixture set, found {} files",
        files.len()
    );
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let dir = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let name = format!("{dir}__{}", path.file_stem().unwrap().to_string_lossy());
        let b = parse_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            write(&b),
            String::from_utf8_lossy(&bytes),
            "{name}: round trip"
        );
        insta::assert_snapshot!(name, outline(&b));
    }
}
