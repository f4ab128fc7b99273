//! `/user/initialize` (the installer's bootstrap) and `/user/` (who am I).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, boolean, integer, object, string};
use super::{ApiError, ApiResult, Body, Caller, Endpoint, Scope, json_response};
use crate::app::AppState;
use crate::db::{identity, queries};

/// Scopes of the token `user/initialize` returns: all of them, as Quay's.
const INITIALIZE_SCOPES: &str = "org:admin repo:admin repo:create repo:read repo:write super:user user:admin user:read";

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "POST",
            path: "/user/initialize",
            operation_id: "initializeUser",
            summary: "Creates the first user of an empty registry (FEATURE_USER_INITIALIZE), optionally with an \
                      access token",
            scope: None,
            query: &[],
            body: Some(|| {
                object(
                    &[("username", string()), ("password", string()), ("email", string()), ("access_token", boolean())],
                    &["username", "password"],
                )
            }),
            responses: &[(200, Some(initialized_schema)), (400, Some(super::discovery::error_schema))],
            handler: || post(initialize),
        },
        Endpoint {
            method: "GET",
            path: "/user/",
            operation_id: "getLoggedInUser",
            summary: "The signed-in user",
            scope: Some(Scope::UserRead),
            query: &[],
            body: None,
            responses: &[(200, Some(user_schema)), (401, Some(super::discovery::error_schema))],
            handler: || get(current_user),
        },
    ]
}

fn initialized_schema() -> Value {
    object(
        &[("username", string()), ("email", string()), ("encrypted_password", string()), ("access_token", string())],
        &["username", "email"],
    )
}

fn user_schema() -> Value {
    object(
        &[
            ("anonymous", boolean()),
            ("username", string()),
            ("email", string()),
            ("verified", boolean()),
            ("avatar", super::discovery::avatar_schema()),
            ("can_create_repo", boolean()),
            ("is_me", boolean()),
            ("super_user", boolean()),
            ("tag_expiration_s", integer()),
            ("prompts", array(string())),
            ("logins", array(object(&[], &[]))),
            (
                "organizations",
                array(object(
                    &[
                        ("name", string()),
                        ("avatar", super::discovery::avatar_schema()),
                        ("can_create_repo", boolean()),
                        ("public", boolean()),
                        ("is_org_admin", boolean()),
                        ("preferred_namespace", boolean()),
                    ],
                    &["name"],
                )),
            ),
        ],
        &["anonymous", "username", "email", "verified", "organizations", "super_user"],
    )
}

#[derive(Deserialize)]
struct InitializeRequest {
    username: String,
    password: String,
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    access_token: bool,
}

/// The Go installer sends `"access_token": "true"`: take strings as Python's truthiness would.
fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::String(s) => !s.is_empty() && s != "false" && s != "0",
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        _ => false,
    })
}

async fn initialize(State(app): State<AppState>, Body(req): Body<InitializeRequest>) -> ApiResult {
    if !app.config.feature_user_initialize {
        return Err(ApiError::bad_request("Cannot initialize user, FEATURE_USER_INITIALIZE is False"));
    }
    if queries::count_users(&app.db.read).await? > 0 {
        return Err(ApiError::bad_request("Cannot initialize user in a non-empty database"));
    }
    let email = req.email.clone().unwrap_or_else(|| format!("{}@localhost", req.username));
    crate::identity::create_user(&app.db, &req.username, Some(&email), &req.password).await?;
    let created = identity::find_account(&app.db.read, &req.username).await?.ok_or_else(ApiError::not_found)?;
    let mut body = json!({"username": req.username, "email": email});
    // `quay serve` always has a SECRET_KEY (it generates one on first start).
    if let Some(cli) = app.config.cli_password() {
        body["encrypted_password"] = cli.encrypt(&req.password).into();
    }
    if req.access_token {
        let token = crate::identity::create_oauth_token(
            &app.db,
            app.secrets.as_ref(),
            created.id,
            "automation",
            "Application token generated via /api/v1/user/initialize",
            INITIALIZE_SCOPES,
        )
        .await?;
        body["access_token"] = token.into();
    }
    json_response(StatusCode::OK, body)
}

async fn current_user(State(app): State<AppState>, caller: Caller) -> ApiResult {
    let user = caller.require(Scope::UserRead)?;
    let account = identity::find_account(&app.db.read, &user.username).await?.ok_or_else(ApiError::not_found)?;
    let settings = identity::account_settings(&app.db.read, user.id).await?;
    let mut organizations = Vec::new();
    for org in identity::organizations_of(&app.db.read, user.id).await? {
        organizations.push(json!({
            "name": org.name,
            "avatar": avatar(&org.name, &org.email, "org"),
            "can_create_repo": org.can_create,
            "public": false,
            "is_org_admin": org.admin,
            "preferred_namespace": false,
        }));
    }
    json_response(
        StatusCode::OK,
        json!({
            "anonymous": false,
            "username": account.username,
            "email": account.email,
            "verified": settings.verified,
            "avatar": avatar(&account.username, &account.email, if account.robot { "robot" } else { "user" }),
            "can_create_repo": true,
            "is_me": true,
            "super_user": caller.superuser(),
            "tag_expiration_s": settings.removed_tag_expiration_s,
            "prompts": [],
            "logins": [],
            "invoice_email": false,
            "invoice_email_address": null,
            "preferred_namespace": false,
            "company": settings.company,
            "family_name": settings.family_name,
            "given_name": settings.given_name,
            "location": settings.location,
            "is_free_account": true,
            "has_password_set": settings.has_password,
            "organizations": organizations,
        }),
    )
}

/// Quay's avatar object. The hash is a SHA-256 of the address (Gravatar takes those as it takes
/// Quay's MD5), the colour one of Quay's palette picked by it.
pub fn avatar(name: &str, email: &str, kind: &str) -> Value {
    use sha2::Digest as _;
    const COLORS: [&str; 10] =
        ["#969696", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896", "#9467bd", "#c5b0d5"];
    let digest = sha2::Sha256::digest(email.trim().to_lowercase().as_bytes());
    let hash: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let color = COLORS[digest[0] as usize % COLORS.len()];
    json!({"name": name, "hash": hash, "color": color, "kind": kind})
}
