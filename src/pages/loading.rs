//! The progress screen while a log downloads and parses.

use yew::prelude::*;

use crate::load::human_size;
use crate::state::Stage;

#[derive(Properties, PartialEq)]
pub struct LoadingProps {
    pub what: String,
    pub stage: Stage,
    pub done: u64,
    pub total: Option<u64>,
}

#[function_component(Loading)]
pub fn loading(props: &LoadingProps) -> Html {
    let percent = match (props.stage, props.total) {
        (Stage::Reading, Some(t)) if t > 0 => Some((props.done * 100 / t).min(100)),
        (Stage::Reading, _) => None,
        (Stage::Parsing, _) => Some(100),
        (Stage::Rendering, _) => Some(100),
    };
    let amount = match props.total {
        Some(t) => format!("{} of {}", human_size(props.done), human_size(t)),
        None => human_size(props.done),
    };
    html! {
        <section class="loading" aria-live="polite" aria-busy="true">
            <h1>{ "Opening " }<span class="doc-name">{ props.what.clone() }</span></h1>
            <div class="progress" role="progressbar" data-testid="progress" data-stage={format!("{:?}", props.stage).to_ascii_lowercase()}
                aria-label={props.stage.label()}
                aria-valuemin="0" aria-valuemax="100"
                aria-valuenow={percent.map(|p| p.to_string())}>
                <div class={classes!("progress-bar", (props.stage != Stage::Reading || percent.is_none()).then_some("indeterminate"))}
                    style={format!("width: {}%", percent.unwrap_or(100))}></div>
            </div>
            <p class="muted">{ props.stage.label() }{ " \u{b7} " }{ amount }</p>
        </section>
    }
}
