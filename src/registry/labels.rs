//! Manifests as the management API shows them (with their layers), and their labels (Quay's
//! `manifestlabel`): listed, read, added by writers, and deleted unless they came with the manifest.

use serde_json::json;

use super::access;
use super::{RegistryError, Result};
use crate::app::App;
use crate::auth::{Actor, Role};
use crate::db::manifest::ManifestRow;
use crate::oci::RepositoryName;

pub use crate::db::manifest::LabelRow;

/// A manifest of a repository, with what its stored bytes say.
pub struct Manifest {
    pub row: ManifestRow,
    pub media_type: String,
    pub parsed: Option<crate::oci::ParsedManifest>,
    /// Its layers, base first (none for an index).
    pub layers: Option<Vec<Layer>>,
}

/// A layer of an image, with what the image's history says made it (Quay's layer view).
pub struct Layer {
    pub digest: String,
    /// As its descriptor declares (schema 1 declares none).
    pub size: Option<u64>,
    pub urls: Vec<String>,
    pub foreign: bool,
    /// The command that made it: schema 2 and OCI history's `created_by` as one element,
    /// schema 1's `container_config.Cmd` as listed.
    pub command: Option<Vec<String>>,
    pub comment: Option<String>,
    pub author: Option<String>,
    pub created: Option<chrono::DateTime<chrono::Utc>>,
}

