use serde_json::{Value, json};

use super::{RegistryError, Result};
use crate::app::App;
use crate::auth::Actor;
use crate::db::manifest::ManifestRow;
use crate::db::manifest::NewManifest;
use crate::db::repository::RepoRow;
use crate::oci::{
    Algorithm, Descriptor, Digest, ManifestKind, ParsedManifest, Reference, RepositoryName, media_types, parse_manifest,
};
use crate::storage::Storage;

/// A manifest as served: its stored bytes, media type and digest.
pub struct StoredManifest {
    pub bytes: String,
    pub media_type: String,
    pub digest: String,
}

fn stored(app: &App, row: ManifestRow) -> StoredManifest {
    let media_type = app.db.lookups.media_type_name(row.media_type_id).unwrap_or(media_types::OCI_MANIFEST).to_owned();
    StoredManifest { bytes: row.bytes, media_type, digest: row.digest }
}

/// Who pulls, as their registry token names them: enough to record the pull without a database
/// lookup on the hot path.
pub struct Puller<'a> {
    pub subject: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// A manifest by tag (alive and visible) or by digest (live: reachable from an alive tag). A pull
/// (`puller`) is recorded in the action logs, batched, off the request's path; a HEAD is not.
pub async fn get_manifest(
    app: &App,
    puller: Option<&Puller<'_>>,
    name: &RepositoryName,
    repo: &RepoRow,
    reference: &Reference,
) -> Result<StoredManifest> {
    let row = match reference {
        Reference::Tag(tag) => app.db.find_tagged_manifest(repo.id, tag).await?,
        Reference::Digest(d) => app.db.find_live_manifest(repo.id, &d.to_string()).await?,
    };
    let manifest = row.map(|r| stored(app, r)).ok_or(RegistryError::ManifestUnknown)?;
    if let Some(p) = puller {
        app.audit.record(crate::audit::Entry {
            kind: "pull_repo",
            account_id: repo.namespace_id,
            performer: p
                .subject
                .map_or(crate::audit::Performer::Nobody, |s| crate::audit::Performer::Name(s.to_owned())),
            repository_id: Some(repo.id),
            ip: p.ip.map(str::to_owned),
            metadata: crate::audit::registry_metadata(p.subject, p.user_agent, name, reference, None),
        });
    }
    Ok(manifest)
}

/// The result of a manifest push.
pub struct PushedManifest {
    pub digest: Digest,
    pub subject: Option<Digest>,
}

