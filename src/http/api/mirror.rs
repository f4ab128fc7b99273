//! `/repository/{repository}/mirror`: Quay's repository mirroring API (FEATURE_REPO_MIRROR).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse as _;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::discovery::error_schema;
use super::discovery::schema::{array, boolean, enumeration, integer, nullable, object, string};
use super::{ApiError, ApiResult, Body, Caller, Endpoint, Path, Query, Scope, flag, json_response, no_content};
use crate::app::AppState;
use crate::registry::mirror::{self, MirrorInput};

fn config_schema() -> Value {
    object(
        &[
            ("verify_tls", boolean()),
            ("unsigned_images", boolean()),
            (
                "proxy",
                object(
                    &[
                        ("http_proxy", nullable(string())),
                        ("https_proxy", nullable(string())),
                        ("no_proxy", nullable(string())),
                    ],
                    &[],
                ),
            ),
        ],
        &[],
    )
}

fn rule_schema() -> Value {
    object(
        &[("rule_kind", enumeration(&["tag_glob_csv"])), ("rule_value", array(string()))],
        &["rule_kind", "rule_value"],
    )
}

fn request_schema(required: &[&str]) -> Value {
    object(
        &[
            ("is_enabled", boolean()),
            ("external_reference", string()),
            ("external_registry_username", nullable(string())),
            ("external_registry_password", nullable(string())),
            ("external_registry_config", config_schema()),
            ("sync_interval", integer()),
            ("sync_start_date", string()),
            ("root_rule", rule_schema()),
            ("robot_username", string()),
            ("skopeo_timeout_interval", integer()),
            ("architecture_filter", array(enumeration(&mirror::ARCHITECTURES))),
        ],
        required,
    )
}

fn view_schema() -> Value {
    object(
        &[
            ("is_enabled", boolean()),
            ("mirror_type", string()),
            ("external_reference", string()),
            ("external_registry_username", nullable(string())),
            ("external_registry_config", config_schema()),
            ("sync_interval", integer()),
            ("sync_start_date", nullable(string())),
            ("sync_expiration_date", nullable(string())),
            ("sync_retries_remaining", integer()),
            ("sync_status", enumeration(&["CANCEL", "FAIL", "NEVER_RUN", "SUCCESS", "SYNCING", "SYNC_NOW"])),
            ("root_rule", rule_schema()),
            ("robot_username", string()),
            ("skopeo_timeout_interval", integer()),
            ("architecture_filter", array(string())),
        ],
        &["is_enabled", "mirror_type", "external_reference", "sync_status", "root_rule", "robot_username"],
    )
}

const CHANGED: &[(u16, Option<super::Schema>)] = &[
    (201, None),
    (400, Some(error_schema)),
    (403, Some(error_schema)),
    (404, Some(error_schema)),
    (409, Some(error_schema)),
];

fn health_schema() -> Value {
    let count =
        |names: &[&'static str]| -> Vec<(&'static str, Value)> { names.iter().map(|n| (*n, integer())).collect() };
    object(
        &[
            ("healthy", boolean()),
            (
                "workers",
                object(
                    &[
                        ("active", integer()),
                        ("configured", integer()),
                        ("status", enumeration(&["healthy", "degraded"])),
                    ],
                    &["active", "configured", "status"],
                ),
            ),
            ("repositories", object(&count(&["total", "syncing", "completed", "failed", "never_run"]), &["total"])),
            ("tags_pending", integer()),
            ("last_check", string()),
            (
                "issues",
                array(object(
                    &[
                        ("severity", enumeration(&["critical", "error", "warning"])),
                        ("message", string()),
                        ("timestamp", string()),
                    ],
                    &["severity", "message", "timestamp"],
                )),
            ),
        ],
        &["healthy", "workers", "repositories", "tags_pending", "last_check", "issues"],
    )
}

