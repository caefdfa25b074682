//! Two logs side by side (`?log=A&compare=B`; `library:<key>` names a log of
//! the library): outcomes, culprits and trust verdicts, then every tested
//! commit aligned by hash with differing verdicts highlighted.

use std::rc::Rc;

use bisect_log::analysis::Trust;
use bisect_log::{Outcome, Verdict};
use yew::prelude::*;

use crate::bundle::{self, Content};
use crate::compare::{align, Row};
use crate::components::summary::outcome_label;
use crate::doc::{open_here, Doc};
use crate::library;

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub a: String,
    pub b: String,
}

/// A log of the comparison, or why it could not be opened.
type Side = Option<Result<Rc<Doc>, String>>;

/// The text and a name for a compare source.
async fn fetch(source: &str) -> Result<Rc<Doc>, String> {
    let (name, bytes) = if let Some(key) = source.strip_prefix("library:") {
        match library::get(key).await {
            Ok(Some(b)) => (b.name, b.text.into_bytes()),
            Ok(None) => return Err(format!("The library has no log {key}.")),
            Err(e) => return Err(e.0),
        }
    } else {
        let bytes = crate::load::fetch_bytes(source)
            .await
            .map_err(|e| format!("{}: {}", e.title, e.detail))?;
        (source.to_string(), bytes)
    };
    let (name, bytes) = if bundle::looks_like_json(&bytes) {
        match bundle::read(&bytes) {
            Ok(Content::Log(b)) => (b.name, b.text.into_bytes()),
            Ok(Content::Library(_)) => return Err("This is a library export, not one log.".into()),
            Err(e) => return Err(format!("{name}: {e}")),
        }
    } else {
        (name, bytes)
    };
    Ok(open_here(name, &bytes))
}

fn verdict_cell(v: Option<Verdict>, side: &str) -> Html {
    match v {
        Some(v) => html! {
            <td class={classes!("verdict-cell", format!("verdict-{}", v.as_str()))} data-side={side.to_string()}>
                <span class={classes!("verdict-chip", format!("verdict-{}", v.as_str()))}>{ v.as_str() }</span>
            </td>
        },
        None => {
            html! { <td class="verdict-cell not-tested muted" data-side={side.to_string()}>{ "not tested" }</td> }
        }
    }
}

fn side_card(label: &str, side: &Side) -> Html {
    let body = match side {
        None => html! { <p class="muted">{ "Loading\u{2026}" }</p> },
        Some(Err(e)) => {
            html! { <p class="error-text" role="alert" data-testid="compare-error">{ e.clone() }</p> }
        }
        Some(Ok(doc)) => match &doc.parsed {
            Err(e) => html! {
                <p class="error-text" role="alert" data-testid="compare-error">{ format!("{}: not a syzbot bisection log ({e})", doc.name) }</p>
            },
            Ok(p) => {
                let b = &p.bisection;
                let trust = p
                    .analysis
                    .as_ref()
                    .map_or(Trust::NotApplicable, |a| a.trust);
                let trust_class = match trust {
                    Trust::Trusted => "trusted",
                    Trust::Suspect => "suspect",
                    Trust::NotApplicable => "na",
                };
                let culprit = match &b.trailer.outcome {
                    Outcome::Culprit(c) => Some(c.commit.clone()),
                    _ => None,
                };
                let subject = b
                    .culprit_commit()
                    .and_then(|c| c.subject())
                    .map(str::to_string);
                let diags = p.analysis.as_ref().map_or(0, |a| a.diagnostics.len());
                html! {
                    <>
                    <div class="library-title" data-testid="compare-title">{ b.bug_title().unwrap_or("(no crash title)").to_string() }</div>
                    <div class="muted small" data-testid="compare-name">{ doc.name.clone() }</div>
                    <dl class="kv">
                        <dt>{ "Kind" }</dt><dd>{ format!("{:?}", b.kind).to_ascii_lowercase() }</dd>
                        <dt>{ "Outcome" }</dt><dd data-testid="compare-outcome">{ outcome_label(&b.trailer.outcome, b.kind) }</dd>
                        <dt>{ "Culprit" }</dt>
                        <dd data-testid="compare-culprit" data-commit={culprit.clone().unwrap_or_default()}>
                            if let Some(c) = &culprit {
                                <code class="hash">{ c.get(..12).unwrap_or(c).to_string() }</code>
                                if let Some(s) = subject { { " " }<span>{ s }</span> }
                            } else {
                                <span class="muted">{ "none" }</span>
                            }
                        </dd>
                        <dt>{ "Trust" }</dt>
                        <dd><span class={classes!("trust-badge", trust_class)} data-testid="compare-trust" data-trust={trust.as_str()}>{ trust.as_str() }</span>
                            { format!(" {diags} diagnostic(s)") }</dd>
                        <dt>{ "Tested" }</dt><dd>{ format!("{} commit(s)", b.tests().count()) }</dd>
                    </dl>
                    </>
                }
            }
        },
    };
    html! {
        <section class="card compare-side" data-testid="compare-side" data-side={label.to_ascii_lowercase()}>
            <h2>{ format!("Log {label}") }</h2>
            { body }
        </section>
    }
}

