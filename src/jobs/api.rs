//! Requests to the bisect-lens server that serves this page.

use std::cell::Cell;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use bisect_log::job::JobStatus;
use bisect_log::paths;

use super::events::status_from_json;
use super::form::ServerError;
use crate::json::fields as json;
use crate::route::percent_encode;

/// `GET` one log: answers JSON only when a bisect-lens server serves the
/// page (a plain file server answers `index.html` or 404).
fn probe() -> String {
    format!("{}?limit=1", paths::LOGS)
}

pub fn job_path(id: &str) -> String {
    paths::with_id(paths::JOB, id)
}

pub fn events_path(id: &str) -> String {
    paths::with_id(paths::JOB_EVENTS, id)
}

pub fn cancel_path(id: &str) -> String {
    paths::with_id(paths::JOB_CANCEL, id)
}

/// The link proxy's address for a log URL.
pub fn proxy_path(url: &str) -> String {
    format!("{}?url={}", paths::FETCH, percent_encode(url))
}

thread_local! {
    static SERVER: Cell<Option<bool>> = const { Cell::new(None) };
}

/// Whether a bisect-lens server serves this page; asked once per page.
pub async fn server_present() -> bool {
    if let Some(known) = SERVER.with(Cell::get) {
        return known;
    }
    let Some(window) = web_sys::window() else {
        return false;
    };
    // Offline, the answer is no, and asking would only log a network error.
    if !window.navigator().on_line() {
        return false;
    }
    let present = match send("GET", &probe(), None, None).await {
        Ok((status, content_type, body)) => {
            status == 200
                && content_type.starts_with("application/json")
                && json::parse(&body).is_some_and(|v| json::field(&v, "logs").is_object())
        }
        Err(_) => false,
    };
    SERVER.with(|s| s.set(Some(present)));
    present
}

/// Sends a request; answers status, content type and body text. `Err` only
/// when no answer came (network, blocked).
pub async fn send(
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> Result<(u16, String, String), ServerError> {
    let window =
        web_sys::window().ok_or_else(|| ServerError::network("no browser window".into()))?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers =
        web_sys::Headers::new().map_err(|_| ServerError::network("no request headers".into()))?;
    if let Some(body) = body {
        let _ = headers.set("content-type", "application/json");
        init.set_body(&JsValue::from_str(body));
    }
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        let _ = headers.set("authorization", &format!("Bearer {token}"));
    }
    init.set_headers(&headers);
    let resp = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|e| ServerError::network(crate::load::js_error_text(&e)))?;
    let resp: web_sys::Response = resp
        .dyn_into()
        .map_err(|_| ServerError::network("unexpected answer".into()))?;
    let content_type = crate::load::content_type(&resp);
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    Ok((resp.status(), content_type, text))
}

/// `POST /api/jobs`; the new job's id.
pub async fn submit(body: &str, token: &str) -> Result<String, ServerError> {
    let (status, _, text) = send("POST", paths::JOBS, Some(body), Some(token)).await?;
    if status != 201 {
        return Err(ServerError::from_response(status, &text));
    }
    json::parse(&text)
        .and_then(|v| json::string(&v, "id"))
        .filter(|id| crate::route::is_server_id(id))
        .ok_or_else(|| ServerError::from_response(500, "{\"error\":\"no job id in the answer\"}"))
}

/// `GET /api/jobs/{id}`.
pub async fn status(id: &str) -> Result<JobStatus, ServerError> {
    let (status, _, text) = send("GET", &job_path(id), None, None).await?;
    if status != 200 {
        return Err(ServerError::from_response(status, &text));
    }
    status_from_json(&text).ok_or_else(|| ServerError::from_response(status, ""))
}

/// `POST /api/jobs/{id}/cancel`; the job's state after it.
pub async fn cancel(id: &str, token: &str) -> Result<JobStatus, ServerError> {
    let (status, _, text) = send("POST", &cancel_path(id), None, Some(token)).await?;
    if status != 200 {
        return Err(ServerError::from_response(status, &text));
    }
    status_from_json(&text).ok_or_else(|| ServerError::from_response(status, ""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn paths() {
        assert_eq!(job_path("abc123"), "/api/jobs/abc123");
        assert_eq!(events_path("abc123"), "/api/jobs/abc123/events");
        assert_eq!(cancel_path("abc123"), "/api/jobs/abc123/cancel");
        assert_eq!(paths::job_page("abc123"), "/jobs/abc123");
        // The whole URL is one query value: its own `?` and `&` are encoded.
        assert_eq!(
            proxy_path("https://syzkaller.appspot.com/x/bisect.txt?x=1&y=2"),
            "/api/fetch?url=https://syzkaller.appspot.com/x/bisect.txt%3Fx%3D1%26y%3D2"
        );
    }
}
