//! A log that could not be opened: what happened and what to do instead.

use yew::prelude::*;

use crate::components::file_button::FileButton;
use crate::state::{LoadError, Request};

#[derive(Properties, PartialEq)]
pub struct FailedProps {
    pub error: LoadError,
    pub on_open: Callback<Request>,
}

#[function_component(Failed)]
pub fn failed(props: &FailedProps) -> Html {
    html! {
        <section class="failed" role="alert" data-testid="load-error">
            <h1>{ props.error.title.clone() }</h1>
            <p>{ props.error.detail.clone() }</p>
            if props.error.offer_file {
                <p>
                    <FileButton label="Open a downloaded file" on_file={props.on_open.reform(Request::File)} class="primary" />
                    { " or drop it anywhere on this page." }
                </p>
            }
            <p><a href="./">{ "Back to the start page" }</a></p>
        </section>
    }
}
