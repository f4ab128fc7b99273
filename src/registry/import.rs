//! `quay import`: an export (`quay export`'s folder, or its volumes) put into this registry
//! through the same domain calls as a push, as a superuser.
//!
//! Invariants:
//! - Everything is checked before anything is written: the catalog, every volume, every manifest
//!   (bytes against digest), and every blob's presence and size (in the export, or already in this
//!   registry for one made `--since`).
//! - Blobs are uploaded (hashed as they are stored, refused when the digest differs) before the
//!   manifest that uses them, and manifests by digest before any tag: no tag ever points at
//!   anything missing or damaged, and a failure leaves no tag of this import.
//! - Rerunning is safe: blobs, manifests and tags already here are kept, so an interrupted import
//!   continues where it stopped.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use futures_util::StreamExt as _;

use super::RegistryError;
use super::export::{Progress, Result, TransferError};
use crate::app::App;
use crate::auth::Actor;
use crate::oci::layout::{self, Catalog, VolumePart};
use crate::oci::{Digest, Reference, RepositoryName, parse_manifest};

/// Blob uploads of one manifest at once.
const BLOBS_AT_ONCE: usize = 4;
/// Images of one repository stored at once.
const MANIFESTS_AT_ONCE: usize = 4;
/// How long a manifest the import stored by digest is kept without a tag (a day).
const HOLD_MS: i64 = 24 * 3600 * 1000;

pub struct ImportRequest {
    pub from: PathBuf,
    /// The superuser who writes (default the first of `SUPER_USERS` that exists).
    pub as_user: Option<String>,
    pub namespace_map: Vec<(String, String)>,
    pub dry_run: bool,
}

/// What an import did (or, dry, would do).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportSummary {
    pub catalog: String,
    pub chain: String,
    pub user: String,
    pub repositories: usize,
    pub manifests_imported: usize,
    pub manifests_present: usize,
    pub tags_set: usize,
    pub tags_present: usize,
    pub blobs_imported: usize,
    pub bytes_imported: u64,
    pub blobs_linked: usize,
    pub blobs_present: usize,
    pub dry_run: bool,
}

/// A manifest read from the export and checked against its digest.
struct Checked {
    digest: Digest,
    media_type: String,
    bytes: Bytes,
    /// Its blobs, once each, with the size it declares (none for schema 1).
    blobs: Vec<(Digest, Option<u64>)>,
    /// An index (stored after the images it lists).
    index: bool,
}

/// One repository of the export under its name here.
struct Target {
    exported: String,
    name: RepositoryName,
    /// Positions in the import's manifests, children first.
    manifests: Vec<usize>,
    /// Each tag, its digest and its manifest's position.
    tags: Vec<(String, String, usize)>,
}

/// Where a blob's bytes are, and how many there are.
enum BlobBytes {
    /// In the export: its files in order (one, or a cut blob's pieces).
    Export(Vec<PathBuf>, u64),
    /// Already stored in this registry.
    Stored(u64),
}

impl BlobBytes {
    fn size(&self) -> u64 {
        match self {
            BlobBytes::Export(_, size) | BlobBytes::Stored(size) => *size,
        }
    }
}

