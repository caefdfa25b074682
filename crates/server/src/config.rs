//! Command-line flags of `bisect-server`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// The host the link proxy may always fetch from.
pub const DEFAULT_FETCH_HOST: &str = "syzkaller.appspot.com";

/// Stores and shares syzbot bisection logs and runs flaky-aware bisection jobs.
///
/// The token that allows job submission comes from the environment variable
/// BISECT_LENS_TOKEN; without it, logs are served and stored but jobs are refused.
#[derive(Debug, Clone, Parser)]
#[command(name = "bisect-server", version)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Database URL: `sqlite://FILE` (created if missing, WAL) or `postgres://…`.
    #[arg(long, default_value = "sqlite://data/bisect-lens.db")]
    pub database: String,
    /// The viewer's release build (`trunk build --release`), served with a
    /// fallback to index.html for app routes.
    #[arg(long)]
    pub dist: Option<PathBuf>,
    /// Jobs name their repository relative to this directory; nothing outside it is used.
    #[arg(long, default_value = "repos")]
    pub repos_root: PathBuf,
    /// Number of jobs run at once by this server (0: serve the API, run no job).
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
    /// Another host (`HOST` or `HOST:PORT`) the link proxy may fetch from; repeatable.
    #[arg(long = "fetch-allow", value_name = "HOST")]
    pub fetch_allow: Vec<String>,
    /// Seconds the link proxy waits for a whole answer.
    #[arg(long, default_value_t = 30)]
    pub fetch_timeout_s: u64,
    /// A running job whose server sent no heartbeat for this long is taken
    /// over by another worker (PostgreSQL queues shared by several servers).
    #[arg(long, default_value_t = 30)]
    pub claim_timeout_s: u64,
    /// Load every file of this directory (recursively) as a stored log at start,
    /// once per file name, so the viewer's library shows samples. Repeatable.
    #[arg(long, value_name = "DIR")]
    pub preload: Vec<PathBuf>,
}

impl Config {
    /// The link proxy's allowlist: the default host plus `--fetch-allow`.
    pub fn fetch_allowlist(&self) -> Vec<String> {
        let mut hosts = vec![DEFAULT_FETCH_HOST.to_string()];
        hosts.extend(self.fetch_allow.iter().map(|h| h.to_ascii_lowercase()));
        hosts
    }
}
