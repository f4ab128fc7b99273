//! Teams of an organization: created or changed (role, description), deleted, and their members;
//! an organization always keeps an admin team with a person on it.

use serde_json::json;

use super::{Account, AccountError, Result, TeamView, administered, log};
use crate::app::App;
use crate::auth::Actor;

/// A team of an organization the actor administers.
async fn team(app: &App, org_id: i32, team: &str) -> Result<TeamView> {
    crate::db::team::team(&app.db.read, org_id, team)
        .await?
        .ok_or_else(|| AccountError::NotFound(format!("team `{team}`")))
}

/// Whether `team_id` is the organization's only team with the admin role.
async fn last_admin_team(app: &App, org_id: i32, team_id: i32) -> Result<bool> {
    let teams = crate::db::team::teams_of(&app.db.read, org_id).await?;
    Ok(!teams.iter().any(|t| t.role == "admin" && t.id != team_id))
}

/// Creates the team, or changes its role and description (`None`: kept, or empty for a new team);
/// logged as Quay's `org_create_team`, `org_set_team_role`, `org_set_team_description`.
pub async fn put(
    app: &App,
    actor: &Actor,
    org: &str,
    name: &str,
    role: &str,
    description: Option<&str>,
) -> Result<(TeamView, bool)> {
    let organization = administered(app, actor, org).await?;
    let Some(&role_id) = app.db.lookups.team_role_ids.get(role) else {
        return Err(AccountError::Invalid("role must be member, creator or admin".into()));
    };
    super::validate_namespace(name).map_err(|_| AccountError::Invalid("Invalid team name".into()))?;
    let tx = app.db.begin().await?;
    let existing = crate::db::team::team(&tx, organization.id, name).await?;
    let description = description
        .map(str::to_owned)
        .unwrap_or_else(|| existing.as_ref().map(|t| t.description.clone()).unwrap_or_default());
    match &existing {
        None => {
            crate::db::team::create_team(&tx, organization.id, name, role_id, &description).await?;
            log(&tx, actor, "org_create_team", organization.id, None, &json!({"team": name})).await?;
        }
        Some(t) => {
            if t.role == "admin" && role != "admin" && last_admin_team(app, organization.id, t.id).await? {
                return Err(AccountError::Invalid("Cannot change the role of the last admin team".into()));
            }
            crate::db::team::update_team(&tx, t.id, role_id, &description).await?;
            if t.role != role {
                let metadata = json!({"team": name, "role": role});
                log(&tx, actor, "org_set_team_role", organization.id, None, &metadata).await?;
            }
            if t.description != description {
                let metadata = json!({"team": name, "description": description});
                log(&tx, actor, "org_set_team_description", organization.id, None, &metadata).await?;
            }
        }
    }
    tx.commit().await?;
    Ok((team(app, organization.id, name).await?, existing.is_none()))
}

/// Creates a team that does not exist yet.
pub async fn create(app: &App, actor: &Actor, org: &str, name: &str, role: &str) -> Result<TeamView> {
    let organization = administered(app, actor, org).await?;
    if crate::db::team::team(&app.db.read, organization.id, name).await?.is_some() {
        return Err(AccountError::Exists(format!("team `{name}`")));
    }
    Ok(put(app, actor, org, name, role, None).await?.0)
}

/// Deletes a team, unless it is the organization's last admin team.
pub async fn delete(app: &App, actor: &Actor, org: &str, name: &str) -> Result<()> {
    let organization = administered(app, actor, org).await?;
    let t = team(app, organization.id, name).await?;
    if t.role == "admin" && last_admin_team(app, organization.id, t.id).await? {
        return Err(AccountError::Invalid("Cannot delete the last admin team of an organization".into()));
    }
    let tx = app.db.begin().await?;
    crate::db::team::delete_team(&tx, t.id).await?;
    log(&tx, actor, "org_delete_team", organization.id, None, &json!({"team": name})).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn members(app: &App, actor: &Actor, org: &str, name: &str) -> Result<Vec<Account>> {
    let organization = administered(app, actor, org).await?;
    let t = team(app, organization.id, name).await?;
    Ok(crate::db::team::team_members(&app.db.read, t.id).await?)
}

/// Adds a user, or one of the organization's robots, to a team.
pub async fn add_member(app: &App, actor: &Actor, org: &str, name: &str, member: &str) -> Result<Account> {
    let organization = administered(app, actor, org).await?;
    let t = team(app, organization.id, name).await?;
    let Some(account) = super::find(app, member).await? else {
        return Err(AccountError::Invalid(format!("Unknown user or robot `{member}`")));
    };
    if account.organization || (account.robot && !member.starts_with(&format!("{org}+"))) {
        return Err(AccountError::Invalid("Only users and this organization's robots can join its teams".into()));
    }
    let tx = app.db.begin().await?;
    crate::db::team::add_team_member(&tx, t.id, account.id).await?;
    log(&tx, actor, "org_add_team_member", organization.id, None, &json!({"team": name, "member": member})).await?;
    tx.commit().await?;
    Ok(account)
}

/// Removes a member, unless that leaves the last admin team without a person.
pub async fn remove_member(app: &App, actor: &Actor, org: &str, name: &str, member: &str) -> Result<()> {
    let organization = administered(app, actor, org).await?;
    let t = team(app, organization.id, name).await?;
    let account = super::find(app, member).await?.ok_or_else(|| AccountError::NotFound(format!("`{member}`")))?;
    if t.role == "admin" && last_admin_team(app, organization.id, t.id).await? {
        // Robots on the team do not count: someone must be left to administer the organization.
        let people = crate::db::team::team_members(&app.db.read, t.id).await?;
        if !people.iter().any(|m| !m.robot && m.id != account.id) {
            return Err(AccountError::Invalid("Cannot remove the last member of the last admin team".into()));
        }
    }
    let tx = app.db.begin().await?;
    if !crate::db::team::remove_team_member(&tx, t.id, account.id).await? {
        return Err(AccountError::NotFound(format!("`{member}` in team `{name}`")));
    }
    log(&tx, actor, "org_remove_team_member", organization.id, None, &json!({"team": name, "member": member})).await?;
    tx.commit().await?;
    Ok(())
}

/// Teams of the organization, for its administrators.
pub async fn list(app: &App, actor: &Actor, org: &str) -> Result<Vec<TeamView>> {
    let organization = administered(app, actor, org).await?;
    Ok(crate::db::team::teams_of(&app.db.read, organization.id).await?)
}
