//! Settings kept in `localStorage` (theme, source host).

use crate::links::{is_valid_template, DEFAULT_SOURCE_TEMPLATE};
use crate::state::Theme;

const THEME_KEY: &str = "bisect-lens.theme";
const SOURCE_KEY: &str = "bisect-lens.source-template";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load_theme() -> Theme {
    storage()
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
        .map_or(Theme::System, |v| Theme::from_name(&v))
}

pub fn save_theme(theme: Theme) {
    if let Some(s) = storage() {
        let _ = s.set_item(THEME_KEY, theme.as_str());
    }
}

pub fn load_source_template() -> String {
    storage()
        .and_then(|s| s.get_item(SOURCE_KEY).ok().flatten())
        .filter(|t| is_valid_template(t))
        .unwrap_or_else(|| DEFAULT_SOURCE_TEMPLATE.to_string())
}

pub fn save_source_template(template: &str) {
    if let Some(s) = storage() {
        let _ = if template == DEFAULT_SOURCE_TEMPLATE {
            s.remove_item(SOURCE_KEY)
        } else {
            s.set_item(SOURCE_KEY, template)
        };
    }
}
