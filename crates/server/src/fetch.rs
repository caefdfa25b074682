//! The link proxy: fetches a log from an allowlisted host for a browser that
//! cannot (syzbot's dashboard sends no CORS headers), and keeps it.
//!
//! No SSRF: only `http`/`https` URLs whose host (and port) is on the allowlist,
//! no credentials in the URL, redirects followed by hand and only to the same
//! host, at most 20 MiB, and the whole answer within the timeout.

use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use reqwest::Url;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::body::MAX_LOG_BYTES;
use crate::error::{ApiError, ApiResult};
use crate::logs::store_log;
use crate::paths;
use crate::state::Shared;

/// Response header: the stored log's id.
pub const LOG_ID_HEADER: &str = "x-bisect-lens-log-id";
/// Response header: whether the answer came from the store (`stored`) or upstream (`fetched`).
pub const SOURCE_HEADER: &str = "x-bisect-lens-source";

const MAX_REDIRECTS: usize = 5;

pub struct Fetcher {
    client: reqwest::Client,
    /// `host` (default port of the scheme) or `host:port`, lowercase.
    allow: Vec<String>,
    timeout: Duration,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FetchQuery {
    /// The log's URL, e.g. `https://syzkaller.appspot.com/x/bisect.txt?x=…`.
    pub url: String,
}

impl Fetcher {
    pub fn new(allow: Vec<String>, timeout: Duration) -> Result<Fetcher, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .timeout(timeout)
            .user_agent(concat!("bisect-lens/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Fetcher {
            client,
            allow,
            timeout,
        })
    }

