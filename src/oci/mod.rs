//! Pure parsing and validation of the OCI distribution wire formats: names, references, digests,
//! byte ranges and manifests. Nothing in here does I/O; every function is a total function from
//! untrusted input to a typed value or an [`OciError`].

mod digest;
pub mod layout;
mod manifest;
mod name;
mod range;
mod schema1;

pub use digest::{Algorithm, Digest, Hasher};
pub use manifest::{
    Descriptor, EXPIRES_AFTER_LABEL, ManifestKind, ParsedManifest, config_labels, media_types, parse_manifest,
};
pub use name::{Reference, RepositoryName, validate_tag};
pub use range::{ByteRange, parse_content_range, parse_range_header};
pub use schema1::Schema1;

/// Why a piece of client input was rejected. The HTTP layer maps each variant to an OCI error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OciError {
    #[error("invalid repository name: {0}")]
    NameInvalid(String),
    #[error("invalid tag: {0}")]
    TagInvalid(String),
    #[error("invalid digest: {0}")]
    DigestInvalid(String),
    #[error("invalid manifest: {0}")]
    ManifestInvalid(String),
    #[error("unsupported manifest media type: {0}")]
    ManifestUnsupported(String),
    #[error("invalid range: {0}")]
    RangeInvalid(String),
}
