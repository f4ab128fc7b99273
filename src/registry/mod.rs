//! The registry's domain: repositories, blobs, uploads, manifests and tags, where the database and
//! storage meet. Handlers in `http` call these functions and map [`RegistryError`] to OCI errors.
//!
//! Invariants:
//! - A blob row (`imagestorage`) exists only for bytes already verified and durably stored: at
//!   their content address, storage written first and the database last, or, for a small blob,
//!   in a staged copy committed with the row (`staging`).
//! - Upload progress (size, chunk list, hash state) lives in `blobupload` from the first chunk,
//!   never only in memory, so an upload survives a restart and can continue on another node; an
//!   upload id is issued without a write and is bound to its repository (`UploadIds`).
//! - Manifest bytes are stored exactly as received and served unchanged.

pub mod access;
pub mod autoprune;
mod blobs;
pub mod disk;
pub mod export;
pub mod gc;
pub mod import;
pub mod labels;
mod manifests;
pub mod mirror;
pub mod proxy;
pub mod quota;
pub mod replication;
pub mod repositories;
pub mod staging;
pub mod tags;
mod uploads;

pub use crate::db::repository::RepoRow;
pub use blobs::*;
pub use manifests::*;
pub use uploads::*;

use crate::app::App;
use crate::oci::{OciError, RepositoryName};

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("repository name not known to registry")]
    NameUnknown,
    #[error("{0}")]
    NameInvalid(String),
    #[error("blob unknown to registry")]
    BlobUnknown,
    #[error("blob upload unknown to registry")]
    BlobUploadUnknown,
    #[error("{0}")]
    BlobUploadInvalid(String),
    #[error("{0}")]
    DigestInvalid(String),
    #[error("manifest unknown to registry")]
    ManifestUnknown,
    /// A tag, or the state of one, that is not there (with what was looked for).
    #[error("{0} not found")]
    TagUnknown(String),
    #[error("{0}")]
    Exists(String),
    #[error("{0}")]
    ManifestInvalid(String),
    #[error("{0}")]
    ManifestUnsupported(String),
    #[error("blob {0} referenced by the manifest is not in the repository")]
    ManifestBlobUnknown(String),
    #[error("manifest {0} referenced by the index is not in the repository")]
    ManifestChildUnknown(String),
    #[error("{0}")]
    SizeInvalid(String),
    #[error("{0}")]
    TooLarge(String),
    /// The disk keeps too little free for another upload.
    #[error("{0}")]
    StorageFull(String),
    #[error("{0}")]
    TagInvalid(String),
    #[error("{0}")]
    RangeInvalid(String),
    /// A chunk that does not start where the upload ends; carries the current size.
    #[error("chunk does not continue the upload, which has {0} bytes")]
    UploadOutOfOrder(u64),
    #[error("requested range not satisfiable")]
    RangeNotSatisfiable(u64),
    #[error("{0}")]
    Denied(String),
    /// The actor may not do this (or must sign in first).
    #[error("{0}")]
    Access(#[from] crate::auth::Denied),
    /// The repository (or the whole registry) takes no writes now.
    #[error("{}", .0.message())]
    NotWritable(access::NotWritable),
    /// The tag is immutable: it is not moved, expired, deleted or restored over.
    #[error("tag `{0}` is immutable")]
    TagImmutable(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unsupported(String),
    /// The database asked for the operation to be retried (contention); the client may retry.
    #[error("the registry is busy; retry the request")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<OciError> for RegistryError {
    fn from(e: OciError) -> Self {
        match e {
            OciError::NameInvalid(m) => RegistryError::NameInvalid(m),
            OciError::TagInvalid(m) => RegistryError::TagInvalid(m),
            OciError::DigestInvalid(m) => RegistryError::DigestInvalid(m),
            OciError::ManifestInvalid(m) => RegistryError::ManifestInvalid(m),
            OciError::ManifestUnsupported(m) => RegistryError::ManifestUnsupported(m),
            OciError::RangeInvalid(m) => RegistryError::RangeInvalid(m),
        }
    }
}

impl From<sea_orm::DbErr> for RegistryError {
    fn from(e: sea_orm::DbErr) -> Self {
        if crate::db::is_retryable(&e) {
            tracing::warn!(error = %e, "database contention; the client is asked to retry");
            return RegistryError::Unavailable;
        }
        RegistryError::Internal(e.into())
    }
}

impl From<std::io::Error> for RegistryError {
    fn from(e: std::io::Error) -> Self {
        RegistryError::Internal(e.into())
    }
}

pub type Result<T, E = RegistryError> = std::result::Result<T, E>;

/// An existing repository.
pub async fn find_repository(app: &App, name: &RepositoryName) -> Result<Option<RepoRow>> {
    Ok(app.db.find_repository(name.namespace(), name.repository()).await?)
}

/// An existing repository, or `NAME_UNKNOWN`.
pub async fn repository(app: &App, name: &RepositoryName) -> Result<RepoRow> {
    find_repository(app, name).await?.ok_or(RegistryError::NameUnknown)
}

/// What the registry holds and what waits (for `/metrics`), and the nodes holding job leases.
pub async fn totals(app: &App) -> Result<(crate::db::stats::Totals, Vec<(String, String)>)> {
    let totals = crate::db::stats::totals(&app.db.read).await?;
    let leases = crate::db::stats::lease_holders(&app.db.read).await?;
    Ok((totals, leases))
}

/// Catalog page: repositories the viewer may read, in order (every repository only for those who
/// reach everything).
pub async fn catalog(
    app: &App,
    viewer: Option<&crate::auth::Actor>,
    last: Option<&str>,
    limit: u64,
) -> Result<Vec<String>> {
    let viewer = viewer.and_then(|a| a.signed_in_user().map(|u| (u.id, a.reaches_everything(&app.config))));
    Ok(crate::db::repository::catalog(&app.db.read, viewer, app.db.lookups.visibility_public, last, limit).await?)
}
