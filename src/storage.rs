//! Blob storage: one opendal [`Operator`] behind the few operations the registry needs, with Quay's
//! key layout. Callers never build storage paths themselves.
//!
//! Layout (relative to the driver's `storage_path`, identical to Quay's LocalStorage):
//! - `sha256/<first two hex>/<hex>`: verified blobs, written once, never modified.
//! - `uploads/<upload uuid>/<n>.<random>`: the chunks of an upload in progress, in order.

use std::io;
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _, TryStreamExt as _};
use opendal::{ErrorKind, Operator};

use crate::config::StorageDriver;
use crate::oci::{ByteRange, Digest};

pub mod locations;
mod multipart;
mod swift;

/// Chunks handed to the backend are at least this large, to keep syscalls (or requests) few.
const WRITE_CHUNK: usize = 4 << 20;

/// Reads come in pieces of this size: small enough to be recycled by the allocator instead of
/// being mapped and zeroed afresh each time, large enough to keep syscalls few.
const READ_CHUNK: usize = 512 << 10;

#[derive(Clone)]
pub struct Storage {
    /// Swapped when credentials are renewed (Swift tokens); cloning an `Operator` is cheap.
    op: Arc<RwLock<Operator>>,
    backend: Backend,
    presigner: Presigner,
    /// S3 with static credentials: chunked uploads are joined by part copies.
    multipart: Option<multipart::MultipartAssembler>,
    /// Local disk: the folder holding the keys.
    root: Option<std::path::PathBuf>,
}

/// The kind of service behind the operator, for the few places where they differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Local,
    S3,
    Gcs,
    Azure,
    Swift,
}

/// How blob reads become direct downloads.
#[derive(Clone)]
enum Presigner {
    /// Stream every read through the registry.
    None,
    /// The operator signs (S3 SigV4, GCS V4 with a service account, Swift TempURL).
    Operator,
    /// An Azure service SAS per blob, signed with the account key.
    AzureServiceSas { blob_base_url: String, account: String, key: String, container: String, root: String },
    /// A configured Azure SAS token appended to the blob URL (its own expiry applies).
    AzureSasToken { blob_base_url: String, token: String },
}

/// How long a pre-signed URL is valid; the client follows it at once.
const PRESIGN_TTL: std::time::Duration = std::time::Duration::from_secs(600);

pub struct BlobWriter {
    inner: opendal::Writer,
}

impl BlobWriter {
    pub async fn write(&mut self, bytes: Bytes) -> io::Result<()> {
        self.inner.write(bytes).await.map_err(io::Error::other)
    }

    /// Flushes and makes the object durable (the fs backend fsyncs before returning).
    pub async fn close(mut self) -> io::Result<()> {
        self.inner.close().await.map(|_| ()).map_err(io::Error::other)
    }

    pub async fn abort(mut self) {
        let _ = self.inner.abort().await;
    }
}

/// A file written by [`Storage::write_aside`], not yet in place; removed when dropped unless placed.
pub struct Aside {
    root: std::path::PathBuf,
    folder: std::path::PathBuf,
    file: std::path::PathBuf,
}

impl Aside {
    /// Renames the file to `key` (one system call, done inline: callers hold a lock meanwhile).
    pub fn place(self, key: &str) -> io::Result<()> {
        let to = self.root.join(key);
        match std::fs::rename(&self.file, &to) {
            // The first blob of another algorithm (`sha512/ab`): its folder is made here.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                std::fs::create_dir_all(to.parent().unwrap_or(&self.root))?;
                std::fs::rename(&self.file, &to)
            }
            other => other,
        }
    }
}

impl Drop for Aside {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.file);
        let _ = std::fs::remove_dir(&self.folder);
    }
}

