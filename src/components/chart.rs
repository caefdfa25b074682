//! Revisions left after each step (log scale), from git's
//! `Bisecting: N revisions left` lines. Bars select their step.

use bisect_log::decimal::fixed;
use std::rc::Rc;

use yew::prelude::*;

use crate::doc::Doc;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub doc: Rc<Doc>,
    pub selected: Option<usize>,
    pub on_action: Callback<Action>,
}

// The markup spells them out (viewBox, axis at H - 13): printing an f64 with
// `{}` links core's shortest-float code into the bundle.
const W: f64 = 600.0;
const H: f64 = 90.0;

#[function_component(RevisionsChart)]
pub fn revisions_chart(props: &ChartProps) -> Html {
    let Ok(p) = &props.doc.parsed else {
        return html! {};
    };
    if p.chart.is_empty() {
        return html! {};
    }
    let max = p
        .chart
        .iter()
        .map(|c| c.revisions)
        .max()
        .unwrap_or(1)
        .max(1);
    let scale =
        |n: u32| ((f64::from(n) + 1.0).log2() / (f64::from(max) + 1.0).log2()).clamp(0.0, 1.0);
    let n = p.chart.len() as f64;
    let slot = W / n;
    let bar_w = (slot * 0.7).max(2.0);
    let bars = p.chart.iter().enumerate().map(|(i, c)| {
        let h = (H - 30.0) * scale(c.revisions) + 2.0;
        let x = i as f64 * slot + (slot - bar_w) / 2.0;
        let y = H - 14.0 - h;
        let selected = c.step.is_some() && c.step == props.selected;
        let label = match c.step {
            Some(s) => format!("after step {}: {} revisions left", s + 1, c.revisions),
            None => format!("at git bisect start: {} revisions", c.revisions),
        };
        let onclick = c.step.map(|s| {
            let a = props.on_action.clone();
            Callback::from(move |_: MouseEvent| a.emit(Action::SelectStep(s)))
        });
        html! {
            <g class={classes!("bar", selected.then_some("selected"), onclick.is_some().then_some("clickable"))} {onclick}>
                <title>{ label }</title>
                <rect x={fixed(x, 1)} y={fixed(y, 1)} width={fixed(bar_w, 1)} height={fixed(h, 1)} rx="1.5" />
                <text x={fixed(x + bar_w / 2.0, 1)} y={fixed(y - 2.0, 1)} text-anchor="middle">{ c.revisions }</text>
            </g>
        }
    });
    let summary: Vec<String> = p.chart.iter().map(|c| c.revisions.to_string()).collect();
    html! {
        <figure class="chart">
            <svg viewBox="0 0 600 90" role="img"
                aria-label={format!("Revisions left after each step: {}", summary.join(", "))}>
                { for bars }
                <line x1="0" y1="77" x2="600" y2="77" class="axis" />
            </svg>
            <figcaption class="muted">{ "Revisions left to test after each step (log scale)" }</figcaption>
        </figure>
    }
}
