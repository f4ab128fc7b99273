//! The SQL the registry runs, one function per question or change. Each function takes any
//! connection or transaction, so callers decide the transaction boundaries.
//!
//! Queries use `?` placeholders through [`super::sql`] and quote `"user"` (reserved in PostgreSQL),
//! so the same text runs on SQLite and PostgreSQL.

use std::collections::HashMap;

use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _, QueryResult,
    Value,
};

use super::entities::{
    blobupload, imagestorage, imagestorageplacement, manifest, manifestblob, manifestchild, repository,
    repositorypermission, servicekey, servicekeyapproval, tag, uploadedblob, user,
};
use super::{all, exec, one};
use crate::util::{now_ms, now_naive};

/// Quay's repository states (`repository.state`).
pub mod repo_state {
    pub const NORMAL: i32 = 0;
    pub const READ_ONLY: i32 = 1;
    pub const MIRROR: i32 = 2;
    pub const MARKED_FOR_DELETION: i32 = 3;
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Alive at `now`: no end, or an end in the future.
const ALIVE: &str = "(t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > ?)";

// ---------------------------------------------------------------------------------------------
// Users

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i32,
    pub uuid: Option<String>,
    pub username: String,
    pub password_hash: Option<String>,
    pub organization: bool,
    pub robot: bool,
    pub enabled: bool,
    pub invalid_login_attempts: i32,
    pub last_invalid_login: chrono::NaiveDateTime,
}

impl From<user::Model> for UserRow {
    fn from(u: user::Model) -> Self {
        UserRow {
            id: u.id,
            uuid: u.uuid,
            username: u.username,
            password_hash: u.password_hash,
            organization: u.organization,
            robot: u.robot,
            enabled: u.enabled,
            invalid_login_attempts: u.invalid_login_attempts,
            last_invalid_login: u.last_invalid_login,
        }
    }
}

/// Records a failed sign-in (Quay's login backoff counts them).
pub async fn record_failed_login<C: ConnectionTrait>(c: &C, user_id: i32) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE \"user\" SET invalid_login_attempts = invalid_login_attempts + 1, last_invalid_login = ? WHERE id = ?",
        vec![now_naive().into(), user_id.into()],
    )
    .await?;
    Ok(())
}

pub async fn reset_failed_logins<C: ConnectionTrait>(c: &C, user_id: i32) -> Result<(), DbErr> {
    exec(c, "UPDATE \"user\" SET invalid_login_attempts = 0 WHERE id = ?", vec![user_id.into()]).await?;
    Ok(())
}

pub async fn find_user<C: ConnectionTrait>(c: &C, username: &str) -> Result<Option<UserRow>, DbErr> {
    Ok(user::Entity::find().filter(user::Column::Username.eq(username)).one(c).await?.map(UserRow::from))
}

pub async fn find_user_by_id<C: ConnectionTrait>(c: &C, id: i32) -> Result<Option<UserRow>, DbErr> {
    Ok(user::Entity::find_by_id(id).one(c).await?.map(UserRow::from))
}

/// Creates a user (not an organization or robot) with Quay's defaults.
pub async fn create_user<C: ConnectionTrait>(
    c: &C,
    username: &str,
    email: &str,
    password_hash: &str,
) -> Result<i32, DbErr> {
    super::identity::insert_account(c, username, email, Some(password_hash), false, false).await
}

/// Sets a new password hash. Like Quay, this rotates the user's uuid so tokens bound to the old
/// identity stop resolving.
pub async fn set_password<C: ConnectionTrait>(c: &C, user_id: i32, password_hash: &str) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE \"user\" SET password_hash = ?, uuid = ?, invalid_login_attempts = 0 WHERE id = ?",
        vec![password_hash.into(), uuid::Uuid::new_v4().to_string().into(), user_id.into()],
    )
    .await?;
    Ok(())
}

pub async fn count_users<C: ConnectionTrait>(c: &C) -> Result<i64, DbErr> {
    let row =
        one(c, "SELECT count(*) FROM \"user\" WHERE organization = ? AND robot = ?", vec![false.into(), false.into()])
            .await?;
    row.map(|r| r.try_get_by_index::<i64>(0)).transpose().map(|n| n.unwrap_or(0))
}

