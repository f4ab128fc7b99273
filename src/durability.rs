//! Group commit of fsyncs: concurrent requests that each need some files made durable before they
//! answer share one round of `fsync` calls instead of making one each.
//!
//! A caller registers what it needs synced, then waits for a round that began after it
//! registered: only one round runs at a time, and a round syncs everything registered before it
//! started. Under load many callers ride on each round; alone, a caller pays for its own. The
//! order a push relies on (see `docs/ARCHITECTURE.md`, "Durable before acknowledged") is kept by
//! the callers: they wait for one round before their next step.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;

/// A point every caller passes through to have paths made durable.
pub struct SyncBarrier {
    /// Requests so far, and the paths registered and not yet taken by a round.
    pending: Mutex<(u64, BTreeSet<PathBuf>)>,
    /// Held by the round in progress; `u64` is the last request a finished round covered.
    round: tokio::sync::Mutex<u64>,
}

impl Default for SyncBarrier {
    fn default() -> Self {
        Self::new()
    }
}

impl SyncBarrier {
    pub fn new() -> SyncBarrier {
        SyncBarrier { pending: Mutex::new((0, BTreeSet::new())), round: tokio::sync::Mutex::new(0) }
    }

    /// Returns once every path in `paths` (files or folders) was fsynced after this call began.
    pub async fn sync(&self, paths: impl IntoIterator<Item = PathBuf>) -> std::io::Result<()> {
        let ticket = {
            let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            pending.0 += 1;
            pending.1.extend(paths);
            pending.0
        };
        let mut covered = self.round.lock().await;
        if *covered >= ticket {
            return Ok(());
        }
        let (upto, paths) = {
            let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            (pending.0, std::mem::take(&mut pending.1))
        };
        for path in &paths {
            record(|| format!("fsync {}", path.display()));
        }
        let result = tokio::task::spawn_blocking(move || {
            for path in &paths {
                match std::fs::File::open(path) {
                    Ok(f) => f.sync_all()?,
                    // A SQLite write-ahead log that a checkpoint just removed holds nothing to sync.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        })
        .await
        .map_err(std::io::Error::other)?;
        if result.is_ok() {
            *covered = upto;
        }
        result
    }
}

/// The steps that make a push durable, in the order they happened (debug builds only, the last
/// few thousand): what the test of the fsync order reads.
#[cfg(debug_assertions)]
static EVENTS: Mutex<std::collections::VecDeque<String>> = Mutex::new(std::collections::VecDeque::new());

/// Records one step (`rename ...`, `fsync ...`, `commit ...`, `durable ...`); free in release builds.
#[inline]
pub fn record(event: impl FnOnce() -> String) {
    #[cfg(debug_assertions)]
    {
        let mut events = EVENTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if events.len() >= 4096 {
            events.pop_front();
        }
        events.push_back(event());
    }
    #[cfg(not(debug_assertions))]
    let _ = event;
}

/// The steps recorded so far (debug builds; empty in release builds).
pub fn events() -> Vec<String> {
    #[cfg(debug_assertions)]
    {
        EVENTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter().cloned().collect()
    }
    #[cfg(not(debug_assertions))]
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn concurrent_callers_share_rounds_and_every_path_is_synced() {
        let dir = tempfile::tempdir().unwrap();
        let barrier = std::sync::Arc::new(SyncBarrier::new());
        let mut tasks = Vec::new();
        for i in 0..32 {
            let path = dir.path().join(format!("f{i}"));
            std::fs::write(&path, b"x").unwrap();
            let barrier = barrier.clone();
            tasks.push(tokio::spawn(async move { barrier.sync([path]).await }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        // A path that is gone is skipped; a folder can be synced too.
        barrier.sync([dir.path().join("gone"), dir.path().to_path_buf()]).await.unwrap();
    }
}
