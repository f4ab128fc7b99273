//! Tags: alive rows, history, temporary pins, moves, expirations, deletions and restores, under the repository's tag lock.

use super::entities::tag;
use super::{ALIVE, all, exec, one};
use crate::util::now_ms;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait as _, ConnectionTrait, DbErr, Value};

/// Serializes tag changes of a repository. On PostgreSQL this is the advisory lock Python Quay
/// takes (`compute_advisory_lock_id`: the first 8 bytes, big-endian, of sha256("retarget_tag:<id>")),
/// so both programs can share a database; SQLite transactions already run one at a time.
pub async fn lock_tags<C: ConnectionTrait>(c: &C, repo_id: i32) -> Result<(), DbErr> {
    super::blob::advisory_xact_lock(c, &format!("retarget_tag:{repo_id}")).await
}

/// Ends the alive row of a tag at `now` (or just before, if an older row of the same name already
/// ended in this millisecond: `(repository_id, name, lifetime_end_ms)` is unique).
async fn end_tag_row<C: ConnectionTrait>(c: &C, repo_id: i32, name: &str, tag_id: i32, now: i64) -> Result<(), DbErr> {
    let mut end = now;
    while one(
        c,
        "SELECT 1 FROM tag WHERE repository_id = ? AND name = ? AND lifetime_end_ms = ?",
        vec![repo_id.into(), name.into(), end.into()],
    )
    .await?
    .is_some()
    {
        end -= 1;
    }
    exec(c, "UPDATE tag SET lifetime_end_ms = ? WHERE id = ?", vec![end.into(), tag_id.into()]).await?;
    Ok(())
}

/// Points a tag at a manifest: ends its alive row and adds a new one, as Quay's tag history does;
/// `end_ms` makes the new tag expire then (the `quay.expires-after` label). Pushing the manifest a
/// tag already points at changes nothing.
pub async fn set_tag<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    name: &str,
    manifest_id: i32,
    tag_kind_id: i32,
    end_ms: Option<i64>,
) -> Result<(), DbErr> {
    lock_tags(c, repo_id).await?;
    let now = now_ms();
    let alive = all(
        c,
        &format!("SELECT t.id, t.manifest_id FROM tag t WHERE t.repository_id = ? AND t.name = ? AND {ALIVE}"),
        vec![repo_id.into(), name.into(), now.into()],
    )
    .await?;
    let mut unchanged = false;
    for r in &alive {
        let id: i32 = r.try_get("", "id")?;
        let target: Option<i32> = r.try_get("", "manifest_id")?;
        if target == Some(manifest_id) && !unchanged {
            unchanged = true;
            continue;
        }
        end_tag_row(c, repo_id, name, id, now).await?;
    }
    if unchanged {
        return Ok(());
    }
    insert_tag(c, repo_id, name, manifest_id, tag_kind_id, now, end_ms, TagFlags::default()).await
}

/// Holds a manifest's temporary pins (hidden tags with an end) until at least `until_ms`.
pub async fn extend_temp_pins<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    digest: &str,
    until_ms: i64,
) -> Result<u64, DbErr> {
    exec(
        c,
        "UPDATE tag SET lifetime_end_ms = ? WHERE repository_id = ? AND hidden = ? AND lifetime_end_ms IS NOT NULL \
         AND lifetime_end_ms < ? AND lifetime_end_ms > ? AND manifest_id IN \
         (SELECT m.id FROM manifest m WHERE m.repository_id = ? AND m.digest = ?)",
        vec![
            until_ms.into(),
            repo_id.into(),
            true.into(),
            until_ms.into(),
            now_ms().into(),
            repo_id.into(),
            digest.into(),
        ],
    )
    .await
}