/// Validates and stores a manifest, then tags it (by tag) or pins it with a hidden temporary tag
/// (by digest; forever when it has a subject, so referrers stay while their subject lives). The
/// repository must take writes from the actor and the tag must not be immutable; a push by tag is
/// logged (`push_repo`) in the manifest's transaction and the namespace's size recorded after.
pub async fn put_manifest(
    app: &App,
    actor: &Actor,
    name: &RepositoryName,
    repo: &RepoRow,
    reference: &Reference,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<PushedManifest> {
    store_manifest(app, actor, name, repo, reference, content_type, body, false).await
}

/// Keeps manifests pushed by digest (repository id, digest) alive until at least `until_ms` (their
/// hidden pins extended), in one transaction: a long import's early manifests must outlive
/// `PUSH_TEMP_TAG_EXPIRATION_SEC` until their tags are set.
pub async fn hold_manifests(app: &App, manifests: &[(i32, Digest)], until_ms: i64) -> Result<()> {
    if manifests.is_empty() {
        return Ok(());
    }
    let tx = app.db.begin().await?;
    for (repo_id, digest) in manifests {
        crate::db::tag::extend_temp_pins(&tx, *repo_id, &digest.to_string(), until_ms).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A proxy cache's copy of an upstream manifest, stored as the system: its layers (and an
/// index's children) come on their first GET, so none is required to be here yet; those that are
/// get their references now, the others when they arrive.
pub(super) async fn put_cached_manifest(
    app: &App,
    name: &RepositoryName,
    repo: &RepoRow,
    reference: &Reference,
    media_type: &str,
    body: &[u8],
) -> Result<()> {
    let system = Actor::system();
    store_manifest(app, &system, name, repo, reference, Some(media_type), body, true).await.map(|_| ())
}

/// [`put_manifest`]; `cached`: a proxy cache's copy, whose blobs and children may be missing.
#[allow(clippy::too_many_arguments)]
async fn store_manifest(
    app: &App,
    actor: &Actor,
    name: &RepositoryName,
    repo: &RepoRow,
    reference: &Reference,
    content_type: Option<&str>,
    body: &[u8],
    cached: bool,
) -> Result<PushedManifest> {
    super::access::require_writable(app, repo, actor).await?;
    let parsed = parse_manifest(content_type, body)?;
    let algorithm = match reference {
        Reference::Digest(d) => d.algorithm(),
        Reference::Tag(_) => Algorithm::Sha256,
    };
    let digest = parsed.digest(algorithm, body);
    if let Reference::Digest(expected) = reference
        && expected != &digest
    {
        return Err(RegistryError::DigestInvalid(format!("the manifest has digest {digest}, not {expected}")));
    }
    // Schema 1 names its repository and tag; pushed by digest, it is tagged with its own tag.
    let schema1_tag;
    let reference = match &parsed.kind {
        ManifestKind::Schema1(m) => {
            let mirrored = cached || repo.state == crate::db::repository::repo_state::MIRROR;
            schema1_tag = schema1_reference(app, name, reference, m, mirrored)?;
            &schema1_tag
        }
        _ => reference,
    };
    if let Reference::Tag(tag) = reference {
        super::tags::refuse_immutable(app, repo.id, tag.as_str()).await?;
    }
    let text = std::str::from_utf8(body).map_err(|_| RegistryError::ManifestInvalid("manifest is not UTF-8".into()))?;
    let media_type_id = app
        .db
        .lookups
        .media_type_id(&parsed.media_type)
        .ok_or_else(|| RegistryError::ManifestUnsupported(parsed.media_type.clone()))?;

    let blob_refs: Vec<Needed> = parsed
        .required_blobs()
        .into_iter()
        .map(|(digest, size)| Needed { digest: digest.to_string(), size, optional: cached })
        .collect();
    let child_refs: Vec<Needed> =
        parsed.child_manifests().iter().map(|d| Needed::of(d, cached || child_optional(&app.config, d))).collect();
    let (mut blob_ids, mut child_ids) = resolve_references(app, repo, &blob_refs, &child_refs).await?;
    let digest_str = digest.to_string();
    let subject = parsed.subject.as_ref().map(|s| s.digest.clone());
    let subject_str = subject.as_ref().map(Digest::to_string);
    let labels = manifest_labels(app, &parsed).await?;
    let expires_at = match reference {
        Reference::Tag(_) => tag_expiry(&labels),
        Reference::Digest(_) => None,
    };
    let pushed =
        Pushed { actor, namespace_id: repo.namespace_id, metadata: performed(actor, name, reference, content_type) };
    // A transaction that lost a serialization or deadlock race is replayed (it only inserts); one
    // that referenced a row collected since it was resolved resolves again: a blob pushed anew
    // meanwhile has a new row, a blob that is gone is named to the client, which pushes it again.
    let mut attempt = 0;
    loop {
        let new = NewManifest {
            repo_id: repo.id,
            digest: &digest_str,
            media_type_id,
            bytes: text,
            config_media_type: parsed.config_media_type(),
            layers_size: parsed.layers_size().map(|s| s as i64),
            subject: subject_str.as_deref(),
            artifact_type: parsed.artifact_type.as_deref(),
            blob_ids: &blob_ids,
            child_ids: &child_ids,
        };
        let written = write_manifest(app, repo, reference, &new, subject.is_some(), expires_at, &labels, &pushed).await;
        match written {
            Err(WriteError::Db(e)) if crate::db::is_retryable(&e) && attempt < 3 => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
            }
            Err(WriteError::Db(e)) if crate::db::gc::is_foreign_key_violation(&e) && attempt < 3 => {
                attempt += 1;
                (blob_ids, child_ids) = resolve_references(app, repo, &blob_refs, &child_refs).await?;
            }
            // Still racing a collection after three tries: the client retries later.
            Err(WriteError::Db(e)) if crate::db::gc::is_foreign_key_violation(&e) => {
                return Err(RegistryError::Unavailable);
            }
            Err(WriteError::Db(e)) => return Err(e.into()),
            Err(WriteError::Other(e)) => return Err(e),
            Ok(()) => break,
        }
    }
    super::quota::record(app, repo.namespace_id, Some(repo.id)).await;
    Ok(PushedManifest { digest, subject })
}

/// The reference a schema 1 manifest is stored under: the repository it names must be the one it
/// is pushed to (a library image may leave out the namespace), and its tag the one it is pushed as
/// (by digest, its own tag), as Quay checks.
/// A mirrored repository keeps an upstream's schema 1 manifest as it is (`mirrored`): its signature
/// covers the upstream's repository name, and rewriting it would change its digest.
fn schema1_reference(
    app: &App,
    name: &RepositoryName,
    reference: &Reference,
    m: &crate::oci::Schema1,
    mirrored: bool,
) -> Result<Reference> {
    let library = app.config.feature_library_support.then_some(app.config.library_namespace.as_str());
    let named = RepositoryName::parse(&m.name, library).ok();
    if !mirrored && named.as_ref().map(ToString::to_string) != Some(name.to_string()) {
        return Err(RegistryError::NameInvalid(format!("the manifest names repository `{}`, not {name}", m.name)));
    }
    match reference {
        Reference::Tag(tag) if tag.as_str() != m.tag => {
            Err(RegistryError::TagInvalid(format!("the manifest names tag `{}`, not {}", m.tag, tag.as_str())))
        }
        Reference::Tag(_) => Ok(reference.clone()),
        Reference::Digest(_) => Reference::parse(&m.tag)
            .ok()
            .filter(|r| matches!(r, Reference::Tag(_)))
            .ok_or_else(|| RegistryError::TagInvalid(format!("the manifest's tag `{}` is not a valid tag", m.tag))),
    }
}

/// A blob or child manifest a manifest references: its digest, the size its descriptor declares
/// (schema 1 declares none), and whether the manifest may be stored without it (a sparse index's
/// optional child).
struct Needed {
    digest: String,
    size: Option<u64>,
    optional: bool,
}

impl Needed {
    fn of(d: &Descriptor, optional: bool) -> Needed {
        Needed { digest: d.digest.to_string(), size: Some(d.size), optional }
    }
}

/// Whether an index may be stored without `child` (Quay's `FEATURE_SPARSE_INDEX`): with the
/// feature on, a child is optional unless its architecture is one of `SPARSE_INDEX_REQUIRED_ARCHS`
/// (a child without a platform is then required). With no required architectures every child is
/// optional; see docs/COMPATIBILITY.md.
pub(super) fn child_optional(config: &crate::config::Config, child: &Descriptor) -> bool {
    if !config.feature_sparse_index {
        return false;
    }
    let required = &config.sparse_index_required_archs;
    required.is_empty() || child.architecture.as_ref().is_some_and(|a| !required.contains(a))
}

/// The rows of the blobs and child manifests a manifest references, each of which must be in the
/// repository (optional children of a sparse index may be absent) with the size its descriptor
/// declares (a client such as containerd refuses a blob whose size differs from its descriptor,
/// so such a manifest could be pushed but not pulled).
async fn resolve_references(
    app: &App,
    repo: &RepoRow,
    blob_refs: &[Needed],
    child_refs: &[Needed],
) -> Result<(Vec<i32>, Vec<i32>)> {
    let digests = |refs: &[Needed]| refs.iter().map(|r| r.digest.clone()).collect::<Vec<_>>();
    let blobs = app.db.blobs_in_repo(repo.id, &digests(blob_refs)).await?;
    let blob_ids = matching_rows(blob_refs, &blobs, RegistryError::ManifestBlobUnknown)?;
    let children = crate::db::manifest::manifests_in_repo(&app.db.read, repo.id, &digests(child_refs)).await?;
    let child_ids = matching_rows(child_refs, &children, RegistryError::ManifestChildUnknown)?;
    Ok((blob_ids, child_ids))
}

/// The row ids of `refs` in `stored`; a missing one is `unknown` (unless optional: skipped), one
/// of another size is invalid.
fn matching_rows(
    refs: &[Needed],
    stored: &std::collections::HashMap<String, crate::db::blob::Stored>,
    unknown: fn(String) -> RegistryError,
) -> Result<Vec<i32>> {
    let mut ids = Vec::with_capacity(refs.len());
    for Needed { digest, size: declared, optional } in refs {
        let Some(row) = stored.get(digest) else {
            if *optional {
                continue;
            }
            return Err(unknown(digest.clone()));
        };
        if let Some(declared) = declared
            && row.size >= 0
            && row.size as u64 != *declared
        {
            return Err(RegistryError::ManifestInvalid(format!(
                "the descriptor of {digest} declares {declared} bytes; the registry holds {} bytes for it",
                row.size
            )));
        }
        ids.push(row.id);
    }
    Ok(ids)
}

/// The labels Quay keeps for a manifest: the manifest's annotations, then the image
/// configuration's labels (which win), as (key, value) in order.
async fn manifest_labels(app: &App, parsed: &ParsedManifest) -> Result<Vec<(String, String)>> {
    let mut labels: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: &Value| {
        if let Some(v) = v.as_str() {
            labels.retain(|(key, _)| key != k);
            labels.push((k.to_owned(), v.to_owned()));
        }
    };
    for (k, v) in parsed.annotations.iter().flatten() {
        put(k, v);
    }
    if let ManifestKind::Schema1(m) = &parsed.kind {
        for (k, v) in &m.labels() {
            put(k, v);
        }
    }
    if let ManifestKind::Image { config, .. } = &parsed.kind
        && config.size <= 1 << 20
        && config.media_type.ends_with("+json")
    {
        let bytes = read_config(app, config).await?;
        // An image configuration must be a JSON object (Quay refuses a malformed one); other
        // configurations (artifacts') are opaque.
        let image_config = matches!(
            config.media_type.as_str(),
            "application/vnd.docker.container.image.v1+json" | "application/vnd.oci.image.config.v1+json"
        );
        if image_config && !serde_json::from_slice::<Value>(&bytes).is_ok_and(|v| v.is_object()) {
            return Err(RegistryError::ManifestInvalid(format!(
                "the image configuration {} is not a JSON object",
                config.digest
            )));
        }
        for (k, v) in &crate::oci::config_labels(&bytes) {
            put(k, v);
        }
    }
    Ok(labels)
}

/// The bytes of an image manifest's configuration blob (at most 1 MiB, checked by the caller).
pub(super) async fn read_config(app: &App, config: &Descriptor) -> Result<Vec<u8>> {
    // Collected since the manifest's blobs were checked: the client pushes it again.
    let gone = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::NotFound {
            RegistryError::ManifestBlobUnknown(config.digest.to_string())
        } else {
            e.into()
        }
    };
    let storage = super::blobs::digest_storage(app, &config.digest).await.map_err(|e| match e {
        RegistryError::BlobUnknown => RegistryError::ManifestBlobUnknown(config.digest.to_string()),
        other => other,
    })?;
    let mut stream = std::pin::pin!(storage.read(&Storage::blob_path(&config.digest), None).await.map_err(gone)?);
    let mut bytes = Vec::with_capacity(config.size as usize);
    while let Some(piece) = futures_util::StreamExt::next(&mut stream).await {
        bytes.extend_from_slice(&piece.map_err(gone)?);
    }
    Ok(bytes)
}

/// When a tag pushed with this manifest expires: Quay's `quay.expires-after` label. An invalid
/// value is ignored, as Quay does.
fn tag_expiry(labels: &[(String, String)]) -> Option<i64> {
    let (_, value) = labels.iter().find(|(k, _)| k == crate::oci::EXPIRES_AFTER_LABEL)?;
    crate::config::parse_duration(value).ok().map(|d| crate::util::now_ms() + d.as_millis() as i64)
}

/// Quay's metadata of a change made through the registry API by `actor`.
fn performed(actor: &Actor, name: &RepositoryName, reference: &Reference, media_type: Option<&str>) -> Value {
    let who = actor.signed_in_user().map(|u| u.username.as_str());
    crate::audit::registry_metadata(who, actor.user_agent.as_deref(), name, reference, media_type)
}

/// What a push is logged as.
struct Pushed<'a> {
    actor: &'a Actor,
    namespace_id: i32,
    metadata: Value,
}

