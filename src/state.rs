//! The view state and its reducer. Pure: effects (loading, the URL, storage)
//! live in `use_effect_with` hooks of the components that own them.

use std::rc::Rc;

use yew::prelude::*;

use crate::doc::Doc;
use crate::fragment::{Fragment, Tab};
use crate::jobs::form::ServerError;
use crate::notes::{Note, Notes};
use crate::route::Route;
use bisect_log::job::JobStatus;

/// What the user asked to open.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `?log=` URL as written.
    Url(String),
    /// A log stored on the server.
    Server(String),
    /// A file from the picker or a drop.
    File(web_sys::File),
    /// Pasted text.
    Text { name: String, text: String },
}

impl Request {
    pub fn describe(&self) -> String {
        match self {
            Request::Url(u) => u.clone(),
            Request::Server(id) => format!("server log {id}"),
            Request::File(f) => f.name(),
            Request::Text { name, .. } => name.clone(),
        }
    }
}

/// Loading stages shown by the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Reading,
    Parsing,
    Rendering,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Reading => "Reading",
            Stage::Parsing => "Parsing in the background",
            Stage::Rendering => "Preparing the view",
        }
    }
}

/// Why a log could not be opened.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub title: String,
    pub detail: String,
    /// Offer the file picker as the way out (failed downloads).
    pub offer_file: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    /// Nothing requested: the start page.
    Idle,
    Loading {
        what: String,
        stage: Stage,
        done: u64,
        total: Option<u64>,
    },
    Failed(LoadError),
    Ready(Rc<Doc>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn from_name(s: &str) -> Theme {
        match s {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    pub fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Dark,
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::System,
        }
    }
}

/// A request to scroll the raw log (the nonce makes repeated requests fire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScrollRequest {
    pub nonce: u64,
    pub line: u32,
}

/// The job stream's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stream {
    #[default]
    Connecting,
    Live,
    /// Lost; the browser (or the page) connects again.
    Reconnecting,
    /// The job is over and its whole log arrived.
    Ended,
}

impl Stream {
    /// `data-stream` of the job page.
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Connecting => "connecting",
            Stream::Live => "live",
            Stream::Reconnecting => "reconnecting",
            Stream::Ended => "ended",
        }
    }
}

/// The job page's view of a job (its log is the open `Doc`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JobView {
    pub id: String,
    /// `None` until the server first answered.
    pub status: Option<JobStatus>,
    pub stream: Stream,
    /// Why the job cannot be shown (no such job, no server).
    pub error: Option<ServerError>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub route: Route,
    /// The current load request and its number (later answers of older
    /// requests are ignored).
    pub request: Option<(u64, Request)>,
    /// The last request number given out.
    pub request_seq: u64,
    pub load: Load,
    pub step: Option<usize>,
    pub diag: Option<usize>,
    pub tab: Tab,
    /// `#L` selection.
    pub lines: Option<(u32, u32)>,
    /// First raw line on screen.
    pub top: u32,
    pub scroll: ScrollRequest,
    pub search: String,
    /// Bumped to focus the search box.
    pub search_focus: u64,
    pub help_open: bool,
    pub settings_open: bool,
    pub dragging: bool,
    pub theme: Theme,
    pub source_template: String,
    /// Fragment keys of later features, kept as they were.
    pub other_fragment: Vec<String>,
    /// The open log's notes.
    pub notes: Rc<Notes>,
    /// The log (`Doc::id`) `notes` belong to.
    pub notes_for: Option<u64>,
    /// Bumped by every change the reader makes (the effect that keeps the
    /// notes runs on it, not on loads).
    pub notes_rev: u64,
    /// Notes that came in the link (`#…&notes=`), until they are merged.
    pub link_notes: Option<String>,
    /// Why notes could not be read or kept.
    pub notes_error: Option<String>,
    /// A bisect-lens server serves this page (`None`: not known yet).
    pub server: Option<bool>,
    /// The open log came through the server's link proxy.
    pub via_server: bool,
    /// `/jobs/<id>`: the job shown.
    pub job: Option<JobView>,
}

