//! Is a crash title "the bug's crash"?
//!
//! syzbot titles look like `<report type> in <function>` with variants:
//! a ` (2)` suffix for the n-th bug with the same title, `Read`/`Write` in
//! KASAN titles, and different report types for the same place (a KASAN
//! use-after-free and a general protection fault in the same function, a
//! `WARNING` and a `BUG` in it). [`MatchRule`] lists the rules measured on
//! the labelled corpus; [`MatchRule::DEFAULT`] is the one the analysis uses.
//!
//! Infrastructure titles (`SYZFAIL: …`, `lost connection to test machine`,
//! `no output from test machine`, …) never match a kernel bug's title, even
//! under the loosest rule, unless the bug's own title is that very text.

use serde::{Deserialize, Serialize};

use crate::model::*;

/// How two crash titles are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchRule {
    /// Byte-equal titles.
    Exact,
    /// Equal once a trailing ` (N)` is removed.
    Suffix,
    /// [`MatchRule::Suffix`], and the `Read`/`Write` words of KASAN/KCSAN
    /// titles are ignored.
    Variant,
    /// [`MatchRule::Variant`], or both titles name the same function after
    /// their last ` in ` (any report type: a KASAN report and a general
    /// protection fault in the same function match). A title whose stack
    /// was `corrupted` matches any title of the same report type.
    SameFunction,
    /// [`MatchRule::SameFunction`], or both functions start with the same
    /// subsystem prefix (`vhost_net_stop_vq` and `vhost_chr_write_iter`;
    /// `rxrpc_put_bundle` and `net/rxrpc/conn_object.c`), ignoring prefixes
    /// too short or too generic to name a subsystem.
    SameSubsystem,
}

impl MatchRule {
    pub const ALL: [MatchRule; 5] = [
        MatchRule::Exact,
        MatchRule::Suffix,
        MatchRule::Variant,
        MatchRule::SameFunction,
        MatchRule::SameSubsystem,
    ];

    /// The rule [`super::analyze`] uses (chosen by measurement, see the README).
    pub const DEFAULT: MatchRule = MatchRule::SameFunction;

    pub fn as_str(self) -> &'static str {
        match self {
            MatchRule::Exact => "exact",
            MatchRule::Suffix => "suffix",
            MatchRule::Variant => "variant",
            MatchRule::SameFunction => "same-function",
            MatchRule::SameSubsystem => "same-subsystem",
        }
    }

    /// Whether crash title `a` and crash title `b` name the same bug.
    pub fn matches(self, a: &str, b: &str) -> bool {
        let (a, b) = (a.trim(), b.trim());
        if a == b {
            return true;
        }
        if is_infra(a) || is_infra(b) {
            return false;
        }
        match self {
            MatchRule::Exact => false,
            MatchRule::Suffix => strip_suffix(a) == strip_suffix(b),
            MatchRule::Variant => variant_key(a) == variant_key(b),
            MatchRule::SameFunction => same_function(a, b),
            MatchRule::SameSubsystem => {
                same_function(a, b)
                    || matches!(
                        (function(a).and_then(subsystem), function(b).and_then(subsystem)),
                        (Some(x), Some(y)) if x == y
                    )
            }
        }
    }
}

fn same_function(a: &str, b: &str) -> bool {
    if variant_key(a) == variant_key(b) {
        return true;
    }
    match (function(a), function(b)) {
        (Some(x), Some(y)) if x == y => true,
        // `general protection fault in corrupted`: the stack was unreadable.
        (Some("corrupted"), _) | (_, Some("corrupted")) => report_type(a) == report_type(b),
        _ => false,
    }
}

/// The report type: the title before its last ` in ` (`Read`/`Write` removed).
fn report_type(title: &str) -> String {
    let key = variant_key(title);
    match key.rfind(" in ") {
        Some(i) => key[..i].to_string(),
        None => key,
    }
}

