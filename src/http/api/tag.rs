//! `/repository/{repository}/tag/`: list with history, create or move, expire, delete, restore.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, boolean, integer, map_of, nullable, object, string};
use super::discovery::{bad_request_schema, error_schema};
use super::{
    ApiError, ApiResult, Body, Caller, Endpoint, Path, Query, Scope, flag, http_date_ms, json_response, no_content,
};
use crate::app::AppState;
use crate::registry::tags::{self, TagFilter};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "GET",
            path: "/repository/{repository}/tag/",
            operation_id: "listRepoTags",
            summary: "Tags of the repository, with their history unless onlyActiveTags",
            scope: Some(Scope::RepoRead),
            query: &[
                ("specificTag", "string", "Only this tag (its history)"),
                ("filter_tag_name", "string", "like:TEXT or eq:NAME"),
                ("onlyActiveTags", "boolean", "Only tags alive now"),
                ("limit", "integer", "Page size, at most 100 (default 50)"),
                ("page", "integer", "Page number, from 1"),
            ],
            body: None,
            responses: &[
                (
                    200,
                    Some(|| {
                        object(
                            &[("tags", array(tag_schema())), ("page", integer()), ("has_additional", boolean())],
                            &["tags", "page", "has_additional"],
                        )
                    }),
                ),
                (400, Some(bad_request_schema)),
                (401, Some(error_schema)),
                (403, Some(error_schema)),
                (404, Some(error_schema)),
            ],
            handler: || get(list),
        },
        Endpoint {
            method: "PUT",
            path: "/repository/{repository}/tag/{tag}",
            operation_id: "changeTag",
            summary: "Points the tag at a manifest of the repository, and/or sets when it expires",
            scope: Some(Scope::RepoWrite),
            query: &[],
            body: Some(|| object(&[("manifest_digest", string()), ("expiration", nullable(integer()))], &[])),
            responses: &[
                (201, Some(string)),
                (409, Some(error_schema)),
                (400, Some(bad_request_schema)),
                (401, Some(error_schema)),
                (403, Some(error_schema)),
                (404, Some(error_schema)),
            ],
            handler: || put(change),
        },
        Endpoint {
            method: "DELETE",
            path: "/repository/{repository}/tag/{tag}",
            operation_id: "deleteFullTag",
            summary: "Deletes the tag (it stays restorable for the namespace's time machine window)",
            scope: Some(Scope::RepoWrite),
            query: &[],
            body: None,
            responses: &[
                (204, None),
                (401, Some(error_schema)),
                (403, Some(error_schema)),
                (404, Some(error_schema)),
                (409, Some(error_schema)),
            ],
            handler: || delete(remove),
        },
        Endpoint {
            method: "POST",
            path: "/repository/{repository}/tag/{tag}/restore",
            operation_id: "restoreTag",
            summary: "Points the tag back at a manifest it had, from the time machine",
            scope: Some(Scope::RepoWrite),
            query: &[],
            body: Some(|| object(&[("manifest_digest", string())], &["manifest_digest"])),
            responses: &[
                (200, Some(|| object(&[], &[]))),
                (409, Some(error_schema)),
                (400, Some(bad_request_schema)),
                (401, Some(error_schema)),
                (403, Some(error_schema)),
                (404, Some(error_schema)),
            ],
            handler: || post(restore),
        },
    ]
}

fn tag_schema() -> Value {
    object(
        &[
            ("name", string()),
            ("reversion", boolean()),
            (
                "immutable",
                json!({"type": "boolean", "description": "Added by this registry (Quay does not return it): \
                    whether the tag may not be moved or deleted (set by a Quay sharing the database)"}),
            ),
            ("start_ts", integer()),
            ("end_ts", integer()),
            ("manifest_digest", string()),
            ("is_manifest_list", boolean()),
            ("size", nullable(integer())),
            ("last_modified", string()),
            ("expiration", string()),
            ("is_sparse", boolean()),
            ("child_manifest_count", integer()),
            ("present_child_count", integer()),
            ("child_manifests_presence", map_of(boolean())),
        ],
        &["name", "reversion", "start_ts", "manifest_digest", "is_manifest_list", "last_modified"],
    )
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    specific_tag: Option<String>,
    #[serde(rename = "filter_tag_name")]
    filter_tag_name: Option<String>,
    only_active_tags: Option<String>,
    limit: Option<String>,
    page: Option<String>,
}

