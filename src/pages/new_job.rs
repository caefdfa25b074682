//! `/new`: the "New bisection" form. Sends `POST /api/jobs` with the token
//! of this tab and opens the job's page; the server's refusals are shown in
//! its own words, next to the field they are about.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::jobs::api;
use crate::jobs::form::{JobForm, ServerError, MAX_RUNS, MAX_TIMEOUT_S};

fn value(e: &Event) -> Option<String> {
    let t = e.target()?;
    if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
        return Some(i.value());
    }
    t.dyn_ref::<web_sys::HtmlTextAreaElement>()
        .map(|a| a.value())
}

/// A form field's refusal, from the form's own check or the server.
#[derive(Debug, Clone, PartialEq)]
struct Refusal {
    title: String,
    message: String,
    field: Option<&'static str>,
}

impl From<ServerError> for Refusal {
    fn from(e: ServerError) -> Self {
        Refusal {
            title: e.title().to_string(),
            message: e.message,
            field: e.field,
        }
    }
}

#[function_component(NewJob)]
pub fn new_job() -> Html {
    let form = use_state(JobForm::default);
    let token = use_state(crate::jobs::load_token);
    let refusal = use_state(|| None::<Refusal>);
    // The request to send, numbered so that a second submit sends again.
    let pending = use_state(|| None::<(u64, String, String)>);
    let busy = use_state(|| false);

    {
        let refusal = refusal.clone();
        let busy = busy.clone();
        let current = (*pending).clone();
        use_effect_with(current.as_ref().map(|(n, _, _)| *n), move |_| {
            if let Some((_, body, token)) = current {
                crate::jobs::save_token(&token);
                busy.set(true);
                wasm_bindgen_futures::spawn_local(async move {
                    match api::submit(&body, &token).await {
                        Ok(id) => {
                            if let Some(w) = web_sys::window() {
                                let _ = w.location().assign(&api::job_page(&id));
                            }
                        }
                        Err(e) => {
                            busy.set(false);
                            refusal.set(Some(e.into()));
                        }
                    }
                });
            }
        });
    }

    let edit = |set: fn(&mut JobForm, String)| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = value(&e) {
                let mut f = (*form).clone();
                set(&mut f, v);
                form.set(f);
            }
        })
    };
    let on_token = {
        let token = token.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = value(&e) {
                token.set(v.trim().to_string());
            }
        })
    };
    let onsubmit = {
        let form = form.clone();
        let token = token.clone();
        let refusal = refusal.clone();
        let pending = pending.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match form.to_json() {
                Err(f) => refusal.set(Some(Refusal {
                    title: "Check the form".into(),
                    message: f.message,
                    field: Some(f.field),
                })),
                Ok(body) => {
                    refusal.set(None);
                    let n = pending.as_ref().map_or(1, |(n, _, _)| n + 1);
                    pending.set(Some((n, body, (*token).clone())));
                }
            }
        })
    };

    let bad = |field: &str| {
        refusal
            .as_ref()
            .filter(|r| r.field == Some(field))
            .map(|r| r.message.clone())
    };
    let note = |field: &'static str| match bad(field) {
        Some(m) => {
            html! { <p class="field-error" id={format!("{field}-error")} data-testid={format!("field-error-{field}")}>{ m }</p> }
        }
        None => html! {},
    };
    let invalid = |field: &str| bad(field).map(|_| "true");
    let described = |field: &str| bad(field).map(|_| format!("{field}-error"));
    let f = &*form;
    let kind_radio = |k: &'static str, label: &'static str| {
        let form = form.clone();
        let onchange = Callback::from(move |_: Event| {
            let mut f = (*form).clone();
            f.kind = k.to_string();
            form.set(f);
        });
        html! {
            <label class="radio">
                <input type="radio" name="kind" value={k} checked={f.kind == k} {onchange} data-testid={format!("kind-{k}")} />
                { label }
            </label>
        }
    };
    html! {
        <section class="new-job" data-testid="new-job">
            <h1>{ "New bisection" }</h1>
            <p class="muted">{ "The server runs the command on each commit it tests, several times, and reads flaky results as evidence rather than verdicts. Exit 0 is OK, 125 skips the commit, other codes are a crash titled by the last line of output." }</p>
            if let Some(r) = &*refusal {
                <div class="banner error" role="alert" data-testid="job-error">
                    <strong>{ r.title.clone() }</strong>{ ": " }{ r.message.clone() }
                </div>
            }
            <form class="job-form card" {onsubmit} novalidate=true>
                <label for="job-repo">{ "Repository" }</label>
                <input id="job-repo" name="repo" value={f.repo.clone()} oninput={edit(|f, v| f.repo = v)}
                    placeholder="linux" aria-invalid={invalid("repo")} aria-describedby={described("repo")} data-testid="field-repo" />
                <p class="hint">{ "A git repository under the server's repositories' root." }</p>
                { note("repo") }
                <div class="pair">
                    <div>
                        <label for="job-good">{ "Good revision" }</label>
                        <input id="job-good" name="good" value={f.good.clone()} oninput={edit(|f, v| f.good = v)}
                            aria-invalid={invalid("good")} aria-describedby={described("good")} data-testid="field-good" />
                        { note("good") }
                    </div>
                    <div>
                        <label for="job-bad">{ "Bad revision" }</label>
                        <input id="job-bad" name="bad" value={f.bad.clone()} oninput={edit(|f, v| f.bad = v)}
                            aria-invalid={invalid("bad")} aria-describedby={described("bad")} data-testid="field-bad" />
                        { note("bad") }
                    </div>
                </div>
                <label for="job-command">{ "Test command" }</label>
                <textarea id="job-command" name="command" rows="4" value={f.command.clone()} oninput={edit(|f, v| f.command = v)}
                    placeholder={"/bin/bash\n./repro.sh"} spellcheck="false"
                    aria-invalid={invalid("command")} aria-describedby={described("command")} data-testid="field-command" />
                <p class="hint">{ "One argument per line, the program first. It is run as is, never through a shell: no quoting needed." }</p>
                { note("command") }
                <div class="pair">
                    <div>
                        <label for="job-runs">{ "Runs per commit" }</label>
                        <input id="job-runs" name="runs" type="number" min="1" max={MAX_RUNS.to_string()} value={f.runs.clone()}
                            oninput={edit(|f, v| f.runs = v)} aria-invalid={invalid("runs")} aria-describedby={described("runs")} data-testid="field-runs" />
                        { note("runs") }
                    </div>
                    <div>
                        <label for="job-timeout">{ "Timeout per run (s)" }</label>
                        <input id="job-timeout" name="timeout_s" type="number" min="1" max={MAX_TIMEOUT_S.to_string()} value={f.timeout_s.clone()}
                            oninput={edit(|f, v| f.timeout_s = v)} aria-invalid={invalid("timeout_s")} aria-describedby={described("timeout_s")} data-testid="field-timeout" />
                        { note("timeout_s") }
                    </div>
                </div>
                <fieldset class="kind">
                    <legend>{ "Looking for" }</legend>
                    { kind_radio("cause", "the commit that introduced the bug") }
                    { kind_radio("fix", "the commit that fixed it") }
                    { note("kind") }
                </fieldset>
                <label for="job-token">{ "Token" }</label>
                <input id="job-token" name="token" type="password" autocomplete="off" value={(*token).clone()} oninput={on_token} data-testid="field-token" />
                <p class="hint">{ "The server's BISECT_LENS_TOKEN. Kept in this tab only (sessionStorage), never in a link." }</p>
                <p><button type="submit" class="primary" disabled={*busy} data-testid="submit-job">{ if *busy { "Starting\u{2026}" } else { "Start the bisection" } }</button></p>
            </form>
        </section>
    }
}
