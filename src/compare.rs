//! Two bisections side by side: the commits each tested, aligned by hash.

use bisect_log::{Bisection, Verdict};

/// One tested commit and what each log said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub commit: String,
    pub subject: Option<String>,
    /// The last verdict each log gave the commit (`None`: not tested there).
    pub a: Option<Verdict>,
    pub b: Option<Verdict>,
}

impl Row {
    pub fn in_both(&self) -> bool {
        self.a.is_some() && self.b.is_some()
    }

    /// Tested in both logs with different verdicts.
    pub fn differs(&self) -> bool {
        self.in_both() && self.a != self.b
    }
}

/// Commits of a log in test order, each once, with its last verdict.
fn tested(b: &Bisection) -> Vec<(String, Option<String>, Verdict)> {
    let mut out: Vec<(String, Option<String>, Verdict)> = Vec::new();
    for t in b.tests() {
        match out.iter_mut().find(|(c, _, _)| *c == t.commit) {
            Some(row) => {
                row.2 = t.verdict;
                if row.1.is_none() {
                    row.1 = t.subject.clone();
                }
            }
            None => out.push((t.commit.clone(), t.subject.clone(), t.verdict)),
        }
    }
    out
}

/// The commits of both logs: `a`'s in its order, each of `b`'s others right
/// after the commit `b` tested before it.
pub fn align(a: &Bisection, b: &Bisection) -> Vec<Row> {
    let mut rows: Vec<Row> = tested(a)
        .into_iter()
        .map(|(commit, subject, v)| Row {
            commit,
            subject,
            a: Some(v),
            b: None,
        })
        .collect();
    let mut after: Option<usize> = None;
    for (commit, subject, v) in tested(b) {
        match rows.iter().position(|r| r.commit == commit) {
            Some(i) => {
                rows[i].b = Some(v);
                if rows[i].subject.is_none() {
                    rows[i].subject = subject;
                }
                after = Some(i);
            }
            None => {
                let at = after.map_or(rows.len(), |i| i + 1);
                rows.insert(
                    at,
                    Row {
                        commit,
                        subject,
                        a: None,
                        b: Some(v),
                    },
                );
                after = Some(at);
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const S0: &str = include_str!("../static/samples/000_9f5fff6f4365948f.txt");
    const S4: &str = include_str!("../static/samples/004_dd38629cfa7ebbde.txt");

    #[wasm_bindgen_test]
    fn aligns_by_hash() {
        let (a, b) = (bisect_log::parse(S0), bisect_log::parse(S4));
        assert!(a.is_ok() && b.is_ok());
        let (Ok(a), Ok(b)) = (a, b) else {
            return;
        };
        let same = align(&a, &a);
        assert!(!same.is_empty());
        assert!(same.iter().all(|r| r.in_both() && !r.differs()));
        let distinct = |x: &Bisection| tested(x).len();
        let common = tested(&a)
            .iter()
            .filter(|(c, _, _)| b.tests().any(|t| &t.commit == c))
            .count();
        let rows = align(&a, &b);
        assert_eq!(rows.len(), distinct(&a) + distinct(&b) - common);
        assert_eq!(rows.iter().filter(|r| r.in_both()).count(), common);
    }
}
