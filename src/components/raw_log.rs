//! The raw log, virtualised: only the rows on screen (plus a margin) are in
//! the DOM, so a 50 MB log scrolls like a small one. Rows have a fixed
//! height; past a few million pixels the scrollbar is scaled, because
//! browsers cap element heights.
//!
//! Line numbers are `#L123` anchors (shift-click selects a range, like
//! GitHub); the selected node's lines, the `#L` selection and search matches
//! are highlighted. Text is always rendered as text nodes.

use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::excerpt::clip;
use crate::doc::Doc;
use crate::state::{Action, ScrollRequest};

/// Row height in CSS pixels (`.raw-row` in style.css must match).
pub const ROW_H: f64 = 18.0;
/// Tallest spacer used; longer logs get a scaled scrollbar.
pub const MAX_H: f64 = 8_000_000.0;
const OVERSCAN: u32 = 20;
/// At most this many matching lines are listed.
pub const MAX_MATCHES: usize = 100_000;

/// Maps scroll offsets to lines and back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub lines: u32,
    pub viewport: f64,
}

impl Geometry {
    pub fn height(&self) -> f64 {
        (f64::from(self.lines) * ROW_H).min(MAX_H)
    }

    fn scaled(&self) -> bool {
        f64::from(self.lines) * ROW_H > MAX_H
    }

    fn visible(&self) -> u32 {
        (self.viewport / ROW_H).ceil() as u32 + 1
    }

    /// 0-based index of the top line when scrolled to the end: the last
    /// line is then the last fully visible row.
    fn last_top(&self) -> u32 {
        self.lines
            .saturating_sub((self.viewport / ROW_H).floor() as u32)
    }

    /// 0-based fractional index of the line at the top for `scroll_top`.
    pub fn top_line(&self, scroll_top: f64) -> f64 {
        if !self.scaled() {
            return (scroll_top / ROW_H).max(0.0);
        }
        let max_scroll = (self.height() - self.viewport).max(1.0);
        (scroll_top / max_scroll).clamp(0.0, 1.0) * f64::from(self.last_top())
    }

    /// Scroll offset that puts 1-based `line` at the top.
    pub fn scroll_for(&self, line: u32) -> f64 {
        let idx = f64::from(line.saturating_sub(1));
        if !self.scaled() {
            return idx * ROW_H;
        }
        let max_scroll = (self.height() - self.viewport).max(1.0);
        let max_line = f64::from(self.last_top()).max(1.0);
        (idx / max_line).clamp(0.0, 1.0) * max_scroll
    }

    /// Rows to render for `scroll_top`: 0-based `[start, end)` and the
    /// block's offset from the spacer's top.
    pub fn window(&self, scroll_top: f64) -> (u32, u32, f64) {
        let top = self.top_line(scroll_top);
        let first = (top.floor() as u32).min(self.lines.saturating_sub(1));
        let frac = top - f64::from(first);
        let start = first.saturating_sub(OVERSCAN);
        let end = (first + self.visible() + OVERSCAN).min(self.lines);
        let block_top = if self.scaled() {
            scroll_top - frac * ROW_H - f64::from(first - start) * ROW_H
        } else {
            f64::from(start) * ROW_H
        };
        (start, end, block_top.max(0.0))
    }
}

/// Lines (1-based) containing `query`, ASCII case-insensitively.
pub fn find_matches(doc: &Doc, query: &str) -> Vec<u32> {
    let needle: Vec<u8> = query.bytes().map(|b| b.to_ascii_lowercase()).collect();
    let Some(&n0) = needle.first() else {
        return Vec::new();
    };
    let hay = doc.text.as_bytes();
    let m = needle.len();
    let mut out: Vec<u32> = Vec::new();
    let mut i = 0;
    while i + m <= hay.len() {
        if hay[i].to_ascii_lowercase() == n0 && hay[i..i + m].eq_ignore_ascii_case(&needle) {
            let line = doc.line_starts.partition_point(|&s| s as usize <= i) as u32;
            out.push(line);
            if out.len() >= MAX_MATCHES {
                break;
            }
            // Continue at the next line.
            i = doc
                .line_starts
                .get(line as usize)
                .map_or(hay.len(), |&s| s as usize);
            continue;
        }
        i += 1;
    }
    out
}

/// Splits `text` around case-insensitive occurrences of `query`.
fn marked(text: &str, query: &str) -> Html {
    if query.is_empty() {
        return html! { { text.to_string() } };
    }
    let lower = text.to_ascii_lowercase();
    let q = query.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(found) = lower[pos..].find(&q) {
        let s = pos + found;
        let e = s + q.len();
        if !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            break;
        }
        out.push(html! { { text[pos..s].to_string() } });
        out.push(html! { <mark>{ text[s..e].to_string() }</mark> });
        pos = e;
    }
    out.push(html! { { text[pos..].to_string() } });
    out.into_iter().collect()
}

