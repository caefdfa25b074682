//! Synthetic repositories and a flaky test script, for the engine's tests
//! and benchmark.
//!
//! A repository is a straight line of commits made with `git fast-import`.
//! Commit `i` (0-based) has a file `pos` holding `i`, and a file `bug` while
//! `i` is in the bug range. [`SCRIPT`] is a small bash test script that reads
//! them and crashes at random: with the bug's title with chance `P_BUG/1000`
//! per run where `bug` exists, and with an unrelated title with chance
//! `P_OTHER/1000` per run everywhere.

use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::process::{Command, Stdio};

/// The bug's crash title printed by [`SCRIPT`].
pub const BUG_TITLE: &str = "KASAN: use-after-free Read in bench_bug_func";
/// The unrelated crash title printed by [`SCRIPT`].
pub const OTHER_TITLE: &str = "WARNING in unrelated_timer_fn";

/// The test script. Arguments: a state directory (for its run counter), a
/// seed, the bug's crash chance and the unrelated crash chance (per mille).
/// Each run draws two numbers by hashing the seed, the commit's position
/// and the run counter kept per position in the state directory, so the same
/// job with the same seed sees the same results, and draws are independent
/// from run to run. It prints the
/// build signature (`signature: <hex>`, a function of the position).
pub const SCRIPT: &str = r#"#!/bin/bash
# usage: test.sh STATE_DIR SEED BUG_PER_MILLE OTHER_PER_MILLE
pos=$(cat pos)
f="$1/count-$pos"
c=$(( $(cat "$f" 2>/dev/null || echo 0) + 1 ))
echo "$c" > "$f"
# An integer hash (xor-shift-multiply rounds) of (seed, position, counter):
# independent draws run after run, unlike a bare LCG of a linear seed.
mix() {
  H=$(( $1 & 0x7fffffff ))
  for i in 1 2 3; do H=$(( (((H >> 16) ^ H) * 0x45d9f3b) & 0x7fffffff )); done
  H=$(( (H >> 16) ^ H ))
}
mix $(( $2 * 1000003 + pos * 7919 + c * 104729 ))
r1=$(( H % 1000 ))
mix $(( H ^ 0x2545f491 ))
r2=$(( H % 1000 ))
printf 'signature: %016x\n' $(( pos * 2654435761 + 1 ))
echo "running reproducer at position $pos"
if [ -e bug ] && [ "$r1" -lt "$3" ]; then
  echo "KASAN: use-after-free Read in bench_bug_func"
  exit 1
fi
if [ "$r2" -lt "$4" ]; then
  echo "WARNING in unrelated_timer_fn"
  exit 1
fi
exit 0
"#;

/// Writes [`SCRIPT`] to `path` (run it as `bash path …`).
pub fn write_script(path: &Path) -> std::io::Result<()> {
    std::fs::write(path, SCRIPT)
}

/// Makes a repository of `commits` commits at `dir` (created) with the bug
/// in commits `bug`; returns the commit hashes, oldest first.
pub fn make_repo(dir: &Path, commits: usize, bug: Range<usize>) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .stdin(Stdio::null())
            .output()
    };
    let out = git(&["init", "-q", "-b", "main"])?;
    if !out.status.success() {
        return Err(std::io::Error::other(format!(
            "git init: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let mut stream = Vec::new();
    for i in 0..commits {
        let msg = format!("synthetic commit {i}\n\nPosition {i} of {commits}.\n");
        let pos = format!("{i}\n");
        let _ = write!(
            stream,
            "commit refs/heads/main\nmark :{}\ncommitter Bench <bench@example.com> {} +0000\ndata {}\n{}",
            i + 1,
            1_700_000_000 + i as u64 * 60,
            msg.len(),
            msg
        );
        if i > 0 {
            let _ = writeln!(stream, "from :{i}");
        }
        let _ = write!(
            stream,
            "deleteall\nM 100644 inline pos\ndata {}\n{}\n",
            pos.len(),
            pos
        );
        if bug.contains(&i) {
            let body = "the bug\n";
            let _ = write!(
                stream,
                "M 100644 inline bug\ndata {}\n{}\n",
                body.len(),
                body
            );
        }
        stream.push(b'\n');
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&stream)?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(std::io::Error::other(format!(
            "git fast-import: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let _ = git(&["checkout", "-q", "-f", "main"])?;
    let out = git(&["rev-list", "--reverse", "main"])?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect())
}
