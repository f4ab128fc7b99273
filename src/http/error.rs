//! The one table of `/v2` errors: every OCI error code this registry answers with and its status,
//! and the one mapping from domain errors to them (`{"errors":[{code,message,detail}]}`).
//! Internal errors reach the client only as an opaque `UNKNOWN`; their cause travels in the
//! response's extensions to the request middleware, which logs it once.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::registry::RegistryError;

/// The error codes of the OCI distribution specification (and Quay's additions) this registry
/// answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    TagInvalid,
    TagImmutable,
    Unauthorized,
    Denied,
    Unsupported,
    RangeInvalid,
    PaginationNumberInvalid,
    InvalidRequest,
    NotFound,
    Unavailable,
    /// Distribution's code for rate limits.
    TooManyRequests,
    Unknown,
}

impl Code {
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::BlobUnknown => "BLOB_UNKNOWN",
            Code::BlobUploadInvalid => "BLOB_UPLOAD_INVALID",
            Code::BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
            Code::DigestInvalid => "DIGEST_INVALID",
            Code::ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
            Code::ManifestInvalid => "MANIFEST_INVALID",
            Code::ManifestUnknown => "MANIFEST_UNKNOWN",
            Code::NameInvalid => "NAME_INVALID",
            Code::NameUnknown => "NAME_UNKNOWN",
            Code::SizeInvalid => "SIZE_INVALID",
            Code::TagInvalid => "TAG_INVALID",
            Code::TagImmutable => "TAG_IMMUTABLE",
            Code::Unauthorized => "UNAUTHORIZED",
            Code::Denied => "DENIED",
            Code::Unsupported => "UNSUPPORTED",
            Code::RangeInvalid => "RANGE_INVALID",
            Code::PaginationNumberInvalid => "PAGINATION_NUMBER_INVALID",
            Code::InvalidRequest => "INVALID_REQUEST",
            Code::NotFound => "NOT_FOUND",
            Code::Unavailable => "UNAVAILABLE",
            Code::TooManyRequests => "TOOMANYREQUESTS",
            Code::Unknown => "UNKNOWN",
        }
    }

    /// The status a code answers with. Quay answers some codes with more than one status, and so
    /// does this registry, by [`Code::with`]:
    /// - `MANIFEST_INVALID`: 400, and 415 for a media type it does not store;
    /// - `SIZE_INVALID`: 400, and 413 for a body over a size limit;
    /// - `DENIED`: 403 (quota, permissions), 405 when the registry or the repository takes no
    ///   writes, 409 for a conflict with what the repository holds;
    /// - `BLOB_UPLOAD_INVALID`: 400, and 416 for a chunk that does not continue the upload;
    /// - `UNSUPPORTED`: 405, 404 for the referrers API when it is off, 400 for a token grant type
    ///   `POST /v2/auth` does not serve.
    pub const fn status(self) -> StatusCode {
        match self {
            Code::BlobUnknown
            | Code::BlobUploadUnknown
            | Code::ManifestUnknown
            | Code::NameUnknown
            | Code::NotFound => StatusCode::NOT_FOUND,
            Code::BlobUploadInvalid
            | Code::DigestInvalid
            | Code::ManifestBlobUnknown
            | Code::ManifestInvalid
            | Code::NameInvalid
            | Code::SizeInvalid
            | Code::TagInvalid
            | Code::PaginationNumberInvalid
            | Code::InvalidRequest => StatusCode::BAD_REQUEST,
            Code::TagImmutable => StatusCode::CONFLICT,
            Code::Unauthorized => StatusCode::UNAUTHORIZED,
            Code::Denied => StatusCode::FORBIDDEN,
            Code::Unsupported => StatusCode::METHOD_NOT_ALLOWED,
            Code::RangeInvalid => StatusCode::RANGE_NOT_SATISFIABLE,
            Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Code::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Code::Unknown => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error with this code and its usual status.
    pub fn error(self, message: impl Into<String>) -> V2Error {
        self.with(self.status(), message)
    }

    /// The error with this code and one of the other statuses the table above names.
    pub fn with(self, status: StatusCode, message: impl Into<String>) -> V2Error {
        V2Error {
            status,
            code: self,
            message: message.into(),
            detail: Box::new(json!({})),
            headers: Vec::new(),
            cause: None,
        }
    }
}

/// The cause of a server error, carried to the request middleware in the response's extensions
/// so that it is logged once, with the request.
#[derive(Debug, Clone)]
pub struct Failure(pub String);

/// An error response of the `/v2` API.
pub struct V2Error {
    pub status: StatusCode,
    pub code: Code,
    pub message: String,
    /// Boxed: an error travels by value through every `Result` of the request path.
    pub detail: Box<Value>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    cause: Option<String>,
}

impl V2Error {
    pub fn with_header(mut self, name: header::HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((name, v));
        }
        self
    }

    /// 401 with the Bearer challenge that tells clients where to get a token.
    pub fn unauthorized(challenge: &str) -> Self {
        Code::Unauthorized
            .error("access to the requested resource is not authorized")
            .with_header(header::WWW_AUTHENTICATE, challenge)
    }

    pub fn unsupported(message: &str) -> Self {
        Code::Unsupported.error(message)
    }

    /// An unexpected failure: the client learns nothing of it; the log gets the cause.
    pub fn internal(e: &anyhow::Error) -> Self {
        let mut err = Code::Unknown.error("internal server error");
        err.cause = Some(format!("{e:#}"));
        err
    }
}

