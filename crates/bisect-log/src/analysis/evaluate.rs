//! Measuring the analysis on labelled logs (`labels.csv` of the corpus).
//!
//! Populations, as issue 3 defines them: rows with status `done` or
//! `unreliable`, a `ground_truth`, and a log whose `first bad commit:` is the
//! row's `result_commit`. A row is *wrong* when `result_commit` differs from
//! `ground_truth`. Recall = wrong rows marked suspect; false-alarm rate =
//! right rows marked suspect; localization = wrong rows with a
//! `wrong_commit` whose `suspect_commit` equals it. Pure: the caller reads
//! the files.

use serde::{Deserialize, Serialize};

use super::{Analysis, Code, Trust};
use crate::model::Bisection;

/// One row of `labels.csv`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Label {
    pub log: String,
    pub title: String,
    pub status: String,
    pub result_commit: String,
    pub ground_truth: String,
    pub wrong_stage: String,
    pub reason: String,
    pub wrong_commit: String,
}

impl Label {
    /// Whether the row belongs to the measured population at all (before
    /// checking its log).
    pub fn in_population(&self) -> bool {
        matches!(self.status.as_str(), "done" | "unreliable")
            && !self.ground_truth.is_empty()
            && !self.result_commit.is_empty()
    }

    pub fn is_wrong(&self) -> bool {
        self.result_commit != self.ground_truth
    }
}

/// Splits one CSV record (RFC 4180 quoting) into fields.
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cur.is_empty() => quoted = true,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Parses `labels.csv` (header row naming the columns). Rows with a quoted
/// newline are not expected in this file and are read line by line.
pub fn parse_labels(text: &str) -> Result<Vec<Label>, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = fields(lines.next().ok_or("empty labels file")?);
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| format!("labels file has no `{name}` column"))
    };
    let (log, title, status, result) = (
        col("log")?,
        col("title")?,
        col("status")?,
        col("result_commit")?,
    );
    let (truth, stage, reason, wrong) = (
        col("ground_truth")?,
        col("wrong_stage")?,
        col("reason")?,
        col("wrong_commit")?,
    );
    Ok(lines
        .map(|l| {
            let f = fields(l);
            let get = |i: usize| f.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
            Label {
                log: get(log),
                title: get(title),
                status: get(status),
                result_commit: get(result),
                ground_truth: get(truth),
                wrong_stage: get(stage),
                reason: get(reason),
                wrong_commit: get(wrong),
            }
        })
        .collect())
}

/// Which half of the corpus a labelled log belongs to (0 or 1): the parity
/// of the CRC-32 (IEEE) of its name, e.g. `Log_1773834b300000`. Rules are
/// checked on both halves, so that one tuned on a few files shows up as a
/// difference between them.
pub fn half(log: &str) -> usize {
    let mut crc = 0xffff_ffffu32;
    for &byte in log.as_bytes() {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    (!crc % 2) as usize
}

/// Counts for one detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectorRow {
    pub code: Code,
    /// Wrong rows where the detector fired (any severity).
    pub wrong: usize,
    /// Right rows where it fired.
    pub right: usize,
    /// Wrong rows with a `wrong_commit` where this detector chose the
    /// suspect step and it was the labelled one.
    pub localized: usize,
    /// Wrong rows where it chose the suspect step (with a `wrong_commit`).
    pub chose: usize,
}

/// The measurement over a labelled corpus.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Evaluation {
    pub wrong: usize,
    pub wrong_suspect: usize,
    pub right: usize,
    pub right_suspect: usize,
    /// Wrong rows that have a `wrong_commit`.
    pub localizable: usize,
    pub localized: usize,
    /// Population rows left out: log missing, unparseable, or naming another culprit.
    pub skipped: Vec<String>,
    pub detectors: Vec<DetectorRow>,
}

impl Evaluation {
    pub fn recall(&self) -> f64 {
        ratio(self.wrong_suspect, self.wrong)
    }

    pub fn false_alarm_rate(&self) -> f64 {
        ratio(self.right_suspect, self.right)
    }

    pub fn localization(&self) -> f64 {
        ratio(self.localized, self.localizable)
    }

