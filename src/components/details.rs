//! Details of the selected step (commit, subject, compiler, signature, runs
//! with crash titles, raw lines) or of the selected diagnostic (its
//! explanation and evidence), else an overview of the log.

use std::rc::Rc;

use bisect_log::{CommitLine, Kind, Verdict};
use yew::prelude::*;

use crate::components::culprit::commit_link;
use crate::components::excerpt::Excerpt;
use crate::components::timeline::role_label;
use crate::doc::{run_kind, Doc, Parsed};
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct DetailsProps {
    pub doc: Rc<Doc>,
    pub step: Option<usize>,
    pub diag: Option<usize>,
    pub on_action: Callback<Action>,
}

fn verdict_meaning(kind: Kind, v: Verdict) -> &'static str {
    match (kind, v) {
        (Kind::Cause, Verdict::Good) | (Kind::Fix, Verdict::Bad) => "judged free of the bug",
        (Kind::Cause, Verdict::Bad) | (Kind::Fix, Verdict::Good) => "judged to have the bug",
        (_, Verdict::Skip) => "could not be tested",
        (_, Verdict::Untested) => "no verdict recorded",
    }
}

#[function_component(Details)]
pub fn details(props: &DetailsProps) -> Html {
    let Ok(p) = &props.doc.parsed else {
        return html! { <p class="muted">{ "Nothing to show: the text was not understood as a bisection log." }</p> };
    };
    let diag = props.diag.and_then(|i| {
        p.analysis
            .as_ref()
            .and_then(|a| a.diagnostics.get(i))
            .map(|d| (i, d))
    });
    html! {
        <div class="details" data-testid="details">
            if let Some((_, d)) = diag {
                <section class="card diag-details" aria-labelledby="diag-title">
                    <h2 id="diag-title"><span class={classes!("sev-label", d.severity.as_str())}>{ d.severity.as_str() }</span>{ " " }{ d.title.clone() }</h2>
                    <p>{ d.explanation.clone() }</p>
                    <p class="muted"><code>{ d.code.as_str() }</code></p>
                    <h3>{ "Evidence" }</h3>
                    { for d.evidence.iter().map(|ev| html! {
                        <div class="evidence">
                            <p>{ ev.note.clone() }
                                if let Some(c) = &ev.commit { { " \u{b7} " }{ commit_link(c, false) } }
                            </p>
                            <Excerpt doc={props.doc.clone()} first={ev.span.first} last={ev.span.last} max={40} on_action={props.on_action.clone()} />
                        </div>
                    }) }
                </section>
            }
            if let Some(i) = props.step {
                { step_details(p, i, props) }
            } else if diag.is_none() {
                { overview(p, props) }
            }
        </div>
    }
}

