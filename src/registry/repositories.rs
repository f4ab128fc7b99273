//! Repositories: created (by push, the API or `quay admin`, with the organization's default
//! permissions), listed, viewed, described, made public or private, and deleted (a mark, purged
//! by garbage collection). Each change is logged as Quay does, in its own transaction.

use serde_json::json;

use super::access::{self, RepositoryAccess};
use super::{RegistryError, Result};
use crate::app::App;
use crate::auth::{Actor, Denied, Role, Scope};
use crate::db::repository::RepoRow;
use crate::db::repository::RepositoryFilter;
use crate::db::repository::RepositoryListing;
use crate::db::repository::RepositorySummary;
use crate::db::repository::repo_state;
use crate::db::tag::TagFilter;
use crate::db::tag::TagView;
use crate::oci::RepositoryName;

/// Quay's name of a repository state.
pub fn state_name(state: i32) -> &'static str {
    match state {
        repo_state::READ_ONLY => "READ_ONLY",
        repo_state::MIRROR => "MIRROR",
        repo_state::MARKED_FOR_DELETION => "MARKED_FOR_DELETION",
        repo_state::ORG_MIRROR => "ORG_MIRROR",
        _ => "NORMAL",
    }
}

/// The states an administrator may put a repository in (Quay's `changestate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Takes pushes from its writers.
    Normal,
    /// Takes no pushes or tag changes from anyone.
    ReadOnly,
    /// Takes pushes from its mirror robot only (none while no mirror is configured).
    Mirror,
}

impl State {
    /// Quay's names (`NORMAL`, `READ_ONLY`, `MIRROR`) and the command line's (`normal`,
    /// `read-only`, `mirror`).
    pub fn parse(name: &str) -> Option<State> {
        match name.to_ascii_uppercase().replace('-', "_").as_str() {
            "NORMAL" => Some(State::Normal),
            "READ_ONLY" => Some(State::ReadOnly),
            "MIRROR" => Some(State::Mirror),
            _ => None,
        }
    }

    fn value(self) -> i32 {
        match self {
            State::Normal => repo_state::NORMAL,
            State::ReadOnly => repo_state::READ_ONLY,
            State::Mirror => repo_state::MIRROR,
        }
    }
}

/// Puts the repository in `state` (admins); logged as `change_repo_state`. MIRROR needs
/// `FEATURE_REPO_MIRROR`, as in Quay. Changing the state is not a write to the repository: a
/// read-only or mirrored repository can always be put back to NORMAL.
pub async fn set_state(app: &App, actor: &Actor, path: &str, state: State) -> Result<()> {
    let target = access::resolve(app, actor, path).await?;
    target.require(actor, Role::Admin)?;
    if state == State::Mirror && !app.config.feature_repo_mirror {
        return Err(RegistryError::Unsupported(
            "Unknown Repository State: MIRROR (repository mirroring is off: FEATURE_REPO_MIRROR)".into(),
        ));
    }
    let tx = app.db.begin().await?;
    if !crate::db::repository::set_state(&tx, target.repo.id, state.value()).await? {
        return Err(RegistryError::NameUnknown);
    }
    let metadata = json!({
        "repo": target.name.repository(), "namespace": target.name.namespace(),
        "state_changed": state_name(state.value()),
    });
    crate::audit::write(&tx, actor, "change_repo_state", target.repo.namespace_id, Some(target.repo.id), &metadata)
        .await?;
    tx.commit().await?;
    Ok(())
}

fn invalid(message: &str) -> RegistryError {
    RegistryError::NameInvalid(message.to_owned())
}

/// Writes a new repository row, its creator's admin role and the organization's default
/// permissions (as Quay's `create_repository`), and logs `create_repo`; `None` when the namespace
/// does not exist.
pub(super) async fn insert(
    app: &App,
    actor: &Actor,
    name: &RepositoryName,
    public: bool,
    creator: Option<i32>,
) -> Result<Option<RepoRow>> {
    let lookups = &app.db.lookups;
    let tx = app.db.begin().await?;
    // Re-check inside the write transaction: another request may have created it meanwhile.
    if let Some(repo) =
        crate::db::repository::find_repository(&tx, name.namespace(), name.repository(), lookups.visibility_public)
            .await?
    {
        return Ok(Some(repo));
    }
    let Some(namespace) = crate::db::user::find_user(&tx, name.namespace()).await? else {
        return Ok(None);
    };
    let visibility = if public { lookups.visibility_public } else { lookups.visibility_private };
    let admin_role = lookups.role_ids.get("admin").copied().unwrap_or_default();
    crate::db::repository::create_repository(
        &tx,
        namespace.id,
        name.repository(),
        visibility,
        lookups.repository_kind_image,
        creator.map(|id| (id, admin_role)),
    )
    .await?;
    let repo =
        crate::db::repository::find_repository(&tx, name.namespace(), name.repository(), lookups.visibility_public)
            .await?
            .ok_or(RegistryError::NameUnknown)?;
    let metadata = json!({"repo": name.repository(), "namespace": name.namespace()});
    crate::audit::write(&tx, actor, "create_repo", namespace.id, Some(repo.id), &metadata).await?;
    tx.commit().await?;
    Ok(Some(repo))
}

