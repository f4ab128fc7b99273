//! `/superuser/`: users and organizations for superusers (`SUPER_USERS` with `super:user`), and
//! `PUT /user/` for the caller's own password and email.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, boolean, object, string};
use super::user::avatar;
use super::{ApiError, ApiResult, Body, Caller, Endpoint, Path, Scope, json_response, no_content};
use crate::accounts::{Account, organizations, users};
use crate::app::{App, AppState};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "GET",
            path: "/superuser/users/",
            operation_id: "listAllUsers",
            summary: "Every user",
            scope: Some(Scope::SuperUser),
            query: &[],
            body: None,
            responses: &[(200, Some(|| object(&[("users", array(user_schema()))], &["users"])))],
            handler: || get(list_users),
        },
        Endpoint {
            method: "POST",
            path: "/superuser/users/",
            operation_id: "createInstallUser",
            summary: "Creates a user with a generated password, returned once",
            scope: Some(Scope::SuperUser),
            query: &[],
            body: Some(|| object(&[("username", string()), ("email", string())], &["username"])),
            responses: &[(
                200,
                Some(|| {
                    object(
                        &[
                            ("username", string()),
                            ("email", string()),
                            ("password", string()),
                            ("encrypted_password", string()),
                        ],
                        &["username", "email", "password"],
                    )
                }),
            )],
            handler: || post(create_user),
        },
        Endpoint {
            method: "GET",
            path: "/superuser/users/{username}",
            operation_id: "getInstallUser",
            summary: "One user",
            scope: Some(Scope::SuperUser),
            query: &[],
            body: None,
            responses: &[(200, Some(user_schema))],
            handler: || get(get_user),
        },
        Endpoint {
            method: "PUT",
            path: "/superuser/users/{username}",
            operation_id: "changeInstallUser",
            summary: "Changes a user's password or email, or disables or enables it",
            scope: Some(Scope::SuperUser),
            query: &[],
            body: Some(|| object(&[("password", string()), ("email", string()), ("enabled", boolean())], &[])),
            responses: &[(200, Some(user_schema))],
            handler: || put(change_user),
        },
        Endpoint {
            method: "DELETE",
            path: "/superuser/users/{username}",
            operation_id: "deleteInstallUser",
            summary: "Deletes a user (not a superuser); garbage collection purges its content",
            scope: Some(Scope::SuperUser),
            query: &[],
            body: None,
            responses: &[(204, None)],
            handler: || delete(delete_user),
        },
        Endpoint {
            method: "GET",
            path: "/superuser/organizations/",
            operation_id: "listAllOrganizations",
            summary: "Every organization",
            scope: Some(Scope::SuperUser),
            query: &[],
            body: None,
            responses: &[(
                200,
                Some(|| {
                    object(
                        &[(
                            "organizations",
                            array(object(
                                &[
                                    ("name", string()),
                                    ("email", string()),
                                    ("avatar", super::discovery::avatar_schema()),
                                ],
                                &["name"],
                            )),
                        )],
                        &["organizations"],
                    )
                }),
            )],
            handler: || get(list_orgs),
        },
        Endpoint {
            method: "DELETE",
            path: "/superuser/organizations/{name}",
            operation_id: "deleteOrganization",
            summary: "Deletes an organization; garbage collection purges its content",
            scope: Some(Scope::SuperUser),
            query: &[],
            body: None,
            responses: &[(204, None)],
            handler: || delete(delete_org),
        },
        Endpoint {
            method: "PUT",
            path: "/user/",
            operation_id: "changeUserDetails",
            summary: "Changes the caller's password or email",
            scope: Some(Scope::UserAdmin),
            query: &[],
            body: Some(|| object(&[("password", string()), ("email", string())], &[])),
            responses: &[(200, Some(user_schema))],
            handler: || put(change_self),
        },
    ]
}

