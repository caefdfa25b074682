//! [`what_if`]: replay the log's own `git bisect` steps with some verdicts flipped.
//!
//! The log does not contain the commit graph, so the replay places every
//! tested commit on a line, the way git's halving sees it: the candidate
//! range `(lo, hi]` holds `hi - lo` commits, and git's `Bisecting: N
//! revisions left to test after this` after each verdict gives the size of
//! the next range (about `2N + 2` commits; 1 once git names the first bad
//! commit). A commit marked bad then sits at `lo + size`, one marked good at
//! `hi - size` (or in the middle of the range when git's rough count for a
//! small range would put it on a bound). Replaying with flipped verdicts moves the bounds; a later
//! step whose commit falls outside the new range no longer tells anything
//! (it is reported in [`WhatIf::moot_steps`]). Counts are approximate in the
//! same way git's own are for merge-heavy ranges.

use crate::model::*;

use super::{Bound, WhatIf};

/// One commit whose position on the line is known.
#[derive(Debug, Clone)]
struct Placed<'a> {
    commit: &'a str,
    pos: f64,
    verdict: Verdict,
}

/// The log's bisect steps with their positions (git's own verdicts).
#[derive(Debug, Default)]
struct Line<'a> {
    /// `git bisect start <bad> <good>`; `size` = candidates in between.
    start: Option<(&'a str, &'a str, f64)>,
    steps: Vec<Placed<'a>>,
}

fn size_after(output: &[GitOutput]) -> Option<f64> {
    let mut candidates = 0u32;
    for o in output {
        match o {
            GitOutput::Bisecting { revisions, .. } => {
                return Some(2.0 * f64::from(*revisions) + 2.0)
            }
            GitOutput::FirstBad(_) => return Some(1.0),
            GitOutput::Candidate { .. } => candidates += 1,
            _ => {}
        }
    }
    (candidates > 0).then_some(f64::from(candidates))
}

fn place(b: &Bisection) -> Line<'_> {
    let mut line = Line::default();
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for g in b.git_steps() {
        match &g.command {
            GitCommand::Start { bad, good } => {
                let size = size_after(&g.output).unwrap_or(2.0).max(1.0);
                line.start = Some((resolve(b, bad), resolve(b, good), size));
                lo = 0.0;
                hi = size;
            }
            GitCommand::Mark { verdict, commit } => {
                if line.start.is_none() {
                    continue;
                }
                // git's counts are rough for small ranges: a position that
                // does not fall strictly inside the range goes to its middle.
                let mid = (lo + hi) / 2.0;
                let pos = match (verdict, size_after(&g.output)) {
                    (Verdict::Bad, Some(s)) => lo + s,
                    (Verdict::Good, Some(s)) => hi - s,
                    _ => mid,
                };
                let pos = if pos > lo && pos < hi { pos } else { mid };
                match verdict {
                    Verdict::Bad => hi = pos,
                    Verdict::Good => lo = pos,
                    _ => {}
                }
                line.steps.push(Placed {
                    commit: commit.as_str(),
                    pos,
                    verdict: *verdict,
                });
            }
        }
    }
    line
}

/// `git bisect start v5.1 v5.0` (2019) names tags: the commit of the
/// release test with that tag, else the name as written.
fn resolve<'a>(b: &'a Bisection, name: &'a str) -> &'a str {
    b.tests()
        .find_map(|t| match &t.role {
            Role::Release { tag } if tag == name => Some(t.commit.as_str()),
            _ => None,
        })
        .unwrap_or(name)
}

/// Whether `commit` (a full hash) is named by `given` (a full or abbreviated
/// hash, at least 7 characters).
fn names(given: &str, commit: &str) -> bool {
    let g = given.trim();
    g.len() >= 7
        && commit
            .get(..g.len())
            .is_some_and(|c| c.eq_ignore_ascii_case(g))
}

fn bound(b: &Bisection, commit: &str) -> Bound {
    Bound {
        commit: commit.to_string(),
        span: b.test_of(commit).map(|t| t.span),
    }
}

