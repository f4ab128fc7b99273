//! Blob storage: one opendal [`Operator`] behind the few operations the registry needs, with Quay's
//! key layout. Callers never build storage paths themselves.
//!
//! Layout (relative to the driver's `storage_path`, identical to Quay's LocalStorage):
//! - `sha256/<first two hex>/<hex>`: verified blobs, written once, never modified.
//! - `uploads/<upload uuid>/<n>.<random>`: the chunks of an upload in progress, in order.

use std::io;

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _, TryStreamExt as _};
use opendal::{ErrorKind, Operator};

use crate::config::StorageDriver;
use crate::oci::{ByteRange, Digest};

/// Chunks handed to the backend are at least this large, to keep syscalls (or requests) few.
const WRITE_CHUNK: usize = 4 << 20;

/// Reads come in pieces of this size: small enough to be recycled by the allocator instead of
/// being mapped and zeroed afresh each time, large enough to keep syscalls few.
const READ_CHUNK: usize = 512 << 10;

#[derive(Clone)]
pub struct Storage {
    op: Operator,
    /// Whether blob reads redirect to pre-signed URLs (object stores) instead of streaming.
    presign: bool,
}

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

impl Storage {
    pub fn new(driver: &StorageDriver) -> anyhow::Result<Storage> {
        match driver {
            StorageDriver::Local { storage_path } => {
                std::fs::create_dir_all(storage_path)
                    .map_err(|e| anyhow::anyhow!("cannot create storage folder {}: {e}", storage_path.display()))?;
                let root = storage_path.display().to_string();
                let builder = opendal::services::Fs::default().root(&root);
                Ok(Storage { op: Operator::new(builder)?, presign: false })
            }
            StorageDriver::S3 { bucket, storage_path, endpoint, region, access_key, secret_key } => {
                // HTTP services need opendal's process-wide transport (idempotent).
                opendal::install_default();
                let mut builder = opendal::services::S3::default()
                    .bucket(bucket)
                    .root(storage_path)
                    .region(region)
                    .disable_config_load()
                    .disable_ec2_metadata();
                if let Some(e) = endpoint {
                    builder = builder.endpoint(e);
                }
                if let (Some(a), Some(s)) = (access_key, secret_key) {
                    builder = builder.access_key_id(a).secret_access_key(s);
                }
                Ok(Storage { op: Operator::new(builder)?, presign: true })
            }
        }
    }

    /// Disables redirects to pre-signed URLs (Quay's FEATURE_PROXY_STORAGE).
    pub fn proxy_all_reads(mut self) -> Self {
        self.presign = false;
        self
    }

    /// A short-lived URL the client can fetch the blob from directly, where the backend signs one.
    pub async fn presigned_blob_url(&self, digest: &Digest) -> io::Result<Option<String>> {
        if !self.presign {
            return Ok(None);
        }
        let request = self
            .op
            .presign_read(&Self::blob_path(digest), std::time::Duration::from_secs(600))
            .await
            .map_err(io::Error::other)?;
        Ok(Some(request.uri().to_string()))
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
        let inner = self.op.writer_with(path).chunk(WRITE_CHUNK).await.map_err(io::Error::other)?;
        Ok(BlobWriter { inner })
    }

    pub async fn exists(&self, path: &str) -> io::Result<bool> {
        self.op.exists(path).await.map_err(io::Error::other)
    }

    /// Streams an object, or the inclusive byte range of it.
    pub async fn read(
        &self,
        path: &str,
        range: Option<ByteRange>,
    ) -> io::Result<impl Stream<Item = io::Result<Bytes>> + Send + use<>> {
        let reader = self.op.reader_with(path).chunk(READ_CHUNK).await.map_err(not_found_or_other)?;
        let stream = match range {
            Some(r) => reader.into_bytes_stream(r.start..r.end + 1).await,
            None => reader.into_bytes_stream(..).await,
        }
        .map_err(not_found_or_other)?;
        Ok(stream.map_err(io::Error::other))
    }

    /// Moves a finished upload into its blob path: a rename for one chunk, a streamed
    /// concatenation for several. The blob path never holds a partial object.
    pub async fn assemble(&self, chunks: &[String], to: &str) -> io::Result<()> {
        let capability = self.op.info().capability();
        if let [only] = chunks {
            if capability.rename {
                return self.op.rename(only, to).await.map_err(io::Error::other);
            }
            if capability.copy {
                // Object stores copy server-side; the chunk goes with the upload's leftovers.
                self.op.copy(only, to).await.map_err(io::Error::other)?;
                return Ok(());
            }
        }
        // A filesystem object would be visible while being written: write aside and rename. An
        // object store publishes an object only when its (multipart) write completes: write in place.
        let staging = format!(
            "{}.assembling.{}",
            chunks.first().map(String::as_str).unwrap_or("uploads/x"),
            crate::util::random_token(8)
        );
        let target = if capability.rename { staging.as_str() } else { to };
        let mut writer = self.writer(target).await?;
        for chunk in chunks {
            let mut stream = self.read(chunk, None).await?;
            while let Some(bytes) = stream.next().await {
                if let Err(e) = writer.write(bytes?).await {
                    writer.abort().await;
                    return Err(e);
                }
            }
        }
        writer.close().await?;
        if capability.rename {
            self.op.rename(&staging, to).await.map_err(io::Error::other)?;
        }
        Ok(())
    }

    pub async fn delete(&self, path: &str) -> io::Result<()> {
        match self.op.delete(path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io::Error::other(e)),
        }
    }

    /// Removes everything an upload left behind.
    pub async fn delete_upload(&self, upload_uuid: &str) -> io::Result<()> {
        match self.op.delete_with(&Self::upload_dir(upload_uuid)).recursive(true).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io::Error::other(e)),
        }
    }
}

fn not_found_or_other(e: opendal::Error) -> io::Error {
    if e.kind() == ErrorKind::NotFound { io::Error::new(io::ErrorKind::NotFound, e) } else { io::Error::other(e) }
}
