//! Quay's storage quotas: a limit per namespace (`userorganizationquota`) with Warning and Reject
//! thresholds in percent (`quotalimits`), and the sizes Quay's UI shows (`quotanamespacesize`,
//! `quotarepositorysize`).
//!
//! A size is the sum of `imagestorage.image_size` over the distinct blobs the namespace (or
//! repository) references through manifests, as Quay counts it, plus blobs uploaded and not yet
//! referenced (Quay leaves those out; counting them keeps a namespace at its limit from filling
//! the disk with blobs no manifest will ever use).

use sea_orm::{ConnectionTrait, DbErr};

use super::repository::repo_state;
use super::{all, exec, one};

/// A namespace's quota: its limit and its thresholds, in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    pub id: i32,
    pub limit_bytes: i64,
    pub reject_bytes: Option<i64>,
    pub warning_bytes: Option<i64>,
}

pub async fn namespace_quota<C: ConnectionTrait>(c: &C, namespace_id: i32) -> Result<Option<Quota>, DbErr> {
    let Some(row) =
        one(c, "SELECT id, limit_bytes FROM userorganizationquota WHERE namespace_id = ?", vec![namespace_id.into()])
            .await?
    else {
        return Ok(None);
    };
    let id: i32 = row.try_get("", "id")?;
    let limit_bytes: i64 = row.try_get("", "limit_bytes")?;
    let limits = all(
        c,
        "SELECT t.name, l.percent_of_limit FROM quotalimits l JOIN quotatype t ON t.id = l.quota_type_id WHERE l.quota_id = ?",
        vec![id.into()],
    )
    .await?;
    let mut quota = Quota { id, limit_bytes, reject_bytes: None, warning_bytes: None };
    for l in limits {
        let name: String = l.try_get("", "name")?;
        let percent: i32 = l.try_get("", "percent_of_limit")?;
        let bytes = (limit_bytes as i128 * percent as i128 / 100) as i64;
        match name.as_str() {
            "Reject" => quota.reject_bytes = Some(quota.reject_bytes.map_or(bytes, |b| b.min(bytes))),
            "Warning" => quota.warning_bytes = Some(quota.warning_bytes.map_or(bytes, |b| b.min(bytes))),
            _ => {}
        }
    }
    Ok(Some(quota))
}

/// Sets a namespace's quota (replacing its limits): `reject`/`warning` are percentages.
pub async fn set_namespace_quota<C: ConnectionTrait>(
    c: &C,
    namespace_id: i32,
    limit_bytes: i64,
    reject_percent: Option<i32>,
    warning_percent: Option<i32>,
) -> Result<(), DbErr> {
    remove_namespace_quota(c, namespace_id).await?;
    exec(
        c,
        "INSERT INTO userorganizationquota (namespace_id, limit_bytes) VALUES (?, ?)",
        vec![namespace_id.into(), limit_bytes.into()],
    )
    .await?;
    let id: i32 = one(c, "SELECT id FROM userorganizationquota WHERE namespace_id = ?", vec![namespace_id.into()])
        .await?
        .map(|r| r.try_get("", "id"))
        .transpose()?
        .ok_or_else(|| DbErr::RecordNotFound("quota".into()))?;
    for (kind, percent) in [("Reject", reject_percent), ("Warning", warning_percent)] {
        if let Some(percent) = percent {
            exec(
                c,
                "INSERT INTO quotalimits (quota_id, quota_type_id, percent_of_limit) \
                 SELECT ?, id, ? FROM quotatype WHERE name = ?",
                vec![id.into(), percent.into(), kind.into()],
            )
            .await?;
        }
    }
    Ok(())
}

pub async fn remove_namespace_quota<C: ConnectionTrait>(c: &C, namespace_id: i32) -> Result<(), DbErr> {
    exec(
        c,
        "DELETE FROM quotalimits WHERE quota_id IN (SELECT id FROM userorganizationquota WHERE namespace_id = ?)",
        vec![namespace_id.into()],
    )
    .await?;
    exec(c, "DELETE FROM userorganizationquota WHERE namespace_id = ?", vec![namespace_id.into()]).await?;
    Ok(())
}

async fn sum<C: ConnectionTrait>(c: &C, filter: &str, id: i32) -> Result<i64, DbErr> {
    let row = one(
        c,
        &format!(
            "SELECT CAST(COALESCE(SUM(s.image_size), 0) AS BIGINT) AS n FROM imagestorage s WHERE s.id IN \
             (SELECT mb.blob_id FROM manifestblob mb JOIN repository r ON r.id = mb.repository_id WHERE {filter} \
              UNION SELECT ub.blob_id FROM uploadedblob ub JOIN repository r ON r.id = ub.repository_id WHERE {filter})"
        ),
        vec![id.into(), repo_state::MARKED_FOR_DELETION.into(), id.into(), repo_state::MARKED_FOR_DELETION.into()],
    )
    .await?;
    Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0))
}

/// Bytes the namespace's repositories hold (distinct blobs).
pub async fn namespace_size<C: ConnectionTrait>(c: &C, namespace_id: i32) -> Result<i64, DbErr> {
    sum(c, "r.namespace_user_id = ? AND r.state <> ?", namespace_id).await
}

/// Bytes one repository holds (distinct blobs).
pub async fn repository_size<C: ConnectionTrait>(c: &C, repo_id: i32) -> Result<i64, DbErr> {
    sum(c, "r.id = ? AND r.state <> ?", repo_id).await
}

