//! Which log the page opens, read from the address: `?log=<URL>`,
//! `?id=<id>` or `/s/<id>` (a log stored on the bisect-lens server), or
//! nothing (the start page).

/// Where the page's log comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The start page.
    Start,
    /// `?log=<URL>` as written (resolved against the page when fetched).
    Log(String),
    /// `?id=<id>` or `/s/<id>`.
    Server(String),
    /// A parameter that cannot be used, with the reason.
    Invalid(String),
    /// `/library`: the logs saved in this browser.
    Library,
    /// `?log=A&compare=B`: two logs side by side (`library:<key>` names a
    /// saved log).
    Compare(String, String),
    /// `/new`: the "New bisection" form (served by a bisect-lens server).
    NewJob,
    /// `/jobs/<id>`: a bisection job, live.
    Job(String),
}

impl Route {
    /// Reads the route from `pathname` and `search` (`?a=b&…`).
    pub fn parse(pathname: &str, search: &str) -> Route {
        if let Some(id) = pathname
            .rsplit_once("/s/")
            .map(|(_, id)| id.trim_end_matches('/'))
        {
            return server(id);
        }
        // `./library` from a job's page is `/jobs/library`: still the library.
        if let Some(id) = pathname
            .rsplit_once("/jobs/")
            .map(|(_, id)| id.trim_end_matches('/'))
            .filter(|_| !is_library_path(pathname))
        {
            return match server(id) {
                Route::Server(id) => Route::Job(id),
                other => other,
            };
        }
        if pathname.trim_end_matches('/').ends_with("/new") {
            return Route::NewJob;
        }
        let mut log = None;
        let mut id = None;
        let mut compare = None;
        for (k, v) in query_pairs(search) {
            match k.as_str() {
                "log" if log.is_none() => log = Some(v),
                "id" if id.is_none() => id = Some(v),
                "compare" if compare.is_none() => compare = Some(v),
                _ => {}
            }
        }
        if let (Some(a), Some(b)) = (&log, &compare) {
            if !a.trim().is_empty() && !b.trim().is_empty() {
                return Route::Compare(a.trim().to_string(), b.trim().to_string());
            }
        }
        if log.is_none() && id.is_none() && is_library_path(pathname) {
            return Route::Library;
        }
        match (log, id) {
            (Some(url), _) if !url.trim().is_empty() => Route::Log(url.trim().to_string()),
            (_, Some(id)) => server(&id),
            _ => Route::Start,
        }
    }

    /// The server API path of a stored log.
    pub fn server_path(id: &str) -> String {
        bisect_log::paths::with_id(bisect_log::paths::LOG, id)
    }
}

fn server(id: &str) -> Route {
    if is_server_id(id) {
        Route::Server(id.to_string())
    } else {
        Route::Invalid(format!(
            "\u{201c}{id}\u{201d} is not a log id (ids are letters, digits, - and _)."
        ))
    }
}

/// The start page's path for a page at `pathname`: the app's own pages
/// (`/library`, `/new`, `/jobs/<id>`, `/s/<id>`) lose their last part.
pub fn home_path(pathname: &str) -> String {
    for page in ["/jobs/", "/s/"] {
        if let Some((base, _)) = pathname.rsplit_once(page) {
            return format!("{base}/");
        }
    }
    let trimmed = pathname.trim_end_matches('/');
    for page in ["/library", "/new"] {
        if let Some(base) = trimmed.strip_suffix(page) {
            return format!("{base}/");
        }
    }
    pathname.to_string()
}

/// `/library` (also under a base path, with or without a final `/`).
fn is_library_path(pathname: &str) -> bool {
    pathname.trim_end_matches('/').ends_with("/library")
}

/// Server ids: 1–64 of `[A-Za-z0-9_-]`.
pub fn is_server_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Decoded `key=value` pairs of a query string (`+` is a space).
pub fn query_pairs(search: &str) -> Vec<(String, String)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Percent-decoding (invalid escapes are kept as written).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encoding for a query value.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn routes() {
        assert_eq!(Route::parse("/", ""), Route::Start);
        assert_eq!(
            Route::parse("/", "?log=samples%2Fa.txt"),
            Route::Log("samples/a.txt".into())
        );
        assert_eq!(
            Route::parse("/", "?log=https://syzkaller.appspot.com/x/bisect.txt?x=1"),
            Route::Log("https://syzkaller.appspot.com/x/bisect.txt?x=1".into())
        );
        assert_eq!(
            Route::parse("/", "?id=abc_1"),
            Route::Server("abc_1".into())
        );
        assert_eq!(Route::parse("/s/xyz", ""), Route::Server("xyz".into()));
        assert_eq!(Route::parse("/library", ""), Route::Library);
        assert_eq!(Route::parse("/app/library/", ""), Route::Library);
        assert_eq!(
            Route::parse("/library", "?log=a.txt"),
            Route::Log("a.txt".into())
        );
        assert_eq!(
            Route::parse("/", "?log=a.txt&compare=library%3Ak1"),
            Route::Compare("a.txt".into(), "library:k1".into())
        );
        assert_eq!(
            Route::parse("/", "?log=a.txt&compare="),
            Route::Log("a.txt".into())
        );
        assert!(matches!(Route::parse("/", "?id=../x"), Route::Invalid(_)));
        assert_eq!(Route::parse("/", "?log="), Route::Start);
        assert_eq!(Route::parse("/new", ""), Route::NewJob);
        assert_eq!(
            Route::parse("/jobs/0123456789abcdef", ""),
            Route::Job("0123456789abcdef".into())
        );
        assert!(matches!(
            Route::parse("/jobs/a%2F..", ""),
            Route::Invalid(_)
        ));
    }

    #[wasm_bindgen_test]
    fn home_paths() {
        assert_eq!(home_path("/jobs/abc"), "/");
        assert_eq!(home_path("/app/jobs/abc"), "/app/");
        assert_eq!(home_path("/new"), "/");
        assert_eq!(home_path("/library/"), "/");
        assert_eq!(home_path("/s/x"), "/");
        assert_eq!(home_path("/app/"), "/app/");
    }

    #[wasm_bindgen_test]
    fn percent_coding() {
        assert_eq!(percent_decode("a%20b+c%zz%4"), "a b c%zz%4");
        assert_eq!(percent_encode("a b&c"), "a%20b%26c");
    }
}
