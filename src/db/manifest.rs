//! Manifests, their links to blobs and child manifests, referrers, and labels (`manifestlabel`).

use super::entities::{manifest, manifestblob, manifestchild};
use super::{all, exec, one, placeholders};
use crate::util::now_ms;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait as _, ConnectionTrait, DbErr, QueryResult, Value};
use std::collections::HashMap;

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct ManifestRow {
    pub id: i32,
    pub digest: String,
    pub media_type_id: i32,
    #[sea_orm(from_alias = "manifest_bytes")]
    pub bytes: String,
    pub artifact_type: Option<String>,
    pub config_media_type: Option<String>,
}

const MANIFEST_COLUMNS: &str =
    "m.id, m.digest, m.media_type_id, m.manifest_bytes, m.artifact_type, m.config_media_type";

fn manifest_row(r: &QueryResult) -> Result<ManifestRow, DbErr> {
    sea_orm::FromQueryResult::from_query_result(r, "")
}

/// A manifest is live while an alive tag (hidden ones included) points at it or at an index that
/// lists it. Takes two `now` parameters.
pub(super) const MANIFEST_LIVE: &str = "(EXISTS (SELECT 1 FROM tag t WHERE t.manifest_id = m.id AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > ?)) \
     OR EXISTS (SELECT 1 FROM manifestchild mc JOIN tag t ON t.manifest_id = mc.manifest_id \
                WHERE mc.child_manifest_id = m.id AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > ?)))";

/// A manifest by digest, live or not (in the time machine).
pub async fn find_manifest_any<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    digest: &str,
) -> Result<Option<ManifestRow>, DbErr> {
    let row = one(
        c,
        &format!("SELECT {MANIFEST_COLUMNS} FROM manifest m WHERE m.repository_id = ? AND m.digest = ?"),
        vec![repo_id.into(), digest.into()],
    )
    .await?;
    row.as_ref().map(manifest_row).transpose()
}

/// Parameters: repository id, digest, now (ms), now (ms).
pub const SQL_FIND_LIVE_MANIFEST: &str = "SELECT m.id, m.digest, m.media_type_id, m.manifest_bytes, m.artifact_type, m.config_media_type \
     FROM manifest m WHERE m.repository_id = ? AND m.digest = ? \
     AND (EXISTS (SELECT 1 FROM tag t WHERE t.manifest_id = m.id AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > ?)) \
     OR EXISTS (SELECT 1 FROM manifestchild mc JOIN tag t ON t.manifest_id = mc.manifest_id \
                WHERE mc.child_manifest_id = m.id AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > ?)))";

/// A live manifest by digest.
pub async fn find_live_manifest<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    digest: &str,
) -> Result<Option<ManifestRow>, DbErr> {
    let now = now_ms();
    super::row(c, SQL_FIND_LIVE_MANIFEST, vec![repo_id.into(), digest.into(), now.into(), now.into()]).await
}

/// Parameters: repository id, tag, false (hidden), now (ms).
pub const SQL_FIND_TAGGED_MANIFEST: &str = "SELECT m.id, m.digest, m.media_type_id, m.manifest_bytes, m.artifact_type, m.config_media_type \
     FROM tag t JOIN manifest m ON m.id = t.manifest_id \
     WHERE t.repository_id = ? AND t.name = ? AND t.hidden = ? AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > ?) LIMIT 1";

/// The manifest an alive, visible tag points at.
pub async fn find_tagged_manifest<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    tag: &str,
) -> Result<Option<ManifestRow>, DbErr> {
    super::row(c, SQL_FIND_TAGGED_MANIFEST, vec![repo_id.into(), tag.into(), false.into(), now_ms().into()]).await
}