pub async fn import(app: &App, request: &ImportRequest, progress: &Progress) -> Result<ImportSummary> {
    let (catalog, volumes) = open_export(&request.from)?;
    let actor = importer(app, request.as_user.as_deref()).await?;
    let user = actor.signed_in_user().map(|u| u.username.clone()).unwrap_or_default();
    // The manifests, each read once and checked.
    let first = &volumes[0];
    let mut manifests: Vec<Checked> = Vec::new();
    let mut by_digest: HashMap<String, usize> = HashMap::new();
    let mut targets = Vec::new();
    for repository in &catalog.repositories {
        let mapped = layout::map_namespace(&repository.name, &request.namespace_map);
        let name = RepositoryName::parse(&mapped, None)
            .map_err(|e| TransferError(format!("{} (as {mapped}): {e}", repository.name)))?;
        let mut positions = Vec::new();
        for m in &repository.manifests {
            let position = match by_digest.get(&m.digest) {
                Some(i) => *i,
                None => {
                    let checked = read_manifest(first, &m.digest, &m.media_type, m.size, &repository.name)?;
                    manifests.push(checked);
                    by_digest.insert(m.digest.clone(), manifests.len() - 1);
                    manifests.len() - 1
                }
            };
            positions.push(position);
        }
        let mut tags = Vec::new();
        for (tag, digest) in &repository.tags {
            let Some(&position) = by_digest.get(digest) else {
                return Err(TransferError(format!(
                    "{}:{tag} names {digest}, which the export does not hold",
                    repository.name
                )));
            };
            tags.push((tag.clone(), digest.clone(), position));
        }
        targets.push(Target { exported: repository.name.clone(), name, manifests: positions, tags });
    }
    // Every blob: in the export with its size, or stored here already.
    let sizes: HashMap<&str, u64> = catalog.blobs.iter().map(|b| (b.digest.as_str(), b.size)).collect();
    let mut sources: HashMap<String, BlobBytes> = HashMap::new();
    let mut to_upload: Vec<(Digest, u64)> = Vec::new();
    for checked in &manifests {
        for (digest, declared) in &checked.blobs {
            let text = digest.to_string();
            if sources.contains_key(&text) {
                continue;
            }
            let size = match (sizes.get(text.as_str()).copied(), *declared) {
                (Some(listed), Some(declared)) if listed != declared => {
                    return Err(TransferError(format!(
                        "blob {text}: the catalog says {listed} bytes, its manifest {declared}"
                    )));
                }
                (Some(size), _) | (None, Some(size)) => size,
                (None, None) => return Err(TransferError(format!("blob {text} is not in the export's catalog"))),
            };
            let source = match blob_files(&catalog, &volumes, digest, size)? {
                Some(files) => {
                    to_upload.push((digest.clone(), size));
                    BlobBytes::Export(files, size)
                }
                None if super::stored_blob_size(app, digest).await? == Some(size) => BlobBytes::Stored(size),
                None => return Err(missing_blob(&catalog, &text, &request.from)),
            };
            sources.insert(text, source);
        }
    }
    let mut summary = ImportSummary {
        catalog: catalog.id.clone(),
        chain: catalog.chain.clone(),
        user,
        repositories: targets.len(),
        dry_run: request.dry_run,
        ..ImportSummary::default()
    };
    progress.plan(to_upload.len() as u64, to_upload.iter().map(|(_, s)| s).sum());
    if request.dry_run {
        // Every blob the import would upload is read and hashed.
        for (digest, size) in &to_upload {
            if let Some(BlobBytes::Export(files, _)) = sources.get(&digest.to_string()) {
                verify_files(digest, *size, files, progress).await?;
                summary.blobs_imported += 1;
                summary.bytes_imported += size;
            }
        }
        return Ok(summary);
    }
    // The repositories, created as the importer may (a missing namespace becomes an organization
    // they own).
    let mut repos = Vec::new();
    let mut created = Vec::new();
    for target in &targets {
        let (repo, new) = writable_repository(app, &actor, &target.name).await?;
        if new {
            created.push(target.name.clone());
        }
        repos.push(repo);
    }
    let writer = Writer {
        app,
        actor: &actor,
        sources: &sources,
        progress,
        held: std::sync::Mutex::new(Held { last: std::time::Instant::now(), stored: Vec::new() }),
        gates: Default::default(),
    };
    let outcome = put_content(&writer, &targets, &repos, &manifests, &mut summary).await;
    if let Err(e) = outcome {
        // A repository this run created and could not fill goes again: nothing of it is visible.
        for name in &created {
            if let Err(e) = super::repositories::delete(app, &Actor::system(), &name.to_string()).await {
                tracing::warn!(repository = %name, error = %e, "cannot remove the repository the import created");
            }
        }
        return Err(e);
    }
    // The tags last, once everything they point at is here.
    for (target, repo) in targets.iter().zip(&repos) {
        for (tag, digest, position) in &target.tags {
            let current = super::get_manifest(app, None, &target.name, repo, &Reference::Tag(tag.clone())).await;
            if current.is_ok_and(|m| &m.digest == digest) {
                summary.tags_present += 1;
                continue;
            }
            let m = &manifests[*position];
            super::put_manifest(
                app,
                &actor,
                &target.name,
                repo,
                &Reference::Tag(tag.clone()),
                Some(&m.media_type),
                &m.bytes,
            )
            .await
            .map_err(|e| TransferError(format!("{}:{tag}: {e}", target.name)))?;
            summary.tags_set += 1;
        }
    }
    Ok(summary)
}

