//! Recognition of single log lines (format reference §3 and §9).
//!
//! Hand-written prefix matching instead of regexes: it keeps the crate small
//! for wasm and parses hundreds of MB/s.

/// A line syzkaller (or git, inside a bisect step) writes at top level.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Line<'a> {
    HostStart {
        host: &'a str,
        time: &'a str,
    },
    BisectingCause(&'a str),
    BisectingFix(&'a str),
    BuildingSyzkaller(&'a str),
    FetchTags,
    FetchFailed(&'a str),
    Reidentified {
        commit: &'a str,
        title: &'a str,
    },
    Ensuring(&'a str),
    TestingCommit {
        commit: &'a str,
        rest: TestingRest<'a>,
    },
    Compiler(&'a str),
    KernelSignature(&'a str),
    AllRuns(&'a str),
    Run {
        index: u32,
        verdict: &'a str,
    },
    Representative {
        title: &'a str,
        types: &'a str,
    },
    Undetermined(&'a str),
    TooManyNeither,
    SeemsFlaky,
    FalseNegative(f64),
    Failed(&'a str),
    FailedBuilding {
        commit: &'a str,
        text: &'a str,
    },
    FailedTesting {
        commit: &'a str,
        text: Option<&'a str>,
    },
    ReproTestingFailure(&'a str),
    TestingRelease(&'a str),
    Picked(&'a str),
    TestingHead(&'a str),
    /// Fix-bisection presence checks and merge-base lines.
    Presence(PresenceLine<'a>),
    Minimization,
    GitStart {
        bad: &'a str,
        good: &'a str,
    },
    GitMark {
        word: &'a str,
        commit: &'a str,
    },
    Accumulated(f64),
    FailedToDetect,
    ParentNotTested(&'a str),
    CulpritSignature(&'a str),
    ParentSignature(&'a str),
    OldKernelSignature(&'a str),
    PreviousSignature(&'a str),
    StillCrashesOnOldest,
    HeadHadErrors,
    FlakyFlagged,
    FlakyEstimate(f64),
    Revisions {
        tested: u32,
        total: &'a str,
        build: &'a str,
        test: &'a str,
    },
    Error(&'a str),
    Nothing(crate::model::NothingWording),
    CommitMsg(&'a str),
    Inconclusive(&'a str),
    FirstCommit {
        word: &'a str,
        commit: &'a str,
        title: &'a str,
    },
    Cc(&'a str),
    RecipientsTo(&'a str),
    RecipientsCc(&'a str),
    Crash(&'a str),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum TestingRest<'a> {
    None,
    With(&'a str),
    Type(&'a str),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum PresenceLine<'a> {
    /// `H/title is a merge base…`: the next test is of the merge base.
    IsMergeBase,
    Other(&'a str),
}

pub(crate) fn is_hash(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64)
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(crate) fn is_hash40(s: &str) -> bool {
    s.len() == 40 && is_hash(s)
}

fn hash40(s: &str) -> Option<&str> {
    is_hash40(s).then_some(s)
}

/// Exact lines of the config-minimization sub-log (§3.9).
const MINIMIZATION_EXACT: &[&str] = &[
    "check whether we can drop unnecessary instrumentation",
    "there was nothing we could disable; skip",
    "the bug reproduces without the instrumentation",
    "no way to further split the chunk",
    "the chunk can be dropped",
    "no need to test this chunk, it's definitely needed",
    "# configuration already minimized",
    "proceeding with the original config",
    "base config crashes",
    "half crashed",
    "both halves did not crash",
    "only full config crashes",
    "crash reproduces with baseline config",
    "unable to test using baseline config, keep original config",
    "testing with generated minimized config doesn't reproduce the crash",
    "# start config bisection",
    "# config-bisect.pl -r:",
    "# config_bisect.pl finished",
];

/// Prefixes of the config-minimization sub-log (§3.9).
const MINIMIZATION_PREFIX: &[&str] = &[
    "disabling configs for ",
    "kconfig minimization: ",
    "split chunks (needed=",
    "split chunk #",
    "testing without sub-chunk ",
    "we have reached the limit on predicate runs (",
    "minimized to ",
    "config minimization failed due to bad Kconfig",
    "trying half: ",
    "resulting configs: ",
    "testing baseline config failed: ",
    "minimizing config failed: ",
    "# config-bisect.pl good:",
    "# config-bisect.pl bad:",
    "# found config option changes ",
];

const PRESENCE_EXACT: &[&str] = &[
    "determine whether the revision contains the guilty commit",
    "no existing result, test the revision",
    "the bug was not introduced yet; pretend that kernel crashed",
    "reproducer does not crash the merge base, so there's no known bad commit",
];

/// Recognizes one top-level line. `None` = not a line syzkaller writes at top level.
pub(crate) fn classify(line: &str) -> Option<Line<'_>> {
    let first = *line.as_bytes().first()?;
    match first {
        b'a' => classify_a(line),
        b'b' => classify_b(line),
        b'c' => classify_c(line),
        b'd' | b'e' | b'f' => classify_def(line),
        b'H' => {
            if line == "HEAD had kernel build, boot or test errors" {
                Some(Line::HeadHadErrors)
            } else {
                None
            }
        }
        b'k' => {
            if let Some(s) = line.strip_prefix("kernel signature:   ") {
                Some(Line::OldKernelSignature(s))
            } else {
                line.strip_prefix("kernel signature: ")
                    .map(Line::KernelSignature)
            }
        }
        b'n' => presence(line),
        b'o' => nothing(line),
        b'p' => classify_p(line),
        b'r' => classify_r(line),
        b'R' => (line == "Reproducer flagged being flaky").then_some(Line::FlakyFlagged),
        b't' => classify_t(line),
        b'u' => line
            .strip_prefix("unable to determine the verdict: ")
            .map(Line::Undetermined),
        b'#' => classify_hash(line),
        _ => None,
    }
    .or_else(|| minimization(line))
    .or_else(|| merge_base(line))
    .or_else(|| host_start(line))
}

/// `H/<title> is a merge base[, check if it has the bug]`
fn merge_base(line: &str) -> Option<Line<'_>> {
    let is = line.len() > 41
        && line.as_bytes()[40] == b'/'
        && is_hash40(&line[..40])
        && line.contains(" is a merge base");
    is.then_some(Line::Presence(PresenceLine::IsMergeBase))
}

fn host_start(line: &str) -> Option<Line<'_>> {
    const MARK: &str = " starts bisection ";
    // The host is one word (or syzkaller's `unnamed host` fallback); looking
    // right after it avoids a substring search on every free-text line.
    let end = match line.strip_prefix("unnamed host") {
        Some(rest) if rest.starts_with(MARK) => "unnamed host".len(),
        _ => line.find(' ')?,
    };
    let (host, rest) = line.split_at(end);
    let time = rest.strip_prefix(MARK)?;
    if host.is_empty() {
        return None;
    }
    let b = time.as_bytes();
    // `2022-11-04 06:26:02…`
    let looks_like_time =
        b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && b[10] == b' ' && b[13] == b':';
    looks_like_time.then_some(Line::HostStart { host, time })
}

/// First bytes of every minimization line, to skip the list quickly.
const MINIMIZATION_FIRST: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < MINIMIZATION_EXACT.len() {
        table[MINIMIZATION_EXACT[i].as_bytes()[0] as usize] = true;
        i += 1;
    }
    let mut i = 0;
    while i < MINIMIZATION_PREFIX.len() {
        table[MINIMIZATION_PREFIX[i].as_bytes()[0] as usize] = true;
        i += 1;
    }
    table
};

fn minimization(line: &str) -> Option<Line<'_>> {
    if !line
        .as_bytes()
        .first()
        .is_some_and(|&b| MINIMIZATION_FIRST[b as usize])
    {
        return None;
    }
    let known = MINIMIZATION_EXACT.contains(&line)
        || MINIMIZATION_PREFIX.iter().any(|p| line.starts_with(p));
    known.then_some(Line::Minimization)
}

fn presence(line: &str) -> Option<Line<'_>> {
    if PRESENCE_EXACT.contains(&line) {
        return Some(Line::Presence(PresenceLine::Other(line)));
    }
    if let Some(rest) = line.strip_prefix("revision ") {
        if rest
            .strip_suffix(" crashed and is reachable")
            .is_some_and(is_hash40)
        {
            return Some(Line::Presence(PresenceLine::Other(line)));
        }
    }
    if line
        .strip_prefix("checking the merge base ")
        .is_some_and(is_hash40)
        || line.starts_with("determining the merge base between ")
        || line.starts_with("expected 1 merge base, got ")
    {
        return Some(Line::Presence(PresenceLine::Other(line)));
    }
    None
}

fn nothing(line: &str) -> Option<Line<'_>> {
    crate::model::NothingWording::ALL
        .into_iter()
        .find(|w| w.text() == line)
        .map(Line::Nothing)
}

fn classify_a(line: &str) -> Option<Line<'_>> {
    if let Some(v) = line.strip_prefix("all runs: ") {
        return Some(Line::AllRuns(v));
    }
    if let Some(v) = line.strip_prefix("accumulated error probability: ") {
        return fixed(v, 2).map(Line::Accumulated);
    }
    None
}

fn classify_b(line: &str) -> Option<Line<'_>> {
    if let Some(h) = line.strip_prefix("bisecting cause commit starting from ") {
        return hash40(h).map(Line::BisectingCause);
    }
    if let Some(h) = line.strip_prefix("bisecting fixing commit since ") {
        return hash40(h).map(Line::BisectingFix);
    }
    if let Some(h) = line.strip_prefix("building syzkaller on ") {
        return hash40(h).map(Line::BuildingSyzkaller);
    }
    if let Some(rest) = line.strip_prefix("bisection is inconclusive, the first ") {
        let word = rest.strip_suffix(" commit could be any of:")?;
        return (word == "bad" || word == "good").then_some(Line::Inconclusive(word));
    }
    None
}

fn classify_c(line: &str) -> Option<Line<'_>> {
    if let Some(v) = line.strip_prefix("compiler: ") {
        return Some(Line::Compiler(v));
    }
    if let Some(v) = line.strip_prefix("culprit signature: ") {
        return Some(Line::CulpritSignature(v));
    }
    if let Some(v) = line.strip_prefix("cc: ") {
        return canonical_list(v).then_some(Line::Cc(v));
    }
    if let Some(v) = line.strip_prefix("crash: ") {
        return Some(Line::Crash(v));
    }
    if let Some(v) = line.strip_prefix("commit msg: ") {
        return Some(Line::CommitMsg(v));
    }
    if line == "crash still not fixed/happens on the oldest tested release" {
        return Some(Line::StillCrashesOnOldest);
    }
    nothing(line).or_else(|| presence(line))
}

fn classify_def(line: &str) -> Option<Line<'_>> {
    if let Some(h) = line.strip_prefix("ensuring issue is reproducible on original commit ") {
        return hash40(h).map(Line::Ensuring);
    }
    if let Some(v) = line.strip_prefix("error: ") {
        return Some(Line::Error(v));
    }
    if let Some(v) = line.strip_prefix("failed: ") {
        return Some(Line::Failed(v));
    }
    if let Some(rest) = line.strip_prefix("failed building ") {
        let (commit, text) = rest.split_once(": ")?;
        return is_hash40(commit).then_some(Line::FailedBuilding { commit, text });
    }
    if let Some(rest) = line.strip_prefix("failed testing reproducer on ") {
        return match rest.split_once(": ") {
            Some((commit, text)) => {
                (is_hash40(commit) && !text.is_empty()).then_some(Line::FailedTesting {
                    commit,
                    text: Some(text),
                })
            }
            None => is_hash40(rest).then_some(Line::FailedTesting {
                commit: rest,
                text: None,
            }),
        };
    }
    if line.starts_with("failed to detect release: ")
        || line.starts_with("failed to detect noop change: ")
    {
        return Some(Line::FailedToDetect);
    }
    if let Some(v) = line.strip_prefix("false negative chance: ") {
        return fixed(v, 3).map(Line::FalseNegative);
    }
    if let Some(v) = line.strip_prefix("fetch failed with ") {
        return Some(Line::FetchFailed(v));
    }
    if line == "fetch other tags and check if the commit is present" {
        return Some(Line::FetchTags);
    }
    if let Some(rest) = line.strip_prefix("first ") {
        let (word, rest) = rest.split_once(" commit: ")?;
        if word != "bad" && word != "good" {
            return None;
        }
        // syzkaller prints "%v %v": the space is there even for an empty title.
        let (commit, title) = rest.split_once(' ')?;
        return is_hash40(commit).then_some(Line::FirstCommit {
            word,
            commit,
            title,
        });
    }
    presence(line)
}

fn classify_p(line: &str) -> Option<Line<'_>> {
    if let Some(v) = line.strip_prefix("parent  signature: ") {
        return Some(Line::ParentSignature(v));
    }
    if let Some(v) = line.strip_prefix("previous signature: ") {
        return Some(Line::PreviousSignature(v));
    }
    if let Some(rest) = line.strip_prefix("parent commit ") {
        return rest
            .strip_suffix(" wasn't tested")
            .and_then(hash40)
            .map(Line::ParentNotTested);
    }
    if let Some(v) = line.strip_prefix("picked ") {
        return v.contains(" release tags").then_some(Line::Picked(v));
    }
    None
}

fn classify_r(line: &str) -> Option<Line<'_>> {
    if let Some(rest) = line.strip_prefix("run #") {
        // `run #12: …`: the index is short, so find the colon bytewise.
        let colon = rest.bytes().take(12).position(|b| b == b':')?;
        let (index, verdict) = (&rest[..colon], rest[colon + 1..].strip_prefix(' ')?);
        return number(index).map(|index| Line::Run { index, verdict });
    }
    if let Some(rest) = line.strip_prefix("revisions tested: ") {
        return revisions(rest);
    }
    if let Some(v) = line.strip_prefix("representative crash: ") {
        let (title, types) = v.rsplit_once(", types: [")?;
        let types = types.strip_suffix(']')?;
        let well_formed = types.is_empty() || types.split(' ').all(|t| !t.is_empty());
        return well_formed.then_some(Line::Representative { title, types });
    }
    if let Some(v) = line.strip_prefix("recipients (to): ") {
        return canonical_list(v).then_some(Line::RecipientsTo(v));
    }
    if let Some(v) = line.strip_prefix("recipients (cc): ") {
        return canonical_list(v).then_some(Line::RecipientsCc(v));
    }
    if line == "reproducer seems to be flaky" {
        return Some(Line::SeemsFlaky);
    }
    if let Some(v) = line.strip_prefix("reproducer is flaky (") {
        return fixed(v.strip_suffix(" repro chance estimate)")?, 2).map(Line::FlakyEstimate);
    }
    if let Some(v) = line.strip_prefix("repro testing failure: ") {
        return Some(Line::ReproTestingFailure(v));
    }
    if let Some(rest) = line.strip_prefix("rewritten commit ") {
        let (commit, title) = rest.split_once(" reidentified by title '")?;
        let title = title.strip_suffix('\'')?;
        return is_hash40(commit).then_some(Line::Reidentified { commit, title });
    }
    presence(line)
}

fn revisions(rest: &str) -> Option<Line<'_>> {
    let (tested, rest) = rest.split_once(", total time: ")?;
    let (total, rest) = rest.split_once(" (build: ")?;
    let (build, rest) = rest.split_once(", test: ")?;
    let test = rest.strip_suffix(')')?;
    Some(Line::Revisions {
        tested: number(tested)?,
        total,
        build,
        test,
    })
}

fn classify_t(line: &str) -> Option<Line<'_>> {
    if let Some(rest) = line.strip_prefix("testing commit ") {
        let (commit, rest) = match rest.split_once(' ') {
            Some((c, r)) => (c, Some(r)),
            None => (rest, None),
        };
        if !is_hash40(commit) {
            return None;
        }
        let rest = match rest {
            None => TestingRest::None,
            Some(r) => match r.strip_prefix("with ") {
                Some(c) => TestingRest::With(c),
                None => TestingRest::Type(r),
            },
        };
        return Some(Line::TestingCommit { commit, rest });
    }
    if let Some(tag) = line.strip_prefix("testing release ") {
        return Some(Line::TestingRelease(tag));
    }
    if let Some(h) = line.strip_prefix("testing current HEAD ") {
        return hash40(h).map(Line::TestingHead);
    }
    if line == "too many neither good nor bad results, skipping this commit" {
        return Some(Line::TooManyNeither);
    }
    if line == "the bug was not introduced yet; pretend that kernel crashed" {
        return Some(Line::Presence(PresenceLine::Other(line)));
    }
    nothing(line)
}

fn classify_hash(line: &str) -> Option<Line<'_>> {
    if let Some(rest) = line.strip_prefix("# git bisect ") {
        if let Some(args) = rest.strip_prefix("start ") {
            let (bad, good) = args.split_once(' ')?;
            return Some(Line::GitStart { bad, good });
        }
        let (word, commit) = rest.split_once(' ')?;
        if matches!(word, "good" | "bad" | "skip") && is_hash40(commit) {
            return Some(Line::GitMark { word, commit });
        }
        return None;
    }
    None
}

/// Lines of git's own output inside a bisect step.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum GitLine<'a> {
    Bisecting { revisions: u32, steps: u32 },
    Current { commit: &'a str, subject: &'a str },
    FirstBad(&'a str),
    OnlySkipped,
    CouldBeAny,
    Candidate(&'a str),
    CannotBisectMore,
}

pub(crate) fn classify_git(line: &str) -> Option<GitLine<'_>> {
    if let Some(rest) = line.strip_prefix("Bisecting: ") {
        let (n, rest) = rest.split_once(' ')?;
        let rest = rest
            .strip_prefix("revisions left to test after this (roughly ")
            .or_else(|| rest.strip_prefix("revision left to test after this (roughly "))?;
        let (k, tail) = rest.split_once(' ')?;
        if tail != "steps)" && tail != "step)" {
            return None;
        }
        let revisions = n.parse().ok()?;
        let steps = k.parse().ok()?;
        // git's plural rules: only exactly 1 is singular.
        if bisecting_line(revisions, steps) != line {
            return None;
        }
        return Some(GitLine::Bisecting { revisions, steps });
    }
    if let Some(rest) = line.strip_prefix('[') {
        let (commit, subject) = match rest.split_once("] ") {
            Some((_, "")) => return None,
            Some(pair) => pair,
            None => (rest.strip_suffix(']')?, ""),
        };
        return is_hash40(commit).then_some(GitLine::Current { commit, subject });
    }
    if let Some(h) = line.strip_suffix(" is the first bad commit") {
        return hash40(h).map(GitLine::FirstBad);
    }
    match line {
        "There are only 'skip'ped commits left to test." => Some(GitLine::OnlySkipped),
        "The first bad commit could be any of:" => Some(GitLine::CouldBeAny),
        "We cannot bisect more!" => Some(GitLine::CannotBisectMore),
        _ => hash40(line).map(GitLine::Candidate),
    }
}

/// A number as Rust prints it back (no leading zeros or signs), so the
/// writer reproduces the line.
fn number(s: &str) -> Option<u32> {
    let n: u32 = s.parse().ok()?;
    (n.to_string() == s).then_some(n)
}

/// A probability printed with `%.Nf`.
fn fixed(s: &str, decimals: usize) -> Option<f64> {
    let p = crate::decimal::parse(s)?;
    (crate::decimal::fixed(p, decimals) == s).then_some(p)
}

/// A `%q` list in exactly the form Go prints it.
fn canonical_list(s: &str) -> bool {
    parse_quoted_list(s).is_some_and(|items| write_quoted_list(&items) == s)
}

pub(crate) fn bisecting_line(revisions: u32, steps: u32) -> String {
    let r = if revisions == 1 {
        "revision"
    } else {
        "revisions"
    };
    let s = if steps == 1 { "step" } else { "steps" };
    format!("Bisecting: {revisions} {r} left to test after this (roughly {steps} {s})")
}

/// Parses Go's `%q` rendering of a `[]string`: `["a" "b\"c"]`.
pub(crate) fn parse_quoted_list(s: &str) -> Option<Vec<String>> {
    let inner = s.strip_prefix('[')?.strip_suffix(']')?;
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        match chars.next() {
            None => return Some(out),
            Some('"') => {}
            Some(_) => return None,
        }
        let mut item = String::new();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => match chars.next()? {
                    'n' => item.push('\n'),
                    't' => item.push('\t'),
                    c => item.push(c),
                },
                c => item.push(c),
            }
        }
        out.push(item);
    }
}

pub(crate) fn write_quoted_list(items: &[String]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push('"');
        for c in item.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push(']');
    out
}

/// Go `time.Duration.String()` to seconds (`4h33m21.57s`, `950ms`, `0s`).
pub(crate) fn duration_seconds(s: &str) -> Option<f64> {
    if s == "0s" {
        return Some(0.0);
    }
    let mut total = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let value = crate::decimal::parse(&rest[..end])?;
        rest = &rest[end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        // Divide for sub-second units so `950ms` is exactly 0.95.
        total += match &rest[..unit_end] {
            "h" => value * 3600.0,
            "m" => value * 60.0,
            "s" => value,
            "ms" => value / 1e3,
            "µs" | "us" => value / 1e6,
            "ns" => value / 1e9,
            _ => return None,
        };
        rest = &rest[unit_end..];
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "7c25c0d16ef3c37e49c593ac92f69fa3884d4bb9";

    #[test]
    fn testing_commit_with_compiler_2019() {
        let l = format!("testing commit {H} with gcc (GCC) 8.1.0");
        assert_eq!(
            classify(&l),
            Some(Line::TestingCommit {
                commit: H,
                rest: TestingRest::With("gcc (GCC) 8.1.0")
            })
        );
    }

    #[test]
    fn testing_commit_bare_2021() {
        let l = format!("testing commit {H}");
        assert_eq!(
            classify(&l),
            Some(Line::TestingCommit {
                commit: H,
                rest: TestingRest::None
            })
        );
    }

    #[test]
    fn testing_commit_compiler_type_2022() {
        let l = format!("testing commit {H} gcc");
        assert_eq!(
            classify(&l),
            Some(Line::TestingCommit {
                commit: H,
                rest: TestingRest::Type("gcc")
            })
        );
    }

    #[test]
    fn testing_commit_needs_a_full_hash() {
        assert_eq!(classify("testing commit 7c25c0d16ef3 with gcc"), None);
    }

    #[test]
    fn kernel_signature_one_space_is_per_build_three_spaces_is_2019_culprit() {
        let s = "5730584c85dab76816c5b5d09f8599238f7716578ced6a23860458df27151b11";
        assert_eq!(
            classify(&format!("kernel signature: {s}")),
            Some(Line::KernelSignature(s))
        );
        assert_eq!(
            classify(&format!("kernel signature:   {H}")),
            Some(Line::OldKernelSignature(H))
        );
        assert_eq!(
            classify(&format!("previous signature: {H}")),
            Some(Line::PreviousSignature(H))
        );
        assert_eq!(
            classify(&format!("parent  signature: {H}")),
            Some(Line::ParentSignature(H))
        );
        assert_eq!(
            classify(&format!("culprit signature: {H}")),
            Some(Line::CulpritSignature(H))
        );
    }

    #[test]
    fn run_lines_keep_index_and_verdict() {
        assert_eq!(
            classify("run #13: crashed: KASAN: use-after-free Read in try_to_wake_up"),
            Some(Line::Run {
                index: 13,
                verdict: "crashed: KASAN: use-after-free Read in try_to_wake_up"
            })
        );
        assert_eq!(classify("all runs: OK"), Some(Line::AllRuns("OK")));
        assert_eq!(classify("run #x: OK"), None);
    }

    #[test]
    fn representative_crash_splits_on_the_last_types() {
        assert_eq!(
            classify("representative crash: WARNING in foo, types: [bar], types: [HANG KASAN]"),
            Some(Line::Representative {
                title: "WARNING in foo, types: [bar]",
                types: "HANG KASAN"
            })
        );
    }

    #[test]
    fn probabilities_2023() {
        assert_eq!(
            classify("false negative chance: 0.001"),
            Some(Line::FalseNegative(0.001))
        );
        assert_eq!(
            classify("accumulated error probability: 0.50"),
            Some(Line::Accumulated(0.5))
        );
        assert_eq!(
            classify("reproducer is flaky (0.11 repro chance estimate)"),
            Some(Line::FlakyEstimate(0.11))
        );
        assert_eq!(
            classify("Reproducer flagged being flaky"),
            Some(Line::FlakyFlagged)
        );
        assert_eq!(
            classify("reproducer seems to be flaky"),
            Some(Line::SeemsFlaky)
        );
    }

    #[test]
    fn host_line_2022() {
        let l = "ci2 starts bisection 2022-11-04 06:26:02.691434573 +0000 UTC m=+34504.047862472";
        assert_eq!(
            classify(l),
            Some(Line::HostStart {
                host: "ci2",
                time: "2022-11-04 06:26:02.691434573 +0000 UTC m=+34504.047862472"
            })
        );
        assert_eq!(classify("someone starts bisection tomorrow"), None);
    }

    #[test]
    fn header_lines_for_cause_and_fix() {
        assert_eq!(
            classify(&format!("bisecting cause commit starting from {H}")),
            Some(Line::BisectingCause(H))
        );
        assert_eq!(
            classify(&format!("bisecting fixing commit since {H}")),
            Some(Line::BisectingFix(H))
        );
        assert_eq!(
            classify(&format!("building syzkaller on {H}")),
            Some(Line::BuildingSyzkaller(H))
        );
        assert_eq!(
            classify(&format!(
                "ensuring issue is reproducible on original commit {H}"
            )),
            Some(Line::Ensuring(H))
        );
        assert_eq!(
            classify(&format!(
                "rewritten commit {H} reidentified by title 'net: fix it'"
            )),
            Some(Line::Reidentified {
                commit: H,
                title: "net: fix it"
            })
        );
    }

    #[test]
    fn git_marks_need_a_known_word_and_a_hash() {
        assert_eq!(
            classify(&format!("# git bisect skip {H}")),
            Some(Line::GitMark {
                word: "skip",
                commit: H
            })
        );
        assert_eq!(
            classify("# git bisect start v5.1 v5.0"),
            Some(Line::GitStart {
                bad: "v5.1",
                good: "v5.0"
            })
        );
        assert_eq!(classify(&format!("# git bisect maybe {H}")), None);
    }

    #[test]
    fn git_bisecting_plural_rules() {
        assert_eq!(
            classify_git("Bisecting: 0 revisions left to test after this (roughly 1 step)"),
            Some(GitLine::Bisecting {
                revisions: 0,
                steps: 1
            })
        );
        assert_eq!(
            classify_git("Bisecting: 1 revision left to test after this (roughly 1 step)"),
            Some(GitLine::Bisecting {
                revisions: 1,
                steps: 1
            })
        );
        // A form git never prints is kept as text, not silently normalised.
        assert_eq!(
            classify_git("Bisecting: 1 revisions left to test after this (roughly 1 step)"),
            None
        );
        assert_eq!(
            bisecting_line(6695, 13),
            "Bisecting: 6695 revisions left to test after this (roughly 13 steps)"
        );
    }

    #[test]
    fn git_current_commit_and_inconclusive_lines() {
        assert_eq!(
            classify_git(&format!("[{H}] io_uring: remove it")),
            Some(GitLine::Current {
                commit: H,
                subject: "io_uring: remove it"
            })
        );
        assert_eq!(
            classify_git(&format!("{H} is the first bad commit")),
            Some(GitLine::FirstBad(H))
        );
        assert_eq!(
            classify_git("There are only 'skip'ped commits left to test."),
            Some(GitLine::OnlySkipped)
        );
        assert_eq!(classify_git(H), Some(GitLine::Candidate(H)));
    }

    #[test]
    fn first_commit_title_may_be_empty_or_anything() {
        assert_eq!(
            classify(&format!("first bad commit: {H} Linux 5.1")),
            Some(Line::FirstCommit {
                word: "bad",
                commit: H,
                title: "Linux 5.1"
            })
        );
        assert_eq!(
            classify(&format!("first good commit: {H} ")),
            Some(Line::FirstCommit {
                word: "good",
                commit: H,
                title: ""
            })
        );
        // Without the space syzkaller always prints it is not the known line.
        assert_eq!(classify(&format!("first good commit: {H}")), None);
    }

    #[test]
    fn recipients_are_go_quoted() {
        assert_eq!(
            parse_quoted_list(r#"["a@b.c" "x \"y\" <z@w>"]"#),
            Some(vec!["a@b.c".to_string(), "x \"y\" <z@w>".to_string()])
        );
        assert_eq!(parse_quoted_list("[]"), Some(vec![]));
        assert_eq!(parse_quoted_list("[a@b]"), None);
        let list = vec!["a\\b".to_string(), "q\"".to_string()];
        assert_eq!(parse_quoted_list(&write_quoted_list(&list)), Some(list));
    }

    #[test]
    fn revisions_line_and_go_durations() {
        let l = "revisions tested: 15, total time: 3h39m47.627194865s (build: 1h42m34.080969219s, test: 0s)";
        assert_eq!(
            classify(l),
            Some(Line::Revisions {
                tested: 15,
                total: "3h39m47.627194865s",
                build: "1h42m34.080969219s",
                test: "0s"
            })
        );
        assert_eq!(duration_seconds("1h1m1.5s"), Some(3661.5));
        assert_eq!(duration_seconds("950ms"), Some(0.95));
        assert_eq!(duration_seconds("1.5µs"), Some(1.5e-6));
        assert_eq!(duration_seconds("forever"), None);
    }

    #[test]
    fn failures_2023() {
        assert_eq!(
            classify(&format!("failed building {H}: make failed")),
            Some(Line::FailedBuilding {
                commit: H,
                text: "make failed"
            })
        );
        assert_eq!(
            classify(&format!("failed testing reproducer on {H}")),
            Some(Line::FailedTesting {
                commit: H,
                text: None
            })
        );
        assert_eq!(
            classify("repro testing failure: boom"),
            Some(Line::ReproTestingFailure("boom"))
        );
        assert_eq!(
            classify("failed: failed to create VM pool"),
            Some(Line::Failed("failed to create VM pool"))
        );
    }

    #[test]
    fn fix_presence_checks_and_merge_base() {
        assert!(matches!(
            classify("determine whether the revision contains the guilty commit"),
            Some(Line::Presence(_))
        ));
        assert!(matches!(
            classify(&format!("revision {H} crashed and is reachable")),
            Some(Line::Presence(_))
        ));
        assert!(matches!(
            classify(&format!("checking the merge base {H}")),
            Some(Line::Presence(_))
        ));
        assert_eq!(
            classify(&format!(
                "{H}/net: fix is a merge base, check if it has the bug"
            )),
            Some(Line::Presence(PresenceLine::IsMergeBase))
        );
        assert_eq!(
            classify(&format!("testing current HEAD {H}")),
            Some(Line::TestingHead(H))
        );
    }

    #[test]
    fn minimization_lines_of_every_era() {
        for l in [
            "kconfig minimization: base=3905 full=4196 leaves diff=10",
            "disabling configs for [UBSAN BUG KASAN LOCKDEP ATOMIC_SLEEP LEAK], they are not needed",
            "# configuration already minimized",
            "trying half: [CONFIG_A CONFIG_B]",
            "# config-bisect.pl good:",
            "minimized to 98 configs; suspects: [CONFIG_X]",
            "half crashed",
        ] {
            assert_eq!(classify(l), Some(Line::Minimization), "{l}");
        }
    }

    #[test]
    fn outcome_wordings() {
        for w in crate::model::NothingWording::ALL {
            assert_eq!(classify(w.text()), Some(Line::Nothing(w)));
        }
        assert_eq!(
            classify("bisection is inconclusive, the first good commit could be any of:"),
            Some(Line::Inconclusive("good"))
        );
        assert_eq!(
            classify("error: bisection is taking too long (>8h0m0s), aborting"),
            Some(Line::Error(
                "bisection is taking too long (>8h0m0s), aborting"
            ))
        );
        assert_eq!(
            classify("crash: no output from test machine"),
            Some(Line::Crash("no output from test machine"))
        );
        assert_eq!(
            classify("commit msg: Linux 4.19"),
            Some(Line::CommitMsg("Linux 4.19"))
        );
    }

    #[test]
    fn free_text_is_not_top_level() {
        for l in [
            "Call Trace:",
            "scp: ./syz-fuzzer: Read-only file system",
            "    Signed-off-by: x",
            " kfree+0xdb/0x3b0 mm/slub.c:4124",
        ] {
            assert_eq!(classify(l), None, "{l}");
        }
    }
}
