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
use crate::app::{App, AppState};
use crate::db::identity::{self, Account};

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
    object(
        &[
            ("kind", string()),
            ("name", string()),
            ("username", string()),
            ("email", string()),
            ("verified", boolean()),
            ("avatar", super::discovery::avatar_schema()),
            ("super_user", boolean()),
            ("enabled", boolean()),
        ],
        &["kind", "name", "username", "email", "super_user", "enabled"],
    )
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
        "enabled": a.enabled,
    })
}

/// A valid address no other user has (Quay's `user_email_unique_non_org` index).
async fn check_email(app: &App, email: &str, except: Option<i32>) -> Result<(), ApiError> {
    if !email.contains('@') || email.len() > 255 {
        return Err(ApiError::bad_request("Invalid email address"));
    }
    if identity::email_in_use(&app.db.read, email, except).await? {
        return Err(ApiError::bad_request("Email address is already in use"));
    }
    Ok(())
}

fn require_superuser(caller: &Caller) -> Result<(), ApiError> {
    caller.require(Scope::SuperUser)?;
    if !caller.superuser() {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

async fn person(app: &App, name: &str) -> Result<Account, ApiError> {
    match identity::find_account(&app.db.read, name).await? {
        Some(a) if !a.organization && !a.robot => Ok(a),
        _ => Err(ApiError::not_found()),
    }
}

async fn list_users(State(app): State<AppState>, caller: Caller) -> ApiResult {
    require_superuser(&caller)?;
    let users: Vec<Value> =
        identity::list_accounts(&app.db.read, false, false, None).await?.iter().map(|a| user_json(&app, a)).collect();
    json_response(StatusCode::OK, json!({"users": users}))
}

#[derive(Deserialize)]
struct CreateRequest {
    username: String,
    email: Option<String>,
}

async fn create_user(State(app): State<AppState>, caller: Caller, Body(req): Body<CreateRequest>) -> ApiResult {
    require_superuser(&caller)?;
    if let Some(email) = req.email.as_deref() {
        check_email(&app, email, None).await?;
    }
    let password = crate::util::random_token(32);
    crate::identity::create_user(&app.db, &req.username, req.email.as_deref(), &password).await?;
    let created = person(&app, &req.username).await?;
    let mut body = json!({"username": created.username, "email": created.email, "password": password});
    if let Some(cli) = app.config.cli_password() {
        body["encrypted_password"] = cli.encrypt(&password).into();
    }
    let performer = caller.user().map(|u| u.id);
    let tx = app.db.begin().await?;
    let metadata = json!({"username": created.username, "email": created.email});
    crate::db::queries::insert_log(&tx, "user_create", created.id, performer, None, &metadata).await?;
    tx.commit().await?;
    json_response(StatusCode::OK, body)
}

async fn get_user(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    require_superuser(&caller)?;
    let a = person(&app, &name).await?;
    json_response(StatusCode::OK, user_json(&app, &a))
}

#[derive(Deserialize)]
struct ChangeRequest {
    password: Option<String>,
    email: Option<String>,
    enabled: Option<bool>,
}

/// Applies a change of password, email or enabled state, each logged as Quay does.
async fn apply(app: &App, caller: &Caller, a: &Account, req: &ChangeRequest) -> Result<(), ApiError> {
    let performer = caller.user().map(|u| u.id);
    // Everything is checked before anything changes.
    if let Some(email) = req.email.as_deref() {
        check_email(app, email, Some(a.id)).await?;
    }
    if let Some(password) = req.password.as_deref() {
        crate::identity::validate_password(password)?;
    }
    if let Some(password) = req.password.as_deref() {
        crate::identity::set_password(&app.db, &a.username, password).await?;
    }
    let tx = app.db.begin().await?;
    if req.password.is_some() {
        let metadata = json!({"username": a.username});
        crate::db::queries::insert_log(&tx, "user_change_password", a.id, performer, None, &metadata).await?;
    }
    if let Some(email) = req.email.as_deref() {
        identity::set_email(&tx, a.id, email).await?;
        let metadata = json!({"username": a.username, "email": email});
        crate::db::queries::insert_log(&tx, "user_change_email", a.id, performer, None, &metadata).await?;
    }
    if let Some(enabled) = req.enabled {
        identity::set_enabled(&tx, a.id, enabled).await?;
        let kind = if enabled { "user_enable" } else { "user_disable" };
        crate::db::queries::insert_log(&tx, kind, a.id, performer, None, &json!({"username": a.username})).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn change_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Body(req): Body<ChangeRequest>,
) -> ApiResult {
    require_superuser(&caller)?;
    let a = person(&app, &name).await?;
    if app.config.is_superuser(&name) {
        return Err(ApiError::bad_request("Cannot update a superuser"));
    }
    apply(&app, &caller, &a, &req).await?;
    let a = person(&app, &name).await?;
    json_response(StatusCode::OK, user_json(&app, &a))
}

async fn delete_user(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    require_superuser(&caller)?;
    person(&app, &name).await?;
    if app.config.is_superuser(&name) {
        return Err(ApiError::bad_request("Cannot delete a superuser"));
    }
    crate::identity::delete_namespace(&app.db, &name, app.config.namespace_gc_grace()).await?;
    no_content()
}

async fn list_orgs(State(app): State<AppState>, caller: Caller) -> ApiResult {
    require_superuser(&caller)?;
    let orgs: Vec<Value> = identity::list_accounts(&app.db.read, true, false, None)
        .await?
        .iter()
        .map(|o| json!({"name": o.username, "email": o.email, "avatar": avatar(&o.username, &o.email, "org")}))
        .collect();
    json_response(StatusCode::OK, json!({"organizations": orgs}))
}

async fn delete_org(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    require_superuser(&caller)?;
    super::organization::organization(&app, &name).await?;
    crate::identity::delete_namespace(&app.db, &name, app.config.namespace_gc_grace()).await?;
    no_content()
}

async fn change_self(State(app): State<AppState>, caller: Caller, Body(req): Body<ChangeRequest>) -> ApiResult {
    let user = caller.require(Scope::UserAdmin)?;
    if user.robot || user.app_token.is_some() {
        return Err(ApiError::forbidden());
    }
    if req.enabled.is_some() {
        return Err(ApiError::bad_request("enabled is changed by superusers only"));
    }
    let a = person(&app, &user.username).await?;
    apply(&app, &caller, &a, &req).await?;
    let a = person(&app, &user.username).await?;
    json_response(StatusCode::OK, user_json(&app, &a))
}
