//! The view in the URL fragment, so that a copied link reopens it.
//!
//! Keys are joined by `&`: `step=3` (1-based step), `diag=2` (1-based
//! diagnostic), `tab=details|report|raw`, `top=120` (first raw line on
//! screen), and GitHub-style line anchors `L123` / `L10-L20`. A bare `#L123`
//! link opens the raw log at that line. Unknown keys are kept untouched so
//! later features (annotations) can add their own.

/// The main panes of the viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Details,
    Report,
    Raw,
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Details, Tab::Report, Tab::Raw];

    pub fn as_str(self) -> &'static str {
        match self {
            Tab::Details => "details",
            Tab::Report => "report",
            Tab::Raw => "raw",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Details => "Details",
            Tab::Report => "Crash report",
            Tab::Raw => "Raw log",
        }
    }

    pub fn from_name(s: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// What the fragment says about the view.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fragment {
    /// 0-based step index.
    pub step: Option<usize>,
    /// 0-based diagnostic index.
    pub diag: Option<usize>,
    pub tab: Option<Tab>,
    /// Selected raw lines (inclusive, 1-based).
    pub lines: Option<(u32, u32)>,
    /// First raw line shown.
    pub top: Option<u32>,
    /// Keys this version does not know, verbatim.
    pub other: Vec<String>,
}

impl Fragment {
    /// Parses `location.hash` (with or without the leading `#`).
    pub fn parse(hash: &str) -> Fragment {
        let mut f = Fragment::default();
        for part in hash.trim_start_matches('#').split('&') {
            if part.is_empty() {
                continue;
            }
            if let Some(lines) = parse_lines(part) {
                f.lines = Some(lines);
                continue;
            }
            let known = match part.split_once('=') {
                Some(("step", v)) => v
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .map(|n| f.step = Some(n))
                    .is_some(),
                Some(("diag", v)) => v
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .map(|n| f.diag = Some(n))
                    .is_some(),
                Some(("tab", v)) => Tab::from_name(v).map(|t| f.tab = Some(t)).is_some(),
                Some(("top", v)) => v
                    .parse::<u32>()
                    .ok()
                    .filter(|&n| n > 0)
                    .map(|n| f.top = Some(n))
                    .is_some(),
                _ => false,
            };
            if !known && !is_own_key(part) {
                f.other.push(part.to_string());
            }
        }
        f
    }

    /// The fragment text without the leading `#` (empty for the default view).
    pub fn format(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(s) = self.step {
            parts.push(format!("step={}", s + 1));
        }
        if let Some(d) = self.diag {
            parts.push(format!("diag={}", d + 1));
        }
        if let Some(t) = self.tab {
            parts.push(format!("tab={}", t.as_str()));
        }
        if let Some(top) = self.top {
            parts.push(format!("top={top}"));
        }
        parts.extend(self.other.iter().cloned());
        if let Some((a, b)) = self.lines {
            if a == b {
                parts.push(format!("L{a}"));
            } else {
                parts.push(format!("L{a}-L{b}"));
            }
        }
        parts.join("&")
    }
}

fn is_own_key(part: &str) -> bool {
    matches!(
        part.split_once('=').map(|(k, _)| k),
        Some("step" | "diag" | "tab" | "top")
    )
}

/// `L12` or `L10-L20` (also `L10-20`); the range is ordered.
pub fn parse_lines(s: &str) -> Option<(u32, u32)> {
    let rest = s.strip_prefix('L')?;
    let (a, b) = match rest.split_once('-') {
        Some((a, b)) => (a, b.strip_prefix('L').unwrap_or(b)),
        None => (rest, rest),
    };
    let a: u32 = a.parse().ok().filter(|&n| n > 0)?;
    let b: u32 = b.parse().ok().filter(|&n| n > 0)?;
    Some((a.min(b), a.max(b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn github_line_anchors() {
        assert_eq!(parse_lines("L123"), Some((123, 123)));
        assert_eq!(parse_lines("L10-L20"), Some((10, 20)));
        assert_eq!(parse_lines("L20-L10"), Some((10, 20)));
        assert_eq!(parse_lines("L10-20"), Some((10, 20)));
        assert_eq!(parse_lines("L0"), None);
        assert_eq!(parse_lines("Lx"), None);
        assert_eq!(Fragment::parse("#L5").lines, Some((5, 5)));
    }

    #[wasm_bindgen_test]
    fn round_trip_keeps_unknown_keys() {
        let f = Fragment::parse("#step=3&tab=raw&top=40&a=xyz&L10-L20");
        assert_eq!(f.step, Some(2));
        assert_eq!(f.tab, Some(Tab::Raw));
        assert_eq!(f.top, Some(40));
        assert_eq!(f.lines, Some((10, 20)));
        assert_eq!(f.other, vec!["a=xyz".to_string()]);
        assert_eq!(f.format(), "step=3&tab=raw&top=40&a=xyz&L10-L20");
        assert_eq!(Fragment::parse(&f.format()), f);
        assert_eq!(Fragment::default().format(), "");
    }

    #[wasm_bindgen_test]
    fn bad_values_are_ignored() {
        let f = Fragment::parse("step=0&diag=x&tab=nope&top=-1");
        assert_eq!(f, Fragment::default());
    }
}