/// What the writers of one import share.
struct Writer<'a> {
    app: &'a App,
    actor: &'a Actor,
    sources: &'a HashMap<String, BlobBytes>,
    progress: &'a Progress,
    /// Manifests stored by digest stay until the tags are set, however long the import takes:
    /// those stored since the last hold, held together once a third of their pins' life is gone.
    held: std::sync::Mutex<Held>,
    /// One placement of a blob at a time (two images sharing a new layer upload it once).
    gates: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Manifests stored since the last hold.
struct Held {
    last: std::time::Instant,
    stored: Vec<(i32, Digest)>,
}

/// What storing one manifest did: nothing (it was here), or its blobs' placements.
struct Stored {
    present: bool,
    blobs: Vec<(Placed, String)>,
}

/// Blobs, then manifests by digest, repository by repository: a repository's images (and
/// artifacts) a few at a time, then its indexes in the catalog's order (children first).
async fn put_content(
    writer: &Writer<'_>,
    targets: &[Target],
    repos: &[super::RepoRow],
    manifests: &[Checked],
    summary: &mut ImportSummary,
) -> Result<()> {
    let mut uploaded: BTreeSet<String> = BTreeSet::new();
    for (target, repo) in targets.iter().zip(repos) {
        let (indexes, images): (Vec<usize>, Vec<usize>) = target.manifests.iter().partition(|&&i| manifests[i].index);
        let stored: Vec<Result<Stored>> = futures_util::stream::iter(images)
            .map(|i| writer.store(target, repo, &manifests[i]))
            .buffer_unordered(MANIFESTS_AT_ONCE)
            .collect()
            .await;
        let mut results = stored;
        for i in indexes {
            results.push(writer.store(target, repo, &manifests[i]).await);
        }
        for result in results {
            let stored = result?;
            if stored.present {
                summary.manifests_present += 1;
                continue;
            }
            summary.manifests_imported += 1;
            for (placed, digest) in stored.blobs {
                match placed {
                    Placed::Present => summary.blobs_present += 1,
                    Placed::Linked => summary.blobs_linked += 1,
                    // A blob two repositories use is uploaded once and linked after.
                    Placed::Uploaded => {
                        if uploaded.insert(digest.clone()) {
                            summary.blobs_imported += 1;
                            summary.bytes_imported += writer.sources.get(&digest).map_or(0, BlobBytes::size);
                        }
                    }
                }
            }
        }
    }
    // What was stored since the last hold, held until the tags are set.
    let rest = std::mem::take(&mut writer.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner).stored);
    Ok(super::hold_manifests(writer.app, &rest, crate::util::now_ms() + HOLD_MS).await?)
}

impl Writer<'_> {
    /// Notes a stored manifest; once a third of a pin's life has passed since the last hold, holds
    /// every manifest noted since (one transaction for many, not one per manifest).
    async fn hold_when_due(&self, repo_id: i32, digest: &Digest) -> Result<()> {
        let pin_life = std::time::Duration::from_secs(self.app.config.push_temp_tag_expiration_sec);
        let due = {
            let mut held = self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            held.stored.push((repo_id, digest.clone()));
            if held.last.elapsed() >= pin_life / 3 {
                held.last = std::time::Instant::now();
                std::mem::take(&mut held.stored)
            } else {
                Vec::new()
            }
        };
        Ok(super::hold_manifests(self.app, &due, crate::util::now_ms() + HOLD_MS).await?)
    }

    fn gate(&self, digest: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut gates = self.gates.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        gates.entry(digest.to_owned()).or_default().clone()
    }

    /// Stores one manifest by digest, its blobs first; one already here is held and kept.
    async fn store(&self, target: &Target, repo: &super::RepoRow, m: &Checked) -> Result<Stored> {
        let app = self.app;
        let reference = Reference::Digest(m.digest.clone());
        if super::get_manifest(app, None, &target.name, repo, &reference).await.is_ok() {
            // Left by an interrupted run, its pin may be about to end: held now.
            super::hold_manifests(app, &[(repo.id, m.digest.clone())], crate::util::now_ms() + HOLD_MS).await?;
            return Ok(Stored { present: true, blobs: Vec::new() });
        }
        let placed: Vec<Result<(Placed, String)>> = futures_util::stream::iter(m.blobs.iter())
            .map(|(digest, _)| async move {
                let text = digest.to_string();
                let gate = self.gate(&text);
                let _placing = gate.lock().await;
                let source = self.sources.get(&text);
                place_blob(app, self.actor, repo, digest, source, self.progress).await.map(|p| (p, text))
            })
            .buffer_unordered(BLOBS_AT_ONCE)
            .collect()
            .await;
        let blobs = placed.into_iter().collect::<Result<Vec<_>>>()?;
        super::put_manifest(app, self.actor, &target.name, repo, &reference, Some(&m.media_type), &m.bytes)
            .await
            .map_err(|e| TransferError(format!("{}@{}: {e}", target.exported, m.digest)))?;
        self.hold_when_due(repo.id, &m.digest).await?;
        crate::testhooks::reached("import.manifest-stored").await;
        Ok(Stored { present: false, blobs })
    }
}

