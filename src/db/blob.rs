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

/// The query of [`blobs_in_repo`] for `n` digests: the digests, then the repository's id twice.
pub(super) fn sql_blobs_in_repo(n: usize) -> String {
    format!(
        "SELECT s.id, s.content_checksum, s.image_size FROM imagestorage s WHERE s.content_checksum IN ({}) \
         AND {BLOB_IN_REPO}",
        placeholders(n)
    )
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
    let rows = all(c, &sql_blobs_in_repo(digests.len()), values).await?;
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

/// A stored blob by digest, in any repository and any location that holds its bytes.
/// The digest and size of every stored blob a manifest references, in digest order.
pub async fn referenced_blobs<C: ConnectionTrait>(c: &C) -> Result<Vec<(String, u64)>, DbErr> {
    let rows = all(
        c,
        "SELECT DISTINCT s.content_checksum, s.image_size FROM manifestblob mb \
         JOIN imagestorage s ON s.id = mb.blob_id WHERE s.content_checksum IS NOT NULL \
         ORDER BY s.content_checksum",
        vec![],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<String>("", "content_checksum")?,
                r.try_get::<Option<i64>>("", "image_size")?.unwrap_or(0).max(0) as u64,
            ))
        })
        .collect()
}

pub async fn find_blob<C: ConnectionTrait>(c: &C, digest: &str) -> Result<Option<BlobRow>, DbErr> {
    let row = one(
        c,
        "SELECT s.id, s.image_size FROM imagestorage s WHERE s.content_checksum = ? \
         AND EXISTS (SELECT 1 FROM imagestorageplacement p WHERE p.storage_id = s.id) LIMIT 1",
        vec![digest.into()],
    )
    .await?;
    row.map(|r| {
        Ok(BlobRow { id: r.try_get("", "id")?, size: r.try_get::<Option<i64>>("", "image_size")?.unwrap_or(0) })
    })
    .transpose()
}

/// The blob row for a digest whose bytes were just verified and stored in `location_id`, created
/// if no row exists yet (blobs are stored once, whichever repository pushes them) and placed in
/// that location if it was not. Returns the row's id and every location now holding it.
pub async fn ensure_blob<C: ConnectionTrait>(
    c: &C,
    digest: &str,
    size: i64,
    location_id: i32,
) -> Result<(i32, Vec<i32>), DbErr> {
    if let Some(b) = find_blob(c, digest).await? {
        let reusable = c.get_database_backend() != sea_orm::DbBackend::Postgres
            // Until this transaction ends, garbage collection cannot delete the row it reuses; if
            // it just did, a new row is made below.
            || one(c, "SELECT id FROM imagestorage WHERE id = ? FOR KEY SHARE", vec![b.id.into()]).await?.is_some();
        if reusable {
            let mut placed = placements(c, b.id).await?;
            if !placed.contains(&location_id) {
                add_placement(c, b.id, location_id).await?;
                placed.push(location_id);
            }
            return Ok((b.id, placed));
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
    Ok((blob.id, vec![location_id]))
}

/// The locations holding a blob's bytes (`imagestorageplacement`).
pub async fn placements<C: ConnectionTrait>(c: &C, blob_id: i32) -> Result<Vec<i32>, DbErr> {
    let rows =
        all(c, "SELECT location_id FROM imagestorageplacement WHERE storage_id = ?", vec![blob_id.into()]).await?;
    rows.iter().map(|r| r.try_get("", "location_id")).collect()
}

/// The locations holding the bytes of any blob row with `digest`.
pub async fn placements_of_digest<C: ConnectionTrait>(c: &C, digest: &str) -> Result<Vec<i32>, DbErr> {
    let rows = all(
        c,
        "SELECT DISTINCT p.location_id FROM imagestorageplacement p JOIN imagestorage s ON s.id = p.storage_id \
         WHERE s.content_checksum = ?",
        vec![digest.into()],
    )
    .await?;
    rows.iter().map(|r| r.try_get("", "location_id")).collect()
}

/// Records that `location_id` holds the blob's bytes (a no-op when it already does).
pub async fn add_placement<C: ConnectionTrait>(c: &C, blob_id: i32, location_id: i32) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO imagestorageplacement (storage_id, location_id) SELECT ?, ? WHERE NOT EXISTS \
         (SELECT 1 FROM imagestorageplacement WHERE storage_id = ? AND location_id = ?)",
        vec![blob_id.into(), location_id.into(), blob_id.into(), location_id.into()],
    )
    .await?;
    Ok(())
}