    /// Whether the URL's scheme, host and port are allowed.
    pub fn allowed(&self, url: &Url) -> bool {
        if !matches!(url.scheme(), "http" | "https")
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return false;
        }
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            return false;
        };
        let port = url.port_or_known_default();
        self.allow.iter().any(|entry| match entry.rsplit_once(':') {
            Some((h, p)) if !h.is_empty() && !h.ends_with(':') && p.parse::<u16>().is_ok() => {
                h == host && p.parse::<u16>().ok() == port
            }
            _ => *entry == host && url.port().is_none(),
        })
    }

    fn check(&self, url: &Url) -> ApiResult<()> {
        if self.allowed(url) {
            Ok(())
        } else {
            Err(ApiError::FetchHostRefused(format!(
                "{} (allowed: {})",
                url.host_str().unwrap_or("none"),
                self.allow.join(", ")
            )))
        }
    }

    /// Fetches `url` within the limits. Redirects stay on the same host and port.
    pub async fn fetch(&self, url: &Url) -> ApiResult<Vec<u8>> {
        self.check(url)?;
        match tokio::time::timeout(self.timeout, self.fetch_inner(url)).await {
            Ok(r) => r,
            Err(_) => Err(self.timed_out()),
        }
    }

    fn timed_out(&self) -> ApiError {
        ApiError::FetchTimeout(format!(
            "the upstream server did not answer within {} s",
            self.timeout.as_secs_f64()
        ))
    }

    async fn fetch_inner(&self, first: &Url) -> ApiResult<Vec<u8>> {
        let mut url = first.clone();
        for _ in 0..=MAX_REDIRECTS {
            let mut resp = self
                .client
                .get(url.clone())
                .send()
                .await
                .map_err(|e| self.upstream_error(e))?;
            let status = resp.status();
            if status.is_redirection() {
                let location = resp
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .ok_or_else(|| {
                        ApiError::FetchUpstream(format!(
                            "upstream answered {status} without a location"
                        ))
                    })?;
                let next = url.join(location).map_err(|e| {
                    ApiError::FetchUpstream(format!("upstream redirected to an invalid URL: {e}"))
                })?;
                if next.host_str() != first.host_str()
                    || next.port_or_known_default() != first.port_or_known_default()
                    || !self.allowed(&next)
                {
                    return Err(ApiError::FetchUpstream(format!(
                        "refused a redirect to another host: {}",
                        next.host_str().unwrap_or("none")
                    )));
                }
                url = next;
                continue;
            }
            if !status.is_success() {
                return Err(ApiError::FetchUpstream(format!(
                    "upstream answered {status}"
                )));
            }
            if resp
                .content_length()
                .is_some_and(|n| n > MAX_LOG_BYTES as u64)
            {
                return Err(ApiError::FetchTooLarge {
                    limit: MAX_LOG_BYTES,
                });
            }
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| self.upstream_error(e))? {
                if body.len() + chunk.len() > MAX_LOG_BYTES {
                    return Err(ApiError::FetchTooLarge {
                        limit: MAX_LOG_BYTES,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            return Ok(body);
        }
        Err(ApiError::FetchUpstream(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }

    fn upstream_error(&self, e: reqwest::Error) -> ApiError {
        if e.is_timeout() {
            self.timed_out()
        } else {
            // Without the URL: it is the caller's own.
            ApiError::FetchUpstream(format!("fetching failed: {}", e.without_url()))
        }
    }
}

/// Fetches a log from an allowlisted host, stores it keyed by URL and returns
/// its text. A URL fetched before is answered from the store, without network.
#[utoipa::path(get, path = paths::FETCH, tag = "logs", params(FetchQuery),
    responses(
        (status = 200, content_type = "text/plain", body = String,
            description = "the log; header `x-bisect-lens-log-id` names the stored log, `x-bisect-lens-source` is `stored` or `fetched`"),
        (status = 400, description = "not a URL"),
        (status = 403, description = "host not allowed"),
        (status = 422, description = "not a bisection log"),
        (status = 502, description = "upstream error, redirect to another host, or over 20 MiB"),
        (status = 504, description = "upstream too slow"),
    ))]
pub async fn fetch(
    State(state): State<Shared>,
    Query(q): Query<FetchQuery>,
) -> ApiResult<Response> {
    let url = Url::parse(&q.url).map_err(|e| ApiError::BadRequest(format!("invalid url: {e}")))?;
    state.fetcher.check(&url)?;
    let origin = format!("url:{url}");
    let (id, body, source) = match state.db.log_by_origin(&origin).await? {
        Some((id, body)) => (id, body, "stored"),
        None => {
            let body = state.fetcher.fetch(&url).await?;
            let id = store_log(&state, &body, Some(url.as_str()), Some(&origin), None).await?;
            (id, body, "fetched")
        }
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (header::HeaderName::from_static(LOG_ID_HEADER), id),
            (
                header::HeaderName::from_static(SOURCE_HEADER),
                source.to_string(),
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fetcher(allow: &[&str]) -> Fetcher {
        Fetcher::new(
            allow.iter().map(|s| s.to_string()).collect(),
            Duration::from_secs(1),
        )
        .unwrap()
    }

    #[test]
    fn allowlist() {
        let f = fetcher(&["syzkaller.appspot.com", "127.0.0.1:8123"]);
        let ok = |u: &str| f.allowed(&Url::parse(u).unwrap());
        assert!(ok("https://syzkaller.appspot.com/x/bisect.txt?x=1"));
        assert!(ok("http://SYZKALLER.appspot.com/x"));
        assert!(!ok("https://syzkaller.appspot.com:8443/x"));
        assert!(!ok("https://evil.com/x"));
        assert!(!ok("https://syzkaller.appspot.com.evil.com/x"));
        assert!(!ok("https://user:pw@syzkaller.appspot.com/x"));
        assert!(!ok("file:///etc/passwd"));
        assert!(!ok("ftp://syzkaller.appspot.com/x"));
        assert!(ok("http://127.0.0.1:8123/log"));
        assert!(!ok("http://127.0.0.1:8124/log"));
        assert!(!ok("http://127.0.0.1/log"));
        assert!(!ok("http://localhost:8123/log"));
    }
}