impl Storage {
    /// Opens the configured backend; for Swift this logs in and keeps the token fresh.
    pub async fn open(driver: &StorageDriver) -> anyhow::Result<Storage> {
        let mut multipart = None;
        let mut root = None;
        let (op, backend, presigner) = match driver {
            StorageDriver::Local { storage_path } => {
                std::fs::create_dir_all(storage_path)
                    .map_err(|e| anyhow::anyhow!("cannot create storage folder {}: {e}", storage_path.display()))?;
                prepare_blob_folders(storage_path)?;
                root = Some(storage_path.clone());
                let root = storage_path.display().to_string();
                let builder = opendal::services::Fs::default().root(&root);
                (Operator::new(builder)?, Backend::Local, Presigner::None)
            }
            StorageDriver::S3 {
                bucket,
                storage_path,
                endpoint,
                region,
                access_key,
                secret_key,
                server_side_assembly,
            } => {
                // HTTP services need opendal's process-wide transport (idempotent).
                opendal::install_default();
                let mut builder = opendal::services::S3::default().bucket(bucket).root(storage_path).region(region);
                if let Some(e) = endpoint {
                    builder = builder.endpoint(e);
                }
                // Without keys in the config, the environment's are used (instance role, AWS_*
                // variables, ~/.aws), as boto finds them for Quay; uploads are then joined by streaming.
                if let (Some(a), Some(s)) = (access_key, secret_key) {
                    builder =
                        builder.access_key_id(a).secret_access_key(s).disable_config_load().disable_ec2_metadata();
                    if *server_side_assembly {
                        let assembler =
                            multipart::MultipartAssembler::new(bucket, storage_path, endpoint.as_deref(), region, a, s);
                        multipart = Some(assembler);
                    }
                }
                (with_own_transport(Operator::new(builder)?), Backend::S3, Presigner::Operator)
            }
            StorageDriver::Gcs { bucket, storage_path, endpoint, credentials_file, anonymous } => {
                opendal::install_default();
                let mut builder = opendal::services::Gcs::default()
                    .bucket(bucket)
                    .root(storage_path)
                    .disable_config_load()
                    .disable_vm_metadata();
                if let Some(e) = endpoint {
                    builder = builder.endpoint(e);
                }
                if let Some(path) = credentials_file {
                    builder = builder.credential_path(&path.display().to_string());
                }
                if *anonymous {
                    builder = builder.skip_signature();
                }
                let op = with_own_transport(Operator::new(builder)?);
                // Signing needs a service account; anonymous access streams.
                let presigner = if credentials_file.is_some() { Presigner::Operator } else { Presigner::None };
                (op, Backend::Gcs, presigner)
            }
            StorageDriver::Azure { container, storage_path, account_name, account_key, sas_token, endpoint } => {
                opendal::install_default();
                let endpoint =
                    endpoint.clone().unwrap_or_else(|| format!("https://{account_name}.blob.core.windows.net"));
                let mut builder = opendal::services::Azblob::default()
                    .container(container)
                    .root(storage_path)
                    .endpoint(&endpoint)
                    .account_name(account_name);
                let root = storage_path.trim_matches('/').to_owned();
                let blob_base_url = format!("{}/{container}", endpoint.trim_end_matches('/'));
                let presigner = match (account_key, sas_token) {
                    (Some(key), _) => {
                        builder = builder.account_key(key);
                        Presigner::AzureServiceSas {
                            blob_base_url,
                            account: account_name.clone(),
                            key: key.clone(),
                            container: container.clone(),
                            root,
                        }
                    }
                    (None, Some(token)) => {
                        builder = builder.sas_token(token);
                        let base = if root.is_empty() { blob_base_url } else { format!("{blob_base_url}/{root}") };
                        Presigner::AzureSasToken { blob_base_url: base, token: token.clone() }
                    }
                    (None, None) => Presigner::None,
                };
                (with_own_transport(Operator::new(builder)?), Backend::Azure, presigner)
            }
            StorageDriver::Swift { temp_url_key, .. } => {
                opendal::install_default();
                let op = swift::login(driver).await?;
                let presigner = if temp_url_key.is_some() { Presigner::Operator } else { Presigner::None };
                (op, Backend::Swift, presigner)
            }
        };
        let op = Arc::new(RwLock::new(op));
        if let StorageDriver::Swift { .. } = driver {
            swift::keep_logged_in(Arc::downgrade(&op), driver.clone());
        }
        Ok(Storage { op, backend, presigner, multipart, root })
    }

    /// On local disk, the folder whose entry for `key` must be synced to make a rename to `key`
    /// durable; `None` elsewhere (an object store's write is durable when it returns).
    pub fn folder_of(&self, key: &str) -> Option<std::path::PathBuf> {
        let path = self.root.as_ref()?.join(key);
        path.parent().map(std::path::Path::to_path_buf)
    }

    /// Local disk: the folder holding the keys.
    pub fn root(&self) -> Option<&std::path::Path> {
        self.root.as_deref()
    }

    /// Local disk only: puts `bytes` at `key` through a rename (never a partial file there),
    /// without syncing anything; the caller keeps the bytes durable elsewhere until a later sync
    /// (`registry::staging`).
    pub async fn put_unsynced(&self, key: &str, bytes: Bytes) -> io::Result<()> {
        self.write_aside(bytes).await?.place(key)
    }

