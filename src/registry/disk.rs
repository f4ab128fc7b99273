//! Free space where blobs and the SQLite database live. Uploads stop while a filesystem has less
//! free than `STORAGE_MIN_FREE` keeps: what is kept lets tag deletion and garbage collection
//! commit, so that space can be freed again. Object storage has no such limit here.

use std::path::{Path, PathBuf};

use super::{RegistryError, Result};
use crate::app::App;

/// One local filesystem the registry writes to.
#[derive(Debug, Clone)]
pub struct Filesystem {
    pub path: PathBuf,
    pub free: u64,
    pub total: u64,
    /// What uploads must leave free.
    pub keep: u64,
}

impl Filesystem {
    /// Bytes uploads may still take here.
    pub fn room(&self) -> u64 {
        self.free.saturating_sub(self.keep)
    }
}

/// The filesystems of local storage and of the SQLite database (the nearest existing folder of
/// each path), with their free space now.
pub fn filesystems(config: &crate::config::Config) -> Vec<Filesystem> {
    config
        .local_data_paths()
        .into_iter()
        .filter_map(|path| {
            let existing = path.ancestors().find(|p| p.exists()).map(Path::to_path_buf)?;
            let stat = rustix::fs::statvfs(&existing).ok()?;
            let free = stat.f_bavail.saturating_mul(stat.f_frsize);
            let total = stat.f_blocks.saturating_mul(stat.f_frsize);
            let keep = config.min_free_space(total).unwrap_or(0);
            Some(Filesystem { path, free, total, keep })
        })
        .collect()
}

/// How many bytes uploads may still write (`None`: no local filesystem to watch); refuses at once
/// when `incoming` declared bytes do not fit.
pub fn room(app: &App, incoming: u64) -> Result<Option<u64>> {
    let tightest = filesystems(&app.config).into_iter().min_by_key(Filesystem::room);
    let Some(fs) = tightest else { return Ok(None) };
    if fs.room() == 0 || incoming > fs.room() {
        return Err(full(&fs));
    }
    Ok(Some(fs.room()))
}

/// The error of an upload that would eat into the space kept free.
pub fn full(fs: &Filesystem) -> RegistryError {
    metrics::counter!("quay_storage_full_rejections_total").increment(1);
    RegistryError::StorageFull(format!(
        "the registry's disk is nearly full ({} MiB free at {}, {} MiB kept free); delete tags and let garbage collection run, or add space",
        fs.free >> 20,
        fs.path.display(),
        fs.keep >> 20
    ))
}

/// [`full`] for the tightest filesystem, when streaming found the room gone.
pub fn full_now(app: &App) -> RegistryError {
    match filesystems(&app.config).into_iter().min_by_key(Filesystem::room) {
        Some(fs) => full(&fs),
        None => RegistryError::StorageFull("the registry's disk is nearly full".into()),
    }
}