/// Ids of those of `digests` that are manifests of the repository.
pub async fn manifests_in_repo<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    digests: &[String],
) -> Result<HashMap<String, super::blob::Stored>, DbErr> {
    if digests.is_empty() {
        return Ok(HashMap::new());
    }
    let mut values: Vec<Value> = vec![repo_id.into()];
    values.extend(digests.iter().map(|d| Value::from(d.as_str())));
    // Sizes in bytes of the stored text: SQLite's LENGTH counts characters unless given a blob.
    let size = match c.get_database_backend() {
        sea_orm::DbBackend::Postgres => "CAST(OCTET_LENGTH(manifest_bytes) AS BIGINT)",
        _ => "LENGTH(CAST(manifest_bytes AS BLOB))",
    };
    let rows = all(
        c,
        &format!(
            "SELECT id, digest, {size} AS size FROM manifest WHERE repository_id = ? AND digest IN ({})",
            placeholders(digests.len())
        ),
        values,
    )
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        let size: i64 = r.try_get::<Option<i64>>("", "size")?.unwrap_or(-1);
        out.insert(r.try_get::<String>("", "digest")?, super::blob::Stored { id: r.try_get("", "id")?, size });
    }
    Ok(out)
}

pub struct NewManifest<'a> {
    pub repo_id: i32,
    pub digest: &'a str,
    pub media_type_id: i32,
    pub bytes: &'a str,
    pub config_media_type: Option<&'a str>,
    pub layers_size: Option<i64>,
    pub subject: Option<&'a str>,
    pub artifact_type: Option<&'a str>,
    pub blob_ids: &'a [i32],
    pub child_ids: &'a [i32],
}

/// Stores a manifest with its blob and child rows, or returns the existing row for its digest.
pub async fn insert_manifest<C: ConnectionTrait>(c: &C, m: &NewManifest<'_>) -> Result<i32, DbErr> {
    // Concurrent pushes of one manifest must not both insert it (PostgreSQL runs them in parallel).
    super::tag::lock_tags(c, m.repo_id).await?;
    if let Some(r) = one(
        c,
        "SELECT id FROM manifest WHERE repository_id = ? AND digest = ?",
        vec![m.repo_id.into(), m.digest.into()],
    )
    .await?
    {
        return r.try_get("", "id");
    }
    let id = manifest::ActiveModel {
        repository_id: Set(m.repo_id),
        digest: Set(m.digest.to_owned()),
        media_type_id: Set(m.media_type_id),
        manifest_bytes: Set(m.bytes.to_owned()),
        config_media_type: Set(m.config_media_type.map(str::to_owned)),
        layers_compressed_size: Set(m.layers_size),
        subject: Set(m.subject.map(str::to_owned)),
        subject_backfilled: Set(Some(true)),
        artifact_type: Set(m.artifact_type.map(str::to_owned)),
        artifact_type_backfilled: Set(Some(true)),
        ..Default::default()
    }
    .insert(c)
    .await?
    .id;
    let mut blob_ids = m.blob_ids.to_vec();
    blob_ids.sort_unstable();
    blob_ids.dedup();
    for blob_id in blob_ids {
        manifestblob::ActiveModel {
            repository_id: Set(m.repo_id),
            manifest_id: Set(id),
            blob_id: Set(blob_id),
            ..Default::default()
        }
        .insert(c)
        .await?;
    }
    let mut child_ids = m.child_ids.to_vec();
    child_ids.sort_unstable();
    child_ids.dedup();
    for child_id in child_ids {
        manifestchild::ActiveModel {
            repository_id: Set(m.repo_id),
            manifest_id: Set(id),
            child_manifest_id: Set(child_id),
            ..Default::default()
        }
        .insert(c)
        .await?;
    }
    Ok(id)
}

/// Live manifests of the repository whose `subject` is `digest`.
pub async fn referrers<C: ConnectionTrait>(c: &C, repo_id: i32, digest: &str) -> Result<Vec<ManifestRow>, DbErr> {
    let now = now_ms();
    super::rows(
        c,
        &format!(
            "SELECT {MANIFEST_COLUMNS} FROM manifest m WHERE m.repository_id = ? AND m.subject = ? AND {MANIFEST_LIVE} ORDER BY m.id"
        ),
        vec![repo_id.into(), digest.into(), now.into(), now.into()],
    ).await
}

/// A manifest label as the API shows it.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct LabelRow {
    pub uuid: String,
    pub key: String,
    pub value: String,
    pub media_type: String,
    pub source_type: String,
    pub mutable: bool,
}

const LABEL_COLUMNS: &str = "SELECT l.uuid, l.\"key\", l.value, mt.name AS media_type, st.name AS source_type, st.mutable \
     FROM manifestlabel ml JOIN label l ON l.id = ml.label_id JOIN mediatype mt ON mt.id = l.media_type_id \
     JOIN labelsourcetype st ON st.id = l.source_type_id WHERE ml.manifest_id = ?";

