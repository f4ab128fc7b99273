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
use crate::app::{App, AppState};
use crate::auth::Role;
use crate::db::queries::{self, RepoRow, RepositoryFilter, TagFilter, repo_state};
use crate::oci::RepositoryName;

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

pub fn state_name(state: i32) -> &'static str {
    match state {
        repo_state::READ_ONLY => "READ_ONLY",
        repo_state::MIRROR => "MIRROR",
        repo_state::MARKED_FOR_DELETION => "MARKED_FOR_DELETION",
        4 => "ORG_MIRROR",
        _ => "NORMAL",
    }
}

/// A repository named in the path, with the caller's role on it (capped by the token's scopes).
/// As Quay, a caller who may not read it gets 403 (401 when anonymous), one that does not exist 404.
pub struct Target {
    pub name: RepositoryName,
    pub repo: RepoRow,
    pub role: Option<Role>,
}

pub async fn target(app: &App, caller: &Caller, namespace: &str, repo: &str) -> Result<Target, ApiError> {
    let path = format!("{namespace}/{repo}");
    let name = RepositoryName::parse(&path, None).map_err(|_| ApiError::not_found())?;
    let Some(row) = app.db.find_repository(name.namespace(), name.repository()).await? else {
        return Err(ApiError::not_found());
    };
    // A superuser administers every repository only when acting as one (the `super:user` scope).
    let identity = match &caller.identity {
        crate::auth::Identity::User(u) if u.superuser && !caller.superuser() => {
            crate::auth::Identity::User(crate::auth::User { superuser: false, ..u.clone() })
        }
        other => other.clone(),
    };
    let role = crate::auth::repository_role(&app.db, &identity, &row).await?;
    // Scopes cap the role as Quay's do.
    let role = role.min(caller.max_role());
    Ok(Target { name, repo: row, role })
}

impl Target {
    /// The caller may do what `needed` allows, or gets 401 (anonymous) / 403.
    pub fn require(&self, caller: &Caller, needed: Role) -> Result<(), ApiError> {
        if needed == Role::Read && self.repo.public {
            return Ok(());
        }
        if self.role.is_some_and(|r| r >= needed) {
            return Ok(());
        }
        if caller.user().is_none() { Err(ApiError::unauthorized()) } else { Err(ApiError::forbidden()) }
    }

    /// Tags and labels change only in normal repositories of a registry taking writes; mirrored
    /// and read-only repositories answer 503 as Quay's.
    pub fn require_writable(&self, app: &App) -> Result<(), ApiError> {
        if self.repo.state != repo_state::NORMAL || app.config.registry_state == "readonly" || app.config.disable_pushes
        {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "downstream_issue",
                "The repository is not accepting changes (mirrored, read-only or the registry is read-only)",
            ));
        }
        Ok(())
    }
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

