//! One run of the test command: argv (no shell), own process group, timeout
//! and cancellation kill the whole group.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;
use tokio::process::Command;

use super::{CancellationToken, EngineError, RunOutcome};

/// Longest crash title kept (characters).
pub const MAX_TITLE: usize = 200;

/// How a run of the command ended, before the retry policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub outcome: RunOutcome,
    pub signature: Option<String>,
    pub duration: Duration,
}

/// What stdout told us: the last non-empty line that is not a signature
/// line, and the last `signature: <hex>` value.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct StdoutInfo {
    pub last_line: Option<String>,
    pub signature: Option<String>,
}

impl StdoutInfo {
    pub fn feed(&mut self, line: &str) {
        let line = line.trim_end_matches(['\r', '\n']);
        if let Some(sig) = signature_of(line) {
            self.signature = Some(sig.to_string());
            return;
        }
        let t = line.trim();
        if !t.is_empty() {
            self.last_line = Some(truncate_title(t));
        }
    }
}

/// `signature: <hex>` → the hex.
pub fn signature_of(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("signature:")?.trim();
    (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_hexdigit())).then_some(rest)
}

fn truncate_title(t: &str) -> String {
    // Control characters would break the one-line log format.
    let clean: String = t
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    match clean.char_indices().nth(MAX_TITLE) {
        Some((i, _)) => clean[..i].trim_end().to_string(),
        None => clean.to_string(),
    }
}

/// Maps an exit status to a run outcome (`is_bug` is decided later).
pub fn classify(code: Option<i32>, signal: Option<i32>, info: &StdoutInfo) -> RunOutcome {
    match (code, signal) {
        (Some(0), _) => RunOutcome::Ok,
        (Some(125), _) => RunOutcome::Skip,
        (Some(c @ (126 | 127)), _) => RunOutcome::Infra {
            reason: format!("the test command exited with status {c}"),
        },
        (Some(c), _) => RunOutcome::Crashed {
            title: info
                .last_line
                .clone()
                .unwrap_or_else(|| format!("exit status {c} without output")),
            is_bug: false,
        },
        (None, Some(s)) => RunOutcome::Infra {
            reason: format!("the test command was killed by signal {s}"),
        },
        (None, None) => RunOutcome::Infra {
            reason: "the test command ended without a status".to_string(),
        },
    }
}

/// Kills the process group `pid` (best effort).
pub fn kill_group(pid: Option<u32>) {
    let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) else {
        return;
    };
    if let Some(pid) = rustix::process::Pid::from_raw(pid) {
        // The group may be gone already; nothing to do then.
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// Runs `argv` in `dir` once. Returns `Err(Cancelled)` when `cancel` fired
/// (the process group is killed first). While the command runs, its process
/// group id is in `group_file`, so that a later engine can kill it if this
/// process dies (see `remove_stale_worktrees`).
pub async fn run_once(
    argv: &[String],
    dir: &Path,
    timeout: Duration,
    cancel: &CancellationToken,
    group_file: &Path,
) -> Result<Attempt, EngineError> {
    let start = Instant::now();
    let Some((program, args)) = argv.split_first() else {
        return Err(EngineError::Invalid("empty command".to_string()));
    };
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        // The server's job token is no business of the test command.
        .env_remove("BISECT_LENS_TOKEN")
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Ok(Attempt {
                outcome: RunOutcome::Infra {
                    reason: format!("cannot start the test command: {e}"),
                },
                signature: None,
                duration: start.elapsed(),
            })
        }
    };
    let pid = child.id();
    if let Some(pid) = pid {
        let _ = tokio::fs::write(group_file, pid.to_string()).await;
    }
    let reader = child.stdout.take().map(|mut out| {
        tokio::spawn(async move {
            // Lines are processed as they come and each is kept up to
            // MAX_LINE bytes, so memory stays bounded whatever the command
            // prints; stdout is drained to the end so the command never
            // blocks on a full pipe.
            const MAX_LINE: usize = 4096;
            let mut info = StdoutInfo::default();
            let mut line: Vec<u8> = Vec::new();
            let mut buf = vec![0u8; 8192];
            loop {
                let n = match out.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                for &b in &buf[..n] {
                    if b == b'\n' {
                        info.feed(&String::from_utf8_lossy(&line));
                        line.clear();
                    } else if line.len() < MAX_LINE {
                        line.push(b);
                    }
                }
            }
            if !line.is_empty() {
                info.feed(&String::from_utf8_lossy(&line));
            }
            info
        })
    });
    enum End {
        Exited(std::io::Result<std::process::ExitStatus>),
        Timeout,
        Cancelled,
    }
    let end = tokio::select! {
        status = child.wait() => End::Exited(status),
        _ = tokio::time::sleep(timeout) => End::Timeout,
        _ = cancel.cancelled() => End::Cancelled,
    };
    // Whatever happened, nothing of the group may outlive the run.
    kill_group(pid);
    let _ = child.wait().await;
    let _ = tokio::fs::remove_file(group_file).await;
    let info = match reader {
        Some(handle) => match tokio::time::timeout(Duration::from_secs(2), handle).await {
            Ok(Ok(info)) => info,
            _ => StdoutInfo::default(),
        },
        None => StdoutInfo::default(),
    };
    let outcome = match end {
        End::Cancelled => return Err(EngineError::Cancelled),
        End::Timeout => RunOutcome::Infra {
            reason: format!("timed out after {}s", timeout.as_secs_f64()),
        },
        End::Exited(Err(e)) => RunOutcome::Infra {
            reason: format!("cannot wait for the test command: {e}"),
        },
        End::Exited(Ok(status)) => {
            use std::os::unix::process::ExitStatusExt;
            classify(status.code(), status.signal(), &info)
        }
    };
    Ok(Attempt {
        outcome,
        signature: info.signature,
        duration: start.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_signatures() {
        let mut info = StdoutInfo::default();
        for l in [
            "building",
            "signature: 00ff",
            "KASAN: use-after-free in foo",
            "  ",
            "signature: abc1",
            "",
        ] {
            info.feed(l);
        }
        assert_eq!(
            info.last_line.as_deref(),
            Some("KASAN: use-after-free in foo")
        );
        assert_eq!(info.signature.as_deref(), Some("abc1"));
        assert_eq!(signature_of("signature: xyz"), None);
        let long = "x".repeat(300);
        let mut info = StdoutInfo::default();
        info.feed(&long);
        assert_eq!(info.last_line.map(|l| l.chars().count()), Some(MAX_TITLE));
    }

    #[test]
    fn exit_codes() {
        let info = StdoutInfo {
            last_line: Some("BUG: x".into()),
            signature: None,
        };
        assert_eq!(classify(Some(0), None, &info), RunOutcome::Ok);
        assert_eq!(classify(Some(125), None, &info), RunOutcome::Skip);
        assert!(matches!(
            classify(Some(126), None, &info),
            RunOutcome::Infra { .. }
        ));
        assert!(matches!(
            classify(Some(127), None, &info),
            RunOutcome::Infra { .. }
        ));
        assert!(matches!(
            classify(None, Some(9), &info),
            RunOutcome::Infra { .. }
        ));
        assert_eq!(
            classify(Some(1), None, &info),
            RunOutcome::Crashed {
                title: "BUG: x".into(),
                is_bug: false
            }
        );
    }
}
