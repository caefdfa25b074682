//! Summary card: bug title, kind, outcome, trust badge with diagnostics,
//! culprit card, revisions tested and time.

use bisect_log::decimal::fixed;
use std::rc::Rc;

use bisect_log::analysis::{Severity, Trust};
use bisect_log::{Kind, Outcome};
use yew::prelude::*;

use crate::components::culprit::OutcomeCard;
use crate::doc::Doc;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct SummaryProps {
    pub doc: Rc<Doc>,
    pub diag: Option<usize>,
    pub on_action: Callback<Action>,
}

pub fn outcome_label(o: &Outcome, kind: Kind) -> &'static str {
    match o {
        Outcome::Incomplete => "incomplete (the log ends early)",
        Outcome::Culprit(_) if kind == Kind::Fix => "found a fixing commit",
        Outcome::Culprit(_) => "found a culprit",
        Outcome::Inconclusive { .. } => "inconclusive: several candidates",
        Outcome::NothingToBisect(n) => n.wording.text(),
        Outcome::Error { .. } => "the bisection failed",
    }
}

#[function_component(Summary)]
pub fn summary(props: &SummaryProps) -> Html {
    let Ok(p) = &props.doc.parsed else {
        return html! {};
    };
    let b = &p.bisection;
    let title = b.bug_title().unwrap_or("(no crash title in the log)");
    let kind = match b.kind {
        Kind::Cause => "cause bisection",
        Kind::Fix => "fix bisection",
    };
    let trust = p.analysis.as_ref().map(|a| a.trust);
    let (trust_class, trust_text) = match trust {
        Some(Trust::Trusted) => ("trusted", "Trusted"),
        Some(Trust::Suspect) => ("suspect", "Suspect"),
        Some(Trust::NotApplicable) => ("na", "No single culprit"),
        None => ("na", "Not analysed"),
    };
    let trust_hint = match trust {
        Some(Trust::Trusted) => "nothing in the log speaks against the culprit",
        Some(Trust::Suspect) => "the culprit is probably wrong: see the errors below",
        Some(Trust::NotApplicable) => "the bisection did not end on a single commit",
        None => "",
    };
    let diagnostics = p
        .analysis
        .as_ref()
        .map(|a| a.diagnostics.as_slice())
        .unwrap_or(&[]);
    let diag_items = diagnostics.iter().enumerate().map(|(i, d)| {
        let a = props.on_action.clone();
        let selected = props.diag == Some(i);
        let sev = d.severity.as_str();
        let icon = match d.severity {
            Severity::Error => "\u{2716}",
            Severity::Warning => "\u{26a0}",
            Severity::Info => "\u{2139}",
        };
        html! {
            <li>
                <button type="button" data-testid="diagnostic" data-code={d.code.as_str()}
                    class={classes!("diagnostic", sev, selected.then_some("selected"))}
                    aria-pressed={selected.to_string()}
                    title={d.explanation.clone()}
                    onclick={move |_| a.emit(Action::SelectDiagnostic(i))}>
                    <span class="sev" aria-label={sev}>{ icon }</span>
                    <span class="diag-title">{ d.title.clone() }</span>
                    <code class="code">{ d.code.as_str() }</code>
                </button>
            </li>
        }
    });
    let times = b.trailer.revisions.as_ref().map(|r| {
        format!(
            "{} revisions tested \u{b7} total {} (build {}, test {})",
            r.tested, r.total.text, r.build.text, r.test.text
        )
    });
    let est = p.analysis.as_ref().map(|a| &a.estimates);
    let repro = est.and_then(|e| {
        e.repro_rate.map(|r| {
            format!(
                "reproduces in {}% of runs ({} of {})",
                fixed(r * 100.0, 0),
                e.repro_crashes,
                e.repro_runs
            )
        })
    });
    let miss = est.and_then(|e| e.accumulated_miss_chance).map(|m| {
        format!(
            "chance a \u{201c}good\u{201d} verdict missed the bug: {}%",
            fixed(m * 100.0, 0)
        )
    });
    html! {
        <section class="card summary" aria-labelledby="bug-title">
            <h1 id="bug-title" class="bug-title">{ title }</h1>
            <p class="meta">
                <span class="chip">{ kind }</span>
                <span class="chip outcome" data-testid="outcome" data-outcome={b.trailer.outcome.name()}>{ outcome_label(&b.trailer.outcome, b.kind) }</span>
                <span class={classes!("trust-badge", trust_class)} data-testid="trust" data-trust={trust.map(|t| t.as_str())} title={trust_hint}>
                    { trust_text }
                </span>
            </p>
            if !trust_hint.is_empty() {
                <p class="muted trust-hint">{ trust_hint }</p>
            }
            if !diagnostics.is_empty() {
                <ul class="diagnostics" aria-label="Diagnostics">{ for diag_items }</ul>
            }
            <OutcomeCard doc={props.doc.clone()} on_action={props.on_action.clone()} />
            <p class="muted stats">
                { format!("{} commits tested", p.steps.len()) }
                if let Some(t) = times { { " \u{b7} " }{ t } }
            </p>
            if repro.is_some() || miss.is_some() {
                <p class="muted stats">
                    { repro.unwrap_or_default() }
                    if let Some(m) = miss { { " \u{b7} " }{ m } }
                </p>
            }
        </section>
    }
}
