//! Blob uploads: monolithic, streamed and chunked, resumable across restarts and nodes.
//!
//! A POST only issues an id ([`UploadIds`]). Each PATCH writes one new chunk object while hashing
//! it, then records the chunk, the new size and the serialized hash state in `blobupload` (the
//! first one creating the row) with a compare-and-set on the previous size. The final PUT checks
//! the digest against the saved hash state, moves the bytes to their content address (a rename
//! when there is one chunk) and only then creates the blob row; a small blob sent whole in the
//! PUT is staged instead (`staging`).

use std::io;

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _};
use serde::{Deserialize, Serialize};

use super::{RegistryError, Result};
use crate::app::App;
use crate::auth::Actor;
use crate::db::repository::RepoRow;
use crate::db::upload::UploadRow;
use crate::oci::{Algorithm, ByteRange, Digest, Hasher};
use crate::storage::Storage;

/// Quay's `blobupload.storage_metadata` shape: `{"chunks": [[path, offset, length], ...]}`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct UploadMetadata {
    chunks: Vec<(String, u64, u64)>,
}

impl UploadMetadata {
    fn parse(row: &UploadRow) -> Result<Self> {
        match row.storage_metadata.as_deref() {
            None | Some("") => Ok(UploadMetadata::default()),
            Some(text) => serde_json::from_str(text).map_err(|_| {
                RegistryError::BlobUploadInvalid(
                    "upload state was written by another program; restart the upload".into(),
                )
            }),
        }
    }
}

/// How many bytes an upload may still take (`None`: no limit): the namespace's quota, and the
/// disk's space above what is kept free.
#[derive(Debug, Clone, Copy)]
struct Room {
    quota: Option<u64>,
    disk: Option<u64>,
}

/// Refuses any write to `repo` that the actor may not make now (the repository's state) or that
/// the namespace or the disk has no room for; returns the room left.
async fn admit(app: &App, actor: &Actor, repo: &RepoRow, incoming: u64) -> Result<Room> {
    super::access::require_writable(app, repo, actor).await?;
    let disk = super::disk::room(app, incoming)?;
    let quota = super::quota::allowance(app, repo, incoming).await?;
    Ok(Room { quota, disk })
}

/// The id of an upload with no `blobupload` row yet (issued, nothing received).
const NO_ROW: i32 = 0;

/// Upload ids are issued without writing anything: the time (4 bytes), 6 random bytes, and the
/// first 6 bytes of an HMAC-SHA256 of those and the repository's id, keyed by `SECRET_KEY`,
/// written as a UUID. An upload gets its `blobupload` row with its first chunk; one sent whole in
/// its finishing request (what clients do with small blobs) never has one. An id is good for as
/// long as an upload row would be kept (`BLOBUPLOAD_DELETION_DATE_THRESHOLD`); one cancelled,
/// failed, or removed as stale is marked closed in `queueitem` until then.
pub struct UploadIds {
    key: [u8; 32],
    /// Row-less uploads finished or cancelled lately, which answer as unknown from then on (ids
    /// first in, first out). Another node does not know them: see `docs/COMPATIBILITY.md`.
    closed: std::sync::Mutex<(std::collections::HashSet<String>, std::collections::VecDeque<String>)>,
}

/// The bytes of an upload id that say when it was issued (4) and make it unique (6); the other 6
/// are their HMAC.
const ISSUED: usize = 10;

/// How many closed row-less uploads a server remembers.
const CLOSED_KEPT: usize = 4096;

impl UploadIds {
    /// Keyed by `secret` (`SECRET_KEY`, the same on every node), or a random key without one.
    pub fn new(secret: Option<&str>) -> UploadIds {
        use sha2::Digest as _;
        let mut hasher = sha2::Sha256::new();
        hasher.update(b"quay upload ids\0");
        match secret.filter(|s| !s.is_empty()) {
            Some(s) => hasher.update(s.as_bytes()),
            None => hasher.update(crate::util::random_token(43).as_bytes()),
        }
        UploadIds { key: hasher.finalize().into(), closed: Default::default() }
    }