/// A blob to copy between locations.
#[derive(Debug, Clone)]
pub struct PlacedBlob {
    pub id: i32,
    pub uuid: String,
    pub digest: String,
    pub size: i64,
    pub placed: Vec<i32>,
}

/// Blob rows (`s`) that some location holds and the location bound to `?` does not.
const HELD_BUT_NOT_AT: &str = "s.content_checksum IS NOT NULL \
     AND EXISTS (SELECT 1 FROM imagestorageplacement p WHERE p.storage_id = s.id) \
     AND NOT EXISTS (SELECT 1 FROM imagestorageplacement p WHERE p.storage_id = s.id AND p.location_id = ?)";

/// A [`PlacedBlob`] from a row of `id, uuid, content_checksum, image_size`, with its placements.
async fn placed_blob<C: ConnectionTrait>(c: &C, r: &sea_orm::QueryResult) -> Result<PlacedBlob, DbErr> {
    let id: i32 = r.try_get("", "id")?;
    Ok(PlacedBlob {
        id,
        uuid: r.try_get("", "uuid")?,
        digest: r.try_get("", "content_checksum")?,
        size: r.try_get::<Option<i64>>("", "image_size")?.unwrap_or(-1),
        placed: placements(c, id).await?,
    })
}

/// Up to `limit` blobs, by id after `after`, that some location holds and `location_id` does not.
pub async fn blobs_missing_at<C: ConnectionTrait>(
    c: &C,
    location_id: i32,
    after: i32,
    limit: u32,
) -> Result<Vec<PlacedBlob>, DbErr> {
    let rows = all(
        c,
        &format!(
            "SELECT s.id, s.uuid, s.content_checksum, s.image_size FROM imagestorage s \
             WHERE s.id > ? AND {HELD_BUT_NOT_AT} ORDER BY s.id LIMIT ?"
        ),
        vec![after.into(), location_id.into(), i64::from(limit).into()],
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(placed_blob(c, r).await?);
    }
    Ok(out)
}

/// How many blobs, and how many bytes, some location holds and `location_id` does not.
pub async fn count_missing_at<C: ConnectionTrait>(c: &C, location_id: i32) -> Result<(u64, u64), DbErr> {
    let row = one(
        c,
        &format!(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(s.image_size), 0) AS BIGINT) AS bytes FROM imagestorage s \
             WHERE {HELD_BUT_NOT_AT}"
        ),
        vec![location_id.into()],
    )
    .await?;
    let Some(r) = row else { return Ok((0, 0)) };
    let n: i64 = r.try_get("", "n")?;
    let bytes: i64 = r.try_get("", "bytes")?;
    Ok((n.max(0) as u64, bytes.max(0) as u64))
}

/// A blob row by its `uuid` (the replication queue names blobs so, as Quay's does).
pub async fn placed_blob_by_uuid<C: ConnectionTrait>(c: &C, uuid: &str) -> Result<Option<PlacedBlob>, DbErr> {
    let row = one(
        c,
        "SELECT id, uuid, content_checksum, image_size FROM imagestorage WHERE uuid = ? AND content_checksum IS NOT NULL",
        vec![uuid.into()],
    )
    .await?;
    match row {
        Some(r) => Ok(Some(placed_blob(c, &r).await?)),
        None => Ok(None),
    }
}

