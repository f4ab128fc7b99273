//! Accounts and repositories for tests, made through the domain layer the way the operator's
//! `quay admin` makes them (the system actor), with the old call shapes of the test suite.

use quay::accounts::{self, Owner, organizations, permissions, robots, teams, tokens, users};
use quay::app::App;
use quay::auth::Actor;
use quay::auth::secret::FieldEncryption;
use quay::registry::repositories;

pub use quay::accounts::AccountError as IdentityError;
pub use quay::accounts::permissions::Grantee;

type Result<T> = std::result::Result<T, String>;

fn system() -> Actor {
    Actor::system()
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

pub async fn create_org(app: &App, name: &str, admin: Option<&str>) -> std::result::Result<(), IdentityError> {
    organizations::create(app, &system(), name, None, admin).await.map(|_| ())
}

pub async fn create_team(app: &App, org: &str, team: &str, role: &str) -> Result<()> {
    teams::create(app, &system(), org, team, role).await.map(|_| ()).map_err(err)
}

pub async fn add_member(app: &App, org: &str, team: &str, member: &str) -> Result<()> {
    teams::add_member(app, &system(), org, team, member).await.map(|_| ()).map_err(err)
}

pub async fn remove_member(app: &App, org: &str, team: &str, member: &str) -> Result<()> {
    teams::remove_member(app, &system(), org, team, member).await.map_err(err)
}

pub async fn create_user(app: &App, name: &str, email: Option<&str>, password: &str) -> Result<()> {
    crate::common::secret(password);
    users::create(app, &system(), name, email, password).await.map(|_| ()).map_err(err)
}

pub async fn set_enabled(app: &App, name: &str, enabled: bool) -> Result<()> {
    let account = accounts::find(app, name).await.map_err(err)?.ok_or("no such account")?;
    if account.organization {
        // Organizations are disabled in the database directly: Quay has no operation for it.
        let statement = quay::db::sql(
            app.db.backend(),
            "UPDATE \"user\" SET enabled = ? WHERE id = ?",
            [enabled.into(), account.id.into()],
        );
        return sea_orm::ConnectionTrait::execute_raw(&app.db.write, statement).await.map(|_| ()).map_err(err);
    }
    let change = users::Change { enabled: Some(enabled), ..Default::default() };
    users::change(app, &system(), name, &change).await.map(|_| ()).map_err(err)
}

pub async fn set_password(app: &App, name: &str, password: &str) -> Result<()> {
    crate::common::secret(password);
    let change = users::Change { password: Some(password), ..Default::default() };
    users::change(app, &system(), name, &change).await.map(|_| ()).map_err(err)
}

pub async fn create_robot(
    app: &App,
    _secrets: Option<&FieldEncryption>,
    namespace: &str,
    short: &str,
    description: &str,
) -> Result<(String, String)> {
    let robot = robots::create(app, &system(), Owner::Named(namespace), short, description).await.map_err(err)?;
    let token = robot.token.unwrap_or_default();
    crate::common::secret(&token);
    Ok((robot.view.name, token))
}

pub async fn rotate_robot(app: &App, _secrets: Option<&FieldEncryption>, full: &str) -> Result<String> {
    let (namespace, short) = robots::split_name(full).map_err(err)?;
    let robot = robots::regenerate(app, &system(), Owner::Named(namespace), short).await.map_err(err)?;
    let token = robot.token.unwrap_or_default();
    crate::common::secret(&token);
    Ok(token)
}

pub async fn delete_robot(app: &App, full: &str) -> Result<()> {
    let (namespace, short) = robots::split_name(full).map_err(err)?;
    robots::delete(app, &system(), Owner::Named(namespace), short).await.map_err(err)
}

pub async fn grant(app: &App, path: &str, who: Grantee<'_>, role: &str) -> Result<()> {
    permissions::grant(app, &system(), path, who, role).await.map_err(err)
}

pub async fn revoke(app: &App, path: &str, who: Grantee<'_>) -> Result<()> {
    permissions::revoke(app, &system(), path, who).await.map_err(err)
}

pub async fn create_repo(app: &App, path: &str, public: bool) -> Result<()> {
    let (namespace, name) = path.split_once('/').ok_or("not namespace/name")?;
    repositories::create(app, &system(), Some(namespace), name, public, None).await.map(|_| ()).map_err(err)
}

pub async fn set_visibility(app: &App, path: &str, public: bool) -> Result<()> {
    repositories::set_visibility(app, &system(), path, public).await.map_err(err)
}

pub async fn delete_repo(app: &App, path: &str) -> Result<()> {
    repositories::delete(app, &system(), path).await.map_err(err)
}

pub async fn list_repos(app: &App, namespace: Option<&str>) -> Result<Vec<quay::accounts::RepositoryListing>> {
    repositories::listing(app, namespace).await.map_err(err)
}

pub async fn create_app_token(
    app: &App,
    _secrets: Option<&FieldEncryption>,
    user: &str,
    title: &str,
    expires_in_days: Option<u32>,
) -> Result<String> {
    let token = tokens::create(app, &system(), Some(user), title, expires_in_days).await.map_err(err)?;
    let code = token.code.unwrap_or_default();
    crate::common::secret(&code);
    Ok(code)
}

/// An OAuth access token of `user_id` for a new application, with `scopes`.
pub async fn create_oauth_token(
    app: &App,
    _secrets: Option<&FieldEncryption>,
    user_id: i32,
    application: &str,
    description: &str,
    scopes: &str,
) -> Result<String> {
    let client_id = quay::util::random_token(20);
    let token =
        tokens::create_oauth_token(app, user_id, &client_id, application, description, scopes).await.map_err(err)?;
    crate::common::secret(&token);
    Ok(token)
}

pub async fn delete_namespace(app: &App, name: &str, _grace: std::time::Duration) -> Result<()> {
    let account = accounts::find(app, name).await.map_err(err)?.ok_or("no such namespace")?;
    if account.organization {
        organizations::delete(app, &system(), name).await.map_err(err)
    } else {
        users::delete(app, &system(), name).await.map_err(err)
    }
}