/// Pins a manifest pushed by digest with a hidden `$temp-<uuid>` tag until `end_ms` (never ending
/// when `None`, as Quay does for manifests with a subject).
pub async fn create_temp_tag<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    manifest_id: i32,
    tag_kind_id: i32,
    end_ms: Option<i64>,
) -> Result<(), DbErr> {
    let name = format!("$temp-{}", uuid::Uuid::new_v4());
    insert_tag(
        c,
        repo_id,
        &name,
        manifest_id,
        tag_kind_id,
        now_ms(),
        end_ms,
        TagFlags { hidden: true, reversion: false },
    )
    .await
}

/// `hidden`: a temporary pin no listing shows; `reversion`: a restore from the time machine.
#[derive(Default, Clone, Copy)]
struct TagFlags {
    hidden: bool,
    reversion: bool,
}

#[allow(clippy::too_many_arguments)]
async fn insert_tag<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    name: &str,
    manifest_id: i32,
    tag_kind_id: i32,
    start_ms: i64,
    end_ms: Option<i64>,
    flags: TagFlags,
) -> Result<(), DbErr> {
    tag::ActiveModel {
        name: Set(name.to_owned()),
        repository_id: Set(repo_id),
        manifest_id: Set(Some(manifest_id)),
        lifetime_start_ms: Set(start_ms),
        lifetime_end_ms: Set(end_ms),
        hidden: Set(flags.hidden),
        reversion: Set(flags.reversion),
        tag_kind_id: Set(tag_kind_id),
        linked_tag_id: Set(None),
        immutable: Set(false),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(())
}

/// Quay's tag restore: points `name` back at a manifest it (or any tag) pointed to, as long as the
/// manifest is still in the repository (inside the time machine). The new row is a reversion.
/// Returns false when the repository holds no such manifest.
pub async fn restore_tag<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    name: &str,
    manifest_digest: &str,
    tag_kind_id: i32,
) -> Result<bool, DbErr> {
    lock_tags(c, repo_id).await?;
    let Some(row) = one(
        c,
        "SELECT id FROM manifest WHERE repository_id = ? AND digest = ?",
        vec![repo_id.into(), manifest_digest.into()],
    )
    .await?
    else {
        return Ok(false);
    };
    let manifest_id: i32 = row.try_get("", "id")?;
    let now = now_ms();
    let alive = all(
        c,
        &format!("SELECT t.id FROM tag t WHERE t.repository_id = ? AND t.name = ? AND {ALIVE}"),
        vec![repo_id.into(), name.into(), now.into()],
    )
    .await?;
    for r in &alive {
        end_tag_row(c, repo_id, name, r.try_get("", "id")?, now).await?;
    }
    let flags = TagFlags { hidden: false, reversion: true };
    insert_tag(c, repo_id, name, manifest_id, tag_kind_id, now, None, flags).await?;
    Ok(true)
}

/// The manifests a tag pointed to, newest first: `(digest, lifetime_start_ms, lifetime_end_ms)`.
pub async fn tag_history<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    name: &str,
) -> Result<Vec<(String, i64, Option<i64>)>, DbErr> {
    let rows = all(
        c,
        "SELECT m.digest, t.lifetime_start_ms, t.lifetime_end_ms FROM tag t JOIN manifest m ON m.id = t.manifest_id \
         WHERE t.repository_id = ? AND t.name = ? AND t.hidden = ? ORDER BY t.lifetime_start_ms DESC, t.id DESC",
        vec![repo_id.into(), name.into(), false.into()],
    )
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "digest")?, r.try_get("", "lifetime_start_ms")?, r.try_get("", "lifetime_end_ms")?)))
        .collect()
}

