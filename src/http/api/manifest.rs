//! `/repository/{repository}/manifest/{manifestref}`: a manifest with its layers, and its labels.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, boolean, enumeration, integer, nullable, object, string};
use super::repository::{performer, target};
use super::{ApiError, ApiResult, Body, Caller, Endpoint, Path, Query, Scope, json_response, no_content};
use crate::app::{App, AppState};
use crate::auth::Role;
use crate::db::queries::{self, LabelRow, ManifestRow};
use crate::oci::{ManifestKind, RepositoryName};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "GET",
            path: "/repository/{repository}/manifest/{manifestref}",
            operation_id: "getRepoManifest",
            summary: "A manifest of the repository, by digest, with its layers",
            scope: Some(Scope::RepoRead),
            query: &[],
            body: None,
            responses: &[(200, Some(manifest_schema))],
            handler: || get(view),
        },
        Endpoint {
            method: "GET",
            path: "/repository/{repository}/manifest/{manifestref}/labels",
            operation_id: "listManifestLabels",
            summary: "The manifest's labels, optionally those whose key starts with `filter`",
            scope: Some(Scope::RepoRead),
            query: &[("filter", "string", "A key prefix")],
            body: None,
            responses: &[(200, Some(|| object(&[("labels", array(label_schema()))], &["labels"])))],
            handler: || get(list_labels),
        },
        Endpoint {
            method: "POST",
            path: "/repository/{repository}/manifest/{manifestref}/labels",
            operation_id: "addManifestLabel",
            summary: "Adds a label",
            scope: Some(Scope::RepoWrite),
            query: &[],
            body: Some(|| {
                object(
                    &[
                        ("key", string()),
                        ("value", string()),
                        ("media_type", nullable(enumeration(&["text/plain", "application/json"]))),
                    ],
                    &["key", "value"],
                )
            }),
            responses: &[(201, Some(|| object(&[("label", label_schema())], &["label"])))],
            handler: || post(add_label),
        },
        Endpoint {
            method: "GET",
            path: "/repository/{repository}/manifest/{manifestref}/labels/{labelid}",
            operation_id: "getManifestLabel",
            summary: "One label",
            scope: Some(Scope::RepoRead),
            query: &[],
            body: None,
            responses: &[(200, Some(label_schema))],
            handler: || get(get_label),
        },
        Endpoint {
            method: "DELETE",
            path: "/repository/{repository}/manifest/{manifestref}/labels/{labelid}",
            operation_id: "deleteManifestLabel",
            summary: "Deletes a label added through the API",
            scope: Some(Scope::RepoWrite),
            query: &[],
            body: None,
            responses: &[(204, None)],
            handler: || delete(delete_label),
        },
    ]
}

fn manifest_schema() -> Value {
    let layer = object(
        &[
            ("index", integer()),
            ("compressed_size", nullable(integer())),
            ("is_remote", boolean()),
            ("urls", nullable(array(string()))),
            ("command", nullable(array(string()))),
            ("comment", nullable(string())),
            ("author", nullable(string())),
            ("blob_digest", string()),
            ("created_datetime", nullable(string())),
        ],
        &["index", "blob_digest"],
    );
    object(
        &[
            ("digest", string()),
            ("is_manifest_list", boolean()),
            ("manifest_data", string()),
            ("config_media_type", nullable(string())),
            ("layers", nullable(array(layer))),
            ("layers_compressed_size", nullable(integer())),
        ],
        &["digest", "is_manifest_list", "manifest_data"],
    )
}

fn label_schema() -> Value {
    object(
        &[
            ("id", string()),
            ("key", string()),
            ("value", string()),
            ("source_type", string()),
            ("media_type", string()),
        ],
        &["id", "key", "value", "source_type", "media_type"],
    )
}

fn label_json(l: &LabelRow) -> Value {
    json!({"id": l.uuid, "key": l.key, "value": l.value, "source_type": l.source_type, "media_type": l.media_type})
}

/// The manifest in the path, in a repository the caller may act on with `needed`.
async fn manifest(
    app: &App,
    caller: &Caller,
    namespace: &str,
    repo: &str,
    reference: &str,
    needed: Role,
) -> Result<(RepositoryName, i32, i32, ManifestRow), ApiError> {
    let t = target(app, caller, namespace, repo).await?;
    t.require(caller, needed)?;
    if needed >= Role::Write {
        t.require_writable(app)?;
    }
    let found = queries::find_manifest_any(&app.db.read, t.repo.id, reference).await?;
    let m = found.ok_or_else(ApiError::not_found)?;
    Ok((t.name, t.repo.id, t.repo.namespace_id, m))
}

async fn view(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, reference)): Path<(String, String, String)>,
) -> ApiResult {
    let (_, _, _, m) = manifest(&app, &caller, &ns, &repo, &reference, Role::Read).await?;
    let media_type = app.db.lookups.media_type_name(m.media_type_id).unwrap_or_default();
    let parsed = crate::oci::parse_manifest(Some(media_type), m.bytes.as_bytes()).ok();
    let mut body = json!({
        "digest": m.digest,
        "is_manifest_list": crate::oci::media_types::is_index(media_type),
        "manifest_data": m.bytes,
        "config_media_type": m.config_media_type,
        "layers": null,
        "layers_compressed_size": parsed.as_ref().and_then(|p| p.layers_size()),
    });
    if let Some(ManifestKind::Image { layers, .. }) = parsed.as_ref().map(|p| &p.kind) {
        let layers: Vec<Value> = layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                json!({
                    "index": i,
                    "compressed_size": l.size,
                    "is_remote": l.is_foreign(),
                    "urls": if l.urls.is_empty() { Value::Null } else { json!(l.urls) },
                    "command": null,
                    "comment": null,
                    "author": null,
                    "blob_digest": l.digest.to_string(),
                    "created_datetime": null,
                })
            })
            .collect();
        body["layers"] = json!(layers);
    }
    json_response(StatusCode::OK, body)
}

