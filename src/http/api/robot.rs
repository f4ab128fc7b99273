//! Robots of an organization (`/organization/{orgname}/robots`) and of the caller
//! (`/user/robots`): create, list with permissions, get, regenerate the token, delete.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, nullable, object, string};
use super::{
    ApiError, ApiResult, Body, Caller, Endpoint, Path, Query, Scope, flag, http_date, json_response, no_content,
};
use crate::accounts::Owner;
use crate::accounts::robots::{self, Robot};
use crate::app::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    let mut all = Vec::new();
    for (prefix, scope, list_id, get_id, put_id, delete_id, regenerate_id) in [
        (
            "/organization/{orgname}/robots",
            Scope::OrgAdmin,
            "getOrgRobots",
            "getOrgRobot",
            "createOrgRobot",
            "deleteOrgRobot",
            "regenerateOrgRobotToken",
        ),
        (
            "/user/robots",
            Scope::UserAdmin,
            "getUserRobots",
            "getUserRobot",
            "createUserRobot",
            "deleteUserRobot",
            "regenerateUserRobotToken",
        ),
    ] {
        let org = prefix.starts_with("/organization");
        // Built once (`super::endpoints` is a static), so leaking the joined paths is bounded.
        let path = |tail: &str| -> &'static str { Box::leak(format!("{prefix}{tail}").into_boxed_str()) };
        all.push(Endpoint {
            method: "GET",
            path: path(""),
            operation_id: list_id,
            summary: "The namespace's robots",
            scope: Some(scope),
            query: &[
                ("permissions", "boolean", "Include each robot's repository grants"),
                ("token", "boolean", "Include each robot's token"),
            ],
            body: None,
            responses: &[(200, Some(|| object(&[("robots", array(robot_schema()))], &["robots"])))],
            handler: if org { || get(list_org) } else { || get(list_user) },
        });
        all.push(Endpoint {
            method: "GET",
            path: path("/{robot_shortname}"),
            operation_id: get_id,
            summary: "One robot, with its token",
            scope: Some(scope),
            query: &[],
            body: None,
            responses: &[(200, Some(robot_schema)), (400, Some(super::discovery::bad_request_schema))],
            handler: if org { || get(get_org) } else { || get(get_user) },
        });
        all.push(Endpoint {
            method: "PUT",
            path: path("/{robot_shortname}"),
            operation_id: put_id,
            summary: "Creates a robot",
            scope: Some(scope),
            query: &[],
            body: Some(|| object(&[("description", string()), ("unstructured_metadata", object(&[], &[]))], &[])),
            responses: &[(201, Some(robot_schema))],
            handler: if org { || put(create_org) } else { || put(create_user) },
        });
        all.push(Endpoint {
            method: "DELETE",
            path: path("/{robot_shortname}"),
            operation_id: delete_id,
            summary: "Deletes a robot",
            scope: Some(scope),
            query: &[],
            body: None,
            responses: &[(204, None)],
            handler: if org { || delete(delete_org) } else { || delete(delete_user) },
        });
        all.push(Endpoint {
            method: "POST",
            path: path("/{robot_shortname}/regenerate"),
            operation_id: regenerate_id,
            summary: "Replaces a robot's token",
            scope: Some(scope),
            query: &[],
            body: None,
            responses: &[(200, Some(robot_schema))],
            handler: if org { || post(regenerate_org) } else { || post(regenerate_user) },
        });
    }
    all
}

fn robot_schema() -> Value {
    object(
        &[
            ("name", string()),
            ("created", nullable(string())),
            ("last_accessed", nullable(string())),
            ("description", string()),
            ("token", string()),
            ("unstructured_metadata", nullable(object(&[], &[]))),
            ("teams", array(object(&[("name", string())], &["name"]))),
            ("repositories", array(string())),
        ],
        &["name", "description"],
    )
}

/// A robot as Quay lists it and answers a regeneration: without `unstructured_metadata`, which
/// only its own view and its creation report.
fn robot_summary(r: &Robot) -> Value {
    let mut v = robot_json(r);
    if let Some(o) = v.as_object_mut() {
        o.remove("unstructured_metadata");
    }
    v
}