/// Creates a repository on first push (private unless `CREATE_PRIVATE_REPO_ON_PUSH: false`), the
/// pusher its admin; `None` when the namespace does not exist.
pub(super) async fn create_on_push(app: &App, actor: &Actor, name: &RepositoryName) -> Result<Option<RepoRow>> {
    let public = !app.config.create_private_repo_on_push;
    match insert(app, actor, name, public, actor.performer_id()).await {
        Ok(repo) => Ok(repo),
        // Two pushes raced to create it (PostgreSQL runs them in parallel): the other one won.
        Err(e) => match super::find_repository(app, name).await? {
            Some(repo) => Ok(Some(repo)),
            None => Err(e),
        },
    }
}

/// Creates a repository in `namespace` (the actor's own when `None`): the actor needs
/// `repo:create` and the right to create there (their own namespace, an organization where they
/// are on an admin or creator team, a superuser acting as one, or the system).
pub async fn create(
    app: &App,
    actor: &Actor,
    namespace: Option<&str>,
    repository: &str,
    public: bool,
    description: Option<&str>,
) -> Result<RepoRow> {
    actor.require(Scope::RepoCreate)?;
    let namespace = match (namespace, actor.signed_in_user()) {
        (Some(ns), _) => ns.to_owned(),
        (None, Some(user)) => user.username.clone(),
        (None, None) => return Err(invalid("name the namespace of the repository")),
    };
    let path = format!("{namespace}/{repository}");
    let name = RepositoryName::parse(&path, None).map_err(|_| invalid("Invalid repository name"))?;
    let Some(owner) = crate::db::user::find_account(&app.db.read, &namespace).await? else {
        return Err(if actor.is_system() {
            invalid(&format!("`{namespace}` not found"))
        } else {
            Denied::Forbidden.into()
        });
    };
    if owner.robot {
        return Err(if actor.is_system() { invalid("robots have no repositories") } else { Denied::Forbidden.into() });
    }
    if !actor.reaches_everything(&app.config) {
        let user = actor.signed_in()?;
        if !crate::db::user::can_create_in_namespace(&app.db.read, user.id, owner.id).await? {
            return Err(Denied::Forbidden.into());
        }
    }
    if app.db.find_repository(&namespace, repository).await?.is_some() {
        return Err(RegistryError::Exists("Repository already exists".into()));
    }
    let repo = insert(app, actor, &name, public, actor.performer_id()).await?.ok_or(RegistryError::NameUnknown)?;
    // An empty description is kept as given (Quay answers `""`, not null, for it).
    if let Some(description) = description {
        let tx = app.db.begin().await?;
        crate::db::repository::set_repository_description(&tx, repo.id, description).await?;
        tx.commit().await?;
    }
    Ok(repo)
}

/// What a repository list shows a caller.
pub struct ListQuery<'a> {
    pub namespace: Option<&'a str>,
    pub public: bool,
    pub starred: bool,
    /// Only repositories with an id above this (the page token's).
    pub after_id: i32,
    pub limit: u64,
}

/// Repositories the actor may see, by namespace, public or starred.
pub async fn list(app: &App, actor: &Actor, q: &ListQuery<'_>) -> Result<Vec<RepositorySummary>> {
    if q.starred && actor.signed_in_user().is_none() {
        return Err(Denied::Unauthenticated.into());
    }
    if actor.signed_in_user().is_some() && !actor.has(Scope::RepoRead) {
        return Err(Denied::Forbidden.into());
    }
    let viewer = actor.signed_in_user().map(|u| (u.id, actor.reaches_everything(&app.config)));
    let filter = RepositoryFilter {
        namespace: q.namespace,
        include_public: q.public,
        starred_by: if q.starred { actor.performer_id() } else { None },
        after_id: q.after_id,
        only_id: None,
        limit: q.limit,
    };
    Ok(crate::db::repository::list_repository_summaries(
        &app.db.read,
        viewer,
        app.db.lookups.visibility_public,
        &filter,
    )
    .await?)
}