// ---------------------------------------------------------------------------------------------
// Repositories and permissions

#[derive(Debug, Clone)]
pub struct RepoRow {
    pub id: i32,
    pub namespace_id: i32,
    pub public: bool,
    pub state: i32,
    /// Whether the namespace is enabled (a deleted namespace is disabled at once).
    pub namespace_enabled: bool,
}

/// Parameters: namespace, name, `repo_state::MARKED_FOR_DELETION`.
pub const SQL_FIND_REPOSITORY: &str = "SELECT r.id, r.namespace_user_id, r.visibility_id, r.state, u.enabled FROM repository r \
     JOIN \"user\" u ON u.id = r.namespace_user_id WHERE u.username = ? AND r.name = ? AND r.state <> ?";

/// A repository by `namespace/name`; repositories marked for deletion do not exist.
pub async fn find_repository<C: ConnectionTrait>(
    c: &C,
    namespace: &str,
    name: &str,
    visibility_public: i32,
) -> Result<Option<RepoRow>, DbErr> {
    let row = one(c, SQL_FIND_REPOSITORY, vec![namespace.into(), name.into(), repo_state::MARKED_FOR_DELETION.into()])
        .await?;
    row.map(|r| {
        Ok(RepoRow {
            id: r.try_get("", "id")?,
            namespace_id: r.try_get("", "namespace_user_id")?,
            public: r.try_get::<i32>("", "visibility_id")? == visibility_public,
            state: r.try_get("", "state")?,
            namespace_enabled: r.try_get("", "enabled")?,
        })
    })
    .transpose()
}

/// Creates a repository and its side rows as Quay does (action count, search score, an `admin`
/// permission for the creator when the creator is not the namespace itself).
pub async fn create_repository<C: ConnectionTrait>(
    c: &C,
    namespace_id: i32,
    name: &str,
    visibility_id: i32,
    kind_id: i32,
    creator: Option<(i32, i32)>,
) -> Result<i32, DbErr> {
    let id = repository::ActiveModel {
        namespace_user_id: Set(Some(namespace_id)),
        name: Set(name.to_owned()),
        visibility_id: Set(visibility_id),
        description: Set(None),
        badge_token: Set(uuid::Uuid::new_v4().to_string()),
        kind_id: Set(kind_id),
        trust_enabled: Set(false),
        state: Set(repo_state::NORMAL),
        ..Default::default()
    }
    .insert(c)
    .await?
    .id;
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    exec(
        c,
        "INSERT INTO repositoryactioncount (repository_id, count, date) VALUES (?, 0, ?)",
        vec![id.into(), yesterday.into()],
    )
    .await?;
    exec(c, "INSERT INTO repositorysearchscore (repository_id, score) VALUES (?, 0)", vec![id.into()]).await?;
    if let Some((user_id, admin_role)) = creator
        && user_id != namespace_id
    {
        repositorypermission::ActiveModel {
            team_id: Set(None),
            user_id: Set(Some(user_id)),
            repository_id: Set(id),
            role_id: Set(admin_role),
            ..Default::default()
        }
        .insert(c)
        .await?;
        apply_prototypes(c, id, namespace_id, user_id).await?;
    }
    Ok(id)
}

/// Quay's default permissions: when a user creates a repository in an organization, each of the
/// organization's prototypes for that user (or for anyone) grants its delegate its role. One grant
/// per delegate (the first prototype wins); the creator keeps the admin role they just got.
async fn apply_prototypes<C: ConnectionTrait>(c: &C, repo_id: i32, org_id: i32, creator_id: i32) -> Result<(), DbErr> {
    let rows = all(
        c,
        "SELECT delegate_user_id, delegate_team_id, role_id FROM permissionprototype \
         WHERE org_id = ? AND (activating_user_id IS NULL OR activating_user_id = ?) ORDER BY id",
        vec![org_id.into(), creator_id.into()],
    )
    .await?;
    let mut granted: Vec<(Option<i32>, Option<i32>)> = vec![(Some(creator_id), None)];
    for r in rows {
        let user: Option<i32> = r.try_get("", "delegate_user_id")?;
        let team: Option<i32> = r.try_get("", "delegate_team_id")?;
        let role: i32 = r.try_get("", "role_id")?;
        if (user.is_none() && team.is_none()) || granted.contains(&(user, team)) {
            continue;
        }
        granted.push((user, team));
        exec(
            c,
            "INSERT INTO repositorypermission (team_id, user_id, repository_id, role_id) VALUES (?, ?, ?, ?)",
            vec![team.into(), user.into(), repo_id.into(), role.into()],
        )
        .await?;
    }
    Ok(())
}

