//! Annotations on screen: the note form for what is selected (a step, one of
//! its runs, a diagnostic, raw lines), the list of every note, and the
//! what-if of doubted verdicts next to the real result.

use std::rc::Rc;

use bisect_log::analysis::{Bound, WhatIf};
use bisect_log::Verdict;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::culprit::commit_link;
use crate::doc::{Doc, Parsed};
use crate::notes::{Note, Notes, Target};
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct NoteFormProps {
    pub doc: Rc<Doc>,
    pub notes: Rc<Notes>,
    /// What the form annotates (`None`: nothing selected).
    pub target: Option<Target>,
    pub error: Option<String>,
    pub on_action: Callback<Action>,
}

fn opposite(v: Verdict) -> Vec<Verdict> {
    match v {
        Verdict::Good => vec![Verdict::Bad],
        Verdict::Bad => vec![Verdict::Good],
        Verdict::Skip | Verdict::Untested => vec![Verdict::Good, Verdict::Bad],
    }
}

fn doubt_label(v: Verdict) -> String {
    format!("doubted: really {}", v.as_str())
}

/// The notes on the selected thing and a form to add one.
#[function_component(NoteForm)]
pub fn note_form(props: &NoteFormProps) -> Html {
    let draft = use_state(String::new);
    // 0 = the whole step, n = its run n.
    let run = use_state(|| 0usize);
    {
        let (draft, run) = (draft.clone(), run.clone());
        use_effect_with(props.target.and_then(Target::step), move |_| {
            run.set(0);
            draft.set(String::new());
        });
    }
    let error = props.error.clone().map(|e| {
        html! { <p class="error-text" role="alert" data-testid="notes-error">{ e }</p> }
    });
    let Some(selected) = props.target else {
        return html! {
            <section class="card notes-form" aria-label="Notes" data-testid="note-form">
                <p class="muted">{ "Select a step, a diagnostic or raw lines to attach a note to them." }</p>
                { for error }
            </section>
        };
    };
    let p = props.doc.parsed.as_ref().ok();
    let step_test = selected.step().and_then(|s| p?.test(s));
    let runs = step_test.map_or(0, |t| t.runs.as_slice().len());
    let target = match selected {
        Target::Step(step) if *run > 0 && *run <= runs => Target::Run {
            step,
            run: *run - 1,
        },
        t => t,
    };
    let label = target.label();
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
            {
                draft.set(t.value());
            }
        })
    };
    let add = |doubt: Option<Verdict>| {
        let (a, draft) = (props.on_action.clone(), draft.clone());
        let target = if doubt.is_some() { selected } else { target };
        Callback::from(move |_: MouseEvent| {
            let text = draft.trim().to_string();
            if text.is_empty() && doubt.is_none() {
                return;
            }
            a.emit(Action::AddNote(Note {
                target,
                text,
                doubt,
            }));
            draft.set(String::new());
        })
    };
    let on_run = {
        let run = run.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                run.set(s.value().parse().unwrap_or(0));
            }
        })
    };
    let existing = props
        .notes
        .on(target)
        .map(|(i, n)| note_item(i, n, None, "target-note", &props.on_action));
    let doubts = match (target, step_test) {
        (Target::Step(_), Some(t)) => opposite(t.verdict),
        _ => Vec::new(),
    };
    html! {
        <section class="card notes-form" aria-labelledby="note-form-title" data-testid="note-form">
            <h2 id="note-form-title">{ format!("Notes on {label}") }</h2>
            <ul class="notes">{ for existing }</ul>
            if runs > 0 {
                <label class="notes-run">{ "Attach to " }
                    <select onchange={on_run} data-testid="note-run" aria-label="Attach the note to">
                        <option value="0" selected={*run == 0}>{ "the whole step" }</option>
                        { for (1..=runs).map(|r| html! {
                            <option value={r.to_string()} selected={*run == r}>{ format!("run {r}") }</option>
                        }) }
                    </select>
                </label>
            }
            <textarea class="wide" rows="2" value={(*draft).clone()} {oninput} data-testid="note-text"
                aria-label={format!("Note on {label}")} placeholder="Your note (or why you doubt the verdict)" />
            <div class="notes-buttons">
                <button type="button" onclick={add(None)} disabled={draft.trim().is_empty()} data-testid="add-note">{ "Add note" }</button>
                { for doubts.into_iter().map(|v| html! {
                    <button type="button" onclick={add(Some(v))} data-testid={format!("doubt-{}", v.as_str())}
                        title="The what-if shows where the bisection would have ended with this verdict">
                        { format!("Doubt the verdict: really {}", v.as_str()) }
                    </button>
                }) }
            </div>
            { for error }
        </section>
    }
}