#[derive(Deserialize, Default)]
struct LabelQuery {
    filter: Option<String>,
}

async fn list_labels(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, reference)): Path<(String, String, String)>,
    Query(q): Query<LabelQuery>,
) -> ApiResult {
    let (_, _, _, m) = manifest(&app, &caller, &ns, &repo, &reference, Role::Read).await?;
    let labels = queries::manifest_labels(&app.db.read, m.id, q.filter.as_deref().filter(|f| !f.is_empty())).await?;
    json_response(StatusCode::OK, json!({"labels": labels.iter().map(label_json).collect::<Vec<_>>()}))
}

/// Quay's label keys: lowercase alphanumerics with single `.` or `-` between them.
fn valid_label_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    !key.is_empty()
        && key.len() <= 255
        && alnum(bytes[0])
        && alnum(bytes[bytes.len() - 1])
        && bytes.iter().all(|&b| alnum(b) || b == b'.' || b == b'-')
        && !bytes.windows(2).any(|w| !alnum(w[0]) && !alnum(w[1]))
}

/// Prefixes Quay reserves for labels set by Docker tooling.
const RESERVED_PREFIXES: [&str; 3] = ["com.docker.", "io.docker.", "org.dockerproject."];

#[derive(Deserialize)]
struct AddLabel {
    key: String,
    value: String,
    media_type: Option<String>,
}

async fn add_label(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, reference)): Path<(String, String, String)>,
    Body(req): Body<AddLabel>,
) -> ApiResult {
    let (name, repo_id, namespace_id, m) = manifest(&app, &caller, &ns, &repo, &reference, Role::Write).await?;
    if !valid_label_key(&req.key) {
        return Err(ApiError::bad_request("Invalid label key"));
    }
    if RESERVED_PREFIXES.iter().any(|p| req.key.starts_with(p)) {
        return Err(ApiError::bad_request("Label has a reserved prefix"));
    }
    let media_type = req.media_type.as_deref().unwrap_or("text/plain");
    if !matches!(media_type, "text/plain" | "application/json") {
        return Err(ApiError::bad_request("media_type must be text/plain or application/json"));
    }
    if media_type == "application/json" && serde_json::from_str::<Value>(&req.value).is_err() {
        return Err(ApiError::bad_request("The value is not valid JSON"));
    }
    let media_type_id =
        app.db.lookups.media_type_id(media_type).ok_or_else(|| ApiError::bad_request("Unknown media type"))?;
    let tx = app.db.begin().await?;
    let uuid = queries::add_manifest_label(&tx, repo_id, m.id, &req.key, &req.value, media_type_id).await?;
    let metadata = json!({
        "id": uuid, "key": req.key, "value": req.value, "manifest_digest": m.digest,
        "repo": name.repository(), "namespace": name.namespace(),
    });
    queries::insert_log(&tx, "manifest_label_add", namespace_id, performer(&caller), Some(repo_id), &metadata).await?;
    tx.commit().await?;
    let label = queries::manifest_label(&app.db.read, m.id, &uuid).await?.ok_or_else(ApiError::not_found)?;
    json_response(StatusCode::CREATED, json!({"label": label_json(&label)}))
}

async fn get_label(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, reference, label)): Path<(String, String, String, String)>,
) -> ApiResult {
    let (_, _, _, m) = manifest(&app, &caller, &ns, &repo, &reference, Role::Read).await?;
    let label = queries::manifest_label(&app.db.read, m.id, &label).await?.ok_or_else(ApiError::not_found)?;
    json_response(StatusCode::OK, label_json(&label))
}

async fn delete_label(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, reference, label)): Path<(String, String, String, String)>,
) -> ApiResult {
    let (name, repo_id, namespace_id, m) = manifest(&app, &caller, &ns, &repo, &reference, Role::Write).await?;
    let found = queries::manifest_label(&app.db.read, m.id, &label).await?.ok_or_else(ApiError::not_found)?;
    if !found.mutable {
        return Err(ApiError::bad_request("Cannot delete a label that came with the manifest"));
    }
    let tx = app.db.begin().await?;
    queries::delete_manifest_label(&tx, m.id, &label).await?;
    let metadata = json!({
        "id": found.uuid, "key": found.key, "value": found.value, "manifest_digest": m.digest,
        "repo": name.repository(), "namespace": name.namespace(),
    });
    queries::insert_log(&tx, "manifest_label_delete", namespace_id, performer(&caller), Some(repo_id), &metadata)
        .await?;
    tx.commit().await?;
    no_content()
}

#[cfg(test)]
mod tests {
    #[test]
    fn label_keys() {
        for ok in ["a", "com.example.label", "a-b.c9", "x1"] {
            assert!(super::valid_label_key(ok), "{ok}");
        }
        for bad in ["", "A", "-a", "a-", "a..b", "a.-b", "a_b", "a b"] {
            assert!(!super::valid_label_key(bad), "{bad}");
        }
    }
}
