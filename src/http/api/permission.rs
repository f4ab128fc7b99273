//! `/repository/{repository}/permissions/`: grants to users, robots and teams.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{boolean, enumeration, map_of, object, string};
use super::repository::target;
use super::user::avatar;
use super::{ApiError, ApiResult, Body, Caller, Endpoint, Path, Scope, json_response, no_content};
use crate::app::{App, AppState};
use crate::auth::Role;
use crate::db::identity::{self, Account};
use crate::identity::Grantee;

pub fn endpoints() -> Vec<Endpoint> {
    let role_body = || object(&[("role", enumeration(&["read", "write", "admin"]))], &["role"]);
    vec![
        Endpoint {
            method: "GET",
            path: "/repository/{repository}/permissions/user/",
            operation_id: "listRepoUserPermissions",
            summary: "Users and robots with a grant on the repository",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: None,
            responses: &[(
                200,
                Some(|| object(&[("permissions", map_of(user_permission_schema()))], &["permissions"])),
            )],
            handler: || get(list_users),
        },
        Endpoint {
            method: "GET",
            path: "/repository/{repository}/permissions/user/{username}",
            operation_id: "getUserPermissions",
            summary: "A user's or robot's grant",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: None,
            responses: &[(200, Some(user_permission_schema))],
            handler: || get(get_user),
        },
        Endpoint {
            method: "PUT",
            path: "/repository/{repository}/permissions/user/{username}",
            operation_id: "changeUserPermissions",
            summary: "Grants a role to a user or robot",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: Some(role_body),
            responses: &[(200, Some(user_permission_schema))],
            handler: || put(put_user),
        },
        Endpoint {
            method: "DELETE",
            path: "/repository/{repository}/permissions/user/{username}",
            operation_id: "deleteUserPermissions",
            summary: "Revokes a user's or robot's grant",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: None,
            responses: &[(204, None)],
            handler: || delete(delete_user),
        },
        Endpoint {
            method: "GET",
            path: "/repository/{repository}/permissions/team/",
            operation_id: "listRepoTeamPermissions",
            summary: "Teams with a grant on the repository",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: None,
            responses: &[(
                200,
                Some(|| object(&[("permissions", map_of(team_permission_schema()))], &["permissions"])),
            )],
            handler: || get(list_teams),
        },
        Endpoint {
            method: "GET",
            path: "/repository/{repository}/permissions/team/{teamname}",
            operation_id: "getTeamPermissions",
            summary: "A team's grant",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: None,
            responses: &[(200, Some(team_permission_schema))],
            handler: || get(get_team),
        },
        Endpoint {
            method: "PUT",
            path: "/repository/{repository}/permissions/team/{teamname}",
            operation_id: "changeTeamPermissions",
            summary: "Grants a role to a team of the repository's organization",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: Some(role_body),
            responses: &[(200, Some(team_permission_schema))],
            handler: || put(put_team),
        },
        Endpoint {
            method: "DELETE",
            path: "/repository/{repository}/permissions/team/{teamname}",
            operation_id: "deleteTeamPermissions",
            summary: "Revokes a team's grant",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: None,
            responses: &[(204, None)],
            handler: || delete(delete_team),
        },
    ]
}

fn user_permission_schema() -> Value {
    object(
        &[
            ("role", string()),
            ("name", string()),
            ("is_robot", boolean()),
            ("avatar", super::discovery::avatar_schema()),
            ("is_org_member", boolean()),
        ],
        &["role", "name", "is_robot"],
    )
}

fn team_permission_schema() -> Value {
    object(&[("role", string()), ("name", string()), ("avatar", super::discovery::avatar_schema())], &["role", "name"])
}

/// The repository, for a caller who administers it.
async fn administered(app: &App, caller: &Caller, namespace: &str, repo: &str) -> Result<String, ApiError> {
    let t = target(app, caller, namespace, repo).await?;
    t.require(caller, Role::Admin)?;
    if !caller.has(Scope::RepoAdmin) {
        return Err(ApiError::forbidden());
    }
    Ok(format!("{}/{}", t.name.namespace(), t.name.repository()))
}

async fn user_json(app: &App, namespace: &str, a: &Account, role: &str) -> Result<Value, ApiError> {
    let mut v = json!({
        "role": role,
        "name": a.username,
        "is_robot": a.robot,
        "avatar": avatar(&a.username, &a.email, if a.robot { "robot" } else { "user" }),
    });
    if let Some(org) = identity::find_account(&app.db.read, namespace).await?.filter(|o| o.organization) {
        let (member, _) = identity::organization_membership(&app.db.read, org.id, a.id).await?;
        v["is_org_member"] = json!(member || a.username.starts_with(&format!("{namespace}+")));
    }
    Ok(v)
}

