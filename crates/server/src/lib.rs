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
pub use bisect_log::paths;
pub mod preload;
pub mod state;
pub mod worker;

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
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("listen on {}: {e}", config.listen))?;
    run_on(listener, config, token, shutdown).await
}

/// [`run`] on a socket already bound (`config.listen` is not used).
pub async fn run_on(
    listener: TcpListener,
    config: Config,
    token: Option<String>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    run_with_engine(listener, config, token, worker::real_engine(), shutdown).await
}

/// [`run_on`] with the given bisection engine (tests use a scripted one).
pub async fn run_with_engine(
    listener: TcpListener,
    config: Config,
    token: Option<String>,
    engine: worker::EngineRun,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let state = app::state(&config, token).await?;
    if state.db.backend() == db::Backend::Sqlite {
        // A SQLite file belongs to one server process: jobs it shows running
        // were interrupted when the previous process died.
        let n = state
            .db
            .requeue_running()
            .await
            .map_err(|e| e.to_string())?;
        if n > 0 {
            tracing::info!(jobs = n, "interrupted jobs back in the queue");
        }
    }
    for dir in &config.preload {
        let n = preload::preload(&state, dir).await?;
        tracing::info!(dir = %dir.display(), new = n, "preloaded logs");
    }
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // Tests and scripts read this line to learn the port (with --listen …:0).
    println!("bisect-server listening on http://{addr}");
    tracing::info!(%addr, database = %app::redact_url(&config.database), "listening");
    let stop_workers = state.shutdown.clone();
    let workers = worker::spawn(
        state.clone(),
        worker::WorkerConfig {
            workers: config.workers,
            claim_timeout: std::time::Duration::from_secs(config.claim_timeout_s.max(1)),
            engine,
        },
        stop_workers.clone(),
    );
    let router = app::router(state.clone(), config.dist.as_deref());
    let stop = stop_workers.clone();
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // Event streams end with the workers' last notifications.
            stop.cancel();
        })
        .await
        .map_err(|e| format!("serve: {e}"));
    stop_workers.cancel();
    for mut w in workers {
        let _ = (&mut w.0).await;
    }
    state.db.close().await;
    served
}
