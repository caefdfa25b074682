//! Parser behaviour on small logs: one test per situation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bisect_log::*;

const A: &str = "1111111111111111111111111111111111111111";
const B: &str = "2222222222222222222222222222222222222222";
const C: &str = "3333333333333333333333333333333333333333";

fn roundtrip(text: &str) -> Bisection {
    let b = parse(text).unwrap();
    assert_eq!(write(&b), text, "writer must give back the text");
    assert_eq!(parse(&write(&b)).unwrap(), b);
    b
}

fn small_cause_log() -> String {
    format!(
        "bisecting cause commit starting from {A}
building syzkaller on {B}
testing commit {A} with gcc (GCC) 8.1.0
all runs: crashed: WARNING in foo
testing release v5.0
testing commit {B} with gcc (GCC) 8.1.0
all runs: OK
# git bisect start {A} {B}
Bisecting: 0 revisions left to test after this (roughly 1 step)
[{C}] foo: break it
testing commit {C} with gcc (GCC) 8.1.0
run #0: crashed: WARNING in foo
run #1: OK
# git bisect bad {C}
{C} is the first bad commit
commit {C}
Author: A U Thor <a@example.com>
Date:   Tue Feb 16 07:17:00 2021 -0700

    foo: break it
    
    Signed-off-by: A U Thor <a@example.com>

 mm/foo.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

revisions tested: 3, total time: 1h0m0s (build: 30m0s, test: 30m0s)
first bad commit: {C} foo: break it
cc: [\"a@example.com\"]
crash: WARNING in foo
------------[ cut here ]------------
WARNING: CPU: 0 PID: 1 at mm/foo.c:10 foo+0x1/0x2 mm/foo.c:10
"
    )
}

#[test]
fn cause_log_gives_roles_verdicts_and_culprit() {
    let b = roundtrip(&small_cause_log());
    assert_eq!(b.kind, Kind::Cause);
    let tests: Vec<_> = b.tests().collect();
    assert_eq!(tests.len(), 3);
    assert_eq!(tests[0].role, Role::Original);
    assert_eq!(tests[0].verdict, Verdict::Bad);
    assert_eq!(tests[1].role, Role::Release { tag: "v5.0".into() });
    assert_eq!(tests[1].verdict, Verdict::Good);
    assert_eq!(
        tests[1].span,
        Span { first: 5, last: 7 },
        "the release line belongs to its test"
    );
    assert_eq!(tests[2].verdict, Verdict::Bad);
    assert_eq!(tests[2].subject.as_deref(), Some("foo: break it"));
    assert_eq!(tests[2].runs.as_slice().len(), 2);
    let culprit = b.culprit().unwrap();
    assert_eq!(culprit.commit, C);
    assert_eq!(
        culprit.recipients,
        Some(Recipients::Cc {
            cc: vec!["a@example.com".into()]
        })
    );
    assert_eq!(culprit.crash.as_ref().unwrap().lines.len(), 2);
    let commit = b.culprit_commit().unwrap();
    assert_eq!(commit.author.as_deref(), Some("A U Thor <a@example.com>"));
    assert_eq!(commit.subject(), Some("foo: break it"));
    assert_eq!(commit.paths().collect::<Vec<_>>(), vec!["mm/foo.c"]);
    let git = b.git_steps().last().unwrap();
    assert!(
        git.blank_after,
        "the blank line after the diffstat is syzkaller's, not git's"
    );
    assert_eq!(Summary::new("x", &b).outcome, "culprit");
}

#[test]
fn multi_line_run_error_keeps_its_output_and_blank() {
    let text = format!(
        "testing commit {A}
run #0: basic kernel testing failed: failed to copy test binary to VM: exit status 1
Warning: Permanently added '10.128.0.17' (ECDSA) to the list of known hosts.\r
scp: ./syz-fuzzer: Read-only file system

run #1: OK
"
    );
    let b = roundtrip(&text);
    let runs = b.tests().next().unwrap().runs.as_slice();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].more.len(), 2);
    assert!(
        runs[0].more[0].ends_with('\r'),
        "a \\r inside a line is kept"
    );
    assert!(runs[0].blank_after);
    assert_eq!(runs[0].span, Span { first: 2, last: 5 });
    assert!(b.unrecognized.is_empty());
}

