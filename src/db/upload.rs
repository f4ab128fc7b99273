//! Uploads in progress (`blobupload`): their size, chunk list and hash state.

use super::entities::blobupload;
use super::{all, exec, one};
use crate::util::now_naive;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait as _, ConnectionTrait, DbErr, EntityTrait as _};

pub async fn create_upload<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    uuid: &str,
    location_id: i32,
    sha_state: &str,
) -> Result<i32, DbErr> {
    let row = blobupload::ActiveModel {
        repository_id: Set(repo_id),
        uuid: Set(uuid.to_owned()),
        byte_count: Set(0),
        sha_state: Set(Some(sha_state.to_owned())),
        location_id: Set(location_id),
        storage_metadata: Set(Some(r#"{"chunks": []}"#.to_owned())),
        chunk_count: Set(0),
        created: Set(now_naive()),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(row.id)
}

#[derive(Debug, Clone)]
pub struct UploadRow {
    pub id: i32,
    pub byte_count: i64,
    pub chunk_count: i32,
    pub sha_state: Option<String>,
    pub storage_metadata: Option<String>,
    /// The storage location holding its chunks.
    pub location_id: i32,
}

pub(super) const SQL_FIND_UPLOAD: &str = "SELECT id, byte_count, chunk_count, sha_state, storage_metadata, location_id \
     FROM blobupload WHERE repository_id = ? AND uuid = ?";

/// An upload of the repository (every chunk of a push reads it). Plain SQL: the entity's `one()`
/// binds its `LIMIT`, which makes SQLite compile the statement again at each execution.
pub async fn find_upload<C: ConnectionTrait>(c: &C, repo_id: i32, uuid: &str) -> Result<Option<UploadRow>, DbErr> {
    let row = one(c, SQL_FIND_UPLOAD, vec![repo_id.into(), uuid.into()]).await?;
    row.map(|r| {
        Ok(UploadRow {
            id: r.try_get("", "id")?,
            byte_count: r.try_get("", "byte_count")?,
            chunk_count: r.try_get("", "chunk_count")?,
            sha_state: r.try_get("", "sha_state")?,
            storage_metadata: r.try_get("", "storage_metadata")?,
            location_id: r.try_get("", "location_id")?,
        })
    })
    .transpose()
}

/// Records an appended chunk, only if nobody else appended since `expected_byte_count` was read.
pub async fn advance_upload<C: ConnectionTrait>(
    c: &C,
    id: i32,
    expected_byte_count: i64,
    byte_count: i64,
    chunk_count: i32,
    sha_state: &str,
    storage_metadata: &str,
) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE blobupload SET byte_count = ?, chunk_count = ?, sha_state = ?, storage_metadata = ? \
         WHERE id = ? AND byte_count = ?",
        vec![
            byte_count.into(),
            chunk_count.into(),
            sha_state.into(),
            storage_metadata.into(),
            id.into(),
            expected_byte_count.into(),
        ],
    )
    .await?;
    Ok(n == 1)
}

pub async fn delete_upload<C: ConnectionTrait>(c: &C, id: i32) -> Result<bool, DbErr> {
    Ok(blobupload::Entity::delete_by_id(id).exec(c).await?.rows_affected == 1)
}

/// Deletes an upload that still holds `byte_count` bytes; false if it is gone or grew meanwhile.
pub async fn delete_upload_of_size<C: ConnectionTrait>(c: &C, id: i32, byte_count: i64) -> Result<bool, DbErr> {
    Ok(exec(c, "DELETE FROM blobupload WHERE id = ? AND byte_count = ?", vec![id.into(), byte_count.into()]).await?
        == 1)
}

/// Whether an upload row with this uuid exists (in any repository).
pub async fn upload_exists<C: ConnectionTrait>(c: &C, uuid: &str) -> Result<bool, DbErr> {
    Ok(one(c, "SELECT 1 FROM blobupload WHERE uuid = ?", vec![uuid.into()]).await?.is_some())
}

/// Uploads started before `before` (Quay's stale-upload rule), oldest first: `(id, uuid)`.
pub async fn stale_uploads<C: ConnectionTrait>(
    c: &C,
    before: chrono::NaiveDateTime,
    limit: u64,
) -> Result<Vec<(i32, String)>, DbErr> {
    let rows = all(
        c,
        "SELECT id, uuid FROM blobupload WHERE created < ? ORDER BY created LIMIT ?",
        vec![before.into(), (limit as i64).into()],
    )
    .await?;
    rows.iter().map(|r| Ok((r.try_get("", "id")?, r.try_get("", "uuid")?))).collect()
}

/// Markers of uploads closed (cancelled, failed, removed as stale) while their id is still good:
/// `quay-upload-closed/<uuid>/` in `queueitem`, never claimed.
pub const CLOSED_UPLOAD_QUEUE: &str = "quay-upload-closed";

pub(super) const SQL_UPLOAD_CLOSED: &str = "SELECT 1 FROM queueitem WHERE queue_name = ?";

pub(super) fn closed_marker(uuid: &str) -> String {
    super::queue::canonical_queue_name(&[CLOSED_UPLOAD_QUEUE, uuid])
}

/// Marks an upload id closed: it answers as unknown from now on.
pub async fn mark_closed<C: ConnectionTrait>(c: &C, uuid: &str) -> Result<(), DbErr> {
    super::queue::put_unclaimed(c, &closed_marker(uuid), "").await
}

/// Whether an upload id was marked closed.
pub async fn upload_closed<C: ConnectionTrait>(c: &C, uuid: &str) -> Result<bool, DbErr> {
    Ok(one(c, SQL_UPLOAD_CLOSED, vec![closed_marker(uuid).into()]).await?.is_some())
}

/// Forgets the markers made before `before`: their ids are past their age by then.
pub async fn forget_closed_before<C: ConnectionTrait>(c: &C, before: chrono::NaiveDateTime) -> Result<u64, DbErr> {
    exec(
        c,
        "DELETE FROM queueitem WHERE queue_name LIKE ? AND available_after < ?",
        vec![format!("{CLOSED_UPLOAD_QUEUE}/%").into(), before.into()],
    )
    .await
}