const HEALTH_QUERY: &[(&str, &str, &str)] = &[
    ("namespace", "string", "Only this namespace's mirrors"),
    ("detailed", "boolean", "Include a page of per-repository rows"),
    ("limit", "integer", "Rows in the detailed page (1 to 1000, default 100)"),
    ("offset", "integer", "Where the detailed page starts"),
];

const HEALTH_RESPONSES: &[(u16, Option<super::Schema>)] =
    &[(200, Some(health_schema)), (401, Some(error_schema)), (403, Some(error_schema)), (503, Some(health_schema))];

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "GET",
            path: "/repository/mirror/health",
            operation_id: "getRepositoryMirrorHealth",
            summary: "Repository mirroring's health: 200 when healthy, 503 when too many mirrors fail",
            scope: None,
            query: HEALTH_QUERY,
            body: None,
            responses: HEALTH_RESPONSES,
            handler: || get(mirror_health),
        },
        Endpoint {
            method: "GET",
            path: "/superuser/mirror/health",
            operation_id: "getSuperuserMirrorHealth",
            summary: "Repository mirroring's health across every namespace (superusers)",
            scope: Some(Scope::SuperUser),
            query: HEALTH_QUERY,
            body: None,
            responses: HEALTH_RESPONSES,
            handler: || get(mirror_health),
        },
        Endpoint {
            method: "GET",
            path: "/repository/{repository}/mirror",
            operation_id: "getRepoMirrorConfig",
            summary: "The repository's mirror configuration and sync status",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: None,
            responses: &[
                (200, Some(view_schema)),
                (400, Some(error_schema)),
                (403, Some(error_schema)),
                (404, Some(error_schema)),
            ],
            handler: || get(get_mirror),
        },
        Endpoint {
            method: "POST",
            path: "/repository/{repository}/mirror",
            operation_id: "createRepoMirrorConfig",
            summary: "Makes the repository a mirror of an upstream repository",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: Some(|| {
                request_schema(&[
                    "external_reference",
                    "sync_interval",
                    "sync_start_date",
                    "root_rule",
                    "robot_username",
                ])
            }),
            responses: CHANGED,
            handler: || post(create_mirror),
        },
        Endpoint {
            method: "PUT",
            path: "/repository/{repository}/mirror",
            operation_id: "changeRepoMirrorConfig",
            summary: "Changes the given fields of the repository's mirror",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: Some(|| request_schema(&[])),
            responses: CHANGED,
            handler: || axum::routing::put(change_mirror),
        },
        Endpoint {
            method: "POST",
            path: "/repository/{repository}/mirror/sync-now",
            operation_id: "syncNow",
            summary: "Syncs the mirror at the next poll",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: None,
            responses: &[(204, None), (400, Some(error_schema)), (403, Some(error_schema)), (404, Some(error_schema))],
            handler: || post(sync_now),
        },
        Endpoint {
            method: "POST",
            path: "/repository/{repository}/mirror/sync-cancel",
            operation_id: "syncCancel",
            summary: "Cancels the mirror's running or requested sync",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: None,
            responses: &[(204, None), (400, Some(error_schema)), (403, Some(error_schema)), (404, Some(error_schema))],
            handler: || post(sync_cancel),
        },
    ]
}

