//! What every handler shares.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::db::Db;
use crate::fetch::Fetcher;

pub type Shared = Arc<AppState>;

pub struct AppState {
    pub db: Db,
    /// The bearer token for jobs; `None` refuses every job.
    pub token: Option<String>,
    /// `--repos-root`, canonicalized; `None` when it does not exist.
    pub repos_root: Option<PathBuf>,
    pub fetcher: Fetcher,
    /// Summaries already computed (logs never change), bounded.
    pub summaries: Mutex<HashMap<String, Arc<str>>>,
    /// The id of every job something happened to (from this process).
    pub job_events: broadcast::Sender<String>,
    /// Fired when the server stops: workers give their jobs back, event
    /// streams end (so the graceful shutdown does not wait for them).
    pub shutdown: CancellationToken,
}

impl AppState {
    const SUMMARY_CACHE: usize = 1024;

    /// Wakes the event streams of a job.
    pub fn notify_job(&self, id: &str) {
        // No receiver is not an error.
        let _ = self.job_events.send(id.to_string());
    }

    pub fn cached_summary(&self, id: &str) -> Option<Arc<str>> {
        self.summaries.lock().ok()?.get(id).cloned()
    }

    pub fn cache_summary(&self, id: &str, json: Arc<str>) {
        if let Ok(mut cache) = self.summaries.lock() {
            if cache.len() >= Self::SUMMARY_CACHE {
                cache.clear();
            }
            cache.insert(id.to_string(), json);
        }
    }
}

/// A fresh random id: 16 characters of `[0-9a-z]` (~82 bits).
pub fn new_id() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::thread_rng();
    (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Ids are ours: anything else is not found without asking the database.
pub fn valid_id(id: &str) -> bool {
    id.len() == 16
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}
