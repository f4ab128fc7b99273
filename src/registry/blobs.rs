use std::io;

use bytes::Bytes;
use futures_util::Stream;

use super::{RegistryError, Result};
use crate::app::App;
use crate::auth::Actor;
use crate::db::blob::BlobRow;
use crate::db::repository::RepoRow;
use crate::oci::{ByteRange, Digest};
use crate::storage::Storage;

/// A blob of the repository (the blob HEAD hot path: one indexed query, no storage access).
pub async fn stat_blob(app: &App, repo: &RepoRow, digest: &Digest) -> Result<BlobRow> {
    app.db.find_blob_in_repo(repo.id, &digest.to_string()).await?.ok_or(RegistryError::BlobUnknown)
}

/// The size of a blob this registry stores (in any repository), or `None`.
pub async fn stored_blob_size(app: &App, digest: &Digest) -> Result<Option<u64>> {
    Ok(crate::db::blob::find_blob(&app.db.read, &digest.to_string()).await?.map(|b| b.size.max(0) as u64))
}

/// Every blob a manifest of this registry uses, with its size: what an export `--since` this
/// registry's catalog may leave out.
pub async fn referenced_blobs(app: &App) -> Result<Vec<(String, u64)>> {
    Ok(crate::db::blob::referenced_blobs(&app.db.read).await?)
}

/// Where the client should fetch a blob's bytes instead of from the registry: a short-lived
/// pre-signed URL of the object store, when the backend signs and `FEATURE_PROXY_STORAGE` is off
/// (pulls then cost the registry no blob bytes). `None`: the registry serves them (`read_blob`).
pub async fn blob_redirect(app: &App, blob: &BlobRow, digest: &Digest) -> Result<Option<String>> {
    Ok(blob_storage(app, blob.id).await?.presigned_blob_url(digest).await?)
}

/// The storage to read a blob from: with one location, that one (no query); with several, the
/// first in preference order that its placements name.
pub async fn blob_storage(app: &App, blob_id: i32) -> Result<Storage> {
    let layout = app.storage.current();
    if layout.is_single() {
        return Ok(layout.preferred().storage.clone());
    }
    let placed = crate::db::blob::placements(&app.db.read, blob_id).await?;
    match layout.first_of(&placed) {
        Some(location) => Ok(location.storage.clone()),
        None => {
            tracing::error!(blob = blob_id, "blob row is placed in no configured storage location");
            Err(RegistryError::BlobUnknown)
        }
    }
}

/// Like [`blob_storage`], for a digest (any blob row with it will do: its bytes are the same).
pub async fn digest_storage(app: &App, digest: &Digest) -> Result<Storage> {
    let layout = app.storage.current();
    if layout.is_single() {
        return Ok(layout.preferred().storage.clone());
    }
    let placed = crate::db::blob::placements_of_digest(&app.db.read, &digest.to_string()).await?;
    layout.first_of(&placed).map(|l| l.storage.clone()).ok_or(RegistryError::BlobUnknown)
}

