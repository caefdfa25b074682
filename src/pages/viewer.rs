//! The viewer: summary and timeline on the left; details, crash report and
//! raw log on the right.

use bisect_log::decimal::fixed;
use std::rc::Rc;

use yew::prelude::*;

use crate::components::chart::RevisionsChart;
use crate::components::details::Details;
use crate::components::notes::{note_list, what_if_card, NoteForm};
use crate::components::raw_log::RawLog;
use crate::components::report::CrashReport;
use crate::components::summary::Summary;
use crate::components::timeline::Timeline;
use crate::doc::Doc;
use crate::fragment::Tab;
use crate::notes::{Notes, Target};
use crate::state::{Action, ScrollRequest};

#[derive(Properties, PartialEq)]
pub struct ViewerProps {
    pub doc: Rc<Doc>,
    pub step: Option<usize>,
    pub diag: Option<usize>,
    pub tab: Tab,
    pub lines: Option<(u32, u32)>,
    pub scroll: ScrollRequest,
    pub search: String,
    pub search_focus: u64,
    pub source_template: String,
    /// The log's notes (empty until they are read).
    #[prop_or_default]
    pub notes: Rc<Notes>,
    #[prop_or_default]
    pub notes_error: Option<String>,
    pub on_action: Callback<Action>,
}

/// What a new note would be attached to: raw lines picked in the raw log,
/// else the diagnostic or step on screen.
fn note_target(props: &ViewerProps) -> Option<Target> {
    let lines = props.lines.map(|(a, b)| Target::Lines(a, b));
    match (props.tab, props.diag, props.step) {
        (Tab::Raw, _, _) if lines.is_some() => lines,
        (_, Some(d), _) => Some(Target::Diag(d)),
        (_, None, Some(s)) => Some(Target::Step(s)),
        _ => lines,
    }
}

#[function_component(Viewer)]
pub fn viewer(props: &ViewerProps) -> Html {
    let doc = &props.doc;
    // Lines behind the selected step (highlighted in the raw log).
    let highlight = doc
        .parsed
        .as_ref()
        .ok()
        .and_then(|p| props.step.and_then(|i| p.test(i)))
        .map(|t| (t.span.first, t.span.last));
    let tabs = Tab::ALL.map(|t| {
        let a = props.on_action.clone();
        let selected = props.tab == t;
        html! {
            <button type="button" role="tab" id={format!("tab-{}", t.as_str())}
                aria-selected={selected.to_string()} aria-controls="pane"
                class={classes!("tab", selected.then_some("active"))}
                data-testid={format!("tab-{}", t.as_str())}
                onclick={move |_| a.emit(Action::SetTab(t))}>
                { t.label() }
            </button>
        }
    });
    let pane = match props.tab {
        Tab::Details => html! {
            <Details doc={doc.clone()} step={props.step} diag={props.diag} on_action={props.on_action.clone()} />
        },
        Tab::Report => html! {
            <CrashReport doc={doc.clone()} source_template={props.source_template.clone()} on_action={props.on_action.clone()} />
        },
        Tab::Raw => html! {
            <RawLog doc={doc.clone()} highlight={highlight} lines={props.lines} scroll={props.scroll}
                search={props.search.clone()} search_focus={props.search_focus} on_action={props.on_action.clone()} />
        },
    };
    let parse_error = doc.parsed.as_ref().err().cloned();
    let notes = note_list(doc, &props.notes, &props.on_action);
    html! {
        <div class="viewer" data-testid="viewer" data-parsed-in={doc.parsed_in.as_str()}
            data-parse-ms={fixed(doc.parse_ms, 3)} data-analyze-ms={fixed(doc.analyze_ms, 3)}
            data-encode-ms={fixed(doc.encode_ms, 3)} data-bytes={doc.bytes.to_string()}>
            if let Some(e) = parse_error {
                <div class="banner error" role="alert" data-testid="parse-error">
                    <strong>{ "This is not a syzbot bisection log" }</strong>{ ": " }{ e }{ ". It is shown as plain text." }
                </div>
            }
            <div class="columns">
                if doc.parsed.is_ok() {
                    <div class="column left">
                        <Summary doc={doc.clone()} diag={props.diag} on_action={props.on_action.clone()} />
                        { notes.clone() }
                        <section class="card" aria-labelledby="timeline-title">
                            <h2 id="timeline-title">{ "Timeline" }</h2>
                            <RevisionsChart doc={doc.clone()} selected={props.step} on_action={props.on_action.clone()} />
                            <Timeline doc={doc.clone()} selected={props.step} on_action={props.on_action.clone()} />
                        </section>
                    </div>
                }
                <div class="column right">
                    <NoteForm doc={doc.clone()} notes={props.notes.clone()} target={note_target(props)}
                        error={props.notes_error.clone()} on_action={props.on_action.clone()} />
                    { what_if_card(doc, &props.notes) }
                    if doc.parsed.is_err() { { notes } }
                    <div class="tabs" role="tablist" aria-label="Views">{ for tabs }</div>
                    <div id="pane" class="pane" role="tabpanel" aria-labelledby={format!("tab-{}", props.tab.as_str())}>
                        { pane }
                    </div>
                </div>
            </div>
        </div>
    }
}
