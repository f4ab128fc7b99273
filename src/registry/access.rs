//! Who may do what to a repository, decided once for every door: an actor's role on it (owner,
//! direct and team grants, organization admins, superusers acting as such), capped by what their
//! credential allows; and whether the repository takes writes at all.

use super::{RegistryError, Result};
use crate::app::App;
use crate::auth::{Actor, Denied, Identity, Role, User};
use crate::db::repository::RepoRow;
use crate::db::repository::repo_state;
use crate::oci::RepositoryName;

/// A repository and what an actor may do to it.
pub struct RepositoryAccess {
    pub name: RepositoryName,
    pub repo: RepoRow,
    /// The actor's role, capped by their credential's scopes; `None`: no role (public repositories
    /// can still be read).
    pub role: Option<Role>,
}

impl RepositoryAccess {
    /// `namespace/name` of the repository.
    pub fn path(&self) -> String {
        self.name.to_string()
    }

    /// Whether the actor may do what `needed` allows: reads of public repositories need no role;
    /// otherwise unauthenticated for nobody, forbidden for a signed-in actor without the role.
    pub fn require(&self, actor: &Actor, needed: Role) -> Result<(), Denied> {
        if needed == Role::Read && self.repo.public && self.repo.namespace_enabled {
            return Ok(());
        }
        if self.role.is_some_and(|r| r >= needed) {
            return Ok(());
        }
        match actor.identity {
            Identity::Anonymous => Err(Denied::Unauthenticated),
            _ => Err(Denied::Forbidden),
        }
    }
}

/// The repository at `path` and the actor's role on it. A missing repository is `NAME_UNKNOWN`
/// only to those who would read it if it existed (its namespace's owner or administrators, and
/// whoever reaches everything); everyone else is refused as for a private repository, so that
/// the answer does not tell which private repositories exist (Quay's `require_repo_permission`).
pub async fn resolve(app: &App, actor: &Actor, path: &str) -> Result<RepositoryAccess> {
    let name = RepositoryName::parse(path, None).map_err(|_| RegistryError::NameUnknown)?;
    let Some(repo) = super::find_repository(app, &name).await? else {
        return Err(if would_read(app, actor, &name).await? {
            RegistryError::NameUnknown
        } else {
            RegistryError::Access(match actor.identity {
                Identity::Anonymous => Denied::Unauthenticated,
                _ => Denied::Forbidden,
            })
        });
    };
    let role = role(app, actor, &repo).await?;
    Ok(RepositoryAccess { name, repo, role })
}

/// An actor's role on a repository. A superuser has every repository's admin role only where
/// they reach everything ([`Actor::reaches_everything`]); scopes cap the role as Quay's do. In a
/// disabled namespace nobody but the system has a role.
pub async fn role(app: &App, actor: &Actor, repo: &RepoRow) -> Result<Option<Role>> {
    if !repo.namespace_enabled && !actor.is_system() {
        return Ok(None);
    }
    let identity = match &actor.identity {
        Identity::User(u) if u.superuser && !actor.reaches_everything(&app.config) => {
            Identity::User(User { superuser: false, ..u.clone() })
        }
        other => other.clone(),
    };
    let role = crate::auth::repository_role(&app.db, &identity, repo).await?;
    Ok(role.min(actor.max_role()))
}

/// Whether the actor would read any repository of `name`'s namespace (so may learn that one is
/// missing).
pub async fn would_read(app: &App, actor: &Actor, name: &RepositoryName) -> Result<bool> {
    if actor.reaches_everything(&app.config) {
        return Ok(true);
    }
    let Some(user) = actor.signed_in_user() else { return Ok(false) };
    let Some(ns) = crate::db::user::find_user(&app.db.read, name.namespace()).await? else { return Ok(false) };
    if !ns.enabled || user.robot {
        return Ok(false);
    }
    if ns.id == user.id {
        return Ok(true);
    }
    Ok(ns.organization && crate::db::team::organization_membership(&app.db.read, ns.id, user.id).await?.1)
}

/// Why a repository takes no writes now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotWritable {
    /// `REGISTRY_STATE: readonly` or `DISABLE_PUSHES`.
    RegistryReadOnly,
    /// The repository's state is READ_ONLY.
    ReadOnly,
    /// The repository is mirrored and the writer is not its mirror robot.
    Mirrored,
    /// The repository is being deleted.
    MarkedForDeletion,
    /// Its namespace is disabled (deleted, or a disabled user).
    NamespaceDisabled,
}

impl NotWritable {
    pub fn message(self) -> &'static str {
        match self {
            NotWritable::RegistryReadOnly => "the registry is read-only",
            NotWritable::ReadOnly => "the repository is read-only",
            NotWritable::Mirrored => "the repository is a mirror; only its mirror robot writes to it",
            NotWritable::MarkedForDeletion => "the repository is being deleted",
            NotWritable::NamespaceDisabled => "the repository's namespace is disabled",
        }
    }
}

