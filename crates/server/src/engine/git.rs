//! git commands the engine needs, and reading `git bisect`'s answers.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use bisect_log::{CulpritCommit, GitOutput};
use tokio::process::Command;

use super::EngineError;

/// Runs git in one directory.
#[derive(Debug, Clone)]
pub struct Git {
    pub dir: PathBuf,
}

/// stdout of a git command, and its exit code.
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Git {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Git { dir: dir.into() }
    }

    /// Runs `git args…` and returns its output whatever the exit code.
    pub async fn output(&self, args: &[&str]) -> Result<Output, EngineError> {
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(args)
            // Stable, untranslated output that the log parser knows.
            .env("LC_ALL", "C")
            .env("LANGUAGE", "C")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| EngineError::Git {
                args: args.join(" "),
                message: format!("cannot run git: {e}"),
            })?;
        Ok(Output {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// Runs `git args…`, failing on a non-zero exit; returns stdout.
    pub async fn run(&self, args: &[&str]) -> Result<String, EngineError> {
        let out = self.output(args).await?;
        if out.code != Some(0) {
            return Err(EngineError::Git {
                args: args.join(" "),
                message: first_lines(&out.stderr, &out.stdout),
            });
        }
        Ok(out.stdout)
    }

    /// Full hash of a commit-ish.
    pub async fn commit(&self, rev: &str) -> Result<String, EngineError> {
        let spec = format!("{rev}^{{commit}}");
        let out = self
            .run(&[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ])
            .await
            .map_err(|_| {
                EngineError::Invalid(format!("`{rev}` is not a commit of the repository"))
            })?;
        Ok(out.trim().to_string())
    }

    pub async fn subject(&self, commit: &str) -> Result<String, EngineError> {
        Ok(self
            .run(&["log", "-1", "--format=%s", commit, "--"])
            .await?
            .trim_end()
            .to_string())
    }

    pub async fn parents(&self, commit: &str) -> Result<Vec<String>, EngineError> {
        let out = self
            .run(&["rev-list", "--parents", "-n", "1", commit, "--"])
            .await?;
        Ok(out.split_whitespace().skip(1).map(str::to_string).collect())
    }

    pub async fn is_ancestor(&self, a: &str, b: &str) -> Result<bool, EngineError> {
        let out = self.output(&["merge-base", "--is-ancestor", a, b]).await?;
        match out.code {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(EngineError::Git {
                args: format!("merge-base --is-ancestor {a} {b}"),
                message: first_lines(&out.stderr, &out.stdout),
            }),
        }
    }

    /// Runs `git bisect args…` and returns git's output lines. git exits
    /// non-zero when it cannot bisect further; that answer is still output.
    pub async fn bisect(&self, args: &[String]) -> Result<Vec<String>, EngineError> {
        let mut full: Vec<&str> = vec!["bisect"];
        full.extend(args.iter().map(String::as_str));
        let out = self.output(&full).await?;
        let lines: Vec<String> = out.stdout.lines().map(str::to_string).collect();
        let answer = read_answer(&lines);
        if out.code != Some(0) && matches!(answer, Answer::Unknown) {
            return Err(EngineError::Git {
                args: full.join(" "),
                message: first_lines(&out.stderr, &out.stdout),
            });
        }
        Ok(lines)
    }

    /// `git worktree add --detach <path> <commit>`.
    pub async fn add_worktree(&self, path: &Path, commit: &str) -> Result<(), EngineError> {
        let p = path.to_string_lossy();
        self.run(&["worktree", "add", "--detach", "--force", &p, commit])
            .await
            .map(|_| ())
    }

    /// Removes a worktree made by [`Git::add_worktree`] (best effort).
    pub async fn remove_worktree(&self, path: &Path) {
        let p = path.to_string_lossy();
        let _ = self
            .output(&["worktree", "remove", "--force", "--force", &p])
            .await;
        let _ = tokio::fs::remove_dir_all(path).await;
        let _ = self.output(&["worktree", "prune"]).await;
    }
}

fn first_lines(stderr: &str, stdout: &str) -> String {
    let text = if stderr.trim().is_empty() {
        stdout
    } else {
        stderr
    };
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(5)
        .collect();
    if lines.is_empty() {
        "failed without output".to_string()
    } else {
        lines.join(" / ")
    }
}

/// What `git bisect` answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Test this commit next.
    Next {
        commit: String,
        steps_left: Option<u32>,
    },
    /// `H is the first bad commit`.
    FirstBad(String),
    /// Only skipped commits left: these are the candidates.
    OnlySkipped(Vec<String>),
    Unknown,
}

