//! The commit timeline: one node per test block in log order, coloured by
//! verdict, with one mark per run coloured by outcome.

use std::rc::Rc;

use bisect_log::{Role, Runs, TestBlock};
use yew::prelude::*;

use crate::doc::{Doc, RunKind, StepInfo};
use crate::links::short;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub doc: Rc<Doc>,
    pub selected: Option<usize>,
    pub on_action: Callback<Action>,
}

pub fn role_label(role: &Role) -> String {
    match role {
        Role::Original => "original commit".to_string(),
        Role::Release { tag } => format!("release {tag}"),
        Role::Head => "current HEAD".to_string(),
        Role::MergeBase => "merge base".to_string(),
        Role::Step => "bisect step".to_string(),
        Role::Parent => "culprit's parent".to_string(),
        Role::Minimization => "config minimization".to_string(),
    }
}

/// `20 runs: 15 the bug's crash, 5 OK`.
pub fn runs_summary(t: &TestBlock, info: &StepInfo) -> String {
    if let Runs::All(run) = &t.runs {
        return format!("all runs: {}", run.result.outcome());
    }
    let mut parts = Vec::new();
    for k in RunKind::ALL {
        let n = info.run_kinds.iter().filter(|&&x| x == k).count();
        if n > 0 {
            parts.push(format!("{n} {}", k.label()));
        }
    }
    let n = info.run_kinds.len();
    if n == 0 && !t.failures.is_empty() {
        return "build or test failure".to_string();
    }
    format!("{n} runs: {}", parts.join(", "))
}

#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let Ok(p) = &props.doc.parsed else {
        return html! {};
    };
    let selected_ref = use_node_ref();
    // Keep the selected node in view (j/k may move it off screen).
    {
        let node = selected_ref.clone();
        use_effect_with(props.selected, move |_| {
            if let Some(el) = node.cast::<web_sys::Element>() {
                let opts = web_sys::ScrollIntoViewOptions::new();
                opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                el.scroll_into_view_with_scroll_into_view_options(&opts);
            }
        });
    }
    let suspect = p
        .analysis
        .as_ref()
        .and_then(|a| a.suspect_step.as_ref())
        .map(|s| s.span);
    let rows = p.steps.iter().enumerate().filter_map(|(i, info)| {
        let t = p.test(i)?;
        let selected = props.selected == Some(i);
        let a = props.on_action.clone();
        let select = Callback::from(move |_| a.emit(Action::SelectStep(i)));
        let verdict = t.verdict.as_str();
        let subject = info.subject.clone().unwrap_or_default();
        let runs_text = runs_summary(t, info);
        let label = format!(
            "Step {}: {}, commit {}, verdict {verdict}, {runs_text}",
            i + 1,
            role_label(&t.role),
            short(&t.commit)
        );
        let is_suspect = suspect.is_some_and(|s| s == t.span);
        let marks: Html = match &t.runs {
            Runs::All(run) => html! {
                <span data-testid="run" data-outcome={run.result.outcome()} data-all="true"
                    data-kind={info.run_kinds.first().map(|k| k.as_str())}
                    class={classes!("run", "run-all", info.run_kinds.first().map(|k| format!("run-{}", k.as_str())))}
                    title={format!("all runs: {}", run.result.text().unwrap_or("OK"))}>{ "all" }</span>
            },
            _ => t
                .runs
                .as_slice()
                .iter()
                .zip(&info.run_kinds)
                .enumerate()
                .map(|(j, (run, kind))| {
                    let title = format!(
                        "run #{}: {}{} ({})",
                        run.index.unwrap_or(j as u32),
                        run.result.outcome(),
                        run.result.text().map(|t| format!(": {t}")).unwrap_or_default(),
                        kind.label()
                    );
                    html! {
                        <span data-testid="run" data-outcome={run.result.outcome()} data-kind={kind.as_str()}
                            class={classes!("run", format!("run-{}", kind.as_str()))} title={title}></span>
                    }
                })
                .collect(),
        };
        let failures = t.failures.iter().map(|f| {
            html! {
                <span data-testid="failure" class="run run-build" title={format!("build/test failure: {}", f.text)}></span>
            }
        });
        let sig = info.signature_group.map(|g| {
            let members: Vec<String> = p
                .signature_groups
                .get(g - 1)
                .map(|m| m.iter().map(|s| (s + 1).to_string()).collect())
                .unwrap_or_default();
            html! {
                <span class={classes!("sig-mark", format!("sig-{}", (g - 1) % 6))} data-testid="same-signature-mark"
                    title={format!("Identical kernel signature in steps {}: the same kernel binary", members.join(", "))}>
                    { format!("\u{2261}{g}") }
                </span>
            }
        });
        Some(html! {
            <li data-testid="step" data-commit={t.commit.clone()} data-verdict={verdict}
                class={classes!("step", format!("verdict-{verdict}"), selected.then_some("selected"),
                    (!info.problems.is_empty()).then_some("problem"), is_suspect.then_some("suspect"))}
                ref={if selected { selected_ref.clone() } else { NodeRef::default() }}>
                <button type="button" class="step-main" aria-label={label} aria-current={selected.then_some("step")} onclick={select.clone()}>
                    <span class="step-no">{ i + 1 }</span>
                    <span class="verdict-chip">{ verdict }</span>
                    <span class="role">{ role_label(&t.role) }</span>
                    <code class="hash">{ short(&t.commit) }</code>
                    <span class="subject">{ subject }</span>
                </button>
                <div class="step-runs" onclick={select}>
                    <span class="run-grid" role="img" aria-label={runs_text}>{ marks }{ for failures }</span>
                    { for sig }
                    if is_suspect {
                        <span class="suspect-mark" title="The step whose verdict most likely went wrong first">{ "suspect" }</span>
                    }
                    if let Some(n) = info.revisions_left {
                        <span class="revs-left" title="revisions left to test after this step">{ format!("{n} left") }</span>
                    }
                </div>
            </li>
        })
    });
    let legend = RunKind::ALL.map(|k| {
        html! { <li><span class={classes!("run", format!("run-{}", k.as_str()))}></span>{ k.label() }</li> }
    });
    html! {
        <>
            <ol class="timeline" aria-label="Tested commits">{ for rows }</ol>
            <ul class="legend" aria-label="Run colours">{ for legend }</ul>
        </>
    }
}
