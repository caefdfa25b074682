//! `bisect-log`: read syzbot bisection logs from the terminal.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use bisect_log::Summary;

mod evaluate;
mod show;

const USAGE: &str = "\
usage: bisect-log <command> FILE...

commands:
  show FILE          readable summary of one log (colours on a terminal)
  json FILE          the whole parsed model as JSON
  analyze FILE...    the trust analysis, one JSON object per line per file
  what-if FILE COMMIT=good|bad...
                     replay the log's git bisect steps with these verdicts
                     flipped (git's words) and print the resulting range as JSON
  summary FILE...    one JSON object per line per file, in argument order
  evaluate LOG_DIR LABELS_CSV [--rule RULE]
                     measure the trust analysis on labelled logs: recall,
                     false alarms, localization and a per-detector table;
                     RULE: exact, suffix, variant, same-function (default),
                     same-subsystem (how crash titles are compared)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, files)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    match command.as_str() {
        "show" | "json" if files.len() == 1 => one(command, &files[0]),
        "analyze" if !files.is_empty() => analyze(files),
        "what-if" if files.len() >= 2 => what_if(&files[0], &files[1..]),
        "summary" if !files.is_empty() => summary(files),
        "evaluate" if files.len() == 2 || files.len() == 4 => evaluate::run(files),
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("bisect-log: cannot read {path}: {e}"))
}

fn one(command: &str, path: &str) -> ExitCode {
    let bytes = match read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let bisection = match bisect_log::parse_bytes(&bytes) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("bisect-log: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let written = if command == "json" {
        serde_json::to_writer(&mut out, &bisection)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out))
    } else {
        let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        out.write_all(show::render(&bisection, colour).as_bytes())
    };
    finish(written)
}

fn summary(files: &[String]) -> ExitCode {
    let mut failed = false;
    let mut out = std::io::stdout().lock();
    for path in files {
        let bytes = match read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{e}");
                failed = true;
                continue;
            }
        };
        let line = summarize(path, &bytes);
        if let Err(e) = serde_json::to_writer(&mut out, &line)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out))
        {
            return finish(Err(e));
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn analyze(files: &[String]) -> ExitCode {
    let mut failed = false;
    let mut out = std::io::stdout().lock();
    for path in files {
        let parsed = read(path).and_then(|bytes| {
            bisect_log::parse_bytes(&bytes).map_err(|e| format!("bisect-log: {path}: {e}"))
        });
        let b = match parsed {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{e}");
                failed = true;
                continue;
            }
        };
        let line = serde_json::json!({ "file": path, "analysis": bisect_log::analyze(&b) });
        if let Err(e) = serde_json::to_writer(&mut out, &line)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out))
        {
            return finish(Err(e));
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn what_if(path: &str, flips: &[String]) -> ExitCode {
    let mut parsed = Vec::new();
    for f in flips {
        let verdict = match f.split_once('=') {
            Some((c, "good")) => (c, bisect_log::Verdict::Good),
            Some((c, "bad")) => (c, bisect_log::Verdict::Bad),
            _ => {
                eprintln!("bisect-log: what-if: expected COMMIT=good or COMMIT=bad, got `{f}`");
                return ExitCode::from(2);
            }
        };
        parsed.push((verdict.0.to_string(), verdict.1));
    }
    let b = match read(path).and_then(|bytes| {
        bisect_log::parse_bytes(&bytes).map_err(|e| format!("bisect-log: {path}: {e}"))
    }) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let w = bisect_log::what_if(&b, &parsed);
    let mut out = std::io::stdout().lock();
    finish(
        serde_json::to_writer(&mut out, &w)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out)),
    )
}

fn summarize(path: &str, bytes: &[u8]) -> Summary {
    match bisect_log::parse_bytes(bytes) {
        Ok(b) => Summary::new(path, &b),
        Err(e) => Summary::unparseable(path, &String::from_utf8_lossy(bytes), &e),
    }
}

/// A closed pipe (`| head`) is not an error worth a message.
pub(crate) fn finish(result: std::io::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bisect-log: {e}");
            ExitCode::FAILURE
        }
    }
}