fn user_schema() -> Value {
    let mut fields = vec![
        ("kind", string()),
        ("name", string()),
        ("username", string()),
        ("email", string()),
        ("verified", boolean()),
        ("avatar", super::discovery::avatar_schema()),
        ("super_user", boolean()),
        ("global_readonly_super_user", boolean()),
        ("enabled", boolean()),
    ];
    fields.extend(super::lifecycle::quota_report_fields());
    object(&fields, &["kind", "name", "username", "email", "super_user", "enabled"])
}

fn user_json(app: &App, a: &Account) -> Value {
    json!({
        "kind": "user",
        "name": a.username,
        "username": a.username,
        "email": a.email,
        "verified": true,
        "avatar": avatar(&a.username, &a.email, "user"),
        "super_user": app.config.is_superuser(&a.username),
        // No read-only superusers here (Quay's `GLOBAL_READONLY_SUPER_USERS`).
        "global_readonly_super_user": false,
        "enabled": a.enabled,
    })
}

/// A namespace in a superuser's list or view, with its storage report.
async fn with_report(app: &App, namespace_id: i32, mut v: Value) -> Result<Value, ApiError> {
    let report = crate::accounts::quotas::report(app, namespace_id).await?;
    super::lifecycle::add_quota_report(&mut v, report.as_ref());
    Ok(v)
}

async fn list_users(State(app): State<AppState>, caller: Caller) -> ApiResult {
    let mut users = Vec::new();
    for a in users::list(&app, &caller, false).await? {
        users.push(with_report(&app, a.id, user_json(&app, &a)).await?);
    }
    json_response(StatusCode::OK, json!({"users": users}))
}

#[derive(Deserialize)]
struct CreateRequest {
    username: String,
    email: Option<String>,
}

async fn create_user(State(app): State<AppState>, caller: Caller, Body(req): Body<CreateRequest>) -> ApiResult {
    let password = crate::util::random_token(32);
    // Quay answers invalid input here with a bare `{"message": ...}`.
    let created = users::create(&app, &caller, &req.username, req.email.as_deref(), &password)
        .await
        .map_err(|e| ApiError::from(e).bare_message())?;
    let mut body = json!({"username": created.username, "email": created.email, "password": password});
    if let Some(cli) = app.config.cli_password() {
        body["encrypted_password"] = cli.encrypt(&password).into();
    }
    json_response(StatusCode::OK, body)
}

async fn get_user(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    let a = users::get(&app, &caller, &name).await?;
    json_response(StatusCode::OK, with_report(&app, a.id, user_json(&app, &a)).await?)
}

#[derive(Deserialize)]
struct ChangeRequest {
    password: Option<String>,
    email: Option<String>,
    enabled: Option<bool>,
}

impl ChangeRequest {
    fn change(&self) -> users::Change<'_> {
        users::Change { password: self.password.as_deref(), email: self.email.as_deref(), enabled: self.enabled }
    }
}

async fn change_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Body(req): Body<ChangeRequest>,
) -> ApiResult {
    let a = users::change(&app, &caller, &name, &req.change()).await?;
    json_response(StatusCode::OK, user_json(&app, &a))
}

async fn delete_user(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    users::delete(&app, &caller, &name).await?;
    no_content()
}

async fn list_orgs(State(app): State<AppState>, caller: Caller) -> ApiResult {
    let mut orgs = Vec::new();
    for o in users::list(&app, &caller, true).await? {
        let v = json!({"name": o.username, "email": o.email, "avatar": avatar(&o.username, &o.email, "org")});
        orgs.push(with_report(&app, o.id, v).await?);
    }
    json_response(StatusCode::OK, json!({"organizations": orgs}))
}

async fn delete_org(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    organizations::delete_by_superuser(&app, &caller, &name).await?;
    no_content()
}

async fn change_self(State(app): State<AppState>, caller: Caller, Body(req): Body<ChangeRequest>) -> ApiResult {
    let a = users::change_own(&app, &caller, &req.change()).await?;
    json_response(StatusCode::OK, user_json(&app, &a))
}