#[test]
fn build_error_lines_become_a_failure() {
    let text = format!(
        "testing commit {A} with gcc (GCC) 8.1.0
elf.c:135:2: error: 'elf_getshnum' is deprecated [-Werror=deprecated-declarations]
certs/signing_key.pem: Permission denied
# git bisect skip {A}
"
    );
    let b = roundtrip(&text);
    let t = b.tests().next().unwrap();
    assert_eq!(t.failures.len(), 1);
    assert_eq!(t.failures[0].kind, FailureKind::Build);
    assert_eq!(
        t.failures[0].more,
        vec!["certs/signing_key.pem: Permission denied".to_string()]
    );
    assert_eq!(t.verdict, Verdict::Skip);
}

#[test]
fn fix_bisection_inverts_words_and_names_the_first_good_commit() {
    let text = format!(
        "bisecting fixing commit since {A}
building syzkaller on {B}
testing current HEAD {B}
testing commit {B} gcc
compiler: gcc (GCC) 10.2.1 20210217, GNU ld (GNU Binutils for Debian) 2.35.2
kernel signature: {C}
all runs: OK
# git bisect start {B} {A}
Bisecting: 0 revisions left to test after this (roughly 1 step)
[{C}] foo: fix it

testing commit {C} gcc
all runs: OK
false negative chance: 0.000
# git bisect bad {C}
{C} is the first bad commit
commit {C}
Author: A <a@b>
Date:   Tue Feb 16 07:17:00 2021 -0700

    foo: fix it

 mm/foo.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

accumulated error probability: 0.05
reproducer is flaky (0.11 repro chance estimate)
revisions tested: 2, total time: 1h0m0s (build: 30m0s, test: 30m0s)
first good commit: {C} foo: fix it
recipients (to): [\"a@b\"]
recipients (cc): []
"
    );
    let b = roundtrip(&text);
    assert_eq!(b.kind, Kind::Fix);
    let tests: Vec<_> = b.tests().collect();
    assert_eq!(tests[0].role, Role::Head);
    assert_eq!(
        tests[0].verdict,
        Verdict::Bad,
        "OK on HEAD is git's `bad` in a fix bisection"
    );
    assert_eq!(tests[1].false_negative_chance, Some(0.0));
    assert_eq!(b.accumulated_error_probability(), Some(0.05));
    assert_eq!(b.repro_chance_estimate(), Some(0.11));
    assert_eq!(b.culprit().unwrap().commit, C);
    assert_eq!(Summary::new("x", &b).kind, Kind::Fix);
}

#[test]
fn crlf_file_is_read_and_written_back() {
    let text = small_cause_log().replace('\n', "\r\n");
    let b = roundtrip(&text);
    assert!(b.crlf);
    assert!(b.unrecognized.is_empty());
    assert_eq!(b.culprit().unwrap().commit, C);
}

#[test]
fn invalid_utf8_is_decoded_lossily_and_located() {
    let mut bytes = small_cause_log().into_bytes();
    let garbage_line = small_cause_log().lines().count() as u32 + 1;
    bytes.extend_from_slice(b"garbage \xff\xfe in the report\n");
    let b = parse_bytes(&bytes).unwrap();
    assert_eq!(b.invalid_utf8_lines, vec![garbage_line]);
    assert!(b
        .culprit()
        .unwrap()
        .crash
        .as_ref()
        .unwrap()
        .lines
        .last()
        .unwrap()
        .contains('\u{fffd}'));
}

#[test]
fn log_cut_at_the_head_keeps_orphan_lines_with_their_numbers() {
    let text = format!(
        "run #7: OK
run #8: OK
# git bisect good {A}
Bisecting: 1 revision left to test after this (roughly 1 step)
[{B}] x
testing commit {B}
all runs: OK
"
    );
    let b = roundtrip(&text);
    assert_eq!(
        b.unrecognized.iter().map(|u| u.line).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(b.trailer.outcome, Outcome::Incomplete);
}

#[test]
fn log_cut_at_the_tail_is_incomplete() {
    let text: String = small_cause_log()
        .lines()
        .take(12)
        .map(|l| format!("{l}\n"))
        .collect();
    let b = roundtrip(&text);
    assert_eq!(Summary::new("x", &b).outcome, "incomplete");
    assert_eq!(b.tests().count(), 3);
}

#[test]
fn text_that_is_not_a_log_is_an_error_with_a_position() {
    assert_eq!(parse(""), Err(ParseError::Empty));
    assert_eq!(parse(" \n\n"), Err(ParseError::Empty));
    let err = parse("hello\nworld\n").unwrap_err();
    assert!(
        matches!(
            err,
            ParseError::NotABisectionLog {
                line: 1,
                column: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().starts_with("line 1, column 1: "));
    // An `error:` line alone is not a bisection log either.
    assert!(parse("error: something\n").is_err());
}

#[test]
fn very_long_lines_and_missing_final_newline() {
    let long = "x".repeat(2_000_000);
    let text = format!("testing commit {A}\nrun #0: crashed: {long}\nrun #1: OK");
    let b = roundtrip(&text);
    assert!(!b.final_newline);
    assert_eq!(
        b.tests().next().unwrap().runs.as_slice()[0].result,
        RunResult::Crashed(long)
    );
}

#[test]
fn error_outcome_takes_every_following_line() {
    let text = format!(
        "bisecting cause commit starting from {A}
building syzkaller on {B}
revisions tested: 0, total time: 0s (build: 0s, test: 0s)
error: failed to run [\"git\" \"checkout\" \"{A}\"]: exit status 128
fatal: reference is not a tree: {A}
testing commit {A}
"
    );
    let b = roundtrip(&text);
    assert_eq!(Summary::new("x", &b).outcome, "error");
    assert_eq!(
        b.error_text().unwrap().lines().count(),
        3,
        "even a `testing commit` line after `error:` is error text"
    );
    assert_eq!(b.tests().count(), 0);
}

#[test]
fn inconclusive_lists_candidates() {
    let text = format!(
        "bisecting cause commit starting from {A}
revisions tested: 9, total time: 1h0m0s (build: 30m0s, test: 30m0s)
bisection is inconclusive, the first bad commit could be any of:
{B}
{C}
"
    );
    let b = roundtrip(&text);
    let s = Summary::new("x", &b);
    assert_eq!(s.outcome, "inconclusive");
    assert_eq!(s.candidates, vec![B.to_string(), C.to_string()]);
}

#[test]
fn oldest_release_outcome_names_the_last_release_tested() {
    let text = format!(
        "bisecting cause commit starting from {A}
testing commit {A}
all runs: crashed: WARNING in foo
testing release v4.6
testing commit {B}
all runs: crashed: WARNING in foo
revisions tested: 2, total time: 1h0m0s (build: 30m0s, test: 30m0s)
the crash already happened on the oldest tested release
commit msg: Linux 4.6
crash: WARNING in foo
"
    );
    let b = roundtrip(&text);
    let s = Summary::new("x", &b);
    assert_eq!(s.outcome, "oldest_release");
    assert_eq!(s.oldest_release_commit.as_deref(), Some(B));
}

#[test]
fn config_minimization_tests_get_their_role() {
    let text = format!(
        "bisecting cause commit starting from {A}
testing commit {A}
all runs: crashed: WARNING in foo
check whether we can drop unnecessary instrumentation
testing commit {A}
all runs: crashed: WARNING in foo
the bug reproduces without the instrumentation
testing release v6.1
testing commit {B}
all runs: OK
"
    );
    let b = roundtrip(&text);
    let roles: Vec<_> = b.tests().map(|t| t.role.clone()).collect();
    assert_eq!(
        roles,
        vec![
            Role::Original,
            Role::Minimization,
            Role::Release { tag: "v6.1".into() }
        ]
    );
}

#[test]
fn diffstat_lines_become_changes() {
    let log = small_cause_log().replace(
        " mm/foo.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n",
        " mm/foo.c             |  2 +-\n \
         a|b/c.h | 1 +\n \
         x | y/z.c | 3 +++\n \
         no|bar|here\n \
         3 files changed, 6 insertions(+), 1 deletion(-)\n \
         create mode 100644 a|b/c.h\n\
         :100644 100644 aaaaaaa bbbbbbb M\tnet/raw.c\n",
    );
    let b = roundtrip(&log);
    let changes = &b.culprit_commit().unwrap().changes;
    let stat = |path: &str, graph: &str| Change::Stat {
        path: path.into(),
        graph: graph.into(),
    };
    assert_eq!(
        changes,
        &vec![
            stat("mm/foo.c", " 2 +-"),
            stat("a|b/c.h", "1 +"),
            // git pads paths, never puts ` | ` in one: the first one splits.
            stat("x", "y/z.c | 3 +++"),
            Change::Mode {
                line: " no|bar|here".into()
            },
            Change::Summary {
                line: " 3 files changed, 6 insertions(+), 1 deletion(-)".into()
            },
            Change::Mode {
                line: " create mode 100644 a|b/c.h".into()
            },
            Change::Raw {
                status: "M".into(),
                path: "net/raw.c".into()
            },
        ]
    );
}
