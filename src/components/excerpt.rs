//! A short run of raw lines with their numbers (not virtualised: capped).

use std::rc::Rc;

use yew::prelude::*;

use crate::doc::Doc;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct ExcerptProps {
    pub doc: Rc<Doc>,
    pub first: u32,
    pub last: u32,
    #[prop_or(300)]
    pub max: u32,
    pub on_action: Callback<Action>,
    #[prop_or_default]
    pub label: Option<AttrValue>,
}

/// Longest part of one line rendered (binary garbage can be one huge line).
pub const MAX_LINE_CHARS: usize = 2000;

/// The displayed part of a line and how many bytes were left out.
pub fn clip(line: &str) -> (&str, usize) {
    if line.len() <= MAX_LINE_CHARS {
        return (line, 0);
    }
    let mut end = MAX_LINE_CHARS;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    (&line[..end], line.len() - end)
}

#[function_component(Excerpt)]
pub fn excerpt(props: &ExcerptProps) -> Html {
    let last = props.last.min(props.doc.line_count());
    if props.first == 0 || props.first > last {
        return html! {};
    }
    let shown_last = last.min(props.first.saturating_add(props.max.saturating_sub(1)));
    let rows = (props.first..=shown_last).map(|n| {
        let (text, cut) = clip(props.doc.line(n));
        html! {
            <div class="x-row">
                <span class="ln" aria-hidden="true">{ n }</span>
                <span class="lt">{ text }
                    if cut > 0 { <span class="cut">{ format!(" \u{2026} ({cut} more bytes)") }</span> }
                </span>
            </div>
        }
    });
    let (first, l) = (props.first, last);
    let a = props.on_action.clone();
    let open = Callback::from(move |_| a.emit(Action::ShowLines(first, l)));
    let range = if first == l {
        format!("line {first}")
    } else {
        format!("lines {first}\u{2013}{l}")
    };
    html! {
        <div class="excerpt">
            <div class="excerpt-head">
                <span class="muted">{ props.label.clone().map(|s| format!("{s} \u{b7} ")).unwrap_or_default() }{ range.clone() }</span>
                <button type="button" class="link" onclick={open} aria-label={format!("Open {range} in the raw log")}>{ "open in raw log" }</button>
            </div>
            <pre class="x-lines" tabindex="0" aria-label={format!("Raw {range}")}>{ for rows }</pre>
            if shown_last < last {
                <p class="muted">{ format!("{} more lines in the raw log", last - shown_last) }</p>
            }
        </div>
    }
}