enum WriteError {
    Db(sea_orm::DbErr),
    Other(RegistryError),
}

impl From<sea_orm::DbErr> for WriteError {
    fn from(e: sea_orm::DbErr) -> Self {
        WriteError::Db(e)
    }
}

/// The manifest row, its links, its tag (or hidden pin) and the push's log row, in one transaction.
#[allow(clippy::too_many_arguments)]
async fn write_manifest(
    app: &App,
    repo: &RepoRow,
    reference: &Reference,
    new: &NewManifest<'_>,
    has_subject: bool,
    expires_at: Option<i64>,
    labels: &[(String, String)],
    pushed: &Pushed<'_>,
) -> std::result::Result<(), WriteError> {
    let tag_kind = app.db.lookups.tag_kind_tag;
    let tx = app.db.begin().await.map_err(|e| WriteError::Other(RegistryError::Internal(e)))?;
    let manifest_id = crate::db::manifest::insert_manifest(&tx, new).await?;
    if !labels.is_empty() {
        let (text, json) =
            (app.db.lookups.media_type_id("text/plain"), app.db.lookups.media_type_id("application/json"));
        if let (Some(text), Some(json)) = (text, json) {
            crate::db::manifest::add_pushed_labels(&tx, repo.id, manifest_id, labels, text, json).await?;
        }
    }
    match reference {
        Reference::Tag(tag) => crate::db::tag::set_tag(&tx, repo.id, tag, manifest_id, tag_kind, expires_at).await?,
        Reference::Digest(_) => {
            // Referrers stay while their subject lives (see `db::gc`); others for the temp-tag window.
            let end =
                (!has_subject).then(|| crate::util::now_ms() + app.config.push_temp_tag_expiration_sec as i64 * 1000);
            crate::db::tag::create_temp_tag(&tx, repo.id, manifest_id, tag_kind, end).await?;
        }
    }
    // As Quay: a push is logged by its tag; the manifests an image list brings along by digest
    // are not pushes of their own.
    if let Reference::Tag(_) = reference {
        crate::audit::write(&tx, pushed.actor, "push_repo", pushed.namespace_id, Some(repo.id), &pushed.metadata)
            .await?;
    }
    crate::testhooks::reached("manifest.before-commit").await;
    tx.commit().await?;
    crate::durability::record(|| format!("commit manifest {}", new.digest));
    app.commits_durable(&format!("manifest {}", new.digest))
        .await
        .map_err(|e| WriteError::Other(RegistryError::Internal(e.into())))?;
    Ok(())
}