/// Whether `repo` takes a write from `writer` now: the one rule every door applies (`/v2` pushes
/// and deletes, `/v2/auth` grants, `/api/v1` and `quay admin` changes, mirrors). A mirrored
/// repository takes writes from its mirror robot only; the system (`quay admin`) writes to
/// read-only and mirrored repositories, but never while the registry is read-only.
pub async fn writable(app: &App, repo: &RepoRow, writer: &Actor) -> Result<(), NotWritable> {
    if app.config.read_only() {
        return Err(NotWritable::RegistryReadOnly);
    }
    if !repo.namespace_enabled {
        return Err(NotWritable::NamespaceDisabled);
    }
    match repo.state {
        repo_state::NORMAL => Ok(()),
        _ if writer.is_system() && repo.state != repo_state::MARKED_FOR_DELETION => Ok(()),
        repo_state::MIRROR => {
            let robot = crate::db::repository::mirror_robot(&app.db.read, repo.id).await.ok().flatten();
            match writer.signed_in_user() {
                Some(user) if robot == Some(user.id) => Ok(()),
                _ => Err(NotWritable::Mirrored),
            }
        }
        repo_state::READ_ONLY => Err(NotWritable::ReadOnly),
        // Filled by an organization mirror, which this registry does not run: nobody writes.
        repo_state::ORG_MIRROR => Err(NotWritable::Mirrored),
        _ => Err(NotWritable::MarkedForDeletion),
    }
}

/// [`writable`] as an error of the registry.
pub async fn require_writable(app: &App, repo: &RepoRow, writer: &Actor) -> Result<()> {
    writable(app, repo, writer).await.map_err(RegistryError::NotWritable)
}

/// What a registry token for `repository:<name>:<actions>` grants the actor: `pull` to readers
/// (and anyone on public repositories), `push` and `delete` to writers of a repository that takes
/// their writes, `*` to admins. A push into a repository that does not exist yet creates it when
/// the actor may create there (and, with `CREATE_NAMESPACE_ON_PUSH`, its namespace as an
/// organization they own). A disabled namespace refuses the request (Quay's 405).
pub async fn grant(app: &App, actor: &Actor, name: &RepositoryName, requested: &[&str]) -> Result<Vec<String>> {
    let namespace = crate::db::user::find_user(&app.db.read, name.namespace()).await?;
    if namespace.as_ref().is_some_and(|ns| !ns.enabled) {
        // Quay's answer: 405 DENIED for the whole request.
        return Err(RegistryError::NotWritable(NotWritable::NamespaceDisabled));
    }
    let registry_writable = !app.config.read_only();
    let mut repo = super::find_repository(app, name).await?;
    if repo.is_none() && requested.contains(&"push") && registry_writable && may_create(app, actor, name).await? {
        repo = super::repositories::create_on_push(app, actor, name).await?;
    }
    // A proxy cache organization's members pull any repository of it, cached yet or not.
    let proxy_pull = match &namespace {
        Some(ns) if requested.contains(&"pull") => super::proxy::may_pull(app, actor, ns.id).await?,
        _ => false,
    };
    let Some(repo) = repo else {
        return Ok(if proxy_pull { vec!["pull".to_owned()] } else { Vec::new() });
    };
    let role = role(app, actor, &repo).await?;
    let writes = writable(app, &repo, actor).await.is_ok();
    let mut granted: Vec<String> = Vec::new();
    for action in requested {
        let ok = match *action {
            "pull" => role.is_some() || repo.public || proxy_pull,
            // `delete` is what distribution clients ask for; Quay lets writers delete.
            "push" | "delete" => writes && role >= Some(Role::Write),
            _ => writes && role == Some(Role::Admin),
        };
        if ok && !granted.iter().any(|g| g == action) {
            granted.push((*action).to_owned());
        }
    }
    Ok(granted)
}

/// Whether the actor may create a repository in `name`'s namespace by pushing to it.
async fn may_create(app: &App, actor: &Actor, name: &RepositoryName) -> Result<bool> {
    let Some(user) = actor.signed_in_user() else { return Ok(false) };
    if user.oauth.as_ref().is_some_and(|g| !g.create) {
        return Ok(false);
    }
    let Some(ns) = crate::db::user::find_user(&app.db.read, name.namespace()).await? else {
        // Quay's CREATE_NAMESPACE_ON_PUSH: a missing namespace becomes an organization owned by
        // the pusher (robots never create namespaces).
        if !app.config.create_namespace_on_push || user.robot {
            return Ok(false);
        }
        return match crate::accounts::organizations::create(app, actor, name.namespace(), None, None).await {
            Ok(_) => Ok(true),
            // Someone else created it meanwhile (it is theirs), or the name is not one.
            Err(crate::accounts::AccountError::Exists(_) | crate::accounts::AccountError::Invalid(_)) => Ok(false),
            Err(crate::accounts::AccountError::Denied(_)) => Ok(false),
            Err(e) => Err(RegistryError::Internal(anyhow::anyhow!("cannot create namespace: {e}"))),
        };
    };
    if !ns.enabled || ns.robot {
        return Ok(false);
    }
    if actor.reaches_everything(&app.config) {
        return Ok(true);
    }
    Ok(crate::db::user::can_create_in_namespace(&app.db.read, user.id, ns.id).await?)
}