enum Placed {
    Present,
    Linked,
    Uploaded,
}

/// Puts one blob in the repository: nothing when it is there, a link when this registry stores
/// it, else an upload from the export's files (hashed and checked as it is stored).
async fn place_blob(
    app: &App,
    actor: &Actor,
    repo: &super::RepoRow,
    digest: &Digest,
    source: Option<&BlobBytes>,
    progress: &Progress,
) -> Result<Placed> {
    let size = source.map_or(0, BlobBytes::size);
    if super::stat_blob(app, repo, digest).await.is_ok() {
        if matches!(source, Some(BlobBytes::Export(..))) {
            count_blob(progress, size);
        }
        return Ok(Placed::Present);
    }
    if super::link_stored_blob(app, actor, repo, digest, Some(size)).await? {
        if matches!(source, Some(BlobBytes::Export(..))) {
            count_blob(progress, size);
        }
        return Ok(Placed::Linked);
    }
    let Some(BlobBytes::Export(files, size)) = source else {
        return Err(TransferError(format!("blob {digest} is no longer stored in this registry; import again")));
    };
    let upload = super::start_upload(app, actor, repo).await?;
    let body = file_stream(files.clone(), progress);
    match super::finish_upload(app, actor, repo, &upload, digest, None, Some(*size), body).await {
        Ok(_) => {
            progress.blobs.fetch_add(1, Ordering::Relaxed);
            Ok(Placed::Uploaded)
        }
        Err(e) => {
            let _ = super::cancel_upload(app, repo, &upload).await;
            Err(match e {
                RegistryError::DigestInvalid(why) => TransferError(format!(
                    "blob {digest} in {} is damaged ({why}); nothing uses it: replace the export's copy and import again",
                    files[0].display()
                )),
                e => TransferError(format!("blob {digest}: {e}")),
            })
        }
    }
}

fn count_blob(progress: &Progress, size: u64) {
    progress.blobs.fetch_add(1, Ordering::Relaxed);
    progress.bytes.fetch_add(size, Ordering::Relaxed);
}

/// The files' bytes in order, counted into the progress as they are read.
fn file_stream(
    files: Vec<PathBuf>,
    progress: &Progress,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send + '_ {
    futures_util::stream::iter(files)
        .then(|path| async move {
            match tokio::fs::File::open(&path).await {
                Ok(file) => tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024).boxed(),
                Err(e) => futures_util::stream::once(async move { Err(e) }).boxed(),
            }
        })
        .flatten()
        .inspect(move |chunk| {
            if let Ok(c) = chunk {
                progress.bytes.fetch_add(c.len() as u64, Ordering::Relaxed);
            }
        })
}

/// Reads and hashes a blob's files (a dry run's check).
async fn verify_files(digest: &Digest, size: u64, files: &[PathBuf], progress: &Progress) -> Result<()> {
    let mut hasher = crate::oci::Hasher::new(digest.algorithm());
    let mut read = 0u64;
    let mut stream = std::pin::pin!(file_stream(files.to_vec(), progress));
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| TransferError(format!("reading blob {digest}: {e}")))?;
        read += chunk.len() as u64;
        hasher.update(&chunk);
    }
    let computed = hasher.finish();
    if &computed != digest || read != size {
        return Err(TransferError(format!(
            "blob {digest} in {} is damaged: {read} bytes with digest {computed}",
            files[0].display()
        )));
    }
    progress.blobs.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