    fn mac(&self, repo_id: i32, issued: &[u8]) -> [u8; 16 - ISSUED] {
        use hmac::{KeyInit as _, Mac as _};
        let mut out = [0u8; 16 - ISSUED];
        if let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.key) {
            mac.update(&repo_id.to_be_bytes());
            mac.update(issued);
            out.copy_from_slice(&mac.finalize().into_bytes()[..16 - ISSUED]);
        }
        out
    }

    fn issue(&self, repo_id: i32) -> String {
        let mut bytes = [0u8; 16];
        let now = chrono::Utc::now().timestamp().clamp(0, u32::MAX as i64) as u32;
        bytes[..4].copy_from_slice(&now.to_be_bytes());
        rand::Rng::fill(&mut rand::rng(), &mut bytes[4..ISSUED]);
        let mac = self.mac(repo_id, &bytes[..ISSUED]);
        bytes[ISSUED..].copy_from_slice(&mac);
        uuid::Uuid::from_bytes(bytes).hyphenated().to_string()
    }

    /// Whether this registry issued `id` for the repository less than `max_age_s` ago and this
    /// node did not close it since.
    fn open(&self, repo_id: i32, id: &uuid::Uuid, max_age_s: u64) -> bool {
        let bytes = id.as_bytes();
        let mut issued = [0u8; 4];
        issued.copy_from_slice(&bytes[..4]);
        let age = chrono::Utc::now().timestamp() - i64::from(u32::from_be_bytes(issued));
        crate::util::constant_time_eq(&self.mac(repo_id, &bytes[..ISSUED]), &bytes[ISSUED..])
            && age <= max_age_s.min(i64::MAX as u64) as i64
            && !self.closed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).0.contains(&id.to_string())
    }

    fn close(&self, id: &str) {
        let mut closed = self.closed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if closed.0.insert(id.to_owned()) {
            closed.1.push_back(id.to_owned());
            if closed.1.len() > CLOSED_KEPT
                && let Some(oldest) = closed.1.pop_front()
            {
                closed.0.remove(&oldest);
            }
        }
    }
}

/// Starts an upload session and returns its id. Nothing is written: the upload's row comes with
/// its first chunk (see [`UploadIds`]).
pub async fn start_upload(app: &App, actor: &Actor, repo: &RepoRow) -> Result<String> {
    admit(app, actor, repo, 0).await?;
    Ok(app.upload_ids.issue(repo.id))
}

/// An upload: its row, or, for an id issued here that received nothing yet, a row not written
/// yet (`id` [`NO_ROW`]).
async fn find_upload(app: &App, repo: &RepoRow, upload_uuid: &str) -> Result<UploadRow> {
    // One spelling per id (the one issued): the closed set and markers compare them as text.
    let id = match uuid::Uuid::parse_str(upload_uuid) {
        Ok(id) if id.hyphenated().to_string() == upload_uuid => id,
        _ => return Err(RegistryError::BlobUploadUnknown),
    };
    if let Some(row) = app.db.find_upload(repo.id, upload_uuid).await? {
        return Ok(row);
    }
    let max_age_s = app.config.blobupload_deletion_date_threshold_min.saturating_mul(60);
    if !app.upload_ids.open(repo.id, &id, max_age_s) || app.db.upload_closed(upload_uuid).await? {
        return Err(RegistryError::BlobUploadUnknown);
    }
    Ok(UploadRow {
        id: NO_ROW,
        byte_count: 0,
        chunk_count: 0,
        sha_state: Some(Hasher::new(Algorithm::Sha256).save()),
        storage_metadata: None,
        location_id: app.storage.current().preferred().id,
    })
}

/// The number of bytes received so far.
pub async fn upload_size(app: &App, repo: &RepoRow, upload_uuid: &str) -> Result<u64> {
    Ok(find_upload(app, repo, upload_uuid).await?.byte_count as u64)
}

