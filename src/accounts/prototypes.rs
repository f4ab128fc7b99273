//! Default permissions of an organization (Quay's permission prototypes): a role on every new
//! repository for a user, robot or team, optionally only for repositories a given user creates.

use serde_json::json;

use super::{AccountError, Prototype, Result, administered, log};
use crate::app::App;
use crate::auth::Actor;

/// Who a default permission grants to.
#[derive(Debug, Clone, Copy)]
pub enum Delegate<'a> {
    /// A user, or one of the organization's robots.
    User(&'a str),
    Team(&'a str),
}

fn role_id(app: &App, role: &str) -> Result<i32> {
    app.db
        .lookups
        .role_ids
        .get(role)
        .copied()
        .ok_or_else(|| AccountError::Invalid("role must be read, write or admin".into()))
}

pub async fn list(app: &App, actor: &Actor, org: &str) -> Result<Vec<Prototype>> {
    let org = administered(app, actor, org).await?;
    Ok(crate::db::prototype::prototypes(&app.db.read, org.id, None).await?)
}

async fn one(app: &App, org_id: i32, uuid: &str) -> Result<Prototype> {
    let found = crate::db::prototype::prototypes(&app.db.read, org_id, Some(uuid)).await?;
    found.into_iter().next().ok_or_else(|| AccountError::NotFound(format!("default permission `{uuid}`")))
}

/// Adds a default permission; logged as Quay's `create_prototype_permission`.
pub async fn create(
    app: &App,
    actor: &Actor,
    org: &str,
    delegate: Delegate<'_>,
    role: &str,
    activating_user: Option<&str>,
) -> Result<Prototype> {
    let organization = administered(app, actor, org).await?;
    let role_id = role_id(app, role)?;
    let (delegate_user, delegate_team) = match delegate {
        Delegate::Team(name) => {
            let team = crate::db::team::find_team(&app.db.read, organization.id, name).await?;
            (None, Some(team.ok_or_else(|| AccountError::Invalid("Unknown team".into()))?))
        }
        Delegate::User(name) => {
            let user = super::find(app, name).await?.filter(|a| !a.organization);
            let user = user.ok_or_else(|| AccountError::Invalid("Unknown user or robot".into()))?;
            if user.robot && !user.username.starts_with(&format!("{org}+")) {
                return Err(AccountError::Invalid("Only this organization's robots can be delegates".into()));
            }
            (Some(user.id), None)
        }
    };
    let activating = match activating_user {
        Some(name) => {
            let user = super::find(app, name).await?.filter(|u| !u.organization && !u.robot);
            Some(user.ok_or_else(|| AccountError::Invalid("Unknown activating user".into()))?.id)
        }
        None => None,
    };
    let tx = app.db.begin().await?;
    let uuid =
        crate::db::prototype::create_prototype(&tx, organization.id, activating, delegate_user, delegate_team, role_id)
            .await?;
    let (name, kind) = match delegate {
        Delegate::User(n) => (n, "user"),
        Delegate::Team(n) => (n, "team"),
    };
    let metadata = json!({
        "delegate": {"name": name, "kind": kind},
        "activating_user": activating_user,
        "role": role,
    });
    log(&tx, actor, "create_prototype_permission", organization.id, None, &metadata).await?;
    tx.commit().await?;
    one(app, organization.id, &uuid).await
}

/// Changes a default permission's role; logged as `modify_prototype_permission`.
pub async fn set_role(app: &App, actor: &Actor, org: &str, uuid: &str, role: &str) -> Result<Prototype> {
    let organization = administered(app, actor, org).await?;
    let role_id = role_id(app, role)?;
    let tx = app.db.begin().await?;
    if !crate::db::prototype::set_prototype_role(&tx, organization.id, uuid, role_id).await? {
        return Err(AccountError::NotFound(format!("default permission `{uuid}`")));
    }
    log(&tx, actor, "modify_prototype_permission", organization.id, None, &json!({"id": uuid, "role": role})).await?;
    tx.commit().await?;
    one(app, organization.id, uuid).await
}

/// Removes a default permission; logged as `delete_prototype_permission`.
pub async fn delete(app: &App, actor: &Actor, org: &str, uuid: &str) -> Result<()> {
    let organization = administered(app, actor, org).await?;
    let tx = app.db.begin().await?;
    if !crate::db::prototype::delete_prototype(&tx, organization.id, uuid).await? {
        return Err(AccountError::NotFound(format!("default permission `{uuid}`")));
    }
    log(&tx, actor, "delete_prototype_permission", organization.id, None, &json!({"id": uuid})).await?;
    tx.commit().await?;
    Ok(())
}