impl State {
    /// The initial state for a route, the saved settings and the fragment.
    pub fn new(route: Route, fragment: Fragment, theme: Theme, source_template: String) -> State {
        let request = match &route {
            Route::Log(u) => Some((1, Request::Url(u.clone()))),
            Route::Server(id) => Some((1, Request::Server(id.clone()))),
            Route::Start | Route::Invalid(_) => None,
            Route::Library | Route::Compare(..) => None,
            Route::NewJob | Route::Job(_) => None,
        };
        let load = match (&route, &request) {
            (Route::Invalid(reason), _) => Load::Failed(LoadError {
                title: "This link cannot be opened".into(),
                detail: reason.clone(),
                offer_file: true,
            }),
            (_, Some((_, r))) => Load::Loading {
                what: r.describe(),
                stage: Stage::Reading,
                done: 0,
                total: None,
            },
            _ => Load::Idle,
        };
        let mut s = State {
            route,
            request,
            request_seq: 1,
            load,
            step: None,
            diag: None,
            tab: Tab::Details,
            lines: None,
            top: 1,
            scroll: ScrollRequest::default(),
            search: String::new(),
            search_focus: 0,
            help_open: false,
            settings_open: false,
            dragging: false,
            theme,
            source_template,
            other_fragment: Vec::new(),
            notes: Rc::default(),
            notes_for: None,
            notes_rev: 0,
            link_notes: None,
            notes_error: None,
            server: None,
            via_server: false,
            job: None,
        };
        if let Route::Job(id) = &s.route {
            s.job = Some(JobView {
                id: id.clone(),
                ..JobView::default()
            });
        }
        s.apply_fragment(fragment);
        s
    }

    pub fn doc(&self) -> Option<&Rc<Doc>> {
        match &self.load {
            Load::Ready(d) => Some(d),
            _ => None,
        }
    }

    /// The view as a URL fragment.
    pub fn fragment(&self) -> Fragment {
        Fragment {
            step: self.step,
            diag: self.diag,
            tab: (self.tab != Tab::Details).then_some(self.tab),
            lines: self.lines,
            top: (self.tab == Tab::Raw && self.top > 1).then_some(self.top),
            other: self.other_fragment.clone(),
        }
    }

    fn apply_fragment(&mut self, mut f: Fragment) {
        // Notes in a link are merged into the stored ones, not kept in the address.
        let prefix = format!("{}=", crate::notes::link::KEY);
        if let Some(i) = f.other.iter().position(|p| p.starts_with(&prefix)) {
            let data = f.other.remove(i);
            self.link_notes = Some(data[prefix.len()..].to_string());
        }
        self.step = f.step;
        self.diag = f.diag;
        self.lines = f.lines;
        self.other_fragment = f.other;
        self.tab = f.tab.unwrap_or(if f.lines.is_some() {
            Tab::Raw
        } else {
            Tab::Details
        });
        let target = f.top.or(f.lines.map(|(a, _)| a));
        if let Some(line) = target {
            self.top = line;
            self.scroll = ScrollRequest {
                nonce: self.scroll.nonce + 1,
                line,
            };
        }
    }

    /// Keeps indexes inside the opened log.
    fn clamp_to_doc(&mut self) {
        let Some(doc) = self.doc().cloned() else {
            return;
        };
        let (steps, diags) = match &doc.parsed {
            Ok(p) => (
                p.steps.len(),
                p.analysis.as_ref().map_or(0, |a| a.diagnostics.len()),
            ),
            Err(_) => (0, 0),
        };
        if self.step.is_some_and(|s| s >= steps) {
            self.step = None;
        }
        if self.diag.is_some_and(|d| d >= diags) {
            self.diag = None;
        }
        let n = doc.line_count().max(1);
        if let Some((a, b)) = self.lines {
            self.lines = (a <= n).then_some((a, b.min(n)));
        }
        if doc.parsed.is_err() {
            self.tab = Tab::Raw;
        }
    }

    fn reveal_line(&mut self, line: u32) {
        self.scroll = ScrollRequest {
            nonce: self.scroll.nonce + 1,
            line,
        };
    }