pub fn is_hash(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Reads git's answer from its output lines.
pub fn read_answer(lines: &[String]) -> Answer {
    let mut steps_left = None;
    for (i, line) in lines.iter().enumerate() {
        if let Some((revs, steps)) = bisecting(line) {
            let _ = revs;
            steps_left = Some(steps);
        } else if let Some(commit) = current(line) {
            return Answer::Next {
                commit: commit.0,
                steps_left,
            };
        } else if let Some(h) = line.strip_suffix(" is the first bad commit") {
            if is_hash(h) {
                return Answer::FirstBad(h.to_string());
            }
        } else if line == "There are only 'skip'ped commits left to test." {
            let candidates = lines[i + 1..]
                .iter()
                .filter(|l| is_hash(l))
                .cloned()
                .collect();
            return Answer::OnlySkipped(candidates);
        }
    }
    Answer::Unknown
}

/// `Bisecting: N revision(s) left to test after this (roughly K step(s))`.
fn bisecting(line: &str) -> Option<(u32, u32)> {
    let rest = line.strip_prefix("Bisecting: ")?;
    let (n, rest) = rest.split_once(' ')?;
    let n: u32 = n.parse().ok()?;
    let rest = rest
        .strip_prefix("revisions left to test after this (roughly ")
        .or_else(|| rest.strip_prefix("revision left to test after this (roughly "))?;
    let (k, tail) = rest.split_once(' ')?;
    if tail != "steps)" && tail != "step)" {
        return None;
    }
    Some((n, k.parse().ok()?))
}

/// `[H] subject`.
fn current(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('[')?;
    let (h, subject) = rest.split_once(']')?;
    if !is_hash(h) {
        return None;
    }
    Some((
        h.to_string(),
        subject.strip_prefix(' ').unwrap_or(subject).to_string(),
    ))
}

/// git's output lines as the log model's [`GitOutput`] items.
pub fn to_model(lines: &[String]) -> Vec<GitOutput> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        i += 1;
        if let Some((revisions, steps)) = bisecting(line) {
            out.push(GitOutput::Bisecting { revisions, steps });
        } else if let Some((commit, subject)) = current(line) {
            out.push(GitOutput::Current { commit, subject });
        } else if let Some(h) = line
            .strip_suffix(" is the first bad commit")
            .filter(|h| is_hash(h))
        {
            // The rest is git's `git show` block.
            let block: Vec<String> = lines[i..].to_vec();
            i = lines.len();
            out.push(GitOutput::FirstBad(CulpritCommit::from_lines(
                h.to_string(),
                block,
            )));
        } else if line == "There are only 'skip'ped commits left to test." {
            out.push(GitOutput::OnlySkippedLeft);
        } else if line == "The first bad commit could be any of:" {
            out.push(GitOutput::CouldBeAnyOf);
        } else if is_hash(line) {
            out.push(GitOutput::Candidate {
                commit: line.clone(),
            });
        } else if line == "We cannot bisect more!" {
            out.push(GitOutput::CannotBisectMore);
        } else {
            out.push(GitOutput::Text { line: line.clone() });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn answers() {
        let h = "c0ad8cfb5aeaa6a813ade8a1ecd671a1395d03be";
        let next = v(&[
            "Bisecting: 9 revisions left to test after this (roughly 3 steps)",
            &format!("[{h}] commit number 10"),
        ]);
        assert_eq!(
            read_answer(&next),
            Answer::Next {
                commit: h.to_string(),
                steps_left: Some(3)
            }
        );
        let one = v(&["Bisecting: 1 revision left to test after this (roughly 1 step)"]);
        assert_eq!(bisecting(&one[0]), Some((1, 1)));
        let first = v(&[
            &format!("{h} is the first bad commit"),
            &format!("commit {h}"),
        ]);
        assert_eq!(read_answer(&first), Answer::FirstBad(h.to_string()));
        let skipped = v(&[
            "There are only 'skip'ped commits left to test.",
            "The first bad commit could be any of:",
            h,
            "We cannot bisect more!",
        ]);
        assert_eq!(
            read_answer(&skipped),
            Answer::OnlySkipped(vec![h.to_string()])
        );
        assert_eq!(to_model(&skipped).len(), 4);
    }
}