fn step_details(p: &Parsed, i: usize, props: &DetailsProps) -> Html {
    let (Some(t), Some(info)) = (p.test(i), p.steps.get(i)) else {
        return html! {};
    };
    let kind = p.bisection.kind;
    let compiler = match &t.commit_line {
        CommitLine::With(c) => Some(c.clone()),
        CommitLine::CompilerType(c) => t
            .compiler
            .clone()
            .map(|full| full.trim_end().to_string())
            .or(Some(c.clone())),
        CommitLine::Bare => t.compiler.clone().map(|c| c.trim_end().to_string()),
    };
    let same_sig: Vec<String> = info
        .signature_group
        .and_then(|g| p.signature_groups.get(g - 1))
        .map(|m| {
            m.iter()
                .filter(|&&s| s != i)
                .map(|s| (s + 1).to_string())
                .collect()
        })
        .unwrap_or_default();
    let runs = t.runs.as_slice();
    html! {
        <section class="card step-details" aria-labelledby="step-title" data-testid="step-details">
            <h2 id="step-title">{ format!("Step {} \u{b7} {}", i + 1, role_label(&t.role)) }</h2>
            <dl class="kv">
                <dt>{ "Commit" }</dt><dd>{ commit_link(&t.commit, true) }</dd>
                if let Some(s) = &info.subject { <dt>{ "Subject" }</dt><dd>{ s.clone() }</dd> }
                <dt>{ "Verdict" }</dt>
                <dd><span class={classes!("verdict-chip", format!("verdict-{}", t.verdict.as_str()))}>{ t.verdict.as_str() }</span>
                    { format!(" \u{2014} {}", verdict_meaning(kind, t.verdict)) }</dd>
                if let Some(c) = compiler { <dt>{ "Compiler" }</dt><dd>{ c }</dd> }
                if let Some(sig) = &t.signature {
                    <dt>{ "Kernel signature" }</dt>
                    <dd><code class="sig">{ sig.clone() }</code>
                        if !same_sig.is_empty() {
                            <div class="warn-text">{ format!("identical in step(s) {}: the same kernel binary was tested", same_sig.join(", ")) }</div>
                        }
                    </dd>
                }
                if let Some(n) = info.revisions_left { <dt>{ "Left after" }</dt><dd>{ format!("{n} revisions") }</dd> }
                if let Some(c) = t.false_negative_chance { <dt>{ "False negative chance" }</dt><dd>{ crate::num::shortest(c) }</dd> }
                if let Some(rc) = &t.representative_crash {
                    <dt>{ "Representative crash" }</dt><dd>{ rc.title.clone() }</dd>
                }
            </dl>
            if !info.problems.is_empty() {
                <h3>{ "Worth a look" }</h3>
                <ul class="problems">{ for info.problems.iter().map(|m| html! { <li>{ m.clone() }</li> }) }</ul>
            }
            if !runs.is_empty() {
                <h3>{ format!("Runs ({})", runs.len()) }</h3>
                <table class="runs">
                    <thead><tr><th scope="col">{ "Run" }</th><th scope="col">{ "Outcome" }</th><th scope="col">{ "Crash title / error" }</th></tr></thead>
                    <tbody>
                        { for runs.iter().enumerate().map(|(j, r)| {
                            let k = run_kind(&r.result, &p.bug_titles);
                            let (first, last) = (r.span.first, r.span.last);
                            let a = props.on_action.clone();
                            html! {
                                <tr class={format!("row-{}", k.as_str())}>
                                    <td>
                                        <button type="button" class="link" onclick={move |_| a.emit(Action::ShowLines(first, last))}
                                            aria-label={format!("Show run {} in the raw log", r.index.unwrap_or(j as u32))}>
                                            { r.index.map(|n| format!("#{n}")).unwrap_or_else(|| "all".into()) }
                                        </button>
                                    </td>
                                    <td><span class={classes!("run", format!("run-{}", k.as_str()))}></span>{ format!(" {}", k.label()) }</td>
                                    <td>{ r.result.text().unwrap_or("").to_string() }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
            if !t.failures.is_empty() {
                <h3>{ "Failures" }</h3>
                <ul>{ for t.failures.iter().map(|f| html! { <li><code>{ f.text.clone() }</code></li> }) }</ul>
            }
            <h3>{ "Raw lines" }</h3>
            <Excerpt doc={props.doc.clone()} first={t.span.first} last={t.span.last} max={200} on_action={props.on_action.clone()} />
        </section>
    }
}

fn overview(p: &Parsed, props: &DetailsProps) -> Html {
    let b = &p.bisection;
    let h = &b.header;
    let worth = p.problem_steps();
    let problems = worth.len();
    let suspect = p
        .analysis
        .as_ref()
        .and_then(|a| a.suspect_step.as_ref())
        .and_then(|s| (0..p.steps.len()).find(|&i| p.test(i).is_some_and(|t| t.span == s.span)));
    let step_button = |i: usize, text: String| {
        let a = props.on_action.clone();
        html! { <button type="button" class="link" onclick={move |_| a.emit(Action::SelectStep(i))}>{ text }</button> }
    };
    let worth_list = worth.iter().map(|&i| {
        let t = p.test(i);
        let info = &p.steps[i];
        let label = format!(
            "Step {} \u{b7} {} {}",
            i + 1,
            t.map(|t| t.verdict.as_str()).unwrap_or(""),
            t.map(|t| crate::links::short(&t.commit)).unwrap_or("")
        );
        html! {
            <li>
                { step_button(i, label) }
                <span class="muted">{ format!(" \u{2014} {}", info.problems.join("; ")) }</span>
            </li>
        }
    });
    html! {
        <section class="card overview" aria-labelledby="overview-title">
            <h2 id="overview-title">{ "About this log" }</h2>
            <p>{ "Select a step in the timeline (or press " }<kbd>{ "j" }</kbd>{ "/" }<kbd>{ "k" }</kbd>
                { "), a diagnostic, or jump between the " }{ problems }{ " steps worth a look with " }<kbd>{ "n" }</kbd>{ "/" }<kbd>{ "p" }</kbd>{ "." }</p>
            <dl class="kv">
                if let Some(c) = &h.start_commit { <dt>{ "Started from" }</dt><dd>{ commit_link(c, true) }</dd> }
                if let Some(c) = &h.syzkaller_commit { <dt>{ "syzkaller" }</dt><dd><code>{ c.clone() }</code></dd> }
                if let Some(host) = &h.host { <dt>{ "Host" }</dt><dd>{ format!("{} at {}", host.host, host.time) }</dd> }
                <dt>{ "Lines" }</dt><dd>{ b.line_count }</dd>
                if !b.unrecognized.is_empty() {
                    <dt>{ "Unrecognized lines" }</dt>
                    <dd>{ b.unrecognized.len() }{ " " }
                        if let Some(u) = b.unrecognized.first() {
                            <button type="button" class="link" onclick={
                                let a = props.on_action.clone(); let n = u.line;
                                move |_| a.emit(Action::ShowLines(n, n))
                            }>{ format!("first at line {}", u.line) }</button>
                        }
                    </dd>
                }
                if !b.invalid_utf8_lines.is_empty() {
                    <dt>{ "Invalid UTF-8" }</dt><dd>{ format!("{} lines (shown with \u{fffd})", b.invalid_utf8_lines.len()) }</dd>
                }
                if b.crlf { <dt>{ "Line endings" }</dt><dd>{ "CRLF (Windows)" }</dd> }
            </dl>
            if let Some(i) = suspect {
                <h3>{ "Suspect step" }</h3>
                <p>{ step_button(i, format!("Step {}", i + 1)) }{ ": the verdict that most likely went wrong first." }</p>
            }
            if !worth.is_empty() {
                <h3>{ "Steps worth a look" }</h3>
                <ul class="worth">{ for worth_list }</ul>
            }
        </section>
    }
}
