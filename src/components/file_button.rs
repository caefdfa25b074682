//! "Open a file" button: a labelled, keyboard-reachable file input.

use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FileButtonProps {
    pub label: AttrValue,
    pub on_file: Callback<web_sys::File>,
    #[prop_or_default]
    pub class: Classes,
}

#[function_component(FileButton)]
pub fn file_button(props: &FileButtonProps) -> Html {
    let onchange = {
        let on_file = props.on_file.clone();
        Callback::from(move |e: Event| {
            let input = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
            if let Some(input) = input {
                if let Some(file) = input.files().and_then(|f| f.get(0)) {
                    on_file.emit(file);
                }
                input.set_value("");
            }
        })
    };
    html! {
        <label class={classes!("button", "file-button", props.class.clone())}>
            <input type="file" accept=".txt,.log,.json,text/plain,application/json" class="visually-hidden" data-testid="file-input" {onchange} />
            { props.label.clone() }
        </label>
    }
}