async fn create(State(app): State<AppState>, caller: Caller, Body(req): Body<CreateRequest>) -> ApiResult {
    let user = caller.require(Scope::RepoCreate)?;
    let namespace = req.namespace.clone().unwrap_or_else(|| user.username.clone());
    if req.repo_kind.as_deref().is_some_and(|k| k != "image") {
        return Err(ApiError::bad_request("Only image repositories are supported"));
    }
    let public = match req.visibility.as_str() {
        "public" => true,
        "private" => false,
        _ => return Err(ApiError::bad_request("visibility must be public or private")),
    };
    let path = format!("{namespace}/{}", req.repository);
    if RepositoryName::parse(&path, None).is_err() || req.repository.contains('/') {
        return Err(ApiError::bad_request("Invalid repository name"));
    }
    let Some(owner) = crate::db::identity::find_account(&app.db.read, &namespace).await? else {
        return Err(ApiError::forbidden());
    };
    let allowed = (user.superuser && caller.has(Scope::SuperUser))
        || queries::can_create_in_namespace(&app.db.read, user.id, owner.id).await?;
    if !allowed || owner.robot {
        return Err(ApiError::forbidden());
    }
    if app.db.find_repository(&namespace, &req.repository).await?.is_some() {
        return Err(ApiError::bad_request("Repository already exists"));
    }
    crate::identity::create_repo_as(&app.db, &path, public, Some(user.id)).await?;
    if let Some(description) = req.description.as_deref().filter(|d| !d.is_empty()) {
        let repo = app.db.find_repository(&namespace, &req.repository).await?.ok_or_else(ApiError::not_found)?;
        let tx = app.db.begin().await?;
        queries::set_repository_description(&tx, repo.id, description).await?;
        tx.commit().await?;
    }
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
    if starred && caller.user().is_none() {
        return Err(ApiError::unauthorized());
    }
    if caller.user().is_some() && !caller.has(Scope::RepoRead) {
        return Err(ApiError::forbidden());
    }
    let after_id = match q.next_page.as_deref() {
        Some(t) => {
            i32::try_from(parse_page_token(t, "start_id")?).map_err(|_| ApiError::bad_request("Invalid page token"))?
        }
        None => 0,
    };
    let viewer = caller.user().map(|u| (u.id, u.superuser && caller.has(Scope::SuperUser)));
    let filter = RepositoryFilter {
        namespace: q.namespace.as_deref(),
        include_public: public,
        starred_by: if starred { caller.user().map(|u| u.id) } else { None },
        after_id,
        only_id: None,
        limit: REPOS_PER_PAGE + 1,
    };
    let public_id = app.db.lookups.visibility_public;
    let mut rows = queries::list_repository_summaries(&app.db.read, viewer, public_id, &filter).await?;
    let more = rows.len() as u64 > REPOS_PER_PAGE;
    rows.truncate(REPOS_PER_PAGE as usize);
    let (with_modified, with_popularity) = (flag(&q.last_modified), flag(&q.popularity));
    let repositories: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut v = json!({
                "namespace": r.namespace,
                "name": r.name,
                "description": r.description,
                "is_public": r.public,
                "kind": "image",
                "state": state_name(r.state),
            });
            if with_modified {
                v["last_modified"] = json!(r.last_modified_ms.map(|ms| ms / 1000));
            }
            if with_popularity {
                v["popularity"] = json!(0);
            }
            if caller.user().is_some() {
                v["is_starred"] = json!(r.starred);
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
    let t = target(&app, &caller, &namespace, &repo).await?;
    t.require(&caller, Role::Read)?;
    let summary = queries::list_repository_summaries(
        &app.db.read,
        Some((caller.user().map(|u| u.id).unwrap_or(-1), true)),
        app.db.lookups.visibility_public,
        &RepositoryFilter {
            namespace: Some(t.name.namespace()),
            include_public: true,
            starred_by: None,
            after_id: 0,
            only_id: Some(t.repo.id),
            limit: 1,
        },
    )
    .await?;
    let summary = summary.into_iter().next().ok_or_else(ApiError::not_found)?;
    let settings = crate::db::identity::account_settings(&app.db.read, t.repo.namespace_id).await?;
    let mut tags = serde_json::Map::new();
    if q.include_tags.as_deref().is_none_or(|v| !v.eq_ignore_ascii_case("false")) {
        let filter = TagFilter {
            only_active: true,
            specific: None,
            name_like: None,
            name_eq: None,
            offset: 0,
            limit: MAX_TAGS_IN_VIEW,
        };
        for tag in queries::tag_views(&app.db.read, t.repo.id, &filter).await? {
            let mut v = json!({
                "name": tag.name,
                "size": tag.size,
                "last_modified": http_date_ms(tag.start_ms),
                "manifest_digest": tag.digest,
            });
            if let Some(end) = tag.end_ms {
                v["expiration"] = json!(http_date_ms(end));
            }
            tags.entry(tag.name.clone()).or_insert(v);
        }
    }
    json_response(
        StatusCode::OK,
        json!({
            "namespace": t.name.namespace(),
            "name": t.name.repository(),
            "kind": "image",
            "description": summary.description,
            "is_public": t.repo.public,
            "is_organization": summary.namespace_is_org,
            "is_starred": summary.starred,
            "status_token": "",
            "trust_enabled": false,
            "tag_expiration_s": settings.removed_tag_expiration_s,
            "is_free_account": true,
            "state": state_name(t.repo.state),
            "tags": tags,
            "can_write": t.role.is_some_and(|r| r >= Role::Write),
            "can_admin": t.role.is_some_and(|r| r >= Role::Admin),
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
    let t = target(&app, &caller, &namespace, &repo).await?;
    t.require(&caller, Role::Write)?;
    let tx = app.db.begin().await?;
    queries::set_repository_description(&tx, t.repo.id, &req.description).await?;
    let metadata =
        json!({"repo": t.name.repository(), "namespace": t.name.namespace(), "description": req.description});
    queries::insert_log(
        &tx,
        "set_repo_description",
        t.repo.namespace_id,
        performer(&caller),
        Some(t.repo.id),
        &metadata,
    )
    .await?;
    tx.commit().await?;
    json_response(StatusCode::OK, json!({"success": true}))
}

pub fn performer(caller: &Caller) -> Option<i32> {
    caller.user().map(|u| u.id)
}

async fn remove(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo)): Path<(String, String)>,
) -> ApiResult {
    let t = target(&app, &caller, &namespace, &repo).await?;
    t.require(&caller, Role::Admin)?;
    crate::identity::delete_repo(&app.db, &format!("{}/{}", t.name.namespace(), t.name.repository())).await?;
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
    let t = target(&app, &caller, &namespace, &repo).await?;
    t.require(&caller, Role::Admin)?;
    let public = match req.visibility.as_str() {
        "public" => true,
        "private" => false,
        _ => return Err(ApiError::bad_request("visibility must be public or private")),
    };
    crate::identity::set_visibility(&app.db, &format!("{}/{}", t.name.namespace(), t.name.repository()), public)
        .await?;
    json_response(StatusCode::OK, json!({"success": true}))
}
