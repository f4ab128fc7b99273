//! Repository permissions: what users, robots and teams may do to a repository, granted and
//! revoked by its administrators (`repo:admin`) and the system, logged as Quay's
//! `change_repo_permission` and `delete_repo_permission`.

use serde_json::json;

use super::{Account, AccountError, Result, log};
use crate::app::App;
use crate::auth::{Actor, Denied, Role, Scope};
use crate::registry::access::{self, RepositoryAccess};

/// Who a permission is for: a user or robot by name, or a team of the repository's organization.
#[derive(Debug, Clone, Copy)]
pub enum Grantee<'a> {
    User(&'a str),
    Team(&'a str),
}

/// A user's or robot's permission, with whether they belong to the repository's organization.
pub struct UserPermission {
    pub account: Account,
    pub role: String,
    /// `None` outside organizations.
    pub org_member: Option<bool>,
}

/// The repository, for an actor who administers it with a credential that allows it.
async fn administered(app: &App, actor: &Actor, path: &str) -> Result<RepositoryAccess> {
    let target = access::resolve(app, actor, path).await?;
    target.require(actor, Role::Admin)?;
    if !actor.has(Scope::RepoAdmin) {
        return Err(Denied::Forbidden.into());
    }
    Ok(target)
}

async fn with_membership(app: &App, namespace: &str, account: Account, role: String) -> Result<UserPermission> {
    let org_member = match super::find(app, namespace).await?.filter(|o| o.organization) {
        Some(org) => {
            let (member, _) = crate::db::team::organization_membership(&app.db.read, org.id, account.id).await?;
            Some(member || account.username.starts_with(&format!("{namespace}+")))
        }
        None => None,
    };
    Ok(UserPermission { account, role, org_member })
}

/// Users' and robots' permissions on the repository.
pub async fn users(app: &App, actor: &Actor, path: &str) -> Result<Vec<UserPermission>> {
    let target = administered(app, actor, path).await?;
    let mut out = Vec::new();
    for (account, role) in crate::db::repository::user_permissions(&app.db.read, target.repo.id).await? {
        out.push(with_membership(app, target.name.namespace(), account, role).await?);
    }
    Ok(out)
}

/// Teams' permissions on the repository: (team, role).
pub async fn teams(app: &App, actor: &Actor, path: &str) -> Result<Vec<(String, String)>> {
    let target = administered(app, actor, path).await?;
    Ok(crate::db::repository::team_permissions(&app.db.read, target.repo.id).await?)
}

async fn grantee_ids(app: &App, namespace: &str, who: Grantee<'_>) -> Result<(Option<i32>, Option<i32>)> {
    Ok(match who {
        Grantee::User(u) => {
            let Some(a) = super::find(app, u).await? else {
                return Err(AccountError::Invalid(format!("Unknown user or robot `{u}`")));
            };
            if a.organization {
                return Err(AccountError::Invalid("permissions go to users, robots or teams".into()));
            }
            if a.robot && !u.starts_with(&format!("{namespace}+")) {
                return Err(AccountError::Invalid("Robots get grants only in their own namespace".into()));
            }
            (Some(a.id), None)
        }
        Grantee::Team(t) => {
            let org = super::find(app, namespace).await?.filter(|o| o.organization);
            let team = match org {
                Some(org) => crate::db::team::find_team(&app.db.read, org.id, t).await?,
                None => None,
            };
            (None, Some(team.ok_or_else(|| AccountError::Invalid(format!("Unknown team `{t}`")))?))
        }
    })
}

/// Quay's metadata of permission logs: the repository and who the permission is for (Quay
/// names the namespace for users' permissions only).
fn metadata(target: &RepositoryAccess, who: Grantee<'_>) -> serde_json::Value {
    match who {
        Grantee::User(u) => {
            json!({"username": u, "repo": target.name.repository(), "namespace": target.name.namespace()})
        }
        Grantee::Team(t) => json!({"team": t, "repo": target.name.repository()}),
    }
}

/// Gives `who` the `role` (read, write, admin) on the repository, replacing what they had.
pub async fn grant(app: &App, actor: &Actor, path: &str, who: Grantee<'_>, role: &str) -> Result<()> {
    let target = administered(app, actor, path).await?;
    let role_id = app
        .db
        .lookups
        .role_ids
        .get(role)
        .copied()
        .ok_or_else(|| AccountError::Invalid(format!("`{role}` is not a role (read, write, admin)")))?;
    let (user, team) = grantee_ids(app, target.name.namespace(), who).await?;
    let tx = app.db.begin().await?;
    crate::db::repository::grant(&tx, target.repo.id, user, team, role_id).await?;
    let mut metadata = metadata(&target, who);
    metadata["role"] = role.into();
    log(&tx, actor, "change_repo_permission", target.repo.namespace_id, Some(target.repo.id), &metadata).await?;
    tx.commit().await?;
    Ok(())
}

/// A user's permission, once granted.
pub async fn user(app: &App, actor: &Actor, path: &str, username: &str) -> Result<UserPermission> {
    users(app, actor, path)
        .await?
        .into_iter()
        .find(|p| p.account.username == username)
        .ok_or_else(|| AccountError::NotFound(format!("a permission of `{username}`")))
}

/// Takes `who`'s permission away.
pub async fn revoke(app: &App, actor: &Actor, path: &str, who: Grantee<'_>) -> Result<()> {
    let target = administered(app, actor, path).await?;
    let (user, team) = match grantee_ids(app, target.name.namespace(), who).await {
        Ok(ids) => ids,
        Err(AccountError::Invalid(_)) => return Err(AccountError::NotFound("such a permission".into())),
        Err(e) => return Err(e),
    };
    let tx = app.db.begin().await?;
    if !crate::db::repository::revoke(&tx, target.repo.id, user, team).await? {
        return Err(AccountError::NotFound("such a permission".into()));
    }
    let metadata = metadata(&target, who);
    log(&tx, actor, "delete_repo_permission", target.repo.namespace_id, Some(target.repo.id), &metadata).await?;
    tx.commit().await?;
    Ok(())
}
