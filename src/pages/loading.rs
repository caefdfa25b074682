//! The progress screen while a log downloads and parses.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::doc::{open_here, Doc};
use crate::fragment::Tab;
use crate::load::human_size;
use crate::pages::viewer::Viewer;
use crate::state::{Action, ScrollRequest, Stage};

/// A bundled sample rendered out of sight while the real log downloads, so
/// that the browser has compiled the rendering code by the time it arrives.
const WARM_UP_SAMPLE: &str = "samples/004_dd38629cfa7ebbde.txt";

async fn fetch_sample() -> Option<Rc<Doc>> {
    let window = web_sys::window()?;
    let resp: web_sys::Response =
        JsFuture::from(window.fetch_with_str(&crate::worker::asset_url(WARM_UP_SAMPLE)))
            .await
            .ok()?
            .dyn_into()
            .ok()?;
    if !resp.ok() {
        return None;
    }
    let buf = JsFuture::from(resp.array_buffer().ok()?).await.ok()?;
    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
    Some(open_here("warm-up".into(), &bytes))
}

#[derive(Properties, PartialEq)]
pub struct LoadingProps {
    pub what: String,
    pub stage: Stage,
    pub done: u64,
    pub total: Option<u64>,
}

#[function_component(Loading)]
pub fn loading(props: &LoadingProps) -> Html {
    let warm = use_state(|| None::<Rc<Doc>>);
    {
        let warm = warm.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(doc) = fetch_sample().await {
                    warm.set(Some(doc));
                }
            });
        });
    }
    {
        // Rendered once is enough; removed now, it is not torn down (~3 ms)
        // when the real log's view replaces this page.
        let warm = warm.clone();
        use_effect_with(warm.is_some(), move |rendered| {
            if *rendered {
                warm.set(None);
            }
        });
    }
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
            if let Some(doc) = (*warm).clone() {
                <div class="warm-up" hidden=true aria-hidden="true">
                    <Viewer doc={doc} step={Some(0)} diag={None} tab={Tab::Details} lines={None}
                        scroll={ScrollRequest::default()} search={String::new()} search_focus={0}
                        source_template={crate::links::DEFAULT_SOURCE_TEMPLATE.to_string()}
                        on_action={Callback::from(|_: Action| ())} />
                </div>
            }
        </section>
    }
}
