//! Blobs (`imagestorage`, placements) and their links to repositories (`uploadedblob`), and the per-digest lock that orders uploads and garbage collection.

use super::entities::{imagestorage, imagestorageplacement, uploadedblob};
use super::manifest::MANIFEST_LIVE;
use super::repository::repo_state;
use super::{all, exec, one, placeholders};
use crate::util::{now_ms, now_naive};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait as _, ConnectionTrait, DbErr, Value};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy)]
pub struct BlobRow {
    pub id: i32,
    pub size: i64,
}

/// A blob is in a repository when an upload or mount linked it (`uploadedblob`) or a manifest of
/// the repository references it (`manifestblob`).
const BLOB_IN_REPO: &str = "(EXISTS (SELECT 1 FROM uploadedblob ub WHERE ub.blob_id = s.id AND ub.repository_id = ?) \
     OR EXISTS (SELECT 1 FROM manifestblob mb WHERE mb.blob_id = s.id AND mb.repository_id = ?))";

/// Parameters: digest, repository id, repository id.
pub const SQL_FIND_BLOB_IN_REPO: &str = "SELECT s.id, s.image_size FROM imagestorage s WHERE s.content_checksum = ? \
     AND (EXISTS (SELECT 1 FROM uploadedblob ub WHERE ub.blob_id = s.id AND ub.repository_id = ?) \
     OR EXISTS (SELECT 1 FROM manifestblob mb WHERE mb.blob_id = s.id AND mb.repository_id = ?)) LIMIT 1";

pub async fn find_blob_in_repo<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    digest: &str,
) -> Result<Option<BlobRow>, DbErr> {
    let row = one(c, SQL_FIND_BLOB_IN_REPO, vec![digest.into(), repo_id.into(), repo_id.into()]).await?;
    row.map(|r| {
        Ok(BlobRow { id: r.try_get("", "id")?, size: r.try_get::<Option<i64>>("", "image_size")?.unwrap_or(0) })
    })
    .transpose()
}

/// The ids of those of `digests` present in the repository.
pub async fn blobs_in_repo<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    digests: &[String],
) -> Result<HashMap<String, Stored>, DbErr> {
    if digests.is_empty() {
        return Ok(HashMap::new());
    }
    let mut values: Vec<Value> = digests.iter().map(|d| d.as_str().into()).collect();
    values.extend([repo_id.into(), repo_id.into()]);
    let rows = all(
        c,
        &format!(
            "SELECT s.id, s.content_checksum, s.image_size FROM imagestorage s WHERE s.content_checksum IN ({}) \
             AND {BLOB_IN_REPO}",
            placeholders(digests.len())
        ),
        values,
    )
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        let size: Option<i64> = r.try_get("", "image_size")?;
        out.insert(
            r.try_get::<String>("", "content_checksum")?,
            Stored { id: r.try_get("", "id")?, size: size.unwrap_or(-1) },
        );
    }
    Ok(out)
}

/// The row id and byte size of a stored blob or manifest.
#[derive(Debug, Clone, Copy)]
pub struct Stored {
    pub id: i32,
    pub size: i64,
}

/// A stored blob by digest, in any repository, placed in `location_id`.
pub async fn find_blob<C: ConnectionTrait>(c: &C, digest: &str, location_id: i32) -> Result<Option<BlobRow>, DbErr> {
    let row = one(
        c,
        "SELECT s.id, s.image_size FROM imagestorage s JOIN imagestorageplacement p ON p.storage_id = s.id \
         WHERE s.content_checksum = ? AND p.location_id = ? LIMIT 1",
        vec![digest.into(), location_id.into()],
    )
    .await?;
    row.map(|r| {
        Ok(BlobRow { id: r.try_get("", "id")?, size: r.try_get::<Option<i64>>("", "image_size")?.unwrap_or(0) })
    })
    .transpose()
}

/// The blob row for a digest whose bytes were just verified and stored, created if no row exists
/// yet: blobs are stored once, whichever repository pushes them.
pub async fn ensure_blob<C: ConnectionTrait>(c: &C, digest: &str, size: i64, location_id: i32) -> Result<i32, DbErr> {
    if let Some(b) = find_blob(c, digest, location_id).await? {
        if c.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(b.id);
        }
        // Until this transaction ends, garbage collection cannot delete the row it reuses; if it
        // just did, a new row is made below.
        let locked = one(c, "SELECT id FROM imagestorage WHERE id = ? FOR KEY SHARE", vec![b.id.into()]).await?;
        if locked.is_some() {
            return Ok(b.id);
        }
    }
    let blob = imagestorage::ActiveModel {
        uuid: Set(uuid::Uuid::new_v4().to_string()),
        image_size: Set(Some(size)),
        uncompressed_size: Set(None),
        uploading: Set(Some(false)),
        cas_path: Set(true),
        content_checksum: Set(Some(digest.to_owned())),
        ..Default::default()
    }
    .insert(c)
    .await?;
    imagestorageplacement::ActiveModel {
        storage_id: Set(blob.id),
        location_id: Set(location_id),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(blob.id)
}

