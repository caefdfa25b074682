//! The one-line JSON summary shared by the CLI (`bisect-log summary`) and the
//! server (`GET /api/logs/{id}/summary`).

use serde::{Deserialize, Serialize};

use crate::model::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub file: String,
    /// `"cause"` or `"fix"`.
    pub kind: Kind,
    /// `culprit`, `inconclusive`, `oldest_release`, `nothing_to_bisect`, `error`, `incomplete`.
    pub outcome: String,
    pub culprit: Option<String>,
    pub candidates: Vec<String>,
    pub oldest_release_commit: Option<String>,
    pub error: Option<String>,
    pub tested_commits: usize,
    pub revisions_tested: Option<u32>,
    pub lines: u32,
    pub unrecognized_lines: usize,
    /// The bug's title: the crash seen on the original commit, else the final `crash:`.
    pub title: Option<String>,
    /// `"trusted"`, `"suspect"` or `"n/a"` (no single culprit); see [`crate::analysis`].
    pub trust: String,
    /// The tested commit whose verdict most likely went wrong first (40 hex), if any.
    pub suspect_commit: Option<String>,
    /// Codes of the analysis' diagnostics, most serious first.
    pub diagnostics: Vec<String>,
}

impl Summary {
    pub fn new(file: impl Into<String>, b: &Bisection) -> Summary {
        Summary::with_analysis(file, b, &crate::analysis::analyze(b))
    }

    /// The summary of `b` with its already computed analysis.
    pub fn with_analysis(
        file: impl Into<String>,
        b: &Bisection,
        analysis: &crate::analysis::Analysis,
    ) -> Summary {
        let outcome = &b.trailer.outcome;
        Summary {
            file: file.into(),
            kind: b.kind,
            outcome: outcome.name().to_string(),
            culprit: match outcome {
                Outcome::Culprit(c) => Some(c.commit.clone()),
                _ => None,
            },
            candidates: match outcome {
                Outcome::Inconclusive { candidates, .. } => candidates.clone(),
                _ => Vec::new(),
            },
            oldest_release_commit: match outcome {
                Outcome::NothingToBisect(n) if n.wording.is_oldest_release() => {
                    b.last_release_test().map(|t| t.commit.clone())
                }
                _ => None,
            },
            error: match outcome {
                Outcome::Error { .. } => b.error_text(),
                _ => None,
            },
            tested_commits: b.tests().count(),
            revisions_tested: b.trailer.revisions.as_ref().map(|r| r.tested),
            lines: b.line_count,
            unrecognized_lines: b.unrecognized.len(),
            title: b.bug_title().map(str::to_string),
            trust: analysis.trust.as_str().to_string(),
            suspect_commit: analysis.suspect_commit().map(str::to_string),
            diagnostics: analysis
                .diagnostics
                .iter()
                .map(|d| d.code.as_str().to_string())
                .collect(),
        }
    }

    /// The summary of a text that is not a bisection log at all.
    pub fn unparseable(file: impl Into<String>, text: &str, error: &crate::ParseError) -> Summary {
        let lines = text.lines().count() as u32;
        Summary {
            file: file.into(),
            kind: Kind::Cause,
            outcome: "incomplete".to_string(),
            culprit: None,
            candidates: Vec::new(),
            oldest_release_commit: None,
            error: Some(error.to_string()),
            tested_commits: 0,
            revisions_tested: None,
            lines,
            unrecognized_lines: lines as usize,
            title: None,
            trust: crate::analysis::Trust::NotApplicable.as_str().to_string(),
            suspect_commit: None,
            diagnostics: Vec::new(),
        }
    }
}