    /// Adds one labelled row. `analysis` is `None` when the log could not be
    /// read; rows outside the population are ignored.
    pub fn add(&mut self, label: &Label, log: Option<(&Bisection, &Analysis)>) {
        if !label.in_population() {
            return;
        }
        let Some((b, a)) = log else {
            self.skipped.push(label.log.clone());
            return;
        };
        if b.culprit().map(|c| c.commit.as_str()) != Some(label.result_commit.as_str()) {
            self.skipped.push(label.log.clone());
            return;
        }
        if self.detectors.is_empty() {
            self.detectors = Code::ALL
                .iter()
                .map(|&code| DetectorRow {
                    code,
                    wrong: 0,
                    right: 0,
                    localized: 0,
                    chose: 0,
                })
                .collect();
        }
        let wrong = label.is_wrong();
        let suspect = a.trust == Trust::Suspect;
        let localizable = wrong && !label.wrong_commit.is_empty();
        let hit = localizable && a.suspect_commit() == Some(label.wrong_commit.as_str());
        if wrong {
            self.wrong += 1;
            self.wrong_suspect += usize::from(suspect);
        } else {
            self.right += 1;
            self.right_suspect += usize::from(suspect);
        }
        self.localizable += usize::from(localizable);
        self.localized += usize::from(hit);
        for row in &mut self.detectors {
            if a.has(row.code) {
                if wrong {
                    row.wrong += 1;
                } else {
                    row.right += 1;
                }
            }
            if localizable && a.suspect_step.as_ref().is_some_and(|s| s.code == row.code) {
                row.chose += 1;
                row.localized += usize::from(hit);
            }
        }
    }

    /// One line: recall, false alarms and localization with their counts.
    pub fn summary_line(&self) -> String {
        let pct = |n: usize, d: usize| format!("{:.1}% ({n}/{d})", 100.0 * ratio(n, d));
        format!(
            "recall {}, false alarms {}, localization {}",
            pct(self.wrong_suspect, self.wrong),
            pct(self.right_suspect, self.right),
            pct(self.localized, self.localizable)
        )
    }

    /// A plain-text report: totals and the per-detector table.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let pct = |n: usize, d: usize| format!("{:5.1}% ({n}/{d})", 100.0 * ratio(n, d));
        s.push_str(&format!(
            "population: {} single-culprit rows with a known true culprit ({} wrong, {} right); {} skipped\n",
            self.wrong + self.right,
            self.wrong,
            self.right,
            self.skipped.len()
        ));
        s.push_str(&format!(
            "recall (wrong marked suspect):      {}\n",
            pct(self.wrong_suspect, self.wrong)
        ));
        s.push_str(&format!(
            "false alarms (right marked suspect): {}\n",
            pct(self.right_suspect, self.right)
        ));
        s.push_str(&format!(
            "localization (suspect = wrong_commit): {}\n\n",
            pct(self.localized, self.localizable)
        ));
        s.push_str(&format!(
            "{:<24} {:>14} {:>14} {:>16}\n",
            "detector", "on wrong", "on right", "localized/chose"
        ));
        for r in &self.detectors {
            s.push_str(&format!(
                "{:<24} {:>14} {:>14} {:>16}\n",
                r.code.as_str(),
                format!("{} ({:.0}%)", r.wrong, 100.0 * ratio(r.wrong, self.wrong)),
                format!("{} ({:.0}%)", r.right, 100.0 * ratio(r.right, self.right)),
                format!("{}/{}", r.localized, r.chose)
            ));
        }
        s
    }
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        assert_eq!(
            fields(r#"a,"b, c","d ""e""",,f"#),
            vec!["a", "b, c", "d \"e\"", "", "f"]
        );
    }

    #[test]
    fn halves_by_name() {
        // CRC-32 of "123456789" is 0xcbf43926 (the standard check value).
        assert_eq!(half("123456789"), 0);
        assert_eq!(half("1234567890"), (0x261d_aee5u32 % 2) as usize);
        assert_eq!(half("Log_1773834b300000"), half("Log_1773834b300000"));
    }

    #[test]
    fn labels_by_header() {
        let text = "log,title,status,result_commit,inconclusive_commits,ground_truth,wrong_stage,reason,wrong_commit\n\
                    Log_1,\"WARNING in f, g\",done,aa,,bb,Stage C,B3,cc\n";
        let l = parse_labels(text).unwrap_or_default();
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].title, "WARNING in f, g");
        assert!(l[0].in_population() && l[0].is_wrong());
        assert_eq!(l[0].wrong_commit, "cc");
    }
}