/// Every repository (of one namespace), for the system.
pub async fn listing(app: &App, namespace: Option<&str>) -> Result<Vec<RepositoryListing>> {
    Ok(crate::db::repository::list_repositories(&app.db.read, namespace, app.db.lookups.visibility_public).await?)
}

/// A repository as its view shows it.
pub struct RepositoryView {
    pub access: RepositoryAccess,
    pub summary: RepositorySummary,
    /// The namespace's time machine window.
    pub tag_expiration_s: i64,
    /// Its alive tags (at most `max_tags`), when asked for.
    pub tags: Vec<TagView>,
}

pub async fn view(app: &App, actor: &Actor, path: &str, tags: bool, max_tags: u64) -> Result<RepositoryView> {
    let access = access::resolve(app, actor, path).await?;
    access.require(actor, Role::Read)?;
    let summary = crate::db::repository::list_repository_summaries(
        &app.db.read,
        Some((actor.performer_id().unwrap_or(-1), true)),
        app.db.lookups.visibility_public,
        &RepositoryFilter {
            namespace: Some(access.name.namespace()),
            include_public: true,
            starred_by: None,
            after_id: 0,
            only_id: Some(access.repo.id),
            limit: 1,
        },
    )
    .await?;
    let summary = summary.into_iter().next().ok_or(RegistryError::NameUnknown)?;
    let settings = crate::db::user::account_settings(&app.db.read, access.repo.namespace_id).await?;
    let tags = if tags {
        let filter =
            TagFilter { only_active: true, specific: None, name_like: None, name_eq: None, offset: 0, limit: max_tags };
        crate::db::tag::tag_views(&app.db.read, access.repo.id, &filter).await?
    } else {
        Vec::new()
    };
    Ok(RepositoryView { access, summary, tag_expiration_s: settings.removed_tag_expiration_s, tags })
}

/// Sets the description (writers); logged as `set_repo_description`.
pub async fn set_description(app: &App, actor: &Actor, path: &str, description: &str) -> Result<()> {
    let target = access::resolve(app, actor, path).await?;
    target.require(actor, Role::Write)?;
    let tx = app.db.begin().await?;
    crate::db::repository::set_repository_description(&tx, target.repo.id, description).await?;
    let metadata =
        json!({"repo": target.name.repository(), "namespace": target.name.namespace(), "description": description});
    crate::audit::write(&tx, actor, "set_repo_description", target.repo.namespace_id, Some(target.repo.id), &metadata)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes the repository public or private (admins); logged as `change_repo_visibility`.
pub async fn set_visibility(app: &App, actor: &Actor, path: &str, public: bool) -> Result<()> {
    let target = access::resolve(app, actor, path).await?;
    target.require(actor, Role::Admin)?;
    let lookups = &app.db.lookups;
    let visibility = if public { lookups.visibility_public } else { lookups.visibility_private };
    let tx = app.db.begin().await?;
    crate::db::repository::set_visibility(&tx, target.repo.id, visibility).await?;
    let metadata = json!({
        "repo": target.name.repository(), "namespace": target.name.namespace(),
        "visibility": if public { "public" } else { "private" },
    });
    crate::audit::write(
        &tx,
        actor,
        "change_repo_visibility",
        target.repo.namespace_id,
        Some(target.repo.id),
        &metadata,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the repository (admins): renamed and marked at once, with a `repositorygc` item that
/// garbage collection purges; logged as `delete_repo`.
pub async fn delete(app: &App, actor: &Actor, path: &str) -> Result<()> {
    let target = access::resolve(app, actor, path).await?;
    target.require(actor, Role::Admin)?;
    let tx = app.db.begin().await?;
    crate::db::repository::mark_repository_deleted(&tx, target.repo.id, target.name.repository()).await?;
    let metadata = json!({"repo": target.name.repository(), "namespace": target.name.namespace()});
    crate::audit::write(&tx, actor, "delete_repo", target.repo.namespace_id, Some(target.repo.id), &metadata).await?;
    tx.commit().await?;
    Ok(())
}