/// The catalog and the folder of each volume, all present and of one export.
fn open_export(from: &Path) -> Result<(Catalog, Vec<PathBuf>)> {
    if !from.is_dir() {
        return Err(TransferError(format!("{}: no such folder", from.display())));
    }
    let single = from.join(layout::CATALOG_FILE);
    let first = from.join(layout::volume_name(1));
    let (catalog, volumes) = if single.is_file() {
        let catalog = super::export::read_catalog(&single)?;
        if catalog.volumes > 1 {
            return Err(TransferError(format!(
                "{} is one volume of a split export of {}; pass the folder holding all of them (volume-001 to {})",
                from.display(),
                catalog.volumes,
                layout::volume_name(catalog.volumes)
            )));
        }
        (catalog, vec![from.to_path_buf()])
    } else if first.join(layout::CATALOG_FILE).is_file() {
        let catalog = super::export::read_catalog(&first.join(layout::CATALOG_FILE))?;
        let volumes: Vec<PathBuf> = (1..=catalog.volumes).map(|n| from.join(layout::volume_name(n))).collect();
        (catalog, volumes)
    } else if from.join("oci-layout").is_file() || first.join("oci-layout").is_file() {
        return Err(TransferError(format!(
            "{} holds an unfinished export (no {}); run the export again to finish it",
            from.display(),
            layout::CATALOG_FILE
        )));
    } else {
        return Err(TransferError(format!(
            "{} holds no export ({} not found, nor {}/)",
            from.display(),
            layout::CATALOG_FILE,
            layout::volume_name(1)
        )));
    };
    if catalog.kind != "export" {
        return Err(TransferError(format!(
            "{}: this catalog describes a registry, not an export; pass it to `quay export --since`",
            from.display()
        )));
    }
    for (n, dir) in volumes.iter().enumerate() {
        let theirs = dir.join(layout::CATALOG_FILE);
        if !theirs.is_file() {
            return Err(TransferError(format!(
                "volume {} of {} is missing: {} (copy every volume of the export into {})",
                n + 1,
                volumes.len(),
                dir.display(),
                from.display()
            )));
        }
        if n > 0 && super::export::read_catalog(&theirs)?.id != catalog.id {
            return Err(TransferError(format!(
                "{} belongs to another export than {} (catalog {})",
                dir.display(),
                volumes[0].display(),
                catalog.id
            )));
        }
    }
    Ok((catalog, volumes))
}

/// The export's files of a blob, checked for size; `None` when the export does not carry it.
fn blob_files(catalog: &Catalog, volumes: &[PathBuf], digest: &Digest, size: u64) -> Result<Option<Vec<PathBuf>>> {
    let text = digest.to_string();
    let pieces: Vec<VolumePart> = match catalog.parts.get(&text) {
        Some(pieces) => pieces.clone(),
        None if catalog.written.contains(&text) => vec![VolumePart { volume: 1, size }],
        None => return Ok(None),
    };
    let declared: u64 = pieces.iter().map(|p| p.size).sum();
    if declared != size {
        return Err(TransferError(format!("blob {text}: the catalog's pieces hold {declared} of {size} bytes")));
    }
    let mut files = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        let dir = volumes
            .get(piece.volume.wrapping_sub(1))
            .ok_or_else(|| TransferError(format!("blob {text}: volume {} is not in the export", piece.volume)))?;
        let path = dir.join(layout::piece_path(digest, pieces.len(), i + 1));
        let found = std::fs::metadata(&path).map(|m| m.len()).map_err(|_| {
            TransferError(format!("blob {text} is missing from the export: {} not found", path.display()))
        })?;
        if found != piece.size {
            return Err(TransferError(format!(
                "blob {text} is truncated: {} holds {found} of {} bytes",
                path.display(),
                piece.size
            )));
        }
        files.push(path);
    }
    Ok(Some(files))
}

fn missing_blob(catalog: &Catalog, digest: &str, from: &Path) -> TransferError {
    match &catalog.since {
        Some(since) => TransferError(format!(
            "blob {digest} is neither in {} nor in this registry: the export was made --since catalog {since} \
             (chain {}), which does not describe this registry; import the exports before it first, or export \
             again --since a catalog this registry wrote (quay import --catalog-out)",
            from.display(),
            catalog.chain
        )),
        None => TransferError(format!("blob {digest} is listed by the export but not in {}", from.display())),
    }
}

