//! Component tests in headless Chromium (wasm-bindgen-test):
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//!  CHROMEDRIVER=/usr/bin/chromedriver cargo test -p bisect-lens --target wasm32-unknown-unknown`
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::rc::Rc;
use std::time::Duration;

use bisect_lens::components::raw_log::RawLog;
use bisect_lens::components::report::CrashReport;
use bisect_lens::components::summary::Summary;
use bisect_lens::components::timeline::Timeline;
use bisect_lens::doc::{open_here, Doc};
use bisect_lens::links::DEFAULT_SOURCE_TEMPLATE;
use bisect_lens::state::{Action, ScrollRequest};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

const SEED_000: &str = include_str!("../static/samples/000_9f5fff6f4365948f.txt");
const SEED_004: &str = include_str!("../static/samples/004_dd38629cfa7ebbde.txt");

fn doc(text: &str) -> Rc<Doc> {
    open_here("test".into(), text.as_bytes())
}

fn root() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(30)).await;
}

fn all(root: &web_sys::Element, selector: &str) -> Vec<web_sys::Element> {
    let list = root.query_selector_all(selector).ok();
    let mut out = Vec::new();
    if let Some(list) = list {
        for i in 0..list.length() {
            if let Some(el) = list
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                out.push(el);
            }
        }
    }
    out
}

fn attr(el: &web_sys::Element, name: &str) -> String {
    el.get_attribute(name).unwrap_or_default()
}

#[derive(Properties, PartialEq)]
struct TimelineHost {
    doc: Rc<Doc>,
    selected: Option<usize>,
}

#[function_component]
fn TimelineTest(p: &TimelineHost) -> Html {
    html! { <Timeline doc={p.doc.clone()} selected={p.selected} on_action={Callback::from(|_: Action| ())} /> }
}

#[wasm_bindgen_test]
async fn timeline_has_one_node_per_test_block_in_log_order() {
    for text in [SEED_000, SEED_004] {
        let d = doc(text);
        let b = d.bisection().cloned().expect("seed parses");
        let el = root();
        yew::Renderer::<TimelineTest>::with_root_and_props(
            el.clone(),
            TimelineHost {
                doc: d.clone(),
                selected: Some(1),
            },
        )
        .render();
        settle().await;
        let steps = all(&el, "[data-testid=step]");
        let tests: Vec<_> = b.tests().collect();
        assert_eq!(steps.len(), tests.len());
        for (s, t) in steps.iter().zip(&tests) {
            assert_eq!(attr(s, "data-commit"), t.commit);
            assert_eq!(attr(s, "data-verdict"), t.verdict.as_str());
            let runs = all(s, "[data-testid=run]");
            let expected = match &t.runs {
                bisect_log::Runs::None => 0,
                bisect_log::Runs::All(_) => 1,
                bisect_log::Runs::Each { runs } => runs.len(),
            };
            assert_eq!(runs.len(), expected, "runs of {}", t.commit);
            for (mark, run) in runs.iter().zip(t.runs.as_slice()) {
                assert_eq!(attr(mark, "data-outcome"), run.result.outcome());
            }
        }
        assert!(steps[1].class_list().contains("selected"));
        assert_eq!(all(&el, "[aria-current=step]").len(), 1);
    }
}

#[wasm_bindgen_test]
async fn seed_000_marks_the_bugs_crash_apart_from_other_crashes() {
    let d = doc(SEED_000);
    let el = root();
    yew::Renderer::<TimelineTest>::with_root_and_props(
        el.clone(),
        TimelineHost {
            doc: d,
            selected: None,
        },
    )
    .render();
    settle().await;
    // The original commit crashed 4 times with the bug's own title...
    let first = all(&el, "[data-testid=step]").into_iter().next().unwrap();
    assert_eq!(all(&first, "[data-kind=own-crash]").len(), 4);
    // ...while the first bisect step's crashes were "WARNING in kvm_wait".
    assert!(!all(&el, "[data-testid=step] [data-kind=other-crash]").is_empty());
    // Steps 14 and 15 (and the culprit's parent) share a kernel signature.
    assert!(all(&el, "[data-testid=same-signature-mark]").len() >= 2);
}

#[derive(Properties, PartialEq)]
struct DocHost {
    doc: Rc<Doc>,
}

#[function_component]
fn SummaryTest(p: &DocHost) -> Html {
    html! { <Summary doc={p.doc.clone()} diag={None} on_action={Callback::from(|_: Action| ())} /> }
}

#[wasm_bindgen_test]
async fn summary_shows_trust_diagnostics_and_the_full_culprit_hash() {
    let d = doc(SEED_004);
    let el = root();
    yew::Renderer::<SummaryTest>::with_root_and_props(el.clone(), DocHost { doc: d.clone() })
        .render();
    settle().await;
    let culprit = all(&el, "[data-testid=culprit]");
    assert_eq!(culprit.len(), 1);
    let hash = d
        .bisection()
        .and_then(|b| b.culprit())
        .map(|c| c.commit.clone())
        .unwrap_or_default();
    assert_eq!(hash.len(), 40);
    assert!(culprit[0]
        .text_content()
        .unwrap_or_default()
        .contains(&hash));
    let trust = all(&el, "[data-testid=trust]");
    assert_eq!(attr(&trust[0], "data-trust"), "suspect");
    let codes: Vec<String> = all(&el, "[data-testid=diagnostic]")
        .iter()
        .map(|e| attr(e, "data-code"))
        .collect();
    assert!(!codes.is_empty());
    assert!(codes.iter().all(|c| !c.is_empty()));
}