/// Appends a chunk of `declared` bytes (the request's length, when known). With `range` (the
/// `Content-Range` header) the chunk must start where the upload ends and be exactly that long.
/// Returns the new size.
pub async fn append_chunk<S>(
    app: &App,
    actor: &Actor,
    repo: &RepoRow,
    upload_uuid: &str,
    range: Option<ByteRange>,
    declared: Option<u64>,
    body: S,
) -> Result<u64>
where
    S: Stream<Item = io::Result<Bytes>> + Send,
{
    let room = admit(app, actor, repo, declared.unwrap_or(0)).await?;
    let row = find_upload(app, repo, upload_uuid).await?;
    append(app, repo.id, row, upload_uuid, range, room, body, true).await.map(|(size, _)| size)
}

/// Writes one chunk while hashing it. `room`: how many bytes the namespace's quota and the disk
/// still take. `record`: the chunk is recorded in the upload's row (not when the upload finishes
/// with it in the same request: the row goes then, in the transaction that stores the blob).
#[allow(clippy::too_many_arguments)]
async fn append<S>(
    app: &App,
    repo_id: i32,
    row: UploadRow,
    upload_uuid: &str,
    range: Option<ByteRange>,
    room: Room,
    body: S,
    record: bool,
) -> Result<(u64, UploadRow)>
where
    S: Stream<Item = io::Result<Bytes>> + Send,
{
    let offset = row.byte_count as u64;
    if let Some(r) = range
        && r.start > offset
    {
        return Err(RegistryError::UploadOutOfOrder(offset));
    }
    // Quay's tolerance: a chunk that starts inside what was received (a client resending after a
    // lost answer) has its known prefix skipped.
    let mut skip = range.map_or(0, |r| offset - r.start);
    let mut hasher = row.sha_state.as_deref().and_then(Hasher::restore).ok_or_else(|| {
        RegistryError::BlobUploadInvalid("upload state was written by another program; restart the upload".into())
    })?;
    let mut metadata = UploadMetadata::parse(&row)?;
    let path = Storage::upload_chunk_path(upload_uuid, row.chunk_count as usize);
    let max = app.config.max_layer_size();
    let chunk_store = upload_storage(app, &row)?;
    let writer = chunk_store.writer(&path).await?;
    // Hashing and writing overlap: frames go to the writer through a short queue while the next
    // ones are hashed, so a push costs max(hash, write) rather than their sum.
    let (frames, mut queued) = tokio::sync::mpsc::channel::<Bytes>(16);
    let writing = async move {
        let mut writer = writer;
        while let Some(bytes) = queued.recv().await {
            if let Err(e) = writer.write(bytes).await {
                writer.abort().await;
                return Err(e);
            }
        }
        Ok(writer)
    };
    let hasher_ref = &mut hasher;
    let reading = async move {
        let mut written: u64 = 0;
        let mut received: u64 = 0;
        let mut body = std::pin::pin!(body);
        while let Some(frame) = body.next().await {
            let mut bytes =
                frame.map_err(|e| RegistryError::BlobUploadInvalid(format!("request body ended early: {e}")))?;
            received += bytes.len() as u64;
            if range.is_some_and(|r| received > r.len()) {
                return Err(RegistryError::BlobUploadInvalid("chunk is longer than its Content-Range".into()));
            }
            if skip > 0 {
                let n = skip.min(bytes.len() as u64);
                bytes = bytes.slice(n as usize..);
                skip -= n;
                if bytes.is_empty() {
                    continue;
                }
            }
            written += bytes.len() as u64;
            if offset + written > max {
                return Err(RegistryError::TooLarge(format!("blob exceeds the maximum layer size of {max} bytes")));
            }
            // Counted as it streams, the whole upload so far (earlier chunks are not in the
            // namespace's size yet), so no body, announced or not, passes the quota.
            if room.quota.is_some_and(|room| offset + written > room) {
                return Err(super::quota::exceeded());
            }
            if room.disk.is_some_and(|room| written > room) {
                return Err(super::disk::full_now(app));
            }
            hasher_ref.update(&bytes);
            let len = bytes.len() as u64;
            if frames.send(bytes).await.is_err() {
                break; // the writer failed; its error is reported below
            }
            if crate::testhooks::enabled() {
                crate::testhooks::bytes("upload-chunk", written - len, written).await;
            }
        }
        // Quay's own client announces `0-100` for 100 bytes: one byte short is taken as it is.
        if range.is_some_and(|r| received + 1 < r.len()) || skip > 0 {
            return Err(RegistryError::BlobUploadInvalid("chunk is shorter than its Content-Range".into()));
        }
        Ok(written)
    };
    let (read, write) = tokio::join!(reading, writing);
    let (written, writer) = match (read, write) {
        (Ok(n), Ok(w)) => (n, w),
        (read, write) => {
            let write_error = match write {
                Ok(w) => {
                    w.abort().await;
                    None
                }
                Err(e) => Some(e),
            };
            let _ = chunk_store.delete(&path).await;
            return Err(match (read, write_error) {
                (Err(e), _) => e,
                (Ok(_), Some(e)) => RegistryError::Internal(anyhow::Error::new(e).context("cannot write upload chunk")),
                (Ok(_), None) => RegistryError::Internal(anyhow::anyhow!("upload chunk writer stopped")),
            });
        }
    };
    if written == 0 {
        writer.abort().await;
        let _ = chunk_store.delete(&path).await;
        return Ok((offset, row));
    }
    writer.close().await?;
    metrics::counter!("quay_blob_upload_bytes_total").increment(written);
    metadata.chunks.push((path.clone(), offset, written));
    let new_size = (offset + written) as i64;
    let sha_state = hasher.save();
    let metadata_json = serde_json::to_string(&metadata).map_err(anyhow::Error::from)?;
    let mut row = row;
    let advanced = !record || {
        let tx = app.db.begin().await?;
        let advanced = if row.id == NO_ROW {
            // The first chunk: the upload's row is written now, unless another request's first
            // chunk wrote it meanwhile.
            match crate::db::upload::create_upload(&tx, repo_id, upload_uuid, row.location_id, &sha_state).await {
                Ok(id) => {
                    row.id = id;
                    crate::db::upload::advance_upload(&tx, id, 0, new_size, 1, &sha_state, &metadata_json).await?
                }
                Err(e) if crate::db::is_unique_violation(&e) => false,
                Err(e) => return Err(e.into()),
            }
        } else {
            crate::db::upload::advance_upload(
                &tx,
                row.id,
                row.byte_count,
                new_size,
                row.chunk_count + 1,
                &sha_state,
                &metadata_json,
            )
            .await?
        };
        tx.commit().await?;
        advanced
    };
    if !advanced {
        // Another request appended (or finished the upload) meanwhile; this chunk is not part of it.
        let _ = chunk_store.delete(&path).await;
        return Err(RegistryError::UploadOutOfOrder(offset));
    }
    let row = UploadRow {
        byte_count: new_size,
        chunk_count: row.chunk_count + 1,
        sha_state: Some(sha_state),
        storage_metadata: Some(metadata_json),
        ..row
    };
    Ok((new_size as u64, row))
}