#[function_component(Compare)]
pub fn compare(props: &CompareProps) -> Html {
    let a = use_state(|| None::<Result<Rc<Doc>, String>>);
    let b = use_state(|| None::<Result<Rc<Doc>, String>>);
    let only_both = use_state(|| false);
    {
        let (sa, sb) = (a.clone(), b.clone());
        use_effect_with((props.a.clone(), props.b.clone()), move |(pa, pb)| {
            let (pa, pb) = (pa.clone(), pb.clone());
            wasm_bindgen_futures::spawn_local(async move {
                sa.set(Some(fetch(&pa).await));
                sb.set(Some(fetch(&pb).await));
            });
        });
    }
    let parsed = |s: &Side| match s {
        Some(Ok(d)) if d.parsed.is_ok() => Some(d.clone()),
        _ => None,
    };
    let table = match (parsed(&a), parsed(&b)) {
        (Some(da), Some(db)) => {
            let rows: Vec<Row> = match (da.bisection(), db.bisection()) {
                (Some(ba), Some(bb)) => align(ba, bb),
                _ => Vec::new(),
            };
            let both = rows.iter().filter(|r| r.in_both()).count();
            let differ = rows.iter().filter(|r| r.differs()).count();
            let culprit = |d: &Doc| {
                d.bisection()
                    .and_then(|b| b.culprit_commit())
                    .map(|c| c.commit.clone())
            };
            let (ca, cb) = (culprit(&da), culprit(&db));
            let same_culprit = ca.is_some() && ca == cb;
            let toggle = {
                let only_both = only_both.clone();
                Callback::from(move |_: Event| only_both.set(!*only_both))
            };
            html! {
                <section class="card compare-commits" aria-labelledby="compare-commits-title">
                    <h2 id="compare-commits-title">{ "Tested commits" }</h2>
                    <p data-testid="compare-stats" data-both={both.to_string()} data-differ={differ.to_string()}>
                        { format!("{} commit(s) in all; {both} tested by both logs, ", rows.len()) }
                        <strong class={classes!((differ > 0).then_some("error-text"))}>{ format!("{differ} with different verdicts") }</strong>
                        { ". " }
                        { if same_culprit { "Both blame the same commit." } else if ca.is_some() || cb.is_some() { "The culprits differ." } else { "" } }
                    </p>
                    <label class="muted small"><input type="checkbox" checked={*only_both} onchange={toggle} data-testid="compare-only-both" />{ " only commits tested by both" }</label>
                    <table class="compare-table">
                        <thead><tr><th scope="col">{ "Commit" }</th><th scope="col">{ "A" }</th><th scope="col">{ "B" }</th></tr></thead>
                        <tbody>
                        { for rows.iter().filter(|r| !*only_both || r.in_both()).map(|r| {
                            let is_culprit = |c: &Option<String>| c.as_deref() == Some(r.commit.as_str());
                            html! {
                                <tr class={classes!(r.differs().then_some("differs"), r.in_both().then_some("both"))}
                                    data-testid="compare-row" data-commit={r.commit.clone()}
                                    data-a={r.a.map_or("", Verdict::as_str)} data-b={r.b.map_or("", Verdict::as_str)}
                                    data-differs={r.differs().to_string()}>
                                    <td>
                                        <code class="hash" title={r.commit.clone()}>{ r.commit.get(..12).unwrap_or(&r.commit).to_string() }</code>
                                        if let Some(s) = &r.subject { { " " }<span class="muted">{ s.clone() }</span> }
                                        if is_culprit(&ca) { <span class="chip" data-testid="compare-culprit-mark">{ "culprit of A" }</span> }
                                        if is_culprit(&cb) { <span class="chip" data-testid="compare-culprit-mark">{ "culprit of B" }</span> }
                                    </td>
                                    { verdict_cell(r.a, "a") }
                                    { verdict_cell(r.b, "b") }
                                </tr>
                            }
                        }) }
                        </tbody>
                    </table>
                </section>
            }
        }
        _ => html! {},
    };
    html! {
        <section class="compare" data-testid="compare">
            <h1>{ "Compare two bisections" }</h1>
            <div class="compare-sides">
                { side_card("A", &a) }
                { side_card("B", &b) }
            </div>
            { table }
        </section>
    }
}