/// One note: what it is on (a button to it, when `go` is given), the
/// doubt, the text, and a delete button.
fn note_item(
    i: usize,
    n: &Note,
    go: Option<Action>,
    testid: &'static str,
    on_action: &Callback<Action>,
) -> Html {
    let label = n.target.label();
    let del = on_action.clone();
    let show = go.map(|go| {
        let a = on_action.clone();
        html! {
            <button type="button" class="link" onclick={move |_| a.emit(go.clone())}
                aria-label={format!("Show {label}")}>{ label.clone() }</button>
        }
    });
    html! {
        <li class="note" data-testid={testid}>
            { for show }
            if let Some(v) = n.doubt {
                <span class="chip doubt">{ doubt_label(v) }</span>
            }
            <span class="note-text">{ n.text.clone() }</span>
            <button type="button" class="link" aria-label={format!("Delete this note on {label}")}
                onclick={move |_| del.emit(Action::RemoveNote(i))}>{ "Delete" }</button>
        </li>
    }
}

/// Every note on the log, each opening what it is about. A plain function,
/// not a component: it has no state, and each component type costs the
/// bundle its own lifecycle code.
pub fn note_list(doc: &Doc, notes: &Notes, on_action: &Callback<Action>) -> Html {
    if notes.is_empty() {
        return html! {};
    }
    let p = doc.parsed.as_ref().ok();
    let items = notes.0.iter().enumerate().map(|(i, n)| {
        let go = match n.target {
            Target::Step(s) => Action::SelectStep(s),
            Target::Run { step, run } => match p
                .and_then(|p| p.test(step))
                .and_then(|t| t.runs.as_slice().get(run))
            {
                Some(r) => Action::ShowLines(r.span.first, r.span.last),
                None => Action::SelectStep(step),
            },
            Target::Diag(d) => Action::SelectDiagnostic(d),
            Target::Lines(a, b) => Action::ShowLines(a, b),
        };
        note_item(i, n, Some(go), "note", on_action)
    });
    html! {
        <section class="card" aria-labelledby="notes-title" data-testid="notes">
            <h2 id="notes-title">{ format!("Notes ({})", notes.0.len()) }</h2>
            <ul class="notes">{ for items }</ul>
        </section>
    }
}

/// The doubted verdicts as `what_if` flips: (commit, verdict).
pub fn flips(p: &Parsed, notes: &Notes) -> Vec<(String, Verdict)> {
    notes
        .doubts()
        .filter_map(|(s, v)| Some((p.test(s)?.commit.clone(), v)))
        .collect()
}

fn bound(b: &Option<Bound>) -> Html {
    match b {
        Some(b) => commit_link(&b.commit, false),
        None => html! { <span class="muted">{ "outside what was tested" }</span> },
    }
}

fn left(w: &WhatIf) -> String {
    match (w.revisions_left, &w.culprit) {
        (_, Some(c)) => format!("0: {} is the culprit", crate::links::short(c)),
        (Some(n), None) => format!("about {n}"),
        (None, None) => "unknown".into(),
    }
}

/// Where the bisection would have ended had the doubted verdicts gone the
/// other way, next to where it did end (a plain function, as [`note_list`]).
pub fn what_if_card(doc: &Doc, notes: &Notes) -> Html {
    let Ok(p) = &doc.parsed else {
        return html! {};
    };
    let flips = flips(p, notes);
    if flips.is_empty() {
        return html! {};
    }
    let real = bisect_log::what_if(&p.bisection, &[]);
    let doubted = bisect_log::what_if(&p.bisection, &flips);
    let row = |name: &str, id: &str, a: Html, b: Html| {
        html! {
            <tr><th scope="row">{ name.to_string() }</th>
                <td data-testid={format!("logged-{id}")}>{ a }</td>
                <td data-testid={format!("what-if-{id}")}>{ b }</td></tr>
        }
    };
    html! {
        <section class="card what-if" aria-labelledby="what-if-title" data-testid="what-if">
            <h2 id="what-if-title">{ "What if the doubted verdicts were wrong" }</h2>
            <table class="what-if-table">
                <thead><tr><th></th><th scope="col">{ "As logged" }</th><th scope="col">{ "With your doubts" }</th></tr></thead>
                <tbody>
                    { row("Last good", "good", bound(&real.last_good), bound(&doubted.last_good)) }
                    { row("First bad", "bad", bound(&real.first_bad), bound(&doubted.first_bad)) }
                    { row("Revisions left", "left", html! { { left(&real) } }, html! { { left(&doubted) } }) }
                </tbody>
            </table>
            if !doubted.moot_steps.is_empty() {
                <p class="muted">{ format!("{} later step(s) would not have been tested: their commits fall outside the new range.", doubted.moot_steps.len()) }</p>
            }
            <p class="muted small">{ "A replay of git's own steps; counts are approximate, as git's are." }</p>
        </section>
    }
}
