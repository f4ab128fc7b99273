//! Copies of blobs between storage locations: Quay's storage replication (every new blob copied to
//! each of `DISTRIBUTED_STORAGE_DEFAULT_LOCATIONS`, through the `imagestoragereplication` queue),
//! and the copies `quay migrate storage` makes. A copy is re-hashed on arrival, written so that the
//! target never shows a partial object, and placed (`imagestorageplacement`) only once it is
//! complete and only while the blob row still exists.

use std::time::Duration;

use futures_util::StreamExt as _;
use sea_orm::ConnectionTrait;

use crate::app::App;
use crate::db::blob::PlacedBlob;
use crate::db::queue::{self, REPLICATION_QUEUE};
use crate::oci::{Digest, Hasher};
use crate::storage::Storage;
use crate::storage::locations::{Layout, Location};

/// Asks for a blob to be copied to the default locations (Quay's `imagestoragereplication` item),
/// in the transaction that stored it.
pub async fn enqueue<C: ConnectionTrait>(c: &C, namespace_id: i32, blob_id: i32) -> anyhow::Result<()> {
    let Some(uuid) = crate::db::blob::blob_uuid(c, blob_id).await? else { return Ok(()) };
    let body = serde_json::json!({"namespace_user_id": namespace_id, "storage_id": uuid}).to_string();
    queue::put(c, &queue::canonical_queue_name(&[REPLICATION_QUEUE, &uuid]), &body).await?;
    Ok(())
}

/// What one copy did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copied {
    /// Bytes copied and verified, and the placement recorded.
    Copied(u64),
    /// The target had the object already (an earlier, interrupted run): verified and placed.
    AlreadyThere(u64),
    /// The blob row was deleted meanwhile (garbage collection); nothing is left behind.
    Gone,
}

/// Copies `blob` to `to` from the first location, in read order, that holds it, re-hashing the
/// bytes as they arrive; then records the placement.
pub async fn copy_blob(app: &App, layout: &Layout, blob: &PlacedBlob, to: &Location) -> anyhow::Result<Copied> {
    let digest = Digest::parse(&blob.digest)?;
    let path = Storage::blob_path(&digest);
    let source = layout
        .first_of(&blob.placed)
        .filter(|l| l.id != to.id)
        .ok_or_else(|| anyhow::anyhow!("{} is held by no configured storage location", blob.digest))?;
    // An object already there (a run killed after writing, before placing) is verified, not trusted.
    let outcome = match verify_object(&to.storage, &path, &digest).await {
        Ok(Some(size)) => Copied::AlreadyThere(size),
        _ => {
            let size = copy_verified(&source.storage, &to.storage, &path, &digest)
                .await
                .map_err(|e| anyhow::anyhow!("{}: copy from `{}` to `{}`: {e}", blob.digest, source.name, to.name))?;
            Copied::Copied(size)
        }
    };
    let tx = app.db.begin().await?;
    // Garbage collection deletes a digest's rows and objects under this lock.
    crate::db::blob::lock_digest(&tx, &blob.digest).await?;
    if !crate::db::blob::blob_exists(&tx, blob.id).await? {
        tx.rollback().await?;
        if !crate::db::blob::digest_exists(&app.db.read, &blob.digest).await? {
            let _ = to.storage.delete(&path).await;
        }
        return Ok(Copied::Gone);
    }
    crate::db::blob::add_placement(&tx, blob.id, to.id).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Streams `path` from `from` to `to`, hashing on the way; the object is published only if the
/// bytes hash to `digest`. Returns the size.
async fn copy_verified(from: &Storage, to: &Storage, path: &str, digest: &Digest) -> anyhow::Result<u64> {
    let mut hasher = Hasher::new(digest.algorithm());
    let mut size = 0u64;
    let staged = to.staged_writer(path).await?;
    let (mut writer, staging) = staged;
    let mut stream = std::pin::pin!(match from.read(path, None).await {
        Ok(stream) => stream,
        Err(e) => {
            writer.abort().await;
            return Err(e.into());
        }
    });
    while let Some(bytes) = stream.next().await {
        let written = match bytes {
            Ok(bytes) => {
                hasher.update(&bytes);
                size += bytes.len() as u64;
                writer.write(bytes).await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            writer.abort().await;
            to.discard_staged(staging.as_deref()).await;
            return Err(e.into());
        }
    }
    let computed = hasher.finish();
    if &computed != digest {
        writer.abort().await;
        to.discard_staged(staging.as_deref()).await;
        anyhow::bail!("the source's bytes hash to {computed}: the source copy is damaged (run `quay fsck --verify`)");
    }
    writer.close().await?;
    to.publish_staged(staging.as_deref(), path).await?;
    Ok(size)
}

/// The size of the object at `path` if it exists and hashes to `digest`.
async fn verify_object(storage: &Storage, path: &str, digest: &Digest) -> std::io::Result<Option<u64>> {
    if !storage.exists(path).await? {
        return Ok(None);
    }
    let mut hasher = Hasher::new(digest.algorithm());
    let mut size = 0u64;
    let mut stream = std::pin::pin!(storage.read(path, None).await?);
    while let Some(bytes) = stream.next().await {
        let bytes = bytes?;
        size += bytes.len() as u64;
        hasher.update(&bytes);
    }
    Ok((&hasher.finish() == digest).then_some(size))
}

/// Works through the replication queue: each item's blob is copied to every default location that
/// lacks it. Returns how many blobs were copied.
pub async fn run_queue(app: &App) -> anyhow::Result<u64> {
    let prefix = queue::canonical_queue_name(&[REPLICATION_QUEUE]);
    let mut copied = 0;
    while let Some(item) = queue::claim(&app.db.write, &prefix, Duration::from_secs(600)).await? {
        let layout = app.storage.current();
        let uuid = serde_json::from_str::<serde_json::Value>(&item.body)
            .ok()
            .and_then(|b| b.get("storage_id").and_then(|v| v.as_str()).map(str::to_owned));
        let result = async {
            let Some(uuid) = uuid else { return anyhow::Ok(0) };
            let Some(blob) = crate::db::blob::placed_blob_by_uuid(&app.db.read, &uuid).await? else {
                return Ok(0);
            };
            let mut n = 0;
            for target in layout.replication_targets(&blob.placed) {
                if let Copied::Copied(_) = copy_blob(app, &layout, &blob, target).await? {
                    n += 1;
                }
            }
            Ok(n)
        }
        .await;
        match result {
            Ok(n) => {
                copied += n;
                queue::complete(&app.db.write, &item).await?;
            }
            Err(e) => {
                tracing::warn!(item = item.id, error = format!("{e:#}"), "cannot replicate a blob; will retry");
                queue::incomplete(&app.db.write, &item, Duration::from_secs(60)).await?;
            }
        }
    }
    Ok(copied)
}
