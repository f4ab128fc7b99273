//! Users: the first user of an empty registry, creation, password, email, enabled state, listing
//! and deletion, by the user themself, a superuser or the system.

use serde_json::json;

use super::{Account, AccountError, AccountSettings, Membership, Result, log, person, require_superuser};
use crate::app::App;
use crate::auth::{Actor, Denied, Scope};

/// What `user/initialize` gives back: the user, and an OAuth token with every scope if asked for.
pub struct Initialized {
    pub account: Account,
    pub access_token: Option<String>,
}

/// The scopes of the token `user/initialize` issues: all of Quay's.
const INITIALIZE_SCOPES: &str = "org:admin repo:admin repo:create repo:read repo:write super:user user:admin user:read";

/// Quay's `user/initialize`: the first user of an empty database, by anyone, once.
pub async fn initialize(
    app: &App,
    username: &str,
    email: Option<&str>,
    password: &str,
    access_token: bool,
) -> Result<Initialized> {
    if !app.config.feature_user_initialize {
        return Err(AccountError::Invalid("Cannot initialize user, FEATURE_USER_INITIALIZE is False".into()));
    }
    if crate::db::user::count_users(&app.db.read).await? > 0 {
        return Err(AccountError::Invalid("Cannot initialize user in a non-empty database".into()));
    }
    let email = email.map(str::to_owned).unwrap_or_else(|| format!("{username}@localhost"));
    let account = insert(app, username, &email, password).await?;
    let access_token = if access_token {
        // Quay's application for it: `automation`, with the user's name as its client id.
        let description = "Application token generated via /api/v1/user/initialize";
        let token =
            super::tokens::create_oauth_token(app, account.id, username, "automation", description, INITIALIZE_SCOPES);
        Some(token.await?)
    } else {
        None
    };
    Ok(Initialized { account, access_token })
}

/// Whether the registry has any user yet (the first start creates one).
pub async fn any(app: &App) -> Result<bool> {
    Ok(crate::db::user::count_users(&app.db.read).await? > 0)
}

/// A valid address no other user has (Quay's `user_email_unique_non_org` index).
async fn check_email(app: &App, email: &str, except: Option<i32>) -> Result<()> {
    if !email.contains('@') || email.len() > 255 {
        return Err(AccountError::Invalid("Invalid email address".into()));
    }
    if crate::db::user::email_in_use(&app.db.read, email, except).await? {
        return Err(AccountError::Invalid("Email address is already in use".into()));
    }
    Ok(())
}

async fn insert(app: &App, name: &str, email: &str, password: &str) -> Result<Account> {
    super::free_name(app, name).await?;
    super::validate_password(password)?;
    let hash = crate::auth::hash_password(password)?;
    let tx = app.db.begin().await?;
    let id = crate::db::user::create_user(&tx, name, email, &hash).await?;
    tx.commit().await?;
    Ok(Account {
        id,
        username: name.to_owned(),
        email: email.to_owned(),
        organization: false,
        robot: false,
        enabled: true,
    })
}

/// Creates a user (superusers and the system); logged as Quay's `user_create`.
pub async fn create(app: &App, actor: &Actor, name: &str, email: Option<&str>, password: &str) -> Result<Account> {
    require_superuser(actor)?;
    if let Some(email) = email {
        check_email(app, email, None).await?;
    }
    let email = email.map(str::to_owned).unwrap_or_else(|| format!("{name}@localhost"));
    let created = insert(app, name, &email, password).await?;
    let tx = app.db.begin().await?;
    log(&tx, actor, "user_create", created.id, None, &json!({"username": name, "email": email})).await?;
    tx.commit().await?;
    Ok(created)
}

/// A change of a user's password, email or enabled state; what is `None` stays.
#[derive(Debug, Default)]
pub struct Change<'a> {
    pub password: Option<&'a str>,
    pub email: Option<&'a str>,
    pub enabled: Option<bool>,
}