impl From<RegistryError> for V2Error {
    fn from(e: RegistryError) -> Self {
        use RegistryError as E;
        let message = e.to_string();
        match &e {
            E::NameUnknown => Code::NameUnknown.error(message),
            E::NameInvalid(_) => Code::NameInvalid.error(message),
            E::BlobUnknown => Code::BlobUnknown.error(message),
            E::BlobUploadUnknown => Code::BlobUploadUnknown.error(message),
            E::BlobUploadInvalid(_) | E::RangeInvalid(_) => Code::BlobUploadInvalid.error(message),
            E::UploadOutOfOrder(size) => Code::BlobUploadInvalid
                .with(StatusCode::RANGE_NOT_SATISFIABLE, message)
                .with_header(header::RANGE, &upload_range(*size)),
            E::DigestInvalid(_) => Code::DigestInvalid.error(message),
            E::ManifestUnknown | E::TagUnknown(_) => Code::ManifestUnknown.error(message),
            E::ManifestInvalid(_) => Code::ManifestInvalid.error(message),
            E::ManifestUnsupported(_) => Code::ManifestInvalid.with(StatusCode::UNSUPPORTED_MEDIA_TYPE, message),
            E::ManifestBlobUnknown(d) => {
                let mut err = Code::ManifestBlobUnknown.error(message.clone());
                err.detail = Box::new(json!({"digest": d}));
                err
            }
            E::ManifestChildUnknown(d) => {
                let mut err = Code::ManifestUnknown.with(StatusCode::BAD_REQUEST, message.clone());
                err.detail = Box::new(json!({"digest": d}));
                err
            }
            E::SizeInvalid(_) => Code::SizeInvalid.error(message),
            E::TooLarge(_) => Code::SizeInvalid.with(StatusCode::PAYLOAD_TOO_LARGE, message),
            E::StorageFull(_) => Code::Denied.with(StatusCode::INSUFFICIENT_STORAGE, message),
            E::TagInvalid(_) => Code::TagInvalid.error(message),
            E::TagImmutable(_) => Code::TagImmutable.error(message),
            E::RangeNotSatisfiable(size) => {
                Code::RangeInvalid.error(message).with_header(header::CONTENT_RANGE, &format!("bytes */{size}"))
            }
            E::Denied(_) => Code::Denied.error(message),
            E::Access(crate::auth::Denied::Unauthenticated) => Code::Unauthorized.error(message),
            E::Access(crate::auth::Denied::Forbidden) => Code::Denied.error(message),
            E::NotWritable(_) => Code::Denied.with(StatusCode::METHOD_NOT_ALLOWED, message),
            E::Conflict(_) | E::Exists(_) => Code::Denied.with(StatusCode::CONFLICT, message),
            E::Unsupported(_) => Code::Unsupported.error(message),
            // Contention: the client retries, as every door tells it.
            E::Unavailable => Code::Unavailable.error(message).with_header(header::RETRY_AFTER, "1"),
            E::Internal(inner) => V2Error::internal(inner),
        }
    }
}

/// The `Range` header of upload responses: the inclusive range received, `0-0` when empty.
pub fn upload_range(size: u64) -> String {
    format!("0-{}", size.saturating_sub(1))
}

impl IntoResponse for V2Error {
    fn into_response(self) -> Response {
        let body = json!({"errors": [{"code": self.code.as_str(), "message": self.message, "detail": self.detail}]});
        let mut response = (self.status, axum::Json(body)).into_response();
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert("docker-distribution-api-version", HeaderValue::from_static("registry/2.0"));
        }
        if let Some(cause) = self.cause {
            response.extensions_mut().insert(Failure(cause));
        }
        response
    }
}
