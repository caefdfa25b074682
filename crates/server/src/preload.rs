//! `--preload DIR`: stores every bisection log found under a directory at
//! start, once (keyed by its path relative to DIR), so a fresh server shows samples.

use std::path::{Path, PathBuf};

use crate::body::MAX_LOG_BYTES;
use crate::error::ApiError;
use crate::logs::store_log;
use crate::state::AppState;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let ty = e.file_type()?;
        if ty.is_dir() {
            files_under(&e.path(), out)?;
        } else if ty.is_file() {
            out.push(e.path());
        }
    }
    Ok(())
}

/// Returns how many logs were new. Files that are not bisection logs, or too
/// big, are skipped with a warning.
pub async fn preload(state: &AppState, dir: &Path) -> Result<usize, String> {
    let mut files = Vec::new();
    files_under(dir, &mut files).map_err(|e| format!("--preload {}: {e}", dir.display()))?;
    let mut new = 0;
    for path in files {
        let rel = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .to_string();
        let meta = std::fs::metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.len() > MAX_LOG_BYTES as u64 {
            tracing::warn!(file = %rel, "preload: skipped, over 20 MiB");
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let origin = format!("preload:{rel}");
        if state
            .db
            .log_by_origin(&origin)
            .await
            .map_err(|e| e.to_string())?
            .is_some()
        {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| rel.clone());
        match store_log(state, &bytes, Some(&name), Some(&origin), None).await {
            Ok(_) => new += 1,
            Err(ApiError::NotABisectionLog(e)) => {
                tracing::warn!(file = %rel, "preload: skipped, not a bisection log: {e}")
            }
            Err(e) => return Err(format!("preload {rel}: {e}")),
        }
    }
    Ok(new)
}