/// A manifest's labels, those whose key starts with `prefix` when given.
pub async fn manifest_labels<C: ConnectionTrait>(
    c: &C,
    manifest_id: i32,
    prefix: Option<&str>,
) -> Result<Vec<LabelRow>, DbErr> {
    let mut text = String::from(LABEL_COLUMNS);
    let mut values: Vec<Value> = vec![manifest_id.into()];
    if let Some(p) = prefix {
        text.push_str(" AND LOWER(l.\"key\") LIKE LOWER(?) ESCAPE '\\'");
        values.push(format!("{}%", super::like_escape(p)).into());
    }
    text.push_str(" ORDER BY l.id");
    super::rows(c, &text, values).await
}

pub async fn manifest_label<C: ConnectionTrait>(
    c: &C,
    manifest_id: i32,
    uuid: &str,
) -> Result<Option<LabelRow>, DbErr> {
    super::row(c, &format!("{LABEL_COLUMNS} AND l.uuid = ?"), vec![manifest_id.into(), uuid.into()]).await
}

/// Adds a label (source `api`) to a manifest; returns its uuid.
pub async fn add_manifest_label<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    manifest_id: i32,
    key: &str,
    value: &str,
    media_type_id: i32,
) -> Result<String, DbErr> {
    let uuid = uuid::Uuid::new_v4().to_string();
    exec(
        c,
        "INSERT INTO label (uuid, \"key\", value, media_type_id, source_type_id) \
         VALUES (?, ?, ?, ?, (SELECT id FROM labelsourcetype WHERE name = 'api'))",
        vec![uuid.clone().into(), key.into(), value.into(), media_type_id.into()],
    )
    .await?;
    exec(
        c,
        "INSERT INTO manifestlabel (repository_id, manifest_id, label_id) VALUES (?, ?, (SELECT id FROM label WHERE uuid = ?))",
        vec![repo_id.into(), manifest_id.into(), uuid.clone().into()],
    )
    .await?;
    Ok(uuid)
}

pub async fn delete_manifest_label<C: ConnectionTrait>(c: &C, manifest_id: i32, uuid: &str) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "DELETE FROM manifestlabel WHERE manifest_id = ? AND label_id IN (SELECT id FROM label WHERE uuid = ?)",
        vec![manifest_id.into(), uuid.into()],
    )
    .await?;
    exec(
        c,
        "DELETE FROM label WHERE uuid = ? AND NOT EXISTS (SELECT 1 FROM manifestlabel ml WHERE ml.label_id = label.id)",
        vec![uuid.into()],
    )
    .await?;
    Ok(n > 0)
}

/// The labels a pushed manifest carries (source `manifest`), written once per manifest row; keys
/// Quay would refuse are skipped, JSON values are typed `application/json` as Quay types them.
pub async fn add_pushed_labels<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    manifest_id: i32,
    labels: &[(String, String)],
    text_plain_id: i32,
    json_id: i32,
) -> Result<(), DbErr> {
    let present = one(c, "SELECT 1 FROM manifestlabel WHERE manifest_id = ? LIMIT 1", vec![manifest_id.into()]).await?;
    if present.is_some() {
        return Ok(());
    }
    for (key, value) in labels.iter().take(256) {
        if key.is_empty() || key.len() > 255 {
            continue;
        }
        let looks_json = value.starts_with('{') || value.starts_with('[');
        let media_type = if looks_json && serde_json::from_str::<serde_json::Value>(value).is_ok() {
            json_id
        } else {
            text_plain_id
        };
        let uuid = uuid::Uuid::new_v4().to_string();
        exec(
            c,
            "INSERT INTO label (uuid, \"key\", value, media_type_id, source_type_id) \
             VALUES (?, ?, ?, ?, (SELECT id FROM labelsourcetype WHERE name = 'manifest'))",
            vec![uuid.clone().into(), key.clone().into(), value.clone().into(), media_type.into()],
        )
        .await?;
        exec(
            c,
            "INSERT INTO manifestlabel (repository_id, manifest_id, label_id) VALUES (?, ?, (SELECT id FROM label WHERE uuid = ?))",
            vec![repo_id.into(), manifest_id.into(), uuid.into()],
        )
        .await?;
    }
    Ok(())
}