/// Deletes a tag, or (by digest) every tag pointing at the manifest, which then stops being
/// served; none of them may be immutable. Logged as `delete_tag` in the same transaction.
pub async fn delete_manifest(
    app: &App,
    actor: &Actor,
    name: &RepositoryName,
    repo: &RepoRow,
    reference: &Reference,
) -> Result<()> {
    super::access::require_writable(app, repo, actor).await?;
    let tx = app.db.begin().await?;
    match reference {
        Reference::Tag(tag) => {
            super::tags::refuse_immutable(app, repo.id, tag.as_str()).await?;
            if !crate::db::tag::delete_tag(&tx, repo.id, tag).await? {
                return Err(RegistryError::ManifestUnknown);
            }
        }
        Reference::Digest(d) => {
            let Some(row) = crate::db::manifest::find_live_manifest(&tx, repo.id, &d.to_string()).await? else {
                return Err(RegistryError::ManifestUnknown);
            };
            if let Some(tag) = crate::db::tag::immutable_tag_of_manifest(&tx, repo.id, row.id).await? {
                return Err(RegistryError::TagImmutable(tag));
            }
            crate::db::tag::delete_tags_of_manifest(&tx, repo.id, row.id).await?;
            if crate::db::manifest::find_live_manifest(&tx, repo.id, &d.to_string()).await?.is_some() {
                return Err(RegistryError::Conflict(format!(
                    "manifest {d} is listed by a tagged index of this repository; delete the index first"
                )));
            }
        }
    }
    let metadata = performed(actor, name, reference, None);
    crate::audit::write(&tx, actor, "delete_tag", repo.namespace_id, Some(repo.id), &metadata).await?;
    tx.commit().await?;
    Ok(())
}

