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
use crate::app::{App, AppState};
use crate::db::identity::{self, RobotView};

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
            responses: &[(200, Some(robot_schema))],
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
            ("unstructured_metadata", object(&[], &[])),
            ("teams", array(object(&[("name", string())], &["name"]))),
            ("repositories", array(string())),
        ],
        &["name", "description"],
    )
}

/// The namespace whose robots the caller manages: an organization they administer, or themselves.
async fn org_namespace(app: &App, caller: &Caller, org: &str) -> Result<String, ApiError> {
    super::organization::administered(app, caller, org).await?;
    Ok(org.to_owned())
}

fn own_namespace(caller: &Caller) -> Result<String, ApiError> {
    let user = caller.require(Scope::UserAdmin)?;
    if user.robot {
        return Err(ApiError::forbidden());
    }
    Ok(user.username.clone())
}

fn robot_json(r: &RobotView, token: Option<&str>) -> Value {
    let mut v = json!({
        "name": r.name,
        "created": r.created.map(http_date),
        "last_accessed": r.last_accessed.map(http_date),
        "description": r.description,
        "unstructured_metadata": {},
    });
    if let Some(t) = token {
        v["token"] = json!(t);
    }
    v
}

async fn one_robot(app: &App, namespace: &str, short: &str) -> Result<RobotView, ApiError> {
    let full = format!("{namespace}+{short}");
    identity::robot_views(&app.db.read, namespace, Some(&full))
        .await?
        .into_iter()
        .next()
        .ok_or_else(ApiError::not_found)
}

async fn token_of(app: &App, robot: &RobotView) -> Result<Option<String>, ApiError> {
    let Some(secrets) = app.secrets.as_ref() else {
        return Ok(None);
    };
    let encrypted = identity::robot_token(&app.db.read, robot.id).await?;
    Ok(encrypted.and_then(|e| secrets.decrypt(&e).ok()))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    permissions: Option<String>,
    token: Option<String>,
}

async fn list(app: &App, namespace: &str, q: &ListQuery) -> ApiResult {
    let mut robots = Vec::new();
    for r in identity::robot_views(&app.db.read, namespace, None).await? {
        let token = if flag(&q.token) { token_of(app, &r).await? } else { None };
        let mut v = robot_json(&r, token.as_deref());
        if flag(&q.permissions) {
            let teams = identity::teams_of_member(&app.db.read, r.id).await?;
            v["teams"] = json!(teams.iter().map(|t| json!({"name": t})).collect::<Vec<_>>());
            let grants = identity::robot_permissions(&app.db.read, r.id).await?;
            v["repositories"] = json!(grants.iter().map(|(_, repo, _)| repo.clone()).collect::<Vec<_>>());
        }
        robots.push(v);
    }
    json_response(StatusCode::OK, json!({"robots": robots}))
}

async fn list_org(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    Query(q): Query<ListQuery>,
) -> ApiResult {
    let ns = org_namespace(&app, &caller, &org).await?;
    list(&app, &ns, &q).await
}

async fn list_user(State(app): State<AppState>, caller: Caller, Query(q): Query<ListQuery>) -> ApiResult {
    let ns = own_namespace(&caller)?;
    list(&app, &ns, &q).await
}

async fn show(app: &App, namespace: &str, short: &str) -> ApiResult {
    let r = one_robot(app, namespace, short).await?;
    let token = token_of(app, &r).await?;
    json_response(StatusCode::OK, robot_json(&r, token.as_deref()))
}

async fn get_org(State(app): State<AppState>, caller: Caller, Path((org, short)): Path<(String, String)>) -> ApiResult {
    let ns = org_namespace(&app, &caller, &org).await?;
    show(&app, &ns, &short).await
}

async fn get_user(State(app): State<AppState>, caller: Caller, Path(short): Path<String>) -> ApiResult {
    let ns = own_namespace(&caller)?;
    show(&app, &ns, &short).await
}

#[derive(Deserialize, Default)]
struct CreateRequest {
    #[serde(default)]
    description: Option<String>,
}

async fn create(app: &App, namespace: &str, short: &str, req: CreateRequest) -> ApiResult {
    let description = req.description.unwrap_or_default();
    let (full, token) =
        crate::identity::create_robot(&app.db, app.secrets.as_ref(), namespace, short, &description).await?;
    let r = identity::robot_views(&app.db.read, namespace, Some(&full))
        .await?
        .into_iter()
        .next()
        .ok_or_else(ApiError::not_found)?;
    json_response(StatusCode::CREATED, robot_json(&r, Some(&token)))
}

async fn create_org(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, short)): Path<(String, String)>,
    Body(req): Body<CreateRequest>,
) -> ApiResult {
    let ns = org_namespace(&app, &caller, &org).await?;
    create(&app, &ns, &short, req).await
}

async fn create_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(short): Path<String>,
    Body(req): Body<CreateRequest>,
) -> ApiResult {
    let ns = own_namespace(&caller)?;
    create(&app, &ns, &short, req).await
}

async fn remove(app: &App, namespace: &str, short: &str) -> ApiResult {
    one_robot(app, namespace, short).await?;
    crate::identity::delete_robot(&app.db, &format!("{namespace}+{short}")).await?;
    no_content()
}

async fn delete_org(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, short)): Path<(String, String)>,
) -> ApiResult {
    let ns = org_namespace(&app, &caller, &org).await?;
    remove(&app, &ns, &short).await
}

async fn delete_user(State(app): State<AppState>, caller: Caller, Path(short): Path<String>) -> ApiResult {
    let ns = own_namespace(&caller)?;
    remove(&app, &ns, &short).await
}

async fn regenerate(app: &App, namespace: &str, short: &str) -> ApiResult {
    one_robot(app, namespace, short).await?;
    let full = format!("{namespace}+{short}");
    let token = crate::identity::rotate_robot(&app.db, app.secrets.as_ref(), &full).await?;
    let r = one_robot(app, namespace, short).await?;
    json_response(StatusCode::OK, robot_json(&r, Some(&token)))
}

async fn regenerate_org(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, short)): Path<(String, String)>,
) -> ApiResult {
    let ns = org_namespace(&app, &caller, &org).await?;
    regenerate(&app, &ns, &short).await
}

async fn regenerate_user(State(app): State<AppState>, caller: Caller, Path(short): Path<String>) -> ApiResult {
    let ns = own_namespace(&caller)?;
    regenerate(&app, &ns, &short).await
}