fn number(v: &Option<String>, name: &str, default: u64) -> Result<u64, ApiError> {
    match v.as_deref() {
        None | Some("") => Ok(default),
        Some(s) => s.parse::<u64>().map_err(|_| ApiError::bad_request(&format!("{name} must be a positive integer"))),
    }
}

async fn list(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo)): Path<(String, String)>,
    Query(q): Query<ListQuery>,
) -> ApiResult {
    let limit = number(&q.limit, "limit", 50)?.clamp(1, 100);
    let page = number(&q.page, "page", 1)?.max(1);
    if page > 1_000_000 {
        return Err(ApiError::bad_request("page is too large"));
    }
    let (mut name_like, mut name_eq) = (None, None);
    if let Some(filter) = q.filter_tag_name.as_deref() {
        match filter.split_once(':') {
            Some(("like", v)) => name_like = Some(v),
            Some(("eq", v)) => name_eq = Some(v),
            _ => return Err(ApiError::bad_request("filter_tag_name must be like:TEXT or eq:NAME")),
        }
    }
    let filter = TagFilter {
        only_active: flag(&q.only_active_tags),
        specific: q.specific_tag.as_deref(),
        name_like,
        name_eq,
        offset: (page - 1).saturating_mul(limit),
        limit: limit + 1,
    };
    let mut rows = tags::history(&app, &caller, &format!("{namespace}/{repo}"), &filter).await?;
    let has_additional = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let tags: Vec<Value> = rows
        .iter()
        .map(|t| {
            let tag = &t.view;
            let mut v = json!({
                "name": tag.name,
                "reversion": tag.reversion,
                "immutable": tag.immutable,
                "start_ts": tag.start_ms / 1000,
                "manifest_digest": tag.digest,
                "is_manifest_list": t.is_index,
                "size": tag.size,
                "last_modified": http_date_ms(tag.start_ms),
            });
            if let Some(end) = tag.end_ms {
                v["end_ts"] = json!(end / 1000);
                v["expiration"] = json!(http_date_ms(end));
            }
            if t.is_index {
                let present = t.children.iter().filter(|(_, here)| *here).count();
                let presence: serde_json::Map<String, Value> =
                    t.children.iter().map(|(digest, here)| (digest.clone(), json!(here))).collect();
                v["is_sparse"] = json!(present < t.children.len());
                v["child_manifest_count"] = json!(t.children.len());
                v["present_child_count"] = json!(present);
                v["child_manifests_presence"] = Value::Object(presence);
            }
            v
        })
        .collect();
    json_response(StatusCode::OK, json!({"tags": tags, "page": page, "has_additional": has_additional}))
}

#[derive(Deserialize)]
struct ChangeRequest {
    manifest_digest: Option<String>,
    #[serde(default, deserialize_with = "explicit_option")]
    expiration: Option<Option<i64>>,
}

/// Tells an absent field (no change) from an explicit `null` (never expire).
fn explicit_option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Ok(Some(Option::<i64>::deserialize(d)?))
}

async fn change(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo, tag)): Path<(String, String, String)>,
    Body(req): Body<ChangeRequest>,
) -> ApiResult {
    let expiration_ms = match req.expiration {
        None => None,
        Some(None) => Some(None),
        Some(Some(seconds)) => Some(Some(seconds.checked_mul(1000).unwrap_or(i64::MIN))),
    };
    if req.manifest_digest.is_none() && expiration_ms.is_none() {
        // Nothing to change: Quay's no-op 201, once the caller may change the tag.
        tags::changeable(&app, &caller, &format!("{namespace}/{repo}"), &tag).await?;
        return json_response(StatusCode::CREATED, json!("Updated"));
    }
    let path = format!("{namespace}/{repo}");
    tags::change(&app, &caller, &path, &tag, req.manifest_digest.as_deref(), expiration_ms).await?;
    json_response(StatusCode::CREATED, json!("Updated"))
}

async fn remove(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo, tag)): Path<(String, String, String)>,
) -> ApiResult {
    tags::delete(&app, &caller, &format!("{namespace}/{repo}"), &tag).await?;
    no_content()
}

#[derive(Deserialize)]
struct RestoreRequest {
    manifest_digest: String,
}

async fn restore(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo, tag)): Path<(String, String, String)>,
    Body(req): Body<RestoreRequest>,
) -> ApiResult {
    tags::restore(&app, &caller, &format!("{namespace}/{repo}"), &tag, Some(&req.manifest_digest)).await?;
    json_response(StatusCode::OK, json!({}))
}