/// Ends one tag row if it is still alive, visible and mutable (autoprune decides on a snapshot; a
/// tag pushed again or made immutable since is left alone). Returns whether it ended.
pub async fn end_tag_if_alive<C: ConnectionTrait>(c: &C, repo_id: i32, tag_id: i32) -> Result<bool, DbErr> {
    lock_tags(c, repo_id).await?;
    let now = now_ms();
    let row = one(
        c,
        &format!(
            "SELECT t.name FROM tag t WHERE t.id = ? AND t.repository_id = ? AND t.hidden = ? AND t.immutable = ? AND {ALIVE}"
        ),
        vec![tag_id.into(), repo_id.into(), false.into(), false.into(), now.into()],
    )
    .await?;
    let Some(row) = row else { return Ok(false) };
    let name: String = row.try_get("", "name")?;
    end_tag_row(c, repo_id, &name, tag_id, now).await?;
    Ok(true)
}

/// Ends a visible tag. Returns false when no such alive tag exists.
pub async fn delete_tag<C: ConnectionTrait>(c: &C, repo_id: i32, name: &str) -> Result<bool, DbErr> {
    lock_tags(c, repo_id).await?;
    let now = now_ms();
    let rows = all(
        c,
        &format!("SELECT t.id FROM tag t WHERE t.repository_id = ? AND t.name = ? AND t.hidden = ? AND {ALIVE}"),
        vec![repo_id.into(), name.into(), false.into(), now.into()],
    )
    .await?;
    for r in &rows {
        end_tag_row(c, repo_id, name, r.try_get("", "id")?, now).await?;
    }
    Ok(!rows.is_empty())
}

/// Ends every alive tag (hidden ones included) pointing at a manifest. Returns how many.
pub async fn delete_tags_of_manifest<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    manifest_id: i32,
) -> Result<usize, DbErr> {
    lock_tags(c, repo_id).await?;
    let now = now_ms();
    let rows = all(
        c,
        &format!("SELECT t.id, t.name FROM tag t WHERE t.repository_id = ? AND t.manifest_id = ? AND {ALIVE}"),
        vec![repo_id.into(), manifest_id.into(), now.into()],
    )
    .await?;
    for r in &rows {
        let name: String = r.try_get("", "name")?;
        end_tag_row(c, repo_id, &name, r.try_get("", "id")?, now).await?;
    }
    Ok(rows.len())
}

/// Alive, visible tag names in order, after `last`.
pub async fn list_tags<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    last: Option<&str>,
    limit: u64,
) -> Result<Vec<String>, DbErr> {
    let mut values: Vec<Value> = vec![repo_id.into(), false.into(), now_ms().into()];
    let mut text = format!("SELECT DISTINCT t.name FROM tag t WHERE t.repository_id = ? AND t.hidden = ? AND {ALIVE}");
    if let Some(last) = last {
        text.push_str(" AND t.name > ?");
        values.push(last.into());
    }
    text.push_str(" ORDER BY t.name LIMIT ?");
    values.push((limit as i64).into());
    all(c, &text, values).await?.iter().map(|r| r.try_get::<String>("", "name")).collect()
}

/// A tag row as `/api/v1/repository/.../tag/` shows it.
#[derive(Debug, Clone)]
pub struct TagView {
    pub name: String,
    pub reversion: bool,
    pub immutable: bool,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    pub digest: String,
    pub media_type_id: i32,
    pub size: Option<i64>,
}

/// What the tag listing filters by.
pub struct TagFilter<'a> {
    pub only_active: bool,
    pub specific: Option<&'a str>,
    /// `name LIKE %x%` (`like:x`) or `name = x` (`eq:x`).
    pub name_like: Option<&'a str>,
    pub name_eq: Option<&'a str>,
    pub offset: u64,
    pub limit: u64,
}

