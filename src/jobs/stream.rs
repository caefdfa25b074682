//! Following a job live: its event stream (`EventSource`) gathered into the
//! log text, parsed again [`REPARSE_MS`] after new lines arrive (with all
//! that came meanwhile), and reported as `Action`s. Started and stopped by
//! the job page's effect.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use yew::Callback;

use super::api;
use super::events::{parse_event, JobEvent};
use crate::doc::open_here;
use crate::state::{Action, Stream};

/// Parsing the whole log again on every line would make a fast job's page
/// busy for nothing; a few times a second is live enough.
pub const REPARSE_MS: u32 = 300;
/// Wait before opening a stream the browser gave up on.
const RETRY_MS: u32 = 2000;

struct Live {
    id: String,
    dispatch: Callback<Action>,
    text: String,
    /// The last line number received (the stream's event id).
    last_seq: i64,
    dirty: bool,
    ended: bool,
    source: Option<web_sys::EventSource>,
    listeners: Vec<EventListener>,
    retry: Option<Timeout>,
    /// The pending parse of new lines (one at a time: the throttle).
    reparse: Option<Timeout>,
}

impl Live {
    /// The log parsed again, if lines came since the last time.
    fn flush(&mut self) -> Option<Action> {
        if !self.dirty {
            return None;
        }
        self.dirty = false;
        self.reparse = None;
        let doc = open_here(format!("job {}", self.id), self.text.as_bytes());
        Some(Action::JobLog(doc))
    }

    fn close(&mut self) {
        if let Some(s) = self.source.take() {
            s.close();
        }
        self.listeners.clear();
    }
}

/// A running subscription; dropping it closes the stream.
pub struct Subscription {
    live: Rc<RefCell<Live>>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Ok(mut l) = self.live.try_borrow_mut() {
            l.ended = true;
            l.close();
            l.retry = None;
            l.reparse = None;
        }
    }
}

/// Follows job `id`: its lines become the open log, its states the job's.
pub fn follow(id: String, dispatch: Callback<Action>) -> Subscription {
    let live = Rc::new(RefCell::new(Live {
        id,
        dispatch,
        text: String::new(),
        last_seq: -1,
        dirty: false,
        ended: false,
        source: None,
        listeners: Vec::new(),
        retry: None,
        reparse: None,
    }));
    connect(&live);
    Subscription { live }
}

/// New lines arrived: parse them within [`REPARSE_MS`], together with any
/// that follow until then.
fn schedule_reparse(live: &Rc<RefCell<Live>>, l: &mut Live) {
    if l.reparse.is_some() {
        return;
    }
    let live = live.clone();
    l.reparse = Some(Timeout::new(REPARSE_MS, move || {
        let out = live.try_borrow_mut().ok().and_then(|mut l| {
            // Dropped while it runs: wasm-bindgen frees it after the call.
            l.reparse = None;
            Some((l.dispatch.clone(), l.flush()?))
        });
        if let Some((dispatch, action)) = out {
            dispatch.emit(action);
        }
    }));
}

fn connect(live: &Rc<RefCell<Live>>) {
    let Ok(mut l) = live.try_borrow_mut() else {
        return;
    };
    l.close();
    if l.ended {
        return;
    }
    let Ok(source) = web_sys::EventSource::new(&api::events_path(&l.id)) else {
        // Without EventSource there is nothing to retry.
        return;
    };
    let target: &web_sys::EventTarget = source.as_ref();
    let mut listeners = Vec::new();
    for name in ["line", "state", "reset"] {
        let live = live.clone();
        listeners.push(EventListener::new(target, name, move |e| {
            let Some(data) = e
                .dyn_ref::<web_sys::MessageEvent>()
                .and_then(|m| m.data().as_string())
            else {
                return;
            };
            if let Some(event) = parse_event(name, &data) {
                let (dispatch, actions) = on_event(&live, event);
                for a in actions {
                    dispatch.emit(a);
                }
            }
        }));
    }
    {
        let live = live.clone();
        listeners.push(EventListener::new(target, "open", move |_| {
            let dispatch = live.try_borrow().ok().map(|l| l.dispatch.clone());
            if let Some(d) = dispatch {
                d.emit(Action::JobStream(Stream::Live));
            }
        }));
    }
    {
        let live = live.clone();
        listeners.push(EventListener::new(target, "error", move |_| {
            let dispatch = live.try_borrow().ok().map(|l| l.dispatch.clone());
            if let (Some(d), Some(a)) = (dispatch, on_error(&live)) {
                d.emit(a);
            }
        }));
    }
    l.source = Some(source);
    l.listeners = listeners;
}

/// Takes one event in; answers the actions to send (sent by the caller,
/// once `live` is no longer borrowed: a render may follow at once).
fn on_event(live: &Rc<RefCell<Live>>, event: JobEvent) -> (Callback<Action>, Vec<Action>) {
    let Ok(mut l) = live.try_borrow_mut() else {
        return (Callback::noop(), Vec::new());
    };
    let mut out = Vec::new();
    match event {
        JobEvent::Line { seq, line } => {
            // A reconnected stream goes on after the last id it saw; a line
            // seen already is never added twice.
            if seq > l.last_seq {
                l.last_seq = seq;
                l.text.push_str(&line);
                l.text.push('\n');
                l.dirty = true;
                schedule_reparse(live, &mut l);
            }
        }
        JobEvent::Reset => {
            l.text.clear();
            l.last_seq = -1;
            l.dirty = true;
            schedule_reparse(live, &mut l);
        }
        JobEvent::State(status) => {
            if status.is_final() {
                // All lines came before the final state: show them now, and
                // stop the browser from reconnecting to a finished stream.
                out.extend(l.flush());
                l.ended = true;
                if let Some(s) = &l.source {
                    s.close();
                }
            }
            out.push(Action::JobStatus(status));
        }
    }
    (l.dispatch.clone(), out)
}

/// The stream failed: the browser reconnects by itself (sending
/// Last-Event-ID) unless it gave up, and then a new stream is opened.
fn on_error(live: &Rc<RefCell<Live>>) -> Option<Action> {
    let mut l = live.try_borrow_mut().ok()?;
    if l.ended {
        return None;
    }
    let closed = l
        .source
        .as_ref()
        .is_none_or(|s| s.ready_state() == web_sys::EventSource::CLOSED);
    if closed {
        // A new stream starts from the first line, so the text starts over.
        l.text.clear();
        l.last_seq = -1;
        let again = live.clone();
        l.retry = Some(Timeout::new(RETRY_MS, move || connect(&again)));
    }
    Some(Action::JobStream(Stream::Reconnecting))
}
