//! URLs built from log content. Everything taken from a log is validated
//! before it becomes part of a link: commits must be hex, file paths must be
//! plain relative kernel paths (`mm/slub.c`), so no log can produce a
//! `javascript:` or off-site link.

/// The default source host template.
pub const DEFAULT_SOURCE_TEMPLATE: &str =
    "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/{file}?id={commit}#n{line}";

/// Other well-known source hosts offered in the settings.
pub const SOURCE_PRESETS: [(&str, &str); 3] = [
    ("git.kernel.org", DEFAULT_SOURCE_TEMPLATE),
    (
        "GitHub mirror",
        "https://github.com/torvalds/linux/blob/{commit}/{file}#L{line}",
    ),
    (
        "Bootlin Elixir",
        "https://elixir.bootlin.com/linux/{commit}/source/{file}#L{line}",
    ),
];

/// Whether `s` is an abbreviated or full git hash.
pub fn is_commit(s: &str) -> bool {
    (4..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `path` is a plain relative path inside a kernel tree:
/// `[A-Za-z0-9_.+-]` segments separated by `/`, no empty, `.` or `..` segment.
pub fn is_safe_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 512
        && path.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'+' | b'-'))
        })
}

/// Whether a user-entered source template is usable: an http(s) URL with a
/// `{file}` placeholder and nothing that could break out of an attribute.
pub fn is_valid_template(t: &str) -> bool {
    (t.starts_with("https://") || t.starts_with("http://"))
        && t.contains("{file}")
        && t.len() <= 500
        && !t
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
}

/// Link to `file:line` at `commit`, or `None` when any part is unsafe.
pub fn source_url(template: &str, file: &str, line: Option<u32>, commit: &str) -> Option<String> {
    let template = if is_valid_template(template) {
        template
    } else {
        DEFAULT_SOURCE_TEMPLATE
    };
    if !is_safe_path(file) || !is_commit(commit) {
        return None;
    }
    let mut url = template.replace("{file}", file).replace("{commit}", commit);
    match line {
        Some(n) => url = url.replace("{line}", &n.to_string()),
        None => {
            // Drop the fragment that would point at a line.
            if let Some(pos) = url.find('#') {
                if url[pos..].contains("{line}") {
                    url.truncate(pos);
                }
            }
            url = url.replace("{line}", "");
        }
    }
    Some(url)
}

/// Link to a commit on git.kernel.org.
pub fn commit_url(commit: &str) -> Option<String> {
    is_commit(commit).then(|| {
        format!("https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id={commit}")
    })
}

/// Whether `url` (already resolved against the page) may be fetched as a log.
pub fn is_fetchable(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// First 12 characters of a hash.
pub fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const C: &str = "7e923e6a3ceb877497dd9ee70d71fa33b94f332b";

    #[wasm_bindgen_test]
    fn source_links_use_the_tested_commit() {
        assert_eq!(
            source_url(DEFAULT_SOURCE_TEMPLATE, "mm/slub.c", Some(4124), C).as_deref(),
            Some("https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/mm/slub.c?id=7e923e6a3ceb877497dd9ee70d71fa33b94f332b#n4124")
        );
        assert_eq!(
            source_url(SOURCE_PRESETS[1].1, "include/linux/kref.h", Some(65), C).as_deref(),
            Some("https://github.com/torvalds/linux/blob/7e923e6a3ceb877497dd9ee70d71fa33b94f332b/include/linux/kref.h#L65")
        );
        assert_eq!(
            source_url(DEFAULT_SOURCE_TEMPLATE, "mm/slub.c", None, C).as_deref(),
            Some("https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/mm/slub.c?id=7e923e6a3ceb877497dd9ee70d71fa33b94f332b")
        );
    }

    #[wasm_bindgen_test]
    fn hostile_paths_and_templates_give_no_link() {
        for bad in [
            "javascript:alert(1)",
            "/etc/passwd",
            "../../x.c",
            "a//b.c",
            "mm/./slub.c",
            "a b.c",
            "x.c\"><script>",
            "",
            "https://evil.example/x.c",
        ] {
            assert!(
                source_url(DEFAULT_SOURCE_TEMPLATE, bad, Some(1), C).is_none(),
                "{bad}"
            );
        }
        assert!(source_url(DEFAULT_SOURCE_TEMPLATE, "mm/slub.c", Some(1), "javascript:").is_none());
        // An invalid template falls back to the default host.
        let url = source_url("javascript:alert(1)//{file}", "mm/slub.c", Some(1), C);
        assert!(url.is_some_and(|u| u.starts_with("https://git.kernel.org/")));
        assert!(!is_valid_template("https://x.org/{file} onclick"));
        assert!(is_valid_template("https://x.org/{commit}/{file}#L{line}"));
    }

    #[wasm_bindgen_test]
    fn fetchable_urls_are_http_only() {
        assert!(is_fetchable(
            "https://syzkaller.appspot.com/x/bisect.txt?x=1"
        ));
        assert!(is_fetchable("http://127.0.0.1:8080/samples/a.txt"));
        assert!(!is_fetchable("javascript:alert(1)"));
        assert!(!is_fetchable("data:text/plain,hello"));
        assert!(!is_fetchable("file:///etc/passwd"));
        assert_eq!(commit_url("javascript:x"), None);
        assert_eq!(short(C), "7e923e6a3ceb");
    }
}
