//! What a changed file can do to the tested kernel, and whether it shows up
//! in a crash report.

use std::collections::HashSet;

/// Whether changing `path` cannot change the kernel syzbot built and booted:
/// documentation, selftests and test tools, scripts, maintainers files.
///
/// `path` is a diffstat path, possibly shortened by git to `.../tail`.
pub fn cannot_change_kernel(path: &str) -> bool {
    let p = path.trim();
    let shortened = p.starts_with("...");
    let p = p.trim_start_matches("...").trim_start_matches('/');
    let base = p.rsplit('/').next().unwrap_or(p);
    const TOP: [&str; 6] = [
        "Documentation/",
        "tools/",
        "scripts/",
        "samples/",
        "LICENSES/",
        "usr/gen_initramfs",
    ];
    const FILES: [&str; 7] = [
        "MAINTAINERS",
        "CREDITS",
        ".mailmap",
        "README",
        "COPYING",
        ".gitignore",
        ".get_maintainer.ignore",
    ];
    if !shortened && TOP.iter().any(|t| p.starts_with(t)) {
        return true;
    }
    if FILES.contains(&base) {
        return true;
    }
    if p.ends_with(".rst") || p.ends_with(".txt") && p.contains("Documentation") {
        return true;
    }
    // In-kernel self tests that syzbot's configs do not build (their
    // effect shows as an unchanged kernel signature when they are).
    p.contains("selftests/")
        || p.contains("tools/testing/")
        || base.contains("selftest")
        || (p.starts_with("lib/") && base.starts_with("test_"))
        || base.ends_with("_kunit.c")
        || p.contains("/kunit/")
}

/// Whether `path` only describes how the kernel is configured and built
/// (`Kconfig`, `Makefile`, `Kbuild`, defconfigs): a change there adds or
/// removes code from the build but changes no code.
pub fn is_build_config(path: &str) -> bool {
    let p = path.trim();
    let base = p.rsplit('/').next().unwrap_or(p);
    base.starts_with("Kconfig")
        || base == "Makefile"
        || base == "Kbuild"
        || base.ends_with("defconfig")
        || base.ends_with(".config")
}

fn dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Whether one of the changed `files` (diffstat paths) is one of the report's
/// frame `frame_files`, or lives in the same directory as one. Linear in
/// both lists (merge culprits list thousands of files).
pub fn any_related(files: &[&str], frame_files: &[&str]) -> bool {
    let frames: HashSet<&str> = frame_files
        .iter()
        .map(|f| f.trim_start_matches("./"))
        .collect();
    // Each frame with its directory, split once: a merge's diffstat can have
    // hundreds of shortened paths, each compared with every frame.
    let frame_dirs: Vec<(&str, &str)> = frames.iter().map(|f| (*f, dir(f))).collect();
    let dirs: HashSet<&str> = frame_dirs.iter().map(|(_, d)| *d).collect();
    files.iter().any(|f| {
        let f = f.trim();
        match f.strip_prefix("...") {
            // git shortened the path: compare tails.
            Some(rest) => {
                let tail = rest.trim_start_matches('/');
                let tail_dir = dir(tail);
                frame_dirs.iter().any(|(ff, fd)| {
                    ff.ends_with(tail) || (!tail_dir.is_empty() && fd.ends_with(tail_dir))
                })
            }
            None => frames.contains(f) || (!dir(f).is_empty() && dirs.contains(dir(f))),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_kernel_files() {
        for p in [
            "lib/locking-selftest.c",
            "Documentation/networking/ip-sysctl.rst",
            "tools/testing/selftests/net/fib_tests.sh",
            "MAINTAINERS",
            "scripts/checkpatch.pl",
            ".../selftests/bpf/prog_tests/foo.c",
            "lib/test_bpf.c",
        ] {
            assert!(cannot_change_kernel(p), "{p}");
        }
        for p in [
            "fs/io_uring.c",
            "net/core/dev.c",
            "include/linux/skbuff.h",
            "Makefile",
            ".../net/core/dev.c",
        ] {
            assert!(!cannot_change_kernel(p), "{p}");
        }
    }

    #[test]
    fn build_config_files() {
        assert!(is_build_config("net/qrtr/Kconfig"));
        assert!(is_build_config("arch/x86/configs/x86_64_defconfig"));
        assert!(is_build_config("fs/dlm/Makefile"));
        assert!(!is_build_config("fs/dlm/config.c"));
    }

    #[test]
    fn related_by_file_or_directory() {
        assert!(any_related(&["fs/io_uring.c"], &["fs/io_uring.c"]));
        assert!(any_related(
            &["fs/io-wq.c"],
            &["kernel/sched/core.c", "fs/io_uring.c"]
        ));
        assert!(!any_related(
            &["lib/locking-selftest.c"],
            &["kernel/workqueue.c"]
        ));
        assert!(any_related(
            &[".../bluetooth/hci_core.c"],
            &["net/bluetooth/hci_core.c"]
        ));
        assert!(!any_related(&["Makefile"], &["kernel/fork.c"]));
    }
}