    fn select_step(&mut self, i: usize) {
        self.step = Some(i);
        self.diag = None;
        self.lines = None;
        if self.tab == Tab::Raw {
            let first = self
                .doc()
                .and_then(|d| d.parsed.as_ref().ok())
                .and_then(|p| p.test(i))
                .map(|t| t.span.first);
            if let Some(first) = first {
                self.reveal_line(first);
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Open(Request),
    Progress {
        nonce: u64,
        stage: Stage,
        done: u64,
        total: Option<u64>,
    },
    Loaded {
        nonce: u64,
        doc: Rc<Doc>,
    },
    Failed {
        nonce: u64,
        error: LoadError,
    },
    /// Back to the start page.
    Close,
    SelectStep(usize),
    /// `j`/`k`.
    StepBy(i32),
    /// `n`/`p`.
    ProblemBy(i32),
    SelectDiagnostic(usize),
    /// Raw lines picked in the raw view (no scrolling).
    SelectLines(u32, u32),
    /// Open the raw view at these lines.
    ShowLines(u32, u32),
    SetTab(Tab),
    Scrolled(u32),
    SetSearch(String),
    FocusSearch,
    ToggleHelp,
    ToggleSettings,
    CloseOverlays,
    SetDragging(bool),
    SetTheme(Theme),
    SetSourceTemplate(String),
    ApplyFragment(Fragment),
    /// The notes of log `doc` were read (and the link's merged in).
    NotesLoaded {
        doc: u64,
        notes: Notes,
        error: Option<String>,
    },
    /// A new note; a doubt replaces the step's earlier doubt.
    AddNote(Note),
    RemoveNote(usize),
    /// The notes could not be kept.
    NotesFailed(String),
    /// Whether a bisect-lens server serves the page.
    ServerDetected(bool),
    /// The log of request `nonce` came through the server's link proxy.
    ViaServer {
        nonce: u64,
    },
    JobStatus(Box<JobStatus>),
    /// The job's log so far, parsed again.
    JobLog(Rc<Doc>),
    JobStream(Stream),
    JobFailed(ServerError),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Open(req) => {
                let nonce = s.request_seq + 1;
                s.request_seq = nonce;
                s.load = Load::Loading {
                    what: req.describe(),
                    stage: Stage::Reading,
                    done: 0,
                    total: None,
                };
                s.request = Some((nonce, req));
                s.step = None;
                s.diag = None;
                s.lines = None;
                s.tab = Tab::Details;
                s.top = 1;
                s.search.clear();
                s.dragging = false;
                s.other_fragment.clear();
                s.link_notes = None;
                s.notes_error = None;
                s.via_server = false;
            }
            Action::Progress {
                nonce,
                stage,
                done,
                total,
            } => {
                if !s.is_current(nonce) {
                    return self;
                }
                let what = match &s.load {
                    Load::Loading { what, .. } => what.clone(),
                    _ => return self,
                };
                s.load = Load::Loading {
                    what,
                    stage,
                    done,
                    total,
                };
            }
            Action::Loaded { nonce, doc } => {
                if !s.is_current(nonce) {
                    return self;
                }
                s.load = Load::Ready(doc);
                s.clamp_to_doc();
                if s.tab == Tab::Raw {
                    // `top` came from the fragment's `top=` or its `#L` line.
                    s.reveal_line(s.top);
                }
            }
            Action::Failed { nonce, error } => {
                if !s.is_current(nonce) {
                    return self;
                }
                s.load = Load::Failed(error);
            }
            Action::Close => {
                s.route = Route::Start;
                s.job = None;
                s.via_server = false;
                s.request = None;
                s.load = Load::Idle;
                s.step = None;
                s.diag = None;
                s.lines = None;
                s.tab = Tab::Details;
                s.other_fragment.clear();
            }
            Action::SelectStep(i) => s.select_step(i),
            Action::StepBy(delta) => {
                let n = s
                    .doc()
                    .and_then(|d| d.parsed.as_ref().ok())
                    .map_or(0, |p| p.steps.len());
                if n == 0 {
                    return self;
                }
                let next = match s.step {
                    None if delta >= 0 => 0,
                    None => n - 1,
                    Some(i) => (i as i64 + i64::from(delta)).clamp(0, n as i64 - 1) as usize,
                };
                s.select_step(next);
            }
            Action::ProblemBy(delta) => {
                let problems = s
                    .doc()
                    .and_then(|d| d.parsed.as_ref().ok())
                    .map(|p| p.problem_steps())
                    .unwrap_or_default();
                let next = match (s.step, delta >= 0) {
                    (None, true) => problems.first().copied(),
                    (None, false) => problems.last().copied(),
                    (Some(i), true) => problems.iter().copied().find(|&p| p > i),
                    (Some(i), false) => problems.iter().rev().copied().find(|&p| p < i),
                };
                match next {
                    Some(i) => s.select_step(i),
                    None => return self,
                }
            }
            Action::SelectDiagnostic(i) => {
                s.diag = Some(i);
                let first = s.doc().and_then(|d| d.parsed.as_ref().ok()).and_then(|p| {
                    let ev = p.analysis.as_ref()?.diagnostics.get(i)?.evidence.first()?;
                    Some((p.step_at_line(ev.span.first), ev.span))
                });
                s.step = None;
                s.lines = None;
                if let Some((step, span)) = first {
                    s.step = step;
                    s.lines = Some((span.first, span.last));
                    if s.tab == Tab::Raw {
                        s.reveal_line(span.first);
                    }
                }
                if s.tab == Tab::Report {
                    s.tab = Tab::Details;
                }
            }
            Action::SelectLines(a, b) => {
                s.lines = Some((a.min(b), a.max(b)));
            }
            Action::ShowLines(a, b) => {
                s.lines = Some((a.min(b), a.max(b)));
                s.tab = Tab::Raw;
                s.reveal_line(a.min(b));
            }
            Action::SetTab(t) => {
                s.tab = t;
                if t == Tab::Raw {
                    let step_line = s
                        .step
                        .and_then(|i| s.doc()?.parsed.as_ref().ok()?.test(i))
                        .map(|t| t.span.first);
                    let line = s.lines.map(|(a, _)| a).or(step_line).unwrap_or(s.top);
                    s.reveal_line(line);
                }
            }
            Action::Scrolled(top) => {
                if s.top == top {
                    return self;
                }
                s.top = top;
            }
            Action::SetSearch(q) => s.search = q,
            Action::FocusSearch => {
                s.tab = Tab::Raw;
                s.search_focus += 1;
                s.help_open = false;
            }
            Action::ToggleHelp => {
                s.help_open = !s.help_open;
                s.settings_open = false;
            }
            Action::ToggleSettings => {
                s.settings_open = !s.settings_open;
                s.help_open = false;
            }
            Action::CloseOverlays => {
                if !s.help_open && !s.settings_open && !s.dragging {
                    return self;
                }
                s.help_open = false;
                s.settings_open = false;
                s.dragging = false;
            }
            Action::SetDragging(d) => {
                if s.dragging == d {
                    return self;
                }
                s.dragging = d;
            }
            Action::SetTheme(t) => s.theme = t,
            Action::SetSourceTemplate(t) => s.source_template = t,
            Action::ApplyFragment(f) => {
                if f == s.fragment() {
                    return self;
                }
                s.apply_fragment(f);
                s.clamp_to_doc();
            }
            Action::NotesLoaded { doc, notes, error } => {
                if s.doc().map(|d| d.id) != Some(doc) {
                    return self;
                }
                // The reload that follows merging a link's notes keeps its error.
                if error.is_some() || s.notes_for != Some(doc) || s.link_notes.is_some() {
                    s.notes_error = error;
                }
                // Most logs have none: an equal list keeps its Rc, so the
                // view is not rendered again just for this.
                if *s.notes != notes {
                    s.notes = Rc::new(notes);
                }
                s.notes_for = Some(doc);
                s.link_notes = None;
            }
            Action::AddNote(note) => {
                let mut notes = (*s.notes).clone();
                if note.doubt.is_some() {
                    notes
                        .0
                        .retain(|n| !(n.doubt.is_some() && n.target == note.target));
                }
                notes.0.push(note);
                s.notes = Rc::new(notes);
                s.notes_rev += 1;
            }
            Action::RemoveNote(i) => {
                if i >= s.notes.0.len() {
                    return self;
                }
                let mut notes = (*s.notes).clone();
                notes.0.remove(i);
                s.notes = Rc::new(notes);
                s.notes_rev += 1;
            }
            Action::NotesFailed(e) => s.notes_error = Some(e),
            Action::ServerDetected(present) => s.server = Some(present),
            Action::ViaServer { nonce } => {
                if !s.is_current(nonce) {
                    return self;
                }
                s.via_server = true;
            }
            Action::JobStatus(status) => {
                let Some(job) = s.job.as_mut() else {
                    return self;
                };
                if status.is_final() {
                    job.stream = Stream::Ended;
                }
                job.status = Some(*status);
            }
            Action::JobLog(doc) => {
                if s.job.is_none() {
                    return self;
                }
                let first = s.doc().is_none();
                s.load = Load::Ready(doc);
                s.clamp_to_doc();
                if first && s.tab == Tab::Raw {
                    s.reveal_line(s.top);
                }
            }
            Action::JobStream(stream) => {
                let Some(job) = s.job.as_mut() else {
                    return self;
                };
                // An ended stream stays ended (the browser reports the close as an error).
                if job.stream == Stream::Ended || job.stream == stream {
                    return self;
                }
                job.stream = stream;
            }
            Action::JobFailed(error) => {
                let Some(job) = s.job.as_mut() else {
                    return self;
                };
                job.error = Some(error);
            }
        }
        Rc::new(s)
    }
}

impl State {
    fn is_current(&self, nonce: u64) -> bool {
        self.request.as_ref().is_some_and(|(n, _)| *n == nonce)
    }
}
