//! `/organization/{orgname}/proxycache`: Quay's proxy cache organizations (FEATURE_PROXY_CACHE).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::error_schema;
use super::discovery::schema::{boolean, integer, nullable, object, string};
use super::{ApiError, ApiResult, Body, Caller, Endpoint, Path, Scope, json_response};
use crate::accounts::proxy_cache::{self, ProxyCacheInput};
use crate::app::AppState;

/// Quay answers `""` in every field of an organization that is no proxy cache, so the two
/// last fields are a number or a boolean, or that empty string.
fn view_schema() -> Value {
    object(
        &[("upstream_registry", string()), ("expiration_s", json!({})), ("insecure", json!({}))],
        &["upstream_registry", "expiration_s", "insecure"],
    )
}

fn request_schema() -> Value {
    object(
        &[
            ("upstream_registry", string()),
            ("upstream_registry_username", nullable(string())),
            ("upstream_registry_password", nullable(string())),
            ("expiration_s", integer()),
            ("insecure", boolean()),
        ],
        &["upstream_registry"],
    )
}

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "GET",
            path: "/organization/{orgname}/proxycache",
            operation_id: "getProxyCacheConfig",
            summary: "The organization's proxy cache setting (every field empty when it is none)",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: None,
            responses: &[
                (200, Some(view_schema)),
                (400, Some(error_schema)),
                (403, Some(error_schema)),
                (404, Some(error_schema)),
            ],
            handler: || get(get_config),
        },
        Endpoint {
            method: "POST",
            path: "/organization/{orgname}/proxycache",
            operation_id: "createProxyCacheConfig",
            summary: "Makes the organization a pull-through cache of an upstream registry",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: Some(request_schema),
            responses: &[
                (201, Some(string)),
                (400, Some(error_schema)),
                (403, Some(error_schema)),
                (404, Some(error_schema)),
            ],
            handler: || post(create_config),
        },
        Endpoint {
            method: "DELETE",
            path: "/organization/{orgname}/proxycache",
            operation_id: "deleteProxyCacheConfig",
            summary: "Stops the organization being a proxy cache (what it cached stays)",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: None,
            responses: &[
                (201, Some(string)),
                (400, Some(error_schema)),
                (403, Some(error_schema)),
                (404, Some(error_schema)),
            ],
            handler: || axum::routing::delete(delete_config),
        },
        Endpoint {
            method: "POST",
            path: "/organization/{orgname}/validateproxycache",
            operation_id: "validateProxyCacheConfig",
            summary: "Whether the upstream answers with these settings and credentials",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: Some(request_schema),
            responses: &[
                (202, Some(string)),
                (400, Some(error_schema)),
                (403, Some(error_schema)),
                (404, Some(error_schema)),
            ],
            handler: || post(validate_config),
        },
    ]
}

#[derive(Deserialize)]
struct ProxyCacheRequest {
    upstream_registry: String,
    upstream_registry_username: Option<String>,
    upstream_registry_password: Option<String>,
    expiration_s: Option<i64>,
    #[serde(default)]
    insecure: bool,
}

impl From<ProxyCacheRequest> for ProxyCacheInput {
    fn from(r: ProxyCacheRequest) -> Self {
        ProxyCacheInput {
            upstream_registry: r.upstream_registry,
            username: r.upstream_registry_username.filter(|u| !u.is_empty()),
            password: r.upstream_registry_password.filter(|p| !p.is_empty()),
            expiration_s: r.expiration_s,
            insecure: r.insecure,
        }
    }
}

async fn get_config(State(app): State<AppState>, caller: Caller, Path(org): Path<String>) -> ApiResult {
    let body = match proxy_cache::get(&app, &caller, &org).await? {
        Some(view) => json!(view),
        // Quay's answer for an organization that is no proxy cache.
        None => json!({"upstream_registry": "", "expiration_s": "", "insecure": ""}),
    };
    json_response(StatusCode::OK, body)
}

async fn create_config(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    Body(req): Body<ProxyCacheRequest>,
) -> ApiResult {
    proxy_cache::set(&app, &caller, &org, &req.into()).await?;
    json_response(StatusCode::CREATED, json!("Created"))
}

async fn delete_config(State(app): State<AppState>, caller: Caller, Path(org): Path<String>) -> ApiResult {
    proxy_cache::remove(&app, &caller, &org).await?;
    json_response(StatusCode::CREATED, json!("Deleted"))
}

async fn validate_config(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    Body(req): Body<ProxyCacheRequest>,
) -> ApiResult {
    match proxy_cache::validate(&app, &caller, &org, &req.into()).await? {
        Ok(()) => json_response(StatusCode::ACCEPTED, json!("Valid")),
        Err(why) => Err(ApiError::bad_request(&format!("Failed login to remote registry. {why}"))),
    }
}