/// Replays the log's `git bisect` steps with the verdicts of `flips`
/// (commit, full or abbreviated to 7+ characters, and git's word for it:
/// in a fix bisection `good` means "still crashes") and reports the range the
/// bisection would have ended with. Flipping the bounds of `git bisect
/// start` moves the range outside what was bisected: the replay then names
/// the nearest tested commit it knows and leaves `revisions_left` unknown.
pub fn what_if(b: &Bisection, flips: &[(String, Verdict)]) -> WhatIf {
    let line = place(b);
    let mut out = WhatIf::default();
    let flip_of = |commit: &str| {
        flips
            .iter()
            .rev()
            .find(|(c, _)| names(c, commit))
            .map(|(_, v)| *v)
    };
    for (c, v) in flips {
        if b.tests().any(|t| names(c, &t.commit))
            || line.steps.iter().any(|s| names(c, s.commit))
            || line
                .start
                .is_some_and(|(bad, good, _)| names(c, bad) || names(c, good))
        {
            if let Some(full) = b
                .tests()
                .map(|t| t.commit.as_str())
                .chain(line.steps.iter().map(|s| s.commit))
                .find(|t| names(c, t))
            {
                out.applied.push((full.to_string(), *v));
            } else {
                out.applied.push((c.clone(), *v));
            }
        } else {
            out.unknown.push(c.clone());
        }
    }
    let Some((start_bad, start_good, size)) = line.start else {
        return out;
    };
    // Bounds: `None` = beyond what the log tested.
    let mut lo: Option<(f64, &str)> = Some((0.0, start_good));
    let mut hi: Option<(f64, &str)> = Some((size, start_bad));
    let mut exact = true;
    if flip_of(start_good).is_some_and(|v| v == Verdict::Bad) {
        // The oldest good release was in fact bad: the culprit is older still.
        lo = None;
        hi = Some((0.0, start_good));
        exact = false;
    }
    if flip_of(start_bad).is_some_and(|v| v == Verdict::Good) {
        // The range's bad end was in fact good: the culprit is between it and
        // the next newer commit that crashed before `git bisect start`.
        let newer = newer_crashing(b, start_bad, &flip_of);
        lo = Some((size, start_bad));
        hi = newer.map(|c| (f64::INFINITY, c));
        exact = false;
    }
    for s in &line.steps {
        let v = flip_of(s.commit).unwrap_or(s.verdict);
        let inside = lo.is_none_or(|(l, _)| s.pos > l) && hi.is_none_or(|(h, _)| s.pos < h);
        if !inside {
            if matches!(v, Verdict::Good | Verdict::Bad) {
                out.moot_steps.push(s.commit.to_string());
            }
            continue;
        }
        match v {
            Verdict::Good => lo = Some((s.pos, s.commit)),
            Verdict::Bad => hi = Some((s.pos, s.commit)),
            Verdict::Skip | Verdict::Untested => {}
        }
    }
    out.last_good = lo.map(|(_, c)| bound(b, c));
    out.first_bad = hi.map(|(_, c)| bound(b, c));
    if exact {
        if let (Some((l, _)), Some((h, c))) = (lo, hi) {
            // Candidates are the commits in (lo, hi]; all but `hi` are left.
            let left = ((h - l).round() - 1.0).max(0.0);
            out.revisions_left = Some(left as u32);
            if left == 0.0 {
                out.culprit = Some(c.to_string());
            }
        }
    }
    out
}