/// The subsystem prefix of a function name (`vhost` of `vhost_net_stop_vq`)
/// or of a source path (`rxrpc` of `net/rxrpc/conn_object.c`).
pub fn subsystem(function: &str) -> Option<&str> {
    const GENERIC: [&str; 24] = [
        "do", "sys", "kernel", "get", "put", "free", "alloc", "kmem", "kfree", "kmalloc", "copy",
        "release", "lock", "mutex", "spin", "rcu", "page", "memcpy", "memset", "list", "refcount",
        "debug", "task", "kobject",
    ];
    let f = function.trim_start_matches('_');
    let word = if f.contains('/') {
        // A source path: the directory the file is in.
        f.rsplit_once('/')?.0.rsplit('/').next()?
    } else {
        f.split('_').next()?
    };
    (word.len() >= 3 && !GENERIC.contains(&word)).then_some(word)
}

/// Removes a trailing ` (N)` (syzbot's counter for repeated titles).
pub fn strip_suffix(title: &str) -> &str {
    let t = title.trim_end();
    if let Some(open) = t.rfind(" (") {
        let inner = &t[open + 2..];
        if let Some(num) = inner.strip_suffix(')') {
            if !num.is_empty() && num.bytes().all(|c| c.is_ascii_digit()) {
                return &t[..open];
            }
        }
    }
    t
}

