//! `/repository`: create, list, get, update the description, change visibility, delete.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::error_schema;
use super::discovery::schema::{array, boolean, enumeration, integer, map_of, nullable, object, string};
use super::{
    ApiError, ApiResult, Body, Caller, Endpoint, Path, Query, Scope, flag, http_date_ms, json_response, no_content,
    page_token, parse_page_token,
};
use crate::app::AppState;
use crate::auth::Role;
use crate::registry::repositories::{self, ListQuery as Listing};

/// Quay's page size for repository lists (`REPOS_PER_PAGE`).
const REPOS_PER_PAGE: u64 = 100;
/// At most this many tags in a repository view.
const MAX_TAGS_IN_VIEW: u64 = 500;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "POST",
            path: "/repository",
            operation_id: "createRepo",
            summary: "Creates a repository",
            scope: Some(Scope::RepoCreate),
            query: &[],
            body: Some(|| {
                object(
                    &[
                        ("repository", string()),
                        ("visibility", enumeration(&["public", "private"])),
                        ("description", string()),
                        ("namespace", string()),
                        ("repo_kind", enumeration(&["image"])),
                    ],
                    &["repository", "visibility"],
                )
            }),
            responses: &[
                (
                    201,
                    Some(|| {
                        object(
                            &[("namespace", string()), ("name", string()), ("kind", string())],
                            &["namespace", "name", "kind"],
                        )
                    }),
                ),
                (400, Some(error_schema)),
                (401, Some(error_schema)),
                (403, Some(error_schema)),
            ],
            handler: || post(create),
        },
        Endpoint {
            method: "GET",
            path: "/repository",
            operation_id: "listRepos",
            summary: "Repositories the caller may see, by namespace, public or starred",
            scope: Some(Scope::RepoRead),
            query: &[
                ("namespace", "string", "Only this namespace's repositories"),
                ("public", "boolean", "Include public repositories"),
                ("starred", "boolean", "Only the caller's starred repositories"),
                ("last_modified", "boolean", "Include when a tag last changed"),
                ("popularity", "boolean", "Include the popularity"),
                ("repo_kind", "string", "Only `image`"),
                ("next_page", "string", "The page token of the previous response"),
            ],
            body: None,
            responses: &[
                (
                    200,
                    Some(|| {
                        object(&[("repositories", array(summary_schema())), ("next_page", string())], &["repositories"])
                    }),
                ),
                (400, Some(error_schema)),
            ],
            handler: || get(list),
        },
        Endpoint {
            method: "GET",
            path: "/repository/{repository}",
            operation_id: "getRepo",
            summary: "A repository with its active tags",
            scope: Some(Scope::RepoRead),
            query: &[
                ("includeTags", "boolean", "Include the active tags (default true)"),
                ("includeStats", "boolean", "Ignored: no statistics are kept"),
            ],
            body: None,
            responses: &[(200, Some(view_schema)), (403, Some(error_schema)), (404, Some(error_schema))],
            handler: || get(view),
        },
        Endpoint {
            method: "PUT",
            path: "/repository/{repository}",
            operation_id: "updateRepo",
            summary: "Updates the description",
            scope: Some(Scope::RepoWrite),
            query: &[],
            body: Some(|| object(&[("description", string())], &["description"])),
            responses: &[
                (200, Some(|| object(&[("success", boolean())], &["success"]))),
                (400, Some(error_schema)),
                (403, Some(error_schema)),
                (404, Some(error_schema)),
            ],
            handler: || put(update),
        },
        Endpoint {
            method: "DELETE",
            path: "/repository/{repository}",
            operation_id: "deleteRepository",
            summary: "Deletes the repository; garbage collection purges its content",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: None,
            responses: &[(204, None), (403, Some(error_schema)), (404, Some(error_schema))],
            handler: || delete(remove),
        },
        Endpoint {
            method: "POST",
            path: "/repository/{repository}/changevisibility",
            operation_id: "changeRepoVisibility",
            summary: "Makes the repository public or private",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: Some(|| object(&[("visibility", enumeration(&["public", "private"]))], &["visibility"])),
            responses: &[
                (200, Some(|| object(&[("success", boolean())], &["success"]))),
                (400, Some(error_schema)),
                (403, Some(error_schema)),
                (404, Some(error_schema)),
            ],
            handler: || post(change_visibility),
        },
        Endpoint {
            method: "PUT",
            path: "/repository/{repository}/changestate",
            operation_id: "changeRepoState",
            summary: "Puts the repository in the NORMAL, READ_ONLY or MIRROR state (MIRROR: FEATURE_REPO_MIRROR)",
            scope: Some(Scope::RepoAdmin),
            query: &[],
            body: Some(|| object(&[("state", enumeration(&["NORMAL", "READ_ONLY", "MIRROR"]))], &["state"])),
            responses: &[
                (200, Some(|| object(&[("success", boolean())], &["success"]))),
                (400, Some(error_schema)),
                (403, Some(error_schema)),
                (404, Some(error_schema)),
            ],
            handler: || put(change_state),
        },
    ]
}

