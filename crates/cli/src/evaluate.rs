//! `bisect-log evaluate LOG_DIR LABELS_CSV`: the trust analysis measured on labelled logs.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use bisect_log::analysis::evaluate::{half, parse_labels, Evaluation};
use bisect_log::analysis::{analyze_with, MatchRule, Options};

/// analyze() on every `.txt` log of `dir` (parsing not counted).
fn time_all(dir: &Path, options: &Options) -> Option<String> {
    let mut times = Vec::new();
    let mut lines = 0u64;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let Some(b) = std::fs::read(&path)
            .ok()
            .and_then(|bytes| bisect_log::parse_bytes(&bytes).ok())
        else {
            continue;
        };
        lines += u64::from(b.line_count);
        // Best of three: the machine may be busy with other work.
        let mut best = std::time::Duration::MAX;
        for _ in 0..3 {
            let start = Instant::now();
            let a = analyze_with(&b, options);
            best = best.min(start.elapsed());
            std::hint::black_box(a);
        }
        times.push((
            best,
            path.file_name().map(|n| n.to_string_lossy().into_owned()),
        ));
    }
    if times.is_empty() {
        return None;
    }
    let total: std::time::Duration = times.iter().map(|(t, _)| *t).sum();
    times.sort();
    let median = times[times.len() / 2].0;
    let (max, slowest) = &times[times.len() - 1];
    Some(format!(
        "analyze() on all {} logs of the folder ({lines} lines), best of 3: {:.1} ms, median {:.0} µs, max {:.0} µs per log ({})\n",
        times.len(),
        total.as_secs_f64() * 1000.0,
        median.as_secs_f64() * 1e6,
        max.as_secs_f64() * 1e6,
        slowest.as_deref().unwrap_or("?")
    ))
}

pub fn run(args: &[String]) -> ExitCode {
    let (dir, labels) = (&args[0], &args[1]);
    let mut options = Options::default();
    if args.len() == 4 {
        let rule = MatchRule::ALL.into_iter().find(|r| r.as_str() == args[3]);
        match (args[2].as_str(), rule) {
            ("--rule", Some(rule)) => options.rule = rule,
            _ => {
                eprintln!("bisect-log: evaluate: expected `--rule exact|suffix|variant|same-function|same-subsystem`");
                return ExitCode::from(2);
            }
        }
    }
    let text = match std::fs::read_to_string(labels) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("bisect-log: cannot read {labels}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let labels = match parse_labels(&text) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("bisect-log: {labels}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut eval = Evaluation::default();
    let mut halves = [Evaluation::default(), Evaluation::default()];
    let mut analysed = 0u32;
    let mut spent = std::time::Duration::ZERO;
    for label in &labels {
        if !label.in_population() {
            continue;
        }
        let path = Path::new(dir).join(format!("{}.txt", label.log));
        let parsed = std::fs::read(&path)
            .ok()
            .and_then(|bytes| bisect_log::parse_bytes(&bytes).ok());
        match parsed {
            Some(b) => {
                let start = Instant::now();
                let a = analyze_with(&b, &options);
                spent += start.elapsed();
                analysed += 1;
                eval.add(label, Some((&b, &a)));
                halves[half(&label.log)].add(label, Some((&b, &a)));
            }
            None => {
                eval.add(label, None);
                halves[half(&label.log)].add(label, None);
            }
        }
    }
    let mut text = eval.render();
    for (i, h) in halves.iter().enumerate() {
        text.push_str(&format!(
            "\nhalf {i} (CRC-32 of the log name {}), {} rows: {}",
            if i == 0 { "even" } else { "odd" },
            h.wrong + h.right,
            h.summary_line()
        ));
    }
    text.push('\n');
    text.push_str(&format!(
        "\ntitle rule: {}; analyze(): {} labelled logs in {:.1} ms\n",
        options.rule.as_str(),
        analysed,
        spent.as_secs_f64() * 1000.0
    ));
    if let Some(t) = time_all(Path::new(dir), &options) {
        text.push_str(&t);
    }
    if !eval.skipped.is_empty() {
        text.push_str(&format!(
            "skipped (log missing or naming another culprit): {}\n",
            eval.skipped.join(" ")
        ));
    }
    crate::finish(std::io::stdout().lock().write_all(text.as_bytes()))
}