/// Completes an upload with an optional last chunk of `declared` bytes, verifying `digest`.
/// Afterwards the blob is in the repository and the upload is gone.
#[allow(clippy::too_many_arguments)]
pub async fn finish_upload<S>(
    app: &App,
    actor: &Actor,
    repo: &RepoRow,
    upload_uuid: &str,
    digest: &Digest,
    range: Option<ByteRange>,
    declared: Option<u64>,
    body: S,
) -> Result<u64>
where
    S: Stream<Item = io::Result<Bytes>> + Send,
{
    let room = admit(app, actor, repo, declared.unwrap_or(0)).await?;
    let row = find_upload(app, repo, upload_uuid).await?;
    // The whole blob in this request (POST, then PUT with the body: what clients do with small
    // blobs): its chunk is not recorded first; the row goes with the blob's transaction, if it
    // still holds nothing then.
    let whole = row.byte_count == 0 && row.chunk_count == 0;
    if let Some(declared) = declared
        && whole
        && range.is_none()
        && declared <= super::staging::STAGE_MAX
        && app.staging.enabled()
        && app.storage.current().preferred().storage.root().is_some()
    {
        return finish_staged(app, repo, row, upload_uuid, digest, room, declared, body).await;
    }
    let (size, row) = append(app, repo.id, row, upload_uuid, range, room, body, !whole).await?;
    if room.quota.is_some_and(|room| size > room) {
        discard(app, &row, upload_uuid).await?;
        return Err(super::quota::exceeded());
    }
    let metadata = UploadMetadata::parse(&row)?;
    let chunks: Vec<(String, u64)> = metadata.chunks.iter().map(|(p, _, len)| (p.clone(), *len)).collect();
    let hasher = row.sha_state.as_deref().and_then(Hasher::restore).ok_or_else(|| {
        RegistryError::BlobUploadInvalid("upload state was written by another program; restart the upload".into())
    })?;
    let chunk_store = upload_storage(app, &row)?;
    let computed = if hasher.algorithm() == digest.algorithm() {
        hasher.finish()
    } else {
        rehash(&chunk_store, &chunks, digest.algorithm()).await?
    };
    if &computed != digest {
        discard(app, &row, upload_uuid).await?;
        return Err(RegistryError::DigestInvalid(format!("the uploaded content has digest {computed}, not {digest}")));
    }
    // Blobs go to the preferred location, even when the upload began before another became
    // preferred (its chunks are then copied across).
    let layout = app.storage.current();
    let target = layout.preferred();
    let chunks_there = row.location_id == target.id;
    let blob_path = Storage::blob_path(digest);
    let mut assembled = false;
    crate::testhooks::reached("finish-upload.before-store").await;
    if !target.storage.exists(&blob_path).await? {
        store_blob(&target.storage, &chunk_store, chunks_there, &chunks, &blob_path).await?;
        assembled = true;
        stored_durably(app, &target.storage, &blob_path).await?;
    }
    crate::testhooks::reached("finish-upload.stored").await;
    let tx = app.db.begin().await?;
    // Garbage collection removes an object only under this lock and only when no row has its
    // digest; once the row below exists, the object stays. Check it is still there.
    crate::db::blob::lock_digest(&tx, &digest.to_string()).await?;
    let mut store = !target.storage.exists(&blob_path).await?;
    // On local disk, a file no placement names may be a staged push's, not yet committed nor
    // synced, or what a power cut left of one (see `staging`): kept only if its bytes hash to the
    // digest, and then synced; replaced by this upload's bytes otherwise.
    if !store
        && !assembled
        && let Some(root) = target.storage.root()
        && !crate::db::blob::placements_of_digest(&tx, &digest.to_string()).await?.contains(&target.id)
    {
        if super::staging::file_digest(&target.storage, &blob_path, digest.algorithm()).await.as_ref() == Some(digest) {
            let file = root.join(&blob_path);
            let folder = target.storage.folder_of(&blob_path);
            app.durability.sync(std::iter::once(file).chain(folder)).await?;
        } else {
            store = true;
        }
    }
    if store {
        if assembled {
            return Err(RegistryError::BlobUploadInvalid(
                "the stored blob was removed by garbage collection while the upload finished; upload it again".into(),
            ));
        }
        store_blob(&target.storage, &chunk_store, chunks_there, &chunks, &blob_path).await?;
        stored_durably(app, &target.storage, &blob_path).await?;
    }
    let deleted = if row.id == NO_ROW {
        true
    } else if whole {
        crate::db::upload::delete_upload_of_size(&tx, row.id, 0).await?
    } else {
        crate::db::upload::delete_upload(&tx, row.id).await?
    };
    if !deleted {
        return Err(RegistryError::BlobUploadUnknown);
    }
    let (blob_id, placed) = crate::db::blob::ensure_blob(&tx, &digest.to_string(), size as i64, target.id).await?;
    crate::db::blob::link_blob(&tx, repo.id, blob_id, app.config.push_temp_tag_expiration_sec).await?;
    if !layout.replication_targets(&placed).is_empty() {
        super::replication::enqueue(&tx, repo.namespace_id, blob_id).await?;
    }
    crate::testhooks::reached("finish-upload.before-commit").await;
    tx.commit().await?;
    crate::durability::record(|| format!("commit blob {digest}"));
    app.upload_ids.close(upload_uuid);
    if let Err(e) = chunk_store.delete_upload(upload_uuid).await {
        tracing::warn!(upload = upload_uuid, error = %e, "cannot remove finished upload's leftovers");
    }
    app.commits_durable(&format!("blob {digest}")).await?;
    Ok(size)
}