/// The role names (`read`, `write`, `admin`) a user holds on a repository through direct grants,
/// team grants and the organization's admin teams.
pub async fn repository_roles<C: ConnectionTrait>(
    c: &C,
    user_id: i32,
    repo_id: i32,
    namespace_id: i32,
) -> Result<Vec<String>, DbErr> {
    let rows = all(
        c,
        "SELECT r.name FROM repositorypermission p JOIN role r ON r.id = p.role_id \
           WHERE p.repository_id = ? AND p.user_id = ? \
         UNION ALL \
         SELECT r.name FROM repositorypermission p JOIN role r ON r.id = p.role_id \
           JOIN teammember tm ON tm.team_id = p.team_id WHERE p.repository_id = ? AND tm.user_id = ? \
         UNION ALL \
         SELECT tr.name FROM team t JOIN teamrole tr ON tr.id = t.role_id \
           JOIN teammember tm ON tm.team_id = t.id WHERE t.organization_id = ? AND tm.user_id = ? AND tr.name = 'admin'",
        vec![
            repo_id.into(),
            user_id.into(),
            repo_id.into(),
            user_id.into(),
            namespace_id.into(),
            user_id.into(),
        ],
    )
    .await?;
    rows.iter().map(|r| r.try_get_by_index::<String>(0)).collect()
}

/// Repository paths for the catalog, in order, after `last`: all of them for a superuser, else the
/// public ones, the user's own and those the user has a grant on.
pub async fn catalog<C: ConnectionTrait>(
    c: &C,
    viewer: Option<(i32, bool)>,
    visibility_public: i32,
    last: Option<&str>,
    limit: u64,
) -> Result<Vec<String>, DbErr> {
    let mut text = String::from(
        "SELECT u.username || '/' || r.name AS path FROM repository r JOIN \"user\" u ON u.id = r.namespace_user_id \
         WHERE r.state <> ?",
    );
    let mut values: Vec<Value> = vec![repo_state::MARKED_FOR_DELETION.into()];
    push_visible_to(&mut text, &mut values, viewer, visibility_public);
    if let Some(last) = last {
        text.push_str(" AND u.username || '/' || r.name > ?");
        values.push(last.into());
    }
    text.push_str(" ORDER BY path LIMIT ?");
    values.push((limit as i64).into());
    all(c, &text, values).await?.iter().map(|r| r.try_get::<String>("", "path")).collect()
}

/// Restricts a query over `repository r` to what a viewer may read: everything for a superuser
/// (`(id, true)`), else public repositories, the viewer's own and those granted to them.
fn push_visible_to(text: &mut String, values: &mut Vec<Value>, viewer: Option<(i32, bool)>, visibility_public: i32) {
    match viewer {
        Some((_, true)) => {}
        Some((user_id, false)) => {
            text.push_str(
                " AND (r.visibility_id = ? OR r.namespace_user_id = ? \
                 OR EXISTS (SELECT 1 FROM repositorypermission p WHERE p.repository_id = r.id AND p.user_id = ?) \
                 OR EXISTS (SELECT 1 FROM repositorypermission p JOIN teammember tm ON tm.team_id = p.team_id \
                            WHERE p.repository_id = r.id AND tm.user_id = ?) \
                 OR EXISTS (SELECT 1 FROM team t JOIN teamrole tr ON tr.id = t.role_id JOIN teammember tm ON tm.team_id = t.id \
                            WHERE t.organization_id = r.namespace_user_id AND tm.user_id = ? AND tr.name = 'admin'))",
            );
            values.extend([visibility_public.into(), user_id.into(), user_id.into(), user_id.into(), user_id.into()]);
        }
        None => {
            text.push_str(" AND r.visibility_id = ?");
            values.push(visibility_public.into());
        }
    }
}