/// Streams a blob, or the inclusive range of it.
pub async fn read_blob(
    app: &App,
    blob: &BlobRow,
    digest: &Digest,
    range: Option<ByteRange>,
) -> Result<impl Stream<Item = io::Result<Bytes>> + Send + use<>> {
    match blob_storage(app, blob.id).await?.read(&Storage::blob_path(digest), range).await {
        Ok(s) => Ok(s),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            tracing::error!(%digest, "blob row exists but its bytes are missing from storage");
            Err(RegistryError::BlobUnknown)
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes a blob from a repository. A blob that a tagged manifest still uses cannot be removed:
/// the manifest would become unpullable.
pub async fn delete_blob(app: &App, actor: &Actor, repo: &RepoRow, digest: &Digest) -> Result<()> {
    super::access::require_writable(app, repo, actor).await?;
    let blob = stat_blob(app, repo, digest).await?;
    let tx = app.db.begin().await?;
    // No tag of this repository may move onto a manifest using the blob meanwhile.
    crate::db::tag::lock_tags(&tx, repo.id).await?;
    if crate::db::blob::blob_used_by_live_manifest(&tx, repo.id, blob.id).await? {
        return Err(RegistryError::Conflict(format!(
            "blob {digest} is used by a tagged manifest of this repository; delete the manifest first"
        )));
    }
    let removed = crate::db::blob::unlink_blob(&tx, repo.id, blob.id).await?;
    // Referenced nowhere any more: the row goes now and the object with the next collection
    // (nothing else would ever name it as a candidate again).
    if let Some(deleted) = crate::db::gc::delete_blob_if_unreferenced(&tx, blob.id).await? {
        super::gc::queue_object_deletion(&tx, &deleted.digest).await?;
    }
    tx.commit().await?;
    if removed { Ok(()) } else { Err(RegistryError::BlobUnknown) }
}

/// Links a blob the registry already stores (in any repository) into `repo`, for a writer that
/// has the blob's digest from a manifest it is copying (a mirror): the bytes are the digest's
/// whoever pushed them, so no read permission on another repository is needed. `size`, when the
/// manifest declares one, must match. Returns whether it was linked (else the caller downloads it).
pub async fn link_stored_blob(
    app: &App,
    actor: &Actor,
    repo: &RepoRow,
    digest: &Digest,
    size: Option<u64>,
) -> Result<bool> {
    super::access::require_writable(app, repo, actor).await?;
    let Some(blob) = crate::db::blob::find_blob(&app.db.read, &digest.to_string()).await? else {
        return Ok(false);
    };
    if size.is_some_and(|s| blob.size.max(0) as u64 != s) {
        return Ok(false);
    }
    link(app, repo, &blob).await
}

/// Adds the blob to the repository (a temporary link until a manifest references it), when the
/// namespace has room for it; `false` when it was collected meanwhile.
async fn link(app: &App, repo: &RepoRow, blob: &crate::db::blob::BlobRow) -> Result<bool> {
    super::quota::allowance(app, repo, blob.size.max(0) as u64).await?;
    let tx = app.db.begin().await?;
    match crate::db::blob::link_blob(&tx, repo.id, blob.id, app.config.push_temp_tag_expiration_sec).await {
        Ok(()) => {}
        Err(e) if crate::db::gc::is_foreign_key_violation(&e) => return Ok(false),
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(true)
}

/// Cross-repository mount: links an existing blob into `repo` without moving bytes. With `from`,
/// the blob must be in that repository and the caller able to read it; without, any repository the
/// caller can read will do. Returns whether the blob was mounted (else the caller uploads it).
pub async fn mount_blob(
    app: &App,
    actor: &Actor,
    repo: &RepoRow,
    digest: &Digest,
    from: Option<&RepoRow>,
) -> Result<bool> {
    super::access::require_writable(app, repo, actor).await?;
    let digest_str = digest.to_string();
    let blob = match from {
        Some(source) => {
            if !(source.public || super::access::role(app, actor, source).await?.is_some()) {
                return Ok(false);
            }
            match app.db.find_blob_in_repo(source.id, &digest_str).await? {
                Some(b) => b,
                None => return Ok(false),
            }
        }
        None => {
            let Some(blob) = crate::db::blob::find_blob(&app.db.read, &digest_str).await? else {
                return Ok(false);
            };
            let mut readable = false;
            for (id, namespace_id, visibility_id) in
                crate::db::blob::repositories_with_blob(&app.db.read, blob.id, repo.id).await?
            {
                let candidate = RepoRow {
                    id,
                    namespace_id,
                    public: visibility_id == app.db.lookups.visibility_public,
                    state: crate::db::repository::repo_state::NORMAL,
                    namespace_enabled: true,
                };
                if candidate.public || super::access::role(app, actor, &candidate).await?.is_some() {
                    readable = true;
                    break;
                }
            }
            if !readable {
                return Ok(false);
            }
            blob
        }
    };
    // A mount adds the blob to the namespace (it needs the room); collected since it was found,
    // it is not mountable and the client uploads it.
    link(app, repo, &blob).await
}
