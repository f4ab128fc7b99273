//! `/repository/{repository}/manifest/{manifestref}`: a manifest with its layers, and its labels.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, boolean, enumeration, integer, nullable, object, string};
use super::{ApiError, ApiResult, Body, Caller, Endpoint, Path, Query, Scope, json_response, no_content};
use crate::app::AppState;
use crate::oci::ManifestKind;
use crate::registry::labels::{self, LabelRow};

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

async fn view(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, reference)): Path<(String, String, String)>,
) -> ApiResult {
    let m = labels::manifest(&app, &caller, &format!("{ns}/{repo}"), &reference).await?;
    let mut body = json!({
        "digest": m.row.digest,
        "is_manifest_list": crate::oci::media_types::is_index(&m.media_type),
        "manifest_data": m.row.bytes,
        "config_media_type": m.row.config_media_type,
        "layers": null,
        // Quay reports 0 for a list, whose own layers are none.
        "layers_compressed_size": m.parsed.as_ref().and_then(|p| match p.kind {
            ManifestKind::Index { .. } => Some(0),
            _ => p.layers_size(),
        }),
    });
    if let Some(layers) = &m.layers {
        let layers: Vec<Value> = layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                json!({
                    "index": i,
                    "compressed_size": l.size,
                    "is_remote": l.foreign,
                    "urls": if l.urls.is_empty() { Value::Null } else { json!(l.urls) },
                    "command": l.command,
                    "comment": l.comment,
                    "author": l.author,
                    "blob_digest": l.digest,
                    "created_datetime": l.created.map(|t| super::http_date(t.naive_utc())),
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
    let prefix = q.filter.as_deref().filter(|f| !f.is_empty());
    let labels = labels::list(&app, &caller, &format!("{ns}/{repo}"), &reference, prefix).await?;
    json_response(StatusCode::OK, json!({"labels": labels.iter().map(label_json).collect::<Vec<_>>()}))
}

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
    let path = format!("{ns}/{repo}");
    // Quay checks the media type against its request schema (a problem document), and answers
    // other invalid labels with a bare `{"message": ...}`.
    if req.media_type.as_deref().is_some_and(|m| !matches!(m, "text/plain" | "application/json")) {
        return Err(ApiError::bad_request("media_type must be text/plain or application/json"));
    }
    let label = labels::add(&app, &caller, &path, &reference, &req.key, &req.value, req.media_type.as_deref())
        .await
        .map_err(|e| ApiError::from(e).bare_message())?;
    json_response(StatusCode::CREATED, json!({"label": label_json(&label)}))
}

async fn get_label(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, reference, label)): Path<(String, String, String, String)>,
) -> ApiResult {
    let label = labels::get(&app, &caller, &format!("{ns}/{repo}"), &reference, &label).await?;
    json_response(StatusCode::OK, label_json(&label))
}

async fn delete_label(
    State(app): State<AppState>,
    caller: Caller,
    Path((ns, repo, reference, label)): Path<(String, String, String, String)>,
) -> ApiResult {
    labels::delete(&app, &caller, &format!("{ns}/{repo}"), &reference, &label).await?;
    no_content()
}