/// Visible tag rows of a repository, history included unless `only_active`, newest first (Quay's
/// `lifetime_start_ms DESC, name`).
pub async fn tag_views<C: ConnectionTrait>(c: &C, repo_id: i32, f: &TagFilter<'_>) -> Result<Vec<TagView>, DbErr> {
    let mut text = String::from(
        "SELECT t.name, t.reversion, t.immutable, t.lifetime_start_ms, t.lifetime_end_ms, m.digest, m.media_type_id, \
         m.layers_compressed_size FROM tag t JOIN manifest m ON m.id = t.manifest_id \
         WHERE t.repository_id = ? AND t.hidden = ?",
    );
    let mut values: Vec<Value> = vec![repo_id.into(), false.into()];
    if f.only_active {
        text.push_str(&format!(" AND {ALIVE}"));
        values.push(now_ms().into());
    }
    for (clause, value) in [("t.name = ?", f.specific), ("t.name = ?", f.name_eq)] {
        if let Some(v) = value {
            text.push_str(" AND ");
            text.push_str(clause);
            values.push(v.into());
        }
    }
    if let Some(v) = f.name_like {
        let escaped = super::like_escape(v);
        // Quay matches tag names case-insensitively (ILIKE); SQLite's LIKE is, PostgreSQL's is not.
        text.push_str(" AND LOWER(t.name) LIKE LOWER(?) ESCAPE '\\'");
        values.push(format!("%{escaped}%").into());
    }
    text.push_str(" ORDER BY t.lifetime_start_ms DESC, t.name, t.id DESC LIMIT ? OFFSET ?");
    values.push((f.limit as i64).into());
    values.push((f.offset as i64).into());
    all(c, &text, values)
        .await?
        .iter()
        .map(|r| {
            Ok(TagView {
                name: r.try_get("", "name")?,
                reversion: r.try_get("", "reversion")?,
                immutable: r.try_get::<Option<bool>>("", "immutable")?.unwrap_or(false),
                start_ms: r.try_get("", "lifetime_start_ms")?,
                end_ms: r.try_get("", "lifetime_end_ms")?,
                digest: r.try_get("", "digest")?,
                media_type_id: r.try_get("", "media_type_id")?,
                size: r.try_get("", "layers_compressed_size")?,
            })
        })
        .collect()
}

/// Sets when the alive tag `name` expires (None: never); false when there is no such tag.
pub async fn set_tag_expiration<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    name: &str,
    end_ms: Option<i64>,
) -> Result<bool, DbErr> {
    lock_tags(c, repo_id).await?;
    let n = exec(
        c,
        &format!(
            "UPDATE tag SET lifetime_end_ms = ? WHERE repository_id = ? AND name = ? AND hidden = ? AND id IN \
                  (SELECT t.id FROM tag t WHERE t.repository_id = ? AND t.name = ? AND {ALIVE})"
        ),
        vec![end_ms.into(), repo_id.into(), name.into(), false.into(), repo_id.into(), name.into(), now_ms().into()],
    )
    .await?;
    Ok(n > 0)
}

/// The name of an alive immutable tag pointing at the manifest, if there is one.
pub async fn immutable_tag_of_manifest<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    manifest_id: i32,
) -> Result<Option<String>, DbErr> {
    one(
        c,
        &format!(
            "SELECT t.name FROM tag t WHERE t.repository_id = ? AND t.manifest_id = ? AND t.immutable = ? AND {ALIVE}"
        ),
        vec![repo_id.into(), manifest_id.into(), true.into(), now_ms().into()],
    )
    .await?
    .map(|r| r.try_get("", "name"))
    .transpose()
}

/// Whether the alive tag `name` is immutable (Quay's `tag.immutable`, set by immutability policies).
pub async fn tag_is_immutable<C: ConnectionTrait>(c: &C, repo_id: i32, name: &str) -> Result<bool, DbErr> {
    Ok(one(c, &sql_tag_is_immutable(), vec![repo_id.into(), name.into(), true.into(), now_ms().into()])
        .await?
        .is_some())
}

/// The query of [`tag_is_immutable`]: repository id, tag name, `true`, now in milliseconds.
pub(super) fn sql_tag_is_immutable() -> String {
    format!("SELECT 1 FROM tag t WHERE t.repository_id = ? AND t.name = ? AND t.immutable = ? AND {ALIVE}")
}
