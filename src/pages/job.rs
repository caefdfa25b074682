//! `/jobs/<id>`: a bisection job, live. Its state, how far it has come, a
//! cancel button, and its log as it grows, in the same views as any log
//! (given by the app as children).

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::culprit::commit_link;
use crate::doc::Doc;
use crate::jobs::api;
use bisect_log::job::{JobKind, JobStatus};

use crate::jobs::events::log_progress;
use crate::jobs::form::ServerError;
use crate::state::{Action, JobView, Stream};

#[derive(Properties, PartialEq)]
pub struct JobPageProps {
    pub job: JobView,
    /// The log so far (for the progress; the views come as `children`).
    pub doc: Option<Rc<Doc>>,
    pub on_action: Callback<Action>,
    /// The views of the log so far.
    #[prop_or_default]
    pub children: Html,
}

/// Steps done and about how many in all: git's estimates in the log, else
/// the engine's own report.
fn progress(doc: Option<&Doc>, status: Option<&JobStatus>) -> (u32, Option<u32>) {
    let from_log = doc.and_then(Doc::bisection).map(log_progress);
    let from_engine = status
        .and_then(|s| s.progress.as_ref())
        .and_then(|p| Some((p.steps_done?, p.steps_left)));
    match (from_log, from_engine) {
        (Some((done, Some(total))), _) => (done, Some(total)),
        (log, Some((done, left))) => {
            let done = done.max(log.map_or(0, |l| l.0));
            (done, left.map(|l| done + l + 1))
        }
        (Some(log), None) => log,
        (None, None) => (0, None),
    }
}

fn state_label(state: &str) -> &'static str {
    match state {
        "queued" => "queued",
        "running" => "running",
        "done" => "done",
        "failed" => "failed",
        "cancelled" => "cancelled",
        _ => "unknown",
    }
}

