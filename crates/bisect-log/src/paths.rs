//! Every URL path bisect-server answers, defined once: its handlers, router,
//! OpenAPI document and tests, and the viewer's requests all refer to these.

/// `POST` a log, `GET` the paginated list.
pub const LOGS: &str = "/api/logs";
/// `GET` the stored text of one log.
pub const LOG: &str = "/api/logs/{id}";
/// `GET` the `bisect-log summary` JSON object of one log.
pub const LOG_SUMMARY: &str = "/api/logs/{id}/summary";
/// `GET` the annotations uploaded with a log (JSON, `null` when none).
pub const LOG_ANNOTATIONS: &str = "/api/logs/{id}/annotations";
/// `GET ?url=` the link proxy.
pub const FETCH: &str = "/api/fetch";
/// `GET` the OpenAPI description.
pub const OPENAPI: &str = "/api/openapi.json";
/// `POST` a job.
pub const JOBS: &str = "/api/jobs";
/// `GET` a job's state.
pub const JOB: &str = "/api/jobs/{id}";
/// `GET` a job's log in the syzbot format.
pub const JOB_LOG: &str = "/api/jobs/{id}/log";
/// `GET` a job's finished steps (the engine's records, JSON).
pub const JOB_STEPS: &str = "/api/jobs/{id}/steps";
/// `GET` Server-Sent Events of a job.
pub const JOB_EVENTS: &str = "/api/jobs/{id}/events";
/// `POST` to cancel a job.
pub const JOB_CANCEL: &str = "/api/jobs/{id}/cancel";
/// Prefix of every API path: unknown paths under it are 404 JSON, never the SPA.
pub const API_PREFIX: &str = "/api/";

/// The viewer's page for a stored log.
pub fn share_page(id: &str) -> String {
    format!("/s/{id}")
}

/// The viewer's page for a job.
pub fn job_page(id: &str) -> String {
    format!("/jobs/{id}")
}

/// A concrete path from a template with one `{id}`.
pub fn with_id(template: &str, id: &str) -> String {
    template.replace("{id}", id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concrete_paths() {
        assert_eq!(with_id(LOG_SUMMARY, "abc"), "/api/logs/abc/summary");
        assert_eq!(share_page("abc"), "/s/abc");
        assert_eq!(job_page("x1"), "/jobs/x1");
    }
}