/// Finishes an upload whose whole blob, at most [`staging::STAGE_MAX`] bytes, is this request's
/// body, on local disk: the bytes go to their address without a sync and into the transaction
/// that records the blob (see `staging`), so the answer waits for one sync, the log's.
#[allow(clippy::too_many_arguments)]
async fn finish_staged<S>(
    app: &App,
    repo: &RepoRow,
    row: UploadRow,
    upload_uuid: &str,
    digest: &Digest,
    room: Room,
    declared: u64,
    body: S,
) -> Result<u64>
where
    S: Stream<Item = io::Result<Bytes>> + Send,
{
    let mut received = bytes::BytesMut::with_capacity(declared as usize);
    let mut body = std::pin::pin!(body);
    while let Some(frame) = body.next().await {
        let frame = frame.map_err(|e| RegistryError::BlobUploadInvalid(format!("request body ended early: {e}")))?;
        if (received.len() + frame.len()) as u64 > declared {
            return Err(RegistryError::BlobUploadInvalid("request body is longer than its Content-Length".into()));
        }
        received.extend_from_slice(&frame);
    }
    let bytes = received.freeze();
    let size = bytes.len() as u64;
    if room.quota.is_some_and(|room| size > room) {
        discard(app, &row, upload_uuid).await?;
        return Err(super::quota::exceeded());
    }
    if room.disk.is_some_and(|room| size > room) {
        discard(app, &row, upload_uuid).await?;
        return Err(super::disk::full_now(app));
    }
    let mut hasher = Hasher::new(digest.algorithm());
    hasher.update(&bytes);
    let computed = hasher.finish();
    if &computed != digest {
        discard(app, &row, upload_uuid).await?;
        return Err(RegistryError::DigestInvalid(format!("the uploaded content has digest {computed}, not {digest}")));
    }
    metrics::counter!("quay_blob_upload_bytes_total").increment(size);
    let layout = app.storage.current();
    let target = layout.preferred();
    let blob_path = Storage::blob_path(digest);
    // Written aside before the lock (the slow part); placed under it only if needed.
    let aside = target.storage.write_aside(bytes.clone()).await?;
    crate::testhooks::reached("finish-upload.stored").await;
    let tx = app.db.begin().await?;
    crate::db::blob::lock_digest(&tx, &digest.to_string()).await?;
    // Only a file that a placement names and that is still there is kept: any other file at the
    // address may be another push's, not committed and not synced, or gone to garbage collection.
    let placed = crate::db::blob::placements_of_digest(&tx, &digest.to_string()).await?.contains(&target.id);
    let staged = !(placed && target.storage.exists(&blob_path).await?);
    if staged {
        aside.place(&blob_path)?;
        crate::durability::record(|| format!("write {blob_path}"));
    } else {
        drop(aside);
    }
    if row.id != NO_ROW && !crate::db::upload::delete_upload_of_size(&tx, row.id, 0).await? {
        return Err(RegistryError::BlobUploadUnknown);
    }
    let (blob_id, placed_at) = crate::db::blob::ensure_blob(&tx, &digest.to_string(), size as i64, target.id).await?;
    crate::db::blob::link_blob(&tx, repo.id, blob_id, app.config.push_temp_tag_expiration_sec).await?;
    if !layout.replication_targets(&placed_at).is_empty() {
        super::replication::enqueue(&tx, repo.namespace_id, blob_id).await?;
    }
    if staged {
        crate::db::queue::put_unclaimed(
            &tx,
            &super::staging::item_name(target.id, digest),
            &super::staging::item_body(&bytes),
        )
        .await?;
    }
    crate::testhooks::reached("finish-upload.before-commit").await;
    tx.commit().await?;
    crate::durability::record(|| format!("commit blob {digest}"));
    app.upload_ids.close(upload_uuid);
    app.commits_durable(&format!("blob {digest}")).await?;
    if staged {
        app.staging.staged();
    }
    Ok(size)
}