fn robot_json(r: &Robot) -> Value {
    let mut v = json!({
        "name": r.view.name,
        "created": r.view.created.map(http_date),
        "last_accessed": r.view.last_accessed.map(http_date),
        "description": r.view.description,
        "unstructured_metadata": {},
    });
    if let Some(t) = &r.token {
        v["token"] = json!(t);
    }
    if let Some(teams) = &r.teams {
        v["teams"] = json!(teams.iter().map(|t| json!({"name": t})).collect::<Vec<_>>());
    }
    if let Some(repositories) = &r.repositories {
        v["repositories"] = json!(repositories);
    }
    v
}

#[derive(Deserialize, Default)]
struct ListQuery {
    permissions: Option<String>,
    token: Option<String>,
}

async fn list(app: &AppState, caller: &Caller, owner: Owner<'_>, q: &ListQuery) -> ApiResult {
    // Quay includes the tokens unless asked not to.
    let token = q.token.is_none() || flag(&q.token);
    let robots = robots::list(app, caller, owner, token, flag(&q.permissions)).await?;
    json_response(StatusCode::OK, json!({"robots": robots.iter().map(robot_summary).collect::<Vec<_>>()}))
}

async fn list_org(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    Query(q): Query<ListQuery>,
) -> ApiResult {
    list(&app, &caller, Owner::Organization(&org), &q).await
}

async fn list_user(State(app): State<AppState>, caller: Caller, Query(q): Query<ListQuery>) -> ApiResult {
    list(&app, &caller, Owner::Me, &q).await
}

/// Quay answers a robot that is not there (or no longer) with a bare 400.
fn missing_robot(e: crate::accounts::AccountError) -> ApiError {
    match e {
        crate::accounts::AccountError::NotFound(_) => {
            ApiError::bad_request("Could not find robot with specified username").bare_message()
        }
        other => other.into(),
    }
}

async fn get_org(State(app): State<AppState>, caller: Caller, Path((org, short)): Path<(String, String)>) -> ApiResult {
    let robot = robots::get(&app, &caller, Owner::Organization(&org), &short).await.map_err(missing_robot)?;
    json_response(StatusCode::OK, robot_json(&robot))
}

async fn get_user(State(app): State<AppState>, caller: Caller, Path(short): Path<String>) -> ApiResult {
    json_response(
        StatusCode::OK,
        robot_json(&robots::get(&app, &caller, Owner::Me, &short).await.map_err(missing_robot)?),
    )
}

#[derive(Deserialize, Default)]
struct CreateRequest {
    #[serde(default)]
    description: Option<String>,
}

async fn create(app: &AppState, caller: &Caller, owner: Owner<'_>, short: &str, req: CreateRequest) -> ApiResult {
    let description = req.description.unwrap_or_default();
    let created = robots::create(app, caller, owner, short, &description).await?;
    // Quay echoes the metadata it was given: none here.
    let mut v = robot_json(&created);
    v["unstructured_metadata"] = Value::Null;
    json_response(StatusCode::CREATED, v)
}

async fn create_org(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, short)): Path<(String, String)>,
    Body(req): Body<CreateRequest>,
) -> ApiResult {
    create(&app, &caller, Owner::Organization(&org), &short, req).await
}

async fn create_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(short): Path<String>,
    Body(req): Body<CreateRequest>,
) -> ApiResult {
    create(&app, &caller, Owner::Me, &short, req).await
}

async fn delete_org(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, short)): Path<(String, String)>,
) -> ApiResult {
    robots::delete(&app, &caller, Owner::Organization(&org), &short).await?;
    no_content()
}

async fn delete_user(State(app): State<AppState>, caller: Caller, Path(short): Path<String>) -> ApiResult {
    robots::delete(&app, &caller, Owner::Me, &short).await?;
    no_content()
}

async fn regenerate_org(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, short)): Path<(String, String)>,
) -> ApiResult {
    let robot = robots::regenerate(&app, &caller, Owner::Organization(&org), &short).await?;
    json_response(StatusCode::OK, robot_summary(&robot))
}

async fn regenerate_user(State(app): State<AppState>, caller: Caller, Path(short): Path<String>) -> ApiResult {
    let robot = robots::regenerate(&app, &caller, Owner::Me, &short).await?;
    json_response(StatusCode::OK, robot_summary(&robot))
}