/// The fields of a create or change request, as `MirrorInput`; a field given with the wrong type
/// is refused naming it.
fn input(body: &Value) -> Result<MirrorInput, ApiError> {
    let body = body.as_object().ok_or_else(|| ApiError::bad_request("the body must be a JSON object"))?;
    let wrong = |field: &str| ApiError::bad_request(&format!("{field} has the wrong type"));
    let text = |field: &str| -> Result<Option<String>, ApiError> {
        match body.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(wrong(field)),
        }
    };
    let nullable_text = |field: &str| -> Result<Option<Option<String>>, ApiError> {
        match body.get(field) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
            Some(_) => Err(wrong(field)),
        }
    };
    let number = |field: &str| -> Result<Option<i64>, ApiError> {
        match body.get(field) {
            None => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| wrong(field)),
        }
    };
    let sync_start_date = match text("sync_start_date")? {
        None => None,
        Some(s) => Some(chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%SZ").map_err(|_| {
            ApiError::bad_request(&format!("sync_start_date `{s}` is not a date such as 2024-01-01T00:00:00Z"))
        })?),
    };
    let tags = match body.get("root_rule") {
        None => None,
        Some(rule) => {
            if rule.get("rule_kind").and_then(Value::as_str) != Some("tag_glob_csv") {
                return Err(ApiError::bad_request("root_rule.rule_kind must be tag_glob_csv"));
            }
            let values =
                rule.get("rule_value").and_then(Value::as_array).ok_or_else(|| wrong("root_rule.rule_value"))?;
            Some(
                values
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| wrong("root_rule.rule_value")))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        }
    };
    let architecture_filter = match body.get("architecture_filter") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| wrong("architecture_filter")))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => return Err(wrong("architecture_filter")),
    };
    let is_enabled = match body.get("is_enabled") {
        None => None,
        Some(v) => Some(v.as_bool().ok_or_else(|| wrong("is_enabled"))?),
    };
    let registry_config = match body.get("external_registry_config") {
        None => None,
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(_) => return Err(wrong("external_registry_config")),
    };
    Ok(MirrorInput {
        is_enabled,
        external_reference: text("external_reference")?,
        username: nullable_text("external_registry_username")?,
        password: nullable_text("external_registry_password")?,
        registry_config,
        sync_interval: number("sync_interval")?,
        sync_start_date,
        tags,
        architecture_filter,
        robot_username: text("robot_username")?,
        skopeo_timeout: number("skopeo_timeout_interval")?,
    })
}

#[derive(serde::Deserialize)]
struct HealthParams {
    namespace: Option<String>,
    detailed: Option<String>,
    limit: Option<u64>,
    offset: Option<u64>,
}

async fn mirror_health(State(app): State<AppState>, caller: Caller, Query(q): Query<HealthParams>) -> ApiResult {
    let query = mirror::HealthQuery {
        namespace: q.namespace.as_deref().filter(|n| !n.is_empty()),
        detailed: flag(&q.detailed),
        limit: q.limit.unwrap_or(100),
        offset: q.offset.unwrap_or(0),
    };
    let health = mirror::health(&app, &caller, &query).await?;
    let status = if health.healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let mut response = json_response(status, json!(health))?;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-cache, no-store, must-revalidate"),
    );
    Ok(response)
}

async fn get_mirror(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo)): Path<(String, String)>,
) -> ApiResult {
    let view = mirror::get(&app, &caller, &format!("{namespace}/{repo}")).await?;
    json_response(StatusCode::OK, json!(view))
}

async fn create_mirror(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo)): Path<(String, String)>,
    Body(body): Body<Value>,
) -> ApiResult {
    // Quay answers a created or changed mirror with 201 and an empty body.
    let input = input(&body)?;
    mirror::create(&app, &caller, &format!("{namespace}/{repo}"), &input).await?;
    Ok((StatusCode::CREATED, "").into_response())
}

async fn change_mirror(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo)): Path<(String, String)>,
    Body(body): Body<Value>,
) -> ApiResult {
    let input = input(&body)?;
    mirror::update(&app, &caller, &format!("{namespace}/{repo}"), &input).await?;
    Ok((StatusCode::CREATED, "").into_response())
}

async fn sync_now(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo)): Path<(String, String)>,
) -> ApiResult {
    mirror::sync_now(&app, &caller, &format!("{namespace}/{repo}")).await?;
    no_content()
}

async fn sync_cancel(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo)): Path<(String, String)>,
) -> ApiResult {
    mirror::cancel(&app, &caller, &format!("{namespace}/{repo}")).await?;
    no_content()
}
