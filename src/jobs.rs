//! Bisection jobs on a bisect-lens server: detecting the server, the
//! "New bisection" request, the job's state and its event stream, and the
//! link proxy used when a direct download fails.
//!
//! JSON goes through the browser's own `JSON` and `Reflect` rather than
//! serde: the viewer has a bundle budget, and these few small objects do not
//! need a derive each.

pub mod api;
pub mod events;
pub mod form;
pub mod stream;

/// Where the token is kept: `sessionStorage` only, so that it leaves with the
/// tab and is never part of a URL or of `localStorage`.
const TOKEN_KEY: &str = "bisect-lens.job-token";

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The job token of this tab, if one was entered.
pub fn load_token() -> String {
    session()
        .and_then(|s| s.get_item(TOKEN_KEY).ok().flatten())
        .unwrap_or_default()
}

pub fn save_token(token: &str) {
    if let Some(s) = session() {
        let _ = if token.is_empty() {
            s.remove_item(TOKEN_KEY)
        } else {
            s.set_item(TOKEN_KEY, token)
        };
    }
}
