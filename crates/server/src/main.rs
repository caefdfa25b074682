use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let config = bisect_server::Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    // Read once; never logged.
    let token = std::env::var("BISECT_LENS_TOKEN").ok();
    if token.as_deref().is_none_or(str::is_empty) {
        tracing::warn!("BISECT_LENS_TOKEN is not set: logs are served, jobs are refused");
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bisect-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match runtime.block_on(bisect_server::run(config, token, shutdown)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bisect-server: {e}");
            ExitCode::FAILURE
        }
    }
}