/// Makes a blob just moved to `key` durable before any row names it: on local disk, its folder
/// is synced (the file's bytes were synced when written), together with concurrent uploads'.
async fn stored_durably(app: &App, storage: &Storage, key: &str) -> Result<()> {
    crate::durability::record(|| format!("rename {key}"));
    if let Some(folder) = storage.folder_of(key) {
        app.durability.sync([folder]).await?;
    }
    Ok(())
}

/// The storage holding an upload's chunks: the location it began in. An upload whose location
/// was retired since cannot go on (the client starts it again).
fn upload_storage(app: &App, row: &UploadRow) -> Result<Storage> {
    let layout = app.storage.current();
    Ok(layout.get(row.location_id).ok_or(RegistryError::BlobUploadUnknown)?.storage.clone())
}

/// Puts an upload's chunks (none: the empty blob) at the blob's path.
/// `chunks_there`: the chunks are in `target` itself (else in `chunk_store`, another location).
async fn store_blob(
    target: &Storage,
    chunk_store: &Storage,
    chunks_there: bool,
    chunks: &[(String, u64)],
    blob_path: &str,
) -> Result<()> {
    if chunks.is_empty() {
        let writer = target.writer(blob_path).await?;
        writer.close().await?;
    } else if chunks_there {
        target.assemble(chunks, blob_path).await?;
    } else {
        target.concatenate_from(chunk_store, chunks, blob_path).await?;
    }
    Ok(())
}

async fn rehash(chunk_store: &Storage, chunks: &[(String, u64)], algorithm: Algorithm) -> Result<Digest> {
    let mut hasher = Hasher::new(algorithm);
    for (chunk, _) in chunks {
        let mut stream = std::pin::pin!(chunk_store.read(chunk, None).await?);
        while let Some(bytes) = stream.next().await {
            hasher.update(&bytes?);
        }
    }
    Ok(hasher.finish())
}

async fn discard(app: &App, row: &UploadRow, upload_uuid: &str) -> Result<()> {
    let tx = app.db.begin().await?;
    if row.id != NO_ROW {
        crate::db::upload::delete_upload(&tx, row.id).await?;
    }
    crate::db::upload::mark_closed(&tx, upload_uuid).await?;
    tx.commit().await?;
    app.upload_ids.close(upload_uuid);
    upload_storage(app, row)?.delete_upload(upload_uuid).await?;
    Ok(())
}

/// Cancels an upload and removes what it stored.
pub async fn cancel_upload(app: &App, repo: &RepoRow, upload_uuid: &str) -> Result<()> {
    let row = find_upload(app, repo, upload_uuid).await?;
    discard(app, &row, upload_uuid).await
}
