//! Overlays: keyboard help, settings, the drop target.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::links::{is_valid_template, DEFAULT_SOURCE_TEMPLATE, SOURCE_PRESETS};
use crate::state::{Action, Theme};

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_action: Callback<Action>,
}

/// Focuses the first control of a dialog when it opens.
#[hook]
fn use_focus_on_open() -> NodeRef {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with((), move |_| {
            if let Some(el) = node.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    node
}

#[function_component(Help)]
pub fn help(props: &HelpProps) -> Html {
    let a = props.on_action.clone();
    let close = Callback::from(move |_| a.emit(Action::ToggleHelp));
    let focus = use_focus_on_open();
    let keys = [
        ("j", "next step"),
        ("k", "previous step"),
        ("n", "next problem (a step that deserves a look)"),
        ("p", "previous problem"),
        ("/", "search the raw log"),
        ("?", "this help"),
        ("Esc", "close dialogs"),
    ];
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help">
            <div class="dialog">
                <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                <dl class="keys">
                    { for keys.iter().map(|(k, what)| html! {
                        <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></>
                    }) }
                </dl>
                <p>{ "Open a log by dropping a file anywhere on the page, by pasting it (Ctrl+V), or with a link: " }<code>{ "?log=URL" }</code>{ "." }</p>
                <p>{ "Line links work like GitHub's: " }<code>{ "#L123" }</code>{ ", " }<code>{ "#L10-L20" }</code>{ "; shift-click a line number to select a range." }</p>
                <button type="button" ref={focus} onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub theme: Theme,
    pub source_template: String,
    pub on_action: Callback<Action>,
}

#[function_component(Settings)]
pub fn settings(props: &SettingsProps) -> Html {
    let draft = use_state(|| props.source_template.clone());
    let focus = use_focus_on_open();
    let valid = is_valid_template(&draft);
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                draft.set(i.value());
            }
        })
    };
    let save = {
        let a = props.on_action.clone();
        let draft = draft.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if is_valid_template(&draft) {
                a.emit(Action::SetSourceTemplate((*draft).clone()));
                a.emit(Action::ToggleSettings);
            }
        })
    };
    let a = props.on_action.clone();
    let close = Callback::from(move |_| a.emit(Action::ToggleSettings));
    let theme_buttons = [Theme::System, Theme::Light, Theme::Dark].map(|t| {
        let a = props.on_action.clone();
        let onchange = Callback::from(move |_| a.emit(Action::SetTheme(t)));
        html! {
            <label class="radio">
                <input type="radio" name="theme" checked={props.theme == t} {onchange} />
                { t.as_str() }
            </label>
        }
    });
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="settings-title" data-testid="settings">
            <form class="dialog" onsubmit={save}>
                <h2 id="settings-title">{ "Settings" }</h2>
                <fieldset>
                    <legend>{ "Theme" }</legend>
                    { for theme_buttons }
                </fieldset>
                <label for="source-template">{ "Source links (" }<code>{ "{file}" }</code>{ ", " }<code>{ "{commit}" }</code>{ ", " }<code>{ "{line}" }</code>{ ")" }</label>
                <input id="source-template" ref={focus} type="text" spellcheck="false" class="wide" value={(*draft).clone()} {oninput} aria-invalid={(!valid).to_string()} />
                if !valid {
                    <p class="error-text">{ "An http(s) address with {file} in it." }</p>
                }
                <div class="presets">
                    { for SOURCE_PRESETS.iter().map(|(name, t)| {
                        let draft = draft.clone();
                        let t = t.to_string();
                        html! { <button type="button" onclick={move |_| draft.set(t.clone())}>{ *name }</button> }
                    }) }
                </div>
                <p class="muted">{ "Default: " }<code>{ DEFAULT_SOURCE_TEMPLATE }</code></p>
                <div class="dialog-buttons">
                    <button type="submit" disabled={!valid}>{ "Save" }</button>
                    <button type="button" onclick={close}>{ "Cancel" }</button>
                </div>
            </form>
        </div>
    }
}

#[function_component(DropOverlay)]
pub fn drop_overlay() -> Html {
    html! {
        <div class="drop-overlay" aria-hidden="true">
            <p>{ "Drop a bisection log to open it" }</p>
        </div>
    }
}