/// A repository as `/api/v1/repository` lists it.
#[derive(Debug, Clone)]
pub struct RepositorySummary {
    pub id: i32,
    pub namespace: String,
    pub name: String,
    pub description: Option<String>,
    pub public: bool,
    pub state: i32,
    pub namespace_is_org: bool,
    /// When a tag last changed, in ms.
    pub last_modified_ms: Option<i64>,
    pub starred: bool,
}

/// What `GET /api/v1/repository` filters by.
pub struct RepositoryFilter<'a> {
    pub namespace: Option<&'a str>,
    /// Public repositories count as visible (else only the viewer's own and granted ones).
    pub include_public: bool,
    /// Only those the viewer starred.
    pub starred_by: Option<i32>,
    /// Repositories with an id above this (the page token).
    pub after_id: i32,
    /// Only this repository.
    pub only_id: Option<i32>,
    pub limit: u64,
}

/// Repositories a viewer may read, by id, with what the listing shows.
pub async fn list_repository_summaries<C: ConnectionTrait>(
    c: &C,
    viewer: Option<(i32, bool)>,
    visibility_public: i32,
    filter: &RepositoryFilter<'_>,
) -> Result<Vec<RepositorySummary>, DbErr> {
    let viewer_id = viewer.map(|v| v.0).unwrap_or(-1);
    let mut text = String::from(
        "SELECT r.id, u.username, r.name, r.description, r.visibility_id, r.state, u.organization, \
         (SELECT MAX(t.lifetime_start_ms) FROM tag t WHERE t.repository_id = r.id AND t.hidden = ?) AS last_modified, \
         EXISTS (SELECT 1 FROM star s WHERE s.repository_id = r.id AND s.user_id = ?) AS starred \
         FROM repository r JOIN \"user\" u ON u.id = r.namespace_user_id WHERE r.state <> ? AND r.id > ?",
    );
    let mut values: Vec<Value> =
        vec![false.into(), viewer_id.into(), repo_state::MARKED_FOR_DELETION.into(), filter.after_id.into()];
    // Without public ones, an impossible visibility id makes the public clause match nothing.
    let public_id = if filter.include_public || viewer.is_none() { visibility_public } else { -1 };
    push_visible_to(&mut text, &mut values, viewer, public_id);
    if let Some(ns) = filter.namespace {
        text.push_str(" AND u.username = ?");
        values.push(ns.into());
    }
    if let Some(id) = filter.only_id {
        text.push_str(" AND r.id = ?");
        values.push(id.into());
    }
    if let Some(user_id) = filter.starred_by {
        text.push_str(" AND EXISTS (SELECT 1 FROM star s WHERE s.repository_id = r.id AND s.user_id = ?)");
        values.push(user_id.into());
    }
    text.push_str(" ORDER BY r.id LIMIT ?");
    values.push((filter.limit as i64).into());
    all(c, &text, values)
        .await?
        .iter()
        .map(|r| {
            Ok(RepositorySummary {
                id: r.try_get("", "id")?,
                namespace: r.try_get("", "username")?,
                name: r.try_get("", "name")?,
                description: r.try_get("", "description")?,
                public: r.try_get::<i32>("", "visibility_id")? == visibility_public,
                state: r.try_get("", "state")?,
                namespace_is_org: r.try_get("", "organization")?,
                last_modified_ms: r.try_get("", "last_modified")?,
                starred: r.try_get("", "starred")?,
            })
        })
        .collect()
}

