//! bisect-lens server: log storage and sharing, and bisection jobs.

pub mod app;
pub mod body;
pub mod config;
pub mod db;
pub mod engine;
pub mod error;
pub mod fetch;
pub mod jobs;
pub mod logs;
pub mod paths;
pub mod preload;
pub mod state;

use std::future::Future;

use tokio::net::TcpListener;

pub use config::Config;

/// Runs the server until `shutdown` completes: opens the database (running
/// its migrations), preloads samples, starts the workers and serves HTTP.
pub async fn run(
    config: Config,
    token: Option<String>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let state = app::state(&config, token).await?;
    for dir in &config.preload {
        let n = preload::preload(&state, dir).await?;
        tracing::info!(dir = %dir.display(), new = n, "preloaded logs");
    }
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // Tests and scripts read this line to learn the port (with --listen …:0).
    println!("bisect-server listening on http://{addr}");
    tracing::info!(%addr, database = %app::redact_url(&config.database), "listening");
    let router = app::router(state.clone(), config.dist.as_deref());
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| format!("serve: {e}"));
    state.db.close().await;
    served
}
