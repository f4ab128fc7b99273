//! Repositories: lookups (the hot path's query), creation with default permissions, listings, state, visibility, deletion marks, and the permissions granted on them.

use super::entities::{repository, repositorypermission};
use super::{all, exec, one};
use crate::util::now_naive;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait as _, ConnectionTrait, DbErr, Value};

/// Quay's repository states (`repository.state`).
pub mod repo_state {
    pub const NORMAL: i32 = 0;
    pub const READ_ONLY: i32 = 1;
    pub const MIRROR: i32 = 2;
    pub const MARKED_FOR_DELETION: i32 = 3;
    /// A repository an organization mirror fills (Quay's FEATURE_ORG_MIRROR).
    pub const ORG_MIRROR: i32 = 4;
}

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
    pub namespace_id: i32,
    pub namespace: String,
    /// The token of its status badge (Quay's `badge_token`), a secret of private repositories.
    pub badge_token: String,
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
        "SELECT r.id, r.namespace_user_id, u.username, r.name, r.badge_token, r.description, r.visibility_id, r.state, u.organization, \
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
                namespace_id: r.try_get("", "namespace_user_id")?,
                namespace: r.try_get("", "username")?,
                badge_token: r.try_get("", "badge_token")?,
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

/// The robot that a mirrored repository's mirror pushes as (`repomirrorconfig.internal_robot_id`).
pub async fn mirror_robot<C: ConnectionTrait>(c: &C, repo_id: i32) -> Result<Option<i32>, DbErr> {
    one(c, "SELECT internal_robot_id FROM repomirrorconfig WHERE repository_id = ?", vec![repo_id.into()])
        .await?
        .map(|r| r.try_get_by_index(0))
        .transpose()
}

/// Grants a role on a repository to a user or a team, replacing an earlier grant.
pub async fn grant<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    user_id: Option<i32>,
    team_id: Option<i32>,
    role_id: i32,
) -> Result<(), DbErr> {
    revoke(c, repo_id, user_id, team_id).await?;
    exec(
        c,
        "INSERT INTO repositorypermission (team_id, user_id, repository_id, role_id) VALUES (?, ?, ?, ?)",
        vec![team_id.into(), user_id.into(), repo_id.into(), role_id.into()],
    )
    .await?;
    Ok(())
}

