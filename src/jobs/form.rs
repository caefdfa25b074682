//! The "New bisection" request: the form's fields, checked here first and
//! written as the JSON `POST /api/jobs` takes, and the server's refusals
//! read back into a message and the field it is about.

use bisect_log::job::{
    JobKind, JobRequest, DEFAULT_RUNS, DEFAULT_TIMEOUT_S, MAX_ARGS, MAX_ARG_BYTES, MAX_REV_CHARS,
    MAX_RUNS, MAX_TIMEOUT_S, MIN_TIMEOUT_S,
};

use crate::json::fields as json;

/// The form as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct JobForm {
    pub repo: String,
    pub good: String,
    pub bad: String,
    /// The argv, one argument per line: never split like a shell would, so
    /// that no quoting is needed and none can go wrong.
    pub command: String,
    pub runs: String,
    pub timeout_s: String,
    /// `cause` or `fix`.
    pub kind: String,
    /// Sent as the `Authorization` header, never in the body.
    pub token: String,
}

impl Default for JobForm {
    fn default() -> Self {
        JobForm {
            repo: String::new(),
            good: String::new(),
            bad: String::new(),
            command: String::new(),
            runs: DEFAULT_RUNS.to_string(),
            timeout_s: DEFAULT_TIMEOUT_S.to_string(),
            kind: JobKind::default().as_str().into(),
            token: String::new(),
        }
    }
}

/// A refused field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

// The checks below are the server's (`crates/server/src/jobs.rs`), with the
// same limits: checking here first saves a round trip and names the field.

fn revision(field: &'static str, v: &str) -> Result<String, FieldError> {
    let v = v.trim();
    if v.is_empty()
        || v.chars().count() > MAX_REV_CHARS
        || v.starts_with('-')
        || v.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(refuse(
            field,
            format!(
                "{field} must be a git revision (no spaces, not starting with '-', at most {MAX_REV_CHARS} characters)"
            ),
        ));
    }
    Ok(v.to_string())
}

fn whole(field: &'static str, v: &str, min: u64, max: u64) -> Result<u64, FieldError> {
    match v.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(refuse(
            field,
            format!("{field} must be a whole number from {min} to {max}"),
        )),
    }
}

/// The JSON text of a request, field for field as serde would write it.
pub fn request_json(req: &JobRequest) -> Option<String> {
    let o = json::object();
    json::set(&o, "repo", req.repo.as_str());
    json::set(&o, "good", req.good.as_str());
    json::set(&o, "bad", req.bad.as_str());
    let list = js_sys::Array::new();
    for a in &req.command {
        list.push(&a.into());
    }
    json::set(&o, "command", list);
    json::set(&o, "runs", req.runs);
    // Within MAX_TIMEOUT_S, far below 2^53: exact as a JS number.
    json::set(&o, "timeout_s", req.timeout_s as f64);
    json::set(&o, "kind", req.kind.as_str());
    json::stringify(&o)
}

impl JobForm {
    /// A field by its server name (`token` too).
    pub fn get(&self, field: &str) -> &str {
        match field {
            "repo" => &self.repo,
            "good" => &self.good,
            "bad" => &self.bad,
            "command" => &self.command,
            "runs" => &self.runs,
            "timeout_s" => &self.timeout_s,
            "kind" => &self.kind,
            "token" => &self.token,
            _ => "",
        }
    }

    pub fn set(&mut self, field: &str, value: String) {
        let slot = match field {
            "repo" => &mut self.repo,
            "good" => &mut self.good,
            "bad" => &mut self.bad,
            "command" => &mut self.command,
            "runs" => &mut self.runs,
            "timeout_s" => &mut self.timeout_s,
            "kind" => &mut self.kind,
            "token" => &mut self.token,
            _ => return,
        };
        *slot = value;
    }

