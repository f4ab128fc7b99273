//! `/user/apptoken`: the caller's app-specific tokens (the passwords of `$app` for registry
//! clients): list, create, show with its code, revoke.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, nullable, object, string};
use super::{ApiError, ApiResult, Body, Caller, Endpoint, Path, Scope, http_date, json_response, no_content};
use crate::app::{App, AppState};
use crate::auth::User;
use crate::db::identity::{self, AppTokenView};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "GET",
            path: "/user/apptoken",
            operation_id: "listAppTokens",
            summary: "The caller's app-specific tokens, without their codes",
            scope: Some(Scope::UserAdmin),
            query: &[],
            body: None,
            responses: &[(200, Some(|| object(&[("tokens", array(token_schema()))], &["tokens"])))],
            handler: || get(list),
        },
        Endpoint {
            method: "POST",
            path: "/user/apptoken",
            operation_id: "createAppToken",
            summary: "Creates an app-specific token; its code is shown here and by GET of the token",
            scope: Some(Scope::UserAdmin),
            query: &[],
            body: Some(|| object(&[("title", string())], &["title"])),
            responses: &[(200, Some(|| object(&[("token", token_schema())], &["token"])))],
            handler: || post(create),
        },
        Endpoint {
            method: "GET",
            path: "/user/apptoken/{token_uuid}",
            operation_id: "getAppToken",
            summary: "One app-specific token with its code",
            scope: Some(Scope::UserAdmin),
            query: &[],
            body: None,
            responses: &[(200, Some(|| object(&[("token", token_schema())], &["token"])))],
            handler: || get(show),
        },
        Endpoint {
            method: "DELETE",
            path: "/user/apptoken/{token_uuid}",
            operation_id: "revokeAppToken",
            summary: "Revokes an app-specific token",
            scope: Some(Scope::UserAdmin),
            query: &[],
            body: None,
            responses: &[(204, None)],
            handler: || delete(revoke),
        },
    ]
}

fn token_schema() -> Value {
    object(
        &[
            ("uuid", string()),
            ("title", string()),
            ("last_accessed", nullable(string())),
            ("created", string()),
            ("expiration", nullable(string())),
            ("token_code", string()),
        ],
        &["uuid", "title", "created"],
    )
}

fn token_json(t: &AppTokenView, code: Option<String>) -> Value {
    let mut v = json!({
        "uuid": t.uuid,
        "title": t.title,
        "last_accessed": t.last_accessed.map(super::http_date),
        "created": http_date(t.created),
        "expiration": t.expiration.map(super::http_date),
    });
    if let Some(code) = code {
        v["token_code"] = json!(code);
    }
    v
}

/// A person signed in with their password or an OAuth token (app tokens do not manage tokens).
fn person(caller: &Caller) -> Result<&User, ApiError> {
    let user = caller.require(Scope::UserAdmin)?;
    if user.robot || user.app_token.is_some() {
        return Err(ApiError::forbidden());
    }
    Ok(user)
}

fn code_of(app: &App, t: &AppTokenView) -> Option<String> {
    let secret = app.secrets.as_ref()?.decrypt(&t.encrypted_secret).ok()?;
    Some(format!("{}{secret}", t.token_name))
}

async fn list(State(app): State<AppState>, caller: Caller) -> ApiResult {
    let user = person(&caller)?;
    let tokens: Vec<Value> =
        identity::app_tokens_of(&app.db.read, user.id, None).await?.iter().map(|t| token_json(t, None)).collect();
    json_response(StatusCode::OK, json!({"tokens": tokens}))
}

#[derive(Deserialize)]
struct CreateRequest {
    title: String,
}

async fn create(State(app): State<AppState>, caller: Caller, Body(req): Body<CreateRequest>) -> ApiResult {
    let user = person(&caller)?;
    let (uuid, _) =
        crate::identity::create_app_token_with_uuid(&app.db, app.secrets.as_ref(), &user.username, &req.title, None)
            .await?;
    let created = identity::app_tokens_of(&app.db.read, user.id, Some(&uuid)).await?;
    let t = created.first().ok_or_else(ApiError::not_found)?;
    json_response(StatusCode::OK, json!({"token": token_json(t, code_of(&app, t))}))
}

async fn show(State(app): State<AppState>, caller: Caller, Path(uuid): Path<String>) -> ApiResult {
    let user = person(&caller)?;
    let found = identity::app_tokens_of(&app.db.read, user.id, Some(&uuid)).await?;
    let t = found.first().ok_or_else(ApiError::not_found)?;
    json_response(StatusCode::OK, json!({"token": token_json(t, code_of(&app, t))}))
}

async fn revoke(State(app): State<AppState>, caller: Caller, Path(uuid): Path<String>) -> ApiResult {
    let user = person(&caller)?;
    let found = identity::app_tokens_of(&app.db.read, user.id, Some(&uuid)).await?;
    let t = found.first().ok_or_else(ApiError::not_found)?;
    let tx = app.db.begin().await?;
    identity::delete_app_token(&tx, user.id, &uuid).await?;
    let metadata = json!({"app_specific_token_title": t.title, "app_specific_token": uuid});
    crate::db::queries::insert_log(&tx, "revoke_app_specific_token", user.id, Some(user.id), None, &metadata).await?;
    tx.commit().await?;
    no_content()
}