pub async fn set_repository_description<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    description: &str,
) -> Result<(), DbErr> {
    exec(c, "UPDATE repository SET description = ? WHERE id = ?", vec![description.into(), repo_id.into()]).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Blobs

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
            MANIFEST_LIVE
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

// ---------------------------------------------------------------------------------------------
// Uploads

pub async fn create_upload<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    uuid: &str,
    location_id: i32,
    sha_state: &str,
) -> Result<(), DbErr> {
    blobupload::ActiveModel {
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
    Ok(())
}

#[derive(Debug, Clone)]
pub struct UploadRow {
    pub id: i32,
    pub byte_count: i64,
    pub chunk_count: i32,
    pub sha_state: Option<String>,
    pub storage_metadata: Option<String>,
}

pub async fn find_upload<C: ConnectionTrait>(c: &C, repo_id: i32, uuid: &str) -> Result<Option<UploadRow>, DbErr> {
    let row = blobupload::Entity::find()
        .filter(blobupload::Column::RepositoryId.eq(repo_id))
        .filter(blobupload::Column::Uuid.eq(uuid))
        .one(c)
        .await?;
    Ok(row.map(|u| UploadRow {
        id: u.id,
        byte_count: u.byte_count,
        chunk_count: u.chunk_count,
        sha_state: u.sha_state,
        storage_metadata: u.storage_metadata,
    }))
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

/// Quay's action log kinds by name (`logentrykind`).
pub async fn log_kinds<C: ConnectionTrait>(c: &C) -> Result<HashMap<String, i32>, DbErr> {
    let rows = all(c, "SELECT id, name FROM logentrykind", vec![]).await?;
    rows.iter().map(|r| Ok((r.try_get("", "name")?, r.try_get("", "id")?))).collect()
}

/// Writes one action log at once (administrative commands; the registry batches through
/// `audit::AuditLog`).
pub async fn insert_log<C: ConnectionTrait>(
    c: &C,
    kind: &str,
    account_id: i32,
    performer_id: Option<i32>,
    repository_id: Option<i32>,
    ip: Option<&str>,
    metadata: &serde_json::Value,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO logentry3 (kind_id, account_id, performer_id, repository_id, datetime, ip, metadata_json) \
         SELECT id, ?, ?, ?, ?, ?, ? FROM logentrykind WHERE name = ?",
        vec![
            account_id.into(),
            performer_id.into(),
            repository_id.into(),
            now_naive().into(),
            ip.into(),
            metadata.to_string().into(),
            kind.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Deletes action logs older than `before`; returns how many.
pub async fn delete_logs_before<C: ConnectionTrait>(c: &C, before: chrono::NaiveDateTime) -> Result<u64, DbErr> {
    exec(c, "DELETE FROM logentry3 WHERE datetime < ?", vec![before.into()]).await
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

/// A repository's namespace id and name.
pub async fn repository_namespace<C: ConnectionTrait>(c: &C, repo_id: i32) -> Result<Option<(i32, String)>, DbErr> {
    let row = one(c, "SELECT namespace_user_id, name FROM repository WHERE id = ?", vec![repo_id.into()]).await?;
    row.map(|r| Ok((r.try_get("", "namespace_user_id")?, r.try_get("", "name")?))).transpose()
}

/// The repository a `deletedrepository` marker names, if it was not purged yet.
pub async fn deleted_repository<C: ConnectionTrait>(c: &C, marker_id: i32) -> Result<Option<i32>, DbErr> {
    let row = one(c, "SELECT repository_id FROM deletedrepository WHERE id = ?", vec![marker_id.into()]).await?;
    row.map(|r| r.try_get("", "repository_id")).transpose()
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

/// Deletes app-specific tokens that expired before `before`; returns how many.
pub async fn delete_expired_app_tokens<C: ConnectionTrait>(c: &C, before: chrono::NaiveDateTime) -> Result<u64, DbErr> {
    exec(c, "DELETE FROM appspecificauthtoken WHERE expiration IS NOT NULL AND expiration < ?", vec![before.into()])
        .await
}

// ---------------------------------------------------------------------------------------------
// Manifests and tags

#[derive(Debug, Clone)]
pub struct ManifestRow {
    pub id: i32,
    pub digest: String,
    pub media_type_id: i32,
    pub bytes: String,
    pub artifact_type: Option<String>,
    pub config_media_type: Option<String>,
}

const MANIFEST_COLUMNS: &str =
    "m.id, m.digest, m.media_type_id, m.manifest_bytes, m.artifact_type, m.config_media_type";

fn manifest_row(r: &QueryResult) -> Result<ManifestRow, DbErr> {
    Ok(ManifestRow {
        id: r.try_get("", "id")?,
        digest: r.try_get("", "digest")?,
        media_type_id: r.try_get("", "media_type_id")?,
        bytes: r.try_get("", "manifest_bytes")?,
        artifact_type: r.try_get("", "artifact_type")?,
        config_media_type: r.try_get("", "config_media_type")?,
    })
}

/// A manifest is live while an alive tag (hidden ones included) points at it or at an index that
/// lists it. Takes two `now` parameters.
const MANIFEST_LIVE: &str = "(EXISTS (SELECT 1 FROM tag t WHERE t.manifest_id = m.id AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > ?)) \
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
    one(c, SQL_FIND_LIVE_MANIFEST, vec![repo_id.into(), digest.into(), now.into(), now.into()])
        .await?
        .as_ref()
        .map(manifest_row)
        .transpose()
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
    one(c, SQL_FIND_TAGGED_MANIFEST, vec![repo_id.into(), tag.into(), false.into(), now_ms().into()])
        .await?
        .as_ref()
        .map(manifest_row)
        .transpose()
}

/// Ids of those of `digests` that are manifests of the repository.
pub async fn manifests_in_repo<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    digests: &[String],
) -> Result<HashMap<String, Stored>, DbErr> {
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
        out.insert(r.try_get::<String>("", "digest")?, Stored { id: r.try_get("", "id")?, size });
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
    lock_tags(c, m.repo_id).await?;
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

/// Serializes tag changes of a repository. On PostgreSQL this is the advisory lock Python Quay
/// takes (`compute_advisory_lock_id`: the first 8 bytes, big-endian, of sha256("retarget_tag:<id>")),
/// so both programs can share a database; SQLite transactions already run one at a time.
pub async fn lock_tags<C: ConnectionTrait>(c: &C, repo_id: i32) -> Result<(), DbErr> {
    advisory_xact_lock(c, &format!("retarget_tag:{repo_id}")).await
}

/// Serializes the last steps of an upload and the removal of a storage object for one digest
/// (Quay's `BLOB_DELETE_<digest>` lock), until the transaction ends.
pub async fn lock_digest<C: ConnectionTrait>(c: &C, digest: &str) -> Result<(), DbErr> {
    advisory_xact_lock(c, &format!("BLOB_DELETE_{digest}")).await
}

/// A transaction-scoped PostgreSQL advisory lock on a name. SQLite needs none: its write
/// transactions (`BEGIN IMMEDIATE`) already run one at a time.
async fn advisory_xact_lock<C: ConnectionTrait>(c: &C, name: &str) -> Result<(), DbErr> {
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

/// Live manifests of the repository whose `subject` is `digest`.
pub async fn referrers<C: ConnectionTrait>(c: &C, repo_id: i32, digest: &str) -> Result<Vec<ManifestRow>, DbErr> {
    let now = now_ms();
    all(
        c,
        &format!(
            "SELECT {MANIFEST_COLUMNS} FROM manifest m WHERE m.repository_id = ? AND m.subject = ? AND {MANIFEST_LIVE} ORDER BY m.id"
        ),
        vec![repo_id.into(), digest.into(), now.into(), now.into()],
    )
    .await?
    .iter()
    .map(manifest_row)
    .collect()
}

// ---------------------------------------------------------------------------------------------
// Service keys

#[derive(Debug, Clone)]
pub struct ServiceKeyRow {
    pub kid: String,
    pub jwk: String,
}

/// Approved, unexpired keys of a service: the keys whose tokens this node accepts.
pub async fn approved_service_keys<C: ConnectionTrait>(c: &C, service: &str) -> Result<Vec<ServiceKeyRow>, DbErr> {
    all(
        c,
        "SELECT k.kid, k.jwk FROM servicekey k JOIN servicekeyapproval a ON a.id = k.approval_id \
         WHERE k.service = ? AND (k.expiration_date IS NULL OR k.expiration_date > ?)",
        vec![service.into(), now_naive().into()],
    )
    .await?
    .iter()
    .map(|r| Ok(ServiceKeyRow { kid: r.try_get("", "kid")?, jwk: r.try_get("", "jwk")? }))
    .collect()
}

/// Registers (or renews) this node's signing key, auto-approved as Quay's boot does.
pub async fn register_service_key<C: ConnectionTrait>(
    c: &C,
    name: &str,
    kid: &str,
    service: &str,
    jwk: &str,
    expires: chrono::NaiveDateTime,
) -> Result<(), DbErr> {
    let renewed = exec(
        c,
        "UPDATE servicekey SET expiration_date = ?, name = ? WHERE kid = ?",
        vec![expires.into(), name.into(), kid.into()],
    )
    .await?;
    if renewed > 0 {
        return Ok(());
    }
    let now = now_naive();
    // Quay stores the enum's str(): "ServiceKeyApprovalType.AUTOMATIC".
    let approval = servicekeyapproval::ActiveModel {
        approver_id: Set(None),
        approval_type: Set("ServiceKeyApprovalType.AUTOMATIC".to_owned()),
        approved_date: Set(now),
        notes: Set(String::new()),
        ..Default::default()
    }
    .insert(c)
    .await?;
    servicekey::ActiveModel {
        name: Set(name.to_owned()),
        kid: Set(kid.to_owned()),
        service: Set(service.to_owned()),
        jwk: Set(jwk.to_owned()),
        metadata: Set(r#"{"created_by": "CLI tool"}"#.to_owned()),
        created_date: Set(now),
        expiration_date: Set(Some(expires)),
        rotation_duration: Set(None),
        approval_id: Set(Some(approval.id)),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(())
}

/// Whether a user may create repositories in a namespace: their own, or an organization where
/// they are on an `admin` or `creator` team.
pub async fn can_create_in_namespace<C: ConnectionTrait>(
    c: &C,
    user_id: i32,
    namespace_id: i32,
) -> Result<bool, DbErr> {
    if user_id == namespace_id {
        return Ok(true);
    }
    let row = one(
        c,
        "SELECT 1 FROM team t JOIN teamrole tr ON tr.id = t.role_id JOIN teammember tm ON tm.team_id = t.id \
         WHERE t.organization_id = ? AND tm.user_id = ? AND tr.name IN ('admin', 'creator') LIMIT 1",
        vec![namespace_id.into(), user_id.into()],
    )
    .await?;
    Ok(row.is_some())
}

/// The robot that a mirrored repository's mirror pushes as (`repomirrorconfig.internal_robot_id`).
pub async fn mirror_robot<C: ConnectionTrait>(c: &C, repo_id: i32) -> Result<Option<i32>, DbErr> {
    one(c, "SELECT internal_robot_id FROM repomirrorconfig WHERE repository_id = ?", vec![repo_id.into()])
        .await?
        .map(|r| r.try_get_by_index(0))
        .transpose()
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

/// A manifest label as the API shows it.
#[derive(Debug, Clone)]
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

fn label_row(r: &QueryResult) -> Result<LabelRow, DbErr> {
    Ok(LabelRow {
        uuid: r.try_get("", "uuid")?,
        key: r.try_get("", "key")?,
        value: r.try_get("", "value")?,
        media_type: r.try_get("", "media_type")?,
        source_type: r.try_get("", "source_type")?,
        mutable: r.try_get("", "mutable")?,
    })
}

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
    all(c, &text, values).await?.iter().map(label_row).collect()
}

pub async fn manifest_label<C: ConnectionTrait>(
    c: &C,
    manifest_id: i32,
    uuid: &str,
) -> Result<Option<LabelRow>, DbErr> {
    one(c, &format!("{LABEL_COLUMNS} AND l.uuid = ?"), vec![manifest_id.into(), uuid.into()])
        .await?
        .as_ref()
        .map(label_row)
        .transpose()
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

/// Whether the alive tag `name` is immutable (Quay's `tag.immutable`, set by immutability policies).
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

pub async fn tag_is_immutable<C: ConnectionTrait>(c: &C, repo_id: i32, name: &str) -> Result<bool, DbErr> {
    Ok(one(
        c,
        &format!("SELECT 1 FROM tag t WHERE t.repository_id = ? AND t.name = ? AND t.immutable = ? AND {ALIVE}"),
        vec![repo_id.into(), name.into(), true.into(), now_ms().into()],
    )
    .await?
    .is_some())
}
