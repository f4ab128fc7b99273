//! `quay export`: repositories (of this registry, or of upstream registries through the native
//! client) written as an OCI image layout with its catalog, for media carried across an air gap.
//!
//! Invariants:
//! - A file under `blobs/` is complete and verified: bytes are written to `<name>.partial`, hashed
//!   as they are written, synced, and only then renamed. A rerun after an interruption keeps every
//!   finished file and writes the rest (resumable).
//! - `quay-catalog.json` is written last, after `index.json` and every blob are synced: its
//!   presence marks a finished export, which is never written over.
//! - An export `--since` a catalog leaves out exactly the blobs that catalog lists; manifests
//!   always travel (they are small, and the import checks them all).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _};
use tokio::io::AsyncWriteExt as _;

use super::RegistryError;
use crate::app::App;
use crate::oci::layout::{self, Catalog, CatalogBlob, CatalogManifest, CatalogRepository, Piece};
use crate::oci::{Algorithm, Descriptor, Digest, Hasher, ManifestKind, Reference, RepositoryName, parse_manifest};
use crate::remote;

/// Blob files written at once.
const BLOBS_AT_ONCE: usize = 4;
/// The largest manifest read.
const MAX_MANIFEST_BYTES: u64 = 4 << 20;

/// Why an export or import stopped: one line for the operator.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TransferError(pub String);

impl TransferError {
    pub fn new(message: impl Into<String>) -> Self {
        TransferError(message.into())
    }
}

impl From<RegistryError> for TransferError {
    fn from(e: RegistryError) -> Self {
        TransferError(e.to_string())
    }
}

impl From<remote::RemoteError> for TransferError {
    fn from(e: remote::RemoteError) -> Self {
        TransferError(e.to_string())
    }
}

impl From<crate::oci::OciError> for TransferError {
    fn from(e: crate::oci::OciError) -> Self {
        TransferError(e.to_string())
    }
}

pub type Result<T, E = TransferError> = std::result::Result<T, E>;

fn io_error(what: &str, path: &Path, e: std::io::Error) -> TransferError {
    TransferError(format!("{what} {}: {e}", path.display()))
}

/// How far a transfer is: the command line draws it, tests read it.
#[derive(Debug, Default)]
pub struct Progress {
    pub total_bytes: AtomicU64,
    pub total_blobs: AtomicU64,
    pub bytes: AtomicU64,
    pub blobs: AtomicU64,
}