/// The history entries of an image configuration that made layers (`empty_layer` ones did not),
/// in order; empty when the configuration has none or cannot be read.
fn layer_history(config: &[u8]) -> Vec<serde_json::Map<String, serde_json::Value>> {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(config) else { return Vec::new() };
    v.get("history")
        .and_then(|h| h.as_array())
        .map(|h| {
            h.iter()
                .filter_map(|e| e.as_object())
                .filter(|e| e.get("empty_layer").and_then(|b| b.as_bool()) != Some(true))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

fn text(entry: Option<&serde_json::Map<String, serde_json::Value>>, key: &str) -> Option<String> {
    entry?.get(key)?.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

fn created(entry: Option<&serde_json::Map<String, serde_json::Value>>) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(entry?.get("created")?.as_str()?).ok().map(|t| t.to_utc())
}

/// The layers of a parsed manifest, described from its configuration's history (schema 2 and
/// OCI; read from storage, up to 1 MiB) or its v1 metadata (schema 1). A history that does not
/// match the layers one to one describes none of them, as Quay leaves such layers bare.
async fn layers(app: &App, parsed: &crate::oci::ParsedManifest) -> Option<Vec<Layer>> {
    use crate::oci::ManifestKind;
    match &parsed.kind {
        ManifestKind::Index { .. } => None,
        ManifestKind::Image { config, layers } => {
            let mut history = Vec::new();
            if config.size <= 1 << 20 && config.media_type.ends_with("+json") {
                history =
                    super::manifests::read_config(app, config).await.map(|c| layer_history(&c)).unwrap_or_default();
            }
            if history.len() != layers.len() {
                history.clear();
            }
            Some(
                layers
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let h = history.get(i);
                        Layer {
                            digest: l.digest.to_string(),
                            size: Some(l.size),
                            urls: l.urls.clone(),
                            foreign: l.is_foreign(),
                            command: text(h, "created_by").map(|c| vec![c]),
                            comment: text(h, "comment"),
                            author: text(h, "author"),
                            created: created(h),
                        }
                    })
                    .collect(),
            )
        }
        ManifestKind::Schema1(m) => Some(
            m.layers
                .iter()
                .zip(&m.history)
                .rev()
                .map(|(digest, h)| {
                    let command = h
                        .get("container_config")
                        .and_then(|c| c.get("Cmd"))
                        .and_then(|c| c.as_array())
                        .map(|c| c.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect());
                    Layer {
                        digest: digest.to_string(),
                        size: None,
                        urls: Vec::new(),
                        foreign: false,
                        command,
                        comment: text(Some(h), "comment"),
                        author: text(Some(h), "author"),
                        created: created(Some(h)),
                    }
                })
                .collect(),
        ),
    }
}

/// The manifest `reference` (a digest) of the repository at `path`, for an actor who may do what
/// `needed` allows (changes: to a repository that takes writes from them).
async fn find(app: &App, actor: &Actor, path: &str, reference: &str, needed: Role) -> Result<Found> {
    let target = access::resolve(app, actor, path).await?;
    target.require(actor, needed)?;
    if needed >= Role::Write {
        access::require_writable(app, &target.repo, actor).await?;
    }
    let found = crate::db::manifest::find_manifest_any(&app.db.read, target.repo.id, reference).await?;
    let row = found.ok_or(RegistryError::ManifestUnknown)?;
    Ok(Found { name: target.name, row, repo_id: target.repo.id, namespace_id: target.repo.namespace_id })
}

struct Found {
    name: RepositoryName,
    row: ManifestRow,
    repo_id: i32,
    namespace_id: i32,
}

/// A manifest, for readers of its repository.
pub async fn manifest(app: &App, actor: &Actor, path: &str, reference: &str) -> Result<Manifest> {
    let row = find(app, actor, path, reference, Role::Read).await?.row;
    let media_type = app.db.lookups.media_type_name(row.media_type_id).unwrap_or_default().to_owned();
    let parsed = crate::oci::parse_manifest(Some(&media_type), row.bytes.as_bytes()).ok();
    let layers = match &parsed {
        Some(p) => layers(app, p).await,
        None => None,
    };
    Ok(Manifest { row, media_type, parsed, layers })
}

/// The manifest's labels, those whose key starts with `prefix` when given.
pub async fn list(
    app: &App,
    actor: &Actor,
    path: &str,
    reference: &str,
    prefix: Option<&str>,
) -> Result<Vec<LabelRow>> {
    let m = find(app, actor, path, reference, Role::Read).await?.row;
    Ok(crate::db::manifest::manifest_labels(&app.db.read, m.id, prefix).await?)
}

pub async fn get(app: &App, actor: &Actor, path: &str, reference: &str, uuid: &str) -> Result<LabelRow> {
    let m = find(app, actor, path, reference, Role::Read).await?.row;
    crate::db::manifest::manifest_label(&app.db.read, m.id, uuid)
        .await?
        .ok_or_else(|| RegistryError::TagUnknown(format!("label `{uuid}`")))
}

/// Quay's label keys: lowercase alphanumerics with single `.` or `-` between them.
fn valid_key(key: &str) -> bool {
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

fn invalid(message: &str) -> RegistryError {
    RegistryError::ManifestInvalid(message.to_owned())
}

/// Adds a label (`text/plain` or `application/json`); logged as `manifest_label_add`.
pub async fn add(
    app: &App,
    actor: &Actor,
    path: &str,
    reference: &str,
    key: &str,
    value: &str,
    media_type: Option<&str>,
) -> Result<LabelRow> {
    let Found { name, row: m, repo_id, namespace_id } = find(app, actor, path, reference, Role::Write).await?;
    if !valid_key(key) {
        return Err(invalid("Invalid label key"));
    }
    if RESERVED_PREFIXES.iter().any(|p| key.starts_with(p)) {
        return Err(invalid("Label has a reserved prefix"));
    }
    let media_type = media_type.unwrap_or("text/plain");
    if !matches!(media_type, "text/plain" | "application/json") {
        return Err(invalid("media_type must be text/plain or application/json"));
    }
    if media_type == "application/json" && serde_json::from_str::<serde_json::Value>(value).is_err() {
        return Err(invalid("The value is not valid JSON"));
    }
    let media_type_id = app.db.lookups.media_type_id(media_type).ok_or_else(|| invalid("Unknown media type"))?;
    let tx = app.db.begin().await?;
    let uuid = crate::db::manifest::add_manifest_label(&tx, repo_id, m.id, key, value, media_type_id).await?;
    let metadata = json!({
        "id": uuid, "key": key, "value": value, "manifest_digest": m.digest, "media_type": media_type,
        "repo": name.repository(), "namespace": name.namespace(),
    });
    crate::audit::write(&tx, actor, "manifest_label_add", namespace_id, Some(repo_id), &metadata).await?;
    tx.commit().await?;
    crate::db::manifest::manifest_label(&app.db.read, m.id, &uuid)
        .await?
        .ok_or_else(|| RegistryError::TagUnknown("the new label".into()))
}

/// Deletes a label the API added (not one that came with the manifest); logged as
/// `manifest_label_delete`.
pub async fn delete(app: &App, actor: &Actor, path: &str, reference: &str, uuid: &str) -> Result<()> {
    let Found { name, row: m, repo_id, namespace_id } = find(app, actor, path, reference, Role::Write).await?;
    let found = crate::db::manifest::manifest_label(&app.db.read, m.id, uuid)
        .await?
        .ok_or_else(|| RegistryError::TagUnknown(format!("label `{uuid}`")))?;
    if !found.mutable {
        return Err(invalid("Cannot delete a label that came with the manifest"));
    }
    let tx = app.db.begin().await?;
    crate::db::manifest::delete_manifest_label(&tx, m.id, uuid).await?;
    let metadata = json!({
        "id": found.uuid, "key": found.key, "value": found.value, "manifest_digest": m.digest,
        "repo": name.repository(), "namespace": name.namespace(),
    });
    crate::audit::write(&tx, actor, "manifest_label_delete", namespace_id, Some(repo_id), &metadata).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn label_keys() {
        for ok in ["a", "com.example.label", "a-b.c9", "x1"] {
            assert!(super::valid_key(ok), "{ok}");
        }
        for bad in ["", "A", "-a", "a-", "a..b", "a.-b", "a_b", "a b"] {
            assert!(!super::valid_key(bad), "{bad}");
        }
    }
}
