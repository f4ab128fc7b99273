//! Organizations: creation with an `owners` team, the view members and admins get, email and time
//! machine window, members, deletion.

use serde_json::json;

use super::{Account, AccountError, AccountSettings, Result, TeamView, administered, log, organization};
use crate::app::App;
use crate::auth::{Actor, Denied, Scope};

/// Quay's default `TAG_EXPIRATION_OPTIONS` (`0s, 1d, 1w, 2w, 4w`), in seconds.
pub const TAG_EXPIRATION_OPTIONS: [i64; 5] = [0, 86_400, 604_800, 1_209_600, 2_419_200];

/// Creates an organization. A user creating one (`user:admin`; robots cannot) joins its
/// `owners` team; the system names the user who does, if anyone.
pub async fn create(app: &App, actor: &Actor, name: &str, email: Option<&str>, admin: Option<&str>) -> Result<Account> {
    let owner = if actor.is_system() {
        match admin {
            Some(a) => Some(super::account(app, a).await?),
            None => None,
        }
    } else {
        actor.require(Scope::UserAdmin)?;
        let user = actor.signed_in()?;
        if user.robot {
            return Err(Denied::Forbidden.into());
        }
        Some(super::account(app, &user.username).await?)
    };
    if owner.as_ref().is_some_and(|o| o.organization || o.robot) {
        return Err(AccountError::Invalid("an organization's first admin is a user".into()));
    }
    super::free_name(app, name).await?;
    let admin_role = team_role(app, "admin")?;
    let email = email.filter(|e| !e.is_empty());
    let tx = app.db.begin().await?;
    let id = crate::db::namespace::create_organization(
        &tx,
        name,
        email.unwrap_or(&uuid::Uuid::new_v4().to_string()),
        admin_role,
        owner.map(|o| o.id),
    )
    .await?;
    log(&tx, actor, "org_create", id, None, &json!({"email": email, "namespace": name})).await?;
    tx.commit().await?;
    organization(app, name).await
}

pub(super) fn team_role(app: &App, role: &str) -> Result<i32> {
    app.db
        .lookups
        .team_role_ids
        .get(role)
        .copied()
        .ok_or_else(|| AccountError::Invalid(format!("`{role}` is not a team role (admin, creator, member)")))
}

/// An organization as a caller sees it: members see its teams, admins its settings too.
pub struct OrganizationView {
    pub organization: Account,
    pub member: bool,
    pub admin: bool,
    pub teams: Option<Vec<TeamView>>,
    pub settings: Option<AccountSettings>,
}

pub async fn view(app: &App, actor: &Actor, name: &str) -> Result<OrganizationView> {
    let org = organization(app, name).await?;
    let (member, admin) = match actor.signed_in_user() {
        Some(u) => crate::db::team::organization_membership(&app.db.read, org.id, u.id).await?,
        None => (false, false),
    };
    let admin = admin || actor.reaches_everything(&app.config);
    let teams = if member || admin { Some(crate::db::team::teams_of(&app.db.read, org.id).await?) } else { None };
    let settings = if admin { Some(crate::db::user::account_settings(&app.db.read, org.id).await?) } else { None };
    Ok(OrganizationView { organization: org, member, admin, teams, settings })
}

/// Changes an organization's email and time machine window (one of Quay's options), each logged.
pub async fn update(
    app: &App,
    actor: &Actor,
    name: &str,
    email: Option<&str>,
    tag_expiration_s: Option<i64>,
) -> Result<OrganizationView> {
    let org = administered(app, actor, name).await?;
    if tag_expiration_s.is_some_and(|s| !TAG_EXPIRATION_OPTIONS.contains(&s)) {
        return Err(AccountError::Invalid("Invalid tag expiration option".into()));
    }
    if email.is_some_and(|e| !e.contains('@')) {
        return Err(AccountError::Invalid("Invalid email address".into()));
    }
    let tx = app.db.begin().await?;
    if let Some(seconds) = tag_expiration_s {
        crate::db::user::set_tag_expiration_window(&tx, org.id, seconds).await?;
        let metadata = json!({"namespace": name, "tag_expiration": seconds});
        log(&tx, actor, "org_change_tag_expiration", org.id, None, &metadata).await?;
    }
    if let Some(email) = email {
        crate::db::user::set_email(&tx, org.id, email).await?;
        log(&tx, actor, "org_change_email", org.id, None, &json!({"namespace": name, "email": email})).await?;
    }
    tx.commit().await?;
    view(app, actor, name).await
}

/// Deletes an organization (its admins, superusers and the system): disabled and renamed at
/// once, purged by garbage collection later.
pub async fn delete(app: &App, actor: &Actor, name: &str) -> Result<()> {
    let org = if actor.reaches_everything(&app.config) {
        organization(app, name).await?
    } else {
        administered(app, actor, name).await?
    };
    super::delete_namespace(app, actor, &org).await
}

/// Deletes any organization from the superuser panel (a superuser acting as one, with or without
/// `FEATURE_SUPERUSERS_FULL_ACCESS`, as Quay's `/superuser/organizations/{name}`).
pub async fn delete_by_superuser(app: &App, actor: &Actor, name: &str) -> Result<()> {
    super::require_superuser(actor)?;
    let org = organization(app, name).await?;
    super::delete_namespace(app, actor, &org).await
}

/// Everyone on one of the organization's teams, with their teams.
pub async fn members(app: &App, actor: &Actor, name: &str) -> Result<Vec<(Account, Vec<String>)>> {
    let org = administered(app, actor, name).await?;
    Ok(crate::db::team::organization_members(&app.db.read, org.id).await?)
}
