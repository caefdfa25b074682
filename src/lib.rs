//! bisect-lens viewer (placeholder page until the viewer issue lands).
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    html! { <main><h1>{ "bisect-lens" }</h1></main> }
}