/// One page of tag names.
pub async fn list_tags(app: &App, repo: &RepoRow, last: Option<&str>, limit: u64) -> Result<Vec<String>> {
    Ok(crate::db::tag::list_tags(&app.db.read, repo.id, last, limit).await?)
}

/// The referrers of `subject` as an OCI image index, optionally filtered by artifact type.
pub async fn referrers(app: &App, repo: &RepoRow, subject: &Digest, artifact_type: Option<&str>) -> Result<Value> {
    let rows = crate::db::manifest::referrers(&app.db.read, repo.id, &subject.to_string()).await?;
    let mut manifests = Vec::new();
    for row in rows {
        let kind = row.artifact_type.clone().or_else(|| row.config_media_type.clone());
        if artifact_type.is_some_and(|wanted| kind.as_deref() != Some(wanted)) {
            continue;
        }
        let media_type = app.db.lookups.media_type_name(row.media_type_id).unwrap_or(media_types::OCI_MANIFEST);
        let mut descriptor = json!({"mediaType": media_type, "digest": row.digest, "size": row.bytes.len()});
        if let Some(kind) = kind {
            descriptor["artifactType"] = json!(kind);
        }
        // Annotations are not stored in their own column; read them from the manifest itself.
        if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(&row.bytes)
            && let Some(a @ Value::Object(_)) = m.get("annotations")
        {
            descriptor["annotations"] = a.clone();
        }
        manifests.push(descriptor);
    }
    Ok(json!({"schemaVersion": 2, "mediaType": media_types::OCI_INDEX, "manifests": manifests}))
}

