//! The top bar: name of the open log, open a file, new bisection (with a
//! server), library, theme, settings, help.

use yew::prelude::*;

use crate::components::file_button::FileButton;
use crate::state::{Action, Request, Theme};

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub doc_name: Option<String>,
    pub theme: Theme,
    /// A bisect-lens server serves the page: jobs can be started.
    #[prop_or_default]
    pub server: bool,
    pub on_action: Callback<Action>,
    pub on_open: Callback<Request>,
}

#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let a = props.on_action.clone();
    let home = Callback::from(move |e: MouseEvent| {
        e.prevent_default();
        a.emit(Action::Close);
    });
    let theme = props.theme;
    let a = props.on_action.clone();
    let toggle_theme = Callback::from(move |_| a.emit(Action::SetTheme(theme.next())));
    let a = props.on_action.clone();
    let settings = Callback::from(move |_| a.emit(Action::ToggleSettings));
    let a = props.on_action.clone();
    let help = Callback::from(move |_| a.emit(Action::ToggleHelp));
    let theme_label = format!("Theme: {} (switch)", theme.as_str());
    let theme_icon = match theme {
        Theme::System => "\u{25d0}",
        Theme::Light => "\u{2600}",
        Theme::Dark => "\u{263e}",
    };
    // Beside the start page: `./library` on `/s/<id>` would be `/s/library`,
    // a stored log's address.
    let library = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .map(|p| crate::route::home_path(&p))
        .filter(|home| home.ends_with('/'))
        .map(|home| format!("{home}library"))
        .unwrap_or_else(|| "./library".to_string());
    html! {
        <header class="topbar">
            <a class="brand" href="./" onclick={home}>{ "bisect-lens" }</a>
            if let Some(name) = &props.doc_name {
                <span class="doc-name" title={name.clone()}>{ name.clone() }</span>
            }
            <nav class="topbar-actions" aria-label="Viewer">
                <FileButton label="Open file" on_file={props.on_open.reform(Request::File)} />
                if props.server {
                    <a class="button" href="/new" data-testid="new-job-link">{ "New bisection" }</a>
                }
                <a class="button" href={library} data-testid="library-link">{ "Library" }</a>
                <button type="button" class="icon" aria-label={theme_label.clone()} title={theme_label} onclick={toggle_theme}>{ theme_icon }</button>
                <button type="button" class="icon" aria-label="Settings" title="Settings" onclick={settings}>{ "\u{2699}" }</button>
                <button type="button" class="icon" aria-label="Keyboard shortcuts (?)" title="Keyboard shortcuts (?)" onclick={help}>{ "?" }</button>
            </nav>
        </header>
    }
}
