//! `/user/initialize` (the installer's bootstrap) and `/user/` (who am I).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, boolean, integer, object, string};
use super::{ApiError, ApiResult, Body, Caller, Endpoint, Scope, json_response};
use crate::accounts::users;
use crate::app::AppState;

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
            responses: &[(200, Some(initialized_schema)), (400, Some(super::discovery::bad_request_schema))],
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
    let organization = object(
        &[
            ("name", string()),
            ("avatar", super::discovery::avatar_schema()),
            ("can_create_repo", boolean()),
            ("public", boolean()),
            ("is_org_admin", boolean()),
            ("preferred_namespace", boolean()),
        ],
        &["name"],
    );
    let mut fields = vec![
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
        ("organizations", array(organization)),
    ];
    fields.extend(super::lifecycle::quota_report_fields());
    object(&fields, &["anonymous", "username", "email", "verified", "organizations"])
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
    // Quay answers invalid input here with a bare `{"message": ...}`.
    let created = users::initialize(&app, &req.username, req.email.as_deref(), &req.password, req.access_token)
        .await
        .map_err(|e| ApiError::from(e).bare_message())?;
    let mut body = json!({"username": created.account.username, "email": created.account.email});
    // `quay serve` always has a SECRET_KEY (it generates one on first start).
    if let Some(cli) = app.config.cli_password() {
        body["encrypted_password"] = cli.encrypt(&req.password).into();
    }
    if let Some(token) = created.access_token {
        body["access_token"] = token.into();
    }
    json_response(StatusCode::OK, body)
}

async fn current_user(State(app): State<AppState>, caller: Result<Caller, ApiError>) -> ApiResult {
    // Quay tells a caller without valid credentials here that no session is required.
    let caller = caller.map_err(ApiError::with_session_required)?;
    let users::Profile { account, settings, organizations: memberships } = users::profile(&app, &caller).await?;
    let organizations: Vec<Value> = memberships
        .iter()
        .map(|org| {
            json!({
                "name": org.name,
                "avatar": avatar(&org.name, &org.email, "org"),
                "can_create_repo": org.can_create,
                "public": false,
                "is_org_admin": org.admin,
                "preferred_namespace": false,
            })
        })
        .collect();
    let mut body = json!({
            "anonymous": false,
            "username": account.username,
            "email": account.email,
            "verified": settings.verified,
            "avatar": avatar(&account.username, &account.email, if account.robot { "robot" } else { "user" }),
            "can_create_repo": true,
            "is_me": true,
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
    });
    // Quay names superusers only.
    if caller.superuser() {
        body["super_user"] = json!(true);
    }
    let report = crate::accounts::quotas::report(&app, account.id).await?;
    super::lifecycle::add_quota_report(&mut body, report.as_ref());
    json_response(StatusCode::OK, body)
}

/// Quay's avatar object. The hash is a SHA-256 of the address (Gravatar takes those as it takes
/// Quay's MD5), the colour one of Quay's palette picked by it.
pub fn avatar(name: &str, email: &str, kind: &str) -> Value {
    use sha2::Digest as _;
    // Quay's palette (`avatars/avatars.py`), picked by the first byte of the hash.
    const COLORS: [&str; 32] = [
        "#969696", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896", "#9467bd", "#c5b0d5",
        "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7", "#bcbd22", "#1f77b4", "#17becf", "#9edae5",
        "#393b79", "#5254a3", "#6b6ecf", "#9c9ede", "#9ecae1", "#31a354", "#b5cf6b", "#a1d99b", "#8c6d31", "#ad494a",
        "#e7ba52", "#a55194",
    ];
    let digest = sha2::Sha256::digest(email.trim().to_lowercase().as_bytes());
    let hash: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let color = COLORS[digest[0] as usize % COLORS.len()];
    json!({"name": name, "hash": hash, "color": color, "kind": kind})
}

#[cfg(test)]
mod tests {
    /// Quay's own answers (`quay-api-answers.json`): users and organizations by their email,
    /// teams by their name.
    #[test]
    fn avatars_are_quays() {
        let user = super::avatar("quayadmin", "quayadmin@example.com", "user");
        assert_eq!(user["hash"], "3e82e9cbf62d25dec0ed1b4c66ca7c5d47ab9f1f271958298dea856fb26adc4c");
        assert_eq!(user["color"], "#e7ba52");
        assert_eq!(super::avatar("acme", "acme@example.com", "user")["color"], "#f7b6d2");
        assert_eq!(super::avatar("owners", "owners", "team")["color"], "#c7c7c7");
        assert_eq!(super::avatar("readers", "readers", "team")["color"], "#ff7f0e");
        assert_eq!(super::avatar("user2", "user2@example.com", "user")["color"], "#c49c94");
    }
}
