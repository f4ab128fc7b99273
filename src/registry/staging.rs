//! Small blobs acknowledged with one sync: their bytes travel in the database transaction that
//! records them, and their files are synced afterwards, many at once.
//!
//! A blob of up to [`STAGE_MAX`] bytes sent whole in one request, to local disk, is written to its
//! content address without an fsync. The transaction that creates its row also adds a
//! `quay-flush/<location>/<digest>/` item to Quay's `queueitem` table holding the bytes, so the
//! sync of the database's log that acknowledges the push makes the bytes durable too: one sync per
//! blob instead of three (the file, its folder, the log). Every [`ROUND`] the server syncs the
//! whole file system once (`syncfs`) and deletes the items it covered.
//!
//! After a power cut, a file written since the last round may be missing or hold other bytes; the
//! server's start ([`recover`]) hashes every pending item's file and rewrites the wrong ones from
//! the item before it serves anything. Only the server process stages (it runs the rounds); the
//! command line (`quay import`) syncs each blob before its commit, as large blobs always are.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;

use crate::app::{App, AppState};
use crate::db::queue::STAGED_BLOB_QUEUE;
use crate::oci::{Algorithm, Digest, Hasher};
use crate::storage::Storage;

/// The largest blob staged; larger ones are synced in place before their row commits.
pub const STAGE_MAX: u64 = 256 << 10;

/// How often the staged files are synced: how long a staged item waits at most, under load.
pub const ROUND: Duration = Duration::from_millis(50);

/// Items taken by one round (a round with more pending runs again at once).
const ROUND_ITEMS: u64 = 1024;

/// Whether this process stages small blobs, and the wake-up of its rounds.
#[derive(Default)]
pub struct Staging {
    enabled: AtomicBool,
    wake: tokio::sync::Notify,
}

impl Staging {
    /// Whether small blobs are staged (a server with its rounds running).
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Acquire)
    }

    /// Asks for a round soon: a blob was staged.
    pub fn staged(&self) {
        self.wake.notify_one();
    }
}

/// The queue name of a staged blob: its location and digest.
pub fn item_name(location_id: i32, digest: &Digest) -> String {
    crate::db::queue::canonical_queue_name(&[STAGED_BLOB_QUEUE, &location_id.to_string(), &digest.to_string()])
}

/// The item's body: the blob's bytes.
pub fn item_body(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Parses `quay-flush/<location>/<digest>/`.
fn parse_name(name: &str) -> Option<(i32, Digest)> {
    let rest = name.strip_prefix(STAGED_BLOB_QUEUE)?.strip_prefix('/')?.strip_suffix('/')?;
    let (location, digest) = rest.split_once('/')?;
    Some((location.parse().ok()?, Digest::parse(digest).ok()?))
}

/// Makes every staged blob's file whole and durable before the server answers (after a power cut
/// a file written since the last round may be missing or wrong), then starts the rounds and turns
/// staging on. The rounds stop when the last holder of `app` drops it.
pub async fn start(app: &AppState) -> anyhow::Result<()> {
    let restored = recover(app).await?;
    if restored > 0 {
        tracing::warn!(restored, "rewrote staged blobs lost by an unclean stop");
    }
    app.staging.enabled.store(true, Ordering::Release);
    let weak = Arc::downgrade(&app.0);
    tokio::spawn(async move {
        loop {
            {
                let Some(app) = weak.upgrade() else { return };
                // Notified, or every few seconds for items another process of this host left.
                let _ = tokio::time::timeout(Duration::from_secs(5), app.staging.wake.notified()).await;
            }
            // The round's length bounds how many syncs a second the rounds make.
            tokio::time::sleep(ROUND).await;
            crate::testhooks::reached("staging.round").await;
            let Some(app) = weak.upgrade() else { return };
            loop {
                match flush(&app).await {
                    Ok(n) if n >= ROUND_ITEMS => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %format!("{e:#}"), "cannot sync staged blobs; retrying");
                        break;
                    }
                }
            }
        }
    });
    Ok(())
}

/// Stops staging and syncs what is pending (a clean stop leaves no item).
pub async fn stop(app: &App) {
    app.staging.enabled.store(false, Ordering::Release);
    loop {
        match flush(app).await {
            Ok(n) if n >= ROUND_ITEMS => continue,
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "cannot sync staged blobs at stop; the next start will");
                return;
            }
        }
    }
}