fn summary_schema() -> Value {
    object(
        &[
            ("namespace", string()),
            ("name", string()),
            ("description", nullable(string())),
            ("is_public", boolean()),
            ("kind", string()),
            ("state", string()),
            ("last_modified", nullable(integer())),
            ("popularity", integer()),
            ("is_starred", boolean()),
        ],
        &["namespace", "name", "description", "is_public", "kind", "state"],
    )
}

fn view_schema() -> Value {
    let tag = object(
        &[
            ("name", string()),
            ("size", nullable(integer())),
            ("last_modified", string()),
            ("expiration", string()),
            ("manifest_digest", string()),
        ],
        &["name", "manifest_digest"],
    );
    object(
        &[
            ("namespace", string()),
            ("name", string()),
            ("kind", string()),
            ("description", nullable(string())),
            ("is_public", boolean()),
            ("is_organization", boolean()),
            ("is_starred", boolean()),
            ("status_token", string()),
            ("trust_enabled", boolean()),
            ("tag_expiration_s", integer()),
            ("is_free_account", boolean()),
            ("state", string()),
            ("tags", map_of(tag)),
            ("can_write", boolean()),
            ("can_admin", boolean()),
        ],
        &["namespace", "name", "kind", "is_public", "state", "can_write", "can_admin"],
    )
}

#[derive(Deserialize)]
struct CreateRequest {
    repository: String,
    visibility: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    repo_kind: Option<String>,
}

fn visibility(v: &str) -> Result<bool, ApiError> {
    match v {
        "public" => Ok(true),
        "private" => Ok(false),
        _ => Err(ApiError::bad_request("visibility must be public or private")),
    }
}

async fn create(State(app): State<AppState>, caller: Caller, Body(req): Body<CreateRequest>) -> ApiResult {
    caller.require(Scope::RepoCreate)?;
    if req.repo_kind.as_deref().is_some_and(|k| k != "image") {
        return Err(ApiError::bad_request("Only image repositories are supported"));
    }
    let public = visibility(&req.visibility)?;
    if req.repository.contains('/') {
        return Err(ApiError::bad_request("Invalid repository name"));
    }
    let description = req.description.as_deref();
    repositories::create(&app, &caller, req.namespace.as_deref(), &req.repository, public, description).await?;
    let namespace = req.namespace.clone().or_else(|| caller.signed_in_user().map(|u| u.username.clone()));
    json_response(StatusCode::CREATED, json!({"namespace": namespace, "name": req.repository, "kind": "image"}))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    namespace: Option<String>,
    #[serde(default)]
    public: Option<String>,
    #[serde(default)]
    starred: Option<String>,
    #[serde(default)]
    last_modified: Option<String>,
    #[serde(default)]
    popularity: Option<String>,
    #[serde(default)]
    repo_kind: Option<String>,
    next_page: Option<String>,
}

