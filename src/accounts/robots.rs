//! Robot accounts (`namespace+name`) of users and organizations: created with a token (Quay's 64
//! characters, stored encrypted), listed with their teams and repositories, shown with their
//! token, given a new token, deleted. Every change is logged under the owning namespace.

use serde_json::json;

use super::{AccountError, Owner, Result, RobotView, encryption, log, managed_namespace};
use crate::app::App;
use crate::auth::Actor;

/// A robot as the doors show it.
pub struct Robot {
    pub view: RobotView,
    /// The token, when asked for and the encryption key can read it.
    pub token: Option<String>,
    /// Teams it is on and repositories it has a permission on, when asked for.
    pub teams: Option<Vec<String>>,
    pub repositories: Option<Vec<String>>,
}

/// `namespace+short` as (namespace, short).
pub fn split_name(full: &str) -> Result<(&str, &str)> {
    full.split_once('+').ok_or_else(|| AccountError::Invalid(format!("`{full}` is not a robot name (namespace+name)")))
}

async fn token_of(app: &App, robot_id: i32) -> Result<Option<String>> {
    let Some(secrets) = app.secrets.as_ref() else {
        return Ok(None);
    };
    let encrypted = crate::db::robot::robot_token(&app.db.read, robot_id).await?;
    Ok(encrypted.and_then(|e| secrets.decrypt(&e).ok()))
}

async fn view(app: &App, namespace: &str, short: &str) -> Result<RobotView> {
    let full = format!("{namespace}+{short}");
    crate::db::robot::robot_views(&app.db.read, namespace, Some(&full))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AccountError::NotFound(format!("robot `{full}`")))
}

/// The robots of a namespace the actor manages.
pub async fn list(app: &App, actor: &Actor, owner: Owner<'_>, tokens: bool, permissions: bool) -> Result<Vec<Robot>> {
    let namespace = managed_namespace(app, actor, owner).await?.username;
    let namespace = namespace.as_str();
    let mut robots = Vec::new();
    for view in crate::db::robot::robot_views(&app.db.read, namespace, None).await? {
        let token = if tokens { token_of(app, view.id).await? } else { None };
        let (teams, repositories) = if permissions {
            let teams = crate::db::team::teams_of_member(&app.db.read, view.id).await?;
            let grants = crate::db::robot::robot_permissions(&app.db.read, view.id).await?;
            (Some(teams), Some(grants.into_iter().map(|(_, repo, _)| repo).collect()))
        } else {
            (None, None)
        };
        robots.push(Robot { view, token, teams, repositories });
    }
    Ok(robots)
}

/// One robot with its token.
pub async fn get(app: &App, actor: &Actor, owner: Owner<'_>, short: &str) -> Result<Robot> {
    let namespace = managed_namespace(app, actor, owner).await?.username;
    let view = view(app, &namespace, short).await?;
    let token = token_of(app, view.id).await?;
    Ok(Robot { view, token, teams: None, repositories: None })
}

/// Creates `namespace+short`; logged as Quay's `create_robot`.
pub async fn create(app: &App, actor: &Actor, owner: Owner<'_>, short: &str, description: &str) -> Result<Robot> {
    let owner = managed_namespace(app, actor, owner).await?;
    let secrets = encryption(app)?;
    let namespace = owner.username.as_str();
    super::validate_namespace(short)?;
    let full = format!("{namespace}+{short}");
    if super::find(app, &full).await?.is_some() {
        return Err(AccountError::Exists(format!("robot `{full}`")));
    }
    if description.chars().count() > 255 {
        return Err(AccountError::Invalid("robot descriptions are at most 255 characters".into()));
    }
    let token = super::new_robot_token();
    let tx = app.db.begin().await?;
    crate::db::robot::create_robot(
        &tx,
        &full,
        &secrets.encrypt(&token),
        description,
        app.db.lookups.robot_login_service,
    )
    .await?;
    let metadata = json!({"robot": short, "description": description, "unstructured_metadata": null});
    log(&tx, actor, "create_robot", owner.id, None, &metadata).await?;
    tx.commit().await?;
    let view = view(app, namespace, short).await?;
    Ok(Robot { view, token: Some(token), teams: None, repositories: None })
}

/// Gives the robot a new token (the old one stops working); logged as `regenerate_robot_token`.
pub async fn regenerate(app: &App, actor: &Actor, owner: Owner<'_>, short: &str) -> Result<Robot> {
    let owner = managed_namespace(app, actor, owner).await?;
    let robot = view(app, &owner.username, short).await?;
    let secrets = encryption(app)?;
    let token = super::new_robot_token();
    let tx = app.db.begin().await?;
    crate::db::robot::rotate_robot(&tx, robot.id, &secrets.encrypt(&token)).await?;
    log(&tx, actor, "regenerate_robot_token", owner.id, None, &json!({"robot": short})).await?;
    tx.commit().await?;
    Ok(Robot { view: robot, token: Some(token), teams: None, repositories: None })
}

/// Deletes the robot and its grants; logged as `delete_robot`. A robot a repository mirror
/// writes as is refused (Quay's rule): the mirror is changed or deleted first.
pub async fn delete(app: &App, actor: &Actor, owner: Owner<'_>, short: &str) -> Result<()> {
    let owner = managed_namespace(app, actor, owner).await?;
    let robot = view(app, &owner.username, short).await?;
    if let Some(repository) = crate::db::mirror::mirror_of_robot(&app.db.read, robot.id).await? {
        return Err(AccountError::Invalid(format!(
            "Robot is being used by a mirror ({repository}); change the mirror's robot or delete the mirror first"
        )));
    }
    let tx = app.db.begin().await?;
    crate::db::robot::delete_robot(&tx, robot.id).await?;
    log(&tx, actor, "delete_robot", owner.id, None, &json!({"robot": short})).await?;
    tx.commit().await?;
    Ok(())
}