/// The newest-first tests before `git bisect start` (original, releases):
/// the one tested just before `commit` that crashed and was not flipped to good.
fn newer_crashing<'a>(
    b: &'a Bisection,
    commit: &str,
    flip_of: &dyn Fn(&str) -> Option<Verdict>,
) -> Option<&'a str> {
    let mut found = None;
    for t in b.tests() {
        if t.commit == commit {
            break;
        }
        let crashed = t
            .runs
            .as_slice()
            .iter()
            .any(|r| matches!(r.result, RunResult::Crashed(_)));
        let flipped_good = flip_of(&t.commit) == Some(Verdict::Good);
        if matches!(t.role, Role::Original | Role::Release { .. }) && crashed && !flipped_good {
            found = Some(t.commit.as_str());
        }
    }
    found
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn h(c: char) -> String {
        std::iter::repeat_n(c, 40).collect()
    }

    /// A small cause bisection: start with 14 candidates, steps a(good) b(bad) c(good) d(bad = culprit).
    fn log() -> String {
        let (o, r, a, bb, c, d) = (h('0'), h('1'), h('a'), h('b'), h('c'), h('d'));
        format!(
            "bisecting cause commit starting from {o}\n\
             building syzkaller on {r}\n\
             testing commit {o}\nkernel signature: 11\nall runs: crashed: WARNING in f\n\
             testing release v5.0\ntesting commit {r}\nkernel signature: 12\nall runs: OK\n\
             # git bisect start {o} {r}\n\
             Bisecting: 6 revisions left to test after this (roughly 3 steps)\n[{a}] A\n\
             testing commit {a}\nkernel signature: 13\nall runs: OK\n# git bisect good {a}\n\
             Bisecting: 3 revisions left to test after this (roughly 2 steps)\n[{bb}] B\n\
             testing commit {bb}\nkernel signature: 14\nall runs: crashed: WARNING in f\n# git bisect bad {bb}\n\
             Bisecting: 1 revision left to test after this (roughly 1 step)\n[{c}] C\n\
             testing commit {c}\nkernel signature: 15\nall runs: OK\n# git bisect good {c}\n\
             Bisecting: 0 revisions left to test after this (roughly 0 steps)\n[{d}] D\n\
             testing commit {d}\nkernel signature: 16\nall runs: crashed: WARNING in f\n# git bisect bad {d}\n\
             {d} is the first bad commit\ncommit {d}\nAuthor: A <a@b>\nDate:   Mon Jan 1 00:00:00 2024 +0000\n\n    D\n\n \
             f.c | 1 +\n 1 file changed, 1 insertion(+)\n\n\
             revisions tested: 6, total time: 1h0m0s (build: 30m0s, test: 30m0s)\n\
             first bad commit: {d} D\n"
        )
    }

    #[test]
    fn no_flip_reproduces_the_log() {
        let b = crate::parse(&log()).unwrap();
        let w = what_if(&b, &[]);
        assert_eq!(w.culprit.as_deref(), Some(h('d').as_str()));
        assert_eq!(w.last_good.unwrap().commit, h('c'));
        assert_eq!(w.revisions_left, Some(0));
        assert!(w.moot_steps.is_empty());
    }

    #[test]
    fn flipping_a_bad_step_to_good_moves_the_lower_bound() {
        let b = crate::parse(&log()).unwrap();
        let w = what_if(&b, &[(h('b')[..12].to_string(), Verdict::Good)]);
        assert_eq!(w.last_good.unwrap().commit, h('b'));
        assert_eq!(w.first_bad.unwrap().commit, h('0'));
        assert_eq!(w.moot_steps, vec![h('c'), h('d')]);
        assert!(w.revisions_left.unwrap() > 0);
        assert_eq!(w.culprit, None);
        assert_eq!(w.applied, vec![(h('b'), Verdict::Good)]);
    }

    #[test]
    fn flipping_the_good_release_leaves_the_lower_bound_open() {
        let b = crate::parse(&log()).unwrap();
        let w = what_if(
            &b,
            &[(h('1'), Verdict::Bad), ("deadbeef00".into(), Verdict::Good)],
        );
        assert_eq!(w.last_good, None);
        assert_eq!(w.first_bad.unwrap().commit, h('1'));
        assert_eq!(w.revisions_left, None);
        assert_eq!(w.unknown, vec!["deadbeef00".to_string()]);
    }
}