async fn list(State(app): State<AppState>, caller: Caller, Query(q): Query<ListQuery>) -> ApiResult {
    let (public, starred) = (flag(&q.public), flag(&q.starred));
    if q.namespace.is_none() && !public && !starred {
        return Err(ApiError::bad_request("namespace, public or starred must be given"));
    }
    if q.repo_kind.as_deref().is_some_and(|k| k != "image") {
        return json_response(StatusCode::OK, json!({"repositories": []}));
    }
    let after_id = match q.next_page.as_deref() {
        Some(t) => {
            i32::try_from(parse_page_token(t, "start_id")?).map_err(|_| ApiError::bad_request("Invalid page token"))?
        }
        None => 0,
    };
    let listing = Listing { namespace: q.namespace.as_deref(), public, starred, after_id, limit: REPOS_PER_PAGE + 1 };
    let mut rows = repositories::list(&app, &caller, &listing).await?;
    let more = rows.len() as u64 > REPOS_PER_PAGE;
    rows.truncate(REPOS_PER_PAGE as usize);
    let (with_modified, with_popularity) = (flag(&q.last_modified), flag(&q.popularity));
    let ids: Vec<(i32, i32)> = rows.iter().map(|r| (r.id, r.namespace_id)).collect();
    let sizes = crate::accounts::quotas::repository_sizes(&app, &ids).await?;
    let repositories: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut v = json!({
                "namespace": r.namespace,
                "name": r.name,
                "description": r.description,
                "is_public": r.public,
                "kind": "image",
                "state": repositories::state_name(r.state),
            });
            if with_modified {
                v["last_modified"] = json!(r.last_modified_ms.map(|ms| ms / 1000));
            }
            if with_popularity {
                v["popularity"] = json!(0);
            }
            if caller.signed_in_user().is_some() {
                v["is_starred"] = json!(r.starred);
            }
            if let Some((bytes, configured)) = sizes.as_ref().and_then(|s| s.get(&r.id)) {
                v["quota_report"] = json!({"quota_bytes": bytes, "configured_quota": configured});
            }
            v
        })
        .collect();
    let mut body = json!({"repositories": repositories});
    if more && let Some(last) = rows.last() {
        body["next_page"] = json!(page_token("start_id", last.id.into()));
    }
    json_response(StatusCode::OK, body)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ViewQuery {
    include_tags: Option<String>,
}

async fn view(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo)): Path<(String, String)>,
    Query(q): Query<ViewQuery>,
) -> ApiResult {
    let include_tags = q.include_tags.as_deref().is_none_or(|v| !v.eq_ignore_ascii_case("false"));
    let path = format!("{namespace}/{repo}");
    let v = repositories::view(&app, &caller, &path, include_tags, MAX_TAGS_IN_VIEW).await?;
    let mut tags = serde_json::Map::new();
    for tag in &v.tags {
        let mut t = json!({
            "name": tag.name,
            "size": tag.size,
            "last_modified": http_date_ms(tag.start_ms),
            "manifest_digest": tag.digest,
        });
        if let Some(end) = tag.end_ms {
            t["expiration"] = json!(http_date_ms(end));
        }
        tags.entry(tag.name.clone()).or_insert(t);
    }
    let access = &v.access;
    json_response(
        StatusCode::OK,
        json!({
            "namespace": access.name.namespace(),
            "name": access.name.repository(),
            "kind": "image",
            "description": v.summary.description,
            "is_public": access.repo.public,
            "is_organization": v.summary.namespace_is_org,
            "is_starred": v.summary.starred,
            // Quay's badge token, shown for private repositories (public ones need none).
            "status_token": if access.repo.public { "" } else { v.summary.badge_token.as_str() },
            "trust_enabled": false,
            "tag_expiration_s": v.tag_expiration_s,
            "is_free_account": true,
            "state": repositories::state_name(access.repo.state),
            "tags": tags,
            "can_write": access.role.is_some_and(|r| r >= Role::Write),
            "can_admin": access.role.is_some_and(|r| r >= Role::Admin),
        }),
    )
}

#[derive(Deserialize)]
struct UpdateRequest {
    description: String,
}

async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo)): Path<(String, String)>,
    Body(req): Body<UpdateRequest>,
) -> ApiResult {
    repositories::set_description(&app, &caller, &format!("{namespace}/{repo}"), &req.description).await?;
    json_response(StatusCode::OK, json!({"success": true}))
}

async fn remove(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo)): Path<(String, String)>,
) -> ApiResult {
    repositories::delete(&app, &caller, &format!("{namespace}/{repo}")).await?;
    no_content()
}

#[derive(Deserialize)]
struct VisibilityRequest {
    visibility: String,
}

async fn change_visibility(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo)): Path<(String, String)>,
    Body(req): Body<VisibilityRequest>,
) -> ApiResult {
    let public = visibility(&req.visibility)?;
    repositories::set_visibility(&app, &caller, &format!("{namespace}/{repo}"), public).await?;
    json_response(StatusCode::OK, json!({"success": true}))
}

#[derive(Deserialize)]
struct StateRequest {
    state: String,
}

async fn change_state(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo)): Path<(String, String)>,
    Body(req): Body<StateRequest>,
) -> ApiResult {
    // Quay's names only; the command line's spellings are not part of the API.
    let state = Some(req.state.as_str())
        .filter(|s| s.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .and_then(repositories::State::parse)
        .ok_or_else(|| ApiError::bad_request(&format!("{} is not a valid Repository state.", req.state)))?;
    repositories::set_state(&app, &caller, &format!("{namespace}/{repo}"), state).await?;
    json_response(StatusCode::OK, json!({"success": true}))
}