pub async fn revoke<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    user_id: Option<i32>,
    team_id: Option<i32>,
) -> Result<bool, DbErr> {
    let n = match (user_id, team_id) {
        (Some(u), _) => {
            exec(
                c,
                "DELETE FROM repositorypermission WHERE repository_id = ? AND user_id = ?",
                vec![repo_id.into(), u.into()],
            )
            .await?
        }
        (None, Some(t)) => {
            exec(
                c,
                "DELETE FROM repositorypermission WHERE repository_id = ? AND team_id = ?",
                vec![repo_id.into(), t.into()],
            )
            .await?
        }
        (None, None) => 0,
    };
    Ok(n > 0)
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RepositoryListing {
    pub namespace: String,
    pub name: String,
    pub public: bool,
    pub state: i32,
}

pub async fn list_repositories<C: ConnectionTrait>(
    c: &C,
    namespace: Option<&str>,
    visibility_public: i32,
) -> Result<Vec<RepositoryListing>, DbErr> {
    let mut text = String::from(
        "SELECT u.username, r.name, r.visibility_id, r.state FROM repository r JOIN \"user\" u ON u.id = r.namespace_user_id \
         WHERE r.state <> ?",
    );
    let mut values: Vec<Value> = vec![super::repository::repo_state::MARKED_FOR_DELETION.into()];
    if let Some(ns) = namespace {
        text.push_str(" AND u.username = ?");
        values.push(ns.into());
    }
    text.push_str(" ORDER BY u.username, r.name");
    all(c, &text, values)
        .await?
        .iter()
        .map(|r| {
            Ok(RepositoryListing {
                namespace: r.try_get("", "username")?,
                name: r.try_get("", "name")?,
                public: r.try_get::<i32>("", "visibility_id")? == visibility_public,
                state: r.try_get("", "state")?,
            })
        })
        .collect()
}

pub async fn set_visibility<C: ConnectionTrait>(c: &C, repo_id: i32, visibility_id: i32) -> Result<(), DbErr> {
    exec(c, "UPDATE repository SET visibility_id = ? WHERE id = ?", vec![visibility_id.into(), repo_id.into()]).await?;
    Ok(())
}

/// Sets the state of a repository that is not being deleted; whether it was changed.
pub async fn set_state<C: ConnectionTrait>(c: &C, repo_id: i32, state: i32) -> Result<bool, DbErr> {
    let values = vec![state.into(), repo_id.into(), repo_state::MARKED_FOR_DELETION.into()];
    Ok(exec(c, "UPDATE repository SET state = ? WHERE id = ? AND state <> ?", values).await? == 1)
}

/// Quay's `mark_repository_for_deletion`: the repository disappears at once (state 3, name
/// replaced by a uuid so the name can be reused) and `deletedrepository` remembers its name; its
/// content is reclaimed later by garbage collection.
pub async fn mark_repository_deleted<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    original_name: &str,
) -> Result<(), DbErr> {
    exec(c, "DELETE FROM star WHERE repository_id = ?", vec![repo_id.into()]).await?;
    exec(
        c,
        "UPDATE repository SET state = ?, name = ? WHERE id = ?",
        vec![
            super::repository::repo_state::MARKED_FOR_DELETION.into(),
            uuid::Uuid::new_v4().to_string().into(),
            repo_id.into(),
        ],
    )
    .await?;
    exec(
        c,
        "INSERT INTO deletedrepository (repository_id, marked, original_name, queue_id) VALUES (?, ?, ?, NULL)",
        vec![repo_id.into(), now_naive().into(), original_name.into()],
    )
    .await?;
    // Quay's repositorygc queue item, named after the namespace, tells a collector to purge it.
    let marker = one(c, "SELECT id FROM deletedrepository WHERE repository_id = ?", vec![repo_id.into()]).await?;
    let marker: i32 = marker.map(|r| r.try_get("", "id")).transpose()?.unwrap_or_default();
    let namespace = one(
        c,
        "SELECT u.username FROM repository r JOIN \"user\" u ON u.id = r.namespace_user_id WHERE r.id = ?",
        vec![repo_id.into()],
    )
    .await?;
    let namespace: String = namespace.map(|r| r.try_get("", "username")).transpose()?.unwrap_or_default();
    let body = serde_json::json!({ "marker_id": marker, "original_name": original_name }).to_string();
    let queue_name = super::queue::canonical_queue_name(&[super::queue::REPOSITORY_GC_QUEUE, &namespace]);
    let queue_id = super::queue::put(c, &queue_name, &body).await?;
    exec(c, "UPDATE deletedrepository SET queue_id = ? WHERE id = ?", vec![queue_id.into(), marker.into()]).await?;
    Ok(())
}

/// The users and robots with a direct grant on a repository, and their role.
pub async fn user_permissions<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
) -> Result<Vec<(super::user::Account, String)>, DbErr> {
    let rows = all(
        c,
        "SELECT u.id, u.username, u.email, u.organization, u.robot, u.enabled, r.name AS role \
         FROM repositorypermission p JOIN \"user\" u ON u.id = p.user_id JOIN role r ON r.id = p.role_id \
         WHERE p.repository_id = ? ORDER BY u.username",
        vec![repo_id.into()],
    )
    .await?;
    rows.iter().map(|r| Ok((super::user::account(r)?, r.try_get("", "role")?))).collect()
}

/// The teams with a grant on a repository, and their role.
pub async fn team_permissions<C: ConnectionTrait>(c: &C, repo_id: i32) -> Result<Vec<(String, String)>, DbErr> {
    let rows = all(
        c,
        "SELECT t.name AS team, r.name AS role FROM repositorypermission p JOIN team t ON t.id = p.team_id \
         JOIN role r ON r.id = p.role_id WHERE p.repository_id = ? ORDER BY t.name",
        vec![repo_id.into()],
    )
    .await?;
    rows.iter().map(|r| Ok((r.try_get("", "team")?, r.try_get("", "role")?))).collect()
}