#[function_component(JobPage)]
pub fn job_page(props: &JobPageProps) -> Html {
    let id = props.job.id.clone();
    // The job's state first (a wrong id is said at once), then its stream.
    {
        let dispatch = props.on_action.clone();
        use_effect_with(id.clone(), move |id| {
            let sub = Rc::new(std::cell::RefCell::new(None));
            {
                let sub = sub.clone();
                let id = id.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match api::status(&id).await {
                        Ok(status) => {
                            dispatch.emit(Action::JobStatus(Box::new(status)));
                            *sub.borrow_mut() =
                                Some(crate::jobs::stream::follow(id, dispatch.clone()));
                        }
                        Err(e) => dispatch.emit(Action::JobFailed(e)),
                    }
                });
            }
            move || drop(sub.borrow_mut().take())
        });
    }

    let token = use_state(crate::jobs::load_token);
    // Ask for the token only when the tab has none (asked once, so that the
    // field does not vanish while it is typed in).
    let ask_token = use_state(|| crate::jobs::load_token().is_empty());
    let cancel_error = use_state(|| None::<ServerError>);
    let cancel_nonce = use_state(|| 0u64);
    {
        let id = id.clone();
        let token = (*token).clone();
        let cancel_error = cancel_error.clone();
        let dispatch = props.on_action.clone();
        use_effect_with(*cancel_nonce, move |n| {
            if *n > 0 {
                crate::jobs::save_token(&token);
                wasm_bindgen_futures::spawn_local(async move {
                    match api::cancel(&id, &token).await {
                        Ok(status) => {
                            cancel_error.set(None);
                            dispatch.emit(Action::JobStatus(Box::new(status)));
                        }
                        Err(e) => cancel_error.set(Some(e)),
                    }
                });
            }
        });
    }
    let on_cancel = {
        let cancel_nonce = cancel_nonce.clone();
        Callback::from(move |_: MouseEvent| cancel_nonce.set(*cancel_nonce + 1))
    };
    let on_token = {
        let token = token.clone();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .map(|i| i.value());
            if let Some(v) = v {
                token.set(v.trim().to_string());
            }
        })
    };

    if let Some(e) = &props.job.error {
        return html! {
            <section class="failed" role="alert" data-testid="job-load-error">
                <h1>{ e.title() }</h1>
                <p>{ format!("Job {id}: {}", e.message) }</p>
                <p><a href="/new">{ "Start a new bisection" }</a></p>
            </section>
        };
    }
    let status = props.job.status.as_ref();
    let state = status.map_or("", |s| s.state.as_str());
    let (done, expected) = progress(props.doc.as_deref(), status);
    let finished = status.is_some_and(JobStatus::is_final);
    let percent = match expected {
        Some(t) if t > 0 && !finished => Some((done * 100 / t).min(99)),
        _ if finished => Some(100),
        _ => None,
    };
    let steps_text = match expected {
        _ if finished => format!("{done} commits tested"),
        Some(t) => format!("step {done} of about {t}"),
        None => format!("{done} commits tested, estimating the range\u{2026}"),
    };
    let stream = match props.job.stream {
        Stream::Connecting => "connecting\u{2026}",
        Stream::Live => "live",
        Stream::Reconnecting => "connection lost, reconnecting\u{2026}",
        Stream::Ended => "complete",
    };
    let cancellable = status.is_some_and(|s| !s.is_final());
    html! {
        <div class="job" data-testid="job-page">
            <section class="card job-head" aria-labelledby="job-title">
                <div class="job-title-row">
                    <h1 id="job-title">{ "Bisection job " }<code>{ id.clone() }</code></h1>
                    <span class={classes!("job-state", format!("job-{}", state_label(state)))} data-testid="job-state" data-state={state.to_string()}>
                        { if state.is_empty() { "loading\u{2026}" } else { state_label(state) } }
                    </span>
                </div>
                if let Some(s) = status {
                    <p class="muted">
                        { format!("{} bisection of {}", if s.kind() == JobKind::Fix { "Fix" } else { "Cause" }, s.request.as_ref().map_or("", |r| r.repo.as_str())) }
                        if s.cancel_requested && !s.is_final() { { " \u{b7} cancelling\u{2026}" } }
                    </p>
                }
                <div class="progress" role="progressbar" data-testid="job-progress"
                    data-done={done.to_string()} data-expected={expected.map(|e| e.to_string())}
                    aria-label="Bisection steps" aria-valuemin="0" aria-valuemax="100"
                    aria-valuenow={percent.map(|p| p.to_string())}>
                    <div class={classes!("progress-bar", percent.is_none().then_some("indeterminate"))}
                        style={format!("width: {}%", percent.unwrap_or(100))}></div>
                </div>
                <p class="job-meta">
                    <span data-testid="job-steps">{ steps_text }</span>
                    { " \u{b7} stream: " }
                    <span data-testid="job-stream" data-stream={props.job.stream.as_str()}>{ stream }</span>
                </p>
                if let Some(s) = status.filter(|s| s.state == "done") {
                    if let Some(c) = &s.culprit {
                        <p class="job-culprit" data-testid="job-culprit" data-commit={c.clone()}>
                            <strong>{ if s.kind() == JobKind::Fix { "Fixing commit: " } else { "Culprit: " } }</strong>
                            { commit_link(c, true) }
                        </p>
                    } else if !s.candidates.is_empty() {
                        <p class="job-culprit" data-testid="job-candidates">
                            <strong>{ "Inconclusive, one of: " }</strong>
                            { for s.candidates.iter().map(|c| html! { <>{ commit_link(c, false) }{ " " }</> }) }
                        </p>
                    }
                }
                if let Some(err) = status.and_then(|s| s.error.clone()) {
                    <p class="banner error" role="alert" data-testid="job-failure">{ err }</p>
                }
                if cancellable {
                    <div class="job-cancel">
                        if *ask_token {
                            <label for="job-token">{ "Token" }</label>
                            <input id="job-token" type="password" autocomplete="off" value={(*token).clone()} oninput={on_token} data-testid="cancel-token" />
                        }
                        <button type="button" class="danger" onclick={on_cancel}
                            disabled={status.is_some_and(|s| s.cancel_requested)} data-testid="cancel-job">{ "Cancel the job" }</button>
                    </div>
                }
                if let Some(e) = &*cancel_error {
                    <p class="banner error" role="alert" data-testid="cancel-error"><strong>{ e.title() }</strong>{ ": " }{ e.message.clone() }</p>
                }
            </section>
            if props.doc.is_some() {
                { props.children.clone() }
            } else {
                <p class="muted" data-testid="job-waiting">{ "Waiting for the first lines of the log\u{2026}" }</p>
            }
        </div>
    }
}