/// Reads a manifest from the first volume and checks it against its digest and size.
fn read_manifest(first: &Path, digest: &str, media_type: &str, size: u64, repository: &str) -> Result<Checked> {
    let parsed_digest = Digest::parse(digest)?;
    let path = first.join(layout::blob_path(&parsed_digest));
    let bytes = std::fs::read(&path).map_err(|_| {
        TransferError(format!("manifest {digest} of {repository} is missing: {} not found", path.display()))
    })?;
    if bytes.len() as u64 != size {
        return Err(TransferError(format!(
            "manifest {digest} of {repository} is damaged: {} holds {} of {size} bytes",
            path.display(),
            bytes.len()
        )));
    }
    let parsed = parse_manifest(Some(media_type), &bytes)
        .map_err(|e| TransferError(format!("manifest {digest} of {repository} is damaged: {e}")))?;
    let computed = parsed.digest(parsed_digest.algorithm(), &bytes);
    if computed != parsed_digest {
        return Err(TransferError(format!(
            "manifest {digest} of {repository} is damaged: {} has digest {computed}",
            path.display()
        )));
    }
    let mut blobs: Vec<(Digest, Option<u64>)> = Vec::new();
    for (d, s) in parsed.required_blobs() {
        if !blobs.iter().any(|(seen, _)| seen == d) {
            blobs.push((d.clone(), s));
        }
    }
    let index = matches!(parsed.kind, crate::oci::ManifestKind::Index { .. });
    Ok(Checked { digest: parsed_digest, media_type: media_type.to_owned(), bytes: Bytes::from(bytes), blobs, index })
}

/// A user (not an organization or robot) by name, as their own actor would be.
async fn user_by_name(app: &App, name: &str) -> Result<Option<crate::auth::User>> {
    let row = crate::db::user::find_user(&app.db.read, name).await.map_err(|e| TransferError(e.to_string()))?;
    match row {
        Some(r) if !r.organization && !r.robot => {
            crate::auth::account(&app.db, &app.config, r.id).await.map_err(|e| TransferError(format!("{e:#}")))
        }
        _ => Ok(None),
    }
}

/// Whether any account (user, organization or robot) has the name.
async fn namespace_exists(app: &App, name: &str) -> Result<bool> {
    Ok(crate::db::user::find_user(&app.db.read, name).await.map_err(|e| TransferError(e.to_string()))?.is_some())
}

/// The superuser the import writes as.
async fn importer(app: &App, as_user: Option<&str>) -> Result<Actor> {
    let candidates: Vec<String> = match as_user {
        Some(u) => vec![u.to_owned()],
        None => app.config.super_users.clone(),
    };
    for name in &candidates {
        if !app.config.is_superuser(name) {
            return Err(TransferError(format!("--as {name}: {name} is not a superuser (SUPER_USERS in config.yaml)")));
        }
        if let Some(user) = user_by_name(app, name).await? {
            return Ok(Actor::user(user).from_client(None, Some("quay-import".into())));
        }
        if as_user.is_some() {
            return Err(TransferError(format!("--as {name}: no such user")));
        }
    }
    Err(TransferError("no superuser to import as: create one (quay init --user NAME) or name one with --as".into()))
}

/// The repository, created when missing (its namespace too, as an organization the importer
/// owns), refused when the importer may not push to it; and whether it was created.
async fn writable_repository(app: &App, actor: &Actor, name: &RepositoryName) -> Result<(super::RepoRow, bool)> {
    let existed = super::find_repository(app, name).await?.is_some();
    if !existed && !namespace_exists(app, name.namespace()).await? {
        crate::accounts::organizations::create(app, actor, name.namespace(), None, None)
            .await
            .map_err(|e| TransferError(format!("{name}: cannot create the namespace {}: {e}", name.namespace())))?;
    }
    let granted = super::access::grant(app, actor, name, &["push"]).await?;
    let repo = super::find_repository(app, name).await?;
    match repo {
        Some(repo) if granted.iter().any(|g| g == "push") => Ok((repo, !existed)),
        _ => Err(TransferError(format!(
            "{} may not push to {name}: give them write access, or import into another namespace (--namespace-map)",
            actor.signed_in_user().map(|u| u.username.as_str()).unwrap_or("the importer")
        ))),
    }
}
