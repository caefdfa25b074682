//! The culprit card (hash, subject, author, date, message, diffstat,
//! recipients) or what the bisection ended with instead.

use std::rc::Rc;

use bisect_log::{Change, Outcome, Recipients};
use yew::prelude::*;

use crate::doc::Doc;
use crate::links::{commit_url, short};
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct OutcomeCardProps {
    pub doc: Rc<Doc>,
    pub on_action: Callback<Action>,
}

/// A hash with a link to it on git.kernel.org (when it is a valid hash).
pub fn commit_link(commit: &str, full: bool) -> Html {
    let text = if full { commit } else { short(commit) };
    match commit_url(commit) {
        Some(url) => html! {
            <a class="hash" href={url} target="_blank" rel="noopener noreferrer" title={format!("{commit} on git.kernel.org")}>{ text.to_string() }</a>
        },
        None => html! { <code class="hash">{ text.to_string() }</code> },
    }
}

const MAX_FILES: usize = 40;

#[function_component(OutcomeCard)]
pub fn outcome_card(props: &OutcomeCardProps) -> Html {
    // The file list of a closed diffstat is built when it is first opened:
    // it was a fifth of a big log's first view, rendered out of sight.
    let files_opened = use_state_eq(|| false);
    let Ok(p) = &props.doc.parsed else {
        return html! {};
    };
    let b = &p.bisection;
    let show = |span: bisect_log::Span| {
        let a = props.on_action.clone();
        Callback::from(move |_| a.emit(Action::ShowLines(span.first, span.last)))
    };
    match &b.trailer.outcome {
        Outcome::Culprit(c) => {
            let commit = b.culprit_commit();
            let subject = commit
                .and_then(|cc| cc.subject())
                .unwrap_or(c.title.as_str())
                .to_string();
            let files: Vec<&Change> = commit
                .map(|cc| {
                    cc.changes
                        .iter()
                        .filter(|ch| matches!(ch, Change::Stat { .. } | Change::Raw { .. }))
                        .collect()
                })
                .unwrap_or_default();
            let summary_line = commit.and_then(|cc| {
                cc.changes.iter().find_map(|ch| match ch {
                    Change::Summary { line } => Some(line.trim().to_string()),
                    _ => None,
                })
            });
            let more = p.culprit_files.max(files.len()).saturating_sub(MAX_FILES);
            let sigs = b.culprit_signatures();
            let recipients = c.recipients.as_ref().map(|r| match r {
                Recipients::Cc { cc } => (Vec::new(), cc.clone()),
                Recipients::ToCc { to, cc } => (to.clone(), cc.clone()),
            });
            let files_open = p.culprit_files <= 8;
            let on_files_toggle = {
                let opened = files_opened.clone();
                Callback::from(move |e: Event| {
                    let open = e
                        .target_dyn_into::<web_sys::Element>()
                        .is_some_and(|d| d.has_attribute("open"));
                    if open {
                        opened.set(true);
                    }
                })
            };
            let heading = if b.kind == bisect_log::Kind::Fix {
                "Fixing commit"
            } else {
                "Culprit"
            };
            html! {
                <article class="culprit" data-testid="culprit" aria-label={heading}>
                    <h2>{ heading }</h2>
                    <p class="culprit-hash">{ commit_link(&c.commit, true) }</p>
                    <p class="culprit-subject">{ subject }</p>
                    <dl class="kv">
                        if let Some(author) = commit.and_then(|cc| cc.author.clone()) {
                            <dt>{ "Author" }</dt><dd>{ author }</dd>
                        }
                        if let Some(date) = commit.and_then(|cc| cc.date.clone()) {
                            <dt>{ "Date" }</dt><dd>{ date }</dd>
                        }
                        if let Some(cc) = commit.filter(|cc| !cc.merge_parents.is_empty()) {
                            <dt>{ "Merge of" }</dt><dd><code>{ cc.merge_parents.join(" ") }</code></dd>
                        }
                        if let Some((culprit_sig, parent_sig)) = sigs {
                            <dt>{ "Signatures" }</dt>
                            <dd>
                                if culprit_sig == parent_sig {
                                    <span class="warn-text" data-testid="same-signature">{ "identical to its parent's: the culprit does not change the tested kernel" }</span>
                                } else {
                                    { "differ from its parent's" }
                                }
                            </dd>
                        }
                    </dl>
                    if let Some(cc) = commit.filter(|cc| cc.message.len() > 1) {
                        <details class="message">
                            <summary>{ "Commit message" }</summary>
                            <pre>{ cc.message.join("\n") }</pre>
                        </details>
                    }
                    if !files.is_empty() {
                        <details class="diffstat" open={files_open} data-testid="diffstat" ontoggle={on_files_toggle}>
                            <summary>{ summary_line.clone().unwrap_or_else(|| format!("{} files", p.culprit_files)) }</summary>
                            if files_open || *files_opened {
                                <ul class="files">
                                    { for files.iter().take(MAX_FILES).map(|ch| match ch {
                                        Change::Stat { path, graph, .. } => html! {
                                            <li><code>{ path.clone() }</code><span class="graph">{ graph.clone() }</span></li>
                                        },
                                        Change::Raw { path, status, .. } => html! {
                                            <li><code>{ path.clone() }</code><span class="graph">{ status.clone() }</span></li>
                                        },
                                        _ => html! {},
                                    }) }
                                </ul>
                                if more > 0 {
                                    <p class="muted">{ format!("and {more} more files") }</p>
                                }
                            }
                        </details>
                    }
                    if let Some((to, cc)) = recipients {
                        <details class="recipients">
                            <summary>{ format!("Recipients ({} to, {} cc)", to.len(), cc.len()) }</summary>
                            if !to.is_empty() { <p>{ "To: " }{ to.join(", ") }</p> }
                            if !cc.is_empty() { <p>{ "Cc: " }{ cc.join(", ") }</p> }
                        </details>
                    }
                    <button type="button" class="link" onclick={show(c.span)}>{ format!("Show in the raw log (line {})", c.span.first) }</button>
                </article>
            }
        }
        Outcome::Inconclusive {
            span, candidates, ..
        } => html! {
            <article class="culprit inconclusive" aria-label="Candidates">
                <h2>{ format!("{} candidate commits", candidates.len()) }</h2>
                <ul class="candidates">
                    { for candidates.iter().map(|c| html! { <li>{ commit_link(c, true) }</li> }) }
                </ul>
                <button type="button" class="link" onclick={show(*span)}>{ "Show in the raw log" }</button>
            </article>
        },
        Outcome::NothingToBisect(n) => html! {
            <article class="culprit nothing" aria-label="Result">
                <h2>{ "Nothing to bisect" }</h2>
                <p>{ n.wording.text() }</p>
                if let Some(msg) = &n.commit_msg { <p class="muted">{ msg.clone() }</p> }
                <button type="button" class="link" onclick={show(n.span)}>{ "Show in the raw log" }</button>
            </article>
        },
        Outcome::Error { span, .. } => html! {
            <article class="culprit error" aria-label="Error">
                <h2>{ "The bisection failed" }</h2>
                <pre class="error-text">{ b.error_text().unwrap_or_default() }</pre>
                <button type="button" class="link" onclick={show(*span)}>{ "Show in the raw log" }</button>
            </article>
        },
        Outcome::Incomplete => html! {
            <article class="culprit incomplete" aria-label="Result">
                <h2>{ "No result" }</h2>
                <p>{ "The log ends before the bisection did." }</p>
            </article>
        },
    }
}