/// Forgets that `location_id` holds any blob (the location is being retired); returns how many
/// placements went. Refused, returning `None`, while some blob is held there and nowhere else.
pub async fn retire_location<C: ConnectionTrait>(c: &C, location_id: i32) -> Result<Option<u64>, DbErr> {
    let only_there = one(
        c,
        "SELECT COUNT(*) AS n FROM imagestorageplacement p WHERE p.location_id = ? AND NOT EXISTS \
         (SELECT 1 FROM imagestorageplacement q WHERE q.storage_id = p.storage_id AND q.location_id <> ?)",
        vec![location_id.into(), location_id.into()],
    )
    .await?
    .map(|r| r.try_get::<i64>("", "n"))
    .transpose()?
    .unwrap_or(0);
    if only_there > 0 {
        return Ok(None);
    }
    let removed = exec(c, "DELETE FROM imagestorageplacement WHERE location_id = ?", vec![location_id.into()]).await?;
    Ok(Some(removed))
}

/// A blob row's `uuid`.
pub async fn blob_uuid<C: ConnectionTrait>(c: &C, blob_id: i32) -> Result<Option<String>, DbErr> {
    one(c, "SELECT uuid FROM imagestorage WHERE id = ?", vec![blob_id.into()])
        .await?
        .map(|r| r.try_get("", "uuid"))
        .transpose()
}

pub async fn blob_exists<C: ConnectionTrait>(c: &C, blob_id: i32) -> Result<bool, DbErr> {
    Ok(one(c, "SELECT id FROM imagestorage WHERE id = ?", vec![blob_id.into()]).await?.is_some())
}

/// Whether any blob row has `digest`.
pub async fn digest_exists<C: ConnectionTrait>(c: &C, digest: &str) -> Result<bool, DbErr> {
    Ok(one(c, "SELECT id FROM imagestorage WHERE content_checksum = ? LIMIT 1", vec![digest.into()]).await?.is_some())
}

/// The `imagestoragelocation` id of `name`, if it has a row.
pub async fn storage_location_id<C: ConnectionTrait>(c: &C, name: &str) -> Result<Option<i32>, DbErr> {
    one(c, "SELECT id FROM imagestoragelocation WHERE name = ?", vec![name.into()])
        .await?
        .map(|r| r.try_get("", "id"))
        .transpose()
}

/// The `imagestoragelocation` ids of `names`, creating the rows that are missing (Quay's boot
/// ensures one row per `DISTRIBUTED_STORAGE_CONFIG` key; so do we).
pub async fn storage_location_ids<C: ConnectionTrait>(c: &C, names: &[String]) -> Result<HashMap<String, i32>, DbErr> {
    let mut ids = HashMap::new();
    for name in names {
        let lookup = || one(c, "SELECT id FROM imagestoragelocation WHERE name = ?", vec![name.as_str().into()]);
        let row = match lookup().await? {
            Some(row) => row,
            None => {
                // Two nodes starting together may both insert: the name is unique, so one fails.
                let _ = exec(c, "INSERT INTO imagestoragelocation (name) VALUES (?)", vec![name.as_str().into()]).await;
                lookup().await?.ok_or_else(|| DbErr::RecordNotFound(format!("imagestoragelocation `{name}`")))?
            }
        };
        ids.insert(name.clone(), row.try_get("", "id")?);
    }
    Ok(ids)
}

/// The digest and size of every blob row placed in `location_id`, for consistency checks.
pub async fn blob_digests_at<C: ConnectionTrait>(c: &C, location_id: i32) -> Result<Vec<(String, i64)>, DbErr> {
    let rows = all(
        c,
        "SELECT s.content_checksum, s.image_size FROM imagestorage s JOIN imagestorageplacement p \
         ON p.storage_id = s.id WHERE p.location_id = ? AND s.content_checksum IS NOT NULL",
        vec![location_id.into()],
    )
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "content_checksum")?, r.try_get::<Option<i64>>("", "image_size")?.unwrap_or(-1))))
        .collect()
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
