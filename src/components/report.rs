//! The final crash report: title highlighted, frames as tables with links to
//! the source at the tested commit, registers and `Code:` collapsed, frames
//! in files the culprit changed highlighted.

use std::rc::Rc;

use bisect_log::report::{Frame, Section, SectionKind};
use yew::prelude::*;

use crate::components::culprit::commit_link;
use crate::components::excerpt::Excerpt;
use crate::doc::{Doc, Parsed};
use crate::links::source_url;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct ReportProps {
    pub doc: Rc<Doc>,
    pub source_template: String,
    pub on_action: Callback<Action>,
}

fn frames_table(p: &Parsed, frames: &[Frame], commit: Option<&str>, template: &str) -> Html {
    if frames.is_empty() {
        return html! {};
    }
    let rows = frames.iter().map(|f| {
        let touched = f.file.as_ref().is_some_and(|file| p.culprit_paths.contains(file));
        let location = f.file.as_ref().map(|file| {
            let text = match f.file_line {
                Some(n) => format!("{file}:{n}"),
                None => file.clone(),
            };
            match commit.and_then(|c| source_url(template, file, f.file_line, c)) {
                Some(url) => html! {
                    <a href={url} target="_blank" rel="noopener noreferrer" data-testid="frame-link">{ text }</a>
                },
                None => html! { <span>{ text }</span> },
            }
        });
        let offset = match (&f.offset, &f.size) {
            (Some(o), Some(s)) => format!("+{o}/{s}"),
            (Some(o), None) => format!("+{o}"),
            _ => String::new(),
        };
        html! {
            <tr data-testid="frame" data-line={f.line.to_string()}
                class={classes!(touched.then_some("touched"), f.unreliable.then_some("unreliable"))}
                title={touched.then_some("the culprit changed this file")}>
                <td class="fn"><code>{ if f.unreliable { "? " } else { "" } }{ f.function.clone() }</code><span class="muted">{ offset }</span></td>
                <td class="loc">{ location.unwrap_or_default() }</td>
                <td class="inline">{ if f.inline { "inline" } else { "" } }</td>
                <td class="module">{ f.module.clone().unwrap_or_default() }</td>
            </tr>
        }
    });
    html! {
        <table class="frames">
            <thead><tr><th scope="col">{ "Function" }</th><th scope="col">{ "File:line" }</th><th scope="col">{ "Inline" }</th><th scope="col">{ "Module" }</th></tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}

fn section_view(p: &Parsed, s: &Section, commit: Option<&str>, props: &ReportProps) -> Html {
    let n = s.span.last - s.span.first + 1;
    let lines = if n == 1 {
        "1 line".to_string()
    } else {
        format!("{n} lines")
    };
    let excerpt = html! {
        <Excerpt doc={props.doc.clone()} first={s.span.first} last={s.span.last} max={400} on_action={props.on_action.clone()} />
    };
    let frames = frames_table(p, &s.frames, commit, &props.source_template);
    match s.kind {
        SectionKind::Preamble => html! {
            <details class="section preamble">
                <summary>{ format!("Console output before the report ({lines})") }</summary>
                { excerpt }
            </details>
        },
        SectionKind::Header | SectionKind::Other => html! {
            <div class="section header">{ excerpt }{ frames }</div>
        },
        SectionKind::Registers => html! {
            <div class="section registers">
                { frames }
                <details>
                    <summary>{ format!("Registers ({lines})") }</summary>
                    { excerpt }
                </details>
            </div>
        },
        SectionKind::Code | SectionKind::Modules | SectionKind::Memory => html! {
            <details class="section collapsed">
                <summary>{ s.title.trim().chars().take(100).collect::<String>() }</summary>
                { excerpt }
                { frames }
            </details>
        },
        SectionKind::CallTrace
        | SectionKind::AllocatedBy
        | SectionKind::FreedBy
        | SectionKind::AuxiliaryStack => html! {
            <div class="section stack">
                <h3>{ s.title.trim().to_string() }</h3>
                { frames }
            </div>
        },
    }
}

#[function_component(CrashReport)]
pub fn crash_report(props: &ReportProps) -> Html {
    let Ok(p) = &props.doc.parsed else {
        return html! { <p class="muted">{ "No crash report: the text was not understood as a bisection log." }</p> };
    };
    let Some(crash) = p.bisection.trailer.outcome.crash() else {
        return html! {
            <section class="card report"><h2>{ "Crash report" }</h2>
                <p class="muted">{ "This log has no final crash report (syzbot prints one with a culprit or when the oldest release already crashed)." }</p>
            </section>
        };
    };
    let commit = p.report_commit();
    let touched = p
        .bisection
        .trailer
        .outcome
        .crash()
        .map(|c| {
            c.report
                .frames()
                .filter(|f| f.file.as_ref().is_some_and(|x| p.culprit_paths.contains(x)))
                .count()
        })
        .unwrap_or(0);
    let first = crash.span.first;
    let a = props.on_action.clone();
    let show = Callback::from(move |_| a.emit(Action::ShowLines(first, first)));
    html! {
        <section class="card report" aria-labelledby="report-title" data-testid="report">
            <h2 id="report-title">{ "Crash report" }</h2>
            <p class="crash-title"><mark>{ crash.title.clone() }</mark></p>
            <p class="muted">
                if let Some(c) = commit { { "Tested on " }{ commit_link(c, false) }{ " \u{b7} file:line links open the source at that commit" } }
                if touched > 0 { { format!(" \u{b7} {touched} frame(s) in files the culprit changed") } }
                { " \u{b7} " }<button type="button" class="link" onclick={show}>{ format!("line {first} in the raw log") }</button>
            </p>
            { for crash.report.sections.iter().map(|s| section_view(p, s, commit, props)) }
        </section>
    }
}