/// The first blob or child manifest a stored manifest references that the repository lacks.
pub(super) async fn missing_reference(app: &App, repo_id: i32, digest: &str) -> Result<Option<String>> {
    let Some(row) = crate::db::manifest::find_manifest_any(&app.db.read, repo_id, digest).await? else {
        return Ok(None);
    };
    let media_type = app.db.lookups.media_type_name(row.media_type_id).map(str::to_owned);
    let Ok(parsed) = crate::oci::parse_manifest(media_type.as_deref(), row.bytes.as_bytes()) else {
        return Ok(None);
    };
    let blobs: Vec<String> = parsed.required_blobs().iter().map(|(d, _)| d.to_string()).collect();
    let present = crate::db::blob::blobs_in_repo(&app.db.read, repo_id, &blobs).await?;
    if let Some(missing) = blobs.iter().find(|d| !present.contains_key(*d)) {
        return Ok(Some(format!("blob {missing}")));
    }
    let required: Vec<String> = parsed
        .child_manifests()
        .iter()
        .filter(|d| !child_optional(&app.config, d))
        .map(|d| d.digest.to_string())
        .collect();
    let present = crate::db::manifest::manifests_in_repo(&app.db.read, repo_id, &required).await?;
    Ok(required.iter().find(|d| !present.contains_key(*d)).map(|d| format!("manifest {d}")))
}

/// The children of the index `digest` in the repository, each with whether the repository holds
/// it (a sparse index lacks some); empty for a manifest that is not an index.
pub(super) async fn index_children(app: &App, repo_id: i32, digest: &str) -> Result<Vec<(String, bool)>> {
    let Some(row) = crate::db::manifest::find_manifest_any(&app.db.read, repo_id, digest).await? else {
        return Ok(Vec::new());
    };
    let media_type = app.db.lookups.media_type_name(row.media_type_id).map(str::to_owned);
    let Ok(parsed) = crate::oci::parse_manifest(media_type.as_deref(), row.bytes.as_bytes()) else {
        return Ok(Vec::new());
    };
    let children: Vec<String> = parsed.child_manifests().iter().map(|d| d.digest.to_string()).collect();
    let present = crate::db::manifest::manifests_in_repo(&app.db.read, repo_id, &children).await?;
    Ok(children.into_iter().map(|d| (d.clone(), present.contains_key(&d))).collect())
}