#[derive(Properties, PartialEq)]
pub struct RawLogProps {
    pub doc: Rc<Doc>,
    /// Lines of the selected node.
    pub highlight: Option<(u32, u32)>,
    /// The `#L` selection.
    pub lines: Option<(u32, u32)>,
    pub scroll: ScrollRequest,
    pub search: String,
    pub search_focus: u64,
    pub on_action: Callback<Action>,
}

fn set_scroll(node: &NodeRef, offset: f64) {
    if let Some(el) = node.cast::<web_sys::Element>() {
        el.set_scroll_top(offset.round() as i32);
    }
}

#[function_component(RawLog)]
pub fn raw_log(props: &RawLogProps) -> Html {
    let viewport_ref = use_node_ref();
    let search_ref = use_node_ref();
    let scroll_top = use_state(|| 0.0_f64);
    let viewport_h = use_state(|| 600.0_f64);
    let query = use_state(|| props.search.clone());
    let current = use_state(|| 0_usize);
    let lines = props.doc.line_count();
    let geo = Geometry {
        lines,
        viewport: *viewport_h,
    };

    let matches = {
        let doc = props.doc.clone();
        use_memo((props.doc.id, props.search.clone()), move |(_, q)| {
            find_matches(&doc, q)
        })
    };

    // Measure the viewport now and when the window is resized.
    {
        let node = viewport_ref.clone();
        let viewport_h = viewport_h.clone();
        use_effect_with((), move |_| {
            let measure = move || {
                if let Some(el) = node.cast::<web_sys::Element>() {
                    let h = f64::from(el.client_height());
                    if h > 0.0 {
                        viewport_h.set(h);
                    }
                }
            };
            measure();
            let listener =
                web_sys::window().map(|w| EventListener::new(&w, "resize", move |_| measure()));
            move || drop(listener)
        });
    }

    // Scroll when asked (a #L link, a selected step, "open in raw log").
    {
        let node = viewport_ref.clone();
        let scroll_top = scroll_top.clone();
        let line = props.scroll.line;
        use_effect_with(props.scroll.nonce, move |_| {
            if let Some(el) = node.cast::<web_sys::Element>() {
                let g = Geometry {
                    lines,
                    viewport: f64::from(el.client_height()).max(ROW_H),
                };
                let offset = g.scroll_for(line);
                el.set_scroll_top(offset.round() as i32);
                scroll_top.set(f64::from(el.scroll_top()));
            }
        });
    }

    // Focus the search box on `/`.
    {
        let node = search_ref.clone();
        use_effect_with(props.search_focus, move |n| {
            if *n > 0 {
                if let Some(el) = node.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }

    // Report the top line (for the URL) once scrolling pauses.
    let (start, end, block_top) = geo.window(*scroll_top);
    let top_line = (geo.top_line(*scroll_top).floor() as u32 + 1).min(lines.max(1));
    {
        let a = props.on_action.clone();
        use_effect_with(top_line, move |top| {
            let top = *top;
            let t = Timeout::new(300, move || a.emit(Action::Scrolled(top)));
            move || drop(t)
        });
    }

    // Search: debounce typing, then jump to the first match below the top.
    {
        let a = props.on_action.clone();
        let committed = props.search.clone();
        use_effect_with((*query).clone(), move |q| {
            let q = q.clone();
            let t =
                (q != committed).then(|| Timeout::new(200, move || a.emit(Action::SetSearch(q))));
            move || drop(t)
        });
    }
    let mounted = use_mut_ref(|| false);
    {
        let matches = matches.clone();
        let current = current.clone();
        let node = viewport_ref.clone();
        let top = top_line;
        use_effect_with(matches.clone(), move |_| {
            let idx = matches.iter().position(|&l| l >= top).unwrap_or(0);
            current.set(idx);
            // A new search jumps to its first match; mounting keeps the
            // position asked for (a #L link, a selected step).
            if !std::mem::replace(&mut *mounted.borrow_mut(), true) {
                return;
            }
            if let (Some(&line), Some(el)) = (matches.get(idx), node.cast::<web_sys::Element>()) {
                let g = Geometry {
                    lines,
                    viewport: f64::from(el.client_height()).max(ROW_H),
                };
                let visible_to = top + (g.viewport / ROW_H) as u32;
                if line < top || line >= visible_to {
                    el.set_scroll_top(g.scroll_for(line.saturating_sub(3).max(1)).round() as i32);
                }
            }
        });
    }

    let go = {
        let matches = matches.clone();
        let current = current.clone();
        let node = viewport_ref.clone();
        Callback::from(move |delta: i64| {
            if matches.is_empty() {
                return;
            }
            let n = matches.len() as i64;
            let idx = ((*current as i64 + delta) % n + n) % n;
            current.set(idx as usize);
            if let Some(&line) = matches.get(idx as usize) {
                set_scroll(&node, geo.scroll_for(line.saturating_sub(3).max(1)));
            }
        })
    };

    let onscroll = {
        let scroll_top = scroll_top.clone();
        let node = viewport_ref.clone();
        Callback::from(move |_: Event| {
            if let Some(el) = node.cast::<web_sys::Element>() {
                scroll_top.set(f64::from(el.scroll_top()));
            }
        })
    };
    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                query.set(i.value());
            }
        })
    };
    let onkeydown = {
        let go = go.clone();
        let a = props.on_action.clone();
        let query = query.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                e.prevent_default();
                // Apply a query typed faster than the debounce at once.
                a.emit(Action::SetSearch((*query).clone()));
                go.emit(if e.shift_key() { -1 } else { 1 });
            }
            "Escape" => {
                if let Some(t) = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = t.blur();
                }
            }
            _ => {}
        })
    };

    let current_line = matches.get(*current).copied();
    let match_set: &[u32] = &matches;
    let lo = match_set.partition_point(|&l| l < start + 1);
    let hi = match_set.partition_point(|&l| l <= end);
    let visible_matches = &match_set[lo..hi];
    let in_range = |r: Option<(u32, u32)>, n: u32| r.is_some_and(|(a, b)| a <= n && n <= b);
    let rows = (start + 1..=end).map(|n| {
        let (text, cut) = clip(props.doc.line(n));
        let is_match = visible_matches.binary_search(&n).is_ok();
        let a = props.on_action.clone();
        let anchor = props.lines.map(|(a, _)| a);
        let onclick = Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            match anchor {
                Some(first) if e.shift_key() => a.emit(Action::SelectLines(first, n)),
                _ => a.emit(Action::SelectLines(n, n)),
            }
        });
        html! {
            <div key={n} class={classes!("raw-row",
                in_range(props.highlight, n).then_some("hl"),
                in_range(props.lines, n).then_some("sel"),
                is_match.then_some("match"),
                (current_line == Some(n)).then_some("current"))}
                data-line={n.to_string()}>
                <a class="ln" href={format!("#L{n}")} {onclick}>{ n }</a>
                <span class="lt">
                    if is_match { { marked(text, &props.search) } } else { { text.to_string() } }
                    if cut > 0 { <span class="cut">{ format!(" \u{2026} ({cut} more bytes)") }</span> }
                </span>
            </div>
        }
    });
    let count = if props.search.is_empty() {
        String::new()
    } else if matches.is_empty() {
        "no matches".to_string()
    } else {
        let capped = if matches.len() >= MAX_MATCHES {
            "+"
        } else {
            ""
        };
        format!("{} of {}{capped} lines", *current + 1, matches.len())
    };
    let prev = {
        let go = go.clone();
        Callback::from(move |_| go.emit(-1))
    };
    let next = Callback::from(move |_| go.emit(1));
    html! {
        <section class="raw" aria-label="Raw log">
            <div class="raw-toolbar" role="search">
                <label for="raw-search" class="visually-hidden">{ "Search the log" }</label>
                <input id="raw-search" type="search" placeholder="Search the log (/)" ref={search_ref}
                    value={(*query).clone()} {oninput} {onkeydown} aria-describedby="search-count" data-testid="search" />
                <span id="search-count" class="muted" aria-live="polite" data-testid="search-count">{ count }</span>
                <button type="button" class="icon" aria-label="Previous match" onclick={prev}>{ "\u{2191}" }</button>
                <button type="button" class="icon" aria-label="Next match" onclick={next}>{ "\u{2193}" }</button>
                <span class="muted raw-info">{ format!("{lines} lines") }
                    if let Some((a, b)) = props.lines { { if a == b { format!(" \u{b7} L{a}") } else { format!(" \u{b7} L{a}-L{b}") } } }
                </span>
            </div>
            <div class="raw-viewport" ref={viewport_ref} {onscroll} tabindex="0" data-testid="raw-log"
                // Bounded even without the stylesheet, so only a screenful is rendered.
                style="max-height: 100vh; overflow: auto"
                aria-label={format!("Raw log, {lines} lines")}>
                <div class="raw-spacer" style={format!("height: {}px", crate::num::shortest(geo.height()))}>
                    <div class="raw-block" style={format!("top: {}px", crate::num::shortest(block_top))}>{ for rows }</div>
                </div>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn small_logs_scroll_exactly() {
        let g = Geometry {
            lines: 1000,
            viewport: 180.0,
        };
        assert_eq!(g.height(), 18000.0);
        assert_eq!(g.scroll_for(101), 1800.0);
        assert_eq!(g.top_line(1800.0), 100.0);
        let (start, end, top) = g.window(1800.0);
        assert_eq!((start, end), (80, 100 + 11 + 20));
        assert_eq!(top, 80.0 * ROW_H);
    }

    #[wasm_bindgen_test]
    fn huge_logs_scale_and_reach_the_end() {
        let g = Geometry {
            lines: 3_000_000,
            viewport: 900.0,
        };
        assert_eq!(g.height(), MAX_H);
        let bottom = g.height() - g.viewport;
        let (_, end, _) = g.window(bottom);
        assert_eq!(end, 3_000_000);
        let s = g.scroll_for(1_500_000);
        let back = g.top_line(s);
        assert!((back - 1_499_999.0).abs() < 1.0, "{back}");
        assert_eq!(g.window(0.0).0, 0);
    }
}