    /// The argv: one argument per line, without the line ending. Blank lines
    /// are dropped (a stray empty line at the end is a typing accident far
    /// more often than a wanted empty argument).
    pub fn argv(&self) -> Vec<String> {
        self.command
            .lines()
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The request, or the first field that cannot be sent.
    pub fn request(&self) -> Result<JobRequest, FieldError> {
        let repo = self.repo.trim();
        if repo.is_empty() {
            return Err(refuse(
                "repo",
                "repo must name a repository under the server's repositories' root",
            ));
        }
        let good = revision("good", &self.good)?;
        let bad = revision("bad", &self.bad)?;
        let command = self.argv();
        if command.is_empty() {
            return Err(refuse(
                "command",
                "command must have at least the program to run (one argument per line)",
            ));
        }
        if command.len() > MAX_ARGS {
            return Err(refuse(
                "command",
                format!("command has more than {MAX_ARGS} arguments"),
            ));
        }
        if command
            .iter()
            .any(|a| a.len() > MAX_ARG_BYTES || a.contains('\0'))
        {
            return Err(refuse(
                "command",
                format!("each command argument must be at most {MAX_ARG_BYTES} bytes, without NUL"),
            ));
        }
        let runs = whole("runs", &self.runs, 1, u64::from(MAX_RUNS))?;
        let timeout_s = whole("timeout_s", &self.timeout_s, MIN_TIMEOUT_S, MAX_TIMEOUT_S)?;
        let kind = JobKind::from_name(&self.kind)
            .ok_or_else(|| refuse("kind", "kind must be cause or fix"))?;
        Ok(JobRequest {
            repo: repo.to_string(),
            good,
            bad,
            command,
            // At most MAX_RUNS: fits.
            runs: u32::try_from(runs).unwrap_or(MAX_RUNS),
            timeout_s,
            kind,
        })
    }

    /// The body of `POST /api/jobs`, or the first field that cannot be sent.
    pub fn to_json(&self) -> Result<String, FieldError> {
        let req = self.request()?;
        request_json(&req).ok_or_else(|| refuse("command", "the request cannot be written"))
    }
}

/// The fields of the form, as the server names them.
pub const FIELDS: [&str; 7] = [
    "repo",
    "good",
    "bad",
    "command",
    "runs",
    "timeout_s",
    "kind",
];

/// A refusal of the server (or of the network), ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    /// HTTP status; 0 when the server could not be reached.
    pub status: u16,
    /// The server's stable `code` (`unauthorized`, `invalid`, …), if any.
    pub code: String,
    /// The server's own words (`error`), or what went wrong.
    pub message: String,
    /// The form field the message is about, when it names one.
    pub field: Option<&'static str>,
}

impl ServerError {
    /// Reads the server's JSON error `{"error", "code"}`; any other body
    /// keeps the status as the message.
    pub fn from_response(status: u16, body: &str) -> ServerError {
        let v = json::parse(body);
        let message = v.as_ref().and_then(|v| json::string(v, "error"));
        let code = v.as_ref().and_then(|v| json::string(v, "code"));
        let message = message.unwrap_or_else(|| format!("the server answered HTTP {status}"));
        ServerError {
            status,
            field: field_of(&message),
            code: code.unwrap_or_default(),
            message,
        }
    }

    pub fn network(what: String) -> ServerError {
        ServerError {
            status: 0,
            code: String::new(),
            message: what,
            field: None,
        }
    }

    /// A heading for the message.
    pub fn title(&self) -> &'static str {
        match (self.status, self.code.as_str()) {
            (0, _) => "The server could not be reached",
            (401, _) => "The token was refused",
            (403, "jobs_disabled") => "This server does not run jobs",
            (404, _) => "No such job",
            (400 | 422, _) => "The server refused the request",
            _ => "The request failed",
        }
    }
}