/// The title with ` (N)` and `Read`/`Write` removed.
fn variant_key(title: &str) -> String {
    let t = strip_suffix(title);
    let mut out = String::with_capacity(t.len());
    for word in t.split(' ') {
        if matches!(word, "Read" | "Write" | "read" | "write" | "read-write") {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The function a title names: the word after its last ` in ` (or after
/// `kernel BUG at`), without ` (N)`. `None` for titles naming no place.
pub fn function(title: &str) -> Option<&str> {
    let t = strip_suffix(title);
    let rest = if let Some(i) = t.rfind(" in ") {
        &t[i + 4..]
    } else if let Some(i) = t.find("BUG at ") {
        &t[i + 7..]
    } else {
        return None;
    };
    let rest = rest.trim();
    // KCSAN: `data-race in a / b` names two functions: keep the whole pair.
    if rest.is_empty() || (rest.contains(' ') && !rest.contains(" / ")) {
        return None;
    }
    // `__gfn_to_rmap` and `gfn_to_rmap` are the same place for a reader.
    Some(rest.trim_start_matches('_'))
}

/// Titles produced by the test infrastructure or syzkaller itself rather
/// than by a kernel bug.
pub fn is_infra(title: &str) -> bool {
    let t = strip_suffix(title.trim());
    const PREFIXES: [&str; 12] = [
        "SYZFAIL",
        "SYZFATAL",
        "lost connection to test machine",
        "no output from test machine",
        "no output",
        "failed to ",
        "basic kernel testing failed",
        "timed out",
        "test machine is not executing programs",
        "executor failed",
        "BUG: program execution failed",
        "can't ssh into the instance",
    ];
    PREFIXES.iter().any(|p| t.starts_with(p))
}

/// The bug's own crash titles: the kernel crash titles seen when the
/// original commit was tested (infrastructure titles left out), else the
/// final `crash:` title. Most frequent first. Empty when the log shows no
/// kernel crash at all (the bug's crash is then unknown and nothing is
/// compared with it).
pub fn bug_titles(b: &Bisection) -> Vec<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    if let Some(t) = b.original_test() {
        for r in t.runs.as_slice() {
            if let RunResult::Crashed(title) = &r.result {
                match counts.iter_mut().find(|(t, _)| *t == title.as_str()) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((title.as_str(), 1)),
                }
            }
        }
    }
    counts.retain(|(t, _)| !is_infra(t));
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    let mut titles: Vec<String> = counts.into_iter().map(|(t, _)| t.to_string()).collect();
    if titles.is_empty() {
        if let Some(c) = b.trailer.outcome.crash() {
            if !is_infra(&c.title) {
                titles.push(c.title.clone());
            }
        }
    }
    titles
}

/// Whether `title` is one of the bug's crashes under `rule`.
pub fn is_bug(rule: MatchRule, bug: &[String], title: &str) -> bool {
    bug.iter().any(|b| rule.matches(b, title))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_is_stripped_only_when_numeric() {
        assert_eq!(
            strip_suffix("WARNING in io_uring_setup (2)"),
            "WARNING in io_uring_setup"
        );
        assert_eq!(strip_suffix("BUG: foo (bar)"), "BUG: foo (bar)");
        assert_eq!(strip_suffix("WARNING in f ()"), "WARNING in f ()");
    }

    #[test]
    fn exact_rule() {
        assert!(MatchRule::Exact.matches("WARNING in f", "WARNING in f"));
        assert!(!MatchRule::Exact.matches("WARNING in f", "WARNING in f (2)"));
    }

    #[test]
    fn suffix_rule() {
        assert!(MatchRule::Suffix.matches("WARNING in f (3)", "WARNING in f"));
        assert!(!MatchRule::Suffix.matches(
            "KASAN: use-after-free Read in f",
            "KASAN: use-after-free Write in f"
        ));
    }

    #[test]
    fn variant_rule_ignores_access_direction() {
        assert!(MatchRule::Variant.matches(
            "KASAN: use-after-free Read in f (2)",
            "KASAN: use-after-free Write in f"
        ));
        assert!(!MatchRule::Variant.matches(
            "KASAN: use-after-free Read in f",
            "general protection fault in f"
        ));
    }

    #[test]
    fn same_function_rule() {
        let r = MatchRule::SameFunction;
        assert!(r.matches(
            "KASAN: use-after-free Read in try_to_wake_up",
            "general protection fault in try_to_wake_up"
        ));
        assert!(!r.matches(
            "INFO: task hung in io_ring_exit_work",
            "WARNING in kvm_wait"
        ));
        assert!(!r.matches(
            "WARNING: ODEBUG bug in netdev_run_todo",
            "INFO: task hung in io_ring_exit_work"
        ));
        // Titles naming no function only match by the other rules.
        assert!(!r.matches(
            "general protection fault, probably for non-canonical address",
            "unregister_netdevice: waiting for lo to become free"
        ));
    }

    #[test]
    fn corrupted_stack_matches_same_report_type() {
        let r = MatchRule::SameFunction;
        assert!(r.matches(
            "general protection fault in corrupted",
            "general protection fault in sctp_assoc_rwnd_increase"
        ));
        assert!(!r.matches("general protection fault in corrupted", "WARNING in f"));
    }

    #[test]
    fn same_subsystem_rule() {
        let r = MatchRule::SameSubsystem;
        assert!(r.matches(
            "INFO: task hung in vhost_net_stop_vq",
            "possible deadlock in vhost_process_iotlb_msg"
        ));
        assert!(r.matches(
            "KASAN: use-after-free Write in rxrpc_put_bundle",
            "kernel BUG at net/rxrpc/conn_object.c:LINE!"
        ));
        assert!(!r.matches(
            "INFO: task hung in io_ring_exit_work",
            "WARNING in kvm_wait"
        ));
        assert!(!r.matches("WARNING in do_foo", "WARNING in do_bar"));
        assert!(!MatchRule::SameFunction.matches(
            "INFO: task hung in vhost_net_stop_vq",
            "possible deadlock in vhost_process_iotlb_msg"
        ));
    }

    #[test]
    fn infra_titles_never_match_a_kernel_bug() {
        assert!(is_infra("SYZFAIL: wrong response packet"));
        assert!(is_infra("lost connection to test machine (2)"));
        assert!(!is_infra("general protection fault in try_to_wake_up"));
        assert!(!MatchRule::SameFunction.matches(
            "SYZFAIL: wrong response packet",
            "general protection fault in try_to_wake_up"
        ));
        assert!(MatchRule::SameFunction
            .matches("no output from test machine", "no output from test machine"));
    }

    #[test]
    fn function_names() {
        assert_eq!(
            function("KASAN: slab-out-of-bounds Read in foo (2)"),
            Some("foo")
        );
        assert_eq!(
            function("kernel BUG at fs/ext4/inode.c:LINE!"),
            Some("fs/ext4/inode.c:LINE!")
        );
        assert_eq!(function("KCSAN: data-race in a / b"), Some("a / b"));
        assert_eq!(function("no output from test machine"), None);
        assert_eq!(
            function("general protection fault in __gfn_to_rmap"),
            Some("gfn_to_rmap")
        );
    }
}