fn team_json(namespace: &str, team: &str, role: &str) -> Value {
    json!({"role": role, "name": team, "avatar": avatar(team, &format!("{namespace}/{team}"), "team")})
}

async fn repo_id(app: &App, path: &str) -> Result<i32, ApiError> {
    let (ns, name) = path.split_once('/').ok_or_else(ApiError::not_found)?;
    Ok(app.db.find_repository(ns, name).await?.ok_or_else(ApiError::not_found)?.id)
}

async fn list_users(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo)): Path<(String, String)>,
) -> ApiResult {
    let path = administered(&app, &caller, &ns, &repo).await?;
    let id = repo_id(&app, &path).await?;
    let mut permissions = serde_json::Map::new();
    for (a, role) in identity::user_permissions(&app.db.read, id).await? {
        permissions.insert(a.username.clone(), user_json(&app, &ns, &a, &role).await?);
    }
    json_response(StatusCode::OK, json!({"permissions": permissions}))
}

async fn get_user(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, username)): Path<(String, String, String)>,
) -> ApiResult {
    let path = administered(&app, &caller, &ns, &repo).await?;
    let id = repo_id(&app, &path).await?;
    let found = identity::user_permissions(&app.db.read, id).await?.into_iter().find(|(a, _)| a.username == username);
    let (a, role) = found.ok_or_else(ApiError::not_found)?;
    json_response(StatusCode::OK, user_json(&app, &ns, &a, &role).await?)
}

#[derive(Deserialize)]
struct RoleRequest {
    role: String,
}

async fn put_user(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, username)): Path<(String, String, String)>,
    Body(req): Body<RoleRequest>,
) -> ApiResult {
    let path = administered(&app, &caller, &ns, &repo).await?;
    let Some(a) = identity::find_account(&app.db.read, &username).await? else {
        return Err(ApiError::bad_request(&format!("Unknown user or robot `{username}`")));
    };
    if a.robot && !username.starts_with(&format!("{ns}+")) {
        return Err(ApiError::bad_request("Robots get grants only in their own namespace"));
    }
    crate::identity::grant(&app.db, &path, Grantee::User(&username), &req.role).await?;
    json_response(StatusCode::OK, user_json(&app, &ns, &a, &req.role).await?)
}

async fn delete_user(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, username)): Path<(String, String, String)>,
) -> ApiResult {
    let path = administered(&app, &caller, &ns, &repo).await?;
    crate::identity::revoke(&app.db, &path, Grantee::User(&username)).await?;
    no_content()
}

async fn list_teams(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo)): Path<(String, String)>,
) -> ApiResult {
    let path = administered(&app, &caller, &ns, &repo).await?;
    let id = repo_id(&app, &path).await?;
    let permissions: serde_json::Map<String, Value> = identity::team_permissions(&app.db.read, id)
        .await?
        .iter()
        .map(|(team, role)| (team.clone(), team_json(&ns, team, role)))
        .collect();
    json_response(StatusCode::OK, json!({"permissions": permissions}))
}

async fn get_team(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, team)): Path<(String, String, String)>,
) -> ApiResult {
    let path = administered(&app, &caller, &ns, &repo).await?;
    let id = repo_id(&app, &path).await?;
    let found = identity::team_permissions(&app.db.read, id).await?.into_iter().find(|(t, _)| *t == team);
    let (team, role) = found.ok_or_else(ApiError::not_found)?;
    json_response(StatusCode::OK, team_json(&ns, &team, &role))
}

async fn put_team(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, team)): Path<(String, String, String)>,
    Body(req): Body<RoleRequest>,
) -> ApiResult {
    let path = administered(&app, &caller, &ns, &repo).await?;
    crate::identity::grant(&app.db, &path, Grantee::Team(&team), &req.role).await.map_err(|e| match e {
        crate::identity::IdentityError::NotFound(_) => ApiError::bad_request(&format!("Unknown team `{team}`")),
        e => e.into(),
    })?;
    json_response(StatusCode::OK, team_json(&ns, &team, &req.role))
}

async fn delete_team(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, team)): Path<(String, String, String)>,
) -> ApiResult {
    let path = administered(&app, &caller, &ns, &repo).await?;
    crate::identity::revoke(&app.db, &path, Grantee::Team(&team)).await?;
    no_content()
}
