//! `/new`: the "New bisection" form. Sends `POST /api/jobs` with the token
//! of this tab and opens the job's page; the server's refusals are shown in
//! its own words, next to the field they are about.
//!
//! The fields are a table rendered by one function: a `html!` block per
//! field would cost the bundle several kB for the same markup.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::jobs::api;
use crate::jobs::form::{JobForm, ServerError};

/// How a field is typed in.
#[derive(Clone, Copy, PartialEq)]
enum Input {
    Text,
    Number(u64),
    Lines,
    Secret,
}

/// One field: its server name, label, input, hint, and whether it takes a
/// whole row.
struct Field(&'static str, &'static str, Input, &'static str, bool);

const FIELDS: [Field; 7] = [
    Field(
        "repo",
        "Repository",
        Input::Text,
        "A git repository under the server's repositories' root.",
        true,
    ),
    Field("good", "Good revision", Input::Text, "", false),
    Field("bad", "Bad revision", Input::Text, "", false),
    Field(
        "command",
        "Test command",
        Input::Lines,
        "One argument per line, the program first. It is run as is, never through a shell: no quoting needed.",
        true,
    ),
    Field(
        "runs",
        "Runs per commit",
        Input::Number(bisect_log::job::MAX_RUNS as u64),
        "",
        false,
    ),
    Field(
        "timeout_s",
        "Timeout per run (s)",
        Input::Number(bisect_log::job::MAX_TIMEOUT_S),
        "",
        false,
    ),
    Field(
        "token",
        "Token",
        Input::Secret,
        "The server's BISECT_LENS_TOKEN. Kept in this tab only (sessionStorage), never in a link.",
        true,
    ),
];

fn value(e: &Event) -> Option<String> {
    let t = e.target()?;
    if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
        return Some(i.value());
    }
    t.dyn_ref::<web_sys::HtmlTextAreaElement>()
        .map(|a| a.value())
}

/// A refusal, from the form's own check or the server.
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

fn field(f: &Field, value: &str, error: Option<&str>, oninput: Callback<InputEvent>) -> Html {
    let Field(name, label, input, hint, wide) = *f;
    let id = format!("job-{name}");
    let error_id = error.map(|_| format!("{name}-error"));
    let invalid = error.map(|_| "true");
    let testid = format!("field-{}", name.trim_end_matches("_s"));
    let control = match input {
        Input::Lines => html! {
            <textarea id={id.clone()} name={name} rows="4" value={value.to_string()} {oninput}
                placeholder={"/bin/bash\n./repro.sh"} spellcheck="false"
                aria-invalid={invalid} aria-describedby={error_id.clone()} data-testid={testid} />
        },
        _ => {
            let (kind, max) = match input {
                Input::Number(max) => ("number", Some(max.to_string())),
                Input::Secret => ("password", None),
                _ => ("text", None),
            };
            html! {
                <input id={id.clone()} name={name} type={kind} min={max.as_ref().map(|_| "1")} max={max}
                    autocomplete={(input == Input::Secret).then_some("off")} value={value.to_string()} {oninput}
                    aria-invalid={invalid} aria-describedby={error_id.clone()} data-testid={testid} />
            }
        }
    };
    html! {
        <div class={classes!("field", wide.then_some("wide"))}>
            <label for={id}>{ label }</label>
            { control }
            if !hint.is_empty() {
                <p class="hint">{ hint }</p>
            }
            if let (Some(m), Some(eid)) = (error, error_id) {
                <p class="field-error" id={eid} data-testid={format!("field-error-{name}")}>{ m.to_string() }</p>
            }
        </div>
    }
}

#[function_component(NewJob)]
pub fn new_job() -> Html {
    let form = use_state(|| JobForm {
        token: crate::jobs::load_token(),
        ..JobForm::default()
    });
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
                                let _ = w.location().assign(&bisect_log::paths::job_page(&id));
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

    let edit = |name: &'static str| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = value(&e) {
                let mut f = (*form).clone();
                f.set(name, v);
                form.set(f);
            }
        })
    };
    let onsubmit = {
        let form = form.clone();
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
                    pending.set(Some((n, body, form.token.trim().to_string())));
                }
            }
        })
    };
    let error_of = |name: &str| {
        refusal
            .as_ref()
            .filter(|r| r.field == Some(name))
            .map(|r| r.message.clone())
    };
    let kinds = [
        ("cause", "the commit that introduced the bug"),
        ("fix", "the commit that fixed it"),
    ]
    .map(|(k, label)| {
        let checked = form.kind == k;
        let form = form.clone();
        let onchange = Callback::from(move |_: Event| {
            let mut f = (*form).clone();
            f.kind = k.to_string();
            form.set(f);
        });
        html! {
            <label class="radio">
                <input type="radio" name="kind" value={k} {checked} {onchange} data-testid={format!("kind-{k}")} />
                { label }
            </label>
        }
    });
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
                { for FIELDS[..6].iter().map(|f| field(f, form.get(f.0), error_of(f.0).as_deref(), edit(f.0))) }
                <fieldset class="field wide">
                    <legend>{ "Looking for" }</legend>
                    { for kinds }
                </fieldset>
                { for FIELDS[6..].iter().map(|f| field(f, form.get(f.0), error_of(f.0).as_deref(), edit(f.0))) }
                <p class="field wide"><button type="submit" class="primary" disabled={*busy} data-testid="submit-job">{ if *busy { "Starting\u{2026}" } else { "Start the bisection" } }</button></p>
            </form>
        </section>
    }
}