/// The field a server message is about: the server starts its messages with
/// the field's name (`runs must be …`) or quotes it (serde: `` `runs` ``).
pub fn field_of(message: &str) -> Option<&'static str> {
    let first = message.split([' ', ':']).next().unwrap_or("");
    FIELDS
        .iter()
        .find(|f| first == **f || message.contains(&format!("`{f}`")))
        .copied()
        .or_else(|| {
            if message.contains("command argument") {
                Some("command")
            } else if message.contains("repositor") {
                Some("repo")
            } else {
                None
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn form() -> JobForm {
        JobForm {
            repo: " small ".into(),
            good: "a1b2".into(),
            bad: "HEAD".into(),
            command: "/bin/bash\r\n/tmp/x y/flaky test.sh\n--flag=\"quoted; $(not run)\"\n\n"
                .into(),
            runs: "20".into(),
            timeout_s: "30".into(),
            kind: "fix".into(),
            token: "secret".into(),
        }
    }

    #[wasm_bindgen_test]
    fn request_json_is_an_argv_not_a_shell_string() {
        let body = form().to_json();
        assert!(body.is_ok(), "{body:?}");
        let v = json::parse(&body.unwrap_or_default()).unwrap_or(wasm_bindgen::JsValue::NULL);
        assert_eq!(json::string(&v, "repo").as_deref(), Some("small"));
        assert_eq!(json::string(&v, "good").as_deref(), Some("a1b2"));
        assert_eq!(json::string(&v, "bad").as_deref(), Some("HEAD"));
        assert_eq!(
            json::strings(&v, "command"),
            vec![
                "/bin/bash".to_string(),
                "/tmp/x y/flaky test.sh".to_string(),
                "--flag=\"quoted; $(not run)\"".to_string(),
            ]
        );
        assert_eq!(json::number(&v, "runs"), Some(20.0));
        assert_eq!(json::number(&v, "timeout_s"), Some(30.0));
        assert_eq!(json::string(&v, "kind").as_deref(), Some("fix"));
        // Nothing else (the token least of all): the server refuses unknown fields.
        let keys = js_sys::Object::keys(&js_sys::Object::from(v)).length();
        assert_eq!(keys, 7);
    }

    #[wasm_bindgen_test]
    fn fields_by_name() {
        let mut f = form();
        for name in FIELDS.iter().chain(&["token"]) {
            f.set(name, format!("v-{name}"));
            assert_eq!(f.get(name), format!("v-{name}"));
        }
        f.set("unknown", "x".into());
        assert_eq!(f.get("unknown"), "");
    }

    #[wasm_bindgen_test]
    fn fields_are_checked_before_sending() {
        let field = |f: JobForm| f.to_json().err().map(|e| e.field);
        assert_eq!(
            field(JobForm {
                repo: " ".into(),
                ..form()
            }),
            Some("repo")
        );
        assert_eq!(
            field(JobForm {
                good: "a b".into(),
                ..form()
            }),
            Some("good")
        );
        assert_eq!(
            field(JobForm {
                bad: "--all".into(),
                ..form()
            }),
            Some("bad")
        );
        assert_eq!(
            field(JobForm {
                command: "\n \n".into(),
                ..form()
            }),
            Some("command")
        );
        assert_eq!(
            field(JobForm {
                runs: "101".into(),
                ..form()
            }),
            Some("runs")
        );
        assert_eq!(
            field(JobForm {
                runs: "0".into(),
                ..form()
            }),
            Some("runs")
        );
        assert_eq!(
            field(JobForm {
                timeout_s: "21601".into(),
                ..form()
            }),
            Some("timeout_s")
        );
        assert_eq!(
            field(JobForm {
                kind: "both".into(),
                ..form()
            }),
            Some("kind")
        );
        assert_eq!(
            field(JobForm {
                good: "a".repeat(MAX_REV_CHARS + 1),
                ..form()
            }),
            Some("good")
        );
        assert_eq!(
            field(JobForm {
                command: "x\n".repeat(MAX_ARGS + 1),
                ..form()
            }),
            Some("command")
        );
        assert_eq!(
            field(JobForm {
                command: "x".repeat(MAX_ARG_BYTES + 1),
                ..form()
            }),
            Some("command")
        );
        assert_eq!(field(form()), None);
    }

    #[wasm_bindgen_test]
    fn defaults_are_the_servers() {
        let f = JobForm {
            repo: "r".into(),
            good: "a".into(),
            bad: "b".into(),
            command: "x".into(),
            ..JobForm::default()
        };
        let req = f.request();
        assert_eq!(req.as_ref().map(|r| r.runs).ok(), Some(DEFAULT_RUNS));
        assert_eq!(
            req.as_ref().map(|r| r.timeout_s).ok(),
            Some(DEFAULT_TIMEOUT_S)
        );
        assert_eq!(req.map(|r| r.kind).ok(), Some(JobKind::Cause));
    }

    #[wasm_bindgen_test]
    fn server_errors_name_their_field() {
        let e = ServerError::from_response(
            401,
            r#"{"error":"missing or wrong bearer token","code":"unauthorized"}"#,
        );
        assert_eq!(e.message, "missing or wrong bearer token");
        assert_eq!(e.title(), "The token was refused");
        assert_eq!(e.field, None);
        let e = ServerError::from_response(
            422,
            r#"{"error":"runs must be between 1 and 100","code":"invalid"}"#,
        );
        assert_eq!(e.field, Some("runs"));
        let e = ServerError::from_response(
            400,
            r#"{"error":"invalid job request: invalid type: string \"x\", expected u32 for `timeout_s`","code":"bad_request"}"#,
        );
        assert_eq!(e.field, Some("timeout_s"));
        let e = ServerError::from_response(
            422,
            r#"{"error":"no repository nope under the repositories' root","code":"invalid"}"#,
        );
        assert_eq!(e.field, Some("repo"));
        let e = ServerError::from_response(502, "<html>bad gateway</html>");
        assert_eq!(e.message, "the server answered HTTP 502");
        assert_eq!(e.code, "");
    }
}