/// Changes a user as a superuser (but not another superuser, or themself that way) or the system.
pub async fn change(app: &App, actor: &Actor, name: &str, change: &Change<'_>) -> Result<Account> {
    require_superuser(actor)?;
    let target = person(app, name).await?;
    if !actor.is_system() && app.config.is_superuser(name) {
        return Err(AccountError::Invalid("Cannot update a superuser".into()));
    }
    apply(app, actor, &target, change).await
}

/// Changes the signed-in user themself (`user:admin`, with their password or an OAuth token; not
/// their enabled state).
pub async fn change_own(app: &App, actor: &Actor, change: &Change<'_>) -> Result<Account> {
    actor.require(Scope::UserAdmin)?;
    let user = actor.signed_in()?;
    if user.robot || user.app_token.is_some() {
        return Err(Denied::Forbidden.into());
    }
    if change.enabled.is_some() {
        return Err(AccountError::Invalid("enabled is changed by superusers only".into()));
    }
    let target = person(app, &user.username).await?;
    apply(app, actor, &target, change).await
}

/// Checks everything before anything changes; logs each change as Quay does.
async fn apply(app: &App, actor: &Actor, target: &Account, change: &Change<'_>) -> Result<Account> {
    let name = target.username.as_str();
    if let Some(email) = change.email {
        check_email(app, email, Some(target.id)).await?;
    }
    let hash = match change.password {
        Some(password) => {
            super::validate_password(password)?;
            Some(crate::auth::hash_password(password)?)
        }
        None => None,
    };
    let tx = app.db.begin().await?;
    if let Some(hash) = &hash {
        crate::db::user::set_password(&tx, target.id, hash).await?;
        log(&tx, actor, "user_change_password", target.id, None, &json!({"username": name})).await?;
    }
    if let Some(email) = change.email {
        crate::db::user::set_email(&tx, target.id, email).await?;
        log(&tx, actor, "user_change_email", target.id, None, &json!({"username": name, "email": email})).await?;
    }
    if let Some(enabled) = change.enabled {
        crate::db::user::set_enabled(&tx, target.id, enabled).await?;
        let kind = if enabled { "user_enable" } else { "user_disable" };
        log(&tx, actor, kind, target.id, None, &json!({"username": name})).await?;
    }
    tx.commit().await?;
    person(app, name).await
}

/// Every user, or every organization (superusers and the system).
pub async fn list(app: &App, actor: &Actor, organizations: bool) -> Result<Vec<Account>> {
    require_superuser(actor)?;
    Ok(crate::db::user::list_accounts(&app.db.read, organizations, false, None).await?)
}

/// A user, for a superuser or the system.
pub async fn get(app: &App, actor: &Actor, name: &str) -> Result<Account> {
    require_superuser(actor)?;
    person(app, name).await
}

/// Deletes a user (superusers, but not of another superuser, and the system): disabled and renamed
/// at once, purged by garbage collection later.
pub async fn delete(app: &App, actor: &Actor, name: &str) -> Result<()> {
    require_superuser(actor)?;
    let target = match super::find(app, name).await? {
        Some(a) if a.organization => return Err(AccountError::Invalid(format!("`{name}` is not a user"))),
        Some(a) if !a.robot => a,
        _ => return Err(AccountError::NotFound(format!("user `{name}`"))),
    };
    if !actor.is_system() && app.config.is_superuser(name) {
        return Err(AccountError::Invalid("Cannot delete a superuser".into()));
    }
    super::delete_namespace(app, actor, &target).await
}

/// What `GET /user/` shows the signed-in user about themself.
pub struct Profile {
    pub account: Account,
    pub settings: AccountSettings,
    pub organizations: Vec<Membership>,
}

pub async fn profile(app: &App, actor: &Actor) -> Result<Profile> {
    actor.require(Scope::UserRead)?;
    let user = actor.signed_in()?;
    let account = super::account(app, &user.username).await?;
    let settings = crate::db::user::account_settings(&app.db.read, user.id).await?;
    let organizations = crate::db::user::organizations_of(&app.db.read, user.id).await?;
    Ok(Profile { account, settings, organizations })
}