#[function_component]
fn ReportTest(p: &DocHost) -> Html {
    html! { <CrashReport doc={p.doc.clone()} source_template={DEFAULT_SOURCE_TEMPLATE.to_string()} on_action={Callback::from(|_: Action| ())} /> }
}

#[wasm_bindgen_test]
async fn crash_report_lists_every_frame_with_safe_source_links() {
    let d = doc(SEED_000);
    let el = root();
    yew::Renderer::<ReportTest>::with_root_and_props(el.clone(), DocHost { doc: d.clone() })
        .render();
    settle().await;
    let frames = d
        .bisection()
        .and_then(|b| b.trailer.outcome.crash())
        .map(|c| c.report.frames().count())
        .unwrap_or(0);
    assert!(frames > 10);
    assert_eq!(all(&el, "[data-testid=frame]").len(), frames);
    let links = all(&el, "[data-testid=frame-link]");
    assert!(!links.is_empty());
    for a in &links {
        assert!(attr(a, "href").starts_with(
            "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/"
        ));
        assert!(attr(a, "href").contains("?id=7e923e6a3ceb877497dd9ee70d71fa33b94f332b#n"));
    }
    // Registers and Code: collapsed.
    let details = all(&el, ".registers details, details.collapsed");
    assert!(!details.is_empty());
    assert!(details.iter().all(|d| !d.has_attribute("open")));
}

#[wasm_bindgen_test]
async fn a_hostile_report_gives_no_unsafe_link_and_runs_no_script() {
    let text = "bisecting cause commit starting from 1111111111111111111111111111111111111111\n\
        testing commit 1111111111111111111111111111111111111111 with gcc (GCC) 10.2.1\n\
        all runs: crashed: <img src=x onerror=\"window.__pwned=1\">\n\
        revisions tested: 1, total time: 1m0s (build: 30s, test: 30s)\n\
        first bad commit: 1111111111111111111111111111111111111111 x\n\
        crash: <script>window.__pwned=2</script>\n\
        BUG: KASAN: use-after-free in foo\n\
        Call Trace:\n \
        evil+0x1/0x2 javascript:alert(1):12\n \
        up+0x1/0x2 ../../etc/passwd:3\n \
        good+0x1/0x2 mm/slub.c:4124\n";
    let d = doc(text);
    let el = root();
    yew::Renderer::<ReportTest>::with_root_and_props(el.clone(), DocHost { doc: d }).render();
    settle().await;
    let hrefs: Vec<String> = all(&el, "a[href]")
        .iter()
        .map(|a| attr(a, "href"))
        .collect();
    assert!(hrefs.iter().all(|h| h.starts_with("https://")), "{hrefs:?}");
    assert_eq!(all(&el, "script, img").len(), 0);
    assert!(el
        .text_content()
        .unwrap_or_default()
        .contains("<script>window.__pwned=2</script>"));
    let pwned = js_sys::Reflect::get(&js_sys::global(), &"__pwned".into()).ok();
    assert!(pwned.is_none_or(|v| v.is_undefined()));
}

#[derive(Properties, PartialEq)]
struct RawHost {
    doc: Rc<Doc>,
    lines: Option<(u32, u32)>,
    scroll: ScrollRequest,
    search: String,
}

#[function_component]
fn RawTest(p: &RawHost) -> Html {
    html! {
        <div style="height: 400px; display: flex; flex-direction: column">
            <RawLog doc={p.doc.clone()} highlight={None} lines={p.lines} scroll={p.scroll}
                search={p.search.clone()} search_focus={0} on_action={Callback::from(|_: Action| ())} />
        </div>
    }
}

#[wasm_bindgen_test]
async fn raw_log_renders_only_visible_rows_and_scrolls_to_an_anchor() {
    // 30,000 lines; only a screenful must be in the DOM.
    let mut text = String::from(SEED_000);
    for i in 0..30_000 {
        text.push_str(&format!("filler line {i} <b>not bold</b>\n"));
    }
    let d = doc(&text);
    let el = root();
    yew::Renderer::<RawTest>::with_root_and_props(
        el.clone(),
        RawHost {
            doc: d.clone(),
            lines: Some((25_000, 25_002)),
            scroll: ScrollRequest {
                nonce: 1,
                line: 25_000,
            },
            search: "not bold".into(),
        },
    )
    .render();
    settle().await;
    settle().await;
    let rows = all(&el, ".raw-row");
    assert!(!rows.is_empty());
    assert!(rows.len() < 200, "{} rows rendered", rows.len());
    let selected: Vec<String> = all(&el, ".raw-row.sel")
        .iter()
        .map(|r| attr(r, "data-line"))
        .collect();
    let vp = all(&el, "[data-testid=raw-log]").pop().unwrap();
    assert_eq!(
        selected,
        vec!["25000", "25001", "25002"],
        "scrollTop {} height {} first row {}",
        vp.scroll_top(),
        vp.client_height(),
        attr(&rows[0], "data-line")
    );
    assert_eq!(all(&el, "b").len(), 0, "log text is never HTML");
    assert!(!all(&el, ".raw-row.match mark").is_empty());
}
