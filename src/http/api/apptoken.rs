//! `/user/apptoken`: the caller's app-specific tokens (the passwords of `$app` for registry
//! clients): list, create, show with its code, revoke.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, boolean, nullable, object, string};
use super::{ApiResult, Body, Caller, Endpoint, Path, Scope, http_date, json_response, no_content};
use crate::accounts::AppTokenView;
use crate::accounts::tokens;
use crate::app::AppState;

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
            responses: &[(
                200,
                Some(|| {
                    object(&[("tokens", array(token_schema())), ("only_expiring", nullable(boolean()))], &["tokens"])
                }),
            )],
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

fn token_json(t: &AppTokenView, code: Option<&str>) -> Value {
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

async fn list(State(app): State<AppState>, caller: Caller) -> ApiResult {
    let tokens: Vec<Value> = tokens::list(&app, &caller).await?.iter().map(|t| token_json(t, None)).collect();
    // Quay echoes its `expiring` filter, which this registry does not take: null.
    json_response(StatusCode::OK, json!({"tokens": tokens, "only_expiring": null}))
}

#[derive(Deserialize)]
struct CreateRequest {
    title: String,
}

async fn create(State(app): State<AppState>, caller: Caller, Body(req): Body<CreateRequest>) -> ApiResult {
    let t = tokens::create(&app, &caller, None, &req.title, None).await?;
    json_response(StatusCode::OK, json!({"token": token_json(&t.view, t.code.as_deref())}))
}

async fn show(State(app): State<AppState>, caller: Caller, Path(uuid): Path<String>) -> ApiResult {
    let t = tokens::get(&app, &caller, &uuid).await?;
    json_response(StatusCode::OK, json!({"token": token_json(&t.view, t.code.as_deref())}))
}

async fn revoke(State(app): State<AppState>, caller: Caller, Path(uuid): Path<String>) -> ApiResult {
    tokens::revoke(&app, &caller, &uuid).await?;
    no_content()
}
