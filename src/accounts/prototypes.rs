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

/// Quay's metadata of a default permission's logs: it, who changed it, and what it grants whom
/// (`delegate` is `("delegate_user" | "delegate_team", name)`).
fn prototype_metadata(
    actor: &Actor,
    uuid: &str,
    activating: Option<&str>,
    role: &str,
    (delegate_key, delegate): (&str, &str),
) -> serde_json::Value {
    let mut metadata = json!({
        "prototypeid": uuid,
        "username": actor.signed_in_user().map(|u| u.username.as_str()),
        "activating_username": activating,
        "role": role,
    });
    metadata[delegate_key] = delegate.into();
    metadata
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
    let delegate = match delegate {
        Delegate::User(n) => ("delegate_user", n),
        Delegate::Team(n) => ("delegate_team", n),
    };
    let metadata = prototype_metadata(actor, &uuid, activating_user, role, delegate);
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
    let gone = one(app, organization.id, uuid).await?;
    let tx = app.db.begin().await?;
    if !crate::db::prototype::delete_prototype(&tx, organization.id, uuid).await? {
        return Err(AccountError::NotFound(format!("default permission `{uuid}`")));
    }
    let delegate = match (&gone.delegate_user, &gone.delegate_team) {
        (Some((user, _, _)), _) => ("delegate_user", user.as_str()),
        (None, team) => ("delegate_team", team.as_deref().unwrap_or_default()),
    };
    let activating = gone.activating_user.as_ref().map(|(name, _, _)| name.as_str());
    let metadata = prototype_metadata(actor, uuid, activating, &gone.role, delegate);
    log(&tx, actor, "delete_prototype_permission", organization.id, None, &metadata).await?;
    tx.commit().await?;
    Ok(())
}