/// Links a blob into a repository until a manifest references it (Quay's `uploadedblob`).
pub async fn link_blob<C: ConnectionTrait>(c: &C, repo_id: i32, blob_id: i32, keep_secs: u64) -> Result<(), DbErr> {
    let now = now_naive();
    let expires = now + chrono::Duration::seconds(keep_secs.min(i64::MAX as u64 / 1000) as i64);
    uploadedblob::ActiveModel {
        repository_id: Set(repo_id),
        blob_id: Set(blob_id),
        uploaded_at: Set(now),
        expires_at: Set(expires),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(())
}

/// Repositories (other than `except`) that hold the blob, for mounts without `from`:
/// `(id, namespace id, visibility id)`.
pub async fn repositories_with_blob<C: ConnectionTrait>(
    c: &C,
    blob_id: i32,
    except: i32,
) -> Result<Vec<(i32, i32, i32)>, DbErr> {
    let rows = all(
        c,
        "SELECT r.id, r.namespace_user_id, r.visibility_id FROM repository r WHERE r.id <> ? AND r.state <> ? AND \
         (EXISTS (SELECT 1 FROM uploadedblob ub WHERE ub.repository_id = r.id AND ub.blob_id = ?) \
          OR EXISTS (SELECT 1 FROM manifestblob mb WHERE mb.repository_id = r.id AND mb.blob_id = ?)) LIMIT 100",
        vec![except.into(), repo_state::MARKED_FOR_DELETION.into(), blob_id.into(), blob_id.into()],
    )
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "namespace_user_id")?, r.try_get("", "visibility_id")?)))
        .collect()
}

/// Whether a manifest that still has an alive tag (or is a child of one) references the blob.
pub async fn blob_used_by_live_manifest<C: ConnectionTrait>(c: &C, repo_id: i32, blob_id: i32) -> Result<bool, DbErr> {
    let now = now_ms();
    let row = one(
        c,
        &format!(
            "SELECT m.digest FROM manifestblob mb JOIN manifest m ON m.id = mb.manifest_id \
             WHERE mb.repository_id = ? AND mb.blob_id = ? AND {} LIMIT 1",
            super::manifest::MANIFEST_LIVE
        ),
        vec![repo_id.into(), blob_id.into(), now.into(), now.into()],
    )
    .await?;
    Ok(row.is_some())
}

/// Removes a blob from a repository: its upload links, and its rows under manifests that no alive
/// tag reaches any more. Returns whether anything was removed.
pub async fn unlink_blob<C: ConnectionTrait>(c: &C, repo_id: i32, blob_id: i32) -> Result<bool, DbErr> {
    let now = now_ms();
    let a = exec(
        c,
        "DELETE FROM uploadedblob WHERE repository_id = ? AND blob_id = ?",
        vec![repo_id.into(), blob_id.into()],
    )
    .await?;
    let b = exec(
        c,
        &format!(
            "DELETE FROM manifestblob WHERE repository_id = ? AND blob_id = ? AND manifest_id IN \
             (SELECT m.id FROM manifest m WHERE m.repository_id = ? AND NOT {MANIFEST_LIVE})"
        ),
        vec![repo_id.into(), blob_id.into(), repo_id.into(), now.into(), now.into()],
    )
    .await?;
    Ok(a + b > 0)
}

/// Every blob row's digest and size.
pub async fn all_blob_digests<C: ConnectionTrait>(c: &C) -> Result<Vec<(String, i64)>, DbErr> {
    let rows =
        all(c, "SELECT content_checksum, image_size FROM imagestorage WHERE content_checksum IS NOT NULL", vec![])
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "content_checksum")?, r.try_get::<Option<i64>>("", "image_size")?.unwrap_or(-1))))
        .collect()
}

/// Serializes the last steps of an upload and the removal of a storage object for one digest
/// (Quay's `BLOB_DELETE_<digest>` lock), until the transaction ends.
pub async fn lock_digest<C: ConnectionTrait>(c: &C, digest: &str) -> Result<(), DbErr> {
    advisory_xact_lock(c, &format!("BLOB_DELETE_{digest}")).await
}

/// A transaction-scoped PostgreSQL advisory lock on a name. SQLite needs none: its write
/// transactions (`BEGIN IMMEDIATE`) already run one at a time.
pub(super) async fn advisory_xact_lock<C: ConnectionTrait>(c: &C, name: &str) -> Result<(), DbErr> {
    if c.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(name.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash[..8]);
    let id = i64::from_be_bytes(first);
    one(c, "SELECT pg_advisory_xact_lock(?)", vec![id.into()]).await?;
    Ok(())
}

/// The repositories (`namespace/name`) whose manifests use the blob `digest`.
pub async fn repositories_using<C: ConnectionTrait>(c: &C, digest: &str) -> Result<Vec<String>, DbErr> {
    let rows = c
        .query_all_raw(super::sql(
            c.get_database_backend(),
            "SELECT DISTINCT u.username AS ns, r.name AS name FROM imagestorage s \
             JOIN manifestblob mb ON mb.blob_id = s.id JOIN repository r ON r.id = mb.repository_id \
             JOIN \"user\" u ON u.id = r.namespace_user_id WHERE s.content_checksum = ? ORDER BY u.username, r.name",
            [digest.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| Ok(format!("{}/{}", r.try_get::<String>("", "ns")?, r.try_get::<String>("", "name")?)))
        .collect()
}