impl Progress {
    pub(super) fn plan(&self, blobs: u64, bytes: u64) {
        self.total_blobs.store(blobs, Ordering::Relaxed);
        self.total_bytes.store(bytes, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> (u64, u64, u64, u64) {
        (
            self.blobs.load(Ordering::Relaxed),
            self.total_blobs.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
            self.total_bytes.load(Ordering::Relaxed),
        )
    }
}

/// Where an export reads: this registry (as the operator), or an upstream registry.
pub enum Source<'a> {
    Local(&'a App),
    Remote(Box<remote::Registry>),
}

impl Source<'_> {
    fn describe(&self) -> String {
        match self {
            Source::Local(app) => app.config.server_hostname.clone(),
            Source::Remote(r) => r.host.clone(),
        }
    }

    async fn local_repository(app: &App, path: &str) -> Result<(RepositoryName, super::RepoRow)> {
        let name = RepositoryName::parse(path, None)?;
        let repo = super::find_repository(app, &name)
            .await?
            .ok_or_else(|| TransferError(format!("{path}: no such repository in this registry")))?;
        Ok((name, repo))
    }

    async fn tags(&self, repository: &str) -> Result<Vec<String>> {
        match self {
            Source::Local(app) => {
                let (_, repo) = Self::local_repository(app, repository).await?;
                Ok(super::list_tags(app, &repo, None, u32::MAX as u64).await?)
            }
            Source::Remote(r) => Ok(r.tags(repository).await?),
        }
    }

    /// The manifest `reference`, its media type and bytes; `None` when it is not there (a sparse
    /// index's absent child).
    async fn manifest(&self, repository: &str, reference: &str) -> Result<Option<(String, Bytes)>> {
        match self {
            Source::Local(app) => {
                let (name, repo) = Self::local_repository(app, repository).await?;
                let reference = match Digest::parse(reference) {
                    Ok(d) => Reference::Digest(d),
                    Err(_) => Reference::Tag(reference.to_owned()),
                };
                match super::get_manifest(app, None, &name, &repo, &reference).await {
                    Ok(m) => Ok(Some((m.media_type, Bytes::from(m.bytes)))),
                    Err(RegistryError::ManifestUnknown) => Ok(None),
                    Err(e) => Err(e.into()),
                }
            }
            Source::Remote(r) => match r.manifest(repository, reference, MAX_MANIFEST_BYTES).await {
                Ok(m) => Ok(Some((m.media_type, m.bytes))),
                Err(remote::RemoteError::NotFound(_)) => Ok(None),
                Err(e) => Err(e.into()),
            },
        }
    }

    /// The digests of manifests whose subject is `digest`.
    async fn referrers(&self, repository: &str, digest: &Digest) -> Result<Vec<String>> {
        let index = match self {
            Source::Local(app) => {
                let (_, repo) = Self::local_repository(app, repository).await?;
                super::referrers(app, &repo, digest, None).await?
            }
            Source::Remote(r) => r.referrers(repository, digest).await?,
        };
        Ok(index["manifests"]
            .as_array()
            .map(|a| a.iter().filter_map(|m| m["digest"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default())
    }

    /// A blob's size, for a manifest that does not declare it (Docker schema 1).
    async fn blob_size(&self, repository: &str, digest: &Digest) -> Result<u64> {
        match self {
            Source::Local(app) => {
                let (_, repo) = Self::local_repository(app, repository).await?;
                Ok(super::stat_blob(app, &repo, digest).await?.size.max(0) as u64)
            }
            Source::Remote(r) => {
                let (response, _) = r.blob(repository, &digest.to_string(), 0).await?;
                response
                    .content_length()
                    .ok_or_else(|| TransferError(format!("{}: blob {digest} has no length", r.host)))
            }
        }
    }

    async fn blob(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<std::pin::Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>> {
        match self {
            Source::Local(app) => {
                let (_, repo) = Self::local_repository(app, repository).await?;
                let blob = super::stat_blob(app, &repo, digest).await?;
                Ok(Box::pin(super::read_blob(app, &blob, digest, None).await?))
            }
            Source::Remote(r) => {
                let (response, _) = r.blob(repository, &digest.to_string(), 0).await?;
                Ok(Box::pin(response.bytes_stream().map(|c| c.map_err(std::io::Error::other))))
            }
        }
    }
}

/// One `--repo NS/REPO[:GLOB]` (or `--from-registry docker://HOST/NS/REPO[:GLOB]`): a
/// repository of a source, the tags matching the glob.
pub struct Selection {
    pub source: usize,
    pub repository: String,
    pub glob: String,
}

/// Every repository of this registry that has a tag, all its tags (`quay export` without `--repo`).
pub async fn every_repository(app: &App, source: usize) -> Result<Vec<Selection>> {
    let mut selections = Vec::new();
    for listing in super::repositories::listing(app, None).await? {
        let repository = format!("{}/{}", listing.namespace, listing.name);
        let (_, repo) = Source::local_repository(app, &repository).await?;
        if !super::list_tags(app, &repo, None, 1).await?.is_empty() {
            selections.push(Selection { source, repository, glob: "*".into() });
        }
    }
    Ok(selections)
}

/// What to export, and where.
pub struct ExportRequest<'a> {
    pub to: PathBuf,
    pub sources: Vec<Source<'a>>,
    pub selections: Vec<Selection>,
    /// Only these architectures of an index's images (the index travels whole: sparse).
    pub architectures: Vec<String>,
    pub since: Option<Catalog>,
    /// At most this many bytes per volume.
    pub split: Option<u64>,
}

/// What an export wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportSummary {
    pub to: PathBuf,
    pub id: String,
    pub chain: String,
    pub repositories: usize,
    pub tags: usize,
    pub manifests: usize,
    pub blobs_written: usize,
    pub bytes_written: u64,
    /// Blobs left out because the `--since` catalog lists them.
    pub blobs_left_out: usize,
    pub bytes_left_out: u64,
    pub volumes: usize,
}

/// A manifest found while walking a repository, and where its blobs are read.
struct Found {
    manifest: CatalogManifest,
    bytes: Bytes,
}

/// A blob to write: its size and the repository of a source it is read from.
#[derive(Clone)]
struct BlobSource {
    size: u64,
    source: usize,
    repository: String,
}

#[derive(Default)]
struct Plan {
    repositories: Vec<CatalogRepository>,
    manifests: Vec<Found>,
    blobs: BTreeMap<String, BlobSource>,
}

/// Writes the export. Refuses a folder that holds a finished export, or anything that is not an
/// export; continues an interrupted one.
pub async fn export(request: ExportRequest<'_>, progress: &Progress) -> Result<ExportSummary> {
    let to = request.to.clone();
    prepare_folder(&to, request.split.is_some()).await?;
    let mut plan = Plan::default();
    for selection in &request.selections {
        walk_repository(&request, selection, &mut plan).await?;
    }
    let since: HashSet<&str> =
        request.since.as_ref().map(|c| c.blobs.iter().map(|b| b.digest.as_str()).collect()).unwrap_or_default();
    let written: Vec<(String, BlobSource)> =
        plan.blobs.iter().filter(|(d, _)| !since.contains(d.as_str())).map(|(d, s)| (d.clone(), s.clone())).collect();
    let left_out: Vec<u64> =
        plan.blobs.iter().filter(|(d, _)| since.contains(d.as_str())).map(|(_, s)| s.size).collect();
    let id = uuid::Uuid::new_v4().to_string();
    let mut catalog = Catalog {
        version: layout::CATALOG_VERSION,
        id: id.clone(),
        chain: request.since.as_ref().map_or_else(|| id.clone(), |c| c.chain.clone()),
        kind: "export".into(),
        since: request.since.as_ref().map(|c| c.id.clone()),
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        source: request.sources.iter().map(Source::describe).collect::<Vec<_>>().join(","),
        repositories: plan.repositories.clone(),
        blobs: plan.blobs.iter().map(|(d, s)| CatalogBlob { digest: d.clone(), size: s.size }).collect(),
        volumes: 1,
        parts: BTreeMap::new(),
        written: written.iter().map(|(d, _)| d.clone()).collect(),
    };
    // Where each blob goes: all in the folder, or cut into volumes.
    let sizes: Vec<(String, u64)> = written.iter().map(|(d, s)| (d.clone(), s.size)).collect();
    let placed: Vec<(String, Vec<Piece>)> = match request.split {
        None => sizes.iter().map(|(d, s)| (d.clone(), vec![Piece { volume: 1, size: *s }])).collect(),
        Some(limit) => {
            let (every, first) = metadata_reserve(&catalog, &plan);
            if every + first >= limit {
                return Err(TransferError(format!(
                    "--split {limit} bytes is too small: this export's metadata takes {} bytes of the first volume",
                    every + first
                )));
            }
            let (placed, volumes) = layout::place(&sizes, limit - every - first, limit - every);
            catalog.volumes = volumes;
            catalog.parts = placed.iter().map(|(d, p)| (d.clone(), p.clone())).collect();
            placed
        }
    };
    let volume_dir = |n: usize| if request.split.is_some() { to.join(layout::volume_name(n)) } else { to.clone() };
    for n in 1..=catalog.volumes {
        create_dir(&volume_dir(n).join("blobs").join(Algorithm::Sha256.name())).await?;
    }
    let first = volume_dir(1);
    write_file(&first.join("oci-layout"), layout::layout_marker().to_string().as_bytes()).await?;
    for found in &plan.manifests {
        let digest = Digest::parse(&found.manifest.digest)?;
        create_dir(&first.join("blobs").join(digest.algorithm().name())).await?;
        let path = first.join(layout::blob_path(&digest));
        // Written whole by an interrupted run: kept.
        if std::fs::metadata(&path).is_ok_and(|m| m.len() == found.bytes.len() as u64) {
            continue;
        }
        write_file(&path, &found.bytes).await?;
    }
    progress.plan(written.len() as u64, sizes.iter().map(|(_, s)| s).sum());
    let sources: HashMap<&str, &BlobSource> = written.iter().map(|(d, s)| (d.as_str(), s)).collect();
    let results: Vec<Result<()>> = futures_util::stream::iter(placed.iter())
        .map(|(digest, pieces)| {
            let blob = sources.get(digest.as_str()).copied();
            let volume_dir = &volume_dir;
            let request = &request;
            async move {
                let blob = blob.ok_or_else(|| TransferError(format!("{digest}: not planned")))?;
                let digest = Digest::parse(digest)?;
                write_blob(request, blob, &digest, pieces, volume_dir, progress).await
            }
        })
        .buffer_unordered(BLOBS_AT_ONCE)
        .collect()
        .await;
    results.into_iter().collect::<Result<()>>()?;
    write_file(&first.join("index.json"), catalog.index().to_string().as_bytes()).await?;
    for n in 1..=catalog.volumes {
        sync_tree(&volume_dir(n)).await?;
    }
    let text = serde_json::to_vec_pretty(&catalog).map_err(|e| TransferError(e.to_string()))?;
    // Every volume carries the catalog, so that any one of them names the others.
    for n in (1..=catalog.volumes).rev() {
        write_file(&volume_dir(n).join(layout::CATALOG_FILE), &text).await?;
    }
    Ok(ExportSummary {
        to,
        id: catalog.id.clone(),
        chain: catalog.chain.clone(),
        repositories: catalog.repositories.len(),
        tags: catalog.repositories.iter().map(|r| r.tags.len()).sum(),
        manifests: plan.manifests.len(),
        blobs_written: written.len(),
        bytes_written: sizes.iter().map(|(_, s)| s).sum(),
        blobs_left_out: left_out.len(),
        bytes_left_out: left_out.iter().sum(),
        volumes: catalog.volumes,
    })
}

/// The bytes of a volume that are not blobs: the catalog every volume carries (with room for its
/// volume map) and, in the first, the manifests, `index.json` and `oci-layout`. Returns (every
/// volume's, the first's extra).
fn metadata_reserve(catalog: &Catalog, plan: &Plan) -> (u64, u64) {
    let catalog_bytes = serde_json::to_vec_pretty(catalog).map(|v| v.len() as u64).unwrap_or(0);
    let every = catalog_bytes + 200 * catalog.written.len() as u64 + 4096;
    let manifests: u64 = plan.manifests.iter().map(|m| m.bytes.len() as u64).sum();
    let first = manifests + catalog.index().to_string().len() as u64 + 4096;
    (every, first)
}

/// An empty or missing folder, or an interrupted export of the same shape, is written into;
/// anything else is refused.
async fn prepare_folder(to: &Path, split: bool) -> Result<()> {
    let first = if split { to.join(layout::volume_name(1)) } else { to.to_path_buf() };
    if first.join(layout::CATALOG_FILE).exists() {
        return Err(TransferError(format!(
            "{} already holds a finished export ({}); export into a new folder",
            to.display(),
            layout::CATALOG_FILE
        )));
    }
    match std::fs::read_dir(to) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_dir(to).await,
        Err(e) => Err(io_error("cannot read", to, e)),
        Ok(mut entries) => {
            let empty = entries.next().is_none();
            let interrupted = first.join("oci-layout").exists();
            if empty || interrupted {
                Ok(())
            } else if split && to.join("oci-layout").exists() || !split && to.join(layout::volume_name(1)).exists() {
                Err(TransferError(format!(
                    "{} holds an interrupted export {} --split; run it again as it was",
                    to.display(),
                    if split { "without" } else { "with" }
                )))
            } else {
                Err(TransferError(format!(
                    "{} is not empty and holds no export; export into an empty or new folder",
                    to.display()
                )))
            }
        }
    }
}

async fn create_dir(dir: &Path) -> Result<()> {
    tokio::fs::create_dir_all(dir).await.map_err(|e| io_error("cannot create", dir, e))
}

/// Writes a small file whole: to `.partial`, synced, renamed.
async fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let partial = partial_path(path);
    let mut file = tokio::fs::File::create(&partial).await.map_err(|e| io_error("cannot write", &partial, e))?;
    file.write_all(bytes).await.map_err(|e| io_error("cannot write", &partial, e))?;
    file.sync_all().await.map_err(|e| io_error("cannot sync", &partial, e))?;
    tokio::fs::rename(&partial, path).await.map_err(|e| io_error("cannot rename", &partial, e))
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Syncs a volume's folders, so that the renames of its files are durable before the catalog.
async fn sync_tree(dir: &Path) -> Result<()> {
    for d in [dir.join("blobs").join(Algorithm::Sha256.name()), dir.join("blobs"), dir.to_path_buf()] {
        if let Ok(f) = tokio::fs::File::open(&d).await {
            f.sync_all().await.map_err(|e| io_error("cannot sync", &d, e))?;
        }
    }
    Ok(())
}

/// Writes one blob, cut into its pieces, hashing as it writes; a blob whose pieces are all there
/// from an interrupted run is kept.
async fn write_blob(
    request: &ExportRequest<'_>,
    blob: &BlobSource,
    digest: &Digest,
    pieces: &[Piece],
    volume_dir: &impl Fn(usize) -> PathBuf,
    progress: &Progress,
) -> Result<()> {
    let paths: Vec<PathBuf> = pieces
        .iter()
        .enumerate()
        .map(|(i, p)| volume_dir(p.volume).join(layout::piece_path(digest, pieces.len(), i + 1)))
        .collect();
    let done =
        paths.iter().zip(pieces).all(|(path, piece)| std::fs::metadata(path).is_ok_and(|m| m.len() == piece.size));
    if done {
        progress.bytes.fetch_add(blob.size, Ordering::Relaxed);
        progress.blobs.fetch_add(1, Ordering::Relaxed);
        return Ok(());
    }
    let source = &request.sources[blob.source];
    let mut stream = source
        .blob(&blob.repository, digest)
        .await
        .map_err(|e| TransferError(format!("{}: blob {digest}: {e}", blob.repository)))?;
    let mut hasher = Hasher::new(digest.algorithm());
    let mut pending: Option<Bytes> = None;
    let mut total = 0u64;
    for (path, piece) in paths.iter().zip(pieces) {
        let partial = partial_path(path);
        let file = tokio::fs::File::create(&partial).await.map_err(|e| io_error("cannot write", &partial, e))?;
        let mut file = tokio::io::BufWriter::with_capacity(1 << 20, file);
        let mut left = piece.size;
        while left > 0 {
            let mut chunk = match pending.take() {
                Some(c) => c,
                None => match stream.next().await {
                    Some(Ok(c)) => c,
                    Some(Err(e)) => {
                        return Err(TransferError(format!("reading blob {digest} from {}: {e}", source.describe())));
                    }
                    None => {
                        return Err(TransferError(format!(
                            "blob {digest} from {} ended after {total} of {} bytes",
                            source.describe(),
                            blob.size
                        )));
                    }
                },
            };
            if chunk.len() as u64 > left {
                pending = Some(chunk.split_off(left as usize));
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await.map_err(|e| io_error("cannot write", &partial, e))?;
            left -= chunk.len() as u64;
            total += chunk.len() as u64;
            progress.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
        file.flush().await.map_err(|e| io_error("cannot write", &partial, e))?;
        file.get_ref().sync_all().await.map_err(|e| io_error("cannot sync", &partial, e))?;
    }
    let extra = match pending {
        Some(c) => !c.is_empty(),
        None => stream.next().await.is_some_and(|c| c.is_ok_and(|c| !c.is_empty())),
    };
    if extra {
        return Err(TransferError(format!(
            "blob {digest} from {} is longer than {} bytes",
            source.describe(),
            blob.size
        )));
    }
    let computed = hasher.finish();
    if &computed != digest {
        return Err(TransferError(format!("blob {digest} from {} has digest {computed}", source.describe())));
    }
    for path in &paths {
        tokio::fs::rename(partial_path(path), path).await.map_err(|e| io_error("cannot rename", path, e))?;
    }
    progress.blobs.fetch_add(1, Ordering::Relaxed);
    crate::testhooks::reached("export.blob-written").await;
    Ok(())
}

/// Adds a repository's matching tags, their manifests (children and referrers too) and blobs to
/// the plan.
async fn walk_repository(request: &ExportRequest<'_>, selection: &Selection, plan: &mut Plan) -> Result<()> {
    let source = &request.sources[selection.source];
    let tags = source.tags(&selection.repository).await?;
    let selected = super::mirror::matching_tags(&tags, std::slice::from_ref(&selection.glob));
    if selected.is_empty() {
        return Err(TransferError(format!(
            "{}: no tag matches `{}` in {}",
            selection.repository,
            selection.glob,
            source.describe()
        )));
    }
    let mut walker = Walker { request, selection, source, seen: HashSet::new(), manifests: Vec::new(), plan };
    let mut tagged = BTreeMap::new();
    for tag in selected {
        let Some(digest) = walker.walk(&tag).await? else {
            return Err(TransferError(format!("{}:{tag} disappeared while it was read", selection.repository)));
        };
        tagged.insert(tag, digest);
    }
    let manifests = std::mem::take(&mut walker.manifests);
    // A repository named twice (two globs) is one entry.
    match plan.repositories.iter_mut().find(|r| r.name == selection.repository) {
        Some(existing) => {
            existing.tags.extend(tagged);
            for m in manifests {
                if !existing.manifests.iter().any(|e| e.digest == m.digest) {
                    existing.manifests.push(m);
                }
            }
        }
        None => {
            plan.repositories.push(CatalogRepository { name: selection.repository.clone(), tags: tagged, manifests })
        }
    }
    Ok(())
}

struct Walker<'a, 'r> {
    request: &'a ExportRequest<'r>,
    selection: &'a Selection,
    source: &'a Source<'r>,
    seen: HashSet<String>,
    manifests: Vec<CatalogManifest>,
    plan: &'a mut Plan,
}

impl Walker<'_, '_> {
    /// Reads a manifest and what it needs; its digest, or `None` when it is not there.
    async fn walk(&mut self, reference: &str) -> Result<Option<String>> {
        let repository = &self.selection.repository;
        let Some((media_type, bytes)) = self.source.manifest(repository, reference).await? else {
            return Ok(None);
        };
        let parsed = parse_manifest(Some(&media_type), &bytes)
            .map_err(|e| TransferError(format!("{repository}@{reference}: {e}")))?;
        let algorithm = Digest::parse(reference).map_or(Algorithm::Sha256, |d| d.algorithm());
        let digest = parsed.digest(algorithm, &bytes);
        let text = digest.to_string();
        if !self.seen.insert(text.clone()) {
            return Ok(Some(text));
        }
        match &parsed.kind {
            ManifestKind::Index { manifests } => {
                for child in manifests {
                    if self.wanted(child) {
                        // An absent child leaves the index sparse, as it is here.
                        Box::pin(self.walk(&child.digest.to_string())).await?;
                    }
                }
            }
            ManifestKind::Image { .. } | ManifestKind::Schema1(_) => {
                for (blob, size) in parsed.required_blobs() {
                    let size = match size {
                        Some(s) => s,
                        None => self.source.blob_size(repository, blob).await?,
                    };
                    self.plan.blobs.entry(blob.to_string()).or_insert_with(|| BlobSource {
                        size,
                        source: self.selection.source,
                        repository: repository.clone(),
                    });
                }
            }
        }
        let manifest = CatalogManifest { digest: text.clone(), media_type, size: bytes.len() as u64 };
        self.manifests.push(manifest.clone());
        if !self.plan.manifests.iter().any(|m| m.manifest.digest == text) {
            self.plan.manifests.push(Found { manifest, bytes });
        }
        // Referrers (signatures, SBOMs, attestations) travel with their subject.
        for referrer in self.source.referrers(repository, &digest).await? {
            Box::pin(self.walk(&referrer)).await?;
        }
        Ok(Some(text))
    }

    fn wanted(&self, child: &Descriptor) -> bool {
        let archs = &self.request.architectures;
        archs.is_empty() || child.architecture.as_ref().is_none_or(|a| archs.contains(a))
    }
}

/// The catalog of what this registry holds now: every repository's tags and every blob its
/// manifests use. `quay import --catalog-out` writes it, to carry back for the next export.
pub async fn registry_catalog(app: &App, chain: &str, since: Option<&str>) -> Result<Catalog> {
    let mut repositories = Vec::new();
    for listing in super::repositories::listing(app, None).await? {
        let path = format!("{}/{}", listing.namespace, listing.name);
        let Ok(name) = RepositoryName::parse(&path, None) else { continue };
        let Some(repo) = super::find_repository(app, &name).await? else { continue };
        let mut tags = BTreeMap::new();
        let mut manifests: Vec<CatalogManifest> = Vec::new();
        for tag in super::list_tags(app, &repo, None, u32::MAX as u64).await? {
            let Ok(m) = super::get_manifest(app, None, &name, &repo, &Reference::Tag(tag.clone())).await else {
                continue;
            };
            if !manifests.iter().any(|e| e.digest == m.digest) {
                manifests.push(CatalogManifest {
                    digest: m.digest.clone(),
                    media_type: m.media_type.clone(),
                    size: m.bytes.len() as u64,
                });
            }
            tags.insert(tag, m.digest);
        }
        if !tags.is_empty() {
            repositories.push(CatalogRepository { name: path, tags, manifests });
        }
    }
    let blobs =
        super::referenced_blobs(app).await?.into_iter().map(|(digest, size)| CatalogBlob { digest, size }).collect();
    Ok(Catalog {
        version: layout::CATALOG_VERSION,
        id: uuid::Uuid::new_v4().to_string(),
        chain: chain.to_owned(),
        kind: "registry".into(),
        since: since.map(str::to_owned),
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        source: app.config.server_hostname.clone(),
        repositories,
        blobs,
        volumes: 1,
        parts: BTreeMap::new(),
        written: Vec::new(),
    })
}

/// Reads a catalog file, refusing what is not one.
pub fn read_catalog(path: &Path) -> Result<Catalog> {
    let bytes = std::fs::read(path).map_err(|e| io_error("cannot read the catalog", path, e))?;
    Catalog::parse(&bytes).map_err(|e| TransferError(format!("{}: {e}", path.display())))
}