    /// Local disk only: writes `bytes` to a new file among the uploads, without syncing it, to be
    /// renamed into place by [`Aside::place`] (or removed when dropped). One trip to a blocking
    /// thread.
    pub async fn write_aside(&self, bytes: Bytes) -> io::Result<Aside> {
        let Some(root) = self.root.clone() else {
            return Err(io::Error::other("unsynced writes are for local disk only"));
        };
        tokio::task::spawn_blocking(move || {
            // Among the uploads: a crash's leftover goes with abandoned uploads.
            let folder = root.join("uploads").join(format!("staging-{}", crate::util::random_token(12)));
            std::fs::create_dir_all(&folder)?;
            let aside = Aside { file: folder.join("blob"), folder, root };
            std::fs::write(&aside.file, &bytes)?;
            Ok(aside)
        })
        .await
        .map_err(io::Error::other)?
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn op(&self) -> Operator {
        self.op.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Disables redirects to pre-signed URLs (Quay's FEATURE_PROXY_STORAGE).
    pub fn proxy_all_reads(mut self) -> Self {
        self.presigner = Presigner::None;
        self
    }

    /// A short-lived URL the client can fetch the blob from directly, where the backend signs one.
    pub async fn presigned_blob_url(&self, digest: &Digest) -> io::Result<Option<String>> {
        let path = Self::blob_path(digest);
        match &self.presigner {
            Presigner::None => Ok(None),
            Presigner::Operator => {
                let request = self.op().presign_read(&path, PRESIGN_TTL).await.map_err(io::Error::other)?;
                Ok(Some(request.uri().to_string()))
            }
            Presigner::AzureSasToken { blob_base_url, token } => Ok(Some(format!("{blob_base_url}/{path}?{token}"))),
            Presigner::AzureServiceSas { blob_base_url, account, key, container, root } => {
                let blob = if root.is_empty() { path } else { format!("{root}/{path}") };
                let expiry = reqsign_core::time::Timestamp::now() + PRESIGN_TTL;
                let resource = reqsign_azure_storage::ServiceSasResource::Blob {
                    container: container.clone(),
                    blob: blob.clone(),
                };
                let sas = reqsign_azure_storage::ServiceSharedAccessSignature::new(
                    account.clone(),
                    key.clone(),
                    resource,
                    "r".into(),
                    expiry,
                )
                .token()
                .map_err(io::Error::other)?;
                let query = sas
                    .iter()
                    .map(|(k, v)| format!("{k}={}", percent_encoding::utf8_percent_encode(v, QUERY_VALUE)))
                    .collect::<Vec<_>>()
                    .join("&");
                Ok(Some(format!("{blob_base_url}/{blob}?{query}")))
            }
        }
    }

    pub fn blob_path(digest: &Digest) -> String {
        digest.storage_path()
    }

    pub fn upload_chunk_path(upload_uuid: &str, index: usize) -> String {
        format!("uploads/{upload_uuid}/{index}.{}", crate::util::random_token(8))
    }

    fn upload_dir(upload_uuid: &str) -> String {
        format!("uploads/{upload_uuid}/")
    }

    pub async fn writer(&self, path: &str) -> io::Result<BlobWriter> {
        let op = self.op();
        let mut write = op.writer_with(path).chunk(WRITE_CHUNK);
        if self.backend == Backend::Gcs {
            // opendal's GCS multipart path is the XML API; a conditional write takes the JSON API's
            // resumable upload, which every GCS (and emulator) serves. Blob keys are written once.
            // Some GCS emulators fail on objects without a content type.
            write = write.if_not_exists(true).content_type("application/octet-stream");
        }
        let inner = write.await.map_err(io::Error::other)?;
        Ok(BlobWriter { inner })
    }

    /// When an object was last written, where the backend says.
    pub async fn modified(&self, path: &str) -> io::Result<Option<std::time::SystemTime>> {
        let meta = self.op().stat(path).await.map_err(not_found_or_other)?;
        Ok(meta.last_modified().map(std::time::SystemTime::from))
    }

    pub async fn exists(&self, path: &str) -> io::Result<bool> {
        // On local disk a stat is one system call of a few microseconds, cheaper than the trip to
        // a blocking thread that opendal's fs service makes for it (every push stats its blob).
        if let Some(root) = &self.root {
            return match std::fs::symlink_metadata(root.join(path)) {
                Ok(_) => Ok(true),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
                Err(e) => Err(e),
            };
        }
        self.op().exists(path).await.map_err(io::Error::other)
    }

    /// Streams an object, or the inclusive byte range of it.
    pub async fn read(
        &self,
        path: &str,
        range: Option<ByteRange>,
    ) -> io::Result<impl Stream<Item = io::Result<Bytes>> + Send + use<>> {
        let reader = self.op().reader_with(path).chunk(READ_CHUNK).await.map_err(not_found_or_other)?;
        let stream = match range {
            Some(r) => reader.into_bytes_stream(r.start..r.end + 1).await,
            None => reader.into_bytes_stream(..).await,
        }
        .map_err(not_found_or_other)?;
        Ok(stream.map_err(io::Error::other))
    }

    /// Moves a finished upload, given as its chunks and their sizes, into its blob path: a rename
    /// or server-side copy for one chunk, a multipart copy on S3, a streamed concatenation
    /// elsewhere. The blob path never holds a partial object.
    pub async fn assemble(&self, chunks: &[(String, u64)], to: &str) -> io::Result<()> {
        let op = self.op();
        let capability = op.info().capability();
        let total: u64 = chunks.iter().map(|(_, size)| size).sum();
        if let [(only, _)] = chunks {
            if capability.rename {
                return op.rename(only, to).await.map_err(io::Error::other);
            }
            if capability.copy && total <= multipart::MAX_COPY_PART {
                // Object stores copy server-side; the chunk goes with the upload's leftovers.
                op.copy(only, to).await.map_err(io::Error::other)?;
                return Ok(());
            }
        }
        if let Some(assembler) = &self.multipart {
            let sizes: Vec<u64> = chunks.iter().map(|(_, size)| *size).collect();
            if let Some(parts) = multipart::plan(&sizes) {
                return assembler.assemble(self, chunks, to, parts).await;
            }
        }
        self.concatenate_from(self, chunks, to).await
    }

    /// Writes the concatenation of `chunks`, objects of `from` (this storage or another), to `to`.
    /// The path never holds a partial object.
    pub async fn concatenate_from(&self, from: &Storage, chunks: &[(String, u64)], to: &str) -> io::Result<()> {
        let (mut writer, staging) = self.staged_writer(to).await?;
        for (chunk, _) in chunks {
            let mut stream = match from.read(chunk, None).await {
                Ok(stream) => stream,
                Err(e) => {
                    writer.abort().await;
                    self.discard_staged(staging.as_deref()).await;
                    return Err(e);
                }
            };
            while let Some(bytes) = stream.next().await {
                let written = match bytes {
                    Ok(bytes) => writer.write(bytes).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = written {
                    writer.abort().await;
                    self.discard_staged(staging.as_deref()).await;
                    return Err(e);
                }
            }
        }
        writer.close().await?;
        self.publish_staged(staging.as_deref(), to).await
    }

    /// A writer whose object appears at `to` only once complete: a filesystem object would be
    /// visible while being written, so it is written aside (the staging path returned) and renamed
    /// by [`Storage::publish_staged`]; an object store publishes an object only when its
    /// (multipart) write completes, so it is written in place.
    pub async fn staged_writer(&self, to: &str) -> io::Result<(BlobWriter, Option<String>)> {
        if self.op().info().capability().rename {
            // Staged among the uploads: leftovers of a crash go with abandoned uploads.
            let staging = format!("uploads/assembling-{}/blob", crate::util::random_token(12));
            Ok((self.writer(&staging).await?, Some(staging)))
        } else {
            Ok((self.writer(to).await?, None))
        }
    }

    /// Moves a closed staged object into place.
    pub async fn publish_staged(&self, staging: Option<&str>, to: &str) -> io::Result<()> {
        let Some(staging) = staging else { return Ok(()) };
        let op = self.op();
        op.rename(staging, to).await.map_err(io::Error::other)?;
        if let Some(dir) = staging.strip_suffix("blob") {
            let _ = op.delete(dir).await;
        }
        Ok(())
    }

    /// Removes what an aborted staged write left.
    pub async fn discard_staged(&self, staging: Option<&str>) {
        if let Some(staging) = staging {
            let op = self.op();
            let _ = op.delete(staging).await;
            if let Some(dir) = staging.strip_suffix("blob") {
                let _ = op.delete(dir).await;
            }
        }
    }

    /// Every upload folder in storage with the time its newest chunk was written, for removing
    /// chunks that no upload row names any more (a crash between the two deletions).
    pub async fn list_uploads(&self) -> io::Result<Vec<(String, chrono::DateTime<chrono::Utc>)>> {
        let op = self.op();
        let entries = match op.list_with("uploads/").recursive(true).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io::Error::other(e)),
        };
        let mut newest: std::collections::HashMap<String, chrono::DateTime<chrono::Utc>> = Default::default();
        for entry in entries {
            if entry.metadata().is_dir() {
                continue;
            }
            let Some(uuid) = entry.path().strip_prefix("uploads/").and_then(|p| p.split('/').next()) else { continue };
            let modified = match entry.metadata().last_modified() {
                Some(t) => t,
                None => match op.stat(entry.path()).await.ok().and_then(|m| m.last_modified()) {
                    Some(t) => t,
                    None => continue,
                },
            };
            let modified = chrono::DateTime::from_timestamp_millis(modified.into_inner().as_millisecond())
                .unwrap_or_else(chrono::Utc::now);
            let slot = newest.entry(uuid.to_owned()).or_insert(modified);
            *slot = (*slot).max(modified);
        }
        Ok(newest.into_iter().collect())
    }

    /// The digests of every blob object in storage (`sha256/ab/<hex>`), for consistency checks.
    pub async fn list_blob_digests(&self) -> io::Result<Vec<(String, u64)>> {
        let op = self.op();
        let entries = match op.list_with("sha256/").recursive(true).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io::Error::other(e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let path = entry.path();
            let hex = path.rsplit('/').next().unwrap_or("");
            if entry.metadata().is_dir() || hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            let size = match entry.metadata().content_length() {
                0 => op.stat(path).await.map(|m| m.content_length()).unwrap_or(0),
                n => n,
            };
            out.push((format!("sha256:{hex}"), size));
        }
        Ok(out)
    }

    pub async fn delete(&self, path: &str) -> io::Result<()> {
        match self.op().delete(path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io::Error::other(e)),
        }
    }

    /// Removes everything an upload left behind. Object by object: some services (and emulators)
    /// have no batch delete, and an upload holds a handful of chunks.
    pub async fn delete_upload(&self, upload_uuid: &str) -> io::Result<()> {
        let dir = Self::upload_dir(upload_uuid);
        // On local disk: a folder of a few files goes in a few system calls, without a trip to a
        // blocking thread per listing and per file (every push ends with this).
        if let Some(root) = &self.root {
            return match std::fs::remove_dir_all(root.join(&dir)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        let op = self.op();
        let entries = match op.list_with(&dir).recursive(true).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io::Error::other(e)),
        };
        for entry in entries {
            // The fs service lists directories too (the upload's own folder among them).
            if !entry.metadata().is_dir() {
                self.delete(entry.path()).await?;
            }
        }
        if self.backend == Backend::Local {
            self.delete(&dir).await?;
        }
        Ok(())
    }
}

/// Creates the 256 folders blobs go in (`sha256/00` to `sha256/ff`) and syncs their parents once,
/// so that making a blob durable takes one sync of its own folder, never of a folder just made.
fn prepare_blob_folders(root: &std::path::Path) -> anyhow::Result<()> {
    let sha = root.join("sha256");
    if sha.join("ff").is_dir() {
        return Ok(());
    }
    for i in 0..=255u8 {
        let dir = sha.join(format!("{i:02x}"));
        std::fs::create_dir_all(&dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    }
    for dir in [sha.as_path(), root] {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| anyhow::anyhow!("cannot sync {}: {e}", dir.display()))?;
    }
    Ok(())
}

/// Gives an HTTP-based operator an HTTP client of its own instead of opendal's process-wide one:
/// its connections belong to the runtime that made them, and it carries this program's timeouts.
pub(crate) fn with_own_transport(op: Operator) -> Operator {
    let client = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .pool_idle_timeout(std::time::Duration::from_secs(60))
        .build();
    match client {
        Ok(client) => {
            let transport = opendal_http_transport_reqwest::ReqwestTransport::new(client);
            op.with_context(
                opendal::OperationContext::new().with_http_transport(opendal::HttpTransporter::new(transport)),
            )
        }
        // Without TLS roots a client cannot be built; opendal's default transport reports the
        // same problem on first use.
        Err(_) => op,
    }
}

/// Percent-encodes a query value (SAS signatures carry `+`, `/` and `=`).
const QUERY_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn not_found_or_other(e: opendal::Error) -> io::Error {
    if e.kind() == ErrorKind::NotFound { io::Error::new(io::ErrorKind::NotFound, e) } else { io::Error::other(e) }
}