/// One round: syncs the file systems holding the pending items' files, then deletes the items.
/// Returns how many items it covered.
pub async fn flush(app: &App) -> anyhow::Result<u64> {
    // Listed before the sync: every item listed here was committed after its file was renamed
    // into place, so the sync below covers its file. Only the local locations configured here:
    // items of another stay for a server that has it, and never crowd these out.
    let layout = app.storage.current();
    let mut roots = std::collections::BTreeSet::new();
    let mut done = Vec::new();
    for location in layout.all() {
        let Some(root) = location.storage.root() else { continue };
        let prefix = crate::db::queue::canonical_queue_name(&[STAGED_BLOB_QUEUE, &location.id.to_string()]);
        let items = crate::db::queue::list_items(&app.db.read, &prefix, ROUND_ITEMS).await?;
        if !items.is_empty() {
            roots.insert(root.to_path_buf());
            done.extend(items);
        }
    }
    if done.is_empty() {
        return Ok(0);
    }
    for root in &roots {
        crate::durability::record(|| format!("syncfs {}", root.display()));
    }
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        for root in &roots {
            let folder = std::fs::File::open(root)?;
            rustix::fs::syncfs(&folder)?;
        }
        Ok(())
    })
    .await??;
    for item in &done {
        crate::durability::record(|| format!("flushed {}", item.queue_name));
    }
    crate::db::queue::delete_items(&app.db.write, &done).await?;
    Ok(done.len() as u64)
}

/// Hashes the file of every pending item and rewrites from the item those that are missing or
/// hold other bytes, then syncs them all; returns how many it rewrote.
pub async fn recover(app: &App) -> anyhow::Result<u64> {
    let prefix = format!("{STAGED_BLOB_QUEUE}/");
    let items = crate::db::queue::list_items(&app.db.write, &prefix, u64::MAX).await?;
    let mut restored = 0;
    for item in items {
        match restore(app, &item).await {
            Ok(true) => restored += 1,
            Ok(false) => {}
            // Nothing else to restore it from: `quay fsck --verify` reports the blob if it is
            // wrong; the server starts.
            Err(e) => {
                tracing::error!(item = %item.queue_name, error = %format!("{e:#}"), "cannot restore a staged blob")
            }
        }
    }
    while flush(app).await? >= ROUND_ITEMS {}
    Ok(restored)
}

/// Rewrites one staged blob's file from its item if the file is missing or wrong; returns whether
/// it did.
async fn restore(app: &App, item: &crate::db::queue::ListedItem) -> anyhow::Result<bool> {
    let layout = app.storage.current();
    let Some((location, digest)) = parse_name(&item.queue_name) else { return Ok(false) };
    let Some(storage) = layout.get(location).map(|l| l.storage.clone()).filter(|s| s.root().is_some()) else {
        return Ok(false);
    };
    let key = Storage::blob_path(&digest);
    if file_digest(&storage, &key, digest.algorithm()).await.as_ref() == Some(&digest) {
        return Ok(false);
    }
    let Some(body) = crate::db::queue::body_of(&app.db.write, item.id).await? else { return Ok(false) };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|e| anyhow::anyhow!("its saved bytes are unreadable: {e}"))?;
    let mut hasher = Hasher::new(digest.algorithm());
    hasher.update(&bytes);
    if hasher.finish() != digest {
        anyhow::bail!("its saved bytes do not match {digest}");
    }
    // Under the digest's lock, and only while a row names the blob: garbage collection may have
    // removed both since.
    let tx = app.db.begin().await?;
    crate::db::blob::lock_digest(&tx, &digest.to_string()).await?;
    let named = crate::db::blob::digest_exists(&tx, &digest.to_string()).await?;
    if named {
        storage.put_unsynced(&key, Bytes::from(bytes)).await?;
    }
    tx.commit().await?;
    Ok(named)
}

/// The digest of the file at `key`, if it is there and readable.
pub(super) async fn file_digest(storage: &Storage, key: &str, algorithm: Algorithm) -> Option<Digest> {
    use futures_util::StreamExt as _;
    let mut stream = std::pin::pin!(storage.read(key, None).await.ok()?);
    let mut hasher = Hasher::new(algorithm);
    while let Some(bytes) = stream.next().await {
        hasher.update(&bytes.ok()?);
    }
    Some(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_names_carry_the_location_and_digest() {
        let digest = Digest::parse(&format!("sha256:{}", "ab".repeat(32))).unwrap();
        let name = item_name(7, &digest);
        assert_eq!(name, format!("quay-flush/7/{digest}/"));
        assert_eq!(parse_name(&name), Some((7, digest)));
        assert_eq!(parse_name("quay-flush/x/sha256:00/"), None);
        assert_eq!(parse_name("imagestoragereplication/abc/"), None);
    }
}
