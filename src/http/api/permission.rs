//! `/repository/{repository}/permissions/`: grants to users, robots and teams.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{boolean, enumeration, map_of, object, string};
use super::user::avatar;
use super::{ApiError, ApiResult, Body, Caller, Endpoint, Path, Scope, json_response, no_content};
use crate::accounts::permissions::{self, Grantee, UserPermission};
use crate::app::AppState;

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
            responses: &[(200, Some(|| object(&[("role", string())], &["role"])))],
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

fn user_json(p: &UserPermission) -> Value {
    let a = &p.account;
    let mut v = json!({
        "role": p.role,
        "name": a.username,
        "is_robot": a.robot,
        "avatar": avatar(&a.username, &a.email, if a.robot { "robot" } else { "user" }),
    });
    if let Some(member) = p.org_member {
        v["is_org_member"] = json!(member);
    }
    v
}

fn team_json(team: &str, role: &str) -> Value {
    json!({"role": role, "name": team, "avatar": avatar(team, team, "team")})
}

async fn list_users(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo)): Path<(String, String)>,
) -> ApiResult {
    let permissions: serde_json::Map<String, Value> = permissions::users(&app, &caller, &format!("{ns}/{repo}"))
        .await?
        .iter()
        .map(|p| (p.account.username.clone(), user_json(p)))
        .collect();
    json_response(StatusCode::OK, json!({"permissions": permissions}))
}

async fn get_user(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, username)): Path<(String, String, String)>,
) -> ApiResult {
    let p = permissions::user(&app, &caller, &format!("{ns}/{repo}"), &username).await?;
    json_response(StatusCode::OK, user_json(&p))
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
    let path = format!("{ns}/{repo}");
    permissions::grant(&app, &caller, &path, Grantee::User(&username), &req.role).await?;
    json_response(StatusCode::OK, user_json(&permissions::user(&app, &caller, &path, &username).await?))
}

async fn delete_user(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, username)): Path<(String, String, String)>,
) -> ApiResult {
    permissions::revoke(&app, &caller, &format!("{ns}/{repo}"), Grantee::User(&username)).await?;
    no_content()
}

async fn list_teams(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo)): Path<(String, String)>,
) -> ApiResult {
    let permissions: serde_json::Map<String, Value> = permissions::teams(&app, &caller, &format!("{ns}/{repo}"))
        .await?
        .iter()
        .map(|(team, role)| (team.clone(), team_json(team, role)))
        .collect();
    json_response(StatusCode::OK, json!({"permissions": permissions}))
}

async fn get_team(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, team)): Path<(String, String, String)>,
) -> ApiResult {
    let found = permissions::teams(&app, &caller, &format!("{ns}/{repo}")).await?.into_iter().find(|(t, _)| *t == team);
    let (_, role) = found.ok_or_else(ApiError::not_found)?;
    // Quay answers a team's own permission with its role alone.
    json_response(StatusCode::OK, json!({"role": role}))
}

async fn put_team(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, team)): Path<(String, String, String)>,
    Body(req): Body<RoleRequest>,
) -> ApiResult {
    permissions::grant(&app, &caller, &format!("{ns}/{repo}"), Grantee::Team(&team), &req.role).await?;
    json_response(StatusCode::OK, team_json(&team, &req.role))
}

async fn delete_team(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, team)): Path<(String, String, String)>,
) -> ApiResult {
    permissions::revoke(&app, &caller, &format!("{ns}/{repo}"), Grantee::Team(&team)).await?;
    no_content()
}