/// Writes the current sizes into Quay's size tables (the UI and API read them). An upsert: both
/// engines know `ON CONFLICT ... DO UPDATE`.
pub async fn record_sizes<C: ConnectionTrait>(c: &C, namespace_id: i32, repo_id: Option<i32>) -> Result<(), DbErr> {
    let size = namespace_size(c, namespace_id).await?;
    exec(
        c,
        "INSERT INTO quotanamespacesize (namespace_user_id, size_bytes, backfill_start_ms, backfill_complete) \
         VALUES (?, ?, ?, ?) ON CONFLICT (namespace_user_id) DO UPDATE SET size_bytes = excluded.size_bytes, \
         backfill_complete = excluded.backfill_complete",
        vec![namespace_id.into(), size.into(), crate::util::now_ms().into(), true.into()],
    )
    .await?;
    if let Some(repo_id) = repo_id {
        let size = repository_size(c, repo_id).await?;
        exec(
            c,
            "INSERT INTO quotarepositorysize (repository_id, size_bytes, backfill_start_ms, backfill_complete) \
             VALUES (?, ?, ?, ?) ON CONFLICT (repository_id) DO UPDATE SET size_bytes = excluded.size_bytes, \
             backfill_complete = excluded.backfill_complete",
            vec![repo_id.into(), size.into(), crate::util::now_ms().into(), true.into()],
        )
        .await?;
    }
    Ok(())
}

/// One threshold of a quota, as the API shows it.
#[derive(Debug, Clone)]
pub struct QuotaLimit {
    pub id: i32,
    pub kind: String,
    pub percent: i32,
}

/// A namespace's quota row: (id, limit in bytes).
pub async fn quota_row<C: ConnectionTrait>(c: &C, namespace_id: i32) -> Result<Option<(i32, i64)>, DbErr> {
    one(c, "SELECT id, limit_bytes FROM userorganizationquota WHERE namespace_id = ?", vec![namespace_id.into()])
        .await?
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "limit_bytes")?)))
        .transpose()
}

pub async fn quota_limits<C: ConnectionTrait>(c: &C, quota_id: i32) -> Result<Vec<QuotaLimit>, DbErr> {
    all(
        c,
        "SELECT l.id, t.name, l.percent_of_limit FROM quotalimits l JOIN quotatype t ON t.id = l.quota_type_id \
         WHERE l.quota_id = ? ORDER BY l.id",
        vec![quota_id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(QuotaLimit {
            id: r.try_get("", "id")?,
            kind: r.try_get("", "name")?,
            percent: r.try_get("", "percent_of_limit")?,
        })
    })
    .collect()
}

pub async fn set_limit_bytes<C: ConnectionTrait>(c: &C, quota_id: i32, limit_bytes: i64) -> Result<(), DbErr> {
    exec(c, "UPDATE userorganizationquota SET limit_bytes = ? WHERE id = ?", vec![limit_bytes.into(), quota_id.into()])
        .await?;
    Ok(())
}

/// Adds a `Warning` or `Reject` threshold at a percentage of the limit.
pub async fn add_limit<C: ConnectionTrait>(c: &C, quota_id: i32, kind: &str, percent: i32) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO quotalimits (quota_id, quota_type_id, percent_of_limit) SELECT ?, id, ? FROM quotatype WHERE name = ?",
        vec![quota_id.into(), percent.into(), kind.into()],
    )
    .await?;
    Ok(())
}

pub async fn update_limit<C: ConnectionTrait>(
    c: &C,
    quota_id: i32,
    limit_id: i32,
    kind: &str,
    percent: i32,
) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE quotalimits SET percent_of_limit = ?, quota_type_id = (SELECT id FROM quotatype WHERE name = ?) \
         WHERE id = ? AND quota_id = ?",
        vec![percent.into(), kind.into(), limit_id.into(), quota_id.into()],
    )
    .await?;
    Ok(n > 0)
}

pub async fn delete_limit<C: ConnectionTrait>(c: &C, quota_id: i32, limit_id: i32) -> Result<bool, DbErr> {
    let n = exec(c, "DELETE FROM quotalimits WHERE id = ? AND quota_id = ?", vec![limit_id.into(), quota_id.into()])
        .await?;
    Ok(n > 0)
}

/// A namespace's recorded size (Quay's `quotanamespacesize`): (bytes, whether its backfill is
/// complete), if one was recorded.
pub async fn recorded_namespace_size<C: ConnectionTrait>(
    c: &C,
    namespace_id: i32,
) -> Result<Option<(i64, bool)>, DbErr> {
    one(
        c,
        "SELECT size_bytes, backfill_complete FROM quotanamespacesize WHERE namespace_user_id = ?",
        vec![namespace_id.into()],
    )
    .await?
    .map(|r| Ok((r.try_get("", "size_bytes")?, r.try_get("", "backfill_complete")?)))
    .transpose()
}

/// The recorded sizes (Quay's `quotarepositorysize`) of repositories, by id; those without one
/// are left out.
pub async fn recorded_repository_sizes<C: ConnectionTrait>(
    c: &C,
    repo_ids: &[i32],
) -> Result<std::collections::HashMap<i32, i64>, DbErr> {
    if repo_ids.is_empty() {
        return Ok(Default::default());
    }
    let marks = vec!["?"; repo_ids.len()].join(", ");
    all(
        c,
        &format!("SELECT repository_id, size_bytes FROM quotarepositorysize WHERE repository_id IN ({marks})"),
        repo_ids.iter().map(|&id| id.into()).collect(),
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get("", "repository_id")?, r.try_get("", "size_bytes")?)))
    .collect()
}
