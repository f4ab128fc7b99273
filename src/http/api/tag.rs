//! `/repository/{repository}/tag/`: list with history, create or move, expire, delete, restore.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::error_schema;
use super::discovery::schema::{array, boolean, integer, nullable, object, string};
use super::repository::{Target, performer, target};
use super::{
    ApiError, ApiResult, Body, Caller, Endpoint, Path, Query, Scope, flag, http_date_ms, json_response, no_content,
};
use crate::app::{App, AppState};
use crate::auth::Role;
use crate::db::queries::{self, TagFilter};

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
                (400, Some(error_schema)),
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
                (400, Some(error_schema)),
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
                (400, Some(error_schema)),
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
            ("immutable", boolean()),
            ("start_ts", integer()),
            ("end_ts", integer()),
            ("manifest_digest", string()),
            ("is_manifest_list", boolean()),
            ("size", nullable(integer())),
            ("last_modified", string()),
            ("expiration", string()),
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
    let t = target(&app, &caller, &namespace, &repo).await?;
    t.require(&caller, Role::Read)?;
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
    let mut rows = queries::tag_views(&app.db.read, t.repo.id, &filter).await?;
    let has_additional = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let lists = |id: i32| {
        let name = app.db.lookups.media_type_name(id).unwrap_or_default();
        crate::oci::media_types::is_index(name)
    };
    let tags: Vec<Value> = rows
        .iter()
        .map(|tag| {
            let mut v = json!({
                "name": tag.name,
                "reversion": tag.reversion,
                "immutable": tag.immutable,
                "start_ts": tag.start_ms / 1000,
                "manifest_digest": tag.digest,
                "is_manifest_list": lists(tag.media_type_id),
                "size": tag.size,
                "last_modified": http_date_ms(tag.start_ms),
            });
            if let Some(end) = tag.end_ms {
                v["end_ts"] = json!(end / 1000);
                v["expiration"] = json!(http_date_ms(end));
            }
            v
        })
        .collect();
    json_response(StatusCode::OK, json!({"tags": tags, "page": page, "has_additional": has_additional}))
}

/// The repository of a tag the caller is about to change: they may write to it, it takes changes,
/// the name is a valid tag (Quay's rule is the OCI one), and the tag is not immutable.
async fn changeable_tag(
    app: &App,
    caller: &Caller,
    namespace: &str,
    repo: &str,
    tag: &str,
) -> Result<Target, ApiError> {
    let t = target(app, caller, namespace, repo).await?;
    t.require(caller, Role::Write)?;
    t.require_writable(app)?;
    crate::oci::validate_tag(tag).map_err(|_| ApiError::bad_request("Invalid tag name"))?;
    if queries::tag_is_immutable(&app.db.read, t.repo.id, tag).await? {
        return Err(ApiError::new(StatusCode::CONFLICT, "tag_immutable", format!("Tag `{tag}` is immutable")));
    }
    Ok(t)
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
    let t = changeable_tag(&app, &caller, &namespace, &repo, &tag).await?;
    let now_ms = crate::util::now_ms();
    let end_ms = match req.expiration {
        None => None,
        Some(None) => Some(None),
        Some(Some(seconds)) => {
            let ms = seconds.checked_mul(1000).filter(|&ms| ms > now_ms).ok_or_else(|| {
                ApiError::bad_request("Invalid expiration date: it must be a time in the future, in epoch seconds")
            })?;
            Some(Some(ms))
        }
    };
    if req.manifest_digest.is_none() && end_ms.is_none() {
        return Err(ApiError::bad_request("manifest_digest or expiration must be given"));
    }
    let metadata_base = json!({"repo": t.name.repository(), "namespace": t.name.namespace(), "tag": tag});
    let tx = app.db.begin().await?;
    if let Some(digest) = &req.manifest_digest {
        // Only a manifest something still reaches (Quay's allow_dead=False); older ones are restored.
        let Some(manifest) = queries::find_live_manifest(&tx, t.repo.id, digest).await? else {
            return Err(ApiError::not_found());
        };
        let previous = queries::tag_history(&tx, t.repo.id, &tag).await?;
        let alive_before = previous.first().filter(|(_, _, end)| end.is_none_or(|e| e > now_ms)).cloned();
        queries::set_tag(&tx, t.repo.id, &tag, manifest.id, app.db.lookups.tag_kind_tag, None).await?;
        let mut metadata = metadata_base.clone();
        metadata["manifest_digest"] = json!(digest);
        let kind = match alive_before {
            Some((old, _, _)) => {
                metadata["original_manifest_digest"] = json!(old);
                "move_tag"
            }
            None => "create_tag",
        };
        queries::insert_log(&tx, kind, t.repo.namespace_id, performer(&caller), Some(t.repo.id), &metadata).await?;
    }
    if let Some(end_ms) = end_ms {
        if !queries::set_tag_expiration(&tx, t.repo.id, &tag, end_ms).await? {
            return Err(ApiError::not_found());
        }
        let mut metadata = metadata_base.clone();
        metadata["expiration_date"] = json!(end_ms.map(|ms| ms / 1000));
        queries::insert_log(
            &tx,
            "change_tag_expiration",
            t.repo.namespace_id,
            performer(&caller),
            Some(t.repo.id),
            &metadata,
        )
        .await?;
    }
    tx.commit().await?;
    json_response(StatusCode::CREATED, json!("Updated"))
}

async fn remove(
    State(app): State<AppState>,
    caller: Caller,
    Path((namespace, repo, tag)): Path<(String, String, String)>,
) -> ApiResult {
    let t = changeable_tag(&app, &caller, &namespace, &repo, &tag).await?;
    let tx = app.db.begin().await?;
    if !queries::delete_tag(&tx, t.repo.id, &tag).await? {
        return Err(ApiError::not_found());
    }
    let metadata = json!({"repo": t.name.repository(), "namespace": t.name.namespace(), "tag": tag});
    queries::insert_log(&tx, "delete_tag", t.repo.namespace_id, performer(&caller), Some(t.repo.id), &metadata).await?;
    tx.commit().await?;
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
    let t = changeable_tag(&app, &caller, &namespace, &repo, &tag).await?;
    let path = format!("{}/{}", t.name.namespace(), t.name.repository());
    crate::identity::restore_tag(&app.db, &path, &tag, Some(&req.manifest_digest)).await?;
    json_response(StatusCode::OK, json!({}))
}
